"""Shared helpers of the client tests (imported explicitly, not a conftest plugin).

``Driver`` runs one call against either ``Client`` or ``AsyncClient`` behind the same
blocking ``call(**ids)``, with the sleep replaced by a recorder, so every behaviour is checked
on both clients by the same test.
"""

from __future__ import annotations

import asyncio
import functools
import ssl
from collections.abc import Iterator
from typing import Any

import httpx
import yaml
from yunxiao_emas import AccessKeyCredentials
from yunxiao_emas._spec import spec_path
from yunxiao_emas.client import AsyncClient, Client
from yunxiao_emas.signing import sign_parts

FLAVOURS = ["sync", "async"]

# Loading the CA bundle costs about 20 ms per client; the drivers share one context instead.
_TLS = ssl.create_default_context()

KEY_ID = "LTAI5tTestKeyId"
SECRET = "s3cr3t-NEVER-SHOWN-9f8e7d"
CREDENTIALS = AccessKeyCredentials(KEY_ID, SECRET)

HOST = "devops.cn-hangzhou.aliyuncs.com"
BASE_URL = f"https://{HOST}"

IDS: dict[str, Any] = {
    "organization_id": "5ebbc0228123212b59xxxxx",
    "pipeline_id": 1111,
    "pipeline_run_id": 1,
    "emas_job_instance_id": "Psaxsa",
    "md5": "assasas",
    "service_connection_id": 122,
}
API_PATH = (
    "/organization/5ebbc0228123212b59xxxxx/pipeline/1111/pipelineRun/1/emas/artifact/Psaxsa/assasas"
)

FILE_URL = "https://oss.example.com/app.apk?Expires=1700003600&OSSAccessKeyId=x&Signature=y"
OK_BODY = {
    "requestId": "OK-REQUEST-ID",
    "success": True,
    "errorCode": "",
    "errorMessage": "",
    "fileUrl": FILE_URL,
}


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
    """A 200 answer with a download URL."""
    return httpx.Response(200, json={**OK_BODY, **overrides})


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
    """One ``Client`` or ``AsyncClient`` and a blocking ``call``; sleeps are recorded, not slept."""

    def __init__(self, flavour: str, **options: Any) -> None:
        options.setdefault("credentials", CREDENTIALS)
        if "http_client" not in options:
            options.setdefault("verify", _TLS)
        self.flavour = flavour
        self.sleeps: list[float] = []
        self.client: Client | AsyncClient
        if flavour == "sync":
            self.client = Client(**options)
            self.client._sleep = self._record_sleep
        else:
            self.client = AsyncClient(**options)
            self.client._sleep = self._record_async_sleep

    @property
    def core(self) -> Any:
        return self.client._core

    def _record_sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)

    async def _record_async_sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)

    def on_sleep(self, hook: Any) -> None:
        """Also call ``hook(seconds)`` on every sleep (to advance a fake clock)."""
        record = self._record_sleep

        def sleep(seconds: float) -> None:
            record(seconds)
            hook(seconds)

        async def async_sleep(seconds: float) -> None:
            sleep(seconds)

        self.client._sleep = sleep if self.flavour == "sync" else async_sleep

    def call(self, **overrides: Any) -> Any:
        ids = {**IDS, **overrides}
        service_connection_id = ids.pop("service_connection_id")
        method = self.client.get_pipeline_emas_artifact_url
        if self.flavour == "sync":
            return method(**ids, service_connection_id=service_connection_id)
        return asyncio.run(method(**ids, service_connection_id=service_connection_id))

    def close(self) -> None:
        if isinstance(self.client, Client):
            self.client.close()
        else:
            asyncio.run(self.client.aclose())


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
