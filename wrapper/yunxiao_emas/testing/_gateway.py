"""The gateway in front of both APIs: who is calling, and whether they may call now.

Each operation names its security scheme in openapi.yaml; :data:`CHECKS` holds one check per
scheme:

- ``acs3HmacSha256`` (GetPipelineEmasArtifactUrl): the V3 signature, verified with the same
  :func:`~yunxiao_emas.auth.acs3.sign_parts` the client signs with; the clock skew, nonce
  reuse, AccessKey and STS token; the ``x-acs-action``/``x-acs-version`` the operation declares
  (``x-acs-action``/``x-acs-version`` in openapi.yaml).
- ``yunxiaoToken`` (GetEmasArtifactDownloadUrl): the personal access token in
  ``x-yunxiao-token``: missing, unknown and expired tokens are refused with 401.

Then the rate limit, per identity (an AccessKey id or a token). A refusal is raised as
:class:`~._messages.Refusal`; the operation's handler gives it the operation's shape.
"""

from __future__ import annotations

import calendar
import hashlib
import re
import time
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl

from ..auth.acs3 import ALGORITHM, DATE_FORMAT, SignedParts, sign_parts
from ..auth.acs3 import TOKEN_HEADER as SECURITY_TOKEN_HEADER
from ..auth.token import TOKEN_HEADER
from ._compare import same
from ._messages import GATEWAY_ERRORS, UNAUTHORIZED, UNAUTHORIZED_MESSAGES, Refusal
from ._state import Identity, Key, State

if TYPE_CHECKING:
    from ..cli.spec import SpecOperation
    from ._exchange import ApiRequest

__all__ = ["CHECKS", "NONCE_WINDOW_SECONDS", "SKEW_LIMIT_SECONDS", "admit"]

SKEW_LIMIT_SECONDS = 15 * 60
REDACTED_TOKEN = "<x-acs-security-token redacted>"  # noqa: S105 (a placeholder, not a token)
SIGNATURE_CHECK_NOTE = (
    "Sent by the yunxiao-emas emulator only, never by Alibaba Cloud's gateway: the canonical "
    "request and string to sign it built from the request it received, the payload hash being "
    "that of the body received. Diff them with your signer's; the first differing line is the "
    "bug. The vectors in signing-vectors.json pin each rule."
)
NONCE_WINDOW_SECONDS = 31 * 60
_REQUIRED_HEADERS = (
    "host",
    "x-acs-action",
    "x-acs-version",
    "x-acs-date",
    "x-acs-signature-nonce",
    "x-acs-content-sha256",
)
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z")
_AUTHORIZATION = re.compile(
    re.escape(ALGORITHM)
    + r" Credential=(?P<id>[^,\s]+),SignedHeaders=(?P<headers>[^,\s]+),Signature=(?P<sig>[0-9a-f]+)"
)

Check = Callable[[State, "ApiRequest", "SpecOperation"], Identity]


def admit(state: State, request: ApiRequest, operation: SpecOperation) -> Identity:
    """The identity of an authenticated request within its rate limit, or a :class:`Refusal`."""
    (scheme,) = operation.security
    identity = CHECKS[scheme](state, request, operation)
    _throttle(state, identity)
    return identity


# --- ACS3-HMAC-SHA256 ---------------------------------------------------------------------------


def _incomplete(detail: str) -> Refusal:
    message = f"{GATEWAY_ERRORS['IncompleteSignature'][1]} {detail}"
    return Refusal.gateway("IncompleteSignature", message=message)


