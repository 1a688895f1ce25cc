"""The emulator explains a signature mismatch: its ``SignatureDoesNotMatch`` body carries, under
``EmulatorSignatureCheck`` (the emulator only), the canonical request and string to sign it
built, and ``/_emulator/calls`` records them for that call. It accepts exactly the signatures of
signing-vectors.json, and for a wrong one explains with the vector's own canonical request."""

from __future__ import annotations

import calendar
import hashlib
import json
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from emulator_support import CONNECTION, api_path, gateway_code, in_process_client
from yunxiao_emas.auth.acs3 import AcsV3Auth, sign_parts
from yunxiao_emas.credentials import AccessKeyCredentials
from yunxiao_emas.testing import EmulatedService

PARAMS = {"serviceConnectionId": CONNECTION}
FIELD = "EmulatorSignatureCheck"
VECTORS: list[dict[str, Any]] = json.loads(
    (Path(__file__).resolve().parents[2] / "signing-vectors.json").read_text(encoding="utf-8")
)["vectors"]
# The vectors of the operation the emulator serves; the others name actions it does not have.
EMAS_VECTORS = [v for v in VECTORS if v["headers"]["x-acs-action"] == "GetPipelineEmasArtifactUrl"]


async def wrong_secret_call(
    service: EmulatedService, md5: str, sent: list[httpx.Request] | None = None
) -> httpx.Response:
    key_id = service.default_credentials.access_key_id
    hooks = {"request": [_keep(sent)]} if sent is not None else {}
    async with in_process_client(
        service, AcsV3Auth(AccessKeyCredentials(key_id, "not-the-secret"))
    ) as client:
        client.event_hooks.update(hooks)
        return await client.post(api_path(md5=md5), params=PARAMS)


def _keep(sent: list[httpx.Request] | None) -> Any:
    async def hook(request: httpx.Request) -> None:
        assert sent is not None
        sent.append(request)

    return hook


async def test_a_wrong_secret_gets_the_canonical_request_the_emulator_built(
    service: EmulatedService, md5: str
) -> None:
    sent: list[httpx.Request] = []

    response = await wrong_secret_call(service, md5, sent)

    assert gateway_code(response) == "SignatureDoesNotMatch"
    check = response.json()[FIELD]
    request = sent[0]
    names = check["signedHeaders"].split(";")
    expected = sign_parts(
        "the secret does not matter to the canonical request",
        request.method,
        request.url.raw_path.split(b"?")[0].decode(),
        request.url.params.multi_items(),
        {name: request.headers[name] for name in names},
    )
    assert check["canonicalRequest"] == expected.canonical_request
    assert check["stringToSign"] == expected.string_to_sign
    assert check["stringToSign"].endswith(
        hashlib.sha256(check["canonicalRequest"].encode()).hexdigest()
    )


async def test_the_explanation_says_the_real_gateway_never_sends_it(
    service: EmulatedService, md5: str
) -> None:
    response = await wrong_secret_call(service, md5)

    assert "never by Alibaba Cloud's gateway" in response.json()[FIELD]["note"]


async def test_the_mismatch_body_still_has_every_key_of_the_gateway_body(
    service: EmulatedService, md5: str
) -> None:
    response = await wrong_secret_call(service, md5)

    body = response.json()
    assert {"RequestId", "HostId", "Code", "Message", "Recommend"} < set(body)
    assert body["Message"].endswith(body[FIELD]["stringToSign"])


async def test_the_calls_record_the_explanation_of_the_mismatched_call_only(
    service: EmulatedService, md5: str, api: httpx.AsyncClient
) -> None:
    await api.post(api_path(md5=md5), params=PARAMS)
    response = await wrong_secret_call(service, md5)

    first, second = service.api_calls
    assert first.signature_check is None
    assert second.signature_check == response.json()[FIELD]


async def test_the_control_api_lists_the_explanation_with_the_call(
    service: EmulatedService, md5: str
) -> None:
    response = await wrong_secret_call(service, md5)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=service.asgi_app), base_url="http://emulator.test"
    ) as control:
        calls = (await control.get("/_emulator/calls")).json()["calls"]

    assert [call["signature_check"] for call in calls] == [response.json()[FIELD]]


