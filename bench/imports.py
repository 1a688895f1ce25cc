"""4. Start-up, and the distributions an install pulls.

The figures are taken in fresh virtual environments this module makes in a temporary folder
(with uv when it is on PATH, else ``venv`` and pip), so that nothing else is installed beside
the package: httpx imports click, rich and pygments when they are installed, and an environment
with the ``cli`` extra (or this benchmark's) would make ``import httpx`` slower and flatter us.

- *core*: ``pip install yunxiao-emas`` (the wheel built from this tree), bytecode compiled as
  pip does: ``import httpx`` and ``import yunxiao_emas; from yunxiao_emas import Client``, timed
  inside fresh interpreters (``python -I``) around the statement;
- *cli*: ``pip install yunxiao-emas[cli]``: ``yunxiao-emas --help``, timed as a whole process,
  against the whole process ``python -I -c "import httpx"`` of *core*;
- *official*: ``pip install alibabacloud-devops20210625`` (the version installed here, if any):
  ``from alibabacloud_devops20210625.client import Client``, beside ours.

Every kind runs once per round, interleaved, after two warm-up runs each. The distributions are
counted by walking each root's requirements in its environment (markers evaluated by
``packaging``, extras followed), and checked against what the environment holds.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from ._report import NOT_MEASURED, Section
from ._servers import ROOT
from ._settings import Settings
from ._stats import Spread, order_of_round, per_round

__all__ = ["requirement_tree", "run"]

IMPORT_TARGET = 1.2  # import yunxiao_emas + Client / import httpx, at most
CLI_TARGET = 1.5  # yunxiao-emas --help / python -c "import httpx", at most
OFFICIAL = "alibabacloud-devops20210625"
SNIPPET = "import time; t = time.perf_counter(); {}; print(time.perf_counter() - t)"
STATEMENTS = {
    "httpx": "import httpx",
    "ours": "import yunxiao_emas; from yunxiao_emas import Client",
    "official": "from alibabacloud_devops20210625.client import Client",
}
# Installed by venv's pip itself, not by the package (only when uv is not there).
SEEDS = {"pip", "setuptools", "wheel"}


def _clean_env() -> dict[str, str]:
    """This environment (its index, proxy and certificate settings too) without anything that
    would change what an interpreter imports or where an installer installs."""
    return {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("PYTHON") and key not in {"VIRTUAL_ENV", "CONDA_PREFIX"}
    }


def _run(*command: str) -> None:
    subprocess.run(command, check=True, env=_clean_env(), stdout=subprocess.DEVNULL, timeout=600)


@dataclass(frozen=True)
class Venv:
    path: Path

    @property
    def python(self) -> str:
        return str(self.path / "bin" / "python")

    def script(self, name: str) -> str:
        return str(self.path / "bin" / name)

    @property
    def site_packages(self) -> str:
        return glob.glob(str(self.path / "lib" / "python*" / "site-packages"))[0]


class Builder:
    """Makes the environments: with uv when there is one (and the wheel of this tree, built
    once), else with venv and pip (which build the project from this tree each time)."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.uv = shutil.which("uv") or _uv_of_package()
        self._project: str | None = None

    def project(self, extras: str = "") -> str:
        """The requirement of ``yunxiao-emas`` from this tree, ``extras`` as ``[cli]``."""
        if self._project is None:
            if self.uv:
                out = self.directory / "wheel"
                _run(self.uv, "build", "--quiet", "--wheel", "--out-dir", str(out), str(ROOT))
                self._project = next(out.glob("yunxiao_emas-*.whl")).as_uri()
            else:
                self._project = ROOT.as_uri()
        return f"yunxiao-emas{extras} @ {self._project}"

    def venv(self, name: str, *requirements: str) -> Venv:
        venv = Venv(self.directory / name)
        if self.uv:
            _run(self.uv, "venv", "--quiet", "--python", sys.executable, str(venv.path))
            _run(
                self.uv,
                "pip",
                "install",
                "--quiet",
                "--compile-bytecode",
                "--python",
                venv.python,
                *requirements,
            )
        else:
            _run(sys.executable, "-m", "venv", str(venv.path))
            _run(venv.python, "-m", "pip", "install", "--quiet", *requirements)
        return venv


