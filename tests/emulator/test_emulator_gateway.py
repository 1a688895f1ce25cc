"""The API gateway: signature V3, clock skew, nonces, keys, STS tokens, action, throttling."""

from __future__ import annotations

import time
from collections.abc import Callable

import httpx
import pytest
from emulator_support import (
    CONNECTION,
    JOB,
    ORG,
    PIPELINE,
    RUN,
    TamperingAuth,
    api_path,
    gateway_code,
    gateway_codes,
    in_process_client,
    signed_once,
)
from yunxiao_emas.auth.acs3 import AcsV3Auth, sign_parts
from yunxiao_emas.credentials import AccessKeyCredentials
from yunxiao_emas.errors import ApiError
from yunxiao_emas.testing import EmulatedService

PARAMS = {"serviceConnectionId": CONNECTION}
ClientFor = Callable[[httpx.Auth | None], httpx.AsyncClient]


async def call(client_for: ClientFor, auth: httpx.Auth | None, md5: str) -> httpx.Response:
    async with client_for(auth) as client:
        return await client.post(api_path(md5=md5), params=PARAMS)


def tampered(
    credentials: AccessKeyCredentials, change: Callable[[httpx.Request], None]
) -> httpx.Auth:
    return TamperingAuth(AcsV3Auth(credentials), change)


# --- the Authorization header and the signed headers -------------------------------------------


async def test_missing_authorization_is_incomplete_signature(
    client_for: ClientFor, md5: str
) -> None:
    response = await call(client_for, None, md5)

    assert (response.status_code, gateway_code(response)) == (400, "IncompleteSignature")


@pytest.mark.parametrize(
    "value",
    [
        "Bearer token",
        "ACS3-HMAC-SHA256 Credential=AK,Signature=00",
        "ACS3-HMAC-SHA256 Credential=AK,SignedHeaders=host,Signature=XYZ",
        "ACS3-HMAC-SHA1 Credential=AK,SignedHeaders=host,Signature=00",
    ],
)
async def test_malformed_authorization_is_incomplete_signature(
    client_for: ClientFor, credentials: AccessKeyCredentials, md5: str, value: str
) -> None:
    def replace(request: httpx.Request) -> None:
        request.headers["Authorization"] = value

    response = await call(client_for, tampered(credentials, replace), md5)

    assert gateway_code(response) == "IncompleteSignature"


@pytest.mark.parametrize(
    "header", ["x-acs-date", "x-acs-signature-nonce", "x-acs-content-sha256", "x-acs-action"]
)
async def test_missing_required_header_is_incomplete_signature(
    client_for: ClientFor, credentials: AccessKeyCredentials, md5: str, header: str
) -> None:
    def remove(request: httpx.Request) -> None:
        del request.headers[header]

    response = await call(client_for, tampered(credentials, remove), md5)

    assert gateway_code(response) == "IncompleteSignature"
    assert header in response.json()["Message"]


async def test_unsigned_x_acs_header_is_incomplete_signature(
    client_for: ClientFor, credentials: AccessKeyCredentials, md5: str
) -> None:
    def add(request: httpx.Request) -> None:
        request.headers["x-acs-extra"] = "added after signing"

    response = await call(client_for, tampered(credentials, add), md5)

    assert gateway_code(response) == "IncompleteSignature"
    assert "x-acs-extra must be signed" in response.json()["Message"]


async def test_host_left_out_of_the_signed_headers_is_incomplete_signature(
    client_for: ClientFor, credentials: AccessKeyCredentials, md5: str
) -> None:
    def drop_host(request: httpx.Request) -> None:
        request.headers["Authorization"] = request.headers["Authorization"].replace("host;", "")

    response = await call(client_for, tampered(credentials, drop_host), md5)

    assert gateway_code(response) == "IncompleteSignature"
    assert "host must be signed" in response.json()["Message"]


# --- the signature itself ----------------------------------------------------------------------


async def test_wrong_secret_is_signature_does_not_match(client_for: ClientFor, md5: str) -> None:
    wrong = AcsV3Auth(
        AccessKeyCredentials(EmulatedService().default_credentials.access_key_id, "x")
    )

    response = await call(client_for, wrong, md5)

    assert (response.status_code, gateway_code(response)) == (400, "SignatureDoesNotMatch")


