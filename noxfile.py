"""Sessions: generate, check-generated, spec, lint, typecheck, tests, package, docs, demo, bench.

`nox` alone runs the checks CI runs (the README's test command). Every session installs from
the package registry alone; uv makes the virtualenvs when it is there.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import nox

nox.options.default_venv_backend = "uv|virtualenv"
nox.options.sessions = [
    "lint",
    "typecheck",
    "check-generated",
    "spec",
    "tests",
    "tests-newer",
    "package",
    "docs",
]
nox.options.reuse_venv = "yes"

# Every Python that requires-python admits and the classifiers list. The whole suite runs on the
# oldest (`tests`); the newer ones run the part that meets what changes between versions
# (`tests-newer`, NEWER_PYTHONS_RUN), so that `nox` stays under 15 minutes on two cores.
OLDEST_PYTHON = "3.11"
NEWER_PYTHONS = ["3.12", "3.13"]
NEWER_PYTHONS_RUN = [
    "tests/unit",
    # The clients over real sockets, TLS and both async transports; the command line's and the
    # emulator command's end-to-end tests (subprocesses, minutes) run on the oldest only.
    "tests/e2e/test_api_e2e.py",
    "tests/e2e/test_download_e2e.py",
    "tests/e2e/test_download_parts_e2e.py",
]


def _find_pyenv_pythons(versions: list[str]) -> None:
    """Put pyenv's interpreters of ``versions`` on PATH when they are not there already (pyenv
    installs them without activating them; its shims then refuse to run them)."""
    pyenv = shutil.which("pyenv")
    if pyenv is None:
        return
    for version in versions:
        try:
            prefix = subprocess.run(
                [pyenv, "prefix", version], capture_output=True, text=True, check=True
            ).stdout.strip()
        except (OSError, subprocess.CalledProcessError):
            continue  # not installed: nox says so when a session asks for it
        binary = Path(prefix) / "bin"
        if (binary / f"python{version}").exists():
            os.environ["PATH"] = f"{binary}{os.pathsep}{os.environ.get('PATH', '')}"


_find_pyenv_pythons([OLDEST_PYTHON, *NEWER_PYTHONS])

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


# What `spec` needs from the machine, and the Debian package that brings each.
SPEC_MACHINE_NEEDS = {
    "java": "openjdk-17-jdk-headless",
    "javac": "openjdk-17-jdk-headless",
    "node": "nodejs",
    "npm": "npm",
    "go": "golang-go",
    "/usr/share/java/jackson-databind.jar": "libjackson2-databind-java",
    "/usr/share/java/jackson-core.jar": "libjackson2-core-java",
    "/usr/share/java/jackson-annotations.jar": "libjackson2-annotations-java",
    "/usr/share/java/jakarta-annotation-api.jar": "libjakarta-annotation-api-java",
}


def _missing_from_machine(needs: dict[str, str]) -> dict[str, str]:
    return {
        need: package
        for need, package in needs.items()
        if not (Path(need).exists() if need.startswith("/") else shutil.which(need))
    }


def install_machine_needs(session: nox.Session, needs: dict[str, str] = SPEC_MACHINE_NEEDS) -> None:
    """Install what the session needs from Debian's packages, or fail saying what is missing."""
    missing = _missing_from_machine(needs)
    if not missing:
        return
    packages = sorted(set(missing.values()))
    what = ", ".join(sorted(missing))
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        session.error(
            f"{session.name} needs {what}: install the Debian packages {' '.join(packages)} "
            f"(apt-get install {' '.join(packages)}), or run as root to let the session do it"
        )
    session.log(f"{session.name} needs {what}: installing the Debian packages {' '.join(packages)}")
    apt_env = {"DEBIAN_FRONTEND": "noninteractive"}
    session.run("apt-get", "update", "-q", external=True, env=apt_env)
    session.run(
        "apt-get",
        "install",
        "-y",
        "-q",
        "--no-install-recommends",
        *packages,
        external=True,
        env=apt_env,
    )
    if still := _missing_from_machine(needs):
        session.error(
            f"{session.name} still lacks {', '.join(sorted(still))} after apt-get install"
        )


@nox.session
def spec(session: nox.Session) -> None:
    """The contract, checked the ways other languages use it.

    openapi-spec-validator and every example against its schema; Redocly CLI and Spectral at
    zero problems; clients generated by OpenAPI Generator for typescript-fetch, go and java
    (native) compile and read every documented answer; examples/typescript's committed client
    is what scripts/generate-ts-example makes. npm packages and Go's build cache are kept in
    .nox/spec/cache between runs.
    """
    session.install(*group("spec"))
    install_machine_needs(session)
    cache = Path(session.virtualenv.location) / "cache"
    session.run("python", "scripts/check_spec.py")
    session.run("bash", "scripts/lint-spec", str(cache), external=True)
    for check in ("check-typescript", "check-go", "check-java"):
        session.run("bash", f"scripts/{check}", str(cache), external=True)
    client = Path(session.create_tmp()) / "ts-example-client"
    session.run("bash", "scripts/generate-ts-example", str(client), external=True)
    session.run("diff", "-r", "examples/typescript/src/client", str(client), external=True)


@nox.session
def lint(session: nox.Session) -> None:
    """ruff check and ruff format --check."""
    session.install(*group("lint"))
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")


@nox.session
def typecheck(session: nox.Session) -> None:
    """mypy --strict on wrapper/."""
    session.install(".[cli,mock,otel]", *group("lint"))
    session.run("mypy")


@nox.session(python=OLDEST_PYTHON)
def tests(session: nox.Session) -> None:
    """Every test, against the installed wheel (so packaging is tested too), on the oldest
    supported Python. The Go and Java examples run in tests/interop: the machine's Go, Java
    and Jackson jars, as for `spec`."""
    session.install(".[cli,mock]", *group("test"))
    install_machine_needs(session)
    session.run("pytest", *session.posargs)


