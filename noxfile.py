"""Sessions: generate, check-generated, spec, lint, typecheck, tests, demo, bench.

`nox` alone runs the checks CI runs (the README's test command). Every session installs from
the package registry alone; uv makes the virtualenvs when it is there.
"""

from __future__ import annotations

import nox

nox.options.default_venv_backend = "uv|virtualenv"
nox.options.sessions = ["lint", "typecheck", "check-generated", "spec", "tests"]
nox.options.reuse_venv = "yes"

PYPROJECT = nox.project.load_toml("pyproject.toml")


def group(name: str) -> list[str]:
    return nox.project.dependency_groups(PYPROJECT, name)


@nox.session
def generate(session: nox.Session) -> None:
    """Regenerate generated/ from openapi.yaml (the only way it changes)."""
    session.install(*group("generate"))
    session.run("bash", "scripts/generate", external=True)


@nox.session(name="check-generated")
def check_generated(session: nox.Session) -> None:
    """Regenerate into a temporary folder and fail on any difference with generated/."""
    session.install(*group("generate"))
    tmp = session.create_tmp()
    session.run("bash", "scripts/generate", tmp, external=True)
    session.run(
        "diff",
        "-r",
        "-x",
        "__pycache__",
        "generated/yunxiao_emas_api",
        f"{tmp}/yunxiao_emas_api",
        external=True,
    )


@nox.session
def spec(session: nox.Session) -> None:
    """openapi-spec-validator, every example against its schema, a TypeScript client compiles."""
    session.install(*group("spec"))
    session.run("python", "scripts/check_spec.py")
    session.run("bash", "scripts/check-typescript", external=True)


@nox.session
def lint(session: nox.Session) -> None:
    """ruff check and ruff format --check."""
    session.install(*group("lint"))
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")


@nox.session
def typecheck(session: nox.Session) -> None:
    """mypy --strict on wrapper/."""
    session.install(".[cli,mock]", *group("lint"))
    session.run("mypy")


@nox.session
def tests(session: nox.Session) -> None:
    """Every test, against the installed wheel (so packaging is tested too)."""
    session.install(".[cli,mock]", *group("test"))
    session.run("pytest", *session.posargs)


@nox.session
def demo(session: nox.Session) -> None:
    """The whole job against the emulator: signed call, URL, progress, verified file."""
    session.install(".[cli,mock]")
    session.run("python", "scripts/demo.py", *session.posargs)


@nox.session
def bench(session: nox.Session) -> None:
    """Speed and memory, as ratios measured side by side in one run."""
    session.install(".[cli,mock]", *group("test"))
    session.run("python", "scripts/bench.py", *session.posargs)
