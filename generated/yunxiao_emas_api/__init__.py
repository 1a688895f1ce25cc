"""A client library for accessing Alibaba Cloud DevOps (Yunxiao) EMAS artifact download URL"""

from .client import AuthenticatedClient, Client

__all__ = (
    "AuthenticatedClient",
    "Client",
)
