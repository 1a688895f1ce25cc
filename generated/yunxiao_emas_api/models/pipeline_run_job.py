from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.pipeline_run_job_action import PipelineRunJobAction


T = TypeVar("T", bound="PipelineRunJob")


@_attrs_define
class PipelineRunJob:
    """A job of a stage. `params` (both APIs) and `result` (token API) are JSON **strings**.
    The EMAS build job reports the `emasJobInstanceId` and `md5` of its artifact there or
    in its actions' `params`; no public source names the keys (the README's EMAS rule).

        Attributes:
            id (int | Unset): The job's id. Example: 100.
            name (str | Unset): The job's name. Example: EMAS build.
            status (str | Unset): The job's status. Example: SUCCESS.
            start_time (int | Unset): When the job started, in milliseconds since the epoch. Example: 1700000000000.
            end_time (int | Unset): When the job ended, in milliseconds since the epoch; absent while it runs. Example:
                1700000600000.
            params (str | Unset): The job's parameters, a JSON string. Example: {"emasJobInstanceId": "Psaxsa", "md5":
                "0cc175b9c0f1b6a831c399e269772661", "serviceConnectionId": 122}.
            job_sign (str | Unset): The job's identifier in the pipeline (token API). Example: emas_build.
            result (str | Unset): The job's result data, a JSON string (token API). Example: {"data": {"emasJobInstanceId":
                "Psaxsa", "md5": "0cc175b9c0f1b6a831c399e269772661"}}.
            actions (list[PipelineRunJobAction] | Unset): What can be done with the job, and what it reports.
    """

    id: int | Unset = UNSET
    name: str | Unset = UNSET
    status: str | Unset = UNSET
    start_time: int | Unset = UNSET
    end_time: int | Unset = UNSET
    params: str | Unset = UNSET
    job_sign: str | Unset = UNSET
    result: str | Unset = UNSET
    actions: list[PipelineRunJobAction] | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        name = self.name

        status = self.status

        start_time = self.start_time

        end_time = self.end_time

        params = self.params

        job_sign = self.job_sign

        result = self.result

        actions: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.actions, Unset):
            actions = []
            for actions_item_data in self.actions:
                actions_item = actions_item_data.to_dict()
                actions.append(actions_item)

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
        if params is not UNSET:
            field_dict["params"] = params
        if job_sign is not UNSET:
            field_dict["jobSign"] = job_sign
        if result is not UNSET:
            field_dict["result"] = result
        if actions is not UNSET:
            field_dict["actions"] = actions

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.pipeline_run_job_action import PipelineRunJobAction

        d = dict(src_dict)
        id = d.pop("id", UNSET)

        name = d.pop("name", UNSET)

        status = d.pop("status", UNSET)

        start_time = d.pop("startTime", UNSET)

        end_time = d.pop("endTime", UNSET)

        params = d.pop("params", UNSET)

        job_sign = d.pop("jobSign", UNSET)

        result = d.pop("result", UNSET)

        _actions = d.pop("actions", UNSET)
        actions: list[PipelineRunJobAction] | Unset = UNSET
        if _actions is not UNSET:
            actions = []
            for actions_item_data in _actions:
                actions_item = PipelineRunJobAction.from_dict(actions_item_data)

                actions.append(actions_item)

        pipeline_run_job = cls(
            id=id,
            name=name,
            status=status,
            start_time=start_time,
            end_time=end_time,
            params=params,
            job_sign=job_sign,
            result=result,
            actions=actions,
        )

        pipeline_run_job.additional_properties = d
        return pipeline_run_job

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
