from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="ServiceConnection")


@_attrs_define
class ServiceConnection:
    """A service connection of an organization.

    Attributes:
        id (int | Unset): The id (`serviceConnectionId` of GetPipelineEmasArtifactUrl). Example: 122.
        name (str | Unset): The connection's name. Example: EMAS.
        type_ (str | Unset): The connection's type (`emas` for EMAS). Example: emas.
        uuid (str | Unset): The connection's UUID. Example: 2f0e3c1a9b8d4e7f8a6b5c4d3e2f1a0b.
        create_time (int | Unset): When it was created, in milliseconds since the epoch. Example: 1700000000000.
        owner_account_id (Any | Unset): The owner's Alibaba Cloud account id: an integer (signed API) or a string of
            digits
            or an integer (token API).
             Example: 1234567890123456.
    """

    id: int | Unset = UNSET
    name: str | Unset = UNSET
    type_: str | Unset = UNSET
    uuid: str | Unset = UNSET
    create_time: int | Unset = UNSET
    owner_account_id: Any | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        name = self.name

        type_ = self.type_

        uuid = self.uuid

        create_time = self.create_time

        owner_account_id = self.owner_account_id

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if id is not UNSET:
            field_dict["id"] = id
        if name is not UNSET:
            field_dict["name"] = name
        if type_ is not UNSET:
            field_dict["type"] = type_
        if uuid is not UNSET:
            field_dict["uuid"] = uuid
        if create_time is not UNSET:
            field_dict["createTime"] = create_time
        if owner_account_id is not UNSET:
            field_dict["ownerAccountId"] = owner_account_id

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        id = d.pop("id", UNSET)

        name = d.pop("name", UNSET)

        type_ = d.pop("type", UNSET)

        uuid = d.pop("uuid", UNSET)

        create_time = d.pop("createTime", UNSET)

        owner_account_id = d.pop("ownerAccountId", UNSET)

        service_connection = cls(
            id=id,
            name=name,
            type_=type_,
            uuid=uuid,
            create_time=create_time,
            owner_account_id=owner_account_id,
        )

        service_connection.additional_properties = d
        return service_connection

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
