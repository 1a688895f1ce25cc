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

import contextlib
import contextvars
import functools
import time
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

import httpx

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


@functools.cache
def _exception_map() -> tuple[tuple[type[Exception], type[httpx.TransportError]], ...]:
    """httpcore's exceptions and httpx's, most specific first (as httpx's transport maps
    them)."""
    import httpcore

    return (
        (httpcore.ConnectTimeout, httpx.ConnectTimeout),
        (httpcore.ReadTimeout, httpx.ReadTimeout),
        (httpcore.WriteTimeout, httpx.WriteTimeout),
        (httpcore.PoolTimeout, httpx.PoolTimeout),
        (httpcore.TimeoutException, httpx.TimeoutException),
        (httpcore.ConnectError, httpx.ConnectError),
        (httpcore.ReadError, httpx.ReadError),
        (httpcore.WriteError, httpx.WriteError),
        (httpcore.NetworkError, httpx.NetworkError),
        (httpcore.ProxyError, httpx.ProxyError),
        (httpcore.UnsupportedProtocol, httpx.UnsupportedProtocol),
        (httpcore.LocalProtocolError, httpx.LocalProtocolError),
        (httpcore.RemoteProtocolError, httpx.RemoteProtocolError),
        (httpcore.ProtocolError, httpx.ProtocolError),
    )


@contextlib.contextmanager
def _httpx_errors() -> Iterator[None]:
    """httpcore's exceptions as the httpx ones a caller of httpx expects."""
    try:
        yield
    except Exception as exc:
        for theirs, ours in _exception_map():
            if isinstance(exc, theirs):
                raise ours(str(exc)) from exc
        raise


class _ResponseStream(httpx.SyncByteStream):
    def __init__(self, stream: Iterable[bytes]) -> None:
        self._stream = stream

    def __iter__(self) -> Iterator[bytes]:
        with _httpx_errors():
            yield from self._stream

    def close(self) -> None:
        close = getattr(self._stream, "close", None)
        if close is not None:
            close()


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

        ssl_context = httpx.create_ssl_context(verify=verify, trust_env=True)
        backend = _backend_class()(httpcore.SyncBackend())
        pool_options: dict[str, Any] = {
            "ssl_context": ssl_context,
            "max_connections": limits.max_connections,
            "max_keepalive_connections": limits.max_keepalive_connections,
            "keepalive_expiry": limits.keepalive_expiry,
            "network_backend": backend,
        }
        self._connections: httpcore.ConnectionPool
        if proxy is None:
            self._connections = httpcore.ConnectionPool(**pool_options)
            return
        given = httpx.Proxy(proxy)  # its url without the user and password, kept in raw_auth
        url, auth = given.url, given.raw_auth
        proxy_url = httpcore.URL(
            scheme=url.raw_scheme, host=url.raw_host, port=url.port, target=url.raw_path
        )
        if url.scheme in ("socks5", "socks5h"):
            self._connections = httpcore.SOCKSProxy(
                proxy_url=proxy_url, proxy_auth=auth, **pool_options
            )
        else:
            self._connections = httpcore.HTTPProxy(
                proxy_url=proxy_url, proxy_auth=auth, **pool_options
            )

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        """Send ``request`` through the pool (see ``httpx.HTTPTransport.handle_request``)."""
        import httpcore

        assert isinstance(request.stream, httpx.SyncByteStream)
        core_request = httpcore.Request(
            method=request.method,
            url=httpcore.URL(
                scheme=request.url.raw_scheme,
                host=request.url.raw_host,
                port=request.url.port,
                target=request.url.raw_path,
            ),
            headers=request.headers.raw,
            content=request.stream,
            extensions=request.extensions,
        )
        with _httpx_errors():
            response = self._connections.handle_request(core_request)
        assert isinstance(response.stream, Iterable)
        return httpx.Response(
            status_code=response.status,
            headers=response.headers,
            stream=_ResponseStream(response.stream),
            extensions=response.extensions,
        )

    def close(self) -> None:
        """Close every connection of the pool."""
        self._connections.close()
