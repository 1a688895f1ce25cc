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
from yunxiao_emas.client import Client

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
