"""Shared values and helpers of the emulator's tests (imported by the test modules)."""

from __future__ import annotations

import sys
from collections.abc import Callable, Generator
from pathlib import Path
from urllib.parse import quote

import httpx
from yunxiao_emas._call.operations import SIGNED, TOKEN
from yunxiao_emas.auth.acs3 import AcsV3Auth
from yunxiao_emas.cli.spec import example_ids, load_spec, operations
from yunxiao_emas.testing import DOWNLOAD_PREFIX, EmulatedService

# tests/_spec_validation.py is shared with other test folders.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from _spec_validation import assert_conforms

BASE_URL = "http://emulator.test"
# The example of the API reference page (openapi.yaml's examples).
IDS = example_ids()
ORG: str = IDS["organization_id"]
PIPELINE: int = IDS["pipeline_id"]
RUN: int = IDS["pipeline_run_id"]
JOB: str = IDS["emas_job_instance_id"]
CONNECTION: int = IDS["service_connection_id"]
CONTENT = bytes(range(256)) * 40  # 10 KiB, every byte value
FILENAME = "app-release.apk"


def documented_codes() -> list[tuple[str, int, str]]:
    """The service's documented codes with status and message, as openapi.yaml lists them
    (``ServiceError.x-error-codes``)."""
    entries = load_spec()["components"]["schemas"]["ServiceError"]["x-error-codes"]
    return [(str(e["code"]), int(e["status"]), str(e["message"])) for e in entries]


def gateway_codes() -> set[str]:
    """The gateway's codes that openapi.yaml lists (``GatewayError.x-error-codes``)."""
    entries = load_spec()["components"]["schemas"]["GatewayError"]["x-error-codes"]
    return {str(entry["code"]) for entry in entries}


def documented_message(code: str, status: int) -> str:
    """The documented message of ``code`` with ``status``."""
    return next(m for c, s, m in documented_codes() if (c, s) == (code, status))


def api_path(
    org: str = ORG,
    pipeline: int | str = PIPELINE,
    run: int | str = RUN,
    job: str = JOB,
    md5: str = "",
) -> str:
    """The API path, each segment percent-encoded the way the client sends it."""
    values = {
        "organizationId": org,
        "pipelineId": pipeline,
        "pipelineRunId": run,
        "emasJobInstanceId": job,
        "md5": md5,
    }
    return _fill(operations()[SIGNED.name].path, values)


def token_path(org: str = ORG) -> str:
    """The token API's path, the organization percent-encoded the way the client sends it."""
    return _fill(operations()[TOKEN.name].path, {"organizationId": org})


def token_params(
    *,
    pipeline: int | str = PIPELINE,
    run: int | str = RUN,
    job: str = JOB,
    md5: str = "",
    connection: int | str = CONNECTION,
) -> dict[str, str]:
    """The token API's query parameters."""
    return {
        "pipelineId": str(pipeline),
        "pipelineRunId": str(run),
        "emasJobInstanceId": job,
        "md5": md5,
        "serviceConnectionId": str(connection),
    }


def _fill(template: str, values: dict[str, object]) -> str:
    for name, value in values.items():
        template = template.replace(f"{{{name}}}", quote(str(value), safe=""))
    return template


def _is_api(response: httpx.Response) -> bool:
    return not response.request.url.path.startswith(DOWNLOAD_PREFIX)


async def validate_async(response: httpx.Response) -> None:
    """Response hook: every API answer must conform to openapi.yaml."""
    if _is_api(response):
        await response.aread()
        assert_conforms(response)


def validate(response: httpx.Response) -> None:
    """Response hook: every API answer must conform to openapi.yaml."""
    if _is_api(response):
        response.read()
        assert_conforms(response)


def in_process_client(service: EmulatedService, auth: httpx.Auth | None) -> httpx.AsyncClient:
    """A client of ``service`` through ASGI that validates every API answer."""
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=service.asgi_app),
        base_url=BASE_URL,
        auth=auth,
        event_hooks={"response": [validate_async]},
    )


def http_client(base_url: str, auth: httpx.Auth | None, **kwargs: object) -> httpx.Client:
    """A client of a served emulator that validates every API answer."""
    return httpx.Client(
        base_url=base_url,
        auth=auth,
        event_hooks={"response": [validate]},
        **kwargs,  # type: ignore[arg-type]
    )


class TamperingAuth(httpx.Auth):
    """Signs like the client, then changes the request: a request altered in transit."""

    def __init__(self, inner: AcsV3Auth, tamper: Callable[[httpx.Request], None]) -> None:
        self._inner = inner
        self._tamper = tamper

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        self._inner.sign(request)
        self._tamper(request)
        yield request


def gateway_code(response: httpx.Response) -> str:
    """The gateway body's ``Code`` (fails when the body is the service's). A
    ``SignatureDoesNotMatch`` of the gateway check (not one injected as a fault) carries the
    emulator's explanation as well, and only it."""
    body = response.json()
    keys = {"RequestId", "HostId", "Code", "Message", "Recommend"}
    if body.get("Code") == "SignatureDoesNotMatch" and "EmulatorSignatureCheck" in body:
        keys.add("EmulatorSignatureCheck")
    assert set(body) == keys, body
    return str(body["Code"])


def token_code(response: httpx.Response) -> str:
    """The token API's ``errorCode`` (fails when the body is not a ``TokenApiError``)."""
    body = response.json()
    assert set(body) == {
        "errorCode",
        "errorMessage",
        "requestId",
        "traceId",
        "httpStatus",
        "title",
        "hasDetailSolution",
    }, body
    assert body["httpStatus"] == str(response.status_code)
    return str(body["errorCode"])


def service_code(response: httpx.Response) -> str:
    """The service body's ``errorCode`` (fails when the body is the gateway's)."""
    body = response.json()
    assert set(body) >= {"requestId", "success", "errorCode", "errorMessage"}, body
    assert body["success"] is False
    return str(body["errorCode"])


def _unchanged(request: httpx.Request) -> None:
    del request


def signed_once(inner: AcsV3Auth) -> httpx.Auth:
    """Signs like the client but never signs again (no correction of the clock from answers)."""
    return TamperingAuth(inner, _unchanged)
