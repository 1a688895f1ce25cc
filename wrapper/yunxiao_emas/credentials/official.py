"""Credentials from the official ``alibabacloud-credentials`` package: what yunxiao-emas's own
sources do not read (roles, SSO, external processes).

Install it with the ``credentials`` extra: ``pip install 'yunxiao-emas[credentials]'``. It is
imported on first use only, so ``import yunxiao_emas`` stays light.
"""

from __future__ import annotations

import importlib
import logging
import os
import re
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, ClassVar

from ..errors import CredentialsError
from ._source import (
    ENV_CREDENTIALS_FILE,
    ENV_PROFILE,
    KNOWN_MODES,
    KNOWN_TYPES,
    Absent,
    Source,
    read_bounded,
    shape,
)
from ._values import AccessKeyCredentials

__all__ = ["EXTRA", "OfficialCredentials"]

EXTRA = "pip install 'yunxiao-emas[credentials]'"
"""The command that installs what :class:`OfficialCredentials` needs."""

ENV_ROLE_ARN = "ALIBABA_CLOUD_ROLE_ARN"
ENV_OIDC_PROVIDER_ARN = "ALIBABA_CLOUD_OIDC_PROVIDER_ARN"
ENV_OIDC_TOKEN_FILE = "ALIBABA_CLOUD_OIDC_TOKEN_FILE"  # noqa: S105 (a variable name)
ENV_ROLE_SESSION_NAME = "ALIBABA_CLOUD_ROLE_SESSION_NAME"
ENV_ECS_METADATA = "ALIBABA_CLOUD_ECS_METADATA"
ENV_CREDENTIALS_URI = "ALIBABA_CLOUD_CREDENTIALS_URI"

_MAX_MESSAGE = 300
_quiet = threading.local()


