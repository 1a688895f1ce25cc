"""The download flow (sans I/O): its decisions, checked by playing the file host here.

Each test runs ``download_flow`` with a real :class:`Transfer` writing under ``tmp_path`` and
answers its steps the way the clients do: ``FETCH`` with an :class:`ArtifactUrl`, ``Stream``
by handing the transfer a scripted ``httpx.Response`` and body (a failure raised is thrown
into the flow), ``Sleep`` with nothing, ``Commit`` with ``transfer.commit``. No transport, no
sleeping: only the disk.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import attrs
import httpx
import pytest
from yunxiao_emas import (
    ArtifactUrl,
    ChecksumMismatchError,
    DownloadedArtifact,
    DownloadError,
    NotFoundError,
)
from yunxiao_emas._call.policy import MAX_RESTARTS, MAX_RESUMES, MAX_URL_REFRESHES, RetryPolicy
from yunxiao_emas._call.retry import Sleep
from yunxiao_emas._download.flow import FETCH, Commit, Stream, download_flow
from yunxiao_emas._download.transfer import Transfer

CONTENT = bytes(range(256)) * 40  # 10 KiB
MD5 = hashlib.md5(CONTENT, usedforsecurity=False).hexdigest()
HALF = len(CONTENT) // 2
FUTURE = dt.datetime(2100, 1, 1, tzinfo=dt.UTC)
PAST = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)


def url(n: int = 1, expires_at: dt.datetime = FUTURE) -> ArtifactUrl:
    return ArtifactUrl(
        file_url=f"https://files.example/app.apk?v={n}&Signature=s3cr3t-{n}",
        request_id=f"R-{n}",
        expires_at=expires_at,
    )


@attrs.frozen
class Answer:
    """One answer of the file host: status, headers, the body's pieces, then maybe a drop."""

    status: int = 200
    headers: dict[str, str] = attrs.field(factory=dict)
    chunks: tuple[bytes, ...] = ()
    drop: Exception | None = None


def whole() -> Answer:
    return Answer(200, {"content-length": str(len(CONTENT))}, (CONTENT,))


def first_half_then_drop() -> Answer:
    return Answer(
        200, {"content-length": str(len(CONTENT))}, (CONTENT[:HALF],), httpx.ReadError("reset")
    )


def rest_from(offset: int) -> Answer:
    headers = {"content-range": f"bytes {offset}-{len(CONTENT) - 1}/{len(CONTENT)}"}
    return Answer(206, headers, (CONTENT[offset:],))


def status(code: int, **headers: str) -> Answer:
    return Answer(code, headers)


@attrs.define
class Run:
    """What one download did: the steps, the request headers of each stream, the outcome."""

    steps: list[Any] = attrs.field(factory=list)
    streamed: list[tuple[str, dict[str, str]]] = attrs.field(factory=list)
    result: DownloadedArtifact | None = None
    error: BaseException | None = None

    @property
    def kinds(self) -> list[str]:
        names = {Stream: "stream", Sleep: "sleep", Commit: "commit"}
        return ["fetch" if step is FETCH else names[type(step)] for step in self.steps]

    @property
    def sleeps(self) -> list[float]:
        return [step.seconds for step in self.steps if isinstance(step, Sleep)]


def make_transfer(dest: Path, md5: str = MD5, **options: Any) -> Transfer:
    return Transfer(
        dest,
        expected_md5=md5,
        overwrite=options.pop("overwrite", False),
        progress=options.pop("progress", None),
        chunk_size=options.pop("chunk_size", 1024),
    )


