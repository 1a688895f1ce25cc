"""The values the clients return: :class:`ArtifactUrl` and :class:`DownloadedArtifact`."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from pathlib import Path

import attrs

__all__ = [
    "DEFAULT_CHUNK_SIZE",
    "ArtifactUrl",
    "DownloadedArtifact",
    "ProgressCallback",
    "RedactPresignedUrls",
    "hide_presigned_urls_in_httpx_logs",
    "is_loopback",
    "redact_url",
]


DEFAULT_CHUNK_SIZE = 1024 * 1024  # bytes between progress reports; the file's write buffer

ProgressCallback = Callable[[int, int | None], object]
"""``progress(done, total)``: bytes written so far, and the size (None when unknown)."""


def redact_url(url: str) -> str:
    """A pre-signed URL without its query: the signature in it is a bearer credential.

    >>> redact_url("https://oss.example/a.apk?Expires=1&Signature=s")
    'https://oss.example/a.apk?<redacted>'
    """
    head, sep, _ = url.partition("?")
    return f"{head}?<redacted>" if sep else head


class RedactPresignedUrls(logging.Filter):
    """Hides the query of pre-signed URLs in httpx's own log lines.

    httpx logs every request at INFO with its full URL; for a download that URL carries a
    signature that is a bearer credential for an hour. Installed on the ``httpx`` logger by
    the clients; only URLs with a ``Signature``/``signature`` parameter are touched.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple) and any(_presigned(arg) for arg in record.args):
            record.args = tuple(
                redact_url(str(arg)) if _presigned(arg) else arg for arg in record.args
            )
        return True


def _presigned(value: object) -> bool:
    if isinstance(value, str) or type(value).__name__ == "URL":
        text = str(value)
        return "?" in text and "ignature=" in text.partition("?")[2]
    return False


_REDACTION = RedactPresignedUrls()


def hide_presigned_urls_in_httpx_logs() -> None:
    """Install :class:`RedactPresignedUrls` on the ``httpx`` logger (once)."""
    logger = logging.getLogger("httpx")
    if _REDACTION not in logger.filters:
        logger.addFilter(_REDACTION)


def is_loopback(host: str) -> bool:
    """Whether ``host`` is this machine (``localhost``, 127.0.0.0/8 or ``::1``)."""
    if host.lower() == "localhost":
        return True
    import ipaddress  # only needed for hosts given as addresses

    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


@attrs.frozen
class ArtifactUrl:
    """A temporary download URL of an EMAS artifact.

    ``expires_at`` (aware, UTC) comes from the URL's ``Expires`` parameter when it has one,
    else it is the time of the answer plus one hour. ``repr`` hides the URL's query, which
    holds its signature.
    """

    file_url: str = attrs.field(repr=redact_url)
    request_id: str
    expires_at: dt.datetime

    def expired(self, *, margin: float = 0.0) -> bool:
        """Whether the URL has expired, or will within ``margin`` seconds."""
        now = dt.datetime.now(dt.UTC)
        return self.expires_at - dt.timedelta(seconds=margin) <= now


@attrs.frozen
class DownloadedArtifact:
    """A downloaded artifact.

    Attributes:
        path: where it is.
        size: its size in bytes.
        md5: the hex md5 of its bytes.
        request_id: the request id of the API call that gave the URL.
        verified: True when ``md5`` was checked against the 32-hex-digit md5 passed in; False
            when the md5 argument was not a hex digest, so there was nothing to check against.
        skipped: True when the destination already held a file with that md5, so nothing was
            transferred (``request_id`` is then empty when no API call was needed).
    """

    path: Path
    size: int
    md5: str
    request_id: str
    verified: bool
    skipped: bool = False
