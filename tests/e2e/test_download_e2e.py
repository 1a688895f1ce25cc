"""download_pipeline_emas_artifact end to end: the Python API against the emulator, and
against small file hosts that misbehave in one way each, all over real loopback sockets.

What involves the API (getting, reusing and refreshing the URL, resuming, verifying, what
reaches the file host) runs over both APIs (``api``): a download over the token API is
verified like the other.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import gc
import hashlib
import os
import time
import tracemalloc
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from e2e_support import (
    APIS,
    CONNECTION,
    CONTENT,
    CREDENTIALS,
    FILENAME,
    JOB,
    ORG,
    PIPELINE,
    RUN,
    TOKEN,
    Emulated,
    ExpireAfterFirstDownload,
    FileHost,
    ForbidDownloads,
    HopRedirect,
    Recorder,
    Redirect,
    RewriteDownloadHeaders,
    StallingFileHost,
    closed_port,
    leftovers,
    no_new_files,
)
from yunxiao_emas import (
    AccessKeyCredentials,
    ArtifactUrl,
    AsyncClient,
    ChecksumMismatchError,
    Client,
    DownloadedArtifact,
    DownloadError,
    InvalidArgumentError,
    PersonalAccessToken,
)
from yunxiao_emas._call.policy import MAX_URL_REFRESHES

# A file host's file, distinct from the emulator's artifact.
HOSTED = bytes(reversed(range(256))) * 256  # 64 KiB
HOSTED_MD5 = hashlib.md5(HOSTED, usedforsecurity=False).hexdigest()
SMALLEST_CHUNK = 1024
both_apis = pytest.mark.parametrize("api", APIS, indirect=True)


def download(emulated: Emulated, dest: Path, **options: Any) -> DownloadedArtifact:
    """One download of the emulator's artifact with a fresh Client."""
    client_options = {
        name: options.pop(name) for name in ("credentials", "http_client") if name in options
    }
    with emulated.client(retries=0, **client_options) as client:
        return client.download_pipeline_emas_artifact(**emulated.ids(), dest=dest, **options)


def artifact_url(file_url: str, *, expires_in: float = 3600) -> ArtifactUrl:
    expires_at = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=expires_in)
    return ArtifactUrl(file_url=file_url, request_id="GIVEN-REQUEST-ID", expires_at=expires_at)


def download_from(base_url: str, file_url: str, dest: Path, **options: Any) -> DownloadedArtifact:
    """Download ``file_url`` (a URL already obtained) with a Client whose API is ``base_url``."""
    options.setdefault("md5", HOSTED_MD5)
    with Client(credentials=CREDENTIALS, endpoint=base_url, retries=0) as client:
        return client.download_pipeline_emas_artifact(
            ORG,
            PIPELINE,
            RUN,
            JOB,
            dest=dest,
            service_connection_id=CONNECTION,
            artifact_url=artifact_url(file_url),
            **options,
        )


def download_statuses(emulated: Emulated) -> list[int | None]:
    return [call.status for call in emulated.service.download_calls]


# --- success ---------------------------------------------------------------------------------


@both_apis
def test_download_writes_the_artifacts_bytes_to_the_file_path(
    emulator: Emulated, tmp_path: Path
) -> None:
    result = download(emulator, tmp_path / "out.apk")

    assert (tmp_path / "out.apk").read_bytes() == emulator.content
    assert result.path == tmp_path / "out.apk"


@both_apis
def test_download_result_describes_the_file(emulator: Emulated, tmp_path: Path) -> None:
    result = download(emulator, tmp_path / "out.apk")

    assert result.size == len(emulator.content)
    assert result.md5 == hashlib.md5(emulator.content, usedforsecurity=False).hexdigest()
    assert result.verified is True


@both_apis
def test_download_result_has_the_request_id_of_the_url_it_used(
    emulator: Emulated, tmp_path: Path
) -> None:
    with emulator.client() as client:
        url = client.get_pipeline_emas_artifact_url(**emulator.ids())
        result = client.download_pipeline_emas_artifact(
            **emulator.ids(), dest=tmp_path, artifact_url=url
        )

    assert result.request_id == url.request_id


