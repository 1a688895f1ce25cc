"""Retries: the RetryPolicy formulas, the server's hint, the retry decisions, and that
Client and AsyncClient apply them (counts, the waits slept, fresh signatures, logging).

The waits, the jitter, the time bound and the clock-skew resend are ``test_call_flow.py``'s
subject, where the call flow is fed answers directly. The client tests here use a policy that
waits zero seconds, or (for the ``retries=<int>`` form, whose backoff is the default one) the
standard library's sleeps replaced by recorders: nothing here sleeps.
"""

from __future__ import annotations

import asyncio
import calendar
import email.utils
import logging
import time
from typing import Any

import httpx
import pytest
import respx
from conftest_client import (
    CREDENTIALS,
    FLAVOURS,
    IDS,
    assert_signed,
    drivers,
    fast,
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
from yunxiao_emas._call.policy import RetryPolicy
from yunxiao_emas._call.retry import is_retryable, retry_after_of
from yunxiao_emas.client import AsyncClient, Client


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


# x-acs-retry-after is in milliseconds (openapi.yaml, components/headers/RetryAfter; the
# official runtime reads it so); the standard Retry-After is in seconds.


@pytest.mark.parametrize(
    ("raw", "seconds"),
    [("2000", 2.0), (" 3000 ", 3.0), ("1500", 1.5), ("250", 0.25), ("120000", 120.0)],
)
def test_acs_retry_after_is_read_as_milliseconds(raw: str, seconds: float) -> None:
    assert retry_after_of(response_with({"x-acs-retry-after": raw})) == seconds


@pytest.mark.parametrize(("raw", "seconds"), [("2", 2.0), (" 3 ", 3.0), ("120", 120.0)])
def test_standard_retry_after_is_read_as_seconds(raw: str, seconds: float) -> None:
    assert retry_after_of(response_with({"Retry-After": raw})) == seconds


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
@pytest.mark.parametrize("header", ["x-acs-retry-after", "Retry-After"])
def test_retry_after_ignores_anything_but_ascii_digits(raw: str, header: str) -> None:
    assert retry_after_of(response_with({header: raw})) is None


def test_retry_after_is_none_without_the_header() -> None:
    assert retry_after_of(response_with({})) is None


def test_acs_retry_after_wins_over_the_standard_header() -> None:
    both = {"x-acs-retry-after": "2000", "retry-after": "9"}
    assert retry_after_of(response_with(both)) == 2.0


def test_an_unusable_acs_retry_after_leaves_the_standard_header() -> None:
    both = {"x-acs-retry-after": "soon", "retry-after": "9"}
    assert retry_after_of(response_with(both)) == 9.0


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
    assert make().call().request_id == "OK-REQUEST-ID"
    assert route.call_count == 3


def test_persistent_server_error_is_raised_after_the_policys_attempts(make: Any, api: Any) -> None:
    route = api.route().mock(return_value=unavailable())
    with pytest.raises(ServerError) as caught:
        make(retries=fast(max_attempts=3)).call()
    assert route.call_count == 3
    assert caught.value.status_code == 503


def test_retries_zero_makes_one_attempt(make: Any, api: Any) -> None:
    route = api.route().mock(return_value=unavailable())
    with pytest.raises(ServerError):
        make(retries=0).call()
    assert route.call_count == 1


def test_retry_policy_sets_the_number_of_attempts(make: Any, api: Any) -> None:
    route = api.route().mock(return_value=unavailable())
    with pytest.raises(ServerError):
        make(retries=fast(max_attempts=5)).call()
    assert route.call_count == 5


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
    with pytest.raises(ApiError) as caught:
        make().call()
    assert caught.value.code == code
    assert route.call_count == 1


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
    assert make().call().request_id == "OK-REQUEST-ID"
    assert route.call_count == 2


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


def test_every_attempt_has_a_fresh_nonce_a_date_and_a_valid_signature(make: Any, api: Any) -> None:
    route = api.route().mock(side_effect=[unavailable(**{"x-acs-retry-after": "5"})] * 3 + [ok()])
    make(retries=fast(max_attempts=4)).call()
    requests = [call.request for call in route.calls]
    assert len(requests) == 4
    nonces = [request.headers["x-acs-signature-nonce"] for request in requests]
    assert len(set(nonces)) == 4
    for request in requests:
        assert request.headers["x-acs-date"]
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


# --- the clock-skew resend ---------------------------------------------------------------


class SkewedGateway:
    """A gateway whose clock runs ``ahead`` seconds ahead of this machine's.

    Like the real one it rejects an ``x-acs-date`` more than 15 minutes off with
    ``InvalidTimeStamp.Expired`` and sends its own time in ``Date``.
    """

    def __init__(self, ahead: float, *, always_reject: bool = False) -> None:
        self.ahead = ahead
        self.always_reject = always_reject
        self.dates: list[float] = []

    def now(self) -> float:
        return time.time() + self.ahead

    def __call__(self, request: httpx.Request) -> httpx.Response:
        sent_at = calendar.timegm(time.strptime(request.headers["x-acs-date"], ACS_DATE))
        self.dates.append(sent_at)
        if self.always_reject or abs(sent_at - self.now()) > 15 * 60:
            body = {"RequestId": "REQ-SKEW", "Code": "InvalidTimeStamp.Expired", "Message": "m"}
            date = email.utils.formatdate(self.now(), usegmt=True)
            return httpx.Response(400, json=body, headers={"Date": date})
        return ok()


ACS_DATE = "%Y-%m-%dT%H:%M:%SZ"


def test_a_skew_rejection_is_sent_again_at_once_with_the_servers_time(make: Any, api: Any) -> None:
    gateway = SkewedGateway(20 * 60)
    api.route().mock(side_effect=gateway)

    assert make(retries=0).call().request_id == "OK-REQUEST-ID"

    assert len(gateway.dates) == 2
    assert abs(gateway.dates[1] - gateway.now()) <= 3


def test_the_corrected_clock_serves_the_next_call_at_once(make: Any, api: Any) -> None:
    gateway = SkewedGateway(20 * 60)
    api.route().mock(side_effect=gateway)
    driver = make(retries=0)
    driver.call()

    driver.call()

    assert len(gateway.dates) == 3


def test_a_second_skew_rejection_is_raised(make: Any, api: Any) -> None:
    gateway = SkewedGateway(20 * 60, always_reject=True)
    api.route().mock(side_effect=gateway)

    with pytest.raises(AuthenticationError) as caught:
        make().call()

    assert caught.value.code == "InvalidTimeStamp.Expired"
    assert len(gateway.dates) == 2


# --- the waits the clients sleep (the standard library's sleeps recorded) --------------------


@pytest.fixture
def slept(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """What the clients sleep: ``time.sleep`` and ``asyncio.sleep`` record instead of waiting.

    Patched before a client is made (``Client`` takes ``time.sleep`` when it is made).
    """
    waits: list[float] = []

    async def async_sleep(seconds: float, result: Any = None) -> Any:
        waits.append(seconds)
        return result

    monkeypatch.setattr(time, "sleep", waits.append)
    monkeypatch.setattr(asyncio, "sleep", async_sleep)
    return waits


def call_with(flavour: str, **options: Any) -> Any:
    """One call through a client made with exactly ``options`` (no test default)."""
    if flavour == "sync":
        with Client(credentials=CREDENTIALS, **options) as client:
            return client.get_pipeline_emas_artifact_url(**IDS)

    async def run() -> Any:
        async with AsyncClient(credentials=CREDENTIALS, transport="httpx", **options) as client:
            return await client.get_pipeline_emas_artifact_url(**IDS)

    return asyncio.run(run())


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_by_default_a_call_makes_three_attempts_with_backoff_waits(
    flavour: str, api: Any, slept: list[float]
) -> None:
    route = api.route().mock(return_value=unavailable())
    with pytest.raises(ServerError):
        call_with(flavour)
    assert route.call_count == 3
    assert len(slept) == 2
    assert all(0.0 <= wait <= cap for wait, cap in zip(slept, [0.5, 1.0], strict=True))


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_int_retries_count_adds_to_the_first_attempt(
    flavour: str, api: Any, slept: list[float]
) -> None:
    route = api.route().mock(return_value=unavailable())
    with pytest.raises(ServerError):
        call_with(flavour, retries=4)
    assert route.call_count == 5
    assert len(slept) == 4
    assert all(0.0 <= wait <= cap for wait, cap in zip(slept, [0.5, 1.0, 2.0, 4.0], strict=True))


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_the_client_sleeps_the_server_hint(flavour: str, api: Any, slept: list[float]) -> None:
    throttled = gateway(429, "Throttling.User", **{"retry-after": "2"})
    api.route().mock(side_effect=[throttled, ok()])
    assert call_with(flavour).request_id == "OK-REQUEST-ID"
    assert slept == [2.0]


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_a_zero_wait_policy_sleeps_zero_seconds(flavour: str, api: Any, slept: list[float]) -> None:
    throttled = gateway(429, "Throttling.User", **{"x-acs-retry-after": "2"})
    api.route().mock(side_effect=[unavailable(), throttled, ok()])
    call_with(flavour, retries=fast())
    assert slept == [0.0, 0.0]
