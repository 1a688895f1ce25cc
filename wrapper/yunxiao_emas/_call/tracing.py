"""OpenTelemetry spans of the public calls and downloads, when the application wants them.

With the ``otel`` extra (``opentelemetry-api`` only) and a tracer provider configured by the
application, each public call is one span named after its operation
(``GetPipelineEmasArtifactUrl``, ``GetEmasArtifactDownloadUrl``, ...) with the API, the request
id, the attempts and the outcome as attributes and each retry as an event; a download is one
span (``DownloadEmasArtifact``) with its size, parts, resumes and whether it verified, the API
calls it makes nested under it. The span is the current one while the call runs, so the HTTP
spans of ``opentelemetry-instrumentation-httpx`` nest under it.

What it costs when nobody traces: without ``opentelemetry-api`` installed, one check of a
cached ``None``; with it but without a provider, the API's no-op tracer hands out a
non-recording span, which is dropped at once (no context change, no attribute). ``bench``
measures both (section "tracing").

Nothing secret goes into a span: ids of requests, codes and counts, never a URL, a header or
an exception's message.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .._version import __version__
from ..errors import ApiError

if TYPE_CHECKING:
    from types import TracebackType

    from ..models import DownloadedArtifact

__all__ = [
    "API",
    "ATTEMPTS",
    "DOWNLOAD_SPAN",
    "OUTCOME",
    "REQUEST_ID",
    "Traced",
    "api_of",
    "tracer",
]

# Attribute names: ours, under the package's name; error.type is OpenTelemetry's own.
API = "yunxiao_emas.api"
REQUEST_ID = "yunxiao_emas.request_id"
ATTEMPTS = "yunxiao_emas.attempts"
OUTCOME = "yunxiao_emas.outcome"
ERROR_CODE = "yunxiao_emas.error_code"
ERROR_TYPE = "error.type"
DOWNLOAD_SPAN = "DownloadEmasArtifact"
SIZE = "yunxiao_emas.download.size"
PARTS = "yunxiao_emas.download.parts"
RESUMES = "yunxiao_emas.download.resumes"
VERIFIED = "yunxiao_emas.download.verified"
SKIPPED = "yunxiao_emas.download.skipped"

_UNKNOWN: Any = object()
_tracer: Any = _UNKNOWN


def tracer() -> Any:
    """The package's tracer (a proxy that follows the provider the application sets, even
    later), or None when opentelemetry-api is not installed. Looked up once."""
    global _tracer
    if _tracer is _UNKNOWN:
        try:
            from opentelemetry import trace
        except ImportError:
            _tracer = None
        else:
            _tracer = trace.get_tracer("yunxiao_emas", __version__)
    return _tracer


def instrument_own_client(http: object) -> None:
    """Give the transports of an httpx client we made the HTTP spans of
    ``opentelemetry-instrumentation-httpx`` when the application turned that on for all of
    httpx (``HTTPXClientInstrumentor().instrument()``, before making our client).

    That instrumentation patches httpx's own transport classes; ours (the sync client's
    deadline transport, the async client's pools on asyncio's streams, aiohttp's) are not
    those, so they are instrumented as the instrumentation's public ``instrument_client`` does
    for one client. Nothing happens unless the instrumentation is imported and on: the cost
    when nobody traces is one dictionary lookup per client made. Hooks given to
    ``instrument()`` are the instrumentor's own and do not carry over to these spans."""
    import sys

    module = sys.modules.get("opentelemetry.instrumentation.httpx")
    if module is None:
        return
    instrumentor = module.HTTPXClientInstrumentor
    if instrumentor().is_instrumented_by_opentelemetry:
        instrumentor.instrument_client(http)


def api_of(credentials_kind: str) -> str:
    """The API attribute of an operation, from the kind of credentials that selects it."""
    return "signed" if credentials_kind == "AccessKeyCredentials" else "token"


class Traced:
    """One span while a call or a download runs (a context manager), or nothing when no one
    records it. The span is current inside, and ends when the block ends: with the outcome
    ``success``, or the exception's class as outcome and ``error.type``, and the status ERROR.
    """

    __slots__ = ("_token", "span")

    def __init__(self, name: str, attributes: dict[str, Any] | None = None) -> None:
        self.span: Any = None
        self._token: Any = None
        found = _tracer if _tracer is not _UNKNOWN else tracer()
        if found is None:
            return
        span = found.start_span(name, attributes=attributes)
        if span.is_recording():
            self.span = span
        # A non-recording span (no provider, or not sampled) is dropped: it would only cost.

    def __enter__(self) -> Traced:
        if self.span is not None:
            from opentelemetry import context, trace

            self._token = context.attach(trace.set_span_in_context(self.span))
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        span = self.span
        if span is None:
            return
        from opentelemetry import context
        from opentelemetry.trace import Status, StatusCode

        try:
            if exc is None:
                span.set_attribute(OUTCOME, "success")
            else:
                name = type(exc).__name__
                span.set_attribute(OUTCOME, name)
                span.set_attribute(ERROR_TYPE, name)
                if isinstance(exc, ApiError):
                    self.answered(exc.request_id)
                    if exc.code:
                        span.set_attribute(ERROR_CODE, exc.code)
                attempts = getattr(exc, "attempts", None)
                if isinstance(attempts, int):
                    span.set_attribute(ATTEMPTS, attempts)
                span.set_status(Status(StatusCode.ERROR, name))
        finally:
            context.detach(self._token)
            span.end()

    def set(self, name: str, value: Any) -> None:
        """Set one attribute (when recording)."""
        if self.span is not None:
            self.span.set_attribute(name, value)

    def answered(self, request_id: str | None, attempts: int | None = None) -> None:
        """The request id of the answer (when there is one), and the attempts it took."""
        if self.span is None:
            return
        if request_id:
            self.span.set_attribute(REQUEST_ID, request_id)
        if attempts is not None:
            self.span.set_attribute(ATTEMPTS, attempts)

    def downloaded(self, done: DownloadedArtifact, parts: int) -> None:
        """What a download span records of its result."""
        span = self.span
        if span is None:
            return
        self.answered(done.request_id, done.attempts)
        span.set_attribute(SIZE, done.size)
        span.set_attribute(PARTS, parts)
        span.set_attribute(RESUMES, done.resumes)
        span.set_attribute(VERIFIED, done.verified)
        span.set_attribute(SKIPPED, done.skipped)

    def retry(self, attempt: int, error: BaseException, wait: float) -> None:
        """An event: attempt ``attempt`` failed with ``error``; the next in ``wait`` seconds."""
        if self.span is None:
            return
        attributes: dict[str, Any] = {
            "yunxiao_emas.attempt": attempt,
            "yunxiao_emas.wait_seconds": wait,
            ERROR_TYPE: type(error).__name__,
        }
        if isinstance(error, ApiError):
            if error.code:
                attributes[ERROR_CODE] = error.code
            if error.request_id:
                attributes[REQUEST_ID] = error.request_id
            attributes["http.response.status_code"] = error.status_code
        self.span.add_event("retry", attributes)