@pytest.mark.parametrize("server", ["https"], indirect=True)
@both_apis
def test_download_over_https_with_the_ca_bundle(emulator: Emulated, tmp_path: Path) -> None:
    result = download(emulator, tmp_path / "out.apk")

    assert emulator.base_url.startswith("https://")
    assert result.path.read_bytes() == emulator.content


def test_download_to_a_directory_takes_the_content_disposition_name(
    emulate: Any, tmp_path: Path
) -> None:
    disposition = {"content-disposition": 'attachment; filename="from-disposition.apk"'}
    emulated = emulate(app=lambda service: RewriteDownloadHeaders(service.asgi_app, disposition))

    result = download(emulated, tmp_path)

    assert result.path == tmp_path / "from-disposition.apk"
    assert result.path.read_bytes() == emulated.content


def test_content_disposition_utf8_name_is_preferred_to_its_ascii_fallback(
    emulate: Any, tmp_path: Path
) -> None:
    # The emulator, like OSS, sends filename="r_sum_.apk" and filename*=UTF-8''r%C3%A9sum%C3%A9.apk.
    emulated = emulate(filename="résumé.apk")

    result = download(emulated, tmp_path)

    assert result.path == tmp_path / "résumé.apk"


def test_download_to_a_directory_without_content_disposition_takes_the_url_name(
    mount: Any, tmp_path: Path
) -> None:
    base_url = mount(FileHost(HOSTED))

    result = download_from(base_url, f"{base_url}/files/build-42.apk?Signature=s", tmp_path)

    assert result.path == tmp_path / "build-42.apk"


def test_url_without_a_name_is_saved_as_artifact(mount: Any, tmp_path: Path) -> None:
    base_url = mount(FileHost(HOSTED))

    result = download_from(base_url, f"{base_url}/", tmp_path)

    assert result.path == tmp_path / "artifact"


def test_url_path_name_is_percent_decoded_once(mount: Any, tmp_path: Path) -> None:
    base_url = mount(FileHost(HOSTED))

    # The file is named "report%41.apk"; on the wire its % is encoded as %25.
    result = download_from(base_url, f"{base_url}/files/report%2541.apk", tmp_path)

    assert result.path.name == "report%41.apk"


@pytest.mark.parametrize(
    "disposition",
    [
        'attachment; filename="../escaped.apk"',
        'attachment; filename="../../escaped.apk"',
        'attachment; filename="{root}/escaped.apk"',
        "attachment; filename*=UTF-8''..%2F..%2Fescaped.apk",
        'attachment; filename="..\\\\..\\\\escaped.apk"',
        'attachment; filename=".."',
    ],
    ids=["parent", "grandparent", "absolute", "rfc2231-encoded", "backslashes", "dot-dot"],
)
def test_content_disposition_name_cannot_leave_the_directory(
    mount: Any, tmp_path: Path, disposition: str
) -> None:
    dest = tmp_path / "a" / "b"
    dest.mkdir(parents=True)
    header = disposition.format(root=tmp_path)
    base_url = mount(FileHost(HOSTED, headers={"content-disposition": header}))

    result = download_from(base_url, f"{base_url}/files/x.apk", dest)

    assert result.path.parent == dest
    written = sorted(path for path in tmp_path.rglob("*") if path.is_file())
    assert written == [result.path]


def test_long_non_ascii_content_disposition_name_is_shortened_to_fit(
    mount: Any, tmp_path: Path
) -> None:
    name = "é" * 200 + ".apk"  # 204 characters, 404 bytes in UTF-8: too long for one name
    header = f"attachment; filename*=UTF-8''{quote(name)}"
    base_url = mount(FileHost(HOSTED, headers={"content-disposition": header}))

    result = download_from(base_url, f"{base_url}/files/x.apk", tmp_path)

    assert result.path.parent == tmp_path
    assert len(os.fsencode(result.path.name)) <= 255
    assert result.path.read_bytes() == HOSTED


@both_apis
def test_progress_reports_increasing_bytes_done_and_the_total(
    emulator: Emulated, tmp_path: Path
) -> None:
    reports: list[tuple[int, int | None]] = []

    download(
        emulator,
        tmp_path / "out.apk",
        chunk_size=SMALLEST_CHUNK * 8,
        progress=lambda done, total: reports.append((done, total)),
    )

    done = [report[0] for report in reports]
    assert len(reports) > 1
    assert done == sorted(set(done))
    assert done[-1] == len(emulator.content)
    assert {report[1] for report in reports} == {len(emulator.content)}


