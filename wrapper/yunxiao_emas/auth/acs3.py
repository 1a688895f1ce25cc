"""Alibaba Cloud request signature V3 (ACS3-HMAC-SHA256), as an ``httpx.Auth``: the
authentication of GetPipelineEmasArtifactUrl (2021-06-25).

Each step of the signature is a small function named for what it builds, in the order of the
public V3 documentation: :func:`canonical_uri`, :func:`canonical_query`,
:func:`canonical_headers`, :func:`signed_headers`, :func:`canonical_request`,
:func:`string_to_sign`, :func:`signature`. :func:`sign_parts` strings them together; both the
client (:class:`AcsV3Auth`) and the service emulator use it, so the two sides cannot disagree
without the known-answer test of the documented example noticing.
"""

from __future__ import annotations

import datetime
import email.utils
import hashlib
import hmac
import logging
import os
import re
import time
from collections.abc import Callable, Generator, Iterable, Mapping
from typing import TYPE_CHECKING, NamedTuple
from urllib.parse import quote, unquote_to_bytes

import httpx

from ..errors import ApiError

if TYPE_CHECKING:
    from ..credentials import AccessKeyCredentials, CredentialsProvider

__all__ = [
    "ACTION",
    "ALGORITHM",
    "VERSION",
    "AcsV3Auth",
    "SignedParts",
    "canonical_headers",
    "canonical_query",
    "canonical_request",
    "canonical_uri",
    "percent_encode",
    "sign_parts",
    "signature",
    "signed_headers",
    "string_to_sign",
]

ALGORITHM = "ACS3-HMAC-SHA256"
ACTION = "GetPipelineEmasArtifactUrl"
VERSION = "2021-06-25"
EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()
DATE_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
SKEW_CODE = "InvalidTimeStamp.Expired"
_PLAIN_PATH = re.compile(r"[A-Za-z0-9_.~/-]*")
SKEW_MARGIN = 2.0  # seconds
MAX_SKEW_CORRECTION = 10 * 365 * 86400.0  # seconds
TOKEN_HEADER = "x-acs-security-token"  # noqa: S105 (a header name, not a token)

_log = logging.getLogger("yunxiao_emas.signing")


def percent_encode(value: str) -> str:
    """RFC 3986 encoding: only ``A-Z a-z 0-9 - _ . ~`` stay; space is ``%20``, never ``+``.

    >>> percent_encode("a b*c/d~")
    'a%20b%2Ac%2Fd~'
    """
    return quote(value, safe="~")


def canonical_uri(raw_path: str) -> str:
    """The canonical URI of a path as it goes on the wire (still percent-encoded).

    Each segment is decoded and encoded again per RFC 3986, so an encoded ``/`` (``%2F``) stays
    inside its segment and both sides agree whatever safe characters the sender left bare. The
    round trip is on bytes, so an escape that is not UTF-8 (``%FF``) is kept as it was sent.

    >>> canonical_uri("/organization/a%2Fb/x y")
    '/organization/a%2Fb/x%20y'
    """
    if _PLAIN_PATH.fullmatch(raw_path):
        # Nothing to decode or encode (the usual case: ids are letters and digits).
        return raw_path or "/"
    return "/".join(quote(unquote_to_bytes(segment), safe="~") for segment in raw_path.split("/"))


def canonical_query(params: Iterable[tuple[str, str]]) -> str:
    """Decoded query parameters, encoded per RFC 3986, sorted, joined by ``&``.

    >>> canonical_query([("RegionId", "cn-shanghai"), ("ImageId", "a b")])
    'ImageId=a%20b&RegionId=cn-shanghai'
    """
    encoded = sorted((percent_encode(name), percent_encode(value)) for name, value in params)
    return "&".join(f"{name}={value}" for name, value in encoded)


def _headers_parts(headers: Mapping[str, str]) -> tuple[str, str]:
    """The canonical headers and the signed header names, from one pass over ``headers``."""
    lowered = {name.lower(): value for name, value in headers.items()}
    names = sorted(lowered)
    return "".join([f"{name}:{lowered[name].strip()}\n" for name in names]), ";".join(names)


def canonical_headers(headers: Mapping[str, str]) -> str:
    """``name:value\\n`` for each signed header, names lower-case and sorted, values trimmed."""
    return _headers_parts(headers)[0]


def signed_headers(names: Iterable[str]) -> str:
    """The signed header names, lower-case, sorted, joined by ``;``."""
    return ";".join(sorted({name.lower() for name in names}))


