"""EmulatedService.from_config: the emulator configured from data (what `yunxiao-emas emulator
--config FILE` reads), and reset() back to that configuration."""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from emulator_support import CONNECTION, JOB, ORG, PIPELINE, RUN, api_path, in_process_client
from yunxiao_emas.auth.acs3 import AcsV3Auth
from yunxiao_emas.auth.token import TokenAuth
from yunxiao_emas.credentials import AccessKeyCredentials, PersonalAccessToken
from yunxiao_emas.testing import EmulatedService, EmulatorConfigError
from yunxiao_emas.testing._config import load_config

ARTIFACT = {
    "organization_id": ORG,
    "pipeline_id": PIPELINE,
    "pipeline_run_id": RUN,
    "emas_job_instance_id": JOB,
    "service_connection_id": CONNECTION,
}


def artifact(**changes: Any) -> dict[str, Any]:
    return {**ARTIFACT, **changes}


async def signed_call(
    service: EmulatedService, credentials: AccessKeyCredentials, md5: str
) -> httpx.Response:
    async with in_process_client(service, AcsV3Auth(credentials)) as client:
        return await client.post(api_path(md5=md5), params={"serviceConnectionId": CONNECTION})


async def test_access_keys_of_the_config_sign_calls() -> None:
    service = EmulatedService.from_config(
        {"access_keys": {"LTAI5tCi": "ci-secret"}, "artifacts": [artifact(size=10)]}
    )
    md5 = service.artifacts()[0]["md5"]

    good = await signed_call(service, AccessKeyCredentials("LTAI5tCi", "ci-secret"), md5)
    bad = await signed_call(service, AccessKeyCredentials("LTAI5tCi", "other"), md5)

    assert good.status_code == 200
    assert bad.json()["Code"] == "SignatureDoesNotMatch"


async def test_tokens_of_the_config_are_the_only_ones_accepted() -> None:
    service = EmulatedService.from_config({"tokens": ["pt-from-config"]})

    assert service.default_token == PersonalAccessToken("pt-from-config")
    async with in_process_client(service, TokenAuth(PersonalAccessToken("pt-other"))) as client:
        response = await client.get(
            f"/oapi/v1/flow/organizations/{ORG}/pipelines/getEmasArtifactDownloadUrl",
            params={
                "pipelineId": PIPELINE,
                "pipelineRunId": RUN,
                "emasJobInstanceId": JOB,
                "md5": "x",
                "serviceConnectionId": CONNECTION,
            },
        )
    assert response.status_code == 401


def test_a_token_entry_may_restrict_organizations() -> None:
    service = EmulatedService.from_config(
        {"tokens": [{"token": "pt-ci", "organizations": ["org-a"]}]}
    )

    assert service.default_token == PersonalAccessToken("pt-ci")


async def test_members_restrict_an_organization() -> None:
    service = EmulatedService.from_config(
        {
            "access_keys": {"LTAI5tIn": "in-secret", "LTAI5tOut": "out-secret"},
            "members": {ORG: ["LTAI5tIn"]},
            "artifacts": [artifact(size=1)],
        }
    )
    md5 = service.artifacts()[0]["md5"]

    outsider = await signed_call(service, AccessKeyCredentials("LTAI5tOut", "out-secret"), md5)

    assert outsider.json()["errorCode"] == "Forbidden.UserNotInCurrentOrganization"


def test_an_artifact_from_a_path_is_read_relative_to_the_base_dir(tmp_path: Path) -> None:
    (tmp_path / "app.apk").write_bytes(b"apk bytes")

    service = EmulatedService.from_config(
        {"artifacts": [artifact(path="app.apk")]}, base_dir=tmp_path
    )

    (listed,) = service.artifacts()
    assert listed["md5"] == hashlib.md5(b"apk bytes", usedforsecurity=False).hexdigest()
    assert (listed["filename"], listed["size"]) == ("app.apk", 9)


def test_an_artifact_from_base64_has_those_bytes() -> None:
    encoded = base64.b64encode(b"hello").decode()

    service = EmulatedService.from_config(
        {"artifacts": [artifact(content_base64=encoded, filename="a.ipa")]}
    )

    (listed,) = service.artifacts()
    assert listed["md5"] == hashlib.md5(b"hello", usedforsecurity=False).hexdigest()
    assert listed["filename"] == "a.ipa"


