"""Where the bundled contract (openapi.yaml) is.

A wheel carries it as package data (``yunxiao_emas/openapi.yaml``); an editable install of a
checkout reads the one at the repository root, so there is never a second copy to keep in step.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["spec_path"]


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
