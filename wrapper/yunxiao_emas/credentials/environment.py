"""Credentials from the environment: an AccessKey (``ALIBABA_CLOUD_*``) or a personal access
token (``YUNXIAO_TOKEN``)."""

from __future__ import annotations

import os

from ..errors import CredentialsError
from ._source import (
    ENV_ACCESS_KEY_ID,
    ENV_ACCESS_KEY_SECRET,
    ENV_SECURITY_TOKEN,
    ENV_YUNXIAO_TOKEN,
    Absent,
    Source,
)
from ._values import AccessKeyCredentials, PersonalAccessToken

__all__ = ["EnvironmentCredentials", "EnvironmentTokenCredentials"]


class EnvironmentCredentials(Source):
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

    def _load(self) -> AccessKeyCredentials | Absent:
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
            return Absent(f"{ENV_ACCESS_KEY_ID} is not set")
        if not secret:
            raise CredentialsError(
                f"{self.source_name}: {ENV_ACCESS_KEY_ID} is set but {ENV_ACCESS_KEY_SECRET} is not"
            )
        return AccessKeyCredentials(key_id, secret, token or None)


class EnvironmentTokenCredentials(Source):
    """A personal access token from ``YUNXIAO_TOKEN`` (selects Yunxiao's newer OpenAPI).

    Read at every call; an empty variable counts as not set (absent). A value that cannot be
    a token (spaces, control or non-ASCII characters) makes the source broken.
    """

    source_name = "environment (YUNXIAO_TOKEN)"

    def __repr__(self) -> str:
        return "EnvironmentTokenCredentials()"

    def _load(self) -> PersonalAccessToken | Absent:
        token = os.environ.get(ENV_YUNXIAO_TOKEN, "")
        if not token.strip():
            return Absent(f"{ENV_YUNXIAO_TOKEN} is not set")
        return PersonalAccessToken(token)
