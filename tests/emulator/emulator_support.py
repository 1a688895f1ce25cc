"""Shared values and helpers of the emulator's tests (imported by the test modules)."""

from __future__ import annotations

import sys
from collections.abc import Callable, Generator
from pathlib import Path
from urllib.parse import quote

import httpx
from yunxiao_emas.auth.acs3 import AcsV3Auth
from yunxiao_emas.testing import EmulatedService
from yunxiao_emas.testing._service import DOWNLOAD_PREFIX

# tests/_spec_validation.py is shared with other test folders.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from _spec_validation import assert_conforms

BASE_URL = "http://emulator.test"
# The example of the API reference page (openapi.yaml's examples).
ORG = "5ebbc0228123212b59xxxxx"
PIPELINE = 1111
RUN = 1
JOB = "Psaxsa"
CONNECTION = 122
CONTENT = bytes(range(256)) * 40  # 10 KiB, every byte value
FILENAME = "app-release.apk"


def api_path(
    org: str = ORG,
    pipeline: int | str = PIPELINE,
    run: int | str = RUN,
    job: str = JOB,
    md5: str = "",
) -> str:
    """The API path, each segment percent-encoded the way the client sends it."""
    segments = [quote(str(value), safe="") for value in (org, pipeline, run, job, md5)]
    return "/organization/{}/pipeline/{}/pipelineRun/{}/emas/artifact/{}/{}".format(*segments)


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
    """The gateway body's ``Code`` (fails when the body is the service's)."""
    body = response.json()
    assert set(body) == {"RequestId", "HostId", "Code", "Message", "Recommend"}, body
    return str(body["Code"])


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
