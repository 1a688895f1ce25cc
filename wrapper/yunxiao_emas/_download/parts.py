"""The tail of a download in parts, fetched over several connections at once, each part
written at its own offset, the md5 taken over the whole file in order.

Pre-signed file hosts (OSS) limit the speed of each connection, and a CI runner far from the
region gets a fraction of its link per connection: several ranged requests at once add up. A
download starts in one piece; when its first megabyte comes slowly (the link, not the machine,
is the limit), what remains is split into parts (see ``Transfer.split``). The parts are taken
in order, so the file fills roughly from its start; a hashing thread reads back the contiguous
prefix as it grows (from the page cache) and goes on with the md5 of the bytes before the
split, so the checksum is the whole file's, ready soon after the last byte, in constant memory.
A part that drops keeps what it wrote and is resumed from there.
"""

from __future__ import annotations

import collections
import hashlib
import os
import threading
import time
from collections.abc import Callable
from typing import Any

import attrs

from ..errors import DownloadError
from .sink import cannot_write

__all__ = [
    "FAST_LINK",
    "MAX_PART_SIZE",
    "MIN_PART_SIZE",
    "Part",
    "Parts",
    "SplitDecision",
    "part_size",
]

MIN_PART_SIZE = 1024 * 1024
MAX_PART_SIZE = 8 * 1024 * 1024


