from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="GatewayError")


@_attrs_define
class GatewayError:
    """The API gateway's error body, for signature, timestamp, nonce, credential, throttling
    and server problems. `Code` is an open set; the known codes are listed in
    `x-error-codes`. Some gateways answer with lower-case keys (`GatewayErrorLowerCase`);
    clients accept both.

        Attributes:
            code (str): The error code (open set, see `x-error-codes`). Example: SignatureDoesNotMatch.
            request_id (str | Unset): Unique per request; quote it in support tickets.
            host_id (str | Unset): The endpoint host that answered.
            message (str | Unset): The error message.
            recommend (str | Unset): A link to Alibaba Cloud's troubleshooting page for this error.
    """

    code: str
    request_id: str | Unset = UNSET
    host_id: str | Unset = UNSET
    message: str | Unset = UNSET
    recommend: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        code = self.code

        request_id = self.request_id

        host_id = self.host_id

        message = self.message

        recommend = self.recommend

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "Code": code,
            }
        )
        if request_id is not UNSET:
            field_dict["RequestId"] = request_id
        if host_id is not UNSET:
            field_dict["HostId"] = host_id
        if message is not UNSET:
            field_dict["Message"] = message
        if recommend is not UNSET:
            field_dict["Recommend"] = recommend

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        code = d.pop("Code")

        request_id = d.pop("RequestId", UNSET)

        host_id = d.pop("HostId", UNSET)

        message = d.pop("Message", UNSET)

        recommend = d.pop("Recommend", UNSET)

        gateway_error = cls(
            code=code,
            request_id=request_id,
            host_id=host_id,
            message=message,
            recommend=recommend,
        )

        gateway_error.additional_properties = d
        return gateway_error

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
