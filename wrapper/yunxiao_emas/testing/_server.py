"""Run the emulator with uvicorn in a background thread, for tests that need a real socket."""

from __future__ import annotations

import contextlib
import logging
import socket
import threading
import time
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

import attrs
import uvicorn

from ..credentials import AccessKeyCredentials, PersonalAccessToken
from ._exchange import ConnectionDropped

if TYPE_CHECKING:
    from ._service import EmulatedService

__all__ = ["RunningEmulator", "serve"]


@attrs.frozen
class RunningEmulator:
    """An emulator served on loopback, as the ``yunxiao_emulator`` pytest fixture gives it.

    Attributes:
        service: the :class:`EmulatedService` (add artifacts, inject faults, read ``calls``).
        base_url: where it listens, e.g. ``http://127.0.0.1:54321``; use it as the endpoint.
        credentials: an AccessKey the emulator accepts (for the signed API).
        token: a personal access token the emulator accepts (for the token API); by default
            the service's :attr:`~EmulatedService.default_token`.
    """

    service: EmulatedService
    base_url: str
    credentials: AccessKeyCredentials
    # Last and with a default, so code that builds a RunningEmulator without it keeps working.
    token: PersonalAccessToken = attrs.field(
        default=attrs.Factory(lambda self: self.service.default_token, takes_self=True)
    )


@runtime_checkable
class _Servable(Protocol):
    """What serve() asks of an :class:`EmulatedService` (an adapter knows no more of it)."""

    def app_for(self, *, control: bool) -> Any: ...

    def serves_control_api_on(self, host: str) -> bool: ...


class _HideDeliberateDrops(logging.Filter):
    """uvicorn logs every exception an app raises; a drop the test asked for is not news."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.exc_info and isinstance(record.exc_info[1], ConnectionDropped))


_THREAD_PREFIX = "yunxiao-emulator-"


class _HideWritesAfterDisconnect(logging.Filter):
    """A client that goes away mid-download is no news either.

    asyncio logs ``socket.send() raised exception.`` for every write to a connection it has
    lost, and a download goes on writing its chunks until uvicorn notices: hundreds of lines
    for one interrupted download. Only the emulator's own threads are quietened.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        return not (
            record.threadName is not None
            and record.threadName.startswith(_THREAD_PREFIX)
            and record.msg == "socket.send() raised exception."
        )


def _install_log_filter() -> None:
    for name, kind in (
        ("uvicorn.error", _HideDeliberateDrops),
        ("asyncio", _HideWritesAfterDisconnect),
    ):
        logger = logging.getLogger(name)
        if not any(isinstance(existing, kind) for existing in logger.filters):
            logger.addFilter(kind())


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP, not 0: asyncio sets TCP_NODELAY only on sockets it recognises as TCP, and
    # without it every answer waits for the client's delayed ACK (about 40 ms on Linux).
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    return sock


@contextlib.contextmanager
def serve(
    app: EmulatedService | Any,
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    ssl_certfile: str | None = None,
    ssl_keyfile: str | None = None,
    startup_timeout: float = 10.0,
) -> Iterator[str]:
    """Serve ``app`` (an :class:`EmulatedService` or any ASGI app) with uvicorn in a thread.

    Yields the base URL (``http://127.0.0.1:<port>``, or ``https://`` with a certificate) once
    the server accepts connections; ``port=0`` picks a free port. On exit the server stops and
    the thread is joined. uvicorn's ``Date`` header is off: the emulator sends its own, from its
    own (movable) clock. An :class:`EmulatedService` serves its control API (``/_emulator/``)
    when its ``control_api`` is True, or None and ``host`` is a loopback address.

    >>> service = EmulatedService()
    >>> with serve(service) as base_url:  # doctest: +SKIP
    ...     httpx.post(f"{base_url}/organization/...", auth=...)
    """
    if isinstance(app, _Servable):
        asgi = app.app_for(control=app.serves_control_api_on(host))
    else:
        asgi = app
    _install_log_filter()
    sock = _bind(host, port)
    bound_port = sock.getsockname()[1]
    config = uvicorn.Config(
        asgi,
        ssl_certfile=ssl_certfile,
        ssl_keyfile=ssl_keyfile,
        lifespan="off",
        log_config=None,
        access_log=False,
        date_header=False,
        server_header=False,
        timeout_graceful_shutdown=5,
    )
    server = uvicorn.Server(config)
    failure: list[BaseException] = []

    def run() -> None:
        try:
            server.run(sockets=[sock])
        except BaseException as exc:  # reported to the caller below
            failure.append(exc)

    thread = threading.Thread(target=run, name=f"{_THREAD_PREFIX}{bound_port}", daemon=True)
    thread.start()
    deadline = time.monotonic() + startup_timeout
    try:
        while not server.started:
            if failure or not thread.is_alive():
                raise RuntimeError("the emulator's server did not start") from (
                    failure[0] if failure else None
                )
            if time.monotonic() > deadline:
                raise RuntimeError(f"the emulator's server did not start in {startup_timeout} s")
            time.sleep(0.01)
        scheme = "https" if ssl_certfile else "http"
        shown = f"[{host}]" if ":" in host else host
        yield f"{scheme}://{shown}:{bound_port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        if thread.is_alive():
            server.force_exit = True
            thread.join(timeout=5)
        sock.close()
