"""Client and AsyncClient: the request they send, the arguments they refuse before any I/O,
their options (endpoint, http_client, user agent), when they ask for credentials, concurrency
and secrecy. What reaches the network (proxy, CA bundle, TLS, closing) is
``test_client_connections.py``'s subject; the token API is ``test_token_api.py``'s."""

from __future__ import annotations

import asyncio
import logging
import platform
from typing import Any

import httpx
import pytest
import respx
from _ids import CONNECTION, JOB
from conftest_client import (
    API_PATH,
    BASE_URL,
    CREDENTIALS,
    FILE_URL,
    FLAVOURS,
    HOST,
    IDS,
    KEY_ID,
    SECRET,
    assert_signed,
    drivers,
    gateway,
    ok,
    spec_parameter,
)
from yunxiao_emas import (
    AccessKeyCredentials,
    ApiError,
    ArtifactUrl,
    InvalidArgumentError,
    TransportError,
    __version__,
)
from yunxiao_emas.client import AsyncClient, Client


@pytest.fixture(params=FLAVOURS)
def make(request: pytest.FixtureRequest) -> Any:
    yield from drivers(request.param)


@pytest.fixture
def api() -> Any:
    with respx.mock(assert_all_called=False) as mock:
        yield mock


@pytest.fixture(params=[Client, AsyncClient], ids=["sync", "async"])
def client_class(request: pytest.FixtureRequest) -> Any:
    return request.param


# --- the request ----------------------------------------------------------------------------


def test_call_posts_the_documented_path_and_query(make: Any, api: Any) -> None:
    route = api.route().mock(return_value=ok())
    make().call()
    request = route.calls.last.request
    assert request.method == "POST"
    assert request.url.scheme == "https"
    assert request.url.host == HOST
    assert request.url.raw_path == f"{API_PATH}?serviceConnectionId={CONNECTION}".encode()


def test_call_sends_the_action_version_and_a_valid_signature(make: Any, api: Any) -> None:
    route = api.route().mock(return_value=ok())
    make().call()
    request = route.calls.last.request
    assert request.headers["x-acs-action"] == "GetPipelineEmasArtifactUrl"
    assert request.headers["x-acs-version"] == "2021-06-25"
    assert request.content == b""
    assert_signed(request)


def test_call_returns_the_artifact_url(make: Any, api: Any) -> None:
    api.route().mock(return_value=ok())
    result = make().call()
    assert isinstance(result, ArtifactUrl)
    assert result.file_url == FILE_URL
    assert result.request_id == "OK-REQUEST-ID"


def test_slash_in_an_id_stays_inside_its_path_segment(make: Any, api: Any) -> None:
    route = api.route().mock(return_value=ok())
    make().call(emas_job_instance_id="a/b", md5="c d")
    raw_path = route.calls.last.request.url.raw_path.split(b"?")[0]
    assert raw_path.endswith(b"/emas/artifact/a%2Fb/c%20d")
    assert_signed(route.calls.last.request)


def test_three_dots_are_an_ordinary_segment(make: Any, api: Any) -> None:
    route = api.route().mock(return_value=ok())
    make().call(md5="...")
    assert route.calls.last.request.url.raw_path.split(b"?")[0].endswith(f"/{JOB}/...".encode())


def test_a_cookie_an_answer_sets_is_never_sent_back(make: Any, api: Any) -> None:
    # No call needs a cookie. The clients build each request themselves (never through the
    # httpx client's cookie merge), and the httpx clients they make keep no jar at all
    # (_call/http_clients.py: storing cookies nobody sent was a tenth of a call's CPU).
    answer = ok()
    answer.headers["set-cookie"] = "session=from-the-api; Path=/"
    route = api.route().mock(return_value=answer)
    client = make()
    client.call()
    client.call()
    assert [call.request.headers.get("cookie") for call in route.calls] == [None, None]


# --- invalid arguments: refused before any request ---------------------------------------