class _QuietWhileAsked(logging.Filter):
    """The official package logs each failed attempt with its traceback on the ``credentials``
    logger; while this adapter asks it, the failure becomes our one CredentialsError instead."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not getattr(_quiet, "active", False)


def _cli_config() -> Path | None:
    try:
        path = Path.home() / ".aliyun" / "config.json"
    except RuntimeError:
        return None
    return path if path.is_file() else None


def _ini_file() -> Path | None:
    named = os.environ.get(ENV_CREDENTIALS_FILE, "")
    if named:
        path = Path(named).expanduser()
        return path if path.is_file() else None
    try:
        folder = Path.home() / ".alibabacloud"
    except RuntimeError:
        return None
    for name in ("credentials.ini", "credentials"):
        if (folder / name).is_file():
            return folder / name
    return None


def _oidc_configured() -> bool:
    return all(
        os.environ.get(name) for name in (ENV_ROLE_ARN, ENV_OIDC_PROVIDER_ARN, ENV_OIDC_TOKEN_FILE)
    )


_QUOTED = re.compile(r"'[^']*'|\"[^\"]*\"")
_LINE = re.compile(r"\[line\s+(\d+)\]")


_VALUE_OF_INI = re.compile(r"^[^=:\[#;\s][^=:]*[=:][ \t]*(.*?)\s*$", re.MULTILINE)
_VALUE_OF_JSON = re.compile(r':\s*"((?:[^"\\]|\\.)*)"')
_WORD_EDGE = "A-Za-z0-9_.+/=-"


def _values_in_files() -> set[str]:
    """Every value the credentials files the official package reads hold (not their keys),
    but the keywords of the closed sets: its messages may quote any of them, quoted or not
    (``unsupported credential type <the value>``), and the one in a mode or a type may be a
    secret pasted into the wrong field."""
    values: set[str] = set()
    for path, pattern in ((_cli_config(), _VALUE_OF_JSON), (_ini_file(), _VALUE_OF_INI)):
        if path is None:
            continue
        try:
            text = read_bounded(path, CredentialsError).decode("utf-8", "replace")
        except CredentialsError:
            continue  # the official package fails on it too, with a message of its own
        values.update(match.group(1) for match in pattern.finditer(text))
    # Shorter values are no secrets, and hiding them would mangle the words of the message.
    return {value for value in values if len(value) >= 4 and value not in KNOWN_MODES | KNOWN_TYPES}


def _hide_values(text: str, values: set[str]) -> str:
    # Longest first: a value that holds another is hidden whole.
    for value in sorted(values, key=len, reverse=True):
        pattern = f"(?<![{_WORD_EDGE}]){re.escape(value)}(?![{_WORD_EDGE}])"
        text = re.sub(pattern, f"… ({shape(value)})".replace("\\", r"\\"), text)
    return text


def _keyword_or_hidden(match: re.Match[str], allowed: frozenset[str]) -> str:
    # A quoted keyword of the closed sets (a mode, a type, the profile asked for) says what is
    # wrong; anything else may be a secret, however much it looks like a keyword: only its
    # shape is told.
    inner = match.group()[1:-1]
    if inner in allowed or inner.startswith("… ("):
        return match.group()
    return f"'…' ({shape(inner)})"


def _one_line(
    error: BaseException, values: set[str] | None = None, profile: str | None = None
) -> str:
    """The official package's error in one line, without what it quotes: configparser and the
    official readers quote the lines of a credentials file, secrets included, and values of
    its fields (``values``: hidden wherever they appear). Only the keywords of the closed sets
    and the ``profile`` asked for are quoted."""
    import configparser

    if isinstance(error, configparser.Error):
        lines = sorted(set(_LINE.findall(str(error))), key=int)
        where = f" (line {', '.join(lines)})" if lines else ""
        return f"a credentials file cannot be parsed{where}"
    # What follows a line break (or its escape, in a repr) is a file's next line: a value that
    # swallowed an indented line, say, the secret on it.
    text = re.split(r"\n|\\n", str(error), maxsplit=1)[0]
    text = _hide_values(text, (values or set()) - {profile})
    allowed = KNOWN_MODES | KNOWN_TYPES | {profile or "default"}
    text = _QUOTED.sub(lambda match: _keyword_or_hidden(match, allowed), text)
    if _LINE.search(text):  # a parse error wrapped in another exception
        return f"a credentials file cannot be parsed ({type(error).__name__})"
    text = re.sub(r"\s+", " ", text).strip() or type(error).__name__
    return text if len(text) <= _MAX_MESSAGE else f"{text[: _MAX_MESSAGE - 3]}..."


class OfficialCredentials(Source):
    """A :class:`~yunxiao_emas.credentials.CredentialsProvider` around the official
    ``alibabacloud_credentials.client.Client``: aliyun CLI profiles in modes ``RamRoleArn``,
    ``EcsRamRole``, ``CloudSSO``, ``OIDC``, ``External``, ...; INI sections of type
    ``ram_role_arn``, ``ecs_ram_role``, ``oidc_role_arn``, ``rsa_key_pair``; an OIDC role from
    ``ALIBABA_CLOUD_ROLE_ARN``, ``..._OIDC_PROVIDER_ARN`` and ``..._OIDC_TOKEN_FILE``; an ECS RAM
    role named by ``ALIBABA_CLOUD_ECS_METADATA``; ``ALIBABA_CLOUD_CREDENTIALS_URI``.

    Needs ``pip install 'yunxiao-emas[credentials]'``. The default chain and the command line
    tool try it last, when there is something for it to read; pass it yourself to use it alone,
    or wrap a client of yours::

        from alibabacloud_credentials.client import Client as OfficialClient
        from alibabacloud_credentials.models import Config

        role = OfficialClient(Config(type="ram_role_arn", access_key_id="LTAI5t...",
                                     access_key_secret="...", role_arn="acs:ram::...:role/ci"))
        client = yunxiao_emas.Client(credentials=OfficialCredentials(role))

    Args:
        client: an ``alibabacloud_credentials.client.Client`` (anything with
            ``get_credential()``); default: the sources above, read where yunxiao-emas reads
            them (``$HOME`` and the environment as they are now, not as they were when the
            official package was imported).
        profile: the profile of ``~/.aliyun/config.json`` or section of the INI file to read
            (default ``ALIBABA_CLOUD_PROFILE``, then the file's current profile or ``default``);
            with a profile only those two files are read.

    The official client is asked at every call, so its own refresh of temporary credentials is
    followed. An official bearer token is refused: the API takes an AccessKey or a personal
    access token. Errors are :class:`~yunxiao_emas.errors.CredentialsError`, one line, without
    the official package's tracebacks.
    """

    source_name = "alibabacloud-credentials"
    modes: ClassVar[tuple[str, ...]] = ("RamRoleArn", "EcsRamRole", "CloudSSO", "OIDC", "External")

    def __init__(self, client: Any | None = None, *, profile: str | None = None) -> None:
        if client is not None and not callable(getattr(client, "get_credential", None)):
            raise TypeError("client must be an alibabacloud_credentials.client.Client")
        self.profile = profile
        self._client = client
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        given = "<client>" if self._client is not None else None
        return f"OfficialCredentials(client={given}, profile={self.profile!r})"

    @classmethod
    def has_something_to_read(cls, profile: str | None = None) -> bool:
        """Whether a source this adapter reads is configured (a file it reads exists, or a
        variable that names a role or a credentials URI is set): the default chain adds it
        only then. Whether the package is installed does not matter here."""
        if _cli_config() is not None or _ini_file() is not None:
            return True
        if profile is not None:
            return False
        return (
            _oidc_configured()
            or bool(os.environ.get(ENV_ECS_METADATA))
            or bool(os.environ.get(ENV_CREDENTIALS_URI))
        )

    def _load(self) -> AccessKeyCredentials | Absent:
        with self._lock:
            client = self._client
            if client is None:
                made = self._first_client()
                if isinstance(made, Absent):
                    return made
                self._client, model = made
        if client is not None:
            model = self._ask(client.get_credential)
        key_id = getattr(model, "access_key_id", None)
        secret = getattr(model, "access_key_secret", None)
        if not key_id or not secret:
            kind = getattr(model, "type", None) or type(model).__name__
            raise CredentialsError(
                f"{self.source_name}: the official client handed out no AccessKey ({kind}); "
                "the API takes an AccessKey or a personal access token"
            )
        token = getattr(model, "security_token", None) or None
        return AccessKeyCredentials(str(key_id), str(secret), token and str(token))

    def _ask(self, call: Callable[[], Any]) -> Any:
        _quiet.active = True
        try:
            return call()
        except CredentialsError:
            raise
        except Exception as exc:  # the official package raises many kinds; each is a failure
            profile = self.profile or os.environ.get(ENV_PROFILE) or None
            line = _one_line(exc, _values_in_files(), profile)
            raise CredentialsError(f"{self.source_name}: {line}") from None
        finally:
            _quiet.active = False

    def _first_client(self) -> tuple[Any, Any] | Absent:
        """The official client of the first source that answers, and its first answer."""
        try:
            official = importlib.import_module("alibabacloud_credentials.provider")
            client_class = importlib.import_module("alibabacloud_credentials.client").Client
        except ImportError:
            raise CredentialsError(
                f"{self.source_name}: the package is not installed; profiles in modes "
                f"{', '.join(self.modes)}, role-based INI sections, OIDC and ECS RAM roles need "
                f"it: {EXTRA}"
            ) from None
        logger = logging.getLogger("credentials")
        if not any(isinstance(existing, _QuietWhileAsked) for existing in logger.filters):
            logger.addFilter(_QuietWhileAsked())

        profile = self.profile or os.environ.get(ENV_PROFILE) or None
        candidates: list[tuple[str, Callable[[], Any]]] = []
        if self.profile is None and _oidc_configured():
            candidates.append(
                (
                    "OIDC role",
                    lambda: official.OIDCRoleArnCredentialsProvider(
                        role_arn=os.environ[ENV_ROLE_ARN],
                        oidc_provider_arn=os.environ[ENV_OIDC_PROVIDER_ARN],
                        oidc_token_file_path=os.environ[ENV_OIDC_TOKEN_FILE],
                        role_session_name=os.environ.get(ENV_ROLE_SESSION_NAME) or None,
                    ),
                )
            )
        if (cli := _cli_config()) is not None:
            candidates.append(
                (
                    f"aliyun CLI profile {cli}",
                    lambda: official.CLIProfileCredentialsProvider(
                        profile_name=profile, profile_file=str(cli)
                    ),
                )
            )
        if (ini := _ini_file()) is not None:
            candidates.append(
                (
                    f"INI file {ini}",
                    lambda: official.ProfileCredentialsProvider(
                        profile_file=str(ini), profile_name=profile or "default"
                    ),
                )
            )
        if self.profile is None and (role := os.environ.get(ENV_ECS_METADATA)):
            candidates.append(
                (
                    "ECS RAM role",
                    lambda: official.EcsRamRoleCredentialsProvider(role_name=role),
                )
            )
        if self.profile is None and (uri := os.environ.get(ENV_CREDENTIALS_URI)):
            candidates.append(("credentials URI", lambda: official.URLCredentialsProvider(uri=uri)))
        if not candidates:
            return Absent(
                "nothing for it to read (no aliyun CLI or INI file, no OIDC role, "
                f"{ENV_ECS_METADATA} or {ENV_CREDENTIALS_URI})"
            )
        failures = []
        for name, make in candidates:
            try:
                client = client_class(provider=self._ask(make))
                model = self._ask(client.get_credential)
            except CredentialsError as exc:
                failures.append(f"{name}: {str(exc).removeprefix(f'{self.source_name}: ')}")
                continue
            return client, model
        raise CredentialsError(f"{self.source_name}: {'; '.join(failures)}")
