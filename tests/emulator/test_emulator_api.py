"""The service behind the gateway: lookups, parameters, membership, the 200 body."""

from __future__ import annotations

import email.utils
import hashlib
from collections.abc import Callable
from typing import NoReturn

import httpx
import pytest
from emulator_support import (
    BASE_URL,
    CONNECTION,
    CONTENT,
    JOB,
    ORG,
    PIPELINE,
    RUN,
    api_path,
    documented_message,
    gateway_code,
    in_process_client,
    service_code,
    token_code,
    token_path,
    validate_async,
)
from yunxiao_emas.auth.acs3 import AcsV3Auth
from yunxiao_emas.credentials import AccessKeyCredentials
from yunxiao_emas.testing import EmulatedService

PARAMS = {"serviceConnectionId": CONNECTION}


async def test_signed_call_for_a_registered_artifact_returns_success(
    api: httpx.AsyncClient, md5: str
) -> None:
    response = await api.post(api_path(md5=md5), params=PARAMS)

    assert response.status_code == 200
    body = response.json()
    assert (body["success"], body["errorCode"], body["errorMessage"]) == (True, "", "")
    assert body["fileUrl"].startswith("http://emulator.test/emas-artifacts/")


async def test_each_answer_has_a_fresh_request_id_also_in_a_header(
    api: httpx.AsyncClient, md5: str
) -> None:
    first = await api.post(api_path(md5=md5), params=PARAMS)
    second = await api.post(api_path(md5=md5), params=PARAMS)

    assert first.json()["requestId"] != second.json()["requestId"]
    assert first.headers["x-acs-request-id"] == first.json()["requestId"]
    assert first.json()["requestId"] == first.json()["requestId"].upper()


async def test_date_header_is_the_emulators_clock(
    api: httpx.AsyncClient, service: EmulatedService, md5: str
) -> None:
    response = await api.post(api_path(md5=md5), params=PARAMS)

    sent = email.utils.parsedate_to_datetime(response.headers["date"]).timestamp()
    assert abs(sent - service.now()) < 2


async def test_unknown_organization_is_invalid_organization_not_found(
    api: httpx.AsyncClient, md5: str
) -> None:
    response = await api.post(api_path(org="no-such-org", md5=md5), params=PARAMS)

    assert (response.status_code, service_code(response)) == (404, "InvalidOrganization.NotFound")


async def test_unknown_pipeline_is_invalid_pipeline_not_found(
    api: httpx.AsyncClient, md5: str
) -> None:
    response = await api.post(api_path(pipeline=PIPELINE + 1, md5=md5), params=PARAMS)

    assert (response.status_code, service_code(response)) == (404, "InvalidPipeline.NotFound")


async def test_unknown_run_is_invalid_pipeline_run_not_found(
    api: httpx.AsyncClient, md5: str
) -> None:
    response = await api.post(api_path(run=RUN + 1, md5=md5), params=PARAMS)

    assert (response.status_code, service_code(response)) == (404, "InvalidPipelineRun.NotFound")


async def test_unknown_job_is_invalid_identifier_not_found(
    api: httpx.AsyncClient, md5: str
) -> None:
    response = await api.post(api_path(job="other-job", md5=md5), params=PARAMS)

    assert (response.status_code, service_code(response)) == (404, "InvalidIdentifier.NotFound")


async def test_unknown_md5_of_a_known_job_is_invalid_identifier_not_found(
    api: httpx.AsyncClient, md5: str
) -> None:
    response = await api.post(api_path(md5="0" * 32), params=PARAMS)

    assert (response.status_code, service_code(response)) == (404, "InvalidIdentifier.NotFound")


async def test_not_found_answers_carry_the_documented_message(
    api: httpx.AsyncClient, md5: str
) -> None:
    response = await api.post(api_path(run=RUN + 1, md5=md5), params=PARAMS)

    expected = documented_message("InvalidPipelineRun.NotFound", 404)
    assert response.json()["errorMessage"] == expected


async def test_missing_service_connection_id_is_invalid_param(
    api: httpx.AsyncClient, md5: str
) -> None:
    response = await api.post(api_path(md5=md5))

    assert (response.status_code, service_code(response)) == (400, "InvalidParam.ParamNotPresent")


