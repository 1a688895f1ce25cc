"""The clients are wired to the answer parsers of both APIs: a few answers of each shape, run
through ``Client`` and ``AsyncClient`` with respx, come out as the parsers make them.

Every shape and every documented code is ``test_signed_answer.py``'s and
``test_token_answer.py``'s subject, where the parsers are fed responses directly.
"""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

import httpx
import pytest
import respx
from conftest_client import (
    API_PATH,
    BASE_URL,
    FILE_URL,
    FLAVOURS,
    HOST,
    TOKEN_BASE_URL,
    TOKEN_CREDENTIALS,
    TOKEN_PATH,
    drivers,
)
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
    YunxiaoError,
)


@pytest.fixture(params=FLAVOURS)
def make(request: pytest.FixtureRequest) -> Any:
    yield from drivers(request.param)


@pytest.fixture
def api() -> Any:
    with respx.mock(assert_all_called=False) as mock:
        yield mock


@pytest.fixture
def signed(make: Any, api: Any) -> Any:
    """``signed(response)``: the client's result for that answer of the signed API."""

    def run(response: httpx.Response) -> Any:
        route = api.post(f"{BASE_URL}{API_PATH}").mock(return_value=response)
        try:
            result = make(retries=0).call()
        except YunxiaoError as exc:
            result = exc
        assert route.call_count == 1
        return result

    return run


@pytest.fixture
def token(make: Any, api: Any) -> Any:
    """``token(response)``: the client's result for that answer of the token API."""

    def run(response: httpx.Response) -> Any:
        route = api.get(f"{TOKEN_BASE_URL}{TOKEN_PATH}").mock(return_value=response)
        try:
            result = make(credentials=TOKEN_CREDENTIALS, retries=0).call()
        except YunxiaoError as exc:
            result = exc
        assert route.call_count == 1
        return result

    return run


# --- the signed API -------------------------------------------------------------------------


def test_signed_success_gives_the_artifact_url(signed: Any) -> None:
    body = {"requestId": "R-1", "success": True, "errorCode": "", "fileUrl": FILE_URL}
    result = signed(httpx.Response(200, json=body))
    assert result == ArtifactUrl(
        file_url=FILE_URL,
        request_id="R-1",
        expires_at=dt.datetime.fromtimestamp(1700003600, dt.UTC),
    )


def test_signed_url_without_expires_expires_an_hour_after_the_answer(signed: Any) -> None:
    body = {"requestId": "R-1", "success": True, "fileUrl": "https://oss.example.com/a.apk"}
    before = time.time()
    result = signed(httpx.Response(200, json=body))
    after = time.time()
    expires = result.expires_at.timestamp()
    assert before + 3600 - 1 <= expires <= after + 3600 + 1


def test_signed_service_error_keeps_every_field(signed: Any) -> None:
    body = {
        "requestId": "R-2",
        "success": False,
        "errorCode": "InvalidPipeline.NotFound",
        "errorMessage": "The pipeline is not found.",
    }
    exc = signed(httpx.Response(404, json=body))
    assert type(exc) is NotFoundError
    assert (exc.code, exc.message, exc.request_id, exc.status_code) == (
        "InvalidPipeline.NotFound",
        "The pipeline is not found.",
        "R-2",
        404,
    )
    assert exc.body == body
    assert exc.response is not None
    assert exc.response.request.url.path == API_PATH


def test_signed_gateway_error_keeps_recommend_and_host_id(signed: Any) -> None:
    body = {
        "RequestId": "R-3",
        "HostId": HOST,
        "Code": "SignatureDoesNotMatch",
        "Message": "no",
        "Recommend": "https://api.aliyun.com/troubleshoot?q=SignatureDoesNotMatch",
    }
    exc = signed(httpx.Response(400, json=body, headers={"x-acs-trace-id": "TR-3"}))
    assert type(exc) is AuthenticationError
    assert (exc.recommend, exc.host_id, exc.trace_id) == (body["Recommend"], HOST, "TR-3")


