"""The methods that find the ids, on both clients (sync and async) and in both APIs, against
respx: the request each sends (path, query, signature and ``x-acs-action``, or the token; the
region edition's paths), paging followed lazily across pages, the latest run found as each API
allows, and the same retries and typed errors as the artifact's URL."""

from __future__ import annotations

import copy
import datetime as dt
import json
from typing import Any

import httpx
import pytest
import respx
from conftest_client import (
    BASE_URL,
    CREDENTIALS,
    FLAVOURS,
    TOKEN,
    TOKEN_BASE_URL,
    TOKEN_CREDENTIALS,
    assert_signed,
    drivers,
)
from yunxiao_emas import (
    ApiError,
    InvalidArgumentError,
    NoMatchError,
    NotFoundError,
    PipelineRun,
    ServerError,
    ServiceConnection,
)
from yunxiao_emas.cli.spec import load_spec, resolve

ORG = "my-org"
PIPELINE = 1111
MD5 = "0cc175b9c0f1b6a831c399e269772661"
SIGNED_RUNS = f"/organization/{ORG}/pipelines/{PIPELINE}/pipelineRuns"
TOKEN_RUNS = f"/oapi/v1/flow/organizations/{ORG}/pipelines/{PIPELINE}/runs"


def example(name: str) -> Any:
    spec = load_spec()
    return copy.deepcopy(resolve(spec, spec["components"]["examples"][name])["value"])


@pytest.fixture(params=FLAVOURS)
def make(request: pytest.FixtureRequest) -> Any:
    yield from drivers(request.param)


@pytest.fixture
def api() -> Any:
    with respx.mock(assert_all_called=False) as mock:
        yield mock


def json_answer(body: Any, **headers: str) -> httpx.Response:
    return httpx.Response(200, json=body, headers=headers)


def signed_run_body(run_id: int, status: str = "SUCCESS") -> dict[str, Any]:
    body = example("run.200.success")
    body["pipelineRun"] = {**body["pipelineRun"], "pipelineRunId": run_id, "status": status}
    return body


def token_run_body(run_id: int, status: str = "SUCCESS") -> dict[str, Any]:
    return {**example("token.run.200.success"), "pipelineRunId": run_id, "status": status}


def summaries(*ids: int, status: str = "SUCCESS") -> list[dict[str, Any]]:
    return [{"pipelineId": PIPELINE, "pipelineRunId": i, "status": status} for i in ids]


# --- get_pipeline_run ---------------------------------------------------------------------------


def test_get_pipeline_run_signed_sends_a_signed_get_with_its_action(make: Any, api: Any) -> None:
    route = api.get(f"{BASE_URL}{SIGNED_RUNS}/1").mock(
        return_value=json_answer(example("run.200.success"))
    )
    run = make().invoke("get_pipeline_run", ORG, PIPELINE, 1)
    request = route.calls.last.request
    assert request.headers["x-acs-action"] == "GetPipelineRun"
    assert request.headers["x-acs-version"] == "2021-06-25"
    assert_signed(request)
    assert isinstance(run, PipelineRun)
    assert (run.organization_id, run.pipeline_run_id, run.status) == (ORG, 1, "SUCCESS")
    assert run.emas_artifact().ids() == {
        "organization_id": ORG,
        "pipeline_id": PIPELINE,
        "pipeline_run_id": 1,
        "emas_job_instance_id": "Psaxsa",
        "md5": MD5,
        "service_connection_id": 122,
    }


def test_get_pipeline_run_by_token_sends_the_token(make: Any, api: Any) -> None:
    route = api.get(f"{TOKEN_BASE_URL}{TOKEN_RUNS}/1").mock(
        return_value=json_answer(example("token.run.200.success"))
    )
    run = make(credentials=TOKEN_CREDENTIALS).invoke("get_pipeline_run", ORG, PIPELINE, 1)
    request = route.calls.last.request
    assert request.headers["x-yunxiao-token"] == TOKEN
    assert "authorization" not in request.headers
    assert run.jobs[0].result == {"data": {"emasJobInstanceId": "Psaxsa", "md5": MD5}}