INT_PARAMETERS = ["pipeline_id", "pipeline_run_id", "service_connection_id"]
STRING_PARAMETERS = ["organization_id", "emas_job_instance_id", "md5"]
SPEC_NAMES = {
    "organization_id": "organizationId",
    "pipeline_id": "pipelineId",
    "pipeline_run_id": "pipelineRunId",
    "emas_job_instance_id": "emasJobInstanceId",
    "md5": "md5",
    "service_connection_id": "serviceConnectionId",
}
# The bounds are the contract's, read from openapi.yaml.
MAX_ID = spec_parameter("pipelineId")["maximum"]
MAX_LENGTH = spec_parameter("md5")["maxLength"]


def test_the_contract_bounds_are_the_same_for_every_parameter() -> None:
    assert {spec_parameter(SPEC_NAMES[name])["maximum"] for name in INT_PARAMETERS} == {MAX_ID}
    assert {spec_parameter(SPEC_NAMES[name])["minimum"] for name in INT_PARAMETERS} == {1}
    lengths = {spec_parameter(SPEC_NAMES[name])["maxLength"] for name in STRING_PARAMETERS}
    assert lengths == {MAX_LENGTH}
    assert MAX_ID == 2**53 - 1


# value, the fragment of the rule the message must state
BAD_INTS = {
    "bool": (True, "int"),
    "str": ("1111", "int"),
    "float": (1111.0, "int"),
    "None": (None, "int"),
    "zero": (0, f"1..{MAX_ID}"),
    "negative": (-1, f"1..{MAX_ID}"),
    "above the maximum": (MAX_ID + 1, f"1..{MAX_ID}"),
}
BAD_STRINGS = {
    "bytes": (b"Psaxsa", "str"),
    "int": (1111, "str"),
    "None": (None, "str"),
    "empty": ("", "empty"),
    "dot": (".", "dot"),
    "dot dot": ("..", "dot"),
    "CR": ("a\rb", "control"),
    "LF": ("a\nb", "control"),
    "NUL": ("a\x00b", "control"),
    "DEL": ("a\x7fb", "control"),
    "too long": ("x" * (MAX_LENGTH + 1), str(MAX_LENGTH)),
}
INVALID_CASES = [
    pytest.param(name, value, rule, id=f"{name}-{kind}")
    for names, table in ((INT_PARAMETERS, BAD_INTS), (STRING_PARAMETERS, BAD_STRINGS))
    for name in names
    for kind, (value, rule) in table.items()
]


@pytest.mark.parametrize(("parameter", "value", "rule"), INVALID_CASES)
def test_invalid_argument_is_rejected_before_any_request(
    make: Any, api: Any, parameter: str, value: object, rule: str
) -> None:
    route = api.route().mock(return_value=ok())
    with pytest.raises(InvalidArgumentError) as caught:
        make().call(**{parameter: value})
    assert isinstance(caught.value, ValueError)
    assert caught.value.parameter == parameter
    assert str(caught.value).startswith(f"{parameter}: ")
    assert rule in str(caught.value)
    assert route.call_count == 0
    assert not api.calls


def test_dot_segment_md5_is_rejected_before_any_request(make: Any, api: Any) -> None:
    route = api.route().mock(return_value=ok())
    with pytest.raises(InvalidArgumentError, match="md5"):
        make().call(md5="..")
    assert route.call_count == 0


@pytest.mark.parametrize("parameter", INT_PARAMETERS)
@pytest.mark.parametrize("value", [1, MAX_ID], ids=["one", "maximum"])
def test_ids_at_the_bounds_are_sent(make: Any, api: Any, parameter: str, value: int) -> None:
    route = api.route().mock(return_value=ok())
    make().call(**{parameter: value})
    assert str(value).encode() in route.calls.last.request.url.raw_path


@pytest.mark.parametrize("parameter", STRING_PARAMETERS)
def test_string_of_the_maximum_length_is_sent(make: Any, api: Any, parameter: str) -> None:
    route = api.route().mock(return_value=ok())
    make().call(**{parameter: "x" * MAX_LENGTH})
    assert route.call_count == 1


