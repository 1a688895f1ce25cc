"""Client and AsyncClient against the emulator over real HTTP and HTTPS, end to end.

Every test runs with both clients (``flavour``) and over both schemes (``server``): a trustme CA
signs the emulator's certificate and the clients get it with ``verify=<path>``. What both APIs
share (success, lookups, service connection, retries) runs over both (``api``); the gateway's
rules are the signed API's, the token's rules the token API's. Each documented service code
and each gateway code is reached deterministically, through a real lookup where the emulator
has one and through ``fail_next`` otherwise, and must come out as the right exception class
with its code, message and request id.
"""

from __future__ import annotations

import functools
import re
import ssl
import warnings
from typing import Any

import httpx
import pytest
import yaml
from _expected_errors import GATEWAY_CODE_CLASSES, SERVICE_CODE_CLASSES
from e2e_support import (
    APIS,
    CONNECTION,
    CREDENTIALS,
    FLAVOURS,
    KEY_ID,
    ORG,
    SECRET,
    TOKEN,
    Emulated,
)
from yunxiao_emas import (
    AccessKeyCredentials,
    ApiError,
    AuthenticationError,
    Client,
    ForbiddenError,
    InvalidParameterError,
    NotFoundError,
    PersonalAccessToken,
    RetryPolicy,
    ServerError,
    ThrottledError,
    TransportError,
)
from yunxiao_emas._call.responses import signed_answer
from yunxiao_emas.auth.acs3 import AcsV3Auth
from yunxiao_emas.cli.spec import load_spec, spec_path

REQUEST_ID = re.compile(r"[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}")

# The documented service codes as (code, status): one code is listed under two statuses.
SERVICE_CODES: dict[tuple[str, int], type[ApiError]] = {
    (entry["code"], entry["status"]): SERVICE_CODE_CLASSES[entry["code"]]
    for entry in load_spec()["components"]["schemas"]["ServiceError"]["x-error-codes"]
}
GATEWAY_CODES = GATEWAY_CODE_CLASSES


@functools.cache
def _spec_schemas() -> dict[str, Any]:
    with spec_path().open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)["components"]["schemas"]


def _documented_message(code: str, status: int) -> str:
    for entry in _spec_schemas()["ServiceError"]["x-error-codes"]:
        if entry["code"] == code and int(entry["status"]) == status:
            return str(entry["message"])
    raise LookupError(code)


@pytest.fixture(params=["http", "https"])
def server(request: pytest.FixtureRequest) -> Any:
    """Every test of this module runs over plain HTTP and over HTTPS."""
    return request.getfixturevalue(f"{request.param}_server")


@pytest.fixture(params=FLAVOURS)
def flavour(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def _raised(
    emulated: Emulated, flavour: str, ids: dict[str, Any] | None = None, **options: Any
) -> ApiError:
    """The ApiError one call raises (no retries: every attempt is counted by the tests)."""
    options.setdefault("retries", 0)
    with pytest.raises(ApiError) as caught:
        emulated.get_url(flavour, ids, **options)
    return caught.value


both_apis = pytest.mark.parametrize("api", APIS, indirect=True)


# --- success ---------------------------------------------------------------------------------


@both_apis
def test_call_returns_a_download_url_of_the_artifact(emulator: Emulated, flavour: str) -> None:
    url = emulator.get_url(flavour)

    assert httpx.get(url.file_url, verify=_context(emulator)).content == emulator.content


@both_apis
def test_call_returns_the_request_id_of_the_answer(emulator: Emulated, flavour: str) -> None:
    url = emulator.get_url(flavour)

    assert REQUEST_ID.fullmatch(url.request_id)


@both_apis
def test_call_returns_an_expiry_about_an_hour_ahead(emulator: Emulated, flavour: str) -> None:
    url = emulator.get_url(flavour)

    lifetime = url.expires_at.timestamp() - emulator.service.now()
    assert 3590 <= lifetime <= 3600


@both_apis
def test_call_is_one_request_to_the_api(emulator: Emulated, flavour: str) -> None:
    emulator.get_url(flavour)

    calls = [(call.method, call.status) for call in emulator.service.api_calls]
    assert calls == [(emulator.method, 200)]


def _context(emulated: Emulated) -> ssl.SSLContext:
    if isinstance(emulated.verify, str):
        return ssl.create_default_context(cafile=emulated.verify)
    return emulated.verify


# --- the 19 documented service codes -------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "status"), list(SERVICE_CODES), ids=[f"{c}-{s}" for c, s in SERVICE_CODES]
)
def test_documented_service_code_maps_to_its_exception(
    emulator: Emulated, flavour: str, code: str, status: int
) -> None:
    emulator.service.fail_next(code=code, status=status)

    error = _raised(emulator, flavour)

    assert type(error) is SERVICE_CODES[(code, status)]
    assert (error.code, error.status_code) == (code, status)
    assert error.message == _documented_message(code, status)
    assert REQUEST_ID.fullmatch(error.request_id or "")


