"""Credentials: the value object, the provider protocol, the sources and the default chain.

Sources, each usable alone (all of them are :class:`CredentialsProvider`):

- :class:`EnvironmentCredentials`: ``ALIBABA_CLOUD_ACCESS_KEY_ID``, ``..._SECRET``, ``..._TOKEN``;
- :class:`CliProfileCredentials`: a profile of the aliyun CLI's ``~/.aliyun/config.json``;
- :class:`IniFileCredentials`: a section of the shared ``~/.alibabacloud/credentials.ini``.

:class:`DefaultCredentialsChain` tries them in that order. Every error is a
:class:`~yunxiao_emas.errors.CredentialsError` whose message names the source, the file and the
field at fault, and never contains a secret or a token.
"""

from __future__ import annotations

import abc
import logging
import os
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, ClassVar, Generic, Protocol, TypeVar, runtime_checkable

import attrs

from .errors import CredentialsError, InvalidArgumentError

__all__ = [
    "AccessKeyCredentials",
    "CliProfileCredentials",
    "CredentialsProvider",
    "DefaultCredentialsChain",
    "EnvironmentCredentials",
    "IniFileCredentials",
    "default_credentials",
]

ENV_ACCESS_KEY_ID = "ALIBABA_CLOUD_ACCESS_KEY_ID"
ENV_ACCESS_KEY_SECRET = "ALIBABA_CLOUD_ACCESS_KEY_SECRET"  # noqa: S105 (a variable name)
ENV_SECURITY_TOKEN = "ALIBABA_CLOUD_SECURITY_TOKEN"  # noqa: S105 (a variable name)
ENV_PROFILE = "ALIBABA_CLOUD_PROFILE"
ENV_CREDENTIALS_FILE = "ALIBABA_CLOUD_CREDENTIALS_FILE"

_WAY_OUT = (
    "pass a CredentialsProvider, for example an adapter around the official "
    "alibabacloud-credentials client (see README)"
)

_log = logging.getLogger("yunxiao_emas.credentials")


def _strip(value: object) -> object:
    # Values read from files and secret mounts often end with a newline; none of these ever
    # legitimately starts or ends with whitespace.
    return value.strip() if isinstance(value, str) else value


def _non_empty(instance: object, attribute: attrs.Attribute[str], value: str) -> None:
    if not isinstance(value, str) or not value:
        raise InvalidArgumentError(attribute.name, "must be a non-empty string")


