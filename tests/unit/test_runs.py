"""The run models (yunxiao_emas.runs) built from the answers of both APIs: the documented
examples of openapi.yaml parse into them, each job's params and result parsed, and a run says
which EMAS artifacts it reports, or why none, listing its jobs."""

from __future__ import annotations

import copy
import datetime as dt
import json
from typing import Any

import pytest
from yunxiao_emas import InvalidArgumentError, NoMatchError
from yunxiao_emas.cli.spec import load_spec, resolve
from yunxiao_emas.runs import (
    EmasArtifact,
    PipelineRun,
    PipelineRunSummary,
    ServiceConnection,
    from_millis,
    only_connection,
)

MD5 = "0cc175b9c0f1b6a831c399e269772661"


def example(name: str) -> Any:
    spec = load_spec()
    return copy.deepcopy(resolve(spec, spec["components"]["examples"][name])["value"])


def run_of(stages: list[dict[str, Any]], **fields: Any) -> PipelineRun:
    body = {"pipelineId": 1111, "pipelineRunId": 1, "status": "SUCCESS", "stages": stages, **fields}
    return PipelineRun.from_answer(body, organization_id="org", pipeline_id=1111)


def stage(*jobs: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": "Build",
        "stageInfo": {"name": "Build", "status": "SUCCESS", "jobs": list(jobs)},
    }


def emas_job(name: str, job_id: int, instance: str, **extra: Any) -> dict[str, Any]:
    params = {"emasJobInstanceId": instance, "md5": MD5, **extra}
    return {"id": job_id, "name": name, "status": "SUCCESS", "params": json.dumps(params)}


def test_the_signed_example_run_parses_with_its_emas_artifact() -> None:
    body = example("run.200.success")["pipelineRun"]
    run = PipelineRun.from_answer(body, organization_id="org", pipeline_id=1111, request_id="R")
    assert (run.pipeline_run_id, run.status, run.request_id) == (1, "SUCCESS", "R")
    assert run.emas_artifacts == [
        EmasArtifact("org", 1111, 1, "Psaxsa", MD5, "EMAS build", 100, 122)
    ]


def test_the_token_example_run_parses_with_its_emas_artifact() -> None:
    run = PipelineRun.from_answer(
        example("token.run.200.success"), organization_id="org", pipeline_id=1111
    )
    [artifact] = run.emas_artifacts
    assert (artifact.emas_job_instance_id, artifact.md5, artifact.service_connection_id) == (
        "Psaxsa",
        MD5,
        122,
    )


def test_a_jobs_params_and_result_are_parsed_json() -> None:
    run = PipelineRun.from_answer(
        example("token.run.200.success"), organization_id="org", pipeline_id=1111
    )
    [job] = run.jobs
    assert job.params == {"emasJobInstanceId": "Psaxsa", "md5": MD5, "serviceConnectionId": 122}
    assert job.result == {"data": {"emasJobInstanceId": "Psaxsa", "md5": MD5}}


def test_params_that_are_not_json_stay_the_string_they_were() -> None:
    run = run_of([stage({"id": 1, "name": "shell", "params": "make all"})])
    assert run.jobs[0].params == "make all"


def test_times_are_aware_utc_datetimes_from_milliseconds() -> None:
    assert from_millis(1700000000000) == dt.datetime(2023, 11, 14, 22, 13, 20, tzinfo=dt.UTC)


@pytest.mark.parametrize("value", [None, 0, -5, "1700000000000", 1.5, True])
def test_a_time_that_is_not_positive_integer_milliseconds_is_none(value: object) -> None:
    assert from_millis(value) is None


def test_fields_of_unexpected_types_are_empty_not_an_exception() -> None:
    run = PipelineRun.from_answer(
        {"pipelineRunId": "x", "status": 5, "stages": "none", "triggerMode": []},
        organization_id="org",
        pipeline_id=1111,
        pipeline_run_id=9,
    )
    assert (run.pipeline_run_id, run.status, run.stages, run.trigger_mode) == (9, "", (), None)


def test_the_only_artifact_is_chosen() -> None:
    run = run_of([stage({"id": 1, "name": "lint"}, emas_job("EMAS build", 2, "J"))])
    assert run.emas_artifact().emas_job_instance_id == "J"


