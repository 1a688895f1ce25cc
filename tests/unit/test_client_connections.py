"""What the clients' connection options do on the wire: the proxy, the CA bundle, an
SSLContext, ``verify=False``, and closing the connections.

Each is checked by behaviour, against servers started here on 127.0.0.1 (a TLS server with a
certificate of a CA made by trustme, a plain one, and a CONNECT proxy), never by reading the
httpx client's internals.
"""

from __future__ import annotations

import asyncio
import json
import ssl
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import trustme
from _ids import IDS
from conftest_client import (
    API_PATH,
    CREDENTIALS,
    FILE_URL,
    FLAVOURS,
    HOST,
    OK_BODY,
    TOKEN_CREDENTIALS,
    TOKEN_PATH,
    drivers,
)
from conftest_loopback import REMOTE_NAME, Answer, LoopbackServer, TunnelProxy
from yunxiao_emas import TransportError
from yunxiao_emas.client import AsyncClient, Client

PROXY_VARIABLES = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY")
CA_VARIABLES = ("SSL_CERT_FILE", "SSL_CERT_DIR")


def respond(method: str, path: str, headers: dict[str, str]) -> Answer:
    """The signed API's and the token API's success answers."""
    json_type = {"content-type": "application/json"}
    if path.startswith(API_PATH):
        return 200, json_type, json.dumps(OK_BODY).encode()
    if path.startswith(TOKEN_PATH):
        return 200, json_type, json.dumps(FILE_URL).encode()
    return 404, json_type, b'{"errorCode": "NotFound"}'


