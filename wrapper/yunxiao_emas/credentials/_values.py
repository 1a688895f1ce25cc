"""The two kinds of credentials, and the protocol of whatever hands them out.

The kind chooses the API: :class:`AccessKeyCredentials` sign calls of GetPipelineEmasArtifactUrl
(2021-06-25), a :class:`PersonalAccessToken` authenticates calls of Yunxiao's newer OpenAPI.
Neither shows its secret in ``repr``, ``str`` or an error message.
"""

from __future__ import annotations

from typing import Any, Protocol, TypeVar, runtime_checkable

import attrs

from ..errors import CredentialsError, InvalidArgumentError

__all__ = [
    "AccessKeyCredentials",
    "Credentials",
    "CredentialsProvider",
    "PersonalAccessToken",
    "credentials_of",
]


def _strip(value: object) -> object:
    # Values read from files and secret mounts often end with a newline; none of these ever
    # legitimately starts or ends with whitespace. str.strip, not value.strip: a str subclass
    # becomes a plain str, so what is checked is what is sent.
    return str.strip(value) if isinstance(value, str) else value


def _non_empty(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if type(value) is not str or not value:
        raise InvalidArgumentError(attribute.name, "must be a non-empty string")


def _header_safe(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """A value that goes into an HTTP header: visible ASCII only.

    httpx would refuse a control character, or a non-ASCII one, with an error that quotes the
    whole value (the token); say which field is wrong instead, without its value.
    """
    if value is None and attribute.name == "security_token":
        return
    _non_empty(instance, attribute, value)
    assert isinstance(value, str)
    if not all(0x21 <= ord(char) <= 0x7E for char in value):
        raise InvalidArgumentError(
            attribute.name,
            "must hold visible ASCII characters only (no spaces, control or non-ASCII characters)",
        )


@attrs.frozen
class AccessKeyCredentials:
    """An AccessKey pair, with the STS security token when the key is temporary.

    Selects the signed API (GetPipelineEmasArtifactUrl, 2021-06-25). The secret and the token
    never appear in ``repr`` or ``str``.

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


@attrs.frozen
class PersonalAccessToken:
    """A Yunxiao personal access token (``pt-...``), sent in the header ``x-yunxiao-token``.

    Selects Yunxiao's newer OpenAPI (``openapi-rdc.aliyuncs.com`` by default). The token never
    appears in ``repr``, ``str``, logs or error messages.

    >>> PersonalAccessToken("pt-0123456789abcdef")
    PersonalAccessToken(token=<hidden>)
    """

    token: str = attrs.field(converter=_strip, validator=_header_safe, repr=False)

    def __repr__(self) -> str:
        return "PersonalAccessToken(token=<hidden>)"

    __str__ = __repr__

    def get_credentials(self) -> PersonalAccessToken:
        """A token is its own provider, so it can be passed wherever one is expected."""
        return self


Credentials = AccessKeyCredentials | PersonalAccessToken
"""Either kind of credentials; the kind chooses the API."""


@runtime_checkable
class CredentialsProvider(Protocol):
    """Anything that hands out credentials when a request is authenticated.

    It is asked at every attempt, so a provider that rotates STS credentials or tokens works.
    It must keep to one kind: a client uses the API that its first credentials selected.
    """

    def get_credentials(self) -> AccessKeyCredentials | PersonalAccessToken: ...


_Kind = TypeVar("_Kind", AccessKeyCredentials, PersonalAccessToken)


def credentials_of(provider: CredentialsProvider, kind: type[_Kind]) -> _Kind:
    """The provider's credentials now, which must be of ``kind``: a client keeps to the API
    that its first credentials chose, so a provider that switches kind is refused."""
    credentials = provider.get_credentials()
    if not isinstance(credentials, kind):
        raise CredentialsError(
            f"the credentials provider handed out a {type(credentials).__name__} where this "
            f"client uses {kind.__name__}: a client keeps to the API its first credentials chose"
        )
    return credentials
