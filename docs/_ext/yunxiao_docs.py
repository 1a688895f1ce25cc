"""What the documentation site generates from the code and the contract.

- ``{exception-tree}``: the tree of ``yunxiao_emas``'s exceptions, from the classes themselves.
- The rendered contract: openapi.yaml as JSON for Swagger UI, whose files come from the npm
  package ``swagger-ui-dist`` (``nox -s docs`` installs it and names its folder in
  ``YUNXIAO_DOCS_SWAGGER_UI``); nothing is loaded from a CDN, at build or view time.
- A check that the API reference documents every public name of ``yunxiao_emas`` and
  ``yunxiao_emas.testing`` (a warning, so an error under ``-W``).
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

import yaml
import yunxiao_emas
import yunxiao_emas.testing
from docutils import nodes
from docutils.statemachine import StringList
from sphinx.application import Sphinx
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

_log = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parents[2]
SPEC = ROOT / "openapi.yaml"
# The files of swagger-ui-dist the contract page loads (the rest of the package is not served).
SWAGGER_UI_FILES = ("swagger-ui-bundle.js", "swagger-ui.css", "LICENSE")


class ExceptionTree(SphinxDirective):
    """A nested list of every exception class of ``yunxiao_emas``, root first, each linked to
    its reference entry with the first line of its docstring."""

    def run(self) -> list[nodes.Node]:
        root = yunxiao_emas.YunxiaoError
        public = {
            getattr(yunxiao_emas, name)
            for name in yunxiao_emas.__all__
            if isinstance(getattr(yunxiao_emas, name), type)
        }
        lines: list[str] = []

        def add(cls: type[BaseException], depth: int) -> None:
            others = [
                base.__name__
                for base in cls.__bases__
                if cls is not root and not issubclass(base, root)
            ]
            also = f" (also a {', '.join(f'`{name}`' for name in others)})" if others else ""
            summary = (cls.__doc__ or "").strip().splitlines()[0] if cls.__doc__ else ""
            lines.append(
                "  " * depth + f"- {{py:exc}}`~yunxiao_emas.{cls.__name__}`{also}: {summary}"
            )
            for sub in sorted(cls.__subclasses__(), key=lambda c: c.__name__):
                if sub in public:
                    add(sub, depth + 1)

        add(root, 0)
        container = nodes.container(classes=["exception-tree"])
        self.state.nested_parse(StringList(lines, source="exception-tree"), 0, container)
        return [container]


def _check_public_names(app: Sphinx, env: Any) -> None:
    documented = set(env.get_domain("py").objects)
    for module in (yunxiao_emas, yunxiao_emas.testing):
        for name in module.__all__:
            if name == "__version__":
                continue
            if f"{module.__name__}.{name}" not in documented:
                _log.warning(
                    "the API reference does not document %s.%s (reference/api.md)",
                    module.__name__,
                    name,
                )


def _write_contract(app: Sphinx, exception: Exception | None) -> None:
    """openapi.yaml (as it is, and as a script Swagger UI reads without a fetch, so the page
    also works from file://) and Swagger UI's files, into the site's _static/contract/."""
    if exception is not None or app.builder.format != "html":
        return
    dest = Path(app.outdir) / "_static" / "contract"
    dest.mkdir(parents=True, exist_ok=True)
    spec = yaml.safe_load(SPEC.read_text(encoding="utf-8"))
    shutil.copy(SPEC, dest / "openapi.yaml")
    (dest / "openapi-spec.js").write_text(
        "window.YUNXIAO_OPENAPI = " + json.dumps(spec, default=str) + ";\n", encoding="utf-8"
    )
    folder = os.environ.get("YUNXIAO_DOCS_SWAGGER_UI")
    if not folder or not (Path(folder) / "swagger-ui-bundle.js").is_file():
        _log.warning(
            "Swagger UI not found (YUNXIAO_DOCS_SWAGGER_UI=%r): the contract page cannot render; "
            "build the site with `nox -s docs`, which installs it",
            folder,
        )
        return
    for name in SWAGGER_UI_FILES:
        shutil.copy(Path(folder) / name, dest / name)


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_directive("exception-tree", ExceptionTree)
    app.connect("env-check-consistency", _check_public_names)
    app.connect("build-finished", _write_contract)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
