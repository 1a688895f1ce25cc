"""Retries: the RetryPolicy formulas, the server's hint, the retry decisions, and how
Client and AsyncClient apply them (counts, waits, time bound, fresh signatures, logging).

Nothing here sleeps: the clients' sleep is a recorder, and the jitter and the clocks are fakes.
"""

from __future__ import annotations

import logging
from typing import Any

import httpx
import pytest
import respx
from conftest_client import (
    FLAVOURS,
    assert_signed,
    drivers,
    gateway,
    ok,
)
from hypothesis import given
from hypothesis import strategies as st
from yunxiao_emas import (
    ApiError,
    AuthenticationError,
    ForbiddenError,
    InvalidArgumentError,
    InvalidParameterError,
    NotFoundError,
    ServerError,
    ThrottledError,
    TransportError,
)
from yunxiao_emas._retry import RetryPolicy, is_retryable, retry_after_of


def api_error(cls: type[ApiError], status: int, retry_after: float | None = None) -> ApiError:
    return cls(
        code="Some.Code", message="m", request_id="R", status_code=status, retry_after=retry_after
    )


# --- RetryPolicy ---------------------------------------------------------------------------


def test_default_policy_is_three_attempts_with_bounded_backoff() -> None:
    policy = RetryPolicy()
    assert policy.max_attempts == 3
    assert policy.backoff_initial == 0.5
    assert policy.backoff_max == 8.0
    assert policy.max_total == 60.0
    assert policy.retry_after_cap == 30.0


@pytest.mark.parametrize(
    ("retry_number", "cap"), [(0, 0.5), (1, 1.0), (2, 2.0), (3, 4.0), (4, 8.0), (5, 8.0), (9, 8.0)]
)
def test_backoff_cap_doubles_up_to_backoff_max(retry_number: int, cap: float) -> None:
    assert RetryPolicy().backoff(retry_number, lambda: 1.0) == cap


def test_backoff_is_full_jitter_between_zero_and_the_cap() -> None:
    policy = RetryPolicy(backoff_initial=1.0, backoff_max=10.0)
    assert policy.backoff(2, lambda: 0.0) == 0.0
    assert policy.backoff(2, lambda: 0.25) == 1.0


@given(
    retry_number=st.integers(min_value=0, max_value=5000),
    rand=st.floats(min_value=0.0, max_value=1.0),
)
def test_backoff_never_exceeds_backoff_max_for_any_retry_number(
    retry_number: int, rand: float
) -> None:
    policy = RetryPolicy(backoff_initial=0.5, backoff_max=8.0)
    assert 0.0 <= policy.backoff(retry_number, lambda: rand) <= 8.0


def test_wait_is_the_server_hint_when_there_is_one() -> None:
    assert RetryPolicy().wait(0, 2.0, lambda: 1.0) == 2.0
    assert RetryPolicy().wait(4, 2.0, lambda: 0.0) == 2.0


def test_wait_caps_the_server_hint() -> None:
    assert RetryPolicy(retry_after_cap=5.0).wait(0, 3600.0, lambda: 1.0) == 5.0


@pytest.mark.parametrize("hint", [None, 0.0, -3.0])
def test_wait_without_a_positive_hint_is_the_backoff(hint: float | None) -> None:
    assert RetryPolicy().wait(2, hint, lambda: 1.0) == 2.0


@pytest.mark.parametrize("attempts", [0, -1, True, 1.5, "3"])
def test_policy_refuses_max_attempts_that_is_not_a_positive_int(attempts: object) -> None:
    with pytest.raises(InvalidArgumentError):
        RetryPolicy(max_attempts=attempts)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "field", ["backoff_initial", "backoff_max", "max_total", "retry_after_cap"]
)
def test_policy_refuses_negative_durations(field: str) -> None:
    with pytest.raises(InvalidArgumentError) as caught:
        RetryPolicy(**{field: -1.0})
    assert caught.value.parameter == field


# --- retry_after_of ---------------------------------------------------------------------------


def response_with(headers: dict[str, str]) -> httpx.Response:
    # Encoded as a server would send them: UTF-8 bytes on the wire.
    return httpx.Response(429, headers={name: value.encode() for name, value in headers.items()})


