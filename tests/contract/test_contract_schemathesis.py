"""schemathesis proves the emulator against openapi.yaml, in process (ASGI) and over HTTP, for
both operations.

GetPipelineEmasArtifactUrl (signed): signed cases (positive and negative) run every default
check of schemathesis except two whose expectation the contract does not share:
``ignored_auth`` and ``missing_required_header`` want 401 (or 403) for a request without its
``Authorization`` header. Alibaba Cloud's gateway answers a missing or malformed signature with
400 ``IncompleteSignature``, and openapi.yaml declares no 401 for this operation;
``ignored_auth`` also strips the signer and expects the probe to fail with 401/403. What those
checks stand for (no answer without a valid signature, and that answer in the contract's shape)
is what the unsigned and badly signed tests below check, with the contract's statuses.

GetEmasArtifactDownloadUrl (token): its cases run every default check, ``ignored_auth``
included: the token API does answer a missing or invalid token with 401, as the check expects.
"""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import urlsplit

import pytest
import schemathesis
from contract_support import EXPIRED_TOKEN, IDS, AcsV3RequestsAuth, TokenRequestsAuth
from yunxiao_emas._call.operations import SIGNED, TOKEN
from yunxiao_emas.auth.token import TOKEN_HEADER
from yunxiao_emas.cli.spec import operations, spec_path
from yunxiao_emas.testing import EmulatedService

MAX_EXAMPLES = 80
NOT_APPLICABLE_TO_THE_SIGNED_API = {
    "ignored_auth": {"enabled": False},
    "missing_required_header": {"enabled": False},
}
EVERY_DEFAULT_CHECK: dict[str, Any] = {}
CONFORMANCE_ONLY = {
    "enabled": False,
    "not_a_server_error": {"enabled": True},
    "status_code_conformance": {"enabled": True},
    "content_type_conformance": {"enabled": True},
    "response_schema_conformance": {"enabled": True},
    "response_headers_conformance": {"enabled": True},
}


def known_ids(operation_id: str) -> dict[str, Any]:
    """``location.name`` -> the registered artifact's id, for every parameter of the operation."""
    return {
        f"{parameter.location}.{parameter.name}": IDS[parameter.python_name]
        for parameter in operations()[operation_id].parameters
    }


