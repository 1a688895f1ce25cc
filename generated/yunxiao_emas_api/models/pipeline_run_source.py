from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.pipeline_run_source_data import PipelineRunSourceData


T = TypeVar("T", bound="PipelineRunSource")


@_attrs_define
class PipelineRunSource:
    """A code source of a run.

    Attributes:
        type_ (str | Unset): The source's type. Example: codeup.
        sign (str | Unset): The source's identifier in the pipeline. Example: repo_1.
        name (str | Unset): The source's name (token API).
        label (str | Unset): The source's label (token API).
        data (PipelineRunSourceData | Unset): What the source ran. `commint` (sic) is the commit, as the API spells it.
    """

    type_: str | Unset = UNSET
    sign: str | Unset = UNSET
    name: str | Unset = UNSET
    label: str | Unset = UNSET
    data: PipelineRunSourceData | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        type_ = self.type_

        sign = self.sign

        name = self.name

        label = self.label

        data: dict[str, Any] | Unset = UNSET
        if not isinstance(self.data, Unset):
            data = self.data.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if type_ is not UNSET:
            field_dict["type"] = type_
        if sign is not UNSET:
            field_dict["sign"] = sign
        if name is not UNSET:
            field_dict["name"] = name
        if label is not UNSET:
            field_dict["label"] = label
        if data is not UNSET:
            field_dict["data"] = data

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.pipeline_run_source_data import PipelineRunSourceData

        d = dict(src_dict)
        type_ = d.pop("type", UNSET)

        sign = d.pop("sign", UNSET)

        name = d.pop("name", UNSET)

        label = d.pop("label", UNSET)

        _data = d.pop("data", UNSET)
        data: PipelineRunSourceData | Unset
        if isinstance(_data, Unset):
            data = UNSET
        else:
            data = PipelineRunSourceData.from_dict(_data)

        pipeline_run_source = cls(
            type_=type_,
            sign=sign,
            name=name,
            label=label,
            data=data,
        )

        pipeline_run_source.additional_properties = d
        return pipeline_run_source

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
