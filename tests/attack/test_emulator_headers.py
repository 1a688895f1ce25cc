"""The emulator answers every header a client can send with a gateway code in the contract's
shape, never a 500: non-ASCII bytes in the signature's headers, the STS token, the token API's
token or the file host's signature are refused as wrong, not crashed on; a fault's raw
``retry_after`` that could not be a header value is refused when it is set; the download URLs
it hands out name the address it serves on, never a foreign ``Host``."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from attack_support import KEY_ID, SECRET, Target
from yunxiao_emas import AccessKeyCredentials, ApiError

NON_ASCII = "\u00e9t\u00e9\u00ff".encode("latin-1")
STS_TOKEN = "sts-token-of-the-test"


def replacing(header: bytes, value: bytes) -> Callable[[Any], Any]:
    """An ASGI wrapper that sets ``header`` of every API request to ``value``."""

    def wrap(app: Any) -> Any:
        async def rewritten(scope: Any, receive: Any, send: Any) -> None:
            if scope["type"] == "http" and not scope["path"].startswith("/emas-artifacts/"):
                headers = [(k, v) for k, v in scope["headers"] if k.lower() != header]
                scope = {**scope, "headers": [*headers, (header, value)]}
            await app(scope, receive, send)

        return rewritten

    return wrap


SIGNED_HEADERS = [
    b"x-acs-content-sha256",
    b"x-acs-security-token",
    b"x-acs-signature-nonce",
    b"x-acs-date",
    b"x-acs-action",
    b"x-acs-version",
    b"authorization",
]


@pytest.mark.parametrize("header", SIGNED_HEADERS, ids=[h.decode() for h in SIGNED_HEADERS])
@pytest.mark.parametrize("api", ["signed"])
def test_non_ascii_in_a_signed_header_is_a_gateway_refusal(
    emulate: Callable[..., Target], flavour: str, header: bytes
) -> None:
    target = emulate(
        wrap=replacing(header, NON_ASCII), sts_tokens={KEY_ID + "sts": [SECRET, STS_TOKEN]}
    )
    credentials = AccessKeyCredentials(KEY_ID + "sts", SECRET, STS_TOKEN)

    with pytest.raises(ApiError) as caught:
        target.get_url(flavour, credentials=credentials, retries=0)

    assert 400 <= caught.value.status_code < 500, caught.value
    assert caught.value.code not in (None, "", "InternalError")


@pytest.mark.parametrize("api", ["token"])
def test_non_ascii_in_the_token_header_is_a_401(
    emulate: Callable[..., Target], flavour: str
) -> None:
    target = emulate(wrap=replacing(b"x-yunxiao-token", NON_ASCII))

    with pytest.raises(ApiError) as caught:
        target.get_url(flavour, retries=0)

    assert caught.value.status_code == 401


def test_non_ascii_in_the_file_hosts_signature_is_a_403(target: Target) -> None:
    url = target.get_url("sync").file_url
    forged = httpx.URL(url).copy_set_param("Signature", "\u00e9t\u00e9")

    with httpx.Client() as http:
        response = http.get(forged)

    assert response.status_code == 403
    assert response.headers["content-type"].startswith("application/xml")


def test_a_download_through_a_forged_signature_is_refused_then_refreshed(
    target: Target, flavour: str, tmp_path: Path
) -> None:
    url = target.get_url("sync")
    forged = str(httpx.URL(url.file_url).copy_set_param("Signature", "\u00e9"))
    forged_url = type(url)(forged, url.request_id, url.expires_at)

    done = target.download(flavour, tmp_path / "a.apk", download={"artifact_url": forged_url})

    assert done.md5 == target.md5
    statuses = [call.status for call in target.service.download_calls]
    assert statuses[0] == 403
    assert 500 not in statuses


BAD_RETRY_AFTER = ["1\r\nx-injected: yes", "1\n", "\x00", "1\u20ac", "\x7f"]


@pytest.mark.parametrize("value", BAD_RETRY_AFTER)
def test_a_raw_retry_after_that_is_no_header_value_is_refused(target: Target, value: str) -> None:
    with pytest.raises(ValueError, match="retry_after"):
        target.service.fail_next(1, code="Throttling.User", retry_after=value)

    body = {"fault": "fail_next", "code": "Throttling.User", "retry_after": value}
    with httpx.Client(base_url=target.base_url) as http:
        response = http.post("/_emulator/faults", json=body)

    assert response.status_code == 400
    assert response.json()["error"] == "bad_request"
    assert target.get_url("sync").file_url  # nothing was queued


def test_a_raw_retry_after_that_is_a_header_value_is_sent(target: Target) -> None:
    target.service.fail_next(1, code="Throttling.User", retry_after="1500")

    with pytest.raises(ApiError) as caught:
        target.get_url("sync", retries=0)

    assert caught.value.code == "Throttling.User"


# --- the download URLs point where the emulator is, whatever Host says --------------------------


def token_call(target: Target, host: str) -> httpx.Response:
    from attack_support import TOKEN, TOKEN_PATH, ids

    values = ids(target.md5)
    params = {
        "pipelineId": values["pipeline_id"],
        "pipelineRunId": values["pipeline_run_id"],
        "emasJobInstanceId": values["emas_job_instance_id"],
        "md5": values["md5"],
        "serviceConnectionId": values["service_connection_id"],
    }
    with httpx.Client(base_url=target.base_url) as http:
        return http.get(TOKEN_PATH, params=params, headers={"x-yunxiao-token": TOKEN, "host": host})


@pytest.mark.parametrize("host", ["evil.example", "evil.example:80", "10.0.0.1:8080", "[::"])
def test_a_foreign_host_header_never_names_the_download_host(target: Target, host: str) -> None:
    response = token_call(target, host)

    assert response.status_code == 200, response.text
    file_url = httpx.URL(response.json())
    assert file_url.host == "127.0.0.1"
    assert file_url.port == httpx.URL(target.base_url).port


def test_a_loopback_host_header_with_a_mapped_port_is_kept(target: Target) -> None:
    response = token_call(target, "localhost:8080")

    assert response.status_code == 200, response.text
    assert response.json().startswith("http://localhost:8080/")
