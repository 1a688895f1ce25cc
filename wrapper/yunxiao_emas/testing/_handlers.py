"""One handler per operation, keyed by ``operationId``: how that operation answers.

A handler has its API's shape (headers, error bodies, a cut answer) and the operation's own
answer. The two operations that hand out the URL find the artifact with the one :func:`lookup`
(organization, membership, pipeline, run, job and md5, service connection) and refuse with the
same :class:`~._messages.Refusal`; their handlers differ only in the answer they make of it
(the operations that find the ids answer from :mod:`._run_answers`, in the same two shapes):

- GetPipelineEmasArtifactUrl: a JSON object, ``success`` and ``fileUrl``; errors in the
  service's body (``errorCode``) or the gateway's (``Code``), as the refusal's ``shape`` says;
  a 200 can be a business failure; ``x-acs-retry-after`` on throttled answers.
- GetEmasArtifactDownloadUrl: the URL itself, as a JSON string (``application/json``), or as
  plain text when the request's ``Accept`` prefers it or the service is configured so
  (:attr:`EmulatedService.token_answers_as_text`, switchable through the control API); errors
  are real statuses with the ``TokenApiError`` body; ``Retry-After`` on throttled answers.
"""

from __future__ import annotations

import abc
import math
from typing import TYPE_CHECKING, ClassVar

from .._call.operations import SIGNED, TOKEN, Ids
from ._exchange import JSON, ApiAnswer, Context
from ._messages import Refusal, RetryAfter, gateway_body, service_body, token_error_body
from ._run_answers import SIGNED_ANSWERS, TOKEN_ANSWERS, Answers

if TYPE_CHECKING:
    from ._asked import Asked
    from ._state import Artifact, Identity, State

__all__ = ["HANDLERS", "Handler", "SignedHandler", "TokenHandler", "lookup", "wants_text"]


def lookup(state: State, identity: Identity, ids: Ids) -> Artifact:
    """The artifact ``ids`` name, as ``identity`` may see it, or the :class:`Refusal` of the
    first level that fails."""
    organization = state.organizations.get(ids.organization_id)
    if organization is None:
        raise Refusal.service("InvalidOrganization.NotFound")
    if not state.admits(identity, ids.organization_id, organization):
        raise Refusal.service("Forbidden.UserNotInCurrentOrganization")
    runs = organization.pipelines.get(ids.pipeline_id)
    if runs is None:
        raise Refusal.service("InvalidPipeline.NotFound")
    jobs = runs.get(ids.pipeline_run_id)
    if jobs is None:
        raise Refusal.service("InvalidPipelineRun.NotFound")
    # An unknown job and an unknown md5 both answer InvalidIdentifier.NotFound: the closest
    # documented 404 ("space id is error or not exist"). A 404 rather than the 400
    # InvalidResource.NotFound, because well-formed ids that name nothing are "not found".
    artifacts = jobs.get(ids.emas_job_instance_id)
    artifact = None if artifacts is None else artifacts.get(ids.md5)
    if artifact is None:
        raise Refusal.service(
            "InvalidIdentifier.NotFound",
            detail="The EMAS job instance, or its artifact with this md5, is not found.",
        )
    wanted = artifact.service_connection_id
    if wanted is not None and wanted != ids.service_connection_id:
        raise Refusal.service(
            "Forbidden.AccessDenied",
            detail="The service connection does not give access to this artifact.",
        )
    return artifact


def _quality(accept: str, media_type: str) -> float:
    """The quality ``accept`` gives ``media_type``: that of its most specific matching range."""
    kind = media_type.split("/", 1)[0]
    best: tuple[int, float] = (-1, 0.0)
    for item in accept.split(","):
        name, *parameters = (part.strip() for part in item.split(";"))
        name = name.lower()
        specificity = {media_type: 2, f"{kind}/*": 1, "*/*": 0}.get(name)
        if specificity is None or specificity < best[0]:
            continue
        quality = 1.0
        for parameter in parameters:
            key, _, value = parameter.partition("=")
            if key.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        best = (specificity, quality)
    return best[1]


def wants_text(accept: str | None, *, default: bool) -> bool:
    """Whether the token API answers ``text/plain``: when configured to (``default``: a server
    that sends text whatever is asked, as a Java ``String`` endpoint does, which every client
    must read), or when the request's ``Accept`` ranks ``text/plain`` above JSON (as a client
    generated for the text answer asks). JSON otherwise, as a negotiating server falls back to.
    """
    if default:
        return True
    if not accept or not accept.strip():
        return False
    return _quality(accept, "text/plain") > _quality(accept, JSON)