def test_signed_200_with_success_false_is_an_error(signed: Any) -> None:
    body = {"requestId": "R-4", "success": False, "errorCode": "Forbidden.AccessDenied"}
    exc = signed(httpx.Response(200, json=body))
    assert type(exc) is ForbiddenError
    assert exc.status_code == 200


def test_signed_answer_that_is_not_json_is_an_api_error(signed: Any) -> None:
    exc = signed(httpx.Response(502, text="<html><body>Bad Gateway</body></html>"))
    assert type(exc) is ServerError
    assert "Bad Gateway" in exc.message


# --- the token API --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "response",
    [httpx.Response(200, json=FILE_URL), httpx.Response(200, text=FILE_URL)],
    ids=["JSON string", "plain text"],
)
def test_token_success_gives_the_artifact_url(token: Any, response: httpx.Response) -> None:
    result = token(response)
    assert isinstance(result, ArtifactUrl)
    assert result.file_url == FILE_URL
    assert result.expires_at == dt.datetime.fromtimestamp(1700003600, dt.UTC)


def test_token_answer_that_is_not_a_url_is_an_api_error(token: Any) -> None:
    exc = token(httpx.Response(200, json={"fileUrl": FILE_URL}))
    assert type(exc) is ApiError
    assert exc.status_code == 200


TOKEN_STATUS_CLASSES = {
    400: InvalidParameterError,
    401: AuthenticationError,
    403: ForbiddenError,
    404: NotFoundError,
    409: ApiError,
    422: InvalidParameterError,
    429: ThrottledError,
    500: ServerError,
    503: ServerError,
}


@pytest.mark.parametrize(("status", "cls"), TOKEN_STATUS_CLASSES.items(), ids=str)
def test_token_error_maps_by_status_keeping_every_field(
    token: Any, status: int, cls: type[ApiError]
) -> None:
    body = {
        "errorCode": "SomeCode",
        "errorMessage": "what went wrong",
        "requestId": f"TK-{status}",
        "traceId": f"TRACE-{status}",
        "httpStatus": str(status),
        "title": "Title",
        "hasDetailSolution": False,
    }
    exc = token(httpx.Response(status, json=body))
    assert type(exc) is cls
    assert (exc.code, exc.message, exc.request_id, exc.trace_id, exc.status_code) == (
        "SomeCode",
        "what went wrong",
        f"TK-{status}",
        f"TRACE-{status}",
        status,
    )
    assert exc.response is not None
    assert exc.response.status_code == status
    assert exc.response.request.url.path == TOKEN_PATH


# --- no answer at all -----------------------------------------------------------------------

TRANSPORT_FAILURES = [
    httpx.ConnectError,
    httpx.ConnectTimeout,
    httpx.ReadTimeout,
    httpx.ReadError,
    httpx.RemoteProtocolError,
]


@pytest.mark.parametrize("failure", TRANSPORT_FAILURES, ids=lambda cls: cls.__name__)
def test_transport_failure_raises_transport_error_with_cause(
    make: Any, api: Any, failure: type[httpx.RequestError]
) -> None:
    api.post(f"{BASE_URL}{API_PATH}").mock(side_effect=failure)
    with pytest.raises(TransportError) as caught:
        make(retries=0).call()
    assert isinstance(caught.value.__cause__, failure)
    assert failure.__name__ in str(caught.value)


@pytest.mark.parametrize("failure", TRANSPORT_FAILURES, ids=lambda cls: cls.__name__)
def test_token_transport_failure_raises_transport_error_with_cause(
    make: Any, api: Any, failure: type[httpx.RequestError]
) -> None:
    api.get(f"{TOKEN_BASE_URL}{TOKEN_PATH}").mock(side_effect=failure)
    with pytest.raises(TransportError) as caught:
        make(credentials=TOKEN_CREDENTIALS, retries=0).call()
    assert isinstance(caught.value.__cause__, failure)


def test_transport_error_is_not_an_api_error() -> None:
    assert not issubclass(TransportError, ApiError)
    assert issubclass(TransportError, YunxiaoError)
