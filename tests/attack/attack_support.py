"""What the attack tests share: the emulator on a loopback socket, clients of either API and
either flavour driven the same way, fake APIs that answer whatever a test wants, and the
process's own counters (file descriptors, threads, resident memory).

Names from ``tests/e2e/e2e_support.py`` are reused where they fit (the ids, the credentials,
the small ASGI apps); the conftest puts that folder on ``sys.path``.
"""

from __future__ import annotations

import asyncio
import gc
import hashlib
import json
import os
import ssl
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from e2e_support import (
    CONNECTION,
    CREDENTIALS,
    JOB,
    KEY_ID,
    ORG,
    PIPELINE,
    RUN,
    SECRET,
    TOKEN,
    TOKEN_CREDENTIALS,
    App,
    Receive,
    Scope,
    Send,
    header_map,
    respond,
)
from yunxiao_emas import (
    AccessKeyCredentials,
    AsyncClient,
    Client,
    PersonalAccessToken,
    RetryPolicy,
)
from yunxiao_emas.testing import EmulatedService

__all__ = [
    "APIS",
    "CONNECTION",
    "CONTENT",
    "CREDENTIALS",
    "FAST",
    "FLAVOURS",
    "JOB",
    "KEY_ID",
    "ORG",
    "PIPELINE",
    "RUN",
    "SECRET",
    "TOKEN",
    "TOKEN_CREDENTIALS",
    "FakeApi",
    "Target",
    "drive",
    "fd_count",
    "open_fds",
]

APIS = ("signed", "token")
FLAVOURS = ("sync", "async")
CONTENT = bytes(range(256)) * 256  # 64 KiB, every byte value
CONTENT_MD5 = hashlib.md5(CONTENT, usedforsecurity=False).hexdigest()
FAST = RetryPolicy(max_attempts=3, backoff_initial=0.001, backoff_max=0.002, retry_after_cap=0.5)
"""retries=2 (three attempts in all) without the waits, so counting attempts costs nothing."""
PLAIN_HTTP = ssl.create_default_context()
"""Plain http needs no CA, but verify=True makes every client load the CA bundle (about 20 ms):
the clients of plain-http tests share this context."""

SIGNED_PATH_PREFIX = "/organization/"
TOKEN_PATH = f"/oapi/v1/flow/organizations/{ORG}/pipelines/getEmasArtifactDownloadUrl"


def credentials_for(api: str) -> AccessKeyCredentials | PersonalAccessToken:
    return CREDENTIALS if api == "signed" else TOKEN_CREDENTIALS


def ids(md5: str = CONTENT_MD5, **changes: Any) -> dict[str, Any]:
    """The ids of the test artifact as keyword arguments of the client methods."""
    values: dict[str, Any] = {
        "organization_id": ORG,
        "pipeline_id": PIPELINE,
        "pipeline_run_id": RUN,
        "emas_job_instance_id": JOB,
        "md5": md5,
        "service_connection_id": CONNECTION,
    }
    values.update(changes)
    return values


def drive(flavour: str, options: Mapping[str, Any], action: Callable[[Any], Any]) -> Any:
    """Run ``action(client)`` with a fresh ``Client`` ("sync") or ``AsyncClient`` ("async")
    made of ``options``; for the async one ``action`` returns an awaitable."""
    if flavour == "sync":
        with Client(**options) as client:
            return action(client)

    async def main() -> Any:
        async with AsyncClient(**options) as client:
            return await action(client)

    return asyncio.run(main())


def get_url(flavour: str, options: Mapping[str, Any], **id_changes: Any) -> Any:
    return drive(flavour, options, lambda c: c.get_pipeline_emas_artifact_url(**ids(**id_changes)))


@dataclass
class Target:
    """An emulator mounted on the module's loopback server, seen through one API."""

    service: EmulatedService
    base_url: str
    api: str
    md5: str = CONTENT_MD5
    content: bytes = CONTENT

    @property
    def credentials(self) -> AccessKeyCredentials | PersonalAccessToken:
        return credentials_for(self.api)

    @property
    def operation(self) -> str:
        return (
            "GetPipelineEmasArtifactUrl" if self.api == "signed" else "GetEmasArtifactDownloadUrl"
        )

    def options(self, **options: Any) -> dict[str, Any]:
        options.setdefault("credentials", self.credentials)
        options.setdefault("endpoint", self.base_url)
        options.setdefault("retries", FAST)
        if "http_client" not in options:
            options.setdefault("verify", PLAIN_HTTP)
        return options

    def ids(self, **changes: Any) -> dict[str, Any]:
        return ids(self.md5, **changes)

    def get_url(self, flavour: str, **options: Any) -> Any:
        return drive(
            flavour,
            self.options(**options),
            lambda c: c.get_pipeline_emas_artifact_url(**self.ids()),
        )

    def download(
        self, flavour: str, dest: Path | str, *, download: dict[str, Any] | None = None, **options
    ) -> Any:
        extra = download or {}
        return drive(
            flavour,
            self.options(**options),
            lambda c: c.download_pipeline_emas_artifact(**self.ids(), dest=dest, **extra),
        )


def new_service(**options: Any) -> EmulatedService:
    """An emulator that knows the test credentials and the test artifact."""
    options.setdefault("access_keys", {KEY_ID: SECRET})
    options.setdefault("tokens", [TOKEN])
    content = options.pop("content", CONTENT)
    filename = options.pop("filename", "app-release.apk")
    service = EmulatedService(**options)
    service.add_artifact(
        ORG, PIPELINE, RUN, JOB, content, service_connection_id=CONNECTION, filename=filename
    )
    return service


