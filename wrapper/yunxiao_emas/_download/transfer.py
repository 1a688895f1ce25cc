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

import contextlib
import errno
import hashlib
import os
import queue
import re
import tempfile
import threading
import time
from collections.abc import Callable, Mapping
from email.message import Message
from email.utils import collapse_rfc2231_value
from email.utils import unquote as unquote_header
from pathlib import Path

import httpx

from .._call.retry import RETRYABLE_STATUSES, retry_after_of
from .._urls import is_loopback, redact_url
from ..errors import ChecksumMismatchError, DownloadError, InvalidArgumentError
from ..models import DownloadedArtifact, ProgressCallback
from .parts import MIN_PART_SIZE, Part, Parts, part_size

__all__ = [
    "AlreadyThere",
    "Busy",
    "Refresh",
    "Restart",
    "Transfer",
    "check_download_args",
    "existing_match",
    "transport_failure",
]

MAX_RESUMES = 5
MAX_RESTARTS = 3
MAX_URL_REFRESHES = 2
MAX_REDIRECTS = 5
_HEX_MD5 = re.compile(r"[0-9a-fA-F]{32}")
# What may reach the file host, a stranger to us: nothing else of the request goes, so neither
# our signature headers nor any default header of a caller's http_client (tokens, cookies,
# proxy credentials) can leak to it.
_FILE_HOST_HEADERS = frozenset(
    {"host", "user-agent", "accept", "accept-encoding", "range", "connection"}
)
_CONTENT_RANGE = re.compile(r"bytes (\d+)-(\d+)/(\d+|\*)")
_UNSAFE_NAME = re.compile(r"[\x00-\x1f\x7f/\\:]")
_FALLBACK_NAME = "artifact"
# Device names Windows will not create as files (with any extension): a name the file host
# chose must not turn out to be one on a runner of that system.
_RESERVED_NAMES = frozenset(
    {
        "CON",
        "PRN",
        "AUX",
        "NUL",
        *(f"COM{n}" for n in range(1, 10)),
        *(f"LPT{n}" for n in range(1, 10)),
    }
)
_MAX_NAME_BYTES = 255  # NAME_MAX of Linux and macOS file systems


MAX_CHUNK_SIZE = 64 * 1024 * 1024  # a write buffer of this size is already generous
FAST_LINK = 100_000_000  # bytes/s: a connection this fast leaves nothing for parts to gain
_SINK_DEPTH = 2  # buffers (of chunk_size bytes each) waiting before the writer, and the hasher


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
        if len(os.fsencode(part)) > _MAX_NAME_BYTES:
            raise InvalidArgumentError(
                "dest", f"a path component is longer than {_MAX_NAME_BYTES} bytes"
            )
    separators = (os.sep, os.altsep) if os.altsep else (os.sep,)
    if raw.endswith(separators) and not path.is_dir():
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
            f"the directory {path.parent} does not exist (end dest with {os.sep!r} to "
            "download into a new directory)",
        )
    return path


def existing_match(path: Path, expected_md5: str) -> DownloadedArtifact | None:
    """The file already at ``path`` when its md5 is ``expected_md5`` (32 hex digits): then
    there is nothing to download. None otherwise (no such file, another md5, md5 not hex)."""
    if not _HEX_MD5.fullmatch(expected_md5):
        return None
    try:
        if not path.is_file() or path.is_symlink():
            return None
        digest = hashlib.md5(usedforsecurity=False)
        size = 0
        with path.open("rb") as existing:
            while block := existing.read(1024 * 1024):
                digest.update(block)
                size += len(block)
    except OSError:
        return None
    if digest.hexdigest() != expected_md5.lower():
        return None
    return DownloadedArtifact(
        path=path, size=size, md5=digest.hexdigest(), request_id="", verified=True, skipped=True
    )


def filename_from(headers: Mapping[str, str], url: httpx.URL) -> str:
    """The file name from ``Content-Disposition`` (``filename*`` first, as RFC 6266 says),
    else the URL path, reduced to one safe path component."""
    name = ""
    disposition = headers.get("content-disposition")
    if disposition:
        message = Message()
        message["content-disposition"] = disposition
        plain = ""
        for key, value in message.get_params(header="content-disposition", failobj=[])[1:]:
            if key.lower() != "filename":
                continue
            if isinstance(value, tuple):  # the RFC 2231 form, filename*=UTF-8''...
                name = collapse_rfc2231_value(value)
                break
            plain = plain or unquote_header(value)
        name = name or plain
    if not name:
        # httpx.URL.path is already percent-decoded: decoding again would turn %41 into A.
        name = url.path.rsplit("/", 1)[-1]
    return safe_filename(name)


