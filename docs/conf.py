"""Sphinx configuration of the documentation site (``nox -s docs`` builds it, warnings are
errors). The toolchain is chosen, and why, in pyproject.toml's ``docs`` dependency group."""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE / "_ext"))

from yunxiao_emas import __version__  # noqa: E402  (the installed package is documented)

project = "yunxiao-emas"
author = "yunxiao-emas contributors"
copyright = "yunxiao-emas contributors, Apache License 2.0"
release = __version__
version = __version__

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "sphinx.ext.intersphinx",
    "sphinx_click",
    "yunxiao_docs",
]

# Every page is Markdown (MyST); headings get anchors to link to, as on GitHub.
source_suffix = {".md": "markdown"}
myst_enable_extensions = ["colon_fence", "deflist", "fieldlist"]
myst_heading_anchors = 3
exclude_patterns = ["_build", "checks", "swagger-ui", "README.md"]

# The API reference: signatures with their types, the docstrings as written (Google style).
autodoc_member_order = "bysource"
autodoc_typehints = "signature"
autodoc_default_options = {"members": True, "show-inheritance": True}
napoleon_google_docstring = True
napoleon_numpy_docstring = False

# No network at build time: intersphinx inventories would be fetched, so none is configured.
intersphinx_mapping: dict[str, tuple[str, str | None]] = {}

html_theme = "furo"
html_title = f"yunxiao-emas {release}"
html_static_path = ["_static"]
html_css_files = ["site.css"]
html_theme_options = {"navigation_with_keys": True}
html_show_sourcelink = False
