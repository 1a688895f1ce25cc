"""Faults survived: every way a network or a server can fail a call ends, after the documented
number of attempts, in exactly one typed error (never a raw httpx, OS, Overflow or Unicode
error), within the time the policy allows, with bounded memory.

The faults come from the emulator's fault injection and from a raw TCP server
(:mod:`attack_tcp`) that counts the requests it received. Each test runs with both APIs and
both clients. ``FAST`` is ``retries=2`` (three attempts) without the waits.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from attack_support import (
    FAST,
    PLAIN_HTTP,
    Target,
    credentials_for,
    drive,
    get_url,
    ids,
    peak_rss_growth,
)
from attack_tcp import (
    Behaviour,
    TcpFaultServer,
    answer,
    endless_chunked_body,
    gzip_bomb,
    huge_declared_body,
    reset_mid_answer,
    sequence,
    silent,
    trickle,
    trickled_answer,
    truncated_body,
)
from e2e_support import closed_port
from yunxiao_emas import (
    ApiError,
    ArtifactUrl,
    AsyncClient,
    Client,
    RetryPolicy,
    ServerError,
    ThrottledError,
    TransportError,
    YunxiaoError,
)

MiB = 1024 * 1024


class CountingCredentials:
    """A provider that counts how often it is asked: once at every attempt (README)."""

    def __init__(self, api: str) -> None:
        self.credentials = credentials_for(api)
        self.asked = 0

    def get_credentials(self) -> Any:
        self.asked += 1
        return self.credentials


@pytest.fixture
def tcp() -> Iterator[Callable[..., TcpFaultServer]]:
    servers: list[TcpFaultServer] = []

    def start(behaviour: Behaviour, **options: Any) -> TcpFaultServer:
        server = TcpFaultServer(behaviour, **options)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.close()


def raised(flavour: str, options: dict[str, Any]) -> YunxiaoError:
    """The one error a call raises; anything that is not a YunxiaoError fails the test."""
    try:
        result = get_url(flavour, options)
    except YunxiaoError as exc:
        return exc
    pytest.fail(f"the call did not fail: {result!r}")


def options(api: str, endpoint: str, **extra: Any) -> dict[str, Any]:
    return {
        "credentials": credentials_for(api),
        "endpoint": endpoint,
        "retries": FAST,
        "verify": PLAIN_HTTP,
        **extra,
    }


def attempts_of_second_call(flavour: str, api: str, endpoint: str, **extra: Any) -> tuple:
    """(error, attempts) of the second of two failing calls on one client: the provider is
    asked once an attempt, and once more at the very first call (to choose the API)."""
    provider = CountingCredentials(api)
    opts = {"credentials": provider, "endpoint": endpoint, "retries": FAST, **extra}
    if endpoint.startswith("http:"):
        opts["verify"] = PLAIN_HTTP

    def twice(client: Any) -> Any:
        def call() -> Any:
            return client.get_pipeline_emas_artifact_url(**ids())

        if isinstance(client, Client):
            with pytest.raises(YunxiaoError):
                call()
            provider.asked = 0
            with pytest.raises(YunxiaoError) as caught:
                call()
            return caught.value

        async def both() -> Any:
            with pytest.raises(YunxiaoError):
                await call()
            provider.asked = 0
            with pytest.raises(YunxiaoError) as caught:
                await call()
            return caught.value

        return both()

    error = drive(flavour, opts, twice)
    return error, provider.asked


# --- no connection ------------------------------------------------------------------------------


def test_closed_port_ends_in_transport_error_after_three_attempts(api: str, flavour: str) -> None:
    error, attempts = attempts_of_second_call(flavour, api, f"http://127.0.0.1:{closed_port()}")

    assert type(error) is TransportError
    assert attempts == 3


def test_unresolvable_host_ends_in_transport_error_after_three_attempts(
    api: str, flavour: str
) -> None:
    error, attempts = attempts_of_second_call(flavour, api, "https://yunxiao-emas.invalid")

    assert type(error) is TransportError
    assert attempts == 3


# --- answers cut or withheld ---------------------------------------------------------------------


def test_connection_reset_mid_answer_is_retried_then_transport_error(
    api: str, flavour: str, tcp: Callable[..., TcpFaultServer]
) -> None:
    server = tcp(reset_mid_answer())

    error = raised(flavour, options(api, server.url))

    assert type(error) is TransportError
    assert server.request_count == 3


def test_body_shorter_than_its_content_length_is_retried_then_transport_error(
    api: str, flavour: str, tcp: Callable[..., TcpFaultServer]
) -> None:
    server = tcp(truncated_body(b'{"requestId": "R", "success": true, "fileU', promised=300))

    error = raised(flavour, options(api, server.url))

    assert type(error) is TransportError
    assert server.request_count == 3


def test_server_that_never_answers_times_out_three_times(
    api: str, flavour: str, tcp: Callable[..., TcpFaultServer]
) -> None:
    server = tcp(silent(), give_up_after=10)
    started = time.monotonic()

    error = raised(flavour, options(api, server.url, timeout=0.3))

    assert type(error) is TransportError
    assert server.request_count == 3
    assert time.monotonic() - started < 3


def test_transport_error_keeps_the_httpx_error_as_its_cause(
    api: str, flavour: str, tcp: Callable[..., TcpFaultServer]
) -> None:
    server = tcp(reset_mid_answer())

    error = raised(flavour, options(api, server.url))

    assert error.__cause__ is not None


# --- answers that are not what an API sends--------------------------------------------------------


def _cut_json(api: str) -> bytes:
    whole = (
        json.dumps({"requestId": "R", "success": True, "fileUrl": "https://files.example/a.apk"})
        if api == "signed"
        else json.dumps("https://files.example/a.apk?Expires=1&Signature=s")
    )
    return whole[: len(whole) // 2].encode()


def test_complete_answer_with_truncated_json_is_one_api_error(
    api: str, flavour: str, tcp: Callable[..., TcpFaultServer]
) -> None:
    server = tcp(answer(200, _cut_json(api), {"content-type": "application/json"}))

    error = raised(flavour, options(api, server.url))

    assert isinstance(error, ApiError)
    assert error.status_code == 200
    assert server.request_count == 1


PROXY_PAGE = (
    b"<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway"
    b"</h1></center><hr><center>nginx</center></body></html>"
)


def test_html_error_page_of_a_proxy_is_a_server_error_after_three_attempts(
    api: str, flavour: str, tcp: Callable[..., TcpFaultServer]
) -> None:
    server = tcp(answer(502, PROXY_PAGE, {"content-type": "text/html"}))

    error = raised(flavour, options(api, server.url))

    assert type(error) is ServerError
    assert error.status_code == 502
    assert server.request_count == 3


def test_html_page_with_status_200_is_one_api_error_not_a_url(
    api: str, flavour: str, tcp: Callable[..., TcpFaultServer]
) -> None:
    page = b"<html><body>Please log in to the Wi-Fi</body></html>"
    server = tcp(answer(200, page, {"content-type": "text/html"}))

    error = raised(flavour, options(api, server.url))

    assert isinstance(error, ApiError)
    assert server.request_count == 1


def test_proxy_authentication_page_is_one_api_error(
    api: str, flavour: str, tcp: Callable[..., TcpFaultServer]
) -> None:
    page = b"<html><body>407 Proxy Authentication Required</body></html>"
    server = tcp(answer(407, page, {"content-type": "text/html"}))

    error = raised(flavour, options(api, server.url))

    assert isinstance(error, ApiError)
    assert error.status_code == 407
    assert server.request_count == 1


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_burst_of_bodiless_5xx_is_a_server_error_after_three_attempts(
    api: str, flavour: str, status: int, tcp: Callable[..., TcpFaultServer]
) -> None:
    server = tcp(answer(status, keep_alive=True))

    error = raised(flavour, options(api, server.url))

    assert type(error) is ServerError
    assert server.request_count == 3


def test_two_5xx_then_an_answer_succeeds_on_the_third_attempt(target: Target, flavour: str) -> None:
    target.service.fail_next(2, code="ServiceUnavailable")

    url = target.get_url(flavour)

    assert isinstance(url, ArtifactUrl)
    assert [call.status for call in target.service.api_calls] == [503, 503, 200]


def test_burst_of_5xx_from_the_emulator_ends_in_server_error_after_three_attempts(
    target: Target, flavour: str
) -> None:
    target.service.fail_next(10, code="InternalError")

    with pytest.raises(ServerError):
        target.get_url(flavour)
    assert len(target.service.api_calls) == 3


def test_dropped_answers_from_the_emulator_end_in_transport_error_after_three_attempts(
    target: Target, flavour: str, quiet_logs: None
) -> None:
    target.service.drop_next(10)

    with pytest.raises(TransportError):
        target.get_url(flavour)
    assert len(target.service.api_calls) == 3


# --- throttling storms ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "hint",
    ["0", "-1", "-99999", "soon", "1e3", "0x10", "1_000", "\xb9\xb2", "", "Infinity", "NaN"],
)
def test_throttling_storm_with_a_useless_hint_is_throttled_error_after_three_attempts(
    target: Target, flavour: str, hint: str
) -> None:
    target.service.fail_next(10, code="Throttling.User", retry_after=hint)
    started = time.monotonic()

    with pytest.raises(ThrottledError):
        target.get_url(flavour)

    assert len(target.service.api_calls) == 3
    assert time.monotonic() - started < 2  # the hint is ignored: the policy's backoff applies


@pytest.mark.parametrize("hint", ["9" * 40, "99999999999999999999", "86400000", "4294967296"])
def test_throttling_storm_with_a_huge_hint_stays_within_max_total(
    target: Target, flavour: str, hint: str
) -> None:
    target.service.fail_next(10, code="Throttling.User", retry_after=hint)
    policy = RetryPolicy(max_attempts=3, max_total=2.0)  # retry_after_cap stays 30 s
    started = time.monotonic()

    with pytest.raises(ThrottledError) as caught:
        target.get_url(flavour, retries=policy)

    assert time.monotonic() - started < 3
    assert 1 <= len(target.service.api_calls) <= 3
    assert caught.value.retry_after is not None
    assert caught.value.retry_after >= 30


def test_gateway_retry_after_is_read_as_milliseconds(target: Target, flavour: str) -> None:
    # 300 ms on the signed API's x-acs-retry-after; the token API's Retry-After says 1 s.
    target.service.fail_next(1, code="Throttling.User", retry_after=0.3)
    expected = 0.3 if target.api == "signed" else 1.0
    policy = RetryPolicy(max_attempts=2, max_total=5.0)
    started = time.monotonic()

    url = target.get_url(flavour, retries=policy)

    elapsed = time.monotonic() - started
    assert isinstance(url, ArtifactUrl)
    assert expected * 0.9 <= elapsed < expected + 1.0


def test_throttled_error_reports_the_hint_in_seconds(target: Target, flavour: str) -> None:
    target.service.fail_next(1, code="Throttling.User", retry_after=0.25)

    with pytest.raises(ThrottledError) as caught:
        target.get_url(flavour, retries=0)

    expected = 0.25 if target.api == "signed" else 1.0
    assert caught.value.retry_after == pytest.approx(expected)


# --- answers that never end ----------------------------------------------------------------------

BOUNDED_GROWTH = 100 * MiB


@pytest.mark.parametrize(
    "flood",
    [
        pytest.param(lambda: endless_chunked_body(cap=192 * MiB), id="endless-chunked-body"),
        pytest.param(
            lambda: huge_declared_body(declared=8 * 1024 * MiB, cap=192 * MiB),
            id="multi-gigabyte-body",
        ),
        pytest.param(lambda: gzip_bomb(512 * MiB), id="gzip-bomb"),
    ],
)
def test_api_answer_is_read_in_bounded_memory(
    api: str, flavour: str, flood: Callable[[], Behaviour], tcp: Callable[..., TcpFaultServer]
) -> None:
    server = tcp(flood())

    with peak_rss_growth() as growth:
        error = raised(flavour, options(api, server.url, retries=0))

    assert isinstance(error, ApiError | TransportError)
    assert growth[0] < BOUNDED_GROWTH, f"peak RSS grew by {growth[0] // MiB} MiB"


# --- the whole call is bounded in time -----------------------------------------------------------

TRICKLE = trickled_answer(
    json.dumps(
        {"requestId": "R", "success": True, "fileUrl": "https://files.example/a.apk"}
    ).encode()
)
BOUND = 8.0  # max_total 3 s + timeout 1 s, generously
GIVE_UP = BOUND + 1.0  # the trickling server stops then, so a failing test ends too


# A byte every half second: each read gets its byte within the 1 s read timeout, so only a
# bound on the whole call can stop it.
EVERY = 0.5


def test_trickled_answer_would_take_far_longer_than_the_bound() -> None:
    # The premise of the next test: at this pace the answer alone lasts over a minute.
    assert len(TRICKLE) * EVERY > 10 * BOUND


def test_trickling_server_cannot_hold_a_call_beyond_the_policy_bound(
    flavour: str, tcp: Callable[..., TcpFaultServer]
) -> None:
    policy = RetryPolicy(max_attempts=3, max_total=3.0)
    servers = {
        name: tcp(trickle(TRICKLE, every=EVERY), give_up_after=GIVE_UP)
        for name in ("signed", "token")
    }
    elapsed: dict[str, float] = {}
    outcomes: dict[str, object] = {}

    def one(name: str) -> None:
        started = time.monotonic()
        try:
            outcomes[name] = get_url(
                flavour, options(name, servers[name].url, timeout=1.0, retries=policy)
            )
        except BaseException as exc:
            outcomes[name] = exc
        elapsed[name] = time.monotonic() - started

    # Both APIs at once, so the test costs one bound, not two.
    threads = [threading.Thread(target=one, args=(name,)) for name in servers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(GIVE_UP + 10)

    assert all(isinstance(o, TransportError) for o in outcomes.values()), outcomes
    assert all(seconds < BOUND for seconds in elapsed.values()), elapsed


# --- one client, many concurrent failing calls ---------------------------------------------------


def test_async_calls_failing_at_once_each_raise_one_typed_error(
    api: str, tcp: Callable[..., TcpFaultServer]
) -> None:
    server = tcp(sequence([], then=reset_mid_answer()))

    async def main() -> list[BaseException | Any]:
        async with AsyncClient(**options(api, server.url)) as client:
            calls = [client.get_pipeline_emas_artifact_url(**ids()) for _ in range(20)]
            return await asyncio.gather(*calls, return_exceptions=True)

    outcomes = asyncio.run(main())

    assert [type(outcome) for outcome in outcomes] == [TransportError] * 20
    assert server.request_count == 60
