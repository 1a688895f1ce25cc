"""Shared pieces of the contract tests: the example ids, and a signer for the requests that
schemathesis generates.

schemathesis sends with ``requests`` (through ASGI too), so the SDK's ``httpx.Auth`` cannot be
plugged in; :class:`AcsV3RequestsAuth` puts the same headers on the prepared request and signs
them with the same function (``yunxiao_emas.auth.acs3.sign_parts``), over the final URL.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from collections.abc import Callable
from urllib.parse import parse_qsl, urlsplit

import requests
from yunxiao_emas.auth.acs3 import ACTION, DATE_FORMAT, VERSION, authorization, sign_parts

# The reference page's example ids (openapi.yaml's examples), so the examples reach a 200.
EXAMPLE = {
    "organization_id": "5ebbc0228123212b59xxxxx",
    "pipeline_id": 1111,
    "pipeline_run_id": 1,
    "emas_job_instance_id": "Psaxsa",
}
EXAMPLE_MD5 = "assasas"
EXAMPLE_CONNECTION = 122


class AcsV3RequestsAuth(requests.auth.AuthBase):
    """ACS3-HMAC-SHA256 for ``requests``: the SDK's headers, signed by ``sign_parts``."""

    def __init__(
        self,
        access_key_id: str,
        secret: str,
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.access_key_id = access_key_id
        self.secret = secret
        self.clock = clock

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        url = urlsplit(str(request.url))
        body = request.body or b""
        if isinstance(body, str):
            body = body.encode("utf-8")
        headers = {
            "host": url.netloc,
            "x-acs-action": ACTION,
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
