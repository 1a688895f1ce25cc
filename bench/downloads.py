"""3. Downloads over loopback: throughput against curl and the machine's limit, peak memory,
and ranged parallel downloads against a per-connection bandwidth cap.

The service emulator runs in a subprocess (:mod:`bench._servers`) with one artifact of random
bytes per size. For each round and size, interleaved: our download (``Client.
download_pipeline_emas_artifact`` in a fresh subprocess, md5 verified, timed around the call,
its peak RSS read from ``/proc``), ``curl -o`` of a fresh URL of the same artifact (its own
``time_total``), and ``hashlib.md5`` over 1 MiB buffers in this process. The machine's limit for
a verified download is the lower of curl's and md5's throughput in the same round: a
verified download can be neither faster than the transfer nor than the hash on one core.

Our figure leaves out the time of the ``fsync`` calls the download makes (timed, not changed),
since curl does not sync; that time is printed beside it. URLs are fetched through the API
beforehand, untimed. Files go to a temporary directory that is removed at the end.

The ranged figure (``connections=N``) appears when the SDK's download takes a ``connections``
argument and the emulator has a per-connection bandwidth cap (:data:`~bench._servers.
BANDWIDTH_KNOBS`).
"""

from __future__ import annotations

import contextlib
import hashlib
import inspect
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ._chart import DownloadPlot, Series
from ._report import Section
from ._servers import (
    BANDWIDTH_KNOBS,
    CONNECTION,
    JOB,
    ORG,
    PIPELINE,
    ROOT,
    Child,
    bandwidth_knob,
    child,
    memory_kib,
)
from ._settings import MIB, Settings
from ._stats import Spread, order_of_round, per_round

__all__ = ["run"]

CURL_TARGET = 0.8  # ours / curl -o, at least
LIMIT_TARGET = 0.95  # ours / the machine's limit, at least
RSS_LIMIT_MIB = 64.0  # peak RSS of the downloading process, under
RSS_FLAT_MIB = 8.0  # growth of the peak RSS from the smallest to the largest artifact, at most
PARALLEL_TARGET = 3.5  # 4 connections / 1, at least
MD5_SAMPLE = 256 * MIB  # bytes hashed per md5 sample (its throughput does not depend on size)
NO_DOWNLOAD = "— (it has no download)"


@dataclass(frozen=True)
class Curl:
    seconds: float  # curl's time_total
    cpu: float  # CPU seconds of the curl process
    server_cpu: float  # CPU seconds of the emulator (the file host) meanwhile


@dataclass(frozen=True)
class Download:
    seconds: float  # the call, less its fsyncs
    fsync: float
    cpu: float  # CPU seconds of the downloading process during the call
    server_cpu: float  # CPU seconds of the emulator (the file host) meanwhile
    peak_rss_mib: float | None
    baseline_rss_mib: float | None


def mb_per_s(size: int, seconds: float) -> float:
    return size / 1e6 / seconds


# --- the worker: one download in a fresh process ---------------------------------------------


def _worker(spec: dict[str, Any]) -> None:
    import datetime as dt

    fsync_seconds = 0.0
    real_fsync = os.fsync

    def timed_fsync(fd: Any) -> None:
        nonlocal fsync_seconds
        started = time.perf_counter()
        try:
            real_fsync(fd)
        finally:
            fsync_seconds += time.perf_counter() - started

    os.fsync = timed_fsync
    from yunxiao_emas import AccessKeyCredentials, ArtifactUrl, Client

    url = ArtifactUrl(
        file_url=spec["file_url"],
        request_id=spec["request_id"],
        expires_at=dt.datetime.fromisoformat(spec["expires_at"]),
    )
    extra: dict[str, Any] = {}
    if spec.get("connections"):
        extra["connections"] = spec["connections"]
    credentials = AccessKeyCredentials(spec["access_key_id"], spec["access_key_secret"])
    rss_before = memory_kib("VmRSS")
    with Client(endpoint=spec["base_url"], credentials=credentials) as client:
        usage = resource.getrusage(resource.RUSAGE_SELF)
        started = time.perf_counter()
        result = client.download_pipeline_emas_artifact(
            ORG,
            PIPELINE,
            spec["run"],
            JOB,
            spec["md5"],
            spec["dest"],
            service_connection_id=CONNECTION,
            overwrite=True,
            artifact_url=url,
            **extra,
        )
        elapsed = time.perf_counter() - started
        after = resource.getrusage(resource.RUSAGE_SELF)
    figures = {
        "elapsed": elapsed,
        "fsync": fsync_seconds,
        "cpu": after.ru_utime + after.ru_stime - usage.ru_utime - usage.ru_stime,
        "size": result.size,
        "verified": result.verified,
        "rss_kib_before": rss_before,
        "peak_rss_kib": memory_kib("VmHWM"),
    }
    print(json.dumps(figures), flush=True)