def download(
    transfer: Transfer,
    answers: Iterable[Answer],
    *,
    fetches: Iterable[ArtifactUrl | Exception] = (),
    artifact_url: ArtifactUrl | None = None,
    policy: RetryPolicy | None = None,
    rand: Callable[[], float] = lambda: 1.0,
) -> Run:
    """Drive the flow the way the clients do, with the file host's answers scripted."""
    run = Run()
    answers = iter(answers)
    fetched = iter(fetches) if fetches else iter(url(n) for n in range(1, 100))
    flow = download_flow(transfer, artifact_url, policy or RetryPolicy(), rand)

    def stream(file_url: str) -> None:
        run.streamed.append((file_url, transfer.request_headers()))
        answer = next(answers)
        request = httpx.Request("GET", file_url)
        response = httpx.Response(answer.status, headers=answer.headers, request=request)
        transfer.accept(response)
        for chunk in answer.chunks:
            transfer.write(chunk)
        if answer.drop is not None:
            raise answer.drop

    try:
        step = next(flow)
        while True:
            run.steps.append(step)
            try:
                reply: Any = None
                if step is FETCH:
                    reply = next(fetched)
                    if isinstance(reply, Exception):
                        raise reply
                elif isinstance(step, Stream):
                    stream(step.file_url)
                elif isinstance(step, Commit):
                    reply = transfer.commit(step.request_id)
            except BaseException as exc:  # thrown into the flow, as the clients do
                step = flow.throw(exc)
            else:
                step = flow.send(reply)
    except StopIteration as stop:
        run.result = stop.value
    except BaseException as exc:  # the run keeps what the flow raised
        run.error = exc
    return run


def leftovers(folder: Path) -> list[str]:
    return sorted(path.name for path in folder.iterdir())


# --- where the URL comes from ---------------------------------------------------------------


def test_without_a_url_the_first_step_fetches_one(tmp_path: Path) -> None:
    run = download(make_transfer(tmp_path / "app.apk"), [whole()])
    assert run.kinds == ["fetch", "stream", "commit"]
    assert run.streamed[0][0] == url(1).file_url


def test_a_fresh_url_given_is_streamed_without_fetching(tmp_path: Path) -> None:
    given = url(7)
    run = download(make_transfer(tmp_path / "app.apk"), [whole()], artifact_url=given)
    assert run.kinds == ["stream", "commit"]
    assert run.streamed[0][0] == given.file_url
    assert run.result is not None
    assert run.result.request_id == "R-7"


def test_an_expired_url_given_is_replaced_by_a_fetched_one(tmp_path: Path) -> None:
    run = download(
        make_transfer(tmp_path / "app.apk"), [whole()], artifact_url=url(7, expires_at=PAST)
    )
    assert run.kinds == ["fetch", "stream", "commit"]
    assert run.streamed[0][0] == url(1).file_url


def test_an_error_getting_the_url_ends_the_download_and_leaves_nothing(tmp_path: Path) -> None:
    missing = NotFoundError(code="NotFound", message="m", request_id="R", status_code=404)
    run = download(make_transfer(tmp_path / "app.apk"), [], fetches=[missing])
    assert run.error is missing
    assert leftovers(tmp_path) == []


# --- a whole file ---------------------------------------------------------------------------


def test_a_whole_file_is_committed_with_the_request_id_of_its_url(tmp_path: Path) -> None:
    run = download(make_transfer(tmp_path / "app.apk"), [whole()])
    assert run.error is None
    commit = run.steps[-1]
    assert isinstance(commit, Commit)
    assert commit.request_id == "R-1"
    assert run.result == DownloadedArtifact(
        path=tmp_path / "app.apk",
        size=len(CONTENT),
        md5=MD5,
        request_id="R-1",
        verified=True,
        attempts=1,  # the one API call for its URL
    )
    assert (tmp_path / "app.apk").read_bytes() == CONTENT
    assert leftovers(tmp_path) == ["app.apk"]


def test_the_first_request_asks_for_the_whole_file_as_stored(tmp_path: Path) -> None:
    run = download(make_transfer(tmp_path / "app.apk"), [whole()])
    [(_, headers)] = run.streamed
    assert headers == {"accept-encoding": "identity"}


def test_a_file_of_unknown_size_is_complete_when_its_body_ends(tmp_path: Path) -> None:
    run = download(make_transfer(tmp_path / "app.apk"), [Answer(200, {}, (CONTENT,))])
    assert run.kinds == ["fetch", "stream", "commit"]
    assert (tmp_path / "app.apk").read_bytes() == CONTENT


def test_into_a_directory_the_name_comes_from_the_url(tmp_path: Path) -> None:
    run = download(make_transfer(tmp_path), [whole()])
    assert run.result is not None
    assert run.result.path == tmp_path / "app.apk"
    assert leftovers(tmp_path) == ["app.apk"]


