"""Shared helpers of the client tests (imported explicitly, not a conftest plugin).

``Driver`` runs one call against either ``Client`` or ``AsyncClient`` behind the same
blocking ``call(**ids)``, so every behaviour is checked on both clients by the same test. It
uses the public options only: its default ``retries`` is a :class:`RetryPolicy` that waits
zero seconds, so retries cost no time; the waits themselves are ``test_call_flow.py``'s
subject, where the call flow is fed answers directly.
"""

from __future__ import annotations

import asyncio
import functools
import ssl
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import yaml
from _ids import IDS, JOB, MD5, ORG, PIPELINE, RUN
from yunxiao_emas import AccessKeyCredentials, PersonalAccessToken, RetryPolicy
from yunxiao_emas.auth.acs3 import sign_parts
from yunxiao_emas.cli.spec import spec_path
from yunxiao_emas.client import AsyncClient, Client

FLAVOURS = ["sync", "async"]

# Loading the CA bundle costs about 20 ms per client; the drivers share one context instead.
_TLS = ssl.create_default_context()

KEY_ID = "LTAI5tTestKeyId"
SECRET = "s3cr3t-NEVER-SHOWN-9f8e7d"
CREDENTIALS = AccessKeyCredentials(KEY_ID, SECRET)
TOKEN = "pt-personal-token-NEVER-SHOWN-4c3b2a"
TOKEN_CREDENTIALS = PersonalAccessToken(TOKEN)

HOST = "devops.cn-hangzhou.aliyuncs.com"
BASE_URL = f"https://{HOST}"
TOKEN_HOST = "openapi-rdc.aliyuncs.com"
TOKEN_BASE_URL = f"https://{TOKEN_HOST}"

API_PATH = f"/organization/{ORG}/pipeline/{PIPELINE}/pipelineRun/{RUN}/emas/artifact/{JOB}/{MD5}"
TOKEN_PATH = f"/oapi/v1/flow/organizations/{ORG}/pipelines/getEmasArtifactDownloadUrl"
TOKEN_QUERY = {
    "pipelineId": str(PIPELINE),
    "pipelineRunId": str(RUN),
    "emasJobInstanceId": JOB,
    "md5": MD5,
    "serviceConnectionId": str(IDS["service_connection_id"]),
}

FILE_URL = "https://oss.example.com/app.apk?Expires=1700003600&OSSAccessKeyId=x&Signature=y"
OK_BODY = {
    "requestId": "OK-REQUEST-ID",
    "success": True,
    "errorCode": "",
    "errorMessage": "",
    "fileUrl": FILE_URL,
}


def fast(max_attempts: int = 3, **options: float) -> RetryPolicy:
    """A retry policy that never waits (backoff and server hints capped at zero)."""
    return RetryPolicy(
        max_attempts=max_attempts,
        **{"backoff_initial": 0.0, "backoff_max": 0.0, "retry_after_cap": 0.0, **options},
    )


@functools.cache
def spec() -> dict[str, Any]:
    """openapi.yaml, parsed once."""
    with spec_path().open(encoding="utf-8") as handle:
        loaded: dict[str, Any] = yaml.safe_load(handle)
    return loaded


def spec_parameter(name: str) -> dict[str, Any]:
    schema: dict[str, Any] = spec()["components"]["parameters"][name]["schema"]
    return schema


def service_error_codes() -> list[dict[str, Any]]:
    codes: list[dict[str, Any]] = spec()["components"]["schemas"]["ServiceError"]["x-error-codes"]
    return codes


def gateway_error_codes() -> list[str]:
    entries = spec()["components"]["schemas"]["GatewayError"]["x-error-codes"]
    return [entry["code"] for entry in entries]


def ok(**overrides: Any) -> httpx.Response:
    """A 200 answer of the signed API with a download URL."""
    return httpx.Response(200, json={**OK_BODY, **overrides})


def token_ok(file_url: str = FILE_URL, **headers: str) -> httpx.Response:
    """A 200 answer of the token API: the URL as a JSON string."""
    return httpx.Response(200, json=file_url, headers=headers)


def gateway(
    status: int, code: str, request_id: str = "GW-REQUEST-ID", **headers: str
) -> httpx.Response:
    return httpx.Response(
        status,
        json={
            "RequestId": request_id,
            "HostId": HOST,
            "Code": code,
            "Message": f"gateway says {code}",
            "Recommend": f"https://api.aliyun.com/troubleshoot?q={code}&product=devops",
        },
        headers=headers,
    )


