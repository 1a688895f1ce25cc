"""The one exception tree of yunxiao-emas.

Everything the package raises on purpose is a :class:`YunxiaoError`. API answers become an
:class:`ApiError` subclass chosen by the error *code* (the service's ``errorCode`` or the
gateway's ``Code``), never by the HTTP status alone: public pages disagree on the status of
several gateway codes, and the codes are an open set, so an unknown code maps to
:class:`ApiError` itself with the code kept.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import httpx

__all__ = [
    "ApiError",
    "AuthenticationError",
    "ChecksumMismatchError",
    "CredentialsError",
    "DownloadError",
    "ForbiddenError",
    "InvalidArgumentError",
    "InvalidParameterError",
    "NoMatchError",
    "NotFoundError",
    "ServerError",
    "ThrottledError",
    "TransportError",
    "YunxiaoError",
    "error_class_for",
]


class YunxiaoError(Exception):
    """Root of every error this package raises on purpose.

    ``attempts``: how many attempts the call made before it failed with this error (set on the
    ``ApiError`` or ``TransportError`` that ends an API call); None for other errors.
    """

    attempts: int | None = None


class InvalidArgumentError(YunxiaoError, ValueError):
    """An argument broke a rule; raised before any network I/O.

    ``parameter`` names the argument and ``rule`` says what it must satisfy.
    """

    def __init__(self, parameter: str, rule: str) -> None:
        self.parameter = parameter
        self.rule = rule
        super().__init__(f"{parameter}: {rule}")


class CredentialsError(YunxiaoError):
    """No usable credentials, or a credentials source is malformed. Never shows a secret."""


class TransportError(YunxiaoError):
    """The request did not get an answer: connection refused or dropped, timeout, TLS failure."""


class ApiError(YunxiaoError):
    """The service or its gateway answered with an error.

    Attributes:
        code: ``errorCode`` (service) or ``Code`` (gateway); may be a code this package does not
            know. Empty when the body could not be parsed.
        message: the human-readable message of the answer, or an excerpt of a non-JSON body.
        request_id: the answer's request id; quote it in support tickets.
        status_code: the HTTP status.
        recommend: the gateway's troubleshooting link, when it gave one.
        host_id: the gateway's ``HostId``, when it gave one.
        trace_id: the token API's ``traceId`` (or the gateway's ``x-acs-trace-id``).
        body: the parsed JSON body (a dict), or None when the body was not JSON.
        retry_after: the server's ``x-acs-retry-after`` hint in seconds, when it gave one.
        response: the ``httpx.Response`` the error came from (status, headers, body).
    """

    def __init__(
        self,
        *,
        code: str,
        message: str,
        request_id: str | None,
        status_code: int,
        recommend: str | None = None,
        host_id: str | None = None,
        body: Mapping[str, Any] | None = None,
        retry_after: float | None = None,
        trace_id: str | None = None,
        response: httpx.Response | None = None,
    ) -> None:
        self.code = code
        self.message = message
        self.request_id = request_id
        self.status_code = status_code
        self.recommend = recommend
        self.host_id = host_id
        self.body = dict(body) if body is not None else None
        self.retry_after = retry_after
        self.trace_id = trace_id
        self.response = response
        super().__init__(self._summary())

    def _summary(self) -> str:
        text = f"HTTP {self.status_code}"
        if self.code:
            text += f" {self.code}"
        if self.message:
            text += f": {self.message}"
        if self.request_id:
            text += f" (request id {self.request_id})"
        return text

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(code={self.code!r}, message={self.message!r}, "
            f"request_id={self.request_id!r}, status_code={self.status_code!r})"
        )


class NotFoundError(ApiError):
    """The organization, pipeline, run, job or artifact does not exist (``*.NotFound``)."""


class ForbiddenError(ApiError):
    """The caller may not perform the operation (``Forbidden.*``)."""


class InvalidParameterError(ApiError):
    """The service rejected a parameter (``InvalidParam.*`` and similar)."""


class AuthenticationError(ApiError):
    """The gateway rejected the signature, timestamp, nonce, access key or security token."""


class ThrottledError(ApiError):
    """Too many requests. ``retry_after`` is the server's hint in seconds, when it gave one."""


class ServerError(ApiError):
    """The service or gateway failed (5xx, ``InternalError``, ``ServiceUnavailable``)."""


class DownloadError(YunxiaoError):
    """The artifact could not be downloaded; ``__cause__`` holds the underlying failure."""


class ChecksumMismatchError(DownloadError):
    """The downloaded bytes do not have the md5 the API announced. No file is left behind."""

    def __init__(self, expected: str, actual: str) -> None:
        self.expected = expected
        self.actual = actual
        super().__init__(f"md5 mismatch: expected {expected}, got {actual}")


