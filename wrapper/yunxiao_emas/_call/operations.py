"""The operations as data: what differs between operations and between the two APIs, written
once, in one table.

An :class:`Operation` says which logical operation it is (``artifact_url``, ``get_run``,
``latest_run``, ``list_runs``, ``list_connections``), which generated module builds its request,
which credentials select it (and so which ``httpx.Auth`` proves who calls, and with which
``x-acs-action``), its default host, and its answer parser. ``Client``/``AsyncClient``, the CLI
and ``check-contract`` read :data:`OPERATIONS`; nothing else names an operation. Every call of
every row goes through the same flow (:meth:`~yunxiao_emas._call.request.Core.call_operation`):
its parameters checked, signed or given the token, retried, bounded in time and bytes, its
answer parsed into its result model or one typed error. The two artifact operations take the
same ids, with the same rules (:class:`Ids`).

Adding an operation: describe it in openapi.yaml, regenerate, add its row here with its answer
parser (in ``responses`` or ``run_answers``), its method on the clients, and its handler in the
emulator.
"""

from __future__ import annotations

import functools
import importlib
import re
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol

import httpx

from ..auth.acs3 import AcsV3Auth, canonical_query, percent_encode
from ..auth.token import TokenAuth
from ..errors import CredentialsError
from . import responses, run_answers
from .hosts import PAT_API_HOST, SIGNED_API_HOST
from .validation import check_id, check_segment

if TYPE_CHECKING:
    from ..credentials import Credentials, CredentialsProvider
    from ..models import ArtifactUrl

__all__ = [
    "OPERATIONS",
    "SIGNED",
    "TOKEN",
    "Answer",
    "Ids",
    "Operation",
    "Prepared",
    "RequestAuth",
    "operation_for",
    "row",
]


class Ids(NamedTuple):
    """The ids of one artifact, checked and normalised (exact ``str``/``int``): what is checked
    is what is sent."""

    organization_id: str
    pipeline_id: int
    pipeline_run_id: int
    emas_job_instance_id: str
    md5: str
    service_connection_id: int

    @classmethod
    def check(
        cls,
        organization_id: object,
        pipeline_id: object,
        pipeline_run_id: object,
        emas_job_instance_id: object,
        md5: object,
        service_connection_id: object,
    ) -> Ids:
        """Validate every id before any I/O (:class:`~yunxiao_emas.InvalidArgumentError`)."""
        return cls(
            check_segment("organization_id", organization_id),
            check_id("pipeline_id", pipeline_id),
            check_id("pipeline_run_id", pipeline_run_id),
            check_segment("emas_job_instance_id", emas_job_instance_id),
            check_segment("md5", md5),
            check_id("service_connection_id", service_connection_id),
        )

    def as_kwargs(self) -> dict[str, Any]:
        return self._asdict()


class RequestAuth(Protocol):
    """What an operation's auth gives the client: the headers that authenticate one request
    (:class:`~yunxiao_emas.auth.acs3.AcsV3Auth`, :class:`~yunxiao_emas.auth.token.TokenAuth`),
    asked again at every attempt. Both are ``httpx.Auth`` objects too, for requests of yours."""

    def signature_headers(
        self,
        method: str,
        raw_path: str,
        query: str,
        host: str,
        body: bytes = b"",
        signed: None = None,
        *,
        action: str | None = None,
    ) -> dict[str, str]: ...


class Prepared(NamedTuple):
    """One call's request, made once and sent (signed anew) at every attempt.

    Attributes:
        method: ``POST`` or ``GET``.
        url: the whole URL, its path and query percent-encoded per RFC 3986.
        raw_path: the path as sent; ``query``: the canonical query string (both for signing).
        host: the ``Host`` header httpx sends for ``url``.
    """

    method: str
    url: httpx.URL
    raw_path: str
    query: str
    host: str


class Answer(NamedTuple):
    """What an answer parser is given besides the response: the call's parameters (the
    generated layer's keyword arguments, checked) and the wall clock (of a URL's expiry)."""

    params: Mapping[str, Any]
    wall_clock: Callable[[], float]


class Operation(NamedTuple):
    """One API operation.

    Attributes:
        name: its ``operationId`` in openapi.yaml.
        module: the generated module whose ``_get_kwargs`` builds the method, path and query.
        credentials: the kind of credentials that selects it: the name of a class of
            :mod:`yunxiao_emas.credentials` (looked up when a client first calls, so that the
            table costs no import of attrs).
        default_host: the host used when the client is given no ``endpoint``.
        auth: makes the ``httpx.Auth`` of a credentials provider (one per client, shared by
            the operations of its API: the signer's clock correction holds for all).
        parse: the answer parser: ``(response, Answer) ->`` its result model, or an
            ``ApiError``.
        logical: what it does, the same in both APIs (``artifact_url``, ``get_run``,
            ``latest_run``, ``list_runs``, ``list_connections``).
        action: the ``x-acs-action`` it is signed with (signed API), else None.
    """

    name: str
    module: str
    credentials: str
    default_host: str
    auth: Callable[[CredentialsProvider], httpx.Auth]
    parse: Callable[[httpx.Response, Answer], Any]
    logical: str = "artifact_url"
    action: str | None = None

    def build(self, params: Ids | Mapping[str, Any]) -> dict[str, Any]:
        """The request's ``method``, ``url`` (a path) and ``params``, by the generated layer."""
        # Imported at the first call, not with the package: the generated layer is a fifth of
        # this package's import time and nothing needs it before a call.
        arguments = params.as_kwargs() if isinstance(params, Ids) else params
        kwargs: dict[str, Any] = importlib.import_module(self.module)._get_kwargs(**arguments)
        return kwargs

    def prepare(
        self, params: Ids | Mapping[str, Any], base_url: str, *, region: bool = False
    ) -> Prepared:
        """The request of ``params`` at ``base_url``, in the token API's region edition when
        ``region`` (kept for the last few: a client often asks for the same artifact again, and
        parsing a URL is most of a request's cost)."""
        key = params if isinstance(params, Ids) else tuple(params.items())
        return _prepare(self, key, base_url, region)


