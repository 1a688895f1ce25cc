"""Fuzzing the emulator's two ways in with hostile values (hypothesis): the ``--config`` file
and the control API. Each hostile value ends in one line and exit 2 (``--config``), or a 400 in
the contract's shape ``{"error", "message"}`` (control API), or is taken; never a traceback,
a 500, a hang, or an emulator that answers every later call with a plain-text 500."""

from __future__ import annotations

import asyncio
import json
import math
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest
from attack_support import CONNECTION, JOB, ORG, PIPELINE, RUN, TOKEN, TOKEN_PATH
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from yunxiao_emas.testing import EmulatedService, EmulatorConfigError

fuzzing = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# Values that broke the emulator once, and their kin: huge, non-finite, negative, of the wrong
# type, with control characters, nested.
hostile_numbers = st.one_of(
    st.sampled_from([math.nan, math.inf, -math.inf, 1e308, -1e308, 1e21, 5e7, -1, 0, 2**63]),
    st.integers(min_value=-(10**400), max_value=10**400),
    st.floats(allow_nan=True, allow_infinity=True),
)
hostile_text = st.one_of(
    st.sampled_from(["", "\r\n", "1\r\nx-injected: 1", "\x00", "\u00e9", "../..", "%2e%2e"]),
    st.text(max_size=20),
)
hostile_scalars = st.one_of(hostile_numbers, hostile_text, st.booleans(), st.none())
hostile_values = st.recursive(
    hostile_scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(hostile_text, inner, max_size=3)
    ),
    max_leaves=6,
)


# --- the control API -----------------------------------------------------------------------

FAULT_KEYS = [
    "count",
    "code",
    "status",
    "message",
    "retry_after",
    "shape",
    "operation",
    "offset",
    "seconds",
    "token",
    "access_key_id",
]
FAULT_NAMES = [
    "fail_next",
    "drop_next",
    "drop_download_after",
    "corrupt_next_download",
    "expire_urls",
    "clear_faults",
    "advance_clock",
    "latency",
    "expire_token",
    "revoke_token",
    "deactivate_access_key",
    "expire_security_token",
]
fault_bodies = st.fixed_dictionaries(
    {"fault": st.one_of(st.sampled_from(FAULT_NAMES), hostile_text)},
    optional={key: hostile_values for key in FAULT_KEYS},
)
artifact_bodies = st.fixed_dictionaries(
    {
        "organization_id": st.one_of(st.just(ORG), hostile_values),
        "pipeline_id": st.one_of(st.just(PIPELINE), hostile_values),
        "pipeline_run_id": st.one_of(st.just(RUN), hostile_values),
        "emas_job_instance_id": st.one_of(st.just(JOB), hostile_values),
    },
    optional={
        "size": hostile_values,
        "content_base64": hostile_values,
        "service_connection_id": hostile_values,
        "filename": hostile_values,
        "md5": hostile_values,
    },
)
QUERY = {
    "pipelineId": PIPELINE,
    "pipelineRunId": RUN,
    "emasJobInstanceId": JOB,
    "md5": "assasas",
    "serviceConnectionId": CONNECTION,
}


