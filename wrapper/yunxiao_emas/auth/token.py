"""The personal access token of Yunxiao's newer OpenAPI, as an ``httpx.Auth``.

The token goes in the header ``x-yunxiao-token``, as it is; there is no signature, no date and
no nonce. It is asked for at every attempt, so a provider that rotates tokens is followed.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import TYPE_CHECKING

import httpx

if TYPE_CHECKING:
    from ..credentials import CredentialsProvider

__all__ = ["TOKEN_HEADER", "TokenAuth"]

TOKEN_HEADER = "x-yunxiao-token"  # noqa: S105 (a header name, not a token)


class TokenAuth(httpx.Auth):
    """Sends the provider's :class:`~yunxiao_emas.PersonalAccessToken` in ``x-yunxiao-token``."""

    def __init__(self, credentials: CredentialsProvider) -> None:
        self._credentials = credentials

    def __repr__(self) -> str:
        return "TokenAuth()"

    def token(self) -> str:
        """The token to send now (never logged)."""
        from ..credentials._values import PersonalAccessToken, credentials_of

        return credentials_of(self._credentials, PersonalAccessToken).token

    def signature_headers(
        self,
        method: str,
        raw_path: str,
        query: object,
        host: str,
        body: bytes = b"",
        signed: object = None,
        *,
        action: object = None,
    ) -> dict[str, str]:
        """The headers that authenticate one request: ``x-yunxiao-token`` (the same for every
        operation: ``action`` is the signed API's and is not used)."""
        return {TOKEN_HEADER: self.token()}

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers[TOKEN_HEADER] = self.token()
        yield request