@pytest.mark.parametrize(("raw", "seconds"), [("2", 2.0), (" 3 ", 3.0), ("120", 120.0)])
def test_retry_after_reads_a_positive_integer(raw: str, seconds: float) -> None:
    assert retry_after_of(response_with({"x-acs-retry-after": raw})) == seconds


@pytest.mark.parametrize(
    "raw",
    ["0", "-1", "1.5", "abc", "", "2s", "Wed, 21 Oct 2015 07:28:00 GMT", "1_0", "\u0663"],
    ids=[
        "zero",
        "negative",
        "fraction",
        "word",
        "empty",
        "unit",
        "http date",
        "underscore",
        "arabic-indic digit",
    ],
)
def test_retry_after_ignores_anything_but_ascii_digits(raw: str) -> None:
    assert retry_after_of(response_with({"x-acs-retry-after": raw})) is None


def test_retry_after_is_none_without_the_header() -> None:
    assert retry_after_of(response_with({})) is None


def test_standard_retry_after_header_is_read_too() -> None:
    assert retry_after_of(response_with({"Retry-After": "4"})) == 4.0


def test_acs_retry_after_wins_over_the_standard_header() -> None:
    assert retry_after_of(response_with({"x-acs-retry-after": "2", "retry-after": "9"})) == 2.0


# --- is_retryable ----------------------------------------------------------------------------

RETRYABLE = {
    "connect error": httpx.ConnectError("refused"),
    "read timeout": httpx.ReadTimeout("slow"),
    "remote protocol error": httpx.RemoteProtocolError("dropped"),
    "throttled": api_error(ThrottledError, 400),
    "server error": api_error(ServerError, 500),
    "unknown code 429": api_error(ApiError, 429),
    "unknown code 502": api_error(ApiError, 502),
    "unknown code 504": api_error(ApiError, 504),
    "not found with a hint": api_error(NotFoundError, 404, retry_after=1.0),
    "unknown 400 with a hint": api_error(ApiError, 400, retry_after=1.0),
}
NOT_RETRYABLE = {
    "not found": api_error(NotFoundError, 404),
    "forbidden": api_error(ForbiddenError, 403),
    "invalid parameter": api_error(InvalidParameterError, 400),
    "authentication": api_error(AuthenticationError, 400),
    "unknown code 400": api_error(ApiError, 400),
    "unknown code 200": api_error(ApiError, 200),
    "invalid argument": InvalidArgumentError("md5", "must not be empty"),
    "value error": ValueError("x"),
}


@pytest.mark.parametrize("error", RETRYABLE.values(), ids=RETRYABLE.keys())
def test_is_retryable(error: Exception) -> None:
    assert is_retryable(error)


@pytest.mark.parametrize("error", NOT_RETRYABLE.values(), ids=NOT_RETRYABLE.keys())
def test_is_not_retryable(error: Exception) -> None:
    assert not is_retryable(error)


# --- the clients retrying -----------------------------------------------------------------


@pytest.fixture(params=FLAVOURS)
def make(request: pytest.FixtureRequest) -> Any:
    yield from drivers(request.param)


@pytest.fixture
def api() -> Any:
    with respx.mock(assert_all_called=False) as mock:
        yield mock


def unavailable(**headers: str) -> httpx.Response:
    return gateway(503, "ServiceUnavailable", **headers)


def test_two_server_errors_then_success_takes_three_calls(make: Any, api: Any) -> None:
    route = api.route().mock(side_effect=[unavailable(), unavailable(), ok()])
    driver = make()
    assert driver.call().request_id == "OK-REQUEST-ID"
    assert route.call_count == 3
    assert len(driver.sleeps) == 2


def test_persistent_server_error_is_raised_after_three_attempts(make: Any, api: Any) -> None:
    route = api.route().mock(return_value=unavailable())
    with pytest.raises(ServerError) as caught:
        make().call()
    assert route.call_count == 3
    assert caught.value.status_code == 503


def test_retries_zero_makes_one_attempt(make: Any, api: Any) -> None:
    route = api.route().mock(return_value=unavailable())
    driver = make(retries=0)
    with pytest.raises(ServerError):
        driver.call()
    assert route.call_count == 1
    assert driver.sleeps == []