def safe_filename(name: str) -> str:
    """One path component that cannot leave its directory: the last component of ``name``,
    without control characters, separators or leading dots (never a hidden file by surprise),
    not a device name of Windows (``CON``, ``NUL.apk``... get a ``_`` before them), at most 255
    bytes in UTF-8 (the extension kept); ``artifact`` when nothing is left."""
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = _UNSAFE_NAME.sub("_", name).strip().lstrip(".")
    if len(name.encode("utf-8")) > _MAX_NAME_BYTES:
        stem, dot, extension = name.rpartition(".")
        if not dot or len(extension.encode("utf-8")) > 16:
            stem, extension = name, ""
        suffix = f".{extension}" if extension else ""
        budget = _MAX_NAME_BYTES - len(suffix.encode("utf-8"))
        stem = stem.encode("utf-8")[:budget].decode("utf-8", "ignore")
        name = stem + suffix
    if name.split(".", 1)[0].strip().upper() in _RESERVED_NAMES:
        name = f"_{name}"
    return name or _FALLBACK_NAME


def check_file_url(url: httpx.URL) -> None:
    """The file host gets https, or plain http only on loopback (the emulator)."""
    if url.scheme == "https" or (url.scheme == "http" and is_loopback(url.host)):
        return
    raise DownloadError(
        f"refusing to download over {url.scheme or 'no scheme'} from {url.host or '?'}: "
        "only https (or http to loopback) is allowed"
    )


class Restart(Exception):
    """The server ignored or mangled ``Range``: start over from byte 0."""


class Refresh(Exception):
    """The URL expired (403 from the file host): get a fresh one and resume."""


class AlreadyThere(Exception):
    """The destination already holds this artifact (``Transfer.skipped``): stop the transfer."""


class Busy(Exception):
    """The file host answered 429 or 5xx: wait (its ``Retry-After`` when given) and resume."""

    def __init__(self, status: int, retry_after: float | None) -> None:
        super().__init__(f"the file host answered HTTP {status}")
        self.retry_after = retry_after


