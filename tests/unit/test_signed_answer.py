"""How every answer of GetPipelineEmasArtifactUrl (the signed API) maps to one result or one
exception: the answer parser ``signed_answer`` fed ``httpx.Response`` objects directly, with a
fixed wall clock. ``test_client_errors.py`` proves the clients are wired to it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from _expected_errors import GATEWAY_CODE_CLASSES, SERVICE_CODE_CLASSES
from conftest_client import HOST, gateway_error_codes, service_error_codes
from yunxiao_emas import (
    ApiError,
    ArtifactUrl,
    AuthenticationError,
    ForbiddenError,
    InvalidParameterError,
    NotFoundError,
    ServerError,
    ThrottledError,
    YunxiaoError,
)
from yunxiao_emas._call.responses import signed_answer
from yunxiao_emas.errors import error_class_for

NOW = 1_750_000_000.0  # the fixed wall clock of the answers


def parse(response: httpx.Response) -> Any:
    """The parser's result for that answer, or the exception it raised."""
    try:
        return signed_answer(response, lambda: NOW)
    except YunxiaoError as exc:
        return exc


@pytest.fixture
def answer() -> Callable[[httpx.Response], Any]:
    return parse


def assert_error(
    exc: object,
    cls: type[ApiError],
    *,
    code: str,
    message: str,
    request_id: str | None,
    status_code: int,
    recommend: str | None = None,
    host_id: str | None = None,
    body: dict[str, Any] | None,
) -> None:
    assert type(exc) is cls, repr(exc)
    assert isinstance(exc, ApiError)
    assert exc.code == code
    assert exc.message == message
    assert exc.request_id == request_id
    assert exc.status_code == status_code
    assert exc.recommend == recommend
    assert exc.host_id == host_id
    assert exc.body == body


# --- 2xx answers --------------------------------------------------------------------------


def at(timestamp: float) -> dt.datetime:
    return dt.datetime.fromtimestamp(timestamp, dt.UTC)


SUCCESS_CASES = {
    "expiry from the Expires parameter": (
        200,
        "https://oss.example.com/a.apk?Expires=1700003600&Signature=abc",
        at(1700003600),
    ),
    "expiry one hour after the answer without Expires": (
        200,
        "https://oss.example.com/a.apk",
        at(NOW + 3600),
    ),
    "expiry one hour after the answer when Expires is not a number": (
        200,
        "https://oss.example.com/a.apk?Expires=soon",
        at(NOW + 3600),
    ),
    "another 2xx status": (201, "https://oss.example.com/a.apk?Expires=1700000000", at(1700000000)),
}


@pytest.mark.parametrize(
    "file_url",
    [
        "http://aliyun.com",  # the reference page's own example: plain http to a remote host
        "http://127.0.0.1.example.com/a.apk",
        "http://localhost@example.com/a.apk",
        "file:///etc/passwd",
        "javascript:alert(1)",
        "ftp://files.example/a.apk",
        "https:///no-host",
        "https://oss.example.com/a.apk\r\nX-Injected: 1",
        "https://oss.example.com/\x1b]0;pwned\x07a.apk",
        "https://oss.example.com/a b.apk",
        "https://oss.example.com/\x85a.apk",
    ],
    ids=[
        "reference example",
        "loopback-looking name",
        "userinfo localhost",
        "file",
        "javascript",
        "ftp",
        "no host",
        "CRLF",
        "terminal escape",
        "space",
        "C1 control",
    ],
)
def test_a_url_no_download_may_follow_is_refused(answer: Any, file_url: str) -> None:
    body = {"requestId": "R-1", "success": True, "fileUrl": file_url}
    error = answer(httpx.Response(200, json=body))
    assert isinstance(error, ApiError)
    assert "download URL is not one a download may follow" in error.message
    assert file_url not in str(error)  # never quoted: it may be meant for a terminal
    assert error.request_id == "R-1"


@pytest.mark.parametrize(
    "file_url",
    ["http://127.0.0.1:8080/a.apk", "HTTP://LOCALHOST/a.apk", "http://[::1]:9/a.apk"],
)
def test_plain_http_to_loopback_is_a_url_a_download_may_follow(answer: Any, file_url: str) -> None:
    body = {"requestId": "R-1", "success": True, "fileUrl": file_url}
    assert answer(httpx.Response(200, json=body)).file_url == file_url