@pytest.fixture(autouse=True)
def no_proxy_or_ca_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (*PROXY_VARIABLES, *CA_VARIABLES):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture(scope="module")
def ca_file(ca: trustme.CA, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("ca") / "ca.pem"
    ca.cert_pem.write_to_path(str(path))
    return path


@pytest.fixture(scope="module")
def tls_server(ca: trustme.CA) -> Iterator[LoopbackServer]:
    """An https server on 127.0.0.1 whose certificate only the trustme CA vouches for."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1", REMOTE_NAME).configure_cert(context)
    server = LoopbackServer(respond, tls=context)
    yield server
    server.close()


@pytest.fixture
def plain_server() -> Iterator[LoopbackServer]:
    server = LoopbackServer(respond)
    yield server
    server.close()


@pytest.fixture(scope="module")
def proxy() -> Iterator[TunnelProxy]:
    proxy = TunnelProxy()
    yield proxy
    proxy.close()


@pytest.fixture(params=FLAVOURS)
def make(request: pytest.FixtureRequest) -> Any:
    yield from drivers(request.param)


@pytest.fixture(params=[Client, AsyncClient], ids=["sync", "async"])
def client_class(request: pytest.FixtureRequest) -> Any:
    return request.param


def requests_since(server: LoopbackServer, before: int) -> list[tuple[str, str, dict[str, str]]]:
    return server.requests[before:]


# --- the CA bundle, an SSLContext, verify=False ---------------------------------------------


def test_ca_bundle_path_lets_the_client_trust_the_server(
    make: Any, tls_server: LoopbackServer, ca_file: Path
) -> None:
    before = len(tls_server.requests)
    result = make(verify=str(ca_file), endpoint=tls_server.url, retries=0).call()
    assert result.file_url == OK_BODY["fileUrl"]
    [(method, path, _)] = requests_since(tls_server, before)
    assert (method, path.partition("?")[0]) == ("POST", API_PATH)


def test_by_default_a_certificate_of_an_unknown_ca_is_refused(
    make: Any, tls_server: LoopbackServer
) -> None:
    before = len(tls_server.requests)
    with pytest.raises(TransportError) as caught:
        make(verify=True, endpoint=tls_server.url, retries=0).call()
    assert "CERTIFICATE_VERIFY_FAILED" in str(caught.value)
    assert requests_since(tls_server, before) == []


def test_ssl_context_is_the_one_the_connection_uses(
    make: Any, tls_server: LoopbackServer, ca: trustme.CA
) -> None:
    context = ssl.create_default_context()
    ca.configure_trust(context)  # from memory: no path httpx could have read it from
    result = make(verify=context, endpoint=tls_server.url, retries=0).call()
    assert result.request_id == OK_BODY["requestId"]


def test_ssl_context_without_the_ca_refuses_the_server(
    make: Any, tls_server: LoopbackServer
) -> None:
    context = ssl.create_default_context()
    with pytest.raises(TransportError, match="CERTIFICATE_VERIFY_FAILED"):
        make(verify=context, endpoint=tls_server.url, retries=0).call()


def test_verify_false_accepts_a_certificate_of_an_unknown_ca(
    make: Any, tls_server: LoopbackServer
) -> None:
    result = make(verify=False, endpoint=tls_server.url, retries=0).call()
    assert result.request_id == OK_BODY["requestId"]


def test_ca_bundle_path_serves_the_token_api_too(
    make: Any, tls_server: LoopbackServer, ca_file: Path
) -> None:
    before = len(tls_server.requests)
    result = make(
        credentials=TOKEN_CREDENTIALS, verify=str(ca_file), endpoint=tls_server.url, retries=0
    ).call()
    assert result.file_url == FILE_URL
    [(method, path, _)] = requests_since(tls_server, before)
    assert (method, path.partition("?")[0]) == ("GET", TOKEN_PATH)


def test_ca_bundle_path_does_not_trigger_an_httpx_deprecation_warning(
    client_class: Any, ca_file: Path
) -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        client = client_class(credentials=CREDENTIALS, verify=str(ca_file))
    close(client)
    assert [str(w.message) for w in caught if issubclass(w.category, DeprecationWarning)] == []


# --- the proxy ------------------------------------------------------------------------------


def test_proxy_receives_the_call_to_the_default_host(make: Any, proxy: TunnelProxy) -> None:
    before = len(proxy.request_lines)
    # The proxy refuses tunnels to anything but loopback: the call fails, after reaching it.
    with pytest.raises(TransportError):
        make(proxy=proxy.url, retries=0).call()
    assert proxy.request_lines[before:] == [f"CONNECT {HOST}:443 HTTP/1.1"]


def test_proxy_tunnel_carries_the_call_verified_with_the_ca_bundle(
    make: Any, proxy: TunnelProxy, tls_server: LoopbackServer, ca_file: Path
) -> None:
    proxied, served = len(proxy.request_lines), len(tls_server.requests)
    remote = f"https://{REMOTE_NAME}:{tls_server.port}"
    result = make(proxy=proxy.url, verify=str(ca_file), endpoint=remote, retries=0).call()
    assert result.request_id == OK_BODY["requestId"]
    assert proxy.request_lines[proxied:] == [f"CONNECT {REMOTE_NAME}:{tls_server.port} HTTP/1.1"]
    assert len(requests_since(tls_server, served)) == 1


def test_a_loopback_endpoint_is_never_reached_through_the_proxy(
    make: Any, proxy: TunnelProxy, plain_server: LoopbackServer
) -> None:
    proxied, served = len(proxy.request_lines), len(plain_server.requests)
    make(proxy=proxy.url, endpoint=plain_server.url, retries=0).call()
    assert proxy.request_lines[proxied:] == []
    assert len(requests_since(plain_server, served)) == 1


def test_a_proxy_variable_of_the_environment_does_not_take_loopback(
    make: Any, plain_server: LoopbackServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Nothing listens on port 9: a call through that proxy would fail to connect.
    monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:9")
    monkeypatch.setenv("HTTPS_PROXY", "http://127.0.0.1:9")
    served = len(plain_server.requests)
    make(endpoint=plain_server.url, retries=0).call()
    assert len(requests_since(plain_server, served)) == 1


def test_without_a_proxy_the_call_goes_straight_to_the_server(
    make: Any, plain_server: LoopbackServer
) -> None:
    make(endpoint=plain_server.url, retries=0).call()
    [(_, target, headers)] = plain_server.requests
    assert target.startswith(API_PATH)  # origin form: no proxy in between
    assert headers["host"] == f"127.0.0.1:{plain_server.port}"


# --- closing --------------------------------------------------------------------------------


def close(client: Client | AsyncClient) -> None:
    if isinstance(client, Client):
        client.close()
    else:
        asyncio.run(client.aclose())


def test_own_connections_stay_open_between_calls(plain_server: LoopbackServer) -> None:
    with Client(credentials=CREDENTIALS, endpoint=plain_server.url, retries=0) as client:
        client.get_pipeline_emas_artifact_url(**IDS)
        client.get_pipeline_emas_artifact_url(**IDS)
        assert len(plain_server.requests) == 2
        assert plain_server.closed_connections == 0


def test_own_connections_are_closed_by_the_context_manager(
    plain_server: LoopbackServer,
) -> None:
    with Client(credentials=CREDENTIALS, endpoint=plain_server.url, retries=0) as client:
        client.get_pipeline_emas_artifact_url(**IDS)
    assert plain_server.wait_for_closed_connections(1)


async def test_own_async_connections_are_closed_by_the_context_manager(
    plain_server: LoopbackServer,
) -> None:
    async with AsyncClient(
        credentials=TOKEN_CREDENTIALS, endpoint=plain_server.url, retries=0
    ) as client:
        await client.get_pipeline_emas_artifact_url(**IDS)
    assert await asyncio.to_thread(plain_server.wait_for_closed_connections, 1)


def test_close_closes_the_own_connections(plain_server: LoopbackServer) -> None:
    client = Client(credentials=CREDENTIALS, endpoint=plain_server.url, retries=0)
    client.get_pipeline_emas_artifact_url(**IDS)
    client.close()
    assert plain_server.wait_for_closed_connections(1)


async def test_aclose_closes_the_own_connections(plain_server: LoopbackServer) -> None:
    client = AsyncClient(credentials=CREDENTIALS, endpoint=plain_server.url, retries=0)
    await client.get_pipeline_emas_artifact_url(**IDS)
    await client.aclose()
    assert await asyncio.to_thread(plain_server.wait_for_closed_connections, 1)
