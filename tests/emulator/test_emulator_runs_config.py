"""Runs, service connections and the region edition's organization, configured from data: the
``runs``, ``service_connections`` and ``region_organization_id`` keys of ``--config``, and the
control API's ``/_emulator/runs`` and ``/_emulator/service-connections``."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from emulator_support import ORG, PIPELINE, RUN, in_process_client
from yunxiao_emas.auth.token import TokenAuth
from yunxiao_emas.testing import EmulatedService, EmulatorConfigError

RUN_ITEM = {"organization_id": ORG, "pipeline_id": PIPELINE, "pipeline_run_id": RUN}
JOB_STAGES = [
    {
        "name": "Build",
        "stageInfo": {
            "jobs": [{"name": "EMAS build", "params": {"emasJobInstanceId": "j", "md5": "m"}}]
        },
    }
]


async def token_get(service: EmulatedService, path: str) -> httpx.Response:
    async with in_process_client(service, TokenAuth(service.default_token)) as client:
        return await client.get(path)


def run_path(run: int = RUN, org: str = ORG) -> str:
    return f"/oapi/v1/flow/organizations/{org}/pipelines/{PIPELINE}/runs/{run}"


# --- --config ----------------------------------------------------------------------------------


async def test_runs_of_the_config_are_answered() -> None:
    service = EmulatedService.from_config(
        {"runs": [{**RUN_ITEM, "status": "FAIL", "trigger_mode": 2, "stages": JOB_STAGES}]}
    )

    run = (await token_get(service, run_path())).json()

    assert (run["status"], run["triggerMode"]) == ("FAIL", 2)
    assert (
        run["stages"][0]["stageInfo"]["jobs"][0]["params"] == '{"emasJobInstanceId":"j","md5":"m"}'
    )


async def test_a_run_of_the_config_may_finish_after_polls() -> None:
    service = EmulatedService.from_config({"runs": [{**RUN_ITEM, "finishes_after_polls": 1}]})

    first = (await token_get(service, run_path())).json()["status"]
    second = (await token_get(service, run_path())).json()["status"]

    assert (first, second) == ("RUNNING", "SUCCESS")


async def test_reset_comes_back_to_the_configured_runs_and_their_polls() -> None:
    service = EmulatedService.from_config({"runs": [{**RUN_ITEM, "finishes_after_polls": 1}]})
    await token_get(service, run_path())
    service.add_run(ORG, PIPELINE, RUN + 1)

    service.reset()

    assert [run["pipelineRunId"] for run in service.runs()] == [RUN]
    assert (await token_get(service, run_path())).json()["status"] == "RUNNING"


async def test_a_run_of_the_config_replaces_the_one_an_artifact_made() -> None:
    service = EmulatedService.from_config(
        {
            "artifacts": [{**RUN_ITEM, "emas_job_instance_id": "job-1", "size": 10}],
            "runs": [{**RUN_ITEM, "status": "FAIL"}],
        }
    )

    assert [run["status"] for run in service.runs()] == ["FAIL"]
    assert len(service.artifacts()) == 1


def test_service_connections_of_the_config_are_listed() -> None:
    service = EmulatedService.from_config(
        {
            "service_connections": [
                {"organization_id": ORG, "id": 122},
                {"organization_id": ORG, "id": 5, "type": "github", "name": "GitHub"},
            ]
        }
    )

    listed = [(c["id"], c["type"], c["name"]) for c in service.service_connections()]
    assert listed == [(5, "github", "GitHub"), (122, "emas", "EMAS (emulated)")]


async def test_region_organization_id_of_the_config_is_where_region_paths_act() -> None:
    service = EmulatedService.from_config(
        {
            "runs": [
                {**RUN_ITEM, "organization_id": "org-a"},
                {**RUN_ITEM, "organization_id": "org-b", "status": "FAIL"},
            ],
            "region_organization_id": "org-b",
        }
    )

    response = await token_get(service, f"/oapi/v1/flow/pipelines/{PIPELINE}/runs/{RUN}")

    assert service.region_organization_id == "org-b"
    assert response.json()["status"] == "FAIL"


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ({"runs": {"organization_id": ORG}}, "runs must be a list"),
        ({"runs": [[1]]}, "runs[0] must be a mapping"),
        (
            {"runs": [{"organization_id": ORG, "pipeline_id": 1}]},
            "runs[0]: missing pipeline_run_id",
        ),
        ({"runs": [{**RUN_ITEM, "pipeline_id": "1"}]}, "runs[0].pipeline_id must be an integer"),
        ({"runs": [{**RUN_ITEM, "colour": "red"}]}, "runs[0]: unknown key(s) colour"),
        ({"runs": [{**RUN_ITEM, "status": "ok"}]}, "runs[0]: status must be an upper-case status"),
        (
            {"runs": [{**RUN_ITEM, "stages": [{"name": "S", "stageInfo": {"jobs": [{}]}}]}]},
            "runs[0]: stages[0].stageInfo.jobs[0].name must be a non-empty string",
        ),
        ({"service_connections": [{"organization_id": ORG}]}, "service_connections[0]: missing id"),
        (
            {"service_connections": [{"organization_id": ORG, "id": 1, "type": "A"}]},
            "service_connections[0]: type",
        ),
        ({"region_organization_id": 7}, "region_organization_id must be a string"),
    ],
)
def test_a_bad_entry_is_refused_naming_where(config: dict[str, Any], message: str) -> None:
    with pytest.raises(EmulatorConfigError) as caught:
        EmulatedService.from_config(config)

    assert message in str(caught.value)


# --- the control API ---------------------------------------------------------------------------


@pytest.fixture
async def control(service: EmulatedService) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=service.asgi_app), base_url="http://127.0.0.1:8080"
    ) as client:
        yield client


async def test_a_run_posted_to_the_control_api_is_answered(
    service: EmulatedService, control: httpx.AsyncClient
) -> None:
    posted = await control.post(
        "/_emulator/runs", json={**RUN_ITEM, "status": "FAIL", "stages": JOB_STAGES}
    )

    assert posted.status_code == 200
    assert posted.json() == RUN_ITEM
    run = (await token_get(service, run_path())).json()
    assert run["status"] == "FAIL"
    assert run["stages"][0]["stageInfo"]["jobs"][0]["name"] == "EMAS build"


async def test_a_run_posted_with_polls_finishes_after_them(
    service: EmulatedService, control: httpx.AsyncClient
) -> None:
    await control.post("/_emulator/runs", json={**RUN_ITEM, "finishes_after_polls": 2})

    statuses = [(await token_get(service, run_path())).json()["status"] for _ in range(3)]

    assert statuses == ["RUNNING", "RUNNING", "SUCCESS"]


async def test_the_runs_are_listed_without_counting_as_polls(
    service: EmulatedService, control: httpx.AsyncClient
) -> None:
    await control.post("/_emulator/runs", json={**RUN_ITEM, "finishes_after_polls": 1})

    listed = (await control.get("/_emulator/runs")).json()["runs"]
    polled = (await token_get(service, run_path())).json()

    assert [(run["organizationId"], run["status"]) for run in listed] == [(ORG, "RUNNING")]
    assert polled["status"] == "RUNNING"


async def test_a_service_connection_posted_is_listed_by_the_api(
    service: EmulatedService, control: httpx.AsyncClient
) -> None:
    posted = await control.post(
        "/_emulator/service-connections", json={"organization_id": ORG, "id": 9, "name": "EMAS"}
    )
    listed = (await control.get("/_emulator/service-connections")).json()

    answered = await token_get(service, f"/oapi/v1/flow/organizations/{ORG}/serviceConnections")

    assert posted.json() == {"organization_id": ORG, "id": 9}
    assert [(c["organizationId"], c["id"]) for c in listed["service_connections"]] == [(ORG, 9)]
    assert [(c["id"], c["type"], c["name"]) for c in answered.json()] == [(9, "emas", "EMAS")]


@pytest.mark.parametrize(
    ("path", "body", "message"),
    [
        ("/_emulator/runs", b"[]", "the body must be a JSON object"),
        ("/_emulator/runs", b'{"organization_id": "o"}', "the run: missing pipeline_id"),
        (
            "/_emulator/runs",
            b'{"organization_id": "o", "pipeline_id": 1, "pipeline_run_id": 0}',
            "the run: pipelineRunId",
        ),
        (
            "/_emulator/runs",
            b'{"organization_id": "o", "pipeline_id": 1, "pipeline_run_id": 1, "trigger_mode": 0}',
            "the run: trigger_mode must be a positive int",
        ),
        (
            "/_emulator/service-connections",
            b'{"organization_id": "o", "id": "1"}',
            "the service connection.id must be an integer",
        ),
        (
            "/_emulator/service-connections",
            b'{"organization_id": "o", "id": 1, "kind": "x"}',
            "unknown key(s) kind",
        ),
    ],
)
async def test_a_bad_body_is_a_400_naming_the_key_and_adds_nothing(
    service: EmulatedService, control: httpx.AsyncClient, path: str, body: bytes, message: str
) -> None:
    # A JSON content type, as the control API asks of every POST (else 415, before the body).
    headers = {"content-type": "application/json"}
    response = await control.post(path, content=body, headers=headers)

    assert response.status_code == 400
    assert response.json()["error"] == "bad_request"
    assert message in response.json()["message"]
    assert service.runs() == []
    assert service.service_connections() == []


async def test_the_index_lists_the_new_endpoints(control: httpx.AsyncClient) -> None:
    endpoints = (await control.get("/_emulator/")).json()["endpoints"]

    assert {
        "POST /_emulator/runs",
        "GET /_emulator/runs",
        "POST /_emulator/service-connections",
        "GET /_emulator/service-connections",
    } <= set(endpoints)
