"""Ctrl+C during a download in parts returns at once, with both clients, even while every
connection is stalled in a read (the sync client waited for its part threads up to the read
timeout: 17.7 s seen); nothing is left behind, and no connection writes after it."""

from __future__ import annotations

import _thread
import asyncio
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from attack_support import FakeApi, credentials_for, drive, ids, success_answer
from e2e_support import _encode
from yunxiao_emas import RetryPolicy

CONTENT = os.urandom(8 * 1024 * 1024)
CONNECTIONS = 4
WATCHDOG = 20.0  # far below the clients' read timeout (30 s), far above an interruption


class StallingPartsHost:
    """Serves the first MiB slowly (so the client splits the rest into parts), then stalls
    every connection; interrupts the main thread once every connection's part has begun."""

    def __init__(self) -> None:
        self.released = threading.Event()
        self.watchdog_fired = False
        self.interrupted = False
        self.parts_begun = 0
        self._lock = threading.Lock()

    def release(self, by_watchdog: bool = False) -> None:
        self.watchdog_fired = self.watchdog_fired or by_watchdog
        self.released.set()

    async def stall(self) -> None:
        await asyncio.to_thread(self.released.wait, 60)

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        headers = dict((k.decode().lower(), v.decode()) for k, v in scope["headers"])
        first_piece, _, last = (
            headers.get("range", "bytes=0-").removeprefix("bytes=").partition("-")
        )
        start = int(first_piece)
        end = int(last) if last else len(CONTENT) - 1
        ranged = bool(last)  # a closed range: a part; "bytes=0-" is the first request
        status = 206 if "range" in headers else 200
        extra = {
            "content-length": str(end - start + 1),
            "accept-ranges": "bytes",
            "content-range": f"bytes {start}-{end}/{len(CONTENT)}",
        }
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": _encode({"content-type": "application/octet-stream", **extra}),
            }
        )
        if not ranged:
            for offset in range(0, 1024 * 1024 + 128 * 1024, 64 * 1024):  # ~15 MB/s
                piece = CONTENT[offset : offset + 64 * 1024]
                await send({"type": "http.response.body", "body": piece, "more_body": True})
                await asyncio.sleep(0.004)
        else:
            await send(
                {
                    "type": "http.response.body",
                    "body": CONTENT[start : start + 1024],
                    "more_body": True,
                }
            )
            with self._lock:
                self.parts_begun += 1
                now = self.parts_begun == CONNECTIONS  # every connection's thread has started
                self.interrupted = self.interrupted or now
            if now:
                _thread.interrupt_main()  # Ctrl+C, while every connection waits for bytes
        await self.stall()


def part_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith("yunxiao-emas-part-")]


def test_ctrl_c_during_a_download_in_parts_returns_before_the_stalled_reads_end(
    api: str, flavour: str, mount: Callable[[Any], str], tmp_path: Path
) -> None:
    host = StallingPartsHost()
    fake = FakeApi(lambda _: success_answer(api, f"{base_url}/files/app.apk"), files=host)
    base_url = mount(fake)
    options = {
        "credentials": credentials_for(api),
        "endpoint": base_url,
        "retries": RetryPolicy(max_attempts=1),
        "timeout": 30,
    }
    watchdog = threading.Timer(WATCHDOG, host.release, kwargs={"by_watchdog": True})
    watchdog.start()
    try:
        with pytest.raises(KeyboardInterrupt):
            drive(
                flavour,
                options,
                lambda c: c.download_pipeline_emas_artifact(
                    **ids(), dest=tmp_path / "app.apk", connections=CONNECTIONS
                ),
            )
        returned_before_the_watchdog = not host.watchdog_fired
    finally:
        watchdog.cancel()
        host.release()

    assert host.interrupted  # the download was in parts when interrupted
    assert returned_before_the_watchdog
    end = time.monotonic() + 30
    while part_threads() and time.monotonic() < end:
        time.sleep(0.05)
    assert part_threads() == []
    assert os.listdir(tmp_path) == []