@pytest.mark.parametrize(
    ("status", "file_url", "expires_at"), SUCCESS_CASES.values(), ids=SUCCESS_CASES.keys()
)
def test_success_answer_gives_artifact_url(
    answer: Any, status: int, file_url: str, expires_at: dt.datetime
) -> None:
    body = {
        "requestId": "ASSDS-ASSASX-XSAXSA-XSAXSAXS",
        "success": True,
        "errorCode": "",
        "errorMessage": "",
        "fileUrl": file_url,
    }
    result = answer(httpx.Response(status, json=body))
    assert result == ArtifactUrl(
        file_url=file_url, request_id="ASSDS-ASSASX-XSAXSA-XSAXSAXS", expires_at=expires_at
    )


BUSINESS_FAILURES = {
    "InvalidParam.ParamNotPresent": ("The parameter is invalid.", InvalidParameterError),
    "Forbidden.AccessDenied": ("Not authorized.", ForbiddenError),
    "InvalidPipeline.NotFound": ("The pipeline is not found.", NotFoundError),
    "Throttling.User": ("Slow down.", ThrottledError),
    "Something.NewToday": ("An error nobody documented.", ApiError),
}


@pytest.mark.parametrize(
    ("code", "message", "cls"),
    [(code, *rest) for code, rest in BUSINESS_FAILURES.items()],
    ids=BUSINESS_FAILURES.keys(),
)
def test_200_with_success_false_raises_the_class_of_its_error_code(
    answer: Any, code: str, message: str, cls: type[ApiError]
) -> None:
    body = {
        "requestId": "6B3BD0E9-1F2A-4C59-9D1C-2F6F8E0B1A77",
        "success": False,
        "errorCode": code,
        "errorMessage": message,
        "fileUrl": "",
    }
    exc = answer(httpx.Response(200, json=body))
    assert_error(
        exc,
        cls,
        code=code,
        message=message,
        request_id="6B3BD0E9-1F2A-4C59-9D1C-2F6F8E0B1A77",
        status_code=200,
        body=body,
    )


def test_200_with_success_false_and_no_error_code_says_so(answer: Any) -> None:
    body = {"requestId": "R-1", "success": False}
    exc = answer(httpx.Response(200, json=body))
    assert type(exc) is ApiError
    assert exc.code == ""
    assert "success: false" in exc.message
    assert exc.request_id == "R-1"
    assert exc.status_code == 200


@pytest.mark.parametrize(
    "extra",
    [{}, {"fileUrl": ""}, {"fileUrl": None}, {"fileUrl": 42}, {"fileUrl": ["https://x/a"]}],
    ids=["absent", "empty", "null", "not a string", "a list"],
)
def test_200_success_without_file_url_raises_api_error_naming_file_url(
    answer: Any, extra: dict[str, Any]
) -> None:
    body = {"requestId": "R-2", "success": True, "errorCode": "", "errorMessage": "", **extra}
    exc = answer(httpx.Response(200, json=body))
    assert type(exc) is ApiError
    assert "fileUrl" in exc.message
    assert exc.request_id == "R-2"
    assert exc.status_code == 200
    assert exc.body == body


# --- service error bodies: the 19 documented codes ------------------------------------------


# The status a gateway code usually comes with (the mapping must not depend on it).
GATEWAY_STATUS = {ThrottledError: 429, ServerError: 503}


def test_every_documented_service_code_has_an_expected_class_here() -> None:
    assert {entry["code"] for entry in service_error_codes()} == set(SERVICE_CODE_CLASSES)


def test_every_documented_gateway_code_has_an_expected_class_here() -> None:
    assert set(gateway_error_codes()) == set(GATEWAY_CODE_CLASSES)


def test_documented_service_codes_number_nineteen() -> None:
    assert len(service_error_codes()) == 19


