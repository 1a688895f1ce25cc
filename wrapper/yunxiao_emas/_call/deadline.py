"""A deadline for the whole of one attempt, over httpx's per-read timeouts.

httpx's timeouts bound each read, write, connect and pool wait: a server that trickles a byte
a second (from the status line on) holds a call for as long as it likes. The sync clients we
make send through :class:`DeadlineTransport`, whose connection pools wrap their network backend
so that every read, write and connect waits at most until the deadline of the attempt in
progress (a context variable set by the client around each attempt), then raises the timeout
httpx would. The async client puts an ``asyncio`` timeout around each attempt instead, which
bounds any transport.

The seam is public API only: httpcore's ``ConnectionPool(..., network_backend=...)`` (and its
proxy pools), built from public arguments the way httpx's own ``HTTPTransport`` builds them,
and mounted where :func:`~yunxiao_emas._call.request.http_options` builds the client's mounts.
A caller's own ``http_client`` keeps its transports: the clients then clamp every timeout to
the time left and check the deadline between the chunks of a body.

Every deadline is read on one clock, :func:`now` (``time.monotonic``): the call flow's, the
transport's and the drivers'.
"""

from __future__ import annotations

import contextvars
import functools
import time
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import httpx

from .pool import ResponseStream, core_request, httpx_errors, make_pool

if TYPE_CHECKING:
    import ssl

    import httpcore

__all__ = ["DEADLINE", "TIME_UP", "DeadlineTransport", "left", "now"]

now = time.monotonic
"""The clock of every deadline."""

DEADLINE: contextvars.ContextVar[float | None] = contextvars.ContextVar(
    "yunxiao_emas_deadline", default=None
)
"""The :func:`now` by which the attempt in progress in this context must be over."""

TIME_UP = "the call's total time (RetryPolicy.max_total) is up"


def left(timeout: float | None, error: type[Exception]) -> float | None:
    """``timeout`` shortened to the time left before the deadline; ``error`` once it passed."""
    deadline = DEADLINE.get()
    if deadline is None:
        return timeout
    remaining = deadline - now()
    if remaining <= 0:
        raise error(TIME_UP)
    return remaining if timeout is None else min(timeout, remaining)


@functools.cache
def _backend_class() -> type[Any]:
    """The wrapper of a sync network backend (httpcore is imported here, at the first client,
    not with the package)."""
    import typing

    import httpcore

    class _Stream(httpcore.NetworkStream):
        def __init__(self, stream: httpcore.NetworkStream) -> None:
            self._stream = stream

        def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
            return self._stream.read(max_bytes, left(timeout, httpcore.ReadTimeout))

        def write(self, buffer: bytes, timeout: float | None = None) -> None:
            self._stream.write(buffer, left(timeout, httpcore.WriteTimeout))

        def close(self) -> None:
            self._stream.close()

        def start_tls(
            self,
            ssl_context: ssl.SSLContext,
            server_hostname: str | None = None,
            timeout: float | None = None,
        ) -> httpcore.NetworkStream:
            timeout = left(timeout, httpcore.ConnectTimeout)
            return _Stream(self._stream.start_tls(ssl_context, server_hostname, timeout))

        def get_extra_info(self, info: str) -> typing.Any:
            return self._stream.get_extra_info(info)

    class _Backend(httpcore.NetworkBackend):
        def __init__(self, backend: httpcore.NetworkBackend) -> None:
            self._backend = backend

        def connect_tcp(
            self,
            host: str,
            port: int,
            timeout: float | None = None,
            local_address: str | None = None,
            socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
        ) -> httpcore.NetworkStream:
            timeout = left(timeout, httpcore.ConnectTimeout)
            return _Stream(
                self._backend.connect_tcp(host, port, timeout, local_address, socket_options)
            )

        def connect_unix_socket(
            self,
            path: str,
            timeout: float | None = None,
            socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
        ) -> httpcore.NetworkStream:
            timeout = left(timeout, httpcore.ConnectTimeout)
            return _Stream(self._backend.connect_unix_socket(path, timeout, socket_options))

        def sleep(self, seconds: float) -> None:
            self._backend.sleep(seconds)

    return _Backend


class DeadlineTransport(httpx.BaseTransport):
    """httpx's ``HTTPTransport`` (HTTP/1.1, the same pool, TLS and proxy arguments) whose
    connections never wait past the deadline of the attempt in progress."""

    def __init__(
        self,
        *,
        verify: ssl.SSLContext | bool = True,
        limits: httpx.Limits,
        proxy: str | None = None,
    ) -> None:
        import httpcore

        self._connections: httpcore.ConnectionPool = make_pool(
            asynchronous=False,
            network_backend=_backend_class()(httpcore.SyncBackend()),
            ssl_context=httpx.create_ssl_context(verify=verify, trust_env=True),
            limits=limits,
            proxy=proxy,
        )

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        """Send ``request`` through the pool (see ``httpx.HTTPTransport.handle_request``)."""
        assert isinstance(request.stream, httpx.SyncByteStream)
        with httpx_errors():
            response = self._connections.handle_request(core_request(request))
        assert isinstance(response.stream, Iterable)
        return httpx.Response(
            status_code=response.status,
            headers=response.headers,
            stream=ResponseStream(response.stream),
            extensions=response.extensions,
        )

    def close(self) -> None:
        """Close every connection of the pool."""
        self._connections.close()
