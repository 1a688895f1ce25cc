"""The token API (GetEmasArtifactDownloadUrl): the token, the lookups, the parameters, the
answer in both forms, the error body, the rate limit."""

from __future__ import annotations

import json

import httpx
import pytest
from emulator_support import (
    CONNECTION,
    CONTENT,
    JOB,
    ORG,
    PIPELINE,
    RUN,
    api_path,
    in_process_client,
    token_code,
    token_params,
    token_path,
)
from yunxiao_emas._call.operations import TOKEN
from yunxiao_emas.auth.acs3 import AcsV3Auth
from yunxiao_emas.auth.token import TokenAuth
from yunxiao_emas.credentials import PersonalAccessToken
from yunxiao_emas.testing import DEFAULT_TOKEN, Call, EmulatedService


async def get(
    client: httpx.AsyncClient,
    md5: str,
    *,
    org: str = ORG,
    pipeline: int = PIPELINE,
    run: int = RUN,
    job: str = JOB,
    connection: int = CONNECTION,
) -> httpx.Response:
    """A call of the token API for the registered artifact, with some ids changed."""
    params = token_params(pipeline=pipeline, run=run, job=job, md5=md5, connection=connection)
    return await client.get(token_path(org), params=params)


async def get_with(service: EmulatedService, token: str | None, md5: str) -> httpx.Response:
    auth = None if token is None else TokenAuth(PersonalAccessToken(token))
    async with in_process_client(service, auth) as client:
        return await get(client, md5)


# --- success -----------------------------------------------------------------------------------


async def test_token_call_answers_the_url_as_a_json_string(
    token_api: httpx.AsyncClient, md5: str
) -> None:
    response = await get(token_api, md5)

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert json.loads(response.content).startswith("http://emulator.test/emas-artifacts/")


async def test_token_answers_as_text_gives_the_url_as_plain_text() -> None:
    service = EmulatedService(token_answers_as_text=True)
    md5 = service.add_artifact(ORG, PIPELINE, RUN, JOB, CONTENT)

    response = await get_with(service, DEFAULT_TOKEN, md5)

    assert response.headers["content-type"].startswith("text/plain")
    assert response.text.startswith("http://emulator.test/emas-artifacts/")


async def test_token_answers_as_text_can_be_switched_between_calls(
    token_api: httpx.AsyncClient, service: EmulatedService, md5: str
) -> None:
    service.token_answers_as_text = True
    as_text = await get(token_api, md5)
    service.token_answers_as_text = False
    as_json = await get(token_api, md5)

    assert json.loads(as_json.content).split("?")[0] == as_text.text.split("?")[0]


async def test_url_of_the_token_api_downloads_the_artifact(
    token_api: httpx.AsyncClient, md5: str
) -> None:
    url = (await get(token_api, md5)).json()

    download = await token_api.get(url, auth=None)

    assert download.content == CONTENT


async def test_token_answer_carries_its_request_and_trace_ids_in_headers(
    token_api: httpx.AsyncClient, md5: str
) -> None:
    response = await get(token_api, md5)

    assert response.headers["x-acs-request-id"]
    assert response.headers["x-acs-trace-id"]


async def test_default_token_is_the_documented_constant(service: EmulatedService) -> None:
    assert service.default_token == PersonalAccessToken(DEFAULT_TOKEN)


async def test_tokens_given_at_construction_replace_the_default() -> None:
    service = EmulatedService(tokens=["pt-mine"])
    md5 = service.add_artifact(ORG, PIPELINE, RUN, JOB, CONTENT)

    statuses = [(await get_with(service, t, md5)).status_code for t in ("pt-mine", DEFAULT_TOKEN)]

    assert statuses == [200, 401]
    assert service.default_token == PersonalAccessToken("pt-mine")


def test_a_service_without_tokens_has_no_default_token() -> None:
    with pytest.raises(LookupError, match="no personal access token"):
        _ = EmulatedService(tokens=[]).default_token


async def test_calls_of_the_token_api_are_recorded_with_their_operation(
    token_api: httpx.AsyncClient, service: EmulatedService, md5: str
) -> None:
    await get(token_api, md5)

    assert service.calls == [Call("GET", token_path(), 200, None, TOKEN.name)]


# --- the token ---------------------------------------------------------------------------------


async def test_missing_token_is_401(service: EmulatedService, md5: str) -> None:
    response = await get_with(service, None, md5)

    assert (response.status_code, token_code(response)) == (401, "Unauthorized")
    assert "x-yunxiao-token" in response.json()["errorMessage"]


