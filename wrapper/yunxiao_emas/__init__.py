"""yunxiao-emas: get the EMAS artifact of an Alibaba Cloud DevOps (Yunxiao) pipeline run."""

from __future__ import annotations

from ._version import __version__
from .credentials import AccessKeyCredentials, CredentialsProvider
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

__all__ = [
    "AccessKeyCredentials",
    "ApiError",
    "AuthenticationError",
    "ChecksumMismatchError",
    "CredentialsError",
    "CredentialsProvider",
    "DownloadError",
    "ForbiddenError",
    "InvalidArgumentError",
    "InvalidParameterError",
    "NotFoundError",
    "ServerError",
    "ThrottledError",
    "TransportError",
    "YunxiaoError",
    "__version__",
]