def test_into_a_directory_the_name_comes_from_content_disposition_first(tmp_path: Path) -> None:
    named = Answer(
        200,
        {
            "content-length": str(len(CONTENT)),
            "content-disposition": 'attachment; filename="x.ipa"',
        },
        (CONTENT,),
    )
    run = download(make_transfer(tmp_path), [named])
    assert run.result is not None
    assert run.result.path == tmp_path / "x.ipa"


def test_progress_ends_with_every_byte_and_the_total(tmp_path: Path) -> None:
    reports: list[tuple[int, int | None]] = []
    transfer = make_transfer(tmp_path / "app.apk", progress=lambda *a: reports.append(a))
    pieces = tuple(CONTENT[start : start + 1000] for start in range(0, len(CONTENT), 1000))
    download(transfer, [Answer(200, {"content-length": str(len(CONTENT))}, pieces)])
    assert reports[-1] == (len(CONTENT), len(CONTENT))
    assert [done for done, _ in reports] == sorted({done for done, _ in reports})


def test_a_non_hex_md5_downloads_unverified(tmp_path: Path) -> None:
    run = download(make_transfer(tmp_path / "app.apk", md5="assasas"), [whole()])
    assert run.result is not None
    assert run.result.verified is False
    assert run.result.md5 == MD5


# --- a dropped connection: resume -----------------------------------------------------------


def test_a_dropped_connection_resumes_from_the_bytes_written(tmp_path: Path) -> None:
    run = download(make_transfer(tmp_path / "app.apk"), [first_half_then_drop(), rest_from(HALF)])
    assert run.kinds == ["fetch", "stream", "stream", "commit"]
    (first_url, _), (again_url, headers) = run.streamed
    assert again_url == first_url
    assert headers["range"] == f"bytes={HALF}-"
    assert (tmp_path / "app.apk").read_bytes() == CONTENT


def test_a_body_that_ends_early_resumes_like_a_drop(tmp_path: Path) -> None:
    short = Answer(200, {"content-length": str(len(CONTENT))}, (CONTENT[:HALF],))
    run = download(make_transfer(tmp_path / "app.apk"), [short, rest_from(HALF)])
    assert run.kinds == ["fetch", "stream", "stream", "commit"]
    assert run.streamed[1][1]["range"] == f"bytes={HALF}-"
    assert (tmp_path / "app.apk").read_bytes() == CONTENT


def test_resumes_are_bounded_and_the_last_drop_is_the_cause(tmp_path: Path) -> None:
    def a_little_then_drop(offset: int, n: int) -> Answer:
        headers = {"content-range": f"bytes {offset}-{len(CONTENT) - 1}/{len(CONTENT)}"}
        return Answer(206, headers, (CONTENT[offset : offset + 10],), httpx.ReadError(f"drop {n}"))

    answers = [first_half_then_drop()] + [
        a_little_then_drop(HALF + 10 * n, n) for n in range(MAX_RESUMES + 5)
    ]
    run = download(make_transfer(tmp_path / "app.apk"), answers)
    assert isinstance(run.error, DownloadError)
    assert run.kinds.count("stream") == MAX_RESUMES + 1
    assert isinstance(run.error.__cause__, httpx.ReadError)
    assert str(run.error.__cause__) == f"drop {MAX_RESUMES - 1}"
    assert leftovers(tmp_path) == []


# --- an expired URL: refresh ----------------------------------------------------------------


def test_a_403_fetches_a_fresh_url_and_resumes_from_the_same_byte(tmp_path: Path) -> None:
    run = download(
        make_transfer(tmp_path / "app.apk"), [first_half_then_drop(), status(403), rest_from(HALF)]
    )
    assert run.kinds == ["fetch", "stream", "stream", "fetch", "stream", "commit"]
    fresh_url, headers = run.streamed[2]
    assert fresh_url == url(2).file_url
    assert headers["range"] == f"bytes={HALF}-"
    assert (tmp_path / "app.apk").read_bytes() == CONTENT