def test_several_artifacts_are_an_error_listing_them() -> None:
    run = run_of([stage(emas_job("android", 1, "A"), emas_job("ios", 2, "B"))])
    with pytest.raises(NoMatchError) as caught:
        run.emas_artifact()
    assert "2 EMAS artifacts" in str(caught.value)
    assert "'android'" in str(caught.value)
    assert "'ios'" in str(caught.value)
    assert len(caught.value.candidates) == 2


def test_a_job_name_chooses_among_several() -> None:
    run = run_of([stage(emas_job("android", 1, "A"), emas_job("ios", 2, "B"))])
    assert run.emas_artifact(job_name="ios").emas_job_instance_id == "B"


def test_no_match_shows_the_candidate_jobs_and_their_keys() -> None:
    build = {"id": 3, "name": "build", "status": "SUCCESS", "params": '{"apkPath": "a.apk"}'}
    run = run_of([stage(build)])
    with pytest.raises(NoMatchError) as caught:
        run.emas_artifact()
    message = str(caught.value)
    assert "reports no EMAS artifact" in message
    assert "'build'" in message
    assert "apkPath" in message
    assert "--emas-job-instance-id" in message


def test_no_match_of_a_run_without_jobs_says_so() -> None:
    with pytest.raises(NoMatchError, match="it has no jobs"):
        run_of([]).emas_artifact()


def test_an_unknown_job_name_lists_the_jobs_there_are() -> None:
    run = run_of([stage(emas_job("android", 1, "A"))])
    with pytest.raises(NoMatchError, match="its jobs: 'android'"):
        run.emas_artifact(job_name="ios")


@pytest.mark.parametrize("status", ["SUCCESS", "FAIL", "CANCELED", "success"])
def test_final_statuses_are_finished(status: str) -> None:
    assert run_of([], status=status).finished


@pytest.mark.parametrize("status", ["RUNNING", "WAITING", "QUEUED", ""])
def test_other_statuses_are_not_finished(status: str) -> None:
    assert not run_of([], status=status).finished


def test_a_list_item_of_either_api_parses() -> None:
    for item in (
        example("runs.200.success")["pipelineRuns"][1],
        example("token.runs.200.success")[1],
    ):
        summary = PipelineRunSummary.from_answer(item, organization_id="org", pipeline_id=1111)
        assert (summary.pipeline_run_id, summary.status) == (1, "SUCCESS")
        assert summary.end_time == from_millis(1700000600000)


def test_a_service_connection_of_either_api_parses() -> None:
    signed = example("connections.200.success")["serviceConnections"][0]
    token = example("token.connections.200.success")[0]
    for item in (signed, token):
        connection = ServiceConnection.from_answer(item)
        assert (connection.id, connection.type, connection.owner_account_id) == (
            122,
            "emas",
            "1234567890123456",
        )


def connection(id: int, type: str = "emas") -> ServiceConnection:
    return ServiceConnection(id, f"c{id}", type, None, None, None)


def test_the_only_emas_connection_is_chosen_among_others() -> None:
    assert only_connection([connection(1, "codeup"), connection(2)], "org").id == 2


def test_several_emas_connections_are_an_error_listing_them() -> None:
    with pytest.raises(NoMatchError, match="2 EMAS service connections") as caught:
        only_connection([connection(1), connection(2)], "org")
    assert caught.value.candidates == ["1 ('c1')", "2 ('c2')"]


def test_no_emas_connection_is_an_error_saying_what_to_give() -> None:
    with pytest.raises(NoMatchError, match="--service-connection-id"):
        only_connection([connection(1, "codeup")], "org")


def artifact(connection: int | None) -> EmasArtifact:
    return EmasArtifact("org", 1111, 1, "J", MD5, "EMAS build", 100, connection)


def test_an_artifacts_ids_are_the_download_methods_keyword_arguments() -> None:
    assert artifact(122).ids() == {
        "organization_id": "org",
        "pipeline_id": 1111,
        "pipeline_run_id": 1,
        "emas_job_instance_id": "J",
        "md5": MD5,
        "service_connection_id": 122,
    }


def test_a_given_service_connection_wins_over_the_jobs() -> None:
    assert artifact(122).ids(service_connection_id=5)["service_connection_id"] == 5


def test_ids_without_any_service_connection_say_where_to_find_one() -> None:
    with pytest.raises(InvalidArgumentError, match="list_service_connections"):
        artifact(None).ids()
