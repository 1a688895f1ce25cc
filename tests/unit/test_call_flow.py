"""The call flow (sans I/O): every retry decision of one call, checked by feeding the flow
answers and reading the steps it yields: the request to send again, or a :class:`Sleep`.

Nothing here sleeps or touches a network: the clock and the jitter are fakes passed to
``call_flow``, the answers are ``httpx.Response`` objects and ``httpx.RequestError``s, and the
answers are parsed by the real parsers of both APIs.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable, Iterable
from typing import Any

import attrs
import httpx
import pytest
from yunxiao_emas import (
    ApiError,
    ArtifactUrl,
    AuthenticationError,
    ForbiddenError,
    InvalidParameterError,
    NotFoundError,
    ServerError,
    ThrottledError,
    TransportError,
)
from yunxiao_emas._call.policy import RetryPolicy
from yunxiao_emas._call.responses import signed_answer, token_answer
from yunxiao_emas._call.retry import Send, Sleep, call_flow, final_error

NOW = 1_750_000_000.0
FILE_URL = "https://oss.example.com/app.apk?Expires=1750003600&Signature=s"
URL = "https://api.example/x?a=1"


class Builder:
    """The flow's request factory: a fresh request at every call, and the time left it was
    given each time."""

    def __init__(self) -> None:
        self.remaining: list[float] = []
        self.built: list[httpx.Request] = []

    def __call__(self, remaining: float) -> httpx.Request:
        self.remaining.append(remaining)
        request = httpx.Request("POST", URL, headers={"x-attempt": str(len(self.built) + 1)})
        self.built.append(request)
        return request


def signed(response: httpx.Response) -> ArtifactUrl:
    return signed_answer(response, lambda: NOW)


def token(response: httpx.Response) -> ArtifactUrl:
    return token_answer(response, lambda: NOW)


def ok() -> httpx.Response:
    body = {"requestId": "OK-1", "success": True, "errorCode": "", "fileUrl": FILE_URL}
    return httpx.Response(200, json=body)


def gateway(status: int, code: str, request_id: str = "GW-1", **headers: str) -> httpx.Response:
    body = {"RequestId": request_id, "Code": code, "Message": f"gateway says {code}"}
    return httpx.Response(status, json=body, headers=headers)


def service(status: int, code: str, **headers: str) -> httpx.Response:
    body = {"requestId": "SV-1", "success": False, "errorCode": code, "errorMessage": "m"}
    return httpx.Response(status, json=body, headers=headers)


def unavailable(**headers: str) -> httpx.Response:
    return gateway(503, "ServiceUnavailable", **headers)


def skew() -> httpx.Response:
    return gateway(400, "InvalidTimeStamp.Expired", "SKEW-1")


class Clock:
    """A monotonic clock that moves only when told."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@attrs.define
class Trace:
    """What a flow did: every step it yielded, and what it returned or raised."""

    steps: list[Any]
    result: Any = None
    error: BaseException | None = None

    @property
    def requests(self) -> list[Any]:
        return [step.request for step in self.steps if isinstance(step, Send)]

    @property
    def sleeps(self) -> list[float]:
        return [step.seconds for step in self.steps if isinstance(step, Sleep)]


def drive(
    outcomes: Iterable[httpx.Response | httpx.RequestError],
    *,
    parse: Callable[[httpx.Response], Any] = signed,
    policy: RetryPolicy | None = None,
    recover: Callable[[ApiError], bool] | None = None,
    clock: Clock | None = None,
    rand: Callable[[], float] = lambda: 1.0,
    attempt_takes: float = 0.0,
    builder: Builder | None = None,
) -> Trace:
    """Run a call flow, answering each request with the next outcome; a Sleep advances the
    clock by its seconds, an answer by ``attempt_takes``."""
    clock = clock or Clock()
    answers = iter(outcomes)
    flow = call_flow(
        builder or Builder(),
        parse,
        policy or RetryPolicy(),
        recover=recover,
        monotonic=clock,
        rand=rand,
    )
    trace = Trace(steps=[])
    try:
        step = next(flow)
        while True:
            trace.steps.append(step)
            if isinstance(step, Sleep):
                clock.advance(step.seconds)
                step = flow.send(None)
            else:
                clock.advance(attempt_takes)
                step = flow.send(next(answers))
    except StopIteration as stop:
        trace.result = stop.value
    except Exception as exc:  # the trace keeps what the flow raised
        trace.error = exc
    return trace