async def test_signature_mismatch_message_carries_the_servers_string_to_sign(
    client_for: ClientFor, service: EmulatedService, md5: str
) -> None:
    key_id = service.default_credentials.access_key_id
    sent: list[httpx.Request] = []
    auth = TamperingAuth(AcsV3Auth(AccessKeyCredentials(key_id, "wrong")), sent.append)

    response = await call(client_for, auth, md5)

    request = sent[0]
    names = request.headers["Authorization"].split("SignedHeaders=")[1].split(",")[0].split(";")
    expected = sign_parts(
        "any secret",
        request.method,
        request.url.raw_path.split(b"?")[0].decode(),
        request.url.params.multi_items(),
        {name: request.headers[name] for name in names},
    ).string_to_sign
    message = response.json()["Message"]
    assert message == (
        "Specified signature is not matched with our calculation. "
        f"server string to sign is:{expected}"
    )


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda r: setattr(r, "url", r.url.copy_with(path="/" + "x" * 3)), id="path"),
        pytest.param(
            lambda r: setattr(r, "url", r.url.copy_set_param("serviceConnectionId", "1")),
            id="query",
        ),
        pytest.param(
            lambda r: r.headers.__setitem__("x-acs-signature-nonce", "0" * 32), id="nonce"
        ),
    ],
)
async def test_request_changed_after_signing_is_signature_does_not_match(
    client_for: ClientFor,
    credentials: AccessKeyCredentials,
    md5: str,
    change: Callable[[httpx.Request], None],
) -> None:
    def change_and_keep_the_route(request: httpx.Request) -> None:
        path = request.url.path
        change(request)
        if request.url.path != path:  # a different id in the same route
            request.url = request.url.copy_with(raw_path=path.replace(JOB, JOB + "b").encode())

    response = await call(client_for, tampered(credentials, change_and_keep_the_route), md5)

    assert gateway_code(response) == "SignatureDoesNotMatch"


async def test_body_that_does_not_match_its_content_sha256_is_signature_does_not_match(
    client_for: ClientFor, credentials: AccessKeyCredentials, md5: str
) -> None:
    async with client_for(AcsV3Auth(credentials)) as client:
        request = client.build_request("POST", api_path(md5=md5), params=PARAMS)
        AcsV3Auth(credentials).sign(request)
        request.stream = httpx.ByteStream(b"a body the hash does not cover")
        request.headers["content-length"] = "30"
        response = await client.send(request, auth=None)

    assert gateway_code(response) == "SignatureDoesNotMatch"


# --- the timestamp -----------------------------------------------------------------------------


@pytest.mark.parametrize("offset", [-16 * 60, 16 * 60])
async def test_date_more_than_15_minutes_off_is_invalid_timestamp_expired(
    client_for: ClientFor,
    service: EmulatedService,
    credentials: AccessKeyCredentials,
    md5: str,
    offset: int,
) -> None:
    auth = signed_once(AcsV3Auth(credentials, clock=lambda: service.now() + offset))

    response = await call(client_for, auth, md5)

    assert (response.status_code, gateway_code(response)) == (400, "InvalidTimeStamp.Expired")


@pytest.mark.parametrize("offset", [-14 * 60, 14 * 60])
async def test_date_less_than_15_minutes_off_is_accepted(
    client_for: ClientFor,
    service: EmulatedService,
    credentials: AccessKeyCredentials,
    md5: str,
    offset: int,
) -> None:
    auth = signed_once(AcsV3Auth(credentials, clock=lambda: service.now() + offset))

    response = await call(client_for, auth, md5)

    assert response.status_code == 200


async def test_signer_corrects_its_clock_from_the_date_header_of_a_skew_rejection(
    client_for: ClientFor, service: EmulatedService, credentials: AccessKeyCredentials, md5: str
) -> None:
    # The client's call flow hands the rejection to AcsV3Auth.recover, then signs again.
    service.advance_clock(3 * 3600)
    auth = AcsV3Auth(credentials)
    rejected = await call(client_for, auth, md5)
    error = ApiError(
        code=gateway_code(rejected),
        message="",
        request_id=None,
        status_code=rejected.status_code,
        response=rejected,
    )

    corrected = auth.recover(error)
    response = await call(client_for, auth, md5)

    assert corrected
    assert response.status_code == 200