def test_retries_count_adds_to_the_first_attempt(make: Any, api: Any) -> None:
    route = api.route().mock(return_value=unavailable())
    with pytest.raises(ServerError):
        make(retries=4).call()
    assert route.call_count == 5


def test_retry_policy_sets_the_number_of_attempts(make: Any, api: Any) -> None:
    route = api.route().mock(return_value=unavailable())
    with pytest.raises(ServerError):
        make(retries=RetryPolicy(max_attempts=2)).call()
    assert route.call_count == 2


@pytest.mark.parametrize(
    ("status", "code"),
    [
        (404, "InvalidPipeline.NotFound"),
        (403, "Forbidden.AccessDenied"),
        (400, "InvalidParam.ParamNotPresent"),
        (400, "SignatureDoesNotMatch"),
        (400, "Brand.NewCode"),
    ],
)
def test_business_error_is_not_retried(make: Any, api: Any, status: int, code: str) -> None:
    body = {"requestId": "R", "success": False, "errorCode": code, "errorMessage": "m"}
    route = api.route().mock(return_value=httpx.Response(status, json=body))
    driver = make()
    with pytest.raises(ApiError) as caught:
        driver.call()
    assert caught.value.code == code
    assert route.call_count == 1
    assert driver.sleeps == []


def test_throttled_call_waits_exactly_the_server_hint(make: Any, api: Any) -> None:
    throttled = gateway(429, "Throttling.User", **{"x-acs-retry-after": "2"})
    route = api.route().mock(side_effect=[throttled, ok()])
    driver = make()
    driver.core.random = lambda: 1.0
    assert driver.call().request_id == "OK-REQUEST-ID"
    assert route.call_count == 2
    assert driver.sleeps == [2.0]


def test_server_hint_is_capped_by_the_policy(make: Any, api: Any) -> None:
    throttled = gateway(429, "Throttling.User", **{"x-acs-retry-after": "3600"})
    api.route().mock(side_effect=[throttled, ok()])
    driver = make(retries=RetryPolicy(retry_after_cap=5.0))
    driver.call()
    assert driver.sleeps == [5.0]


@pytest.mark.parametrize(
    ("status", "code"),
    [(400, "Brand.NewCode"), (403, "Forbidden.AccessDenied"), (404, "InvalidPipeline.NotFound")],
)
def test_any_4xx_with_a_retry_after_hint_is_retried(
    make: Any, api: Any, status: int, code: str
) -> None:
    body = {"requestId": "R", "success": False, "errorCode": code, "errorMessage": "m"}
    hinted = httpx.Response(status, json=body, headers={"x-acs-retry-after": "1"})
    route = api.route().mock(side_effect=[hinted, ok()])
    driver = make()
    assert driver.call().request_id == "OK-REQUEST-ID"
    assert route.call_count == 2
    assert driver.sleeps == [1.0]


def test_connect_error_then_success_succeeds(make: Any, api: Any) -> None:
    route = api.route().mock(side_effect=[httpx.ConnectError("refused"), ok()])
    assert make().call().request_id == "OK-REQUEST-ID"
    assert route.call_count == 2


def test_persistent_timeout_raises_transport_error_after_three_attempts(
    make: Any, api: Any
) -> None:
    route = api.route().mock(side_effect=httpx.ReadTimeout("slow"))
    with pytest.raises(TransportError) as caught:
        make().call()
    assert route.call_count == 3
    assert isinstance(caught.value.__cause__, httpx.ReadTimeout)


def test_backoff_with_top_jitter_is_the_cap_doubling_to_backoff_max(make: Any, api: Any) -> None:
    api.route().mock(return_value=unavailable())
    driver = make(retries=RetryPolicy(max_attempts=7, backoff_initial=0.5, backoff_max=3.0))
    driver.core.random = lambda: 1.0
    with pytest.raises(ServerError):
        driver.call()
    assert driver.sleeps == [0.5, 1.0, 2.0, 3.0, 3.0, 3.0]


