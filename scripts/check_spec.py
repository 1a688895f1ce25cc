"""Checks openapi.yaml, the contract: the document is valid OpenAPI and every example in it is
valid against its schema.

Usage: python scripts/check_spec.py [SPEC]   (default: openapi.yaml at the repository root)

1. openapi-spec-validator validates the document (OpenAPI 3.0 rules and schemas).
2. Every example is validated with openapi-schema-validator's OAS 3.0 validators (format checks
   included; ``$ref`` resolved against the whole document, so ``anyOf``/``oneOf`` of referenced
   schemas work):
   - parameter and header ``example``/``examples`` against the parameter's (header's) schema;
   - request and response ``example``/``examples.*.value`` (``$ref`` to ``components/examples``
     resolved) against the media type's schema; responses use the read validator, parameters
     and request bodies the write validator (``readOnly``/``writeOnly`` honoured);
   - schema-level ``example`` (any schema node: component, property, item, composed part)
     against the schema it sits in.
   An example that cannot be checked (``externalValue``, a ``components/examples`` entry no
   media type or parameter uses, an unresolvable ``$ref``) is a failure too.

Exits 0 and prints "N examples valid" when everything holds; otherwise prints each problem with
its location in the document and exits 1.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from jsonschema.exceptions import ValidationError
from openapi_schema_validator import (
    OAS30ReadValidator,
    OAS30Validator,
    OAS30WriteValidator,
    oas30_format_checker,
)
from openapi_spec_validator import validate as validate_openapi
from openapi_spec_validator.validation.exceptions import OpenAPIValidationError

DEFAULT_SPEC = Path(__file__).resolve().parent.parent / "openapi.yaml"
HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
# Keywords whose value is one schema, a list of schemas, or a map of schemas (OpenAPI 3.0).
_ONE_SCHEMA = ("items", "not", "additionalProperties")
_SCHEMA_LISTS = ("allOf", "anyOf", "oneOf")


class SpecError(Exception):
    """The document is unusable (unreadable, not a mapping, or invalid OpenAPI)."""


@dataclass(frozen=True)
class Example:
    """One example to validate: where it is, its value, the schema and the validator to use."""

    location: str
    value: Any
    schema: Any
    validator: type


def _pointer(*parts: str) -> str:
    """A JSON pointer (RFC 6901) from its unescaped parts."""
    return "/" + "/".join(str(p).replace("~", "~0").replace("/", "~1") for p in parts)


def _resolve(spec: Mapping[str, Any], node: Any, location: str) -> tuple[Any, str]:
    """Follow local ``$ref``s (``#/...``) from ``node``; returns the target and its pointer."""
    seen: set[str] = set()
    while isinstance(node, Mapping) and "$ref" in node:
        ref = node["$ref"]
        if not isinstance(ref, str) or not ref.startswith("#/") or ref in seen:
            raise SpecError(f"{location}: cannot resolve $ref {ref!r}")
        seen.add(ref)
        target: Any = spec
        for raw in ref[2:].split("/"):
            key = raw.replace("~1", "/").replace("~0", "~")
            if not isinstance(target, Mapping) or key not in target:
                raise SpecError(f"{location}: $ref {ref!r} points nowhere")
            target = target[key]
        node, location = target, ref[1:]
    return node, location


def load(path: Path) -> dict[str, Any]:
    try:
        with path.open(encoding="utf-8") as f:
            spec = yaml.safe_load(f)
    except (OSError, yaml.YAMLError) as exc:
        raise SpecError(f"cannot read {path}: {exc}") from exc
    if not isinstance(spec, dict):
        raise SpecError(f"{path} is not a YAML mapping")
    return spec


def validate_document(spec: Mapping[str, Any]) -> None:
    """openapi-spec-validator; raises SpecError with its message."""
    try:
        validate_openapi(spec)
    except OpenAPIValidationError as exc:
        raise SpecError(f"openapi-spec-validator: {exc}") from exc


def _schema_examples(schema: Any, location: str) -> Iterator[Example]:
    """Schema-level ``example``s in ``schema`` and every schema nested in it."""
    if not isinstance(schema, Mapping) or "$ref" in schema:
        return  # a $ref is checked where its target is defined (siblings of $ref are ignored)
    if "example" in schema:
        yield Example(f"{location}/example", schema["example"], schema, OAS30Validator)
    for name, sub in (schema.get("properties") or {}).items():
        yield from _schema_examples(sub, f"{location}/properties/{_pointer(name)[1:]}")
    for key in _ONE_SCHEMA:
        if isinstance(schema.get(key), Mapping):
            yield from _schema_examples(schema[key], f"{location}/{key}")
    for key in _SCHEMA_LISTS:
        for i, sub in enumerate(schema.get(key) or ()):
            yield from _schema_examples(sub, f"{location}/{key}/{i}")


def _named_examples(
    spec: Mapping[str, Any],
    holder: Mapping[str, Any],
    location: str,
    schema: Any,
    validator: type,
    used: set[str],
) -> Iterator[Example]:
    """``example`` and ``examples`` of a parameter, header or media type object."""
    if "example" in holder:
        yield Example(f"{location}/example", holder["example"], schema, validator)
    for name, entry in (holder.get("examples") or {}).items():
        where = f"{location}/examples/{_pointer(name)[1:]}"
        target, target_location = _resolve(spec, entry, where)
        if target_location != where:
            used.add(target_location)
        if not isinstance(target, Mapping):
            raise SpecError(f"{where}: an example object must be a mapping")
        if "value" not in target:
            # externalValue cannot be checked offline; an example without a value says nothing.
            raise SpecError(f"{where}: no inline 'value' to check (externalValue is not supported)")
        yield Example(where, target["value"], schema, validator)


def _parameter_like(
    spec: Mapping[str, Any], node: Any, location: str, used: set[str]
) -> Iterator[Example]:
    """A parameter or header object (``schema`` or ``content``), if it is defined here."""
    if not isinstance(node, Mapping) or "$ref" in node:
        return  # checked where its target is defined
    if "schema" in node:
        yield from _named_examples(spec, node, location, node["schema"], OAS30WriteValidator, used)
        yield from _schema_examples(node["schema"], f"{location}/schema")
    for media_type, media in (node.get("content") or {}).items():
        where = f"{location}/content/{_pointer(media_type)[1:]}"
        yield from _media(spec, media, where, OAS30WriteValidator, used)


def _media(
    spec: Mapping[str, Any], media: Any, location: str, validator: type, used: set[str]
) -> Iterator[Example]:
    if not isinstance(media, Mapping):
        return
    schema = media.get("schema")
    if schema is None:
        if "example" in media or media.get("examples"):
            raise SpecError(f"{location}: examples without a schema to check them against")
        return
    yield from _named_examples(spec, media, location, schema, validator, used)
    yield from _schema_examples(schema, f"{location}/schema")


def _body(
    spec: Mapping[str, Any], node: Any, location: str, validator: type, used: set[str]
) -> Iterator[Example]:
    """A request body or response object, if it is defined here."""
    if not isinstance(node, Mapping) or "$ref" in node:
        return
    for media_type, media in (node.get("content") or {}).items():
        yield from _media(
            spec, media, f"{location}/content/{_pointer(media_type)[1:]}", validator, used
        )
    for name, header in (node.get("headers") or {}).items():
        yield from _parameter_like(spec, header, f"{location}/headers/{_pointer(name)[1:]}", used)


def collect_examples(spec: Mapping[str, Any]) -> list[Example]:
    """Every example of the document, each with the schema it must satisfy."""
    used: set[str] = set()
    found: list[Example] = []
    components = spec.get("components") or {}

    for name, schema in (components.get("schemas") or {}).items():
        found += _schema_examples(schema, _pointer("components", "schemas", name))
    for section in ("parameters", "headers"):
        for name, node in (components.get(section) or {}).items():
            found += _parameter_like(spec, node, _pointer("components", section, name), used)
    for name, node in (components.get("requestBodies") or {}).items():
        where = _pointer("components", "requestBodies", name)
        found += _body(spec, node, where, OAS30WriteValidator, used)
    for name, node in (components.get("responses") or {}).items():
        found += _body(
            spec, node, _pointer("components", "responses", name), OAS30ReadValidator, used
        )

    for path, item in (spec.get("paths") or {}).items():
        item_location = _pointer("paths", path)
        for i, param in enumerate(item.get("parameters") or ()):
            found += _parameter_like(spec, param, f"{item_location}/parameters/{i}", used)
        for method in HTTP_METHODS:
            op = item.get(method)
            if not isinstance(op, Mapping):
                continue
            op_location = f"{item_location}/{method}"
            for i, param in enumerate(op.get("parameters") or ()):
                found += _parameter_like(spec, param, f"{op_location}/parameters/{i}", used)
            found += _body(
                spec, op.get("requestBody"), f"{op_location}/requestBody", OAS30WriteValidator, used
            )
            for status, response in (op.get("responses") or {}).items():
                found += _body(
                    spec, response, f"{op_location}/responses/{status}", OAS30ReadValidator, used
                )

    unused = sorted(
        _pointer("components", "examples", name)
        for name in (components.get("examples") or {})
        if _pointer("components", "examples", name) not in used
    )
    if unused:
        raise SpecError(
            "examples that nothing uses, so no schema can check them: " + ", ".join(unused)
        )
    return found


def _explain(error: ValidationError) -> str:
    """The error's message; for anyOf/oneOf, also why each alternative failed."""
    if not error.context:
        return error.message
    reasons = []
    for sub in error.context:
        branch = "/".join(str(p) for p in sub.schema_path)
        at = "".join(f"[{p!r}]" for p in sub.relative_path)
        reasons.append(f"{error.validator}/{branch}{' at ' + at if at else ''}: {sub.message}")
    return f"valid under none of the {error.validator} alternatives: " + "; ".join(reasons)


def example_errors(spec: Mapping[str, Any], examples: list[Example]) -> list[str]:
    """One message per invalid example (all its errors), empty when every example is valid."""
    problems: list[str] = []
    for example in examples:
        # Built on the whole document, so "#/components/..." refs in the schema resolve.
        root = example.validator(spec, format_checker=oas30_format_checker)
        validator = root.evolve(schema=example.schema)
        errors: list[ValidationError] = sorted(
            validator.iter_errors(example.value), key=lambda e: list(e.absolute_path)
        )
        for error in errors:
            at = "".join(f"[{p!r}]" for p in error.absolute_path)
            problems.append(f"{example.location}{' at ' + at if at else ''}: {_explain(error)}")
    return problems


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) > 1:
        print("usage: python scripts/check_spec.py [SPEC]", file=sys.stderr)
        return 2
    path = Path(args[0]) if args else DEFAULT_SPEC
    try:
        spec = load(path)
        validate_document(spec)
        examples = collect_examples(spec)
    except SpecError as exc:
        print(f"check_spec: FAILED: {path}: {exc}", file=sys.stderr)
        return 1
    problems = example_errors(spec, examples)
    if problems:
        print(f"check_spec: FAILED: {path}: {len(problems)} invalid example(s):", file=sys.stderr)
        for problem in problems:
            print(f"  {problem}", file=sys.stderr)
        return 1
    if not examples:
        print(f"check_spec: FAILED: {path}: no examples found to check", file=sys.stderr)
        return 1
    print(f"check_spec: {path.name} is valid OpenAPI; {len(examples)} examples valid")
    return 0


if __name__ == "__main__":
    sys.exit(main())
