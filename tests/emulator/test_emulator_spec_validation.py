"""The helper that checks every API answer of these tests against openapi.yaml can fail."""

from __future__ import annotations

import httpx
import pytest
from _spec_validation import ContractCheck, conformance_errors
from emulator_support import token_path

SERVICE_ERROR = {"requestId": "R", "success": False, "errorCode": "X", "errorMessage": "m"}
TOKEN_ERROR = {
    "errorCode": "NotFound",
    "errorMessage": "m",
    "requestId": "R",
    "traceId": "T",
    "httpStatus": "404",
    "title": "Not Found",
    "hasDetailSolution": False,
}
URL = "https://files.example/app.apk?Expires=1&Signature=s"


def answer(status: int, body: object, headers: dict[str, str] | None = None) -> httpx.Response:
    request = httpx.Request("POST", "http://emulator.test/organization/o")
    return httpx.Response(status, json=body, headers=headers, request=request)


def token_answer(status: int, **content: object) -> httpx.Response:
    request = httpx.Request("GET", f"http://emulator.test{token_path()}")
    return httpx.Response(status, request=request, **content)  # type: ignore[arg-type]


def test_a_documented_answer_has_no_errors() -> None:
    body = {"requestId": "R", "success": True, "errorCode": "", "errorMessage": "", "fileUrl": "u"}

    assert conformance_errors(answer(200, body)) == []


def test_an_undeclared_status_is_an_error() -> None:
    assert conformance_errors(answer(401, SERVICE_ERROR)) == [
        "HTTP 401 is not a documented status (200, 400, 403, 404, 429, 500, 502, 503, 504)"
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


def test_a_token_api_url_as_a_json_string_has_no_errors() -> None:
    assert conformance_errors(token_answer(200, json=URL)) == []


def test_a_token_api_url_as_plain_text_has_no_errors() -> None:
    response = token_answer(200, text=URL, headers={"content-type": "text/plain"})

    assert conformance_errors(response) == []


def test_a_token_api_answer_is_checked_against_its_own_operation() -> None:
    assert conformance_errors(token_answer(401, json=TOKEN_ERROR)) == []


def test_a_token_api_error_with_a_numeric_http_status_is_an_error() -> None:
    assert conformance_errors(token_answer(404, json={**TOKEN_ERROR, "httpStatus": 404}))


def test_a_gateway_body_on_the_token_api_is_an_error() -> None:
    body = {"RequestId": "R", "Code": "InvalidAction.NotFound", "Message": "m"}

    assert conformance_errors(token_answer(404, json=body))


async def _answer_without_request_id(scope: object, receive: object, send: object) -> None:
    body = b'{"success": true, "fileUrl": "u"}'
    await send(  # type: ignore[operator]
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [(b"content-type", b"application/json")],
        }
    )
    await send({"type": "http.response.body", "body": body})  # type: ignore[operator]


async def test_contract_check_middleware_records_an_api_answer_that_breaks_the_spec() -> None:
    check = ContractCheck(_answer_without_request_id)
    transport = httpx.ASGITransport(check)
    async with httpx.AsyncClient(transport=transport, base_url="http://emulator.test") as client:
        await client.post("/organization/o/pipeline/1/pipelineRun/1/emas/artifact/j/m")
        await client.get("/emas-artifacts/token/file.apk")

    assert check.checked == 1
    assert len(check.violations) == 1
    assert "requestId" in check.violations[0]


async def _answer_with_a_json_object(scope: object, receive: object, send: object) -> None:
    await send(  # type: ignore[operator]
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [(b"content-type", b"application/json")],
        }
    )
    await send({"type": "http.response.body", "body": b'{"fileUrl": "u"}'})  # type: ignore[operator]


async def test_contract_check_middleware_checks_answers_of_the_token_api_too() -> None:
    check = ContractCheck(_answer_with_a_json_object)
    transport = httpx.ASGITransport(check)
    async with httpx.AsyncClient(transport=transport, base_url="http://emulator.test") as client:
        await client.get(token_path())

    assert check.checked == 1
    assert len(check.violations) == 1
