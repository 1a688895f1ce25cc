"""The control API and a web browser: a page a developer opens (or one that DNS rebinding
points at 127.0.0.1) can neither change the emulator nor read it. A cross-origin "simple"
request (``text/plain``, a form) is refused, as are a foreign ``Origin`` and a ``Host`` that
names neither loopback nor the address served on; scripts and test suites in any language,
which send JSON without an Origin, work as before.
"""

from __future__ import annotations

import base64
import json
from typing import Any

import httpx
import pytest
from attack_support import Target
from yunxiao_emas import ApiError

EVIL = "https://evil.example"
NEW_BYTES = base64.b64encode(b"replaced by a web page").decode()


def artifact_body(target: Target) -> dict[str, Any]:
    return {
        "organization_id": "my-org",
        "pipeline_id": 1111,
        "pipeline_run_id": 2,
        "emas_job_instance_id": "job-1",
        "content_base64": NEW_BYTES,
    }


WRITES = {
    "artifacts": lambda target: artifact_body(target),
    "faults": lambda target: {"fault": "fail_next", "count": 5, "code": "ServiceUnavailable"},
    "reset": lambda target: {"reset": True},
}


def outcome(target: Target) -> str:
    try:
        target.get_url("sync", retries=0)
    except ApiError as exc:
        return exc.code or "error"
    return "ok"


def state(target: Target) -> tuple[Any, ...]:
    """What a forged request could change, as the API shows it: the artifacts, and the fault
    queue (the fixture queued one failure: a reset would clear it, five more would stay)."""
    artifacts = json.dumps(target.service.artifacts(), sort_keys=True)
    return artifacts, outcome(target), outcome(target)


def post(target: Target, path: str, body: bytes, headers: dict[str, str]) -> httpx.Response:
    with httpx.Client(base_url=target.base_url) as http:
        return http.post(f"/_emulator/{path}", content=body, headers=headers)


@pytest.fixture
def target(emulate: Any) -> Target:
    made: Target = emulate()
    made.service.fail_next(1, code="ServiceUnavailable")  # reset would clear it
    return made


HOSTILE = {
    "cross-origin text/plain": {"content-type": "text/plain", "origin": EVIL},
    "cross-origin form": {"content-type": "application/x-www-form-urlencoded", "origin": EVIL},
    "cross-origin JSON": {"content-type": "application/json", "origin": EVIL},
    "null origin": {"content-type": "text/plain", "origin": "null"},
    "text/plain without origin": {"content-type": "text/plain"},
    "multipart without origin": {"content-type": "multipart/form-data; boundary=x"},
    "rebound host": {"content-type": "application/json", "host": "evil.example"},
    "rebound host with port": {"content-type": "application/json", "host": "evil.example:80"},
}


@pytest.mark.parametrize("headers", list(HOSTILE.values()), ids=list(HOSTILE))
@pytest.mark.parametrize("path", list(WRITES))
def test_a_forged_control_write_is_refused_and_changes_nothing(
    target: Target, path: str, headers: dict[str, str]
) -> None:
    artifacts = json.dumps(target.service.artifacts(), sort_keys=True)

    response = post(target, path, json.dumps(WRITES[path](target)).encode(), headers)

    assert response.status_code in (403, 415), response.text
    assert set(response.json()) == {"error", "message"}
    assert state(target) == (artifacts, "ServiceUnavailable", "ok")


@pytest.mark.parametrize("path", ["calls", "artifacts", ""])
@pytest.mark.parametrize("headers", [{"host": "evil.example"}, {"origin": EVIL}])
def test_a_rebound_or_cross_origin_read_is_refused(
    target: Target, path: str, headers: dict[str, str]
) -> None:
    with httpx.Client(base_url=target.base_url) as http:
        response = http.get(f"/_emulator/{path}", headers=headers)

    assert response.status_code == 403
    assert response.json()["error"] == "forbidden"
    assert "my-org" not in response.text


@pytest.mark.parametrize("host", ["localhost", "127.0.0.1", "LOCALHOST"])
def test_json_from_a_script_on_loopback_is_served(target: Target, host: str) -> None:
    port = httpx.URL(target.base_url).port
    response = post(
        target,
        "artifacts",
        json.dumps(artifact_body(target)).encode(),
        {"content-type": "application/json; charset=utf-8", "host": f"{host}:{port}"},
    )

    assert response.status_code == 200, response.text


def test_the_emulators_own_origin_is_served(target: Target) -> None:
    origin = target.base_url
    response = post(
        target,
        "reset",
        b"{}",
        {"content-type": "application/json", "origin": origin},
    )

    assert response.status_code == 200, response.text


def test_a_post_without_body_or_content_type_resets_as_curl_sends_it(target: Target) -> None:
    target.service.add_artifact("other-org", 1, 1, "job", b"added later")

    response = post(target, "reset", b"", {})

    assert response.status_code == 200, response.text
    assert "other-org" not in json.dumps(target.service.artifacts())
