from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="PipelineRunSummary")


@_attrs_define
class PipelineRunSummary:
    """A run in a list (ListPipelineRuns, ListPipelineRunsByToken).

    Attributes:
        pipeline_id (int | Unset): The pipeline id. Example: 1111.
        pipeline_run_id (int | Unset): The run id. Example: 1.
        status (str | Unset): The run's status. Example: SUCCESS.
        trigger_mode (int | Unset): 1 manual, 2 scheduled, 3 code commit, 5 another pipeline, 6 webhook. Example: 1.
        start_time (int | Unset): When the run started, in milliseconds since the epoch. Example: 1700000000000.
        end_time (int | Unset): When the run ended, in milliseconds since the epoch; absent while it runs. Example:
            1700000600000.
        creator_account_id (str | Unset): The account that started the run. Example: 1234567890123456.
        creator (str | Unset): Who started the run (token API). Example: 1234567890123456.
    """

    pipeline_id: int | Unset = UNSET
    pipeline_run_id: int | Unset = UNSET
    status: str | Unset = UNSET
    trigger_mode: int | Unset = UNSET
    start_time: int | Unset = UNSET
    end_time: int | Unset = UNSET
    creator_account_id: str | Unset = UNSET
    creator: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        pipeline_id = self.pipeline_id

        pipeline_run_id = self.pipeline_run_id

        status = self.status

        trigger_mode = self.trigger_mode

        start_time = self.start_time

        end_time = self.end_time

        creator_account_id = self.creator_account_id

        creator = self.creator

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if pipeline_id is not UNSET:
            field_dict["pipelineId"] = pipeline_id
        if pipeline_run_id is not UNSET:
            field_dict["pipelineRunId"] = pipeline_run_id
        if status is not UNSET:
            field_dict["status"] = status
        if trigger_mode is not UNSET:
            field_dict["triggerMode"] = trigger_mode
        if start_time is not UNSET:
            field_dict["startTime"] = start_time
        if end_time is not UNSET:
            field_dict["endTime"] = end_time
        if creator_account_id is not UNSET:
            field_dict["creatorAccountId"] = creator_account_id
        if creator is not UNSET:
            field_dict["creator"] = creator

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        pipeline_id = d.pop("pipelineId", UNSET)

        pipeline_run_id = d.pop("pipelineRunId", UNSET)

        status = d.pop("status", UNSET)

        trigger_mode = d.pop("triggerMode", UNSET)

        start_time = d.pop("startTime", UNSET)

        end_time = d.pop("endTime", UNSET)

        creator_account_id = d.pop("creatorAccountId", UNSET)

        creator = d.pop("creator", UNSET)

        pipeline_run_summary = cls(
            pipeline_id=pipeline_id,
            pipeline_run_id=pipeline_run_id,
            status=status,
            trigger_mode=trigger_mode,
            start_time=start_time,
            end_time=end_time,
            creator_account_id=creator_account_id,
            creator=creator,
        )

        pipeline_run_summary.additional_properties = d
        return pipeline_run_summary

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
