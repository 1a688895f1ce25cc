"""The authentication of the contract runs gets generated requests past the gateway.

Without this, a signer (or token) that broke on some generated requests would go unnoticed in
the negative runs: the gateway's 400 or 401 would count as a rejection of the invalid data.
"""

from __future__ import annotations

from typing import Any

import requests
import schemathesis
from contract_support import (
    EXAMPLE,
    EXAMPLE_CONNECTION,
    EXAMPLE_MD5,
    IDS,
    AcsV3RequestsAuth,
    TokenRequestsAuth,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from yunxiao_emas._call.operations import SIGNED, TOKEN
from yunxiao_emas.cli.spec import load_spec, spec_path
from yunxiao_emas.testing import EmulatedService

SCHEMA = schemathesis.openapi.from_path(spec_path())
SERVICE_CODES = {
    str(entry["code"])
    for entry in load_spec()["components"]["schemas"]["ServiceError"]["x-error-codes"]
}


def operation(operation_id: str) -> Any:
    (result,) = SCHEMA.include(operation_id=operation_id).get_all_operations()
    return result.ok()


def send_generated(
    service: EmulatedService, operation_id: str, example: Any, auth: requests.auth.AuthBase
) -> set[str | None]:
    """Send the example and 150 generated requests (valid and invalid) of the operation; the
    codes of the answers."""
    api = operation(operation_id)
    cases = st.one_of(
        st.just(example),
        api.as_strategy(generation_mode=GenerationMode.POSITIVE),
        api.as_strategy(generation_mode=GenerationMode.NEGATIVE),
    )

    @settings(
        max_examples=150,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(cases)
    def send(case: Any) -> None:
        case.call(app=service.asgi_app, auth=auth)

    send()
    return {call.code for call in service.api_calls}


def test_generated_signed_requests_all_reach_the_service() -> None:
    service = EmulatedService()
    service.add_artifact(**EXAMPLE, content=b"x", md5=EXAMPLE_MD5)
    credentials = service.default_credentials
    signer = AcsV3RequestsAuth(credentials.access_key_id, credentials.access_key_secret)
    example = operation(SIGNED.name).Case(
        path_parameters={
            "organizationId": EXAMPLE["organization_id"],
            "pipelineId": EXAMPLE["pipeline_id"],
            "pipelineRunId": EXAMPLE["pipeline_run_id"],
            "emasJobInstanceId": EXAMPLE["emas_job_instance_id"],
            "md5": EXAMPLE_MD5,
        },
        query={"serviceConnectionId": EXAMPLE_CONNECTION},
    )

    codes = send_generated(service, SIGNED.name, example, signer)

    # Routing aside, every answer is the service's: no signature was refused.
    assert codes - SERVICE_CODES <= {None, "InvalidAction.NotFound"}
    assert {None, "InvalidOrganization.NotFound", "InvalidParam.ParamNotPresent"} <= codes


def test_generated_token_requests_all_reach_the_service() -> None:
    service = EmulatedService()
    service.add_artifact(**EXAMPLE, content=b"x", md5=EXAMPLE_MD5)
    auth = TokenRequestsAuth(service.default_token.token)
    example = operation(TOKEN.name).Case(
        path_parameters={"organizationId": EXAMPLE["organization_id"]},
        query={
            "pipelineId": IDS["pipeline_id"],
            "pipelineRunId": IDS["pipeline_run_id"],
            "emasJobInstanceId": IDS["emas_job_instance_id"],
            "md5": EXAMPLE_MD5,
            "serviceConnectionId": EXAMPLE_CONNECTION,
        },
    )

    codes = send_generated(service, TOKEN.name, example, auth)

    # Routing aside, every answer is the service's: no token was refused.
    assert codes - SERVICE_CODES <= {None, "InvalidAction.NotFound"}
    assert {None, "InvalidOrganization.NotFound", "InvalidParam.ParamNotPresent"} <= codes