@nox.session(name="tests-newer", python=NEWER_PYTHONS)
def tests_newer(session: nox.Session) -> None:
    """NEWER_PYTHONS_RUN (or the tests given after --) on each newer Python: every unit test,
    and the clients over real sockets, TLS and both async transports, where asyncio, ssl and
    the standard library change between versions."""
    session.install(".[cli,mock]", *group("test"))
    session.run("pytest", *(session.posargs or NEWER_PYTHONS_RUN))


@nox.session
def package(session: nox.Session) -> None:
    """Build the sdist and the wheel, run twine check on them, and check what they hold
    (openapi.yaml, both py.typed, _version.py's version, no tests): scripts/check_package.py."""
    session.install("build", "twine")
    dist = Path(session.create_tmp()) / "dist"
    shutil.rmtree(dist, ignore_errors=True)
    session.run("python", "-m", "build", "--outdir", str(dist))
    session.run("twine", "check", "--strict", *sorted(str(path) for path in dist.iterdir()))
    session.run("python", "scripts/check_package.py", str(dist))


# What `docs` needs from the machine: npm installs Swagger UI (docs/swagger-ui's lock file);
# Chromium opens the built site in docs/checks/test_site.py.
DOCS_MACHINE_NEEDS = {"node": "nodejs", "npm": "npm", "chromium": "chromium"}
DOCS_SITE = Path("docs/_build/html")


def _npm_ci_cached(session: nox.Session, package_dir: Path, dest: Path) -> Path:
    """`npm ci` of package_dir's lock file into dest (install scripts off: swagger-ui-dist's
    dependency would send telemetry), skipped when dest holds an install of the same lock."""
    wanted = (package_dir / "package.json").read_text() + (
        package_dir / "package-lock.json"
    ).read_text()
    stamp = dest / ".installed"
    if not (stamp.exists() and stamp.read_text() == wanted and (dest / "node_modules").is_dir()):
        shutil.rmtree(dest, ignore_errors=True)
        dest.mkdir(parents=True)
        for name in ("package.json", "package-lock.json"):
            shutil.copy(package_dir / name, dest / name)
        session.run(
            "npm",
            "ci",
            "--no-audit",
            "--no-fund",
            "--ignore-scripts",
            "--loglevel=error",
            "--prefix",
            str(dest),
            external=True,
            silent=True,
        )
        stamp.write_text(wanted)
    return dest / "node_modules"


@nox.session
def docs(session: nox.Session) -> None:
    """Build the documentation site into docs/_build/html (Sphinx, every warning an error),
    then open every page in headless Chromium (docs/checks/test_site.py): no console error,
    broken link, anchor or asset; the search works offline; screenshots of the home page and
    the rendered contract in docs/_build/screenshots/. `-- --no-browser` builds only."""
    session.install(".[cli,mock]", *group("docs"))
    install_machine_needs(session, DOCS_MACHINE_NEEDS)
    cache = Path(session.virtualenv.location) / "cache"
    node_modules = _npm_ci_cached(session, Path("docs/swagger-ui"), cache / "swagger-ui")
    shutil.rmtree(DOCS_SITE, ignore_errors=True)
    session.run(
        "sphinx-build",
        "--fail-on-warning",
        "--keep-going",
        "--builder",
        "html",
        "docs",
        str(DOCS_SITE),
        env={"YUNXIAO_DOCS_SWAGGER_UI": str(node_modules / "swagger-ui-dist")},
    )
    if "--no-browser" in session.posargs:
        return
    session.run(
        "pytest",
        "docs/checks",
        "-p",
        "no:cacheprovider",
        "-p",
        "no:yunxiao_emas",
        # pyproject.toml's pytest settings name pytest-asyncio's options, not installed here.
        "-W",
        "ignore::pytest.PytestConfigWarning",
        *[arg for arg in session.posargs if arg != "--no-browser"],
        env={"YUNXIAO_DOCS_SITE": str(DOCS_SITE.resolve())},
    )
    shots = DOCS_SITE.parent / "screenshots"
    session.log(f"screenshots: {shots / 'home.png'} and {shots / 'contract.png'}")


@nox.session
def demo(session: nox.Session) -> None:
    """The whole job against the emulator: signed call, URL, progress, verified file."""
    session.install(".[cli,mock]")
    # The file stays in .nox/demo/artifact, for the emulator command the demo prints at the end.
    keep = Path(session.virtualenv.location) / "artifact"
    session.run("python", "scripts/demo.py", "--keep", str(keep), *session.posargs)


@nox.session
def bench(session: nox.Session) -> None:
    """Speed and memory, as ratios measured side by side in one run: writes bench/RESULTS.md
    and bench/downloads.png. `nox -s bench -- --quick` for a smoke run, `-- --only calls`."""
    session.install(".[mock]", *group("bench"))
    session.run("python", "-m", "bench", *session.posargs)


@nox.session
def soak(session: nox.Session) -> None:
    """Load: 20,000 calls per API through one AsyncClient at concurrency 128 against the
    emulator (a subprocess) with 5% injected faults; every call ends in a result or a typed
    error, none hangs, resident memory grows less than 10%. `-- -s` prints the reports.
    The suite runs a short version of it (tests/attack/test_soak.py, CALLS)."""
    session.install(".[cli,mock]", *group("test"))
    session.run(
        "pytest",
        "tests/attack/test_soak.py",
        "-p",
        "no:cacheprovider",
        *session.posargs,
        env={"YUNXIAO_SOAK_CALLS": "20000"},
    )
