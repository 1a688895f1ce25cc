"""The servers of the benchmarks, each in a subprocess, and the helpers that watch processes.

Both servers run under the emulator's own runner, :func:`yunxiao_emas.testing.serve` (uvicorn
on 127.0.0.1, a free port, ``TCP_NODELAY``), so a change to it shows here too:

``python -m bench._servers fixed``
    the *fixed-answer app*: the smallest ASGI app that answers like the two APIs (a POST gets
    GetPipelineEmasArtifactUrl's JSON body, a GET the token API's JSON string), verifying
    nothing, so the client's cost is what is measured and the server keeps up.
``python -m bench._servers emulator [--bandwidth BYTES_PER_S] SIZE [SIZE ...]``
    the service emulator (:class:`~yunxiao_emas.testing.EmulatedService`) with one artifact of
    random bytes per size; with ``--bandwidth``, its per-connection download cap, when the
    emulator has one (:func:`bandwidth_knob`).

A child prints one JSON line once it accepts connections, then serves until its standard input
closes. :func:`child` closes it on the way out (also on Ctrl+C, or when the parent dies, which
closes the pipe), and kills a child that does not stop: no server outlives the benchmark.
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import signal
import subprocess
import sys
import threading
from collections.abc import Awaitable, Callable, Iterator, MutableMapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = [
    "CONNECTION",
    "FILE_URL",
    "JOB",
    "MD5",
    "ORG",
    "PIPELINE",
    "ROOT",
    "RUN",
    "SIGNED_BODY",
    "SIGNED_PATH",
    "TOKEN",
    "TOKEN_PATH",
    "Child",
    "bandwidth_knob",
    "child",
    "memory_kib",
]

ROOT = Path(__file__).resolve().parent.parent

# The ids of every call (the fixed-answer app accepts any; the emulator's artifacts use these,
# artifact i being pipeline run i + 1).
ORG, PIPELINE, RUN, JOB, CONNECTION = "bench-org", 1111, 1, "emas-job-bench", 122
MD5 = "0cc175b9c0f1b6a831c399e269772661"
TOKEN = "pt-benchmark-token"  # noqa: S105 (the fixed-answer app checks no token)
SIGNED_PATH = f"/organization/{ORG}/pipeline/{PIPELINE}/pipelineRun/{RUN}/emas/artifact/{JOB}/{MD5}"
TOKEN_PATH = f"/oapi/v1/flow/organizations/{ORG}/pipelines/getEmasArtifactDownloadUrl"

# Shaped as an OSS pre-signed URL (https, bucket host, Expires, OSSAccessKeyId, Signature), as
# the real service hands out: the client's checks of the URL cost what they cost in use. Never
# downloaded (the downloads figure uses the emulator's own URLs).
FILE_URL = (
    "https://emas-build-artifacts.oss-cn-hangzhou.aliyuncs.com/emas/1111/1/app-release.apk"
    "?Expires=4102444800&OSSAccessKeyId=LTAI5tBenchmarkKeyId0001"
    "&Signature=c2lnbmF0dXJlLW9mLXRoZS1iZW5jaG1hcms%3D"
)
SIGNED_BODY = json.dumps(
    {
        "requestId": "6DB29E08-0B29-5C1E-B0D7-1C6BD4B0C7B1",
        "success": True,
        "errorCode": "",
        "errorMessage": "",
        "fileUrl": FILE_URL,
    }
).encode()
TOKEN_BODY = json.dumps(FILE_URL).encode()


def _headers(body: bytes) -> list[tuple[bytes, bytes]]:
    return [
        (b"content-type", b"application/json;charset=utf-8"),
        (b"content-length", str(len(body)).encode()),
        (b"x-acs-request-id", b"6DB29E08-0B29-5C1E-B0D7-1C6BD4B0C7B1"),
    ]


_ANSWERS = {"POST": (_headers(SIGNED_BODY), SIGNED_BODY), "GET": (_headers(TOKEN_BODY), TOKEN_BODY)}

Message = MutableMapping[str, Any]


async def fixed_app(
    scope: Message,
    receive: Callable[[], Awaitable[Message]],
    send: Callable[[Message], Awaitable[None]],
) -> None:
    """Read the request, send the answer of its API (by method); nothing is checked."""
    if scope["type"] != "http":
        return
    more = True
    while more:
        more = (await receive()).get("more_body", False)
    headers, body = _ANSWERS.get(scope["method"], _ANSWERS["POST"])
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": body})


# Where a per-connection download cap of the emulator may live (bytes per second, None for
# none), by the names it may be given; the ranged-download figure appears once one exists.
BANDWIDTH_KNOBS = ("download_bandwidth", "bandwidth_per_connection", "bandwidth")


def bandwidth_knob() -> str | None:
    """The name of the emulator's per-connection download cap, or None when it has none."""
    try:
        from yunxiao_emas.testing import EmulatedService
    except ImportError:
        return None
    service = EmulatedService()
    return next((name for name in BANDWIDTH_KNOBS if hasattr(service, name)), None)


