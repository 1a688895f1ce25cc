"""yunxiao-emas: get the EMAS artifact of an Alibaba Cloud DevOps (Yunxiao) pipeline run.

>>> from yunxiao_emas import Client
>>> with Client() as client:  # doctest: +SKIP
...     artifact = client.download_pipeline_emas_artifact(
...         "5ebbc0228123212b59xxxxx", 1111, 1, "Psaxsa", "0cc175b9c0f1b6a831c399e269772661",
...         "out/", service_connection_id=122)

The command line tool (extra ``cli``) and the service emulator ``yunxiao_emas.testing``
(extra ``mock``) are not imported here, so this import stays light.
"""

from __future__ import annotations

from ._retry import RetryPolicy
from ._version import __version__
from .client import DEFAULT_ENDPOINT, AsyncClient, Client
from .credentials import (
    AccessKeyCredentials,
    CliProfileCredentials,
    CredentialsProvider,
    DefaultCredentialsChain,
    EnvironmentCredentials,
    IniFileCredentials,
    default_credentials,
)
from .errors import (
    ApiError,
    AuthenticationError,
    ChecksumMismatchError,
    CredentialsError,
    DownloadError,
    ForbiddenError,
    InvalidArgumentError,
    InvalidParameterError,
    NotFoundError,
    ServerError,
    ThrottledError,
    TransportError,
    YunxiaoError,
)
from .models import ArtifactUrl, DownloadedArtifact

__all__ = [
    "DEFAULT_ENDPOINT",
    "AccessKeyCredentials",
    "ApiError",
    "ArtifactUrl",
    "AsyncClient",
    "AuthenticationError",
    "ChecksumMismatchError",
    "CliProfileCredentials",
    "Client",
    "CredentialsError",
    "CredentialsProvider",
    "DefaultCredentialsChain",
    "DownloadError",
    "DownloadedArtifact",
    "EnvironmentCredentials",
    "ForbiddenError",
    "IniFileCredentials",
    "InvalidArgumentError",
    "InvalidParameterError",
    "NotFoundError",
    "RetryPolicy",
    "ServerError",
    "ThrottledError",
    "TransportError",
    "YunxiaoError",
    "__version__",
    "default_credentials",
]
