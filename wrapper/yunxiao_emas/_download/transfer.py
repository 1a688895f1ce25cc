"""The file of one download: streamed, verified, resumable, atomic.

The rules live in :class:`Transfer` (sans network I/O: it decides what to request, checks each
answer, writes and hashes the bytes, commits or cleans up); the download flow
(:mod:`._download.flow`) decides the steps, and ``Client`` and ``AsyncClient`` only drive it,
one with blocking httpx calls and one with ``await``.

* The bytes go to a temporary file beside the destination, hashed as they arrive, in chunks of
  ``chunk_size`` (memory stays constant); then fsync and an atomic rename. Without
  ``overwrite=True`` the final step is a hard link, which fails rather than replace a file that
  appeared meanwhile.
* A dropped connection resumes with ``Range`` from the bytes already written (a 206 must start
  where asked; a 200 means the server ignored ``Range`` and the download starts over).
* A 403 from the file host means the one-hour URL expired: a fresh one is fetched from the API.
* The file host is another host: neither ``Authorization`` nor any ``x-acs-*`` header (nor an STS
  token) is sent to it, redirects included; plain http only to loopback.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

import httpx

from .._call.policy import MAX_REDIRECTS, MAX_RESTARTS, MAX_RESUMES
from .._call.retry import log_resume
from .._urls import is_loopback
from ..errors import ChecksumMismatchError, DownloadError, InvalidArgumentError
from ..models import DownloadedArtifact, ProgressCallback
from .answers import AlreadyThere, Restart, classify
from .names import (
    MAX_NAME_BYTES,
    Occupied,
    check_target,
    filename_from,
    hex_md5,
    names_a_directory,
)
from .parts import Part, Parts, SplitDecision, part_size
from .sink import Sink, cannot_write
from .staging import StagedFile

__all__ = [
    "Transfer",
    "check_download_args",
    "transport_failure",
]

# What may reach the file host, a stranger to us: nothing else of the request goes, so neither
# our signature headers nor any default header of a caller's http_client (tokens, cookies,
# proxy credentials) can leak to it.
_FILE_HOST_HEADERS = frozenset(
    {"host", "user-agent", "accept", "accept-encoding", "range", "if-range", "connection"}
)


MAX_CHUNK_SIZE = 64 * 1024 * 1024  # a write buffer of this size is already generous


def check_download_args(
    dest: object, overwrite: object, progress: object, chunk_size: object
) -> Path:
    """Validate the download arguments (before any network I/O); return ``dest`` as a Path.

    A ``dest`` that ends with a path separator, or names an existing directory, is a directory
    (created, with its parents, when it does not exist yet): the file host's name is used in it.
    Any other ``dest`` is the file's path.
    """
    if not isinstance(dest, str | os.PathLike):
        raise InvalidArgumentError("dest", "must be a file or directory path (str or PathLike)")
    raw = os.fspath(dest)
    if not isinstance(raw, str):
        raise InvalidArgumentError("dest", "must be a str path (its __fspath__ returned bytes)")
    if not raw:
        raise InvalidArgumentError("dest", "must not be empty")
    if "\x00" in raw:
        raise InvalidArgumentError("dest", "must not contain a NUL character")
    try:
        os.fsencode(raw)
    except UnicodeEncodeError:
        raise InvalidArgumentError(
            "dest", "cannot be encoded for the file system (it holds a lone surrogate)"
        ) from None
    if not isinstance(overwrite, bool):
        raise InvalidArgumentError("overwrite", "must be a bool")
    if progress is not None and not callable(progress):
        raise InvalidArgumentError("progress", "must be a callable(done, total) or None")
    if (
        isinstance(chunk_size, bool)
        or not isinstance(chunk_size, int)
        or not 1024 <= chunk_size <= MAX_CHUNK_SIZE
    ):
        raise InvalidArgumentError(
            "chunk_size", f"must be an int in 1024..{MAX_CHUNK_SIZE} (64 MiB)"
        )
    path = Path(raw).expanduser()
    for part in path.parts:
        if len(os.fsencode(part)) > MAX_NAME_BYTES:
            raise InvalidArgumentError(
                "dest", f"a path component is longer than {MAX_NAME_BYTES} bytes"
            )
    if names_a_directory(raw) and not path.is_dir():
        try:
            path.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise InvalidArgumentError(
                "dest", f"cannot create the directory {path}: {exc.strerror}"
            ) from None
    if path.is_dir():
        return path
    if not path.parent.is_dir():
        raise InvalidArgumentError(
            "dest",
            f"the directory {path.parent} does not exist (end it with {os.sep!r} to "
            "download into a new directory)",
        )
    return path


def check_file_url(url: httpx.URL) -> None:
    """The file host gets https, or plain http only on loopback (the emulator)."""
    if url.scheme == "https" or (url.scheme == "http" and is_loopback(url.host)):
        return
    raise DownloadError(
        f"refusing to download over {url.scheme or 'no scheme'} from {url.host or '?'}: "
        "only https (or http to loopback) is allowed"
    )


class Transfer:
    """Every rule of one download; no I/O of its own besides the local file."""

    def __init__(
        self,
        dest: Path,
        *,
        expected_md5: str,
        overwrite: bool,
        progress: ProgressCallback | None,
        chunk_size: int,
        connections: int = 1,
    ) -> None:
        self.dest = dest
        self.connections = connections
        self.parts: Parts | None = None
        """The tail of the file in parts over several connections, once :meth:`split` found
        the link slow; None while the download goes in one piece."""
        self._split = SplitDecision(decided=connections == 1)
        self._progress_lock = threading.Lock()
        self.expected_md5 = hex_md5(expected_md5)
        self.overwrite = overwrite
        self.progress = progress
        self.chunk_size = chunk_size
        self.offset = 0
        self.total: int | None = None
        self.final_path: Path | None = None if dest.is_dir() else dest
        self.resumes = 0
        self.restarts = 0
        self.refreshes = 0
        self.timeout: httpx.Timeout | None = None
        """The timeout of the file host's requests (a call's ``timeout=``; None: the client's)."""
        self.skipped: DownloadedArtifact | None = None
        self.digest = ""
        directory = dest if dest.is_dir() else dest.parent
        self._file = StagedFile(directory)
        self.tmp_path = self._file.path
        self._fd = self._file.fd
        try:
            self._sink = Sink(self._fd)
        except BaseException:
            self._file.discard()  # no descriptor and no .part file left, whatever stopped us
            raise
        self._pending: list[bytes] = []
        self._pending_size = 0
        self._reported = 0
        self._validator: str | None = None  # ETag or Last-Modified of the file begun

    # -- requests -------------------------------------------------------------------------
    def request_headers(self) -> dict[str, str]:
        # identity: byte offsets and the md5 are about the stored bytes, not a compressed form.
        headers = {"accept-encoding": "identity"}
        if self.offset or not self._split.decided:
            # Even from byte 0 when the tail may go in parts: a 206 tells that the file host
            # serves ranges, and its Content-Range the size.
            headers["range"] = f"bytes={self.offset}-"
        return self._if_range(headers)

    def part_headers(self, part: Part) -> dict[str, str]:
        """The headers of one part's request: its range, if the file is still the same."""
        return self._if_range(part.request_headers())

    def _if_range(self, headers: dict[str, str]) -> dict[str, str]:
        # A resumed range only of the same file: a file host that has a new one answers it
        # whole (200), and the download starts over instead of mixing two versions.
        if self.offset and self._validator is not None and "range" in headers:
            headers["if-range"] = self._validator
        return headers

    @staticmethod
    def _validator_of(response: httpx.Response) -> str | None:
        """The answer's strong ETag, else its Last-Modified (If-Range takes no weak ETag)."""
        etag: str | None = response.headers.get("etag")
        if etag and not etag.startswith("W/"):
            return etag
        modified: str | None = response.headers.get("last-modified")
        return modified or None

    def _same_file(self, response: httpx.Response, size: int | None) -> None:
        """A resumed range must be of the file the download began with: the same validator
        (when both answers have one) and the same size; else the file changed: start over."""
        validator = self._validator_of(response)
        if self._validator is not None and validator is not None and validator != self._validator:
            raise Restart
        if size is not None and self.total is not None and size != self.total:
            raise Restart

    @staticmethod
    def clean_request(request: httpx.Request) -> httpx.Request:
        """Keep only the headers a download needs: nothing that could authenticate us to the
        file host goes with it."""
        check_file_url(request.url)
        for name in list(request.headers):
            if name.lower() not in _FILE_HOST_HEADERS:
                del request.headers[name]
        return request

    def redirect(self, response: httpx.Response, hops: int) -> httpx.URL | None:
        """The next URL when ``response`` is a redirect (bounded), else None."""
        if not response.has_redirect_location:
            return None
        if hops >= MAX_REDIRECTS:
            raise DownloadError(f"more than {MAX_REDIRECTS} redirects from the file host")
        here = response.request.url
        try:
            there = here.join(response.headers["location"])
        except httpx.InvalidURL:
            raise DownloadError("the file host redirected to a Location that is no URL") from None
        if is_loopback(there.host) and not is_loopback(here.host):
            # A file host elsewhere may not point the download at a service of this machine.
            raise DownloadError("a file host on another machine redirected to this machine")
        return there

    # -- answers --------------------------------------------------------------------------
    def accept(self, response: httpx.Response) -> None:
        """Check the answer's status and headers before its body is read (see
        :func:`~yunxiao_emas._download.answers.classify`)."""
        size = classify(response, self.offset, self.refreshes)
        if self.offset:
            self._same_file(response, size)
        else:
            self._validator = self._validator_of(response)
        if response.status_code == 206:
            self._split.ranges_served = True
            if size is not None:
                self.total = size
        else:
            self.total = size
        self._name_from(response)

    def _name_from(self, response: httpx.Response) -> None:
        if self.final_path is not None:
            return
        self.final_path = self.dest / filename_from(response.headers, response.url)
        try:
            # The md5 is not hex: nothing to compare a file that is there with.
            md5 = self.expected_md5 or ""
            self.skipped = check_target(self.final_path, md5, self.overwrite)
        except Occupied as exc:
            # Found only once the file host named the file: still the caller's choice to make.
            raise DownloadError(str(exc)) from exc
        except OSError as exc:
            raise DownloadError(f"cannot use the name {self.final_path.name!r}: {exc}") from exc
        if self.skipped is not None:
            raise AlreadyThere

    def write(self, chunk: bytes) -> None:
        """Keep one piece as the network delivered it (so a drop loses nothing that arrived):
        every ``chunk_size`` bytes the pieces go to the sink, which writes and hashes them in
        its thread. Report progress every ``chunk_size`` bytes and at the end."""
        self._pending.append(chunk)
        self._pending_size += len(chunk)
        if self._pending_size >= self.chunk_size:
            self._hand_over()
        self.offset += len(chunk)
        self._split.started()
        if self.progress is not None and (
            self.offset - self._reported >= self.chunk_size or self.offset == self.total
        ):
            self._reported = self.offset
            self.progress(self.offset, self.total)

    def split(self) -> bool:
        """Whether to stop this one-piece answer here and fetch the rest in parts, over
        several connections (asked after each piece written; see :class:`SplitDecision`):
        then the parts go on from this offset, their md5 from this one."""
        if not self._split.decide(self.offset, self.total):
            return False
        assert self.total is not None
        self.flush()  # the bytes so far written and hashed, in order
        self.parts = Parts(
            self._fd,
            self.total,
            part_size(self.total - self.offset, self.connections),
            start=self.offset,
            md5=self._sink.md5,
        )
        return True

    def accept_part(self, part: Part, response: httpx.Response) -> None:
        """Check the answer to one part's request before its body is read: the range asked
        for, else the download goes on in one piece from byte 0 (see :meth:`accept`)."""
        self._same_file(response, classify(response, part.pos, self.refreshes))

    def write_part(self, part: Part, chunk: bytes) -> None:
        """Store a piece of one part of a ranged download (from any connection)."""
        assert self.parts is not None
        self.parts.write(part, chunk)
        if self.progress is not None:
            with self._progress_lock:
                done = self.parts.written
                if done - self._reported >= self.chunk_size or done == self.total:
                    self._reported = done
                    self.progress(done, self.total)

    def restart(self) -> None:
        """The server ignored or mangled Range: start over, a bounded number of times."""
        self.restarts += 1
        if self.restarts > MAX_RESTARTS:
            raise DownloadError(
                f"the file host answered {self.restarts} ranged requests unusably; giving up"
            )
        self._pending, self._pending_size = [], 0
        if self.parts is not None:
            # A host that mangles ranges: go on in one piece, over one connection.
            self.parts.stop()
            self.parts = None
        self.connections = 1
        self._split.never()
        try:
            self._sink.reset()
        except OSError as exc:
            raise cannot_write(exc) from exc
        self.offset = 0
        self._reported = 0

    def resume_after(self, error: Exception) -> None:
        """A connection dropped mid-transfer: resume, or give up after MAX_RESUMES."""
        self.resumes += 1
        if self.resumes > MAX_RESUMES:
            raise DownloadError(
                f"the connection dropped {self.resumes} times; giving up at byte {self.offset}"
            ) from error
        # What arrived is on disk before asking for the rest (a full disk says so here).
        self.flush()

    def part_dropped(self, error: Exception) -> None:
        """A connection of a ranged download dropped mid-part: it resumes the part (what it
        wrote is kept), or the download gives up after MAX_RESUMES drops per connection."""
        with self._progress_lock:
            self.resumes += 1
            if self.resumes > MAX_RESUMES * self.connections:
                raise DownloadError(
                    f"the connections dropped {self.resumes} times; giving up"
                ) from error
        log_resume("a connection of the download dropped", self.resumes, None, error)

    def _hand_over(self) -> None:
        if self._pending:
            self._sink.put(self._pending)
            self._pending, self._pending_size = [], 0

    def flush(self) -> None:
        """Every byte received is written and hashed (a write error raises DownloadError)."""
        self._hand_over()
        self._sink.drain()

    def refresh(self) -> None:
        self.refreshes += 1

    # -- the end --------------------------------------------------------------------------
    def complete(self) -> bool:
        """Whether every byte arrived (when the size is known)."""
        if self.parts is not None:
            return self.parts.complete()
        return self.total is None or self.offset >= self.total

    def report_done(self) -> None:
        """The last progress report, if the last piece did not end on a report."""
        if self.parts is not None:
            self.offset = self.parts.written
        if self.progress is not None and self._reported != self.offset:
            self._reported = self.offset
            self.progress(self.offset, self.total)

    def commit(self, request_id: str) -> DownloadedArtifact:
        """Verify, fsync and move the file into place: :meth:`seal`, then :meth:`place`."""
        self.seal()
        return self.place(request_id)

    def seal(self) -> None:
        """Verify the bytes and make them durable in the temporary file (the slow part of the
        commit, disk I/O only: AsyncClient runs it in a worker thread, so an fsync of a large
        artifact does not stall the event loop; cancelled there, nothing has been replaced)."""
        if self.parts is not None:
            self.offset = self.parts.written
        if self.total is not None and self.offset != self.total:
            raise DownloadError(f"got {self.offset} bytes, expected {self.total}")
        if self.expected_md5 is None and (self.total is None or self.offset == 0):
            # Without an md5 to verify, the size is all that tells a whole file: a body that
            # ends without a declared size (a cut HTTP/1.0 answer) or an empty one is no file.
            what = "the file host declared no size" if self.total is None else "the file is empty"
            raise DownloadError(
                f"{what}; the md5 given is not hex, so nothing can tell the file is whole"
            )
        if self.parts is not None:
            self._sink.close()
            self.digest = self.parts.finish()
        else:
            self.flush()
            self._sink.close()
            self.digest = self._sink.md5.hexdigest()
        if self.expected_md5 is not None and self.digest != self.expected_md5:
            raise ChecksumMismatchError(self.expected_md5, self.digest)
        self._file.seal()

    def place(self, request_id: str) -> DownloadedArtifact:
        """Move the sealed file into place: one rename or link, which either happens or not
        (AsyncClient runs it on the event loop, where no cancellation can cut it in two)."""
        assert self.final_path is not None
        self._file.place(self.final_path, replace=self.overwrite, md5=self.digest)
        return DownloadedArtifact(
            path=self.final_path,
            size=self.offset,
            md5=self.digest,
            request_id=request_id,
            verified=self.expected_md5 is not None,
        )

    def discard(self) -> None:
        """Leave nothing behind (called on every failure)."""
        self._pending = []
        self._sink.close()
        if self.parts is not None:
            self.parts.stop()
        self._file.discard()


def transport_failure(exc: Exception) -> DownloadError:
    error = DownloadError(f"the download failed: {type(exc).__name__}: {exc}")
    error.__cause__ = exc
    return error
