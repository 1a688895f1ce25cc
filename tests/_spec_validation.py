"""Check an answer of the API (an ``httpx.Response``) against openapi.yaml.

The status must be declared for the operation, the media type declared for that status, the
body valid against its schema (OpenAPI 3.0 rules, ``$ref`` resolved in the document) and every
declared response header that is present valid against its schema. Download URLs are not part
of the contract (they are the file host's), so they are not checked here.

Tests import it after their conftest has put this folder on ``sys.path``.
"""

from __future__ import annotations

import functools
import json
from typing import Any

import httpx
from openapi_schema_validator import OAS30Validator
from yunxiao_emas._spec import load_spec, resolve

__all__ = ["ContractCheck", "assert_conforms", "conformance_errors"]


@functools.cache
def _document() -> dict[str, Any]:
    return load_spec()


def _resolve(node: dict[str, Any]) -> dict[str, Any]:
    return dict(resolve(_document(), node))


def _schema_errors(schema: dict[str, Any], instance: object) -> list[str]:
    # The root carries the components, so "#/components/..." references resolve in place.
    root = {**schema, "components": _document()["components"]}
    return [error.message for error in OAS30Validator(root).iter_errors(instance)]


def conformance_errors(response: httpx.Response) -> list[str]:
    """What in ``response`` breaks the contract of GetPipelineEmasArtifactUrl (empty if none)."""
    ((_, item),) = _document()["paths"].items()
    responses = item["post"]["responses"]
    status = str(response.status_code)
    if status not in responses:
        return [f"status {status} is not declared (declared: {', '.join(responses)})"]
    declared = _resolve(responses[status])
    errors: list[str] = []
    for name, header in declared.get("headers", {}).items():
        if name in response.headers:
            raw = response.headers[name]
            schema = _resolve(_resolve(header)["schema"])
            value: object = int(raw) if schema.get("type") == "integer" and raw.isdigit() else raw
            errors += [f"header {name}: {e}" for e in _schema_errors(schema, value)]
    media_type = response.headers.get("content-type", "").split(";")[0].strip().lower()
    content = declared.get("content", {})
    if media_type not in content:
        return [*errors, f"media type {media_type!r} is not declared for {status}"]
    try:
        body = json.loads(response.content)
    except ValueError as exc:
        return [*errors, f"the body is not JSON: {exc}"]
    errors += [f"body: {e}" for e in _schema_errors(content[media_type]["schema"], body)]
    return errors


def assert_conforms(response: httpx.Response) -> None:
    """Fail (AssertionError) when ``response`` breaks the contract."""
    errors = conformance_errors(response)
    assert not errors, f"{response.status_code} {response.text!r} breaks openapi.yaml: {errors}"


class ContractCheck:
    """ASGI middleware: checks every complete answer of the API (``POST /organization/...``)
    that the wrapped app gives against openapi.yaml, and keeps what breaks it in
    ``violations``. Answers cut on purpose (fault injection) are not complete and not checked;
    download routes are the file host's, not the contract's."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.checked = 0
        self.violations: list[str] = []

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or not scope["path"].startswith("/organization/"):
            await self.app(scope, receive, send)
            return
        start: dict[str, Any] = {}
        body: list[bytes] = []

        async def capture(message: Any) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
            elif message["type"] == "http.response.body":
                body.append(message.get("body", b""))
            await send(message)

        await self.app(scope, receive, capture)
        response = httpx.Response(
            start["status"],
            headers=[(k.decode("latin-1"), v.decode("latin-1")) for k, v in start["headers"]],
            content=b"".join(body),
        )
        self.checked += 1
        self.violations += [
            f"{scope['method']} {scope['path']}: {error}" for error in conformance_errors(response)
        ]
