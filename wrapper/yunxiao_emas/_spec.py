"""Where the bundled contract (openapi.yaml) is.

A wheel carries it as package data (``yunxiao_emas/openapi.yaml``); an editable install of a
checkout reads the one at the repository root, so there is never a second copy to keep in step.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

__all__ = ["load_spec", "resolve", "spec_path"]


def spec_path() -> Path:
    """The path of openapi.yaml for this installation."""
    here = Path(__file__).resolve().parent
    bundled = here / "openapi.yaml"
    if bundled.is_file():
        return bundled
    checkout = here.parent.parent / "openapi.yaml"
    if checkout.is_file():
        return checkout
    raise FileNotFoundError(f"openapi.yaml is neither in {here} nor at {checkout}")


def load_spec() -> dict[str, Any]:
    """openapi.yaml as a dict (needs PyYAML, which the cli and mock extras bring)."""
    import yaml

    with spec_path().open("rb") as handle:
        spec: dict[str, Any] = yaml.safe_load(handle)
    return spec


def resolve(document: Mapping[str, Any], node: Mapping[str, Any]) -> Mapping[str, Any]:
    """Follow local ``$ref``s (``#/components/...``) from ``node`` to what they name."""
    while "$ref" in node:
        target: Any = document
        for part in str(node["$ref"]).removeprefix("#/").split("/"):
            target = target[part]
        node = target
    return node