@pytest.mark.parametrize(
    "code",
    [entry["code"] for entry in service_error_codes()] + gateway_error_codes(),
)
def test_no_documented_code_maps_to_the_bare_api_error(code: str) -> None:
    for status in (200, 400, 403, 404, 429, 500):
        assert error_class_for(code, status) is not ApiError


@pytest.mark.parametrize(
    ("code", "status", "message"),
    [(e["code"], e["status"], e["message"]) for e in service_error_codes()],
    ids=[f"{e['status']}-{e['code']}" for e in service_error_codes()],
)
def test_documented_service_error_maps_to_its_class(
    answer: Any, code: str, status: int, message: str
) -> None:
    body = {
        "requestId": "1F4B6E3A-0000-4000-8000-000000000400",
        "success": False,
        "errorCode": code,
        "errorMessage": message,
    }
    exc = answer(httpx.Response(status, json=body))
    assert_error(
        exc,
        SERVICE_CODE_CLASSES[code],
        code=code,
        message=message,
        request_id="1F4B6E3A-0000-4000-8000-000000000400",
        status_code=status,
        body=body,
    )


def gateway_body(code: str, *, lower: bool) -> dict[str, str]:
    keys = ["RequestId", "HostId", "Code", "Message", "Recommend"]
    if lower:
        keys = [key[0].lower() + key[1:] for key in keys]
    values = [
        "1F4B6E3A-0000-4000-8000-000000000401",
        HOST,
        code,
        f"The gateway refused the request ({code}).",
        f"https://api.aliyun.com/troubleshoot?q={code}&product=devops",
    ]
    return dict(zip(keys, values, strict=True))


@pytest.mark.parametrize("lower", [False, True], ids=["CapitalKeys", "lowerKeys"])
@pytest.mark.parametrize("code", gateway_error_codes())
def test_documented_gateway_error_maps_to_its_class(answer: Any, code: str, lower: bool) -> None:
    cls = GATEWAY_CODE_CLASSES[code]
    status = GATEWAY_STATUS.get(cls, 400)
    body = gateway_body(code, lower=lower)
    exc = answer(httpx.Response(status, json=body))
    assert_error(
        exc,
        cls,
        code=code,
        message=f"The gateway refused the request ({code}).",
        request_id="1F4B6E3A-0000-4000-8000-000000000401",
        status_code=status,
        recommend=f"https://api.aliyun.com/troubleshoot?q={code}&product=devops",
        host_id=HOST,
        body=body,
    )


@pytest.mark.parametrize("lower", [False, True], ids=["CapitalKeys", "lowerKeys"])
@pytest.mark.parametrize("status", [400, 403, 404])
def test_signature_mismatch_is_an_authentication_error_whatever_the_status(
    answer: Any, status: int, lower: bool
) -> None:
    exc = answer(httpx.Response(status, json=gateway_body("SignatureDoesNotMatch", lower=lower)))
    assert type(exc) is AuthenticationError
    assert exc.status_code == status


@pytest.mark.parametrize(
    ("status", "code", "cls"),
    [
        (400, "InternalError", ServerError),
        (404, "Throttling.User", ThrottledError),
        (500, "InvalidPipeline.NotFound", NotFoundError),
        (503, "Forbidden.AccessDenied", ForbiddenError),
    ],
)
def test_the_code_decides_the_class_not_the_status(
    answer: Any, status: int, code: str, cls: type[ApiError]
) -> None:
    body = {"requestId": "R-3", "success": False, "errorCode": code, "errorMessage": "m"}
    assert type(answer(httpx.Response(status, json=body))) is cls


UNKNOWN_CODE_BODIES = {
    "service body": {
        "requestId": "R-4",
        "success": False,
        "errorCode": "Brand.New",
        "errorMessage": "new",
    },
    "gateway body": {"RequestId": "R-4", "HostId": HOST, "Code": "Brand.New", "Message": "new"},
    "gateway lower-case body": {
        "requestId": "R-4",
        "hostId": HOST,
        "code": "Brand.New",
        "message": "new",
    },
}