# --- one good answer ------------------------------------------------------------------------


def test_the_first_step_sends_the_request_the_builder_made() -> None:
    builder = Builder()
    flow = call_flow(builder, signed, RetryPolicy(), monotonic=Clock())
    step = next(flow)
    assert isinstance(step, Send)
    assert step.request is builder.built[0]


def test_the_first_attempt_may_take_the_whole_total_time() -> None:
    builder = Builder()
    clock = Clock()
    clock.advance(100.0)
    step = next(call_flow(builder, signed, RetryPolicy(max_total=7.5), monotonic=clock))
    assert builder.remaining == [7.5]
    assert step.deadline == 107.5


def test_every_attempt_ends_by_the_same_deadline_and_gets_what_time_is_left() -> None:
    builder = Builder()
    trace = drive(
        [unavailable(), unavailable(), ok()],
        policy=RetryPolicy(max_total=60.0),
        rand=lambda: 0.5,
        attempt_takes=1.0,
        builder=builder,
    )
    deadlines = {step.deadline for step in trace.steps if isinstance(step, Send)}
    assert deadlines == {60.0}
    # 60 s, then 60 - 1 (attempt) - 0.25 (wait), then 58.75 - 1 - 0.5.
    assert builder.remaining == [60.0, 58.75, 57.25]


def test_a_good_answer_ends_the_flow_with_what_the_parser_made_of_it() -> None:
    trace = drive([ok()])
    assert trace.error is None
    assert trace.result.file_url == FILE_URL
    assert trace.result.request_id == "OK-1"
    assert len(trace.steps) == 1


def test_the_result_is_whatever_the_parser_returns() -> None:
    trace = drive([ok()], parse=lambda response: ("parsed", response.status_code))
    assert trace.result == ("parsed", 200)


# --- how many attempts ----------------------------------------------------------------------


def test_two_server_errors_then_success_takes_three_attempts_and_two_waits() -> None:
    trace = drive([unavailable(), unavailable(), ok()])
    assert trace.result.request_id == "OK-1"
    assert len(trace.requests) == 3
    assert len(trace.sleeps) == 2


def test_every_attempt_sends_a_request_built_anew() -> None:
    # Built anew: each attempt is signed again, with a new nonce and date.
    trace = drive([unavailable(), unavailable(), ok()])
    assert [request.headers["x-attempt"] for request in trace.requests] == ["1", "2", "3"]


def test_a_wait_comes_between_two_attempts() -> None:
    trace = drive([unavailable(), ok()])
    assert [type(step) for step in trace.steps] == [Send, Sleep, Send]


def test_persistent_server_error_is_raised_after_max_attempts() -> None:
    trace = drive([unavailable()] * 5, policy=RetryPolicy(max_attempts=3))
    assert isinstance(trace.error, ServerError)
    assert trace.error.status_code == 503
    assert len(trace.requests) == 3
    assert len(trace.sleeps) == 2


def test_the_error_raised_is_the_last_answers() -> None:
    answers = [unavailable(), gateway(503, "ServiceUnavailable", "LAST-ONE")]
    trace = drive(answers, policy=RetryPolicy(max_attempts=2))
    assert isinstance(trace.error, ServerError)
    assert trace.error.request_id == "LAST-ONE"


def test_max_attempts_one_makes_one_attempt_and_never_waits() -> None:
    trace = drive([unavailable()], policy=RetryPolicy(max_attempts=1))
    assert isinstance(trace.error, ServerError)
    assert len(trace.requests) == 1
    assert trace.sleeps == []


@pytest.mark.parametrize(
    ("answer", "cls"),
    [
        (service(404, "InvalidPipeline.NotFound"), NotFoundError),
        (service(403, "Forbidden.AccessDenied"), ForbiddenError),
        (service(400, "InvalidParam.ParamNotPresent"), InvalidParameterError),
        (gateway(400, "SignatureDoesNotMatch"), AuthenticationError),
        (service(400, "Brand.NewCode"), ApiError),
    ],
    ids=["not found", "forbidden", "invalid parameter", "signature", "unknown code"],
)
def test_business_error_is_raised_at_once(answer: httpx.Response, cls: type[ApiError]) -> None:
    trace = drive([answer, ok()])
    assert type(trace.error) is cls
    assert len(trace.requests) == 1
    assert trace.sleeps == []


