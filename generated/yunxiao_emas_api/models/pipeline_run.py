from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.pipeline_run_global_param import PipelineRunGlobalParam
    from ..models.pipeline_run_group import PipelineRunGroup
    from ..models.pipeline_run_source import PipelineRunSource
    from ..models.pipeline_run_stage import PipelineRunStage


T = TypeVar("T", bound="PipelineRun")


@_attrs_define
class PipelineRun:
    """A pipeline run: `pipelineRun` of GetPipelineRun's answer (signed API), or the whole
    answer of GetPipelineRunByToken and GetLatestPipelineRunByToken. The token API adds
    `pipelineConfigId`, `groups`, `pipelineType`, `creator`, `modifier`, `globalParams`.
    Times are milliseconds since the epoch.

        Attributes:
            pipeline_id (int | Unset): The pipeline id. Example: 1111.
            pipeline_run_id (int | Unset): The run id (`pipelineRunId` of GetPipelineEmasArtifactUrl). Example: 1.
            status (str | Unset): The run's status (`SUCCESS`, `FAIL`, `RUNNING`, or another state). Example: SUCCESS.
            trigger_mode (int | Unset): 1 manual, 2 scheduled, 3 code commit, 5 another pipeline, 6 webhook. Example: 1.
            create_time (int | Unset): When the run was created, in milliseconds since the epoch. Example: 1700000000000.
            update_time (int | Unset): When the run last changed, in milliseconds since the epoch. Example: 1700000600000.
            creator_account_id (str | Unset): The account that started the run. Example: 1234567890123456.
            modifier_account_id (str | Unset): The account that last changed the run. Example: 1234567890123456.
            stage_group (list[list[str]] | Unset): The stages' names, grouped as the pipeline runs them.
            sources (list[PipelineRunSource] | Unset): The code sources of the run.
            stages (list[PipelineRunStage] | Unset): The stages of the run, each with its jobs.
            pipeline_config_id (int | Unset): The pipeline configuration id (token API). Example: 2222.
            groups (list[PipelineRunGroup] | Unset): The pipeline's groups (token API).
            pipeline_type (str | Unset): The pipeline's type (token API). Example: FLOW.
            creator (str | Unset): Who started the run (token API). Example: 1234567890123456.
            modifier (str | Unset): Who last changed the run (token API). Example: 1234567890123456.
            global_params (list[PipelineRunGlobalParam] | Unset): The run's global parameters (token API).
    """

    pipeline_id: int | Unset = UNSET
    pipeline_run_id: int | Unset = UNSET
    status: str | Unset = UNSET
    trigger_mode: int | Unset = UNSET
    create_time: int | Unset = UNSET
    update_time: int | Unset = UNSET
    creator_account_id: str | Unset = UNSET
    modifier_account_id: str | Unset = UNSET
    stage_group: list[list[str]] | Unset = UNSET
    sources: list[PipelineRunSource] | Unset = UNSET
    stages: list[PipelineRunStage] | Unset = UNSET
    pipeline_config_id: int | Unset = UNSET
    groups: list[PipelineRunGroup] | Unset = UNSET
    pipeline_type: str | Unset = UNSET
    creator: str | Unset = UNSET
    modifier: str | Unset = UNSET
    global_params: list[PipelineRunGlobalParam] | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        pipeline_id = self.pipeline_id

        pipeline_run_id = self.pipeline_run_id

        status = self.status

        trigger_mode = self.trigger_mode

        create_time = self.create_time

        update_time = self.update_time

        creator_account_id = self.creator_account_id

        modifier_account_id = self.modifier_account_id

        stage_group: list[list[str]] | Unset = UNSET
        if not isinstance(self.stage_group, Unset):
            stage_group = []
            for stage_group_item_data in self.stage_group:
                stage_group_item = stage_group_item_data

                stage_group.append(stage_group_item)

        sources: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.sources, Unset):
            sources = []
            for sources_item_data in self.sources:
                sources_item = sources_item_data.to_dict()
                sources.append(sources_item)

        stages: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.stages, Unset):
            stages = []
            for stages_item_data in self.stages:
                stages_item = stages_item_data.to_dict()
                stages.append(stages_item)

        pipeline_config_id = self.pipeline_config_id

        groups: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.groups, Unset):
            groups = []
            for groups_item_data in self.groups:
                groups_item = groups_item_data.to_dict()
                groups.append(groups_item)

        pipeline_type = self.pipeline_type

        creator = self.creator

        modifier = self.modifier

        global_params: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.global_params, Unset):
            global_params = []
            for global_params_item_data in self.global_params:
                global_params_item = global_params_item_data.to_dict()
                global_params.append(global_params_item)

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
        if create_time is not UNSET:
            field_dict["createTime"] = create_time
        if update_time is not UNSET:
            field_dict["updateTime"] = update_time
        if creator_account_id is not UNSET:
            field_dict["creatorAccountId"] = creator_account_id
        if modifier_account_id is not UNSET:
            field_dict["modifierAccountId"] = modifier_account_id
        if stage_group is not UNSET:
            field_dict["stageGroup"] = stage_group
        if sources is not UNSET:
            field_dict["sources"] = sources
        if stages is not UNSET:
            field_dict["stages"] = stages
        if pipeline_config_id is not UNSET:
            field_dict["pipelineConfigId"] = pipeline_config_id
        if groups is not UNSET:
            field_dict["groups"] = groups
        if pipeline_type is not UNSET:
            field_dict["pipelineType"] = pipeline_type
        if creator is not UNSET:
            field_dict["creator"] = creator
        if modifier is not UNSET:
            field_dict["modifier"] = modifier
        if global_params is not UNSET:
            field_dict["globalParams"] = global_params

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.pipeline_run_global_param import PipelineRunGlobalParam
        from ..models.pipeline_run_group import PipelineRunGroup
        from ..models.pipeline_run_source import PipelineRunSource
        from ..models.pipeline_run_stage import PipelineRunStage

        d = dict(src_dict)
        pipeline_id = d.pop("pipelineId", UNSET)

        pipeline_run_id = d.pop("pipelineRunId", UNSET)

        status = d.pop("status", UNSET)

        trigger_mode = d.pop("triggerMode", UNSET)

        create_time = d.pop("createTime", UNSET)

        update_time = d.pop("updateTime", UNSET)

        creator_account_id = d.pop("creatorAccountId", UNSET)

        modifier_account_id = d.pop("modifierAccountId", UNSET)

        _stage_group = d.pop("stageGroup", UNSET)
        stage_group: list[list[str]] | Unset = UNSET
        if _stage_group is not UNSET:
            stage_group = []
            for stage_group_item_data in _stage_group:
                stage_group_item = cast(list[str], stage_group_item_data)

                stage_group.append(stage_group_item)

        _sources = d.pop("sources", UNSET)
        sources: list[PipelineRunSource] | Unset = UNSET
        if _sources is not UNSET:
            sources = []
            for sources_item_data in _sources:
                sources_item = PipelineRunSource.from_dict(sources_item_data)

                sources.append(sources_item)

        _stages = d.pop("stages", UNSET)
        stages: list[PipelineRunStage] | Unset = UNSET
        if _stages is not UNSET:
            stages = []
            for stages_item_data in _stages:
                stages_item = PipelineRunStage.from_dict(stages_item_data)

                stages.append(stages_item)

        pipeline_config_id = d.pop("pipelineConfigId", UNSET)

        _groups = d.pop("groups", UNSET)
        groups: list[PipelineRunGroup] | Unset = UNSET
        if _groups is not UNSET:
            groups = []
            for groups_item_data in _groups:
                groups_item = PipelineRunGroup.from_dict(groups_item_data)

                groups.append(groups_item)

        pipeline_type = d.pop("pipelineType", UNSET)

        creator = d.pop("creator", UNSET)

        modifier = d.pop("modifier", UNSET)

        _global_params = d.pop("globalParams", UNSET)
        global_params: list[PipelineRunGlobalParam] | Unset = UNSET
        if _global_params is not UNSET:
            global_params = []
            for global_params_item_data in _global_params:
                global_params_item = PipelineRunGlobalParam.from_dict(
                    global_params_item_data
                )

                global_params.append(global_params_item)

        pipeline_run = cls(
            pipeline_id=pipeline_id,
            pipeline_run_id=pipeline_run_id,
            status=status,
            trigger_mode=trigger_mode,
            create_time=create_time,
            update_time=update_time,
            creator_account_id=creator_account_id,
            modifier_account_id=modifier_account_id,
            stage_group=stage_group,
            sources=sources,
            stages=stages,
            pipeline_config_id=pipeline_config_id,
            groups=groups,
            pipeline_type=pipeline_type,
            creator=creator,
            modifier=modifier,
            global_params=global_params,
        )

        pipeline_run.additional_properties = d
        return pipeline_run

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