def _uv_of_package() -> str | None:
    """The uv binary of the ``uv`` package, when it is installed rather than on PATH."""
    try:
        from uv import find_uv_bin  # type: ignore[import-not-found, unused-ignore]
    except ImportError:
        return None
    found: str = find_uv_bin()
    return found


def _canonical(name: str) -> str:
    from packaging.utils import canonicalize_name

    return str(canonicalize_name(name))


def requirement_tree(root: str, path: list[str]) -> tuple[set[str], set[str]]:
    """The distributions ``root`` pulls in the environment at ``path`` (itself included), and
    those it names that are not there. Markers are evaluated by ``packaging`` for this
    interpreter, with each requested extra."""
    from packaging.requirements import Requirement

    installed = {_canonical(d.metadata["Name"]): d for d in metadata.distributions(path=path)}
    seen: set[str] = set()
    missing: set[str] = set()
    pending: list[tuple[str, frozenset[str]]] = [(_canonical(root), frozenset())]
    visited: set[tuple[str, frozenset[str]]] = set()
    while pending:
        name, extras = pending.pop()
        if (name, extras) in visited:
            continue
        visited.add((name, extras))
        distribution = installed.get(name)
        if distribution is None:
            missing.add(name)
            continue
        seen.add(name)
        for line in distribution.requires or []:
            requirement = Requirement(line)
            marker = requirement.marker
            if marker is None or any(
                marker.evaluate({"extra": extra}) for extra in ("", *sorted(extras))
            ):
                pending.append(
                    (
                        _canonical(requirement.name),
                        frozenset(_canonical(e) for e in requirement.extras),
                    )
                )
    return seen, missing


def _count(section: Section, root: str, venv: Venv | None) -> int | None:
    """How many distributions ``root`` pulls; printed with the names."""
    path = [venv.site_packages] if venv is not None else sys.path
    try:
        tree, missing = requirement_tree(root, path)
    except ImportError:
        if venv is None:
            return None
        names = {d.metadata["Name"] for d in metadata.distributions(path=path)} - SEEDS
        section.note(f"`{root}`: {len(names)} distributions (packaging not installed: listed).")
        return len(names)
    if not tree:
        return None
    where = "its own fresh environment" if venv is not None else "this environment"
    held = ""
    if venv is not None:
        listed = {_canonical(d.metadata["Name"]) for d in metadata.distributions(path=path)}
        held = f"; the environment holds {len(listed - SEEDS)}"
    section.note(
        f"`pip install {root}` pulls {len(tree)} distributions (requirements walked in "
        f"{where}{held}): {', '.join(sorted(tree))}."
        + (
            f" Not installed there, so not followed: {', '.join(sorted(missing))}."
            if missing
            else ""
        )
    )
    return len(tree)


def _sample(command: list[str]) -> tuple[float, float]:
    """(seconds printed by the snippet or 0, wall seconds of the process)."""
    with tempfile.TemporaryDirectory(prefix="yunxiao-bench-cwd-") as cwd:
        started = time.perf_counter()
        done = subprocess.run(
            command,
            capture_output=True,
            text=True,
            cwd=cwd,
            env=_clean_env(),
            timeout=120,
            check=True,
        )
        wall = time.perf_counter() - started
    printed = done.stdout.strip().splitlines()
    try:
        return float(printed[-1]), wall
    except (IndexError, ValueError):
        return 0.0, wall


