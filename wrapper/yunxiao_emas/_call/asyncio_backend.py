"""AsyncClient's default transport: httpcore's pool over asyncio's own streams.

httpx's ``AsyncHTTPTransport`` reaches asyncio through anyio, whose socket streams build a
mapping of typed attributes each time httpcore asks a connection whether it is still usable:
at every request's start and end, for every idle connection of the pool. At 64 calls in
flight that question, answered through anyio, was the largest single cost of a call
(``cProfile``, bench's fixed-answer server: 17% of the time). Here the same pool
(``httpcore.AsyncConnectionPool`` and its proxy pools, built by :func:`.pool.make_pool` from
public arguments) runs over :class:`AsyncioBackend`: an ``asyncio.Protocol`` per connection,
which knows from its own state whether the server said anything, and asks the socket only
when it has not.

It is still httpx and httpcore above the sockets: the same requests, answers, limits, proxies,
TLS, errors and timeouts, and respx (which mocks httpcore's pools) sees every request. It
needs an asyncio event loop, as AsyncClient does (its deadline and admission are asyncio's).
"""

# httpcore's network backend interface takes ``timeout`` arguments (ASYNC109 would have us
# use asyncio.timeout around the calls instead: not ours to choose).
# ruff: noqa: ASYNC109

from __future__ import annotations

import asyncio
import collections
import functools
import select
import sys
from collections.abc import AsyncIterable, Iterable
from typing import TYPE_CHECKING, Any

import httpx

from .pool import AsyncResponseStream, core_request, httpx_errors, make_pool

if TYPE_CHECKING:
    import ssl

    import httpcore

__all__ = ["AsyncPoolTransport"]

_HIGH_WATER = 256 * 1024
"""Bytes read ahead of the reader before the socket stops being read (a download's answer
waits in the kernel, not in memory); reading resumes below a quarter of it."""


