"""State and rules of the emulated service and of the API gateway in front of it.

Everything here is synchronous and free of HTTP framework types: :mod:`._app` turns ASGI
requests into :class:`ApiRequest` / download arguments and the answers back into ASGI messages.
The rules that the contract states (the path, the parameter bounds, the declared statuses, the
documented service error codes with their status and message) are read from openapi.yaml, so the
emulator cannot drift from it; the gateway's messages are ours, modelled on Alibaba Cloud's.
"""

from __future__ import annotations

import base64
import calendar
import collections
import email.utils
import functools
import hashlib
import hmac
import math
import re
import secrets
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, NamedTuple
from urllib.parse import parse_qsl, quote, unquote
from xml.sax.saxutils import escape

import httpx

from .._spec import load_spec, resolve
from ..credentials import AccessKeyCredentials
from ..auth.acs3 import ACTION, ALGORITHM, DATE_FORMAT, VERSION, sign_parts

if TYPE_CHECKING:
    from starlette.applications import Starlette

__all__ = [
    "DEFAULT_ACCESS_KEY_ID",
    "DEFAULT_ACCESS_KEY_SECRET",
    "DOWNLOAD_PREFIX",
    "ApiAnswer",
    "ApiRequest",
    "Call",
    "ConnectionDropped",
    "DownloadAnswer",
    "EmulatedService",
]

DEFAULT_ACCESS_KEY_ID = "LTAI5tEmulatorAccessKey"
DEFAULT_ACCESS_KEY_SECRET = "emulator-secret-do-not-use-elsewhere"  # noqa: S105 (a test key)
DOWNLOAD_PREFIX = "/emas-artifacts/"

SKEW_LIMIT_SECONDS = 15 * 60
NONCE_WINDOW_SECONDS = 31 * 60
DEFAULT_URL_TTL = 3600
_REQUIRED_HEADERS = (
    "host",
    "x-acs-action",
    "x-acs-version",
    "x-acs-date",
    "x-acs-signature-nonce",
    "x-acs-content-sha256",
)
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z")
_DIGITS = re.compile(r"[0-9]+")
_AUTHORIZATION = re.compile(
    re.escape(ALGORITHM)
    + r" Credential=(?P<id>[^,\s]+),SignedHeaders=(?P<headers>[^,\s]+),Signature=(?P<sig>[0-9a-f]+)"
)
_FILENAME_FORBIDDEN = re.compile(r"[\x00-\x1f\x7f/\\]")
_CHUNK = 256 * 1024

# The gateway's codes (openapi.yaml, GatewayError.x-error-codes, plus two the client knows) with
# the HTTP status and message the emulator answers them with. Public pages disagree on some
# statuses; these follow Alibaba Cloud's error center. A test pins that every code of the
# contract is here.
_GATEWAY_ERRORS: dict[str, tuple[int, str]] = {
    "IncompleteSignature": (400, "The request signature does not conform to Aliyun standards."),
    "SignatureDoesNotMatch": (
        400,
        "The request signature does not conform to Aliyun standards. server string to sign is:",
    ),
    "InvalidTimeStamp.Expired": (400, "Specified time stamp or date value is expired."),
    "InvalidTimeStamp.Format": (400, "Specified time stamp or date value is not well formatted."),
    "SignatureNonceUsed": (400, "Specified signature nonce was used already."),
    "InvalidAccessKeyId.NotFound": (404, "Specified access key is not found."),
    "InvalidAccessKeyId.Inactive": (400, "Specified access key is disabled."),
    "InvalidSecurityToken.Expired": (400, "Specified SecurityToken is expired."),
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
    "Throttling": (429, "Request was denied due to request throttling."),
    "Throttling.User": (429, "Request was denied due to user flow control."),
    "Throttling.Api": (429, "Request was denied due to api flow control."),
    "InternalError": (500, "The request processing has failed due to some unknown error."),
    "ServiceUnavailable": (503, "The request has failed due to a temporary failure of the server."),
}
# The code a fault gets when only its status is given.
_CODE_FOR_STATUS = {
    429: "Throttling",
    500: "InternalError",
    502: "InternalError",
    503: "ServiceUnavailable",
    504: "ServiceUnavailable",
}


class ConnectionDropped(httpx.RemoteProtocolError):
    """Raised inside the ASGI app to cut the connection in the middle of an answer.

    uvicorn closes the socket when an app raises after the response has started, so a client
    over HTTP sees a truncated answer. In-process transports (``httpx.ASGITransport``) hand the
    exception to the client instead; deriving from :class:`httpx.RemoteProtocolError` makes that
    the same transport error a client sees over a real socket.
    """


class Call(NamedTuple):
    """One request the emulator answered, for tests that count attempts.

    ``path`` is the path as sent (still percent-encoded, without the query). ``status`` is
    ``None`` when the emulator cut the connection before the answer was complete (see
    :meth:`EmulatedService.drop_next` and :meth:`EmulatedService.drop_download_after`);
    ``code`` is the error code of the answer (``None`` on success).
    """

    method: str
    path: str
    status: int | None
    code: str | None


