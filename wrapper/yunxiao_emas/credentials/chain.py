"""The default chain of credentials sources."""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence

from ..errors import CredentialsError, InvalidArgumentError
from ._source import Absent, Source
from ._values import AccessKeyCredentials, Credentials, CredentialsProvider, PersonalAccessToken
from .cli_profile import CliProfileCredentials
from .environment import EnvironmentCredentials, EnvironmentTokenCredentials
from .ini_file import IniFileCredentials
from .official import OfficialCredentials

__all__ = ["DefaultCredentialsChain", "default_credentials"]

_log = logging.getLogger("yunxiao_emas.credentials")


def _name_of(provider: CredentialsProvider) -> str:
    if isinstance(provider, Source):
        return provider.source_name
    return type(provider).__name__


def _prefixed(name: str, error: CredentialsError) -> str:
    message = str(error)
    return message if message.startswith(f"{name}:") else f"{name}: {message}"


class DefaultCredentialsChain:
    """The first source that has credentials: the environment's AccessKey, the environment's
    personal access token (``YUNXIAO_TOKEN``), the aliyun CLI profile, the INI file.

    This is the order of the official default chain of the Alibaba Cloud SDKs without the
    sources yunxiao-emas does not support, and with Yunxiao's token beside the environment's
    AccessKey (both are what a CI job sets; an AccessKey wins when both are set, as the
    official chain knows no token). Last, when there is something for it to read (a CLI or
    INI file, an OIDC role, ``ALIBABA_CLOUD_ECS_METADATA`` or ``ALIBABA_CLOUD_CREDENTIALS_URI``),
    :class:`~yunxiao_emas.credentials.OfficialCredentials` serves what the official chain
    serves and ours does not (roles, SSO, external processes) through the official
    ``alibabacloud-credentials`` package (``pip install 'yunxiao-emas[credentials]'``); it
    does not probe the ECS metadata service unless a role is named.
    ``providers`` replaces the default list.

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
            defaults: list[CredentialsProvider] = [
                EnvironmentCredentials(),
                EnvironmentTokenCredentials(),
                CliProfileCredentials(),
                IniFileCredentials(),
            ]
            if OfficialCredentials.has_something_to_read():
                defaults.append(OfficialCredentials())
            providers = defaults
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

    def get_credentials(self) -> Credentials:
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

    def _resolve(self) -> Credentials:
        failures: list[str] = []
        broken: list[str] = []
        for provider in self.providers:
            name = _name_of(provider)
            try:
                if isinstance(provider, Source):
                    result = provider.load()
                else:
                    result = provider.get_credentials()
            except CredentialsError as exc:
                message = _prefixed(name, exc)
                failures.append(message)
                broken.append(message)
                continue
            if isinstance(result, Absent):
                failures.append(f"{name}: {result.reason}")
                continue
            if not isinstance(result, AccessKeyCredentials | PersonalAccessToken):
                message = (
                    f"{name}: get_credentials() returned a {type(result).__name__}, not "
                    "AccessKeyCredentials or PersonalAccessToken"
                )
                failures.append(message)
                broken.append(message)
                continue
            # The official package reads the same files as the sources before it: a profile they
            # could not serve (a role, say) is then served, not broken.
            level = logging.INFO if isinstance(provider, OfficialCredentials) else logging.WARNING
            for message in broken:
                _log.log(
                    level,
                    "credentials source skipped because it is broken: %s; using %s instead",
                    message,
                    name,
                )
            _log.info("credentials from %s", name)
            self._chosen = provider
            return result
        raise CredentialsError("no credentials found; tried " + "; ".join(failures))


def default_credentials() -> DefaultCredentialsChain:
    """The default chain: environment (AccessKey, then YUNXIAO_TOKEN), aliyun CLI profile, INI
    file, then the official package when there is something for it to read."""
    return DefaultCredentialsChain()
