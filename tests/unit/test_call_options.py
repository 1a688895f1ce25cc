"""Retries visible to code and options per call, on both clients and both APIs:
``RetryPolicy(on_retry=...)`` is told of every retry before its wait; results and errors carry
their ``attempts``; ``timeout=``, ``retries=`` and ``extra_headers=`` apply to one call;
``with_options`` makes a client with changed options over the same connection pool."""

from __future__ import annotations

import datetime as dt
import hashlib
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx
from conftest_client import (
    CREDENTIALS,
    FILE_URL,
    FLAVOURS,
    HOST,
    TOKEN_CREDENTIALS,
    TOKEN_HOST,
    assert_signed,
    drivers,
    fast,
    gateway,
    ok,
    token_error,
    token_ok,
)
from yunxiao_emas import (
    ApiError,
    ArtifactUrl,
    InvalidArgumentError,
    RetryPolicy,
    ServerError,
    TransportError,
    YunxiaoError,
)
from yunxiao_emas.client import AsyncClient, Client

CONTENT = b"the artifact " * 64
CONTENT_MD5 = hashlib.md5(CONTENT, usedforsecurity=False).hexdigest()


class Api:
    """What differs between the two APIs in these tests: credentials, host and answers."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.credentials = CREDENTIALS if name == "signed" else TOKEN_CREDENTIALS
        self.host = HOST if name == "signed" else TOKEN_HOST

    def ok(self, file_url: str = FILE_URL) -> httpx.Response:
        return ok(fileUrl=file_url) if self.name == "signed" else token_ok(file_url)

    def unavailable(self, request_id: str) -> httpx.Response:
        if self.name == "signed":
            return gateway(503, "ServiceUnavailable", request_id=request_id)
        return token_error(503, "ServiceUnavailable", request_id=request_id)


@pytest.fixture(params=FLAVOURS)
def make(request: pytest.FixtureRequest) -> Any:
    yield from drivers(request.param)


@pytest.fixture(params=["signed", "token"])
def api(request: pytest.FixtureRequest) -> Api:
    return Api(request.param)


@pytest.fixture
def router() -> Any:
    with respx.mock(assert_all_called=False, assert_all_mocked=True) as mock:
        yield mock


# --- on_retry and attempts ----------------------------------------------------------------------


def test_on_retry_is_told_each_retry_with_the_attempt_the_api_error_and_the_wait(
    make: Any, api: Api, router: Any
) -> None:
    told: list[tuple[int, YunxiaoError, float]] = []
    router.route(host=api.host).mock(
        side_effect=[api.unavailable("R-1"), api.unavailable("R-2"), api.ok()]
    )
    policy = RetryPolicy(
        max_attempts=3,
        backoff_initial=0.0,
        backoff_max=0.0,
        retry_after_cap=0.0,
        on_retry=lambda *args: told.append(args),
    )
    make(credentials=api.credentials, retries=policy).call()
    assert [(attempt, type(error), error.request_id, wait) for attempt, error, wait in told] == [
        (1, ServerError, "R-1", 0.0),
        (2, ServerError, "R-2", 0.0),
    ]


def test_on_retry_gets_a_transport_error_for_a_failed_connection(
    make: Any, api: Api, router: Any
) -> None:
    told: list[YunxiaoError] = []
    router.route(host=api.host).mock(side_effect=[httpx.ConnectError("refused"), api.ok()])
    policy = RetryPolicy(
        max_attempts=2, backoff_initial=0.0, on_retry=lambda n, error, wait: told.append(error)
    )
    assert make(credentials=api.credentials, retries=policy).call().attempts == 2
    [error] = told
    assert isinstance(error, TransportError)
    assert "ConnectError" in str(error)


def test_on_retry_is_called_before_the_wait_with_the_wait_slept(
    api: Api, router: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    events: list[tuple[str, float]] = []
    monkeypatch.setattr(time, "sleep", lambda seconds: events.append(("slept", seconds)))
    router.route(host=api.host).mock(side_effect=[api.unavailable("R-1"), api.ok()])
    policy = RetryPolicy(
        backoff_initial=0.25,
        on_retry=lambda n, error, wait: events.append(("told", wait)),
    )
    with Client(credentials=api.credentials, retries=policy) as client:
        client.get_pipeline_emas_artifact_url("org", 1, 2, "job", "md5", service_connection_id=3)
    [(first, told_wait), (second, slept)] = events
    assert (first, second) == ("told", "slept")
    assert told_wait == slept
    assert 0.0 <= slept <= 0.25


def test_what_on_retry_raises_ends_the_call_with_no_further_attempt(
    make: Any, api: Api, router: Any
) -> None:
    class Stop(Exception):
        pass

    def stop(attempt: int, error: YunxiaoError, wait: float) -> None:
        raise Stop

    route = router.route(host=api.host).mock(return_value=api.unavailable("R-1"))
    with pytest.raises(Stop):
        make(credentials=api.credentials, retries=RetryPolicy(on_retry=stop)).call()
    assert route.call_count == 1


@pytest.mark.parametrize("on_retry", [1, "print"])
def test_an_on_retry_that_is_not_callable_is_refused(on_retry: object) -> None:
    with pytest.raises(InvalidArgumentError) as caught:
        RetryPolicy(on_retry=on_retry)  # type: ignore[arg-type]
    assert caught.value.parameter == "on_retry"


def test_a_first_answer_is_one_attempt(make: Any, api: Any, router: Any) -> None:
    router.route(host=api.host).mock(return_value=api.ok())
    assert make(credentials=api.credentials).call().attempts == 1


def test_a_retried_answer_carries_its_attempts(make: Any, api: Api, router: Any) -> None:
    router.route(host=api.host).mock(
        side_effect=[api.unavailable("R-1"), api.unavailable("R-2"), api.ok()]
    )
    url = make(credentials=api.credentials).call()
    assert url.attempts == 3
    assert url.file_url == FILE_URL


def test_the_final_api_error_carries_the_attempts(make: Any, api: Api, router: Any) -> None:
    router.route(host=api.host).mock(return_value=api.unavailable("R-9"))
    with pytest.raises(ServerError) as caught:
        make(credentials=api.credentials, retries=fast(max_attempts=4)).call()
    assert caught.value.attempts == 4
    assert caught.value.request_id == "R-9"


def test_the_final_transport_error_carries_the_attempts(make: Any, api: Api, router: Any) -> None:
    router.route(host=api.host).mock(side_effect=httpx.ReadTimeout("slow"))
    with pytest.raises(TransportError) as caught:
        make(credentials=api.credentials, retries=fast(max_attempts=2)).call()
    assert caught.value.attempts == 2


def test_an_error_no_retry_applies_to_is_one_attempt(make: Any, api: Api, router: Any) -> None:
    status = 404
    answer = (
        gateway(status, "InvalidPipeline.NotFound")
        if api.name == "signed"
        else token_error(status, "NotFound")
    )
    router.route(host=api.host).mock(return_value=answer)
    with pytest.raises(ApiError) as caught:
        make(credentials=api.credentials).call()
    assert caught.value.attempts == 1


def _file_host(router: Any) -> Any:
    return router.route(host="oss.example.com").mock(
        return_value=httpx.Response(200, content=CONTENT)
    )


def test_a_download_carries_the_attempts_of_its_api_call(
    make: Any, api: Api, router: Any, tmp_path: Path
) -> None:
    router.route(host=api.host).mock(side_effect=[api.unavailable("R-1"), api.ok()])
    _file_host(router)
    done = make(credentials=api.credentials).download(tmp_path / "app.apk", md5=CONTENT_MD5)
    assert done.attempts == 2
    assert done.resumes == 0
    assert (tmp_path / "app.apk").read_bytes() == CONTENT


def test_a_download_from_a_url_passed_in_makes_no_attempt(
    make: Any, api: Api, router: Any, tmp_path: Path
) -> None:
    _file_host(router)
    url = ArtifactUrl(
        file_url=FILE_URL, request_id="R-0", expires_at=dt.datetime(2100, 1, 1, tzinfo=dt.UTC)
    )
    done = make(credentials=api.credentials).download(
        tmp_path / "app.apk", md5=CONTENT_MD5, artifact_url=url
    )
    assert done.attempts == 0


# --- options per call --------------------------------------------------------------------------


def test_a_timeout_per_call_bounds_that_calls_requests(make: Any, api: Api, router: Any) -> None:
    route = router.route(host=api.host).mock(return_value=api.ok())
    client = make(credentials=api.credentials, timeout=30)
    client.call(timeout=4.5)
    client.call()
    first, second = (call.request.extensions["timeout"] for call in route.calls)
    assert first == {"connect": 4.5, "read": 4.5, "write": 4.5, "pool": 4.5}
    assert second["read"] == 30


def test_retries_per_call_replace_the_clients_for_that_call(
    make: Any, api: Api, router: Any
) -> None:
    route = router.route(host=api.host).mock(return_value=api.unavailable("R-1"))
    client = make(credentials=api.credentials, retries=fast(max_attempts=4))
    with pytest.raises(ServerError):
        client.call(retries=0)
    assert route.call_count == 1
    with pytest.raises(ServerError):
        client.call(retries=fast(max_attempts=2))
    assert route.call_count == 3
    with pytest.raises(ServerError):
        client.call()
    assert route.call_count == 7


def test_int_retries_per_call_keep_the_clients_on_retry(make: Any, api: Api, router: Any) -> None:
    told: list[int] = []
    router.route(host=api.host).mock(return_value=api.unavailable("R-1"))
    policy = RetryPolicy(backoff_initial=0.0, on_retry=lambda n, error, wait: told.append(n))
    with pytest.raises(ServerError) as caught:
        make(credentials=api.credentials, retries=policy).call(retries=3)
    assert told == [1, 2, 3]
    assert caught.value.attempts == 4


def test_extra_headers_reach_the_api_request_and_the_signature_still_holds(
    make: Any, api: Api, router: Any
) -> None:
    route = router.route(host=api.host).mock(return_value=api.ok())
    make(credentials=api.credentials).call(
        extra_headers={"X-Request-Source": "ci-42", "Accept-Language": "zh-CN"}
    )
    request = route.calls.last.request
    assert request.headers["x-request-source"] == "ci-42"
    assert request.headers["accept-language"] == "zh-CN"
    if api.name == "signed":
        assert_signed(request)
    else:
        assert request.headers["x-yunxiao-token"] == TOKEN_CREDENTIALS.token


@pytest.mark.parametrize(
    "name",
    [
        "Authorization",
        "x-acs-date",
        "X-Acs-Signature-Nonce",
        "x-acs-security-token",
        "x-yunxiao-token",
        "Host",
        "content-length",
        "transfer-encoding",
    ],
)
def test_extra_headers_that_would_override_the_authentication_or_framing_are_refused(
    make: Any, api: Api, router: Any, name: str
) -> None:
    route = router.route(host=api.host).mock(return_value=api.ok())
    with pytest.raises(InvalidArgumentError) as caught:
        make(credentials=api.credentials).call(extra_headers={name: "x"})
    assert caught.value.parameter == "extra_headers"
    assert name.lower() in str(caught.value)
    assert route.call_count == 0


@pytest.mark.parametrize(
    "extra_headers",
    [
        {"x-team": "a\r\nInjected: 1"},
        {"x-team": "s3cr3t\x00"},
        {"bad name": "v"},
        {"": "v"},
        {"x-team": 7},
        [("x-team", "v")],
    ],
    ids=["CR LF", "NUL", "space in name", "empty name", "not a str", "not a mapping"],
)
def test_extra_headers_that_are_not_valid_headers_are_refused_without_quoting_them(
    make: Any, router: Any, extra_headers: object
) -> None:
    route = router.route().mock(return_value=ok())
    with pytest.raises(InvalidArgumentError) as caught:
        make().call(extra_headers=extra_headers)
    assert caught.value.parameter == "extra_headers"
    assert "s3cr3t" not in str(caught.value)
    assert "Injected" not in str(caught.value)
    assert route.call_count == 0


@pytest.mark.parametrize(
    ("option", "value"), [("timeout", -1), ("timeout", "5"), ("retries", -1), ("retries", True)]
)
def test_a_bad_option_per_call_is_refused_before_any_request(
    make: Any, router: Any, option: str, value: object
) -> None:
    route = router.route().mock(return_value=ok())
    with pytest.raises(InvalidArgumentError) as caught:
        make().call(**{option: value})
    assert caught.value.parameter == option
    assert route.call_count == 0


def test_a_downloads_extra_headers_go_to_the_api_and_never_to_the_file_host(
    make: Any, api: Api, router: Any, tmp_path: Path
) -> None:
    api_route = router.route(host=api.host).mock(return_value=api.ok())
    file_route = _file_host(router)
    make(credentials=api.credentials).download(
        tmp_path / "app.apk", md5=CONTENT_MD5, extra_headers={"x-team": "mobile"}, timeout=7
    )
    assert api_route.calls.last.request.headers["x-team"] == "mobile"
    file_request = file_route.calls.last.request
    assert "x-team" not in file_request.headers
    assert file_request.extensions["timeout"]["read"] == 7
    assert api_route.calls.last.request.extensions["timeout"]["read"] == 7


def test_retries_per_download_apply_to_its_api_call(
    make: Any, api: Api, router: Any, tmp_path: Path
) -> None:
    route = router.route(host=api.host).mock(return_value=api.unavailable("R-1"))
    with pytest.raises(ServerError):
        make(credentials=api.credentials).download(tmp_path / "app.apk", md5=CONTENT_MD5, retries=0)
    assert route.call_count == 1
    assert list(tmp_path.iterdir()) == []


# --- with_options -------------------------------------------------------------------------------


def test_with_options_changes_the_copy_and_leaves_the_client(
    make: Any, api: Api, router: Any
) -> None:
    route = router.route(host=api.host).mock(return_value=api.ok())
    driver = make(credentials=api.credentials, timeout=30)
    original = driver.client
    driver.client = original.with_options(timeout=5, extra_headers={"x-team": "mobile"})
    driver.call()
    driver.client = original
    driver.call()
    copied, kept = (call.request for call in route.calls)
    assert copied.extensions["timeout"]["read"] == 5
    assert copied.headers["x-team"] == "mobile"
    assert kept.extensions["timeout"]["read"] == 30
    assert "x-team" not in kept.headers


def test_with_options_int_retries_keep_the_clients_policy(make: Any, api: Api, router: Any) -> None:
    told: list[int] = []
    route = router.route(host=api.host).mock(return_value=api.unavailable("R-1"))
    policy = RetryPolicy(backoff_initial=0.0, on_retry=lambda n, error, wait: told.append(n))
    driver = make(credentials=api.credentials, retries=policy)
    driver.client = driver.client.with_options(retries=1)
    with pytest.raises(ServerError):
        driver.call()
    assert route.call_count == 2
    assert told == [1]


def test_with_options_may_send_elsewhere(make: Any, api: Api, router: Any) -> None:
    route = router.route(host="127.0.0.1").mock(return_value=api.ok())
    driver = make(credentials=api.credentials)
    driver.client = driver.client.with_options(endpoint="http://127.0.0.1:8080")
    driver.call()
    assert route.call_count == 1


def test_closing_a_copy_leaves_the_shared_pool_open(make: Any, api: Api, router: Any) -> None:
    route = router.route(host=api.host).mock(return_value=api.ok())
    driver = make(credentials=api.credentials)
    original = driver.client
    copy = original.with_options(timeout=5)
    driver.client = copy
    driver.call()
    if isinstance(copy, Client):
        copy.close()
    else:
        driver.run(copy.aclose())
    driver.client = original
    assert driver.call().file_url == FILE_URL
    assert route.call_count == 2


def test_closing_the_client_closes_the_pool_its_copies_share(api: Api, router: Any) -> None:
    router.route(host=api.host).mock(return_value=api.ok())
    client = Client(credentials=api.credentials)
    copy = client.with_options(timeout=5)
    client.close()
    with pytest.raises(RuntimeError, match="closed"):
        copy.get_pipeline_emas_artifact_url("org", 1, 2, "job", "md5", service_connection_id=3)


@pytest.mark.parametrize("option", ["verify", "proxy", "limits", "http_client", "transport"])
def test_with_options_refuses_what_belongs_to_the_pool(client_class: Any, option: str) -> None:
    client = client_class(credentials=CREDENTIALS)
    with pytest.raises(InvalidArgumentError) as caught:
        client.with_options(**{option: None})
    assert caught.value.parameter == option
    assert "make a new client" in str(caught.value)


@pytest.mark.parametrize(
    ("option", "value"),
    [("timeout", 0), ("retries", -2), ("extra_headers", {"authorization": "x"}), ("endpoint", 7)],
)
def test_with_options_checks_what_it_changes(client_class: Any, option: str, value: object) -> None:
    client = client_class(credentials=CREDENTIALS)
    with pytest.raises(InvalidArgumentError) as caught:
        client.with_options(**{option: value})
    assert caught.value.parameter == option


@pytest.fixture(params=[Client, AsyncClient], ids=["sync", "async"])
def client_class(request: pytest.FixtureRequest) -> Any:
    return request.param


def test_a_retried_result_without_an_attempts_field_is_returned_as_it_is() -> None:
    # The call flow serves every operation: a result that is not a model with `attempts` (a
    # list of runs, say) comes back unchanged after a retry, rather than failing the call.
    from yunxiao_emas._call.retry import Send, call_flow

    def parse(response: httpx.Response) -> list[str]:
        if response.status_code != 200:
            raise ServerError(
                code="ServiceUnavailable", message="", request_id="R-1", status_code=503
            )
        return ["run-1", "run-2"]

    flow = call_flow(
        lambda remaining: httpx.Request("GET", "https://api.example/runs"),
        parse,
        RetryPolicy(backoff_initial=0.0),
        monotonic=lambda: 0.0,
    )
    step = next(flow)
    assert isinstance(step, Send)
    step = flow.send(httpx.Response(503))  # the wait
    step = flow.send(None)  # the second attempt
    assert isinstance(step, Send)
    with pytest.raises(StopIteration) as done:
        flow.send(httpx.Response(200))
    assert done.value.value == ["run-1", "run-2"]
