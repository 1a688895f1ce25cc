from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="GatewayErrorLowerCase")


@_attrs_define
class GatewayErrorLowerCase:
    """The API gateway's error body with lower-case keys, as some gateways send it. Its
    `requestId` has the name and meaning of the service body's, where it is described.

        Attributes:
            code (str): The error code (open set, see `GatewayError.x-error-codes`). Example: Throttling.User.
            host_id (str | Unset): The endpoint host that answered.
            message (str | Unset): The error message.
            recommend (str | Unset): A link to Alibaba Cloud's troubleshooting page for this error.
    """

    code: str
    host_id: str | Unset = UNSET
    message: str | Unset = UNSET
    recommend: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        code = self.code

        host_id = self.host_id

        message = self.message

        recommend = self.recommend

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "code": code,
            }
        )
        if host_id is not UNSET:
            field_dict["hostId"] = host_id
        if message is not UNSET:
            field_dict["message"] = message
        if recommend is not UNSET:
            field_dict["recommend"] = recommend

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        code = d.pop("code")

        host_id = d.pop("hostId", UNSET)

        message = d.pop("message", UNSET)

        recommend = d.pop("recommend", UNSET)

        gateway_error_lower_case = cls(
            code=code,
            host_id=host_id,
            message=message,
            recommend=recommend,
        )

        gateway_error_lower_case.additional_properties = d
        return gateway_error_lower_case

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
