from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.pipeline_run_stage_info import PipelineRunStageInfo


T = TypeVar("T", bound="PipelineRunStage")


@_attrs_define
class PipelineRunStage:
    """A stage of a run.

    Attributes:
        index (str | Unset): The stage's position (token API; a string there). Example: 0.
        name (str | Unset): The stage's name. Example: Build.
        stage_info (PipelineRunStageInfo | Unset): A stage's state and jobs.
    """

    index: str | Unset = UNSET
    name: str | Unset = UNSET
    stage_info: PipelineRunStageInfo | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        index = self.index

        name = self.name

        stage_info: dict[str, Any] | Unset = UNSET
        if not isinstance(self.stage_info, Unset):
            stage_info = self.stage_info.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if index is not UNSET:
            field_dict["index"] = index
        if name is not UNSET:
            field_dict["name"] = name
        if stage_info is not UNSET:
            field_dict["stageInfo"] = stage_info

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.pipeline_run_stage_info import PipelineRunStageInfo

        d = dict(src_dict)
        index = d.pop("index", UNSET)

        name = d.pop("name", UNSET)

        _stage_info = d.pop("stageInfo", UNSET)
        stage_info: PipelineRunStageInfo | Unset
        if isinstance(_stage_info, Unset):
            stage_info = UNSET
        else:
            stage_info = PipelineRunStageInfo.from_dict(_stage_info)

        pipeline_run_stage = cls(
            index=index,
            name=name,
            stage_info=stage_info,
        )

        pipeline_run_stage.additional_properties = d
        return pipeline_run_stage

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
