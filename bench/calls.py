"""1. One call, sequential: our clients against a raw httpx request, and the official SDK.

Against the fixed-answer app (:mod:`bench._servers`) in a subprocess, over keep-alive loopback
connections, each side makes a block of calls per round; rounds interleave the sides. Sides:

- raw pre-signed ``httpx.Client.post``: the signed API's request, its headers signed once
  beforehand (so what it leaves out is exactly what a client adds: validation, the signature,
  the answer's mapping), the JSON answer read for its ``fileUrl``;
- raw ``httpx.Client.get`` of the token API with its ``x-yunxiao-token`` header;
- ``Client.get_pipeline_emas_artifact_url`` with an AccessKey (the signed API) and with a
  ``PersonalAccessToken`` (the token API), as constructed by users (defaults but the endpoint);
- the official SDK's ``get_pipeline_emas_artifact_url`` (signed API; requests, keep-alive).

The same with ``AsyncClient``, ``httpx.AsyncClient`` and the official SDK's ``..._async``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import httpx

from ._official import official_sdk
from ._report import NOT_MEASURED, Section
from ._servers import (
    CONNECTION,
    JOB,
    MD5,
    ORG,
    PIPELINE,
    RUN,
    SIGNED_PATH,
    TOKEN,
    TOKEN_PATH,
    child,
)
from ._settings import Settings
from ._stats import Spread, interleave, interleave_async, per_round

__all__ = ["run", "signed_headers"]

TARGET = 1.05  # ours / raw httpx, at most
WARMUP = 20
KEY_ID, SECRET = "LTAIbenchmark", "benchmark-secret"
SIGNED_PARAMS = {"serviceConnectionId": str(CONNECTION)}
TOKEN_PARAMS = {
    "pipelineId": str(PIPELINE),
    "pipelineRunId": str(RUN),
    "emasJobInstanceId": JOB,
    "md5": MD5,
    "serviceConnectionId": str(CONNECTION),
}
LABELS = {
    "raw_signed": "raw pre-signed httpx post (signed API)",
    "ours_signed": "ours, AccessKey (signed API)",
    "raw_token": "raw httpx get (token API)",
    "ours_token": "ours, PersonalAccessToken (token API)",
    "official": "official SDK (signed API)",
}
BASELINE = {"ours_signed": "raw_signed", "official": "raw_signed", "ours_token": "raw_token"}


def signed_headers(url: str) -> dict[str, str]:
    """The headers of the signed API's request to ``url``, signed once by our signer."""
    from yunxiao_emas import AccessKeyCredentials
    from yunxiao_emas.auth.acs3 import AcsV3Auth

    request = httpx.Request("POST", url, params=SIGNED_PARAMS)
    AcsV3Auth(AccessKeyCredentials(KEY_ID, SECRET)).sign(request)
    return dict(request.headers)


def _repeat(call: Callable[[], object], times: int) -> Callable[[], None]:
    def block() -> None:
        for _ in range(times):
            call()

    return block


def _repeat_async(call: Callable[[], Awaitable[object]], times: int) -> Callable[[], Any]:
    async def block() -> None:
        for _ in range(times):
            await call()

    return block


def _sync_sides(base_url: str, stack: Any) -> dict[str, Callable[[], object]]:
    from yunxiao_emas import AccessKeyCredentials, Client, PersonalAccessToken

    signed_url, token_url = base_url + SIGNED_PATH, base_url + TOKEN_PATH
    headers = signed_headers(signed_url)
    raw = stack.enter_context(httpx.Client())
    signed = stack.enter_context(
        Client(endpoint=base_url, credentials=AccessKeyCredentials(KEY_ID, SECRET))
    )
    token = stack.enter_context(Client(endpoint=base_url, credentials=PersonalAccessToken(TOKEN)))

    def raw_signed() -> object:
        response = raw.post(signed_url, params=SIGNED_PARAMS, headers=headers)
        response.raise_for_status()
        return response.json()["fileUrl"]

    def raw_token() -> object:
        response = raw.get(token_url, params=TOKEN_PARAMS, headers={"x-yunxiao-token": TOKEN})
        response.raise_for_status()
        return response.json()

    def ours_signed() -> object:
        return signed.get_pipeline_emas_artifact_url(
            ORG, PIPELINE, RUN, JOB, MD5, service_connection_id=CONNECTION
        )

    def ours_token() -> object:
        return token.get_pipeline_emas_artifact_url(
            ORG, PIPELINE, RUN, JOB, MD5, service_connection_id=CONNECTION
        )

    sides: dict[str, Callable[[], object]] = {
        "raw_signed": raw_signed,
        "ours_signed": ours_signed,
        "raw_token": raw_token,
        "ours_token": ours_token,
    }
    official = official_sdk(base_url, KEY_ID, SECRET)
    if official is not None:
        sides["official"] = official.call
    return sides


def _measure_sync(base_url: str, settings: Settings) -> dict[str, list[float]]:
    import contextlib

    with contextlib.ExitStack() as stack:
        calls = _sync_sides(base_url, stack)
        for call in calls.values():
            _repeat(call, WARMUP)()
        blocks = {name: _repeat(call, settings.calls_per_block) for name, call in calls.items()}
        return interleave(blocks, rounds=settings.call_rounds)


