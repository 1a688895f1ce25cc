"""The rules of the methods that find the ids, sans I/O, shared by ``Client`` and
``AsyncClient``: their arguments checked (before any I/O), the filter of a list of runs, and
the flow of :meth:`~yunxiao_emas.Client.get_latest_pipeline_run`.

A flow is a generator that yields the :class:`Call` it needs (a logical operation of the table
and its parameters) and is sent the call's result; the clients only make the calls.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Generator
from typing import TYPE_CHECKING, Any, NamedTuple

from ..errors import InvalidArgumentError, NoMatchError
from .validation import check_id, check_segment

if TYPE_CHECKING:
    from ..runs import PipelineRun, PipelineRunSummary
    from .paging import Page

__all__ = [
    "Call",
    "check_list_args",
    "check_run_args",
    "latest_run_flow",
    "page_items",
]

_MAX_WORD = 64


class Call(NamedTuple):
    """One call of a logical operation (``"get_run"``, ``"latest_run"``, ``"list_runs"``,
    ``"list_connections"``) with the generated layer's keyword arguments."""

    operation: str
    params: dict[str, Any]


def _word(name: str, value: object) -> str | None:
    """An optional filter word (a status, a connection type): None, or a short str."""
    if value is None:
        return None
    text = check_segment(name, value)
    if len(text) > _MAX_WORD:
        raise InvalidArgumentError(name, f"must be at most {_MAX_WORD} characters")
    return text


def _millis(name: str, value: object) -> int | None:
    if value is None:
        return None
    if not isinstance(value, dt.datetime):
        raise InvalidArgumentError(name, f"must be a datetime or None, got {type(value).__name__}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise InvalidArgumentError(
            name, "must be an aware datetime (with a tzinfo, e.g. datetime.UTC)"
        )
    return max(0, int(value.timestamp() * 1000))


def check_run_args(
    organization_id: object, pipeline_id: object, pipeline_run_id: object = None
) -> dict[str, Any]:
    """The ids of a run (or of a pipeline, without ``pipeline_run_id``), checked."""
    params: dict[str, Any] = {
        "organization_id": check_segment("organization_id", organization_id),
        "pipeline_id": check_id("pipeline_id", pipeline_id),
    }
    if pipeline_run_id is not None:
        params["pipeline_run_id"] = check_id("pipeline_run_id", pipeline_run_id)
    return params


def check_list_args(
    organization_id: object, pipeline_id: object, status: object, since: object
) -> tuple[dict[str, Any], str | None, int | None]:
    """The pipeline's ids, the status filter and ``since`` in milliseconds, checked."""
    return (
        check_run_args(organization_id, pipeline_id),
        _word("status", status),
        _millis("since", since),
    )


def check_connection_args(organization_id: object, type: object) -> dict[str, Any]:
    """The parameters of ListServiceConnections: the organization and the type filter."""
    params: dict[str, Any] = {"organization_id": check_segment("organization_id", organization_id)}
    kind = _word("type", type)
    if kind is not None:
        params["serice_connection_type"] = kind  # sic: the API's own spelling
    return params


def page_items(
    page: Page[PipelineRunSummary], status: str | None, since: int | None
) -> tuple[list[PipelineRunSummary], bool]:
    """The runs of ``page`` that pass the filters, and whether the walk ends here.

    The API filters already; this holds for a server that does not: a run of another status is
    left out, and since runs come newest first, the first run started before ``since`` ends the
    walk.
    """
    kept: list[PipelineRunSummary] = []
    for run in page.items:
        started = run.start_time
        if since is not None and started is not None and started.timestamp() * 1000 < since:
            return kept, True
        if status is None or run.status.upper() == status.upper():
            kept.append(run)
    return kept, page.next_params is None


def list_params(
    pipeline: dict[str, Any], status: str | None, since: int | None, *, signed: bool
) -> dict[str, Any]:
    """The first page's parameters of ListPipelineRuns in either API."""
    from .paging import SIGNED_MAX_RESULTS, TOKEN_PER_PAGE

    params = dict(pipeline)
    if signed:
        params["max_results"] = SIGNED_MAX_RESULTS
    else:
        params["page"] = 1
        params["per_page"] = TOKEN_PER_PAGE
    if status is not None:
        params["status"] = status
    if since is not None:
        params["start_time"] = since
    return params


def latest_run_flow(
    pipeline: dict[str, Any], status: str | None, *, signed: bool
) -> Generator[Call, Any, PipelineRun]:
    """The latest run of ``status`` (any status when None), with its stages and jobs.

    The token API has GetLatestPipelineRun (the latest run of any status): when its status is
    the one asked for, that is the answer; otherwise, as in the signed API, the list of runs of
    that status is walked to its first run, which is then got whole.
    """
    if not signed:
        latest: PipelineRun = yield Call("latest_run", dict(pipeline))
        if status is None or latest.status.upper() == status.upper():
            return latest
    params: dict[str, Any] | None = list_params(pipeline, status, None, signed=signed)
    while params is not None:
        page: Page[PipelineRunSummary] = yield Call("list_runs", params)
        runs, _ = page_items(page, status, None)
        if runs:
            run: PipelineRun = yield Call(
                "get_run", {**pipeline, "pipeline_run_id": runs[0].pipeline_run_id}
            )
            return run
        params = page.next_params
    what = f"of status {status}" if status is not None else "at all"
    raise NoMatchError(
        f"pipeline {pipeline['pipeline_id']} of organization {pipeline['organization_id']} has "
        f"no run {what}" + ("; `yunxiao-emas runs` lists its runs" if status is not None else "")
    )