class _Sink:
    """Writes and hashes the bytes of a download in two worker threads, in the order they came.

    The receiving thread only hands over lists of chunks (no copy). The writer joins each list
    into one buffer, passes it to the hasher and writes it with ``os.write``; the hasher feeds
    md5. Both release the GIL for a whole buffer, so receiving, writing and hashing overlap:
    one thread doing both wrote and hashed each byte in turn, and was the limit of a download
    (``python -m bench --only downloads`` shows each side's CPU per GB). At most
    :data:`_SINK_DEPTH` buffers wait before each thread, so memory stays bounded; a write error
    is kept and raised by the next :meth:`put` or :meth:`drain`.
    """

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self.md5 = hashlib.md5(usedforsecurity=False)
        self._writes: queue.Queue[list[bytes] | None] = queue.Queue(_SINK_DEPTH)
        self._hashes: queue.Queue[bytes | None] = queue.Queue(_SINK_DEPTH)
        self._error: OSError | None = None
        self._threads = [
            threading.Thread(target=target, name=name, daemon=True)
            for target, name in (
                (self._write_all, "yunxiao-emas-download"),
                (self._hash_all, "yunxiao-emas-md5"),
            )
        ]
        for thread in self._threads:
            thread.start()

    def _write_all(self) -> None:
        while True:
            chunks = self._writes.get()
            try:
                if chunks is None:
                    self._hashes.put(None)
                    return
                if self._error is None:
                    self._write(chunks)
            except OSError as exc:
                self._error = exc
            finally:
                self._writes.task_done()

    def _write(self, chunks: list[bytes]) -> None:
        # One buffer of chunk_size bytes rather than its pieces: md5 and write release the GIL
        # for the whole of it at once, where a piece at a time made these threads wait for the
        # receiving one to let go of the GIL after every 64 KiB.
        data = chunks[0] if len(chunks) == 1 else b"".join(chunks)
        self._hashes.put(data)
        view = memoryview(data)
        while view:
            view = view[os.write(self.fd, view) :]

    def _hash_all(self) -> None:
        while (data := self._hashes.get()) is not None:
            try:
                self.md5.update(data)
            finally:
                self._hashes.task_done()
        self._hashes.task_done()

    def _raise(self) -> None:
        if self._error is not None:
            raise DownloadError(f"cannot write the download: {self._error.strerror}") from (
                self._error
            )

    def put(self, chunks: list[bytes]) -> None:
        self._raise()
        self._writes.put(chunks)

    def drain(self) -> None:
        """Wait until every chunk handed over is written and hashed."""
        self._writes.join()  # the writer hands each buffer to the hasher before it is done
        self._hashes.join()
        self._raise()

    def reset(self) -> None:
        """Start over: an empty file and a fresh md5 (after :meth:`drain`)."""
        self.drain()
        os.ftruncate(self.fd, 0)
        os.lseek(self.fd, 0, os.SEEK_SET)
        self.md5 = hashlib.md5(usedforsecurity=False)

    def close(self) -> None:
        """Stop the workers (what was handed over is written and hashed first)."""
        if self._threads[0].is_alive():
            self._writes.put(None)
        for thread in self._threads:
            thread.join()


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
        self._decided = connections == 1  # whether to split is settled
        self._ranges_served = False
        self._first_byte_at: float | None = None
        self.monotonic: Callable[[], float] = time.monotonic
        self._progress_lock = threading.Lock()
        self.expected_md5 = expected_md5.lower() if _HEX_MD5.fullmatch(expected_md5) else None
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
        try:
            fd, tmp = tempfile.mkstemp(dir=directory, prefix=".yunxiao-emas-", suffix=".part")
        except OSError as exc:
            raise DownloadError(f"cannot write in {directory}: {exc.strerror}") from exc
        self.tmp_path = Path(tmp)
        self._fd = fd
        try:
            self._sink = _Sink(fd)
        except BaseException:
            # No descriptor and no .part file left behind, whatever stopped us.
            os.close(fd)
            self.tmp_path.unlink(missing_ok=True)
            raise
        self._pending: list[bytes] = []
        self._pending_size = 0
        self._reported = 0

    # -- requests -------------------------------------------------------------------------
    def request_headers(self) -> dict[str, str]:
        # identity: byte offsets and the md5 are about the stored bytes, not a compressed form.
        headers = {"accept-encoding": "identity"}
        if self.offset or not self._decided:
            # Even from byte 0 when the tail may go in parts: a 206 tells that the file host
            # serves ranges, and its Content-Range the size.
            headers["range"] = f"bytes={self.offset}-"
        return headers

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
        return response.request.url.join(response.headers["location"])

    # -- answers --------------------------------------------------------------------------
    def accept(self, response: httpx.Response) -> None:
        """Check the answer's status and headers before its body is read."""
        status = response.status_code
        if status == 403 and self.refreshes < MAX_URL_REFRESHES:
            raise Refresh
        if status in RETRYABLE_STATUSES:
            raise Busy(status, retry_after_of(response))
        if status == 416 and self.offset:
            raise Restart
        if status == 200:
            if self.offset:
                raise Restart
            length = response.headers.get("content-length")
            self.total = int(length) if length and length.isdigit() else None
        elif status == 206:
            match = _CONTENT_RANGE.fullmatch(response.headers.get("content-range", ""))
            if not match or int(match.group(1)) != self.offset:
                if not self.offset:
                    # We asked for the whole file: starting over would ask the same again.
                    raise DownloadError(
                        "the file host answered 206 without a usable Content-Range "
                        "to a request for the whole file"
                    )
                raise Restart
            if match.group(3) != "*":
                self.total = int(match.group(3))
            self._ranges_served = True
        else:
            raise DownloadError(
                f"the file host answered HTTP {status} for {redact_url(str(response.url))}"
            )
        self._name_from(response)

    def _name_from(self, response: httpx.Response) -> None:
        if self.final_path is None:
            self.final_path = self.dest / filename_from(response.headers, response.url)
            if self.final_path.is_symlink():
                raise DownloadError(
                    f"{self.final_path} is a symbolic link: a download never replaces one nor "
                    "writes through it"
                ) from FileExistsError(str(self.final_path))
            try:
                exists = self.final_path.exists()
            except OSError as exc:
                raise DownloadError(f"cannot use the name {self.final_path.name!r}: {exc}") from exc
            if exists and self.expected_md5 is not None:
                # The file host named a file that is already there: if it is this artifact,
                # there is nothing to transfer.
                self.skipped = existing_match(self.final_path, self.expected_md5)
                if self.skipped is not None:
                    raise AlreadyThere
            if exists and not self.overwrite:
                raise DownloadError(
                    f"{self.final_path} exists; pass overwrite=True to replace it"
                ) from FileExistsError(str(self.final_path))

    def write(self, chunk: bytes) -> None:
        """Keep one piece as the network delivered it (so a drop loses nothing that arrived):
        every ``chunk_size`` bytes the pieces go to the sink, which writes and hashes them in
        its thread. Report progress every ``chunk_size`` bytes and at the end."""
        self._pending.append(chunk)
        self._pending_size += len(chunk)
        if self._pending_size >= self.chunk_size:
            self._hand_over()
        self.offset += len(chunk)
        if self._first_byte_at is None:
            self._first_byte_at = self.monotonic()
        if self.progress is not None and (
            self.offset - self._reported >= self.chunk_size or self.offset == self.total
        ):
            self._reported = self.offset
            self.progress(self.offset, self.total)

    def split(self) -> bool:
        """Whether to stop this one-piece answer here and fetch the rest in parts, over
        several connections (asked after each piece written).

        Decided once, after the first MiB: when it came slower than :data:`FAST_LINK` (the
        link is the limit, as on a pre-signed host's capped connection), the rest, if more
        than a part, goes in parts from this offset on, its md5 going on from this one; when
        it came faster (the machine is the limit: more connections would only cost CPU), the
        download stays in one piece. A host that does not serve ranges stays in one piece too.
        """
        if self._decided or self.offset < MIN_PART_SIZE:
            return False
        self._decided = True
        assert self._first_byte_at is not None
        elapsed = self.monotonic() - self._first_byte_at
        if (
            not self._ranges_served
            or self.total is None
            or self.total - self.offset < 2 * MIN_PART_SIZE
            or elapsed <= 0
            or self.offset / elapsed >= FAST_LINK
        ):
            return False
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
        """Check the answer to one part's request before its body is read."""
        status = response.status_code
        if status == 403 and self.refreshes < MAX_URL_REFRESHES:
            raise Refresh
        if status in RETRYABLE_STATUSES:
            raise Busy(status, retry_after_of(response))
        if status in {200, 206, 416}:
            assert self.parts is not None
            if not self.parts.accept(part, response):
                raise Restart  # ranges served wrong: in one piece from byte 0
            return
        raise DownloadError(
            f"the file host answered HTTP {status} for {redact_url(str(response.url))}"
        )

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
        self.connections, self._decided = 1, True
        try:
            self._sink.reset()
        except OSError as exc:
            raise DownloadError(f"cannot write the download: {exc.strerror}") from exc
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
        if self.parts is not None:
            self._sink.close()
            self.digest = self.parts.finish()
        else:
            self.flush()
            self._sink.close()
            self.digest = self._sink.md5.hexdigest()
        if self.expected_md5 is not None and self.digest != self.expected_md5:
            raise ChecksumMismatchError(self.expected_md5, self.digest)
        # mkstemp makes the file 0600; a download gets the mode any new file would get.
        mode = 0o666 & ~_umask()
        try:
            fchmod = getattr(os, "fchmod", None)  # Windows has it only from Python 3.13
            if fchmod is not None:
                fchmod(self._fd, mode)
            os.fsync(self._fd)
            self._close_fd()
            if fchmod is None:
                os.chmod(self.tmp_path, mode)
        except OSError as exc:
            raise DownloadError(f"cannot write the download: {exc.strerror}") from exc

    def place(self, request_id: str) -> DownloadedArtifact:
        """Move the sealed file into place: one rename or link, which either happens or not
        (AsyncClient runs it on the event loop, where no cancellation can cut it in two)."""
        assert self.final_path is not None
        try:
            if self.overwrite:
                os.replace(self.tmp_path, self.final_path)
            else:
                _move_without_replacing(self.tmp_path, self.final_path)
        except FileExistsError as exc:
            raise DownloadError(f"{self.final_path} exists; pass overwrite=True") from exc
        except OSError as exc:
            raise DownloadError(f"cannot move the download into place: {exc.strerror}") from exc
        _fsync_dir(self.final_path.parent)
        return DownloadedArtifact(
            path=self.final_path,
            size=self.offset,
            md5=self.digest,
            request_id=request_id,
            verified=self.expected_md5 is not None,
        )

    def _close_fd(self) -> None:
        fd, self._fd = self._fd, -1
        if fd >= 0:
            os.close(fd)

    def discard(self) -> None:
        """Leave nothing behind (called on every failure)."""
        self._pending = []
        self._sink.close()
        if self.parts is not None:
            self.parts.stop()
        with contextlib.suppress(OSError):
            self._close_fd()
        with contextlib.suppress(FileNotFoundError):
            self.tmp_path.unlink()


def _move_without_replacing(source: Path, target: Path) -> None:
    """Move ``source`` to ``target``, failing with FileExistsError if ``target`` exists."""
    try:
        # A link fails if the name exists, so a file that appeared meanwhile survives.
        os.link(source, target)
    except FileExistsError:
        raise
    except OSError as exc:
        # File systems without hard links (exFAT, some network mounts): check, then rename.
        if exc.errno not in {errno.EPERM, errno.EOPNOTSUPP, errno.ENOTSUP, errno.EMLINK}:
            raise
        if target.exists():
            raise FileExistsError(errno.EEXIST, "exists", str(target)) from exc
        os.rename(source, target)
        return
    os.unlink(source)


def _umask() -> int:
    """The process umask, read without changing it where Linux tells it (no window in which
    another thread's files would get the wrong mode); elsewhere set and restored at once."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _fsync_dir(directory: Path) -> None:
    # The rename is durable only once the directory entry is on disk.
    with contextlib.suppress(OSError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def transport_failure(exc: Exception) -> DownloadError:
    error = DownloadError(f"the download failed: {type(exc).__name__}: {exc}")
    error.__cause__ = exc
    return error
