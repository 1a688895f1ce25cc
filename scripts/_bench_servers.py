"""Servers and workers that scripts/bench.py runs in subprocesses (not a public tool).

``python scripts/_bench_servers.py fixed [--via-serve]``
    uvicorn on 127.0.0.1 (free port) serving a fixed 200 answer of GetPipelineEmasArtifactUrl
    to any request, verifying nothing.
``python scripts/_bench_servers.py emulator [--via-serve] SIZE [SIZE ...]``
    the service emulator (yunxiao_emas.testing) with one artifact of random bytes per size.
``python scripts/_bench_servers.py download JSON``
    one Client.download_pipeline_emas_artifact with a given ArtifactUrl; prints JSON figures.

Servers run under :func:`serve_nodelay`: uvicorn on a socket made with ``IPPROTO_TCP``, so that
asyncio sets ``TCP_NODELAY`` on its connections (with ``proto=0`` it does not, and every answer
waits ~40 ms for the client's delayed ACK). ``--via-serve`` runs them under
``yunxiao_emas.testing.serve`` instead, to compare the emulator's own runner.

The servers print one JSON line (the base URL and what the parent needs) once they accept
connections, then serve until their standard input closes (the parent closes it; a parent
that dies closes it too), so no server outlives the benchmark.
"""

from __future__ import annotations

import contextlib
import json
import os
import resource
import socket
import sys
import threading
import time
from collections.abc import Iterator
from typing import Any

FIXED_BODY = json.dumps(
    {
        "requestId": "6DB29E08-0B29-5C1E-B0D7-1C6BD4B0C7B1",
        "success": True,
        "errorCode": "",
        "errorMessage": "",
        "fileUrl": "http://127.0.0.1/x?Expires=4102444800&Signature=c2lnbmF0dXJl",
    }
).encode()
FIXED_HEADERS = [
    (b"content-type", b"application/json;charset=utf-8"),
    (b"content-length", str(len(FIXED_BODY)).encode()),
]

# Ids of the artifacts the emulator serves: artifact i has pipeline run i + 1.
ORGANIZATION, PIPELINE, JOB, CONNECTION = "bench-org", 1111, "emas-job-bench", 122


async def fixed_app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """The smallest ASGI app that answers like the API: read the request, send the body."""
    if scope["type"] != "http":
        return
    more = True
    while more:
        message = await receive()
        more = message.get("more_body", False)
    await send({"type": "http.response.start", "status": 200, "headers": FIXED_HEADERS})
    await send({"type": "http.response.body", "body": FIXED_BODY})


def wait_for_stdin_eof() -> None:
    while sys.stdin.buffer.read(4096):
        pass


@contextlib.contextmanager
def serve_nodelay(app: Any, startup_timeout: float = 30.0) -> Iterator[str]:
    """Serve ``app`` with uvicorn in a thread on 127.0.0.1 (free port); yield the base URL."""
    import uvicorn

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    config = uvicorn.Config(
        app,
        lifespan="off",
        log_config=None,
        access_log=False,
        date_header=False,
        server_header=False,
        timeout_graceful_shutdown=5,
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + startup_timeout
    try:
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.01)
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


def serving(app: Any, via_serve: bool) -> contextlib.AbstractContextManager[str]:
    if via_serve:
        from yunxiao_emas.testing import serve

        return serve(app)
    return serve_nodelay(app)


def run_fixed(via_serve: bool) -> None:
    with serving(fixed_app, via_serve) as base_url:
        print(json.dumps({"base_url": base_url}), flush=True)
        wait_for_stdin_eof()


def run_emulator(sizes: list[int], via_serve: bool) -> None:
    from yunxiao_emas.testing import EmulatedService

    service = EmulatedService()
    artifacts = []
    for index, size in enumerate(sizes):
        run = index + 1
        md5 = service.add_artifact(
            ORGANIZATION,
            PIPELINE,
            run,
            JOB,
            os.urandom(size),  # incompressible; faster than random.randbytes
            service_connection_id=CONNECTION,
            filename=f"bench-{run}.apk",
        )
        artifacts.append({"size": size, "run": run, "md5": md5})
    credentials = service.default_credentials
    with serving(service.asgi_app, via_serve) as base_url:
        ready = {
            "base_url": base_url,
            "access_key_id": credentials.access_key_id,
            "access_key_secret": credentials.access_key_secret,
            "organization_id": ORGANIZATION,
            "pipeline_id": PIPELINE,
            "emas_job_instance_id": JOB,
            "service_connection_id": CONNECTION,
            "artifacts": artifacts,
        }
        print(json.dumps(ready), flush=True)
        wait_for_stdin_eof()


def memory_kib(field: str) -> int | None:
    """``VmRSS`` or ``VmHWM`` (peak RSS of this process image) from /proc, in KiB.

    ``ru_maxrss`` is no use here: on Linux a child's starts at its parent's RSS at fork time
    (it survives exec), so it shows the benchmark's own size rather than the download's.
    """
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith(f"{field}:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def run_download(spec: dict[str, Any]) -> None:
    """One download with a URL fetched by the parent; only the call itself is timed.

    ``os.fsync`` is wrapped (timed, not changed) so the parent can also compare the transfer
    alone: curl does not fsync.
    """
    import datetime as dt

    from yunxiao_emas import AccessKeyCredentials, ArtifactUrl, Client

    fsync_seconds = 0.0
    real_fsync = os.fsync

    def timed_fsync(fd: int) -> None:
        nonlocal fsync_seconds
        started = time.perf_counter()
        try:
            real_fsync(fd)
        finally:
            fsync_seconds += time.perf_counter() - started

    os.fsync = timed_fsync
    url = ArtifactUrl(
        file_url=spec["file_url"],
        request_id=spec["request_id"],
        expires_at=dt.datetime.fromisoformat(spec["expires_at"]),
    )
    credentials = AccessKeyCredentials(spec["access_key_id"], spec["access_key_secret"])
    rss_before = memory_kib("VmRSS")
    with Client(endpoint=spec["base_url"], credentials=credentials, retries=0) as client:
        usage = resource.getrusage(resource.RUSAGE_SELF)
        cpu_before = usage.ru_utime + usage.ru_stime
        started = time.perf_counter()
        result = client.download_pipeline_emas_artifact(
            spec["organization_id"],
            spec["pipeline_id"],
            spec["pipeline_run_id"],
            spec["emas_job_instance_id"],
            spec["md5"],
            spec["dest"],
            service_connection_id=spec["service_connection_id"],
            overwrite=True,
            chunk_size=spec["chunk_size"],
            artifact_url=url,
        )
        elapsed = time.perf_counter() - started
        usage = resource.getrusage(resource.RUSAGE_SELF)
    figures = {
        "elapsed": elapsed,
        "fsync": fsync_seconds,
        "cpu": usage.ru_utime + usage.ru_stime - cpu_before,
        "size": result.size,
        "verified": result.verified,
        "rss_kib_before": rss_before,
        "peak_rss_kib": memory_kib("VmHWM"),
        "ru_maxrss_kib": usage.ru_maxrss,
    }
    print(json.dumps(figures), flush=True)


def main(argv: list[str]) -> int:
    via_serve = "--via-serve" in argv
    argv = [arg for arg in argv if arg != "--via-serve"]
    if argv == ["fixed"]:
        run_fixed(via_serve)
    elif argv[:1] == ["emulator"] and len(argv) > 1:
        run_emulator([int(size) for size in argv[1:]], via_serve)
    elif argv[:1] == ["download"] and len(argv) == 2:
        run_download(json.loads(argv[1]))
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