async def _measure_async(base_url: str, settings: Settings) -> dict[str, list[float]]:
    import contextlib

    from yunxiao_emas import AccessKeyCredentials, AsyncClient, PersonalAccessToken

    signed_url, token_url = base_url + SIGNED_PATH, base_url + TOKEN_PATH
    headers = signed_headers(signed_url)
    async with contextlib.AsyncExitStack() as stack:
        raw = await stack.enter_async_context(httpx.AsyncClient())
        signed = await stack.enter_async_context(
            AsyncClient(endpoint=base_url, credentials=AccessKeyCredentials(KEY_ID, SECRET))
        )
        token = await stack.enter_async_context(
            AsyncClient(endpoint=base_url, credentials=PersonalAccessToken(TOKEN))
        )

        async def raw_signed() -> object:
            response = await raw.post(signed_url, params=SIGNED_PARAMS, headers=headers)
            response.raise_for_status()
            return response.json()["fileUrl"]

        async def raw_token() -> object:
            response = await raw.get(
                token_url, params=TOKEN_PARAMS, headers={"x-yunxiao-token": TOKEN}
            )
            response.raise_for_status()
            return response.json()

        async def ours_signed() -> object:
            return await signed.get_pipeline_emas_artifact_url(
                ORG, PIPELINE, RUN, JOB, MD5, service_connection_id=CONNECTION
            )

        async def ours_token() -> object:
            return await token.get_pipeline_emas_artifact_url(
                ORG, PIPELINE, RUN, JOB, MD5, service_connection_id=CONNECTION
            )

        calls: dict[str, Callable[[], Awaitable[object]]] = {
            "raw_signed": raw_signed,
            "ours_signed": ours_signed,
            "raw_token": raw_token,
            "ours_token": ours_token,
        }
        official = official_sdk(base_url, KEY_ID, SECRET)
        if official is not None:
            calls["official"] = official.call_async
        for call in calls.values():
            await _repeat_async(call, WARMUP)()
        blocks = {
            name: _repeat_async(call, settings.calls_per_block) for name, call in calls.items()
        }
        return await interleave_async(blocks, rounds=settings.call_rounds)


def _report(section: Section, kind: str, seconds: dict[str, list[float]], per_block: int) -> None:
    rows = []
    for name, blocks in seconds.items():
        base = BASELINE.get(name)
        versus = Spread.of(per_round(blocks, seconds[base])).show(3) if base else ""
        rows.append([LABELS[name], Spread.of(blocks, 1e6 / per_block).show(0, " us"), versus])
    section.table([f"{kind}: one call", "per call", "x its raw httpx baseline"], rows)
    client = "Client" if kind == "sync" else "AsyncClient"
    raw = "httpx.Client" if kind == "sync" else "httpx.AsyncClient"
    official = seconds.get("official")
    for api, ours, base, method in (
        ("signed API", "ours_signed", "raw_signed", "post (pre-signed)"),
        ("token API", "ours_token", "raw_token", "get"),
    ):
        ratio = Spread.of(per_round(seconds[ours], seconds[base]))
        beside = NOT_MEASURED
        if official is not None and api == "signed API":
            beside = Spread.of(per_round(official, seconds[base])).show(3)
        section.target(
            f"{kind} call, {api}: {client} / raw {raw}.{method}",
            ratio.show(3),
            f"<= {TARGET}",
            ratio.median <= TARGET,
            official=beside,
        )
    if official is None:
        section.target(f"{kind} call: official SDK / ours", "not installed", "> 1 (this run)", None)
        return
    ratio = Spread.of(per_round(official, seconds["ours_signed"]))
    section.target(
        f"{kind} call: official SDK / {client} (signed API)",
        NOT_MEASURED,
        # Ahead in this run: the median of the per-round ratios, the lowest round shown beside.
        "> 1 (this run)",
        ratio.median > 1,
        official=ratio.show(2),
    )


def run(settings: Settings) -> Section:
    section = Section("calls", "1. One call, sequential (keep-alive, loopback)")
    with child("fixed") as server:
        section.note(
            "Server: the fixed-answer ASGI app (`bench._servers`) under "
            "`yunxiao_emas.testing.serve` (uvicorn) in a subprocess. "
            f"{settings.call_rounds} interleaved rounds of {settings.calls_per_block} calls per "
            f"side, after {WARMUP} warm-up calls each; a ratio is the median of the per-round "
            "ratios [min..max]. Our clients are built as users build them: only `endpoint` and "
            "`credentials` given."
        )
        cpu = server.cpu_seconds()
        sync_seconds = _measure_sync(server.base_url, settings)
        async_seconds = asyncio.run(_measure_async(server.base_url, settings))
        cpu = server.cpu_seconds() - cpu
    total = sum(sum(blocks) for blocks in (*sync_seconds.values(), *async_seconds.values()))
    _report(section, "sync", sync_seconds, settings.calls_per_block)
    _report(section, "async", async_seconds, settings.calls_per_block)
    section.note(
        f"The server used {cpu / total:.0%} of one core over the timed blocks (the official "
        "SDK's async call opens a new connection each time: aiohttp session per call)."
    )
    return section
