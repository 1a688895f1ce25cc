from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.pipeline_run_summary import PipelineRunSummary


T = TypeVar("T", bound="PipelineRunsResponse")


@_attrs_define
class PipelineRunsResponse:
    """The answer of ListPipelineRuns (signed API), one page.

    Attributes:
        request_id (str): Unique per request; quote it in support tickets. Example:
            9E0BA1E6-0000-4000-8000-0000000000A2.
        success (bool): true when the call succeeded, false when it failed. Example: True.
        error_code (str | Unset): The error code; empty on success.
        error_message (str | Unset): The error message; empty on success.
        pipeline_runs (list[PipelineRunSummary] | Unset): The page's runs, newest first.
        next_token (str | Unset): The next page's token; absent or empty on the last page. Example: 6a3ff2e4b2b5d5e8.
        total_count (int | Unset): The number of runs in all pages. Example: 42.
    """

    request_id: str
    success: bool
    error_code: str | Unset = UNSET
    error_message: str | Unset = UNSET
    pipeline_runs: list[PipelineRunSummary] | Unset = UNSET
    next_token: str | Unset = UNSET
    total_count: int | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        request_id = self.request_id

        success = self.success

        error_code = self.error_code

        error_message = self.error_message

        pipeline_runs: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.pipeline_runs, Unset):
            pipeline_runs = []
            for pipeline_runs_item_data in self.pipeline_runs:
                pipeline_runs_item = pipeline_runs_item_data.to_dict()
                pipeline_runs.append(pipeline_runs_item)

        next_token = self.next_token

        total_count = self.total_count

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
        if pipeline_runs is not UNSET:
            field_dict["pipelineRuns"] = pipeline_runs
        if next_token is not UNSET:
            field_dict["nextToken"] = next_token
        if total_count is not UNSET:
            field_dict["totalCount"] = total_count

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.pipeline_run_summary import PipelineRunSummary

        d = dict(src_dict)
        request_id = d.pop("requestId")

        success = d.pop("success")

        error_code = d.pop("errorCode", UNSET)

        error_message = d.pop("errorMessage", UNSET)

        _pipeline_runs = d.pop("pipelineRuns", UNSET)
        pipeline_runs: list[PipelineRunSummary] | Unset = UNSET
        if _pipeline_runs is not UNSET:
            pipeline_runs = []
            for pipeline_runs_item_data in _pipeline_runs:
                pipeline_runs_item = PipelineRunSummary.from_dict(
                    pipeline_runs_item_data
                )

                pipeline_runs.append(pipeline_runs_item)

        next_token = d.pop("nextToken", UNSET)

        total_count = d.pop("totalCount", UNSET)

        pipeline_runs_response = cls(
            request_id=request_id,
            success=success,
            error_code=error_code,
            error_message=error_message,
            pipeline_runs=pipeline_runs,
            next_token=next_token,
            total_count=total_count,
        )

        pipeline_runs_response.additional_properties = d
        return pipeline_runs_response

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
