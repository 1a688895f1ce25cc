"""What the emulator says: the code tables, the refusal that carries a code to its answer, and
the error bodies of the gateway, of the signed service, of the token API and of the file host.

The documented service codes (with their status and message) are read from openapi.yaml; the
gateway's statuses and messages are ours, modelled on Alibaba Cloud's error center. The token
API publishes no list of codes at all: where one of its errors means what a documented code of
the signed API means, the emulator answers that code (``InvalidPipeline.NotFound``,
``Forbidden.AccessDenied``, ``Throttling.User``...), and it uses the contract's example code
``Unauthorized`` for a bad token, which the signed API has no equivalent of.
"""

from __future__ import annotations

import functools
import http
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import quote
from xml.sax.saxutils import escape

from ..cli.spec import load_spec
from ._exchange import SIGNATURE_CHECK_FIELD, Context

__all__ = [
    "CODE_FOR_STATUS",
    "GATEWAY_ERRORS",
    "UNAUTHORIZED",
    "UNAUTHORIZED_MESSAGES",
    "OssError",
    "Refusal",
    "ServiceCode",
    "documented",
    "gateway_body",
    "gateway_codes",
    "oss_error_xml",
    "reason",
    "service_body",
    "service_codes",
    "token_error_body",
]

Shape = Literal["service", "gateway"]
RetryAfter = float | str | None
"""How long a refused caller should wait: seconds (each API sends it in its header's unit:
milliseconds in ``x-acs-retry-after``, seconds in ``Retry-After``), or a raw header value sent
as it is (to test how clients take a malformed hint)."""

# The gateway's codes (openapi.yaml, GatewayError.x-error-codes, plus two the client knows) with
# the HTTP status and message the emulator answers them with. Public pages disagree on some
# statuses; these follow the API metadata of all Alibaba Cloud products (Throttling.User is 400
# in 107 entries and 429 in 8; InvalidSecurityToken.Expired is 403 in all 102), the official
# SDK's own test servers (throttling as 400 with x-acs-retry-after) and captured real answers
# (InvalidTimeStamp.Expired 400, SignatureNonceUsed 400, InvalidAccessKeyId.NotFound 404).
# A test pins that every code of the contract is here.
GATEWAY_ERRORS: dict[str, tuple[int, str]] = {
    "IncompleteSignature": (400, "The request signature does not conform to Aliyun standards."),
    "SignatureDoesNotMatch": (
        400,
        "Specified signature is not matched with our calculation. server string to sign is:",
    ),
    "InvalidTimeStamp.Expired": (400, "Specified time stamp or date value is expired."),
    "InvalidTimeStamp.Format": (400, "Specified time stamp or date value is not well formatted."),
    "SignatureNonceUsed": (400, "Specified signature nonce was used already."),
    "InvalidAccessKeyId.NotFound": (404, "Specified access key is not found."),
    "InvalidAccessKeyId.Inactive": (400, "Specified access key is disabled."),
    "InvalidSecurityToken.Expired": (403, "Specified SecurityToken is expired."),
    "InvalidSecurityToken.Malformed": (400, "Specified SecurityToken is malformed."),
    "InvalidSecurityToken.MismatchWithAccessKey": (
        400,
        "Specified SecurityToken mismatch with the AccessKey.",
    ),
    "MissingSecurityToken": (400, "SecurityToken is mandatory for this action."),
    "InvalidAction.NotFound": (
        404,
        "Specified api is not found, please check your url and method.",
    ),
    "InvalidVersion": (400, "Specified parameter Version is not valid."),
    "Throttling": (400, "Request was denied due to request throttling."),
    "Throttling.User": (400, "Request was denied due to user flow control."),
    "Throttling.Api": (400, "Request was denied due to api flow control."),
    "InternalError": (500, "The request processing has failed due to some unknown error."),
    "ServiceUnavailable": (503, "The request has failed due to a temporary failure of the server."),
}
# The code a fault gets when only its status is given.
CODE_FOR_STATUS = {
    429: "Throttling",
    500: "InternalError",
    502: "InternalError",
    503: "ServiceUnavailable",
    504: "ServiceUnavailable",
}

# The token API's own refusal of a token. Its codes are not documented publicly; this is the
# code of the contract's example (components/examples/token.401).
UNAUTHORIZED = "Unauthorized"
UNAUTHORIZED_MESSAGES = {
    "missing": "The header x-yunxiao-token is missing.",
    "unknown": "The personal access token is invalid.",
    "expired": "The personal access token has expired.",
}


@dataclass(frozen=True)
class ServiceCode:
    """A documented error code of the signed service, with its status and message."""

    code: str
    status: int
    message: str


@functools.cache
def service_codes() -> tuple[ServiceCode, ...]:
    """The service's documented codes (openapi.yaml, ``ServiceError.x-error-codes``), in order.

    A code can be listed twice with two statuses (``InvalidUser.UserNotInCurrentOrganization``).
    """
    schemas = load_spec()["components"]["schemas"]
    return tuple(
        ServiceCode(str(entry["code"]), int(entry["status"]), str(entry["message"]))
        for entry in schemas["ServiceError"]["x-error-codes"]
    )


@functools.cache
def gateway_codes() -> frozenset[str]:
    """The gateway's codes the contract lists (``GatewayError.x-error-codes``)."""
    schemas = load_spec()["components"]["schemas"]
    return frozenset(str(entry["code"]) for entry in schemas["GatewayError"]["x-error-codes"])