@pytest.mark.parametrize("status", [400, 403, 404, 409, 500, 503])
@pytest.mark.parametrize("body", UNKNOWN_CODE_BODIES.values(), ids=UNKNOWN_CODE_BODIES.keys())
def test_unknown_code_raises_exactly_api_error_keeping_the_code(
    answer: Any, status: int, body: dict[str, Any]
) -> None:
    exc = answer(httpx.Response(status, json=body))
    assert type(exc) is ApiError
    assert exc.code == "Brand.New"
    assert exc.message == "new"
    assert exc.request_id == "R-4"
    assert exc.status_code == status
    assert exc.body == body


# --- bodies that are not what the contract describes ----------------------------------------

NOT_JSON = {
    "html page": "<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>",
    "truncated JSON": '{"requestId": "R-5", "success": fal',
    "empty body": "",
    "long html page": "<html>" + "x" * 20_000 + "</html>",
    "invalid UTF-8": b"\xff\xfe{not json",
}


@pytest.mark.parametrize("status", [200, 400, 404])
@pytest.mark.parametrize("content", NOT_JSON.values(), ids=NOT_JSON.keys())
def test_body_that_is_not_json_raises_api_error_with_status_and_short_excerpt(
    answer: Any, status: int, content: str | bytes
) -> None:
    raw = content.encode() if isinstance(content, str) else content
    response = httpx.Response(
        status,
        content=raw,
        headers={"content-type": "text/html", "x-acs-request-id": "HDR-REQUEST-ID"},
    )
    exc = answer(response)
    assert type(exc) is ApiError
    assert exc.code == ""
    assert exc.status_code == status
    assert exc.request_id == "HDR-REQUEST-ID"
    assert exc.body is None
    assert len(exc.message) <= 300
    assert len(str(exc)) <= 400
    excerpt = raw[:40].decode("utf-8", "replace")
    assert excerpt in exc.message


def test_html_from_a_failing_server_is_a_server_error(answer: Any) -> None:
    exc = answer(httpx.Response(502, text="<html><body>Bad Gateway</body></html>"))
    assert type(exc) is ServerError
    assert exc.status_code == 502
    assert "Bad Gateway" in exc.message


NOT_AN_OBJECT = {
    "list": [1, 2, 3],
    "string": "fileUrl",
    "number": 42,
    "null": None,
    "list of pairs": [
        ["requestId", "R-6"],
        ["success", True],
        ["fileUrl", "https://oss.example.com/a.apk"],
    ],
}


@pytest.mark.parametrize("status", [200, 400, 404, 429, 503])
@pytest.mark.parametrize("payload", NOT_AN_OBJECT.values(), ids=NOT_AN_OBJECT.keys())
def test_json_that_is_not_an_object_raises_api_error(
    answer: Any, status: int, payload: Any
) -> None:
    exc = answer(httpx.Response(status, json=payload))
    assert isinstance(exc, ApiError), repr(exc)
    assert exc.code == ""
    assert exc.status_code == status
    assert exc.body is None


def test_deeply_nested_json_raises_api_error(answer: Any) -> None:
    depth = 100_000
    exc = answer(httpx.Response(400, content=b"[" * depth + b"]" * depth))
    assert type(exc) is ApiError
    assert exc.status_code == 400
    assert len(exc.message) <= 300


CODES_NOT_STRINGS = {
    "service errorCode null": {"requestId": "R-7", "success": False, "errorCode": None},
    "service errorCode number": {"requestId": "R-7", "success": False, "errorCode": 500},
    "service errorCode list": {"requestId": "R-7", "success": False, "errorCode": ["X"]},
    "gateway Code number": {"RequestId": "R-7", "Code": 403, "Message": "m"},
    "gateway Code object": {"RequestId": "R-7", "Code": {"x": 1}, "Message": "m"},
}


@pytest.mark.parametrize("body", CODES_NOT_STRINGS.values(), ids=CODES_NOT_STRINGS.keys())
def test_error_code_that_is_not_a_string_raises_api_error(
    answer: Any, body: dict[str, Any]
) -> None:
    exc = answer(httpx.Response(404, json=body))
    assert isinstance(exc, ApiError), repr(exc)
    assert isinstance(exc.code, str)
    assert exc.status_code == 404
    assert exc.request_id == "R-7"


