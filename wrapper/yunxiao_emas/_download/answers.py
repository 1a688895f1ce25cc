"""The file host's answer to a GET, classified once, for a whole file and for a part alike:
read it (the size it gives), refresh the URL, wait and resume, start over, or give up.

The outcomes other than reading are exceptions the download flow (:mod:`.flow`) catches and
acts on; their limits are in :mod:`~yunxiao_emas._call.policy`.
"""

from __future__ import annotations

import re

import httpx

from .._call.policy import MAX_URL_REFRESHES
from .._call.retry import RETRYABLE_STATUSES, retry_after_of
from .._urls import redact_url
from ..errors import DownloadError

__all__ = ["AlreadyThere", "Busy", "Refresh", "Restart", "classify", "content_range"]

_CONTENT_RANGE = re.compile(r"bytes (\d+)-(\d+)/(\d+|\*)")


class Restart(Exception):
    """The server ignored or mangled ``Range``: start over from byte 0."""


class Refresh(Exception):
    """The URL expired (403 from the file host): get a fresh one and resume."""


class AlreadyThere(Exception):
    """The destination already holds this artifact (``Transfer.skipped``): stop the transfer."""


class Busy(Exception):
    """The file host answered 429 or 5xx: wait (its ``Retry-After`` when given) and resume."""

    def __init__(self, status: int, retry_after: float | None) -> None:
        super().__init__(f"the file host answered HTTP {status}")
        self.retry_after = retry_after


def content_range(response: httpx.Response) -> tuple[int, int | None] | None:
    """The first byte and the file's size (None for ``*``) that a 206's ``Content-Range``
    states; None when it is missing or malformed."""
    match = _CONTENT_RANGE.fullmatch(response.headers.get("content-range", ""))
    if match is None:
        return None
    size = match.group(3)
    return int(match.group(1)), None if size == "*" else int(size)


def classify(response: httpx.Response, offset: int, refreshes: int) -> int | None:
    """The answer to a request for the bytes from ``offset`` on (a ``Range`` when it is not
    0), before its body is read: the file's size when the body is to be read (None when
    unknown); else raises what to do.

    Raises:
        Refresh: a 403 while URL refreshes are left (the one-hour URL expired).
        Busy: 429 or 5xx (wait, then resume).
        Restart: the file host ignored or mangled the range (a 200, a 416, or another range).
        DownloadError: any other answer, or a 206 without a usable range to a request for the
            whole file (starting over would ask the same again).
    """
    status = response.status_code
    if status == 403 and refreshes < MAX_URL_REFRESHES:
        raise Refresh
    if status in RETRYABLE_STATUSES:
        raise Busy(status, retry_after_of(response))
    if offset and status in {200, 416}:
        raise Restart
    if status == 200:
        length = response.headers.get("content-length")
        return int(length) if length and length.isdigit() else None
    if status == 206:
        served = content_range(response)
        if served is not None and served[0] == offset:
            return served[1]
        if offset:
            raise Restart
        raise DownloadError(
            "the file host answered 206 without a usable Content-Range "
            "to a request for the whole file"
        )
    raise DownloadError(f"the file host answered HTTP {status} for {redact_url(str(response.url))}")
