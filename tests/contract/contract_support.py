"""Shared pieces of the contract tests: the example ids, and the authentication of the
requests that schemathesis generates, for each API.

schemathesis sends with ``requests`` (through ASGI too), so the SDK's ``httpx.Auth`` cannot be
plugged in; :class:`AcsV3RequestsAuth` puts the same headers on the prepared request and signs
them with the same function (``yunxiao_emas.auth.acs3.sign_parts``), over the final URL, and
:class:`TokenRequestsAuth` sets ``x-yunxiao-token`` as ``yunxiao_emas.auth.token`` does.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from collections.abc import Callable
from urllib.parse import parse_qsl, urlsplit

import requests
from yunxiao_emas._call.operations import SIGNED
from yunxiao_emas.auth.acs3 import DATE_FORMAT, authorization, sign_parts
from yunxiao_emas.auth.token import TOKEN_HEADER
from yunxiao_emas.cli.spec import example_ids, operations

# The reference page's example ids (openapi.yaml's examples), so the examples reach a 200.
IDS = example_ids()
EXAMPLE = {
    name: IDS[name]
    for name in ("organization_id", "pipeline_id", "pipeline_run_id", "emas_job_instance_id")
}
EXAMPLE_MD5: str = IDS["md5"]
EXAMPLE_CONNECTION: int = IDS["service_connection_id"]
# A token the contract runs register as expired.
EXPIRED_TOKEN = "pt-contract-expired"
ACTION: str = operations()[SIGNED.name].extensions["x-acs-action"]
VERSION = str(operations()[SIGNED.name].extensions["x-acs-version"])


class AcsV3RequestsAuth(requests.auth.AuthBase):
    """ACS3-HMAC-SHA256 for ``requests``: the SDK's headers, signed by ``sign_parts``;
    ``action`` is the operation's ``x-acs-action`` (GetPipelineEmasArtifactUrl by default)."""

    def __init__(
        self,
        access_key_id: str,
        secret: str,
        *,
        clock: Callable[[], float] = time.time,
        action: str = ACTION,
    ) -> None:
        self.access_key_id = access_key_id
        self.secret = secret
        self.clock = clock
        self.action = action

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        url = urlsplit(str(request.url))
        body = request.body or b""
        if isinstance(body, str):
            body = body.encode("utf-8")
        headers = {
            "host": url.netloc,
            "x-acs-action": self.action,
            "x-acs-version": VERSION,
            "x-acs-date": time.strftime(DATE_FORMAT, time.gmtime(self.clock())),
            "x-acs-signature-nonce": secrets.token_hex(16),
            "x-acs-content-sha256": hashlib.sha256(body).hexdigest(),
        }
        parts = sign_parts(
            self.secret,
            str(request.method),
            url.path,
            parse_qsl(url.query, keep_blank_values=True),
            headers,
        )
        request.headers.update(headers)
        request.headers["Authorization"] = authorization(self.access_key_id, parts)
        return request


class TokenRequestsAuth(requests.auth.AuthBase):
    """A personal access token in ``x-yunxiao-token``, for ``requests``."""

    def __init__(self, token: str) -> None:
        self.token = token

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        request.headers[TOKEN_HEADER] = self.token
        return request
