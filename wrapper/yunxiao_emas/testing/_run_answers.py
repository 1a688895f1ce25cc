"""The answers of the operations that find the ids: GetPipelineRun, ListPipelineRuns and
ListServiceConnections in both APIs, GetLatestPipelineRun in the token API.

Each is a function of the handler (its API's headers) and the :class:`~._asked.Asked` request;
:mod:`._handlers` gives each the shape of its API (the signed API's ``success`` envelope and
error bodies, the token API's bare objects and ``TokenApiError``). They look up what they
answer with the same levels and codes as the artifact lookup: an unknown organization
``InvalidOrganization.NotFound``, a key or token not admitted to it
``Forbidden.UserNotInCurrentOrganization``, an unknown pipeline ``InvalidPipeline.NotFound``,
an unknown run ``InvalidPipelineRun.NotFound`` (404s; the token API answers them in its own body).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ._exchange import JSON, ApiAnswer
from ._messages import Refusal
from ._runs import (
    PageError,
    Run,
    RunFilter,
    page_by_number,
    page_by_token,
    page_headers,
    signed_connection,
    signed_run,
    signed_run_item,
    token_connection,
    token_run,
    token_run_item,
)

if TYPE_CHECKING:
    from ._asked import Asked
    from ._handlers import Handler
    from ._state import Organization

__all__ = ["DEFAULT_MAX_RESULTS", "DEFAULT_PER_PAGE", "SIGNED_ANSWERS", "TOKEN_ANSWERS", "Answers"]

Answers = Callable[["Handler", "Asked"], ApiAnswer]
"""How an operation answers an admitted request, given its handler (for the API's headers)."""

DEFAULT_MAX_RESULTS = 10
"""ListPipelineRuns's page size in the signed API when ``maxResults`` is not sent."""
DEFAULT_PER_PAGE = 10
"""ListPipelineRuns's page size in the token API when ``perPage`` is not sent (the API's)."""


# --- the lookup -------------------------------------------------------------------------------


def _organization(asked: Asked) -> Organization:
    organization_id = asked.arguments["organization_id"]
    organization = asked.state.organizations.get(organization_id)
    if organization is None:
        raise Refusal.service("InvalidOrganization.NotFound")
    if not asked.state.admits(asked.identity, organization_id, organization):
        raise Refusal.service("Forbidden.UserNotInCurrentOrganization")
    return organization


def _pipeline(asked: Asked) -> tuple[str, int]:
    """The organization and pipeline the request names, once they are known and admitted."""
    organization = _organization(asked)
    pipeline_id: int = asked.arguments["pipeline_id"]
    if pipeline_id not in organization.pipelines:
        raise Refusal.service("InvalidPipeline.NotFound")
    return asked.arguments["organization_id"], pipeline_id


def _pipeline_runs(asked: Asked) -> list[Run]:
    """The runs of the pipeline the request names, newest first."""
    return asked.state.book.runs_of(*_pipeline(asked))


def _polled(asked: Asked) -> Run:
    """The run the request names; this GetPipelineRun counts as one poll of it."""
    organization_id, pipeline_id = _pipeline(asked)
    run = asked.state.book.runs.get(
        (organization_id, pipeline_id, asked.arguments["pipeline_run_id"])
    )
    if run is None:
        raise Refusal.service("InvalidPipelineRun.NotFound")
    return run


def _poll(run: Run) -> None:
    # After the answer is made: the first N polls see RUNNING, the next its final status.
    if run.polls_left > 0:
        run.polls_left -= 1


def _filter(asked: Asked, end_time_name: str) -> RunFilter:
    arguments = asked.arguments
    return RunFilter(
        start_time=arguments.get("start_time"),
        end_time=arguments.get(end_time_name),
        status=arguments.get("status"),
        trigger_mode=arguments.get("trigger_mode"),
    )


def _signed_body(asked: Asked, **fields: Any) -> dict[str, Any]:
    return {
        "requestId": asked.context.request_id,
        "success": True,
        "errorCode": "",
        "errorMessage": "",
        **fields,
    }


# --- the signed API ---------------------------------------------------------------------------


def get_pipeline_run(handler: Handler, asked: Asked) -> ApiAnswer:
    """GetPipelineRun (signed): ``pipelineRun`` in the success envelope."""
    run = _polled(asked)
    body = _signed_body(asked, pipelineRun=signed_run(run))
    _poll(run)
    return ApiAnswer(200, body, handler.headers(asked.context), None)


def list_pipeline_runs(handler: Handler, asked: Asked) -> ApiAnswer:
    """ListPipelineRuns (signed): ``maxResults`` runs from ``nextToken``, newest first."""
    runs = [run for run in _pipeline_runs(asked) if _filter(asked, "end_time").keeps(run)]
    size = asked.arguments.get("max_results") or DEFAULT_MAX_RESULTS
    try:
        page = page_by_token(runs, size, asked.arguments.get("next_token"))
    except PageError as error:
        raise Refusal.service("InvalidParam.ParamNotPresent", detail=str(error)) from None
    fields: dict[str, Any] = {
        "pipelineRuns": [signed_run_item(run) for run in page.runs],
        "totalCount": page.total,
    }
    if page.next_token is not None:
        fields["nextToken"] = page.next_token
    return ApiAnswer(200, _signed_body(asked, **fields), handler.headers(asked.context), None)


def list_service_connections(handler: Handler, asked: Asked) -> ApiAnswer:
    """ListServiceConnections (signed): ``serviceConnections``, of ``sericeConnectionType``."""
    _organization(asked)
    found = asked.state.book.connections_of(
        asked.arguments["organization_id"], asked.arguments.get("serice_connection_type")
    )
    body = _signed_body(asked, serviceConnections=[signed_connection(c) for c in found])
    return ApiAnswer(200, body, handler.headers(asked.context), None)


# --- the token API ----------------------------------------------------------------------------


def _token_answer(handler: Handler, asked: Asked, body: object, **headers: str) -> ApiAnswer:
    return ApiAnswer(
        200, body, {**handler.headers(asked.context), **headers}, None, content_type=JSON
    )


def get_pipeline_run_by_token(handler: Handler, asked: Asked) -> ApiAnswer:
    """GetPipelineRun (token): the run object itself."""
    run = _polled(asked)
    body = token_run(run)
    _poll(run)
    return _token_answer(handler, asked, body)


def get_latest_pipeline_run_by_token(handler: Handler, asked: Asked) -> ApiAnswer:
    """GetLatestPipelineRun (token): the newest run of any status; not a poll of it (only
    GetPipelineRun counts towards ``finishes_after_polls``)."""
    runs = _pipeline_runs(asked)
    if not runs:
        raise Refusal.service("InvalidPipelineRun.NotFound", detail="The pipeline has no run yet.")
    return _token_answer(handler, asked, token_run(runs[0]))


def list_pipeline_runs_by_token(handler: Handler, asked: Asked) -> ApiAnswer:
    """ListPipelineRuns (token): a JSON array of one page, where it is in the headers."""
    runs = [run for run in _pipeline_runs(asked) if _filter(asked, "end_tme").keeps(run)]
    page = page_by_number(
        runs,
        asked.arguments.get("page") or 1,
        asked.arguments.get("per_page") or DEFAULT_PER_PAGE,
    )
    body = [token_run_item(run) for run in page.runs]
    return _token_answer(handler, asked, body, **page_headers(page))


def list_service_connections_by_token(handler: Handler, asked: Asked) -> ApiAnswer:
    """ListServiceConnections (token): a JSON array."""
    _organization(asked)
    found = asked.state.book.connections_of(
        asked.arguments["organization_id"], asked.arguments.get("serice_connection_type")
    )
    return _token_answer(handler, asked, [token_connection(c) for c in found])


SIGNED_ANSWERS: dict[str, Answers] = {
    "GetPipelineRun": get_pipeline_run,
    "ListPipelineRuns": list_pipeline_runs,
    "ListServiceConnections": list_service_connections,
}
"""The signed API's operations besides GetPipelineEmasArtifactUrl, by ``operationId``."""

TOKEN_ANSWERS: dict[str, Answers] = {
    "GetPipelineRunByToken": get_pipeline_run_by_token,
    "GetLatestPipelineRunByToken": get_latest_pipeline_run_by_token,
    "ListPipelineRunsByToken": list_pipeline_runs_by_token,
    "ListServiceConnectionsByToken": list_service_connections_by_token,
}
"""The token API's operations besides GetEmasArtifactDownloadUrl, by ``operationId``."""
