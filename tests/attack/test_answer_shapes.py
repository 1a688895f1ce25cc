"""Answers servers really send: the token API's bare URL under ``application/json`` (what a
Java backend answering a ``String`` sends, and the official MCP server accepts), a UTF-8 byte
order mark before the URL, an error body in a 200 (its code kept); and a download URL on this
machine, which only an API on this machine (the emulator) may hand out.

Answers come through ``httpx.MockTransport`` in a caller's ``http_client``, at a remote https
endpoint, for both clients.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from attack_support import credentials_for, ids
from yunxiao_emas import ApiError, AsyncClient, Client, YunxiaoError

REMOTE = "https://devops.example.com"
URL = "https://files.example.com/app.apk?Expires=4102444800&Signature=abc"


def outcome(
    api: str,
    flavour: str,
    respond: Callable[[httpx.Request], httpx.Response],
    *,
    endpoint: str = REMOTE,
    dest: Path | None = None,
    md5: str | None = None,
) -> tuple[Any, list[httpx.Request]]:
    """The result (or the YunxiaoError) of one call, or download to ``dest``, and every
    request sent."""
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return respond(request)

    transport = httpx.MockTransport(handler)
    options = {"credentials": credentials_for(api), "endpoint": endpoint, "retries": 0}

    values = ids() if md5 is None else ids(md5)

    def act(client: Any) -> Any:
        if dest is None:
            return client.get_pipeline_emas_artifact_url(**values)
        return client.download_pipeline_emas_artifact(**values, dest=dest)

    try:
        if flavour == "sync":
            with (
                httpx.Client(transport=transport) as http,
                Client(**options, http_client=http) as c,
            ):
                return act(c), seen

        async def main() -> Any:
            async with (
                httpx.AsyncClient(transport=transport) as http,
                AsyncClient(**options, http_client=http) as c,
            ):
                return await act(c)

        return asyncio.run(main()), seen
    except YunxiaoError as exc:
        return exc, seen


def token_answer(content: bytes, content_type: str | None) -> Callable[..., httpx.Response]:
    headers = {"content-type": content_type} if content_type else {}
    return lambda request: httpx.Response(200, headers=headers, content=content)


BOM = b"\xef\xbb\xbf"
TOKEN_BODIES = {
    "bare URL as JSON": (URL.encode(), "application/json"),
    "bare URL as JSON, charset": (URL.encode(), "application/json;charset=UTF-8"),
    "bare URL as JSON with a newline": (URL.encode() + b"\n", "application/json"),
    "text with a BOM": (BOM + URL.encode(), "text/plain"),
    "text with a BOM, no type": (BOM + URL.encode(), None),
    "JSON string with a BOM": (BOM + json.dumps(URL).encode(), "application/json"),
}


@pytest.mark.parametrize("body", list(TOKEN_BODIES.values()), ids=list(TOKEN_BODIES))
@pytest.mark.parametrize("flavour", ["sync", "async"])
def test_a_token_api_answer_servers_really_send_is_the_url(
    flavour: str, body: tuple[bytes, str | None]
) -> None:
    result, _ = outcome("token", flavour, token_answer(*body))

    assert not isinstance(result, Exception), result
    assert result.file_url == URL


NOT_A_URL = {
    "JSON declared, two words": (b"not a url", "application/json"),
    "JSON declared, HTML": (b"<html>proxy</html>", "application/json"),
    "JSON number": (b"42", "application/json"),
}


@pytest.mark.parametrize("body", list(NOT_A_URL.values()), ids=list(NOT_A_URL))
@pytest.mark.parametrize("flavour", ["sync", "async"])
def test_a_token_api_answer_that_is_no_url_is_still_refused(
    flavour: str, body: tuple[bytes, str | None]
) -> None:
    result, _ = outcome("token", flavour, token_answer(*body))

    assert isinstance(result, ApiError)


@pytest.mark.parametrize("flavour", ["sync", "async"])
@pytest.mark.parametrize("api", ["signed", "token"])
def test_an_error_body_in_a_200_keeps_its_code(api: str, flavour: str) -> None:
    body = {"errorCode": "Forbidden.AccessDenied", "errorMessage": "no", "requestId": "R-1"}
    if api == "signed":
        body["success"] = False  # type: ignore[assignment]

    result, _ = outcome(api, flavour, lambda request: httpx.Response(200, json=body))

    assert isinstance(result, ApiError)
    assert result.code == "Forbidden.AccessDenied"
    assert result.request_id == "R-1"


def success(api: str, file_url: str) -> Callable[[httpx.Request], httpx.Response]:
    def respond(request: httpx.Request) -> httpx.Response:
        if request.url.host != httpx.URL(REMOTE).host:
            return httpx.Response(200, content=b"local secrets")
        if api == "signed":
            body = {"requestId": "R", "success": True, "errorCode": "", "fileUrl": file_url}
            return httpx.Response(200, json=body)
        return httpx.Response(200, json=file_url)

    return respond


LOCAL_URLS = [
    "http://127.0.0.1:8500/v1/kv/?recurse",
    "http://localhost:2375/containers/json",
    "https://127.0.0.1/app.apk",
    "http://[::1]:9000/app.apk",
    # The forms the resolver reads as 127.0.0.1, and the fully qualified localhost.
    "https://127.1/app.apk",
    "https://2130706433/app.apk",
    "https://0x7f.0.0.1/app.apk",
    "https://LOCALHOST./app.apk",
    "https://user@[::1]:8443/app.apk",
]


@pytest.mark.parametrize("file_url", LOCAL_URLS)
@pytest.mark.parametrize("flavour", ["sync", "async"])
def test_a_remote_api_handing_out_a_url_on_this_machine_is_refused_before_any_download(
    api: str, flavour: str, file_url: str, tmp_path: Path
) -> None:
    result, seen = outcome(api, flavour, success(api, file_url), dest=tmp_path / "app.apk")

    assert isinstance(result, ApiError)
    assert "this machine" in str(result)
    assert [request.url.host for request in seen] == ["devops.example.com"]
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("flavour", ["sync", "async"])
def test_a_remote_file_host_redirecting_to_this_machine_is_refused(
    api: str, flavour: str, tmp_path: Path
) -> None:
    def respond(request: httpx.Request) -> httpx.Response:
        if request.url.host == "files.example.com":
            return httpx.Response(302, headers={"location": "http://127.0.0.1:8500/v1/kv/"})
        return success(api, URL)(request)

    result, seen = outcome(api, flavour, respond, dest=tmp_path / "app.apk")

    assert isinstance(result, YunxiaoError)
    assert "127.0.0.1" not in {request.url.host for request in seen}
    assert list(tmp_path.iterdir()) == []