def canonical_request(
    method: str,
    uri: str,
    query: str,
    headers: Mapping[str, str],
    payload_hash: str,
) -> str:
    """The six parts joined by newlines (the headers part ends with its own newline)."""
    return _canonical_request(method, uri, query, headers, payload_hash)[0]


def _canonical_request(
    method: str, uri: str, query: str, headers: Mapping[str, str], payload_hash: str
) -> tuple[str, str]:
    """The canonical request and, made on the way, the signed header names."""
    canonical_part, names = _headers_parts(headers)
    return "\n".join([method.upper(), uri, query, canonical_part, names, payload_hash]), names


def string_to_sign(canonical: str) -> str:
    """``ACS3-HMAC-SHA256`` and the hex SHA-256 of the canonical request."""
    return f"{ALGORITHM}\n{hashlib.sha256(canonical.encode('utf-8')).hexdigest()}"


def signature(secret: str, to_sign: str) -> str:
    """Hex HMAC-SHA256 of the string to sign, keyed with the AccessKey secret."""
    return hmac.digest(secret.encode("utf-8"), to_sign.encode("utf-8"), "sha256").hex()


class SignedParts(NamedTuple):
    """Every intermediate of one signature, for verification and debugging."""

    canonical_request: str
    string_to_sign: str
    signature: str
    signed_headers: str


def sign_parts(
    secret: str,
    method: str,
    raw_path: str,
    query: Iterable[tuple[str, str]] | str,
    headers: Mapping[str, str],
) -> SignedParts:
    """Sign a request described as data. ``headers`` holds exactly the headers to sign;
    ``query`` is the decoded parameters, or their canonical string already made.

    The payload hash is the ``x-acs-content-sha256`` header, as the V3 rules say.
    """
    payload_hash = headers.get("x-acs-content-sha256")
    if payload_hash is None:  # a caller's headers in another case
        lowered = {name.lower(): value for name, value in headers.items()}
        payload_hash = lowered.get("x-acs-content-sha256", EMPTY_SHA256)
    canonical, names = _canonical_request(
        method,
        canonical_uri(raw_path),
        query if isinstance(query, str) else canonical_query(query),
        headers,
        payload_hash,
    )
    to_sign = string_to_sign(canonical)
    return SignedParts(canonical, to_sign, signature(secret, to_sign), names)


def authorization(access_key_id: str, parts: SignedParts) -> str:
    """The ``Authorization`` header value."""
    return (
        f"{ALGORITHM} Credential={access_key_id},"
        f"SignedHeaders={parts.signed_headers},Signature={parts.signature}"
    )


def _access_key(provider: CredentialsProvider) -> AccessKeyCredentials:
    # The credentials module (attrs) is imported with the first signature, not the package.
    from ..credentials._values import AccessKeyCredentials, credentials_of

    return credentials_of(provider, AccessKeyCredentials)


def _new_nonce() -> str:
    # 128 random bits from the OS, as secrets.token_hex(16) would give (without its import).
    return os.urandom(16).hex()


