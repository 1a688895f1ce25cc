"""Credentials from a profile of the aliyun CLI's configuration, ``~/.aliyun/config.json``."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, ClassVar

from ._source import (
    BY_ARGUMENT,
    KNOWN_MODES,
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

__all__ = ["CliProfileCredentials"]


class CliProfileCredentials(Source):
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
        self._cache: ParsedFileCache[dict[str, Any]] = ParsedFileCache(self._parse)

    def __repr__(self) -> str:
        path = str(self.path) if self.path is not None else None
        return f"CliProfileCredentials(path={path!r}, profile={self.profile!r})"

    def _load(self) -> AccessKeyCredentials | Absent:
        if self.path is not None:
            path = self.path
        else:
            found = home()
            if isinstance(found, Absent):
                return found
            path = found / ".aliyun" / "config.json"
        stat = self._stat(path)
        if stat is None:
            if self.path is not None:
                raise self._error(path, "does not exist")
            return Absent(f"{path} does not exist")
        config = self._cache.get(path, stat, lambda detail: self._error(path, detail))

        name, origin = profile_from(self.profile)
        # A profile the user or the file itself insists on must exist; one chosen by the
        # variable shared with the INI file, or the fallback, may live in the other file.
        required = origin == BY_ARGUMENT
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
        return Absent(f"{path} {missing}")

    def _stat(self, path: Path) -> os.stat_result | None:
        try:
            return stat_or_none(path)
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
        except RecursionError:
            raise self._error(path, "is nested too deeply to be a CLI configuration") from None
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
        # A profile name is what the caller or the file asked for (the lookup matched it), not
        # a secret field: quoted as it is, as "has no profile" quotes it.
        where = f"profile {name!r}"
        mode = profile.get("mode")
        if not isinstance(mode, str) or not mode:
            raise self._error(path, f"{where}: mode is missing or empty")
        if mode not in self.supported_modes:
            raise self._error(
                path,
                f"{where} uses mode {shown(mode, KNOWN_MODES)}, which yunxiao-emas does not "
                f"support (supported: {', '.join(self.supported_modes)}); {WAY_OUT}",
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
