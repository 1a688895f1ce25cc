"""The one reader of the bundled contract, openapi.yaml: for the emulator, ``check-contract`` and
the tests.

A wheel carries the file as package data (``yunxiao_emas/openapi.yaml``); an editable install of
a checkout reads the one at the repository root, so there is never a second copy to keep in step.
Reading it needs PyYAML (the ``cli`` and ``mock`` extras); validating answers against it needs
jsonschema (the ``cli`` extra). The core of the package (the clients) never reads it: their
rules are pinned to it by tests instead, so ``import yunxiao_emas`` stays light.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import attrs

__all__ = [
    "SpecOperation",
    "SpecParameter",
    "example_ids",
    "load_spec",
    "operations",
    "resolve",
    "response_problems",
    "spec_path",
]

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
_DIGITS = re.compile(r"[0-9]+")
_SNAKE = re.compile(r"(?<!^)(?=[A-Z])")


def spec_path() -> Path:
    """The path of openapi.yaml for this installation."""
    here = Path(__file__).resolve().parent.parent  # the package, where the wheel bundles it
    bundled = here / "openapi.yaml"
    if bundled.is_file():
        return bundled
    checkout = here.parent.parent / "openapi.yaml"
    if checkout.is_file():
        return checkout
    raise FileNotFoundError(f"openapi.yaml is neither in {here} nor at {checkout}")


@functools.cache
def load_spec() -> dict[str, Any]:
    """openapi.yaml as a dict, parsed once per process. Treat it as read-only."""
    import yaml

    with spec_path().open("rb") as handle:
        spec: dict[str, Any] = yaml.safe_load(handle)
    return spec


class SpecReferenceError(LookupError):
    """A ``$ref`` that cannot be followed (not local, pointing nowhere, or a cycle)."""


def resolve(document: Mapping[str, Any], node: Any) -> Any:
    """Follow local ``$ref``s (``#/...``, JSON pointer escapes honoured) from ``node``."""
    seen: set[str] = set()
    while isinstance(node, Mapping) and "$ref" in node:
        ref = node["$ref"]
        if not isinstance(ref, str) or not ref.startswith("#/") or ref in seen:
            raise SpecReferenceError(f"cannot resolve $ref {ref!r}")
        seen.add(ref)
        target: Any = document
        for raw in ref[2:].split("/"):
            key = raw.replace("~1", "/").replace("~0", "~")
            if not isinstance(target, Mapping) or key not in target:
                raise SpecReferenceError(f"$ref {ref!r} points nowhere")
            target = target[key]
        node = target
    return node


@attrs.frozen
class SpecParameter:
    """One parameter of an operation, with the rule its schema states."""

    name: str
    location: str
    required: bool
    kind: str
    minimum: int | None
    maximum: int | None
    min_length: int | None
    max_length: int | None
    example: Any

    @property
    def python_name(self) -> str:
        """``pipelineRunId`` -> ``pipeline_run_id``: the argument name of the clients."""
        return _SNAKE.sub("_", self.name).lower()

    def parse(self, raw: str) -> int | str | None:
        """The value of ``raw`` (as it arrived, decoded), or None when it breaks the rule."""
        if self.kind == "integer":
            if not _DIGITS.fullmatch(raw) or len(raw) > 30:
                return None
            number = int(raw)
            if self.minimum is not None and number < self.minimum:
                return None
            if self.maximum is not None and number > self.maximum:
                return None
            return number
        if self.min_length is not None and len(raw) < self.min_length:
            return None
        if self.max_length is not None and len(raw) > self.max_length:
            return None
        return raw


@attrs.frozen
class SpecOperation:
    """One operation of the contract."""

    operation_id: str
    method: str
    path: str
    servers: tuple[str, ...]
    security: tuple[str, ...]
    parameters: tuple[SpecParameter, ...]
    responses: Mapping[str, Any]
    extensions: Mapping[str, Any]

    @property
    def statuses(self) -> frozenset[int]:
        """The declared statuses (``5XX``-style ranges are not used by this contract)."""
        return frozenset(int(status) for status in self.responses if status.isdigit())

    def parameter(self, name: str) -> SpecParameter:
        for parameter in self.parameters:
            if parameter.name == name:
                return parameter
        raise KeyError(name)


def _parameter(document: Mapping[str, Any], raw: Any) -> SpecParameter:
    param = resolve(document, raw)
    schema = resolve(document, param["schema"])
    return SpecParameter(
        name=str(param["name"]),
        location=str(param["in"]),
        required=bool(param.get("required", False)),
        kind=str(schema["type"]),
        minimum=schema.get("minimum"),
        maximum=schema.get("maximum"),
        min_length=schema.get("minLength"),
        max_length=schema.get("maxLength"),
        example=param.get("example", schema.get("example")),
    )


@functools.cache
def operations() -> dict[str, SpecOperation]:
    """Every operation of openapi.yaml, by ``operationId``."""
    document = load_spec()
    found: dict[str, SpecOperation] = {}
    for path, item in document["paths"].items():
        for method in HTTP_METHODS:
            operation = item.get(method)
            if operation is None:
                continue
            servers = operation.get("servers") or item.get("servers") or document.get("servers")
            security = operation.get("security", document.get("security")) or []
            found[operation["operationId"]] = SpecOperation(
                operation_id=operation["operationId"],
                method=method.upper(),
                path=path,
                servers=tuple(str(server["url"]) for server in servers or ()),
                security=tuple(name for requirement in security for name in requirement),
                parameters=tuple(
                    _parameter(document, raw)
                    for raw in [*item.get("parameters", ()), *operation.get("parameters", ())]
                ),
                responses=operation["responses"],
                extensions={k: v for k, v in operation.items() if k.startswith("x-")},
            )
    return found


def example_ids() -> dict[str, Any]:
    """The example of every parameter, by the clients' argument name (``organization_id``...).

    Both operations take the same ids, so their examples agree (a test pins it); these are the
    reference page's own examples, which the tests use as their ids.
    """
    ids: dict[str, Any] = {}
    for operation in operations().values():
        for parameter in operation.parameters:
            if parameter.required:  # the ids; not the list operations' filters and paging
                ids.setdefault(parameter.python_name, parameter.example)
    return ids


# --- answers against the contract ----------------------------------------------------------


def _media_type(content_type: str) -> str:
    return content_type.split(";", 1)[0].strip().lower()


def _header_value(schema: Mapping[str, Any], raw: str) -> object:
    text = raw.strip()
    if schema.get("type") == "integer" and text.isascii() and text.isdigit():
        return int(text)
    return raw


def schema_problems(schema: Any, instance: object) -> list[str]:
    """Why ``instance`` breaks ``schema`` (``$ref``s resolved in openapi.yaml), empty if valid.

    OpenAPI 3.0 schemas are JSON Schema draft 4 with extra keywords (``example``, ``format``
    values, ``x-*``) that a draft 4 validator ignores; this contract uses no ``nullable``.
    """
    from jsonschema import Draft4Validator

    document = load_spec()
    # The root carries the components, so "#/components/..." references resolve in place.
    root = {"allOf": [schema], "components": document["components"]}
    errors = sorted(Draft4Validator(root).iter_errors(instance), key=lambda e: list(e.path))
    problems = []
    for error in errors:
        where = "/".join(str(part) for part in error.absolute_path) or "(body)"
        problems.append(f"{where}: {error.message}")
    return problems


def response_problems(
    operation_id: str, status: int, headers: Mapping[str, str], content: bytes
) -> list[str]:
    """Why an answer of ``operation_id`` breaks the contract (empty when it conforms).

    The status must be declared, the media type declared for that status, the body valid
    against its schema, and every declared header that is present valid against its schema.
    """
    document = load_spec()
    responses = operations()[operation_id].responses
    declared = responses.get(str(status))
    if declared is None:
        return [f"HTTP {status} is not a documented status ({', '.join(sorted(responses))})"]
    declared = resolve(document, declared)
    problems: list[str] = []
    lowered = {name.lower(): value for name, value in headers.items()}
    for name, header in (declared.get("headers") or {}).items():
        raw = lowered.get(name.lower())
        if raw is not None:
            schema = resolve(document, resolve(document, header)["schema"])
            problems += [
                f"header {name}: {p}" for p in schema_problems(schema, _header_value(schema, raw))
            ]
    content_types = declared.get("content") or {}
    if not content_types:
        return problems
    media_type = _media_type(lowered.get("content-type", ""))
    media = content_types.get(media_type)
    if media is None:
        return [
            *problems,
            f"content-type {media_type or '(none)'!r} is not declared for HTTP {status} "
            f"({', '.join(content_types)})",
        ]
    body: object
    if media_type.endswith("json"):
        try:
            body = json.loads(content)
        except (ValueError, RecursionError):
            excerpt = content[:120].decode("utf-8", "replace")
            return [*problems, f"the body is not JSON: {excerpt!r}"]
    else:
        try:
            body = content.decode("utf-8")
        except UnicodeDecodeError:
            return [*problems, "the body is not UTF-8 text"]
    return [*problems, *schema_problems(media["schema"], body)]
