"""The official Alibaba Cloud SDK (Tea, alibabacloud_devops20210625), pointed at the emulator.

The emulator must answer it as the real service would: its V3 signature is verified by the
emulator's own code, so a shared misreading of the signature rules between our client and our
emulator cannot hide here.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from alibabacloud_devops20210625 import models
from alibabacloud_devops20210625.client import Client as OfficialClient
from alibabacloud_tea_openapi import models as open_api_models
from alibabacloud_tea_openapi.exceptions import ClientException
from alibabacloud_tea_util import models as util_models
from yunxiao_emas.testing import EmulatedService

KEY_ID, SECRET = "LTAIofficial", "official-sdk-secret"
STS_ID, STS_SECRET, STS_TOKEN = "STS.official", "sts-secret", "CAIS-official-token/+=="
ORG, PIPELINE, RUN, JOB, CONNECTION = "official-org", 1111, 1, "Psaxsa", 122
CONTENT = b"built by EMAS for the official SDK"


@pytest.fixture(scope="module")
def emulator() -> Iterator[tuple[EmulatedService, str, str]]:
    service = EmulatedService(
        access_keys={KEY_ID: SECRET}, sts_tokens={STS_ID: (STS_SECRET, STS_TOKEN)}
    )
    md5 = service.add_artifact(ORG, PIPELINE, RUN, JOB, CONTENT, service_connection_id=CONNECTION)
    with service.serve() as base_url:
        yield service, base_url, md5


def official(base_url: str, **credentials: str) -> OfficialClient:
    config = open_api_models.Config(
        endpoint=base_url.removeprefix("http://"), protocol="http", **credentials
    )
    return OfficialClient(config)


def call(client: OfficialClient, md5: str, run: int = RUN) -> Any:
    # The official signature: (organization, job, md5, pipeline, run, request, headers, runtime).
    return client.get_pipeline_emas_artifact_url_with_options(
        ORG,
        JOB,
        md5,
        str(PIPELINE),
        str(run),
        models.GetPipelineEmasArtifactUrlRequest(service_connection_id=CONNECTION),
        {},
        util_models.RuntimeOptions(),
    )


def test_official_sdk_signature_is_accepted_and_gets_the_url(
    emulator: tuple[EmulatedService, str, str],
) -> None:
    _, base_url, md5 = emulator
    client = official(base_url, access_key_id=KEY_ID, access_key_secret=SECRET)

    response = call(client, md5)

    assert response.status_code == 200
    assert response.body.success is True
    assert response.body.error_code == ""
    assert response.body.file_url.startswith(f"{base_url}/")
    assert response.body.request_id


def test_official_sdk_with_sts_credentials_is_accepted(
    emulator: tuple[EmulatedService, str, str],
) -> None:
    _, base_url, md5 = emulator
    client = official(
        base_url,
        access_key_id=STS_ID,
        access_key_secret=STS_SECRET,
        security_token=STS_TOKEN,
    )

    assert call(client, md5).body.success is True


def test_official_sdk_gets_the_documented_not_found_answer(
    emulator: tuple[EmulatedService, str, str],
) -> None:
    _, base_url, md5 = emulator
    client = official(base_url, access_key_id=KEY_ID, access_key_secret=SECRET)

    with pytest.raises(ClientException) as caught:
        call(client, md5, run=99)

    data = caught.value.data
    assert data["statusCode"] == 404
    assert data["errorCode"] == "InvalidPipelineRun.NotFound"
    assert data["errorMessage"] == "The pipeline execution instance is not found."


def test_official_sdk_with_a_wrong_secret_gets_signature_does_not_match(
    emulator: tuple[EmulatedService, str, str],
) -> None:
    _, base_url, md5 = emulator
    client = official(base_url, access_key_id=KEY_ID, access_key_secret="not-the-secret")

    with pytest.raises(ClientException) as caught:
        call(client, md5)

    assert caught.value.code == "SignatureDoesNotMatch"
    assert caught.value.data["statusCode"] == 400


# --- the operations that find the ids: the official SDK's own calls and models -----------------

RUNS = 12  # runs 2..13 besides the artifact's run 1: more than a page of 5


@pytest.fixture(scope="module")
def runs_emulator() -> Iterator[tuple[EmulatedService, str, str]]:
    """The artifact's run (1) and twelve more of the same pipeline, newest last; a GitHub
    connection beside the artifact's EMAS one."""
    service = EmulatedService(access_keys={KEY_ID: SECRET})
    md5 = service.add_artifact(ORG, PIPELINE, RUN, JOB, CONTENT, service_connection_id=CONNECTION)
    for run_id in range(RUN + 1, RUN + 1 + RUNS):
        status = "FAIL" if run_id % 3 == 0 else "SUCCESS"
        service.add_run(ORG, PIPELINE, run_id, status=status, start_time=run_id * 60_000)
    service.add_run(ORG, PIPELINE, RUN, start_time=1)  # the oldest
    service.add_artifact(ORG, PIPELINE, RUN, JOB, CONTENT, service_connection_id=CONNECTION)
    service.add_service_connection(ORG, 7, type="github", name="GitHub")
    with service.serve() as base_url:
        yield service, base_url, md5


