"""Client and AsyncClient: the request they send, the arguments they refuse before any I/O,
their options (endpoint, http_client, proxy, CA bundle, user agent), concurrency and secrecy."""

from __future__ import annotations

import asyncio
import logging
import platform
import ssl
import warnings
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx
import trustme
from conftest_client import (
    API_PATH,
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
    InvalidArgumentError,
    TransportError,
    __version__,
)
from yunxiao_emas.client import ArtifactUrl, AsyncClient, Client


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


def close(client: Client | AsyncClient) -> None:
    if isinstance(client, Client):
        client.close()
    else:
        asyncio.run(client.aclose())


# --- the request ----------------------------------------------------------------------------


def test_call_posts_the_documented_path_and_query(make: Any, api: Any) -> None:
    route = api.route().mock(return_value=ok())
    make().call()
    request = route.calls.last.request
    assert request.method == "POST"
    assert request.url.scheme == "https"
    assert request.url.host == HOST
    assert request.url.raw_path == f"{API_PATH}?serviceConnectionId=122".encode()


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
    assert route.calls.last.request.url.raw_path.split(b"?")[0].endswith(b"/Psaxsa/...")


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
def test_endpoint_gives_the_base_url(client_class: Any, endpoint: str, base_url: str) -> None:
    client = client_class(credentials=CREDENTIALS, endpoint=endpoint)
    try:
        assert client._core.base_url == base_url
    finally:
        close(client)


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


def test_own_http_client_is_closed_by_the_context_manager() -> None:
    with Client(credentials=CREDENTIALS) as client:
        assert not client._http.is_closed
    assert client._http.is_closed


async def test_own_async_http_client_is_closed_by_the_context_manager() -> None:
    async with AsyncClient(credentials=CREDENTIALS) as client:
        assert not client._http.is_closed
    assert client._http.is_closed


# --- proxy and CA bundle reach httpx --------------------------------------------------------


@pytest.fixture(scope="module")
def ca_file(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, bytes]:
    """A CA certificate file made by trustme, and the certificate in DER form."""
    ca = trustme.CA()
    path = tmp_path_factory.mktemp("ca") / "ca.pem"
    ca.cert_pem.write_to_path(str(path))
    return path, ssl.PEM_cert_to_DER_cert(ca.cert_pem.bytes().decode())


def _pool_of_only_mount(client: Client | AsyncClient) -> Any:
    mounts = client._http._mounts
    assert len(mounts) == 1
    [transport] = mounts.values()
    return transport._pool  # type: ignore[union-attr]


def test_proxy_reaches_the_httpx_client(client_class: Any) -> None:
    client = client_class(credentials=CREDENTIALS, proxy="http://127.0.0.1:3128")
    try:
        proxy_url = _pool_of_only_mount(client)._proxy_url
        assert (proxy_url.scheme, proxy_url.host, proxy_url.port) == (b"http", b"127.0.0.1", 3128)
    finally:
        close(client)


def test_no_proxy_by_default(client_class: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy"):
        monkeypatch.delenv(name, raising=False)
    client = client_class(credentials=CREDENTIALS)
    try:
        assert not client._http._mounts
    finally:
        close(client)


def test_ca_bundle_path_reaches_the_httpx_client(
    client_class: Any, ca_file: tuple[Path, bytes]
) -> None:
    path, der = ca_file
    client = client_class(credentials=CREDENTIALS, verify=str(path))
    try:
        context = client._http._transport._pool._ssl_context
        assert der in context.get_ca_certs(binary_form=True)
        assert context.verify_mode == ssl.CERT_REQUIRED
    finally:
        close(client)


def test_ca_bundle_path_also_reaches_the_proxy_transport(
    client_class: Any, ca_file: tuple[Path, bytes]
) -> None:
    path, der = ca_file
    client = client_class(credentials=CREDENTIALS, verify=str(path), proxy="http://127.0.0.1:3128")
    try:
        context = _pool_of_only_mount(client)._ssl_context
        assert der in context.get_ca_certs(binary_form=True)
    finally:
        close(client)


def test_ca_bundle_path_does_not_trigger_an_httpx_deprecation_warning(
    client_class: Any, ca_file: tuple[Path, bytes]
) -> None:
    path, _ = ca_file
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        client = client_class(credentials=CREDENTIALS, verify=str(path))
    close(client)
    assert [str(w.message) for w in caught if issubclass(w.category, DeprecationWarning)] == []


def test_ssl_context_reaches_the_httpx_client_as_is(client_class: Any) -> None:
    context = ssl.create_default_context()
    client = client_class(credentials=CREDENTIALS, verify=context)
    try:
        assert client._http._transport._pool._ssl_context is context
    finally:
        close(client)


def test_verify_false_disables_certificate_checks(client_class: Any) -> None:
    client = client_class(credentials=CREDENTIALS, verify=False)
    try:
        assert client._http._transport._pool._ssl_context.verify_mode == ssl.CERT_NONE
    finally:
        close(client)


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


# --- concurrency ---------------------------------------------------------------------------


async def test_two_hundred_concurrent_calls_on_one_async_client_all_succeed(api: Any) -> None:
    nonces: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        nonces.append(request.headers["x-acs-signature-nonce"])
        assert_signed(request)
        return ok(requestId=f"R-{len(nonces)}")

    api.route().mock(side_effect=answer)
    async with AsyncClient(credentials=CREDENTIALS) as client:
        results = await asyncio.gather(
            *(client.get_pipeline_emas_artifact_url(**IDS) for _ in range(200))
        )
    assert all(isinstance(result, ArtifactUrl) for result in results)
    assert len({result.request_id for result in results}) == 200
    assert len(nonces) == 200
    assert len(set(nonces)) == 200


# --- secrets -------------------------------------------------------------------------------


def test_secret_is_not_in_the_client_repr(make: Any) -> None:
    driver = make()
    assert SECRET not in repr(driver.client)
    assert SECRET not in repr(driver.core.auth)


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