def part_size(remaining: int, connections: int) -> int:
    """Parts of 1 to 8 MiB, four for each connection when the file allows: big enough that a
    request's round trip is little of a part's time, small enough that the connections end
    together and the hash follows close behind."""
    wanted = -(-remaining // (4 * connections))
    return max(MIN_PART_SIZE, min(MAX_PART_SIZE, wanted))


_READ_BACK = 1024 * 1024


@attrs.define(eq=False)  # each part is one range of the file: compared by identity
class Part:
    """Bytes ``start`` to ``end`` (exclusive) of the file; ``pos`` is the next byte to fetch."""

    start: int
    end: int
    pos: int = attrs.field(
        init=False, default=attrs.Factory(lambda self: self.start, takes_self=True)
    )

    @property
    def done(self) -> bool:
        return self.pos >= self.end

    def request_headers(self) -> dict[str, str]:
        return {"accept-encoding": "identity", "range": f"bytes={self.pos}-{self.end - 1}"}


class Parts:
    """The parts of bytes ``start`` to ``total`` of a file, ``size`` bytes each, written
    through ``fd`` (``os.pwrite``); ``md5`` holds the hash of the bytes before ``start``
    (already written).

    Thread-safe: the connections (threads of the sync client, or the event loop of the async
    one) :meth:`take` parts, :meth:`write` their bytes and :meth:`give_back` what they could not
    finish; :meth:`finish` waits for the hash of the whole file.
    """

    def __init__(self, fd: int, total: int, size: int, *, start: int = 0, md5: Any = None) -> None:
        self.fd = fd
        self.total = total
        self.parts = [Part(at, min(at + size, total)) for at in range(start, total, size)]
        self.written = start
        self._waiting: collections.deque[Part] = collections.deque(self.parts)
        self._lock = threading.Condition()
        self._hashed = start
        self._md5 = md5 if md5 is not None else hashlib.md5(usedforsecurity=False)
        self._stopped = False
        self._writers = 0
        self._error: OSError | None = None
        self._hasher = threading.Thread(
            target=self._hash_in_order, name="yunxiao-emas-md5", daemon=True
        )
        self._hasher.start()

    # -- the connections ------------------------------------------------------------------
    def take(self) -> Part | None:
        """The next part to fetch (in file order), or None when none is left."""
        with self._lock:
            while self._waiting:
                part = self._waiting.popleft()
                if not part.done:
                    return part
            return None

    def give_back(self, part: Part) -> None:
        """A part a connection could not finish: the next connection resumes it at ``pos``."""
        if not part.done:
            with self._lock:
                self._waiting.appendleft(part)

    def waiting(self) -> int:
        """How many parts are left to take."""
        with self._lock:
            return sum(1 for part in self._waiting if not part.done)

    def write(self, part: Part, chunk: bytes) -> int:
        """Store a piece of ``part`` at its place; the bytes it added to the file."""
        room = part.end - part.pos
        if len(chunk) > room:
            # More than asked for: what lies past the part is another part's business.
            chunk = chunk[:room]
        view = memoryview(chunk)
        pos = part.pos
        with self._lock:
            # Once stopped, the file may be closed (and its descriptor's number reused): a
            # connection still reading after an interruption must not write any more.
            if self._stopped:
                raise DownloadError("the download was stopped")
            self._writers += 1
        try:
            while view:
                count = os.pwrite(self.fd, view, pos)
                view = view[count:]
                pos += count
        except OSError as exc:
            raise cannot_write(exc) from exc
        finally:
            with self._lock:
                self._writers -= 1
                self._lock.notify_all()
        with self._lock:
            part.pos = pos
            self.written += len(chunk)
            self._lock.notify_all()
        return len(chunk)

    def complete(self) -> bool:
        with self._lock:
            return all(part.done for part in self.parts)

    # -- the md5, in order ----------------------------------------------------------------
    def _prefix(self) -> int:
        for part in self.parts:
            if part.pos < part.end:
                return part.pos
        return self.total

    def _hash_in_order(self) -> None:
        while True:
            with self._lock:
                while not self._stopped and self._prefix() <= self._hashed:
                    self._lock.wait()
                if self._stopped:
                    return
                start, end = self._hashed, self._prefix()
            try:
                while start < end:
                    block = os.pread(self.fd, min(_READ_BACK, end - start), start)
                    if not block:
                        raise OSError(0, "the file is shorter than what was written")
                    self._md5.update(block)
                    start += len(block)
            except OSError as exc:
                with self._lock:
                    self._error = exc
                    self._stopped = True
                    self._lock.notify_all()
                return
            with self._lock:
                self._hashed = start
                self._lock.notify_all()

    def finish(self) -> str:
        """The md5 of the whole file, once every part is in and hashed."""
        with self._lock:
            while self._hashed < self.total and self._error is None and not self._stopped:
                self._lock.wait()
            error = self._error
        self.stop()
        if error is not None:
            raise DownloadError(f"cannot read the download back: {error.strerror}") from error
        return self._md5.hexdigest()

    def stop(self) -> None:
        """Stop the hashing thread and every write (the download is over, one way or another);
        return once no write is under way, so the file may be closed."""
        with self._lock:
            self._stopped = True
            self._lock.notify_all()
            while self._writers:
                self._lock.wait()
        if self._hasher.is_alive() and self._hasher is not threading.current_thread():
            self._hasher.join()


FAST_LINK = 100_000_000  # bytes/s: a connection this fast leaves nothing for parts to gain


@attrs.define
class SplitDecision:
    """Whether a download in one piece goes on in parts, over several connections.

    Decided once, after the first MiB: when it came slower than :data:`FAST_LINK` (the link is
    the limit, as on a pre-signed host's capped connection), the rest, if more than a part,
    goes in parts; when it came faster (the machine is the limit: more connections would only
    cost CPU), the download stays in one piece. A host that does not serve ranges stays in one
    piece too, as does a download over one connection.
    """

    decided: bool
    """Whether the download stays as it is: settled, or over one connection from the start."""
    ranges_served: bool = False
    """Whether the file host answered a range (206)."""
    first_byte_at: float | None = None
    monotonic: Callable[[], float] = attrs.field(default=time.monotonic, repr=False)

    def started(self) -> None:
        """A piece of the body arrived (the first one starts the clock)."""
        if self.first_byte_at is None:
            self.first_byte_at = self.monotonic()

    def never(self) -> None:
        """Stay in one piece from now on (a host that mangles ranges)."""
        self.decided = True

    def decide(self, offset: int, total: int | None) -> bool:
        """Whether to split now, ``offset`` bytes of ``total`` received."""
        if self.decided or offset < MIN_PART_SIZE:
            return False
        self.decided = True
        assert self.first_byte_at is not None
        elapsed = self.monotonic() - self.first_byte_at
        return not (
            not self.ranges_served
            or total is None
            or total - offset < 2 * MIN_PART_SIZE
            or elapsed <= 0
            or offset / elapsed >= FAST_LINK
        )