# --- the parent ------------------------------------------------------------------------------


class Downloader:
    """Fresh URLs from an emulator (through our API client, untimed) and the two downloaders."""

    def __init__(self, server: Child, directory: Path, stack: contextlib.ExitStack) -> None:
        from yunxiao_emas import AccessKeyCredentials, Client

        self.server = server
        self.directory = directory
        self.credentials = (server.ready["access_key_id"], server.ready["access_key_secret"])
        self.client = stack.enter_context(
            Client(endpoint=server.base_url, credentials=AccessKeyCredentials(*self.credentials))
        )
        self.artifacts: dict[int, dict[str, Any]] = {
            artifact["size"]: artifact for artifact in server.ready["artifacts"]
        }

    def _url(self, size: int) -> Any:
        artifact = self.artifacts[size]
        return self.client.get_pipeline_emas_artifact_url(
            ORG, PIPELINE, artifact["run"], JOB, artifact["md5"], service_connection_id=CONNECTION
        )

    def ours(self, size: int, connections: int | None = None) -> Download:
        url = self._url(size)
        artifact = self.artifacts[size]
        dest = self.directory / "ours.apk"
        spec = {
            "base_url": self.server.base_url,
            "access_key_id": self.credentials[0],
            "access_key_secret": self.credentials[1],
            "run": artifact["run"],
            "md5": artifact["md5"],
            "file_url": url.file_url,
            "request_id": url.request_id,
            "expires_at": url.expires_at.isoformat(),
            "dest": str(dest),
            "connections": connections,
        }
        server_cpu = self.server.cpu_seconds()
        done = subprocess.run(
            [sys.executable, "-m", "bench.downloads", json.dumps(spec)],
            capture_output=True,
            text=True,
            cwd=ROOT,
            timeout=900,
            check=False,
        )
        server_cpu = self.server.cpu_seconds() - server_cpu
        dest.unlink(missing_ok=True)
        if done.returncode != 0:
            raise RuntimeError(f"the download subprocess failed:\n{done.stderr}")
        figures = json.loads(done.stdout)
        if figures["size"] != size or not figures["verified"]:
            raise RuntimeError(f"the download is not the artifact, or was not verified: {figures}")
        kib = figures["peak_rss_kib"], figures["rss_kib_before"]
        return Download(
            seconds=figures["elapsed"] - figures["fsync"],
            fsync=figures["fsync"],
            cpu=figures["cpu"],
            server_cpu=server_cpu,
            peak_rss_mib=None if kib[0] is None else kib[0] / 1024,
            baseline_rss_mib=None if kib[1] is None else kib[1] / 1024,
        )

    def curl(self, curl: str, size: int, verify: bool = False) -> Curl:
        """``curl -o``: its ``time_total`` and CPU; its file checked, md5 too on request."""
        url = self._url(size)
        dest = self.directory / "curl.apk"
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        server_cpu = self.server.cpu_seconds()
        try:
            done = subprocess.run(
                [
                    curl,
                    "-sS",
                    "-f",
                    "-o",
                    str(dest),
                    "-w",
                    "%{time_total} %{size_download}",
                    url.file_url,
                ],
                capture_output=True,
                text=True,
                timeout=900,
                check=True,
            )
            server_cpu = self.server.cpu_seconds() - server_cpu
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            seconds, received = done.stdout.split()
            if int(float(received)) != size:
                raise RuntimeError(f"curl received {received} bytes, not {size}")
            if verify and _md5_of(dest) != self.artifacts[size]["md5"]:
                raise RuntimeError("curl's file does not have the artifact's md5")
        finally:
            dest.unlink(missing_ok=True)
        cpu = after.ru_utime + after.ru_stime - children.ru_utime - children.ru_stime
        return Curl(float(seconds), cpu, server_cpu)