@dataclass(frozen=True)
class ApiRequest:
    """An API request as data. ``headers`` has lower-case names."""

    method: str
    raw_path: str
    query_string: str
    headers: Mapping[str, str]
    body: bytes
    scheme: str
    host: str


@dataclass(frozen=True)
class ApiAnswer:
    """What to send back for an API request; ``drop`` means: cut the connection instead."""

    status: int
    body: dict[str, Any]
    headers: dict[str, str]
    code: str | None
    drop: bool = False


@dataclass(frozen=True)
class DownloadAnswer:
    """What to send back for a download: ``body`` is a view on the stored bytes, not a copy.

    ``drop_after`` cuts the connection after that many body bytes; ``corrupt`` flips the first
    byte sent.
    """

    status: int
    headers: dict[str, str]
    body: bytes | memoryview
    drop_after: int | None = None
    corrupt: bool = False


# --- the contract, read from openapi.yaml ---------------------------------------------------


@dataclass(frozen=True)
class _ParamRule:
    name: str
    location: str
    kind: str
    minimum: int | None
    maximum: int | None
    min_length: int | None
    max_length: int | None

    def parse(self, raw: str) -> int | str | None:
        """The value, or None when it breaks the contract's rule."""
        if self.kind == "integer":
            if not _DIGITS.fullmatch(raw):
                return None
            number = int(raw)
            if self.minimum is not None and number < self.minimum:
                return None
            if self.maximum is not None and number > self.maximum:
                return None
            return number
        if self.min_length is not None and len(raw) < self.min_length:
            return None
        if self.max_length is not None and len(raw) > self.max_length:
            return None
        return raw


@dataclass(frozen=True)
class _ServiceCode:
    code: str
    status: int
    message: str


@dataclass(frozen=True)
class _Contract:
    path_segments: tuple[str, ...]
    params: Mapping[str, _ParamRule]
    statuses: frozenset[int]
    service_codes: tuple[_ServiceCode, ...]
    gateway_codes: frozenset[str]


@functools.cache
def contract() -> _Contract:
    """The parts of openapi.yaml the emulator enforces (read once per process)."""
    document = load_spec()
    ((path, item),) = document["paths"].items()
    operation = item["post"]
    params: dict[str, _ParamRule] = {}
    for raw in operation["parameters"]:
        param = resolve(document, raw)
        schema = resolve(document, param["schema"])
        params[param["name"]] = _ParamRule(
            name=param["name"],
            location=param["in"],
            kind=schema["type"],
            minimum=schema.get("minimum"),
            maximum=schema.get("maximum"),
            min_length=schema.get("minLength"),
            max_length=schema.get("maxLength"),
        )
    schemas = document["components"]["schemas"]
    return _Contract(
        path_segments=tuple(path.split("/")),
        params=params,
        statuses=frozenset(int(status) for status in operation["responses"]),
        service_codes=tuple(
            _ServiceCode(str(entry["code"]), int(entry["status"]), str(entry["message"]))
            for entry in schemas["ServiceError"]["x-error-codes"]
        ),
        gateway_codes=frozenset(
            str(entry["code"]) for entry in schemas["GatewayError"]["x-error-codes"]
        ),
    )


# --- state ----------------------------------------------------------------------------------


@dataclass
class _Key:
    access_key_id: str
    secret: str
    security_token: str | None = None
    expires_at: float | None = None
    active: bool = True


@dataclass
class _Artifact:
    content: bytes
    md5: str
    filename: str
    service_connection_id: int | None
    token: str
    last_modified: float


# job id -> md5 -> artifact; run id -> jobs; pipeline id -> runs
_Jobs = dict[str, dict[str, _Artifact]]
_Runs = dict[int, _Jobs]


@dataclass
class _Organization:
    members: set[str] | None = None
    pipelines: dict[int, _Runs] = field(default_factory=dict)


@dataclass(frozen=True)
class _Fault:
    kind: Literal["error", "drop"]
    status: int = 0
    code: str = ""
    message: str = ""
    shape: Literal["service", "gateway"] = "service"
    retry_after: int | None = None


class _Reject(Exception):
    def __init__(self, answer: ApiAnswer) -> None:
        super().__init__(answer.code)
        self.answer = answer


@dataclass(frozen=True)
class _Context:
    request_id: str
    host: str


def _new_request_id() -> str:
    return str(uuid.uuid4()).upper()


def _check_id(name: str, value: object) -> int:
    rule = contract().params[name]
    if isinstance(value, bool) or not isinstance(value, int) or rule.parse(str(value)) is None:
        raise ValueError(f"{name} must be an int in {rule.minimum}..{rule.maximum}, got {value!r}")
    return value


def _check_text(name: str, value: object) -> str:
    rule = contract().params[name]
    if not isinstance(value, str) or rule.parse(value) is None:
        raise ValueError(
            f"{name} must be a str of {rule.min_length}..{rule.max_length} characters, "
            f"got {value!r}"
        )
    return value


