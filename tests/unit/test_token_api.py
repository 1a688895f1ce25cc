"""The token API through Client and AsyncClient: a PersonalAccessToken selects
GetEmasArtifactDownloadUrl (``GET .../getEmasArtifactDownloadUrl`` with ``x-yunxiao-token``).

The request it sends, where it goes, its retries, the token's secrecy, a provider that changes
kind, and a download with a token. Its answers are ``test_token_answer.py``'s subject.
"""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx
from _ids import CONNECTION, IDS, JOB, ORG, PIPELINE, RUN
from conftest_client import (
    API_PATH,
    BASE_URL,
    CREDENTIALS,
    FILE_URL,
    FLAVOURS,
    TOKEN,
    TOKEN_BASE_URL,
    TOKEN_CREDENTIALS,
    TOKEN_HOST,
    TOKEN_PATH,
    TOKEN_QUERY,
    drivers,
    fast,
    ok,
    token_error,
    token_ok,
)
from yunxiao_emas import (
    DEFAULT_ENDPOINT,
    DEFAULT_TOKEN_ENDPOINT,
    AccessKeyCredentials,
    ApiError,
    AuthenticationError,
    CredentialsError,
    ForbiddenError,
    InvalidArgumentError,
    NotFoundError,
    PersonalAccessToken,
    ServerError,
    ThrottledError,
    TransportError,
    __version__,
)
from yunxiao_emas.auth.token import TokenAuth
from yunxiao_emas.client import Client


@pytest.fixture(params=FLAVOURS)
def make(request: pytest.FixtureRequest) -> Any:
    def make_token_driver(**options: Any) -> Any:
        options.setdefault("credentials", TOKEN_CREDENTIALS)
        return factory(**options)

    factories = drivers(request.param)
    factory = next(factories)
    yield make_token_driver
    next(factories, None)


@pytest.fixture
def api() -> Any:
    with respx.mock(assert_all_called=False) as mock:
        yield mock


def the_request(route: respx.Route) -> httpx.Request:
    request: httpx.Request = route.calls.last.request
    return request


# --- the request ----------------------------------------------------------------------------


def test_a_token_selects_a_get_of_the_documented_path(make: Any, api: Any) -> None:
    route = api.route().mock(return_value=token_ok())
    make().call()
    request = the_request(route)
    assert request.method == "GET"
    assert request.url.path == TOKEN_PATH
    assert request.content == b""


def test_the_ids_go_in_the_five_query_parameters(make: Any, api: Any) -> None:
    route = api.route().mock(return_value=token_ok())
    make().call()
    params = the_request(route).url.params
    assert sorted(params.multi_items()) == sorted(TOKEN_QUERY.items())


def test_the_organization_goes_in_the_path(make: Any, api: Any) -> None:
    route = api.route().mock(return_value=token_ok())
    make().call(organization_id="org/with slash")
    raw_path = the_request(route).url.raw_path.partition(b"?")[0]
    assert (
        raw_path
        == b"/oapi/v1/flow/organizations/org%2Fwith%20slash/pipelines/getEmasArtifactDownloadUrl"
    )


def test_a_query_value_cannot_add_a_parameter(make: Any, api: Any) -> None:
    route = api.route().mock(return_value=token_ok())
    make().call(md5="a&serviceConnectionId=2#x", emas_job_instance_id="j=1 2")
    params = the_request(route).url.params
    assert params["md5"] == "a&serviceConnectionId=2#x"
    assert params["emasJobInstanceId"] == "j=1 2"
    assert params.get_list("serviceConnectionId") == [str(CONNECTION)]
    assert len(params.multi_items()) == 5


def test_the_token_goes_in_x_yunxiao_token_as_it_is(make: Any, api: Any) -> None:
    route = api.route().mock(return_value=token_ok())
    make().call()
    assert the_request(route).headers["x-yunxiao-token"] == TOKEN


def test_no_signature_header_is_sent_with_a_token(make: Any, api: Any) -> None:
    route = api.route().mock(return_value=token_ok())
    make().call()
    names = {name.lower() for name in the_request(route).headers}
    assert "authorization" not in names
    assert [name for name in names if name.startswith("x-acs-")] == []


def test_the_user_agent_is_sent_to_the_token_api_too(make: Any, api: Any) -> None:
    route = api.route().mock(return_value=token_ok())
    make(user_agent="my-ci/2.0").call()
    agent = the_request(route).headers["user-agent"]
    assert agent.startswith(f"yunxiao-emas/{__version__} ")
    assert agent.endswith(" my-ci/2.0")