# --- fake APIs and file hosts --------------------------------------------------------------------


@dataclass(frozen=True)
class Received:
    """One request as a fake server received it (path still percent-encoded)."""

    method: str
    raw_path: str
    query: str
    headers: dict[str, str]


def received(scope: Scope) -> Received:
    raw = bytes(scope.get("raw_path") or str(scope["path"]).encode()).split(b"?", 1)[0]
    return Received(
        str(scope["method"]),
        raw.decode("latin-1"),
        bytes(scope.get("query_string", b"")).decode("latin-1"),
        header_map(scope),
    )


def success_answer(api: str, file_url: str, request_id: str = "FAKE-REQUEST-ID") -> Answer:
    """The success answer of ``api`` handing out ``file_url``."""
    if api == "signed":
        body = {"requestId": request_id, "success": True, "errorCode": "", "fileUrl": file_url}
        return Answer(200, {"content-type": "application/json"}, json.dumps(body).encode())
    return Answer(
        200,
        {"content-type": "application/json", "x-acs-request-id": request_id},
        json.dumps(file_url).encode(),
    )


@dataclass(frozen=True)
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes


@dataclass
class FakeApi:
    """An ASGI app: API requests get ``answer`` (a fixed answer, or a function of the request);
    requests under ``/files/`` go to ``files`` (an ASGI app). Records every request."""

    answer: Answer | Callable[[Received], Answer]
    files: App | None = None
    requests: list[Received] = field(default_factory=list)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        seen = received(scope)
        self.requests.append(seen)
        if seen.raw_path.startswith("/files/") and self.files is not None:
            await self.files(scope, receive, send)
            return
        chosen = self.answer(seen) if callable(self.answer) else self.answer
        await respond(send, chosen.status, chosen.headers, chosen.body)

    @property
    def api_requests(self) -> list[Received]:
        return [seen for seen in self.requests if not seen.raw_path.startswith("/files/")]

    @property
    def file_requests(self) -> list[Received]:
        return [seen for seen in self.requests if seen.raw_path.startswith("/files/")]


class RecordingApp:
    """Forwards to ``app`` (the emulator's, say) and records every request it receives."""

    def __init__(self, app: App) -> None:
        self.app = app
        self.requests: list[Received] = []

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            self.requests.append(received(scope))
        await self.app(scope, receive, send)


# --- the process's own counters ---------------------------------------------------------------


def open_fds() -> set[str]:
    """What this process's file descriptors point at (``/proc/self/fd``), by number."""
    found = set()
    for name in os.listdir("/proc/self/fd"):
        try:
            found.add(f"{name}->{os.readlink(f'/proc/self/fd/{name}')}")
        except OSError:
            continue  # the descriptor listdir itself used, closed meanwhile
    return found


def fd_count() -> int:
    gc.collect()
    return len(os.listdir("/proc/self/fd")) - 1  # minus listdir's own


def _status_kib(field_name: str) -> int:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith(field_name + ":"):
                return int(line.split()[1])
    raise LookupError(field_name)


def rss_bytes() -> int:
    """The resident set size of this process now."""
    return _status_kib("VmRSS") * 1024


@contextmanager
def peak_rss_growth() -> Iterator[list[int]]:
    """Measures how far the resident set size of this process rose above its level at the
    start of the block, at its peak (``VmHWM``, reset first through ``/proc/self/clear_refs``).

    Yields a list that holds the growth in bytes once the block is over.
    """
    gc.collect()
    with open("/proc/self/clear_refs", "w", encoding="ascii") as clear:
        clear.write("5")  # resets VmHWM to the current RSS
    start = rss_bytes()
    growth: list[int] = []
    try:
        yield growth
    finally:
        growth.append(_status_kib("VmHWM") * 1024 - start)


def thread_count() -> int:
    return threading.active_count()


# --- the command line tool ----------------------------------------------------------------------


@dataclass
class CliRun:
    returncode: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


def run_cli(
    *args: str, home: Path, env: Mapping[str, str] | None = None, timeout: float = 30
) -> CliRun:
    """``python -m yunxiao_emas.cli ARGS`` with an empty HOME and only the given credentials."""
    environment = {
        name: value
        for name, value in os.environ.items()
        if "ALIBABA_CLOUD" not in name and "YUNXIAO" not in name
    }
    environment.update({"HOME": str(home), "PYTHONUNBUFFERED": "1", "NO_COLOR": "1"})
    environment.update(env or {})
    completed = subprocess.run(
        [sys.executable, "-m", "yunxiao_emas.cli", *args],
        env=environment,
        cwd=home,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    return CliRun(completed.returncode, completed.stdout, completed.stderr)


def cli_ids(md5: str = CONTENT_MD5) -> list[str]:
    args: list[str] = []
    for name, value in ids(md5).items():
        args += [f"--{name.replace('_', '-')}", str(value)]
    return args


def cli_env(api: str) -> dict[str, str]:
    """The environment that gives the CLI the test credentials of ``api``."""
    if api == "signed":
        return {"ALIBABA_CLOUD_ACCESS_KEY_ID": KEY_ID, "ALIBABA_CLOUD_ACCESS_KEY_SECRET": SECRET}
    return {"YUNXIAO_TOKEN": TOKEN}
