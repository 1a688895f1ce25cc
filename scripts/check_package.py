"""Check what `nox -s package` built: the wheel and the sdist hold what users need, and nothing
of the tests.

Usage: python scripts/check_package.py DIST_DIR
(DIST_DIR holds exactly one wheel and one sdist of yunxiao-emas.) Prints what it checked and
exits 1 with one line per problem when something is missing or does not belong.
"""

from __future__ import annotations

import re
import sys
import tarfile
import zipfile
from email.parser import Parser
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

WHEEL_MUST_HOLD = (
    "yunxiao_emas/__init__.py",
    "yunxiao_emas/__main__.py",
    "yunxiao_emas/cli/__init__.py",
    "yunxiao_emas/cli/commands.py",
    "yunxiao_emas/py.typed",
    "yunxiao_emas/openapi.yaml",
    "yunxiao_emas/signing-vectors.json",
    "yunxiao_emas/testing/__init__.py",
    "yunxiao_emas/testing/pytest_plugin.py",
    "yunxiao_emas/credentials/official.py",
    "yunxiao_emas_api/__init__.py",
    "yunxiao_emas_api/py.typed",
)
SDIST_MUST_HOLD = (
    "LICENSE",
    "CHANGELOG.md",
    "README.md",
    "openapi.yaml",
    "signing-vectors.json",
    "pyproject.toml",
)


def source_version() -> str:
    text = (ROOT / "wrapper" / "yunxiao_emas" / "_version.py").read_text(encoding="utf-8")
    found = re.search(r'__version__ = "([^"]+)"', text)
    if found is None:
        raise SystemExit("wrapper/yunxiao_emas/_version.py defines no __version__")
    return found.group(1)


def check_wheel(wheel: Path, version: str) -> list[str]:
    problems: list[str] = []
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        for needed in WHEEL_MUST_HOLD:
            if needed not in names:
                problems.append(f"wheel: {needed} is missing")
        for name in names:
            parts = name.split("/")
            if "tests" in parts or parts[-1] == "conftest.py" or parts[-1].startswith("test_"):
                problems.append(f"wheel: {name} is a test, not part of the package")
            if "__pycache__" in parts or name.endswith(".pyc"):
                problems.append(f"wheel: {name} is a compiled leftover")
        info = f"yunxiao_emas-{version}.dist-info"
        metadata = Parser().parsestr(archive.read(f"{info}/METADATA").decode("utf-8"))
        if metadata["Version"] != version:
            problems.append(f"wheel: Version {metadata['Version']} is not _version.py's {version}")
        if metadata["License-Expression"] != "Apache-2.0":
            problems.append(f"wheel: License-Expression is {metadata['License-Expression']!r}")
        if f"{info}/licenses/LICENSE" not in names:
            problems.append("wheel: the LICENSE file is not in the dist-info")
        extras = set(metadata.get_all("Provides-Extra") or [])
        for extra in ("cli", "mock", "credentials"):
            if extra not in extras:
                problems.append(f"wheel: the {extra} extra is missing")
        entry_points = archive.read(f"{info}/entry_points.txt").decode("utf-8")
        if "yunxiao-emas = yunxiao_emas.cli:main" not in entry_points:
            problems.append("wheel: the yunxiao-emas command is not an entry point")
    print(f"{wheel.name}: {len(names)} files, version {version}")
    return problems


def check_sdist(sdist: Path) -> list[str]:
    problems: list[str] = []
    with tarfile.open(sdist) as archive:
        names = {name.split("/", 1)[1] for name in archive.getnames() if "/" in name}
    for needed in SDIST_MUST_HOLD:
        if needed not in names:
            problems.append(f"sdist: {needed} is missing")
    print(f"{sdist.name}: {len(names)} files")
    return problems


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    dist = Path(argv[0])
    wheels, sdists = sorted(dist.glob("*.whl")), sorted(dist.glob("*.tar.gz"))
    if len(wheels) != 1 or len(sdists) != 1:
        print(f"expected one wheel and one sdist in {dist}, found {wheels + sdists}")
        return 1
    problems = check_wheel(wheels[0], source_version()) + check_sdist(sdists[0])
    for problem in problems:
        print(problem)
    print("the package is complete" if not problems else f"{len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