# --- how long to wait -----------------------------------------------------------------------


def test_throttled_answer_waits_exactly_the_server_hint() -> None:
    throttled = gateway(429, "Throttling.User", **{"x-acs-retry-after": "2000"})  # ms
    trace = drive([throttled, ok()], rand=lambda: 1.0)
    assert trace.result.request_id == "OK-1"
    assert trace.sleeps == [2.0]


def test_server_hint_is_capped_by_the_policy() -> None:
    throttled = gateway(429, "Throttling.User", **{"retry-after": "3600"})
    trace = drive([throttled, ok()], policy=RetryPolicy(retry_after_cap=5.0))
    assert trace.sleeps == [5.0]


def test_standard_retry_after_header_is_a_server_hint_too() -> None:
    throttled = httpx.Response(
        429, json={"errorCode": "TooManyRequests"}, headers={"retry-after": "3"}
    )
    trace = drive([throttled, httpx.Response(200, json=FILE_URL)], parse=token)
    assert trace.sleeps == [3.0]
    assert trace.result.file_url == FILE_URL


@pytest.mark.parametrize(
    ("status", "code"),
    [(400, "Brand.NewCode"), (403, "Forbidden.AccessDenied"), (404, "InvalidPipeline.NotFound")],
)
def test_any_4xx_with_a_retry_after_hint_is_retried(status: int, code: str) -> None:
    hinted = service(status, code, **{"x-acs-retry-after": "1000"})
    trace = drive([hinted, ok()])
    assert trace.result.request_id == "OK-1"
    assert len(trace.requests) == 2
    assert len(trace.sleeps) == 1


def test_backoff_with_top_jitter_is_the_cap_doubling_to_backoff_max() -> None:
    policy = RetryPolicy(max_attempts=7, backoff_initial=0.5, backoff_max=3.0)
    trace = drive([unavailable()] * 7, policy=policy, rand=lambda: 1.0)
    assert isinstance(trace.error, ServerError)
    assert trace.sleeps == [0.5, 1.0, 2.0, 3.0, 3.0, 3.0]


def test_backoff_with_bottom_jitter_is_zero() -> None:
    trace = drive([unavailable()] * 3, rand=lambda: 0.0)
    assert trace.sleeps == [0.0, 0.0]


def test_the_jitter_comes_from_the_random_source_given() -> None:
    trace = drive([unavailable()] * 3, rand=lambda: 0.5)
    assert trace.sleeps == [0.25, 0.5]


def test_default_waits_stay_within_their_caps() -> None:
    trace = drive([unavailable()] * 8, policy=RetryPolicy(max_attempts=8), rand=random.random)
    caps = [0.5, 1.0, 2.0, 4.0, 8.0, 8.0, 8.0]
    assert len(trace.sleeps) == len(caps)
    assert all(0.0 <= wait <= cap for wait, cap in zip(trace.sleeps, caps, strict=True))


def test_zero_backoff_policy_never_waits() -> None:
    policy = RetryPolicy(backoff_initial=0.0, backoff_max=0.0, retry_after_cap=0.0)
    throttled = gateway(429, "Throttling.User", **{"x-acs-retry-after": "7000"})
    trace = drive([unavailable(), throttled, ok()], policy=policy)
    assert trace.result.request_id == "OK-1"
    assert trace.sleeps == [0.0, 0.0]


# --- the total-time bound -------------------------------------------------------------------


def test_no_retry_starts_after_max_total() -> None:
    clock = Clock()
    starts: list[float] = []

    def parse(response: httpx.Response) -> ArtifactUrl:
        starts.append(clock.now - 0.5)  # the attempt started half a second ago
        return signed(response)

    policy = RetryPolicy(max_attempts=100, backoff_initial=1.0, backoff_max=1.0, max_total=5.0)
    trace = drive([unavailable()] * 100, parse=parse, policy=policy, clock=clock, attempt_takes=0.5)
    assert isinstance(trace.error, ServerError)
    # attempts start at 0, 1.5, 3.0 and 4.5; one more would start at 6.0
    assert starts == [0.0, 1.5, 3.0, 4.5]


def test_long_server_hint_past_max_total_ends_the_retries_without_waiting() -> None:
    throttled = gateway(429, "Throttling.User", **{"retry-after": "20"})
    trace = drive([throttled, ok()], policy=RetryPolicy(max_attempts=5, max_total=10.0))
    assert isinstance(trace.error, ThrottledError)
    assert trace.error.retry_after == 20.0
    assert len(trace.requests) == 1
    assert trace.sleeps == []