def test_the_region_edition_leaves_the_organization_out_of_the_path(make: Any, api: Any) -> None:
    route = api.get(f"https://devops.example-corp.com/oapi/v1/flow/pipelines/{PIPELINE}/runs/1")
    route.mock(return_value=json_answer(example("token.run.200.success")))
    client = make(credentials=TOKEN_CREDENTIALS, endpoint="devops.example-corp.com")
    assert client.invoke("get_pipeline_run", ORG, PIPELINE, 1).organization_id == ORG
    assert route.called


def test_a_bad_run_id_is_refused_before_any_request(make: Any, api: Any) -> None:
    with pytest.raises(InvalidArgumentError, match=r"^pipeline_run_id: "):
        make().invoke("get_pipeline_run", ORG, PIPELINE, 0)
    assert not api.calls


def test_an_unknown_run_is_not_found_with_its_code(make: Any, api: Any) -> None:
    body = {
        "requestId": "R",
        "success": False,
        "errorCode": "InvalidPipelineRun.NotFound",
        "errorMessage": "The pipeline execution instance is not found.",
    }
    api.get(f"{BASE_URL}{SIGNED_RUNS}/9").mock(return_value=httpx.Response(404, json=body))
    with pytest.raises(NotFoundError) as caught:
        make().invoke("get_pipeline_run", ORG, PIPELINE, 9)
    assert caught.value.code == "InvalidPipelineRun.NotFound"


def test_a_server_error_is_retried_as_any_call_is(make: Any, api: Any) -> None:
    route = api.get(f"{BASE_URL}{SIGNED_RUNS}/1").mock(
        side_effect=[httpx.Response(503), json_answer(example("run.200.success"))]
    )
    assert make().invoke("get_pipeline_run", ORG, PIPELINE, 1).pipeline_run_id == 1
    assert route.call_count == 2
    first, second = (call.request for call in route.calls)
    assert first.headers["x-acs-signature-nonce"] != second.headers["x-acs-signature-nonce"]


# --- list_pipeline_runs -----------------------------------------------------------------------


def test_signed_runs_follow_next_token_across_pages(make: Any, api: Any) -> None:
    pages = [
        {"requestId": "A", "success": True, "pipelineRuns": summaries(5, 4), "nextToken": "t2"},
        {"requestId": "B", "success": True, "pipelineRuns": summaries(3, 2), "nextToken": "t3"},
        {"requestId": "C", "success": True, "pipelineRuns": summaries(1)},
    ]
    route = api.get(f"{BASE_URL}{SIGNED_RUNS}").mock(side_effect=[json_answer(p) for p in pages])
    runs = make().collect("list_pipeline_runs", ORG, PIPELINE, status="SUCCESS")
    assert [run.pipeline_run_id for run in runs] == [5, 4, 3, 2, 1]
    queries = [dict(call.request.url.params) for call in route.calls]
    assert queries == [
        {"maxResults": "30", "status": "SUCCESS"},
        {"maxResults": "30", "status": "SUCCESS", "nextToken": "t2"},
        {"maxResults": "30", "status": "SUCCESS", "nextToken": "t3"},
    ]
    assert {call.request.headers["x-acs-action"] for call in route.calls} == {"ListPipelineRuns"}


def test_token_runs_follow_the_paging_headers(make: Any, api: Any) -> None:
    route = api.get(f"{TOKEN_BASE_URL}{TOKEN_RUNS}").mock(
        side_effect=[
            json_answer(summaries(3, 2), **{"x-next-page": "2", "x-total": "3"}),
            json_answer(summaries(1), **{"x-next-page": "", "x-total": "3"}),
        ]
    )
    runs = make(credentials=TOKEN_CREDENTIALS).collect("list_pipeline_runs", ORG, PIPELINE)
    assert [run.pipeline_run_id for run in runs] == [3, 2, 1]
    assert [dict(call.request.url.params) for call in route.calls] == [
        {"page": "1", "perPage": "30"},
        {"page": "2", "perPage": "30"},
    ]