class Handler(abc.ABC):
    """How one operation answers: a success, a refusal, the head of an answer to cut."""

    name: str
    """The ``operationId``."""
    retry_after_header: ClassVar[str]
    """Where a throttled or failed answer says how long to wait."""
    retry_after_unit: ClassVar[float]
    """The unit of that header, in seconds."""
    sends_trace_id: ClassVar[bool]
    """Whether answers carry ``x-acs-trace-id`` too."""

    def headers(self, context: Context, retry_after: RetryAfter = None) -> dict[str, str]:
        """The headers of every answer: ``Date`` on the emulator's clock, the request id."""
        headers = {"date": context.date, "x-acs-request-id": context.request_id}
        if self.sends_trace_id:
            headers["x-acs-trace-id"] = context.trace_id
        if isinstance(retry_after, str):
            headers[self.retry_after_header] = retry_after
        elif retry_after is not None:
            headers[self.retry_after_header] = str(
                max(1, math.ceil(retry_after / self.retry_after_unit - 1e-9))
            )
        return headers

    def __init__(self, name: str | None = None, answers: Answers | None = None) -> None:
        """The handler of the API's EMAS operation, or, with ``name`` and ``answers``, of
        another operation of the same API: the same headers, refusals and cuts."""
        if name is not None:
            self.name = name
        self._answers = answers

    def answer(self, asked: Asked) -> ApiAnswer:
        """The answer to an admitted request: the operation's own ``answers``, else the
        artifact lookup of the two operations that hand out its URL."""
        if self._answers is not None:
            return self._answers(self, asked)
        artifact = lookup(asked.state, asked.identity, Ids(**asked.arguments))
        file_url = asked.file_host.issue_url(artifact, asked.request.scheme, asked.request.host)
        accept = asked.request.headers.get("accept")
        return self.success(file_url, asked.context, asked.state, accept)

    @abc.abstractmethod
    def success(
        self, file_url: str, context: Context, state: State, accept: str | None = None
    ) -> ApiAnswer:
        """The answer that hands out ``file_url``, to a request with that ``Accept`` header."""

    @abc.abstractmethod
    def refusal(self, refusal: Refusal, context: Context) -> ApiAnswer:
        """The error answer of ``refusal``."""

    @abc.abstractmethod
    def cut(self, context: Context) -> ApiAnswer:
        """A plausible beginning of an answer, for a connection cut on purpose."""


class SignedHandler(Handler):
    """GetPipelineEmasArtifactUrl: JSON objects, decided by code, ``x-acs-*`` headers."""

    name = SIGNED.name
    # Milliseconds, as openapi.yaml's RetryAfter header states and the official SDK's runtime
    # (tea-openapi get_throttling_time_left, darabonba policy/retry.py) reads it.
    retry_after_header = "x-acs-retry-after"
    retry_after_unit = 0.001
    # The real gateway sends x-acs-trace-id with every answer.
    sends_trace_id = True

    def success(
        self, file_url: str, context: Context, state: State, accept: str | None = None
    ) -> ApiAnswer:
        del accept  # always JSON, as the real API answers
        body = {
            "requestId": context.request_id,
            "success": True,
            "errorCode": "",
            "errorMessage": "",
            "fileUrl": file_url,
        }
        return ApiAnswer(200, body, self.headers(context), None)

    def refusal(self, refusal: Refusal, context: Context) -> ApiAnswer:
        if refusal.shape == "gateway":
            body = gateway_body(refusal.code, refusal.message, context, refusal.signature_check)
        else:
            body = service_body(refusal.code, refusal.message, context, refusal.status)
        headers = self.headers(context, refusal.retry_after)
        return ApiAnswer(
            refusal.status, body, headers, refusal.code, signature_check=refusal.signature_check
        )

    def cut(self, context: Context) -> ApiAnswer:
        return ApiAnswer(
            200, {"requestId": context.request_id}, self.headers(context), None, drop=True
        )


class TokenHandler(Handler):
    """GetEmasArtifactDownloadUrl: the URL as a JSON string or text, statuses that mean what
    they say, ``TokenApiError`` bodies.

    The token API has no business failure in a 200: a refusal with status 200 (a fault asked
    for the signed API's ``success: false``) is answered as 400, the token API's "your request
    cannot be served"; a throttling code is answered as 429. Its answers carry
    ``x-acs-request-id`` and ``x-acs-trace-id``, equal to the body's ``requestId`` and
    ``traceId``, as Alibaba Cloud's gateways send them.
    """

    name = TOKEN.name
    retry_after_header = "retry-after"  # the standard header, in seconds
    retry_after_unit = 1.0
    sends_trace_id = True

    def success(
        self, file_url: str, context: Context, state: State, accept: str | None = None
    ) -> ApiAnswer:
        as_text = wants_text(accept, default=state.token_answers_as_text)
        content_type = "text/plain;charset=utf-8" if as_text else JSON
        return ApiAnswer(200, file_url, self.headers(context), None, content_type=content_type)

    def refusal(self, refusal: Refusal, context: Context) -> ApiAnswer:
        status = refusal.status
        if status == 200:
            status = 400
        elif refusal.code.startswith("Throttling"):
            # The signed API's gateway says 400 (its codes carry the meaning); the token API's
            # statuses mean what they say.
            status = 429
        message = refusal.detail or refusal.message
        body = token_error_body(status, refusal.code, message, context)
        headers = self.headers(context, refusal.retry_after)
        return ApiAnswer(status, body, headers, refusal.code, content_type=JSON)

    def cut(self, context: Context) -> ApiAnswer:
        return ApiAnswer(200, "https://", self.headers(context), None, drop=True, content_type=JSON)


HANDLERS: dict[str, Handler] = {
    handler.name: handler
    for handler in (
        SignedHandler(),
        TokenHandler(),
        # The operations that find the ids: each API's shape, their own answers (._run_answers).
        *(SignedHandler(name, answers) for name, answers in SIGNED_ANSWERS.items()),
        *(TokenHandler(name, answers) for name, answers in TOKEN_ANSWERS.items()),
    )
}
"""The handler of every operation, by ``operationId`` (a test pins that none is missing)."""
