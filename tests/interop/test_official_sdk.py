"""The official Alibaba Cloud SDK (Tea, alibabacloud_devops20210625), pointed at the emulator.

The emulator must answer it as the real service would: its V3 signature is verified by the
emulator's own code, so a shared misreading of the signature rules between our client and our
emulator cannot hide here.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from alibabacloud_devops20210625 import models
from alibabacloud_devops20210625.client import Client as OfficialClient
from alibabacloud_tea_openapi import models as open_api_models
from alibabacloud_tea_openapi.exceptions import ClientException
from alibabacloud_tea_util import models as util_models
from yunxiao_emas.testing import EmulatedService

KEY_ID, SECRET = "LTAIofficial", "official-sdk-secret"
STS_ID, STS_SECRET, STS_TOKEN = "STS.official", "sts-secret", "CAIS-official-token/+=="
ORG, PIPELINE, RUN, JOB, CONNECTION = "official-org", 1111, 1, "Psaxsa", 122
CONTENT = b"built by EMAS for the official SDK"


@pytest.fixture(scope="module")
def emulator() -> Iterator[tuple[EmulatedService, str, str]]:
    service = EmulatedService(
        access_keys={KEY_ID: SECRET}, sts_tokens={STS_ID: (STS_SECRET, STS_TOKEN)}
    )
    md5 = service.add_artifact(ORG, PIPELINE, RUN, JOB, CONTENT, service_connection_id=CONNECTION)
    with service.serve() as base_url:
        yield service, base_url, md5


def official(base_url: str, **credentials: str) -> OfficialClient:
    config = open_api_models.Config(
        endpoint=base_url.removeprefix("http://"), protocol="http", **credentials
    )
    return OfficialClient(config)


def call(client: OfficialClient, md5: str, run: int = RUN) -> Any:
    # The official signature: (organization, job, md5, pipeline, run, request, headers, runtime).
    return client.get_pipeline_emas_artifact_url_with_options(
        ORG,
        JOB,
        md5,
        str(PIPELINE),
        str(run),
        models.GetPipelineEmasArtifactUrlRequest(service_connection_id=CONNECTION),
        {},
        util_models.RuntimeOptions(),
    )


def test_official_sdk_signature_is_accepted_and_gets_the_url(
    emulator: tuple[EmulatedService, str, str],
) -> None:
    _, base_url, md5 = emulator
    client = official(base_url, access_key_id=KEY_ID, access_key_secret=SECRET)

    response = call(client, md5)

    assert response.status_code == 200
    assert response.body.success is True
    assert response.body.error_code == ""
    assert response.body.file_url.startswith(f"{base_url}/")
    assert response.body.request_id


def test_official_sdk_with_sts_credentials_is_accepted(
    emulator: tuple[EmulatedService, str, str],
) -> None:
    _, base_url, md5 = emulator
    client = official(
        base_url,
        access_key_id=STS_ID,
        access_key_secret=STS_SECRET,
        security_token=STS_TOKEN,
    )

    assert call(client, md5).body.success is True


def test_official_sdk_gets_the_documented_not_found_answer(
    emulator: tuple[EmulatedService, str, str],
) -> None:
    _, base_url, md5 = emulator
    client = official(base_url, access_key_id=KEY_ID, access_key_secret=SECRET)

    with pytest.raises(ClientException) as caught:
        call(client, md5, run=99)

    data = caught.value.data
    assert data["statusCode"] == 404
    assert data["errorCode"] == "InvalidPipelineRun.NotFound"
    assert data["errorMessage"] == "The pipeline execution instance is not found."


def test_official_sdk_with_a_wrong_secret_gets_signature_does_not_match(
    emulator: tuple[EmulatedService, str, str],
) -> None:
    _, base_url, md5 = emulator
    client = official(base_url, access_key_id=KEY_ID, access_key_secret="not-the-secret")

    with pytest.raises(ClientException) as caught:
        call(client, md5)

    assert caught.value.code == "SignatureDoesNotMatch"
    assert caught.value.data["statusCode"] == 400