async def test_other_gateway_refusals_carry_no_explanation(
    service: EmulatedService, md5: str
) -> None:
    async with in_process_client(
        service, AcsV3Auth(AccessKeyCredentials("LTAIunknown", "secret"))
    ) as client:
        response = await client.post(api_path(md5=md5), params=PARAMS)

    assert gateway_code(response) == "InvalidAccessKeyId.NotFound"
    assert FIELD not in response.json()
    assert service.api_calls[-1].signature_check is None


async def test_an_sts_token_is_never_echoed_in_the_explanation(md5: str) -> None:
    token = "CAIS-a-security-token-to-keep-out-of-answers"
    service = EmulatedService(sts_tokens={"STS.key": ("sts-secret", token)})
    md5 = service.add_artifact("org", 1, 1, "job", b"content")

    async with in_process_client(
        service, AcsV3Auth(AccessKeyCredentials("STS.key", "wrong", token))
    ) as client:
        response = await client.post(api_path(org="org", pipeline=1, run=1, job="job", md5=md5))

    assert gateway_code(response) == "SignatureDoesNotMatch"
    assert token not in response.text
    assert token not in repr(service.calls)
    assert (
        "x-acs-security-token:<x-acs-security-token redacted>\n"
        in (response.json()[FIELD]["canonicalRequest"])
    )


# --- the published vectors ---------------------------------------------------------------------


def vector_service(vector: dict[str, Any]) -> EmulatedService:
    """An emulator whose clock reads the vector's date and that knows the vector's key."""
    sent_at = calendar.timegm(time.strptime(vector["headers"]["x-acs-date"], "%Y-%m-%dT%H:%M:%SZ"))
    key_id, secret, token = (
        vector["accessKeyId"],
        vector["accessKeySecret"],
        vector["securityToken"],
    )
    if token:
        return EmulatedService({}, sts_tokens={key_id: (secret, token)}, now=lambda: sent_at)
    return EmulatedService({key_id: secret}, now=lambda: sent_at)


async def send_vector(vector: dict[str, Any], signature: str) -> httpx.Response:
    service = vector_service(vector)
    names = vector["signedHeaders"]
    headers = {
        **vector["headers"],
        "authorization": f"ACS3-HMAC-SHA256 Credential={vector['accessKeyId']},"
        f"SignedHeaders={names},Signature={signature}",
    }
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=service.asgi_app), base_url="http://emulator.test"
    ) as client:
        request = client.build_request(
            vector["method"],
            "http://emulator.test" + vector["path"],
            params=vector["query"],
            headers=headers,
            content=vector["body"].encode("utf-8"),
        )
        # The path exactly as the vector sends it (httpx would normalise some escapes).
        request.url = request.url.copy_with(raw_path=_raw_target(vector))
        return await client.send(request)


def _raw_target(vector: dict[str, Any]) -> bytes:
    query = str(httpx.QueryParams(vector["query"]))
    target = vector["path"] + (f"?{query}" if query else "")
    return target.encode("utf-8")


@pytest.mark.parametrize("vector", EMAS_VECTORS, ids=[v["name"] for v in EMAS_VECTORS])
async def test_the_emulator_accepts_every_vectors_signature(vector: dict[str, Any]) -> None:
    response = await send_vector(vector, vector["signature"])

    # Past the gateway: the service answers (its ids name no artifact here).
    assert "Code" not in response.json(), response.json()
    assert response.json()["errorCode"] == "InvalidOrganization.NotFound"


@pytest.mark.parametrize("vector", EMAS_VECTORS, ids=[v["name"] for v in EMAS_VECTORS])
async def test_a_wrong_signature_is_explained_with_the_vectors_canonical_request(
    vector: dict[str, Any],
) -> None:
    response = await send_vector(vector, "0" * 64)

    check = response.json()[FIELD]
    expected = vector["canonicalRequest"]
    if vector["securityToken"]:
        expected = expected.replace(vector["securityToken"], "<x-acs-security-token redacted>")
    assert check["canonicalRequest"] == expected
    assert check["stringToSign"] == vector["stringToSign"]