@both_apis
def test_given_artifact_url_is_used_without_an_api_call(emulator: Emulated, tmp_path: Path) -> None:
    with emulator.client() as client:
        url = client.get_pipeline_emas_artifact_url(**emulator.ids())
    calls_before = len(emulator.service.api_calls)

    with emulator.client() as client:
        client.download_pipeline_emas_artifact(**emulator.ids(), dest=tmp_path, artifact_url=url)

    assert len(emulator.service.api_calls) == calls_before


@both_apis
def test_expired_artifact_url_is_replaced_by_a_fresh_one(
    emulator: Emulated, tmp_path: Path
) -> None:
    expired = artifact_url(f"{emulator.base_url}/emas-artifacts/gone/x.apk", expires_in=-10)

    with emulator.client() as client:
        result = client.download_pipeline_emas_artifact(
            **emulator.ids(), dest=tmp_path / "out.apk", artifact_url=expired
        )

    assert result.path.read_bytes() == emulator.content
    assert [call.status for call in emulator.service.api_calls] == [200]


# --- the file host is a stranger: no credentials, https only ---------------------------------


def _credential_headers(headers: dict[str, str]) -> list[str]:
    return sorted(
        name
        for name in headers
        if name in {"authorization", "cookie", "x-yunxiao-token"} or name.startswith("x-acs-")
    )


def test_download_sends_no_credentials_to_the_file_host(emulate: Any, tmp_path: Path) -> None:
    emulated = emulate(
        app=lambda service: Recorder(service.asgi_app),
        sts_tokens={"STS.key": ("sts-secret", "sts-token")},
    )
    sts = AccessKeyCredentials("STS.key", "sts-secret", "sts-token")

    download(emulated, tmp_path, credentials=sts)

    api = [seen for seen in emulated.app.requests if seen.method == "POST"]
    assert "x-acs-security-token" in api[0].headers  # the recorder does see credentials
    assert emulated.app.downloads
    assert [_credential_headers(seen.headers) for seen in emulated.app.downloads] == [[]]


def test_download_sends_no_token_to_the_file_host(emulate: Any, tmp_path: Path) -> None:
    emulated = emulate(app=lambda service: Recorder(service.asgi_app))

    download(emulated, tmp_path, credentials=PersonalAccessToken(TOKEN))

    api = [seen for seen in emulated.app.requests if seen.method == "GET" and "oapi" in seen.path]
    assert api[0].headers["x-yunxiao-token"] == TOKEN  # the recorder does see credentials
    assert emulated.app.downloads
    assert [_credential_headers(seen.headers) for seen in emulated.app.downloads] == [[]]
    assert all(TOKEN not in str(seen) for seen in emulated.app.downloads)


@both_apis
def test_redirect_from_the_file_host_carries_no_credentials(emulate: Any, tmp_path: Path) -> None:
    emulated = emulate(app=lambda service: Recorder(HopRedirect(service.asgi_app)))
    leaky = httpx.Client(
        headers={"authorization": "Bearer leaked", "x-acs-security-token": "leaked"},
        cookies={"session": "leaked"},
    )
    with emulated.client(http_client=leaky) as client:
        url = client.get_pipeline_emas_artifact_url(**emulated.ids())
        hopped = artifact_url(url.file_url.replace("/emas-artifacts/", "/hop/emas-artifacts/"))
        result = client.download_pipeline_emas_artifact(
            **emulated.ids(), dest=tmp_path, artifact_url=hopped
        )
    leaky.close()

    gets = [
        seen
        for seen in emulated.app.requests
        if seen.method == "GET" and not seen.path.startswith("/oapi/")
    ]
    assert [seen.path.split("/")[1] for seen in gets] == ["hop", "emas-artifacts"]
    assert [_credential_headers(seen.headers) for seen in gets] == [[], []]
    assert result.path.read_bytes() == emulated.content


def test_redirect_to_plain_http_on_another_host_is_refused(mount: Any, tmp_path: Path) -> None:
    base_url = mount(Redirect("http://files.example.com/app.apk"))

    with pytest.raises(DownloadError, match="refusing"):
        download_from(base_url, f"{base_url}/files/app.apk", tmp_path)


