"""Writes the answers that clients generated from openapi.yaml must decode, as JSON.

Usage: python scripts/interop_cases.py OUTPUT_JSON [SPEC]   (default SPEC: openapi.yaml)

Every example of every documented answer of every operation (the 200s and each 4xx/5xx, so
every entry of ``components/examples``), once per media type, plus two bodies the examples do
not show: the gateway's error in lower case and a body carrying both ``errorCode`` and
``Code``. Each case names its ``api`` (``signed`` or ``token``: which error model decodes it)
and says what a client must read from it:

- an error of the signed API: ``code``, by the spec's rule (the first of ``errorCode``,
  ``Code``, ``code`` that is a non-empty string);
- an error of the token API: ``code`` (its ``errorCode``);
- a 200 of GetPipelineEmasArtifactUrl: ``success``, ``fileUrl`` and ``errorCode``;
- a 200 of GetEmasArtifactDownloadUrl: ``url`` (the URL as a JSON string or as plain text);
- a 200 of the operations that find the ids (runs, lists of runs, service connections):
  ``fields``, values at paths (``pipelineRun.stages.0.stageInfo.jobs.0.params``) of the decoded
  model written back as JSON: the ids, the statuses, and a job's ``params``/``result`` strings
  and its action's ``params`` object, where the EMAS rule reads the artifact.

The programs of scripts/interop/ (one per generated client: TypeScript, Go, Java) read this
file, feed each ``body`` with its ``status`` and ``contentType`` to the generated client and
check what it read. One list for the three, so they cannot test different things.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import yaml

DEFAULT_SPEC = Path(__file__).resolve().parent.parent / "openapi.yaml"
SIGNED = "GetPipelineEmasArtifactUrl"
TOKEN = "GetEmasArtifactDownloadUrl"  # noqa: S105 (an operation id, not a token)
CODE_KEYS = ("errorCode", "Code", "code")

# The paths a client must read from a 200 of each operation that finds the ids, where the
# example has them (a job's params and result strings, an action's params object, the ids).
_JOB = "stages.0.stageInfo.jobs.0"
_RUN_FIELDS = (
    "pipelineRunId",
    "status",
    "triggerMode",
    "stages.0.index",
    f"{_JOB}.id",
    f"{_JOB}.name",
    f"{_JOB}.params",
    f"{_JOB}.result",
    f"{_JOB}.actions.0.params.md5",
)
FIELDS: dict[str, tuple[str, ...]] = {
    "GetPipelineRun": ("success", *(f"pipelineRun.{path}" for path in _RUN_FIELDS)),
    "GetPipelineRunByToken": _RUN_FIELDS,
    "GetLatestPipelineRunByToken": _RUN_FIELDS,
    "ListPipelineRuns": (
        "success",
        "nextToken",
        "totalCount",
        "pipelineRuns.0.pipelineRunId",
        "pipelineRuns.1.pipelineRunId",
        "pipelineRuns.1.endTime",
    ),
    "ListPipelineRunsByToken": ("0.pipelineRunId", "1.pipelineRunId", "1.endTime", "1.creator"),
    "ListServiceConnections": (
        "success",
        "serviceConnections.0.id",
        "serviceConnections.0.type",
        "serviceConnections.0.ownerAccountId",
    ),
    "ListServiceConnectionsByToken": ("0.id", "0.type", "0.ownerAccountId"),
}
TOKEN_API = frozenset({TOKEN, *(name for name in FIELDS if name.endswith("ByToken"))})

# Bodies no example of the spec shows, each under the status it may come with.
EXTRA_SIGNED_ERRORS: list[tuple[str, int, dict[str, Any]]] = [
    (
        "gateway error in lower case",
        429,
        {
            "requestId": "1F4B6E3A-0000-4000-8000-000000000430",
            "hostId": "devops.cn-hangzhou.aliyuncs.com",
            "code": "Throttling.User",
            "message": "Request was denied due to user flow control.",
            "recommend": "https://api.aliyun.com/troubleshoot?q=Throttling.User&product=devops",
        },
    ),
    (
        "both errorCode and Code",
        400,
        {
            "requestId": "1F4B6E3A-0000-4000-8000-000000000431",
            "success": False,
            "errorCode": "InvalidParam.ParamNotPresent",
            "errorMessage": "The parameter is invalid.",
            "Code": "SignatureDoesNotMatch",
            "Message": "The request signature does not conform to Aliyun standards.",
        },
    ),
]


def _resolve(spec: Mapping[str, Any], node: Any) -> Any:
    while isinstance(node, Mapping) and "$ref" in node:
        target: Any = spec
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part.replace("~1", "/").replace("~0", "~")]
        node = target
    return node


def error_code(body: Mapping[str, Any]) -> str:
    """The spec's rule: the first of ``errorCode``, ``Code``, ``code`` that is a non-empty
    string."""
    for key in CODE_KEYS:
        value = body.get(key)
        if isinstance(value, str) and value:
            return value
    raise ValueError(f"an error body without a code: {body!r}")


def _at(value: Any, path: str) -> Any:
    for part in path.split("."):
        if isinstance(value, list) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        elif isinstance(value, Mapping) and part in value:
            value = value[part]
        else:
            raise KeyError(path)
    return value


def _fields(value: Any, paths: tuple[str, ...]) -> dict[str, Any]:
    """The value at each of ``paths`` that the example has."""
    found = {}
    for path in paths:
        try:
            found[path] = _at(value, path)
        except KeyError:
            continue
    if not found:
        raise ValueError(f"an example without any of the fields {paths}")
    return found


def _operations(spec: Mapping[str, Any]) -> Iterator[tuple[str, Mapping[str, Any]]]:
    for item in spec["paths"].values():
        for method in ("get", "post"):
            operation = item.get(method)
            if isinstance(operation, Mapping):
                yield operation["operationId"], operation


def _case(operation: str, status: int, content_type: str, name: str, value: Any) -> dict[str, Any]:
    if content_type == "application/json":
        body = json.dumps(value, ensure_ascii=False)
    elif isinstance(value, str):
        body = value
    else:
        raise ValueError(f"{operation} {status} {name}: a {content_type} example must be a string")
    if 200 <= status < 300 and operation in FIELDS:
        expect = {"fields": _fields(value, FIELDS[operation])}
    elif 200 <= status < 300 and operation == SIGNED:
        expect: dict[str, Any] = {
            "success": value["success"],
            "fileUrl": value.get("fileUrl", ""),
            "errorCode": value.get("errorCode", ""),
        }
    elif 200 <= status < 300:
        expect = {"url": value}
    elif operation not in TOKEN_API:
        expect = {"code": error_code(value)}
    else:
        expect = {"code": value["errorCode"]}
    return {
        "name": f"{operation} {status} {content_type} {name}",
        "operation": operation,
        "api": "token" if operation in TOKEN_API else "signed",
        "status": status,
        "contentType": content_type,
        "body": body,
        "expect": expect,
    }


def build_cases(spec: Mapping[str, Any]) -> list[dict[str, Any]]:
    cases: list[dict[str, Any]] = []
    seen_operations: set[str] = set()
    for operation_id, operation in _operations(spec):
        seen_operations.add(operation_id)
        for status, response in operation["responses"].items():
            response = _resolve(spec, response)
            for content_type, media in (response.get("content") or {}).items():
                examples = media.get("examples") or {}
                if not examples:
                    raise ValueError(f"{operation_id} {status} {content_type}: no examples")
                for name, example in examples.items():
                    value = _resolve(spec, example)["value"]
                    cases.append(_case(operation_id, int(status), content_type, name, value))
    expected = {SIGNED, TOKEN, *FIELDS}
    if seen_operations != expected:
        raise ValueError(f"expected the operations {sorted(expected)}, got {seen_operations}")
    for name, status, value in EXTRA_SIGNED_ERRORS:
        cases.append(_case(SIGNED, status, "application/json", name, value))
    return cases


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if not 1 <= len(args) <= 2:
        print("usage: python scripts/interop_cases.py OUTPUT_JSON [SPEC]", file=sys.stderr)
        return 2
    spec_path = Path(args[1]) if len(args) > 1 else DEFAULT_SPEC
    with spec_path.open(encoding="utf-8") as f:
        spec = yaml.safe_load(f)
    cases = build_cases(spec)
    Path(args[0]).write_text(json.dumps(cases, indent=1, ensure_ascii=False), encoding="utf-8")
    print(f"interop_cases: {len(cases)} answers to decode, from {spec_path.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
