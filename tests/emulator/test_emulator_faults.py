"""Fault injection for tests of retries and resilience, and the record of calls."""

from __future__ import annotations

import time

import httpx
import pytest
from emulator_support import CONNECTION, api_path, documented_codes, gateway_code, service_code
from yunxiao_emas._call.operations import SIGNED
from yunxiao_emas.testing import Call, ConnectionDropped, EmulatedService

PARAMS = {"serviceConnectionId": CONNECTION}
DOCUMENTED = documented_codes()


@pytest.mark.parametrize(("code", "status", "message"), DOCUMENTED)
async def test_fail_next_with_a_documented_code_answers_its_status_and_message(
    api: httpx.AsyncClient, service: EmulatedService, md5: str, code: str, status: int, message: str
) -> None:
    service.fail_next(code=code, status=status)

    response = await api.post(api_path(md5=md5), params=PARAMS)

    assert (response.status_code, service_code(response)) == (status, code)
    assert response.json()["errorMessage"] == message


def test_every_documented_service_code_is_reachable_by_fail_next() -> None:
    assert len(DOCUMENTED) == 19


async def test_fail_next_without_a_status_takes_the_first_documented_one(
    api: httpx.AsyncClient, service: EmulatedService, md5: str
) -> None:
    service.fail_next(code="InvalidUser.UserNotInCurrentOrganization")

    response = await api.post(api_path(md5=md5), params=PARAMS)

    assert response.status_code == 400


@pytest.mark.parametrize(
    ("code", "status"),
    # Throttling is 400, as the API metadata of Alibaba Cloud's products lists it.
    [("InternalError", 500), ("ServiceUnavailable", 503), ("Throttling.Api", 400)],
)
async def test_fail_next_with_a_gateway_code_answers_the_gateway_body(
    api: httpx.AsyncClient, service: EmulatedService, md5: str, code: str, status: int
) -> None:
    service.fail_next(code=code)

    response = await api.post(api_path(md5=md5), params=PARAMS)

    assert (response.status_code, gateway_code(response)) == (status, code)


@pytest.mark.parametrize(
    ("status", "code"), [(429, "Throttling"), (502, "InternalError"), (504, "ServiceUnavailable")]
)
async def test_fail_next_with_only_a_status_picks_a_gateway_code(
    api: httpx.AsyncClient, service: EmulatedService, md5: str, status: int, code: str
) -> None:
    service.fail_next(status=status)

    response = await api.post(api_path(md5=md5), params=PARAMS)

    assert (response.status_code, gateway_code(response)) == (status, code)


async def test_fail_next_with_nothing_is_an_internal_error(
    api: httpx.AsyncClient, service: EmulatedService, md5: str
) -> None:
    service.fail_next()

    response = await api.post(api_path(md5=md5), params=PARAMS)

    assert (response.status_code, gateway_code(response)) == (500, "InternalError")


async def test_fail_next_fails_that_many_calls_then_the_service_answers(
    api: httpx.AsyncClient, service: EmulatedService, md5: str
) -> None:
    service.fail_next(2, code="ServiceUnavailable")

    statuses = [(await api.post(api_path(md5=md5), params=PARAMS)).status_code for _ in range(3)]

    assert statuses == [503, 503, 200]


async def test_fail_next_with_retry_after_sets_the_header_in_milliseconds(
    api: httpx.AsyncClient, service: EmulatedService, md5: str
) -> None:
    service.fail_next(code="Throttling.User", retry_after=3)

    response = await api.post(api_path(md5=md5), params=PARAMS)

    assert response.headers["x-acs-retry-after"] == "3000"


@pytest.mark.parametrize("raw", ["0", "-1", "soon", "9" * 400])
async def test_fail_next_with_a_raw_retry_after_sends_it_as_it_is(
    api: httpx.AsyncClient, service: EmulatedService, md5: str, raw: str
) -> None:
    service.fail_next(code="Throttling.User", retry_after=raw)

    response = await api.post(api_path(md5=md5), params=PARAMS)

    assert response.headers["x-acs-retry-after"] == raw


async def test_fail_next_with_status_200_is_a_business_failure(
    api: httpx.AsyncClient, service: EmulatedService, md5: str
) -> None:
    service.fail_next(code="InvalidParam.ParamNotPresent", status=200)

    response = await api.post(api_path(md5=md5), params=PARAMS)

    assert response.status_code == 200
    assert response.json()["success"] is False
    assert response.json()["errorCode"] == "InvalidParam.ParamNotPresent"
    assert response.json()["fileUrl"] == ""


async def test_fail_next_with_an_undocumented_code_uses_the_status_given(
    api: httpx.AsyncClient, service: EmulatedService, md5: str
) -> None:
    service.fail_next(code="SomethingNew.NotFound", status=404, message="new")

    response = await api.post(api_path(md5=md5), params=PARAMS)

    assert (response.status_code, service_code(response)) == (404, "SomethingNew.NotFound")
    assert response.json()["errorMessage"] == "new"


