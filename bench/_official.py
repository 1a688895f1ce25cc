"""The official Tea-based SDK (``alibabacloud-devops20210625``), pointed at a loopback server.

It is installed in the ``bench`` session only (the ``bench`` dependency group); elsewhere its
figures read "not installed". It is called as its users call it: ``Client(Config(...))`` and
``get_pipeline_emas_artifact_url(...)`` (requests underneath) or ``..._async`` (aiohttp, a new
session and connection per call: that is how the SDK does it).
"""

from __future__ import annotations

from importlib import metadata
from typing import Any

from ._servers import CONNECTION, JOB, MD5, ORG, PIPELINE, RUN

__all__ = ["OfficialSdk", "official_sdk"]

DISTRIBUTION = "alibabacloud-devops20210625"


class OfficialSdk:
    """One official client and its two ways to make the call."""

    def __init__(self, base_url: str, access_key_id: str, access_key_secret: str) -> None:
        from alibabacloud_devops20210625 import models
        from alibabacloud_devops20210625.client import Client
        from alibabacloud_tea_openapi import models as open_api_models

        config = open_api_models.Config(
            endpoint=base_url.removeprefix("http://"),
            protocol="http",
            access_key_id=access_key_id,
            access_key_secret=access_key_secret,
        )
        self.client: Any = Client(config)
        self._models: Any = models
        self.version = metadata.version(DISTRIBUTION)

    def _request(self) -> Any:
        return self._models.GetPipelineEmasArtifactUrlRequest(service_connection_id=CONNECTION)

    # Its argument order: organization, job, md5, pipeline, run (as strings), request.
    def call(self) -> str:
        response = self.client.get_pipeline_emas_artifact_url(
            ORG, JOB, MD5, str(PIPELINE), str(RUN), self._request()
        )
        url: str = response.body.file_url
        return url

    async def call_async(self) -> str:
        response = await self.client.get_pipeline_emas_artifact_url_async(
            ORG, JOB, MD5, str(PIPELINE), str(RUN), self._request()
        )
        url: str = response.body.file_url
        return url


def official_sdk(base_url: str, access_key_id: str, access_key_secret: str) -> OfficialSdk | None:
    """The official client, or None when the SDK is not installed here."""
    try:
        return OfficialSdk(base_url, access_key_id, access_key_secret)
    except ImportError:
        return None
