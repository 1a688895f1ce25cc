"""OpenTelemetry (the ``otel`` extra): each public call is one span named after its operation,
with the API, the request id, the attempts and the outcome, and each retry an event; a download
is a span with its size, parts, resumes and verification, its API call nested under it; the
HTTP spans of opentelemetry-instrumentation-httpx nest under ours. Read back through the SDK's
in-memory exporter."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx
from conftest_client import (
    CREDENTIALS,
    FLAVOURS,
    HOST,
    SECRET,
    TOKEN,
    TOKEN_CREDENTIALS,
    TOKEN_HOST,
    drivers,
    fast,
    gateway,
    ok,
    token_error,
    token_ok,
)
from opentelemetry import trace
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import StatusCode
from yunxiao_emas import ServerError

CONTENT = b"traced artifact " * 64
CONTENT_MD5 = hashlib.md5(CONTENT, usedforsecurity=False).hexdigest()
PRESIGNED = "https://oss.example.com/app.apk?Expires=4102444800&Signature=NEVER-SHOWN-sig"


class _WhileTesting(SimpleSpanProcessor):
    """Exports only inside a test of this module: the provider is global and stays set."""

    active = False

    def on_end(self, span: ReadableSpan) -> None:
        if self.active:
            super().on_end(span)


_EXPORTER = InMemorySpanExporter()
_PROCESSOR = _WhileTesting(_EXPORTER)


@pytest.fixture
def spans() -> Iterator[InMemorySpanExporter]:
    if not isinstance(trace.get_tracer_provider(), TracerProvider):
        provider = TracerProvider()
        provider.add_span_processor(_PROCESSOR)
        trace.set_tracer_provider(provider)
    _EXPORTER.clear()
    _PROCESSOR.active = True
    try:
        yield _EXPORTER
    finally:
        _PROCESSOR.active = False
        _EXPORTER.clear()


class Api:
    def __init__(self, name: str) -> None:
        self.name = name
        self.signed = name == "signed"
        self.credentials = CREDENTIALS if self.signed else TOKEN_CREDENTIALS
        self.host = HOST if self.signed else TOKEN_HOST
        self.operation = (
            "GetPipelineEmasArtifactUrl" if self.signed else "GetEmasArtifactDownloadUrl"
        )

    def ok(self) -> httpx.Response:
        if self.signed:
            return ok(requestId="R-OK", fileUrl=PRESIGNED)
        return token_ok(PRESIGNED, **{"x-acs-request-id": "R-OK"})

    def unavailable(self, request_id: str) -> httpx.Response:
        if self.signed:
            return gateway(503, "ServiceUnavailable", request_id=request_id)
        return token_error(503, "ServiceUnavailable", request_id=request_id)


@pytest.fixture(params=["signed", "token"])
def api(request: pytest.FixtureRequest) -> Api:
    return Api(request.param)


@pytest.fixture(params=FLAVOURS)
def make(request: pytest.FixtureRequest) -> Any:
    yield from drivers(request.param)


@pytest.fixture
def router() -> Any:
    with respx.mock(assert_all_called=False, assert_all_mocked=True) as mock:
        yield mock


def ours(exporter: InMemorySpanExporter) -> list[ReadableSpan]:
    return [
        span
        for span in exporter.get_finished_spans()
        if span.instrumentation_scope is not None
        and span.instrumentation_scope.name == "yunxiao_emas"
    ]


def test_a_call_is_one_span_named_after_its_operation(
    make: Any, api: Api, router: Any, spans: InMemorySpanExporter
) -> None:
    router.route(host=api.host).mock(side_effect=[api.unavailable("R-1"), api.ok()])
    make(credentials=api.credentials).call()
    [span] = ours(spans)
    assert span.name == api.operation
    assert span.attributes is not None
    assert dict(span.attributes) == {
        "yunxiao_emas.api": api.name,
        "yunxiao_emas.request_id": "R-OK",
        "yunxiao_emas.attempts": 2,
        "yunxiao_emas.outcome": "success",
    }
    assert span.status.status_code == StatusCode.UNSET


def test_each_retry_is_an_event_of_the_calls_span(
    make: Any, api: Api, router: Any, spans: InMemorySpanExporter
) -> None:
    router.route(host=api.host).mock(
        side_effect=[api.unavailable("R-1"), httpx.ConnectError("refused"), api.ok()]
    )
    make(credentials=api.credentials).call()
    [span] = ours(spans)
    first, second = span.events
    assert (first.name, second.name) == ("retry", "retry")
    assert dict(first.attributes or {}) == {
        "yunxiao_emas.attempt": 1,
        "yunxiao_emas.wait_seconds": 0.0,
        "error.type": "ServerError",
        "yunxiao_emas.error_code": "ServiceUnavailable",
        "yunxiao_emas.request_id": "R-1",
        "http.response.status_code": 503,
    }
    assert dict(second.attributes or {}) == {
        "yunxiao_emas.attempt": 2,
        "yunxiao_emas.wait_seconds": 0.0,
        "error.type": "ConnectError",
    }


def test_a_failed_call_is_an_error_span_with_its_outcome_and_attempts(
    make: Any, api: Api, router: Any, spans: InMemorySpanExporter
) -> None:
    router.route(host=api.host).mock(return_value=api.unavailable("R-9"))
    with pytest.raises(ServerError):
        make(credentials=api.credentials, retries=fast(max_attempts=2)).call()
    [span] = ours(spans)
    attributes = dict(span.attributes or {})
    assert attributes["yunxiao_emas.outcome"] == "ServerError"
    assert attributes["error.type"] == "ServerError"
    assert attributes["yunxiao_emas.error_code"] == "ServiceUnavailable"
    assert attributes["yunxiao_emas.request_id"] == "R-9"
    assert attributes["yunxiao_emas.attempts"] == 2
    assert span.status.status_code == StatusCode.ERROR
    assert len(span.events) == 1


def test_a_download_is_a_span_holding_its_api_calls_span(
    make: Any, api: Api, router: Any, spans: InMemorySpanExporter, tmp_path: Path
) -> None:
    router.route(host=api.host).mock(return_value=api.ok())
    router.route(host="oss.example.com").mock(return_value=httpx.Response(200, content=CONTENT))
    make(credentials=api.credentials).download(tmp_path / "app.apk", md5=CONTENT_MD5)
    call, download = ours(spans)  # in the order they ended
    assert download.name == "DownloadEmasArtifact"
    assert call.name == api.operation
    assert call.parent is not None
    assert download.context is not None
    assert call.parent.span_id == download.context.span_id
    assert dict(download.attributes or {}) == {
        "yunxiao_emas.api": api.name,
        "yunxiao_emas.request_id": "R-OK",
        "yunxiao_emas.attempts": 1,
        "yunxiao_emas.download.size": len(CONTENT),
        "yunxiao_emas.download.parts": 1,
        "yunxiao_emas.download.resumes": 0,
        "yunxiao_emas.download.verified": True,
        "yunxiao_emas.download.skipped": False,
        "yunxiao_emas.outcome": "success",
    }


def test_a_call_under_a_span_of_the_application_is_its_child(
    make: Any, api: Api, router: Any, spans: InMemorySpanExporter
) -> None:
    router.route(host=api.host).mock(return_value=api.ok())
    with trace.get_tracer("the application").start_as_current_span("release job") as outer:
        make(credentials=api.credentials).call()
    [span] = ours(spans)
    assert span.parent is not None
    assert span.parent.span_id == outer.get_span_context().span_id


def test_no_span_holds_a_secret_or_a_presigned_url(
    make: Any, api: Api, router: Any, spans: InMemorySpanExporter, tmp_path: Path
) -> None:
    router.route(host=api.host).mock(side_effect=[api.unavailable("R-1"), api.ok()])
    router.route(host="oss.example.com").mock(return_value=httpx.Response(200, content=CONTENT))
    make(credentials=api.credentials).download(tmp_path / "app.apk", md5=CONTENT_MD5)
    recorded = repr(
        [
            (
                span.name,
                dict(span.attributes or {}),
                [dict(e.attributes or {}) for e in span.events],
            )
            for span in ours(spans)
        ]
    )
    for secret in (SECRET, TOKEN, "NEVER-SHOWN", "Signature"):
        assert secret not in recorded


@pytest.mark.parametrize("flavour", ["sync", "async", "sync with your http_client"])
def test_httpx_instrumentation_spans_nest_under_the_calls_span(
    flavour: str, api: Api, router: Any, spans: InMemorySpanExporter
) -> None:
    import asyncio

    from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor
    from yunxiao_emas import AsyncClient, Client

    router.route(host=api.host).mock(return_value=api.ok())
    instrumentor = HTTPXClientInstrumentor()
    instrumentor.instrument()
    try:
        if flavour == "async":

            async def call() -> None:
                async with AsyncClient(credentials=api.credentials) as client:
                    await client.get_pipeline_emas_artifact_url(
                        "org", 1, 2, "job", "md5", service_connection_id=3
                    )

            asyncio.run(call())
        elif flavour == "sync":
            with Client(credentials=api.credentials) as client:
                client.get_pipeline_emas_artifact_url(
                    "org", 1, 2, "job", "md5", service_connection_id=3
                )
        else:
            with (
                httpx.Client() as http,
                Client(credentials=api.credentials, http_client=http) as client,
            ):
                client.get_pipeline_emas_artifact_url(
                    "org", 1, 2, "job", "md5", service_connection_id=3
                )
    finally:
        instrumentor.uninstrument()
    [span] = ours(spans)
    http_spans = [s for s in spans.get_finished_spans() if s not in ours(spans)]
    assert http_spans, "the instrumentation made no span"
    for http_span in http_spans:
        assert http_span.parent is not None
        assert span.context is not None
        assert http_span.parent.span_id == span.context.span_id
