"""The two transports of ``AsyncClient`` (httpx's own, and aiohttp through httpx-aiohttp) and
``Client`` give the same answers and errors: hostile but valid headers (one header line far
over aiohttp's default 8,190 bytes, hundreds of headers) are read over each, from the API
and from the file host; a header block beyond httpx's own limit fails over each the same way.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from attack_support import (
    CONTENT,
    CONTENT_MD5,
    FAST,
    PLAIN_HTTP,
    Answer,
    FakeApi,
    credentials_for,
    ids,
    success_answer,
)
from e2e_support import respond
from yunxiao_emas import AsyncClient, Client, TransportError

WAYS = ["sync", "async-httpx", "async-aiohttp"]

HOSTILE_HEADERS = {
    "one 10 KB header": {"x-large": "a" * 10_000},
    "one 60 KB header": {"x-large": "b" * 60_000},
    "500 headers": {f"x-header-{n}": "v" for n in range(500)},
    "1500 headers": {f"x-h{n}": "v" for n in range(1500)},
}


def run(way: str, options: dict[str, Any], action: Callable[[Any], Any]) -> Any:
    if way == "sync":
        with Client(**options) as client:
            return action(client)

    async def main() -> Any:
        transport = way.removeprefix("async-")
        async with AsyncClient(**options, transport=transport) as client:
            return await action(client)

    return asyncio.run(main())


def with_headers(answer: Answer, headers: dict[str, str]) -> Answer:
    return Answer(answer.status, {**answer.headers, **headers}, answer.body)


def options(api: str, base_url: str) -> dict[str, Any]:
    return {
        "credentials": credentials_for(api),
        "endpoint": base_url,
        "retries": FAST,
        "verify": PLAIN_HTTP,
    }


@pytest.mark.parametrize("headers", list(HOSTILE_HEADERS.values()), ids=list(HOSTILE_HEADERS))
@pytest.mark.parametrize("way", WAYS)
def test_an_api_answer_with_large_or_many_headers_is_read_over_every_transport(
    api: str, way: str, headers: dict[str, str], mount: Callable[[Any], str]
) -> None:
    base_url = mount(FakeApi(with_headers(success_answer(api, "https://files.example/a"), headers)))

    url = run(way, options(api, base_url), lambda c: c.get_pipeline_emas_artifact_url(**ids()))

    assert url.file_url == "https://files.example/a"


class FilesWithHeaders:
    def __init__(self, headers: dict[str, str]) -> None:
        self.headers = headers

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        headers = {"content-type": "application/octet-stream", **self.headers}
        await respond(send, 200, headers, CONTENT)


@pytest.mark.parametrize("headers", list(HOSTILE_HEADERS.values()), ids=list(HOSTILE_HEADERS))
@pytest.mark.parametrize("way", WAYS)
def test_a_file_host_answer_with_large_or_many_headers_is_downloaded_over_every_transport(
    api: str, way: str, headers: dict[str, str], mount: Callable[[Any], str], tmp_path: Path
) -> None:
    fake = FakeApi(lambda _: success_answer(api, f"{base_url}/files/app.apk"))
    fake.files = FilesWithHeaders(headers)
    base_url = mount(fake)

    done = run(
        way,
        options(api, base_url),
        lambda c: c.download_pipeline_emas_artifact(**ids(), dest=tmp_path / "app.apk"),
    )

    assert done.md5 == CONTENT_MD5


@pytest.mark.parametrize("way", WAYS)
def test_a_header_block_over_httpx_limit_is_a_transport_error_over_every_transport(
    api: str, way: str, mount: Callable[[Any], str]
) -> None:
    headers = {f"x-h{n}": "c" * 1000 for n in range(200)}  # 200 KB of headers
    base_url = mount(FakeApi(with_headers(success_answer(api, "https://files.example/a"), headers)))

    with pytest.raises(TransportError):
        run(way, options(api, base_url), lambda c: c.get_pipeline_emas_artifact_url(**ids()))