def _md5_of(path: Path) -> str:
    digest = hashlib.md5(usedforsecurity=False)
    with path.open("rb") as file:
        while block := file.read(MIB):
            digest.update(block)
    return digest.hexdigest()


def md5_seconds(nbytes: int, buffer: bytes) -> float:
    """Seconds ``hashlib.md5`` takes over ``nbytes`` fed as 1 MiB buffers."""
    digest = hashlib.md5(usedforsecurity=False)
    started = time.perf_counter()
    for _ in range(nbytes // len(buffer)):
        digest.update(buffer)
    return time.perf_counter() - started


def _mib(size: int) -> str:
    return f"{size // MIB} MiB" if size < 1024 * MIB else f"{size / (1024 * MIB):g} GiB"


def filesystem(path: Path) -> str:
    """The type of the filesystem that holds ``path`` (from /proc/mounts), or "?"."""
    best, kind = "", "?"
    try:
        with open("/proc/mounts", encoding="utf-8") as mounts:
            for line in mounts:
                fields = line.split()
                point = fields[1]
                inside = str(path) == point or str(path).startswith(point.rstrip("/") + "/")
                if inside and len(point) >= len(best):
                    best, kind = point, fields[2]
    except (OSError, IndexError):
        pass
    return kind


@contextlib.contextmanager
def _workspace(
    settings: Settings, *server_args: str
) -> Iterator[tuple[Child, Path, contextlib.ExitStack]]:
    with contextlib.ExitStack() as stack:
        directory = Path(
            stack.enter_context(
                tempfile.TemporaryDirectory(prefix="yunxiao-bench-", dir=settings.download_dir)
            )
        )
        server = stack.enter_context(child("emulator", *server_args, timeout=900))
        yield server, directory, stack


def _speed(section: Section, settings: Settings, curl: str) -> DownloadPlot:
    sizes = settings.download_sizes
    ours: dict[int, list[Download]] = {size: [] for size in sizes}
    curls: dict[int, list[Curl]] = {size: [] for size in sizes}
    md5s: dict[int, list[float]] = {size: [] for size in sizes}
    buffer = os.urandom(MIB)
    started = time.perf_counter()
    with _workspace(settings, *map(str, sizes)) as (server, directory, stack):
        section.note(
            f"Emulator (subprocess) with artifacts of {', '.join(map(_mib, sizes))}, ready in "
            f"{time.perf_counter() - started:.0f} s; {settings.download_rounds} rounds per size, "
            "each our download, curl and md5 in turn (order rotating). Files written to "
            f"`{directory.parent}` ({filesystem(directory)}; `--download-dir` to change)."
        )
        downloads = Downloader(server, directory, stack)
        smallest = sizes[0]
        downloads.ours(smallest)  # warm up both paths and the page cache
        for size in sizes:
            downloads.curl(curl, size, verify=True)  # once: the URL serves the artifact
        for round_ in range(settings.download_rounds):
            for size in sizes:
                for side in order_of_round(["ours", "curl", "md5"], round_):
                    if side == "ours":
                        ours[size].append(downloads.ours(size))
                    elif side == "curl":
                        curls[size].append(downloads.curl(curl, size))
                    else:
                        sample = min(size, MD5_SAMPLE)
                        md5s[size].append(md5_seconds(sample, buffer) * size / sample)
            print(f"  round {round_ + 1} of {settings.download_rounds} done", flush=True)
    rows = []
    cores = os.cpu_count() or 1
    to_curl: list[float] = []
    to_limit: list[float] = []
    plot = DownloadPlot()
    for size in sizes:
        speed = [mb_per_s(size, run.seconds) for run in ours[size]]
        curl_speed = [mb_per_s(size, run.seconds) for run in curls[size]]
        md5_speed = [mb_per_s(size, s) for s in md5s[size]]
        limit = [min(a, b) for a, b in zip(curl_speed, md5_speed, strict=True)]
        to_curl += per_round(speed, curl_speed)
        to_limit += per_round(speed, limit)
        peaks = [run.peak_rss_mib or 0.0 for run in ours[size]]

        def per_gb(seconds: list[float], size: int = size) -> float:
            return Spread.of([cpu / (size / 1e9) for cpu in seconds]).median

        ours_cpu = per_gb([run.cpu for run in ours[size]])
        ours_server = per_gb([run.server_cpu for run in ours[size]])
        rows.append(
            [
                _mib(size),
                Spread.of(speed).show(0),
                Spread.of(curl_speed).show(0),
                Spread.of(md5_speed).show(0),
                Spread.of(per_round(speed, curl_speed)).show(2),
                Spread.of(per_round(speed, limit)).show(2),
                f"{max(peaks):.1f}",
                f"{Spread.of([run.fsync for run in ours[size]]).median:.2f}",
                f"{ours_cpu:.2f}",
                f"{ours_server:.2f}",
                f"{per_gb([run.cpu for run in curls[size]]):.2f}",
                f"{per_gb([run.server_cpu for run in curls[size]]):.2f}",
                f"{cores * 1e3 / (ours_cpu + ours_server):.0f}",
            ]
        )
        for name, values in (
            ("ours", speed),
            ("curl -o", curl_speed),
            ("md5", md5_speed),
            ("limit", limit),
        ):
            plot.by_size.setdefault(name, Series()).add(size / MIB, Spread.of(values))
        plot.rss_by_size.add(size / MIB, Spread.of(peaks))
    section.table(
        [
            "artifact",
            "ours MB/s",
            "curl -o MB/s",
            "md5 MB/s (1 MiB buffers)",
            "ours / curl",
            "ours / limit",
            "ours peak RSS MiB",
            "ours fsync s",
            "ours CPU s/GB",
            "file host CPU s/GB (ours)",
            "curl CPU s/GB",
            "file host CPU s/GB (curl)",
            f"CPU bound of ours on {cores} cores MB/s",
        ],
        rows,
    )
    section.note(
        "CPU s/GB: CPU seconds (user + system) per 10^9 bytes of the downloading process and of "
        "the emulator serving it, both on this machine. The CPU bound is what the cores could "
        "carry if they did nothing but our download and its serving: cores / (ours + file "
        "host) CPU per byte. Over loopback the file host shares the client's cores; a real "
        "file host does not, and a real link is slower than either."
    )
    baselines = [run.baseline_rss_mib or 0.0 for runs in ours.values() for run in runs]
    section.note(
        f"The download subprocess's RSS before the call (imports done): "
        f"{Spread.of(baselines).median:.1f} MiB. Limit = the lower of curl's and md5's "
        "throughput in the same round. MB = 10^6 bytes."
    )
    curl_ratio, limit_ratio = Spread.of(to_curl), Spread.of(to_limit)
    section.target(
        "download: ours / curl -o",
        curl_ratio.show(2),
        f">= {CURL_TARGET}",
        curl_ratio.median >= CURL_TARGET,
        official=NO_DOWNLOAD,
    )
    section.target(
        "download: ours / the machine's limit (min of curl, md5)",
        limit_ratio.show(2),
        f">= {LIMIT_TARGET}",
        limit_ratio.median >= LIMIT_TARGET,
        official=NO_DOWNLOAD,
    )
    peaks_by_size = [max(run.peak_rss_mib or 0.0 for run in ours[size]) for size in sizes]
    growth = peaks_by_size[-1] - peaks_by_size[0]
    section.target(
        f"peak RSS of a download, {_mib(sizes[0])} to {_mib(sizes[-1])}",
        f"max {max(peaks_by_size):.1f} MiB, {growth:+.1f} MiB",
        f"flat (<= +{RSS_FLAT_MIB:.0f} MiB), < {RSS_LIMIT_MIB:.0f} MiB",
        growth <= RSS_FLAT_MIB and max(peaks_by_size) < RSS_LIMIT_MIB,
        official=NO_DOWNLOAD,
    )
    return plot


def ranged_support() -> tuple[bool, str]:
    """Whether the ranged figure can be measured here, and if not, why."""
    from yunxiao_emas import Client

    missing = []
    if "connections" not in inspect.signature(Client.download_pipeline_emas_artifact).parameters:
        missing.append("`Client.download_pipeline_emas_artifact` has no `connections` argument")
    if bandwidth_knob() is None:
        missing.append(
            "the emulator has no per-connection bandwidth cap (an `EmulatedService` attribute "
            f"named one of {', '.join(BANDWIDTH_KNOBS)}, in bytes/s)"
        )
    return not missing, "; ".join(missing)


def _ranged(section: Section, settings: Settings, plot: DownloadPlot) -> None:
    supported, why = ranged_support()
    name = f"ranged download at {settings.bandwidth / 1e6:g} MB/s per connection: 4 / 1"
    if not supported:
        section.note(f"Ranged parallel downloads: not measured, as {why}.")
        section.target(
            name, "not supported yet", f">= {PARALLEL_TARGET}", None, official=NO_DOWNLOAD
        )
        return
    size = settings.parallel_size
    counts = sorted({1, 4, *settings.parallel_connections})
    runs: dict[int, list[Download]] = {n: [] for n in counts}
    with _workspace(settings, "--bandwidth", str(settings.bandwidth), str(size)) as (
        server,
        directory,
        stack,
    ):
        section.note(
            f"Ranged parallel downloads: {_mib(size)} artifact, the emulator's "
            f"`{server.ready['bandwidth_knob']}` = {settings.bandwidth} bytes/s per connection; "
            f"connections {', '.join(map(str, counts))}, {settings.parallel_rounds} rounds."
        )
        downloads = Downloader(server, directory, stack)
        for round_ in range(settings.parallel_rounds):
            for label in order_of_round([str(n) for n in counts], round_):
                runs[int(label)].append(downloads.ours(size, connections=int(label)))
    speed = {n: [mb_per_s(size, run.seconds) for run in runs[n]] for n in counts}
    rows = []
    for n in counts:
        peaks = [run.peak_rss_mib or 0.0 for run in runs[n]]
        rows.append(
            [
                str(n),
                Spread.of(speed[n]).show(1),
                Spread.of(per_round(speed[n], speed[1])).show(2),
                f"{n * settings.bandwidth / 1e6:g}",
                f"{max(peaks):.1f}",
            ]
        )
        plot.by_connections.add(n, Spread.of(speed[n]))
        plot.rss_by_connections.add(n, Spread.of(peaks))
    plot.cap_mb_s = settings.bandwidth / 1e6
    section.table(["connections", "MB/s", "x 1 connection", "cap x N MB/s", "peak RSS MiB"], rows)
    single = Spread.of(speed[1]).median
    if single > 1.5 * settings.bandwidth / 1e6:
        section.note(
            f"Warning: one connection ran at {single:.0f} MB/s, above the cap: the emulator's "
            f"`{server.ready['bandwidth_knob']}` does not seem to limit each connection."
        )
    ratio = Spread.of(per_round(speed[4], speed[1]))
    section.target(
        name,
        ratio.show(2),
        f">= {PARALLEL_TARGET}",
        ratio.median >= PARALLEL_TARGET,
        official=NO_DOWNLOAD,
    )


def run(settings: Settings) -> Section:
    section = Section("downloads", "3. Downloads over loopback, md5 verified")
    curl = shutil.which("curl")
    if curl is None:
        section.note("curl is not installed: no download figures.")
        return section
    plot = _speed(section, settings, curl)
    _ranged(section, settings, plot)
    section.plot = plot
    return section


if __name__ == "__main__":
    _worker(json.loads(sys.argv[1]))
