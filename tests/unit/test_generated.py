"""The generated client (generated/yunxiao_emas_api) speaks the API as the reference shows it.

HTTP is mocked with respx; the expected request and body are the API reference's example
(/work/shared/reference/api-digest.md), written out literally here.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import respx
from yunxiao_emas_api.api.pipeline import get_pipeline_emas_artifact_url as operation
from yunxiao_emas_api.client import Client
from yunxiao_emas_api.models import ArtifactUrlResponse, GatewayError, ServiceError

BASE_URL = "https://devops.cn-hangzhou.aliyuncs.com"
HOST = "devops.cn-hangzhou.aliyuncs.com"

# The reference page's example request and answer.
REFERENCE_ARGS: dict[str, Any] = {
    "organization_id": "5ebbc0228123212b59xxxxx",
    "pipeline_id": 1111,
    "pipeline_run_id": 1,
    "emas_job_instance_id": "Psaxsa",
    "md5": "assasas",
    "service_connection_id": 122,
}
REFERENCE_RAW_PATH = (
    b"/organization/5ebbc0228123212b59xxxxx/pipeline/1111/pipelineRun/1"
    b"/emas/artifact/Psaxsa/assasas?serviceConnectionId=122"
)
REFERENCE_BODY = {
    "requestId": "ASSDS-ASSASX-XSAXSA-XSAXSAXS",
    "success": True,
    "errorCode": "",
    "errorMessage": "",
    "fileUrl": "http://aliyun.com",
}

GATEWAY_403_BODY = {
    "RequestId": "7A1B2C3D-0000-4000-8000-000000000403",
    "HostId": HOST,
    "Code": "InvalidAccessKeyId.NotFound",
    "Message": "Specified access key is not found.",
    "Recommend": "https://api.aliyun.com/troubleshoot?q=InvalidAccessKeyId.NotFound&product=devops",
}
SERVICE_404_BODY = {
    "requestId": "7A1B2C3D-0000-4000-8000-000000000404",
    "success": False,
    "errorCode": "InvalidPipeline.NotFound",
    "errorMessage": "The pipeline is not found.",
}

# The path segments in order: organization/{0}/pipeline/{1}/pipelineRun/{2}/emas/artifact/{3}/{4}
SEGMENT_OF = {"organization_id": 1, "emas_job_instance_id": 8, "md5": 9}


@pytest.fixture
def mock_api() -> Iterator[respx.MockRouter]:
    with respx.mock(assert_all_mocked=True, assert_all_called=False) as router:
        yield router


def answer(mock_api: respx.MockRouter, status: int, body: Any) -> respx.Route:
    """Any request to the API host gets this answer; the route records what was sent."""
    return mock_api.route(host=HOST).mock(return_value=httpx.Response(status, json=body))


def call(**overrides: Any) -> Any:
    with Client(base_url=BASE_URL) as client:
        return operation.sync_detailed(client=client, **{**REFERENCE_ARGS, **overrides})


async def acall(**overrides: Any) -> Any:
    async with Client(base_url=BASE_URL) as client:
        return await operation.asyncio_detailed(client=client, **{**REFERENCE_ARGS, **overrides})


def path_segments(request: httpx.Request) -> list[bytes]:
    path, _, _ = request.url.raw_path.partition(b"?")
    return path.split(b"/")[1:]


# --- The reference example, sync and async ----------------------------------------------------


def test_sync_detailed_posts_to_the_reference_path(mock_api: respx.MockRouter) -> None:
    route = answer(mock_api, 200, REFERENCE_BODY)
    call()
    request = route.calls.last.request
    assert (request.method, request.url.raw_path) == ("POST", REFERENCE_RAW_PATH)


def test_sync_detailed_sends_to_the_base_url_host(mock_api: respx.MockRouter) -> None:
    route = answer(mock_api, 200, REFERENCE_BODY)
    call()
    url = route.calls.last.request.url
    assert (url.scheme, url.host) == ("https", HOST)


def test_sync_detailed_sends_no_body(mock_api: respx.MockRouter) -> None:
    route = answer(mock_api, 200, REFERENCE_BODY)
    call()
    assert route.calls.last.request.content == b""


def test_sync_detailed_parses_the_reference_body(mock_api: respx.MockRouter) -> None:
    answer(mock_api, 200, REFERENCE_BODY)
    response = call()
    assert response.status_code == 200
    assert response.parsed == ArtifactUrlResponse(
        request_id="ASSDS-ASSASX-XSAXSA-XSAXSAXS",
        success=True,
        error_code="",
        error_message="",
        file_url="http://aliyun.com",
    )


async def test_asyncio_detailed_posts_to_the_reference_path(mock_api: respx.MockRouter) -> None:
    route = answer(mock_api, 200, REFERENCE_BODY)
    await acall()
    request = route.calls.last.request
    assert (request.method, request.url.raw_path) == ("POST", REFERENCE_RAW_PATH)


async def test_asyncio_detailed_parses_the_reference_body(mock_api: respx.MockRouter) -> None:
    answer(mock_api, 200, REFERENCE_BODY)
    response = await acall()
    assert response.status_code == 200
    assert response.parsed == ArtifactUrlResponse(
        request_id="ASSDS-ASSASX-XSAXSA-XSAXSAXS",
        success=True,
        error_code="",
        error_message="",
        file_url="http://aliyun.com",
    )


def test_a_200_with_success_false_parses_as_a_business_failure(
    mock_api: respx.MockRouter,
) -> None:
    body = {
        "requestId": "R",
        "success": False,
        "errorCode": "InvalidParam.ParamNotPresent",
        "errorMessage": "The parameter is invalid.",
    }
    answer(mock_api, 200, body)
    parsed = call().parsed
    assert isinstance(parsed, ArtifactUrlResponse)
    assert (parsed.success, parsed.error_code) == (False, "InvalidParam.ParamNotPresent")


# --- Path encoding ----------------------------------------------------------------------------

# (value, its RFC 3986 percent-encoding as one segment), UTF-8 for non-ASCII.
ENCODINGS = [
    pytest.param("a/b", b"a%2Fb", id="slash"),
    pytest.param("a b", b"a%20b", id="space"),
    pytest.param("100%", b"100%25", id="percent"),
    pytest.param("a*b", b"a%2Ab", id="asterisk"),
    pytest.param("\u00e9\u4e2d\u6587", b"%C3%A9%E4%B8%AD%E6%96%87", id="non-ascii"),
    pytest.param("\U0001f680", b"%F0%9F%9A%80", id="emoji"),
    pytest.param(
        "a/b c%d-\u00e9-\u4e2d-\U0001f680",
        b"a%2Fb%20c%25d-%C3%A9-%E4%B8%AD-%F0%9F%9A%80",
        id="all-together",
    ),
]


@pytest.mark.parametrize(("value", "encoded"), ENCODINGS)
def test_md5_value_is_percent_encoded_into_one_segment(
    mock_api: respx.MockRouter, value: str, encoded: bytes
) -> None:
    route = answer(mock_api, 200, REFERENCE_BODY)
    call(md5=value)
    segments = path_segments(route.calls.last.request)
    assert len(segments) == 10
    assert segments[SEGMENT_OF["md5"]] == encoded


@pytest.mark.parametrize("argument", sorted(SEGMENT_OF))
def test_every_string_path_value_is_percent_encoded_into_its_own_segment(
    mock_api: respx.MockRouter, argument: str
) -> None:
    route = answer(mock_api, 200, REFERENCE_BODY)
    call(**{argument: "a/b c%d-\u00e9-\u4e2d-\U0001f680"})
    segments = path_segments(route.calls.last.request)
    assert len(segments) == 10
    assert segments[SEGMENT_OF[argument]] == b"a%2Fb%20c%25d-%C3%A9-%E4%B8%AD-%F0%9F%9A%80"


async def test_asyncio_detailed_percent_encodes_a_path_value_into_one_segment(
    mock_api: respx.MockRouter,
) -> None:
    route = answer(mock_api, 200, REFERENCE_BODY)
    await acall(md5="a/b c%d-\u00e9-\u4e2d-\U0001f680")
    segments = path_segments(route.calls.last.request)
    assert segments[SEGMENT_OF["md5"] :] == [b"a%2Fb%20c%25d-%C3%A9-%E4%B8%AD-%F0%9F%9A%80"]


# --- Error bodies -----------------------------------------------------------------------------


def test_gateway_shaped_403_parses_to_gateway_error(mock_api: respx.MockRouter) -> None:
    answer(mock_api, 403, GATEWAY_403_BODY)
    response = call()
    assert response.status_code == 403
    assert response.parsed == GatewayError(
        code="InvalidAccessKeyId.NotFound",
        request_id="7A1B2C3D-0000-4000-8000-000000000403",
        host_id=HOST,
        message="Specified access key is not found.",
        recommend="https://api.aliyun.com/troubleshoot?q=InvalidAccessKeyId.NotFound&product=devops",
    )


def test_service_shaped_404_parses_to_service_error(mock_api: respx.MockRouter) -> None:
    answer(mock_api, 404, SERVICE_404_BODY)
    response = call()
    assert response.status_code == 404
    assert response.parsed == ServiceError(
        error_code="InvalidPipeline.NotFound",
        request_id="7A1B2C3D-0000-4000-8000-000000000404",
        success=False,
        error_message="The pipeline is not found.",
    )


def test_service_error_with_an_undocumented_code_parses(mock_api: respx.MockRouter) -> None:
    answer(mock_api, 400, {"requestId": "R", "errorCode": "Brand.NewCode", "errorMessage": "?"})
    parsed = call().parsed
    assert isinstance(parsed, ServiceError)
    assert parsed.error_code == "Brand.NewCode"
