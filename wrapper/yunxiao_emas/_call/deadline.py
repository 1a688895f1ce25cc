"""A deadline for the whole of one attempt, over httpx's per-read timeouts.

httpx's timeouts bound each read, write, connect and pool wait: a server that trickles a byte
a second (from the status line on) holds a call for as long as it likes. The sync clients we
make wrap the network backend of their connection pools, so that every read, write and connect
waits at most until the deadline of the attempt in progress (a context variable set by the
client around each attempt), then raises the timeout httpx would. The async client puts an
``asyncio`` timeout around each attempt instead, which bounds any transport.

The wrapper is installed on the pools httpx builds (``httpx.HTTPTransport``'s pool and its
``network_backend``, which httpcore takes but httpx does not expose): :func:`install` says
whether it could; when it cannot (a caller's own ``http_client``, another httpx), the clients
still clamp every timeout to the time left and check the deadline between the chunks of a body.
"""

from __future__ import annotations

import contextvars
import functools
import time
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import httpx

__all__ = ["DEADLINE", "TIME_UP", "install", "left"]

DEADLINE: contextvars.ContextVar[float | None] = contextvars.ContextVar(
    "yunxiao_emas_deadline", default=None
)
"""The ``time.monotonic()`` by which the attempt in progress in this context must be over."""

TIME_UP = "the call's total time (RetryPolicy.max_total) is up"


def left(timeout: float | None, error: type[Exception]) -> float | None:
    """``timeout`` shortened to the time left before the deadline; ``error`` once it passed."""
    deadline = DEADLINE.get()
    if deadline is None:
        return timeout
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise error(TIME_UP)
    return remaining if timeout is None else min(timeout, remaining)


@functools.cache
def _backend_class() -> type[Any]:
    """The wrapper of a sync network backend (httpcore is imported here, at the first client,
    not with the package)."""
    import ssl
    import typing
    from collections.abc import Iterable

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


def install(client: httpx.Client) -> bool:
    """Wrap the network backend of every connection pool of ``client`` (one we made)."""
    backend_class = _backend_class()
    transports: list[object] = [client._transport, *client._mounts.values()]
    pools = [getattr(transport, "_pool", None) for transport in transports if transport]
    if not pools or not all(hasattr(pool, "_network_backend") for pool in pools):
        return False
    for pool in pools:
        backend = pool._network_backend  # type: ignore[union-attr]
        if not isinstance(backend, backend_class):
            pool._network_backend = backend_class(backend)  # type: ignore[union-attr]
    return True