@pytest.mark.parametrize(
    "value", ["2024-01-01 00:00:00", "2024-01-01T00:00:00+08:00", "2024-13-01T00:00:00Z", "now"]
)
async def test_malformed_date_is_invalid_timestamp_format(
    client_for: ClientFor, credentials: AccessKeyCredentials, md5: str, value: str
) -> None:
    def redate(request: httpx.Request) -> None:
        request.headers["x-acs-date"] = value

    response = await call(client_for, tampered(credentials, redate), md5)

    assert gateway_code(response) == "InvalidTimeStamp.Format"


# --- the nonce ---------------------------------------------------------------------------------


async def test_nonce_used_twice_is_signature_nonce_used(
    client_for: ClientFor, credentials: AccessKeyCredentials, md5: str
) -> None:
    auth = AcsV3Auth(credentials, nonce=lambda: "the-same-nonce")

    first = await call(client_for, auth, md5)
    second = await call(client_for, auth, md5)

    assert first.status_code == 200
    assert (second.status_code, gateway_code(second)) == (400, "SignatureNonceUsed")


async def test_nonce_used_again_30_minutes_later_is_still_refused(
    client_for: ClientFor, service: EmulatedService, credentials: AccessKeyCredentials, md5: str
) -> None:
    auth = AcsV3Auth(credentials, clock=service.now, nonce=lambda: "the-same-nonce")
    await call(client_for, auth, md5)
    service.advance_clock(30 * 60)

    response = await call(client_for, auth, md5)

    assert gateway_code(response) == "SignatureNonceUsed"


async def test_nonce_may_be_used_again_after_31_minutes(
    client_for: ClientFor, service: EmulatedService, credentials: AccessKeyCredentials, md5: str
) -> None:
    auth = AcsV3Auth(credentials, clock=service.now, nonce=lambda: "the-same-nonce")
    await call(client_for, auth, md5)
    service.advance_clock(31 * 60 + 1)

    response = await call(client_for, auth, md5)

    assert response.status_code == 200


async def test_nonce_of_a_rejected_request_is_not_used_up(
    client_for: ClientFor, credentials: AccessKeyCredentials, md5: str
) -> None:
    wrong = AcsV3Auth(AccessKeyCredentials(credentials.access_key_id, "x"), nonce=lambda: "n1")
    await call(client_for, wrong, md5)

    response = await call(client_for, AcsV3Auth(credentials, nonce=lambda: "n1"), md5)

    assert response.status_code == 200


# --- the AccessKey and the STS token ------------------------------------------------------------


async def test_unknown_access_key_is_invalid_access_key_id_not_found(
    client_for: ClientFor, md5: str
) -> None:
    response = await call(client_for, AcsV3Auth(AccessKeyCredentials("LTAI-nobody", "s")), md5)

    assert (response.status_code, gateway_code(response)) == (404, "InvalidAccessKeyId.NotFound")


async def test_deactivated_access_key_is_invalid_access_key_id_inactive(
    client_for: ClientFor, service: EmulatedService, credentials: AccessKeyCredentials, md5: str
) -> None:
    service.deactivate_access_key(credentials.access_key_id)

    response = await call(client_for, AcsV3Auth(credentials), md5)

    assert gateway_code(response) == "InvalidAccessKeyId.Inactive"


@pytest.fixture
def sts_service() -> EmulatedService:
    return EmulatedService(sts_tokens={"STS.AK": ("sts-secret", "the-token")})


async def sts_call(service: EmulatedService, credentials: AccessKeyCredentials) -> httpx.Response:
    md5 = service.add_artifact(ORG, PIPELINE, RUN, JOB, b"x")

    async with in_process_client(service, AcsV3Auth(credentials)) as client:
        return await client.post(api_path(md5=md5), params=PARAMS)


async def test_sts_key_with_its_token_is_accepted(sts_service: EmulatedService) -> None:
    response = await sts_call(
        sts_service, AccessKeyCredentials("STS.AK", "sts-secret", "the-token")
    )

    assert response.status_code == 200


async def test_sts_key_without_its_token_is_missing_security_token(
    sts_service: EmulatedService,
) -> None:
    response = await sts_call(sts_service, AccessKeyCredentials("STS.AK", "sts-secret"))

    assert gateway_code(response) == "MissingSecurityToken"


async def test_sts_key_with_another_token_is_invalid_security_token_malformed(
    sts_service: EmulatedService,
) -> None:
    response = await sts_call(sts_service, AccessKeyCredentials("STS.AK", "sts-secret", "forged"))

    assert gateway_code(response) == "InvalidSecurityToken.Malformed"