def test_pages_are_fetched_only_as_the_iteration_needs_them(make: Any, api: Any) -> None:
    route = api.get(f"{BASE_URL}{SIGNED_RUNS}").mock(
        return_value=json_answer(
            {"requestId": "A", "success": True, "pipelineRuns": summaries(5), "nextToken": "t"}
        )
    )
    driver = make()
    runs = driver.client.list_pipeline_runs(ORG, PIPELINE)
    assert route.call_count == 0
    first = next(runs) if driver.flavour == "sync" else driver.run(anext(runs))
    assert first.pipeline_run_id == 5
    assert route.call_count == 1


def test_since_is_sent_as_start_time_and_ends_the_walk(make: Any, api: Any) -> None:
    since = dt.datetime(2023, 11, 14, 22, 13, 20, tzinfo=dt.UTC)  # 1700000000000 ms
    older = {"pipelineId": PIPELINE, "pipelineRunId": 1, "status": "SUCCESS", "startTime": 1}
    newer = {**older, "pipelineRunId": 2, "startTime": 1700000000001}
    route = api.get(f"{TOKEN_BASE_URL}{TOKEN_RUNS}").mock(
        return_value=json_answer([newer, older], **{"x-next-page": "2"})
    )
    runs = make(credentials=TOKEN_CREDENTIALS).collect(
        "list_pipeline_runs", ORG, PIPELINE, since=since
    )
    assert [run.pipeline_run_id for run in runs] == [2]
    assert route.call_count == 1
    assert route.calls.last.request.url.params["startTime"] == "1700000000000"


def test_list_arguments_are_checked_at_the_call_not_at_the_first_item(make: Any) -> None:
    with pytest.raises(InvalidArgumentError, match=r"^since: "):
        make().client.list_pipeline_runs(ORG, PIPELINE, since="yesterday")


# --- get_latest_pipeline_run ------------------------------------------------------------------


def test_token_latest_run_is_one_call_when_its_status_is_the_one_asked(make: Any, api: Any) -> None:
    route = api.get(f"{TOKEN_BASE_URL}{TOKEN_RUNS}/latestPipelineRun").mock(
        return_value=json_answer(token_run_body(7))
    )
    run = make(credentials=TOKEN_CREDENTIALS).invoke("get_latest_pipeline_run", ORG, PIPELINE)
    assert run.pipeline_run_id == 7
    assert len(api.calls) == route.call_count == 1


def test_token_latest_run_still_running_walks_to_the_latest_success(make: Any, api: Any) -> None:
    api.get(f"{TOKEN_BASE_URL}{TOKEN_RUNS}/latestPipelineRun").mock(
        return_value=json_answer(token_run_body(8, "RUNNING"))
    )
    listed = api.get(f"{TOKEN_BASE_URL}{TOKEN_RUNS}").mock(
        return_value=json_answer(summaries(6), **{"x-next-page": ""})
    )
    api.get(f"{TOKEN_BASE_URL}{TOKEN_RUNS}/6").mock(return_value=json_answer(token_run_body(6)))
    run = make(credentials=TOKEN_CREDENTIALS).invoke("get_latest_pipeline_run", ORG, PIPELINE)
    assert run.pipeline_run_id == 6
    assert listed.calls.last.request.url.params["status"] == "SUCCESS"


def test_signed_latest_run_comes_from_the_list(make: Any, api: Any) -> None:
    listed = api.get(f"{BASE_URL}{SIGNED_RUNS}").mock(
        return_value=json_answer({"requestId": "A", "success": True, "pipelineRuns": summaries(4)})
    )
    got = api.get(f"{BASE_URL}{SIGNED_RUNS}/4").mock(return_value=json_answer(signed_run_body(4)))
    run = make().invoke("get_latest_pipeline_run", ORG, PIPELINE)
    assert run.pipeline_run_id == 4
    assert listed.calls.last.request.url.params["status"] == "SUCCESS"
    assert got.calls.last.request.headers["x-acs-action"] == "GetPipelineRun"


