"""The aiohttp transport (``yunxiao-emas[aiohttp]``) with the header limits of httpx's own.

aiohttp refuses an answer with a header line over 8,190 bytes or more than 128 headers;
httpcore reads a header block of up to 100 KiB, in any number of lines. The README promises
the same answers and errors over both transports, so the sessions we make take what httpx
takes. Imported only when that transport is chosen.
"""

from __future__ import annotations

import urllib.request
from typing import Any

import aiohttp
import httpx
from httpx_aiohttp import AiohttpTransport, HttpxAiohttpClient

from ._call.http_clients import NoCookieJar

__all__ = ["HEADER_BLOCK", "MAX_HEADERS", "RoomyAiohttpTransport", "aiohttp_client"]

HEADER_BLOCK = 100 * 1024
"""httpcore's largest header block (``h11`` ``max_incomplete_event_size``): any one line of
it may be that long over aiohttp too."""
MAX_HEADERS = 2048
"""Header lines aiohttp takes (its default: 128). A bound still: each may hold a block."""


class RoomyAiohttpTransport(AiohttpTransport):  # type: ignore[misc]  # untyped here
    """httpx-aiohttp's transport, its session made with httpcore's header limits: any line
    of a block httpcore takes, and no block it refuses (over :data:`HEADER_BLOCK` in all)."""

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response: httpx.Response = await super().handle_async_request(request)
        # Counted as on the wire: "name: value" and CR LF a line.
        size = sum(len(name) + len(value) + 4 for name, value in response.headers.raw)
        if size > HEADER_BLOCK:
            await response.aclose()
            raise httpx.RemoteProtocolError(
                f"the answer's headers are over {HEADER_BLOCK // 1024} KiB", request=request
            )
        return response

    def get_client(self) -> aiohttp.ClientSession:
        if self.client is not None:
            return super().get_client()
        limit: dict[str, Any] = (
            {"limit": self.limits.max_connections}
            if self.limits.max_connections is not None
            else {}
        )
        connector = aiohttp.TCPConnector(
            keepalive_timeout=self.limits.keepalive_expiry,
            ssl=self.ssl_context,
            local_addr=(self.local_address, 0) if self.local_address else None,
            **limit,
        )
        return aiohttp.ClientSession(
            connector=connector,
            max_line_size=HEADER_BLOCK,
            max_field_size=HEADER_BLOCK,
            max_headers=MAX_HEADERS,
        )


def aiohttp_client(**options: Any) -> httpx.AsyncClient:
    """An ``HttpxAiohttpClient`` of ``options`` whose direct connections use
    :class:`RoomyAiohttpTransport`.

    The transport can only be given to httpx as ``transport=``, which also turns off httpx's
    reading of proxy variables: so only when no proxy is set, by argument or environment.
    Through a proxy, httpx-aiohttp's own transport (aiohttp's default limits) is used.
    """
    if options.get("proxy") is None and not urllib.request.getproxies():
        transport = RoomyAiohttpTransport(verify=options["verify"], limits=options["limits"])
        client: httpx.AsyncClient = _CookielessAiohttpClient(transport=transport, **options)
    else:
        client = _CookielessAiohttpClient(**options)
    return client


class _CookielessAiohttpClient(NoCookieJar, HttpxAiohttpClient):  # type: ignore[misc]
    """httpx-aiohttp's client without a cookie jar, as the clients we make over httpx's."""
