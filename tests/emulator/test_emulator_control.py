"""The control API under /_emulator/: reset, add artifacts, inject faults, read the calls, in
JSON, unsigned, on loopback only by default. (Over HTTP from another process, and from a shell
script: tests/e2e/test_emulator_command_e2e.py.)"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import yunxiao_emas.testing._control as control
from emulator_support import CONNECTION, JOB, ORG, PIPELINE, RUN, api_path, in_process_client
from yunxiao_emas.auth.acs3 import AcsV3Auth
from yunxiao_emas.testing import EmulatedService

ARTIFACT = {
    "organization_id": ORG,
    "pipeline_id": PIPELINE,
    "pipeline_run_id": RUN,
    "emas_job_instance_id": JOB,
    "service_connection_id": CONNECTION,
}
PARAMS = {"serviceConnectionId": CONNECTION}


@pytest.fixture
async def control_client(service: EmulatedService) -> AsyncIterator[httpx.AsyncClient]:
    """Plain JSON requests to the control API, in process; no signature."""
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=service.asgi_app), base_url="http://127.0.0.1:8080"
    ) as client:
        yield client


@pytest.fixture
async def signed(service: EmulatedService) -> AsyncIterator[httpx.AsyncClient]:
    async with in_process_client(service, AcsV3Auth(service.default_credentials)) as client:
        yield client


async def add(control_client: httpx.AsyncClient, **body: Any) -> dict[str, Any]:
    response = await control_client.post("/_emulator/artifacts", json={**ARTIFACT, **body})
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    return answer


async def fault(control_client: httpx.AsyncClient, **body: Any) -> httpx.Response:
    return await control_client.post("/_emulator/faults", json=body)


# --- artifacts --------------------------------------------------------------------------------


async def test_an_artifact_added_as_base64_answers_its_md5_and_is_served(
    control_client: httpx.AsyncClient, signed: httpx.AsyncClient
) -> None:
    answer = await add(control_client, content_base64=base64.b64encode(b"apk!").decode())

    response = await signed.post(api_path(md5=answer["md5"]), params=PARAMS)
    download = await signed.get(response.json()["fileUrl"], auth=None)

    assert answer["md5"] == hashlib.md5(b"apk!", usedforsecurity=False).hexdigest()
    assert download.content == b"apk!"


async def test_an_artifact_added_by_size_has_that_many_bytes(
    control_client: httpx.AsyncClient, service: EmulatedService
) -> None:
    answer = await add(control_client, size=1000, filename="big.apk")

    assert (answer["size"], answer["filename"]) == (1000, "big.apk")
    assert service.artifacts()[0]["md5"] == answer["md5"]


async def test_the_artifacts_are_listed(
    control_client: httpx.AsyncClient, service: EmulatedService
) -> None:
    await add(control_client, size=3)

    listed = (await control_client.get("/_emulator/artifacts")).json()

    assert listed == {"artifacts": service.artifacts()}


async def test_a_path_is_refused_over_http(control_client: httpx.AsyncClient) -> None:
    response = await control_client.post(
        "/_emulator/artifacts", json={**ARTIFACT, "path": "/etc/passwd"}
    )

    assert response.status_code == 400
    assert "exactly one of size, content_base64" in response.json()["message"]


# --- faults -----------------------------------------------------------------------------------


async def test_fail_next_makes_the_next_call_fail_with_that_code(
    control_client: httpx.AsyncClient, signed: httpx.AsyncClient, md5: str
) -> None:
    queued = await fault(control_client, fault="fail_next", count=1, code="ServiceUnavailable")

    first = await signed.post(api_path(md5=md5), params=PARAMS)
    second = await signed.post(api_path(md5=md5), params=PARAMS)

    assert queued.json() == {"applied": "fail_next"}
    assert (first.status_code, first.json()["Code"]) == (503, "ServiceUnavailable")
    assert second.status_code == 200


async def test_fail_next_takes_status_and_retry_after(
    control_client: httpx.AsyncClient, signed: httpx.AsyncClient, md5: str
) -> None:
    await fault(control_client, fault="fail_next", code="Throttling.User", retry_after=2)

    response = await signed.post(api_path(md5=md5), params=PARAMS)

    assert response.json()["Code"] == "Throttling.User"
    assert response.headers["x-acs-retry-after"] == "2000"


async def test_drop_next_cuts_the_next_call(
    control_client: httpx.AsyncClient, signed: httpx.AsyncClient, md5: str
) -> None:
    await fault(control_client, fault="drop_next")

    with pytest.raises(httpx.RemoteProtocolError):
        await signed.post(api_path(md5=md5), params=PARAMS)


async def test_download_faults_bend_the_next_download(
    control_client: httpx.AsyncClient, signed: httpx.AsyncClient, md5: str
) -> None:
    url = (await signed.post(api_path(md5=md5), params=PARAMS)).json()["fileUrl"]
    await fault(control_client, fault="corrupt_next_download")
    corrupted = await signed.get(url, auth=None)
    await fault(control_client, fault="drop_download_after", offset=10)

    with pytest.raises(httpx.RemoteProtocolError):
        await signed.get(url, auth=None)
    assert hashlib.md5(corrupted.content, usedforsecurity=False).hexdigest() != md5


async def test_expire_urls_makes_issued_urls_answer_403(
    control_client: httpx.AsyncClient, signed: httpx.AsyncClient, md5: str
) -> None:
    url = (await signed.post(api_path(md5=md5), params=PARAMS)).json()["fileUrl"]

    await fault(control_client, fault="expire_urls")

    assert (await signed.get(url, auth=None)).status_code == 403


async def test_advance_clock_and_latency_change_the_service(
    control_client: httpx.AsyncClient, service: EmulatedService
) -> None:
    before = service.now()
    await fault(control_client, fault="advance_clock", seconds=3600)
    await fault(control_client, fault="latency", seconds=0.5)

    assert service.now() - before >= 3600
    assert service.latency == 0.5


async def test_clear_faults_forgets_them(
    control_client: httpx.AsyncClient, signed: httpx.AsyncClient, md5: str
) -> None:
    await fault(control_client, fault="fail_next", count=3)
    await fault(control_client, fault="clear_faults")

    assert (await signed.post(api_path(md5=md5), params=PARAMS)).status_code == 200


async def test_expire_token_refuses_that_token(
    control_client: httpx.AsyncClient, service: EmulatedService
) -> None:
    response = await fault(control_client, fault="expire_token", token=service.default_token.token)

    assert response.status_code == 200
    assert service.calls == []


# --- calls and reset --------------------------------------------------------------------------


async def test_calls_are_listed_as_objects(
    control_client: httpx.AsyncClient, signed: httpx.AsyncClient, md5: str
) -> None:
    await signed.post(api_path(md5=md5), params=PARAMS)
    await signed.post(api_path(md5="0" * 32), params=PARAMS)

    calls = (await control_client.get("/_emulator/calls")).json()["calls"]

    assert [(c["method"], c["status"], c["code"], c["operation"]) for c in calls] == [
        ("POST", 200, None, "GetPipelineEmasArtifactUrl"),
        ("POST", 404, "InvalidIdentifier.NotFound", "GetPipelineEmasArtifactUrl"),
    ]
    assert calls[0]["path"] == api_path(md5=md5)


async def test_control_requests_are_not_recorded_and_need_no_signature(
    control_client: httpx.AsyncClient, service: EmulatedService
) -> None:
    response = await control_client.get(
        "/_emulator/calls", headers={"authorization": "ACS3-HMAC-SHA256 nonsense"}
    )
    await control_client.post("/_emulator/faults", json={"fault": "expire_urls"})

    assert response.json() == {"calls": [], "dropped": 0}
    assert service.calls == []


async def test_reset_forgets_what_was_added_and_recorded(
    control_client: httpx.AsyncClient, signed: httpx.AsyncClient, service: EmulatedService
) -> None:
    answer = await add(control_client, size=10)
    await signed.post(api_path(md5=answer["md5"]), params=PARAMS)

    response = await control_client.post("/_emulator/reset")

    assert response.json() == {"reset": True}
    assert service.artifacts() == []
    assert service.calls == []


async def test_the_index_lists_the_endpoints_and_faults(
    control_client: httpx.AsyncClient,
) -> None:
    index = (await control_client.get("/_emulator/")).json()

    assert "POST /_emulator/faults" in index["endpoints"]
    assert set(index["faults"]) == set(control.FAULTS)


# --- bad input: 400 with a JSON message -------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "body", "message"),
    [
        ("/_emulator/faults", b"not json", "the body must be a JSON object"),
        ("/_emulator/faults", b"[1]", "the body must be a JSON object, got list"),
        ("/_emulator/faults", b'{"fault": "explode"}', '"fault" must be one of fail_next'),
        (
            "/_emulator/faults",
            b'{"fault": "fail_next", "count": "1"}',
            "count must be an integer in 1..10000, got str",
        ),
        (
            "/_emulator/faults",
            b'{"fault": "fail_next", "count": 0}',
            "count must be an integer in 1..10000, got 0",
        ),
        (
            "/_emulator/faults",
            b'{"fault": "fail_next", "count": 1000000000000000000000000000000}',
            "count must be an integer in 1..10000",
        ),
        (
            "/_emulator/faults",
            b'{"fault": "advance_clock", "seconds": NaN}',
            "seconds must be a number in -315619200..315619200, got nan",
        ),
        (
            "/_emulator/faults",
            b'{"fault": "advance_clock", "seconds": 1e300}',
            "seconds must be a number in -315619200..315619200",
        ),
        (
            "/_emulator/faults",
            b'{"fault": "latency", "seconds": Infinity}',
            "seconds must be a number in 0..3600, got inf",
        ),
        ("/_emulator/faults", b'{"fault": "fail_next", "colour": 1}', "unknown key(s) colour"),
        ("/_emulator/faults", b'{"fault": "drop_download_after"}', "missing offset"),
        ("/_emulator/faults", b'{"fault": "fail_next", "shape": "x"}', "shape must be one of"),
        ("/_emulator/faults", b'{"fault": "fail_next", "code": "Nope"}', "give a status"),
        ("/_emulator/faults", b'{"fault": "expire_token", "token": "pt-x"}', "not found"),
        ("/_emulator/artifacts", b'{"organization_id": "o"}', "missing pipeline_id"),
        ("/_emulator/artifacts", b"{}", "missing organization_id"),
    ],
)
async def test_bad_input_answers_400_with_a_json_message(
    control_client: httpx.AsyncClient, path: str, body: bytes, message: str
) -> None:
    response = await control_client.post(
        path, content=body, headers={"content-type": "application/json"}
    )

    assert response.status_code == 400
    assert response.headers["content-type"] == "application/json"
    assert response.json()["error"] == "bad_request"
    assert message in response.json()["message"]


async def test_an_unknown_control_path_is_404_and_a_wrong_method_405(
    control_client: httpx.AsyncClient,
) -> None:
    unknown = await control_client.get("/_emulator/nothing-here")
    wrong = await control_client.get("/_emulator/reset")

    assert (unknown.status_code, unknown.json()["error"]) == (404, "not_found")
    assert (wrong.status_code, wrong.json()["error"]) == (405, "method_not_allowed")


async def test_a_body_over_the_limit_is_413(
    control_client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(control, "MAX_BODY", 100)

    response = await control_client.post(
        "/_emulator/artifacts", content=b"x" * 101, headers={"content-type": "application/json"}
    )

    assert response.status_code == 413
    assert "size instead" in response.json()["message"]


# --- where it is served -----------------------------------------------------------------------


async def test_without_the_control_api_its_paths_are_the_apis_not_found() -> None:
    service = EmulatedService(control_api=False)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=service.asgi_app), base_url="http://127.0.0.1"
    ) as client:
        response = await client.post("/_emulator/reset")

    assert response.status_code == 404
    assert response.json()["Code"] == "InvalidAction.NotFound"


@pytest.mark.parametrize(
    ("control_api", "host", "served"),
    [
        (None, "127.0.0.1", True),
        (None, "localhost", True),
        (None, "::1", True),
        (None, "0.0.0.0", False),  # noqa: S104 (a host name given, nothing bound)
        (None, "192.168.1.10", False),
        (True, "0.0.0.0", True),  # noqa: S104 (a host name given, nothing bound)
        (False, "127.0.0.1", False),
    ],
)
def test_the_control_api_is_served_by_default_on_loopback_only(
    control_api: bool | None, host: str, served: bool
) -> None:
    assert EmulatedService(control_api=control_api).serves_control_api_on(host) is served


def test_the_control_api_answers_over_http_on_loopback(service: EmulatedService) -> None:
    with service.serve() as base_url:
        added = httpx.post(
            f"{base_url}/_emulator/artifacts", json={**ARTIFACT, "size": 12}, timeout=10
        )
        calls = httpx.get(f"{base_url}/_emulator/calls", timeout=10)

    assert added.status_code == 200
    assert calls.json() == {"calls": [], "dropped": 0}