def test_fail_next_refuses_a_status_the_contract_does_not_declare(
    service: EmulatedService,
) -> None:
    with pytest.raises(ValueError, match="not declared"):
        service.fail_next(code="InternalError", status=418)


def test_fail_next_refuses_an_undocumented_code_without_a_status(
    service: EmulatedService,
) -> None:
    with pytest.raises(ValueError, match="give a status"):
        service.fail_next(code="SomethingNew")


@pytest.mark.parametrize("count", [0, -1])
def test_fail_next_refuses_a_count_below_one(service: EmulatedService, count: int) -> None:
    with pytest.raises(ValueError, match="positive"):
        service.fail_next(count)


async def test_faults_are_not_used_up_by_rejected_signatures(
    api: httpx.AsyncClient, service: EmulatedService, md5: str
) -> None:
    service.fail_next(code="ServiceUnavailable")
    await api.post(api_path(md5=md5), params=PARAMS, auth=None)

    response = await api.post(api_path(md5=md5), params=PARAMS)

    assert response.status_code == 503


async def test_faults_fire_in_the_order_they_were_queued(
    api: httpx.AsyncClient, service: EmulatedService, md5: str
) -> None:
    service.fail_next(code="InternalError")
    service.fail_next(code="Throttling.User")

    codes = [gateway_code(await api.post(api_path(md5=md5), params=PARAMS)) for _ in range(2)]

    assert codes == ["InternalError", "Throttling.User"]


async def test_clear_faults_forgets_queued_faults(
    api: httpx.AsyncClient, service: EmulatedService, md5: str
) -> None:
    service.fail_next(code="InternalError")
    service.clear_faults()

    response = await api.post(api_path(md5=md5), params=PARAMS)

    assert response.status_code == 200


def test_drop_next_cuts_the_connection_over_http(
    http_api: httpx.Client, service: EmulatedService, md5: str
) -> None:
    service.drop_next()

    with pytest.raises(httpx.RemoteProtocolError, match="without sending complete message body"):
        http_api.post(api_path(md5=md5), params=PARAMS)


def test_connection_after_a_drop_is_answered(
    http_api: httpx.Client, service: EmulatedService, md5: str
) -> None:
    service.drop_next()
    with pytest.raises(httpx.TransportError):
        http_api.post(api_path(md5=md5), params=PARAMS)

    response = http_api.post(api_path(md5=md5), params=PARAMS)

    assert response.status_code == 200


async def test_drop_next_in_process_raises_the_transport_error_a_socket_would(
    api: httpx.AsyncClient, service: EmulatedService, md5: str
) -> None:
    service.drop_next()

    with pytest.raises(httpx.RemoteProtocolError) as raised:
        await api.post(api_path(md5=md5), params=PARAMS)

    assert isinstance(raised.value, ConnectionDropped)


def test_drop_is_not_logged_as_an_application_error(
    http_api: httpx.Client, service: EmulatedService, md5: str, caplog: pytest.LogCaptureFixture
) -> None:
    service.drop_next()
    with pytest.raises(httpx.TransportError):
        http_api.post(api_path(md5=md5), params=PARAMS)
    http_api.post(api_path(md5=md5), params=PARAMS)  # the server has handled the drop by now

    assert not [record for record in caplog.records if record.name.startswith("uvicorn")]


async def test_latency_delays_each_answer(
    api: httpx.AsyncClient, service: EmulatedService, md5: str
) -> None:
    service.latency = 0.2

    started = time.monotonic()
    await api.post(api_path(md5=md5), params=PARAMS)

    assert time.monotonic() - started >= 0.2


def test_latency_beyond_the_client_timeout_times_the_call_out(
    http_api: httpx.Client, service: EmulatedService, md5: str
) -> None:
    service.latency = 0.5

    with pytest.raises(httpx.ReadTimeout):
        http_api.post(api_path(md5=md5), params=PARAMS, timeout=0.1)


async def test_calls_record_method_path_status_and_code(
    api: httpx.AsyncClient, service: EmulatedService, md5: str
) -> None:
    await api.post(api_path(md5=md5), params=PARAMS)
    await api.post(api_path(run=2, md5=md5), params=PARAMS)
    service.drop_next()
    with pytest.raises(httpx.TransportError):
        await api.post(api_path(md5=md5), params=PARAMS)

    assert service.calls == [
        Call("POST", api_path(md5=md5), 200, None, SIGNED.name),
        Call("POST", api_path(run=2, md5=md5), 404, "InvalidPipelineRun.NotFound", SIGNED.name),
        Call("POST", api_path(md5=md5), None, None, SIGNED.name),
    ]


async def test_api_calls_leave_downloads_out(
    api: httpx.AsyncClient, service: EmulatedService, md5: str
) -> None:
    response = await api.post(api_path(md5=md5), params=PARAMS)
    await api.get(response.json()["fileUrl"])

    assert [call.method for call in service.api_calls] == ["POST"]
    assert [call.method for call in service.download_calls] == ["GET"]