class EmulatedService:
    """An in-memory GetPipelineEmasArtifactUrl service with its API gateway, for tests.

    It verifies real V3 signatures (with the same canonical-request code as the client), checks
    the clock skew, nonce reuse, STS tokens, the action and version headers and an optional rate
    limit, then answers from its organizations, pipelines, runs, jobs and artifacts with the
    bodies, statuses and codes of openapi.yaml. Artifacts are served at pre-signed, expiring
    URLs on the emulator itself, with ``Range`` support.

    >>> service = EmulatedService(access_keys={"AKID": "secret"})
    >>> md5 = service.add_artifact("org-1", 1111, 1, "job-1", b"apk", service_connection_id=122)
    >>> md5
    '44b7d352026ef7177875a6cb619d638f'

    Args:
        access_keys: AccessKey id -> secret. Defaults to one key,
            :data:`DEFAULT_ACCESS_KEY_ID` / :data:`DEFAULT_ACCESS_KEY_SECRET`.
        sts_tokens: STS AccessKey id -> ``(secret, security_token)``; requests with these keys
            must carry the token (see :meth:`expire_security_token`).
        members: organization id -> the AccessKey ids that are its members. An organization
            without an entry (the default) admits every configured key; one with an entry admits
            only those keys, and others get ``Forbidden.UserNotInCurrentOrganization``.
        now: the clock, in epoch seconds. It drives the ``x-acs-date`` skew check, the nonce
            window, the rate limit, URL expiry and the ``Date`` header, so tests can move it.
        url_ttl: how long a download URL stays valid, in seconds (one hour, like the service).
        rate_limit: ``(requests, per_seconds)`` allowed per AccessKey, or None for no limit;
            beyond it the gateway answers ``Throttling.User`` with ``x-acs-retry-after``.
    """

    def __init__(
        self,
        access_keys: Mapping[str, str] | None = None,
        *,
        sts_tokens: Mapping[str, tuple[str, str]] | None = None,
        members: Mapping[str, Iterable[str]] | None = None,
        now: Callable[[], float] = time.time,
        url_ttl: int = DEFAULT_URL_TTL,
        rate_limit: tuple[int, float] | None = None,
    ) -> None:
        self._lock = threading.RLock()
        self._clock = now
        self._clock_offset = 0.0
        self.url_ttl = url_ttl
        self.rate_limit = rate_limit
        self.latency = 0.0
        """Seconds to wait before answering each API call (not downloads)."""
        self.calls: list[Call] = []
        """Every request answered (API calls and downloads), in order."""

        self._keys: dict[str, _Key] = {}
        if access_keys is None:
            access_keys = {DEFAULT_ACCESS_KEY_ID: DEFAULT_ACCESS_KEY_SECRET}
        for key_id, secret in access_keys.items():
            self.add_access_key(key_id, secret)
        for key_id, (secret, token) in (sts_tokens or {}).items():
            self.add_access_key(key_id, secret, security_token=token)

        self._organizations: dict[str, _Organization] = {}
        for organization_id, key_ids in (members or {}).items():
            self.set_members(organization_id, key_ids)
        self._by_token: dict[str, _Artifact] = {}

        # Download URLs are signed with the current key; expire_urls() retires it, so URLs
        # signed with a retired key are recognised as expired rather than forged.
        self._url_key = secrets.token_bytes(32)
        self._retired_url_keys: list[bytes] = []
        self._nonces: dict[tuple[str, str], float] = {}
        self._admitted: dict[str, collections.deque[float]] = {}
        self._faults: collections.deque[_Fault] = collections.deque()
        self._download_drops: collections.deque[int] = collections.deque()
        self._download_corruptions = 0
        self._app: Starlette | None = None

    # --- configuration ----------------------------------------------------------------------

    def now(self) -> float:
        """The emulator's clock: ``now()`` given at construction plus :meth:`advance_clock`."""
        return self._clock() + self._clock_offset

    def advance_clock(self, seconds: float) -> None:
        """Move the emulator's clock (negative values move it back)."""
        with self._lock:
            self._clock_offset += seconds

    def add_access_key(
        self,
        access_key_id: str,
        secret: str,
        *,
        security_token: str | None = None,
        expires_at: float | None = None,
    ) -> None:
        """Accept an AccessKey (an STS one when ``security_token`` is given).

        ``expires_at`` (epoch seconds on the emulator's clock) makes the token expire.
        """
        if not access_key_id or not secret:
            raise ValueError("access_key_id and secret must be non-empty")
        with self._lock:
            self._keys[access_key_id] = _Key(access_key_id, secret, security_token, expires_at)

    def deactivate_access_key(self, access_key_id: str) -> None:
        """Disable a key: its requests get ``InvalidAccessKeyId.Inactive``."""
        with self._lock:
            self._keys[access_key_id].active = False

    def expire_security_token(self, access_key_id: str) -> None:
        """Make an STS key's token expired: ``InvalidSecurityToken.Expired`` from now on."""
        with self._lock:
            self._keys[access_key_id].expires_at = self.now() - 1

    @property
    def default_credentials(self) -> AccessKeyCredentials:
        """Credentials the emulator accepts: the default key if configured, else the first one."""
        with self._lock:
            if not self._keys:
                raise LookupError("the emulator has no AccessKey configured")
            key = self._keys.get(DEFAULT_ACCESS_KEY_ID) or next(iter(self._keys.values()))
            return AccessKeyCredentials(key.access_key_id, key.secret, key.security_token)

    def add_organization(self, organization_id: str) -> None:
        """Make an organization exist (``add_artifact`` does this on its own)."""
        _check_text("organizationId", organization_id)
        with self._lock:
            self._organizations.setdefault(organization_id, _Organization())

    def set_members(self, organization_id: str, access_key_ids: Iterable[str]) -> None:
        """Restrict an organization to exactly these AccessKey ids."""
        _check_text("organizationId", organization_id)
        with self._lock:
            organization = self._organizations.setdefault(organization_id, _Organization())
            organization.members = set(access_key_ids)

    def add_member(self, access_key_id: str, organization_id: str) -> None:
        """Make a key a member of an organization.

        On an organization still open to every key this first restricts it to the keys
        configured now, so later keys are not members unless added.
        """
        with self._lock:
            organization = self._restricted(organization_id)
            assert organization.members is not None
            organization.members.add(access_key_id)

    def remove_member(self, access_key_id: str, organization_id: str) -> None:
        """Take a key out of an organization (see :meth:`add_member` for open organizations)."""
        with self._lock:
            organization = self._restricted(organization_id)
            assert organization.members is not None
            organization.members.discard(access_key_id)

    def _restricted(self, organization_id: str) -> _Organization:
        _check_text("organizationId", organization_id)
        organization = self._organizations.setdefault(organization_id, _Organization())
        if organization.members is None:
            organization.members = set(self._keys)
        return organization

    def add_artifact(
        self,
        organization_id: str,
        pipeline_id: int,
        pipeline_run_id: int,
        emas_job_instance_id: str,
        content: bytes,
        *,
        service_connection_id: int | None = None,
        filename: str = "artifact.apk",
        md5: str | None = None,
    ) -> str:
        """Register an artifact (and its organization, pipeline, run and job); return its md5.

        With ``service_connection_id`` the API answers only calls naming that service
        connection (others get ``Forbidden.AccessDenied``); without it, any id is accepted.
        ``content`` is kept as given, not copied. Ids follow the contract's rules, so an
        artifact the API could never reach is refused with ``ValueError``.

        ``md5`` is the checksum the EMAS job reports, the last path parameter of the API. It
        defaults to the hex md5 of ``content``; another value emulates a job whose reported
        checksum is not its file's (a client that verifies downloads must then fail). The
        download's ``ETag`` is always the md5 of the bytes served.
        """
        _check_text("organizationId", organization_id)
        _check_id("pipelineId", pipeline_id)
        _check_id("pipelineRunId", pipeline_run_id)
        _check_text("emasJobInstanceId", emas_job_instance_id)
        if service_connection_id is not None:
            _check_id("serviceConnectionId", service_connection_id)
        if not isinstance(content, bytes):
            raise TypeError(f"content must be bytes, got {type(content).__name__}")
        if (
            not filename
            or filename in {".", ".."}
            or len(filename) > 255
            or _FILENAME_FORBIDDEN.search(filename)
        ):
            raise ValueError(f"filename {filename!r} is not a plain file name")
        actual_md5 = hashlib.md5(content, usedforsecurity=False).hexdigest()
        md5 = actual_md5 if md5 is None else _check_text("md5", md5)
        with self._lock:
            artifact = _Artifact(
                content=content,
                md5=actual_md5,
                filename=filename,
                service_connection_id=service_connection_id,
                token=secrets.token_urlsafe(18),
                last_modified=self.now(),
            )
            organization = self._organizations.setdefault(organization_id, _Organization())
            runs = organization.pipelines.setdefault(pipeline_id, {})
            jobs = runs.setdefault(pipeline_run_id, {})
            jobs.setdefault(emas_job_instance_id, {})[md5] = artifact
            self._by_token[artifact.token] = artifact
        return md5

    # --- fault injection --------------------------------------------------------------------

    def fail_next(
        self,
        count: int = 1,
        *,
        code: str | None = None,
        status: int | None = None,
        message: str | None = None,
        retry_after: int | None = None,
        shape: Literal["service", "gateway"] | None = None,
    ) -> None:
        """Make the next ``count`` authenticated API calls fail with an error answer.

        - A documented service code (openapi.yaml, ``ServiceError.x-error-codes``) answers in
          the service body with its documented status and message; ``status`` picks among the
          documented ones when a code is listed twice (``InvalidUser.UserNotInCurrentOrganization``
          is 400 and 404), and ``status=200`` makes it a 200 with ``success: false``.
        - A gateway code (``InternalError``, ``ServiceUnavailable``, ``Throttling.User``, ...)
          answers in the gateway body with the gateway's status.
        - Without a code, ``status`` (429 or 5xx) picks one: ``Throttling``, ``InternalError``
          or ``ServiceUnavailable``. Without either: ``InternalError``, 500.
        - Any other code needs a ``status``; it answers in the service body unless
          ``shape="gateway"``.

        ``retry_after`` adds ``x-acs-retry-after`` (seconds). The faults queue up with
        :meth:`drop_next` in the order they were asked for, and fire after the gateway has
        accepted the signature, so unsigned or badly signed requests do not use them up.

        >>> service = EmulatedService()
        >>> service.fail_next(2, code="ServiceUnavailable", retry_after=1)
        >>> service.fail_next(code="InvalidCluster.NotFound")
        """
        fault = self._fault(code, status, message, retry_after, shape)
        with self._lock:
            self._faults.extend([fault] * _positive("count", count))

    def _fault(
        self,
        code: str | None,
        status: int | None,
        message: str | None,
        retry_after: int | None,
        shape: Literal["service", "gateway"] | None,
    ) -> _Fault:
        declared = contract().statuses
        if retry_after is not None:
            _positive("retry_after", retry_after)
        if code is None:
            code = _CODE_FOR_STATUS.get(status if status is not None else 500)
            if code is None:
                raise ValueError(f"fail_next(status={status}) needs a code (4xx answers carry one)")
        documented = [entry for entry in contract().service_codes if entry.code == code]
        if documented and shape != "gateway":
            entry = next((e for e in documented if e.status == status), documented[0])
            status = entry.status if status is None else status
            message = entry.message if message is None else message
            shape = "service"
        elif code in _GATEWAY_ERRORS and shape != "service":
            default_status, default_message = _GATEWAY_ERRORS[code]
            status = default_status if status is None else status
            message = default_message if message is None else message
            shape = "gateway"
        elif status is None:
            raise ValueError(f"fail_next(code={code!r}) is not a documented code: give a status")
        if status != 200 and status not in declared:
            raise ValueError(
                f"status {status} is not declared in openapi.yaml ({sorted(declared)}): "
                "the emulator only answers with declared statuses"
            )
        if status == 200 and shape == "gateway":
            raise ValueError("a 200 answer carries the service body, not the gateway's")
        return _Fault(
            kind="error",
            status=status,
            code=code,
            message=message if message is not None else code,
            shape=shape or "service",
            retry_after=retry_after,
        )

    def drop_next(self, count: int = 1) -> None:
        """Cut the connection of the next ``count`` authenticated API calls.

        The emulator sends the status line, headers and a ``Content-Length``, part of the body,
        then closes the socket: clients see a truncated answer (``httpx.RemoteProtocolError``),
        which is safe to retry. Queued with :meth:`fail_next`, in order.
        """
        with self._lock:
            self._faults.extend([_Fault(kind="drop")] * _positive("count", count))

    def drop_download_after(self, offset: int, count: int = 1) -> None:
        """Cut the next ``count`` artifact downloads (GET) after ``offset`` bytes of body.

        The answer announces the full ``Content-Length``, so the client sees a truncated body;
        it can resume with ``Range: bytes=<received>-``. An offset at or past the end of the
        body cuts nothing (the fault is used up all the same).
        """
        if offset < 0:
            raise ValueError("offset must be >= 0")
        with self._lock:
            self._download_drops.extend([offset] * _positive("count", count))

    def corrupt_next_download(self, count: int = 1) -> None:
        """Flip the first byte of the body of the next ``count`` artifact downloads (GET)."""
        with self._lock:
            self._download_corruptions += _positive("count", count)

    def expire_urls(self) -> None:
        """Make every download URL issued so far answer 403 ``Request has expired``.

        Moving the clock past ``url_ttl`` with :meth:`advance_clock` has the same effect.
        """
        with self._lock:
            self._retired_url_keys.append(self._url_key)
            self._url_key = secrets.token_bytes(32)

    def clear_faults(self) -> None:
        """Forget every queued fault (API and download) and the latency."""
        with self._lock:
            self._faults.clear()
            self._download_drops.clear()
            self._download_corruptions = 0
            self.latency = 0.0

    # --- serving ----------------------------------------------------------------------------

    @property
    def asgi_app(self) -> Starlette:
        """The emulator as a Starlette (ASGI) application, built once."""
        with self._lock:
            if self._app is None:
                from ._app import build_app

                self._app = build_app(self)
            return self._app

    def serve(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        ssl_certfile: str | None = None,
        ssl_keyfile: str | None = None,
    ) -> AbstractContextManager[str]:
        """Run the emulator with uvicorn in a background thread; see :func:`serve`."""
        from ._server import serve

        return serve(self, host=host, port=port, ssl_certfile=ssl_certfile, ssl_keyfile=ssl_keyfile)

    @property
    def api_calls(self) -> list[Call]:
        """The API calls among :attr:`calls`."""
        with self._lock:
            return [call for call in self.calls if not call.path.startswith(DOWNLOAD_PREFIX)]

    @property
    def download_calls(self) -> list[Call]:
        """The downloads among :attr:`calls`."""
        with self._lock:
            return [call for call in self.calls if call.path.startswith(DOWNLOAD_PREFIX)]

    def http_date(self) -> str:
        """The emulator's clock as an HTTP ``Date`` value."""
        return email.utils.formatdate(self.now(), usegmt=True)

    # --- the API ----------------------------------------------------------------------------

    def handle_api(self, request: ApiRequest) -> ApiAnswer:
        """Answer one API request: gateway rules, faults, then the service's."""
        context = _Context(request_id=_new_request_id(), host=request.host)
        with self._lock:
            try:
                answer = self._answer(request, context)
            except _Reject as rejection:
                answer = rejection.answer
            status = None if answer.drop else answer.status
            self.calls.append(Call(request.method, request.raw_path, status, answer.code))
        return answer

    def _answer(self, request: ApiRequest, context: _Context) -> ApiAnswer:
        raw_params = self._route(request, context)
        key = self._authenticate(request, context)
        self._throttle(key, context)
        if self._faults:
            fault = self._faults.popleft()
            if fault.kind == "drop":
                return ApiAnswer(200, {}, self._headers(context), None, drop=True)
            raise _Reject(self._fault_answer(fault, context))
        organization_id, pipeline_id, run_id, job_id, md5, connection_id = self._params(
            raw_params, request, context
        )
        organization = self._organizations.get(organization_id)
        if organization is None:
            raise _Reject(self._service_error("InvalidOrganization.NotFound", context))
        if organization.members is not None and key.access_key_id not in organization.members:
            raise _Reject(self._service_error("Forbidden.UserNotInCurrentOrganization", context))
        runs = organization.pipelines.get(pipeline_id)
        if runs is None:
            raise _Reject(self._service_error("InvalidPipeline.NotFound", context))
        jobs = runs.get(run_id)
        if jobs is None:
            raise _Reject(self._service_error("InvalidPipelineRun.NotFound", context))
        # An unknown job and an unknown md5 both answer InvalidIdentifier.NotFound: the closest
        # documented 404 ("space id is error or not exist"). A 404 rather than the 400
        # InvalidResource.NotFound, because well-formed ids that name nothing are "not found".
        artifacts = jobs.get(job_id)
        if artifacts is None or md5 not in artifacts:
            raise _Reject(self._service_error("InvalidIdentifier.NotFound", context))
        artifact = artifacts[md5]
        if (
            artifact.service_connection_id is not None
            and artifact.service_connection_id != connection_id
        ):
            raise _Reject(self._service_error("Forbidden.AccessDenied", context))
        body = {
            "requestId": context.request_id,
            "success": True,
            "errorCode": "",
            "errorMessage": "",
            "fileUrl": self._issue_url(artifact, request.scheme, request.host),
        }
        return ApiAnswer(200, body, self._headers(context), None)

    def _route(self, request: ApiRequest, context: _Context) -> dict[str, str]:
        """The raw (still encoded) path parameters, or InvalidAction.NotFound."""
        template = contract().path_segments
        segments = request.raw_path.split("/")
        if request.method != "POST" or len(segments) != len(template):
            raise _Reject(self._gateway_error("InvalidAction.NotFound", context))
        params: dict[str, str] = {}
        for expected, actual in zip(template, segments, strict=True):
            if expected.startswith("{"):
                params[expected.strip("{}")] = actual
            elif expected != actual:
                raise _Reject(self._gateway_error("InvalidAction.NotFound", context))
        return params

    def _params(
        self, raw_params: Mapping[str, str], request: ApiRequest, context: _Context
    ) -> tuple[str, int, int, str, str, int]:
        rules = contract().params
        values: dict[str, int | str] = {}
        for name, raw in raw_params.items():
            value = rules[name].parse(unquote(raw))
            if value is None:
                raise _Reject(self._service_error("InvalidParam.ParamNotPresent", context))
            values[name] = value
        query = [
            value
            for name, value in parse_qsl(request.query_string, keep_blank_values=True)
            if name == "serviceConnectionId"
        ]
        connection = rules["serviceConnectionId"].parse(query[0]) if len(query) == 1 else None
        if connection is None:
            raise _Reject(self._service_error("InvalidParam.ParamNotPresent", context))
        return (
            str(values["organizationId"]),
            int(values["pipelineId"]),
            int(values["pipelineRunId"]),
            str(values["emasJobInstanceId"]),
            str(values["md5"]),
            int(connection),
        )

    # --- the gateway ------------------------------------------------------------------------

    def _authenticate(self, request: ApiRequest, context: _Context) -> _Key:
        headers = request.headers
        authorization = headers.get("authorization")
        if authorization is None:
            raise _Reject(self._incomplete(context, "The Authorization header is missing."))
        match = _AUTHORIZATION.fullmatch(authorization.strip())
        if match is None:
            raise _Reject(
                self._incomplete(
                    context,
                    f"The Authorization header must be '{ALGORITHM} Credential=<AccessKeyId>,"
                    "SignedHeaders=<names>,Signature=<hex>'.",
                )
            )
        for name in _REQUIRED_HEADERS:
            if not headers.get(name):
                raise _Reject(self._incomplete(context, f"The header {name} is missing."))
        if headers["x-acs-action"] != ACTION:
            raise _Reject(self._gateway_error("InvalidAction.NotFound", context))
        if headers["x-acs-version"] != VERSION:
            raise _Reject(self._gateway_error("InvalidVersion", context))
        self._check_date(headers["x-acs-date"], context)

        signed = match["headers"].split(";")
        must_sign = {name for name in headers if name.startswith("x-acs-") or name == "host"}
        unsigned = sorted(must_sign - set(signed))
        if unsigned:
            raise _Reject(self._incomplete(context, f"The header {unsigned[0]} must be signed."))
        absent = [name for name in signed if name not in headers]
        if absent:
            raise _Reject(self._incomplete(context, f"The signed header {absent[0]} is missing."))

        key = self._keys.get(match["id"])
        if key is None:
            raise _Reject(self._gateway_error("InvalidAccessKeyId.NotFound", context))
        if not key.active:
            raise _Reject(self._gateway_error("InvalidAccessKeyId.Inactive", context))
        self._check_token(key, headers, context)

        to_sign = {name: headers[name] for name in signed}
        actual_hash = hashlib.sha256(request.body).hexdigest()
        payload_ok = hmac.compare_digest(headers["x-acs-content-sha256"], actual_hash)
        # The string to sign of the request as received, with the hash of the body received.
        parts = sign_parts(
            key.secret,
            request.method,
            request.raw_path,
            parse_qsl(request.query_string, keep_blank_values=True),
            {**to_sign, "x-acs-content-sha256": actual_hash},
        )
        if not payload_ok or not hmac.compare_digest(parts.signature, match["sig"]):
            prefix = _GATEWAY_ERRORS["SignatureDoesNotMatch"][1]
            raise _Reject(
                self._gateway_error(
                    "SignatureDoesNotMatch", context, message=prefix + parts.string_to_sign
                )
            )

        now = self.now()
        while self._nonces:
            oldest_key, seen = next(iter(self._nonces.items()))
            if seen > now - NONCE_WINDOW_SECONDS:
                break
            del self._nonces[oldest_key]
        nonce = (key.access_key_id, headers["x-acs-signature-nonce"])
        if nonce in self._nonces:
            raise _Reject(self._gateway_error("SignatureNonceUsed", context))
        self._nonces[nonce] = now
        return key

    def _check_date(self, value: str, context: _Context) -> None:
        if not _DATE.fullmatch(value):
            raise _Reject(self._gateway_error("InvalidTimeStamp.Format", context))
        try:
            sent = calendar.timegm(time.strptime(value, DATE_FORMAT))
        except ValueError:
            raise _Reject(self._gateway_error("InvalidTimeStamp.Format", context)) from None
        if abs(self.now() - sent) > SKEW_LIMIT_SECONDS:
            raise _Reject(self._gateway_error("InvalidTimeStamp.Expired", context))

    def _check_token(self, key: _Key, headers: Mapping[str, str], context: _Context) -> None:
        token = headers.get("x-acs-security-token")
        named = headers.get("x-acs-accesskey-id")
        if named is not None and named != key.access_key_id:
            raise _Reject(
                self._gateway_error("InvalidSecurityToken.MismatchWithAccessKey", context)
            )
        if key.security_token is None:
            if token is not None:
                raise _Reject(
                    self._gateway_error("InvalidSecurityToken.MismatchWithAccessKey", context)
                )
            return
        if token is None:
            raise _Reject(self._gateway_error("MissingSecurityToken", context))
        if not hmac.compare_digest(token, key.security_token):
            raise _Reject(self._gateway_error("InvalidSecurityToken.Malformed", context))
        if key.expires_at is not None and key.expires_at <= self.now():
            raise _Reject(self._gateway_error("InvalidSecurityToken.Expired", context))

    def _throttle(self, key: _Key, context: _Context) -> None:
        if self.rate_limit is None:
            return
        limit, per_seconds = self.rate_limit
        now = self.now()
        admitted = self._admitted.setdefault(key.access_key_id, collections.deque())
        while admitted and admitted[0] <= now - per_seconds:
            admitted.popleft()
        if len(admitted) >= limit:
            wait = max(1, math.ceil(admitted[0] + per_seconds - now))
            raise _Reject(self._gateway_error("Throttling.User", context, retry_after=wait))
        admitted.append(now)

    # --- answers ----------------------------------------------------------------------------

    def _headers(self, context: _Context, retry_after: int | None = None) -> dict[str, str]:
        headers = {"date": self.http_date(), "x-acs-request-id": context.request_id}
        if retry_after is not None:
            headers["x-acs-retry-after"] = str(retry_after)
        return headers

    def _incomplete(self, context: _Context, detail: str) -> ApiAnswer:
        message = f"{_GATEWAY_ERRORS['IncompleteSignature'][1]} {detail}"
        return self._gateway_error("IncompleteSignature", context, message=message)

    def _gateway_error(
        self,
        code: str,
        context: _Context,
        *,
        status: int | None = None,
        message: str | None = None,
        retry_after: int | None = None,
    ) -> ApiAnswer:
        default_status, default_message = _GATEWAY_ERRORS.get(code, (500, code))
        body = {
            "RequestId": context.request_id,
            "HostId": context.host,
            "Code": code,
            "Message": default_message if message is None else message,
            "Recommend": f"https://api.aliyun.com/troubleshoot?q={quote(code)}&product=devops",
        }
        return ApiAnswer(
            default_status if status is None else status,
            body,
            self._headers(context, retry_after),
            code,
        )

    def _service_error(
        self,
        code: str,
        context: _Context,
        *,
        status: int | None = None,
        message: str | None = None,
        retry_after: int | None = None,
    ) -> ApiAnswer:
        if status is None or message is None:
            entry = next(e for e in contract().service_codes if e.code == code)
            status = entry.status if status is None else status
            message = entry.message if message is None else message
        body: dict[str, Any] = {
            "requestId": context.request_id,
            "success": False,
            "errorCode": code,
            "errorMessage": message,
        }
        if status == 200:
            body["fileUrl"] = ""
        return ApiAnswer(status, body, self._headers(context, retry_after), code)

    def _fault_answer(self, fault: _Fault, context: _Context) -> ApiAnswer:
        make = self._gateway_error if fault.shape == "gateway" else self._service_error
        return make(
            fault.code,
            context,
            status=fault.status,
            message=fault.message,
            retry_after=fault.retry_after,
        )

    # --- downloads --------------------------------------------------------------------------

    @staticmethod
    def _url_signature(key: bytes, token: str, filename: str, expires: int) -> str:
        digest = hmac.new(key, f"{token}\n{filename}\n{expires}".encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).decode("ascii").rstrip("=")

    def _issue_url(self, artifact: _Artifact, scheme: str, host: str) -> str:
        expires = int(self.now()) + self.url_ttl
        signature = self._url_signature(self._url_key, artifact.token, artifact.filename, expires)
        path = f"{DOWNLOAD_PREFIX}{artifact.token}/{quote(artifact.filename, safe='')}"
        return f"{scheme}://{host}{path}?Expires={expires}&Signature={signature}"

    def handle_download(
        self,
        method: str,
        raw_path: str,
        token: str,
        filename: str,
        query_string: str,
        headers: Mapping[str, str],
        host: str,
    ) -> DownloadAnswer:
        """Answer a GET or HEAD of a download URL (an OSS-like file host, not the API)."""
        with self._lock:
            answer = self._download(method, token, filename, query_string, headers, host)
            code = None if answer.status < 400 else answer.headers.get("x-oss-ec")
            status = None if answer.drop_after is not None else answer.status
            self.calls.append(Call(method, raw_path, status, code))
            return answer

    def _download(
        self,
        method: str,
        token: str,
        filename: str,
        query_string: str,
        headers: Mapping[str, str],
        host: str,
    ) -> DownloadAnswer:
        query: dict[str, list[str]] = {}
        for name, value in parse_qsl(query_string, keep_blank_values=True):
            query.setdefault(name, []).append(value)
        expires_values = query.get("Expires", [])
        signatures = query.get("Signature", [])
        if len(expires_values) != 1 or len(signatures) != 1 or not expires_values[0].isdigit():
            return self._oss_error(
                403, "AccessDenied", "Anonymous access is forbidden for this operation.", host
            )
        expires = int(expires_values[0])
        signature = signatures[0]

        def signed_with(key: bytes) -> bool:
            expected = self._url_signature(key, token, filename, expires)
            return hmac.compare_digest(signature, expected)

        retired = any(signed_with(key) for key in self._retired_url_keys)
        if not retired and not signed_with(self._url_key):
            return self._oss_error(
                403,
                "SignatureDoesNotMatch",
                "The request signature we calculated does not match the signature you provided.",
                host,
            )
        if retired or expires < self.now():
            return self._oss_error(403, "AccessDenied", "Request has expired.", host)
        artifact = self._by_token.get(token)
        if artifact is None or artifact.filename != filename:
            return self._oss_error(404, "NoSuchKey", "The specified key does not exist.", host)

        size = len(artifact.content)
        etag = f'"{artifact.md5}"'
        common = {
            "date": self.http_date(),
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
            answer = self._oss_error(
                416, "InvalidRange", "The requested range is not satisfiable.", host
            )
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
        if method == "GET":
            if self._download_drops:
                offset = self._download_drops.popleft()
                drop_after = offset if offset < len(body) else None
            if self._download_corruptions and len(body):
                self._download_corruptions -= 1
                corrupt = True
        return DownloadAnswer(status, common, body, drop_after, corrupt)

    def _oss_error(self, status: int, code: str, message: str, host: str) -> DownloadAnswer:
        request_id = secrets.token_hex(12).upper()
        body = (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            f"<Error>\n  <Code>{escape(code)}</Code>\n  <Message>{escape(message)}</Message>\n"
            f"  <RequestId>{request_id}</RequestId>\n  <HostId>{escape(host)}</HostId>\n</Error>\n"
        ).encode()
        headers = {
            "date": self.http_date(),
            "x-oss-request-id": request_id,
            "x-oss-ec": code,
            "content-type": "application/xml",
            "content-length": str(len(body)),
        }
        return DownloadAnswer(status, headers, body)


def _positive(name: str, value: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{name} must be a positive int, got {value!r}")
    return value


def _parse_range(header: str, size: int) -> tuple[int, int] | Literal["unsatisfiable"] | None:
    """One ``bytes=`` range as inclusive offsets; None when the header is to be ignored.

    Malformed headers and multiple ranges are ignored (the whole file is sent), as RFC 9110
    allows.
    """
    unit, _, spec = header.partition("=")
    if unit.strip().lower() != "bytes" or "," in spec:
        return None
    first, dash, last = spec.strip().partition("-")
    if not dash or not (first.isdigit() or last.isdigit()):
        return None
    if (first and not first.isdigit()) or (last and not last.isdigit()):
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