# --- the server's wait hint -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "code", "cls"),
    [
        (429, "Throttling.User", ThrottledError),
        (503, "ServiceUnavailable", ServerError),
        (400, "Brand.New", ApiError),
    ],
)
def test_acs_retry_after_header_in_milliseconds_becomes_retry_after_in_seconds(
    answer: Any, status: int, code: str, cls: type[ApiError]
) -> None:
    body = gateway_body(code, lower=False)
    exc = answer(httpx.Response(status, json=body, headers={"x-acs-retry-after": "7000"}))
    assert type(exc) is cls
    assert exc.retry_after == 7.0


def test_standard_retry_after_header_in_seconds_becomes_retry_after(answer: Any) -> None:
    body = gateway_body("Throttling.User", lower=False)
    exc = answer(httpx.Response(429, json=body, headers={"retry-after": "7"}))
    assert type(exc) is ThrottledError
    assert exc.retry_after == 7.0


def test_error_without_retry_after_header_has_retry_after_none(answer: Any) -> None:
    exc = answer(httpx.Response(429, json=gateway_body("Throttling.User", lower=False)))
    assert type(exc) is ThrottledError
    assert exc.retry_after is None


def test_throttling_status_without_a_code_is_a_throttled_error(answer: Any) -> None:
    exc = answer(httpx.Response(429, text="Too Many Requests"))
    assert type(exc) is ThrottledError


# --- what an error keeps ----------------------------------------------------------------------


def test_an_error_keeps_the_response_it_came_from() -> None:
    response = httpx.Response(
        404, json={"requestId": "R-8", "errorCode": "InvalidPipeline.NotFound"}
    )
    exc = parse(response)
    assert isinstance(exc, NotFoundError)
    assert exc.response is response


def test_an_error_takes_the_trace_id_from_the_gateway_header() -> None:
    response = httpx.Response(
        400,
        json={"RequestId": "R-9", "Code": "SignatureDoesNotMatch", "Message": "m"},
        headers={"x-acs-trace-id": "TRACE-9"},
    )
    exc = parse(response)
    assert isinstance(exc, AuthenticationError)
    assert exc.trace_id == "TRACE-9"


def test_an_error_without_a_request_id_in_its_body_takes_the_header_one() -> None:
    response = httpx.Response(
        404,
        json={"errorCode": "InvalidPipeline.NotFound", "errorMessage": "m"},
        headers={"x-acs-request-id": "HDR-10"},
    )
    exc = parse(response)
    assert isinstance(exc, NotFoundError)
    assert exc.request_id == "HDR-10"


def test_a_success_without_a_request_id_in_its_body_takes_the_header_one() -> None:
    body = {"success": True, "fileUrl": "https://oss.example.com/a.apk"}
    result = parse(httpx.Response(200, json=body, headers={"x-acs-request-id": "HDR-11"}))
    assert isinstance(result, ArtifactUrl)
    assert result.request_id == "HDR-11"


def test_success_given_as_the_string_true_counts_as_true() -> None:
    body = {"requestId": "R-12", "success": "true", "fileUrl": "https://oss.example.com/a.apk"}
    assert isinstance(parse(httpx.Response(200, json=body)), ArtifactUrl)


@pytest.mark.parametrize("success", [1, "yes", None, "false"], ids=repr)
def test_success_that_is_not_true_raises_api_error_naming_it(success: object) -> None:
    body = {"requestId": "R-13", "success": success, "fileUrl": "https://oss.example.com/a.apk"}
    exc = parse(httpx.Response(200, json=body))
    assert type(exc) is ApiError
    assert "success" in exc.message
    assert exc.status_code == 200


def test_the_expiry_of_a_url_without_expires_follows_the_wall_clock_given() -> None:
    body = {"requestId": "R-14", "success": True, "fileUrl": "https://oss.example.com/a.apk"}
    response = httpx.Response(200, json=body)
    early = signed_answer(response, lambda: 1_000_000_000.0)
    late = signed_answer(response, lambda: 1_000_000_600.0)
    assert late.expires_at - early.expires_at == dt.timedelta(minutes=10)
    assert early.expires_at == dt.datetime.fromtimestamp(1_000_003_600, dt.UTC)
