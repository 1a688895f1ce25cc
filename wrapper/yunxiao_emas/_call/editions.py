"""The two editions of the token API, and which one a client speaks.

Yunxiao's central edition (``openapi-rdc.aliyuncs.com``) puts every token operation under
``/oapi/v1/flow/organizations/{organizationId}/``; an instance with its own domain (the region
edition) serves the same operations without ``organizations/{organizationId}/`` (its domain is
the organization), as the official Yunxiao MCP server does it. openapi.yaml documents each
token operation's region path as ``x-region-edition-path``; a test pins that :func:`region_path`
gives exactly those.
"""

from __future__ import annotations

import re

import httpx

from .._urls import is_loopback
from ..errors import InvalidArgumentError
from .hosts import PAT_API_HOST

__all__ = ["EDITIONS", "edition_for", "region_path"]

EDITIONS = ("central", "region")
_CENTRAL = re.compile(r"^/oapi/v1/flow/organizations/[^/?#]+(?=/)")


def edition_for(edition: object, base_url: str | None) -> str:
    """The edition a client speaks: the one given, else by the host of ``base_url``: central
    for ``openapi-rdc.aliyuncs.com`` and for loopback (the emulator, which serves both), region
    for any other host (an instance's own domain)."""
    if edition is not None:
        if edition not in EDITIONS:
            raise InvalidArgumentError("edition", "must be 'central', 'region' or None")
        return str(edition)
    if base_url is None:
        return "central"
    host = httpx.URL(base_url).host
    return "central" if host == PAT_API_HOST or is_loopback(host) else "region"


def region_path(path: str) -> str:
    """A central-edition path of the token API (percent-encoded, as built) in the region
    edition: without ``organizations/{organizationId}/``. Other paths are returned as given."""
    return _CENTRAL.sub("/oapi/v1/flow", path, count=1)
