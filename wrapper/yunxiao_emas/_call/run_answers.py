"""The answer parsers of the operations that find the ids: GetPipelineRun, ListPipelineRuns,
ListServiceConnections (signed API) and their token-API twins, GetLatestPipelineRun included.

Each parser takes the answer and the call's parameters (the generated layer's keyword
arguments, validated: ``organization_id``, ``pipeline_id``, ...) and returns its result model
(:mod:`yunxiao_emas.runs`), a :class:`~yunxiao_emas._paging.Page` of them, or raises the one
:class:`~yunxiao_emas.ApiError` the answer means. Errors are read as for the artifact's URL
(:mod:`._responses`): the signed API's by code (a 200 with ``success: false`` is an error), the
token API's by status.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import httpx

from . import paging as _paging
from .responses import (
    _error_from_body,
    _header_request_id,
    _json,
    _text,
    api_error,
    signed_body,
)

if TYPE_CHECKING:
    from ..runs import PipelineRun, PipelineRunSummary, ServiceConnection
    from .paging import Page

__all__ = [
    "signed_connections",
    "signed_run",
    "signed_runs",
    "token_connections",
    "token_run",
    "token_runs",
]

Params = Mapping[str, Any]
_TOKEN_SHAPES = "GetEmasArtifactDownloadUrl"  # noqa: S105 (an operation id, not a secret)


def _signed_body(response: httpx.Response) -> tuple[dict[str, Any], str]:
    """The JSON object of a signed API's answer whose ``success`` is true, and its request id;
    else the ApiError it means (decided by code)."""
    body = signed_body(response)
    return body, _text(body.get("requestId")) or _header_request_id(response) or ""


def _token_body(response: httpx.Response, kind: type) -> tuple[Any, str]:
    """The JSON value (of type ``kind``) of a token API's answer, and its request id; else the
    ApiError it means (decided by status)."""
    body = _json(response.content)
    request_id = _header_request_id(response) or ""
    if not response.is_success:
        raise _error_from_body(
            response,
            body,
            status_decides=True,
            fallback=f"unexpected answer (HTTP {response.status_code})",
            operation=_TOKEN_SHAPES,
        )
    if not isinstance(body, kind):
        raise _unexpected(response, f"not a JSON {'array' if kind is list else 'object'}", True)
    return body, request_id


def _unexpected(response: httpx.Response, why: str, status_decides: bool) -> Exception:
    excerpt = response.content[:200].decode("utf-8", "replace")
    return api_error(
        response,
        code="",
        message=f"unexpected answer, {why}: {excerpt!r}",
        status_decides=status_decides,
    )


def _objects(value: object) -> list[Mapping[str, Any]]:
    return [item for item in value if isinstance(item, Mapping)] if isinstance(value, list) else []


# --- GetPipelineRun, GetPipelineRunByToken, GetLatestPipelineRunByToken -----------------------


def _run(run: Mapping[str, Any], params: Params, request_id: str) -> PipelineRun:
    from ..runs import PipelineRun

    return PipelineRun.from_answer(
        run,
        organization_id=params["organization_id"],
        pipeline_id=params["pipeline_id"],
        pipeline_run_id=params.get("pipeline_run_id"),
        request_id=request_id,
    )


def signed_run(response: httpx.Response, params: Params) -> PipelineRun:
    """GetPipelineRun: the run is the answer's ``pipelineRun``."""
    body, request_id = _signed_body(response)
    run = body.get("pipelineRun")
    if not isinstance(run, Mapping):
        raise _unexpected(response, "success without a pipelineRun object", False)
    return _run(run, params, request_id)


def token_run(response: httpx.Response, params: Params) -> PipelineRun:
    """GetPipelineRunByToken and GetLatestPipelineRunByToken: the run is the answer."""
    run, request_id = _token_body(response, dict)
    return _run(run, params, request_id)


# --- ListPipelineRuns, ListPipelineRunsByToken ------------------------------------------------


def _summaries(items: list[Mapping[str, Any]], params: Params) -> list[PipelineRunSummary]:
    from ..runs import PipelineRunSummary

    return [
        PipelineRunSummary.from_answer(
            item, organization_id=params["organization_id"], pipeline_id=params["pipeline_id"]
        )
        for item in items
    ]


def signed_runs(response: httpx.Response, params: Params) -> Page[PipelineRunSummary]:
    """ListPipelineRuns: ``pipelineRuns``, the next page by ``nextToken``, ``totalCount``."""
    body, _ = _signed_body(response)
    total = body.get("totalCount")
    return _paging.Page(
        _summaries(_objects(body.get("pipelineRuns")), params),
        _paging.signed_next(body, params),
        total if type(total) is int else None,
    )


def token_runs(response: httpx.Response, params: Params) -> Page[PipelineRunSummary]:
    """ListPipelineRunsByToken: a JSON array; the next page by the paging headers."""
    items, _ = _token_body(response, list)
    return _paging.Page(
        _summaries(_objects(items), params),
        _paging.token_next(response, params, len(items)),
        _paging.token_total(response),
    )


# --- ListServiceConnections, ListServiceConnectionsByToken ------------------------------------


def _connections(items: list[Mapping[str, Any]]) -> list[ServiceConnection]:
    from ..runs import ServiceConnection

    return [ServiceConnection.from_answer(item) for item in items]


def signed_connections(response: httpx.Response, params: Params) -> list[ServiceConnection]:
    """ListServiceConnections: the answer's ``serviceConnections``."""
    body, _ = _signed_body(response)
    return _connections(_objects(body.get("serviceConnections")))


def token_connections(response: httpx.Response, params: Params) -> list[ServiceConnection]:
    """ListServiceConnectionsByToken: a JSON array."""
    items, _ = _token_body(response, list)
    return _connections(_objects(items))
