"""The operations as data: what differs between the two APIs, written once, in one table.

An :class:`Operation` says which generated module builds its request, which credentials select
it (and so which ``httpx.Auth`` proves who calls), its default host, and its answer parser.
``Client``/``AsyncClient``, the CLI, ``check-contract`` and the emulator's routes read
:data:`OPERATIONS`; nothing else names an operation. Both operations take the same ids, with the
same rules (:class:`Ids`).

Adding an operation: describe it in openapi.yaml, regenerate, add its row here (and its answer
parser in ``responses`` if its answers differ), and its handler in the emulator.
"""

from __future__ import annotations

import functools
import importlib
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol

import httpx

from ..auth.acs3 import AcsV3Auth, canonical_query, percent_encode
from ..auth.token import TokenAuth
from ..errors import CredentialsError
from . import responses
from .hosts import PAT_API_HOST, SIGNED_API_HOST
from .validation import check_id, check_segment

if TYPE_CHECKING:
    from ..credentials import Credentials, CredentialsProvider
    from ..models import ArtifactUrl

__all__ = [
    "OPERATIONS",
    "SIGNED",
    "TOKEN",
    "Ids",
    "Operation",
    "Prepared",
    "RequestAuth",
    "operation_for",
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


class Operation(NamedTuple):
    """One API operation.

    Attributes:
        name: its ``operationId`` in openapi.yaml.
        module: the generated module whose ``_get_kwargs`` builds the method, path and query.
        credentials: the kind of credentials that selects it: the name of a class of
            :mod:`yunxiao_emas.credentials` (looked up when a client first calls, so that the
            table costs no import of attrs).
        default_host: the host used when the client is given no ``endpoint``.
        auth: makes the ``httpx.Auth`` of a credentials provider.
        parse: the answer parser: ``(response, wall_clock) -> ArtifactUrl``, or an ``ApiError``.
    """

    name: str
    module: str
    credentials: str
    default_host: str
    auth: Callable[[CredentialsProvider], httpx.Auth]
    parse: Callable[[httpx.Response, Callable[[], float]], ArtifactUrl]

    def build(self, ids: Ids) -> dict[str, Any]:
        """The request's ``method``, ``url`` (a path) and ``params``, by the generated layer."""
        # Imported at the first call, not with the package: the generated layer is a fifth of
        # this package's import time and nothing needs it before a call.
        kwargs: dict[str, Any] = importlib.import_module(self.module)._get_kwargs(**ids.as_kwargs())
        return kwargs

    def prepare(self, ids: Ids, base_url: str) -> Prepared:
        """The request of ``ids`` at ``base_url`` (kept for the last few: a client often
        asks for the same artifact again, and parsing a URL is most of a request's cost)."""
        return _prepare(self, ids, base_url)


@functools.lru_cache(maxsize=64)
def _prepare(operation: Operation, ids: Ids, base_url: str) -> Prepared:
    kwargs = operation.build(ids)
    params = [(name, str(value)) for name, value in kwargs.get("params", {}).items()]
    path = kwargs["url"]  # the generated layer percent-encodes each path segment
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


SIGNED = Operation(
    name="GetPipelineEmasArtifactUrl",
    module="yunxiao_emas_api.api.pipeline.get_pipeline_emas_artifact_url",
    credentials="AccessKeyCredentials",
    default_host=SIGNED_API_HOST,
    auth=_signed_auth,
    parse=responses.signed_answer,
)
TOKEN = Operation(
    name="GetEmasArtifactDownloadUrl",
    module="yunxiao_emas_api.api.pipeline.get_emas_artifact_download_url",
    credentials="PersonalAccessToken",
    default_host=PAT_API_HOST,
    auth=TokenAuth,
    parse=responses.token_answer,
)
OPERATIONS: tuple[Operation, ...] = (SIGNED, TOKEN)


def operation_for(credentials: Credentials | object) -> Operation:
    """The operation that ``credentials`` select."""
    from ..credentials import _values

    for operation in OPERATIONS:
        if isinstance(credentials, getattr(_values, operation.credentials)):
            return operation
    raise CredentialsError(
        f"the credentials provider handed out a {type(credentials).__name__}, which is neither "
        "AccessKeyCredentials nor PersonalAccessToken"
    )
