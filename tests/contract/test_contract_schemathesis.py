"""schemathesis proves the emulator against openapi.yaml, in process (ASGI) and over HTTP.

Signed cases (positive and negative) run every default check of schemathesis except two whose
expectation the contract does not share: ``ignored_auth`` and ``missing_required_header`` want
401 (or 403) for a request without its ``Authorization`` header. Alibaba Cloud's gateway answers
a missing or malformed signature with 400 ``IncompleteSignature``, and openapi.yaml declares no
401; ``ignored_auth`` also strips the signer and expects the probe to fail with 401/403. What
those checks stand for (no answer without a valid signature, and that answer in the contract's
shape) is what the unsigned and badly signed tests below check, with the contract's statuses.
"""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import urlsplit

import pytest
import schemathesis
from contract_support import EXAMPLE, EXAMPLE_CONNECTION, EXAMPLE_MD5, AcsV3RequestsAuth
from yunxiao_emas._spec import spec_path
from yunxiao_emas.testing import EmulatedService

MAX_EXAMPLES = 80
NOT_APPLICABLE = {
    "ignored_auth": {"enabled": False},
    "missing_required_header": {"enabled": False},
}
CONFORMANCE_ONLY = {
    "enabled": False,
    "not_a_server_error": {"enabled": True},
    "status_code_conformance": {"enabled": True},
    "content_type_conformance": {"enabled": True},
    "response_schema_conformance": {"enabled": True},
    "response_headers_conformance": {"enabled": True},
}


# Half of the generated values of each parameter are the ids of the registered artifact, so
# the runs reach every level of the lookup (and a 200), not only "organization not found".
KNOWN_IDS = {
    "path.organizationId": EXAMPLE["organization_id"],
    "path.pipelineId": EXAMPLE["pipeline_id"],
    "path.pipelineRunId": EXAMPLE["pipeline_run_id"],
    "path.emasJobInstanceId": EXAMPLE["emas_job_instance_id"],
    "path.md5": EXAMPLE_MD5,
    "query.serviceConnectionId": EXAMPLE_CONNECTION,
}


def load(mode: str, max_examples: int, checks: dict[str, Any]) -> Any:
    config = schemathesis.Config.from_dict(
        {
            "generation": {"mode": mode, "max-examples": max_examples},
            "checks": checks,
            "dictionaries": {
                name.replace(".", "-"): {"values": [value]} for name, value in KNOWN_IDS.items()
            },
            "parameters": {
                name: {"dictionary": name.replace(".", "-"), "probability": 0.5}
                for name in KNOWN_IDS
            },
        }
    )
    return schemathesis.openapi.from_path(spec_path(), config=config)


POSITIVE = load("positive", MAX_EXAMPLES, NOT_APPLICABLE)
NEGATIVE = load("negative", MAX_EXAMPLES, NOT_APPLICABLE)
UNSIGNED = load("all", 25, CONFORMANCE_ONLY)


def reaches_the_operation(response: Any) -> bool:
    """Whether the gateway routes this request to GetPipelineEmasArtifactUrl (POST, 11 segments).

    Other methods, and paths whose dot segments the sender resolved away, are not routed: the
    gateway answers InvalidAction.NotFound before it looks at the signature.
    """
    template = next(iter(POSITIVE.raw_schema["paths"])).split("/")
    segments = urlsplit(response.request.url).path.split("/")
    return (
        response.request.method == "POST"
        and len(segments) == len(template)
        and all(t == s for t, s in zip(template, segments, strict=True) if not t.startswith("{"))
    )


def test_the_signed_runs_keep_response_schema_conformance_and_negative_data_rejection() -> None:
    checks = POSITIVE.config.checks_config_for()

    assert checks.response_schema_conformance.enabled
    assert checks.negative_data_rejection.enabled
    assert checks.positive_data_acceptance.enabled
    assert not checks.ignored_auth.enabled


def signing(case: Any, signer: AcsV3RequestsAuth) -> AcsV3RequestsAuth | None:
    """The signer replaces the credential schemathesis generated (the security scheme's
    ``Authorization``); a negative case that leaves the credential out goes unsigned."""
    return signer if "Authorization" in (case.headers or {}) else None


@POSITIVE.parametrize()
def test_signed_valid_requests_get_conforming_answers(
    case: Any, transport: dict[str, Any], signer: AcsV3RequestsAuth
) -> None:
    case.call_and_validate(auth=signing(case, signer), **transport)


@NEGATIVE.parametrize()
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
    expected = (
        "IncompleteSignature" if reaches_the_operation(response) else "InvalidAction.NotFound"
    )
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
    expected = code if reaches_the_operation(response) else "InvalidAction.NotFound"
    assert response.json()["Code"] == expected
