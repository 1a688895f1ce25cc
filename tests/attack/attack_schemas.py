"""Hypothesis strategies made from openapi.yaml's schemas (the subset this contract uses:
objects with typed properties, ``required``, ``additionalProperties``, ``anyOf``, strings with
``minLength``/``maxLength``, booleans, integers with bounds, local ``$ref``).

Written here rather than taken from hypothesis-jsonschema: the contract is OpenAPI 3.0, whose
extra keywords (``example``, ``x-error-codes``) that package would have to be taught to skip,
and the subset above is a few lines. Strings are drawn from random text and from a pool of the
values that matter (documented codes, URLs good and bad, the examples), so that answers that
look real are frequent.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from hypothesis import strategies as st
from yunxiao_emas.cli.spec import load_spec, resolve

URLS = [
    "https://files.example/app.apk?Expires=1700003600&Signature=c2ln",
    "http://127.0.0.1:9/app.apk",
    "http://files.example/app.apk",
    "file:///etc/passwd",
    "javascript:alert(1)",
    "https://files.example/a\r\nb",
    "https://files.example/\x1b[31mred",
    "",
    "https://",
]
JSON_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**64), max_value=2**64),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=20),
)
json_values = st.recursive(
    JSON_SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)


def _string_pool(document: Mapping[str, Any]) -> list[str]:
    schemas = document["components"]["schemas"]
    codes = [entry["code"] for name in ("ServiceError", "GatewayError")
             for entry in schemas[name].get("x-error-codes", [])]  # fmt: skip
    return [*codes, *URLS, "true", "false", "", "0", "ASSDS-ASSASX-XSAXSA-XSAXSAXS"]


def from_schema(schema: Any, document: Mapping[str, Any] | None = None) -> st.SearchStrategy[Any]:
    """Values valid for ``schema`` (a schema of openapi.yaml, ``$ref``s followed)."""
    document = document if document is not None else load_spec()
    schema = resolve(document, schema)
    if "anyOf" in schema:
        return st.one_of([from_schema(choice, document) for choice in schema["anyOf"]])
    kind = schema.get("type")
    if kind == "object":
        properties = {
            name: from_schema(sub, document) for name, sub in schema.get("properties", {}).items()
        }
        required = set(schema.get("required", ()))
        fixed = st.fixed_dictionaries(
            {name: properties[name] for name in required},
            optional={name: s for name, s in properties.items() if name not in required},
        )
        if schema.get("additionalProperties", True) is False:
            return fixed
        extra = st.dictionaries(
            st.text(max_size=10).filter(lambda k: k not in properties), json_values, max_size=2
        )
        return st.tuples(fixed, extra).map(lambda pair: {**pair[1], **pair[0]})
    if kind == "string":
        low, high = schema.get("minLength", 0), schema.get("maxLength", 60)
        pool = [s for s in _string_pool(document) if low <= len(s) <= high]
        if "example" in schema and low <= len(str(schema["example"])) <= high:
            pool.append(str(schema["example"]))
        return st.one_of(st.text(min_size=low, max_size=high), st.sampled_from(pool))
    if kind == "boolean":
        return st.booleans()
    if kind == "integer":
        return st.integers(schema.get("minimum"), schema.get("maximum"))
    raise NotImplementedError(f"schema {schema!r}")


def component(name: str) -> st.SearchStrategy[Any]:
    """Values of ``#/components/schemas/<name>``."""
    return from_schema({"$ref": f"#/components/schemas/{name}"})


def documented_bodies(api: str) -> st.SearchStrategy[bytes]:
    """Bodies the contract allows for ``api`` (success and error schemas), serialised."""
    if api == "signed":
        values = st.one_of(component("ArtifactUrlResponse"), component("ErrorResponse"))
        return values.map(lambda v: json.dumps(v).encode())
    url = component("DownloadUrl")
    return st.one_of(
        url.map(lambda v: json.dumps(v).encode()),
        url.map(lambda v: v.encode("utf-8", "surrogatepass")),
        component("TokenApiError").map(lambda v: json.dumps(v).encode()),
    )