class _Protocol(asyncio.Protocol):
    """One connection's bytes as they arrive, and whether it ended."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self.transport: asyncio.Transport | None = None
        self._chunks: collections.deque[bytes] = collections.deque()
        self._start = 0  # of the unread part of the first chunk
        self._buffered = 0
        self._reading_paused = False
        self._writing_paused = False
        self.ended = False  # the server's EOF, or the connection lost
        self.error: BaseException | None = None
        self._waiter: asyncio.Future[None] | None = None

    # asyncio's side

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        self._chunks.append(data)
        self._buffered += len(data)
        if self._buffered > _HIGH_WATER and not self._reading_paused and self.transport:
            self._reading_paused = True
            self.transport.pause_reading()
        self._wake()

    def eof_received(self) -> bool:
        self.ended = True
        self._wake()
        return False  # asyncio closes the transport

    def connection_lost(self, exc: Exception | None) -> None:
        self.ended = True
        self.error = exc
        self._writing_paused = False
        self._wake()

    def pause_writing(self) -> None:
        self._writing_paused = True

    def resume_writing(self) -> None:
        self._writing_paused = False
        self._wake()

    def _wake(self) -> None:
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_result(None)

    # the stream's side

    def has_news(self) -> bool:
        """Whether a read would return at once: bytes, the end, or an error."""
        return bool(self._chunks) or self.ended

    async def wait(self, timeout: float | None, error: type[Exception]) -> None:
        """Until anything happens on the connection, or ``error`` after ``timeout`` seconds."""
        waiter = self._waiter = self._loop.create_future()
        timer = None
        if timeout is not None:
            timer = self._loop.call_later(max(timeout, 0.0), _expire, waiter, error)
        try:
            await waiter
        finally:
            self._waiter = None
            if timer is not None:
                timer.cancel()

    def take(self, max_bytes: int) -> bytes:
        """Up to ``max_bytes`` of what arrived (b"" when nothing did): the first chunk as it
        came when it fits, else its next ``max_bytes`` (each byte copied once at most)."""
        if not self._chunks:
            return b""
        first, start = self._chunks[0], self._start
        if start == 0 and len(first) <= max_bytes:
            chunk = self._chunks.popleft()
        else:
            chunk = first[start : start + max_bytes]
            if start + len(chunk) == len(first):
                self._chunks.popleft()
                self._start = 0
            else:
                self._start = start + len(chunk)
        self._buffered -= len(chunk)
        if self._reading_paused and self._buffered <= _HIGH_WATER // 4 and self.transport:
            self._reading_paused = False
            self.transport.resume_reading()
        return chunk

    @property
    def writing_paused(self) -> bool:
        return self._writing_paused and not self.ended


def _expire(waiter: asyncio.Future[None], error: type[Exception]) -> None:
    if not waiter.done():
        waiter.set_exception(error("timed out"))


def _socket_readable(fd: int) -> bool:
    """Whether the kernel holds bytes (or the end) that the event loop has not read yet."""
    if fd < 0:
        return True
    poller = select.poll()
    poller.register(fd, select.POLLIN)
    return bool(poller.poll(0))


@functools.cache
def _backend() -> Any:
    """The backend, made at the first client (httpcore is not imported with the package)."""
    import httpcore

    class _Stream(httpcore.AsyncNetworkStream):
        def __init__(self, transport: asyncio.Transport, protocol: _Protocol) -> None:
            self._asyncio_transport = transport
            self._protocol = protocol
            protocol.transport = transport  # after start_tls: pause and resume the TLS layer
            sock = transport.get_extra_info("socket")
            self._fd = sock.fileno() if sock is not None else -1

        async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
            protocol = self._protocol
            if not protocol.has_news():
                await protocol.wait(timeout, httpcore.ReadTimeout)
            chunk = protocol.take(max_bytes)
            if not chunk and protocol.error is not None:
                raise httpcore.ReadError(str(protocol.error) or type(protocol.error).__name__)
            return chunk

        async def write(self, buffer: bytes, timeout: float | None = None) -> None:
            if not buffer:
                return
            protocol = self._protocol
            if protocol.ended or self._asyncio_transport.is_closing():
                raise httpcore.WriteError(str(protocol.error or "the connection is closed"))
            self._asyncio_transport.write(buffer)
            while protocol.writing_paused:
                await protocol.wait(timeout, httpcore.WriteTimeout)
            if protocol.error is not None:
                raise httpcore.WriteError(str(protocol.error) or type(protocol.error).__name__)

        async def aclose(self) -> None:
            self._asyncio_transport.close()

        async def start_tls(
            self,
            ssl_context: ssl.SSLContext,
            server_hostname: str | None = None,
            timeout: float | None = None,
        ) -> httpcore.AsyncNetworkStream:
            loop = asyncio.get_running_loop()
            try:
                async with asyncio.timeout(timeout):
                    transport = await loop.start_tls(
                        self._asyncio_transport,
                        self._protocol,
                        ssl_context,
                        server_hostname=server_hostname,
                    )
            except TimeoutError:
                self._asyncio_transport.abort()
                raise httpcore.ConnectTimeout("the TLS handshake timed out") from None
            except (OSError, EOFError) as exc:  # ssl.SSLError is an OSError
                self._asyncio_transport.abort()
                raise httpcore.ConnectError(str(exc) or type(exc).__name__) from exc
            if transport is None:  # the connection closed during the handshake
                raise httpcore.ConnectError("the connection closed during the TLS handshake")
            return _Stream(transport, self._protocol)

        def get_extra_info(self, info: str) -> Any:
            if info == "is_readable":
                return self._protocol.has_news() or _socket_readable(self._fd)
            if info == "ssl_object":
                return self._asyncio_transport.get_extra_info("ssl_object")
            if info == "client_addr":
                return self._asyncio_transport.get_extra_info("sockname")
            if info == "server_addr":
                return self._asyncio_transport.get_extra_info("peername")
            if info == "socket":
                return self._asyncio_transport.get_extra_info("socket")
            return None

    async def _connected(
        opening: Any, socket_options: Iterable[httpcore.SOCKET_OPTION] | None, timeout: float | None
    ) -> _Stream:
        try:
            async with asyncio.timeout(timeout):
                transport, protocol = await opening
        except TimeoutError:
            raise httpcore.ConnectTimeout("connecting timed out") from None
        except OSError as exc:
            raise httpcore.ConnectError(str(exc) or type(exc).__name__) from exc
        sock = transport.get_extra_info("socket")
        for option in socket_options or ():
            sock.setsockopt(*option)
        return _Stream(transport, protocol)

    class AsyncioBackend(httpcore.AsyncNetworkBackend):
        async def connect_tcp(
            self,
            host: str,
            port: int,
            timeout: float | None = None,
            local_address: str | None = None,
            socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
        ) -> httpcore.AsyncNetworkStream:
            loop = asyncio.get_running_loop()
            opening = loop.create_connection(
                lambda: _Protocol(loop),
                host,
                port,
                local_addr=(local_address, 0) if local_address else None,
            )
            return await _connected(opening, socket_options, timeout)

        async def connect_unix_socket(
            self,
            path: str,
            timeout: float | None = None,
            socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
        ) -> httpcore.AsyncNetworkStream:
            loop = asyncio.get_running_loop()
            opening = loop.create_unix_connection(lambda: _Protocol(loop), path)
            return await _connected(opening, socket_options, timeout)

        async def sleep(self, seconds: float) -> None:
            await asyncio.sleep(seconds)

    return AsyncioBackend()


class _Lane:
    """One of the transport's small pools: the calls in it, and the origin it last served."""

    __slots__ = ("busy", "origin", "pool")

    def __init__(self, pool: Any) -> None:
        self.pool = pool
        self.busy = 0
        self.origin: tuple[bytes, bytes, int | None] | None = None


