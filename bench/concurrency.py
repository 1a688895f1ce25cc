"""2. Concurrency: calls per second with 1, 16, 64 and 256 calls in flight.

One event loop (the default asyncio loop) runs N workers that make calls until the round's
calls are done; each client runs one round per level in turn (interleaved, order rotating).
The server is the fixed-answer app under ``yunxiao_emas.testing.serve`` in a subprocess; its
CPU share during each round is printed, so a server at its limit would show (near 100%).

Clients: raw ``httpx.AsyncClient`` (pre-signed post, httpx's default limits), our ``AsyncClient``
as it comes (httpx over its own transport, the default) and over aiohttp's
(``transport="aiohttp"``, the ``aiohttp`` extra; only measured when installed), both with the
limits we ship, and the official SDK's ``..._async`` method (aiohttp).
"""

from __future__ import annotations

import asyncio
import contextlib
import statistics
import time
from collections.abc import Awaitable, Callable
from typing import Any

import httpx

from ._official import official_sdk
from ._report import Section
from ._servers import CONNECTION, JOB, MD5, ORG, PIPELINE, RUN, SIGNED_PATH, Child, child
from ._settings import Settings
from ._stats import Spread, order_of_round, per_round
from .calls import KEY_ID, SECRET, SIGNED_PARAMS, signed_headers

__all__ = ["run"]

# httpx's defaults, given explicitly to every httpx-based client that takes them.
LIMITS = httpx.Limits(max_connections=100, max_keepalive_connections=20, keepalive_expiry=5.0)
LABELS = {
    "raw": "raw httpx.AsyncClient",
    "ours": "AsyncClient (default, httpx)",
    "ours_aiohttp": "AsyncClient (aiohttp)",
    "official": "official SDK (aiohttp)",
}

Call = Callable[[], Awaitable[object]]


async def _block(call: Call, in_flight: int, calls: int) -> int:
    """Make ``calls`` calls with ``in_flight`` at a time; the number that failed."""
    remaining = calls
    failures = 0

    async def worker() -> None:
        nonlocal remaining, failures
        while remaining > 0:
            remaining -= 1
            try:
                await call()
            except Exception:  # counted and shown: a failing client must not look fast
                failures += 1

    await asyncio.gather(*(worker() for _ in range(min(in_flight, calls))))
    return failures


async def _clients(
    stack: contextlib.AsyncExitStack, base_url: str
) -> tuple[dict[str, Call], list[str]]:
    from yunxiao_emas import AccessKeyCredentials, AsyncClient

    credentials = AccessKeyCredentials(KEY_ID, SECRET)
    url = base_url + SIGNED_PATH
    headers = signed_headers(url)
    limits_notes = [
        f"raw httpx.AsyncClient: `{LIMITS!r}` (httpx's defaults)",
    ]
    raw = await stack.enter_async_context(httpx.AsyncClient(limits=LIMITS))

    async def raw_call() -> object:
        response = await raw.post(url, params=SIGNED_PARAMS, headers=headers)
        response.raise_for_status()
        return response.json()["fileUrl"]

    from yunxiao_emas._call.asyncio_backend import lane_limits
    from yunxiao_emas._call.request import DEFAULT_LIMITS, admitted

    transports = ["httpx"]
    try:
        import httpx_aiohttp  # noqa: F401
    except ImportError:
        limits_notes.append("httpx-aiohttp: not installed, so AsyncClient (aiohttp) not measured")
    else:
        transports.append("aiohttp")
    limits_notes.append(
        f"AsyncClient: the limits it ships, `{DEFAULT_LIMITS!r}`, admitting "
        f"{admitted(DEFAULT_LIMITS)} calls at once; by default into its own transport "
        f"(httpcore's pools over asyncio's streams, {len(lane_limits(DEFAULT_LIMITS))} lanes of "
        "one kept-alive connection)"
    )
    clients: dict[str, Call] = {"raw": raw_call}
    for transport in transports:
        chosen: dict[str, Any] = {} if transport == "httpx" else {"transport": transport}
        ours = await stack.enter_async_context(
            AsyncClient(endpoint=base_url, credentials=credentials, **chosen)
        )

        def ours_call(client: Any = ours) -> Awaitable[object]:
            return client.get_pipeline_emas_artifact_url(  # type: ignore[no-any-return]
                ORG, PIPELINE, RUN, JOB, MD5, service_connection_id=CONNECTION
            )

        clients["ours" if transport == "httpx" else "ours_aiohttp"] = ours_call
    official = official_sdk(base_url, KEY_ID, SECRET)
    if official is not None:
        clients["official"] = official.call_async
        try:
            from darabonba.core import DEFAULT_POOL_MAXSIZE

            pool = f"TCPConnector(limit={DEFAULT_POOL_MAXSIZE})"
        except ImportError:
            pool = "its TCPConnector"
        limits_notes.append(
            f"official SDK: a new aiohttp ClientSession with {pool} for every call (its "
            "default), so a new connection per call"
        )
    else:
        limits_notes.append("official SDK: not installed, so not measured")
    return clients, limits_notes


