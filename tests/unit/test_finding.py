"""The shared rules of the methods that find the ids, sans I/O: their arguments checked before
any I/O, the filter of a list of runs, and the flow of get_latest_pipeline_run in each API."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from yunxiao_emas import InvalidArgumentError, NoMatchError
from yunxiao_emas._call.finding import (
    Call,
    check_connection_args,
    check_list_args,
    check_run_args,
    latest_run_flow,
    list_params,
    page_items,
)
from yunxiao_emas._call.paging import Page
from yunxiao_emas.runs import PipelineRun, PipelineRunSummary

PIPELINE = {"organization_id": "org", "pipeline_id": 1111}
T0 = 1_700_000_000_000


def summary(run_id: int, status: str = "SUCCESS", start: int | None = None) -> PipelineRunSummary:
    body = {"pipelineRunId": run_id, "status": status, "startTime": start}
    return PipelineRunSummary.from_answer(body, organization_id="org", pipeline_id=1111)


def full(run_id: int, status: str = "SUCCESS") -> PipelineRun:
    body = {"pipelineRunId": run_id, "status": status}
    return PipelineRun.from_answer(body, organization_id="org", pipeline_id=1111)


def drive(flow: Any, answer: Callable[[Call], Any]) -> tuple[Any, list[Call]]:
    calls: list[Call] = []
    reply: Any = None
    try:
        while True:
            call = flow.send(reply)
            calls.append(call)
            reply = answer(call)
    except StopIteration as stop:
        return stop.value, calls


def test_run_args_are_checked_and_exact() -> None:
    assert check_run_args("org", 1111, 7) == {**PIPELINE, "pipeline_run_id": 7}


@pytest.mark.parametrize(
    ("args", "parameter"),
    [
        (("", 1), "organization_id"),
        (("org", 0), "pipeline_id"),
        (("org", 1, True), "pipeline_run_id"),
    ],
)
def test_bad_run_args_name_the_parameter(args: tuple[Any, ...], parameter: str) -> None:
    with pytest.raises(InvalidArgumentError) as caught:
        check_run_args(*args)
    assert caught.value.parameter == parameter


def test_since_must_be_an_aware_datetime() -> None:
    with pytest.raises(InvalidArgumentError, match=r"^since: must be an aware datetime"):
        check_list_args("org", 1111, None, dt.datetime(2024, 1, 1))


def test_since_is_sent_in_milliseconds() -> None:
    since = dt.datetime(2023, 11, 14, 22, 13, 20, tzinfo=dt.UTC)
    assert check_list_args("org", 1111, "SUCCESS", since) == (PIPELINE, "SUCCESS", T0)


@pytest.mark.parametrize("status", ["", "a\nb", 5, "x" * 65])
def test_a_bad_status_is_refused(status: object) -> None:
    with pytest.raises(InvalidArgumentError, match=r"^status: "):
        check_list_args("org", 1111, status, None)


def test_the_connection_type_goes_out_under_the_apis_misspelt_name() -> None:
    assert check_connection_args("org", "emas") == {
        "organization_id": "org",
        "serice_connection_type": "emas",
    }
    assert check_connection_args("org", None) == {"organization_id": "org"}


def test_first_page_parameters_of_each_api() -> None:
    assert list_params(PIPELINE, "SUCCESS", T0, signed=True) == {
        **PIPELINE,
        "max_results": 30,
        "status": "SUCCESS",
        "start_time": T0,
    }
    assert list_params(PIPELINE, None, None, signed=False) == {
        **PIPELINE,
        "page": 1,
        "per_page": 30,
    }


def test_page_items_drop_other_statuses_a_server_let_through() -> None:
    page = Page([summary(3, "FAIL"), summary(2, "SUCCESS")], {"page": 2}, None)
    assert page_items(page, "SUCCESS", None) == ([summary(2)], False)


def test_the_first_run_older_than_since_ends_the_walk() -> None:
    page = Page(
        [summary(3, start=T0 + 5), summary(2, start=T0 - 1), summary(1, start=T0 + 9)],
        {"page": 2},
        None,
    )
    kept, done = page_items(page, None, T0)
    assert [run.pipeline_run_id for run in kept] == [3]
    assert done


def test_the_last_page_ends_the_walk() -> None:
    assert page_items(Page([summary(1)], None, 1), None, None) == ([summary(1)], True)


def test_token_latest_run_of_the_status_asked_is_the_answer() -> None:
    run, calls = drive(latest_run_flow(PIPELINE, "SUCCESS", signed=False), lambda c: full(9))
    assert calls == [Call("latest_run", PIPELINE)]
    assert run.pipeline_run_id == 9


def test_token_latest_run_of_another_status_walks_the_list() -> None:
    def answer(call: Call) -> Any:
        if call.operation == "latest_run":
            return full(9, "RUNNING")
        if call.operation == "list_runs":
            return Page([summary(8)], None, 1)
        return full(call.params["pipeline_run_id"])

    run, calls = drive(latest_run_flow(PIPELINE, "SUCCESS", signed=False), answer)
    assert [c.operation for c in calls] == ["latest_run", "list_runs", "get_run"]
    assert calls[1].params["status"] == "SUCCESS"
    assert run.pipeline_run_id == 8


def test_signed_latest_run_comes_from_the_list_then_the_run() -> None:
    pages = iter([Page([], {**PIPELINE, "next_token": "t"}, 2), Page([summary(5)], None, 2)])

    def answer(call: Call) -> Any:
        return next(pages) if call.operation == "list_runs" else full(5)

    run, calls = drive(latest_run_flow(PIPELINE, "SUCCESS", signed=True), answer)
    assert [c.operation for c in calls] == ["list_runs", "list_runs", "get_run"]
    assert calls[1].params["next_token"] == "t"
    assert calls[2].params == {**PIPELINE, "pipeline_run_id": 5}
    assert run.pipeline_run_id == 5


def test_no_run_of_the_status_is_an_error_pointing_at_runs() -> None:
    with pytest.raises(NoMatchError, match="has no run of status SUCCESS; `yunxiao-emas runs`"):
        drive(latest_run_flow(PIPELINE, "SUCCESS", signed=True), lambda c: Page([], None, 0))
