"""``bench/downloads.png``: download throughput and peak memory against size and connections.

matplotlib is imported only to draw (the ``bench`` dependency group brings it); without it the
chart is skipped and RESULTS.md says nothing of it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._stats import Spread

__all__ = ["DownloadPlot", "Series", "draw"]


@dataclass
class Series:
    """Points ``x -> median [min..max]``."""

    x: list[float] = field(default_factory=list)
    y: list[Spread] = field(default_factory=list)

    def add(self, x: float, y: Spread) -> None:
        self.x.append(x)
        self.y.append(y)

    def errors(self) -> list[list[float]]:
        return [[p.median - p.low for p in self.y], [p.high - p.median for p in self.y]]


@dataclass
class DownloadPlot:
    by_size: dict[str, Series] = field(default_factory=dict)  # MB/s per MiB of artifact
    rss_by_size: Series = field(default_factory=Series)  # our peak RSS MiB per MiB of artifact
    by_connections: Series = field(default_factory=Series)  # our MB/s per connection count
    rss_by_connections: Series = field(default_factory=Series)
    cap_mb_s: float | None = None  # the per-connection cap of the ranged figure


def _size_ticks(axes: Any, sizes_mib: list[float]) -> None:
    axes.set_xticks(
        sizes_mib, [f"{s:g} MiB" if s < 1024 else f"{s / 1024:g} GiB" for s in sizes_mib]
    )
    axes.minorticks_off()


def draw(plot: DownloadPlot, path: Path) -> bool:
    """Draw ``plot`` into ``path`` (PNG); False when matplotlib is not installed."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("matplotlib is not installed: no chart")
        return False
    ranged = bool(plot.by_connections.x)
    figure, axes = plt.subplots(1, 3 if ranged else 2, figsize=(15 if ranged else 10, 4.2))
    speed, memory = axes[0], axes[1]
    for name, series in plot.by_size.items():
        speed.errorbar(
            series.x,
            [p.median for p in series.y],
            yerr=series.errors(),
            marker="o",
            capsize=3,
            label=name,
            linestyle="--" if name == "limit" else "-",
        )
    speed.set(
        xscale="log",
        xlabel="artifact size",
        ylabel="MB/s (10^6 bytes/s)",
        title="download throughput (ours: md5 verified)",
    )
    _size_ticks(speed, plot.rss_by_size.x)
    speed.set_ylim(bottom=0)
    speed.legend()
    rss = plot.rss_by_size
    memory.errorbar(
        rss.x,
        [p.median for p in rss.y],
        yerr=rss.errors(),
        marker="o",
        capsize=3,
        label="ours, by size",
    )
    memory.axhline(64, color="red", linestyle=":", label="target: < 64 MiB")
    memory.set(
        xscale="log",
        xlabel="artifact size",
        ylabel="MiB",
        title="peak RSS of our downloading process",
    )
    _size_ticks(memory, rss.x)
    memory.set_ylim(0, max([70.0, *(p.high * 1.1 for p in rss.y)]))
    memory.legend()
    if ranged:
        parallel = axes[2]
        series = plot.by_connections
        parallel.errorbar(
            series.x,
            [p.median for p in series.y],
            yerr=series.errors(),
            marker="o",
            capsize=3,
            label="ours",
        )
        if plot.cap_mb_s is not None:
            parallel.plot(
                series.x,
                [n * plot.cap_mb_s for n in series.x],
                linestyle="--",
                label=f"ideal: N x {plot.cap_mb_s:g} MB/s",
            )
        parallel.set_xticks(series.x, [f"{n:g}" for n in series.x])
        parallel.set(
            xlabel="connections", ylabel="MB/s", title="ranged download, capped per connection"
        )
        parallel.set_ylim(bottom=0)
        parallel.legend(loc="upper left")
        conn = plot.rss_by_connections
        twin = parallel.twinx()
        twin.plot(
            conn.x,
            [p.median for p in conn.y],
            color="gray",
            marker="s",
            linestyle=":",
            label="peak RSS (MiB, right)",
        )
        twin.set(ylabel="peak RSS MiB")
        twin.set_ylim(bottom=0)
        twin.legend(loc="lower right")
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)
    return True