class _LaneStream(AsyncResponseStream):
    """An answer's body that hands its lane back once closed."""

    def __init__(self, stream: AsyncIterable[bytes], lane: _Lane) -> None:
        super().__init__(stream)
        self._lane: _Lane | None = lane

    async def aclose(self) -> None:
        try:
            await super().aclose()
        finally:
            lane, self._lane = self._lane, None
            if lane is not None:
                lane.busy -= 1


def lane_limits(limits: httpx.Limits) -> list[httpx.Limits]:
    """The limits of each lane: one kept-alive connection a lane, the connections spread
    evenly, so that the lanes together keep and open what ``limits`` allows. One lane with
    ``limits`` itself when it keeps none alive or has no bound."""
    keep, most = limits.max_keepalive_connections, limits.max_connections
    if most is not None and (keep is None or keep > most):
        keep = most
    if not keep:
        return [limits]
    share, extra = divmod(most, keep) if most is not None else (None, 0)
    return [
        httpx.Limits(
            max_connections=None if share is None else share + (index < extra),
            max_keepalive_connections=1,
            keepalive_expiry=limits.keepalive_expiry,
        )
        for index in range(keep)
    ]


class AsyncPoolTransport(httpx.AsyncBaseTransport):
    """httpx's ``AsyncHTTPTransport`` (HTTP/1.1, the same limits, TLS and proxy arguments)
    over asyncio's streams instead of anyio's, its connections in lanes.

    httpcore's pool walks all its connections, and for each idle one all of them again, at
    every request's start and end: with the 20 connections of httpx's default limits that walk
    was 29% of a call's time at 64 calls in flight (``cProfile``, bench's fixed-answer server).
    So the connections are spread over lanes, each an httpcore pool that keeps one connection
    alive (:func:`lane_limits`), and each request goes to the lane with the fewest requests
    in flight, among those the one that last served its origin (a kept-alive connection to
    it, no new handshake). Together the lanes keep and open no more connections than the
    limits allow."""

    def __init__(
        self,
        *,
        verify: ssl.SSLContext | bool = True,
        limits: httpx.Limits,
        proxy: str | None = None,
    ) -> None:
        backend = _backend()
        ssl_context = httpx.create_ssl_context(verify=verify, trust_env=True)
        self._lanes = [
            _Lane(
                make_pool(
                    asynchronous=True,
                    network_backend=backend,
                    ssl_context=ssl_context,
                    limits=each,
                    proxy=proxy,
                )
            )
            for each in lane_limits(limits)
        ]

    def _lane(self, origin: tuple[bytes, bytes, int | None]) -> _Lane:
        """The least busy lane; among those, one whose kept connection is to ``origin``, else
        one that has none (rather than replace another origin's)."""
        chosen, best = self._lanes[0], (sys.maxsize, 3)
        for lane in self._lanes:
            rank = (lane.busy, 0 if lane.origin == origin else 1 if lane.origin is None else 2)
            if rank < best:
                chosen, best = lane, rank
                if rank == (0, 0):
                    break
        return chosen

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Send ``request`` through a lane's pool (see ``httpx.AsyncHTTPTransport``)."""
        assert isinstance(request.stream, httpx.AsyncByteStream)
        url = request.url
        origin = (url.raw_scheme, url.raw_host, url.port)
        lane = self._lane(origin)
        lane.busy += 1
        lane.origin = origin
        try:
            with httpx_errors():
                response = await lane.pool.handle_async_request(core_request(request))
        except BaseException:
            lane.busy -= 1
            raise
        assert isinstance(response.stream, AsyncIterable)
        return httpx.Response(
            status_code=response.status,
            headers=response.headers,
            stream=_LaneStream(response.stream, lane),
            extensions=response.extensions,
        )

    async def aclose(self) -> None:
        """Close every connection of every lane."""
        for lane in self._lanes:
            await lane.pool.aclose()
