"""Downloads over several connections, end to end. A download starts in one piece; when its
first MiB comes slowly (here: the emulator's per-connection bandwidth cap), the rest is fetched
in ranged parts at once, written at their offsets and verified over the whole file; drops,
expiring URLs, corrupted bytes and hosts that serve ranges wrong are survived or refused as in
one piece. A fast link (loopback without a cap) stays one connection."""

from __future__ import annotations

import asyncio
import hashlib
import os
import time
from pathlib import Path
from typing import Any

import pytest
from e2e_support import APIS, Emulated, ExpireAfterFirstDownload, Recorder, leftovers
from yunxiao_emas import ChecksumMismatchError
from yunxiao_emas._download.parts import MIN_PART_SIZE, part_size

both_apis = pytest.mark.parametrize("api", APIS, indirect=True)

# The first MiB in one piece, then parts of a MiB (the smallest) over the connections.
CONTENT = os.urandom(6 * MIN_PART_SIZE + 12_345)
MD5 = hashlib.md5(CONTENT, usedforsecurity=False).hexdigest()
CAP = 12_000_000  # bytes/s per connection: slow enough to call for parts


@pytest.fixture
def big(emulate: Any) -> Emulated:
    """The emulator with the artifact behind a capped file host, and a recorder of what
    reached it."""
    return emulate(
        content=CONTENT, app=lambda service: Recorder(service.asgi_app), download_bandwidth=CAP
    )


def ranges(emulated: Emulated) -> list[str | None]:
    return [seen.headers.get("range") for seen in emulated.app.downloads]


def download(emulated: Emulated, dest: Path, **options: Any) -> Any:
    with emulated.client(retries=0) as client:
        return client.download_pipeline_emas_artifact(**emulated.ids(), dest=dest, **options)


async def download_async(emulated: Emulated, dest: Path, transport: str, **options: Any) -> Any:
    async with emulated.async_client(retries=0, transport=transport) as client:
        return await client.download_pipeline_emas_artifact(**emulated.ids(), dest=dest, **options)


# --- the parts ---------------------------------------------------------------------------------


@both_apis
def test_a_file_of_several_parts_arrives_whole_and_verified(big: Emulated, tmp_path: Path) -> None:
    result = download(big, tmp_path / "out.apk", connections=4)

    assert result.path.read_bytes() == CONTENT
    assert (result.size, result.md5, result.verified) == (len(CONTENT), MD5, True)
    assert leftovers(tmp_path) == []


def test_the_rest_after_the_first_mib_is_asked_for_in_parts(big: Emulated, tmp_path: Path) -> None:
    download(big, tmp_path / "out.apk", connections=4)

    first, *rest = ranges(big)
    assert first == "bytes=0-"  # one piece, until the first MiB showed a slow link
    starts = sorted(int(r.removeprefix("bytes=").split("-")[0]) for r in rest if r)
    ends = sorted(int(r.split("-")[1]) for r in rest if r)
    size = part_size(len(CONTENT) - starts[0], 4)
    assert starts[0] >= MIN_PART_SIZE
    assert starts == list(range(starts[0], len(CONTENT), size))
    assert ends[-1] == len(CONTENT) - 1
    # The first answer was left where the parts began (its connection cut on purpose).
    assert [call.status for call in big.service.download_calls][1:] == [206] * len(rest)


def test_one_connection_is_one_request_for_the_whole_file(big: Emulated, tmp_path: Path) -> None:
    result = download(big, tmp_path / "out.apk", connections=1)

    assert result.path.read_bytes() == CONTENT
    assert ranges(big) == [None]


def test_a_fast_link_stays_one_connection(emulate: Any, tmp_path: Path) -> None:
    # Loopback without a cap is faster than any part would make it: no parts.
    fast = emulate(content=CONTENT, app=lambda service: Recorder(service.asgi_app))

    result = download(fast, tmp_path / "out.apk", connections=4)

    assert result.path.read_bytes() == CONTENT
    assert ranges(fast) == ["bytes=0-"]


@pytest.mark.parametrize("connections", [0, 17, True, 2.0, "4"])
def test_connections_out_of_bounds_are_refused_before_any_request(
    big: Emulated, tmp_path: Path, connections: object
) -> None:
    from yunxiao_emas import InvalidArgumentError

    with pytest.raises(InvalidArgumentError) as caught:
        download(big, tmp_path / "out.apk", connections=connections)

    assert caught.value.parameter == "connections"
    assert big.service.calls == []


# --- under fire --------------------------------------------------------------------------------