def load(operation_id: str, mode: str, max_examples: int, checks: dict[str, Any]) -> Any:
    """The schema of one operation, generating in ``mode`` and running ``checks``.

    Half of the generated values of each parameter are the ids of the registered artifact, so
    the runs reach every level of the lookup (and a 200), not only "organization not found".
    """
    known = known_ids(operation_id)
    config = schemathesis.Config.from_dict(
        {
            "generation": {"mode": mode, "max-examples": max_examples},
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
        operation_id=operation_id
    )


SIGNED_POSITIVE = load(SIGNED.name, "positive", MAX_EXAMPLES, NOT_APPLICABLE_TO_THE_SIGNED_API)
SIGNED_NEGATIVE = load(SIGNED.name, "negative", MAX_EXAMPLES, NOT_APPLICABLE_TO_THE_SIGNED_API)
UNSIGNED = load(SIGNED.name, "all", 25, CONFORMANCE_ONLY)
TOKEN_POSITIVE = load(TOKEN.name, "positive", MAX_EXAMPLES, EVERY_DEFAULT_CHECK)
TOKEN_NEGATIVE = load(TOKEN.name, "negative", MAX_EXAMPLES, EVERY_DEFAULT_CHECK)
WITHOUT_TOKEN = load(TOKEN.name, "all", 25, CONFORMANCE_ONLY)


def reaches(operation_id: str, response: Any) -> bool:
    """Whether the emulator routes this request to the operation (its method, its segments).

    Other methods, and paths whose dot segments the sender resolved away, are not routed: they
    are answered InvalidAction.NotFound before any signature or token is looked at.
    """
    operation = operations()[operation_id]
    template = operation.path.split("/")
    segments = urlsplit(response.request.url).path.split("/")
    return (
        response.request.method == operation.method
        and len(segments) == len(template)
        and all(t == s for t, s in zip(template, segments, strict=True) if not t.startswith("{"))
    )


def test_the_signed_runs_keep_response_schema_conformance_and_negative_data_rejection() -> None:
    checks = SIGNED_POSITIVE.config.checks_config_for()

    assert checks.response_schema_conformance.enabled
    assert checks.negative_data_rejection.enabled
    assert checks.positive_data_acceptance.enabled
    assert not checks.ignored_auth.enabled


def test_the_token_runs_keep_every_default_check_ignored_auth_included() -> None:
    checks = TOKEN_POSITIVE.config.checks_config_for()

    assert checks.response_schema_conformance.enabled
    assert checks.negative_data_rejection.enabled
    assert checks.ignored_auth.enabled
    assert checks.missing_required_header.enabled


def test_each_run_covers_exactly_its_operation() -> None:
    signed = [result.ok().label for result in SIGNED_POSITIVE.get_all_operations()]
    token = [result.ok().label for result in TOKEN_POSITIVE.get_all_operations()]

    assert signed == [f"POST {operations()[SIGNED.name].path}"]
    assert token == [f"GET {operations()[TOKEN.name].path}"]


# --- the signed API ----------------------------------------------------------------------------


def signing(case: Any, signer: AcsV3RequestsAuth) -> AcsV3RequestsAuth | None:
    """The signer replaces the credential schemathesis generated (the security scheme's
    ``Authorization``); a negative case that leaves the credential out goes unsigned."""
    return signer if "Authorization" in (case.headers or {}) else None


@SIGNED_POSITIVE.parametrize()
def test_signed_valid_requests_get_conforming_answers(
    case: Any, transport: dict[str, Any], signer: AcsV3RequestsAuth
) -> None:
    case.call_and_validate(auth=signing(case, signer), **transport)


@SIGNED_NEGATIVE.parametrize()
def test_signed_invalid_requests_are_rejected_with_conforming_answers(
    case: Any, transport: dict[str, Any], signer: AcsV3RequestsAuth
) -> None:
    case.call_and_validate(auth=signing(case, signer), **transport)


@UNSIGNED.parametrize()
def test_unsigned_requests_get_a_conforming_gateway_error(
    case: Any, transport: dict[str, Any]
) -> None:
    response = case.call(**transport)

    case.validate_response(response)
    body = response.json()
    expected = "IncompleteSignature" if reaches(SIGNED.name, response) else "InvalidAction.NotFound"
    assert body["Code"] == expected
    assert {"RequestId", "HostId", "Message", "Recommend"} <= set(body)


BAD_SIGNERS = {
    "wrong-secret": ("SignatureDoesNotMatch", lambda key, _: AcsV3RequestsAuth(key, "wrong")),
    "unknown-key": (
        "InvalidAccessKeyId.NotFound",
        lambda _, secret: AcsV3RequestsAuth("LTAI-nobody", secret),
    ),
    "stale-date": (
        "InvalidTimeStamp.Expired",
        lambda key, secret: AcsV3RequestsAuth(key, secret, clock=lambda: time.time() - 3600),
    ),
}


@UNSIGNED.parametrize()
@pytest.mark.parametrize("badly", sorted(BAD_SIGNERS))
def test_badly_signed_requests_get_a_conforming_gateway_error(
    case: Any, transport: dict[str, Any], contract_service: EmulatedService, badly: str
) -> None:
    code, make = BAD_SIGNERS[badly]
    credentials = contract_service.default_credentials
    auth = make(credentials.access_key_id, credentials.access_key_secret)

    response = case.call(auth=auth, **transport)

    case.validate_response(response)
    expected = code if reaches(SIGNED.name, response) else "InvalidAction.NotFound"
    assert response.json()["Code"] == expected


# --- the token API -----------------------------------------------------------------------------


def with_token(case: Any, token_auth: TokenRequestsAuth) -> TokenRequestsAuth | None:
    """The emulator's token replaces the one schemathesis generated (the security scheme's
    ``x-yunxiao-token``); a negative case that leaves the token out goes without one."""
    return token_auth if TOKEN_HEADER in (case.headers or {}) else None


def probes_follow(case: Any, transport: dict[str, Any]) -> None:
    """Make the probes of ``ignored_auth`` go where the case goes.

    schemathesis sends them through the transport of the case's schema, and the ``app`` given
    to ``case.call`` does not reach them (a requests session would get ``app=``), so the ASGI
    runs attach the app to the operation and its schema; the HTTP runs detach it again.
    """
    app = transport.get("app")
    case.operation.app = app
    case.operation.schema.app = app


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


BAD_TOKENS = {"missing": None, "unknown": "pt-nobody", "expired": EXPIRED_TOKEN}


@WITHOUT_TOKEN.parametrize()
@pytest.mark.parametrize("badly", sorted(BAD_TOKENS))
def test_requests_without_a_valid_token_get_a_conforming_401(
    case: Any, transport: dict[str, Any], badly: str
) -> None:
    token = BAD_TOKENS[badly]
    # Drop what schemathesis generated for the token: the request carries the bad one only.
    case.headers = {k: v for k, v in (case.headers or {}).items() if k.lower() != TOKEN_HEADER}
    auth = None if token is None else TokenRequestsAuth(token)

    response = case.call(auth=auth, **transport)

    case.validate_response(response)
    routed = reaches(TOKEN.name, response)
    assert response.status_code == (401 if routed else 404)
    assert response.json()["errorCode"] == ("Unauthorized" if routed else "InvalidAction.NotFound")