async def test_repeated_service_connection_id_is_invalid_param(
    api: httpx.AsyncClient, md5: str
) -> None:
    response = await api.post(
        api_path(md5=md5), params=[("serviceConnectionId", "122"), ("serviceConnectionId", "1")]
    )

    assert (response.status_code, service_code(response)) == (400, "InvalidParam.ParamNotPresent")


@pytest.mark.parametrize("value", ["0", "9007199254740992", "-1", "1.0", "abc", "", " 1"])
async def test_service_connection_id_outside_the_contract_is_invalid_param(
    api: httpx.AsyncClient, md5: str, value: str
) -> None:
    response = await api.post(api_path(md5=md5), params={"serviceConnectionId": value})

    assert (response.status_code, service_code(response)) == (400, "InvalidParam.ParamNotPresent")


@pytest.mark.parametrize("value", ["0", "9007199254740992", "x1", "1e3"])
async def test_pipeline_id_outside_the_contract_is_invalid_param(
    api: httpx.AsyncClient, md5: str, value: str
) -> None:
    response = await api.post(api_path(pipeline=value, md5=md5), params=PARAMS)

    assert (response.status_code, service_code(response)) == (400, "InvalidParam.ParamNotPresent")


async def test_largest_safe_integer_ids_are_accepted(
    api: httpx.AsyncClient, service: EmulatedService
) -> None:
    largest = 9007199254740991
    md5 = service.add_artifact(ORG, largest, largest, JOB, b"x", service_connection_id=largest)

    response = await api.post(
        api_path(pipeline=largest, run=largest, md5=md5), params={"serviceConnectionId": largest}
    )

    assert response.status_code == 200


async def test_job_id_longer_than_256_characters_is_invalid_param(
    api: httpx.AsyncClient, md5: str
) -> None:
    response = await api.post(api_path(job="j" * 257, md5=md5), params=PARAMS)

    assert (response.status_code, service_code(response)) == (400, "InvalidParam.ParamNotPresent")


async def test_empty_organization_segment_is_invalid_param(
    api: httpx.AsyncClient, md5: str
) -> None:
    response = await api.post(api_path(org="", md5=md5), params=PARAMS)

    assert (response.status_code, service_code(response)) == (400, "InvalidParam.ParamNotPresent")


async def test_ids_with_reserved_characters_reach_their_artifact(
    api: httpx.AsyncClient, service: EmulatedService
) -> None:
    org, job = "org/with slash", "job?#%é"
    md5 = service.add_artifact(org, PIPELINE, RUN, job, b"x")

    response = await api.post(api_path(org=org, job=job, md5=md5), params=PARAMS)

    assert response.status_code == 200


async def test_other_service_connection_is_forbidden_access_denied(
    api: httpx.AsyncClient, md5: str
) -> None:
    response = await api.post(api_path(md5=md5), params={"serviceConnectionId": CONNECTION + 1})

    assert (response.status_code, service_code(response)) == (403, "Forbidden.AccessDenied")


async def test_artifact_without_service_connection_accepts_any_connection(
    api: httpx.AsyncClient, service: EmulatedService
) -> None:
    md5 = service.add_artifact(ORG, PIPELINE, RUN, "open-job", b"x")

    response = await api.post(api_path(job="open-job", md5=md5), params={"serviceConnectionId": 9})

    assert response.status_code == 200


async def test_key_that_is_not_a_member_is_forbidden_user_not_in_current_organization(
    api: httpx.AsyncClient, service: EmulatedService, md5: str
) -> None:
    service.set_members(ORG, ["someone-else"])

    response = await api.post(api_path(md5=md5), params=PARAMS)

    assert (response.status_code, service_code(response)) == (
        403,
        "Forbidden.UserNotInCurrentOrganization",
    )


async def test_members_given_at_construction_restrict_the_organization() -> None:
    service = EmulatedService({"AK-IN": "s1", "AK-OUT": "s2"}, members={ORG: ["AK-IN"]})
    md5 = service.add_artifact(ORG, PIPELINE, RUN, JOB, b"x")
    statuses = []
    for key_id, secret in (("AK-IN", "s1"), ("AK-OUT", "s2")):
        auth = AcsV3Auth(AccessKeyCredentials(key_id, secret))
        async with in_process_client(service, auth) as client:
            response = await client.post(api_path(md5=md5), params=PARAMS)
            statuses.append(response.status_code)

    assert statuses == [200, 403]