def test_refused_redirect_leaves_nothing_behind(mount: Any, tmp_path: Path) -> None:
    base_url = mount(Redirect("http://files.example.com/app.apk"))

    with no_new_files(tmp_path), pytest.raises(DownloadError):
        download_from(base_url, f"{base_url}/files/app.apk", tmp_path)


def test_redirect_loop_ends_in_download_error(mount: Any, tmp_path: Path) -> None:
    base_url = mount(Redirect("/loop"))

    with no_new_files(tmp_path), pytest.raises(DownloadError, match="redirects"):
        download_from(base_url, f"{base_url}/loop", tmp_path)


def test_plain_http_file_url_on_another_host_is_refused(mount: Any, tmp_path: Path) -> None:
    base_url = mount(FileHost(HOSTED))

    with no_new_files(tmp_path), pytest.raises(DownloadError, match="refusing"):
        download_from(base_url, "http://files.example.com/app.apk", tmp_path)


# --- dropped connections ---------------------------------------------------------------------


@pytest.mark.parametrize("offset", [0, 1, 1500, 40_000, len(CONTENT) - 1])
@both_apis
def test_connection_dropped_at_an_offset_still_delivers_the_file_intact(
    emulator: Emulated, tmp_path: Path, offset: int
) -> None:
    emulator.service.drop_download_after(offset)

    result = download(emulator, tmp_path / "out.apk", chunk_size=SMALLEST_CHUNK)

    assert result.path.read_bytes() == emulator.content
    assert download_statuses(emulator)[0] is None  # the drop did happen


def test_resume_asks_for_the_bytes_not_yet_written(emulate: Any, tmp_path: Path) -> None:
    emulated = emulate(app=lambda service: Recorder(service.asgi_app))
    emulated.service.drop_download_after(40_000)

    download(emulated, tmp_path / "out.apk", chunk_size=SMALLEST_CHUNK)

    ranges = [seen.headers.get("range") for seen in emulated.app.downloads]
    assert ranges[0] == "bytes=0-"  # from 0 with Range: a 206 tells that ranges are served
    assert ranges[1] is not None
    start = int(ranges[1].removeprefix("bytes=").removesuffix("-"))
    assert 40_000 - SMALLEST_CHUNK < start <= 40_000
    assert download_statuses(emulated) == [None, 206]


def test_connection_dropped_several_times_still_delivers_the_file_intact(
    emulator: Emulated, tmp_path: Path
) -> None:
    for offset in (5_000, 20_000, 30_000):
        emulator.service.drop_download_after(offset)

    result = download(emulator, tmp_path / "out.apk", chunk_size=SMALLEST_CHUNK)

    assert result.path.read_bytes() == emulator.content
    assert download_statuses(emulator) == [None, None, None, 206]


@both_apis
def test_connection_that_keeps_dropping_ends_in_download_error_with_its_cause(
    emulator: Emulated, tmp_path: Path
) -> None:
    emulator.service.drop_download_after(2_000, count=50)

    with pytest.raises(DownloadError) as caught:
        download(emulator, tmp_path / "out.apk", chunk_size=SMALLEST_CHUNK)

    assert caught.value.__cause__ is not None
    assert len(emulator.service.download_calls) < 50  # attempts are bounded


def test_connection_that_keeps_dropping_leaves_nothing_behind(
    emulator: Emulated, tmp_path: Path
) -> None:
    emulator.service.drop_download_after(2_000, count=50)

    with no_new_files(tmp_path), pytest.raises(DownloadError):
        download(emulator, tmp_path / "out.apk", chunk_size=SMALLEST_CHUNK)


def test_unreachable_file_host_ends_in_download_error_with_the_cause(
    mount: Any, tmp_path: Path
) -> None:
    base_url = mount(FileHost(HOSTED))

    with no_new_files(tmp_path), pytest.raises(DownloadError) as caught:
        download_from(base_url, f"http://127.0.0.1:{closed_port()}/a.apk", tmp_path)

    assert isinstance(caught.value.__cause__, httpx.ConnectError)


