"""``yunxiao-emas check-contract``: does an endpoint still answer as openapi.yaml says?

Three fixed calls, never a fuzzer against a live service: one success with the ids the user
gives, one unknown pipeline run, one unsigned request. Each answer's status must be documented
for the operation and its body must validate against the bundled spec's schema for that status.
Needs PyYAML and jsonschema (the ``cli`` extra).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

import attrs
import httpx

from ._spec import load_spec, resolve
from ._validation import MAX_SAFE_INTEGER
from .client import Client

OPERATION_PATH = (
    "/organization/{organizationId}/pipeline/{pipelineId}/pipelineRun/{pipelineRunId}"
    "/emas/artifact/{emasJobInstanceId}/{md5}"
)


def response_problems(
    spec: Mapping[str, Any], status: int, headers: Mapping[str, str], content: bytes
) -> list[str]:
    """Why an answer does not conform to the spec (empty when it does)."""
    from jsonschema import Draft7Validator

    responses = spec["paths"][OPERATION_PATH]["post"]["responses"]
    documented = responses.get(str(status)) or responses.get(f"{str(status)[0]}XX")
    if documented is None:
        return [f"HTTP {status} is not a documented status ({', '.join(sorted(responses))})"]
    documented = resolve(spec, documented)
    problems: list[str] = []
    for name in documented.get("headers", {}):
        value = headers.get(name)
        digits = (value or "").strip()
        if value is not None and not (digits.isascii() and digits.isdigit() and int(digits) >= 1):
            problems.append(f"header {name}: {value!r} is not a positive integer")
    media = documented.get("content", {}).get("application/json")
    if media is None:
        return problems
    content_type = headers.get("content-type", "")
    if "json" not in content_type:
        problems.append(f"content-type is {content_type!r}, the spec says application/json")
    try:
        body = json.loads(content)
    except ValueError:
        excerpt = content[:120].decode("utf-8", "replace")
        return [*problems, f"the body is not JSON: {excerpt!r}"]
    # allOf, not a bare $ref: siblings of $ref are ignored by JSON Schema draft 7.
    schema = {"allOf": [dict(media["schema"])], "components": spec["components"]}
    for error in sorted(Draft7Validator(schema).iter_errors(body), key=lambda e: list(e.path)):
        where = "/".join(str(part) for part in error.absolute_path) or "(body)"
        problems.append(f"{where}: {error.message}")
    return problems


@attrs.frozen
class Check:
    name: str
    status: int | None
    problems: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.problems


@attrs.frozen
class Report:
    endpoint: str
    checks: tuple[Check, ...]

    @property
    def ok(self) -> bool:
        return all(check.ok for check in self.checks)

    def lines(self) -> Iterator[str]:
        yield f"contract check of {self.endpoint} against the bundled openapi.yaml"
        for check in self.checks:
            status = f"HTTP {check.status}" if check.status is not None else "no answer"
            yield f"{'ok  ' if check.ok else 'FAIL'} {check.name} ({status})"
            for problem in check.problems:
                yield f"     - {problem}"
        yield "the endpoint conforms" if self.ok else "the endpoint has drifted from the spec"


def _json_field(content: bytes, *names: str) -> Any:
    try:
        body = json.loads(content)
    except ValueError:
        return None
    if not isinstance(body, dict):
        return None
    for name in names:
        if name in body:
            return body[name]
    return None


def check_endpoint(
    client: Client,
    organization_id: str,
    pipeline_id: int,
    pipeline_run_id: int,
    emas_job_instance_id: str,
    md5: str,
    *,
    service_connection_id: int,
) -> Report:
    """Run the three calls through ``client``'s connection and signer and judge each answer."""
    spec = load_spec()
    core, http = client._core, client._http
    ids = (organization_id, pipeline_id, pipeline_run_id, emas_job_instance_id, md5)

    def call(name: str, kwargs: dict[str, Any], expect: str) -> Check:
        try:
            response = http.request(**kwargs)
        except httpx.RequestError as exc:
            return Check(name, None, (f"no answer: {type(exc).__name__}: {exc}",))
        problems = response_problems(spec, response.status_code, response.headers, response.content)
        if expect == "success":
            if response.status_code != 200 or _json_field(response.content, "success") is not True:
                problems.append("expected HTTP 200 with success: true")
        elif not 400 <= response.status_code < 500:
            problems.append(f"expected a 4xx error ({expect}), got HTTP {response.status_code}")
        elif not _json_field(response.content, "errorCode", "Code", "code"):
            problems.append("the error body has no errorCode or Code")
        return Check(name, response.status_code, tuple(problems))

    success = core.request_kwargs(*ids, service_connection_id)
    unknown_run = core.request_kwargs(
        organization_id,
        pipeline_id,
        MAX_SAFE_INTEGER,
        emas_job_instance_id,
        md5,
        service_connection_id,
    )
    unsigned = {**success, "auth": None}
    checks = (
        call("success with the given ids", success, "success"),
        call(f"unknown pipeline run {MAX_SAFE_INTEGER}", unknown_run, "not found"),
        call("unsigned request", unsigned, "gateway rejection"),
    )
    return Report(core.base_url, checks)