def _header_safe(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    # These go into HTTP headers; a control character would be refused by httpx with an error
    # quoting the value. Say which field is wrong instead, without its value.
    if value is None and attribute.name == "security_token":
        return
    _non_empty(instance, attribute, value)  # type: ignore[arg-type]
    if any(ord(char) < 0x20 or ord(char) == 0x7F for char in str(value)):
        raise InvalidArgumentError(attribute.name, "must not contain control characters")


@attrs.frozen
class AccessKeyCredentials:
    """An AccessKey pair, with the STS security token when the key is temporary.

    The secret and the token never appear in ``repr`` or ``str``.

    >>> AccessKeyCredentials("LTAI5tExample", "secret")
    AccessKeyCredentials(access_key_id='LTAI5tExample', access_key_secret=<hidden>, security_token=None)
    """  # noqa: E501 (the doctest shows the repr on one line)

    access_key_id: str = attrs.field(converter=_strip, validator=_header_safe)
    access_key_secret: str = attrs.field(converter=_strip, validator=_non_empty, repr=False)
    security_token: str | None = attrs.field(
        default=None, converter=_strip, validator=_header_safe, repr=False
    )

    def __repr__(self) -> str:
        token = "<hidden>" if self.security_token else "None"
        return (
            f"AccessKeyCredentials(access_key_id={self.access_key_id!r}, "
            f"access_key_secret=<hidden>, security_token={token})"
        )

    __str__ = __repr__

    def get_credentials(self) -> AccessKeyCredentials:
        """Credentials are their own provider, so they can be passed wherever one is expected."""
        return self


@runtime_checkable
class CredentialsProvider(Protocol):
    """Anything that hands out credentials when a request is signed.

    It is asked on every signature, so a provider that rotates STS credentials works.
    """

    def get_credentials(self) -> AccessKeyCredentials: ...


# --- the sources ---------------------------------------------------------------------------


@attrs.frozen
class _Absent:
    """A source that is simply not there (nothing configured): the chain tries the next one.

    A source that *is* there but cannot be used raises :class:`CredentialsError` instead.
    """

    reason: str


class _Source(abc.ABC):
    """A built-in source: ``_load`` tells "absent" (a value) from "broken" (an exception)."""

    source_name: ClassVar[str]

    def get_credentials(self) -> AccessKeyCredentials:
        """The credentials of this source; :class:`CredentialsError` when it has none."""
        result = self._load()
        if isinstance(result, _Absent):
            raise CredentialsError(f"{self.source_name}: {result.reason}")
        return result

    @abc.abstractmethod
    def _load(self) -> AccessKeyCredentials | _Absent:
        """The credentials, or why the source is absent; raises when it is broken."""

    def _error(self, path: Path, detail: str) -> CredentialsError:
        return CredentialsError(f"{self.source_name}: {path}: {detail}")


class EnvironmentCredentials(_Source):
    """Credentials from ``ALIBABA_CLOUD_ACCESS_KEY_ID``, ``ALIBABA_CLOUD_ACCESS_KEY_SECRET`` and
    the optional ``ALIBABA_CLOUD_SECURITY_TOKEN`` (STS).

    The environment is read at every call (it costs nothing), so a process that rotates the
    variables is followed. An empty variable counts as not set.

    Absent (the default chain moves on quietly): none of the three variables is set. Broken
    (:class:`CredentialsError`): the secret or the token is set without the id, or the id
    without the secret.
    """

    source_name = "environment"

    def __repr__(self) -> str:
        return "EnvironmentCredentials()"

    def _load(self) -> AccessKeyCredentials | _Absent:
        environ = os.environ
        key_id = environ.get(ENV_ACCESS_KEY_ID, "")
        secret = environ.get(ENV_ACCESS_KEY_SECRET, "")
        token = environ.get(ENV_SECURITY_TOKEN, "")
        if not key_id:
            if secret or token:
                set_names = [
                    n
                    for n, v in ((ENV_ACCESS_KEY_SECRET, secret), (ENV_SECURITY_TOKEN, token))
                    if v
                ]
                raise CredentialsError(
                    f"{self.source_name}: {' and '.join(set_names)} set but "
                    f"{ENV_ACCESS_KEY_ID} is not"
                )
            return _Absent(f"{ENV_ACCESS_KEY_ID} is not set")
        if not secret:
            raise CredentialsError(
                f"{self.source_name}: {ENV_ACCESS_KEY_ID} is set but {ENV_ACCESS_KEY_SECRET} is not"
            )
        return AccessKeyCredentials(key_id, secret, token or None)


_T = TypeVar("_T")


class _ParsedFileCache(Generic[_T]):
    """The parsed content of one file, kept while its ``(path, st_mtime_ns, st_size)`` holds.

    Credentials are asked for at every signature: with the cache a hot loop costs one ``stat``,
    and an edited file (new mtime or size) is read again. Only successful parses are kept.
    """

    def __init__(self, parse: Callable[[Path, str], _T]) -> None:
        self._parse = parse
        self._entry: tuple[tuple[str, int, int], _T] | None = None

    def get(self, path: Path, stat: os.stat_result, error: Callable[[str], Exception]) -> _T:
        key = (str(path), stat.st_mtime_ns, stat.st_size)
        entry = self._entry  # one read: another thread may replace it meanwhile
        if entry is not None and entry[0] == key:
            return entry[1]
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise error(f"cannot be read ({exc.strerror or type(exc).__name__})") from None
        try:
            # utf-8-sig: editors on Windows like to start files with a byte order mark.
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise error(f"is not valid UTF-8 (byte {exc.start})") from None
        parsed = self._parse(path, text)
        self._entry = (key, parsed)
        return parsed


def _stat(path: Path) -> os.stat_result | None:
    """``os.stat`` of ``path``, or None when it does not exist. Other errors propagate."""
    try:
        return path.stat()
    except (FileNotFoundError, NotADirectoryError):
        return None


def _home() -> Path | _Absent:
    try:
        return Path.home()
    except RuntimeError:  # no HOME and no password entry: there is no default file to read
        return _Absent("the home directory cannot be determined")


_BY_ARGUMENT = "the profile argument"


def _profile_from(argument: str | None) -> tuple[str | None, str]:
    """The profile named by the argument or ALIBABA_CLOUD_PROFILE, and where it came from."""
    if argument:
        return argument, _BY_ARGUMENT
    from_env = os.environ.get(ENV_PROFILE, "")
    if from_env:
        return from_env, ENV_PROFILE
    return None, ""


class CliProfileCredentials(_Source):
    """Credentials from a profile of the aliyun CLI's configuration, ``~/.aliyun/config.json``.

    The profile is ``profile``, else ``ALIBABA_CLOUD_PROFILE``, else the file's ``current``,
    else ``default``. Profiles in mode ``AK`` and ``StsToken`` are supported; any other mode
    (``RamRoleArn``, ``EcsRamRole``, ``OIDC``, ``ChainableRamRoleArn``, ``CredentialsURI``,
    ``External``, ...) raises :class:`CredentialsError`: wrap the official
    ``alibabacloud-credentials`` client in a :class:`CredentialsProvider` for those.

    The file is stat-ed at every call and parsed again only when it changed.

    Absent (the default chain moves on quietly): the default file does not exist; the profile
    named by ``ALIBABA_CLOUD_PROFILE`` (shared with the INI file) or the fallback ``default`` is
    not in the file. Broken (:class:`CredentialsError`, and a warning from the chain if a later
    source works): an explicit ``path`` that does not exist, a malformed file, a profile named
    by the argument or by ``current`` that is not in the file, a missing field, an unsupported
    mode.
    """

    source_name = "aliyun CLI profile"
    supported_modes: ClassVar[tuple[str, ...]] = ("AK", "StsToken")

    def __init__(self, path: str | os.PathLike[str] | None = None, profile: str | None = None):
        self.path = Path(path).expanduser() if path is not None else None
        self.profile = profile
        self._cache: _ParsedFileCache[dict[str, Any]] = _ParsedFileCache(self._parse)

    def __repr__(self) -> str:
        path = str(self.path) if self.path is not None else None
        return f"CliProfileCredentials(path={path!r}, profile={self.profile!r})"

    def _load(self) -> AccessKeyCredentials | _Absent:
        if self.path is not None:
            path = self.path
        else:
            home = _home()
            if isinstance(home, _Absent):
                return home
            path = home / ".aliyun" / "config.json"
        stat = self._stat(path)
        if stat is None:
            if self.path is not None:
                raise self._error(path, "does not exist")
            return _Absent(f"{path} does not exist")
        config = self._cache.get(path, stat, lambda detail: self._error(path, detail))

        name, origin = _profile_from(self.profile)
        # A profile the user or the file itself insists on must exist; one chosen by the
        # variable shared with the INI file, or the fallback, may live in the other file.
        required = origin == _BY_ARGUMENT
        if name is None:
            current = config.get("current")
            if current:
                name, origin, required = current, "the file's current", True
            else:
                name = "default"
        for profile in config["profiles"]:
            if profile.get("name") == name:
                return self._credentials(path, name, profile)
        missing = f"has no profile {name!r}" + (f" (named by {origin})" if origin else "")
        if required:
            raise self._error(path, missing)
        return _Absent(f"{path} {missing}")

    def _stat(self, path: Path) -> os.stat_result | None:
        try:
            return _stat(path)
        except OSError as exc:
            raise self._error(path, f"cannot be read ({exc.strerror})") from None

    def _parse(self, path: Path, text: str) -> dict[str, Any]:
        import json

        try:
            config = json.loads(text)
        except json.JSONDecodeError as exc:
            # Not chained: the exception holds the whole document, secrets included.
            raise self._error(
                path, f"is not valid JSON ({exc.msg} at line {exc.lineno} column {exc.colno})"
            ) from None
        if not isinstance(config, dict):
            raise self._error(path, "must hold a JSON object")
        current = config.get("current")
        if current is not None and not isinstance(current, str):
            raise self._error(path, "current must be a string")
        if "profiles" not in config:
            raise self._error(path, "profiles is missing")
        profiles = config["profiles"]
        if not isinstance(profiles, list):
            raise self._error(path, "profiles must be a list")
        for index, profile in enumerate(profiles):
            if not isinstance(profile, dict):
                raise self._error(path, f"profiles[{index}] must be an object")
        return config

    def _credentials(self, path: Path, name: str, profile: dict[str, Any]) -> AccessKeyCredentials:
        where = f"profile {name!r}"
        mode = profile.get("mode")
        if not isinstance(mode, str) or not mode:
            raise self._error(path, f"{where}: mode is missing or empty")
        if mode not in self.supported_modes:
            raise self._error(
                path,
                f"{where} uses mode {mode!r}, which yunxiao-emas does not support "
                f"(supported: {', '.join(self.supported_modes)}); {_WAY_OUT}",
            )

        def field(key: str) -> str:
            value = profile.get(key)
            if not isinstance(value, str) or not value:
                raise self._error(path, f"{where} (mode {mode}): {key} is missing or empty")
            return value

        key_id = field("access_key_id")
        secret = field("access_key_secret")
        token = field("sts_token") if mode == "StsToken" else None
        return AccessKeyCredentials(key_id, secret, token)


class IniFileCredentials(_Source):
    """Credentials from a section of the shared INI file of the Alibaba Cloud SDKs.

    The file is ``path``, else ``ALIBABA_CLOUD_CREDENTIALS_FILE``, else
    ``~/.alibabacloud/credentials.ini`` (the Python SDK's name), else
    ``~/.alibabacloud/credentials`` (the other SDKs'). The section is ``profile``, else
    ``ALIBABA_CLOUD_PROFILE``, else ``default``. Only ``type = access_key`` (with
    ``access_key_id`` and ``access_key_secret``) is supported; a section with ``enable = false``
    is skipped, as the official SDKs do.

    >>> # ~/.alibabacloud/credentials.ini
    >>> # [default]
    >>> # type = access_key
    >>> # access_key_id = LTAI5tExample
    >>> # access_key_secret = ...

    Absent (the default chain moves on quietly): neither default file exists; the section named
    by ``ALIBABA_CLOUD_PROFILE`` or the fallback ``default`` is not in the file; the section is
    disabled. Broken (:class:`CredentialsError`): a file named by ``path`` or
    ``ALIBABA_CLOUD_CREDENTIALS_FILE`` that does not exist, a file that does not parse, a
    section named by the argument that is not there, a missing field, another ``type``.
    """

    source_name = "INI file"
    _DISABLED: ClassVar[frozenset[str]] = frozenset({"false", "no", "off", "0"})

    def __init__(self, path: str | os.PathLike[str] | None = None, profile: str | None = None):
        self.path = Path(path).expanduser() if path is not None else None
        self.profile = profile
        self._cache: _ParsedFileCache[dict[str, dict[str, str]]] = _ParsedFileCache(self._parse)

    def __repr__(self) -> str:
        path = str(self.path) if self.path is not None else None
        return f"IniFileCredentials(path={path!r}, profile={self.profile!r})"

    def _locate(self) -> tuple[Path, os.stat_result] | _Absent:
        explicit: tuple[Path, str] | None = None
        if self.path is not None:
            explicit = self.path, "the path argument"
        elif from_env := os.environ.get(ENV_CREDENTIALS_FILE, ""):
            explicit = Path(from_env).expanduser(), ENV_CREDENTIALS_FILE
        if explicit is not None:
            path, origin = explicit
            stat = self._stat(path)
            if stat is None:
                raise self._error(path, f"does not exist (named by {origin})")
            return path, stat
        home = _home()
        if isinstance(home, _Absent):
            return home
        candidates = [
            home / ".alibabacloud" / "credentials.ini",
            home / ".alibabacloud" / "credentials",
        ]
        for path in candidates:
            stat = self._stat(path)
            if stat is not None:
                return path, stat
        return _Absent(f"neither {candidates[0]} nor {candidates[1]} exists")

    def _stat(self, path: Path) -> os.stat_result | None:
        try:
            return _stat(path)
        except OSError as exc:
            raise self._error(path, f"cannot be read ({exc.strerror})") from None

    def _load(self) -> AccessKeyCredentials | _Absent:
        located = self._locate()
        if isinstance(located, _Absent):
            return located
        path, stat = located
        sections = self._cache.get(path, stat, lambda detail: self._error(path, detail))

        name, origin = _profile_from(self.profile)
        if name is None:
            name = "default"
        section = sections.get(name)
        if section is None:
            missing = f"has no section [{name}]" + (f" (named by {origin})" if origin else "")
            if origin == _BY_ARGUMENT:
                raise self._error(path, missing)
            return _Absent(f"{path} {missing}")
        where = f"section [{name}]"
        if section.get("enable", "true").strip().lower() in self._DISABLED:
            return _Absent(f"{path}: {where} is disabled (enable = false)")
        kind = section.get("type", "").strip()
        if not kind:
            raise self._error(path, f"{where}: type is missing (expected type = access_key)")
        if kind != "access_key":
            raise self._error(
                path,
                f"{where} has type {kind!r}, which yunxiao-emas does not support "
                f"(supported: access_key); {_WAY_OUT}",
            )

        def field(key: str) -> str:
            value = section.get(key, "").strip()
            if not value:
                raise self._error(path, f"{where}: {key} is missing or empty")
            return value

        return AccessKeyCredentials(field("access_key_id"), field("access_key_secret"))

    def _parse(self, path: Path, text: str) -> dict[str, dict[str, str]]:
        import configparser

        # No interpolation: a secret may contain '%'.
        parser = configparser.ConfigParser(interpolation=None)
        try:
            parser.read_string(text, source=str(path))
        except configparser.MissingSectionHeaderError as exc:
            raise self._error(
                path, f"is not an INI file (line {exc.lineno} comes before any [section])"
            ) from None
        except configparser.DuplicateSectionError as exc:
            raise self._error(path, f"section [{exc.section}] appears twice") from None
        except configparser.DuplicateOptionError as exc:
            raise self._error(
                path, f"section [{exc.section}]: {exc.option} appears twice (line {exc.lineno})"
            ) from None
        except configparser.ParsingError as exc:
            # Only line numbers: configparser's own message quotes the lines, secrets included.
            lines = ", ".join(str(lineno) for lineno, _ in exc.errors)
            raise self._error(path, f"cannot be parsed (line {lines})") from None
        except configparser.Error:
            raise self._error(path, "cannot be parsed") from None
        return {name: dict(parser.items(name)) for name in parser.sections()}


# --- the chain -----------------------------------------------------------------------------


def _name_of(provider: CredentialsProvider) -> str:
    if isinstance(provider, _Source):
        return provider.source_name
    return type(provider).__name__


def _prefixed(name: str, error: CredentialsError) -> str:
    message = str(error)
    return message if message.startswith(f"{name}:") else f"{name}: {message}"


class DefaultCredentialsChain:
    """The first source that has credentials, among environment, aliyun CLI profile and INI file.

    This is the order of the official default chain of the Alibaba Cloud SDKs without the
    sources yunxiao-emas does not support: the official chain also tries an OIDC role (after
    the environment), an ECS RAM role and a credentials URI (at the end). For those, pass a
    :class:`CredentialsProvider` of your own, for example an adapter around the official
    ``alibabacloud-credentials`` client (see README); ``providers`` replaces the default list.

    Decisions:

    - A source that is *absent* (nothing configured) is passed over quietly. A source that is
      *present but broken* (a malformed file, a missing field, an unsupported mode, a variable
      set without its partner) is passed over too, so that one stale file does not block
      working credentials; but if a later source works, a WARNING names the broken one (never
      its secrets), since the credentials used are then probably not the ones intended. A
      :class:`CredentialsError` from a provider that is not one of the built-in sources counts
      as broken.
    - When no source works, the :class:`CredentialsError` lists every source tried and why
      each failed.
    - The first source that worked is remembered (as the official SDKs do) and asked again at
      every call, so rotation within that source is followed. The chain does not fall back to
      another source if it fails later: that would switch identities in the middle of a run.
      Its :class:`CredentialsError` is raised instead.

    >>> chain = DefaultCredentialsChain([AccessKeyCredentials("LTAI5tExample", "secret")])
    >>> chain.get_credentials().access_key_id
    'LTAI5tExample'
    """

    def __init__(self, providers: Sequence[CredentialsProvider] | None = None) -> None:
        if providers is None:
            providers = (EnvironmentCredentials(), CliProfileCredentials(), IniFileCredentials())
        providers = tuple(providers)
        if not providers:
            raise InvalidArgumentError("providers", "must hold at least one CredentialsProvider")
        for provider in providers:
            if not isinstance(provider, CredentialsProvider):
                raise InvalidArgumentError(
                    "providers", f"{type(provider).__name__} has no get_credentials()"
                )
        self.providers: tuple[CredentialsProvider, ...] = providers
        self._chosen: CredentialsProvider | None = None
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"DefaultCredentialsChain({list(self.providers)!r})"

    def get_credentials(self) -> AccessKeyCredentials:
        """Credentials from the remembered source, or from the first source that has some."""
        chosen = self._chosen
        if chosen is None:
            with self._lock:
                if self._chosen is None:
                    return self._resolve()
                chosen = self._chosen
        try:
            return chosen.get_credentials()
        except CredentialsError as exc:
            raise CredentialsError(
                f"{_prefixed(_name_of(chosen), exc)} (this source worked before; "
                "the chain keeps to it rather than switch identities)"
            ) from exc

    def _resolve(self) -> AccessKeyCredentials:
        failures: list[str] = []
        broken: list[str] = []
        for provider in self.providers:
            name = _name_of(provider)
            try:
                if isinstance(provider, _Source):
                    result = provider._load()
                else:
                    result = provider.get_credentials()
            except CredentialsError as exc:
                message = _prefixed(name, exc)
                failures.append(message)
                broken.append(message)
                continue
            if isinstance(result, _Absent):
                failures.append(f"{name}: {result.reason}")
                continue
            for message in broken:
                _log.warning(
                    "credentials source skipped because it is broken: %s; using %s instead",
                    message,
                    name,
                )
            self._chosen = provider
            return result
        raise CredentialsError("no credentials found; tried " + "; ".join(failures))


def default_credentials() -> DefaultCredentialsChain:
    """The default chain: environment, then aliyun CLI profile, then INI file."""
    return DefaultCredentialsChain()
