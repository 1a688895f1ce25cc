"""1c. What tracing costs a call: without OpenTelemetry, with its API but no tracer provider (the
state of most applications that have the ``otel`` extra installed by a dependency), and with the
SDK's provider recording every span (an in-memory exporter, so exporting costs next to nothing).

``Client`` runs on an ``httpx.MockTransport`` answering the fixed body, timed in process CPU
time, in interleaved blocks; the tracer of the package is switched between the blocks (the
package looks it up once, so the bench sets what that look-up found).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import httpx

from ._report import NOT_MEASURED, Section
from ._servers import CONNECTION, JOB, MD5, ORG, PIPELINE, RUN
from ._settings import Settings
from ._stats import Spread, interleave, per_round
from .calls import KEY_ID, SECRET
from .signing import BASE_URL, _answer

__all__ = ["run"]

LABELS = {
    "off": "without opentelemetry-api",
    "no_provider": "opentelemetry-api, no tracer provider",
    "sdk": "SDK tracer provider, every span recorded",
}


def _tracers() -> dict[str, Any] | None:
    try:
        from opentelemetry import trace
        from opentelemetry.sdk.trace import TracerProvider
        from opentelemetry.sdk.trace.export import SimpleSpanProcessor
        from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
    except ImportError:
        return None
    provider = TracerProvider()
    exporter = InMemorySpanExporter()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    return {
        "off": None,
        # What the package gets from the API when the application set no provider.
        "no_provider": trace.get_tracer("yunxiao_emas"),
        "sdk": provider.get_tracer("yunxiao_emas"),
        "exporter": exporter,
    }


def run(settings: Settings) -> Section:
    from yunxiao_emas import AccessKeyCredentials, Client
    from yunxiao_emas._call import tracing

    section = Section("tracing", "1c. Tracing: the CPU of a call with it off and on")
    tracers = _tracers()
    if tracers is None:
        section.note("opentelemetry-sdk is not installed: not measured.")
        return section
    exporter = tracers.pop("exporter")
    per_block = max(settings.calls_per_block, 200)
    with (
        httpx.Client(transport=httpx.MockTransport(_answer)) as http,
        Client(
            endpoint=BASE_URL, credentials=AccessKeyCredentials(KEY_ID, SECRET), http_client=http
        ) as client,
    ):

        def block(name: str) -> Callable[[], None]:
            def repeat() -> None:
                tracing._tracer = tracers[name]
                for _ in range(per_block):
                    client.get_pipeline_emas_artifact_url(
                        ORG, PIPELINE, RUN, JOB, MD5, service_connection_id=CONNECTION
                    )
                exporter.clear()

            return repeat

        blocks = {name: block(name) for name in tracers}
        for warm_up in blocks.values():
            warm_up()
        try:
            cpu = interleave(blocks, rounds=settings.call_rounds, clock=time.process_time)
        finally:
            tracing._tracer = tracing._UNKNOWN
    us = {name: Spread.of(cpu[name], 1e6 / per_block) for name in tracers}
    section.table(
        ["Client on httpx.MockTransport, process CPU per call", "us", "x without"],
        [
            [
                LABELS[name],
                us[name].show(1),
                "" if name == "off" else Spread.of(per_round(cpu[name], cpu["off"])).show(3),
            ]
            for name in tracers
        ],
    )
    idle = Spread.of(per_round(cpu["no_provider"], cpu["off"]))
    section.note(
        f"Tracing off costs {us['no_provider'].median - us['off'].median:+.1f} us per call with "
        f"the API installed and no provider; recording every span costs "
        f"{us['sdk'].median - us['off'].median:+.1f} us."
    )
    section.target(
        "CPU per call: opentelemetry-api without a provider / without opentelemetry",
        idle.show(3),
        "<= 1.02 (nothing measurable)",
        idle.median <= 1.02,
        official=NOT_MEASURED,
    )
    section.target(
        "CPU per call: every span recorded (SDK) / without opentelemetry",
        Spread.of(per_round(cpu["sdk"], cpu["off"])).show(3),
        "info",
        None,
        official=NOT_MEASURED,
    )
    return section
