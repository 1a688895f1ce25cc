"""The signer of the contract runs gets generated requests past the gateway.

Without this, a signer that broke on some generated paths would go unnoticed in the negative
run: the gateway's 400 would count as a rejection of the invalid data.
"""

from __future__ import annotations

from typing import Any

import schemathesis
from contract_support import EXAMPLE, EXAMPLE_CONNECTION, EXAMPLE_MD5, AcsV3RequestsAuth
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from yunxiao_emas._spec import spec_path
from yunxiao_emas.testing import EmulatedService
from yunxiao_emas.testing._service import _GATEWAY_ERRORS

OPERATION = next(iter(schemathesis.openapi.from_path(spec_path()).get_all_operations())).ok()


def test_generated_signed_requests_all_reach_the_service() -> None:
    service = EmulatedService()
    service.add_artifact(**EXAMPLE, content=b"x", md5=EXAMPLE_MD5)
    credentials = service.default_credentials
    signer = AcsV3RequestsAuth(credentials.access_key_id, credentials.access_key_secret)
    example = OPERATION.Case(
        path_parameters={
            "organizationId": EXAMPLE["organization_id"],
            "pipelineId": EXAMPLE["pipeline_id"],
            "pipelineRunId": EXAMPLE["pipeline_run_id"],
            "emasJobInstanceId": EXAMPLE["emas_job_instance_id"],
            "md5": EXAMPLE_MD5,
        },
        query={"serviceConnectionId": EXAMPLE_CONNECTION},
    )
    cases = st.one_of(
        st.just(example),
        OPERATION.as_strategy(generation_mode=GenerationMode.POSITIVE),
        OPERATION.as_strategy(generation_mode=GenerationMode.NEGATIVE),
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
        case.call(app=service.asgi_app, auth=signer)

    send()

    codes = {call.code for call in service.api_calls}
    gateway = codes & set(_GATEWAY_ERRORS)
    assert gateway <= {"InvalidAction.NotFound"}  # routing only: no signature was refused
    assert {None, "InvalidOrganization.NotFound", "InvalidParam.ParamNotPresent"} <= codes
