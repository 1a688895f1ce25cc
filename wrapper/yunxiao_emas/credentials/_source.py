"""What the built-in credentials sources share: "absent" versus "broken", the names of the
variables they read, and a cache of parsed files that never reads more than a credentials file
can hold."""

from __future__ import annotations

import abc
import os
import stat as stat_module
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import ClassVar, Generic, TypeVar

import attrs

from ..errors import CredentialsError, InvalidArgumentError
from ._values import AccessKeyCredentials, PersonalAccessToken

ENV_ACCESS_KEY_ID = "ALIBABA_CLOUD_ACCESS_KEY_ID"
ENV_ACCESS_KEY_SECRET = "ALIBABA_CLOUD_ACCESS_KEY_SECRET"  # noqa: S105 (a variable name)
ENV_SECURITY_TOKEN = "ALIBABA_CLOUD_SECURITY_TOKEN"  # noqa: S105 (a variable name)
ENV_PROFILE = "ALIBABA_CLOUD_PROFILE"
ENV_CREDENTIALS_FILE = "ALIBABA_CLOUD_CREDENTIALS_FILE"
ENV_YUNXIAO_TOKEN = "YUNXIAO_TOKEN"  # noqa: S105 (a variable name)

# A credentials file of a few profiles is a few KiB; anything far larger is not one (and
# /dev/zero would otherwise be read until memory runs out).
MAX_FILE_BYTES = 1024 * 1024

WAY_OUT = (
    "install yunxiao-emas[credentials] and pass credentials=OfficialCredentials(), which "
    "reads every source of the official alibabacloud-credentials client, or pass a "
    "CredentialsProvider of your own (see README, Credentials)"
)


@attrs.frozen
class Absent:
    """A source that is simply not there (nothing configured): the chain tries the next one.

    A source that *is* there but cannot be used raises :class:`CredentialsError` instead.
    """

    reason: str


Loaded = AccessKeyCredentials | PersonalAccessToken


class Source(abc.ABC):
    """A built-in source: ``_load`` tells "absent" (a value) from "broken" (an exception)."""

    source_name: ClassVar[str]

    def get_credentials(self) -> Loaded:
        """The credentials of this source; :class:`CredentialsError` when it has none."""
        result = self.load()
        if isinstance(result, Absent):
            raise CredentialsError(f"{self.source_name}: {result.reason}")
        return result

    def load(self) -> Loaded | Absent:
        """The credentials, or why the source is absent; raises CredentialsError when broken.

        A value that breaks a rule of the credentials (a control character in a key id, say)
        makes the source broken, not the caller's argument wrong: the chain moves on.
        """
        try:
            return self._load()
        except InvalidArgumentError as exc:
            raise CredentialsError(f"{self.source_name}: {exc}") from None

    @abc.abstractmethod
    def _load(self) -> Loaded | Absent:
        """The credentials, or why the source is absent; raises when it is broken."""

    def _error(self, path: Path, detail: str) -> CredentialsError:
        return CredentialsError(f"{self.source_name}: {path}: {detail}")


_T = TypeVar("_T")


class ParsedFileCache(Generic[_T]):
    """The parsed content of one file, kept while its ``(path, st_mtime_ns, st_size)`` holds.

    Credentials are asked for at every attempt: with the cache a hot loop costs one ``stat``,
    and an edited file (new mtime or size) is read again. Only successful parses are kept.
    Only regular files of at most :data:`MAX_FILE_BYTES` are read: a FIFO would block the
    caller forever and a device could be endless.
    """

    def __init__(self, parse: Callable[[Path, str], _T]) -> None:
        self._parse = parse
        self._entry: tuple[tuple[str, int, int], _T] | None = None

    def get(self, path: Path, stat: os.stat_result, error: Callable[[str], Exception]) -> _T:
        key = (str(path), stat.st_mtime_ns, stat.st_size)
        entry = self._entry  # one read: another thread may replace it meanwhile
        if entry is not None and entry[0] == key:
            return entry[1]
        if not stat_module.S_ISREG(stat.st_mode):
            raise error("is not a regular file")
        if stat.st_size > MAX_FILE_BYTES:
            raise error(f"is larger than {MAX_FILE_BYTES // 1024} KiB: not a credentials file")
        data = read_bounded(path, error)
        try:
            # utf-8-sig: editors on Windows like to start files with a byte order mark.
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise error(f"is not valid UTF-8 (byte {exc.start})") from None
        parsed = self._parse(path, text)
        self._entry = (key, parsed)
        return parsed


