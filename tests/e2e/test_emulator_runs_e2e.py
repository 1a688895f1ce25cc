"""`yunxiao-emas emulator --config FILE` with runs, service connections and the region edition's
organization, reached over HTTP as another language's test suite would: the token API at its
region-edition paths, and the control API adding a run that finishes after a poll."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from test_emulator_command_e2e import emulator_process

ORG, PIPELINE = "cfg-org", 1111
TOKEN = {"x-yunxiao-token": "pt-configured"}


@pytest.fixture
def home(tmp_path: Path) -> Path:
    path = tmp_path / "home"
    path.mkdir()
    return path


@pytest.fixture
def config_file(tmp_path: Path) -> Path:
    path = tmp_path / "emulator.yaml"
    path.write_text(
        "tokens: [pt-configured]\n"
        "artifacts:\n"
        f"  - {{organization_id: {ORG}, pipeline_id: {PIPELINE}, pipeline_run_id: 1,\n"
        "     emas_job_instance_id: cfg-job, service_connection_id: 122, size: 100}\n"
        "runs:\n"
        f"  - {{organization_id: {ORG}, pipeline_id: {PIPELINE}, pipeline_run_id: 2,\n"
        "     status: FAIL, start_time: 1800000000000}\n"
        f"  - {{organization_id: other-org, pipeline_id: {PIPELINE}, pipeline_run_id: 9}}\n"
        "service_connections:\n"
        f"  - {{organization_id: {ORG}, id: 7, type: github, name: GitHub}}\n"
        f"region_organization_id: {ORG}\n"
    )
    return path


def test_the_configured_runs_and_connections_answer_at_region_paths(
    home: Path, config_file: Path
) -> None:
    with (
        emulator_process(home, "--config", str(config_file)) as started,
        httpx.Client(base_url=started.base_url, headers=TOKEN, timeout=10) as client,
    ):
        runs = client.get(f"/oapi/v1/flow/pipelines/{PIPELINE}/runs")
        latest = client.get(f"/oapi/v1/flow/pipelines/{PIPELINE}/runs/latestPipelineRun")
        emas = client.get(
            "/oapi/v1/flow/serviceConnections", params={"sericeConnectionType": "emas"}
        )

    assert [(run["pipelineRunId"], run["status"]) for run in runs.json()] == [
        (2, "FAIL"),
        (1, "SUCCESS"),
    ]
    assert runs.headers["x-total"] == "2"
    assert latest.json()["pipelineRunId"] == 2
    assert [(c["id"], c["name"]) for c in emas.json()] == [(122, "EMAS (emulated)")]


def test_a_run_added_over_the_control_api_finishes_after_its_polls(
    home: Path, config_file: Path
) -> None:
    with (
        emulator_process(home, "--config", str(config_file)) as started,
        httpx.Client(base_url=started.base_url, timeout=10) as client,
    ):
        added = client.post(
            "/_emulator/runs",
            json={
                "organization_id": ORG,
                "pipeline_id": PIPELINE,
                "pipeline_run_id": 3,
                "finishes_after_polls": 1,
            },
        )
        path = f"/oapi/v1/flow/organizations/{ORG}/pipelines/{PIPELINE}/runs/3"
        polls = [client.get(path, headers=TOKEN).json()["status"] for _ in range(2)]
        reset = client.post("/_emulator/reset")
        gone = client.get(path, headers=TOKEN)

    assert added.status_code == 200
    assert polls == ["RUNNING", "SUCCESS"]
    assert reset.status_code == 200
    assert gone.status_code == 404
