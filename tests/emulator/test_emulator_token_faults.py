"""Fault injection on the token API: a fault fires on the next authenticated call of either
API, in the shape of the API that made the call."""

from __future__ import annotations

import time

import httpx
import pytest
from emulator_support import (
    CONNECTION,
    api_path,
    gateway_code,
    http_client,
    token_code,
    token_params,
    token_path,
)
from yunxiao_emas._call.operations import SIGNED, TOKEN
from yunxiao_emas.auth.token import TokenAuth
from yunxiao_emas.testing import ConnectionDropped, EmulatedService

PARAMS = {"serviceConnectionId": CONNECTION}


async def get(client: httpx.AsyncClient, md5: str) -> httpx.Response:
    return await client.get(token_path(), params=token_params(md5=md5))


async def test_documented_code_answers_its_status_in_the_token_body(
    token_api: httpx.AsyncClient, service: EmulatedService, md5: str
) -> None:
    service.fail_next(code="InvalidPipeline.NotFound")

    response = await get(token_api, md5)

    assert (response.status_code, token_code(response)) == (404, "InvalidPipeline.NotFound")
    assert response.json()["errorMessage"] == "The pipeline is not found."


async def test_gateway_code_answers_its_status_in_the_token_body(
    token_api: httpx.AsyncClient, service: EmulatedService, md5: str
) -> None:
    service.fail_next(code="ServiceUnavailable")

    response = await get(token_api, md5)

    assert (response.status_code, token_code(response)) == (503, "ServiceUnavailable")
    assert response.json()["title"] == "Service Unavailable"


async def test_retry_after_is_the_http_retry_after_header(
    token_api: httpx.AsyncClient, service: EmulatedService, md5: str
) -> None:
    service.fail_next(code="Throttling.User", retry_after=3)

    response = await get(token_api, md5)

    assert response.status_code == 429
    assert response.headers["retry-after"] == "3"


async def test_business_failure_is_answered_as_400_by_the_token_api(
    token_api: httpx.AsyncClient, service: EmulatedService, md5: str
) -> None:
    service.fail_next(code="InvalidParam.ParamNotPresent", status=200)

    response = await get(token_api, md5)

    assert (response.status_code, token_code(response)) == (400, "InvalidParam.ParamNotPresent")


async def test_fault_fires_on_the_next_call_of_either_api(
    api: httpx.AsyncClient, token_api: httpx.AsyncClient, service: EmulatedService, md5: str
) -> None:
    service.fail_next(code="InternalError")

    first = await get(token_api, md5)
    second = await api.post(api_path(md5=md5), params=PARAMS)

    assert (first.status_code, second.status_code) == (500, 200)


async def test_faults_fire_in_order_across_both_apis(
    api: httpx.AsyncClient, token_api: httpx.AsyncClient, service: EmulatedService, md5: str
) -> None:
    service.fail_next(code="InternalError")
    service.fail_next(code="ServiceUnavailable")

    signed = await api.post(api_path(md5=md5), params=PARAMS)
    token = await get(token_api, md5)

    assert (gateway_code(signed), token_code(token)) == ("InternalError", "ServiceUnavailable")


async def test_fault_for_one_operation_lets_calls_of_the_other_pass(
    api: httpx.AsyncClient, token_api: httpx.AsyncClient, service: EmulatedService, md5: str
) -> None:
    service.fail_next(code="InternalError", operation=TOKEN.name)

    signed = await api.post(api_path(md5=md5), params=PARAMS)
    token = await get(token_api, md5)

    assert (signed.status_code, token.status_code) == (200, 500)


@pytest.mark.parametrize(("status", "code"), [(401, "Unauthorized"), (409, "Conflict")])
async def test_a_status_only_the_token_api_declares_is_allowed_for_it(
    token_api: httpx.AsyncClient, service: EmulatedService, md5: str, status: int, code: str
) -> None:
    service.fail_next(code=code, status=status, operation=TOKEN.name)

    response = await get(token_api, md5)

    assert (response.status_code, token_code(response)) == (status, code)


def test_a_status_only_the_token_api_declares_needs_the_operation(
    service: EmulatedService,
) -> None:
    with pytest.raises(ValueError, match="every operation"):
        service.fail_next(code="Conflict", status=409)


def test_a_status_the_signed_api_does_not_declare_is_refused_for_it(
    service: EmulatedService,
) -> None:
    with pytest.raises(ValueError, match="not declared"):
        service.fail_next(code="Conflict", status=409, operation=SIGNED.name)


def test_fault_for_an_unknown_operation_is_refused(service: EmulatedService) -> None:
    with pytest.raises(ValueError, match="operationId"):
        service.fail_next(operation="ListPipelines")


async def test_faults_are_not_used_up_by_calls_without_a_valid_token(
    token_api: httpx.AsyncClient, service: EmulatedService, md5: str
) -> None:
    service.fail_next(code="ServiceUnavailable")
    await token_api.get(token_path(), params=token_params(md5=md5), auth=None)

    response = await get(token_api, md5)

    assert response.status_code == 503


async def test_drop_next_cuts_a_token_call_in_process(
    token_api: httpx.AsyncClient, service: EmulatedService, md5: str
) -> None:
    service.drop_next()

    with pytest.raises(ConnectionDropped):
        await get(token_api, md5)


def test_drop_next_cuts_a_token_call_over_http(
    served: str, service: EmulatedService, md5: str
) -> None:
    service.drop_next()

    with (
        http_client(served, TokenAuth(service.default_token), timeout=10) as client,
        pytest.raises(httpx.RemoteProtocolError),
    ):
        client.get(token_path(), params=token_params(md5=md5))


async def test_dropped_token_call_is_recorded_without_a_status(
    token_api: httpx.AsyncClient, service: EmulatedService, md5: str
) -> None:
    service.drop_next()
    with pytest.raises(ConnectionDropped):
        await get(token_api, md5)

    assert [(call.status, call.operation) for call in service.api_calls] == [(None, TOKEN.name)]


async def test_latency_delays_token_calls(
    token_api: httpx.AsyncClient, service: EmulatedService, md5: str
) -> None:
    service.latency = 0.2

    started = time.monotonic()
    await get(token_api, md5)

    assert time.monotonic() - started >= 0.2


async def test_download_faults_apply_to_urls_of_the_token_api(
    token_api: httpx.AsyncClient, service: EmulatedService, md5: str
) -> None:
    url = (await get(token_api, md5)).json()
    service.corrupt_next_download()

    corrupted = await token_api.get(url, auth=None)
    clean = await token_api.get(url, auth=None)

    assert corrupted.content != clean.content