async def test_expired_sts_token_is_invalid_security_token_expired(
    sts_service: EmulatedService,
) -> None:
    sts_service.expire_security_token("STS.AK")

    response = await sts_call(
        sts_service, AccessKeyCredentials("STS.AK", "sts-secret", "the-token")
    )

    assert gateway_code(response) == "InvalidSecurityToken.Expired"


async def test_sts_token_with_a_permanent_key_is_a_mismatch() -> None:
    service = EmulatedService({"AK": "secret"})

    response = await sts_call(service, AccessKeyCredentials("AK", "secret", "a-token"))

    assert gateway_code(response) == "InvalidSecurityToken.MismatchWithAccessKey"


# --- action and version ------------------------------------------------------------------------


async def test_other_action_is_invalid_action_not_found(
    client_for: ClientFor, credentials: AccessKeyCredentials, md5: str
) -> None:
    response = await call(client_for, AcsV3Auth(credentials, action="ListPipelines"), md5)

    assert (response.status_code, gateway_code(response)) == (404, "InvalidAction.NotFound")


async def test_other_version_is_invalid_version(
    client_for: ClientFor, credentials: AccessKeyCredentials, md5: str
) -> None:
    response = await call(client_for, AcsV3Auth(credentials, version="2020-01-01"), md5)

    assert (response.status_code, gateway_code(response)) == (400, "InvalidVersion")


# --- throttling --------------------------------------------------------------------------------


async def test_calls_beyond_the_rate_limit_are_throttling_user_with_retry_after(
    client_for: ClientFor, service: EmulatedService, credentials: AccessKeyCredentials, md5: str
) -> None:
    service.rate_limit = (2, 10.0)
    auth = AcsV3Auth(credentials)

    statuses = [(await call(client_for, auth, md5)).status_code for _ in range(2)]
    throttled = await call(client_for, auth, md5)

    assert statuses == [200, 200]
    # 400, as the API metadata lists Throttling.User; the hint is in milliseconds.
    assert (throttled.status_code, gateway_code(throttled)) == (400, "Throttling.User")
    assert int(throttled.headers["x-acs-retry-after"]) in range(1, 10_001)


async def test_rate_limit_admits_calls_again_once_the_window_has_passed(
    client_for: ClientFor, service: EmulatedService, credentials: AccessKeyCredentials, md5: str
) -> None:
    service.rate_limit = (1, 10.0)
    auth = AcsV3Auth(credentials, clock=service.now)
    await call(client_for, auth, md5)
    service.advance_clock(10.5)

    response = await call(client_for, auth, md5)

    assert response.status_code == 200


async def test_rate_limit_counts_each_access_key_apart(md5: str) -> None:
    service = EmulatedService({"AK1": "s1", "AK2": "s2"}, rate_limit=(1, 60.0))
    md5 = service.add_artifact(ORG, PIPELINE, RUN, JOB, b"x")

    statuses = []
    for key_id, secret in (("AK1", "s1"), ("AK2", "s2")):
        async with in_process_client(service, AcsV3Auth(AccessKeyCredentials(key_id, secret))) as c:
            statuses.append((await c.post(api_path(md5=md5), params=PARAMS)).status_code)

    assert statuses == [200, 200]


# --- the gateway body --------------------------------------------------------------------------


async def test_gateway_error_body_has_request_id_host_id_and_recommend(
    client_for: ClientFor, md5: str
) -> None:
    response = await call(client_for, None, md5)

    body = response.json()
    assert body["RequestId"] == response.headers["x-acs-request-id"]
    assert body["HostId"] == "emulator.test"
    assert body["Recommend"] == (
        "https://api.aliyun.com/troubleshoot?q=IncompleteSignature&product=devops"
    )


@pytest.mark.parametrize("code", sorted(gateway_codes()))
async def test_every_gateway_code_of_the_contract_answers_a_declared_status_with_a_message(
    api: httpx.AsyncClient, service: EmulatedService, md5: str, code: str
) -> None:
    service.fail_next(code=code, shape="gateway")

    response = await api.post(api_path(md5=md5), params=PARAMS)  # the hook checks the status

    assert gateway_code(response) == code
    assert response.json()["Message"] not in {"", code}


def test_time_module_is_not_what_the_emulator_reads() -> None:
    # The emulator's clock is its own: moving it does not depend on the process clock.
    service = EmulatedService(now=lambda: 1_000_000.0)
    service.advance_clock(5)

    assert service.now() == 1_000_005.0
    assert abs(time.time() - 1_000_005.0) > 1