@pytest.mark.parametrize(
    ("ids", "code"),
    [
        ({"organization_id": "no-such-org"}, "InvalidOrganization.NotFound"),
        ({"pipeline_id": 999_999}, "InvalidPipeline.NotFound"),
        ({"pipeline_run_id": 999_999}, "InvalidPipelineRun.NotFound"),
        ({"emas_job_instance_id": "no-such-job"}, "InvalidIdentifier.NotFound"),
        ({"md5": "0" * 32}, "InvalidIdentifier.NotFound"),
    ],
    ids=["organization", "pipeline", "run", "job", "md5"],
)
@both_apis
def test_unknown_resource_is_not_found(
    emulator: Emulated, flavour: str, ids: dict[str, Any], code: str
) -> None:
    error = _raised(emulator, flavour, emulator.ids(**ids))

    assert isinstance(error, NotFoundError)
    assert (error.code, error.status_code) == (code, 404)
    if emulator.api == "signed":
        assert error.message == _documented_message(code, 404)
    else:  # the token API's messages are its own (its codes are not documented)
        assert error.message
    assert REQUEST_ID.fullmatch(error.request_id or "")


def test_key_that_is_not_a_member_of_the_organization_is_forbidden(
    emulate: Any, flavour: str
) -> None:
    emulated = emulate(access_keys={KEY_ID: SECRET, "LTAIoutsider": "outsider-secret"})
    emulated.service.set_members(ORG, [KEY_ID])
    outsider = AccessKeyCredentials("LTAIoutsider", "outsider-secret")

    error = _raised(emulated, flavour, credentials=outsider)

    assert isinstance(error, ForbiddenError)
    assert (error.code, error.status_code) == ("Forbidden.UserNotInCurrentOrganization", 403)
    assert REQUEST_ID.fullmatch(error.request_id or "")


@both_apis
def test_other_service_connection_is_access_denied(emulator: Emulated, flavour: str) -> None:
    error = _raised(emulator, flavour, emulator.ids(service_connection_id=999))

    assert isinstance(error, ForbiddenError)
    assert (error.code, error.status_code) == ("Forbidden.AccessDenied", 403)


def test_business_failure_in_a_200_answer_raises(emulator: Emulated, flavour: str) -> None:
    emulator.service.fail_next(code="InvalidParam.ParamNotPresent", status=200)

    error = _raised(emulator, flavour)

    assert isinstance(error, InvalidParameterError)
    assert (error.code, error.status_code) == ("InvalidParam.ParamNotPresent", 200)
    assert REQUEST_ID.fullmatch(error.request_id or "")


# --- the gateway -----------------------------------------------------------------------------


@pytest.mark.parametrize("code", sorted(set(GATEWAY_CODES) - {"InvalidTimeStamp.Expired"}), ids=str)
def test_gateway_code_maps_to_its_exception(emulator: Emulated, flavour: str, code: str) -> None:
    emulator.service.fail_next(code=code, shape="gateway")

    error = _raised(emulator, flavour)

    assert type(error) is GATEWAY_CODES[code]
    assert error.code == code
    assert error.message
    assert REQUEST_ID.fullmatch(error.request_id or "")
    assert error.recommend
    assert code in error.recommend


def test_timestamp_rejection_that_correction_cannot_fix_is_authentication_error(
    emulator: Emulated, flavour: str
) -> None:
    # The client re-signs once with the server's clock; the fault answers that attempt too.
    emulator.service.fail_next(2, code="InvalidTimeStamp.Expired")

    error = _raised(emulator, flavour)

    assert isinstance(error, AuthenticationError)
    assert error.code == "InvalidTimeStamp.Expired"
    assert REQUEST_ID.fullmatch(error.request_id or "")


def test_wrong_secret_is_signature_does_not_match(emulator: Emulated, flavour: str) -> None:
    error = _raised(emulator, flavour, credentials=AccessKeyCredentials(KEY_ID, "wrong-secret"))

    assert isinstance(error, AuthenticationError)
    assert error.code == "SignatureDoesNotMatch"
    assert error.message.startswith("Specified signature is not matched with our calculation")
    assert REQUEST_ID.fullmatch(error.request_id or "")


