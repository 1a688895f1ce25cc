"""Credentials: the value object, the provider protocol, the sources and the default chain."""

from __future__ import annotations

from typing import Protocol, runtime_checkable

import attrs

__all__ = ["AccessKeyCredentials", "CredentialsProvider"]


def _non_empty(instance: object, attribute: attrs.Attribute[str], value: str) -> None:
    if not isinstance(value, str) or not value:
        from .errors import InvalidArgumentError

        raise InvalidArgumentError(attribute.name, "must be a non-empty string")


@attrs.frozen
class AccessKeyCredentials:
    """An AccessKey pair, with the STS security token when the key is temporary.

    The secret and the token never appear in ``repr`` or ``str``.

    >>> AccessKeyCredentials("LTAI5tExample", "secret")
    AccessKeyCredentials(access_key_id='LTAI5tExample', access_key_secret=<hidden>, security_token=None)
    """

    access_key_id: str = attrs.field(validator=_non_empty)
    access_key_secret: str = attrs.field(validator=_non_empty, repr=False)
    security_token: str | None = attrs.field(default=None, repr=False)

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