def documented(code: str, status: int | None = None) -> ServiceCode | None:
    """The documented entry of ``code`` (the one with ``status`` when given and listed)."""
    entries = [entry for entry in service_codes() if entry.code == code]
    if not entries:
        return None
    return next((entry for entry in entries if entry.status == status), entries[0])


def reason(status: int) -> str:
    """The HTTP reason phrase of ``status`` (``Not Found``), the token API's ``title``."""
    try:
        return http.HTTPStatus(status).phrase
    except ValueError:
        return "Error"


class Refusal(Exception):
    """A request is answered with an error: its status, code and message, whatever the API.

    Raised by the rules, the gateway and the lookup; the handler of the operation turns it into
    that operation's answer (:mod:`._handlers`). ``shape`` is the body the signed API would use
    (the service's or the gateway's); the token API has one body shape and ignores it.
    ``detail`` is a more precise message, which the token API sends and the signed service
    (whose documented message is fixed) does not. ``signature_check`` is, on a
    ``SignatureDoesNotMatch``, what the emulator signed (the emulator's explanation).
    """

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        shape: Shape = "service",
        retry_after: RetryAfter = None,
        detail: str | None = None,
        signature_check: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(code)
        self.status = status
        self.code = code
        self.message = message
        self.shape: Shape = shape
        self.retry_after = retry_after
        self.detail = detail
        self.signature_check = signature_check

    @classmethod
    def gateway(
        cls,
        code: str,
        *,
        message: str | None = None,
        retry_after: RetryAfter = None,
        signature_check: Mapping[str, str] | None = None,
    ) -> Refusal:
        """A gateway code, with the status and message of :data:`GATEWAY_ERRORS`."""
        status, default_message = GATEWAY_ERRORS.get(code, (500, code))
        return cls(
            status,
            code,
            default_message if message is None else message,
            shape="gateway",
            retry_after=retry_after,
            signature_check=signature_check,
        )

    @classmethod
    def service(cls, code: str, *, status: int | None = None, detail: str | None = None) -> Refusal:
        """A documented service code, with its documented status and message."""
        entry = documented(code, status)
        if entry is None:
            raise KeyError(f"{code} is not a documented service code")
        return cls(entry.status, code, entry.message, detail=detail)


# --- bodies ---------------------------------------------------------------------------------


def recommend(code: str) -> str:
    """The gateway's link to Alibaba Cloud's troubleshooting page for ``code``."""
    return f"https://api.aliyun.com/troubleshoot?q={quote(code)}&product=devops"


def gateway_body(
    code: str,
    message: str,
    context: Context,
    signature_check: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """The gateway's error body (``GatewayError``), with the emulator's explanation of a
    signature mismatch under :data:`~._exchange.SIGNATURE_CHECK_FIELD` when there is one (an
    extra key, which GatewayError's ``additionalProperties`` allows; the real gateway never
    sends it)."""
    body: dict[str, Any] = {
        "RequestId": context.request_id,
        "HostId": context.host,
        "Code": code,
        "Message": message,
        "Recommend": recommend(code),
    }
    if signature_check is not None:
        body[SIGNATURE_CHECK_FIELD] = dict(signature_check)
    return body


def service_body(code: str, message: str, context: Context, status: int) -> dict[str, Any]:
    """The signed service's error body (``ServiceError``; a 200 also has an empty ``fileUrl``)."""
    body: dict[str, Any] = {
        "requestId": context.request_id,
        "success": False,
        "errorCode": code,
        "errorMessage": message,
    }
    if status == 200:
        body["fileUrl"] = ""
    return body


def token_error_body(status: int, code: str, message: str, context: Context) -> dict[str, Any]:
    """The token API's error body (``TokenApiError``); ``httpStatus`` is a string there."""
    return {
        "errorCode": code,
        "errorMessage": message,
        "requestId": context.request_id,
        "traceId": context.trace_id,
        "httpStatus": str(status),
        "title": reason(status),
        "hasDetailSolution": False,
    }


# --- the file host (OSS-like) -------------------------------------------------------------------


@dataclass(frozen=True)
class OssError:
    """An error of the file host, as OSS answers it: a status, a code and a message."""

    status: int
    code: str
    message: str


OSS_ANONYMOUS = OssError(403, "AccessDenied", "Anonymous access is forbidden for this operation.")
OSS_SIGNATURE_MISMATCH = OssError(
    403,
    "SignatureDoesNotMatch",
    "The request signature we calculated does not match the signature you provided.",
)
OSS_EXPIRED = OssError(403, "AccessDenied", "Request has expired.")
OSS_NO_SUCH_KEY = OssError(404, "NoSuchKey", "The specified key does not exist.")
OSS_INVALID_RANGE = OssError(416, "InvalidRange", "The requested range is not satisfiable.")


def oss_error_xml(error: OssError, request_id: str, host: str) -> bytes:
    """OSS's XML error body."""
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f"<Error>\n  <Code>{escape(error.code)}</Code>\n"
        f"  <Message>{escape(error.message)}</Message>\n"
        f"  <RequestId>{request_id}</RequestId>\n  <HostId>{escape(host)}</HostId>\n</Error>\n"
    ).encode()
