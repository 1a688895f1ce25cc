"""schemathesis proves the emulator against openapi.yaml for the operations that find the ids:
GetPipelineRun, ListPipelineRuns, ListServiceConnections (signed and token API) and
GetLatestPipelineRun (token API), in process (ASGI) and over HTTP.

The checks are those of test_contract_schemathesis for each API: every default check for the
token API; for the signed API all but ``ignored_auth`` and ``missing_required_header``, whose
401 the signed API's gateway does not answer (it answers 400 ``IncompleteSignature``, as that
module says and tests). One more difference: a ``nextToken`` that ListPipelineRuns never handed
out is well-formed by the schema but names no page, and the emulator answers it 400
``InvalidParam.ParamNotPresent`` rather than guess a page; positive cases of ListPipelineRuns
accept that 400 too.

The registered artifact (contract_service) makes the example run, its EMAS job and its service
connection exist, so half the generated ids reach a 200.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest
import schemathesis
from contract_support import IDS, AcsV3RequestsAuth, TokenRequestsAuth
from test_contract_schemathesis import (
    NOT_APPLICABLE_TO_THE_SIGNED_API,
    probes_follow,
    signing,
    with_token,
)
from yunxiao_emas.auth.acs3 import AcsV3Auth
from yunxiao_emas.auth.token import TokenAuth
from yunxiao_emas.cli.spec import operations, spec_path
from yunxiao_emas.testing import EmulatedService

MAX_EXAMPLES = 30
SIGNED_OPERATIONS = ("GetPipelineRun", "ListPipelineRuns", "ListServiceConnections")
TOKEN_OPERATIONS = (
    "GetPipelineRunByToken",
    "GetLatestPipelineRunByToken",
    "ListPipelineRunsByToken",
    "ListServiceConnectionsByToken",
)
# schemathesis's own default, and a 400 for a nextToken that names no page (module docstring).
ACCEPTS_AN_UNKNOWN_NEXT_TOKEN = {
    "positive_data_acceptance": {
        "expected-statuses": ["2xx", "3xx", "400", "401", "403", "404", "409", "429", "5xx"]
    }
}


def known_ids(operation_ids: tuple[str, ...]) -> dict[str, Any]:
    """``location.name`` -> the example value, for every parameter of these operations: the
    registered artifact's ids, and the contract's examples of the filters and paging."""
    return {
        f"{parameter.location}.{parameter.name}": IDS.get(parameter.python_name, parameter.example)
        for operation_id in operation_ids
        for parameter in operations()[operation_id].parameters
    }


def load(operation_ids: tuple[str, ...], mode: str, checks: dict[str, Any]) -> Any:
    """The schema of these operations, generating in ``mode``: half of each parameter's
    values are the examples (the registered artifact's ids), so the runs reach a 200."""
    known = known_ids(operation_ids)
    config = schemathesis.Config.from_dict(
        {
            "generation": {"mode": mode, "max-examples": MAX_EXAMPLES},
            "checks": checks,
            "dictionaries": {
                name.replace(".", "-"): {"values": [value]} for name, value in known.items()
            },
            "parameters": {
                name: {"dictionary": name.replace(".", "-"), "probability": 0.5} for name in known
            },
        }
    )
    return schemathesis.openapi.from_path(spec_path(), config=config).include(
        operation_id=list(operation_ids)
    )


LISTS = ("ListPipelineRuns",)
SIGNED_OTHERS = tuple(name for name in SIGNED_OPERATIONS if name not in LISTS)
LIST_CHECKS = {**NOT_APPLICABLE_TO_THE_SIGNED_API, **ACCEPTS_AN_UNKNOWN_NEXT_TOKEN}
SIGNED_POSITIVE = load(SIGNED_OTHERS, "positive", NOT_APPLICABLE_TO_THE_SIGNED_API)
SIGNED_NEGATIVE = load(SIGNED_OTHERS, "negative", NOT_APPLICABLE_TO_THE_SIGNED_API)
# A negative run also sends the cases that came out valid: they meet the same 400.
SIGNED_LIST_POSITIVE = load(LISTS, "positive", LIST_CHECKS)
SIGNED_LIST_NEGATIVE = load(LISTS, "negative", LIST_CHECKS)
TOKEN_POSITIVE = load(TOKEN_OPERATIONS, "positive", {})
TOKEN_NEGATIVE = load(TOKEN_OPERATIONS, "negative", {})


def test_the_runs_cover_every_new_operation() -> None:
    def ids(schema: Any) -> set[str]:
        return {result.ok().definition.raw["operationId"] for result in schema.get_all_operations()}

    assert ids(SIGNED_POSITIVE) | ids(SIGNED_LIST_POSITIVE) == set(SIGNED_OPERATIONS)
    assert ids(SIGNED_NEGATIVE) | ids(SIGNED_LIST_NEGATIVE) == set(SIGNED_OPERATIONS)
    assert ids(TOKEN_POSITIVE) == ids(TOKEN_NEGATIVE) == set(TOKEN_OPERATIONS)


def signer_for(case: Any, contract_service: EmulatedService) -> AcsV3RequestsAuth | None:
    """Signs as the SDK does for the case's operation (its own ``x-acs-action``)."""
    credentials = contract_service.default_credentials
    action = case.operation.definition.raw["x-acs-action"]
    signer = AcsV3RequestsAuth(
        credentials.access_key_id, credentials.access_key_secret, action=action
    )
    return signing(case, signer)


@SIGNED_POSITIVE.parametrize()
def test_signed_valid_requests_get_conforming_answers(
    case: Any, transport: dict[str, Any], contract_service: EmulatedService
) -> None:
    case.call_and_validate(auth=signer_for(case, contract_service), **transport)


@SIGNED_LIST_POSITIVE.parametrize()
def test_signed_valid_list_requests_get_conforming_answers(
    case: Any, transport: dict[str, Any], contract_service: EmulatedService
) -> None:
    case.call_and_validate(auth=signer_for(case, contract_service), **transport)


@SIGNED_NEGATIVE.parametrize()
def test_signed_invalid_requests_are_rejected_with_conforming_answers(
    case: Any, transport: dict[str, Any], contract_service: EmulatedService
) -> None:
    case.call_and_validate(auth=signer_for(case, contract_service), **transport)


@SIGNED_LIST_NEGATIVE.parametrize()
def test_signed_invalid_list_requests_are_rejected_with_conforming_answers(
    case: Any, transport: dict[str, Any], contract_service: EmulatedService
) -> None:
    case.call_and_validate(auth=signer_for(case, contract_service), **transport)


@TOKEN_POSITIVE.parametrize()
def test_valid_requests_with_a_token_get_conforming_answers(
    case: Any, transport: dict[str, Any], token_auth: TokenRequestsAuth
) -> None:
    probes_follow(case, transport)

    case.call_and_validate(auth=with_token(case, token_auth), **transport)


@TOKEN_NEGATIVE.parametrize()
def test_invalid_requests_with_a_token_are_rejected_with_conforming_answers(
    case: Any, transport: dict[str, Any], token_auth: TokenRequestsAuth
) -> None:
    probes_follow(case, transport)

    case.call_and_validate(auth=with_token(case, token_auth), **transport)


@pytest.mark.parametrize("operation_id", SIGNED_OPERATIONS + TOKEN_OPERATIONS)
async def test_every_new_operation_answers_its_examples_with_a_200(
    operation_id: str, contract_service: EmulatedService
) -> None:
    # Not left to chance: the examples name the registered organization, pipeline and run.
    operation = operations()[operation_id]
    path = operation.path
    for parameter in operation.parameters:
        if parameter.location == "path":
            path = path.replace(f"{{{parameter.name}}}", str(IDS[parameter.python_name]))
    action = operation.extensions.get("x-acs-action")
    auth: httpx.Auth = (
        AcsV3Auth(contract_service.default_credentials, action=action)
        if action
        else TokenAuth(contract_service.default_token)
    )
    transport = httpx.ASGITransport(app=contract_service.asgi_app)

    async with httpx.AsyncClient(transport=transport, base_url="http://e", auth=auth) as client:
        response = await client.get(path)

    assert response.status_code == 200, response.text
