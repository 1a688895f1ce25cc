"""What the answers may do: whatever the server sends, a call ends in an ``ArtifactUrl`` or one
``YunxiaoError``; a download URL that could harm (another scheme, plain http to a stranger,
control characters, terminal escapes) is refused before any download; the error fields are
read the way the contract says, and the contract and the client agree on what an error answer
is.

Answers come through ``httpx.MockTransport`` in a caller's ``http_client`` (no socket needed to
fuzz the parser), and over a loopback socket for the command line tool.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from attack_schemas import documented_bodies, json_values
from attack_support import (
    Answer,
    FakeApi,
    cli_env,
    cli_ids,
    credentials_for,
    ids,
    run_cli,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from yunxiao_emas import (
    ApiError,
    ArtifactUrl,
    AsyncClient,
    Client,
    YunxiaoError,
)
from yunxiao_emas._call.responses import error_fields
from yunxiao_emas.cli.spec import operations, response_problems

fuzzing = settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
ENDPOINT = "http://127.0.0.1:9"  # never reached: the MockTransport answers
OPERATION = {"signed": "GetPipelineEmasArtifactUrl", "token": "GetEmasArtifactDownloadUrl"}


class Exchange:
    """Answers every request with one response, and records the requests."""

    def __init__(self, respond: Callable[[httpx.Request], httpx.Response]) -> None:
        self.respond = respond
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return self.respond(request)


def outcome_of(
    api: str, flavour: str, exchange: Exchange, action: str = "url", dest: Path | None = None
) -> Any:
    """The result, or the exception, of one call (or download) through ``exchange``."""
    transport = httpx.MockTransport(exchange)

    def act(client: Any) -> Any:
        if action == "url":
            return client.get_pipeline_emas_artifact_url(**ids())
        return client.download_pipeline_emas_artifact(**ids(), dest=dest)

    options = {"credentials": credentials_for(api), "endpoint": ENDPOINT, "retries": 0}
    try:
        if flavour == "sync":
            with (
                httpx.Client(transport=transport) as http,
                Client(**options, http_client=http) as c,
            ):
                return act(c)

        async def main() -> Any:
            async with (
                httpx.AsyncClient(transport=transport) as http,
                AsyncClient(**options, http_client=http) as c,
            ):
                return await act(c)

        return asyncio.run(main())
    except YunxiaoError as exc:
        return exc


def answering(status: int, headers: dict[str, bytes], body: bytes) -> Exchange:
    return Exchange(lambda request: httpx.Response(status, headers=headers, content=body))


# --- fuzzing the answers -------------------------------------------------------------------------

statuses = st.one_of(
    st.sampled_from([200, 200, 400, 401, 403, 404, 409, 422, 429, 500, 502, 503, 504]),
    st.integers(min_value=100, max_value=599),
)
content_types = st.sampled_from(
    [
        None,
        "application/json",
        "application/json;charset=utf-8",
        "application/problem+json",
        "text/plain",
        "text/plain; charset=latin-1",
        "text/html",
        "application/xml",
        "application/octet-stream",
        "",
        ";;; /",
        "application/json; charset=utf-16",
    ]
)
header_text = st.text(st.characters(min_codepoint=0x20, max_codepoint=0xFF), max_size=30)
extra_headers = st.fixed_dictionaries(
    {},
    optional={
        "x-acs-request-id": header_text,
        "x-acs-trace-id": header_text,
        "x-acs-retry-after": st.one_of(header_text, st.integers(-(10**30), 10**30).map(str)),
        "retry-after": st.one_of(header_text, st.integers(-(10**30), 10**30).map(str)),
        "content-encoding": st.sampled_from(["gzip", "deflate", "br", "zstd", "identity", "x"]),
        "date": header_text,
    },
)
random_bodies = st.one_of(
    st.binary(max_size=300),
    st.text(max_size=100).map(lambda s: s.encode("utf-8", "surrogatepass")),
    json_values.map(lambda v: json.dumps(v).encode()),
)


def _headers(content_type: str | None, extra: dict[str, str]) -> dict[str, bytes]:
    headers = {name: value.encode("latin-1") for name, value in extra.items()}
    if content_type is not None:
        headers["content-type"] = content_type.encode("latin-1")
    return headers


def _check_outcome(outcome: object, status: int) -> None:
    if isinstance(outcome, ArtifactUrl):
        assert isinstance(outcome.file_url, str)
        assert outcome.file_url
        assert isinstance(outcome.request_id, str)
        return
    assert isinstance(outcome, YunxiaoError), f"{type(outcome).__name__}: {outcome!r}"
    str(outcome), repr(outcome)
    if isinstance(outcome, ApiError):
        assert isinstance(outcome.response, httpx.Response)
        assert outcome.status_code == status == outcome.response.status_code
        assert outcome.request_id is None or isinstance(outcome.request_id, str)
        assert isinstance(outcome.code, str)


@fuzzing
@given(
    status=statuses,
    content_type=content_types,
    extra=extra_headers,
    body=st.data(),
)
def test_any_documented_shaped_answer_is_a_url_or_one_typed_error(
    api: str, flavour: str, status: int, content_type: str | None, extra: dict, body: Any
) -> None:
    content = body.draw(documented_bodies(api))

    outcome = outcome_of(api, flavour, answering(status, _headers(content_type, extra), content))

    _check_outcome(outcome, status)


@fuzzing
@given(status=statuses, content_type=content_types, extra=extra_headers, content=random_bodies)
def test_any_random_answer_is_a_url_or_one_typed_error(
    api: str, flavour: str, status: int, content_type: str | None, extra: dict, content: bytes
) -> None:
    outcome = outcome_of(api, flavour, answering(status, _headers(content_type, extra), content))

    _check_outcome(outcome, status)


# --- a URL that could harm is refused before any download------------------------------------------

HARMFUL_URLS = {
    "file-scheme": "file:///etc/passwd",
    "javascript-scheme": "javascript:alert(1)",
    "data-scheme": "data:text/plain,hello",
    "ftp-scheme": "ftp://files.example/app.apk",
    "plain-http-remote": "http://files.example/app.apk?Expires=1700003600&Signature=c2ln",
    "plain-http-loopback-lookalike": "http://127.0.0.1.files.example/app.apk",
    "plain-http-userinfo-localhost": "http://localhost@files.example/app.apk",
    "scheme-relative": "//files.example/app.apk",
    "no-host": "https:///app.apk",
    "crlf": "https://files.example/app.apk\r\nX-Injected: 1",
    "lf": "https://files.example/app\n.apk",
    "nul": "https://files.example/app\x00.apk",
    "del": "https://files.example/app\x7f.apk",
    "ansi-colour": "https://files.example/\x1b[2J\x1b[31mapp.apk",
    "osc-title": "https://files.example/\x1b]0;pwned\x07app.apk",
    "c1-csi": "https://files.example/\x9b31mapp.apk",
    "tab": "https://files.example/app\t.apk",
}


def url_answer(api: str, file_url: str, **fields: Any) -> Exchange:
    if api == "signed":
        body = {"requestId": "REQ-1", "success": True, "errorCode": "", "fileUrl": file_url}
        body.update(fields)
        content = json.dumps(body).encode()
    else:
        content = json.dumps(file_url).encode()
    headers = {"content-type": b"application/json", "x-acs-request-id": b"HDR-REQUEST-ID"}
    return answering(200, headers, content)


@pytest.mark.parametrize("file_url", list(HARMFUL_URLS.values()), ids=list(HARMFUL_URLS))
def test_harmful_file_url_is_refused_as_an_api_error(api: str, flavour: str, file_url: str) -> None:
    outcome = outcome_of(api, flavour, url_answer(api, file_url))

    assert isinstance(outcome, ApiError), outcome
    assert isinstance(outcome.response, httpx.Response)


@pytest.mark.parametrize("file_url", list(HARMFUL_URLS.values()), ids=list(HARMFUL_URLS))
def test_harmful_file_url_is_refused_before_any_download(
    api: str, flavour: str, file_url: str, tmp_path: Path
) -> None:
    exchange = url_answer(api, file_url)

    outcome = outcome_of(api, flavour, exchange, action="download", dest=tmp_path)

    assert isinstance(outcome, ApiError), outcome
    assert len(exchange.requests) == 1  # the API call, nothing sent to a file host
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    "file_url",
    [
        "https://files.example/app.apk?Expires=1700003600&Signature=c2ln",
        "HTTPS://FILES.EXAMPLE/app.apk",
        "http://127.0.0.1:8080/app.apk",
        "http://localhost/app.apk",
        "http://[::1]:8080/app.apk",
        "https://files.example/%E5%BA%94%E7%94%A8.apk",
    ],
)
def test_safe_file_url_is_accepted(api: str, flavour: str, file_url: str) -> None:
    outcome = outcome_of(api, flavour, url_answer(api, file_url))

    assert isinstance(outcome, ArtifactUrl), outcome
    assert outcome.file_url == file_url


# --- the fields of the answers---------------------------------------------------------------------


def json_answer(status: int, body: object, **headers: str) -> Exchange:
    encoded = {name.replace("_", "-"): value.encode() for name, value in headers.items()}
    encoded["content-type"] = b"application/json"
    return answering(status, encoded, json.dumps(body).encode())


def test_success_without_request_id_in_the_body_takes_the_header(flavour: str) -> None:
    body = {"success": True, "fileUrl": "https://files.example/a.apk"}

    url = outcome_of("signed", flavour, json_answer(200, body, x_acs_request_id="HDR-ID"))

    assert isinstance(url, ArtifactUrl), url
    assert url.request_id == "HDR-ID"


def test_token_success_takes_the_request_id_of_the_header(flavour: str) -> None:
    exchange = json_answer(200, "https://files.example/a.apk", x_acs_request_id="HDR-ID")

    url = outcome_of("token", flavour, exchange)

    assert isinstance(url, ArtifactUrl), url
    assert url.request_id == "HDR-ID"


@pytest.mark.parametrize("status", [400, 404, 500])
def test_error_without_request_id_in_the_body_takes_the_header(
    api: str, flavour: str, status: int
) -> None:
    body = {"errorCode": "InvalidPipeline.NotFound", "errorMessage": "no"}

    error = outcome_of(api, flavour, json_answer(status, body, x_acs_request_id="HDR-ID"))

    assert isinstance(error, ApiError), error
    assert error.request_id == "HDR-ID"


def test_numeric_request_id_of_a_success_is_kept_as_text(flavour: str) -> None:
    body = {"requestId": 12345678901234567890, "success": True, "fileUrl": "https://f.example/a"}

    url = outcome_of("signed", flavour, json_answer(200, body))

    assert isinstance(url, ArtifactUrl), url
    assert url.request_id == "12345678901234567890"


@pytest.mark.parametrize("key", ["requestId", "RequestId"])
def test_numeric_request_id_of_an_error_is_kept_as_text(api: str, flavour: str, key: str) -> None:
    body = {key: 42, "errorCode": "InvalidPipeline.NotFound", "Code": "InvalidPipeline.NotFound"}

    error = outcome_of(api, flavour, json_answer(404, body))

    assert isinstance(error, ApiError), error
    assert error.request_id == "42"


@pytest.mark.parametrize("success", ["true", "True", "TRUE"])
def test_success_given_as_the_string_true_is_a_success(flavour: str, success: str) -> None:
    body = {"requestId": "R", "success": success, "fileUrl": "https://files.example/a.apk"}

    url = outcome_of("signed", flavour, json_answer(200, body))

    assert isinstance(url, ArtifactUrl), url


def test_success_string_true_without_url_is_not_reported_as_success_false(flavour: str) -> None:
    body = {"requestId": "R", "success": "true"}

    error = outcome_of("signed", flavour, json_answer(200, body))

    assert isinstance(error, ApiError), error
    assert "success: false" not in str(error)
    assert "success: false" not in error.message


@pytest.mark.parametrize(
    "body",
    [
        {"success": False, "errorCode": "InvalidPipeline.NotFound", "requestId": "R"},
        {"success": "false", "errorCode": "X"},
        {"success": None},
        {"success": 1, "fileUrl": "https://files.example/a.apk"},
        {"Code": "Throttling.User", "Message": "slow down"},
        [1, 2, 3],
        "https://files.example/a.apk",
        None,
    ],
)
def test_every_api_error_keeps_its_response(api: str, flavour: str, body: object) -> None:
    error = outcome_of(api, flavour, json_answer(200 if api == "signed" else 400, body))

    assert isinstance(error, ApiError), error
    assert isinstance(error.response, httpx.Response)
    assert error.response.status_code == error.status_code


# --- the contract and the client agree on what an error answer is----------------------------------

KEYS = st.sampled_from(
    [
        "errorCode", "Code", "code", "requestId", "RequestId", "errorMessage", "Message",
        "message", "success", "HostId", "hostId", "Recommend", "recommend", "traceId",
        "httpStatus", "title", "hasDetailSolution", "data", "x",
    ]
)  # fmt: skip
VALUES = st.one_of(
    st.sampled_from(["", "X", "Throttling.User", "InvalidPipeline.NotFound", " "]),
    st.text(max_size=6),
    st.integers(-5, 5),
    st.booleans(),
    st.none(),
    st.floats(allow_nan=False),
    st.lists(st.integers(), max_size=2),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
)
error_objects = st.dictionaries(KEYS, VALUES, max_size=6)
ERROR_STATUSES = {
    name: sorted(status for status in op.statuses if status >= 400)
    for name, op in operations().items()
}


@settings(max_examples=400, deadline=None)
@given(body=error_objects, data=st.data())
def test_contract_and_client_agree_on_what_a_signed_error_answer_is(
    body: dict[str, Any], data: Any
) -> None:
    _agree("GetPipelineEmasArtifactUrl", body, data)


@settings(max_examples=400, deadline=None)
@given(body=error_objects, data=st.data())
def test_contract_and_client_agree_on_what_a_token_error_answer_is(
    body: dict[str, Any], data: Any
) -> None:
    _agree("GetEmasArtifactDownloadUrl", body, data)


def _agree(operation: str, body: dict[str, Any], data: Any) -> None:
    status = data.draw(st.sampled_from(ERROR_STATUSES[operation]))
    content = json.dumps(body).encode()
    problems = response_problems(operation, status, {"content-type": "application/json"}, content)

    client_finds_a_code = bool(error_fields(body, operation)["code"])

    assert (not problems) == client_finds_a_code, problems


# --- the command line tool never prints a control character----------------------------------------

CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f]")
ESCAPES = "\x1b[2J\x1b]0;pwned\x07\x9b31m\r\x08"


def _cli_answer(api: str, kind: str) -> Answer:
    if kind == "url":
        file_url = f"https://files.example/app{ESCAPES}.apk?Expires=1&Signature=s"
        if api == "signed":
            body: object = {"requestId": f"R{ESCAPES}", "success": True, "fileUrl": file_url}
        else:
            body = file_url
        return Answer(200, {"content-type": "application/json"}, json.dumps(body).encode())
    body = {
        "errorCode": f"Forbidden.AccessDenied{ESCAPES}",
        "errorMessage": f"denied{ESCAPES}",
        "requestId": f"R{ESCAPES}",
        "Recommend": f"https://api.aliyun.com/troubleshoot?q={ESCAPES}",
    }
    return Answer(403, {"content-type": "application/json"}, json.dumps(body).encode())


@pytest.mark.parametrize("kind", ["url", "error"])
def test_cli_url_never_prints_a_control_character(
    api: str, kind: str, mount: Callable[[Any], str], home: Path
) -> None:
    base_url = mount(FakeApi(_cli_answer(api, kind)))

    run = run_cli("url", *cli_ids(), "--endpoint", base_url, home=home, env=cli_env(api))

    assert run.returncode != 0 or kind == "url"
    assert not CONTROL.search(run.output), repr(run.output)