def _serve_until_stdin_closes(app: object, ready: dict[str, Any]) -> None:
    from yunxiao_emas.testing import serve

    with serve(app) as base_url:
        print(json.dumps({**ready, "base_url": base_url}), flush=True)
        while sys.stdin.buffer.read(4096):
            pass


def _run_emulator(sizes: list[int], bandwidth: int | None) -> None:
    from yunxiao_emas.testing import EmulatedService

    service = EmulatedService()
    artifacts = []
    for index, size in enumerate(sizes):
        run = index + 1
        md5 = service.add_artifact(
            ORG,
            PIPELINE,
            run,
            JOB,
            os.urandom(size),  # incompressible
            service_connection_id=CONNECTION,
            filename=f"bench-{run}.apk",
        )
        artifacts.append({"size": size, "run": run, "md5": md5})
    knob = None
    if bandwidth is not None:
        knob = next((name for name in BANDWIDTH_KNOBS if hasattr(service, name)), None)
        if knob is not None:
            setattr(service, knob, bandwidth)
    credentials = service.default_credentials
    ready = {
        "access_key_id": credentials.access_key_id,
        "access_key_secret": credentials.access_key_secret,
        "artifacts": artifacts,
        "bandwidth_knob": knob,
    }
    _serve_until_stdin_closes(service, ready)


def _main(argv: list[str]) -> int:
    # The parent stops a child by closing its standard input; Ctrl+C reaches the whole process
    # group, and a child that died of it first would leave the parent a broken pipe to report.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if argv == ["fixed"]:
        _serve_until_stdin_closes(fixed_app, {})
        return 0
    if argv[:1] == ["emulator"]:
        rest = argv[1:]
        bandwidth = None
        if rest[:1] == ["--bandwidth"]:
            bandwidth, rest = int(rest[1]), rest[2:]
        if rest:
            _run_emulator([int(size) for size in rest], bandwidth)
            return 0
    print(__doc__, file=sys.stderr)
    return 2


@dataclass(frozen=True)
class Child:
    """A running server: its process id and what it printed once it listened."""

    pid: int
    ready: dict[str, Any]

    @property
    def base_url(self) -> str:
        url: str = self.ready["base_url"]
        return url

    def cpu_seconds(self) -> float:
        """User and system CPU seconds the child has used so far (Linux /proc; else 0)."""
        try:
            with open(f"/proc/{self.pid}/stat", encoding="ascii") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            return 0.0
        # After the ")" that ends the command name: utime and stime are fields 12 and 13.
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@contextlib.contextmanager
def child(*args: str, timeout: float = 300.0) -> Iterator[Child]:
    """Run ``python -m bench._servers <args>``; yield it once it listens; always reap it."""
    process = subprocess.Popen(
        [sys.executable, "-m", "bench._servers", *args],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        cwd=ROOT,
        text=True,
    )
    try:
        assert process.stdout is not None
        lines: queue.Queue[str] = queue.Queue()
        stdout = process.stdout
        threading.Thread(target=lambda: lines.put(stdout.readline()), daemon=True).start()
        try:
            line = lines.get(timeout=timeout)
        except queue.Empty:
            raise RuntimeError(f"the {args[0]} server did not start in {timeout:.0f} s") from None
        if not line:
            raise RuntimeError(f"the {args[0]} server exited with status {process.wait(10)}")
        yield Child(process.pid, json.loads(line))
    finally:
        if process.stdin is not None:
            with contextlib.suppress(OSError):
                process.stdin.close()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=20)
        if process.stdout is not None:
            process.stdout.close()


def memory_kib(field: str) -> int | None:
    """``VmRSS`` or ``VmHWM`` (the peak RSS) of this process from /proc, in KiB.

    Not ``ru_maxrss``: on Linux a child's starts at its parent's RSS at fork and survives exec,
    so it would show the benchmark's size rather than the download's.
    """
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith(f"{field}:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1:]))
