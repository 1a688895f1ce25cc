"""The generated client (generated/yunxiao_emas_api) speaks both APIs as their references show
them: GetPipelineEmasArtifactUrl (signed) and GetEmasArtifactDownloadUrl (token).

HTTP is mocked with respx; the expected requests and bodies are the API references' examples
(/work/shared/reference/api-digest.md), written out literally here as an independent source
(tests/_ids.py reads the same examples from openapi.yaml, the thing under test).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import respx
from yunxiao_emas_api import errors
from yunxiao_emas_api.api.pipeline import get_emas_artifact_download_url as token_operation
from yunxiao_emas_api.api.pipeline import get_pipeline_emas_artifact_url as operation
from yunxiao_emas_api.client import AuthenticatedClient, Client
from yunxiao_emas_api.models import (
    ArtifactUrlResponse,
    GatewayError,
    ServiceError,
    TokenApiError,
)

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


# --- GetEmasArtifactDownloadUrl (the token API) -----------------------------------------------

TOKEN_BASE_URL = "https://openapi-rdc.aliyuncs.com"
TOKEN_HOST = "openapi-rdc.aliyuncs.com"
TOKEN = "pt-generated-test-token"
TOKEN_PATH = (
    b"/oapi/v1/flow/organizations/5ebbc0228123212b59xxxxx/pipelines/getEmasArtifactDownloadUrl"
)
TOKEN_QUERY = [
    ("pipelineId", "1111"),
    ("pipelineRunId", "1"),
    ("emasJobInstanceId", "Psaxsa"),
    ("md5", "assasas"),
    ("serviceConnectionId", "122"),
]
TOKEN_URL = "https://emas-artifacts.oss-cn-hangzhou.aliyuncs.com/app-release.apk?Expires=1700003600"
TOKEN_404_BODY = {
    "errorCode": "NotFound",
    "errorMessage": "The pipeline run is not found.",
    "requestId": "9C2A4E1B-0000-4000-8000-000000000404",
    "traceId": "0bc3b4a216999999999990001e0a01",
    "httpStatus": "404",
    "title": "Not Found",
    "hasDetailSolution": False,
}


def token_client(**options: Any) -> AuthenticatedClient:
    return AuthenticatedClient(
        base_url=TOKEN_BASE_URL,
        token=TOKEN,
        prefix="",
        auth_header_name="x-yunxiao-token",
        **options,
    )


def token_answer(mock_api: respx.MockRouter, status: int, body: Any) -> respx.Route:
    return mock_api.route(host=TOKEN_HOST).mock(return_value=httpx.Response(status, json=body))


def token_call(**overrides: Any) -> Any:
    with token_client() as client:
        return token_operation.sync_detailed(client=client, **{**REFERENCE_ARGS, **overrides})


async def token_acall(**overrides: Any) -> Any:
    async with token_client() as client:
        return await token_operation.asyncio_detailed(
            client=client, **{**REFERENCE_ARGS, **overrides}
        )


def test_token_get_kwargs_builds_the_reference_request() -> None:
    kwargs = token_operation._get_kwargs(**REFERENCE_ARGS)
    assert kwargs["method"] == "get"
    assert kwargs["url"] == TOKEN_PATH.decode()
    assert sorted(kwargs["params"].items()) == sorted(
        {
            "pipelineId": 1111,
            "pipelineRunId": 1,
            "emasJobInstanceId": "Psaxsa",
            "md5": "assasas",
            "serviceConnectionId": 122,
        }.items()
    )


def test_token_sync_detailed_gets_the_reference_path_and_query(
    mock_api: respx.MockRouter,
) -> None:
    route = token_answer(mock_api, 200, TOKEN_URL)
    token_call()
    request = route.calls.last.request
    assert request.method == "GET"
    assert request.url.raw_path.partition(b"?")[0] == TOKEN_PATH
    assert sorted(request.url.params.multi_items()) == sorted(TOKEN_QUERY)
    assert request.content == b""


def test_token_sync_detailed_sends_the_token_header_of_the_authenticated_client(
    mock_api: respx.MockRouter,
) -> None:
    route = token_answer(mock_api, 200, TOKEN_URL)
    token_call()
    request = route.calls.last.request
    assert request.headers["x-yunxiao-token"] == TOKEN
    assert "authorization" not in request.headers


def test_token_sync_detailed_sends_to_the_base_url_host(mock_api: respx.MockRouter) -> None:
    route = token_answer(mock_api, 200, TOKEN_URL)
    token_call()
    url = route.calls.last.request.url
    assert (url.scheme, url.host) == ("https", TOKEN_HOST)


def test_token_sync_detailed_parses_the_json_string_url(mock_api: respx.MockRouter) -> None:
    token_answer(mock_api, 200, TOKEN_URL)
    response = token_call()
    assert response.status_code == 200
    assert response.parsed == TOKEN_URL


async def test_token_asyncio_detailed_gets_the_reference_request(
    mock_api: respx.MockRouter,
) -> None:
    route = token_answer(mock_api, 200, TOKEN_URL)
    response = await token_acall()
    request = route.calls.last.request
    assert (request.method, request.url.raw_path.partition(b"?")[0]) == ("GET", TOKEN_PATH)
    assert request.headers["x-yunxiao-token"] == TOKEN
    assert response.parsed == TOKEN_URL


@pytest.mark.parametrize("status", [400, 401, 403, 404, 409, 422, 429, 500, 502, 503, 504])
def test_token_error_statuses_parse_to_the_token_error_body(
    mock_api: respx.MockRouter, status: int
) -> None:
    token_answer(mock_api, status, {**TOKEN_404_BODY, "httpStatus": str(status)})
    response = token_call()
    assert response.status_code == status
    assert response.parsed == TokenApiError(
        error_code="NotFound",
        error_message="The pipeline run is not found.",
        request_id="9C2A4E1B-0000-4000-8000-000000000404",
        trace_id="0bc3b4a216999999999990001e0a01",
        http_status=str(status),
        title="Not Found",
        has_detail_solution=False,
    )


def test_token_error_with_an_undocumented_code_parses(mock_api: respx.MockRouter) -> None:
    token_answer(mock_api, 409, {"errorCode": "Brand.NewCode", "errorMessage": "?"})
    parsed = token_call().parsed
    assert isinstance(parsed, TokenApiError)
    assert parsed.error_code == "Brand.NewCode"


def test_token_undocumented_status_parses_to_none(mock_api: respx.MockRouter) -> None:
    token_answer(mock_api, 418, {"errorCode": "Teapot"})
    assert token_call().parsed is None


def test_token_undocumented_status_raises_when_asked_to(mock_api: respx.MockRouter) -> None:
    token_answer(mock_api, 418, {"errorCode": "Teapot"})
    with (
        token_client(raise_on_unexpected_status=True) as client,
        pytest.raises(errors.UnexpectedStatus),
    ):
        token_operation.sync_detailed(client=client, **REFERENCE_ARGS)


def test_token_organization_is_percent_encoded_into_one_segment(
    mock_api: respx.MockRouter,
) -> None:
    route = token_answer(mock_api, 200, TOKEN_URL)
    token_call(organization_id="a/b c%d-\u00e9-\u4e2d-\U0001f680")
    path = route.calls.last.request.url.raw_path.partition(b"?")[0]
    assert path.split(b"/") == [
        b"",
        b"oapi",
        b"v1",
        b"flow",
        b"organizations",
        b"a%2Fb%20c%25d-%C3%A9-%E4%B8%AD-%F0%9F%9A%80",
        b"pipelines",
        b"getEmasArtifactDownloadUrl",
    ]


def test_token_query_values_are_sent_as_given(mock_api: respx.MockRouter) -> None:
    route = token_answer(mock_api, 200, TOKEN_URL)
    token_call(md5="a&b=c d", emas_job_instance_id="\u4e2d/\U0001f680")
    params = route.calls.last.request.url.params
    assert params["md5"] == "a&b=c d"
    assert params["emasJobInstanceId"] == "\u4e2d/\U0001f680"
    assert len(params.multi_items()) == 5
