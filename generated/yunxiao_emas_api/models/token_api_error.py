from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="TokenApiError")


@_attrs_define
class TokenApiError:
    """The error body of the token API. `errorCode` is an open set (no public list); the HTTP
    status carries the meaning. `requestId` and `traceId` identify the request in support
    tickets.

        Attributes:
            error_code (str): The error code. Example: NotFound.
            error_message (str | Unset): The error message.
            request_id (str | Unset): Unique per request; quote it in support tickets.
            trace_id (str | Unset): The trace id of the request.
            http_status (str | Unset): The HTTP status, as a string. Example: 404.
            title (str | Unset): A short title of the error.
            has_detail_solution (bool | Unset): Whether the console has a detailed solution for this error.
    """

    error_code: str
    error_message: str | Unset = UNSET
    request_id: str | Unset = UNSET
    trace_id: str | Unset = UNSET
    http_status: str | Unset = UNSET
    title: str | Unset = UNSET
    has_detail_solution: bool | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        error_code = self.error_code

        error_message = self.error_message

        request_id = self.request_id

        trace_id = self.trace_id

        http_status = self.http_status

        title = self.title

        has_detail_solution = self.has_detail_solution

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "errorCode": error_code,
            }
        )
        if error_message is not UNSET:
            field_dict["errorMessage"] = error_message
        if request_id is not UNSET:
            field_dict["requestId"] = request_id
        if trace_id is not UNSET:
            field_dict["traceId"] = trace_id
        if http_status is not UNSET:
            field_dict["httpStatus"] = http_status
        if title is not UNSET:
            field_dict["title"] = title
        if has_detail_solution is not UNSET:
            field_dict["hasDetailSolution"] = has_detail_solution

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        error_code = d.pop("errorCode")

        error_message = d.pop("errorMessage", UNSET)

        request_id = d.pop("requestId", UNSET)

        trace_id = d.pop("traceId", UNSET)

        http_status = d.pop("httpStatus", UNSET)

        title = d.pop("title", UNSET)

        has_detail_solution = d.pop("hasDetailSolution", UNSET)

        token_api_error = cls(
            error_code=error_code,
            error_message=error_message,
            request_id=request_id,
            trace_id=trace_id,
            http_status=http_status,
            title=title,
            has_detail_solution=has_detail_solution,
        )

        token_api_error.additional_properties = d
        return token_api_error

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