def test_unknown_access_key_is_not_found(emulator: Emulated, flavour: str) -> None:
    unknown = AccessKeyCredentials("LTAIunknown", SECRET)

    error = _raised(emulator, flavour, credentials=unknown)

    assert isinstance(error, AuthenticationError)
    assert error.code == "InvalidAccessKeyId.NotFound"
    assert REQUEST_ID.fullmatch(error.request_id or "")


def test_deactivated_access_key_is_inactive(emulator: Emulated, flavour: str) -> None:
    emulator.service.deactivate_access_key(KEY_ID)

    error = _raised(emulator, flavour)

    assert isinstance(error, AuthenticationError)
    assert error.code == "InvalidAccessKeyId.Inactive"
    assert REQUEST_ID.fullmatch(error.request_id or "")


def test_sts_key_with_its_token_succeeds(emulate: Any, flavour: str) -> None:
    emulated = emulate(sts_tokens={"STS.key": ("sts-secret", "sts-token-value")})
    sts = AccessKeyCredentials("STS.key", "sts-secret", "sts-token-value")

    url = emulated.get_url(flavour, credentials=sts)

    assert url.file_url


def test_sts_key_without_its_token_is_missing_security_token(emulate: Any, flavour: str) -> None:
    emulated = emulate(sts_tokens={"STS.key": ("sts-secret", "sts-token-value")})

    error = _raised(emulated, flavour, credentials=AccessKeyCredentials("STS.key", "sts-secret"))

    assert isinstance(error, AuthenticationError)
    assert error.code == "MissingSecurityToken"
    assert REQUEST_ID.fullmatch(error.request_id or "")


def test_expired_sts_token_is_rejected(emulate: Any, flavour: str) -> None:
    emulated = emulate(sts_tokens={"STS.key": ("sts-secret", "sts-token-value")})
    emulated.service.expire_security_token("STS.key")
    sts = AccessKeyCredentials("STS.key", "sts-secret", "sts-token-value")

    error = _raised(emulated, flavour, credentials=sts)

    assert isinstance(error, AuthenticationError)
    assert error.code == "InvalidSecurityToken.Expired"
    assert REQUEST_ID.fullmatch(error.request_id or "")


def test_wrong_sts_token_is_malformed(emulate: Any, flavour: str) -> None:
    emulated = emulate(sts_tokens={"STS.key": ("sts-secret", "sts-token-value")})
    sts = AccessKeyCredentials("STS.key", "sts-secret", "another-token")

    error = _raised(emulated, flavour, credentials=sts)

    assert isinstance(error, AuthenticationError)
    assert error.code == "InvalidSecurityToken.Malformed"


def test_clock_skew_beyond_fifteen_minutes_is_corrected_by_the_client(
    emulator: Emulated, flavour: str
) -> None:
    emulator.service.advance_clock(+1200)

    url = emulator.get_url(flavour, retries=0)

    assert url.file_url
    statuses = [(call.status, call.code) for call in emulator.service.api_calls]
    assert statuses == [(400, "InvalidTimeStamp.Expired"), (200, None)]


def test_replayed_nonce_is_signature_nonce_used(emulator: Emulated) -> None:
    # Two requests signed with the same nonce, as a replaying attacker would send them.
    auth = AcsV3Auth(CREDENTIALS, nonce=lambda: "e2e-replayed-nonce")
    url = (
        f"{emulator.base_url}/organization/{ORG}/pipeline/{emulator.ids()['pipeline_id']}"
        f"/pipelineRun/{emulator.ids()['pipeline_run_id']}/emas/artifact/"
        f"{emulator.ids()['emas_job_instance_id']}/{emulator.md5}"
    )
    with httpx.Client(verify=_context(emulator), auth=auth) as http:
        first = http.post(url, params={"serviceConnectionId": CONNECTION})
        replay = http.post(url, params={"serviceConnectionId": CONNECTION})

    assert first.status_code == 200
    with pytest.raises(AuthenticationError) as caught:
        signed_answer(replay, emulator.service.now)
    assert caught.value.code == "SignatureNonceUsed"
    assert caught.value.message
    assert REQUEST_ID.fullmatch(caught.value.request_id or "")