def token_error(
    status: int, code: str = "SomeError", request_id: str = "TK-REQUEST-ID", **headers: str
) -> httpx.Response:
    """An error answer of the token API (its one error body shape)."""
    return httpx.Response(
        status,
        json={
            "errorCode": code,
            "errorMessage": f"token API says {code}",
            "requestId": request_id,
            "traceId": "TRACE-0bc3b4a2",
            "httpStatus": str(status),
            "title": "Error",
            "hasDetailSolution": False,
        },
        headers=headers,
    )


def assert_signed(request: httpx.Request, secret: str = SECRET) -> None:
    """The request carries a V3 signature that the secret reproduces."""
    authorization = request.headers["authorization"]
    algorithm, _, fields = authorization.partition(" ")
    assert algorithm == "ACS3-HMAC-SHA256"
    parts = dict(field.split("=", 1) for field in fields.split(","))
    assert parts["Credential"] == KEY_ID
    names = parts["SignedHeaders"].split(";")
    assert {"host", "x-acs-date", "x-acs-signature-nonce", "x-acs-action"} <= set(names)
    expected = sign_parts(
        secret,
        request.method,
        request.url.raw_path.split(b"?", 1)[0].decode("ascii"),
        request.url.params.multi_items(),
        {name: request.headers[name] for name in names},
    )
    assert parts["Signature"] == expected.signature


class Driver:
    """One ``Client`` or ``AsyncClient`` and a blocking ``call``/``download``.

    Options are the clients' own; ``retries`` defaults to :func:`fast` (three attempts, no
    waits) and ``credentials`` to an AccessKey.
    """

    def __init__(self, flavour: str, **options: Any) -> None:
        options.setdefault("credentials", CREDENTIALS)
        options.setdefault("retries", fast())
        if "http_client" not in options:
            options.setdefault("verify", _TLS)
        self.flavour = flavour
        self.client: Client | AsyncClient
        # One event loop for the life of an AsyncClient: its connections belong to it.
        self._runner: asyncio.Runner | None = None
        if flavour == "sync":
            self.client = Client(**options)
        else:
            self._runner = asyncio.Runner()
            # respx mocks httpx's own transport (the default): the aiohttp one is covered over
            # real sockets, in test_client_connections and tests/e2e.
            self.client = AsyncClient(**options)

    def run(self, awaitable: Any) -> Any:
        assert self._runner is not None
        return self._runner.run(awaitable)

    def call(self, **overrides: Any) -> Any:
        ids = {**IDS, **overrides}
        service_connection_id = ids.pop("service_connection_id")
        method = self.client.get_pipeline_emas_artifact_url
        if self.flavour == "sync":
            return method(**ids, service_connection_id=service_connection_id)
        return self.run(method(**ids, service_connection_id=service_connection_id))

    def download(self, dest: Path, md5: str = MD5, **options: Any) -> Any:
        ids = {**IDS, "md5": md5}
        service_connection_id = ids.pop("service_connection_id")
        method = self.client.download_pipeline_emas_artifact
        call = functools.partial(
            method, **ids, dest=dest, service_connection_id=service_connection_id, **options
        )
        if self.flavour == "sync":
            return call()
        return self.run(call())

    def invoke(self, name: str, *args: Any, **kwargs: Any) -> Any:
        """The client's method ``name`` called (awaited on the async client)."""
        result = getattr(self.client, name)(*args, **kwargs)
        return result if self.flavour == "sync" else self.run(result)

    def collect(self, name: str, *args: Any, **kwargs: Any) -> list[Any]:
        """Every item of the iterator the method ``name`` returns (``async for`` on the async
        client)."""
        iterator = getattr(self.client, name)(*args, **kwargs)
        if self.flavour == "sync":
            return list(iterator)

        async def gather() -> list[Any]:
            return [item async for item in iterator]

        return self.run(gather())  # type: ignore[no-any-return]

    def close(self) -> None:
        if isinstance(self.client, Client):
            self.client.close()
        else:
            self.run(self.client.aclose())
            assert self._runner is not None
            self._runner.close()


def drivers(flavour: str) -> Iterator[Any]:
    """Body of a ``make`` fixture: a factory of drivers, all closed at teardown."""
    made: list[Driver] = []

    def make(**options: Any) -> Driver:
        driver = Driver(flavour, **options)
        made.append(driver)
        return driver

    yield make
    for driver in made:
        driver.close()
