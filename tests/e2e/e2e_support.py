"""Small ASGI apps for the end-to-end tests: file hosts and servers that misbehave in one
precise way, and wrappers around the emulator that record or bend its answers.

Each is served on a real loopback socket (``yunxiao_emas.testing.serve`` or the module's
switchable server), so the client under test talks HTTP to them exactly as to a real host.
"""

from __future__ import annotations

import array
import asyncio
import contextlib
import fcntl
import json
import os
import socket
import ssl
import stat
import threading
from collections.abc import Awaitable, Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from _ids import CONNECTION, JOB, ORG, PIPELINE, RUN
from yunxiao_emas import (
    AccessKeyCredentials,
    ArtifactUrl,
    AsyncClient,
    Client,
    PersonalAccessToken,
)
from yunxiao_emas.testing import DOWNLOAD_PREFIX, ConnectionDropped, EmulatedService

__all__ = ["CONNECTION", "JOB", "ORG", "PIPELINE", "RUN"]

KEY_ID = "LTAI5tE2eKeyId"
SECRET = "e2e-SECRET-never-printed-7c41d"
CREDENTIALS = AccessKeyCredentials(KEY_ID, SECRET)
TOKEN = "pt-e2e-TOKEN-never-printed-3b8a0"
TOKEN_CREDENTIALS = PersonalAccessToken(TOKEN)
APIS = ("signed", "token")
FLAVOURS = ("sync", "async", "aiohttp")
"""Client; AsyncClient over httpx's transport; AsyncClient over aiohttp's (httpx-aiohttp)."""
TRANSPORT_OF = {"async": "httpx", "aiohttp": "aiohttp"}
"""The two APIs: AccessKey credentials select the signed one, a personal access token the other."""

FILENAME = "app-release.apk"
# 96 KiB with every byte value: small, but many chunks of the smallest chunk_size (1 KiB).
CONTENT = bytes(range(256)) * 384

Scope = dict[str, Any]
Message = dict[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
App = Callable[[Scope, Receive, Send], Awaitable[None]]


def header_map(scope: Scope) -> dict[str, str]:
    """The request's headers, names lower-case (repeated names joined by ``, ``)."""
    headers: dict[str, str] = {}
    for raw_name, raw_value in scope["headers"]:
        name = bytes(raw_name).decode("latin-1").lower()
        value = bytes(raw_value).decode("latin-1")
        headers[name] = f"{headers[name]}, {value}" if name in headers else value
    return headers


def _encode(headers: Mapping[str, str]) -> list[tuple[bytes, bytes]]:
    return [(name.encode("latin-1"), value.encode("latin-1")) for name, value in headers.items()]


def _is_download(scope: Scope) -> bool:
    return str(scope["path"]).startswith(DOWNLOAD_PREFIX)


async def respond(send: Send, status: int, headers: Mapping[str, str], body: bytes) -> None:
    """Send one whole answer, its ``Content-Length`` set from ``body``."""
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": _encode({**headers, "content-length": str(len(body))}),
        }
    )
    await send({"type": "http.response.body", "body": body})


@dataclass(frozen=True)
class Seen:
    """One request as a server received it."""

    method: str
    path: str
    headers: dict[str, str]


class Switch:
    """An ASGI app that forwards to whatever app a test mounts (one server per module)."""

    def __init__(self) -> None:
        self.app: App | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.app is None:
            await respond(send, 503, {"content-type": "text/plain"}, b"no app mounted")
            return
        await self.app(scope, receive, send)


class Recorder:
    """Forwards to ``app`` and records every request's method, path and headers."""

    def __init__(self, app: App) -> None:
        self.app = app
        self.requests: list[Seen] = []

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            self.requests.append(Seen(scope["method"], scope["path"], header_map(scope)))
        await self.app(scope, receive, send)

    @property
    def downloads(self) -> list[Seen]:
        return [seen for seen in self.requests if seen.path.startswith(DOWNLOAD_PREFIX)]


def _range_start(value: str | None) -> int | None:
    if not value or not value.startswith("bytes=") or not value.endswith("-"):
        return None
    digits = value.removeprefix("bytes=").removesuffix("-")
    return int(digits) if digits.isdigit() else None