class NoMatchError(YunxiaoError, LookupError):
    """What the client looked for in the answers is not there, or not just one: no run of that
    status, no EMAS artifact in a run's jobs, several where one is needed, no EMAS service
    connection. The message lists the candidates (jobs and the keys they report, artifacts,
    connections); ``candidates`` holds them as text, and every value can be given by hand."""

    def __init__(self, message: str, candidates: list[str] | None = None) -> None:
        self.candidates = list(candidates or ())
        super().__init__(message)


# Known codes by meaning. Service codes are the 19 documented on the API reference page (also in
# openapi.yaml, x-error-codes); gateway codes are the API gateway's. Codes are an open set:
# anything else falls back to a family rule below, then to ApiError.
_AUTH_CODES = frozenset(
    {
        "IncompleteSignature",
        "SignatureDoesNotMatch",
        "InvalidTimeStamp.Expired",
        "InvalidTimeStamp.Format",
        "SignatureNonceUsed",
        "InvalidAccessKeyId.NotFound",
        "InvalidAccessKeyId.Inactive",
        "InvalidSecurityToken.Expired",
        "InvalidSecurityToken.Malformed",
        "InvalidSecurityToken.MismatchWithAccessKey",
        "MissingSecurityToken",
    }
)
_THROTTLING_CODES = frozenset({"Throttling", "Throttling.User", "Throttling.Api"})
_SERVER_CODES = frozenset({"InternalError", "ServiceUnavailable", "ServiceUnavailable.Timeout"})
_NOT_FOUND_CODES = frozenset(
    {
        "InvalidCluster.NotFound",
        "InvalidResource.NotFound",
        "InvalidResourceRole.NotFoun",  # sic: the reference lists this spelling too
        "InvalidResourceRole.NotFound",
        "InvalidUser.NotFound",
        "InvalidUser.ResourceMemberNotExists",
        "InvalidIdentifier.NotFound",
        "InvalidOrganization.NotFound",
        "InvalidPipeline.NotFound",
        "InvalidPipelineRun.NotFound",
        "InvalidWorkspace.NotFound",
        "InvalidAction.NotFound",
    }
)
_FORBIDDEN_CODES = frozenset(
    {
        "Forbidden.AccessDenied",
        "Forbidden.UserNotAdminOrOwner",
        "Forbidden.UserNotInCurrentOrganization",
        # Documented under 400 and 404 with the meaning "not a member": a permission problem.
        "InvalidUser.UserNotInCurrentOrganization",
        "InvalidUser.ResourceMemberCouldNotDeleteOwner",
    }
)
_INVALID_PARAMETER_CODES = frozenset(
    {"InvalidParam.ParamNotPresent", "InvalidCodeUrl.NotSupportSVN", "InvalidVersion"}
)


# The token API's statuses carry the meaning (its codes are not documented).
_CLASS_OF_STATUS: dict[int, type[ApiError]] = {
    400: InvalidParameterError,
    401: AuthenticationError,
    403: ForbiddenError,
    404: NotFoundError,
    422: InvalidParameterError,
    429: ThrottledError,
}


def error_class_for(
    code: str,
    status_code: int,
    retry_after: float | None = None,
    *,
    status_decides: bool = False,
) -> type[ApiError]:
    """The exception class for an error answer.

    The signed API is decided by code (its gateway's statuses disagree between sources), the
    status breaking ties only for unknown codes. The token API is decided by status
    (``status_decides``: 401, 403, 404, 429, 5xx mean what they say), then by code.

    >>> error_class_for("InvalidPipeline.NotFound", 404).__name__
    'NotFoundError'
    >>> error_class_for("SomethingNew", 400).__name__
    'ApiError'
    >>> error_class_for("SomethingNew", 401, status_decides=True).__name__
    'AuthenticationError'
    """
    if status_decides:
        if status_code >= 500:
            return ServerError
        by_status = _CLASS_OF_STATUS.get(status_code)
        if by_status is not None:
            return by_status
    if code in _AUTH_CODES:
        return AuthenticationError
    if code in _THROTTLING_CODES or code.startswith("Throttling."):
        return ThrottledError
    if code in _NOT_FOUND_CODES:
        return NotFoundError
    if code in _FORBIDDEN_CODES or code.startswith("Forbidden."):
        return ForbiddenError
    if code in _INVALID_PARAMETER_CODES or code.startswith("InvalidParam."):
        return InvalidParameterError
    if code in _SERVER_CODES or (not code and status_code >= 500):
        return ServerError
    if not code and (status_code == 429 or retry_after is not None):
        return ThrottledError
    return ApiError
