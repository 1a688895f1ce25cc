"""A client library for accessing Alibaba Cloud DevOps (Yunxiao) GetPipelineEmasArtifactUrl"""

from .client import AuthenticatedClient, Client

__all__ = (
    "AuthenticatedClient",
    "Client",
)