async def test_unknown_token_is_401(service: EmulatedService, md5: str) -> None:
    response = await get_with(service, "pt-nobody", md5)

    assert (response.status_code, token_code(response)) == (401, "Unauthorized")


async def test_expired_token_is_401(service: EmulatedService, md5: str) -> None:
    service.expire_token(DEFAULT_TOKEN)

    response = await get_with(service, DEFAULT_TOKEN, md5)

    assert (response.status_code, token_code(response)) == (401, "Unauthorized")
    assert "expired" in response.json()["errorMessage"]


async def test_token_expires_when_the_clock_passes_its_expiry(
    service: EmulatedService, md5: str
) -> None:
    service.add_token("pt-short", expires_at=service.now() + 60)
    before = await get_with(service, "pt-short", md5)
    service.advance_clock(61)

    after = await get_with(service, "pt-short", md5)

    assert (before.status_code, after.status_code) == (200, 401)


async def test_revoked_token_is_401(service: EmulatedService, md5: str) -> None:
    service.revoke_token(DEFAULT_TOKEN)

    response = await get_with(service, DEFAULT_TOKEN, md5)

    assert response.status_code == 401


async def test_access_key_signature_does_not_open_the_token_api(
    service: EmulatedService, md5: str
) -> None:
    async with in_process_client(service, AcsV3Auth(service.default_credentials)) as client:
        response = await get(client, md5)

    assert response.status_code == 401


@pytest.mark.parametrize("token", ["pt with space", "", "pt-\u00e9"])
def test_add_token_refuses_a_token_the_client_could_not_send(
    service: EmulatedService, token: str
) -> None:
    with pytest.raises(ValueError, match="token"):
        service.add_token(token)


# --- organizations -----------------------------------------------------------------------------


async def test_token_admitted_to_another_organization_is_403(
    service: EmulatedService, md5: str
) -> None:
    service.add_token("pt-elsewhere", organizations=["another-org"])

    response = await get_with(service, "pt-elsewhere", md5)

    assert (response.status_code, token_code(response)) == (
        403,
        "Forbidden.UserNotInCurrentOrganization",
    )


async def test_token_admitted_to_the_organization_is_answered(
    service: EmulatedService, md5: str
) -> None:
    service.add_token("pt-here", organizations=["another-org", ORG])

    response = await get_with(service, "pt-here", md5)

    assert response.status_code == 200


async def test_organization_members_restrict_access_keys_not_tokens(
    token_api: httpx.AsyncClient, service: EmulatedService, md5: str
) -> None:
    service.set_members(ORG, [])

    response = await get(token_api, md5)

    assert response.status_code == 200


# --- lookups and parameters --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"org": "no-such-org"}, "InvalidOrganization.NotFound"),
        ({"pipelineId": str(PIPELINE + 1)}, "InvalidPipeline.NotFound"),
        ({"pipelineRunId": str(RUN + 1)}, "InvalidPipelineRun.NotFound"),
        ({"emasJobInstanceId": "other-job"}, "InvalidIdentifier.NotFound"),
        ({"md5": "0" * 32}, "InvalidIdentifier.NotFound"),
    ],
    ids=["organization", "pipeline", "run", "job", "md5"],
)
async def test_each_lookup_level_that_finds_nothing_is_404(
    token_api: httpx.AsyncClient, md5: str, change: dict[str, str], code: str
) -> None:
    org = change.get("org", ORG)
    params = {**token_params(md5=md5), **{k: v for k, v in change.items() if k != "org"}}

    response = await token_api.get(token_path(org), params=params)

    assert (response.status_code, token_code(response)) == (404, code)


async def test_other_service_connection_is_403(token_api: httpx.AsyncClient, md5: str) -> None:
    response = await get(token_api, md5, connection=CONNECTION + 1)

    assert (response.status_code, token_code(response)) == (403, "Forbidden.AccessDenied")


QUERY = ["pipelineId", "pipelineRunId", "emasJobInstanceId", "md5", "serviceConnectionId"]
BROKEN = {
    "pipelineId": "0",
    "pipelineRunId": "9007199254740992",
    "emasJobInstanceId": "j" * 257,
    "md5": "",
    "serviceConnectionId": "1.0",
}


