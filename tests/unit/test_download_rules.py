"""Download rules through the clients, with the file host played by httpx.MockTransport (a
caller's http_client).

Each test pins one rule where the clients' I/O takes part: what reaches the file host, what
reaches the logs, local write failures, malformed URLs, hosts without hard links, the flow's
decisions wired to real answers. The decisions themselves (resume, refresh, wait, restart,
their bounds) are ``test_download_flow.py``'s subject, where the flow is driven directly.
"""

from __future__ import annotations

import errno
import hashlib
import logging
import os
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from _ids import CONNECTION, JOB, ORG, PIPELINE, RUN
from conftest_client import fast
from yunxiao_emas import (
    AccessKeyCredentials,
    Client,
    DownloadError,
    InvalidArgumentError,
    TransportError,
)
from yunxiao_emas._call import policy as download_module

CONTENT = b"EMAS artifact bytes " * 512
MD5 = hashlib.md5(CONTENT, usedforsecurity=False).hexdigest()
FILE_URL = "https://files.example/app.apk?Expires=4102444800&Signature=s3cr3t-signature"
IDS = (ORG, PIPELINE, RUN, JOB, MD5)
Handler = Callable[[httpx.Request], httpx.Response]


def api_answer(file_url: str = FILE_URL) -> httpx.Response:
    body = {"requestId": "R-1", "success": True, "errorCode": "", "errorMessage": ""}
    return httpx.Response(200, json={**body, "fileUrl": file_url})


def serve(file_host: Handler, file_url: str = FILE_URL) -> list[httpx.Request]:
    """A MockTransport handler answering the API with ``file_url`` and the rest with
    ``file_host``; returns the list the file requests are recorded in."""
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.startswith("/organization/"):
            return api_answer(file_url)
        seen.append(request)
        return file_host(request)

    serve.handler = handler  # type: ignore[attr-defined]
    return seen


def client_for(handler: Handler, **http_options: object) -> Client:
    http = httpx.Client(transport=httpx.MockTransport(handler), **http_options)  # type: ignore[arg-type]
    # A policy that never waits: a busy file host costs no time.
    return Client(
        credentials=AccessKeyCredentials("LTAIunit", "unit-secret", "CAIS-unit-token"),
        endpoint="devops.cn-hangzhou.aliyuncs.com",
        http_client=http,
        retries=fast(),
    )


def download(handler: Handler, dest: Path, **http_options: object) -> object:
    with client_for(handler, **http_options) as client:
        return client.download_pipeline_emas_artifact(*IDS, dest, service_connection_id=CONNECTION)


def leftovers(folder: Path) -> list[str]:
    return sorted(path.name for path in folder.iterdir())


def whole_file(request: httpx.Request) -> httpx.Response:
    return httpx.Response(200, content=CONTENT)


def test_a_transport_that_reads_the_body_itself_still_downloads(tmp_path: Path) -> None:
    serve(whole_file)

    result = download(serve.handler, tmp_path / "app.apk")  # type: ignore[attr-defined]

    assert (tmp_path / "app.apk").read_bytes() == CONTENT
    assert result.verified is True  # type: ignore[attr-defined]


def test_a_206_without_content_range_to_a_whole_file_request_fails_instead_of_looping(
    tmp_path: Path,
) -> None:
    seen = serve(lambda request: httpx.Response(206, content=CONTENT))

    with pytest.raises(DownloadError, match="Content-Range"):
        download(serve.handler, tmp_path / "app.apk")  # type: ignore[attr-defined]

    assert len(seen) == 1
    assert leftovers(tmp_path) == []


