"""The README's demo command, run as a newcomer runs it: in a fresh copy of the repository, with
the machine's own python3 first on PATH (Debian's here: externally managed, PEP 668, so
`pip install` outside a virtual environment is refused). The command is read from README.md by
scripts/readme-command, the reader .ci/run uses for the test command.

It installs nox from the package index and the package into nox's demo session, as a newcomer's
run does: about a minute, most of it the index and the build.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# The system's directories alone: no pyenv shim, no virtual environment of the test run.
SYSTEM_PATH = "/usr/bin:/bin:/usr/sbin:/sbin"
IS_EXTERNALLY_MANAGED = (
    "import pathlib, sysconfig; "
    "print(pathlib.Path(sysconfig.get_path('stdlib'), 'EXTERNALLY-MANAGED').is_file())"
)


def readme_command(name: str) -> str:
    return subprocess.run(
        ["bash", str(ROOT / "scripts" / "readme-command"), name],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()


def system_environment() -> dict[str, str]:
    """This process's environment without what a test run adds (its virtual environment, nox's
    variables), and with the system's PATH."""
    dropped = {"VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME", "CONDA_PREFIX", "UV_PYTHON"}
    env = {
        name: value
        for name, value in os.environ.items()
        if name not in dropped and not name.startswith(("NOX_", "PYTEST_", "PYENV_"))
    }
    env["PATH"] = SYSTEM_PATH
    return env


def fresh_copy(dest: Path) -> Path:
    """The repository's files as a clone has them (tracked, or new and not ignored): no .nox,
    no virtual environment, nothing built."""
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.decode()
    for name in filter(None, listed.split("\0")):
        source = ROOT / name
        if source.is_file():
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, dest / name)
    return dest


def test_the_python3_the_demo_runs_with_is_externally_managed() -> None:
    # The premise of the next test: with a Python that lets pip install anywhere, it would
    # prove nothing about PEP 668.
    found = subprocess.run(
        ["python3", "-c", IS_EXTERNALLY_MANAGED],
        env=system_environment(),
        capture_output=True,
        text=True,
        check=True,
    )
    assert found.stdout.strip() == "True", f"{shutil.which('python3', path=SYSTEM_PATH)}"


def test_the_readme_demo_command_passes_in_a_fresh_copy_with_the_system_python(
    tmp_path: Path,
) -> None:
    command = readme_command("demo-command")
    copy = fresh_copy(tmp_path / "yunxiao-emas")

    result = subprocess.run(
        ["bash", "-c", command],
        cwd=copy,
        env=system_environment(),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        check=False,
    )

    output = result.stdout + result.stderr
    assert result.returncode == 0, f"{command}\n{output[-4000:]}"
    assert "demo ok: app-release.apk" in result.stdout
    assert "externally-managed-environment" not in output
