"""yunxiao-emas: get the EMAS artifact of an Alibaba Cloud DevOps (Yunxiao) pipeline run,
through the signed API (an AccessKey) or Yunxiao's newer OpenAPI (a personal access token).

>>> from yunxiao_emas import Client
>>> with Client() as client:  # doctest: +SKIP
...     artifact = client.download_pipeline_emas_artifact(
...         "5ebbc0228123212b59xxxxx", 1111, 1, "Psaxsa", "0cc175b9c0f1b6a831c399e269772661",
...         "out/", service_connection_id=122)

The public names are loaded on first use (PEP 562), so ``import yunxiao_emas`` costs little
and each name brings only what it needs; the command line tool (extra ``cli``) and the service
emulator ``yunxiao_emas.testing`` (extra ``mock``) are separate modules altogether.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._lazy import lazy_names
from ._logging import configure as _configure_logging
from ._version import __version__

_configure_logging()  # a NullHandler; a stderr handler when YUNXIAO_EMAS_LOG asks for one

if TYPE_CHECKING:
    from ._call.policy import RetryPolicy
    from .client import DEFAULT_ENDPOINT, DEFAULT_TOKEN_ENDPOINT, AsyncClient, Client
    from .credentials import (
        AccessKeyCredentials,
        CliProfileCredentials,
        CredentialsProvider,
        DefaultCredentialsChain,
        EnvironmentCredentials,
        EnvironmentTokenCredentials,
        IniFileCredentials,
        PersonalAccessToken,
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
        NoMatchError,
        NotFoundError,
        ServerError,
        ThrottledError,
        TransportError,
        YunxiaoError,
    )
    from .models import ArtifactUrl, DownloadedArtifact
    from .runs import EmasArtifact, PipelineRun, PipelineRunSummary, ServiceConnection

_HOME = {
    "RetryPolicy": "._call.policy",
    "DEFAULT_ENDPOINT": ".client",
    "DEFAULT_TOKEN_ENDPOINT": ".client",
    "AsyncClient": ".client",
    "Client": ".client",
    "AccessKeyCredentials": ".credentials",
    "CliProfileCredentials": ".credentials",
    "CredentialsProvider": ".credentials",
    "DefaultCredentialsChain": ".credentials",
    "EnvironmentCredentials": ".credentials",
    "EnvironmentTokenCredentials": ".credentials",
    "IniFileCredentials": ".credentials",
    "PersonalAccessToken": ".credentials",
    "default_credentials": ".credentials",
    "ApiError": ".errors",
    "AuthenticationError": ".errors",
    "ChecksumMismatchError": ".errors",
    "CredentialsError": ".errors",
    "DownloadError": ".errors",
    "ForbiddenError": ".errors",
    "InvalidArgumentError": ".errors",
    "InvalidParameterError": ".errors",
    "NoMatchError": ".errors",
    "NotFoundError": ".errors",
    "ServerError": ".errors",
    "ThrottledError": ".errors",
    "TransportError": ".errors",
    "YunxiaoError": ".errors",
    "ArtifactUrl": ".models",
    "DownloadedArtifact": ".models",
    "EmasArtifact": ".runs",
    "PipelineRun": ".runs",
    "PipelineRunSummary": ".runs",
    "ServiceConnection": ".runs",
}

__all__ = [
    "DEFAULT_ENDPOINT",
    "DEFAULT_TOKEN_ENDPOINT",
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
    "EmasArtifact",
    "EnvironmentCredentials",
    "EnvironmentTokenCredentials",
    "ForbiddenError",
    "IniFileCredentials",
    "InvalidArgumentError",
    "InvalidParameterError",
    "NoMatchError",
    "NotFoundError",
    "PersonalAccessToken",
    "PipelineRun",
    "PipelineRunSummary",
    "RetryPolicy",
    "ServerError",
    "ServiceConnection",
    "ThrottledError",
    "TransportError",
    "YunxiaoError",
    "__version__",
    "default_credentials",
]


__getattr__, __dir__ = lazy_names(__name__, _HOME, __all__)