async def control_then_call(path: str, body: dict[str, Any]) -> tuple[httpx.Response, Any]:
    """The control API's answer to ``body``, then (unless the fault slows or cuts calls) the
    token API's answer to one call."""
    service = EmulatedService(tokens=[TOKEN])
    transport = httpx.ASGITransport(app=service.asgi_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as http:
        answer = await http.post(
            path, content=json.dumps(body), headers={"content-type": "application/json"}
        )
        if body.get("fault") in ("latency", "drop_next") and answer.status_code == 200:
            return answer, None
        call = await asyncio.wait_for(
            http.get(TOKEN_PATH, params=QUERY, headers={"x-yunxiao-token": TOKEN}), 30
        )
        return answer, call


def assert_contract_shape(answer: httpx.Response) -> None:
    assert answer.status_code in (200, 400, 413), (answer.status_code, answer.text)
    assert answer.headers["content-type"] == "application/json"
    payload = answer.json()
    if answer.status_code != 200:
        assert set(payload) == {"error", "message"}
        assert "\n" not in payload["message"]


def assert_still_answers(call: httpx.Response | None) -> None:
    if call is None:
        return
    # Whatever the fault made of it, an answer of the API in its JSON shape, never a crash.
    assert call.headers["content-type"].startswith("application/json"), call.text
    json.loads(call.content)


@fuzzing
@given(body=fault_bodies)
def test_hostile_faults_are_a_400_or_applied_and_the_emulator_still_answers(
    body: dict[str, Any],
) -> None:
    answer, call = asyncio.run(control_then_call("/_emulator/faults", body))

    assert_contract_shape(answer)
    assert_still_answers(call)


@fuzzing
@given(body=artifact_bodies)
def test_hostile_artifacts_are_a_400_or_added_and_the_emulator_still_answers(
    body: dict[str, Any],
) -> None:
    answer, call = asyncio.run(control_then_call("/_emulator/artifacts", body))

    assert_contract_shape(answer)
    assert_still_answers(call)


# --- --config ------------------------------------------------------------------------------

CONFIG_KEYS = [
    "access_keys",
    "sts_tokens",
    "tokens",
    "members",
    "organizations",
    "url_ttl",
    "rate_limit",
    "token_answers_as_text",
    "download_bandwidth",
    "latency",
    "artifacts",
]
configs = st.dictionaries(st.sampled_from(CONFIG_KEYS), hostile_values, min_size=1, max_size=3)


@fuzzing
@given(config=configs)
def test_a_hostile_config_is_refused_or_an_emulator_that_answers(config: dict[str, Any]) -> None:
    # Refused: an EmulatorConfigError, which the command prints as one line with exit 2 (the
    # command itself is driven below); anything else escaping here fails the test.
    try:
        service = EmulatedService.from_config(config)
    except EmulatorConfigError:
        return

    async def call() -> httpx.Response:
        transport = httpx.ASGITransport(app=service.asgi_app)
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as http:
            return await asyncio.wait_for(
                http.get(TOKEN_PATH, params=QUERY, headers={"x-yunxiao-token": "pt-x"}), 30
            )

    assert_still_answers(asyncio.run(call()))


CLI_CONFIGS = [
    {"latency": math.inf},
    {"latency": math.nan},
    {"url_ttl": 1e14},
    {"url_ttl": 10**400},
    {"rate_limit": [1, math.nan]},
    {"rate_limit": [1e21, 1]},
    {"download_bandwidth": -math.inf},
    {
        "artifacts": [
            {
                "organization_id": "o",
                "pipeline_id": 1,
                "pipeline_run_id": 1,
                "emas_job_instance_id": "j",
                "size": 1e21,
            }
        ]
    },
    {"tokens": [{"token": "pt-x", "expires_at": math.nan}]},
]


@pytest.mark.parametrize("config", CLI_CONFIGS, ids=[json.dumps(c)[:40] for c in CLI_CONFIGS])
def test_the_emulator_command_refuses_a_hostile_config_in_one_line_and_exit_2(
    config: dict[str, Any], tmp_path: Path, home: Path
) -> None:
    path = tmp_path / "emulator.json"
    path.write_text(json.dumps(config))  # Python's json writes NaN and Infinity, as YAML can

    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "yunxiao_emas.cli",
            "emulator",
            "--port",
            "0",
            "--config",
            str(path),
        ],
        capture_output=True,
        text=True,
        timeout=30,
        cwd=home,
        env={"HOME": str(home), "PATH": "/usr/bin:/bin"},
        check=False,
    )

    assert done.returncode == 2, done.stdout + done.stderr
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert "Traceback" not in done.stderr
