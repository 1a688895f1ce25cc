"""Credentials: the two kinds, the provider protocol, the sources and the default chain.

Sources, each usable alone (all of them are :class:`CredentialsProvider`), one a module:

- :class:`EnvironmentCredentials`: ``ALIBABA_CLOUD_ACCESS_KEY_ID``, ``..._SECRET``, ``..._TOKEN``;
- :class:`EnvironmentTokenCredentials`: a personal access token in ``YUNXIAO_TOKEN``;
- :class:`CliProfileCredentials`: a profile of the aliyun CLI's ``~/.aliyun/config.json``;
- :class:`IniFileCredentials`: a section of the shared ``~/.alibabacloud/credentials.ini``;
- :class:`OfficialCredentials`: the official ``alibabacloud-credentials`` package (the
  ``credentials`` extra), for roles, SSO and the other profile modes.

:class:`DefaultCredentialsChain` tries them in that order (the last one only when there is
something for it to read). Every error is a
:class:`~yunxiao_emas.errors.CredentialsError` whose message names the source, the file and the
field at fault, and never contains a secret or a token.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._lazy import lazy_names

if TYPE_CHECKING:
    from ._values import (
        AccessKeyCredentials,
        Credentials,
        CredentialsProvider,
        PersonalAccessToken,
    )
    from .chain import DefaultCredentialsChain, default_credentials
    from .cli_profile import CliProfileCredentials
    from .environment import EnvironmentCredentials, EnvironmentTokenCredentials
    from .ini_file import IniFileCredentials
    from .official import OfficialCredentials

# Loaded on first use (PEP 562): a client signing with AccessKeyCredentials needs the values,
# not the sources and the chain.
_HOME = {
    "AccessKeyCredentials": "._values",
    "Credentials": "._values",
    "CredentialsProvider": "._values",
    "PersonalAccessToken": "._values",
    "DefaultCredentialsChain": ".chain",
    "default_credentials": ".chain",
    "CliProfileCredentials": ".cli_profile",
    "EnvironmentCredentials": ".environment",
    "EnvironmentTokenCredentials": ".environment",
    "IniFileCredentials": ".ini_file",
    "OfficialCredentials": ".official",
}

__all__ = [
    "AccessKeyCredentials",
    "CliProfileCredentials",
    "Credentials",
    "CredentialsProvider",
    "DefaultCredentialsChain",
    "EnvironmentCredentials",
    "EnvironmentTokenCredentials",
    "IniFileCredentials",
    "OfficialCredentials",
    "PersonalAccessToken",
    "default_credentials",
]


__getattr__, __dir__ = lazy_names(__name__, _HOME, __all__)
