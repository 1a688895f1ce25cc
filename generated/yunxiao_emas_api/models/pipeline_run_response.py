from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.pipeline_run import PipelineRun


T = TypeVar("T", bound="PipelineRunResponse")


@_attrs_define
class PipelineRunResponse:
    """The answer of GetPipelineRun (signed API).

    Attributes:
        request_id (str): Unique per request; quote it in support tickets. Example:
            9E0BA1E6-0000-4000-8000-0000000000A1.
        success (bool): true when the call succeeded, false when it failed. Example: True.
        error_code (str | Unset): The error code; empty on success.
        error_message (str | Unset): The error message; empty on success.
        pipeline_run (PipelineRun | Unset): A pipeline run: `pipelineRun` of GetPipelineRun's answer (signed API), or
            the whole
            answer of GetPipelineRunByToken and GetLatestPipelineRunByToken. The token API adds
            `pipelineConfigId`, `groups`, `pipelineType`, `creator`, `modifier`, `globalParams`.
            Times are milliseconds since the epoch.
    """

    request_id: str
    success: bool
    error_code: str | Unset = UNSET
    error_message: str | Unset = UNSET
    pipeline_run: PipelineRun | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        request_id = self.request_id

        success = self.success

        error_code = self.error_code

        error_message = self.error_message

        pipeline_run: dict[str, Any] | Unset = UNSET
        if not isinstance(self.pipeline_run, Unset):
            pipeline_run = self.pipeline_run.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "requestId": request_id,
                "success": success,
            }
        )
        if error_code is not UNSET:
            field_dict["errorCode"] = error_code
        if error_message is not UNSET:
            field_dict["errorMessage"] = error_message
        if pipeline_run is not UNSET:
            field_dict["pipelineRun"] = pipeline_run

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.pipeline_run import PipelineRun

        d = dict(src_dict)
        request_id = d.pop("requestId")

        success = d.pop("success")

        error_code = d.pop("errorCode", UNSET)

        error_message = d.pop("errorMessage", UNSET)

        _pipeline_run = d.pop("pipelineRun", UNSET)
        pipeline_run: PipelineRun | Unset
        if isinstance(_pipeline_run, Unset):
            pipeline_run = UNSET
        else:
            pipeline_run = PipelineRun.from_dict(_pipeline_run)

        pipeline_run_response = cls(
            request_id=request_id,
            success=success,
            error_code=error_code,
            error_message=error_message,
            pipeline_run=pipeline_run,
        )

        pipeline_run_response.additional_properties = d
        return pipeline_run_response

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
