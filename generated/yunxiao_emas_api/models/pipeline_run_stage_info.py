from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.pipeline_run_job import PipelineRunJob


T = TypeVar("T", bound="PipelineRunStageInfo")


@_attrs_define
class PipelineRunStageInfo:
    """A stage's state and jobs.

    Attributes:
        id (int | Unset): The stage's id (token API). Example: 10.
        name (str | Unset): The stage's name. Example: Build.
        status (str | Unset): The stage's status. Example: SUCCESS.
        start_time (int | Unset): When the stage started, in milliseconds since the epoch. Example: 1700000000000.
        end_time (int | Unset): When the stage ended, in milliseconds since the epoch; absent while it runs. Example:
            1700000600000.
        jobs (list[PipelineRunJob] | Unset): The stage's jobs.
    """

    id: int | Unset = UNSET
    name: str | Unset = UNSET
    status: str | Unset = UNSET
    start_time: int | Unset = UNSET
    end_time: int | Unset = UNSET
    jobs: list[PipelineRunJob] | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        name = self.name

        status = self.status

        start_time = self.start_time

        end_time = self.end_time

        jobs: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.jobs, Unset):
            jobs = []
            for jobs_item_data in self.jobs:
                jobs_item = jobs_item_data.to_dict()
                jobs.append(jobs_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if id is not UNSET:
            field_dict["id"] = id
        if name is not UNSET:
            field_dict["name"] = name
        if status is not UNSET:
            field_dict["status"] = status
        if start_time is not UNSET:
            field_dict["startTime"] = start_time
        if end_time is not UNSET:
            field_dict["endTime"] = end_time
        if jobs is not UNSET:
            field_dict["jobs"] = jobs

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.pipeline_run_job import PipelineRunJob

        d = dict(src_dict)
        id = d.pop("id", UNSET)

        name = d.pop("name", UNSET)

        status = d.pop("status", UNSET)

        start_time = d.pop("startTime", UNSET)

        end_time = d.pop("endTime", UNSET)

        _jobs = d.pop("jobs", UNSET)
        jobs: list[PipelineRunJob] | Unset = UNSET
        if _jobs is not UNSET:
            jobs = []
            for jobs_item_data in _jobs:
                jobs_item = PipelineRunJob.from_dict(jobs_item_data)

                jobs.append(jobs_item)

        pipeline_run_stage_info = cls(
            id=id,
            name=name,
            status=status,
            start_time=start_time,
            end_time=end_time,
            jobs=jobs,
        )

        pipeline_run_stage_info.additional_properties = d
        return pipeline_run_stage_info

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