def test_a_generated_artifact_has_the_same_md5_in_every_run() -> None:
    config = {"artifacts": [artifact(size=4096)]}

    first = EmulatedService.from_config(config).artifacts()[0]
    second = EmulatedService.from_config(config).artifacts()[0]

    assert first["md5"] == second["md5"]
    assert first["size"] == 4096


def test_generated_artifacts_of_other_ids_differ() -> None:
    service = EmulatedService.from_config(
        {"artifacts": [artifact(size=64), artifact(size=64, pipeline_run_id=RUN + 1)]}
    )

    md5s = {listed["md5"] for listed in service.artifacts()}
    assert len(md5s) == 2


def test_a_given_md5_is_the_one_the_api_is_called_with() -> None:
    service = EmulatedService.from_config({"artifacts": [artifact(size=8, md5="assasas")]})

    assert service.artifacts()[0]["md5"] == "assasas"


def test_rate_limit_url_ttl_latency_and_text_answers_are_set() -> None:
    service = EmulatedService.from_config(
        {
            "rate_limit": [5, 2.5],
            "url_ttl": 60,
            "latency": 0.25,
            "token_answers_as_text": True,
        }
    )

    assert service.rate_limit == (5, 2.5)
    assert (service.url_ttl, service.latency, service.token_answers_as_text) == (60, 0.25, True)


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ({"acess_keys": {}}, "the configuration: unknown key acess_keys (known: access_keys"),
        ({"access_keys": ["LTAI"]}, "access_keys must be a mapping with text keys, got list"),
        ({"access_keys": {"LTAI": 5}}, "access_keys.LTAI must be a string, got int"),
        ({"rate_limit": [5]}, "rate_limit must be [requests, per_seconds]"),
        ({"rate_limit": [0, 1]}, "rate_limit must be [requests >= 1, per_seconds > 0]"),
        ({"tokens": "pt-one"}, "tokens must be a list, got str"),
        ({"url_ttl": 10**12}, "url_ttl must be an integer in 1..604800, got 1000000000000"),
        ({"latency": float("nan")}, "latency must be a number in 0..3600, got nan"),
        ({"download_bandwidth": float("inf")}, "download_bandwidth must be a number > 0"),
        ({"rate_limit": [5, float("inf")]}, "rate_limit must be [requests >= 1, per_seconds > 0]"),
        (
            {"tokens": [{"token": "pt-a", "expires_at": float("nan")}]},
            "tokens[0].expires_at must be a number in",
        ),
        ({"tokens": ["pt with space"]}, "tokens[0]: token: must hold visible ASCII"),
        ({"artifacts": [{"organization_id": ORG}]}, "artifacts[0]: missing pipeline_id"),
        ({"artifacts": [artifact()]}, "artifacts[0]: give the bytes by exactly one of path, size"),
        (
            {"artifacts": [artifact(size=1, content_base64="aGk=")]},
            "artifacts[0]: give the bytes by exactly one of path, size, content_base64 "
            "(got size, content_base64)",
        ),
        ({"artifacts": [artifact(size=-1)]}, "artifacts[0].size must be 0..1073741824 bytes"),
        ({"artifacts": [artifact(size="1")]}, "artifacts[0].size must be an integer, got str"),
        ({"artifacts": [artifact(pipeline_id=0, size=1)]}, "artifacts[0]: pipelineId must be"),
        ({"artifacts": [artifact(path="missing.apk")]}, "artifacts[0].path: cannot read"),
        (
            {"artifacts": [artifact(content_base64="!!")]},
            "artifacts[0].content_base64 is not valid base64",
        ),
        ({"artifacts": [artifact(size=1, colour="red")]}, "artifacts[0]: unknown key colour"),
    ],
)
def test_a_bad_config_names_the_key_at_fault(
    tmp_path: Path, config: dict[str, Any], message: str
) -> None:
    with pytest.raises(EmulatorConfigError) as raised:
        EmulatedService.from_config(config, base_dir=tmp_path)

    assert message in str(raised.value)
    assert "\n" not in str(raised.value)


