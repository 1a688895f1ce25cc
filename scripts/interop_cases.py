"""Writes the answers that clients generated from openapi.yaml must decode, as JSON.

Usage: python scripts/interop_cases.py OUTPUT_JSON [SPEC]   (default SPEC: openapi.yaml)

Every example of every documented answer of both operations (the 200s and each 4xx/5xx, so
every entry of ``components/examples``), once per media type, plus two bodies the examples do
not show: the gateway's error in lower case and a body carrying both ``errorCode`` and
``Code``. Each case says what a client must read from it:

- an error of the signed API: ``code``, by the spec's rule (the first of ``errorCode``,
  ``Code``, ``code`` that is a non-empty string);
- an error of the token API: ``code`` (its ``errorCode``);
- a 200 of the signed API: ``success``, ``fileUrl`` and ``errorCode``;
- a 200 of the token API: ``url`` (the body is the URL as a JSON string or as plain text).

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
    if 200 <= status < 300 and operation == SIGNED:
        expect: dict[str, Any] = {
            "success": value["success"],
            "fileUrl": value.get("fileUrl", ""),
            "errorCode": value.get("errorCode", ""),
        }
    elif 200 <= status < 300:
        expect = {"url": value}
    elif operation == SIGNED:
        expect = {"code": error_code(value)}
    else:
        expect = {"code": value["errorCode"]}
    return {
        "name": f"{operation} {status} {content_type} {name}",
        "operation": operation,
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
    if seen_operations != {SIGNED, TOKEN}:
        raise ValueError(f"expected the operations {SIGNED} and {TOKEN}, got {seen_operations}")
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
