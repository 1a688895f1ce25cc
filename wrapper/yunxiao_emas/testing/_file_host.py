"""The file host behind the download URLs: pre-signed, expiring URLs on the emulator itself,
``Range`` support, and OSS-like XML errors. Both APIs hand out its URLs.

A URL is ``/emas-artifacts/<artifact token>/<file name>?Expires=<epoch>&Signature=<HMAC>``,
signed with the host's current key. :meth:`FileHost.expire_urls` retires that key, so a URL
signed with a retired key is recognised as expired rather than as forged.
"""

from __future__ import annotations

import base64
import email.utils
import hashlib
import hmac
import secrets
from collections.abc import Iterator, Mapping
from typing import Literal
from urllib.parse import parse_qsl, quote

from ._compare import same
from ._exchange import DownloadAnswer
from ._faults import Faults
from ._messages import (
    OSS_ANONYMOUS,
    OSS_EXPIRED,
    OSS_INVALID_RANGE,
    OSS_NO_SUCH_KEY,
    OSS_SIGNATURE_MISMATCH,
    OssError,
    oss_error_xml,
)
from ._state import Artifact, State

__all__ = ["DOWNLOAD_PREFIX", "FileHost", "iter_chunks"]

DOWNLOAD_PREFIX = "/emas-artifacts/"
_CHUNK = 256 * 1024


