"""The helper that checks every API answer of these tests against openapi.yaml can fail."""

from __future__ import annotations

import httpx
import pytest
from _spec_validation import conformance_errors

SERVICE_ERROR = {"requestId": "R", "success": False, "errorCode": "X", "errorMessage": "m"}


def answer(status: int, body: object, headers: dict[str, str] | None = None) -> httpx.Response:
    request = httpx.Request("POST", "http://emulator.test/organization/o")
    return httpx.Response(status, json=body, headers=headers, request=request)


def test_a_documented_answer_has_no_errors() -> None:
    body = {"requestId": "R", "success": True, "errorCode": "", "errorMessage": "", "fileUrl": "u"}

    assert conformance_errors(answer(200, body)) == []


def test_an_undeclared_status_is_an_error() -> None:
    assert conformance_errors(answer(401, SERVICE_ERROR)) == [
        "status 401 is not declared (declared: 200, 400, 403, 404, 429, 500, 502, 503, 504)"
    ]


def test_a_body_of_neither_error_shape_is_an_error() -> None:
    assert conformance_errors(answer(404, {"message": "not found"}))


def test_a_success_body_without_a_request_id_is_an_error() -> None:
    assert conformance_errors(answer(200, {"success": True}))


def test_an_undeclared_media_type_is_an_error() -> None:
    response = httpx.Response(400, text="Bad Request", request=httpx.Request("POST", "http://e/"))

    assert conformance_errors(response)


@pytest.mark.parametrize("value", ["0", "soon"])
def test_a_retry_after_that_is_not_a_positive_integer_is_an_error(value: str) -> None:
    body = {"Code": "Throttling.User"}

    assert conformance_errors(answer(429, body, {"x-acs-retry-after": value}))