# --- constructor arguments -----------------------------------------------------------------

GOOD_ENDPOINTS = {
    "devops.cn-hangzhou.aliyuncs.com": "https://devops.cn-hangzhou.aliyuncs.com",
    "https://devops.cn-hangzhou.aliyuncs.com/": "https://devops.cn-hangzhou.aliyuncs.com",
    "http://127.0.0.1:8080": "http://127.0.0.1:8080",
    "http://localhost": "http://localhost",
    "http://[::1]:8080": "http://[::1]:8080",
}


@pytest.mark.parametrize(("endpoint", "base_url"), GOOD_ENDPOINTS.items())
def test_endpoint_gives_the_base_url_of_the_calls(
    make: Any, api: Any, endpoint: str, base_url: str
) -> None:
    route = api.route().mock(return_value=ok())
    make(endpoint=endpoint).call()
    assert str(route.calls.last.request.url).startswith(f"{base_url}{API_PATH}?")


def test_without_endpoint_the_signed_api_is_called_on_its_default_host(make: Any, api: Any) -> None:
    route = api.route().mock(return_value=ok())
    make(endpoint=None).call()
    assert str(route.calls.last.request.url).startswith(f"{BASE_URL}/organization/")


def test_host_name_endpoint_is_called_over_https(make: Any, api: Any) -> None:
    route = api.route().mock(return_value=ok())
    make(endpoint="devops.example-region.aliyuncs.com").call()
    assert str(route.calls.last.request.url).startswith(
        "https://devops.example-region.aliyuncs.com/organization/"
    )


def test_loopback_endpoint_is_called_over_plain_http(make: Any, api: Any) -> None:
    route = api.route().mock(return_value=ok())
    make(endpoint="http://127.0.0.1:8080").call()
    assert str(route.calls.last.request.url).startswith("http://127.0.0.1:8080/organization/")


@pytest.mark.parametrize(
    "endpoint",
    [
        "http://example.com",
        "http://devops.cn-hangzhou.aliyuncs.com",
        "http://localhost.example.com",
        "http://127.0.0.1.example.com",
        "ftp://devops.cn-hangzhou.aliyuncs.com",
        "file:///etc/passwd",
        "",
        "https://devops.cn-hangzhou.aliyuncs.com/?x=1",
    ],
)
def test_endpoint_is_refused(client_class: Any, endpoint: str) -> None:
    with pytest.raises(InvalidArgumentError) as caught:
        client_class(credentials=CREDENTIALS, endpoint=endpoint)
    assert caught.value.parameter == "endpoint"
    assert "endpoint" in str(caught.value)


@pytest.mark.parametrize("retries", [-1, True, False, 1.5, "2"])
def test_retries_is_refused(client_class: Any, retries: object) -> None:
    with pytest.raises(InvalidArgumentError) as caught:
        client_class(credentials=CREDENTIALS, retries=retries)
    assert caught.value.parameter == "retries"


@pytest.mark.parametrize(
    "credentials",
    [object(), "LTAI5t:secret", ("LTAI5t", "secret"), {"get_credentials": None}],
    ids=["object", "str", "tuple", "dict"],
)
def test_credentials_without_get_credentials_are_refused(
    client_class: Any, credentials: object
) -> None:
    with pytest.raises(InvalidArgumentError) as caught:
        client_class(credentials=credentials)
    assert caught.value.parameter == "credentials"


def test_http_client_of_the_wrong_kind_is_refused() -> None:
    with pytest.raises(InvalidArgumentError) as caught:
        AsyncClient(credentials=CREDENTIALS, http_client=httpx.Client())  # type: ignore[arg-type]
    assert caught.value.parameter == "http_client"
    with pytest.raises(InvalidArgumentError) as caught:
        Client(credentials=CREDENTIALS, http_client=httpx.AsyncClient())  # type: ignore[arg-type]
    assert caught.value.parameter == "http_client"


