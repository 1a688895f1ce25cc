"""How every answer of GetEmasArtifactDownloadUrl (the token API) maps to one result or one
exception: the answer parser ``token_answer`` fed ``httpx.Response`` objects directly, with a
fixed wall clock.

The answer is the URL itself, JSON-quoted (``application/json``) or as plain text; anything
else is an :class:`ApiError`. Errors are real statuses, and the status decides the class.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import httpx
import pytest
from conftest_client import spec
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
from yunxiao_emas._call.responses import token_answer

NOW = 1_750_000_000.0
FILE_URL = "https://emas.oss.example.com/app.apk?Expires=1700003600&Signature=c2ln"


def at(timestamp: float) -> dt.datetime:
    return dt.datetime.fromtimestamp(timestamp, dt.UTC)


def parse(response: httpx.Response) -> Any:
    """The parser's result for that answer, or the exception it raised."""
    try:
        return token_answer(response, lambda: NOW)
    except YunxiaoError as exc:
        return exc


def text(body: str | bytes, content_type: str = "text/plain; charset=utf-8") -> httpx.Response:
    raw = body.encode() if isinstance(body, str) else body
    return httpx.Response(200, content=raw, headers={"content-type": content_type})


# --- the two forms of the URL ---------------------------------------------------------------


def test_json_quoted_url_gives_artifact_url() -> None:
    result = parse(httpx.Response(200, json=FILE_URL))
    assert result == ArtifactUrl(file_url=FILE_URL, request_id="", expires_at=at(1700003600))


def test_plain_text_url_gives_artifact_url() -> None:
    result = parse(text(FILE_URL))
    assert result == ArtifactUrl(file_url=FILE_URL, request_id="", expires_at=at(1700003600))


@pytest.mark.parametrize("body", [f"{FILE_URL}\n", f"  {FILE_URL}\r\n", f"\t{FILE_URL} "])
def test_plain_text_url_is_taken_without_surrounding_whitespace(body: str) -> None:
    assert parse(text(body)).file_url == FILE_URL


def test_json_quoted_url_is_decoded_as_json() -> None:
    escaped = '"https://emas.oss.example.com/a.apk?Expires=1700003600\\u0026Signature=s"'
    result = parse(text(escaped, "application/json"))
    assert result.file_url == "https://emas.oss.example.com/a.apk?Expires=1700003600&Signature=s"


def test_json_quoted_url_is_read_whatever_the_content_type_says() -> None:
    assert parse(text(json.dumps(FILE_URL))).file_url == FILE_URL


def test_another_2xx_status_is_a_success_too() -> None:
    result = parse(httpx.Response(201, json=FILE_URL))
    assert isinstance(result, ArtifactUrl)


def test_the_request_id_of_a_success_comes_from_the_header() -> None:
    response = httpx.Response(200, json=FILE_URL, headers={"x-acs-request-id": "HDR-1"})
    assert parse(response).request_id == "HDR-1"


def test_a_url_without_expires_expires_one_hour_after_the_answer() -> None:
    result = parse(httpx.Response(200, json="https://emas.oss.example.com/app.apk"))
    assert result.expires_at == at(NOW + 3600)


def test_a_url_whose_expires_is_not_a_number_expires_one_hour_after_the_answer() -> None:
    result = parse(text("https://emas.oss.example.com/app.apk?Expires=soon"))
    assert result.expires_at == at(NOW + 3600)


def test_the_spec_example_of_the_answer_parses_in_both_forms() -> None:
    example = spec()["components"]["examples"]["token.200.success"]["value"]
    assert parse(httpx.Response(200, json=example)).file_url == example
    assert parse(text(example)).file_url == example


# --- anything else is an ApiError -----------------------------------------------------------

NOT_A_URL = {
    "JSON object": (json.dumps({"fileUrl": FILE_URL}), "application/json"),
    "JSON array": (json.dumps([FILE_URL]), "application/json"),
    "empty JSON string": ('""', "application/json"),
    "truncated JSON string": ('"https://emas.oss.example.com/a', "application/json"),
    "empty body": ("", "text/plain"),
    "blank body": ("  \n", "text/plain"),
    "text with spaces": ("Service temporarily unavailable", "text/plain"),
    "html page": ("<html>\n<head><title>Sign in</title></head>\n</html>", "text/html"),
    "invalid UTF-8": (b"\xff\xfe\xfd", "text/plain"),
}


@pytest.mark.parametrize(("body", "content_type"), NOT_A_URL.values(), ids=NOT_A_URL.keys())
def test_a_2xx_that_is_not_a_url_raises_api_error(body: str | bytes, content_type: str) -> None:
    exc = parse(text(body, content_type))
    assert type(exc) is ApiError, repr(exc)
    assert exc.code == ""
    assert exc.status_code == 200
    assert exc.response is not None


def test_a_minified_html_page_is_not_taken_for_a_url() -> None:
    # What a single sign-on proxy answers in place of the API: HTML without any whitespace.
    page = "<html><body><script>location.href='https://login.example/'</script></body></html>"
    exc = parse(text(page, "text/html; charset=utf-8"))
    assert type(exc) is ApiError, repr(exc)
    assert exc.status_code == 200


JSON_NOT_A_STRING = {"null": "null", "number": "42", "true": "true", "false": "false"}