def test_no_successful_run_is_a_no_match_error(make: Any, api: Any) -> None:
    api.get(f"{BASE_URL}{SIGNED_RUNS}").mock(
        return_value=json_answer({"requestId": "A", "success": True, "pipelineRuns": []})
    )
    with pytest.raises(NoMatchError, match="has no run of status SUCCESS"):
        make().invoke("get_latest_pipeline_run", ORG, PIPELINE)


# --- list_service_connections -----------------------------------------------------------------


@pytest.mark.parametrize("token", [False, True], ids=["signed", "token"])
def test_service_connections_are_asked_by_the_apis_misspelt_type(
    make: Any, api: Any, token: bool
) -> None:
    if token:
        url = f"{TOKEN_BASE_URL}/oapi/v1/flow/organizations/{ORG}/serviceConnections"
        body = example("token.connections.200.success")
    else:
        url = f"{BASE_URL}/organization/{ORG}/serviceConnections"
        body = example("connections.200.success")
    route = api.get(url).mock(return_value=json_answer(body))
    client = make(credentials=TOKEN_CREDENTIALS if token else CREDENTIALS)
    connections = client.invoke("list_service_connections", ORG)
    assert connections == [
        ServiceConnection(
            122,
            "EMAS",
            "emas",
            "2f0e3c1a9b8d4e7f8a6b5c4d3e2f1a0b",
            connections[0].create_time,
            "1234567890123456",
        )
    ]
    assert dict(route.calls.last.request.url.params) == {"sericeConnectionType": "emas"}


def test_service_connections_of_every_type_send_no_filter(make: Any, api: Any) -> None:
    route = api.get(f"{BASE_URL}/organization/{ORG}/serviceConnections").mock(
        return_value=json_answer({"requestId": "A", "success": True, "serviceConnections": []})
    )
    assert make().invoke("list_service_connections", ORG, type=None) == []
    assert not route.calls.last.request.url.params


def test_a_token_api_answer_is_bounded_like_any_answer(make: Any, api: Any) -> None:
    huge = json.dumps([{"id": 1, "name": "x" * 1024}] * 2048).encode()
    api.get(f"{TOKEN_BASE_URL}/oapi/v1/flow/organizations/{ORG}/serviceConnections").mock(
        return_value=httpx.Response(200, content=huge, headers={"content-type": "application/json"})
    )
    with pytest.raises(ApiError, match="larger than 1024 KiB"):
        make(credentials=TOKEN_CREDENTIALS).invoke("list_service_connections", ORG)


# --- per-call options, as on the artifact's URL -------------------------------------------------


def test_per_call_options_apply_to_a_finding_call(make: Any, api: Any) -> None:
    route = api.get(f"{BASE_URL}{SIGNED_RUNS}/1").mock(
        side_effect=[httpx.Response(503), json_answer(example("run.200.success"))]
    )
    with pytest.raises(ServerError):
        make().invoke("get_pipeline_run", ORG, PIPELINE, 1, retries=0, extra_headers={"x-t": "1"})
    assert route.call_count == 1
    assert route.calls.last.request.headers["x-t"] == "1"


def test_per_call_options_apply_to_every_page(make: Any, api: Any) -> None:
    route = api.get(f"{TOKEN_BASE_URL}{TOKEN_RUNS}").mock(
        side_effect=[
            json_answer(summaries(2), **{"x-next-page": "2"}),
            json_answer(summaries(1), **{"x-next-page": ""}),
        ]
    )
    client = make(credentials=TOKEN_CREDENTIALS)
    runs = client.collect("list_pipeline_runs", ORG, PIPELINE, extra_headers={"x-t": "2"})
    assert [run.pipeline_run_id for run in runs] == [2, 1]
    assert [call.request.headers["x-t"] for call in route.calls] == ["2", "2"]


def test_a_bad_per_call_option_is_refused_before_any_request(make: Any, api: Any) -> None:
    with pytest.raises(InvalidArgumentError, match=r"^extra_headers: "):
        make().invoke("list_service_connections", ORG, extra_headers={"x-acs-action": "x"})
    assert not api.calls