@contextlib.contextmanager
def _environments(section: Section) -> Iterator[dict[str, Venv | None]]:
    with tempfile.TemporaryDirectory(prefix="yunxiao-bench-venvs-") as directory:
        started = time.perf_counter()
        builder = Builder(Path(directory))
        venvs: dict[str, Venv | None] = {
            "core": builder.venv("core", builder.project()),
            "cli": builder.venv("cli", builder.project("[cli]")),
        }
        try:
            version = metadata.version(OFFICIAL)
            official = f"{OFFICIAL}=={version}"
        except metadata.PackageNotFoundError:
            official = OFFICIAL
        try:
            venvs["official"] = builder.venv("official", official)
        except subprocess.CalledProcessError:
            venvs["official"] = None
            section.note(f"Could not install `{official}` in a fresh environment: not measured.")
        section.note(
            f"Fresh environments made with {'uv' if builder.uv else 'venv and pip'} in "
            f"{time.perf_counter() - started:.0f} s: core (`yunxiao-emas` from this tree), "
            f"cli (`yunxiao-emas[cli]`), official (`{official}`)."
        )
        yield venvs


def run(settings: Settings) -> Section:
    section = Section("imports", "4. Start-up and dependencies")
    with _environments(section) as venvs:
        core, cli, official = venvs["core"], venvs["cli"], venvs["official"]
        assert core is not None
        assert cli is not None
        commands = {
            "httpx": [core.python, "-I", "-c", SNIPPET.format(STATEMENTS["httpx"])],
            "ours": [core.python, "-I", "-c", SNIPPET.format(STATEMENTS["ours"])],
            "cli": [cli.script("yunxiao-emas"), "--help"],
        }
        if official is not None:
            commands["official"] = [
                official.python,
                "-I",
                "-c",
                SNIPPET.format(STATEMENTS["official"]),
            ]
        names = list(commands)
        inside: dict[str, list[float]] = {name: [] for name in names}
        wall: dict[str, list[float]] = {name: [] for name in names}
        for _ in range(2):  # warm the page cache
            for command in commands.values():
                _sample(command)
        for round_ in range(settings.import_runs):
            for name in order_of_round(names, round_):
                seconds, whole = _sample(commands[name])
                inside[name].append(seconds)
                wall[name].append(whole)
        ours_count = _count(section, "yunxiao-emas", core)
        official_count = _count(section, OFFICIAL, official)
    labels = {
        "httpx": "`import httpx` (core)",
        "ours": "`import yunxiao_emas; from yunxiao_emas import Client` (core)",
        "cli": "`yunxiao-emas --help` (cli)",
        "official": "`from alibabacloud_devops20210625.client import Client` (official)",
    }
    rows = []
    for name in names:
        statement = "" if name == "cli" else Spread.of(inside[name], 1e3).show(1)
        rows.append([labels[name], statement, Spread.of(wall[name], 1e3).show(1)])
    section.table(["fresh interpreter", "the statement, ms", "the whole process, ms"], rows)
    section.note(
        f"{settings.import_runs} rounds; bytecode compiled at install, as pip does; `python -I`."
    )
    ratio = Spread.of(per_round(inside["ours"], inside["httpx"]))
    beside = NOT_MEASURED
    if "official" in inside:
        beside = Spread.of(per_round(inside["official"], inside["httpx"])).show(2)
    section.target(
        "import yunxiao_emas + Client / import httpx (in the interpreter)",
        ratio.show(2),
        f"<= {IMPORT_TARGET}",
        ratio.median <= IMPORT_TARGET,
        official=beside,
    )
    ratio = Spread.of(per_round(wall["cli"], wall["httpx"]))
    section.target(
        "yunxiao-emas --help / python -c 'import httpx' (whole processes)",
        ratio.show(2),
        f"<= {CLI_TARGET}",
        ratio.median <= CLI_TARGET,
        official="— (it has no CLI)",
    )
    met = None if ours_count is None or official_count is None else ours_count < official_count
    section.target(
        "distributions that pip install pulls",
        NOT_MEASURED if ours_count is None else str(ours_count),
        "fewer than the official SDK",
        met,
        official=NOT_MEASURED if official_count is None else str(official_count),
    )
    return section