def test_a_yaml_file_and_a_json_file_give_the_same_config(tmp_path: Path) -> None:
    data = {"access_keys": {"LTAI5tCi": "s"}, "artifacts": [artifact(size=3)]}
    (tmp_path / "c.json").write_text(json.dumps(data))
    (tmp_path / "c.yaml").write_text(
        "access_keys: {LTAI5tCi: s}\n"
        "artifacts:\n"
        f"  - {{organization_id: {ORG}, pipeline_id: {PIPELINE}, pipeline_run_id: {RUN},\n"
        f"     emas_job_instance_id: {JOB}, service_connection_id: {CONNECTION}, size: 3}}\n"
    )

    assert load_config(tmp_path / "c.json") == load_config(tmp_path / "c.yaml") == data


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("c.json", "{", "not valid JSON (Expecting property name"),
        ("c.yaml", "a: [1,", "not valid YAML ("),
        ("c.yaml", "- just\n- a list\n", "the configuration must be a mapping"),
    ],
)
def test_a_file_that_does_not_parse_is_one_line(
    tmp_path: Path, name: str, text: str, message: str
) -> None:
    path = tmp_path / name
    path.write_text(text)

    with pytest.raises(EmulatorConfigError) as raised:
        load_config(path)

    assert str(raised.value).startswith(f"{path}: ")
    assert message in str(raised.value)


# --- reset() and the baseline ----------------------------------------------------------------


def test_reset_comes_back_to_the_config() -> None:
    service = EmulatedService.from_config({"artifacts": [artifact(size=5)]})
    configured = service.artifacts()
    service.add_artifact(ORG, PIPELINE, RUN + 1, JOB, b"added later")
    service.fail_next(code="ServiceUnavailable")
    service.latency = 1.0

    service.reset()

    assert service.artifacts() == configured
    assert service.latency == 0.0
    assert service.calls == []


async def test_reset_forgets_queued_faults_and_calls() -> None:
    service = EmulatedService.from_config({"artifacts": [artifact(size=5)]})
    md5 = service.artifacts()[0]["md5"]
    service.fail_next(code="ServiceUnavailable")
    await signed_call(service, service.default_credentials, md5)
    service.fail_next(code="ServiceUnavailable")

    service.reset()
    response = await signed_call(service, service.default_credentials, md5)

    assert response.status_code == 200
    assert [call.status for call in service.calls] == [200]


def test_reset_forgets_keys_added_after_the_baseline() -> None:
    service = EmulatedService(access_keys={"LTAI5tFirst": "s"})
    service.add_access_key("LTAI5tLater", "s")

    service.reset()

    assert service.default_credentials.access_key_id == "LTAI5tFirst"
    with pytest.raises(KeyError):
        service.deactivate_access_key("LTAI5tLater")


def test_mark_baseline_makes_the_present_state_the_one_reset_returns_to() -> None:
    service = EmulatedService()
    service.add_artifact(ORG, PIPELINE, RUN, JOB, b"seeded")
    service.mark_baseline()
    service.add_artifact(ORG, PIPELINE, RUN + 1, JOB, b"per test")

    service.reset()

    assert [listed["pipeline_run_id"] for listed in service.artifacts()] == [RUN]


def test_reset_keeps_a_test_clock_driving_the_emulator() -> None:
    now = [1_000_000.0]
    service = EmulatedService(now=lambda: now[0])

    service.reset()
    now[0] += 10

    assert service.now() == 1_000_010.0


@pytest.mark.parametrize(
    ("name", "value"),
    [("latency", float("nan")), ("url_ttl", 0), ("download_bandwidth", float("inf"))],
)
def test_a_setting_out_of_its_range_is_refused_by_the_service_in_the_same_words(
    name: str, value: float
) -> None:
    service = EmulatedService()

    with pytest.raises(ValueError, match=f"^{name} must be an? (integer|number) "):
        setattr(service, name, value)


def test_the_clock_cannot_be_moved_by_an_infinite_time() -> None:
    service = EmulatedService(now=lambda: 1_700_000_000.0)
    before = service.now()

    with pytest.raises(ValueError, match="seconds must be a number in"):
        service.advance_clock(float("inf"))
    assert service.now() == before