@pytest.mark.parametrize("http_client", ["https://example.com", object()], ids=["str", "object"])
def test_http_client_that_is_not_an_httpx_client_is_refused(
    client_class: Any, http_client: object
) -> None:
    with pytest.raises(InvalidArgumentError) as caught:
        client_class(credentials=CREDENTIALS, http_client=http_client)
    assert caught.value.parameter == "http_client"


@pytest.mark.parametrize(
    "option",
    [{"verify": False}, {"verify": "/etc/ssl/ca.pem"}, {"proxy": "http://127.0.0.1:3128"}],
    ids=["verify False", "verify path", "proxy"],
)
def test_verify_or_proxy_with_http_client_is_refused(
    client_class: Any, option: dict[str, Any]
) -> None:
    # Never used for I/O, so nothing needs closing.
    user = httpx.Client() if client_class is Client else httpx.AsyncClient()
    with pytest.raises(InvalidArgumentError) as caught:
        client_class(credentials=CREDENTIALS, http_client=user, **option)
    assert caught.value.parameter == "http_client"


@pytest.mark.parametrize("verify", [1, None, b"/etc/ssl/ca.pem"], ids=["int", "None", "bytes"])
def test_verify_of_the_wrong_type_is_refused(client_class: Any, verify: object) -> None:
    with pytest.raises(InvalidArgumentError) as caught:
        client_class(credentials=CREDENTIALS, verify=verify)
    assert caught.value.parameter == "verify"


# --- http_client injection -----------------------------------------------------------------


def test_user_http_client_receives_the_signed_request() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return ok()

    with httpx.Client(transport=httpx.MockTransport(handler)) as user:
        with Client(credentials=CREDENTIALS, http_client=user) as client:
            result = client.get_pipeline_emas_artifact_url(**IDS)
        assert not user.is_closed
    assert result.file_url == FILE_URL
    assert len(seen) == 1
    assert seen[0].url.raw_path.startswith(API_PATH.encode())
    assert_signed(seen[0])


async def test_user_async_http_client_receives_the_signed_request() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return ok()

    async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as user:
        async with AsyncClient(credentials=CREDENTIALS, http_client=user) as client:
            result = await client.get_pipeline_emas_artifact_url(**IDS)
        assert not user.is_closed
    assert result.file_url == FILE_URL
    assert len(seen) == 1
    assert_signed(seen[0])


def test_user_http_client_is_not_closed_by_close() -> None:
    with httpx.Client(transport=httpx.MockTransport(lambda request: ok())) as user:
        client = Client(credentials=CREDENTIALS, http_client=user)
        client.close()
        assert not user.is_closed
        assert user.post("https://example.com/").status_code == 200


async def test_user_async_http_client_is_not_closed_by_aclose() -> None:
    async with httpx.AsyncClient(transport=httpx.MockTransport(lambda request: ok())) as user:
        client = AsyncClient(credentials=CREDENTIALS, http_client=user)
        await client.aclose()
        assert not user.is_closed
        assert (await user.post("https://example.com/")).status_code == 200


# --- user agent ----------------------------------------------------------------------------


def test_user_agent_names_the_package_httpx_and_python(make: Any, api: Any) -> None:
    route = api.route().mock(return_value=ok())
    make().call()
    agent = route.calls.last.request.headers["user-agent"]
    assert agent.startswith(f"yunxiao-emas/{__version__} ")
    assert f"httpx/{httpx.__version__}" in agent.split()
    assert f"Python/{platform.python_version()}" in agent.split()


def test_user_agent_suffix_is_appended(make: Any, api: Any) -> None:
    route = api.route().mock(return_value=ok())
    make(user_agent="my-ci/1.0").call()
    agent = route.calls.last.request.headers["user-agent"]
    assert agent.startswith(f"yunxiao-emas/{__version__} ")
    assert agent.endswith(" my-ci/1.0")


# --- when the credentials are asked for ----------------------------------------------------


