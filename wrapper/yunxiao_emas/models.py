"""The values the clients return: :class:`ArtifactUrl` and :class:`DownloadedArtifact`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import attrs

from ._urls import redact_url

__all__ = [
    "ArtifactUrl",
    "DownloadedArtifact",
    "ProgressCallback",
]


ProgressCallback = Callable[[int, int | None], object]
"""``progress(done, total)``: bytes written so far, and the size (None when unknown)."""


@attrs.frozen
class ArtifactUrl:
    """A temporary download URL of an EMAS artifact.

    ``expires_at`` (aware, UTC) comes from the URL's ``Expires`` parameter when it has one,
    else it is the time of the answer plus one hour. ``repr`` hides the URL's query, which
    holds its signature. ``attempts``: the attempts the call made (1 when the first was
    answered; see :class:`~yunxiao_emas.RetryPolicy`).
    """

    file_url: str = attrs.field(repr=redact_url)
    request_id: str
    expires_at: dt.datetime
    attempts: int = 1

    def expired(self, *, margin: float = 0.0) -> bool:
        """Whether the URL has expired, or will within ``margin`` seconds."""
        now = dt.datetime.now(dt.UTC)
        return self.expires_at - dt.timedelta(seconds=margin) <= now


@attrs.frozen
class DownloadedArtifact:
    """A downloaded artifact.

    Attributes:
        path: where it is.
        size: its size in bytes.
        md5: the hex md5 of its bytes.
        request_id: the request id of the API call that gave the URL.
        verified: True when ``md5`` was checked against the 32-hex-digit md5 passed in; False
            when the md5 argument was not a hex digest, so there was nothing to check against.
        skipped: True when the destination already held a file with that md5, so nothing was
            transferred (``request_id`` is then empty when no API call was needed).
        attempts: the attempts of the API calls the download made for its URL, in all (more
            than one when a call was retried or the URL refreshed; 0 when the ``artifact_url``
            passed in was used as it was, or nothing was transferred).
        resumes: how many times the transfer resumed after a dropped connection.
    """

    path: Path
    size: int
    md5: str
    request_id: str
    verified: bool
    skipped: bool = False
    attempts: int = 0
    resumes: int = 0
