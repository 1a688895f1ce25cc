"""The operations that find the ids, as the emulator answers them: GetPipelineRun,
ListPipelineRuns and ListServiceConnections in both APIs, GetLatestPipelineRun in the token API,
at the central and the region-edition paths. Every answer is validated against openapi.yaml by
the clients of emulator_support."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from emulator_support import (
    CONNECTION,
    CONTENT,
    JOB,
    ORG,
    PIPELINE,
    RUN,
    in_process_client,
    service_code,
    token_code,
)
from yunxiao_emas.auth.acs3 import AcsV3Auth
from yunxiao_emas.auth.token import TokenAuth
from yunxiao_emas.credentials import PersonalAccessToken
from yunxiao_emas.testing import EmulatedService

CENTRAL = f"/oapi/v1/flow/organizations/{ORG}"
REGION = "/oapi/v1/flow"
SIGNED = f"/organization/{ORG}"


def signed(service: EmulatedService, action: str) -> httpx.AsyncClient:
    """A signed client of ``service`` for the operation ``action`` (its x-acs-action)."""
    return in_process_client(service, AcsV3Auth(service.default_credentials, action=action))


def token(service: EmulatedService) -> httpx.AsyncClient:
    return in_process_client(service, TokenAuth(service.default_token))


async def signed_get(
    service: EmulatedService, action: str, path: str, **params: Any
) -> httpx.Response:
    async with signed(service, action) as client:
        return await client.get(path, params=params)


async def token_get(service: EmulatedService, path: str, **params: Any) -> httpx.Response:
    async with token(service) as client:
        return await client.get(path, params=params)


def jobs_of(run: dict[str, Any]) -> list[dict[str, Any]]:
    return [job for stage in run["stages"] for job in stage["stageInfo"]["jobs"]]


def add_runs(service: EmulatedService, count: int, **options: Any) -> list[int]:
    """``count`` runs of PIPELINE, one a minute; their ids, newest first."""
    for run_id in range(1, count + 1):
        service.add_run(
            ORG, PIPELINE, run_id, start_time=1_700_000_000_000 + run_id * 60_000, **options
        )
    return list(range(count, 0, -1))


# --- GetPipelineRun: what add_artifact makes --------------------------------------------------


async def test_signed_get_pipeline_run_shows_the_emas_job_of_an_added_artifact(
    service: EmulatedService, md5: str
) -> None:
    response = await signed_get(
        service, "GetPipelineRun", f"{SIGNED}/pipelines/{PIPELINE}/pipelineRuns/{RUN}"
    )

    assert response.status_code == 200
    body = response.json()
    assert body["success"] is True
    run = body["pipelineRun"]
    assert (run["pipelineId"], run["pipelineRunId"], run["status"]) == (PIPELINE, RUN, "SUCCESS")
    (job,) = jobs_of(run)
    assert job["name"] == "EMAS build"
    assert job["status"] == "SUCCESS"
    assert json.loads(job["params"]) == {
        "emasJobInstanceId": JOB,
        "md5": md5,
        "serviceConnectionId": CONNECTION,
    }
    assert job["actions"] == [
        {"type": "EMAS", "disable": False, "params": {"emasJobInstanceId": JOB, "md5": md5}}
    ]


async def test_the_signed_api_shows_no_job_result(service: EmulatedService, md5: str) -> None:
    response = await signed_get(
        service, "GetPipelineRun", f"{SIGNED}/pipelines/{PIPELINE}/pipelineRuns/{RUN}"
    )

    (job,) = jobs_of(response.json()["pipelineRun"])
    assert "result" not in job


async def test_token_get_pipeline_run_is_the_run_itself_with_the_jobs_result(
    service: EmulatedService, md5: str
) -> None:
    response = await token_get(service, f"{CENTRAL}/pipelines/{PIPELINE}/runs/{RUN}")

    assert response.status_code == 200
    run = response.json()
    assert (run["pipelineId"], run["pipelineRunId"], run["status"]) == (PIPELINE, RUN, "SUCCESS")
    (job,) = jobs_of(run)
    assert json.loads(job["result"]) == {"data": {"emasJobInstanceId": JOB, "md5": md5}}
    assert json.loads(job["params"])["md5"] == md5


async def test_an_artifact_without_a_connection_reports_none(service: EmulatedService) -> None:
    md5 = service.add_artifact(ORG, PIPELINE, RUN, JOB, CONTENT)

    response = await token_get(service, f"{CENTRAL}/pipelines/{PIPELINE}/runs/{RUN}")

    (job,) = jobs_of(response.json())
    assert json.loads(job["params"]) == {"emasJobInstanceId": JOB, "md5": md5}


async def test_two_artifacts_of_one_run_are_two_emas_jobs(service: EmulatedService) -> None:
    first = service.add_artifact(ORG, PIPELINE, RUN, "job-a", b"a")
    second = service.add_artifact(ORG, PIPELINE, RUN, "job-b", b"b")

    response = await token_get(service, f"{CENTRAL}/pipelines/{PIPELINE}/runs/{RUN}")

    reported = [json.loads(job["params"]) for job in jobs_of(response.json())]
    assert reported == [
        {"emasJobInstanceId": "job-a", "md5": first},
        {"emasJobInstanceId": "job-b", "md5": second},
    ]
    assert len({job["id"] for job in jobs_of(response.json())}) == 2


async def test_an_unknown_run_is_invalid_pipeline_run_not_found_in_the_signed_api(
    service: EmulatedService, md5: str
) -> None:
    response = await signed_get(
        service, "GetPipelineRun", f"{SIGNED}/pipelines/{PIPELINE}/pipelineRuns/{RUN + 1}"
    )

    assert response.status_code == 404
    assert service_code(response) == "InvalidPipelineRun.NotFound"


async def test_an_unknown_run_is_a_404_in_the_token_api(service: EmulatedService, md5: str) -> None:
    response = await token_get(service, f"{CENTRAL}/pipelines/{PIPELINE}/runs/{RUN + 1}")

    assert response.status_code == 404
    assert token_code(response) == "InvalidPipelineRun.NotFound"


@pytest.mark.parametrize(
    ("path", "code"),
    [
        (
            f"/organization/other-org/pipelines/{PIPELINE}/pipelineRuns/{RUN}",
            "InvalidOrganization.NotFound",
        ),
        (f"{SIGNED}/pipelines/{PIPELINE + 1}/pipelineRuns/{RUN}", "InvalidPipeline.NotFound"),
    ],
)
async def test_an_unknown_organization_or_pipeline_answers_as_the_artifact_lookup_does(
    service: EmulatedService, md5: str, path: str, code: str
) -> None:
    response = await signed_get(service, "GetPipelineRun", path)

    assert response.status_code == 404
    assert service_code(response) == code


async def test_a_token_not_admitted_to_the_organization_is_refused(
    service: EmulatedService, md5: str
) -> None:
    service.add_token("pt-elsewhere", organizations=["another-org"])

    async with in_process_client(service, TokenAuth(PersonalAccessToken("pt-elsewhere"))) as client:
        response = await client.get(f"{CENTRAL}/pipelines/{PIPELINE}/runs/{RUN}")

    assert response.status_code == 403
    assert token_code(response) == "Forbidden.UserNotInCurrentOrganization"


async def test_a_key_not_member_of_the_organization_is_refused(
    service: EmulatedService, md5: str
) -> None:
    service.set_members(ORG, ["LTAI-somebody-else"])

    response = await signed_get(service, "ListServiceConnections", f"{SIGNED}/serviceConnections")

    assert response.status_code == 403
    assert service_code(response) == "Forbidden.UserNotInCurrentOrganization"


# --- add_run: any status, stages and jobs -------------------------------------------------------

STAGES = [
    {
        "name": "Build",
        "stageInfo": {
            "name": "Build",
            "status": "FAIL",
            "startTime": 1_700_000_000_000,
            "endTime": 1_700_000_060_000,
            "jobs": [
                {
                    "id": 42,
                    "name": "Android build",
                    "status": "FAIL",
                    "params": '{"buildType": "release"}',
                    "result": {"data": {"log": "out of memory"}},
                    "actions": [{"type": "LOG", "disable": True, "params": {"x": 1}, "order": 2}],
                }
            ],
        },
    }
]


async def test_a_run_added_with_stages_is_answered_in_the_apis_shape(
    service: EmulatedService,
) -> None:
    service.add_run(ORG, PIPELINE, 7, status="FAIL", stages=STAGES, trigger_mode=3)

    response = await token_get(service, f"{CENTRAL}/pipelines/{PIPELINE}/runs/7")

    run = response.json()
    assert (run["status"], run["triggerMode"]) == ("FAIL", 3)
    (stage,) = run["stages"]
    assert stage["name"] == "Build"
    assert (stage["stageInfo"]["startTime"], stage["stageInfo"]["endTime"]) == (
        1_700_000_000_000,
        1_700_000_060_000,
    )
    (job,) = stage["stageInfo"]["jobs"]
    assert (job["id"], job["name"], job["status"]) == (42, "Android build", "FAIL")
    assert job["params"] == '{"buildType": "release"}'
    assert json.loads(job["result"]) == {"data": {"log": "out of memory"}}
    assert job["actions"] == [{"type": "LOG", "disable": True, "params": {"x": 1}, "order": 2}]


async def test_the_signed_api_shows_actions_with_its_own_keys_only(
    service: EmulatedService,
) -> None:
    service.add_run(ORG, PIPELINE, 7, status="FAIL", stages=STAGES)

    response = await signed_get(
        service, "GetPipelineRun", f"{SIGNED}/pipelines/{PIPELINE}/pipelineRuns/7"
    )

    (job,) = jobs_of(response.json()["pipelineRun"])
    assert job["actions"] == [{"type": "LOG", "disable": True, "params": {"x": 1}}]


def test_jobs_and_stages_take_the_runs_status_unless_given(service: EmulatedService) -> None:
    service.add_run(
        ORG,
        PIPELINE,
        8,
        status="FAIL",
        stages=[{"name": "S", "stageInfo": {"jobs": [{"name": "j"}]}}],
    )

    (run,) = service.runs()
    assert run["stages"][0]["stageInfo"]["status"] == "FAIL"
    assert jobs_of(run)[0]["status"] == "FAIL"


def test_a_run_without_an_end_time_that_finished_ends_when_it_started(
    service: EmulatedService,
) -> None:
    service.add_run(ORG, PIPELINE, 1, start_time=1_700_000_000_000)
    service.add_run(ORG, PIPELINE, 2, status="RUNNING", start_time=1_700_000_000_000)

    ended = {run["pipelineRunId"]: run.get("endTime") for run in service.runs()}
    assert ended == {1: 1_700_000_000_000, 2: None}


@pytest.mark.parametrize(
    ("options", "named"),
    [
        ({"status": "done"}, "status"),
        ({"trigger_mode": 0}, "trigger_mode"),
        ({"start_time": -1}, "start_time"),
        ({"start_time": 10, "end_time": 5}, "end_time"),
        ({"finishes_after_polls": -1}, "finishes_after_polls"),
        ({"status": "RUNNING", "finishes_after_polls": 2}, "finishes_after_polls"),
        (
            {"stages": [{"name": "S", "stageInfo": {"jobs": [{"name": "j", "params": "{"}]}}]},
            "stages[0].stageInfo.jobs[0].params",
        ),
        (
            {"stages": [{"name": "S", "stageInfo": {"jobs": [{"nam": "j"}]}}]},
            "stages[0].stageInfo.jobs[0]: unknown key",
        ),
        ({"stages": [{"stageInfo": {}}]}, "stages[0].name"),
        ({"stages": {"name": "S"}}, "stages must be a list"),
    ],
)
def test_a_bad_run_is_refused_naming_the_key_and_adds_nothing(
    service: EmulatedService, options: dict[str, Any], named: str
) -> None:
    with pytest.raises(ValueError, match=named.replace("[", r"\[").replace("]", r"\]")):
        service.add_run(ORG, PIPELINE, RUN, **options)

    assert service.runs() == []


async def test_add_run_replaces_the_run_and_its_artifact_stays_reachable(
    service: EmulatedService, md5: str
) -> None:
    service.add_run(ORG, PIPELINE, RUN, status="FAIL")

    run = await token_get(service, f"{CENTRAL}/pipelines/{PIPELINE}/runs/{RUN}")
    url = await token_get(
        service,
        f"{CENTRAL}/pipelines/getEmasArtifactDownloadUrl",
        pipelineId=PIPELINE,
        pipelineRunId=RUN,
        emasJobInstanceId=JOB,
        md5=md5,
        serviceConnectionId=CONNECTION,
    )

    assert (run.json()["status"], run.json()["stages"]) == ("FAIL", [])
    assert url.status_code == 200


# --- runs that finish after N polls -----------------------------------------------------------


async def test_a_run_answers_running_to_its_first_polls_then_its_status(
    service: EmulatedService,
) -> None:
    service.add_run(ORG, PIPELINE, RUN, status="SUCCESS", finishes_after_polls=2)

    seen = [
        (await token_get(service, f"{CENTRAL}/pipelines/{PIPELINE}/runs/{RUN}")).json()["status"]
        for _ in range(4)
    ]

    assert seen == ["RUNNING", "RUNNING", "SUCCESS", "SUCCESS"]


async def test_polls_of_either_api_count_towards_finishing(service: EmulatedService) -> None:
    service.add_run(ORG, PIPELINE, RUN, status="FAIL", finishes_after_polls=2)
    signed_path = f"{SIGNED}/pipelines/{PIPELINE}/pipelineRuns/{RUN}"

    first = await signed_get(service, "GetPipelineRun", signed_path)
    second = await token_get(service, f"{CENTRAL}/pipelines/{PIPELINE}/runs/{RUN}")
    third = await signed_get(service, "GetPipelineRun", signed_path)

    assert first.json()["pipelineRun"]["status"] == "RUNNING"
    assert second.json()["status"] == "RUNNING"
    assert third.json()["pipelineRun"]["status"] == "FAIL"


async def test_a_running_run_has_no_end_time_and_its_jobs_run(service: EmulatedService) -> None:
    service.add_artifact(ORG, PIPELINE, RUN, JOB, CONTENT)
    service.add_run(ORG, PIPELINE, RUN, stages=STAGES, finishes_after_polls=1)

    run = (await token_get(service, f"{CENTRAL}/pipelines/{PIPELINE}/runs/{RUN}")).json()

    assert "endTime" not in run
    assert {job["status"] for job in jobs_of(run)} == {"RUNNING"}
    assert all("result" not in job for job in jobs_of(run))


async def test_listing_and_the_latest_run_show_running_without_counting_as_polls(
    service: EmulatedService,
) -> None:
    service.add_run(ORG, PIPELINE, RUN, status="SUCCESS", finishes_after_polls=1)

    listed = await token_get(service, f"{CENTRAL}/pipelines/{PIPELINE}/runs")
    latest = await token_get(service, f"{CENTRAL}/pipelines/{PIPELINE}/runs/latestPipelineRun")
    polled = await token_get(service, f"{CENTRAL}/pipelines/{PIPELINE}/runs/{RUN}")
    after = await token_get(service, f"{CENTRAL}/pipelines/{PIPELINE}/runs/{RUN}")

    assert [run["status"] for run in listed.json()] == ["RUNNING"]
    assert latest.json()["status"] == "RUNNING"
    assert (polled.json()["status"], after.json()["status"]) == ("RUNNING", "SUCCESS")


async def test_a_failed_call_is_not_a_poll(service: EmulatedService) -> None:
    service.add_run(ORG, PIPELINE, RUN, finishes_after_polls=1)
    service.fail_next(code="ServiceUnavailable")

    failed = await token_get(service, f"{CENTRAL}/pipelines/{PIPELINE}/runs/{RUN}")
    polled = await token_get(service, f"{CENTRAL}/pipelines/{PIPELINE}/runs/{RUN}")

    assert failed.status_code == 503
    assert polled.json()["status"] == "RUNNING"


async def test_reset_brings_the_polls_back(service: EmulatedService) -> None:
    service.add_run(ORG, PIPELINE, RUN, finishes_after_polls=1)
    service.mark_baseline()
    await token_get(service, f"{CENTRAL}/pipelines/{PIPELINE}/runs/{RUN}")

    service.reset()

    again = await token_get(service, f"{CENTRAL}/pipelines/{PIPELINE}/runs/{RUN}")
    assert again.json()["status"] == "RUNNING"


# --- GetLatestPipelineRun -----------------------------------------------------------------------


async def test_the_latest_run_is_the_newest_of_any_status(service: EmulatedService) -> None:
    service.add_run(ORG, PIPELINE, 1, start_time=1_000)
    service.add_run(ORG, PIPELINE, 3, status="FAIL", start_time=3_000)
    service.add_run(ORG, PIPELINE, 2, start_time=2_000)

    response = await token_get(service, f"{CENTRAL}/pipelines/{PIPELINE}/runs/latestPipelineRun")

    assert (response.json()["pipelineRunId"], response.json()["status"]) == (3, "FAIL")


async def test_runs_started_at_the_same_time_are_newest_by_id(service: EmulatedService) -> None:
    for run_id in (5, 9, 7):
        service.add_run(ORG, PIPELINE, run_id, start_time=1_000)

    response = await token_get(service, f"{CENTRAL}/pipelines/{PIPELINE}/runs/latestPipelineRun")

    assert response.json()["pipelineRunId"] == 9


async def test_the_latest_run_of_an_unknown_pipeline_is_a_404(
    service: EmulatedService, md5: str
) -> None:
    response = await token_get(
        service, f"{CENTRAL}/pipelines/{PIPELINE + 1}/runs/latestPipelineRun"
    )

    assert response.status_code == 404
    assert token_code(response) == "InvalidPipeline.NotFound"


# --- ListPipelineRuns, signed: maxResults and nextToken -----------------------------------------


async def signed_pages(service: EmulatedService, **params: Any) -> list[dict[str, Any]]:
    """Every page of the signed ListPipelineRuns, following nextToken."""
    pages = []
    token_value: str | None = None
    async with signed(service, "ListPipelineRuns") as client:
        while True:
            query = {**params, **({"nextToken": token_value} if token_value else {})}
            response = await client.get(f"{SIGNED}/pipelines/{PIPELINE}/pipelineRuns", params=query)
            assert response.status_code == 200, response.text
            pages.append(response.json())
            token_value = response.json().get("nextToken")
            if not token_value:
                return pages


async def test_signed_pages_cover_every_run_once_newest_first(service: EmulatedService) -> None:
    newest_first = add_runs(service, 25)

    pages = await signed_pages(service, maxResults=10)

    assert [len(page["pipelineRuns"]) for page in pages] == [10, 10, 5]
    listed = [run["pipelineRunId"] for page in pages for run in page["pipelineRuns"]]
    assert listed == newest_first
    assert {page["totalCount"] for page in pages} == {25}
    assert "nextToken" not in pages[-1]


async def test_signed_pages_are_ten_runs_by_default(service: EmulatedService) -> None:
    add_runs(service, 11)

    pages = await signed_pages(service)

    assert [len(page["pipelineRuns"]) for page in pages] == [10, 1]


async def test_signed_filters_hold_across_pages(service: EmulatedService) -> None:
    for run_id in range(1, 21):
        service.add_run(
            ORG,
            PIPELINE,
            run_id,
            status="SUCCESS" if run_id % 2 else "FAIL",
            trigger_mode=1 if run_id % 4 == 1 else 3,
            start_time=run_id * 1_000,
        )

    pages = await signed_pages(
        service, maxResults=2, status="SUCCESS", triggerMode=1, startTime=2_000, endTime=17_000
    )

    listed = [run["pipelineRunId"] for page in pages for run in page["pipelineRuns"]]
    assert listed == [17, 13, 9, 5]
    assert pages[0]["totalCount"] == 4


async def test_a_page_token_survives_newer_runs(service: EmulatedService) -> None:
    add_runs(service, 4)
    async with signed(service, "ListPipelineRuns") as client:
        path = f"{SIGNED}/pipelines/{PIPELINE}/pipelineRuns"
        first = (await client.get(path, params={"maxResults": 2})).json()
        service.add_run(ORG, PIPELINE, 99, start_time=1_800_000_000_000)
        second = (
            await client.get(path, params={"maxResults": 2, "nextToken": first["nextToken"]})
        ).json()

    assert [run["pipelineRunId"] for run in second["pipelineRuns"]] == [2, 1]


async def test_an_unknown_next_token_is_an_invalid_parameter(service: EmulatedService) -> None:
    add_runs(service, 3)

    response = await signed_get(
        service,
        "ListPipelineRuns",
        f"{SIGNED}/pipelines/{PIPELINE}/pipelineRuns",
        nextToken="not-a-token",
    )

    assert response.status_code == 400
    assert service_code(response) == "InvalidParam.ParamNotPresent"


async def test_max_results_beyond_its_bound_is_an_invalid_parameter(
    service: EmulatedService,
) -> None:
    add_runs(service, 3)

    response = await signed_get(
        service, "ListPipelineRuns", f"{SIGNED}/pipelines/{PIPELINE}/pipelineRuns", maxResults=101
    )

    assert response.status_code == 400
    assert service_code(response) == "InvalidParam.ParamNotPresent"


# --- ListPipelineRuns, token: page, perPage and the headers -------------------------------------


async def test_token_pages_cover_every_run_once_with_their_headers(
    service: EmulatedService,
) -> None:
    newest_first = add_runs(service, 25)

    async with token(service) as client:
        responses = [
            await client.get(
                f"{CENTRAL}/pipelines/{PIPELINE}/runs", params={"page": page, "perPage": 10}
            )
            for page in (1, 2, 3)
        ]

    listed = [run["pipelineRunId"] for response in responses for run in response.json()]
    assert listed == newest_first
    headers = [
        {
            name: r.headers[name]
            for name in (
                "x-total",
                "x-total-pages",
                "x-page",
                "x-per-page",
                "x-next-page",
                "x-prev-page",
            )
        }
        for r in responses
    ]
    assert headers == [
        {
            "x-total": "25",
            "x-total-pages": "3",
            "x-page": "1",
            "x-per-page": "10",
            "x-next-page": "2",
            "x-prev-page": "",
        },
        {
            "x-total": "25",
            "x-total-pages": "3",
            "x-page": "2",
            "x-per-page": "10",
            "x-next-page": "3",
            "x-prev-page": "1",
        },
        {
            "x-total": "25",
            "x-total-pages": "3",
            "x-page": "3",
            "x-per-page": "10",
            "x-next-page": "",
            "x-prev-page": "2",
        },
    ]


async def test_token_pages_are_the_first_ten_runs_by_default(service: EmulatedService) -> None:
    add_runs(service, 12)

    response = await token_get(service, f"{CENTRAL}/pipelines/{PIPELINE}/runs")

    assert len(response.json()) == 10
    assert (response.headers["x-page"], response.headers["x-per-page"]) == ("1", "10")


async def test_a_page_past_the_end_is_empty(service: EmulatedService) -> None:
    add_runs(service, 3)

    response = await token_get(service, f"{CENTRAL}/pipelines/{PIPELINE}/runs", page=5)

    assert response.status_code == 200
    assert response.json() == []
    assert (response.headers["x-total"], response.headers["x-next-page"]) == ("3", "")


@pytest.mark.parametrize("per_page", [0, 31])
async def test_per_page_outside_1_to_30_is_a_400(service: EmulatedService, per_page: int) -> None:
    add_runs(service, 3)

    response = await token_get(service, f"{CENTRAL}/pipelines/{PIPELINE}/runs", perPage=per_page)

    assert response.status_code == 400
    assert token_code(response) == "InvalidParam.ParamNotPresent"


async def test_the_token_api_reads_end_tme_as_it_spells_it(service: EmulatedService) -> None:
    add_runs(service, 5)  # started at minutes 1..5 after 1_700_000_000_000
    cut = 1_700_000_000_000 + 3 * 60_000

    spelled = await token_get(service, f"{CENTRAL}/pipelines/{PIPELINE}/runs", endTme=cut)
    correctly = await token_get(service, f"{CENTRAL}/pipelines/{PIPELINE}/runs", endTime=cut)

    assert [run["pipelineRunId"] for run in spelled.json()] == [3, 2, 1]
    assert len(correctly.json()) == 5


async def test_token_filters_hold_across_pages(service: EmulatedService) -> None:
    for run_id in range(1, 13):
        service.add_run(
            ORG, PIPELINE, run_id, status="FAIL" if run_id % 3 else "SUCCESS", start_time=run_id
        )

    async with token(service) as client:
        pages = [
            await client.get(
                f"{CENTRAL}/pipelines/{PIPELINE}/runs",
                params={"page": page, "perPage": 3, "status": "SUCCESS", "startTime": 4},
            )
            for page in (1, 2)
        ]

    assert [[run["pipelineRunId"] for run in p.json()] for p in pages] == [[12, 9, 6], []]
    assert pages[0].headers["x-total"] == "3"


async def test_list_items_carry_the_summary_fields(service: EmulatedService) -> None:
    service.add_run(ORG, PIPELINE, 4, status="FAIL", trigger_mode=6, start_time=5, end_time=9)

    (item,) = (await token_get(service, f"{CENTRAL}/pipelines/{PIPELINE}/runs")).json()
    signed_page = await signed_get(
        service, "ListPipelineRuns", f"{SIGNED}/pipelines/{PIPELINE}/pipelineRuns"
    )

    expected = {
        "pipelineId": PIPELINE,
        "pipelineRunId": 4,
        "status": "FAIL",
        "triggerMode": 6,
        "startTime": 5,
        "endTime": 9,
    }
    assert expected.items() <= item.items()
    assert expected.items() <= signed_page.json()["pipelineRuns"][0].items()


# --- ListServiceConnections ---------------------------------------------------------------------


async def test_an_artifacts_connection_is_an_emas_connection_of_its_organization(
    service: EmulatedService, md5: str
) -> None:
    response = await token_get(service, f"{CENTRAL}/serviceConnections")

    (connection,) = response.json()
    assert (connection["id"], connection["type"], connection["name"]) == (
        CONNECTION,
        "emas",
        "EMAS (emulated)",
    )


async def test_connections_filter_by_serice_connection_type_in_both_apis(
    service: EmulatedService,
) -> None:
    service.add_service_connection(ORG, 5, type="github", name="GitHub")
    service.add_service_connection(ORG, 6)
    service.add_service_connection(ORG, 4, name="EMAS prod")

    token_answer = await token_get(
        service, f"{CENTRAL}/serviceConnections", sericeConnectionType="emas"
    )
    signed_answer = await signed_get(
        service,
        "ListServiceConnections",
        f"{SIGNED}/serviceConnections",
        sericeConnectionType="emas",
    )
    everything = await token_get(service, f"{CENTRAL}/serviceConnections")

    assert [(c["id"], c["name"]) for c in token_answer.json()] == [
        (4, "EMAS prod"),
        (6, "EMAS (emulated)"),
    ]
    assert [c["id"] for c in signed_answer.json()["serviceConnections"]] == [4, 6]
    assert [c["id"] for c in everything.json()] == [4, 5, 6]


async def test_connections_of_an_unknown_organization_are_not_found(
    service: EmulatedService,
) -> None:
    service.add_service_connection(ORG, 5)

    response = await signed_get(
        service, "ListServiceConnections", "/organization/nobody/serviceConnections"
    )

    assert response.status_code == 404
    assert service_code(response) == "InvalidOrganization.NotFound"


def test_a_bad_connection_is_refused_naming_the_key(service: EmulatedService) -> None:
    with pytest.raises(ValueError, match="type"):
        service.add_service_connection(ORG, 5, type="EMAS")
    with pytest.raises(ValueError, match="serviceConnectionId"):
        service.add_service_connection(ORG, 0)

    assert service.service_connections() == []


# --- the region edition -------------------------------------------------------------------------


async def test_region_paths_act_on_the_only_organization(
    service: EmulatedService, md5: str
) -> None:
    run = await token_get(service, f"{REGION}/pipelines/{PIPELINE}/runs/{RUN}")
    runs = await token_get(service, f"{REGION}/pipelines/{PIPELINE}/runs")
    latest = await token_get(service, f"{REGION}/pipelines/{PIPELINE}/runs/latestPipelineRun")
    connections = await token_get(service, f"{REGION}/serviceConnections")
    url = await token_get(
        service,
        f"{REGION}/pipelines/getEmasArtifactDownloadUrl",
        pipelineId=PIPELINE,
        pipelineRunId=RUN,
        emasJobInstanceId=JOB,
        md5=md5,
        serviceConnectionId=CONNECTION,
    )

    assert run.json()["pipelineRunId"] == RUN
    assert [item["pipelineRunId"] for item in runs.json()] == [RUN]
    assert latest.json()["pipelineRunId"] == RUN
    assert [c["id"] for c in connections.json()] == [CONNECTION]
    assert url.status_code == 200
    operations = [call.operation for call in service.api_calls]
    assert operations == [
        "GetPipelineRunByToken",
        "ListPipelineRunsByToken",
        "GetLatestPipelineRunByToken",
        "ListServiceConnectionsByToken",
        "GetEmasArtifactDownloadUrl",
    ]


async def test_region_paths_act_on_region_organization_id(service: EmulatedService) -> None:
    service.add_run("org-a", PIPELINE, 1)
    service.add_run("org-b", PIPELINE, 2)
    service.region_organization_id = "org-b"

    response = await token_get(service, f"{REGION}/pipelines/{PIPELINE}/runs")

    assert [item["pipelineRunId"] for item in response.json()] == [2]


async def test_region_paths_with_several_organizations_and_no_choice_are_a_400(
    service: EmulatedService,
) -> None:
    service.add_run("org-a", PIPELINE, 1)
    service.add_run("org-b", PIPELINE, 2)

    response = await token_get(service, f"{REGION}/pipelines/{PIPELINE}/runs")

    assert response.status_code == 400
    assert token_code(response) == "BadRequest"
    assert "region_organization_id" in response.json()["errorMessage"]


async def test_region_paths_still_need_a_token(service: EmulatedService, md5: str) -> None:
    async with in_process_client(service, None) as client:
        response = await client.get(f"{REGION}/pipelines/{PIPELINE}/runs/{RUN}")

    assert response.status_code == 401


async def test_region_paths_honour_the_tokens_organizations(
    service: EmulatedService, md5: str
) -> None:
    service.add_token("pt-elsewhere", organizations=["another-org"])
    service.region_organization_id = ORG

    async with in_process_client(service, TokenAuth(PersonalAccessToken("pt-elsewhere"))) as client:
        response = await client.get(f"{REGION}/pipelines/{PIPELINE}/runs/{RUN}")

    assert response.status_code == 403


# --- faults reach the new operations too ------------------------------------------------------


async def test_a_fault_for_one_operation_fires_on_it_only(
    service: EmulatedService, md5: str
) -> None:
    service.fail_next(code="InternalError", operation="ListPipelineRunsByToken")

    run = await token_get(service, f"{CENTRAL}/pipelines/{PIPELINE}/runs/{RUN}")
    runs = await token_get(service, f"{CENTRAL}/pipelines/{PIPELINE}/runs")

    assert run.status_code == 200
    assert (runs.status_code, token_code(runs)) == (500, "InternalError")


async def test_a_signed_fault_answers_in_the_signed_body(
    service: EmulatedService, md5: str
) -> None:
    service.fail_next(code="InvalidPipeline.NotFound", operation="GetPipelineRun")

    response = await signed_get(
        service, "GetPipelineRun", f"{SIGNED}/pipelines/{PIPELINE}/pipelineRuns/{RUN}"
    )

    assert (response.status_code, service_code(response)) == (404, "InvalidPipeline.NotFound")


async def test_the_signed_operations_check_their_own_action_header(
    service: EmulatedService, md5: str
) -> None:
    response = await signed_get(
        service, "GetPipelineEmasArtifactUrl", f"{SIGNED}/pipelines/{PIPELINE}/pipelineRuns/{RUN}"
    )

    assert response.status_code == 404
    assert response.json()["Code"] == "InvalidAction.NotFound"
