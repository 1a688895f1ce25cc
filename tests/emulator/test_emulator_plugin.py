"""The pytest plugin: the ``yunxiao_emulator`` fixture, and pytest without the ``mock`` extra."""

from __future__ import annotations

import ast
import subprocess
import sys
import textwrap
from pathlib import Path

import yunxiao_emas.testing
from emulator_support import ORG, PIPELINE, RUN, api_path, http_client, token_params, token_path
from yunxiao_emas.auth.acs3 import AcsV3Auth
from yunxiao_emas.auth.token import TokenAuth
from yunxiao_emas.testing import EmulatedService, RunningEmulator

# Makes the emulator's dependencies unimportable, as in an install without the extra.
WITHOUT_MOCK_EXTRA = (
    "import sys\nfor name in ('starlette', 'uvicorn', 'yaml'):\n    sys.modules[name] = None\n"
)


def run_python(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )


def test_fixture_gives_a_served_emulator_and_credentials_it_accepts(
    yunxiao_emulator: RunningEmulator,
) -> None:
    md5 = yunxiao_emulator.service.add_artifact(ORG, PIPELINE, RUN, "job", b"apk")
    auth = AcsV3Auth(yunxiao_emulator.credentials)

    with http_client(yunxiao_emulator.base_url, auth) as client:
        response = client.post(api_path(job="job", md5=md5), params={"serviceConnectionId": 1})

    assert response.status_code == 200


def test_fixture_gives_a_token_the_emulator_accepts(yunxiao_emulator: RunningEmulator) -> None:
    md5 = yunxiao_emulator.service.add_artifact(ORG, PIPELINE, RUN, "job", b"apk")
    auth = TokenAuth(yunxiao_emulator.token)

    with http_client(yunxiao_emulator.base_url, auth) as client:
        response = client.get(token_path(), params=token_params(job="job", md5=md5))

    assert response.status_code == 200


def test_running_emulator_built_without_a_token_takes_the_services_default() -> None:
    service = EmulatedService()

    running = RunningEmulator(service, "http://127.0.0.1:1", service.default_credentials)

    assert running.token == service.default_token


def test_fixture_gives_a_fresh_service_to_each_test(yunxiao_emulator: RunningEmulator) -> None:
    assert isinstance(yunxiao_emulator.service, EmulatedService)
    assert yunxiao_emulator.service.calls == []
    assert yunxiao_emulator.base_url.startswith("http://127.0.0.1:")


def test_plugin_module_imports_without_the_mock_extra() -> None:
    result = run_python(
        WITHOUT_MOCK_EXTRA + "import yunxiao_emas.testing.pytest_plugin\nprint('imported')"
    )

    assert result.stdout.strip() == "imported", result.stderr


def test_fixture_without_the_mock_extra_fails_naming_the_extra(tmp_path: Path) -> None:
    (tmp_path / "conftest.py").write_text(WITHOUT_MOCK_EXTRA)
    (tmp_path / "test_user.py").write_text(
        textwrap.dedent(
            """
            def test_uses_the_emulator(yunxiao_emulator):
                pass

            def test_does_not(tmp_path):
                pass
            """
        )
    )

    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=tmp_path,
    )

    assert "1 passed, 1 error" in result.stdout, result.stdout + result.stderr
    assert "install yunxiao-emas[mock]" in result.stdout


def test_importing_the_package_does_not_import_the_emulator() -> None:
    result = run_python(
        "import sys, yunxiao_emas\n"
        "print(sorted(m for m in sys.modules if m.startswith(('yunxiao_emas.testing', "
        "'starlette', 'uvicorn'))))"
    )

    assert result.stdout.strip() == "[]", result.stderr


def imported_modules(path: Path) -> set[str]:
    """Absolute names of the modules a source file of yunxiao_emas.testing imports."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = "yunxiao_emas.testing" if node.level == 1 else "yunxiao_emas"
            module = node.module if node.level == 0 else f"{base}.{node.module or ''}"
            names.update(f"{module}.{alias.name}".rstrip(".") for alias in node.names)
            names.add(str(module).rstrip("."))
    return names


COMMANDS = ("commands", "contract", "emulator")


def test_emulator_never_imports_the_client() -> None:
    sources = Path(yunxiao_emas.testing.__file__).parent.glob("*.py")
    imported = set().union(*(imported_modules(path) for path in sources))

    ours = sorted(name for name in imported if name.startswith("yunxiao_emas"))
    assert "yunxiao_emas.auth.acs3" in ours
    # cli.spec, the reader of openapi.yaml, is shared with check-contract; the commands are not.
    forbidden = ("yunxiao_emas.client", *(f"yunxiao_emas.cli.{name}" for name in COMMANDS))
    assert not [name for name in ours if name.startswith(forbidden)]
    assert "yunxiao_emas" not in ours


def test_emulator_imports_of_the_package_only_what_it_may() -> None:
    # DESIGN.md: the signing and token modules, cli.spec, _call.operations, errors, credentials (and
    # the package's lazy-import helper and its loopback rule).
    allowed = {
        "yunxiao_emas._lazy",
        "yunxiao_emas._urls",
        "yunxiao_emas._call.operations",
        "yunxiao_emas.cli.spec",
        "yunxiao_emas.auth.acs3",
        "yunxiao_emas.auth.token",
        "yunxiao_emas.credentials",
        "yunxiao_emas.errors",
    }
    modules = set()
    for path in Path(yunxiao_emas.testing.__file__).parent.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.level == 2:
                modules.add(f"yunxiao_emas.{node.module}")

    assert modules <= allowed, sorted(modules - allowed)
    assert {"yunxiao_emas.auth.acs3", "yunxiao_emas.cli.spec"} <= modules
