"""Paging, sans I/O: from one page's answer, the parameters of the next page (or None).

The signed API pages with a token: the answer's ``nextToken`` goes back as ``nextToken`` until
an answer has none. The token API pages by number: ``page`` (from 1) and ``perPage``, and the
answer says where it is in headers (``x-next-page``, empty on the last page; ``x-page`` and
``x-total-pages``). A server that sends no paging headers is followed while its pages are full.
A next page that does not move forward (the same token, a page number not above this one) ends
the walk: a server that ignored the paging parameters must not make it endless.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Generic, NamedTuple, TypeVar

import httpx

__all__ = ["TOKEN_PER_PAGE", "Page", "signed_next", "token_next"]

T = TypeVar("T")

SIGNED_MAX_RESULTS = 30
"""Runs a page asks the signed API for (``maxResults``)."""
TOKEN_PER_PAGE = 30
"""Runs a page asks the token API for (``perPage``: its most)."""


class Page(NamedTuple, Generic[T]):
    """One page: its items, the parameters of the next page (None on the last) and the total
    the answer announces (None when it does not)."""

    items: list[T]
    next_params: dict[str, Any] | None
    total: int | None


def signed_next(body: Mapping[str, Any], params: Mapping[str, Any]) -> dict[str, Any] | None:
    """The next page of a signed list answer ``body`` asked with ``params``."""
    token = body.get("nextToken")
    if type(token) is not str or not token or token == params.get("next_token"):
        return None
    return {**params, "next_token": token}


def _header_int(response: httpx.Response, name: str) -> int | None:
    value = response.headers.get(name, "").strip()
    return int(value) if value.isascii() and value.isdigit() and len(value) <= 9 else None


def token_next(
    response: httpx.Response, params: Mapping[str, Any], count: int
) -> dict[str, Any] | None:
    """The next page of a token list answer with ``count`` items, asked with ``params``."""
    page = params.get("page") or 1
    if count == 0:
        return None
    following: int | None
    if "x-next-page" in response.headers:
        following = _header_int(response, "x-next-page")  # empty: the last page
    elif "x-total-pages" in response.headers:
        total_pages = _header_int(response, "x-total-pages")
        current = _header_int(response, "x-page") or page
        following = current + 1 if total_pages is not None and current < total_pages else None
    else:
        full = count >= (params.get("per_page") or TOKEN_PER_PAGE)
        following = page + 1 if full else None
    if following is None or following <= page:
        return None
    return {**params, "page": following}


def token_total(response: httpx.Response) -> int | None:
    """The number of items in all pages, when the answer says (``x-total``)."""
    return _header_int(response, "x-total")