def test_the_result_is_the_url_of_the_answer(make: Any, api: Any) -> None:
    api.route().mock(return_value=token_ok(**{"x-acs-request-id": "HDR-1"}))
    result = make().call()
    assert (result.file_url, result.request_id) == (FILE_URL, "HDR-1")


# --- where it goes --------------------------------------------------------------------------


def test_the_default_hosts_are_the_documented_ones() -> None:
    assert DEFAULT_TOKEN_ENDPOINT == TOKEN_HOST == "openapi-rdc.aliyuncs.com"
    assert DEFAULT_ENDPOINT == "devops.cn-hangzhou.aliyuncs.com"


def test_without_endpoint_a_token_call_goes_to_the_token_apis_host(make: Any, api: Any) -> None:
    route = api.route().mock(return_value=token_ok())
    make(endpoint=None).call()
    url = the_request(route).url
    assert (url.scheme, url.host, url.port) == ("https", TOKEN_HOST, None)


REGION_PATH = "/oapi/v1/flow/pipelines/getEmasArtifactDownloadUrl"


@pytest.mark.parametrize(
    ("endpoint", "base_url", "path"),
    [
        # An instance's own domain: the region edition, without /organizations/{id}.
        ("devops-instance.example.com", "https://devops-instance.example.com", REGION_PATH),
        (
            "https://devops-instance.example.com/",
            "https://devops-instance.example.com",
            REGION_PATH,
        ),
        ("http://127.0.0.1:8080", "http://127.0.0.1:8080", TOKEN_PATH),
    ],
)
def test_an_explicit_endpoint_serves_the_token_api(
    make: Any, api: Any, endpoint: str, base_url: str, path: str
) -> None:
    route = api.route().mock(return_value=token_ok())
    make(endpoint=endpoint).call()
    assert str(the_request(route).url).startswith(f"{base_url}{path}?")


@pytest.mark.parametrize(
    ("endpoint", "edition", "path"),
    [
        ("devops-instance.example.com", "central", TOKEN_PATH),
        ("http://127.0.0.1:8080", "region", REGION_PATH),
    ],
)
def test_an_explicit_edition_wins_over_the_host(
    make: Any, api: Any, endpoint: str, edition: str, path: str
) -> None:
    route = api.route().mock(return_value=token_ok())
    make(endpoint=endpoint, edition=edition).call()
    assert the_request(route).url.path == path


def test_the_edition_does_not_change_the_signed_api(make: Any, api: Any) -> None:
    route = api.route().mock(return_value=ok())
    make(credentials=CREDENTIALS, endpoint="devops-instance.example.com", edition="region").call()
    assert the_request(route).url.path.startswith("/organization/")


def test_an_unknown_edition_is_refused_before_any_request(make: Any, api: Any) -> None:
    with pytest.raises(InvalidArgumentError, match=r"^edition: "):
        make(edition="regional")


def test_an_access_key_on_the_same_options_calls_the_signed_api(make: Any, api: Any) -> None:
    route = api.route().mock(return_value=ok())
    make(credentials=CREDENTIALS).call()
    request = the_request(route)
    assert (request.method, request.url.host, request.url.path) == ("POST", BASE_URL[8:], API_PATH)
    assert "x-yunxiao-token" not in request.headers


def test_the_repr_names_the_chosen_host_once_known(api: Any) -> None:
    api.route().mock(return_value=token_ok())
    with Client(credentials=TOKEN_CREDENTIALS) as client:
        before = repr(client)
        client.get_pipeline_emas_artifact_url(**IDS)
        after = repr(client)
    assert before == "Client(endpoint=None)"
    assert after == f"Client(endpoint='{TOKEN_BASE_URL}')"


# --- arguments refused before any I/O --------------------------------------------------------


@pytest.mark.parametrize(
    ("parameter", "value"),
    [
        ("organization_id", ".."),
        ("organization_id", ""),
        ("md5", "a\r\nx-injected: 1"),
        ("emas_job_instance_id", None),
        ("pipeline_id", 0),
        ("pipeline_run_id", 2**53),
        ("service_connection_id", "122"),
    ],
)
def test_an_invalid_id_is_refused_before_any_request(
    make: Any, api: Any, parameter: str, value: object
) -> None:
    with pytest.raises(InvalidArgumentError) as caught:
        make().call(**{parameter: value})
    assert caught.value.parameter == parameter
    assert not api.calls


# --- retries --------------------------------------------------------------------------------


@pytest.mark.parametrize("status", [429, 500, 502, 503, 504])
def test_throttling_and_server_errors_are_retried(make: Any, api: Any, status: int) -> None:
    route = api.route().mock(side_effect=[token_error(status), token_ok()])
    assert make().call().file_url == FILE_URL
    assert route.call_count == 2


