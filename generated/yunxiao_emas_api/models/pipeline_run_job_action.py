from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.pipeline_run_job_action_params import PipelineRunJobActionParams


T = TypeVar("T", bound="PipelineRunJobAction")


@_attrs_define
class PipelineRunJobAction:
    """An action of a job. `params` is an object (not a string).

    Attributes:
        type_ (str | Unset): The action's type. Example: EMAS.
        disable (bool | Unset): Whether the action is disabled. Example: False.
        params (PipelineRunJobActionParams | Unset): The action's parameters, an object.
        data (str | Unset): The action's data (token API).
        display_type (str | Unset): How the console shows the action (token API).
        name (str | Unset): The action's name (token API).
        order (int | Unset): The action's order (token API).
        title (str | Unset): The action's title (token API).
    """

    type_: str | Unset = UNSET
    disable: bool | Unset = UNSET
    params: PipelineRunJobActionParams | Unset = UNSET
    data: str | Unset = UNSET
    display_type: str | Unset = UNSET
    name: str | Unset = UNSET
    order: int | Unset = UNSET
    title: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        type_ = self.type_

        disable = self.disable

        params: dict[str, Any] | Unset = UNSET
        if not isinstance(self.params, Unset):
            params = self.params.to_dict()

        data = self.data

        display_type = self.display_type

        name = self.name

        order = self.order

        title = self.title

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if type_ is not UNSET:
            field_dict["type"] = type_
        if disable is not UNSET:
            field_dict["disable"] = disable
        if params is not UNSET:
            field_dict["params"] = params
        if data is not UNSET:
            field_dict["data"] = data
        if display_type is not UNSET:
            field_dict["displayType"] = display_type
        if name is not UNSET:
            field_dict["name"] = name
        if order is not UNSET:
            field_dict["order"] = order
        if title is not UNSET:
            field_dict["title"] = title

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.pipeline_run_job_action_params import PipelineRunJobActionParams

        d = dict(src_dict)
        type_ = d.pop("type", UNSET)

        disable = d.pop("disable", UNSET)

        _params = d.pop("params", UNSET)
        params: PipelineRunJobActionParams | Unset
        if isinstance(_params, Unset):
            params = UNSET
        else:
            params = PipelineRunJobActionParams.from_dict(_params)

        data = d.pop("data", UNSET)

        display_type = d.pop("displayType", UNSET)

        name = d.pop("name", UNSET)

        order = d.pop("order", UNSET)

        title = d.pop("title", UNSET)

        pipeline_run_job_action = cls(
            type_=type_,
            disable=disable,
            params=params,
            data=data,
            display_type=display_type,
            name=name,
            order=order,
            title=title,
        )

        pipeline_run_job_action.additional_properties = d
        return pipeline_run_job_action

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
