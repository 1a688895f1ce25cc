"""From the organization and the pipeline alone to every id of the artifact (the resolve flow,
sans I/O): the calls it asks for, what it takes from each answer, where it says each id came
from, and the errors that list the candidates. A value given always wins."""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from typing import Any

import pytest
from yunxiao_emas import NoMatchError
from yunxiao_emas.cli.resolve import Ask, Resolved, Wait, resolve_flow
from yunxiao_emas.runs import PipelineRun, ServiceConnection

MD5 = "0cc175b9c0f1b6a831c399e269772661"


def run(run_id: int = 7, status: str = "SUCCESS", *jobs: dict[str, Any]) -> PipelineRun:
    body = {
        "pipelineId": 1111,
        "pipelineRunId": run_id,
        "status": status,
        "stages": [{"name": "Build", "stageInfo": {"jobs": list(jobs)}}],
    }
    return PipelineRun.from_answer(body, organization_id="org", pipeline_id=1111)


def emas(name: str = "EMAS build", instance: str = "J", **extra: Any) -> dict[str, Any]:
    params = {"emasJobInstanceId": instance, "md5": MD5, **extra}
    return {"id": 100, "name": name, "status": "SUCCESS", "params": json.dumps(params)}


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def drive(
    answer: Callable[[Ask], Any], clock: Clock | None = None, **given: Any
) -> tuple[Resolved, list[Any]]:
    """Run the flow, answering each Ask with ``answer``; the steps it took, in order."""
    clock = clock or Clock()
    given.setdefault("jitter", lambda: 0.0)  # the whole backoff, for exact waits
    flow = resolve_flow("org", 1111, monotonic=clock, **given)
    steps: list[Any] = []
    reply: Any = None
    try:
        while True:
            step = flow.send(reply)
            steps.append(step)
            if isinstance(step, Wait):
                clock.now += step.seconds
                reply = None
            else:
                reply = answer(step)
    except StopIteration as stop:
        return stop.value, steps


def test_everything_from_the_latest_successful_run() -> None:
    resolved, steps = drive(lambda ask: run(7, "SUCCESS", emas(serviceConnectionId=122)))
    assert steps == [
        Ask(
            "get_latest_pipeline_run",
            {"organization_id": "org", "pipeline_id": 1111, "status": "SUCCESS"},
        )
    ]
    assert resolved.ids() == {
        "organization_id": "org",
        "pipeline_id": 1111,
        "pipeline_run_id": 7,
        "emas_job_instance_id": "J",
        "md5": MD5,
        "service_connection_id": 122,
    }
    assert resolved.sources["pipeline_run_id"] == "the latest SUCCESS run"
    assert resolved.sources["md5"] == "job 'EMAS build' of run 7"
    assert resolved.sources["service_connection_id"] == "job 'EMAS build'"


def test_a_job_without_a_connection_takes_the_organizations_only_emas_one() -> None:
    def answer(ask: Ask) -> Any:
        if ask.method == "list_service_connections":
            assert ask.kwargs == {"organization_id": "org", "type": "emas"}
            return [ServiceConnection(5, "EMAS", "emas", None, None, None)]
        return run(7, "SUCCESS", emas())

    resolved, _ = drive(answer)
    assert resolved.service_connection_id == 5
    assert resolved.sources["service_connection_id"] == (
        "the organization's only EMAS service connection"
    )


def test_given_values_win_over_what_the_run_reports() -> None:
    resolved, steps = drive(
        lambda ask: run(3, "SUCCESS", emas(serviceConnectionId=122)),
        pipeline_run_id=3,
        service_connection_id=9,
    )
    assert [s.method for s in steps] == ["get_pipeline_run"]
    assert (resolved.pipeline_run_id, resolved.service_connection_id) == (3, 9)
    assert resolved.sources["service_connection_id"] == "given"


def test_every_id_given_asks_for_nothing() -> None:
    resolved, steps = drive(
        lambda ask: pytest.fail(f"asked {ask}"),
        pipeline_run_id=3,
        emas_job_instance_id="J",
        md5=MD5,
        service_connection_id=9,
    )
    assert steps == []
    assert set(resolved.sources.values()) == {"given"}


