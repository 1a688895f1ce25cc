"""Several downloads of one artifact into one destination at once, without overwrite (two CI
jobs sharing a cache, say): every one succeeds (the CLI exits 0) when the destination ends up
holding exactly the artifact's bytes, whichever got there first; nothing else is left."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from attack_support import (
    CONTENT,
    CONTENT_MD5,
    FAST,
    PLAIN_HTTP,
    FakeApi,
    cli_env,
    cli_ids,
    credentials_for,
    drive,
    ids,
    success_answer,
)
from e2e_support import respond

RUNS = 3


class BarrierFiles:
    """Holds every answer until ``count`` downloads have asked (all of them past their check
    of the destination), then serves the content to each."""

    def __init__(self, count: int) -> None:
        self.count = count
        self.arrived = 0
        self.all_here = threading.Event()

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        self.arrived += 1
        if self.arrived >= self.count:
            self.all_here.set()
        await asyncio.to_thread(self.all_here.wait, 30)
        await respond(send, 200, {"content-type": "application/octet-stream"}, CONTENT)


def barrier_api(api: str, mount: Callable[[Any], str]) -> str:
    fake = FakeApi(lambda _: success_answer(api, f"{base_url}/files/app.apk"))
    fake.files = BarrierFiles(RUNS)
    base_url = mount(fake)
    return base_url


@pytest.mark.parametrize("md5", [CONTENT_MD5, "assasas"], ids=["hex-md5", "not-hex-md5"])
def test_concurrent_downloads_into_one_destination_all_succeed(
    api: str, flavour: str, md5: str, mount: Callable[[Any], str], tmp_path: Path
) -> None:
    base_url = barrier_api(api, mount)
    dest = tmp_path / "app.apk"
    options = {
        "credentials": credentials_for(api),
        "endpoint": base_url,
        "retries": FAST,
        "verify": PLAIN_HTTP,
    }
    outcomes: list[Any] = [None] * RUNS

    def one(index: int) -> None:
        try:
            outcomes[index] = drive(
                flavour,
                options,
                lambda c: c.download_pipeline_emas_artifact(**ids(md5), dest=dest),
            )
        except Exception as exc:
            outcomes[index] = exc

    threads = [threading.Thread(target=one, args=(n,)) for n in range(RUNS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    assert [getattr(o, "md5", o) for o in outcomes] == [CONTENT_MD5] * RUNS
    assert dest.read_bytes() == CONTENT
    assert [p.name for p in tmp_path.iterdir()] == ["app.apk"]


def test_concurrent_cli_downloads_into_one_destination_all_exit_0(
    api: str, mount: Callable[[Any], str], home: Path
) -> None:
    base_url = barrier_api(api, mount)
    dest = home / "app.apk"
    environment = {"HOME": str(home), "PATH": "/usr/bin:/bin", **cli_env(api)}
    command = [sys.executable, "-m", "yunxiao_emas.cli", "download", *cli_ids()]
    options = ["--endpoint", base_url, "--output", str(dest), "--quiet"]
    processes = [
        subprocess.Popen(
            [*command, *options],
            env=environment,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(RUNS)
    ]
    results = [process.communicate(timeout=60) for process in processes]

    assert [process.returncode for process in processes] == [0] * RUNS, results
    assert dest.read_bytes() == CONTENT