def read_bounded(path: Path, error: Callable[[str], Exception]) -> bytes:
    """At most :data:`MAX_FILE_BYTES` of the regular file ``path``; ``error(detail)`` when it
    is no regular file, is larger, or cannot be read."""
    # O_NONBLOCK: if the path was replaced by a FIFO after the stat, open does not wait for a
    # writer; the bounded read then ends at once.
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(path, flags)
        with _closing(fd):
            if not stat_module.S_ISREG(os.fstat(fd).st_mode):
                raise error("is not a regular file")
            data = os.read(fd, MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise error(f"cannot be read ({exc.strerror or type(exc).__name__})") from None
    if len(data) > MAX_FILE_BYTES:
        raise error(f"is larger than {MAX_FILE_BYTES // 1024} KiB: not a credentials file")
    return data


@contextmanager
def _closing(fd: int) -> Iterator[None]:
    try:
        yield
    finally:
        os.close(fd)


def stat_or_none(path: Path) -> os.stat_result | None:
    """``os.stat`` of ``path``, or None when it does not exist. Other errors propagate."""
    try:
        return path.stat()
    except (FileNotFoundError, NotADirectoryError):
        return None


def home() -> Path | Absent:
    try:
        return Path.home()
    except RuntimeError:  # no HOME and no password entry: there is no default file to read
        return Absent("the home directory cannot be determined")


BY_ARGUMENT = "the profile argument"

# The closed sets a message may quote: the modes of the aliyun CLI's profiles and the types of
# the INI file's sections that the official tools know. Anything else in those fields is
# described by its shape only: a secret pasted there looks just like a keyword (an AccessKey
# secret is 30 letters and digits), so no pattern can tell the two apart, a closed set can.
KNOWN_MODES = frozenset(
    {
        "AK",
        "StsToken",
        "RamRoleArn",
        "EcsRamRole",
        "RsaKeyPair",
        "ChainableRamRoleArn",
        "CredentialsURI",
        "External",
        "OIDC",
        "CloudSSO",
        "OAuth",
    }
)
KNOWN_TYPES = frozenset(
    {
        "access_key",
        "sts",
        "bearer",
        "ecs_ram_role",
        "ram_role_arn",
        "rsa_key_pair",
        "oidc_role_arn",
        "credentials_uri",
    }
)


def shape(value: str) -> str:
    """What a value looks like, never what it is: its length and the kinds of its characters
    (``a value of 30 characters: letters, digits``)."""
    kinds = [
        name
        for name, present in (
            ("letters", any(char.isascii() and char.isalpha() for char in value)),
            ("digits", any(char.isascii() and char.isdigit() for char in value)),
            ("punctuation", any(char.isascii() and not char.isalnum() for char in value)),
            ("non-ASCII", any(not char.isascii() for char in value)),
        )
        if present
    ]
    return f"a value of {len(value)} characters: {', '.join(kinds) or 'none'}"


def shown(value: str, known: frozenset[str]) -> str:
    """``value`` quoted for a message when it is one of the ``known`` keywords (a mode, a
    type); anything else (a secret pasted into the wrong field, say) is described by
    :func:`shape`, never quoted."""
    return repr(value) if value in known else f"({shape(value)}, not shown)"


def profile_from(argument: str | None) -> tuple[str | None, str]:
    """The profile named by the argument or ALIBABA_CLOUD_PROFILE, and where it came from."""
    if argument:
        return argument, BY_ARGUMENT
    from_env = os.environ.get(ENV_PROFILE, "")
    if from_env:
        return from_env, ENV_PROFILE
    return None, ""
