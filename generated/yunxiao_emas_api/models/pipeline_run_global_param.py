from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="PipelineRunGlobalParam")


@_attrs_define
class PipelineRunGlobalParam:
    """A global parameter of a run (token API).

    Attributes:
        key (str | Unset): The parameter's name. Example: BUILD_TYPE.
        value (str | Unset): The parameter's value (masked when `masked`). Example: release.
        masked (bool | Unset): Whether the value is masked.
        encrypted (bool | Unset): Whether the value is stored encrypted.
        running_config (bool | Unset): Whether the parameter is set when the run starts.
        type_ (str | Unset): The parameter's type.
        description (str | Unset): The parameter's description.
        meta_data (str | Unset): The parameter's metadata.
        option_type (str | Unset): The parameter's option type.
    """

    key: str | Unset = UNSET
    value: str | Unset = UNSET
    masked: bool | Unset = UNSET
    encrypted: bool | Unset = UNSET
    running_config: bool | Unset = UNSET
    type_: str | Unset = UNSET
    description: str | Unset = UNSET
    meta_data: str | Unset = UNSET
    option_type: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        key = self.key

        value = self.value

        masked = self.masked

        encrypted = self.encrypted

        running_config = self.running_config

        type_ = self.type_

        description = self.description

        meta_data = self.meta_data

        option_type = self.option_type

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if key is not UNSET:
            field_dict["key"] = key
        if value is not UNSET:
            field_dict["value"] = value
        if masked is not UNSET:
            field_dict["masked"] = masked
        if encrypted is not UNSET:
            field_dict["encrypted"] = encrypted
        if running_config is not UNSET:
            field_dict["runningConfig"] = running_config
        if type_ is not UNSET:
            field_dict["type"] = type_
        if description is not UNSET:
            field_dict["description"] = description
        if meta_data is not UNSET:
            field_dict["metaData"] = meta_data
        if option_type is not UNSET:
            field_dict["optionType"] = option_type

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        key = d.pop("key", UNSET)

        value = d.pop("value", UNSET)

        masked = d.pop("masked", UNSET)

        encrypted = d.pop("encrypted", UNSET)

        running_config = d.pop("runningConfig", UNSET)

        type_ = d.pop("type", UNSET)

        description = d.pop("description", UNSET)

        meta_data = d.pop("metaData", UNSET)

        option_type = d.pop("optionType", UNSET)

        pipeline_run_global_param = cls(
            key=key,
            value=value,
            masked=masked,
            encrypted=encrypted,
            running_config=running_config,
            type_=type_,
            description=description,
            meta_data=meta_data,
            option_type=option_type,
        )

        pipeline_run_global_param.additional_properties = d
        return pipeline_run_global_param

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