class AcsV3Auth(httpx.Auth):
    """Signs every request with ACS3-HMAC-SHA256 and corrects the clock when the gateway
    says that ``x-acs-date`` is too far off.

    The credentials are asked for at signing time, so rotating STS credentials work; every
    attempt (retries included) gets a new nonce and date. Headers httpx adds on its own
    (user-agent, accept-encoding, connection) are not signed.

    On ``InvalidTimeStamp.Expired`` the call flow asks :meth:`recover`: the offset between the
    server's ``Date`` header and the local clock is kept for later requests, and the request is
    signed and sent once more (the way botocore corrects clock skew for AWS).
    """

    def __init__(
        self,
        credentials: CredentialsProvider,
        *,
        action: str = ACTION,
        version: str = VERSION,
        clock: Callable[[], float] = time.time,
        nonce: Callable[[], str] = _new_nonce,
    ) -> None:
        self._credentials = credentials
        self._action = action
        self._version = version
        self._clock = clock
        self._nonce = nonce
        self.clock_offset = 0.0
        self._skew_warned = False
        self._dates: tuple[int, str] = (-1, "")

    def __repr__(self) -> str:
        return f"AcsV3Auth(action={self._action!r}, version={self._version!r})"

    def _date(self) -> str:
        now = int(self._clock() + self.clock_offset)
        cached = self._dates
        if cached[0] != now:
            # strftime is a fifth of a signature; a second's text serves every call in it.
            cached = self._dates = (now, time.strftime(DATE_FORMAT, time.gmtime(now)))
        return cached[1]

    def signature_headers(
        self,
        method: str,
        raw_path: str,
        query: Iterable[tuple[str, str]] | str,
        host: str,
        body: bytes = b"",
        signed: Mapping[str, str] | None = None,
        *,
        action: str | None = None,
    ) -> dict[str, str]:
        """The headers that sign one request: the ``x-acs-*`` headers and ``Authorization``.

        ``raw_path`` is the path as sent (percent-encoded), ``query`` the decoded parameters
        (or their canonical string), ``host`` the ``Host`` header; ``signed`` holds other
        headers of the request that must be signed too (a caller's ``x-acs-*``); ``action``
        the ``x-acs-action`` of this request (default: the one this signer was made with: one
        signer serves every operation of a client, so that its clock correction holds for
        all). The client builds each request with these at once; :meth:`sign` adds them to a
        request of yours.
        """
        creds = _access_key(self._credentials)
        fresh = {
            "x-acs-action": action or self._action,
            "x-acs-version": self._version,
            "x-acs-date": self._date(),
            "x-acs-signature-nonce": self._nonce(),
            "x-acs-content-sha256": hashlib.sha256(body).hexdigest() if body else EMPTY_SHA256,
        }
        if creds.security_token:
            fresh[TOKEN_HEADER] = creds.security_token
            fresh["x-acs-accesskey-id"] = creds.access_key_id
        to_sign = {"host": host, **signed} if signed else {"host": host}
        to_sign.update(fresh)
        parts = sign_parts(creds.access_key_secret, method, raw_path, query, to_sign)
        fresh["Authorization"] = authorization(creds.access_key_id, parts)
        if _log.isEnabledFor(logging.DEBUG):
            canonical = parts.canonical_request
            # The canonical request holds the token as signed: trimmed.
            token = (creds.security_token or "").strip()
            if token:
                canonical = canonical.replace(token, "<redacted>")
            _log.debug(
                "canonical request:\n%s\nstring to sign:\n%s", canonical, parts.string_to_sign
            )
        return fresh

    def sign(self, request: httpx.Request) -> None:
        """Add the signature headers to ``request`` (replacing those of an earlier attempt).

        Every ``x-acs-*`` header of the request is signed, also one the caller added; ``host``
        always; ``content-type`` when there is a body. Headers httpx adds on its own
        (user-agent, accept-encoding, connection) are not.
        """
        body = request.content
        headers = request.headers
        for stale in (TOKEN_HEADER, "x-acs-accesskey-id", "authorization"):
            if stale in headers:
                del headers[stale]
        signed = {
            name: value
            for name, value in headers.items()
            if name.startswith("x-acs-") or (name == "content-type" and body)
        }
        raw_path, _, _ = request.url.raw_path.partition(b"?")
        fresh = self.signature_headers(
            request.method,
            raw_path.decode("ascii"),
            request.url.params.multi_items(),
            headers["host"],
            body,
            signed,
        )
        # Item by item: Headers.update() copies into a new Headers first and costs 3x more.
        for name, value in fresh.items():
            headers[name] = value

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        self.sign(request)
        yield request

    def recover(self, error: ApiError) -> bool:
        """Whether to send the request again at once, after correcting the clock.

        True when ``error`` is ``InvalidTimeStamp.Expired`` and the server's ``Date`` tells a
        time other than the one we signed with (beyond the margin of its one-second
        resolution): the offset is kept for later requests, and one WARNING says so. Otherwise
        another attempt would be rejected just the same.
        """
        offset = self._skew_from(error)
        if offset is None or abs(offset - self.clock_offset) <= SKEW_MARGIN:
            return False
        self.clock_offset = offset
        if not self._skew_warned:
            self._skew_warned = True
            _log.warning(
                "local clock is %.0f s %s the server's; correcting x-acs-date from now on",
                abs(offset),
                "behind" if offset > 0 else "ahead of",
            )
        return True

    def _skew_from(self, error: ApiError) -> float | None:
        """The server clock minus the local clock, when ``error`` is a skew rejection."""
        if error.code != SKEW_CODE or error.response is None:
            return None
        date = error.response.headers.get("date")
        if not date:
            return None
        try:
            server_date = email.utils.parsedate_to_datetime(date)
            if server_date.tzinfo is None:
                # "-0000" parses to a naive datetime, which .timestamp() would take as local.
                server_date = server_date.replace(tzinfo=datetime.UTC)
            server_time = server_date.timestamp()
        except (TypeError, ValueError, OverflowError, OSError):
            return None
        offset = server_time - self._clock()
        # A Date decades away is not a clock to follow: the gateway allows 15 minutes.
        if not abs(offset) < MAX_SKEW_CORRECTION:
            return None
        return offset