def test_rate_limit_is_throttling_with_retry_after(emulate: Any, flavour: str) -> None:
    emulated = emulate(rate_limit=(1, 60.0))
    emulated.get_url(flavour, retries=0)

    error = _raised(emulated, flavour)

    assert isinstance(error, ThrottledError)
    # 400, as the API metadata lists Throttling.User; the class is chosen by the code.
    assert (error.code, error.status_code) == ("Throttling.User", 400)
    assert error.retry_after is not None
    assert 0 < error.retry_after <= 60  # x-acs-retry-after in milliseconds, read as seconds
    assert REQUEST_ID.fullmatch(error.request_id or "")


@both_apis
def test_server_error_is_retried_until_it_succeeds(emulator: Emulated, flavour: str) -> None:
    emulator.service.fail_next(code="ServiceUnavailable")

    url = emulator.get_url(flavour, retries=RetryPolicy(max_attempts=2, backoff_initial=0.01))

    assert url.file_url
    assert [call.status for call in emulator.service.api_calls] == [503, 200]


# --- the token API ---------------------------------------------------------------------------

token_api = pytest.mark.parametrize("api", ["token"], indirect=True)


@token_api
def test_a_token_answer_in_plain_text_is_a_download_url_too(emulate: Any, flavour: str) -> None:
    emulated = emulate(token_answers_as_text=True)

    url = emulated.get_url(flavour)

    assert httpx.get(url.file_url, verify=_context(emulated)).content == emulated.content


@token_api
@pytest.mark.parametrize(
    "credentials",
    [PersonalAccessToken("pt-unknown-token"), None],
    ids=["unknown token", "expired token"],
)
def test_a_bad_token_is_an_authentication_error_of_status_401(
    emulator: Emulated, flavour: str, credentials: PersonalAccessToken | None
) -> None:
    if credentials is None:
        emulator.service.expire_token(TOKEN)

    error = _raised(emulator, flavour, **({"credentials": credentials} if credentials else {}))

    assert isinstance(error, AuthenticationError)
    assert error.status_code == 401
    assert error.code
    assert REQUEST_ID.fullmatch(error.request_id or "")
    assert error.trace_id


@token_api
def test_a_revoked_token_is_refused(emulator: Emulated, flavour: str) -> None:
    emulator.service.revoke_token(TOKEN)

    error = _raised(emulator, flavour)

    assert isinstance(error, AuthenticationError)
    assert error.status_code == 401


@token_api
def test_a_token_of_another_organization_is_forbidden(emulate: Any, flavour: str) -> None:
    emulated = emulate(tokens=[])
    emulated.service.add_token(TOKEN, organizations=["another-org"])

    error = _raised(emulated, flavour)

    assert isinstance(error, ForbiddenError)
    assert error.status_code == 403


@token_api
@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (400, InvalidParameterError),
        (403, ForbiddenError),
        (404, NotFoundError),
        (409, ApiError),
        (422, InvalidParameterError),
        (429, ThrottledError),
        (500, ServerError),
        (503, ServerError),
    ],
)
def test_token_api_errors_are_classed_by_status(
    emulator: Emulated, flavour: str, status: int, expected: type[ApiError]
) -> None:
    emulator.service.fail_next(
        code="Brand.NewCode", status=status, operation="GetEmasArtifactDownloadUrl"
    )

    error = _raised(emulator, flavour)

    assert type(error) is expected
    assert (error.code, error.status_code) == ("Brand.NewCode", status)
    assert error.trace_id


@token_api
def test_token_rate_limit_is_throttling_with_retry_after(emulate: Any, flavour: str) -> None:
    emulated = emulate(rate_limit=(1, 60.0))
    emulated.get_url(flavour, retries=0)

    error = _raised(emulated, flavour)

    assert isinstance(error, ThrottledError)
    assert error.status_code == 429
    assert error.retry_after is not None
    assert error.retry_after >= 1


# --- TLS -------------------------------------------------------------------------------------


def test_https_without_the_emulators_ca_is_a_transport_error(https_server: Any) -> None:
    # The handshake fails before any request: nothing needs to be mounted.
    client = Client(credentials=CREDENTIALS, endpoint=https_server.base_url, retries=0)

    with client, pytest.raises(TransportError):
        client.get_pipeline_emas_artifact_url(
            ORG, 1, 1, "job", "0" * 32, service_connection_id=CONNECTION
        )


def test_ca_bundle_path_is_accepted_without_a_deprecation_warning(tls: dict[str, str]) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error", DeprecationWarning)
        client = Client(credentials=AccessKeyCredentials(KEY_ID, SECRET), verify=tls["ca"])
    client.close()
