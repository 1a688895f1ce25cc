"""Contains all the data models used in inputs/outputs"""

from .artifact_url_response import ArtifactUrlResponse
from .gateway_error import GatewayError
from .gateway_error_lower_case import GatewayErrorLowerCase
from .service_error import ServiceError
from .token_api_error import TokenApiError

__all__ = (
    "ArtifactUrlResponse",
    "GatewayError",
    "GatewayErrorLowerCase",
    "ServiceError",
    "TokenApiError",
)
