"""``yunxiao-emas check-contract``: does an endpoint still answer as openapi.yaml says?

Three fixed calls of the operation the credentials select, never a fuzzer against a live
service: one success with the ids the user gives, one unknown pipeline run, one request without
credentials. Each answer's status must be documented for the operation and its body must
validate against the bundled spec's schema for that status. Needs PyYAML and jsonschema (the
``cli`` extra).

A success call answered by a documented error (a wrong secret, an unknown organization) is not
drift: the endpoint speaks the contract and refuses the caller. The report keeps that answer as
its :attr:`Report.refusal`, which the command reports as the user's problem to fix.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import attrs
import httpx

from .._call.operations import Answer, Ids
from .._call.responses import error_fields
from .._call.validation import MAX_SAFE_INTEGER
from ..client import Client
from ..errors import ApiError
from .spec import response_problems


@attrs.frozen
class Check:
    name: str
    status: int | None
    problems: tuple[str, ...]
    refused: ApiError | None = None
    """The error of a success call answered, as the contract allows, with a refusal."""
    code: str | None = None
    """The error code of an answer the check expected to be an error."""

    @property
    def ok(self) -> bool:
        return not self.problems and self.refused is None


@attrs.frozen
class Report:
    endpoint: str
    operation: str
    checks: tuple[Check, ...]

    @property
    def ok(self) -> bool:
        return all(check.ok for check in self.checks)

    @property
    def refusal(self) -> ApiError | None:
        """The documented error that answered the success call, if one did."""
        return next((check.refused for check in self.checks if check.refused), None)

    def lines(self) -> Iterator[str]:
        yield (
            f"contract check of {self.endpoint} ({self.operation}) against the bundled openapi.yaml"
        )
        refusal = self.refusal
        for check in self.checks:
            status = f"HTTP {check.status}" if check.status is not None else "no answer"
            if check.code:
                status += f" {check.code}"
            mark = "ok  " if check.ok else "REFUSED" if check.refused else "FAIL"
            if check.ok and refusal is not None and check.code == refusal.code:
                # Refused for the same reason as the success call (a wrong secret answers every
                # signed call alike): a valid error body, but not what this check looks for.
                mark = "SKIP"
                status += ", refused like the success call: not checked"
            yield f"{mark} {check.name} ({status})"
            if check.refused is not None:
                message = " ".join(check.refused.message.split())
                yield f"     - {check.refused.code}: {message}"
            for problem in check.problems:
                yield f"     - {problem}"
        if self.refusal is not None:
            yield "not checked: the endpoint refused the success call (see below)"
        else:
            yield "the endpoint conforms" if self.ok else "the endpoint has drifted from the spec"

    def as_json(self) -> dict[str, Any]:
        """The report as one JSON object (``yunxiao-emas check-contract --json``)."""
        return {
            "endpoint": self.endpoint,
            "operation": self.operation,
            "ok": self.ok,
            "checks": [
                {
                    "name": check.name,
                    "status": check.status,
                    "ok": check.ok,
                    "problems": list(check.problems),
                }
                for check in self.checks
            ],
        }


def _json_object(response: httpx.Response) -> dict[str, Any] | None:
    try:
        body = response.json()
    except (ValueError, RecursionError):
        return None
    return body if isinstance(body, dict) else None


def check_endpoint(client: Client, ids: Ids) -> Report:
    """Run the three calls through ``client``'s connection and auth, and judge each answer."""
    core, http = client._core, client._http
    operation = core.bound().operation

    def call(name: str, request: httpx.Request, expect: str) -> Check:
        try:
            response = http.send(request, auth=None, follow_redirects=False)
        except httpx.RequestError as exc:
            return Check(name, None, (f"no answer: {type(exc).__name__}: {exc}",))
        problems = response_problems(
            operation.name, response.status_code, response.headers, response.content
        )
        if expect == "success":
            try:
                operation.parse(response, Answer(ids.as_kwargs(), core.wall_clock))
            except ApiError as exc:
                if not problems and exc.code:
                    # A documented refusal (a wrong secret, unknown ids): the caller's problem.
                    return Check(name, response.status_code, (), refused=exc)
                if response.status_code != 200:
                    problems.append("expected HTTP 200")
                else:
                    problems.append(f"expected a success, got: {exc}")
            except Exception as exc:  # a parser that fails otherwise: the answer is not usable
                problems.append(f"expected a success, got: {type(exc).__name__}: {exc}")
            else:
                if response.status_code != 200:
                    problems.append("expected HTTP 200")
        elif not 400 <= response.status_code < 500:
            problems.append(f"expected a 4xx error ({expect}), got HTTP {response.status_code}")
        else:
            body = _json_object(response)
            code = error_fields(body, operation.name)["code"] if body is not None else None
            if not code:
                problems.append("the error body has no error code (errorCode or Code)")
            return Check(name, response.status_code, tuple(problems), code=code or None)
        return Check(name, response.status_code, tuple(problems))

    success = core.request(ids)
    unknown_run = core.request(ids._replace(pipeline_run_id=MAX_SAFE_INTEGER))
    anonymous = core.request(ids, authenticated=False)
    checks = (
        call("success with the given ids", success, "success"),
        call(f"unknown pipeline run {MAX_SAFE_INTEGER}", unknown_run, "not found"),
        call("request without credentials", anonymous, "authentication rejection"),
    )
    return Report(core.bound().base_url, operation.name, checks)