def _url_signature(key: bytes, token: str, filename: str, expires: int) -> str:
    digest = hmac.new(key, f"{token}\n{filename}\n{expires}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode("ascii").rstrip("=")


class FileHost:
    """Issues and serves download URLs; the caller holds the service's lock."""

    def __init__(self, state: State, faults: Faults) -> None:
        self._state = state
        self._faults = faults
        self._url_key = secrets.token_bytes(32)
        self._retired_url_keys: list[bytes] = []

    def issue_url(self, artifact: Artifact, scheme: str, host: str) -> str:
        """A URL of ``artifact`` on ``host``, valid for the state's ``url_ttl`` seconds."""
        expires = int(self._state.now()) + self._state.url_ttl
        signature = _url_signature(self._url_key, artifact.url_token, artifact.filename, expires)
        path = f"{DOWNLOAD_PREFIX}{artifact.url_token}/{quote(artifact.filename, safe='')}"
        return f"{scheme}://{host}{path}?Expires={expires}&Signature={signature}"

    def expire_urls(self) -> None:
        """Make every URL issued so far answer 403 ``Request has expired``."""
        self._retired_url_keys.append(self._url_key)
        self._url_key = secrets.token_bytes(32)

    def answer(
        self,
        method: str,
        token: str,
        filename: str,
        query_string: str,
        headers: Mapping[str, str],
        host: str,
    ) -> DownloadAnswer:
        """The answer to a GET or HEAD of a download URL."""
        query: dict[str, list[str]] = {}
        for name, value in parse_qsl(query_string, keep_blank_values=True):
            query.setdefault(name, []).append(value)
        expires_values = query.get("Expires", [])
        signatures = query.get("Signature", [])
        if (
            len(expires_values) != 1
            or len(signatures) != 1
            or not _decimal(expires_values[0], max_digits=12)
        ):
            return self._error(OSS_ANONYMOUS, host)
        expires = int(expires_values[0])
        signature = signatures[0]

        def signed_with(key: bytes) -> bool:
            expected = _url_signature(key, token, filename, expires)
            return same(signature, expected)

        retired = any(signed_with(key) for key in self._retired_url_keys)
        if not retired and not signed_with(self._url_key):
            return self._error(OSS_SIGNATURE_MISMATCH, host)
        if retired or expires < self._state.now():
            return self._error(OSS_EXPIRED, host)
        artifact = self._state.by_url_token.get(token)
        if artifact is None or artifact.filename != filename:
            return self._error(OSS_NO_SUCH_KEY, host)
        return self._serve(method, artifact, headers, host)

    def _serve(
        self, method: str, artifact: Artifact, headers: Mapping[str, str], host: str
    ) -> DownloadAnswer:
        size = len(artifact.content)
        etag = f'"{artifact.md5}"'
        common = {
            "date": self._http_date(),
            "x-oss-request-id": secrets.token_hex(12).upper(),
            "accept-ranges": "bytes",
            "etag": etag,
            "last-modified": email.utils.formatdate(artifact.last_modified, usegmt=True),
            "content-type": "application/octet-stream",
            "content-disposition": _content_disposition(artifact.filename),
        }
        byte_range = headers.get("range")
        if_range = headers.get("if-range")
        if if_range is not None and if_range != etag:
            byte_range = None
        span = _parse_range(byte_range, size) if byte_range else None
        if span == "unsatisfiable":
            answer = self._error(OSS_INVALID_RANGE, host)
            answer.headers["content-range"] = f"bytes */{size}"
            return answer
        view = memoryview(artifact.content)
        if span is None:
            status, body = 200, view
            common["content-md5"] = base64.b64encode(bytes.fromhex(artifact.md5)).decode()
        else:
            start, end = span
            status, body = 206, view[start : end + 1]
            common["content-range"] = f"bytes {start}-{end}/{size}"
        common["content-length"] = str(len(body))
        drop_after: int | None = None
        corrupt = False
        # HEAD sends no body: it neither cuts nor corrupts one, and uses no fault up.
        if method == "GET":
            offset = self._faults.take_download_drop()
            drop_after = offset if offset is not None and offset < len(body) else None
            corrupt = bool(len(body)) and self._faults.take_corruption()
        return DownloadAnswer(status, common, body, drop_after, corrupt)

    def _http_date(self) -> str:
        return email.utils.formatdate(self._state.now(), usegmt=True)

    def _error(self, error: OssError, host: str) -> DownloadAnswer:
        request_id = secrets.token_hex(12).upper()
        body = oss_error_xml(error, request_id, host)
        headers = {
            "date": self._http_date(),
            "x-oss-request-id": request_id,
            "x-oss-ec": error.code,
            "content-type": "application/xml",
            "content-length": str(len(body)),
        }
        return DownloadAnswer(error.status, headers, body)


def _decimal(text: str, max_digits: int = 19) -> bool:
    """ASCII digits only, and not absurdly many: ``str.isdigit`` also takes superscripts and
    other scripts' digits (which ``int`` then refuses), and ``int`` refuses more than 4,300
    digits; neither may turn a malformed header into a 500."""
    return 0 < len(text) <= max_digits and text.isascii() and text.isdigit()


def _parse_range(header: str, size: int) -> tuple[int, int] | Literal["unsatisfiable"] | None:
    """One ``bytes=`` range as inclusive offsets; None when the header is to be ignored.

    Malformed headers and multiple ranges are ignored (the whole file is sent), as RFC 9110
    allows.
    """
    unit, _, spec = header.partition("=")
    if unit.strip().lower() != "bytes" or "," in spec:
        return None
    first, dash, last = spec.strip().partition("-")
    first, last = first.strip(), last.strip()
    if not dash or not (first or last):
        return None
    if (first and not _decimal(first)) or (last and not _decimal(last)):
        return None
    if not first:
        suffix = int(last)
        if suffix == 0 or size == 0:
            return "unsatisfiable"
        return max(0, size - suffix), size - 1
    start = int(first)
    end = int(last) if last else size - 1
    if last and end < start:
        return None
    if start >= size:
        return "unsatisfiable"
    return start, min(end, size - 1)


def _content_disposition(filename: str) -> str:
    fallback = "".join(c if 0x20 <= ord(c) < 0x7F and c not in '"\\' else "_" for c in filename)
    value = f'attachment; filename="{fallback}"'
    if fallback != filename:
        value += f"; filename*=UTF-8''{quote(filename, safe='')}"
    return value


def iter_chunks(body: bytes | memoryview, size: int = _CHUNK) -> Iterator[bytes]:
    """The body in chunks of at most ``size`` bytes, each a copy of one chunk only."""
    view = memoryview(body)
    for start in range(0, len(view), size):
        yield bytes(view[start : start + size])
