"""From a pipeline to its artifact, end to end against the emulator over real HTTP: the command
line (``url``, ``download``, ``run``, ``runs``) given only the organization and the pipeline,
with an AccessKey and with a token, in the token API's central and region editions; and the
Python methods that find the ids, sync and async, in both APIs.

The emulator's ``add_artifact`` makes its run exist (SUCCESS) with an EMAS job reporting the
artifact's ``emasJobInstanceId``, ``md5`` and service connection, as the README's EMAS rule
assumes; every answer is checked against openapi.yaml (the ``emulate`` fixture).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
from e2e_support import APIS, CONNECTION, FILENAME, JOB, ORG, PIPELINE, RUN, Emulated, ids_args
from yunxiao_emas import NoMatchError

both_apis = pytest.mark.parametrize("api", APIS, indirect=True)
ALONE = ["--organization-id", ORG, "--pipeline-id", str(PIPELINE)]


def emas_stage(job_name: str, instance: str, md5: str) -> dict[str, Any]:
    params = {"emasJobInstanceId": instance, "md5": md5, "serviceConnectionId": CONNECTION}
    return {
        "name": job_name,
        "stageInfo": {
            "name": job_name,
            "status": "SUCCESS",
            "jobs": [{"name": job_name, "status": "SUCCESS", "params": json.dumps(params)}],
        },
    }


# --- the command line, from the organization and the pipeline alone -----------------------------


@both_apis
def test_download_needs_only_the_organization_and_the_pipeline(
    emulator: Emulated, run_cli: Any, tmp_path: Path
) -> None:
    result = run_cli("download", "--endpoint", emulator.base_url, *ALONE, "-o", f"{tmp_path}/")

    assert result.returncode == 0, result.stderr
    written = tmp_path / FILENAME
    assert written.read_bytes() == emulator.content
    assert "verified" in result.stdout
    assert f"--pipeline-run-id {RUN}  (the latest SUCCESS run)" in result.stderr
    assert f"--emas-job-instance-id {JOB}  (job 'EMAS build' of run {RUN})" in result.stderr
    assert f"--service-connection-id {CONNECTION}  (job 'EMAS build')" in result.stderr
    assert (
        f"to pin them: --organization-id {ORG} --pipeline-id {PIPELINE} --pipeline-run-id {RUN} "
        f"--emas-job-instance-id {JOB} --md5 {emulator.md5} --service-connection-id {CONNECTION}"
    ) in result.stderr


@both_apis
def test_url_json_carries_the_ids_found_and_where_from(emulator: Emulated, run_cli: Any) -> None:
    result = run_cli("url", "--json", "--endpoint", emulator.base_url, *ALONE)

    assert result.returncode == 0, result.stderr
    body = json.loads(result.stdout)
    assert body["url"].startswith(f"{emulator.base_url}/emas-artifacts/")
    assert body["ids"] == emulator.ids()
    assert body["found"] == {
        "pipeline_run_id": "the latest SUCCESS run",
        "emas_job_instance_id": f"job 'EMAS build' of run {RUN}",
        "md5": f"job 'EMAS build' of run {RUN}",
        "service_connection_id": "job 'EMAS build'",
    }
    assert result.stderr == ""


@pytest.mark.parametrize("api", ["token"], indirect=True)
def test_the_region_edition_downloads_from_the_pipeline_alone(
    emulator: Emulated, run_cli: Any, tmp_path: Path
) -> None:
    out = tmp_path / "app.apk"
    result = run_cli(
        "download", "--endpoint", emulator.base_url, "--edition", "region", *ALONE, "-o", str(out)
    )

    assert result.returncode == 0, result.stderr
    assert out.read_bytes() == emulator.content
    paths = {call.path for call in emulator.service.calls}
    assert f"/oapi/v1/flow/pipelines/{PIPELINE}/runs/latestPipelineRun" in paths
    assert "/oapi/v1/flow/pipelines/getEmasArtifactDownloadUrl" in paths
    assert not any(path.startswith("/oapi/v1/flow/organizations/") for path in paths)


@both_apis
def test_given_ids_win_over_the_ones_found(emulator: Emulated, run_cli: Any) -> None:
    result = run_cli("url", "--json", "--endpoint", emulator.base_url, *ALONE, "--md5", "f" * 32)

    assert result.returncode == 3
    error = json.loads(result.stdout)
    assert error["error"] == "NoMatchError"
    assert f"no EMAS artifact matches the md5 {'f' * 32} given" in error["message"]
    assert f"emasJobInstanceId {JOB}, md5 {emulator.md5}" in error["message"]


@both_apis
def test_several_emas_artifacts_are_listed_and_job_name_chooses(
    emulator: Emulated, run_cli: Any, tmp_path: Path
) -> None:
    service = emulator.service
    other = service.add_artifact(ORG, PIPELINE, 2, "job-ios", b"ipa bytes", filename="app.ipa")
    service.add_run(
        ORG,
        PIPELINE,
        2,
        stages=[
            emas_stage("android", JOB, emulator.md5),
            emas_stage("ios", "job-ios", other),
        ],
        start_time=1_900_000_000_000,
    )

    listed = run_cli("url", "--endpoint", emulator.base_url, *ALONE)
    assert listed.returncode == 3
    assert "2 EMAS artifacts" in listed.stderr
    assert "job 'android'" in listed.stderr
    assert "job 'ios'" in listed.stderr

    out = tmp_path / "app.ipa"
    chosen = run_cli(
        "download", "--endpoint", emulator.base_url, *ALONE, "--job-name", "ios", "-o", str(out)
    )
    assert chosen.returncode == 0, chosen.stderr
    assert out.read_bytes() == b"ipa bytes"
    assert "--pipeline-run-id 2  (the latest SUCCESS run)" in chosen.stderr


@both_apis
def test_wait_waits_for_the_latest_run_then_downloads(
    emulator: Emulated, run_cli: Any, tmp_path: Path
) -> None:
    emulator.service.add_run(
        ORG,
        PIPELINE,
        RUN,
        status="SUCCESS",
        finishes_after_polls=1,
        stages=[emas_stage("EMAS build", JOB, emulator.md5)],
    )
    out = tmp_path / "app.apk"
    result = run_cli("download", "--endpoint", emulator.base_url, *ALONE, "--wait", "-o", str(out))

    assert result.returncode == 0, result.stderr
    assert "waiting for the run to finish" in result.stderr
    assert f"--pipeline-run-id {RUN}  (the latest run)" in result.stderr
    assert hashlib.md5(out.read_bytes()).hexdigest() == emulator.md5  # noqa: S324


@pytest.mark.parametrize("api", ["signed"], indirect=True)
def test_wait_gives_up_at_the_timeout_and_names_it(emulator: Emulated, run_cli: Any) -> None:
    emulator.service.add_run(ORG, PIPELINE, RUN, status="SUCCESS", finishes_after_polls=100)
    result = run_cli(
        "url", "--endpoint", emulator.base_url, *ALONE, "--wait", "--wait-timeout", "1"
    )

    assert result.returncode == 3
    assert f"run {RUN} is still RUNNING after 1 s (--wait-timeout)" in result.stderr


@both_apis
def test_a_run_without_an_emas_job_lists_the_jobs_and_their_keys(
    emulator: Emulated, run_cli: Any
) -> None:
    build = {"name": "Gradle build", "status": "SUCCESS", "params": '{"apkPath": "out.apk"}'}
    stages = [{"name": "Build", "stageInfo": {"name": "Build", "jobs": [build]}}]
    emulator.service.add_run(ORG, PIPELINE, 5, stages=stages, start_time=1_900_000_000_000)

    result = run_cli("url", "--endpoint", emulator.base_url, *ALONE)

    assert result.returncode == 3
    assert "run 5 reports no EMAS artifact" in result.stderr
    assert "job 'Gradle build'" in result.stderr
    assert "apkPath" in result.stderr
    assert "--emas-job-instance-id" in result.stderr


@both_apis
def test_run_shows_stages_jobs_artifacts_and_connections(emulator: Emulated, run_cli: Any) -> None:
    result = run_cli("run", "--endpoint", emulator.base_url, *ALONE)

    assert result.returncode == 0, result.stderr
    assert f"run {RUN} of pipeline {PIPELINE}: SUCCESS" in result.stdout
    assert "job 'EMAS build'" in result.stdout
    assert f"emasJobInstanceId {JOB}, md5 {emulator.md5}" in result.stdout
    assert f"{CONNECTION} 'EMAS (emulated)'" in result.stdout


@both_apis
def test_run_json_is_one_object_with_the_parsed_params(emulator: Emulated, run_cli: Any) -> None:
    result = run_cli(
        "run", "--json", "--endpoint", emulator.base_url, *ALONE, "--pipeline-run-id", str(RUN)
    )

    assert result.returncode == 0, result.stderr
    body = json.loads(result.stdout)
    [job] = [job for stage in body["stages"] for job in stage["jobs"]]
    assert job["params"]["emasJobInstanceId"] == JOB
    assert body["emas_artifacts"][0]["md5"] == emulator.md5
    assert body["emas_service_connections"] == [
        {"id": CONNECTION, "name": "EMAS (emulated)", "type": "emas"}
    ]
    assert body["problem"] is None


@both_apis
def test_runs_lists_newest_first_across_pages(emulator: Emulated, run_cli: Any) -> None:
    for run_id in range(2, 42):  # 41 runs: two pages of 30 in either API
        status = "FAIL" if run_id % 10 == 0 else "SUCCESS"
        emulator.service.add_run(
            ORG, PIPELINE, run_id, status=status, start_time=1_800_000_000_000 + run_id
        )

    result = run_cli("runs", "--json", "--endpoint", emulator.base_url, *ALONE, "--limit", "100")
    assert result.returncode == 0, result.stderr
    runs = json.loads(result.stdout)["runs"]
    assert [run["pipeline_run_id"] for run in runs] == list(range(41, 0, -1))

    failed = run_cli("runs", "--endpoint", emulator.base_url, *ALONE, "--status", "FAIL")
    assert [line.split()[0] for line in failed.stdout.splitlines()[1:]] == ["40", "30", "20", "10"]


# --- the Python methods, sync and async, both APIs ----------------------------------------------


@both_apis
@pytest.mark.parametrize("flavour", ["sync", "async"])
def test_latest_run_to_verified_download_in_python(
    emulator: Emulated, tmp_path: Path, flavour: str
) -> None:
    if flavour == "sync":
        with emulator.client() as client:
            run = client.get_latest_pipeline_run(ORG, PIPELINE)
            [connection] = client.list_service_connections(ORG)
            done = client.download_pipeline_emas_artifact(
                **run.emas_artifact().ids(), dest=tmp_path
            )
    else:

        async def steps() -> Any:
            async with emulator.async_client(transport="httpx") as client:
                run = await client.get_latest_pipeline_run(ORG, PIPELINE)
                connections = await client.list_service_connections(ORG)
                done = await client.download_pipeline_emas_artifact(
                    **run.emas_artifact().ids(), dest=tmp_path
                )
                return run, connections, done

        run, [connection], done = asyncio.run(steps())

    assert (run.pipeline_run_id, run.status) == (RUN, "SUCCESS")
    assert (connection.id, connection.type) == (CONNECTION, "emas")
    assert done.verified
    assert done.path.read_bytes() == emulator.content


@both_apis
@pytest.mark.parametrize("flavour", ["sync", "async"])
def test_list_pipeline_runs_walks_every_page(emulator: Emulated, flavour: str) -> None:
    for run_id in range(2, 66):  # 65 runs: three pages
        emulator.service.add_run(ORG, PIPELINE, run_id, start_time=1_800_000_000_000 + run_id)

    if flavour == "sync":
        with emulator.client() as client:
            ids = [run.pipeline_run_id for run in client.list_pipeline_runs(ORG, PIPELINE)]
    else:

        async def walk() -> list[int]:
            async with emulator.async_client(transport="httpx") as client:
                return [
                    run.pipeline_run_id async for run in client.list_pipeline_runs(ORG, PIPELINE)
                ]

        ids = asyncio.run(walk())

    assert ids == list(range(65, 0, -1))
    pages = [c for c in emulator.service.calls if c.operation and "ListPipelineRuns" in c.operation]
    assert len(pages) == 3


@both_apis
def test_get_pipeline_run_of_an_unknown_run_is_not_found(emulator: Emulated) -> None:
    from yunxiao_emas import NotFoundError

    with emulator.client() as client, pytest.raises(NotFoundError):
        client.get_pipeline_run(ORG, PIPELINE, 999)


@both_apis
def test_no_successful_run_is_a_no_match_error(emulator: Emulated) -> None:
    emulator.service.add_run(ORG, PIPELINE, RUN, status="FAIL")
    with emulator.client() as client, pytest.raises(NoMatchError, match="no run of status"):
        client.get_latest_pipeline_run(ORG, PIPELINE)


# --- errors that help ---------------------------------------------------------------------------


@both_apis
def test_an_md5_not_of_this_run_points_at_yunxiao_emas_run(
    emulator: Emulated, run_cli: Any
) -> None:
    result = run_cli("url", "--endpoint", emulator.base_url, *ids_args(emulator, md5="e" * 32))

    assert result.returncode == 3
    assert "not one of this run's: `yunxiao-emas run" in result.stderr


@both_apis
def test_a_refused_service_connection_is_named_in_the_hint(
    emulator: Emulated, run_cli: Any
) -> None:
    result = run_cli(
        "url", "--endpoint", emulator.base_url, *ids_args(emulator, service_connection_id=9)
    )

    assert result.returncode == 3
    assert "service connection (--service-connection-id)" in result.stderr