def test_a_given_md5_chooses_among_several_artifacts() -> None:
    other = {
        "id": 2,
        "name": "ios",
        "params": json.dumps({"emasJobInstanceId": "K", "md5": "f" * 32}),
    }
    resolved, _ = drive(
        lambda ask: run(7, "SUCCESS", emas(serviceConnectionId=1), other),
        md5="f" * 32,
        service_connection_id=1,
    )
    assert resolved.emas_job_instance_id == "K"


def test_a_given_md5_no_job_reports_is_an_error_listing_what_it_reports() -> None:
    with pytest.raises(NoMatchError, match="no EMAS artifact matches the md5 " + "e" * 32):
        drive(lambda ask: run(7, "SUCCESS", emas()), md5="e" * 32, service_connection_id=1)


def test_several_artifacts_without_a_job_name_list_them() -> None:
    with pytest.raises(NoMatchError, match="2 EMAS artifacts"):
        drive(lambda ask: run(7, "SUCCESS", emas("android", "A"), emas("ios", "B")))


def test_job_name_chooses_the_artifact() -> None:
    resolved, _ = drive(
        lambda ask: run(7, "SUCCESS", emas("android", "A"), emas("ios", "B")),
        job_name="ios",
        service_connection_id=1,
    )
    assert resolved.emas_job_instance_id == "B"


def test_a_failed_run_given_by_id_has_no_artifact() -> None:
    with pytest.raises(NoMatchError, match="is FAIL, not SUCCESS"):
        drive(lambda ask: run(3, "FAIL", emas()), pipeline_run_id=3)


def test_wait_polls_the_latest_run_with_backoff_until_it_finishes() -> None:
    answers = iter(
        [run(8, "RUNNING"), run(8, "RUNNING"), run(8, "SUCCESS", emas(serviceConnectionId=1))]
    )
    resolved, steps = drive(lambda ask: next(answers), wait=True)
    assert steps[0].kwargs["status"] is None  # the latest run, whatever its status
    assert [s.seconds for s in steps if isinstance(s, Wait)] == [2.0, 4.0]
    assert [s.method for s in steps if isinstance(s, Ask)] == [
        "get_latest_pipeline_run",
        "get_pipeline_run",
        "get_pipeline_run",
    ]
    assert steps[-1].kwargs["pipeline_run_id"] == 8
    assert resolved.pipeline_run_id == 8
    assert resolved.sources["pipeline_run_id"] == "the latest run"


def test_each_wait_is_drawn_between_half_and_all_of_the_backoff() -> None:
    answers = iter([run(8, "RUNNING")] * 5 + [run(8, "SUCCESS", emas(serviceConnectionId=1))])
    draws = iter([0.0, 0.999, 0.5, 0.25, 0.0])
    _, steps = drive(lambda ask: next(answers), wait=True, jitter=lambda: next(draws))
    waits = [s.seconds for s in steps if isinstance(s, Wait)]
    assert waits == pytest.approx([2.0, 4 * 0.5005, 8 * 0.75, 16 * 0.875, 30.0])


def test_waits_of_the_real_jitter_stay_within_the_backoff() -> None:
    answers = iter([run(8, "RUNNING")] * 4 + [run(8, "SUCCESS", emas(serviceConnectionId=1))])
    _, steps = drive(lambda ask: next(answers), wait=True, jitter=random.random)
    waits = [s.seconds for s in steps if isinstance(s, Wait)]
    assert all(pause / 2 <= w <= pause for w, pause in zip(waits, [2, 4, 8, 16], strict=True))


def test_wait_gives_up_at_the_timeout_saying_the_status() -> None:
    with pytest.raises(NoMatchError, match=r"still RUNNING after 5 s \(--wait-timeout\)"):
        drive(lambda ask: run(8, "RUNNING"), wait=True, wait_timeout=5)


def test_no_wait_goes_past_the_timeout() -> None:
    clock = Clock()
    answers = iter([run(8, "RUNNING")] * 3 + [run(8, "FAIL")])
    with pytest.raises(NoMatchError, match="is FAIL"):
        drive(lambda ask: next(answers), clock, wait=True, wait_timeout=7)
    assert clock.now == 7.0  # 2 s, 4 s, then the 1 s left


def test_a_run_that_finishes_failed_while_waited_for_is_an_error() -> None:
    answers = iter([run(8, "RUNNING"), run(8, "FAIL")])
    with pytest.raises(NoMatchError, match="run 8 is FAIL, not SUCCESS"):
        drive(lambda ask: next(answers), wait=True)