def test_error_raised_by_the_progress_callback_leaves_nothing_behind(
    emulator: Emulated, tmp_path: Path
) -> None:
    def interrupt(done: int, total: int | None) -> None:
        raise RuntimeError("the caller gave up")

    with no_new_files(tmp_path), pytest.raises(RuntimeError):
        download(emulator, tmp_path / "out.apk", progress=interrupt)


def test_server_ignoring_range_restarts_and_yields_the_right_file(
    mount: Any, tmp_path: Path
) -> None:
    host = FileHost(HOSTED, range_mode="ignore", drop_after=20_000, drops=1)
    base_url = mount(host)

    result = download_from(base_url, f"{base_url}/f.apk", tmp_path, chunk_size=SMALLEST_CHUNK)

    assert result.path.read_bytes() == HOSTED
    assert host.requests[1].headers.get("range")  # it did ask to resume, and got a 200
    assert set(host.statuses) == {200}


def test_content_range_from_the_wrong_offset_restarts_and_yields_the_right_file(
    mount: Any, tmp_path: Path
) -> None:
    host = FileHost(HOSTED, range_mode="wrong_start", drop_after=20_000, drops=1)
    base_url = mount(host)

    result = download_from(
        base_url, f"{base_url}/f.apk", tmp_path, chunk_size=SMALLEST_CHUNK, connections=1
    )

    assert result.path.read_bytes() == HOSTED
    assert host.statuses == [200, 206, 200]


# --- expiring URLs ---------------------------------------------------------------------------


@both_apis
def test_url_expiring_mid_download_is_replaced_and_the_download_resumes(
    emulate: Any, tmp_path: Path
) -> None:
    emulated = emulate(app=ExpireAfterFirstDownload, url_ttl=60)
    emulated.service.drop_download_after(40_000)

    download(emulated, tmp_path / "out.apk", chunk_size=SMALLEST_CHUNK)

    assert download_statuses(emulated) == [None, 403, 206]
    assert [call.status for call in emulated.service.api_calls] == [200, 200]


@both_apis
def test_url_expiring_mid_download_still_delivers_the_file_intact(
    emulate: Any, tmp_path: Path
) -> None:
    emulated = emulate(app=ExpireAfterFirstDownload, url_ttl=60)
    emulated.service.drop_download_after(40_000)

    result = download(emulated, tmp_path / "out.apk", chunk_size=SMALLEST_CHUNK)

    assert result.path.read_bytes() == emulated.content


def test_file_host_that_keeps_refusing_the_url_ends_in_download_error(
    emulate: Any, tmp_path: Path
) -> None:
    emulated = emulate(app=lambda service: ForbidDownloads(service.asgi_app))

    with no_new_files(tmp_path), pytest.raises(DownloadError):
        download(emulated, tmp_path / "out.apk")

    assert len(emulated.service.api_calls) == 1 + MAX_URL_REFRESHES


def test_url_issued_after_expire_urls_is_valid(emulate: Any) -> None:
    # The emulator's clock stands still, so both URLs are issued in the same second.
    frozen = float(int(time.time()))
    emulated = emulate(now=lambda: frozen)
    with emulated.client() as client:
        client.get_pipeline_emas_artifact_url(**emulated.ids())
        emulated.service.expire_urls()
        fresh = client.get_pipeline_emas_artifact_url(**emulated.ids())

    assert httpx.get(fresh.file_url).status_code == 200


@both_apis
def test_expire_urls_mid_download_is_survived(emulate: Any, tmp_path: Path) -> None:
    frozen = float(int(time.time()))
    emulated = emulate(now=lambda: frozen)
    emulated.service.drop_download_after(40_000)
    expired: list[int] = []

    def expire_once(done: int, total: int | None) -> None:
        if not expired:
            expired.append(done)
            emulated.service.expire_urls()

    result = download(
        emulated, tmp_path / "out.apk", chunk_size=SMALLEST_CHUNK, progress=expire_once
    )

    assert result.path.read_bytes() == emulated.content


# --- checksums -------------------------------------------------------------------------------


@both_apis
def test_corrupted_body_raises_checksum_mismatch(emulator: Emulated, tmp_path: Path) -> None:
    emulator.service.corrupt_next_download()

    with pytest.raises(ChecksumMismatchError) as caught:
        download(emulator, tmp_path / "out.apk")

    assert caught.value.expected == emulator.md5
    assert caught.value.actual != emulator.md5