@pytest.mark.parametrize("body", JSON_NOT_A_STRING.values(), ids=JSON_NOT_A_STRING.keys())
def test_a_json_answer_that_is_not_a_string_raises_api_error(body: str) -> None:
    exc = parse(text(body, "application/json"))
    assert type(exc) is ApiError, repr(exc)
    assert exc.status_code == 200


def test_a_long_answer_that_is_not_a_url_is_quoted_short() -> None:
    exc = parse(text("<html>" + "x " * 20_000 + "</html>", "text/html"))
    assert type(exc) is ApiError
    assert len(exc.message) <= 300
    assert "<html>" in exc.message


# --- errors: the status decides ---------------------------------------------------------------

STATUS_CLASSES: dict[int, type[ApiError]] = {
    400: InvalidParameterError,
    401: AuthenticationError,
    403: ForbiddenError,
    404: NotFoundError,
    409: ApiError,
    422: InvalidParameterError,
    429: ThrottledError,
    500: ServerError,
    502: ServerError,
    503: ServerError,
    504: ServerError,
}


def example_body(status: int) -> dict[str, Any]:
    """The spec's example error body for ``status`` (5xx share the 500 one)."""
    examples = spec()["components"]["examples"]
    value: dict[str, Any] = examples[f"token.{min(status, 500)}"]["value"]
    return value


@pytest.mark.parametrize(("status", "cls"), STATUS_CLASSES.items(), ids=str)
def test_documented_error_status_maps_to_its_class_keeping_every_field(
    status: int, cls: type[ApiError]
) -> None:
    body = example_body(status)
    response = httpx.Response(status, json=body)
    exc = parse(response)
    assert type(exc) is cls, repr(exc)
    assert exc.code == body["errorCode"]
    assert exc.message == body["errorMessage"]
    assert exc.request_id == body["requestId"]
    assert exc.trace_id == body["traceId"]
    assert exc.status_code == status
    assert exc.body == body
    assert exc.response is response


def test_the_documented_statuses_are_the_specs() -> None:
    operation = spec()["paths"][
        "/oapi/v1/flow/organizations/{organizationId}/pipelines/getEmasArtifactDownloadUrl"
    ]["get"]
    errors = {int(status) for status in operation["responses"] if int(status) >= 400}
    assert errors == set(STATUS_CLASSES)


@pytest.mark.parametrize(
    ("status", "code", "cls"),
    [
        (404, "Forbidden.AccessDenied", NotFoundError),
        (401, "InvalidPipeline.NotFound", AuthenticationError),
        (403, "Throttling.User", ForbiddenError),
        (500, "InvalidParam.ParamNotPresent", ServerError),
        (429, "InternalError", ThrottledError),
    ],
)
def test_the_status_decides_the_class_not_the_code(
    status: int, code: str, cls: type[ApiError]
) -> None:
    body = {"errorCode": code, "errorMessage": "m", "requestId": "R-1"}
    assert type(parse(httpx.Response(status, json=body))) is cls


def test_an_unknown_code_of_a_documented_status_keeps_the_code() -> None:
    body = {"errorCode": "Brand.New", "errorMessage": "new", "requestId": "R-2"}
    exc = parse(httpx.Response(409, json=body))
    assert type(exc) is ApiError
    assert exc.code == "Brand.New"


def test_a_redirect_is_an_api_error() -> None:
    response = httpx.Response(302, headers={"location": "https://login.example/"})
    exc = parse(response)
    assert type(exc) is ApiError
    assert exc.status_code == 302


def test_retry_after_header_becomes_the_retry_after_attribute() -> None:
    response = httpx.Response(429, json=example_body(429), headers={"Retry-After": "7"})
    exc = parse(response)
    assert type(exc) is ThrottledError
    assert exc.retry_after == 7.0


def test_error_without_retry_after_has_retry_after_none() -> None:
    exc = parse(httpx.Response(503, json=example_body(503)))
    assert type(exc) is ServerError
    assert exc.retry_after is None


@pytest.mark.parametrize(("status", "cls"), STATUS_CLASSES.items(), ids=str)
def test_an_error_whose_body_is_not_json_keeps_status_class_and_excerpt(
    status: int, cls: type[ApiError]
) -> None:
    response = httpx.Response(
        status,
        text="<html><body>upstream failed</body></html>",
        headers={"x-acs-request-id": "HDR-3"},
    )
    exc = parse(response)
    assert type(exc) is cls
    assert exc.code == ""
    assert exc.body is None
    assert exc.request_id == "HDR-3"
    assert "upstream failed" in exc.message


def test_an_error_whose_json_is_not_an_object_keeps_the_status_class() -> None:
    exc = parse(httpx.Response(404, json=["not", "an", "object"]))
    assert type(exc) is NotFoundError
    assert exc.body is None


def test_an_error_with_an_empty_body_keeps_the_status_class() -> None:
    exc = parse(httpx.Response(401))
    assert type(exc) is AuthenticationError
    assert exc.status_code == 401


def test_an_error_without_a_message_says_the_status() -> None:
    exc = parse(httpx.Response(403, json={"errorCode": "Forbidden", "requestId": "R-4"}))
    assert type(exc) is ForbiddenError
    assert "403" in exc.message