def test_restarts_after_unusable_ranged_answers_are_bounded(tmp_path: Path) -> None:
    def first_cut_then_bad_ranges(request: httpx.Request) -> httpx.Response:
        if "range" not in request.headers:
            # The whole file announced, half of it sent: the client resumes with Range.
            half = CONTENT[: len(CONTENT) // 2]
            return httpx.Response(200, headers={"content-length": str(len(CONTENT))}, content=half)
        return httpx.Response(206, headers={"content-range": "bytes 0-1/9"}, content=b"x")

    seen = serve(first_cut_then_bad_ranges)

    with pytest.raises(DownloadError):
        download(serve.handler, tmp_path / "app.apk")  # type: ignore[attr-defined]

    assert len(seen) < 20
    assert leftovers(tmp_path) == []


def test_a_busy_file_host_is_waited_out_and_the_download_completes(tmp_path: Path) -> None:
    answers = iter(
        [
            httpx.Response(503, headers={"retry-after": "1"}, text="busy"),
            httpx.Response(429, text="slow down"),
        ]
    )
    seen = serve(lambda request: next(answers, None) or whole_file(request))

    download(serve.handler, tmp_path / "app.apk")  # type: ignore[attr-defined]

    assert [request.method for request in seen] == ["GET", "GET", "GET"]
    assert (tmp_path / "app.apk").read_bytes() == CONTENT


def test_a_file_host_that_stays_busy_ends_in_download_error(tmp_path: Path) -> None:
    seen = serve(lambda request: httpx.Response(503, text="busy"))

    with pytest.raises(DownloadError):
        download(serve.handler, tmp_path / "app.apk")  # type: ignore[attr-defined]

    assert len(seen) == download_module.MAX_RESUMES + 1
    assert leftovers(tmp_path) == []


def test_only_the_needed_headers_reach_the_file_host(tmp_path: Path) -> None:
    seen = serve(whole_file)
    caller_defaults = {
        "x-yunxiao-token": "pt-personal-token",
        "proxy-authorization": "Basic c2VjcmV0",
        "cookie": "session=1",
    }

    download(serve.handler, tmp_path / "app.apk", headers=caller_defaults)  # type: ignore[attr-defined]

    sent = {name.lower() for name in seen[0].headers}
    assert sent <= {"host", "user-agent", "accept", "accept-encoding", "connection", "range"}
    assert "CAIS-unit-token" not in str(seen[0].headers)


def test_the_signature_of_the_file_url_stays_out_of_httpx_logs(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    serve(whole_file)
    caplog.set_level(logging.DEBUG)

    download(serve.handler, tmp_path / "app.apk")  # type: ignore[attr-defined]

    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "files.example/app.apk" in logged  # httpx did log the request
    assert "s3cr3t-signature" not in logged


def test_a_malformed_file_url_is_a_download_error(tmp_path: Path) -> None:
    serve(whole_file, file_url="https://[::1/app.apk")

    with pytest.raises(DownloadError):
        download(serve.handler, tmp_path / "app.apk")  # type: ignore[attr-defined]

    assert leftovers(tmp_path) == []


def test_a_local_write_failure_is_a_download_error_and_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    serve(whole_file)

    def disk_full(fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", disk_full)

    with pytest.raises(DownloadError, match="No space left"):
        download(serve.handler, tmp_path / "app.apk")  # type: ignore[attr-defined]

    assert leftovers(tmp_path) == []


def test_a_file_system_without_hard_links_still_gets_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    serve(whole_file)

    def no_links(source: object, target: object) -> None:
        raise OSError(errno.EPERM, "Operation not permitted")

    monkeypatch.setattr(os, "link", no_links)

    download(serve.handler, tmp_path / "app.apk")  # type: ignore[attr-defined]

    assert leftovers(tmp_path) == ["app.apk"]
    assert (tmp_path / "app.apk").read_bytes() == CONTENT


def test_without_hard_links_a_file_that_appeared_meanwhile_is_not_replaced(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def appears_meanwhile(request: httpx.Request) -> httpx.Response:
        (tmp_path / "app.apk").write_bytes(b"theirs")
        return whole_file(request)

    serve(appears_meanwhile)

    def no_links(source: object, target: object) -> None:
        raise OSError(errno.EPERM, "Operation not permitted")

    monkeypatch.setattr(os, "link", no_links)

    with pytest.raises(DownloadError, match="exists"):
        download(serve.handler, tmp_path / "app.apk")  # type: ignore[attr-defined]

    assert (tmp_path / "app.apk").read_bytes() == b"theirs"
    assert leftovers(tmp_path) == ["app.apk"]


def test_downloads_get_the_mode_the_umask_gives(tmp_path: Path) -> None:
    serve(whole_file)
    previous = os.umask(0o027)
    try:
        download(serve.handler, tmp_path / "app.apk")  # type: ignore[attr-defined]
    finally:
        os.umask(previous)

    assert (tmp_path / "app.apk").stat().st_mode & 0o777 == 0o640


def test_a_token_read_with_a_trailing_newline_is_trimmed() -> None:
    credentials = AccessKeyCredentials("LTAIunit\n", "secret\n", "CAIS-token\n")

    assert credentials.access_key_id == "LTAIunit"
    assert credentials.access_key_secret == "secret"
    assert credentials.security_token == "CAIS-token"


def test_a_token_with_a_control_character_is_refused_without_showing_it() -> None:
    with pytest.raises(InvalidArgumentError) as caught:
        AccessKeyCredentials("LTAIunit", "secret", "CAIS-se\ncret-token")

    assert caught.value.parameter == "security_token"
    assert "se\ncret" not in str(caught.value)


def test_a_request_httpx_refuses_to_send_is_not_retried_and_not_quoted() -> None:
    calls: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        raise httpx.LocalProtocolError("Illegal header value b'CAIS-VERY-SECRET'")

    with client_for(handler) as client, pytest.raises(TransportError) as caught:
        client.get_pipeline_emas_artifact_url(*IDS, service_connection_id=CONNECTION)

    assert len(calls) == 1
    assert "CAIS-VERY-SECRET" not in str(caught.value)
    assert isinstance(caught.value.__cause__, httpx.LocalProtocolError)


async def test_async_download_syncs_the_file_to_disk_off_the_event_loop(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import stat
    import threading

    from yunxiao_emas import AsyncClient

    serve(whole_file)
    fsync_threads: list[threading.Thread] = []
    real_fsync = os.fsync

    def recording_fsync(fd: int) -> None:
        # The file's fsync (the slow one); the directory's, after the rename, runs on the loop
        # on purpose: a cancellation cannot fall between the rename and its result.
        if stat.S_ISREG(os.fstat(fd).st_mode):
            fsync_threads.append(threading.current_thread())
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", recording_fsync)
    http = httpx.AsyncClient(transport=httpx.MockTransport(serve.handler))  # type: ignore[attr-defined]
    credentials = AccessKeyCredentials("LTAIunit", "unit-secret")
    async with AsyncClient(credentials=credentials, http_client=http) as client:
        await client.download_pipeline_emas_artifact(
            *IDS, tmp_path / "app.apk", service_connection_id=CONNECTION
        )

    assert (tmp_path / "app.apk").read_bytes() == CONTENT
    assert fsync_threads
    assert threading.main_thread() not in fsync_threads