def test_official_sdk_gets_the_run_with_its_emas_job(
    runs_emulator: tuple[EmulatedService, str, str],
) -> None:
    _, base_url, md5 = runs_emulator
    client = official(base_url, access_key_id=KEY_ID, access_key_secret=SECRET)

    response = client.get_pipeline_run_with_options(
        ORG, str(PIPELINE), str(RUN), {}, util_models.RuntimeOptions()
    )

    run = response.body.pipeline_run
    assert response.body.success is True
    assert (run.pipeline_id, run.pipeline_run_id, run.status) == (PIPELINE, RUN, "SUCCESS")
    (job,) = [job for stage in run.stages for job in stage.stage_info.jobs]
    assert isinstance(job.id, int)
    assert job.name == "EMAS build"
    assert json.loads(job.params) == {
        "emasJobInstanceId": JOB,
        "md5": md5,
        "serviceConnectionId": CONNECTION,
    }
    (action,) = job.actions
    assert (action.type, action.disable, action.params) == (
        "EMAS",
        False,
        {"emasJobInstanceId": JOB, "md5": md5},
    )


def test_official_sdk_follows_next_token_through_every_page(
    runs_emulator: tuple[EmulatedService, str, str],
) -> None:
    _, base_url, _ = runs_emulator
    client = official(base_url, access_key_id=KEY_ID, access_key_secret=SECRET)
    pages: list[Any] = []
    token: str | None = None

    while True:
        request = models.ListPipelineRunsRequest(max_results=5, next_token=token)
        body = client.list_pipeline_runs_with_options(
            ORG, str(PIPELINE), request, {}, util_models.RuntimeOptions()
        ).body
        pages.append(body)
        token = body.next_token
        if not token:
            break

    assert [len(page.pipeline_runs) for page in pages] == [5, 5, 3]
    listed = [run.pipeline_run_id for page in pages for run in page.pipeline_runs]
    assert listed == list(range(RUN + RUNS, RUN - 1, -1))
    assert {page.total_count for page in pages} == {RUNS + 1}


def test_official_sdk_filters_runs_by_status(
    runs_emulator: tuple[EmulatedService, str, str],
) -> None:
    _, base_url, _ = runs_emulator
    client = official(base_url, access_key_id=KEY_ID, access_key_secret=SECRET)

    body = client.list_pipeline_runs_with_options(
        ORG,
        str(PIPELINE),
        models.ListPipelineRunsRequest(status="FAIL", max_results=100),
        {},
        util_models.RuntimeOptions(),
    ).body

    assert [run.pipeline_run_id for run in body.pipeline_runs] == [12, 9, 6, 3]
    assert {run.status for run in body.pipeline_runs} == {"FAIL"}


def test_official_sdk_lists_the_emas_service_connections(
    runs_emulator: tuple[EmulatedService, str, str],
) -> None:
    _, base_url, _ = runs_emulator
    client = official(base_url, access_key_id=KEY_ID, access_key_secret=SECRET)

    emas = client.list_service_connections_with_options(
        ORG,
        models.ListServiceConnectionsRequest(serice_connection_type="emas"),
        {},
        util_models.RuntimeOptions(),
    ).body
    every = client.list_service_connections_with_options(
        ORG, models.ListServiceConnectionsRequest(), {}, util_models.RuntimeOptions()
    ).body

    assert emas.success is True
    assert [(c.id, c.type, c.name) for c in emas.service_connections] == [
        (CONNECTION, "emas", "EMAS (emulated)")
    ]
    assert isinstance(emas.service_connections[0].owner_account_id, int)
    assert sorted(c.id for c in every.service_connections) == [7, CONNECTION]


def test_official_sdk_gets_invalid_pipeline_run_not_found_for_an_unknown_run(
    runs_emulator: tuple[EmulatedService, str, str],
) -> None:
    _, base_url, _ = runs_emulator
    client = official(base_url, access_key_id=KEY_ID, access_key_secret=SECRET)

    with pytest.raises(ClientException) as caught:
        client.get_pipeline_run_with_options(
            ORG, str(PIPELINE), "999", {}, util_models.RuntimeOptions()
        )

    assert caught.value.data["statusCode"] == 404
    assert caught.value.data["errorCode"] == "InvalidPipelineRun.NotFound"