def check_signature(state: State, request: ApiRequest, operation: SpecOperation) -> Identity:
    """The AccessKey of a request signed with ACS3-HMAC-SHA256, or a gateway refusal."""
    headers = request.headers
    authorization = headers.get("authorization")
    if authorization is None:
        raise _incomplete("The Authorization header is missing.")
    match = _AUTHORIZATION.fullmatch(authorization.strip())
    if match is None:
        raise _incomplete(
            f"The Authorization header must be '{ALGORITHM} Credential=<AccessKeyId>,"
            "SignedHeaders=<names>,Signature=<hex>'."
        )
    for name in _REQUIRED_HEADERS:
        if not headers.get(name):
            raise _incomplete(f"The header {name} is missing.")
    if headers["x-acs-action"] != operation.extensions["x-acs-action"]:
        raise Refusal.gateway("InvalidAction.NotFound")
    if headers["x-acs-version"] != str(operation.extensions["x-acs-version"]):
        raise Refusal.gateway("InvalidVersion")
    _check_date(state, headers["x-acs-date"])

    signed = match["headers"].split(";")
    must_sign = {name for name in headers if name.startswith("x-acs-") or name == "host"}
    unsigned = sorted(must_sign - set(signed))
    if unsigned:
        raise _incomplete(f"The header {unsigned[0]} must be signed.")
    absent = [name for name in signed if name not in headers]
    if absent:
        raise _incomplete(f"The signed header {absent[0]} is missing.")

    key = state.keys.get(match["id"])
    if key is None:
        raise Refusal.gateway("InvalidAccessKeyId.NotFound")
    if not key.active:
        raise Refusal.gateway("InvalidAccessKeyId.Inactive")
    _check_security_token(state, key, headers)

    to_sign = {name: headers[name] for name in signed}
    actual_hash = hashlib.sha256(request.body).hexdigest()
    payload_ok = same(headers["x-acs-content-sha256"], actual_hash)
    # The string to sign of the request as received, with the hash of the body received.
    parts = sign_parts(
        key.secret,
        request.method,
        request.raw_path,
        parse_qsl(request.query_string, keep_blank_values=True),
        {**to_sign, "x-acs-content-sha256": actual_hash},
    )
    if not payload_ok or not same(parts.signature, match["sig"]):
        prefix = GATEWAY_ERRORS["SignatureDoesNotMatch"][1]
        raise Refusal.gateway(
            "SignatureDoesNotMatch",
            message=prefix + parts.string_to_sign,
            signature_check=_signature_check(parts, headers.get(SECURITY_TOKEN_HEADER)),
        )

    # Last: a request refused for another reason does not use its nonce up.
    if not state.use_nonce(
        key.access_key_id, headers["x-acs-signature-nonce"], NONCE_WINDOW_SECONDS
    ):
        raise Refusal.gateway("SignatureNonceUsed")
    return Identity("access key", key.access_key_id)


def _signature_check(parts: SignedParts, security_token: str | None) -> dict[str, str]:
    """What the emulator signed, for a developer to diff against their own signer's (the
    emulator only: the real gateway says no more than its string to sign).

    An STS token is a credential: its value is replaced in the canonical request (as the
    client's debug log does), so the string to sign is that of the request with the token.
    """
    canonical = parts.canonical_request
    token = (security_token or "").strip()
    if token:
        canonical = canonical.replace(token, REDACTED_TOKEN)
    return {
        "canonicalRequest": canonical,
        "stringToSign": parts.string_to_sign,
        "signedHeaders": parts.signed_headers,
        "note": SIGNATURE_CHECK_NOTE,
    }


def _check_date(state: State, value: str) -> None:
    if not _DATE.fullmatch(value):
        raise Refusal.gateway("InvalidTimeStamp.Format")
    try:
        sent = calendar.timegm(time.strptime(value, DATE_FORMAT))
    except ValueError:
        raise Refusal.gateway("InvalidTimeStamp.Format") from None
    if abs(state.now() - sent) > SKEW_LIMIT_SECONDS:
        raise Refusal.gateway("InvalidTimeStamp.Expired")


def _check_security_token(state: State, key: Key, headers: Mapping[str, str]) -> None:
    token = headers.get(SECURITY_TOKEN_HEADER)
    named = headers.get("x-acs-accesskey-id")
    if named is not None and named != key.access_key_id:
        raise Refusal.gateway("InvalidSecurityToken.MismatchWithAccessKey")
    if key.security_token is None:
        if token is not None:
            raise Refusal.gateway("InvalidSecurityToken.MismatchWithAccessKey")
        return
    if token is None:
        raise Refusal.gateway("MissingSecurityToken")
    if not same(token, key.security_token):
        raise Refusal.gateway("InvalidSecurityToken.Malformed")
    if key.expires_at is not None and key.expires_at <= state.now():
        raise Refusal.gateway("InvalidSecurityToken.Expired")


# --- the personal access token ------------------------------------------------------------------


def check_token(state: State, request: ApiRequest, operation: SpecOperation) -> Identity:
    """The token of a request of the token API, or a 401 refusal."""
    del operation  # every token may call every operation of the token API
    value = request.headers.get(TOKEN_HEADER, "").strip()
    if not value:
        raise Refusal(401, UNAUTHORIZED, UNAUTHORIZED_MESSAGES["missing"])
    token = state.tokens.get(value)
    if token is None:
        raise Refusal(401, UNAUTHORIZED, UNAUTHORIZED_MESSAGES["unknown"])
    if token.expires_at is not None and token.expires_at <= state.now():
        raise Refusal(401, UNAUTHORIZED, UNAUTHORIZED_MESSAGES["expired"])
    return Identity("token", token.token)


CHECKS: dict[str, Check] = {
    "acs3HmacSha256": check_signature,
    "yunxiaoToken": check_token,
}
"""One check a security scheme of openapi.yaml (a test pins that every operation's has one)."""


# --- throttling ---------------------------------------------------------------------------------


def _throttle(state: State, identity: Identity) -> None:
    if state.rate_limit is None:
        return
    limit, per_seconds = state.rate_limit
    wait = state.admit(identity, limit, per_seconds)
    if wait is not None:
        raise Refusal.gateway("Throttling.User", retry_after=wait)
