"""The temporary file of a download and its commit: made beside the destination, made
durable (fsync, the mode of any new file), then moved into place in one step that either
happens or not; or removed, leaving nothing behind.
"""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
import weakref
from pathlib import Path

from ..errors import DownloadError
from .names import Occupied, same_bytes, special_kind
from .sink import cannot_write

__all__ = ["StagedFile"]


class StagedFile:
    """A ``.part`` file in ``directory``, open for writing at :attr:`fd`."""

    def __init__(self, directory: Path) -> None:
        try:
            fd, name = tempfile.mkstemp(dir=directory, prefix=".yunxiao-emas-", suffix=".part")
        except OSError as exc:
            raise cannot_write(exc, directory) from exc
        self.path = Path(name)
        self._fd = [fd]  # shared with the finalizer: -1 once closed, never closed twice
        # Removed however the download ends, even when an interruption (Ctrl+C, SIGTERM) comes
        # before anything could catch it: when this object is collected, or at exit.
        self._unplaced = weakref.finalize(self, _remove, self._fd, name)

    @property
    def fd(self) -> int:
        """The open file's descriptor (-1 once closed)."""
        return self._fd[0]

    def seal(self) -> None:
        """Make the bytes durable and the file closed, with the mode any new file would get
        (mkstemp makes it 0600)."""
        mode = 0o666 & ~_umask()
        try:
            fchmod = getattr(os, "fchmod", None)  # Windows has it only from Python 3.13
            if fchmod is not None:
                fchmod(self.fd, mode)
            os.fsync(self.fd)
            self._close()
            if fchmod is None:
                os.chmod(self.path, mode)
        except OSError as exc:
            raise cannot_write(exc) from exc

    def place(self, target: Path, *, replace: bool, md5: str | None = None) -> None:
        """Move the sealed file to ``target``: replacing a file there only when ``replace``.

        A file that appeared there meanwhile with the md5 ``md5`` (another download of the same
        artifact, run at the same time, got there first) is the same result: this one is
        removed, and that is success."""
        special = special_kind(target)  # it may have become one meanwhile
        if special is not None:
            occupied = Occupied(target, link=False, special=special)
            raise DownloadError(str(occupied)) from occupied
        try:
            if replace:
                os.replace(self.path, target)
            else:
                _move_without_replacing(self.path, target)
        except FileExistsError:
            if md5 is not None and same_bytes(target, md5):
                self._unplaced()  # this copy goes; the one in place is the same
                return
            occupied = Occupied(target, link=False)  # a file appeared there meanwhile
            raise DownloadError(str(occupied)) from occupied
        except OSError as exc:
            raise DownloadError(f"cannot move the download into place: {exc.strerror}") from exc
        self._unplaced.detach()  # in place now: nothing to remove
        _fsync_dir(target.parent)

    def _close(self) -> None:
        fd, self._fd[0] = self._fd[0], -1
        if fd >= 0:
            os.close(fd)

    def discard(self) -> None:
        """Close and remove the file (nothing left behind)."""
        self._unplaced()


def _remove(fd_holder: list[int], name: str) -> None:
    fd, fd_holder[0] = fd_holder[0], -1
    with contextlib.suppress(OSError):
        if fd >= 0:
            os.close(fd)
    with contextlib.suppress(FileNotFoundError):
        os.unlink(name)


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
