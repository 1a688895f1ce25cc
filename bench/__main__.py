"""``python -m bench [--quick] [--only FIGURE[,FIGURE]] [--results PATH] [--check]``."""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import importlib
import os
import signal
import sys
import time
from collections.abc import Callable
from pathlib import Path
from types import FrameType

from ._report import Section, machine, render, versions
from ._settings import Settings

FIGURES = ("calls", "signing", "tracing", "concurrency", "downloads", "imports")
HERE = Path(__file__).resolve().parent


def _figure(name: str) -> Callable[[Settings], Section]:
    runner: Callable[[Settings], Section] = importlib.import_module(f"bench.{name}").run
    return runner


def _exit_on_sigterm(signum: int, frame: FrameType | None) -> None:
    # As for Ctrl+C: unwind, so every server is stopped and every temporary file removed.
    raise SystemExit(128 + signum)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer rounds, smaller artifacts")
    parser.add_argument(
        "--only",
        metavar="FIGURE",
        help=f"comma-separated, among: {', '.join(FIGURES)}",
    )
    parser.add_argument(
        "--results",
        type=Path,
        help="where to write the results (default: bench/RESULTS.md, and the chart beside it, "
        "when every figure runs; none with --only)",
    )
    parser.add_argument(
        "--download-dir",
        type=Path,
        help="where downloads are written (default: the system's temporary folder; /dev/shm "
        "leaves the disk out of the download figures)",
    )
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args(argv)
    chosen = FIGURES if args.only is None else tuple(args.only.split(","))
    unknown = [name for name in chosen if name not in FIGURES]
    if unknown:
        parser.error(f"unknown figure {', '.join(unknown)}; choose among {', '.join(FIGURES)}")
    results: Path | None = args.results
    if results is None and args.only is None:
        results = HERE / "RESULTS.md"
    settings = Settings.quick_run() if args.quick else Settings.full()
    if args.download_dir is not None:
        settings = dataclasses.replace(settings, download_dir=str(args.download_dir))
    signal.signal(signal.SIGTERM, _exit_on_sigterm)

    started_at = dt.datetime.now(dt.UTC)
    started = time.perf_counter()
    machine_rows = machine()
    print("  ".join(f"{key}: {value}" for key, value in machine_rows))
    sections: list[Section] = []
    try:
        for name in chosen:
            sections.append(_figure(name)(settings))
    except KeyboardInterrupt:
        print("\ninterrupted: servers stopped, temporary files removed", file=sys.stderr)
        return 130
    seconds = time.perf_counter() - started

    width = max(len(t.name) for s in sections for t in s.targets) if sections else 0
    print(f"\n== targets ({seconds:.0f} s) ==")
    for section in sections:
        for target in section.targets:
            print(
                f"{target.name:<{width}}  ours {target.ours:<22} official {target.official:<22} "
                f"target {target.goal:<18} {target.verdict.strip('*')}"
            )
    if results is not None:
        chart = None
        plots = [section.plot for section in sections if section.plot is not None]
        if plots:
            from ._chart import draw

            chart_path = results.with_name("downloads.png")
            if draw(plots[0], chart_path):
                chart = chart_path.name
        nox = os.environ.get("NOX_CURRENT_SESSION")
        command = " ".join(["python -m bench", *(sys.argv[1:] if argv is None else argv)])
        command = f"`{command}`"
        if nox:
            command = f"`nox -s {nox}` (which runs {command})"
        results.write_text(
            render(
                sections,
                command=command,
                mode="quick" if args.quick else "full",
                machine_rows=machine_rows,
                version_rows=versions(),
                started=started_at,
                seconds=seconds,
                chart=chart,
            ),
            encoding="utf-8",
        )
        print(f"wrote {results}" + (f" and {chart}" if chart else ""))
    missed = [t.name for s in sections for t in s.targets if t.met is False]
    return 1 if args.check and missed else 0


if __name__ == "__main__":
    sys.exit(main())