def test_the_bound_counts_from_the_first_attempt() -> None:
    clock = Clock()
    clock.now = 1000.0  # an arbitrary origin of the monotonic clock
    policy = RetryPolicy(max_attempts=3, backoff_initial=1.0, backoff_max=1.0, max_total=1.5)
    trace = drive([unavailable()] * 3, policy=policy, clock=clock)
    assert len(trace.requests) == 2
    assert trace.sleeps == [1.0]


# --- no answer at all -----------------------------------------------------------------------


def test_connect_error_then_success_succeeds() -> None:
    trace = drive([httpx.ConnectError("refused"), ok()])
    assert trace.result.request_id == "OK-1"
    assert len(trace.requests) == 2
    assert len(trace.sleeps) == 1


@pytest.mark.parametrize(
    "failure",
    [httpx.ConnectError, httpx.ConnectTimeout, httpx.ReadTimeout, httpx.RemoteProtocolError],
    ids=lambda cls: cls.__name__,
)
def test_persistent_transport_failure_raises_transport_error_with_cause(
    failure: type[httpx.TransportError],
) -> None:
    trace = drive([failure("no answer")] * 3)
    assert isinstance(trace.error, TransportError)
    assert isinstance(trace.error.__cause__, failure)
    assert failure.__name__ in str(trace.error)
    assert len(trace.requests) == 3


def test_a_request_httpx_refuses_to_send_is_not_retried_and_not_quoted() -> None:
    refused = httpx.LocalProtocolError("Illegal header value b'CAIS-VERY-SECRET'")
    trace = drive([refused, ok()])
    assert isinstance(trace.error, TransportError)
    assert isinstance(trace.error.__cause__, httpx.LocalProtocolError)
    assert "CAIS-VERY-SECRET" not in str(trace.error)
    assert len(trace.requests) == 1


def test_a_request_error_that_is_not_a_transport_failure_is_not_retried() -> None:
    trace = drive([httpx.DecodingError("bad gzip"), ok()])
    assert isinstance(trace.error, TransportError)
    assert isinstance(trace.error.__cause__, httpx.DecodingError)
    assert len(trace.requests) == 1


# --- recover: the signer's clock-skew correction ---------------------------------------------


class Recover:
    """A ``recover`` that answers as told and records what it was asked about."""

    def __init__(self, answer: bool = True) -> None:
        self.answer = answer
        self.asked: list[ApiError] = []

    def __call__(self, error: ApiError) -> bool:
        self.asked.append(error)
        return self.answer and error.code == "InvalidTimeStamp.Expired"


def test_recover_true_sends_the_same_request_again_at_once() -> None:
    recover = Recover()
    trace = drive([skew(), ok()], recover=recover)
    assert trace.result.request_id == "OK-1"
    assert [type(step) for step in trace.steps] == [Send, Send]  # no Sleep between
    assert [error.code for error in recover.asked] == ["InvalidTimeStamp.Expired"]


def test_recover_is_handed_the_api_error_of_the_answer() -> None:
    recover = Recover()
    drive([skew(), ok()], recover=recover)
    [error] = recover.asked
    assert isinstance(error, AuthenticationError)
    assert error.request_id == "SKEW-1"
    assert error.response is not None
    assert error.response.status_code == 400


def test_a_resend_for_recover_does_not_count_as_an_attempt() -> None:
    trace = drive([skew(), ok()], policy=RetryPolicy(max_attempts=1), recover=Recover())
    assert trace.result.request_id == "OK-1"
    assert len(trace.requests) == 2


def test_recover_is_asked_once_per_attempt() -> None:
    recover = Recover()
    trace = drive([skew(), skew(), ok()], recover=recover)
    assert isinstance(trace.error, AuthenticationError)
    assert len(trace.requests) == 2
    assert len(recover.asked) == 1


def test_recover_may_help_again_in_a_later_attempt() -> None:
    recover = Recover()
    trace = drive([skew(), unavailable(), skew(), ok()], recover=recover)
    assert trace.result.request_id == "OK-1"
    assert [type(step) for step in trace.steps] == [Send, Send, Sleep, Send, Send]
    assert [error.code for error in recover.asked] == [
        "InvalidTimeStamp.Expired",
        "InvalidTimeStamp.Expired",
    ]