async def test_removed_member_is_forbidden(
    api: httpx.AsyncClient, service: EmulatedService, md5: str
) -> None:
    service.remove_member(service.default_credentials.access_key_id, ORG)

    response = await api.post(api_path(md5=md5), params=PARAMS)

    assert service_code(response) == "Forbidden.UserNotInCurrentOrganization"


async def test_added_member_is_admitted_to_a_restricted_organization(
    api: httpx.AsyncClient, service: EmulatedService, md5: str
) -> None:
    service.set_members(ORG, [])
    service.add_member(service.default_credentials.access_key_id, ORG)

    response = await api.post(api_path(md5=md5), params=PARAMS)

    assert response.status_code == 200


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE", "PATCH"])
async def test_other_methods_are_invalid_action_not_found(
    api: httpx.AsyncClient, md5: str, method: str
) -> None:
    response = await api.request(method, api_path(md5=md5), params=PARAMS)

    assert (response.status_code, gateway_code(response)) == (404, "InvalidAction.NotFound")


@pytest.mark.parametrize("path", ["/", "/organization/x", "/organization/x/pipeline/1/extra"])
async def test_other_paths_are_invalid_action_not_found(api: httpx.AsyncClient, path: str) -> None:
    response = await api.post(path, params=PARAMS)

    assert (response.status_code, gateway_code(response)) == (404, "InvalidAction.NotFound")


async def test_reported_md5_may_differ_from_the_contents(
    api: httpx.AsyncClient, service: EmulatedService
) -> None:
    reported = service.add_artifact(ORG, PIPELINE, RUN, "job-2", CONTENT, md5="assasas")

    response = await api.post(api_path(job="job-2", md5=reported), params=PARAMS)
    download = await api.get(response.json()["fileUrl"])

    assert reported == "assasas"
    assert (
        download.headers["etag"] == f'"{hashlib.md5(CONTENT, usedforsecurity=False).hexdigest()}"'
    )


def test_add_artifact_returns_the_hex_md5_of_the_content(service: EmulatedService) -> None:
    md5 = service.add_artifact(ORG, PIPELINE, RUN, JOB, CONTENT)

    assert md5 == hashlib.md5(CONTENT, usedforsecurity=False).hexdigest()


@pytest.mark.parametrize(
    ("org", "pipeline", "job"),
    [("", 1, "job"), ("org", 0, "job"), ("org", 2**53, "job"), ("org", 1, "j" * 257)],
)
def test_add_artifact_refuses_ids_the_api_could_not_reach(
    service: EmulatedService, org: str, pipeline: int, job: str
) -> None:
    with pytest.raises(ValueError, match="must be"):
        service.add_artifact(org, pipeline, RUN, job, b"x")


@pytest.mark.parametrize("filename", ["", "a/b.apk", "..", "a\nb"])
def test_add_artifact_refuses_a_filename_that_is_not_a_plain_name(
    service: EmulatedService, filename: str
) -> None:
    with pytest.raises(ValueError, match="plain file name"):
        service.add_artifact(ORG, PIPELINE, RUN, JOB, b"x", filename=filename)


@pytest.mark.parametrize(
    ("path", "code_of"),
    [
        pytest.param(api_path(md5="x"), gateway_code, id="signed"),
        pytest.param(token_path(), token_code, id="token"),
    ],
)
async def test_a_failure_of_the_emulator_itself_is_a_conforming_internal_error(
    service: EmulatedService,
    monkeypatch: pytest.MonkeyPatch,
    path: str,
    code_of: Callable[[httpx.Response], str],
) -> None:
    def broken(request: object) -> NoReturn:
        raise RuntimeError("a bug")

    monkeypatch.setattr(service, "handle_api", broken)
    # Starlette re-raises after answering, for the server's log; take the answer instead.
    transport = httpx.ASGITransport(app=service.asgi_app, raise_app_exceptions=False)
    async with httpx.AsyncClient(
        transport=transport, base_url=BASE_URL, event_hooks={"response": [validate_async]}
    ) as client:
        response = await client.request("POST" if path.startswith("/org") else "GET", path)

    assert (response.status_code, code_of(response)) == (500, "InternalError")
