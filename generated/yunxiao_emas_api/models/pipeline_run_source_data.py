from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="PipelineRunSourceData")


@_attrs_define
class PipelineRunSourceData:
    """What the source ran. `commint` (sic) is the commit, as the API spells it.

    Attributes:
        repo (str | Unset): The repository URL. Example: https://codeup.aliyun.com/org/app.git.
        branch (str | Unset): The branch. Example: main.
        commint (str | Unset): The commit (sic, the API's spelling). Example: 3f2c1d0e9b8a7f6e5d4c3b2a1f0e9d8c7b6a5f4e.
    """

    repo: str | Unset = UNSET
    branch: str | Unset = UNSET
    commint: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        repo = self.repo

        branch = self.branch

        commint = self.commint

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if repo is not UNSET:
            field_dict["repo"] = repo
        if branch is not UNSET:
            field_dict["branch"] = branch
        if commint is not UNSET:
            field_dict["commint"] = commint

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        repo = d.pop("repo", UNSET)

        branch = d.pop("branch", UNSET)

        commint = d.pop("commint", UNSET)

        pipeline_run_source_data = cls(
            repo=repo,
            branch=branch,
            commint=commint,
        )

        pipeline_run_source_data.additional_properties = d
        return pipeline_run_source_data

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