@functools.lru_cache(maxsize=64)
def _prepare(
    operation: Operation, key: Ids | tuple[tuple[str, Any], ...], base_url: str, region: bool
) -> Prepared:
    kwargs = operation.build(key if isinstance(key, Ids) else dict(key))
    params = [(name, str(value)) for name, value in kwargs.get("params", {}).items()]
    path = kwargs["url"]  # the generated layer percent-encodes each path segment
    if region:
        from .editions import region_path

        path = region_path(path)
    query = "&".join(f"{percent_encode(name)}={percent_encode(value)}" for name, value in params)
    url = httpx.URL(f"{base_url}{path}?{query}" if query else f"{base_url}{path}")
    return Prepared(
        method=str(kwargs["method"]).upper(),
        url=url,
        raw_path=url.raw_path.partition(b"?")[0].decode("ascii"),
        query=canonical_query(params),
        host=httpx.Request("GET", url).headers["host"],
    )


def _signed_auth(credentials: CredentialsProvider) -> httpx.Auth:
    return AcsV3Auth(credentials, action="GetPipelineEmasArtifactUrl", version="2021-06-25")


def _url_answer(
    parse: Callable[[httpx.Response, Callable[[], float]], ArtifactUrl],
) -> Callable[[httpx.Response, Answer], ArtifactUrl]:
    """An artifact URL's parser, which needs only the wall clock of the answer."""

    def parse_answer(response: httpx.Response, answer: Answer) -> ArtifactUrl:
        return parse(response, answer.wall_clock)

    return parse_answer


def _answer(
    parse: Callable[[httpx.Response, Mapping[str, Any]], Any],
) -> Callable[[httpx.Response, Answer], Any]:
    """A finding operation's parser, which needs the call's parameters (the ids asked for)."""

    def parse_answer(response: httpx.Response, answer: Answer) -> Any:
        return parse(response, answer.params)

    return parse_answer


_MODULES = "yunxiao_emas_api.api.pipeline."
_KEY = "AccessKeyCredentials"
_PAT = "PersonalAccessToken"


def _signed(name: str, logical: str, parse: Callable[[httpx.Response, Answer], Any]) -> Operation:
    module = _MODULES + re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()
    return Operation(
        name, module, _KEY, SIGNED_API_HOST, _signed_auth, parse, logical=logical, action=name
    )


def _token(name: str, logical: str, parse: Callable[[httpx.Response, Answer], Any]) -> Operation:
    module = _MODULES + re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()
    return Operation(name, module, _PAT, PAT_API_HOST, TokenAuth, parse, logical=logical)


SIGNED = _signed("GetPipelineEmasArtifactUrl", "artifact_url", _url_answer(responses.signed_answer))
TOKEN = _token("GetEmasArtifactDownloadUrl", "artifact_url", _url_answer(responses.token_answer))
OPERATIONS: tuple[Operation, ...] = (
    SIGNED,
    TOKEN,
    _signed("GetPipelineRun", "get_run", _answer(run_answers.signed_run)),
    _token("GetPipelineRunByToken", "get_run", _answer(run_answers.token_run)),
    # The signed API has no GetLatestPipelineRun: finding.latest_run_flow walks its list.
    _token("GetLatestPipelineRunByToken", "latest_run", _answer(run_answers.token_run)),
    _signed("ListPipelineRuns", "list_runs", _answer(run_answers.signed_runs)),
    _token("ListPipelineRunsByToken", "list_runs", _answer(run_answers.token_runs)),
    _signed("ListServiceConnections", "list_connections", _answer(run_answers.signed_connections)),
    _token(
        "ListServiceConnectionsByToken", "list_connections", _answer(run_answers.token_connections)
    ),
)
"""Every operation, both APIs. A logical operation has one row per API that has it."""

_ROWS = {(operation.logical, operation.credentials): operation for operation in OPERATIONS}


def operation_for(credentials: Credentials | object, logical: str = "artifact_url") -> Operation:
    """The row of ``logical`` in the API that ``credentials`` select."""
    from ..credentials import _values

    for kind in (_KEY, _PAT):
        if isinstance(credentials, getattr(_values, kind)):
            return row(logical, kind)
    raise CredentialsError(
        f"the credentials provider handed out a {type(credentials).__name__}, which is neither "
        "AccessKeyCredentials nor PersonalAccessToken"
    )


def row(logical: str, kind: str) -> Operation:
    """The row of ``logical`` for the kind of credentials ``kind`` (a class name)."""
    try:
        return _ROWS[logical, kind]
    except KeyError:
        raise LookupError(f"no operation {logical!r} in the API of {kind}") from None
