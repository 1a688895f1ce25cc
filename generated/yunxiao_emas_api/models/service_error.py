from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="ServiceError")


@_attrs_define
class ServiceError:
    """The service's own error body. `errorCode` is an open set: the documented codes are
    listed in `x-error-codes` (with their HTTP status and message); codes not listed there
    appear without notice and must be accepted.

        Attributes:
            error_code (str): The error code (open set, see `x-error-codes`). Example: InvalidPipeline.NotFound.
            request_id (str | Unset): Unique per request; quote it in support tickets.
            success (bool | Unset): Always false on an error.
            error_message (str | Unset): The error message. Example: The pipeline is not found..
    """

    error_code: str
    request_id: str | Unset = UNSET
    success: bool | Unset = UNSET
    error_message: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        error_code = self.error_code

        request_id = self.request_id

        success = self.success

        error_message = self.error_message

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "errorCode": error_code,
            }
        )
        if request_id is not UNSET:
            field_dict["requestId"] = request_id
        if success is not UNSET:
            field_dict["success"] = success
        if error_message is not UNSET:
            field_dict["errorMessage"] = error_message

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        error_code = d.pop("errorCode")

        request_id = d.pop("requestId", UNSET)

        success = d.pop("success", UNSET)

        error_message = d.pop("errorMessage", UNSET)

        service_error = cls(
            error_code=error_code,
            request_id=request_id,
            success=success,
            error_message=error_message,
        )

        service_error.additional_properties = d
        return service_error

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
