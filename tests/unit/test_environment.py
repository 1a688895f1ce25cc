"""Configuration without code: ``YUNXIAO_EMAS_ENDPOINT`` when no ``endpoint`` is given, and
``YUNXIAO_EMAS_LOG=debug|info`` for the library's logging on stderr (secrets and pre-signed
URLs redacted); without it the library logs nowhere (its ``NullHandler``)."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import textwrap
from typing import Any

import pytest
import respx
from conftest_client import (
    API_PATH,
    CREDENTIALS,
    FLAVOURS,
    TOKEN_CREDENTIALS,
    TOKEN_PATH,
    drivers,
    ok,
    token_ok,
)
from yunxiao_emas import InvalidArgumentError
from yunxiao_emas.client import AsyncClient, Client

EMULATOR = "http://127.0.0.1:8080"
APIS = {
    "signed": (CREDENTIALS, API_PATH, ok),
    "token": (TOKEN_CREDENTIALS, TOKEN_PATH, token_ok),
}


@pytest.fixture(params=FLAVOURS)
def make(request: pytest.FixtureRequest) -> Any:
    yield from drivers(request.param)


@pytest.fixture(params=list(APIS))
def api(request: pytest.FixtureRequest) -> Any:
    return APIS[request.param]


@pytest.fixture(params=[Client, AsyncClient], ids=["sync", "async"])
def client_class(request: pytest.FixtureRequest) -> Any:
    return request.param


# --- YUNXIAO_EMAS_ENDPOINT ----------------------------------------------------------------------


def test_the_endpoint_variable_is_where_calls_go_when_no_endpoint_is_given(
    make: Any, api: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    credentials, path, answer = api
    monkeypatch.setenv("YUNXIAO_EMAS_ENDPOINT", EMULATOR)
    with respx.mock(assert_all_called=True, assert_all_mocked=True) as router:
        route = router.route(url__startswith=f"{EMULATOR}{path}").mock(return_value=answer())
        make(credentials=credentials).call()
    assert route.call_count == 1


def test_an_endpoint_argument_wins_over_the_variable(
    make: Any, api: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    credentials, path, answer = api
    monkeypatch.setenv("YUNXIAO_EMAS_ENDPOINT", "http://127.0.0.1:9")
    with respx.mock(assert_all_called=True, assert_all_mocked=True) as router:
        route = router.route(url__startswith=f"{EMULATOR}{path}").mock(return_value=answer())
        make(credentials=credentials, endpoint=EMULATOR).call()
    assert route.call_count == 1


def test_an_empty_endpoint_variable_leaves_the_api_host(
    make: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("YUNXIAO_EMAS_ENDPOINT", "  ")
    with respx.mock(assert_all_called=True, assert_all_mocked=True) as router:
        route = router.route(host="devops.cn-hangzhou.aliyuncs.com").mock(return_value=ok())
        make().call()
    assert route.call_count == 1


@pytest.mark.parametrize(
    "value", ["http://devops.example.com", "https://user:p4ss@devops.example.com", "ftp://x"]
)
def test_an_endpoint_variable_that_breaks_the_rules_is_refused_naming_it(
    client_class: Any, value: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("YUNXIAO_EMAS_ENDPOINT", value)
    with pytest.raises(InvalidArgumentError) as caught:
        client_class(credentials=CREDENTIALS)
    assert caught.value.parameter == "endpoint"
    assert "$YUNXIAO_EMAS_ENDPOINT" in str(caught.value)
    assert "p4ss" not in str(caught.value)


def test_the_package_installs_a_null_handler() -> None:
    handlers = logging.getLogger("yunxiao_emas").handlers
    assert any(type(handler) is logging.NullHandler for handler in handlers)


# --- YUNXIAO_EMAS_LOG ---------------------------------------------------------------------------

SECURITY_TOKEN = "sts-NEVER-SHOWN-7a6b5c"
SIGNATURE = "s1gnature-NEVER-SHOWN"
PRESIGNED = f"https://oss.example.com/app.apk?Expires=4102444800&Signature={SIGNATURE}"

# One download through an API answer that fails once (a retry: INFO) then succeeds (DEBUG lines),
# with STS credentials (the token is in the canonical request the signer logs at DEBUG) and a
# pre-signed file URL (in httpx's request line); and a warning (verify=False) of the library.
PROGRAM = textwrap.dedent(
    f"""
    import hashlib, sys, tempfile
    import httpx
    from yunxiao_emas import AccessKeyCredentials, Client, PersonalAccessToken, RetryPolicy

    body = b"apk"
    md5 = hashlib.md5(body).hexdigest()
    answers = [0]

    def handler(request):
        if request.url.host == "oss.example.com":
            return httpx.Response(200, content=body)
        answers[0] += 1
        if answers[0] == 1:
            return httpx.Response(503, json={{"Code": "ServiceUnavailable", "RequestId": "R1"}})
        if sys.argv[1] == "token":
            return httpx.Response(200, json={PRESIGNED!r})
        return httpx.Response(200, json={{"requestId": "R2", "success": True,
                                          "fileUrl": {PRESIGNED!r}}})

    credentials = (
        PersonalAccessToken("pt-NEVER-SHOWN-{SECURITY_TOKEN}")
        if sys.argv[1] == "token"
        else AccessKeyCredentials("LTAI5tKey", "secret-NEVER-SHOWN", {SECURITY_TOKEN!r})
    )
    Client(credentials=credentials, verify=False).close()
    with Client(
        credentials=credentials,
        retries=RetryPolicy(backoff_initial=0, backoff_max=0),
        http_client=httpx.Client(transport=httpx.MockTransport(handler)),
    ) as client, tempfile.TemporaryDirectory() as folder:
        client.download_pipeline_emas_artifact(
            "org", 1, 2, "job", md5, folder + "/app.apk", service_connection_id=3
        )
    """
)


def _run(api: str, level: str | None) -> str:
    env = {key: value for key, value in os.environ.items() if not key.startswith("YUNXIAO")}
    if level is not None:
        env["YUNXIAO_EMAS_LOG"] = level
    done = subprocess.run(
        [sys.executable, "-c", PROGRAM, api],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert done.stdout == ""
    return done.stderr


@pytest.mark.parametrize("api", list(APIS))
def test_log_debug_shows_the_retry_the_signing_and_httpx_lines_without_secrets(api: str) -> None:
    stderr = _run(api, "debug")
    assert "INFO yunxiao_emas: attempt 1 of 3 failed (HTTP 503" in stderr
    assert "DEBUG yunxiao_emas" in stderr
    assert "INFO httpx: HTTP Request: GET https://oss.example.com/app.apk?<redacted>" in stderr
    assert "NEVER-SHOWN" not in stderr


@pytest.mark.parametrize("api", list(APIS))
def test_log_info_shows_the_retry_and_no_debug_line(api: str) -> None:
    stderr = _run(api, "INFO")
    assert "INFO yunxiao_emas: attempt 1 of 3 failed (HTTP 503" in stderr
    assert "TLS verification is off" in stderr
    assert "DEBUG" not in stderr
    assert "httpx" not in stderr


def test_without_the_variable_the_library_prints_nothing() -> None:
    # Not even its warning (verify=False): Python's last-resort handler stays out, since the
    # package's logger has a handler (the NullHandler); the application decides.
    assert _run("signed", None) == ""


def test_an_unknown_log_level_is_ignored_with_a_warning() -> None:
    stderr = _run("signed", "verbose")
    assert "YUNXIAO_EMAS_LOG must be debug or info; ignored" in stderr
    assert "yunxiao_emas:" not in stderr
