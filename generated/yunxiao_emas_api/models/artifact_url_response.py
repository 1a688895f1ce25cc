from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="ArtifactUrlResponse")


@_attrs_define
class ArtifactUrlResponse:
    """The answer of GetPipelineEmasArtifactUrl.

    Attributes:
        request_id (str): Unique per request; quote it in support tickets. Example: ASSDS-ASSASX-XSAXSA-XSAXSAXS.
        success (bool): true when the call succeeded, false when it failed. Example: True.
        error_code (str | Unset): The error code; empty on success.
        error_message (str | Unset): The error message; empty on success.
        file_url (str | Unset): The temporary download URL of the EMAS build artifact, valid for one hour. Example:
            http://aliyun.com.
    """

    request_id: str
    success: bool
    error_code: str | Unset = UNSET
    error_message: str | Unset = UNSET
    file_url: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        request_id = self.request_id

        success = self.success

        error_code = self.error_code

        error_message = self.error_message

        file_url = self.file_url

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "requestId": request_id,
                "success": success,
            }
        )
        if error_code is not UNSET:
            field_dict["errorCode"] = error_code
        if error_message is not UNSET:
            field_dict["errorMessage"] = error_message
        if file_url is not UNSET:
            field_dict["fileUrl"] = file_url

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        request_id = d.pop("requestId")

        success = d.pop("success")

        error_code = d.pop("errorCode", UNSET)

        error_message = d.pop("errorMessage", UNSET)

        file_url = d.pop("fileUrl", UNSET)

        artifact_url_response = cls(
            request_id=request_id,
            success=success,
            error_code=error_code,
            error_message=error_message,
            file_url=file_url,
        )

        artifact_url_response.additional_properties = d
        return artifact_url_response

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