async def _measure(
    server: Child, settings: Settings
) -> tuple[dict[int, dict[str, list[float]]], dict[int, float], dict[str, int], list[str]]:
    seconds: dict[int, dict[str, list[float]]] = {}
    server_share: dict[int, float] = {}
    failures: dict[str, int] = {}
    async with contextlib.AsyncExitStack() as stack:
        clients, notes = await _clients(stack, server.base_url)
        names = list(clients)
        failures = dict.fromkeys(names, 0)
        for level in settings.levels:
            seconds[level] = {name: [] for name in names}
            for name in names:  # warm up: open the pools' connections for this level
                await _block(clients[name], level, max(level, 32))
            busiest = 0.0
            for round_ in range(settings.concurrency_rounds):
                for name in order_of_round(names, round_):
                    cpu = server.cpu_seconds()
                    started = time.perf_counter()
                    failures[name] += await _block(clients[name], level, settings.concurrency_calls)
                    elapsed = time.perf_counter() - started
                    busiest = max(busiest, (server.cpu_seconds() - cpu) / elapsed)
                    seconds[level][name].append(elapsed)
            server_share[level] = busiest
            rates = ", ".join(
                f"{LABELS[name]} {settings.concurrency_calls / statistics.median(blocks):.0f}"
                for name, blocks in seconds[level].items()
            )
            print(f"  {level} in flight, calls/s: {rates}", flush=True)
    return seconds, server_share, failures, notes


def run(settings: Settings) -> Section:
    section = Section("concurrency", "2. Concurrency: calls/s with N calls in flight")
    with child("fixed") as server:
        section.note(
            "Server: the fixed-answer app (`bench._servers`) under `yunxiao_emas.testing.serve` "
            "(uvicorn, one process, one event loop) in a subprocess. "
            f"Levels {', '.join(map(str, settings.levels))}: {settings.concurrency_rounds} "
            f"rounds x {settings.concurrency_calls} calls per client and level, interleaved; "
            "the clients share one asyncio event loop in this process."
        )
        seconds, server_share, failures, notes = asyncio.run(_measure(server, settings))
    section.note("Pool limits: " + "; ".join(notes) + ".")
    names = list(next(iter(seconds.values())))
    calls = settings.concurrency_calls
    rows = []
    for level, blocks in seconds.items():
        rate = {name: [calls / s for s in blocks[name]] for name in names}
        row = [str(level)]
        row += [Spread.of(rate[name]).show(0) for name in names]
        row.append(Spread.of(per_round(rate["ours"], rate["raw"])).show(2))
        if "official" in rate:
            for name in ("ours", "ours_aiohttp"):
                if name in rate:
                    row.append(Spread.of(per_round(rate[name], rate["official"])).show(2))
        row.append(f"{server_share[level]:.0%}")
        rows.append(row)
    header = [
        "in flight",
        *(f"{LABELS[name]} calls/s" for name in names),
        "default / raw",
    ]
    if "official" in names:
        header.append("default / official")
        if "ours_aiohttp" in names:
            header.append("aiohttp / official")
    header.append("server CPU (busiest round)")
    section.table(header, rows)
    failed = {LABELS[name]: count for name, count in failures.items() if count}
    if failed:
        section.note(f"Failed calls (counted in the time, not as calls): {failed}.")
    for level in settings.levels:
        rate = {name: [calls / s for s in seconds[level][name]] for name in names}
        ratio = Spread.of(per_round(rate["ours"], rate["raw"]))
        section.target(
            f"calls/s at {level} in flight: AsyncClient (default, httpx) / raw httpx.AsyncClient",
            ratio.show(2),
            ">= 0.95",
            ratio.median >= 0.95,
        )
        if level == 64 and "official" in rate:
            half = Spread.of(per_round(rate["ours"], rate["official"]))
            section.target(
                f"calls/s at {level} in flight: AsyncClient (default, httpx) / official",
                half.show(2),
                ">= 0.5",
                half.median >= 0.5,
            )
        if "ours_aiohttp" in rate and "official" in rate:
            ahead = Spread.of(per_round(rate["ours_aiohttp"], rate["official"]))
            section.target(
                f"calls/s at {level} in flight: AsyncClient (aiohttp) / official",
                ahead.show(2),
                "> 1 in every round",
                ahead.low > 1,
            )
    return section