def test_backoff_with_bottom_jitter_is_zero(make: Any, api: Any) -> None:
    api.route().mock(return_value=unavailable())
    driver = make()
    driver.core.random = lambda: 0.0
    with pytest.raises(ServerError):
        driver.call()
    assert driver.sleeps == [0.0, 0.0]


def test_default_waits_stay_within_their_caps(make: Any, api: Any) -> None:
    api.route().mock(return_value=unavailable())
    driver = make(retries=RetryPolicy(max_attempts=8))
    with pytest.raises(ServerError):
        driver.call()
    caps = [0.5, 1.0, 2.0, 4.0, 8.0, 8.0, 8.0]
    assert len(driver.sleeps) == len(caps)
    assert all(0.0 <= wait <= cap for wait, cap in zip(driver.sleeps, caps, strict=True))


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def test_no_retry_starts_after_max_total(make: Any, api: Any) -> None:
    clock = FakeClock()
    starts: list[float] = []

    def slow_failure(request: httpx.Request) -> httpx.Response:
        starts.append(clock.now)
        clock.advance(0.5)  # each attempt takes half a second
        return unavailable()

    api.route().mock(side_effect=slow_failure)
    policy = RetryPolicy(max_attempts=100, backoff_initial=1.0, backoff_max=1.0, max_total=5.0)
    driver = make(retries=policy)
    driver.core.monotonic = clock
    driver.core.random = lambda: 1.0
    driver.on_sleep(clock.advance)
    with pytest.raises(ServerError):
        driver.call()
    # attempts start at 0, 1.5, 3.0 and 4.5; one more would start at 6.0
    assert starts == [0.0, 1.5, 3.0, 4.5]
    assert all(start <= policy.max_total for start in starts)


def test_long_server_hint_past_max_total_ends_the_retries(make: Any, api: Any) -> None:
    clock = FakeClock()
    throttled = gateway(429, "Throttling.User", **{"x-acs-retry-after": "20"})
    route = api.route().mock(return_value=throttled)
    driver = make(retries=RetryPolicy(max_attempts=5, max_total=10.0))
    driver.core.monotonic = clock
    driver.on_sleep(clock.advance)
    with pytest.raises(ThrottledError) as caught:
        driver.call()
    assert route.call_count == 1
    assert driver.sleeps == []
    assert caught.value.retry_after == 20.0


def test_every_attempt_has_a_fresh_nonce_date_and_valid_signature(make: Any, api: Any) -> None:
    clock = FakeClock()
    clock.now = 1_750_000_000.0
    route = api.route().mock(side_effect=[unavailable(**{"x-acs-retry-after": "5"})] * 3 + [ok()])
    driver = make(retries=3)
    driver.core.auth._clock = clock
    driver.on_sleep(clock.advance)
    driver.call()
    requests = [call.request for call in route.calls]
    assert len(requests) == 4
    nonces = [request.headers["x-acs-signature-nonce"] for request in requests]
    dates = [request.headers["x-acs-date"] for request in requests]
    assert len(set(nonces)) == 4
    assert dates == [
        "2025-06-15T15:06:40Z",
        "2025-06-15T15:06:45Z",
        "2025-06-15T15:06:50Z",
        "2025-06-15T15:06:55Z",
    ]
    for request in requests:
        assert_signed(request)


def test_retry_is_logged_at_info_with_the_request_id(
    make: Any, api: Any, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="yunxiao_emas")
    api.route().mock(side_effect=[gateway(503, "ServiceUnavailable", "RID-RETRY-1"), ok()])
    make().call()
    infos = [
        record
        for record in caplog.records
        if record.name.startswith("yunxiao_emas") and record.levelno == logging.INFO
    ]
    assert len(infos) == 1
    assert "RID-RETRY-1" in infos[0].getMessage()
    assert "503" in infos[0].getMessage()


def test_success_logs_nothing_above_debug(
    make: Any, api: Any, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    api.route().mock(return_value=ok())
    make().call()
    ours = [record for record in caplog.records if record.name.startswith("yunxiao_emas")]
    assert ours, "a success should log its request id at DEBUG"
    # httpx's own "HTTP Request: ..." INFO line is httpx's business, not ours.
    assert [record for record in ours if record.levelno > logging.DEBUG] == []
