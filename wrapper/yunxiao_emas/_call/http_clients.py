"""The httpx clients that our clients make: httpx's, without a cookie jar.

Neither API nor a file host sets a cookie that a call needs, and the clients build each
request themselves, so a stored cookie was never sent: yet httpx stored every answer's cookies
into the client's jar through urllib's cookie machinery (a ``urllib.request.Request`` and ten
header lookups per answer), a tenth of the CPU of a call (``cProfile``, bench's fixed-answer
server, over both async transports). The clients we make take no cookie: their ``cookies``
(public httpx API) is a jar that stays empty. A caller's own ``http_client`` is used as it is.
"""

from __future__ import annotations

from typing import Any

import httpx

__all__ = ["CookielessAsyncClient", "CookielessClient", "NoCookieJar"]


class _NoCookies(httpx.Cookies):
    """A cookie jar that keeps nothing the answers set."""

    def extract_cookies(self, response: httpx.Response) -> None:
        return None


class NoCookieJar:
    """Mixed into an httpx client class: ``cookies`` is an empty jar that takes no cookie."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._no_cookies = _NoCookies()
        super().__init__(*args, **kwargs)

    @property
    def cookies(self) -> httpx.Cookies:
        return self._no_cookies

    @cookies.setter
    def cookies(self, cookies: Any) -> None:
        if cookies:
            raise ValueError("this client keeps no cookies")


class CookielessClient(NoCookieJar, httpx.Client):
    """``httpx.Client`` without a cookie jar (see the module)."""


class CookielessAsyncClient(NoCookieJar, httpx.AsyncClient):
    """``httpx.AsyncClient`` without a cookie jar (see the module)."""
