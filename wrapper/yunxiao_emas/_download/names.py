"""The names of a download: whether ``dest`` names a directory, the file's name in it (from
the file host's ``Content-Disposition`` or the URL), for the client and the command line alike
(its progress bar names the file the download writes); and whether the file it names may be
written (:func:`check_target`), before any I/O and once the file host named it.
"""

from __future__ import annotations

import hashlib
import os
import re
import stat as stat_module
from collections.abc import Mapping
from email.message import Message
from email.utils import collapse_rfc2231_value
from email.utils import unquote as unquote_header
from pathlib import Path

import httpx

from ..models import DownloadedArtifact

__all__ = [
    "MAX_NAME_BYTES",
    "Occupied",
    "check_target",
    "existing_match",
    "exists_rule",
    "filename_from",
    "hex_md5",
    "names_a_directory",
    "safe_filename",
]

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
MAX_NAME_BYTES = 255  # NAME_MAX of Linux and macOS file systems
_HEX_MD5 = re.compile(r"[0-9a-fA-F]{32}")


def names_a_directory(dest: str) -> bool:
    """Whether ``dest`` is a directory to download into: it ends with a path separator (it is
    created if need be), or names an existing directory."""
    separators = (os.sep, os.altsep) if os.altsep else (os.sep,)
    return dest.endswith(separators) or Path(dest).expanduser().is_dir()


def filename_from(headers: Mapping[str, str], url: httpx.URL | str) -> str:
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
        name = httpx.URL(url).path.rsplit("/", 1)[-1]
    return safe_filename(name)


def safe_filename(name: str) -> str:
    """One path component that cannot leave its directory: the last component of ``name``,
    without control characters, separators or leading dots (never a hidden file by surprise),
    not a device name of Windows (``CON``, ``NUL.apk``... get a ``_`` before them), at most 255
    bytes in UTF-8 (the extension kept); ``artifact`` when nothing is left."""
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = _UNSAFE_NAME.sub("_", name).strip().lstrip(".")
    if len(name.encode("utf-8")) > MAX_NAME_BYTES:
        stem, dot, extension = name.rpartition(".")
        if not dot or len(extension.encode("utf-8")) > 16:
            stem, extension = name, ""
        suffix = f".{extension}" if extension else ""
        budget = MAX_NAME_BYTES - len(suffix.encode("utf-8"))
        stem = stem.encode("utf-8")[:budget].decode("utf-8", "ignore")
        name = stem + suffix
    if name.split(".", 1)[0].strip().upper() in _RESERVED_NAMES:
        name = f"_{name}"
    return name or _FALLBACK_NAME


def hex_md5(md5: str) -> str | None:
    """``md5`` in lower case when it is a hex digest (32 hex digits), else None: the API's
    reference gives a non-hex example, which a download cannot be verified against."""
    return md5.lower() if _HEX_MD5.fullmatch(md5) else None


def exists_rule(path: Path, overwrite: str = "overwrite=True") -> str:
    """What a download says of a file in its way; ``overwrite`` is how to ask for it to be
    replaced (the command line says ``--overwrite``)."""
    return f"{path} exists; pass {overwrite} to replace it"


class Occupied(Exception):
    """The file a download would write cannot be used (see :func:`check_target`): a symbolic
    link, a node that is no regular file (``special``: what it is), or a file (``link``
    False) that only ``overwrite`` would replace."""

    def __init__(self, path: Path, *, link: bool, special: str | None = None) -> None:
        self.path = path
        self.link = link
        self.special = special
        super().__init__(self.say())

    def say(self, overwrite: str = "overwrite=True") -> str:
        """The reason, with ``overwrite`` as the way to ask for a replacement."""
        if self.special is not None:
            return (
                f"{self.path} is {self.special}: a download writes a regular file (or into a "
                "directory), and never replaces or writes into a device, a FIFO or a socket"
            )
        if self.link:
            return (
                f"{self.path} is a symbolic link: a download never replaces one nor writes "
                "through it (give the path it points to, or remove the link)"
            )
        return exists_rule(self.path, overwrite)


def check_target(path: Path, md5: str, overwrite: bool) -> DownloadedArtifact | None:
    """Whether the file at ``path`` may be written: the result of the download when it already
    holds the artifact (its md5 is ``md5``, 32 hex digits), or None (no such file, or one to
    replace). A symbolic link is never replaced nor written through, and another file only
    with ``overwrite``: :class:`Occupied` says why."""
    if path.is_symlink():
        raise Occupied(path, link=True)
    special = special_kind(path)
    if special is not None:
        raise Occupied(path, link=False, special=special)
    if not path.exists():
        return None
    skipped = existing_match(path, md5)
    if skipped is None and not overwrite:
        raise Occupied(path, link=False)
    return skipped


def special_kind(path: Path) -> str | None:
    """What ``path`` is when it exists and is neither a regular file, a directory nor a
    symbolic link (``a character device``, ``a FIFO``, ...); None otherwise.

    ``os.replace`` would put a regular file in place of the node (as root: ``/dev/null``), and
    opening a FIFO waits for a writer: such a destination is refused, overwrite or not."""
    try:
        mode = os.lstat(path).st_mode
    except OSError:
        return None  # absent (or unreadable: the commit reports that)
    for test, kind in (
        (stat_module.S_ISCHR, "a character device"),
        (stat_module.S_ISBLK, "a block device"),
        (stat_module.S_ISFIFO, "a FIFO"),
        (stat_module.S_ISSOCK, "a socket"),
    ):
        if test(mode):
            return kind
    if stat_module.S_ISREG(mode) or stat_module.S_ISDIR(mode) or stat_module.S_ISLNK(mode):
        return None
    return "not a regular file"


def same_bytes(path: Path, md5: str) -> bool:
    """Whether the regular file ``path`` (not a link) has the md5 ``md5``."""
    try:
        if path.is_symlink() or not path.is_file():
            return False
        digest = hashlib.md5(usedforsecurity=False)
        with path.open("rb") as existing:
            while block := existing.read(1024 * 1024):
                digest.update(block)
    except OSError:
        return False
    return digest.hexdigest() == md5


def existing_match(path: Path, expected_md5: str) -> DownloadedArtifact | None:
    """The file already at ``path`` when its md5 is ``expected_md5`` (32 hex digits): then
    there is nothing to download. None otherwise (no such file, another md5, md5 not hex)."""
    if hex_md5(expected_md5) is None:
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