def test_the_commit_carries_the_request_id_of_the_fresh_url(tmp_path: Path) -> None:
    run = download(make_transfer(tmp_path / "app.apk"), [status(403), whole()])
    assert run.result is not None
    assert run.result.request_id == "R-2"


def test_url_refreshes_are_bounded(tmp_path: Path) -> None:
    run = download(make_transfer(tmp_path / "app.apk"), [status(403)] * (MAX_URL_REFRESHES + 5))
    assert isinstance(run.error, DownloadError)
    assert "403" in str(run.error)
    assert run.kinds.count("fetch") == MAX_URL_REFRESHES + 1
    assert leftovers(tmp_path) == []


def test_an_error_getting_a_fresh_url_ends_the_download(tmp_path: Path) -> None:
    missing = NotFoundError(code="NotFound", message="m", request_id="R", status_code=404)
    run = download(make_transfer(tmp_path / "app.apk"), [status(403)], fetches=[url(1), missing])
    assert run.error is missing
    assert leftovers(tmp_path) == []


# --- a busy file host: wait -----------------------------------------------------------------


def test_a_busy_file_host_is_waited_out_for_its_retry_after(tmp_path: Path) -> None:
    run = download(
        make_transfer(tmp_path / "app.apk"), [status(503, **{"retry-after": "2"}), whole()]
    )
    assert run.kinds == ["fetch", "stream", "sleep", "stream", "commit"]
    assert run.sleeps == [2.0]
    assert run.streamed[0][0] == run.streamed[1][0]
    assert (tmp_path / "app.apk").read_bytes() == CONTENT


def test_the_file_hosts_retry_after_is_capped_by_the_policy(tmp_path: Path) -> None:
    run = download(
        make_transfer(tmp_path / "app.apk"),
        [status(429, **{"retry-after": "3600"}), whole()],
        policy=RetryPolicy(retry_after_cap=5.0),
    )
    assert run.sleeps == [5.0]


def test_without_retry_after_the_wait_is_the_policy_backoff(tmp_path: Path) -> None:
    run = download(
        make_transfer(tmp_path / "app.apk"),
        [status(429), status(502), whole()],
        policy=RetryPolicy(backoff_initial=0.5, backoff_max=8.0),
        rand=lambda: 1.0,
    )
    assert run.sleeps == [0.5, 1.0]


def test_waiting_resumes_from_the_bytes_written(tmp_path: Path) -> None:
    run = download(
        make_transfer(tmp_path / "app.apk"),
        [first_half_then_drop(), status(503), rest_from(HALF)],
    )
    assert run.kinds == ["fetch", "stream", "stream", "sleep", "stream", "commit"]
    assert run.streamed[2][1]["range"] == f"bytes={HALF}-"
    assert (tmp_path / "app.apk").read_bytes() == CONTENT


def test_a_file_host_that_stays_busy_ends_in_download_error(tmp_path: Path) -> None:
    run = download(make_transfer(tmp_path / "app.apk"), [status(503)] * (MAX_RESUMES + 5))
    assert isinstance(run.error, DownloadError)
    assert run.kinds.count("stream") == MAX_RESUMES + 1
    assert leftovers(tmp_path) == []


# --- Range not honoured: restart ------------------------------------------------------------


def test_a_200_to_a_ranged_request_restarts_from_byte_zero(tmp_path: Path) -> None:
    run = download(make_transfer(tmp_path / "app.apk"), [first_half_then_drop(), whole(), whole()])
    assert run.kinds == ["fetch", "stream", "stream", "stream", "commit"]
    assert run.streamed[1][1]["range"] == f"bytes={HALF}-"
    assert "range" not in run.streamed[2][1]
    assert (tmp_path / "app.apk").read_bytes() == CONTENT  # not the first half twice


def test_a_416_to_a_ranged_request_restarts_from_byte_zero(tmp_path: Path) -> None:
    run = download(
        make_transfer(tmp_path / "app.apk"), [first_half_then_drop(), status(416), whole()]
    )
    assert run.kinds == ["fetch", "stream", "stream", "stream", "commit"]
    assert "range" not in run.streamed[2][1]
    assert (tmp_path / "app.apk").read_bytes() == CONTENT


