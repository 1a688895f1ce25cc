"""1b. The client's CPU: the V3 signature alone, a call without a socket, and their profiles.

``AcsV3Auth.signature_headers`` (what the client calls for each attempt: the canonical parts of
the request are prepared once a call) is timed in process CPU time (time spent descheduled does
not count, so a busy machine changes it little), each time with a fresh date and nonce; so is
``AcsV3Auth.sign``, which signs an ``httpx.Request`` of yours and has to read its URL and
headers first. Then both the
raw pre-signed post and ``Client`` run on an ``httpx.MockTransport`` answering the fixed body:
what a call costs in CPU without the network or a server. cProfile shows where each goes.
"""

from __future__ import annotations

import cProfile
import pstats
import re
import time
from collections.abc import Callable

import httpx

from ._report import NOT_MEASURED, Section
from ._servers import CONNECTION, JOB, MD5, ORG, PIPELINE, RUN, SIGNED_BODY, SIGNED_PATH
from ._settings import Settings
from ._stats import Spread, interleave, per_round
from .calls import KEY_ID, SECRET, SIGNED_PARAMS, signed_headers

__all__ = ["run"]

TARGET_US = 10.0  # CPU microseconds per signature, at most
PROFILED_CALLS = 3000
TOP = 10
BASE_URL = "http://127.0.0.1:9"  # never contacted: the mock transport answers


def _answer(request: httpx.Request) -> httpx.Response:
    return httpx.Response(200, content=SIGNED_BODY, headers={"content-type": "application/json"})


def _where(key: tuple[str, int, str]) -> str:
    path, line, name = key
    path = re.sub(r".*/(site-packages|wrapper|lib/python3\.\d+)/", "", path)
    return f"{name} ({path}:{line})" if line else name


def profile(function: Callable[[], object], calls: int, top: int = TOP) -> str:
    """The ``top`` functions by own time over ``calls`` calls, in microseconds per call."""
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(calls):
        function()
    profiler.disable()
    stats = pstats.Stats(profiler)
    entries = sorted(stats.stats.items(), key=lambda item: item[1][2], reverse=True)  # type: ignore[attr-defined]
    total = sum(item[1][2] for item in entries)
    lines = [f"{'own us/call':>11} {'cum us/call':>11} {'calls/call':>10}  function"]
    for key, (_, ncalls, own, cumulative, _) in entries[:top]:
        lines.append(
            f"{own / calls * 1e6:11.2f} {cumulative / calls * 1e6:11.2f} "
            f"{ncalls / calls:10.1f}  {_where(key)}"
        )
    lines.append(f"{total / calls * 1e6:11.2f} {'':11} {'':10}  total (under cProfile)")
    return "\n".join(lines)


def run(settings: Settings) -> Section:
    from yunxiao_emas import AccessKeyCredentials, Client
    from yunxiao_emas._call.operations import SIGNED, Ids
    from yunxiao_emas.auth.acs3 import AcsV3Auth

    section = Section("signing", "1b. Signing, and the client's CPU without a socket")
    auth = AcsV3Auth(AccessKeyCredentials(KEY_ID, SECRET))
    request = httpx.Request("POST", BASE_URL + SIGNED_PATH, params=SIGNED_PARAMS)
    prepared = SIGNED.prepare(Ids(ORG, PIPELINE, RUN, JOB, MD5, CONNECTION), BASE_URL)

    def headers_once() -> object:
        return auth.signature_headers(
            prepared.method, prepared.raw_path, prepared.query, prepared.host
        )

    def signatures(function: Callable[[], object]) -> Callable[[], None]:
        def many() -> None:
            for _ in range(settings.signs_per_block):
                function()

        return many

    blocks = {
        "headers": signatures(headers_once),
        "sign": signatures(lambda: auth.sign(request)),
    }
    for warm_up in blocks.values():
        warm_up()
    seconds = interleave(blocks, rounds=settings.sign_blocks, clock=time.process_time)
    per_headers = Spread.of(seconds["headers"], 1e6 / settings.signs_per_block)
    per_sign = Spread.of(seconds["sign"], 1e6 / settings.signs_per_block)
    section.note(
        f"{settings.sign_blocks} blocks of {settings.signs_per_block} signatures each, process "
        f"CPU time per signature: `AcsV3Auth.signature_headers` of a prepared call (what the "
        f"client does for each attempt) {per_headers.show(2, ' us')}; `AcsV3Auth.sign` of an "
        f"`httpx.Request` (for your own httpx client) {per_sign.show(2, ' us')}."
    )
    section.target(
        "CPU per signature the client makes (signature_headers)",
        per_headers.show(2, " us"),
        f"<= {TARGET_US:.0f} us",
        per_headers.median <= TARGET_US,
    )

    url = BASE_URL + SIGNED_PATH
    headers = signed_headers(url)
    per_block = max(settings.calls_per_block, 200)
    with (
        httpx.Client(transport=httpx.MockTransport(_answer)) as raw_http,
        httpx.Client(transport=httpx.MockTransport(_answer)) as ours_http,
        Client(
            endpoint=BASE_URL,
            credentials=AccessKeyCredentials(KEY_ID, SECRET),
            http_client=ours_http,
        ) as client,
    ):

        def raw() -> object:
            response = raw_http.post(url, params=SIGNED_PARAMS, headers=headers)
            response.raise_for_status()
            return response.json()["fileUrl"]

        def ours() -> object:
            return client.get_pipeline_emas_artifact_url(
                ORG, PIPELINE, RUN, JOB, MD5, service_connection_id=CONNECTION
            )

        def block(call: Callable[[], object]) -> Callable[[], None]:
            def repeat() -> None:
                for _ in range(per_block):
                    call()

            return repeat

        block(raw)()
        block(ours)()
        cpu = interleave(
            {"raw": block(raw), "ours": block(ours)},
            rounds=settings.call_rounds,
            clock=time.process_time,
        )
        ours_us = Spread.of(cpu["ours"], 1e6 / per_block)
        raw_us = Spread.of(cpu["raw"], 1e6 / per_block)
        section.table(
            ["httpx.MockTransport, process CPU per call", "us", "x raw"],
            [
                ["raw pre-signed httpx post", raw_us.show(1), ""],
                [
                    "Client (signed API)",
                    ours_us.show(1),
                    Spread.of(per_round(cpu["ours"], cpu["raw"])).show(3),
                ],
            ],
        )
        section.note(
            f"Our client's CPU beyond a raw pre-signed post: "
            f"{ours_us.median - raw_us.median:+.1f} us per call, of which the signature is "
            f"{per_headers.median:.1f} us (a pre-signed post skips it)."
        )
        section.target(
            "CPU per call without a socket: Client / raw httpx post",
            Spread.of(per_round(cpu["ours"], cpu["raw"])).show(3),
            "info",
            None,
            official=NOT_MEASURED,
        )
        section.block(
            f"cProfile of AcsV3Auth.signature_headers ({PROFILED_CALLS} calls), top {TOP} by "
            "own time:",
            profile(headers_once, PROFILED_CALLS),
        )
        section.block(
            f"cProfile of Client.get_pipeline_emas_artifact_url on a MockTransport "
            f"({PROFILED_CALLS} calls), top {TOP} by own time:",
            profile(ours, PROFILED_CALLS),
        )
    return section