def test_a_transport_failure_is_retried(make: Any, api: Any) -> None:
    route = api.route().mock(side_effect=[httpx.ConnectError("refused"), token_ok()])
    assert make().call().file_url == FILE_URL
    assert route.call_count == 2


@pytest.mark.parametrize(
    ("status", "cls"),
    [(401, AuthenticationError), (403, ForbiddenError), (404, NotFoundError), (409, ApiError)],
)
def test_a_client_error_is_not_retried(
    make: Any, api: Any, status: int, cls: type[ApiError]
) -> None:
    route = api.route().mock(return_value=token_error(status))
    with pytest.raises(ApiError) as caught:
        make().call()
    assert type(caught.value) is cls
    assert route.call_count == 1


def test_persistent_server_error_is_raised_after_the_attempts(make: Any, api: Any) -> None:
    route = api.route().mock(return_value=token_error(503, request_id="TK-LAST"))
    with pytest.raises(ServerError) as caught:
        make(retries=fast(max_attempts=3)).call()
    assert route.call_count == 3
    assert caught.value.request_id == "TK-LAST"
    assert caught.value.trace_id == "TRACE-0bc3b4a2"


def test_persistent_throttling_is_a_throttled_error_with_its_hint(make: Any, api: Any) -> None:
    api.route().mock(return_value=token_error(429, **{"retry-after": "9"}))
    with pytest.raises(ThrottledError) as caught:
        make().call()
    assert caught.value.retry_after == 9.0


class RotatingTokens:
    """A provider that hands out a new token at every request."""

    def __init__(self) -> None:
        self.calls = 0

    def get_credentials(self) -> PersonalAccessToken:
        self.calls += 1
        return PersonalAccessToken(f"pt-rotated-{self.calls}")


def test_every_attempt_asks_the_provider_for_the_token(make: Any, api: Any) -> None:
    route = api.route().mock(side_effect=[token_error(503), token_ok()])
    make(credentials=RotatingTokens()).call()
    sent = [call.request.headers["x-yunxiao-token"] for call in route.calls]
    assert len(sent) == 2
    assert sent[0] != sent[1]
    assert all(token.startswith("pt-rotated-") for token in sent)


# --- the token stays secret -----------------------------------------------------------------


def test_the_token_is_not_in_the_repr_or_str_of_its_holders(make: Any, api: Any) -> None:
    api.route().mock(return_value=token_ok())
    driver = make()
    driver.call()
    texts = [
        repr(TOKEN_CREDENTIALS),
        str(TOKEN_CREDENTIALS),
        repr(TokenAuth(TOKEN_CREDENTIALS)),
        repr(driver.client),
        str(driver.client),
    ]
    for text in texts:
        assert TOKEN not in text
        assert "pt-" not in text


