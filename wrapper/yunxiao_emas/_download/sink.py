"""Where the bytes of a download go: written to its file and hashed, in worker threads.

Also the one wording of a failed write (:func:`cannot_write`), for the sink and the commit.
"""

from __future__ import annotations

import hashlib
import os
import queue
import threading

from ..errors import DownloadError

__all__ = ["SINK_DEPTH", "Sink", "cannot_write"]

SINK_DEPTH = 2  # buffers (of chunk_size bytes each) waiting before the writer, and the hasher


def cannot_write(error: OSError, directory: object = None) -> DownloadError:
    """The error of a download whose file cannot be written (a full disk, say), or made in
    ``directory`` (read-only, say)."""
    what = "the download" if directory is None else f"in {directory}"
    failure = DownloadError(f"cannot write {what}: {error.strerror}")
    failure.__cause__ = error
    return failure


class Sink:
    """Writes and hashes the bytes of a download in two worker threads, in the order they came.

    The receiving thread only hands over lists of chunks (no copy). The writer joins each list
    into one buffer, passes it to the hasher and writes it with ``os.write``; the hasher feeds
    md5. Both release the GIL for a whole buffer, so receiving, writing and hashing overlap:
    one thread doing both wrote and hashed each byte in turn, and was the limit of a download
    (``python -m bench --only downloads`` shows each side's CPU per GB). At most
    :data:`SINK_DEPTH` buffers wait before each thread, so memory stays bounded; a write error
    is kept and raised by the next :meth:`put` or :meth:`drain`.
    """

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self.md5 = hashlib.md5(usedforsecurity=False)
        self._writes: queue.Queue[list[bytes] | None] = queue.Queue(SINK_DEPTH)
        self._hashes: queue.Queue[bytes | None] = queue.Queue(SINK_DEPTH)
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
            raise cannot_write(self._error)

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