def test_corrupted_body_leaves_no_file_behind(emulator: Emulated, tmp_path: Path) -> None:
    emulator.service.corrupt_next_download()

    with pytest.raises(ChecksumMismatchError):
        download(emulator, tmp_path / "out.apk")

    assert not (tmp_path / "out.apk").exists()
    assert leftovers(tmp_path) == []


@both_apis
def test_md5_reported_for_other_bytes_raises_checksum_mismatch(
    emulate: Any, tmp_path: Path
) -> None:
    emulated = emulate(md5="0123456789abcdef0123456789abcdef")

    with no_new_files(tmp_path), pytest.raises(ChecksumMismatchError):
        download(emulated, tmp_path / "out.apk")


def test_md5_that_is_not_hex_downloads_unverified(emulate: Any, tmp_path: Path) -> None:
    emulated = emulate(md5="assasas")

    result = download(emulated, tmp_path / "out.apk")

    assert result.verified is False
    assert result.md5 == hashlib.md5(emulated.content, usedforsecurity=False).hexdigest()
    assert result.path.read_bytes() == emulated.content


# --- existing and unwritable destinations ----------------------------------------------------


def test_existing_destination_is_refused_before_any_request(
    emulator: Emulated, tmp_path: Path
) -> None:
    dest = tmp_path / "out.apk"
    dest.write_bytes(b"keep me")

    with pytest.raises(InvalidArgumentError):
        download(emulator, dest)

    assert dest.read_bytes() == b"keep me"
    assert emulator.service.calls == []


def test_existing_destination_is_replaced_with_overwrite(
    emulator: Emulated, tmp_path: Path
) -> None:
    dest = tmp_path / "out.apk"
    dest.write_bytes(b"old")

    download(emulator, dest, overwrite=True)

    assert dest.read_bytes() == emulator.content


def test_existing_file_of_the_served_name_in_the_directory_is_left_untouched(
    emulator: Emulated, tmp_path: Path
) -> None:
    (tmp_path / FILENAME).write_bytes(b"keep me")

    with no_new_files(tmp_path), pytest.raises(DownloadError):
        download(emulator, tmp_path)

    assert (tmp_path / FILENAME).read_bytes() == b"keep me"


def test_failed_download_with_overwrite_leaves_the_destination_untouched(
    emulator: Emulated, tmp_path: Path
) -> None:
    dest = tmp_path / "out.apk"
    dest.write_bytes(b"keep me")
    emulator.service.corrupt_next_download()

    with no_new_files(tmp_path), pytest.raises(ChecksumMismatchError):
        download(emulator, dest, overwrite=True)

    assert dest.read_bytes() == b"keep me"


def test_read_only_destination_directory_raises_download_error(
    emulator: Emulated, read_only_dir: Path
) -> None:
    with no_new_files(read_only_dir), pytest.raises(DownloadError, match="cannot write"):
        download(emulator, read_only_dir)


# --- memory ----------------------------------------------------------------------------------


def test_large_download_runs_in_bounded_memory(emulate: Any, tmp_path: Path) -> None:
    # tracemalloc counts Python allocations (of the emulator's thread too): a client that held
    # the body would show 64 MiB; one that streams shows a few chunks on each of its four
    # connections, and the hashing thread's read-back buffer.
    content = bytes(range(256)) * (256 * 1024)  # 64 MiB
    emulated = emulate(content=content)
    with emulated.client() as client:
        gc.collect()
        tracemalloc.start()
        try:
            result = client.download_pipeline_emas_artifact(
                **emulated.ids(), dest=tmp_path / "big.apk", chunk_size=64 * 1024
            )
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()

    assert result.size == len(content)
    assert peak < 8 * 1024 * 1024


# --- AsyncClient (over both of its transports) ----------------------------------------------


