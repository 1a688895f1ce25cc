"""Nothing leaks: a thousand failing calls on one client leave as many file descriptors and
threads as there were before them (sync and async, both APIs).

A closed port fails in microseconds, so the thousand calls (three attempts each) are cheap.
The counts are taken after a few warm-up calls, which may start what lives as long as the
client or the event loop (a connection pool, the loop's executor).
"""

from __future__ import annotations

import asyncio
from typing import Any

from attack_support import credentials_for, fd_count, ids, open_fds, thread_count
from e2e_support import closed_port
from yunxiao_emas import AsyncClient, Client, RetryPolicy, TransportError

CALLS = 1000
NO_WAIT = RetryPolicy(max_attempts=3, backoff_initial=0.0, backoff_max=0.0)


def _options(api: str) -> dict[str, Any]:
    return {
        "credentials": credentials_for(api),
        "endpoint": f"http://127.0.0.1:{closed_port()}",
        "retries": NO_WAIT,
    }


def _fail_sync(client: Client, count: int) -> int:
    failures = 0
    for _ in range(count):
        try:
            client.get_pipeline_emas_artifact_url(**ids())
        except TransportError:
            failures += 1
    return failures


async def _fail_async(client: AsyncClient, count: int) -> int:
    failures = 0
    for _ in range(count):
        try:
            await client.get_pipeline_emas_artifact_url(**ids())
        except TransportError:
            failures += 1
    return failures


def test_thousand_failing_sync_calls_leak_no_descriptor_or_thread(api: str) -> None:
    with Client(**_options(api)) as client:
        _fail_sync(client, 5)
        fds, fd_names, threads = fd_count(), open_fds(), thread_count()

        failures = _fail_sync(client, CALLS)

        assert failures == CALLS
        assert fd_count() <= fds, sorted(open_fds() - fd_names)
        assert thread_count() <= threads


def test_thousand_failing_async_calls_leak_no_descriptor_or_thread(api: str) -> None:
    async def main() -> None:
        async with AsyncClient(**_options(api)) as client:
            await _fail_async(client, 5)
            fds, fd_names, threads = fd_count(), open_fds(), thread_count()

            failures = await _fail_async(client, CALLS)

            assert failures == CALLS
            assert fd_count() <= fds, sorted(open_fds() - fd_names)
            assert thread_count() <= threads
            assert len(asyncio.all_tasks()) == 1  # this one: no task left behind

    asyncio.run(main())


def test_closed_client_leaves_no_descriptor_behind(api: str) -> None:
    before = fd_count()
    for _ in range(10):
        with Client(**_options(api)) as client:
            _fail_sync(client, 2)

    assert fd_count() <= before


def test_closed_async_client_leaves_no_descriptor_behind(api: str) -> None:
    async def main() -> None:
        for _ in range(10):
            async with AsyncClient(**_options(api)) as client:
                await _fail_async(client, 2)

    asyncio.run(main())  # a first loop, for what a loop itself opens
    before = fd_count()
    asyncio.run(main())

    assert fd_count() <= before
