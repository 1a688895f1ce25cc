"""URLs: what is loopback, and how a pre-signed URL is kept out of reprs and logs (without
attrs, so the clients import it at no cost)."""

from __future__ import annotations

import functools
import logging

__all__ = ["RedactPresignedUrls", "hide_presigned_urls_in_httpx_logs", "is_loopback", "redact_url"]


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


@functools.lru_cache(maxsize=256)
def is_loopback(host: str) -> bool:
    """Whether ``host`` is this machine: ``localhost`` (with or without the root's dot),
    127.0.0.0/8, also in the forms the resolver reads as such (``127.1``, ``2130706433``,
    ``0x7f.1``), or ``::1``. Cached: a client asks it of the same few hosts at every call."""
    name = host.lower().strip("[]")
    if name in ("localhost", "localhost."):
        return True
    import ipaddress  # only needed for hosts given as addresses

    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        pass
    import socket

    # What getaddrinfo (so httpx) connects to for a name made of numbers and dots.
    if name and all(part for part in name.split(".")) and name.replace(".", "").isalnum():
        try:
            return ipaddress.IPv4Address(socket.inet_aton(name)).is_loopback
        except OSError:
            return False
    return False
