"""What each error code must map to, by its meaning: the expectation of the unit and the
end-to-end tests, written independently of ``yunxiao_emas.errors.error_class_for``."""

from __future__ import annotations

from yunxiao_emas import (
    ApiError,
    AuthenticationError,
    ForbiddenError,
    InvalidParameterError,
    NotFoundError,
    ServerError,
    ThrottledError,
)

# The 19 documented service codes (openapi.yaml, ServiceError.x-error-codes).
SERVICE_CODE_CLASSES: dict[str, type[ApiError]] = {
    "InvalidCluster.NotFound": NotFoundError,
    "InvalidCodeUrl.NotSupportSVN": InvalidParameterError,
    "InvalidParam.ParamNotPresent": InvalidParameterError,
    "InvalidResource.NotFound": NotFoundError,
    "InvalidResourceRole.NotFoun": NotFoundError,  # sic, as documented
    "InvalidResourceRole.NotFound": NotFoundError,
    "InvalidUser.NotFound": NotFoundError,
    "InvalidUser.ResourceMemberCouldNotDeleteOwner": ForbiddenError,
    "InvalidUser.ResourceMemberNotExists": NotFoundError,
    "InvalidUser.UserNotInCurrentOrganization": ForbiddenError,
    "Forbidden.AccessDenied": ForbiddenError,
    "Forbidden.UserNotAdminOrOwner": ForbiddenError,
    "Forbidden.UserNotInCurrentOrganization": ForbiddenError,
    "InvalidIdentifier.NotFound": NotFoundError,
    "InvalidOrganization.NotFound": NotFoundError,
    "InvalidPipeline.NotFound": NotFoundError,
    "InvalidPipelineRun.NotFound": NotFoundError,
    "InvalidWorkspace.NotFound": NotFoundError,
}

# The gateway codes (openapi.yaml, GatewayError.x-error-codes).
GATEWAY_CODE_CLASSES: dict[str, type[ApiError]] = {
    "IncompleteSignature": AuthenticationError,
    "SignatureDoesNotMatch": AuthenticationError,
    "InvalidTimeStamp.Expired": AuthenticationError,
    "InvalidTimeStamp.Format": AuthenticationError,
    "SignatureNonceUsed": AuthenticationError,
    "InvalidAccessKeyId.NotFound": AuthenticationError,
    "InvalidAccessKeyId.Inactive": AuthenticationError,
    "InvalidSecurityToken.Expired": AuthenticationError,
    "InvalidSecurityToken.Malformed": AuthenticationError,
    "MissingSecurityToken": AuthenticationError,
    "InvalidAction.NotFound": NotFoundError,
    "InvalidVersion": InvalidParameterError,
    "Throttling": ThrottledError,
    "Throttling.User": ThrottledError,
    "Throttling.Api": ThrottledError,
    "InternalError": ServerError,
    "ServiceUnavailable": ServerError,
}