@both_apis
def test_a_part_that_drops_is_resumed_where_it_stopped(big: Emulated, tmp_path: Path) -> None:
    # The first answer (left at the split) is not cut; the next one, a part, is.
    big.service.drop_download_after(len(CONTENT))
    big.service.drop_download_after(300_000)

    result = download(big, tmp_path / "out.apk", connections=4)

    assert result.path.read_bytes() == CONTENT
    starts = [int(r.removeprefix("bytes=").split("-")[0]) for r in ranges(big)[1:] if r]
    first_part = min(starts)
    size = part_size(len(CONTENT) - first_part, 4)
    inside = [start for start in starts if (start - first_part) % size]
    assert len(inside) == 1  # one range starts inside a part: where the cut one stopped
    assert None in [call.status for call in big.service.download_calls]


def test_a_url_that_expires_between_parts_is_refreshed(emulate: Any, tmp_path: Path) -> None:
    emulated = emulate(
        content=CONTENT, app=ExpireAfterFirstDownload, url_ttl=60, download_bandwidth=CAP
    )

    result = download(emulated, tmp_path / "out.apk", connections=2)

    assert result.path.read_bytes() == CONTENT
    assert 403 in [call.status for call in emulated.service.download_calls]
    assert len(emulated.service.api_calls) == 2  # the first URL, and the fresh one


def test_a_corrupted_part_fails_the_whole_files_md5_and_leaves_nothing(
    big: Emulated, tmp_path: Path
) -> None:
    big.service.corrupt_next_download()

    with pytest.raises(ChecksumMismatchError):
        download(big, tmp_path / "out.apk", connections=4)

    assert os.listdir(tmp_path) == []


def test_a_host_that_ignores_ranges_gives_the_file_in_one_piece(
    emulate: Any, tmp_path: Path
) -> None:
    # The first request's Range is ignored: the whole file comes in that one answer.
    emulated = emulate(
        content=CONTENT,
        app=lambda service: Recorder(IgnoreRanges(service)),
        download_bandwidth=CAP,
    )

    result = download(emulated, tmp_path / "out.apk", connections=4)

    assert result.path.read_bytes() == CONTENT
    assert [call.status for call in emulated.service.download_calls] == [200]


class IgnoreRanges:
    """The emulator, with the Range header of every download stripped (a host that ignores
    it)."""

    def __init__(self, service: Any) -> None:
        self.app = service.asgi_app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and scope["path"].startswith("/emas-artifacts/"):
            headers = [(k, v) for k, v in scope["headers"] if bytes(k).lower() != b"range"]
            scope = {**scope, "headers": headers}
        await self.app(scope, receive, send)


# --- AsyncClient, over both transports ---------------------------------------------------------


@pytest.fixture(params=["httpx", "aiohttp"])
def transport(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@both_apis
async def test_async_parts_arrive_whole_and_verified(
    big: Emulated, tmp_path: Path, transport: str
) -> None:
    result = await download_async(big, tmp_path / "out.apk", transport, connections=4)

    assert result.path.read_bytes() == CONTENT
    assert (result.md5, result.verified) == (MD5, True)
    assert len(ranges(big)) > 2  # one piece, then parts


async def test_async_part_that_drops_is_resumed(
    big: Emulated, tmp_path: Path, transport: str
) -> None:
    big.service.drop_download_after(len(CONTENT))
    big.service.drop_download_after(300_000)

    result = await download_async(big, tmp_path / "out.apk", transport, connections=3)

    assert result.path.read_bytes() == CONTENT


async def test_async_download_in_parts_cancelled_leaves_nothing(
    emulate: Any, tmp_path: Path, transport: str
) -> None:
    emulated = emulate(content=CONTENT, download_bandwidth=4_000_000)
    receiving = asyncio.Event()
    task = asyncio.ensure_future(
        download_async(
            emulated,
            tmp_path / "out.apk",
            transport,
            connections=4,
            chunk_size=64 * 1024,
            progress=lambda done, total: receiving.set(),
        )
    )
    await asyncio.wait_for(receiving.wait(), timeout=30)  # mid-transfer
    assert leftovers(tmp_path)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task

    assert os.listdir(tmp_path) == []


# --- the emulator's bandwidth cap ---------------------------------------------------------------


def test_the_bandwidth_cap_holds_each_answer_to_its_rate(emulate: Any, tmp_path: Path) -> None:
    # A floor the emulator guarantees (no answer faster than its cap), not a speed target: a
    # busy machine only makes it slower.
    content = os.urandom(600_000)
    emulated = emulate(content=content, download_bandwidth=1_000_000)

    started = time.monotonic()
    result = download(emulated, tmp_path / "out.apk", connections=1)

    assert result.path.read_bytes() == content
    assert time.monotonic() - started >= 0.5


@pytest.mark.parametrize("bandwidth", [0, -1, float("nan"), "fast", True])
def test_a_bandwidth_that_is_not_a_positive_rate_is_refused(bandwidth: object) -> None:
    from yunxiao_emas.testing import EmulatedService

    with pytest.raises(ValueError, match="download_bandwidth"):
        EmulatedService(download_bandwidth=bandwidth)  # type: ignore[arg-type]