def test_the_token_is_not_in_an_api_error_nor_in_debug_logs(
    make: Any, api: Any, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    api.route().mock(side_effect=[token_error(503), token_error(401, "Unauthorized")])
    with pytest.raises(AuthenticationError) as caught:
        make().call()
    assert caplog.records, "the failing call logged nothing at DEBUG"
    for text in (str(caught.value), repr(caught.value), repr(caught.value.body), caplog.text):
        assert TOKEN not in text


def test_the_token_is_not_in_a_transport_error_nor_in_debug_logs(
    make: Any, api: Any, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    api.route().mock(side_effect=httpx.ConnectError("connection refused"))
    with pytest.raises(TransportError) as caught:
        make().call()
    for text in (str(caught.value), repr(caught.value), caplog.text):
        assert TOKEN not in text


def test_a_request_httpx_refuses_does_not_quote_the_token() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.LocalProtocolError(
            f"Illegal header value {request.headers['x-yunxiao-token']!r}"
        )

    with (
        httpx.Client(transport=httpx.MockTransport(handler)) as http,
        Client(credentials=TOKEN_CREDENTIALS, http_client=http) as client,
        pytest.raises(TransportError) as caught,
    ):
        client.get_pipeline_emas_artifact_url(**IDS)
    assert TOKEN not in str(caught.value)
    assert isinstance(caught.value.__cause__, httpx.LocalProtocolError)


# --- a provider that changes kind ------------------------------------------------------------


class Switching:
    """A provider whose kind of credentials the test changes."""

    def __init__(self, first: Any) -> None:
        self.credentials = first

    def get_credentials(self) -> Any:
        return self.credentials


def test_a_provider_switching_from_a_token_to_an_access_key_is_refused(make: Any, api: Any) -> None:
    route = api.route().mock(return_value=token_ok())
    provider = Switching(TOKEN_CREDENTIALS)
    driver = make(credentials=provider)
    driver.call()
    provider.credentials = CREDENTIALS

    with pytest.raises(CredentialsError) as caught:
        driver.call()

    assert "AccessKeyCredentials" in str(caught.value)
    assert route.call_count == 1


def test_a_provider_switching_from_an_access_key_to_a_token_is_refused(make: Any, api: Any) -> None:
    route = api.route().mock(return_value=ok())
    provider = Switching(CREDENTIALS)
    driver = make(credentials=provider)
    driver.call()
    provider.credentials = TOKEN_CREDENTIALS

    with pytest.raises(CredentialsError) as caught:
        driver.call()

    assert "PersonalAccessToken" in str(caught.value)
    assert TOKEN not in str(caught.value)
    assert route.call_count == 1


def test_a_provider_handing_out_neither_kind_is_refused_before_any_request(
    make: Any, api: Any
) -> None:
    with pytest.raises(CredentialsError) as caught:
        make(credentials=Switching(("LTAI5t", "secret"))).call()
    assert "tuple" in str(caught.value)
    assert not api.calls


def test_token_auth_refuses_a_provider_handing_out_an_access_key() -> None:
    auth = TokenAuth(AccessKeyCredentials("LTAI5tKey", "the-secret"))
    request = httpx.Request("GET", f"{TOKEN_BASE_URL}{TOKEN_PATH}")
    with pytest.raises(CredentialsError) as caught:
        next(auth.auth_flow(request))
    assert "the-secret" not in str(caught.value)


# --- a download with a token -----------------------------------------------------------------

CONTENT = b"EMAS artifact fetched with a token " * 300
CONTENT_MD5 = hashlib.md5(CONTENT, usedforsecurity=False).hexdigest()
DOWNLOAD_URL = "https://files.example/app.apk?Expires=4102444800&Signature=s"


def test_a_download_with_a_token_never_sends_the_token_to_the_file_host(
    make: Any, api: Any, tmp_path: Path
) -> None:
    api_route = api.get(f"{TOKEN_BASE_URL}{TOKEN_PATH}").mock(return_value=token_ok(DOWNLOAD_URL))
    file_route = api.get(host="files.example").mock(
        return_value=httpx.Response(200, content=CONTENT)
    )

    result = make().download(tmp_path / "app.apk", md5=CONTENT_MD5)

    assert result.verified is True
    assert (tmp_path / "app.apk").read_bytes() == CONTENT
    assert api_route.calls.last.request.headers["x-yunxiao-token"] == TOKEN
    file_request = file_route.calls.last.request
    assert "x-yunxiao-token" not in file_request.headers
    assert "authorization" not in file_request.headers
    assert TOKEN not in str(file_request.headers)


def test_a_download_with_a_token_refreshes_an_expired_url_with_the_token(
    make: Any, api: Any, tmp_path: Path
) -> None:
    api_route = api.get(f"{TOKEN_BASE_URL}{TOKEN_PATH}").mock(
        side_effect=[token_ok(DOWNLOAD_URL), token_ok(DOWNLOAD_URL + "&fresh=1")]
    )
    file_route = api.get(host="files.example").mock(
        side_effect=[httpx.Response(403), httpx.Response(200, content=CONTENT)]
    )

    make().download(tmp_path / "app.apk", md5=CONTENT_MD5)

    assert api_route.call_count == 2
    assert all(call.request.headers["x-yunxiao-token"] == TOKEN for call in api_route.calls)
    assert file_route.calls.last.request.url.params["fresh"] == "1"
    assert all("x-yunxiao-token" not in call.request.headers for call in file_route.calls)


def test_a_download_with_a_token_calls_the_token_api_with_the_ids(
    make: Any, api: Any, tmp_path: Path
) -> None:
    api_route = api.get(f"{TOKEN_BASE_URL}{TOKEN_PATH}").mock(return_value=token_ok(DOWNLOAD_URL))
    api.get(host="files.example").mock(return_value=httpx.Response(200, content=CONTENT))

    make().download(tmp_path / "app.apk", md5=CONTENT_MD5)

    params = api_route.calls.last.request.url.params
    assert (params["pipelineId"], params["pipelineRunId"], params["emasJobInstanceId"]) == (
        str(PIPELINE),
        str(RUN),
        JOB,
    )
    assert params["md5"] == CONTENT_MD5
    assert api_route.calls.last.request.url.path.endswith(
        f"/organizations/{ORG}/pipelines/getEmasArtifactDownloadUrl"
    )
