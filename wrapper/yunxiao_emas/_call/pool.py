"""httpcore's connection pools under transports of ours, built from public arguments only.

httpx's own transports take no network backend, so a transport that needs one (the sync
deadline, :mod:`.deadline`; the asyncio streams, :mod:`.asyncio_backend`) builds httpcore's
``ConnectionPool``/``AsyncConnectionPool`` (or their proxy pools) the way httpx's
``HTTPTransport`` does, hands it the backend, and maps httpcore's requests, answers and
exceptions to httpx's as httpx does. httpcore is imported at the first client, not with the
package.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import AsyncIterable, AsyncIterator, Iterable, Iterator
from typing import TYPE_CHECKING, Any

import httpx

if TYPE_CHECKING:
    import ssl

    import httpcore

__all__ = ["AsyncResponseStream", "ResponseStream", "core_request", "httpx_errors", "make_pool"]


def make_pool(
    *,
    asynchronous: bool,
    network_backend: object,
    ssl_context: ssl.SSLContext,
    limits: httpx.Limits,
    proxy: str | None,
) -> Any:
    """httpcore's pool (sync or async) to the host, or through ``proxy`` (http, https, socks5,
    socks5h; a user and password in its URL authenticate), over ``network_backend``;
    ``ssl_context`` from :func:`httpx.create_ssl_context` (loading the CA bundle is slow: one
    context serves any number of pools)."""
    import httpcore

    options: dict[str, Any] = {
        "ssl_context": ssl_context,
        "max_connections": limits.max_connections,
        "max_keepalive_connections": limits.max_keepalive_connections,
        "keepalive_expiry": limits.keepalive_expiry,
        "network_backend": network_backend,
    }
    if proxy is None:
        direct = httpcore.AsyncConnectionPool if asynchronous else httpcore.ConnectionPool
        return direct(**options)
    given = httpx.Proxy(proxy)  # its url without the user and password, kept in raw_auth
    url, auth = given.url, given.raw_auth
    proxy_url = httpcore.URL(
        scheme=url.raw_scheme, host=url.raw_host, port=url.port, target=url.raw_path
    )
    if url.scheme in ("socks5", "socks5h"):
        socks = httpcore.AsyncSOCKSProxy if asynchronous else httpcore.SOCKSProxy
        return socks(proxy_url=proxy_url, proxy_auth=auth, **options)
    http = httpcore.AsyncHTTPProxy if asynchronous else httpcore.HTTPProxy
    return http(proxy_url=proxy_url, proxy_auth=auth, **options)


def core_request(request: httpx.Request) -> httpcore.Request:
    """``request`` as httpcore's (see ``httpx.HTTPTransport.handle_request``)."""
    import httpcore

    return httpcore.Request(
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
def httpx_errors() -> Iterator[None]:
    """httpcore's exceptions as the httpx ones a caller of httpx expects."""
    try:
        yield
    except Exception as exc:
        for theirs, ours in _exception_map():
            if isinstance(exc, theirs):
                raise ours(str(exc)) from exc
        raise


class ResponseStream(httpx.SyncByteStream):
    """The body of a sync pool's answer, its errors httpx's."""

    def __init__(self, stream: Iterable[bytes]) -> None:
        self._stream = stream

    def __iter__(self) -> Iterator[bytes]:
        with httpx_errors():
            yield from self._stream

    def close(self) -> None:
        close = getattr(self._stream, "close", None)
        if close is not None:
            close()


class AsyncResponseStream(httpx.AsyncByteStream):
    """The body of an async pool's answer, its errors httpx's."""

    def __init__(self, stream: AsyncIterable[bytes]) -> None:
        self._stream = stream

    async def __aiter__(self) -> AsyncIterator[bytes]:
        with httpx_errors():
            async for chunk in self._stream:
                yield chunk

    async def aclose(self) -> None:
        aclose = getattr(self._stream, "aclose", None)
        if aclose is not None:
            await aclose()