class CountingProvider:
    """A provider that counts how often it is asked."""

    def __init__(self) -> None:
        self.calls = 0

    def get_credentials(self) -> AccessKeyCredentials:
        self.calls += 1
        return CREDENTIALS


def test_the_provider_is_not_asked_when_the_client_is_made(client_class: Any) -> None:
    provider = CountingProvider()
    client = client_class(credentials=provider)
    assert provider.calls == 0
    if isinstance(client, Client):
        client.close()
    else:
        asyncio.run(client.aclose())


def test_the_provider_is_first_asked_at_the_first_call(make: Any, api: Any) -> None:
    api.route().mock(return_value=ok())
    provider = CountingProvider()
    driver = make(credentials=provider)
    driver.call()
    assert provider.calls >= 1


def test_the_provider_is_asked_again_at_every_call(make: Any, api: Any) -> None:
    api.route().mock(return_value=ok())
    provider = CountingProvider()
    driver = make(credentials=provider)
    driver.call()
    after_one = provider.calls
    driver.call()
    assert provider.calls > after_one


def test_an_invalid_argument_is_refused_before_the_provider_is_asked(make: Any, api: Any) -> None:
    provider = CountingProvider()
    with pytest.raises(InvalidArgumentError):
        make(credentials=provider).call(md5="..")
    assert provider.calls == 0
    assert not api.calls


# --- concurrency ---------------------------------------------------------------------------


async def test_two_hundred_concurrent_calls_on_one_async_client_all_succeed(api: Any) -> None:
    nonces: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        nonces.append(request.headers["x-acs-signature-nonce"])
        assert_signed(request)
        return ok(requestId=f"R-{len(nonces)}")

    api.route().mock(side_effect=answer)
    async with AsyncClient(credentials=CREDENTIALS, transport="httpx") as client:
        results = await asyncio.gather(
            *(client.get_pipeline_emas_artifact_url(**IDS) for _ in range(200))
        )
    assert all(isinstance(result, ArtifactUrl) for result in results)
    assert len({result.request_id for result in results}) == 200
    assert len(nonces) == 200
    assert len(set(nonces)) == 200


# --- secrets -------------------------------------------------------------------------------


def test_secret_is_not_in_the_client_repr_before_or_after_a_call(make: Any, api: Any) -> None:
    api.route().mock(return_value=ok())
    driver = make()
    before = repr(driver.client), str(driver.client)
    driver.call()
    after = repr(driver.client), str(driver.client)
    for text in (*before, *after):
        assert SECRET not in text
        assert KEY_ID not in text


def test_secret_is_not_in_an_api_error_nor_in_debug_logs(
    make: Any, api: Any, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    api.route().mock(
        side_effect=[gateway(503, "ServiceUnavailable")] * 2
        + [gateway(400, "SignatureDoesNotMatch")]
    )
    with pytest.raises(ApiError) as caught:
        make().call()
    assert caught.value.code == "SignatureDoesNotMatch"
    assert caplog.records, "the failing call logged nothing at DEBUG"
    for text in (str(caught.value), repr(caught.value), repr(caught.value.body), caplog.text):
        assert SECRET not in text


def test_secret_is_not_in_a_transport_error_nor_in_debug_logs(
    make: Any, api: Any, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    api.route().mock(side_effect=httpx.ConnectError("connection refused"))
    with pytest.raises(TransportError) as caught:
        make().call()
    for text in (str(caught.value), repr(caught.value), caplog.text):
        assert SECRET not in text


def test_security_token_is_not_in_debug_logs(
    make: Any, api: Any, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    token = "CAIS-sts-token-NEVER-SHOWN"
    credentials = AccessKeyCredentials(KEY_ID, SECRET, security_token=token)
    route = api.route().mock(return_value=gateway(403, "InvalidSecurityToken.Expired"))
    with pytest.raises(ApiError) as caught:
        make(credentials=credentials, retries=0).call()
    assert route.calls.last.request.headers["x-acs-security-token"] == token
    for text in (str(caught.value), repr(caught.value), caplog.text):
        assert token not in text
        assert SECRET not in text