class FileHost:
    """Serves one file at every path, like a pre-signed URL host.

    ``range_mode``: ``"honour"`` answers ``Range: bytes=N-`` with a correct 206;
    ``"ignore"`` answers 200 with the whole file; ``"wrong_start"`` answers 206 but from byte 0
    (a ``Content-Range`` that does not start where the client asked). The first ``drops``
    answers are cut after ``drop_after`` body bytes.
    """

    def __init__(
        self,
        content: bytes,
        *,
        headers: Mapping[str, str] | None = None,
        range_mode: str = "honour",
        drop_after: int | None = None,
        drops: int = 0,
    ) -> None:
        self.content = content
        self.headers = dict(headers or {})
        self.range_mode = range_mode
        self.drop_after = drop_after
        self.drops_left = drops
        self.requests: list[Seen] = []
        self.statuses: list[int] = []

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = header_map(scope)
        self.requests.append(Seen(scope["method"], scope["path"], headers))
        size = len(self.content)
        start, status = 0, 200
        extra: dict[str, str] = {}
        wanted = _range_start(headers.get("range"))
        if wanted is not None and self.range_mode != "ignore":
            status = 206
            start = wanted if self.range_mode == "honour" else 0
            extra["content-range"] = f"bytes {start}-{size - 1}/{size}"
        body = self.content[start:]
        self.statuses.append(status)
        response_headers = {
            "content-type": "application/octet-stream",
            "accept-ranges": "bytes",
            **self.headers,
            **extra,
            "content-length": str(len(body)),
        }
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": _encode(response_headers),
            }
        )
        if self.drops_left and self.drop_after is not None and self.drop_after < len(body):
            self.drops_left -= 1
            await send(
                {"type": "http.response.body", "body": body[: self.drop_after], "more_body": True}
            )
            raise ConnectionDropped(f"the test file host cut the answer at {self.drop_after}")
        await send({"type": "http.response.body", "body": body})


class StallingFileHost:
    """Sends the first ``first`` bytes of ``content``, then holds the answer open until the
    test calls :meth:`release` (it then ends the answer without the rest)."""

    def __init__(self, content: bytes, first: int) -> None:
        self.content = content
        self.first = first
        self._released = threading.Event()

    def release(self) -> None:
        self._released.set()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = {
            "content-type": "application/octet-stream",
            "content-length": str(len(self.content)),
        }
        await send({"type": "http.response.start", "status": 200, "headers": _encode(headers)})
        await send(
            {"type": "http.response.body", "body": self.content[: self.first], "more_body": True}
        )
        # The test releases it from its own thread: wait in a worker thread, not the loop.
        await asyncio.to_thread(self._released.wait, 60)
        raise ConnectionDropped("the stalling file host was released")


class Redirect:
    """Answers every request with ``302 Location: <location>``."""

    def __init__(self, location: str) -> None:
        self.location = location
        self.requests: list[Seen] = []

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        self.requests.append(Seen(scope["method"], scope["path"], header_map(scope)))
        await respond(send, 302, {"location": self.location}, b"")


class HopRedirect:
    """``/hop/<rest>?<query>`` redirects (302) to ``/<rest>?<query>`` on the same server;
    every other request goes to ``app``."""

    PREFIX = "/hop"

    def __init__(self, app: App) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = str(scope["path"])
        if not path.startswith(self.PREFIX + "/"):
            await self.app(scope, receive, send)
            return
        raw_path = bytes(scope.get("raw_path") or path.encode()).split(b"?", 1)[0]
        location = raw_path.decode("latin-1").removeprefix(self.PREFIX)
        query = bytes(scope.get("query_string", b"")).decode("latin-1")
        if query:
            location += f"?{query}"
        await respond(send, 302, {"location": location}, b"")


class RewriteDownloadHeaders:
    """Forwards to ``app``; on download answers, replaces (or adds) the given headers."""

    def __init__(self, app: App, headers: Mapping[str, str]) -> None:
        self.app = app
        self.headers = {name.lower(): value for name, value in headers.items()}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not _is_download(scope):
            await self.app(scope, receive, send)
            return

        async def rewritten(message: Message) -> None:
            if message["type"] == "http.response.start":
                kept = [
                    (name, value)
                    for name, value in message["headers"]
                    if bytes(name).decode("latin-1").lower() not in self.headers
                ]
                message = {**message, "headers": kept + _encode(self.headers)}
            await send(message)

        await self.app(scope, receive, rewritten)


class ForbidDownloads:
    """Forwards API calls to ``app``; answers every download with 403 (an expired URL)."""

    def __init__(self, app: App) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if _is_download(scope):
            await respond(send, 403, {"content-type": "application/xml"}, b"<Error/>")
            return
        await self.app(scope, receive, send)


class ExpireAfterFirstDownload:
    """Forwards to the emulator; just before the second download request, moves the
    emulator's clock past the URL lifetime, so the URL in use expires mid-download."""

    def __init__(self, service: EmulatedService) -> None:
        self.service = service
        self.downloads = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if _is_download(scope):
            self.downloads += 1
            if self.downloads == 2:
                self.service.advance_clock(self.service.url_ttl + 1)
        await self.service.asgi_app(scope, receive, send)