@pytest.fixture(params=["httpx", "aiohttp"])
def transport(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@both_apis
async def test_async_download_writes_the_artifact(
    emulator: Emulated, tmp_path: Path, transport: str
) -> None:
    async with emulator.async_client(transport=transport) as client:
        result = await client.download_pipeline_emas_artifact(
            **emulator.ids(), dest=tmp_path / "out.apk"
        )

    assert result.path.read_bytes() == emulator.content
    assert result.verified is True


@both_apis
async def test_async_download_resumes_after_a_dropped_connection(
    emulator: Emulated, tmp_path: Path, transport: str
) -> None:
    emulator.service.drop_download_after(40_000)

    async with emulator.async_client(transport=transport) as client:
        result = await client.download_pipeline_emas_artifact(
            **emulator.ids(), dest=tmp_path / "out.apk", chunk_size=SMALLEST_CHUNK
        )

    assert result.path.read_bytes() == emulator.content
    assert download_statuses(emulator) == [None, 206]


@both_apis
async def test_async_download_of_a_corrupted_body_raises_checksum_mismatch(
    emulator: Emulated, tmp_path: Path, transport: str
) -> None:
    emulator.service.corrupt_next_download()

    async with emulator.async_client(transport=transport) as client:
        with no_new_files(tmp_path), pytest.raises(ChecksumMismatchError):
            await client.download_pipeline_emas_artifact(
                **emulator.ids(), dest=tmp_path / "out.apk"
            )


@both_apis
async def test_async_download_with_an_expiring_url_resumes(
    emulate: Any, tmp_path: Path, transport: str
) -> None:
    emulated = emulate(app=ExpireAfterFirstDownload, url_ttl=60)
    emulated.service.drop_download_after(40_000)

    async with emulated.async_client(transport=transport) as client:
        result = await client.download_pipeline_emas_artifact(
            **emulated.ids(), dest=tmp_path / "out.apk", chunk_size=SMALLEST_CHUNK
        )

    assert result.path.read_bytes() == emulated.content
    assert download_statuses(emulated) == [None, 403, 206]


async def test_cancelled_async_download_leaves_nothing_behind(
    mount: Any, tmp_path: Path, transport: str
) -> None:
    host = StallingFileHost(HOSTED, first=8 * SMALLEST_CHUNK)
    base_url = mount(host)
    receiving = asyncio.Event()
    try:
        async with AsyncClient(
            credentials=CREDENTIALS, endpoint=base_url, retries=0, transport=transport
        ) as client:
            task = asyncio.create_task(
                client.download_pipeline_emas_artifact(
                    ORG,
                    PIPELINE,
                    RUN,
                    JOB,
                    HOSTED_MD5,
                    tmp_path,
                    service_connection_id=CONNECTION,
                    artifact_url=artifact_url(f"{base_url}/a.apk"),
                    chunk_size=SMALLEST_CHUNK,
                    progress=lambda done, total: receiving.set(),
                )
            )
            await asyncio.wait_for(receiving.wait(), timeout=30)
            assert leftovers(tmp_path)  # mid-download, the temporary file exists
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
    finally:
        host.release()

    assert os.listdir(tmp_path) == []


# --- the pytest plugin -----------------------------------------------------------------------


def test_plugin_fixture_serves_a_downloadable_artifact(
    yunxiao_emulator: Any, tmp_path: Path
) -> None:
    md5 = yunxiao_emulator.service.add_artifact(
        "plugin-org", 11, 1, "job-1", b"plugin bytes", service_connection_id=5
    )

    with Client(
        credentials=yunxiao_emulator.credentials, endpoint=yunxiao_emulator.base_url
    ) as client:
        result = client.download_pipeline_emas_artifact(
            "plugin-org", 11, 1, "job-1", md5, tmp_path, service_connection_id=5
        )

    assert result.path.read_bytes() == b"plugin bytes"


def test_plugin_fixture_serves_the_token_api_too(yunxiao_emulator: Any, tmp_path: Path) -> None:
    md5 = yunxiao_emulator.service.add_artifact(
        "plugin-org", 11, 1, "job-1", b"plugin bytes", service_connection_id=5
    )

    with Client(credentials=yunxiao_emulator.token, endpoint=yunxiao_emulator.base_url) as client:
        result = client.download_pipeline_emas_artifact(
            "plugin-org", 11, 1, "job-1", md5, tmp_path, service_connection_id=5
        )

    assert result.path.read_bytes() == b"plugin bytes"
    assert [call.operation for call in yunxiao_emulator.service.api_calls] == [
        "GetEmasArtifactDownloadUrl"
    ]