def test_recover_false_leaves_the_decision_to_the_retry_rules() -> None:
    trace = drive([skew(), ok()], recover=Recover(answer=False))
    assert isinstance(trace.error, AuthenticationError)
    assert trace.error.code == "InvalidTimeStamp.Expired"
    assert len(trace.requests) == 1


def test_without_recover_a_skew_answer_is_raised() -> None:
    trace = drive([skew(), ok()], recover=None)
    assert isinstance(trace.error, AuthenticationError)
    assert len(trace.requests) == 1


def test_recover_is_not_asked_about_a_transport_failure() -> None:
    recover = Recover()
    trace = drive([httpx.ConnectError("refused"), ok()], recover=recover)
    assert trace.result.request_id == "OK-1"
    assert recover.asked == []


# --- the token API's answers ------------------------------------------------------------------


def token_error(status: int, **headers: str) -> httpx.Response:
    body = {"errorCode": "E", "errorMessage": "m", "requestId": "TK-1", "traceId": "T-1"}
    return httpx.Response(status, json=body, headers=headers)


@pytest.mark.parametrize("status", [429, 500, 502, 503, 504])
def test_token_api_throttling_and_server_errors_are_retried(status: int) -> None:
    trace = drive([token_error(status), httpx.Response(200, json=FILE_URL)], parse=token)
    assert trace.result.file_url == FILE_URL
    assert len(trace.requests) == 2
    assert len(trace.sleeps) == 1


@pytest.mark.parametrize("status", [400, 401, 403, 404, 409, 422])
def test_token_api_client_errors_are_raised_at_once(status: int) -> None:
    trace = drive([token_error(status), httpx.Response(200, json=FILE_URL)], parse=token)
    assert isinstance(trace.error, ApiError)
    assert trace.error.status_code == status
    assert len(trace.requests) == 1


def test_token_api_transport_failures_are_retried() -> None:
    trace = drive([httpx.ReadTimeout("slow"), httpx.Response(200, text=FILE_URL)], parse=token)
    assert trace.result.file_url == FILE_URL
    assert len(trace.requests) == 2


# --- logging --------------------------------------------------------------------------------


def test_retry_is_logged_at_info_with_the_status_and_request_id(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="yunxiao_emas")
    drive([gateway(503, "ServiceUnavailable", "RID-RETRY-1"), ok()])
    infos = [r for r in caplog.records if r.name.startswith("yunxiao_emas")]
    assert len(infos) == 1
    assert infos[0].levelno == logging.INFO
    message = infos[0].getMessage()
    assert "RID-RETRY-1" in message
    assert "503" in message
    assert "attempt 1 of 3" in message


def test_transport_retry_log_names_the_failure(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="yunxiao_emas")
    drive([httpx.ConnectTimeout("slow"), ok()])
    [record] = [r for r in caplog.records if r.name.startswith("yunxiao_emas")]
    assert "ConnectTimeout" in record.getMessage()


def test_transport_retry_log_names_the_host_and_no_request_id(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="yunxiao_emas")
    refused = httpx.ConnectError(
        "[Errno 111] Connection refused", request=httpx.Request("POST", URL)
    )
    drive([refused, ok()])
    [record] = [r for r in caplog.records if r.name.startswith("yunxiao_emas")]
    assert "(ConnectError (host api.example))" in record.getMessage()
    assert "request id" not in record.getMessage()


def test_a_network_error_names_the_host_it_could_not_reach() -> None:
    unresolved = httpx.ConnectError(
        "[Errno -2] Name or service not known", request=httpx.Request("POST", URL)
    )

    error = final_error(unresolved)

    assert isinstance(error, TransportError)
    assert str(error) == "ConnectError: [Errno -2] Name or service not known (host api.example)"


def test_the_last_failure_is_not_logged_as_a_retry(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="yunxiao_emas")
    drive([unavailable()] * 2, policy=RetryPolicy(max_attempts=2))
    infos = [r for r in caplog.records if r.name.startswith("yunxiao_emas")]
    assert len(infos) == 1


def test_success_logs_nothing_above_debug(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="yunxiao_emas")
    drive([ok()])
    ours = [r for r in caplog.records if r.name.startswith("yunxiao_emas")]
    assert ours, "a success should log its request id at DEBUG"
    assert [r for r in ours if r.levelno > logging.DEBUG] == []
