"""What a figure found, printed as it comes and rendered into ``bench/RESULTS.md``."""

from __future__ import annotations

import datetime as dt
import os
import platform
import shutil
import subprocess
from dataclasses import dataclass, field
from importlib import metadata
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ._chart import DownloadPlot

__all__ = ["NOT_MEASURED", "Section", "Table", "Target", "machine", "render", "versions"]

NOT_MEASURED = "—"


@dataclass(frozen=True)
class Target:
    """One target: our figure, the official SDK's beside it, the goal, and the verdict."""

    name: str
    ours: str
    official: str
    goal: str
    met: bool | None  # None: not measured here, or a figure without a target

    @property
    def verdict(self) -> str:
        return {True: "met", False: "**missed**", None: NOT_MEASURED}[self.met]


@dataclass(frozen=True)
class Table:
    header: list[str]
    rows: list[list[str]]

    def markdown(self) -> list[str]:
        lines = ["| " + " | ".join(self.header) + " |", "|" + "---|" * len(self.header)]
        lines += ["| " + " | ".join(row) + " |" for row in self.rows]
        return lines

    def plain(self) -> list[str]:
        cells = [self.header, *self.rows]
        widths = [max(len(row[i]) for row in cells) for i in range(len(self.header))]
        return [
            "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
            for row in cells
        ]


@dataclass
class Section:
    """One figure. Notes and tables are printed as they are added, so a long run shows its
    progress; everything is kept for RESULTS.md."""

    key: str
    title: str
    # In the order they came: a paragraph, a table, or a preformatted block with its caption.
    parts: list[str | Table | tuple[str, str]] = field(default_factory=list)
    targets: list[Target] = field(default_factory=list)
    plot: DownloadPlot | None = None

    def __post_init__(self) -> None:
        print(f"\n== {self.title} ==", flush=True)

    def note(self, text: str) -> None:
        self.parts.append(text)
        print(text, flush=True)

    def table(self, header: list[str], rows: list[list[str]]) -> None:
        table = Table(header, rows)
        self.parts.append(table)
        print("\n".join("  " + line for line in table.plain()), flush=True)

    def block(self, caption: str, text: str) -> None:
        self.parts.append((caption, text))
        print(f"{caption}\n{text}", flush=True)

    def target(
        self, name: str, ours: str, goal: str, met: bool | None, official: str = NOT_MEASURED
    ) -> None:
        self.targets.append(Target(name, ours, official, goal, met))


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _os_name() -> str:
    try:
        with open("/etc/os-release", encoding="utf-8") as release:
            for line in release:
                if line.startswith("PRETTY_NAME="):
                    name = line.split("=", 1)[1].strip().strip('"')
                    return f"{name}, {platform.system()} {platform.release()}"
    except OSError:
        pass
    return platform.platform()


def machine() -> list[tuple[str, str]]:
    """CPU, cores, Python, OS and the load when this is asked."""
    load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    return [
        ("CPU", _cpu_model()),
        ("cores", str(os.cpu_count())),
        ("Python", f"{platform.python_implementation()} {platform.python_version()}"),
        ("OS", _os_name()),
        ("load average at the start", load),
    ]


def _version(distribution: str) -> str:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return "not installed"


def versions() -> list[tuple[str, str]]:
    """Ours, httpx, the official SDK and its runtime, the servers' and clients' libraries."""
    found = [
        (name, _version(name))
        for name in (
            "yunxiao-emas",
            "httpx",
            "alibabacloud-devops20210625",
            "alibabacloud-tea-openapi",
            "darabonba-core",
            "aiohttp",
            "httpx-aiohttp",
            "uvicorn",
        )
    ]
    curl = shutil.which("curl")
    if curl:
        done = subprocess.run(
            [curl, "--version"], capture_output=True, text=True, timeout=10, check=False
        )
        first = done.stdout.split("\n", 1)[0].split()
        found.append(("curl", first[1] if len(first) > 1 else "?"))
    else:
        found.append(("curl", "not installed"))
    return found


def render(
    sections: list[Section],
    *,
    command: str,
    mode: str,
    machine_rows: list[tuple[str, str]],
    version_rows: list[tuple[str, str]],
    started: dt.datetime,
    seconds: float,
    chart: str | None,
) -> str:
    """RESULTS.md: the machine, the versions, the command, every target, then each figure."""
    lines = [
        "# yunxiao-emas: benchmark results",
        "",
        f"{command}, {mode} run, {started:%Y-%m-%d %H:%M} UTC, {seconds:.0f} s. Every figure "
        "is a ratio of two things measured side by side in this run, interleaved, as "
        "`median [min..max]` over rounds. Loopback only.",
        "",
        "## Machine",
        "",
        *Table(["", "this run"], [[k, v] for k, v in machine_rows]).markdown(),
        "",
        "## Versions",
        "",
        *Table([k for k, _ in version_rows], [[v for _, v in version_rows]]).markdown(),
        "",
        "## Targets",
        "",
    ]
    rows = [
        [target.name, target.ours, target.official, target.goal, target.verdict]
        for section in sections
        for target in section.targets
    ]
    lines += Table(["figure", "ours", "official SDK", "target", ""], rows).markdown()
    lines.append("")
    if chart:
        lines += [f"![download throughput and peak memory]({chart})", ""]
    for section in sections:
        lines += [f"## {section.title}", ""]
        for part in section.parts:
            if isinstance(part, str):
                lines += [part, ""]
            elif isinstance(part, Table):
                lines += [*part.markdown(), ""]
            else:
                lines += [part[0], "", "```", part[1], "```", ""]
    return "\n".join(lines).rstrip() + "\n"
