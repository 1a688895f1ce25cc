"""Credentials from a section of the shared INI file of the Alibaba Cloud SDKs."""

from __future__ import annotations

import os
from pathlib import Path
from typing import ClassVar

from ._source import (
    BY_ARGUMENT,
    ENV_CREDENTIALS_FILE,
    KNOWN_TYPES,
    WAY_OUT,
    Absent,
    ParsedFileCache,
    Source,
    home,
    profile_from,
    shown,
    stat_or_none,
)
from ._values import AccessKeyCredentials

__all__ = ["IniFileCredentials"]


class IniFileCredentials(Source):
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
        self._cache: ParsedFileCache[dict[str, dict[str, str]]] = ParsedFileCache(self._parse)

    def __repr__(self) -> str:
        path = str(self.path) if self.path is not None else None
        return f"IniFileCredentials(path={path!r}, profile={self.profile!r})"

    def _locate(self) -> tuple[Path, os.stat_result] | Absent:
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
        found = home()
        if isinstance(found, Absent):
            return found
        candidates = [
            found / ".alibabacloud" / "credentials.ini",
            found / ".alibabacloud" / "credentials",
        ]
        for path in candidates:
            stat = self._stat(path)
            if stat is not None:
                return path, stat
        return Absent(f"neither {candidates[0]} nor {candidates[1]} exists")

    def _stat(self, path: Path) -> os.stat_result | None:
        try:
            return stat_or_none(path)
        except OSError as exc:
            raise self._error(path, f"cannot be read ({exc.strerror})") from None

    def _load(self) -> AccessKeyCredentials | Absent:
        located = self._locate()
        if isinstance(located, Absent):
            return located
        path, stat = located
        sections = self._cache.get(path, stat, lambda detail: self._error(path, detail))

        name, origin = profile_from(self.profile)
        if name is None:
            name = "default"
        section = sections.get(name)
        if section is None:
            missing = f"has no section [{name}]" + (f" (named by {origin})" if origin else "")
            if origin == BY_ARGUMENT:
                raise self._error(path, missing)
            return Absent(f"{path} {missing}")
        where = f"section [{name}]"
        if section.get("enable", "true").strip().lower() in self._DISABLED:
            return Absent(f"{path}: {where} is disabled (enable = false)")
        kind = section.get("type", "").strip()
        if not kind:
            raise self._error(path, f"{where}: type is missing (expected type = access_key)")
        if kind != "access_key":
            raise self._error(
                path,
                f"{where} has type {shown(kind, KNOWN_TYPES)}, which yunxiao-emas does not support "
                f"(supported: access_key); {WAY_OUT}",
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
        sections = {name: dict(parser.items(name)) for name in parser.sections()}
        for name, section in sections.items():
            for key, value in section.items():
                if "\n" in value:
                    # configparser reads an indented line as the continuation of the value
                    # above it: "type = access_key" would swallow an indented secret line.
                    raise self._error(
                        path,
                        f"section [{name}]: the value of {key} continues on an indented line "
                        "(in an INI file an indented line continues the value above it; "
                        "remove the indentation)",
                    )
        return sections