def test_a_206_that_starts_elsewhere_restarts_from_byte_zero(tmp_path: Path) -> None:
    run = download(
        make_transfer(tmp_path / "app.apk"), [first_half_then_drop(), rest_from(HALF - 1), whole()]
    )
    assert run.kinds == ["fetch", "stream", "stream", "stream", "commit"]
    assert (tmp_path / "app.apk").read_bytes() == CONTENT


def test_restarts_are_bounded(tmp_path: Path) -> None:
    answers = [first_half_then_drop(), whole()] * (MAX_RESTARTS + 5)
    run = download(make_transfer(tmp_path / "app.apk"), answers)
    assert isinstance(run.error, DownloadError)
    assert run.kinds.count("stream") < 2 * (MAX_RESTARTS + 2)
    assert leftovers(tmp_path) == []


def test_a_206_without_content_range_to_a_whole_file_request_fails_at_once(
    tmp_path: Path,
) -> None:
    run = download(make_transfer(tmp_path / "app.apk"), [Answer(206, {}, (CONTENT,))] * 3)
    assert isinstance(run.error, DownloadError)
    assert "Content-Range" in str(run.error)
    assert run.kinds.count("stream") == 1
    assert leftovers(tmp_path) == []


# --- giving up ------------------------------------------------------------------------------


def test_an_unexpected_status_ends_the_download_without_showing_the_signature(
    tmp_path: Path,
) -> None:
    run = download(make_transfer(tmp_path / "app.apk"), [status(404), whole()])
    assert isinstance(run.error, DownloadError)
    assert "404" in str(run.error)
    assert "s3cr3t" not in str(run.error)
    assert run.kinds.count("stream") == 1
    assert leftovers(tmp_path) == []


def test_a_request_error_that_is_not_a_dropped_connection_ends_the_download(
    tmp_path: Path,
) -> None:
    failing = Answer(200, {}, (CONTENT[:10],), httpx.DecodingError("bad gzip"))
    run = download(make_transfer(tmp_path / "app.apk"), [failing, whole()])
    assert isinstance(run.error, DownloadError)
    assert isinstance(run.error.__cause__, httpx.DecodingError)
    assert run.kinds.count("stream") == 1
    assert leftovers(tmp_path) == []


def test_a_malformed_url_ends_the_download(tmp_path: Path) -> None:
    failing = Answer(200, {}, (), httpx.InvalidURL("bad host"))
    run = download(make_transfer(tmp_path / "app.apk"), [failing, whole()])
    assert isinstance(run.error, DownloadError)
    assert isinstance(run.error.__cause__, httpx.InvalidURL)
    assert leftovers(tmp_path) == []


def test_a_checksum_mismatch_is_raised_and_leaves_no_file(tmp_path: Path) -> None:
    run = download(make_transfer(tmp_path / "app.apk", md5="0" * 32), [whole()])
    assert isinstance(run.error, ChecksumMismatchError)
    assert (run.error.expected, run.error.actual) == ("0" * 32, MD5)
    assert leftovers(tmp_path) == []


def test_closing_the_flow_midway_leaves_no_file(tmp_path: Path) -> None:
    transfer = make_transfer(tmp_path / "app.apk")
    flow = download_flow(transfer, url(1), RetryPolicy())
    step = next(flow)
    assert isinstance(step, Stream)
    transfer.accept(httpx.Response(200, request=httpx.Request("GET", step.file_url)))
    transfer.write(CONTENT[:HALF])
    assert leftovers(tmp_path) != []

    flow.close()  # what a garbage-collected or abandoned flow gets

    assert leftovers(tmp_path) == []


@pytest.mark.parametrize(
    "interruption", [asyncio.CancelledError, KeyboardInterrupt], ids=lambda c: c.__name__
)
def test_an_interruption_propagates_and_leaves_no_file(
    tmp_path: Path, interruption: type[BaseException]
) -> None:
    transfer = make_transfer(tmp_path / "app.apk")
    flow = download_flow(transfer, url(1), RetryPolicy())
    next(flow)

    with pytest.raises(interruption):
        flow.throw(interruption())

    assert leftovers(tmp_path) == []
