"""Contains all the data models used in inputs/outputs"""

from .artifact_url_response import ArtifactUrlResponse
from .gateway_error import GatewayError
from .service_error import ServiceError
from .token_api_error import TokenApiError

__all__ = (
    "ArtifactUrlResponse",
    "GatewayError",
    "ServiceError",
    "TokenApiError",
)