@pytest.mark.parametrize("name", QUERY)
async def test_parameter_that_breaks_its_rule_is_400(
    token_api: httpx.AsyncClient, md5: str, name: str
) -> None:
    params = {**token_params(md5=md5), name: BROKEN[name]}

    response = await token_api.get(token_path(), params=params)

    assert (response.status_code, token_code(response)) == (400, "InvalidParam.ParamNotPresent")
    assert response.json()["errorMessage"] == f"The parameter {name} is invalid."


@pytest.mark.parametrize("name", QUERY)
async def test_missing_parameter_is_400(token_api: httpx.AsyncClient, md5: str, name: str) -> None:
    params = {key: value for key, value in token_params(md5=md5).items() if key != name}

    response = await token_api.get(token_path(), params=params)

    assert response.status_code == 400
    assert response.json()["errorMessage"] == f"The parameter {name} is missing."


@pytest.mark.parametrize("name", QUERY)
async def test_repeated_parameter_is_400(token_api: httpx.AsyncClient, md5: str, name: str) -> None:
    params = [*token_params(md5=md5).items(), (name, token_params(md5=md5)[name])]

    response = await token_api.get(token_path(), params=params)

    assert response.status_code == 400
    assert response.json()["errorMessage"] == f"The parameter {name} is repeated."


async def test_empty_organization_segment_is_400(token_api: httpx.AsyncClient, md5: str) -> None:
    response = await get(token_api, md5, org="")

    assert response.status_code == 400


async def test_ids_with_reserved_characters_reach_their_artifact(
    token_api: httpx.AsyncClient, service: EmulatedService
) -> None:
    org, job = "org/with slash", "job?#%é&="
    md5 = service.add_artifact(org, PIPELINE, RUN, job, b"x")

    response = await get(token_api, md5, org=org, job=job)

    assert response.status_code == 200


# --- routes ------------------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE"])
async def test_other_methods_on_the_token_path_are_404_in_the_token_body(
    token_api: httpx.AsyncClient, md5: str, method: str
) -> None:
    response = await token_api.request(method, token_path(), params=token_params(md5=md5))

    assert (response.status_code, token_code(response)) == (404, "InvalidAction.NotFound")


async def test_other_paths_of_the_token_api_are_404_in_the_token_body(
    token_api: httpx.AsyncClient,
) -> None:
    response = await token_api.get("/oapi/v1/flow/organizations/x/pipelines/other")

    assert (response.status_code, token_code(response)) == (404, "InvalidAction.NotFound")


# --- the error body ----------------------------------------------------------------------------


async def test_error_body_has_the_token_api_fields(service: EmulatedService, md5: str) -> None:
    response = await get_with(service, "pt-nobody", md5)

    body = response.json()
    assert body["httpStatus"] == "401"
    assert body["title"] == "Unauthorized"
    assert body["hasDetailSolution"] is False
    assert body["requestId"] == response.headers["x-acs-request-id"]
    assert body["traceId"] == response.headers["x-acs-trace-id"]


async def test_not_found_title_is_the_reason_phrase(token_api: httpx.AsyncClient, md5: str) -> None:
    response = await get(token_api, md5, run=RUN + 1)

    assert response.json()["title"] == "Not Found"


# --- throttling --------------------------------------------------------------------------------


async def test_calls_beyond_the_rate_limit_are_429_with_retry_after(
    token_api: httpx.AsyncClient, service: EmulatedService, md5: str
) -> None:
    service.rate_limit = (2, 10.0)

    statuses = [(await get(token_api, md5)).status_code for _ in range(2)]
    throttled = await get(token_api, md5)

    assert statuses == [200, 200]
    assert (throttled.status_code, token_code(throttled)) == (429, "Throttling.User")
    assert int(throttled.headers["retry-after"]) in range(1, 11)
    assert "x-acs-retry-after" not in throttled.headers


async def test_rate_limit_counts_each_token_apart(service: EmulatedService, md5: str) -> None:
    service.rate_limit = (1, 60.0)
    service.add_token("pt-second")

    statuses = [(await get_with(service, t, md5)).status_code for t in (DEFAULT_TOKEN, "pt-second")]

    assert statuses == [200, 200]


async def test_rate_limit_counts_a_token_apart_from_the_access_keys(
    api: httpx.AsyncClient, token_api: httpx.AsyncClient, service: EmulatedService, md5: str
) -> None:
    service.rate_limit = (1, 60.0)
    await api.post(api_path(md5=md5), params={"serviceConnectionId": CONNECTION})

    response = await get(token_api, md5)

    assert response.status_code == 200
