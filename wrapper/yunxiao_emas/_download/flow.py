"""One download as a generator the clients drive (sans I/O): get the URL, stream, resume,
refresh, wait, commit. The same flow serves both clients and both operations.

The flow yields what to do next and is told what happened:

- :data:`FETCH`: get a (fresh) URL from the API; answer with the :class:`ArtifactUrl`;
- :class:`Stream`: stream from this URL into the transfer until the body ends; answer None;
- :class:`~yunxiao_emas._call.retry.Sleep`: wait; answer None;
- :class:`Commit`: verify and move the file into place (disk I/O only); answer with the
  :class:`DownloadedArtifact`.

A failed step is thrown into the flow, which decides: resume, wait and resume, restart, refresh
the URL, or give up. Whatever ends it, the transfer leaves no file behind unless it committed.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Generator

import attrs
import httpx

from .._call.policy import RetryPolicy
from .._call.retry import Sleep, log_resume
from ..models import ArtifactUrl, DownloadedArtifact
from .answers import AlreadyThere, Busy, Refresh, Restart
from .transfer import Transfer, transport_failure

__all__ = [
    "FETCH",
    "Commit",
    "DownloadFlow",
    "DownloadStep",
    "Fetch",
    "Stream",
    "StreamParts",
    "download_flow",
]


@attrs.frozen
class Fetch:
    """Step: get a (fresh) URL from the API."""


@attrs.frozen
class Stream:
    """Step: stream from this URL into the transfer until the body ends."""

    file_url: str


@attrs.frozen
class StreamParts:
    """Step: fetch the parts still missing, over up to ``Transfer.connections`` connections."""

    file_url: str


@attrs.frozen
class Commit:
    """Step: verify and move the file into place (disk I/O only)."""

    request_id: str


FETCH = Fetch()
DownloadStep = Fetch | Stream | StreamParts | Sleep | Commit
DownloadFlow = Generator[DownloadStep, ArtifactUrl | DownloadedArtifact | None, DownloadedArtifact]


def download_flow(
    transfer: Transfer,
    artifact_url: ArtifactUrl | None,
    policy: RetryPolicy,
    rand: Callable[[], float] = random.random,
) -> DownloadFlow:
    """One download with its resumptions and URL refreshes (see the module's docstring)."""
    attempts = 0  # of the API calls made for a URL, in all

    def fetched(answer: ArtifactUrl | DownloadedArtifact | None) -> ArtifactUrl:
        nonlocal attempts
        assert isinstance(answer, ArtifactUrl)
        attempts += answer.attempts
        return answer

    try:
        url: ArtifactUrl | DownloadedArtifact | None = artifact_url
        if artifact_url is None or artifact_url.expired():
            url = fetched((yield FETCH))
        while True:
            assert isinstance(url, ArtifactUrl)
            try:
                if transfer.parts is not None:
                    yield StreamParts(url.file_url)
                else:
                    yield Stream(url.file_url)
            except AlreadyThere:
                # The file host named a file that is already there with this md5.
                assert transfer.skipped is not None
                transfer.discard()
                return attrs.evolve(transfer.skipped, request_id=url.request_id, attempts=attempts)
            except Refresh:
                transfer.refresh()
                url = fetched((yield FETCH))
                continue
            except Restart:
                transfer.restart()
                continue
            except Busy as exc:
                transfer.resume_after(exc)
                log_resume("the file host is busy", transfer.resumes, transfer.offset, exc)
                yield Sleep(policy.wait(transfer.resumes - 1, exc.retry_after, rand))
                continue
            except httpx.TransportError as exc:
                transfer.resume_after(exc)
                log_resume("the connection dropped", transfer.resumes, transfer.offset, exc)
                continue
            except (httpx.RequestError, httpx.InvalidURL) as exc:
                raise transport_failure(exc) from exc
            if transfer.complete():
                transfer.report_done()
                done = yield Commit(url.request_id)
                assert isinstance(done, DownloadedArtifact)
                return attrs.evolve(done, attempts=attempts, resumes=transfer.resumes)
            ended = EOFError("the body ended early")
            transfer.resume_after(ended)
            if transfer.parts is None:  # else the rest goes on in parts: not a drop
                log_resume("the body ended early", transfer.resumes, transfer.offset, ended)
    except BaseException:
        transfer.discard()
        raise