class NonConformingApi:
    """Answers every request 200 with a success body that lacks the required ``requestId``."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        body = json.dumps({"success": True, "fileUrl": "https://files.example/a.apk"}).encode()
        await respond(send, 200, {"content-type": "application/json"}, body)


# --- values and helpers shared by the test modules -------------------------------------------


@dataclass
class Emulated:
    """A fresh emulated service mounted on a served socket, with one registered artifact, and
    the API the test calls it through (``"signed"`` with an AccessKey, ``"token"``)."""

    service: EmulatedService
    base_url: str
    verify: str | ssl.SSLContext
    md5: str
    content: bytes = CONTENT
    api: str = "signed"
    app: Any = None
    """The ASGI app mounted: the emulator's, or the wrapper the test asked for."""

    @property
    def credentials(self) -> AccessKeyCredentials | PersonalAccessToken:
        """What the client signs (or authenticates) with, for this test's API."""
        return CREDENTIALS if self.api == "signed" else TOKEN_CREDENTIALS

    @property
    def method(self) -> str:
        """The HTTP method of this test's API."""
        return "POST" if self.api == "signed" else "GET"

    @property
    def secret(self) -> str:
        """The secret of this test's credentials (which must never be printed)."""
        return SECRET if self.api == "signed" else TOKEN

    def ids(self, **changes: Any) -> dict[str, Any]:
        """The artifact's ids as keyword arguments of the client calls."""
        ids: dict[str, Any] = {
            "organization_id": ORG,
            "pipeline_id": PIPELINE,
            "pipeline_run_id": RUN,
            "emas_job_instance_id": JOB,
            "md5": self.md5,
            "service_connection_id": CONNECTION,
        }
        ids.update(changes)
        return ids

    def _options(self, options: dict[str, Any]) -> dict[str, Any]:
        options.setdefault("credentials", self.credentials)
        options.setdefault("endpoint", self.base_url)
        if "http_client" not in options:
            options.setdefault("verify", self.verify)
        return options

    def client(self, **options: Any) -> Client:
        return Client(**self._options(options))

    def async_client(self, **options: Any) -> AsyncClient:
        return AsyncClient(**self._options(options))

    def get_url(
        self, flavour: str, ids: dict[str, Any] | None = None, **options: Any
    ) -> ArtifactUrl:
        """One get_pipeline_emas_artifact_url call with Client ("sync"), or AsyncClient over
        httpx's transport ("async") or aiohttp's ("aiohttp")."""
        ids = self.ids() if ids is None else ids
        if flavour == "sync":
            with self.client(**options) as client:
                return client.get_pipeline_emas_artifact_url(**ids)
        if "http_client" not in options:
            options.setdefault("transport", TRANSPORT_OF[flavour])

        async def call() -> ArtifactUrl:
            async with self.async_client(**options) as client:
                return await client.get_pipeline_emas_artifact_url(**ids)

        return asyncio.run(call())


def closed_port() -> int:
    """A loopback port that nothing listens on (bound once, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def leftovers(directory: Path) -> list[str]:
    """Names of temporary download files (``*.part``) left in ``directory``."""
    return sorted(path.name for path in directory.glob("*.part"))


@contextlib.contextmanager
def no_new_files(directory: Path) -> Iterator[None]:
    """Assert that nothing appears in ``directory`` during the block."""
    before = set(os.listdir(directory))
    yield
    assert set(os.listdir(directory)) == before


@dataclass
class CliRun:
    returncode: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


def ids_args(emulated: Emulated, **changes: Any) -> list[str]:
    """The artifact's ids as command line options."""
    args: list[str] = []
    for name, value in emulated.ids(**changes).items():
        args += [f"--{name.replace('_', '-')}", str(value)]
    return args


# --- a directory nobody can write to ------------------------------------------------------------

_FS_IOC_GETFLAGS = 0x80086601
_FS_IOC_SETFLAGS = 0x40086602
_FS_IMMUTABLE_FL = 0x10


def _set_immutable(path: Path, on: bool) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        flags = array.array("i", [0])
        fcntl.ioctl(fd, _FS_IOC_GETFLAGS, flags, True)
        flags[0] = (flags[0] | _FS_IMMUTABLE_FL) if on else (flags[0] & ~_FS_IMMUTABLE_FL)
        fcntl.ioctl(fd, _FS_IOC_SETFLAGS, flags)
    finally:
        os.close(fd)


@contextlib.contextmanager
def read_only_directory(parent: Path) -> Iterator[Path]:
    """A directory in ``parent`` in which nobody can create a file, root included.

    Mode 0555 stops an ordinary user. Root ignores modes, so as root the directory is also made
    immutable (the attribute ``chattr +i`` sets), which stops root too.
    """
    path = parent / "read-only"
    path.mkdir()
    path.chmod(stat.S_IRUSR | stat.S_IXUSR | stat.S_IRGRP | stat.S_IXGRP)
    immutable = os.geteuid() == 0
    if immutable:
        _set_immutable(path, True)
    try:
        with pytest.raises(PermissionError):  # the premise of every test that uses it
            (path / "probe").write_bytes(b"")
        yield path
    finally:
        if immutable:
            _set_immutable(path, False)
        path.chmod(0o755)
