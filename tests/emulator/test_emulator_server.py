"""serve(): uvicorn in a background thread, on a free loopback port, with or without TLS."""

from __future__ import annotations

import ssl
import statistics
import time
from pathlib import Path

import httpx
import pytest
import trustme
from emulator_support import CONNECTION, JOB, ORG, PIPELINE, RUN, api_path, http_client
from yunxiao_emas.auth.acs3 import AcsV3Auth
from yunxiao_emas.testing import EmulatedService, serve

PARAMS = {"serviceConnectionId": CONNECTION}


def test_serve_yields_a_loopback_url_that_answers(service: EmulatedService) -> None:
    with service.serve() as base_url, http_client(base_url, None) as client:
        response = client.post(api_path(md5="x"), params=PARAMS)

    assert base_url.startswith("http://127.0.0.1:")
    assert response.status_code == 400  # unsigned: the gateway answered


def test_answers_are_not_held_back_by_delayed_acks(http_api: httpx.Client, md5: str) -> None:
    # Without TCP_NODELAY on the server's connections each answer waits ~40 ms for the
    # client's delayed ACK.
    timings = []
    for _ in range(11):
        started = time.perf_counter()
        http_api.post(api_path(md5=md5), params=PARAMS)
        timings.append(time.perf_counter() - started)

    assert statistics.median(timings) < 0.02


def test_two_servers_get_different_free_ports() -> None:
    with EmulatedService().serve() as first, EmulatedService().serve() as second:
        assert first != second


def test_server_stops_when_the_block_ends(service: EmulatedService) -> None:
    with service.serve() as base_url:
        pass

    with pytest.raises(httpx.ConnectError):
        httpx.post(f"{base_url}/", timeout=2)


def test_server_stops_promptly_with_a_keep_alive_connection_open(service: EmulatedService) -> None:
    with http_client("", None) as client:
        with service.serve() as base_url:
            client.post(f"{base_url}/")  # the connection stays open in the client's pool
            started = time.monotonic()
        stopped_in = time.monotonic() - started

    assert stopped_in < 2


def test_module_level_serve_runs_any_asgi_app() -> None:
    async def app(scope: dict[str, object], receive: object, send: object) -> None:
        assert callable(send)
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    with serve(app) as base_url:
        assert httpx.get(base_url).status_code == 204


def test_serve_on_a_port_in_use_fails_before_yielding() -> None:
    with EmulatedService().serve() as base_url:
        port = int(base_url.rsplit(":", 1)[1])
        with pytest.raises(OSError, match="in use"), serve(EmulatedService(), port=port):
            pass


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    authority = trustme.CA()
    server = authority.issue_cert("127.0.0.1", "localhost")
    folder = tmp_path_factory.mktemp("tls")
    cert, key, ca = folder / "cert.pem", folder / "key.pem", folder / "ca.pem"
    server.cert_chain_pems[0].write_to_path(str(cert))
    server.private_key_pem.write_to_path(str(key))
    authority.cert_pem.write_to_path(str(ca))
    return cert, key, ca


def test_serve_over_https_with_a_certificate(
    service: EmulatedService, certificate: tuple[Path, Path, Path]
) -> None:
    cert, key, ca = certificate
    md5 = service.add_artifact(ORG, PIPELINE, RUN, JOB, b"over tls")
    verify = ssl.create_default_context(cafile=str(ca))
    auth = AcsV3Auth(service.default_credentials)

    with (
        service.serve(ssl_certfile=str(cert), ssl_keyfile=str(key)) as base_url,
        http_client(base_url, auth, verify=verify) as client,
    ):
        response = client.post(api_path(md5=md5), params=PARAMS)
        download = client.get(response.json()["fileUrl"], auth=None)

    assert base_url.startswith("https://127.0.0.1:")
    assert response.json()["fileUrl"].startswith(f"{base_url}/emas-artifacts/")
    assert download.content == b"over tls"
