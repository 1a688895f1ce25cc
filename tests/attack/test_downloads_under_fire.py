"""Downloads under fire: whatever the network, the disk, the file host or the caller does, the
destination ends byte-exact or untouched, nothing is left behind (no ``.part``), and a failure
is one typed error.

Over real loopback sockets: the emulator (its download faults), small file hosts that misbehave
in one way each, the raw TCP server for what no HTTP framework would send, and a subprocess
with ``RLIMIT_FSIZE`` for a full disk.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import textwrap
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from attack_support import (
    CONTENT,
    CONTENT_MD5,
    PLAIN_HTTP,
    FakeApi,
    RecordingApp,
    Target,
    credentials_for,
    drive,
    ids,
    respond,
    success_answer,
)
from attack_tcp import TcpFaultServer, answer
from e2e_support import FileHost, Redirect, StallingFileHost
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from yunxiao_emas import (
    AsyncClient,
    ChecksumMismatchError,
    DownloadedArtifact,
    DownloadError,
    InvalidArgumentError,
    YunxiaoError,
)
from yunxiao_emas.testing import serve

UNVERIFIED = "assasas"  # the reference's md5, not hex: nothing to verify against
RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10))}
RESERVED |= {f"LPT{i}" for i in range(1, 10)}


def leftovers(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if p.name.endswith(".part"))


def fake_download(
    flavour: str,
    api: str,
    base_url: str,
    dest: Path,
    *,
    md5: str = UNVERIFIED,
    http_client: Any = None,
    **download: Any,
) -> Any:
    """One download through a fake API at ``base_url``: the result, or the YunxiaoError."""
    options: dict[str, Any] = {"credentials": credentials_for(api), "endpoint": base_url}
    options["retries"] = 0
    if http_client is None:
        options["verify"] = PLAIN_HTTP
    else:
        options["http_client"] = http_client
    try:
        return drive(
            flavour,
            options,
            lambda c: c.download_pipeline_emas_artifact(**ids(md5), dest=dest, **download),
        )
    except YunxiaoError as exc:
        return exc


def file_api(api: str, file_host: Any, path: str = "/files/app-release.apk") -> FakeApi:
    """A fake API handing out a URL of ``file_host`` (mounted under /files/ beside it)."""

    def hand_out(seen: Any) -> Any:
        host = seen.headers["host"]
        return success_answer(api, f"http://{host}{path}?Expires=4102444800&Signature=c2ln")

    return FakeApi(hand_out, files=file_host)


# --- connections dropped at random offsets---------------------------------------------------------

drops = st.lists(st.integers(min_value=0, max_value=len(CONTENT) - 1), min_size=1, max_size=7)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(offsets=drops, corrupt=st.booleans())
def test_dropped_connections_leave_the_exact_file_or_nothing(
    target: Target,
    flavour: str,
    tmp_path_factory: pytest.TempPathFactory,
    quiet_logs: None,
    offsets: list[int],
    corrupt: bool,
) -> None:
    target.service.clear_faults()
    for offset in offsets:
        target.service.drop_download_after(offset)
    if corrupt:
        target.service.corrupt_next_download()
    dest = tmp_path_factory.mktemp("drops")

    try:
        result = target.download(flavour, dest)
    except DownloadError:
        assert list(dest.iterdir()) == []
        return
    assert isinstance(result, DownloadedArtifact)
    assert result.path.read_bytes() == CONTENT
    assert [p.name for p in dest.iterdir()] == [result.path.name]


# --- the destination-------------------------------------------------------------------------------


@pytest.mark.parametrize("overwrite", [False, True])
def test_destination_that_is_a_symlink_is_left_untouched(
    target: Target, flavour: str, tmp_path: Path, overwrite: bool
) -> None:
    victim = tmp_path / "victim"
    victim.write_bytes(b"precious")
    link = tmp_path / "app.apk"
    link.symlink_to(victim)

    with pytest.raises((InvalidArgumentError, DownloadError)):
        target.download(flavour, link, download={"overwrite": overwrite})

    assert link.is_symlink()
    assert os.readlink(link) == str(victim)
    assert victim.read_bytes() == b"precious"
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize("overwrite", [False, True])
def test_dangling_symlink_destination_is_left_untouched(
    target: Target, flavour: str, tmp_path: Path, overwrite: bool
) -> None:
    link = tmp_path / "app.apk"
    link.symlink_to(tmp_path / "elsewhere")

    with pytest.raises((InvalidArgumentError, DownloadError)):
        target.download(flavour, link, download={"overwrite": overwrite})

    assert link.is_symlink()
    assert not (tmp_path / "elsewhere").exists()
    assert leftovers(tmp_path) == []


def test_symlink_of_the_served_name_in_a_directory_is_left_untouched(
    target: Target, flavour: str, tmp_path: Path
) -> None:
    victim = tmp_path / "victim"
    victim.write_bytes(b"precious")
    folder = tmp_path / "out"
    folder.mkdir()
    (folder / "app-release.apk").symlink_to(victim)

    with pytest.raises(DownloadError):
        target.download(flavour, folder, download={"overwrite": True})

    assert (folder / "app-release.apk").is_symlink()
    assert victim.read_bytes() == b"precious"
    assert leftovers(folder) == []


@pytest.mark.parametrize("name", [None, "app.apk"])
def test_directory_without_write_permission_is_a_download_error_before_any_download(
    target: Target, flavour: str, read_only_dir: Path, name: str | None
) -> None:
    dest = read_only_dir if name is None else read_only_dir / name

    with pytest.raises(DownloadError):
        target.download(flavour, dest)

    assert target.service.download_calls == []
    assert os.listdir(read_only_dir) == []


# --- a full disk (RLIMIT_FSIZE in a subprocess)----------------------------------------------------

DISK_FULL_SCRIPT = textwrap.dedent(
    """
    import asyncio, json, os, resource, signal, sys
    sys.path[:0] = sys.argv[1:3]
    from attack_support import new_service, Target, PLAIN_HTTP
    from yunxiao_emas import YunxiaoError

    flavour, scenario, dest = sys.argv[3], sys.argv[4], sys.argv[5]
    content = os.urandom(1024 * 1024)
    service = new_service(content=content)
    if scenario == "full-then-drop":
        service.drop_download_after(600 * 1024)
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (200 * 1024, 200 * 1024))
    chunk = 4096 if scenario == "full" else 1024 * 1024
    with service.serve() as base_url:
        target = Target(service, base_url, "signed")
        target.md5 = __import__("hashlib").md5(content).hexdigest()
        try:
            target.download(flavour, dest, download={"chunk_size": chunk})
            outcome = "no error"
        except YunxiaoError as exc:
            outcome = "typed " + type(exc).__name__
        except BaseException as exc:
            outcome = "raw " + type(exc).__name__ + ": " + str(exc)
    print(json.dumps({"outcome": outcome, "left": sorted(os.listdir(dest))}))
    """
)


@pytest.fixture(scope="module")
def disk_full_runs(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str], dict]:
    """Every disk-full scenario, run at once in subprocesses (a full disk of 200 KiB)."""
    here = Path(__file__).resolve().parent
    paths = [str(here), str(here.parent / "e2e"), str(here.parent)]
    runs: dict[tuple[str, str], subprocess.Popen[str]] = {}
    for flavour in ("sync", "async"):
        for scenario in ("full", "full-then-drop"):
            dest = tmp_path_factory.mktemp(f"{flavour}-{scenario}")
            runs[flavour, scenario] = subprocess.Popen(
                [sys.executable, "-c", DISK_FULL_SCRIPT, *paths[:2], flavour, scenario, str(dest)],
                env={**os.environ, "PYTHONPATH": os.pathsep.join(paths)},
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
    results = {}
    for key, process in runs.items():
        out, err = process.communicate(timeout=60)
        assert process.returncode == 0, err
        results[key] = json.loads(out.strip().splitlines()[-1])
    return results


@pytest.mark.parametrize("scenario", ["full", "full-then-drop"])
def test_full_disk_is_a_download_error_leaving_nothing(
    disk_full_runs: dict[tuple[str, str], dict], flavour: str, scenario: str
) -> None:
    run = disk_full_runs[flavour, scenario]

    assert run["outcome"] == "typed DownloadError"
    assert run["left"] == []


# --- interrupted and cancelled---------------------------------------------------------------------


def _interrupt_after_first_report(done: int, total: int | None) -> None:
    raise KeyboardInterrupt


def test_keyboard_interrupt_mid_download_leaves_no_file_and_no_part(
    target: Target, flavour: str, tmp_path: Path
) -> None:
    dest = tmp_path / "app.apk"

    with pytest.raises(KeyboardInterrupt):
        target.download(
            flavour,
            dest,
            download={"progress": _interrupt_after_first_report, "chunk_size": 1024},
        )

    assert os.listdir(tmp_path) == []


def test_keyboard_interrupt_mid_download_keeps_the_file_it_would_replace(
    target: Target, flavour: str, tmp_path: Path
) -> None:
    dest = tmp_path / "app.apk"
    dest.write_bytes(b"previous build")

    with pytest.raises(KeyboardInterrupt):
        target.download(
            flavour,
            dest,
            download={
                "progress": _interrupt_after_first_report,
                "chunk_size": 1024,
                "overwrite": True,
            },
        )

    assert dest.read_bytes() == b"previous build"
    assert leftovers(tmp_path) == []


def test_async_download_cancelled_mid_transfer_leaves_nothing(
    mount: Callable[[Any], str], tmp_path: Path
) -> None:
    stalling = StallingFileHost(CONTENT, first=8192)
    base_url = mount(file_api("signed", stalling))
    dest = tmp_path / "app.apk"
    dest.write_bytes(b"previous build")

    async def main() -> None:
        started = asyncio.Event()
        async with AsyncClient(
            credentials=credentials_for("signed"), endpoint=base_url, verify=PLAIN_HTTP
        ) as client:
            task = asyncio.ensure_future(
                client.download_pipeline_emas_artifact(
                    **ids(UNVERIFIED),
                    dest=dest,
                    overwrite=True,
                    chunk_size=1024,
                    progress=lambda done, total: started.set(),
                )
            )
            await asyncio.wait_for(started.wait(), 10)
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task

    try:
        asyncio.run(main())
    finally:
        stalling.release()

    assert dest.read_bytes() == b"previous build"
    assert leftovers(tmp_path) == []


def test_async_download_cancelled_during_the_commit_is_all_or_nothing(
    target: Target, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    dest = tmp_path / "app.apk"
    dest.write_bytes(b"previous build")
    entered, release = threading.Event(), threading.Event()
    real_fsync = os.fsync

    def slow_fsync(fd: int) -> None:
        entered.set()
        release.wait(10)
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", slow_fsync)
    outcome: dict[str, Any] = {}

    async def main() -> None:
        async with AsyncClient(**target.options()) as client:
            task = asyncio.ensure_future(
                client.download_pipeline_emas_artifact(**target.ids(), dest=dest, overwrite=True)
            )
            assert await asyncio.to_thread(entered.wait, 10)
            task.cancel()
            await asyncio.sleep(0.05)
            release.set()
            try:
                outcome["result"] = await task
            except asyncio.CancelledError:
                outcome["cancelled"] = True

    try:
        asyncio.run(main())
    finally:
        release.set()

    if "result" in outcome:  # the commit completed, and the caller was told
        assert dest.read_bytes() == CONTENT
    else:  # cancelled: then nothing may have been replaced
        assert dest.read_bytes() == b"previous build"
    assert leftovers(tmp_path) == []


# --- two downloads at once-------------------------------------------------------------------------


class SlowFileHost:
    """Serves ``content`` at every path in eight pieces, a little apart, so downloads overlap."""

    def __init__(self, content: bytes) -> None:
        self.content = content

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        headers = [
            (b"content-type", b"application/octet-stream"),
            (b"content-length", str(len(self.content)).encode()),
        ]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        step = len(self.content) // 8
        for start in range(0, len(self.content), step):
            await asyncio.sleep(0.02)
            piece = self.content[start : start + step]
            await send({"type": "http.response.body", "body": piece, "more_body": True})
        await send({"type": "http.response.body", "body": b""})


@pytest.mark.parametrize("overwrite", [False, True])
@pytest.mark.parametrize("into", ["directory", "file"])
def test_two_downloads_into_one_place_at_once_never_mix(
    api: str,
    flavour: str,
    overwrite: bool,
    into: str,
    mount: Callable[[Any], str],
    tmp_path: Path,
) -> None:
    base_url = mount(file_api(api, SlowFileHost(CONTENT)))
    md5 = CONTENT_MD5
    dest = tmp_path if into == "directory" else tmp_path / "app-release.apk"
    outcomes: list[Any] = [None, None]

    def one(index: int) -> None:
        outcomes[index] = fake_download(flavour, api, base_url, dest, md5=md5, overwrite=overwrite)

    threads = [threading.Thread(target=one, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    assert all(isinstance(o, DownloadedArtifact | DownloadError) for o in outcomes), outcomes
    assert any(isinstance(o, DownloadedArtifact) for o in outcomes), outcomes
    assert (tmp_path / "app-release.apk").read_bytes() == CONTENT
    assert leftovers(tmp_path) == []


# --- names the file host gives---------------------------------------------------------------------

DISPOSITIONS = {
    "parent-dirs": 'attachment; filename="../../x"',
    "absolute": 'attachment; filename="/etc/x"',
    "backslashes": 'attachment; filename="..\\\\..\\\\x"',
    "rfc2231-parent-dirs": "attachment; filename*=UTF-8''..%2F..%2Fx",
    "dotfile": 'attachment; filename=".bashrc"',
    "space-dotfile": 'attachment; filename=" .profile"',
    "only-dots": 'attachment; filename="..."',
    "empty": 'attachment; filename=""',
    "con": 'attachment; filename="CON"',
    "nul-lower": 'attachment; filename="nul"',
    "aux-with-extension": 'attachment; filename="aux.apk"',
    "com1": 'attachment; filename="COM1"',
    "lpt9-with-extension": 'attachment; filename="LPT9.tar.gz"',
}
URL_NAMES = {
    "encoded-parent-dirs": "/files/..%2F..%2Fx",
    "encoded-absolute": "/files/%2Fetc%2Fx",
    "dotfile": "/files/.bashrc",
    "empty": "/files/",
    "con": "/files/CON",
    "nul-with-extension": "/files/NUL.apk",
}


def _assert_one_safe_file(folder: Path, outcome: Any) -> None:
    assert isinstance(outcome, DownloadedArtifact), outcome
    names = os.listdir(folder)
    assert names == [outcome.path.name]
    assert outcome.path.parent == folder
    name = names[0]
    assert name
    assert "/" not in name
    assert "\\" not in name
    assert not name.startswith("."), f"a hidden file by surprise: {name!r}"
    assert name.split(".", 1)[0].strip().upper() not in RESERVED, f"a reserved name: {name!r}"


@pytest.mark.parametrize("disposition", list(DISPOSITIONS.values()), ids=list(DISPOSITIONS))
def test_content_disposition_name_is_reduced_to_one_safe_component(
    api: str, flavour: str, disposition: str, mount: Callable[[Any], str], tmp_path: Path
) -> None:
    host = FileHost(CONTENT, headers={"content-disposition": disposition})
    folder = tmp_path / "out"
    folder.mkdir()

    outcome = fake_download(flavour, api, mount(file_api(api, host)), folder)

    _assert_one_safe_file(folder, outcome)
    assert sorted(os.listdir(tmp_path)) == ["out"]


@pytest.mark.parametrize("path", list(URL_NAMES.values()), ids=list(URL_NAMES))
def test_url_path_name_is_reduced_to_one_safe_component(
    api: str, flavour: str, path: str, mount: Callable[[Any], str], tmp_path: Path
) -> None:
    folder = tmp_path / "out"
    folder.mkdir()

    outcome = fake_download(flavour, api, mount(file_api(api, FileHost(CONTENT), path)), folder)

    _assert_one_safe_file(folder, outcome)
    assert sorted(os.listdir(tmp_path)) == ["out"]


# --- redirects, lengths and ranges-----------------------------------------------------------------


@pytest.fixture
def other_origin() -> Iterator[tuple[str, RecordingApp]]:
    """A second file host on another origin (its own port, named ``localhost``)."""
    app = RecordingApp(FileHost(CONTENT))
    with serve(app) as base_url:
        yield base_url.replace("127.0.0.1", "localhost"), app


def test_redirect_to_another_host_delivers_the_exact_file_and_nothing_of_ours(
    api: str,
    flavour: str,
    mount: Callable[[Any], str],
    other_origin: tuple[str, RecordingApp],
    tmp_path: Path,
) -> None:
    origin, recorder = other_origin
    base_url = mount(file_api(api, Redirect(f"{origin}/elsewhere/app.apk?Expires=1&Signature=x")))
    dest = tmp_path / "app.apk"

    outcome = fake_download(flavour, api, base_url, dest, md5=CONTENT_MD5)

    assert isinstance(outcome, DownloadedArtifact), outcome
    assert dest.read_bytes() == CONTENT
    (seen,) = recorder.requests
    sent = {name.lower() for name in seen.headers}
    assert not sent & {"authorization", "x-yunxiao-token", "cookie"}
    assert not any(name.startswith("x-acs-") for name in sent)


@pytest.mark.parametrize(
    "location",
    ["http://files.example.invalid/app.apk", "file:///etc/passwd", "ftp://127.0.0.1/app.apk"],
)
def test_redirect_to_a_forbidden_place_is_a_download_error_leaving_nothing(
    api: str, flavour: str, location: str, mount: Callable[[Any], str], tmp_path: Path
) -> None:
    outcome = fake_download(flavour, api, mount(file_api(api, Redirect(location))), tmp_path)

    assert isinstance(outcome, DownloadError), outcome
    assert os.listdir(tmp_path) == []


def test_more_bytes_than_content_length_are_never_written(
    api: str, flavour: str, mount: Callable[[Any], str], tmp_path: Path
) -> None:
    junk = b"JUNK" * 4096
    host = answer(200, CONTENT + junk, {"content-length": str(len(CONTENT))})
    with TcpFaultServer(host) as server:
        fake = FakeApi(success_answer(api, f"{server.url}/app.apk?Expires=1&Signature=s"))
        dest = tmp_path / "app.apk"

        outcome = fake_download(flavour, api, mount(fake), dest)

    if isinstance(outcome, DownloadedArtifact):
        assert dest.read_bytes() == CONTENT
    else:
        assert isinstance(outcome, DownloadError), outcome
        assert os.listdir(tmp_path) == []


class UnaskedPartial:
    """Answers 206 whatever was asked, with a ``Content-Range`` of its own choosing."""

    def __init__(self, content: bytes, start: int, end: int, body: bytes | None = None) -> None:
        self.content, self.start, self.end = content, start, end
        self.body = content[start : end + 1] if body is None else body
        self.requests = 0

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        self.requests += 1
        size = len(self.content)
        headers = {
            "content-type": "application/octet-stream",
            "content-range": f"bytes {self.start}-{self.end}/{size}",
        }
        await respond(send, 206, headers, self.body)


PARTIALS = {
    "tail-only": lambda c: UnaskedPartial(c, 10, len(c) - 1),
    "head-only-every-time": lambda c: UnaskedPartial(c, 0, 99),
    "range-claims-all-body-is-short": lambda c: UnaskedPartial(c, 0, len(c) - 1, c[: len(c) // 2]),
    "middle": lambda c: UnaskedPartial(c, 100, 199),
}


@pytest.mark.parametrize("make", list(PARTIALS.values()), ids=list(PARTIALS))
def test_partial_answer_not_asked_for_never_makes_a_wrong_file(
    api: str,
    flavour: str,
    make: Callable[[bytes], Any],
    mount: Callable[[Any], str],
    tmp_path: Path,
) -> None:
    dest = tmp_path / "app.apk"

    outcome = fake_download(flavour, api, mount(file_api(api, make(CONTENT))), dest)

    if isinstance(outcome, DownloadedArtifact):
        assert dest.read_bytes() == CONTENT
    else:
        assert isinstance(outcome, DownloadError), outcome
        assert os.listdir(tmp_path) == []


def test_default_params_of_a_callers_http_client_never_reach_the_file_host(
    emulate: Callable[..., Target], flavour: str, tmp_path: Path
) -> None:
    recorder: list[RecordingApp] = []

    def wrap(app: Any) -> RecordingApp:
        recorder.append(RecordingApp(app))
        return recorder[0]

    target = emulate(wrap=wrap)
    params = {"Expires": "1", "Signature": "forged", "apikey": "caller-secret"}
    dest = tmp_path / "app.apk"
    if flavour == "sync":
        with httpx.Client(params=params) as http:
            result = target.download(flavour, dest, http_client=http)
    else:

        async def main() -> Any:
            async with (
                httpx.AsyncClient(params=params) as http,
                AsyncClient(**target.options(http_client=http)) as client,
            ):
                return await client.download_pipeline_emas_artifact(**target.ids(), dest=dest)

        result = asyncio.run(main())

    assert isinstance(result, DownloadedArtifact)
    assert dest.read_bytes() == CONTENT
    downloads = [seen for seen in recorder[0].requests if "/emas-artifacts/" in seen.raw_path]
    assert downloads
    for seen in downloads:
        query = httpx.QueryParams(seen.query)
        assert len(query.get_list("Expires")) == 1
        assert query["Expires"] != "1"
        assert query.get_list("Signature") != ["forged"]
        assert len(query.get_list("Signature")) == 1
        assert "apikey" not in query


def test_checksum_mismatch_leaves_nothing_and_names_both_digests(
    target: Target, flavour: str, tmp_path: Path
) -> None:
    target.service.corrupt_next_download()

    with pytest.raises(ChecksumMismatchError) as caught:
        target.download(flavour, tmp_path)

    assert caught.value.expected == target.md5
    assert os.listdir(tmp_path) == []
