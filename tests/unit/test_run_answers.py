"""The answer parsers of GetPipelineRun, ListPipelineRuns, ListServiceConnections and their
token-API twins, fed ``httpx.Response`` objects: the documented examples become the models, the
next page is found as each API pages, and errors are the one ApiError they mean (the signed
API's by code, a 200 with ``success: false`` included; the token API's by status)."""

from __future__ import annotations

import copy
import json
from typing import Any

import httpx
import pytest
from yunxiao_emas import ApiError, ForbiddenError, NotFoundError, ServerError
from yunxiao_emas._call.paging import signed_next, token_next
from yunxiao_emas._call.run_answers import (
    signed_connections,
    signed_run,
    signed_runs,
    token_connections,
    token_run,
    token_runs,
)
from yunxiao_emas.cli.spec import load_spec, resolve

PARAMS = {"organization_id": "org", "pipeline_id": 1111, "pipeline_run_id": 1}
LIST_PARAMS = {"organization_id": "org", "pipeline_id": 1111}


def example(name: str) -> Any:
    spec = load_spec()
    return copy.deepcopy(resolve(spec, spec["components"]["examples"][name])["value"])


def answer(body: Any, status: int = 200, **headers: str) -> httpx.Response:
    return httpx.Response(
        status,
        content=json.dumps(body).encode(),
        headers={"content-type": "application/json", **headers},
        request=httpx.Request("GET", "https://api.example/x"),
    )


def test_signed_run_reads_pipeline_run_and_request_id() -> None:
    run = signed_run(answer(example("run.200.success")), PARAMS)
    assert (run.pipeline_run_id, run.status, run.request_id) == (
        1,
        "SUCCESS",
        "9E0BA1E6-0000-4000-8000-0000000000A1",
    )
    assert run.organization_id == "org"
    assert [a.emas_job_instance_id for a in run.emas_artifacts] == ["Psaxsa"]


def test_token_run_is_the_whole_body_and_request_id_from_the_header() -> None:
    response = answer(example("token.run.200.success"), **{"x-acs-request-id": "H"})
    run = token_run(response, PARAMS)
    assert (run.pipeline_run_id, run.request_id, len(run.jobs)) == (1, "H", 1)


def test_signed_success_false_in_a_200_is_the_error_of_its_code() -> None:
    body = {
        "requestId": "R",
        "success": False,
        "errorCode": "InvalidPipelineRun.NotFound",
        "errorMessage": "The pipeline execution instance is not found.",
    }
    with pytest.raises(NotFoundError) as caught:
        signed_run(answer(body), PARAMS)
    assert (caught.value.code, caught.value.request_id) == ("InvalidPipelineRun.NotFound", "R")


def test_signed_gateway_error_is_decided_by_code() -> None:
    body = {"RequestId": "R", "Code": "Forbidden.AccessDenied", "Message": "no"}
    with pytest.raises(ForbiddenError):
        signed_connections(answer(body, 400), LIST_PARAMS)


def test_signed_success_without_a_pipeline_run_is_an_api_error() -> None:
    with pytest.raises(ApiError, match="without a pipelineRun"):
        signed_run(answer({"requestId": "R", "success": True}), PARAMS)


def test_token_404_is_not_found_whatever_its_code() -> None:
    body = {"errorCode": "SomethingNew", "errorMessage": "no such run", "traceId": "T"}
    with pytest.raises(NotFoundError) as caught:
        token_run(answer(body, 404), PARAMS)
    assert caught.value.trace_id == "T"


def test_token_5xx_with_a_non_json_body_is_a_server_error() -> None:
    response = httpx.Response(
        502, content=b"<html>bad gateway</html>", request=httpx.Request("GET", "https://a/x")
    )
    with pytest.raises(ServerError):
        token_runs(response, LIST_PARAMS)


def test_token_list_answer_that_is_not_an_array_is_an_api_error() -> None:
    with pytest.raises(ApiError, match="not a JSON array"):
        token_connections(answer({"items": []}), LIST_PARAMS)


def test_signed_runs_reads_items_next_token_and_total() -> None:
    page = signed_runs(answer(example("runs.200.success")), LIST_PARAMS)
    assert [run.pipeline_run_id for run in page.items] == [2, 1]
    assert page.next_params == {**LIST_PARAMS, "next_token": "6a3ff2e4b2b5d5e8"}
    assert page.total == 3


def test_signed_runs_without_next_token_is_the_last_page() -> None:
    body = {**example("runs.200.success"), "nextToken": ""}
    assert signed_runs(answer(body), LIST_PARAMS).next_params is None


def test_token_runs_follows_x_next_page() -> None:
    response = answer(example("token.runs.200.success"), **{"x-next-page": "2", "x-total": "3"})
    page = token_runs(response, {**LIST_PARAMS, "page": 1, "per_page": 2})
    assert [run.pipeline_run_id for run in page.items] == [2, 1]
    assert page.next_params == {**LIST_PARAMS, "page": 2, "per_page": 2}
    assert page.total == 3


def test_token_runs_empty_x_next_page_is_the_last_page() -> None:
    response = answer(example("token.runs.200.success"), **{"x-next-page": ""})
    assert token_runs(response, {**LIST_PARAMS, "page": 3}).next_params is None


def test_connections_of_both_apis() -> None:
    signed = signed_connections(answer(example("connections.200.success")), LIST_PARAMS)
    token = token_connections(answer(example("token.connections.200.success")), LIST_PARAMS)
    assert [(c.id, c.type) for c in signed] == [(c.id, c.type) for c in token] == [(122, "emas")]


def test_items_that_are_not_objects_are_skipped() -> None:
    assert token_connections(answer([1, "x", {"id": 5, "type": "emas"}]), LIST_PARAMS)[0].id == 5


# --- the next page, sans I/O ------------------------------------------------------------------


def headers(**values: str) -> httpx.Response:
    return httpx.Response(200, headers={k.replace("_", "-"): v for k, v in values.items()})


def test_a_repeated_next_token_ends_the_walk() -> None:
    assert signed_next({"nextToken": "t"}, {"next_token": "t"}) is None


def test_x_total_pages_is_followed_without_x_next_page() -> None:
    response = headers(x_page="1", x_total_pages="2")
    assert token_next(response, {"page": 1}, 30) == {"page": 2}
    assert token_next(headers(x_page="2", x_total_pages="2"), {"page": 2}, 30) is None


def test_without_paging_headers_a_full_page_is_followed_and_a_short_one_ends() -> None:
    assert token_next(headers(), {"page": 1, "per_page": 2}, 2) == {"page": 2, "per_page": 2}
    assert token_next(headers(), {"page": 1, "per_page": 2}, 1) is None


def test_an_empty_page_ends_the_walk() -> None:
    assert token_next(headers(x_next_page="2"), {"page": 1}, 0) is None


def test_a_next_page_that_does_not_move_forward_ends_the_walk() -> None:
    assert token_next(headers(x_next_page="1"), {"page": 1}, 30) is None
