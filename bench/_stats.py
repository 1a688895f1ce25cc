"""Interleaved rounds and the statistics of their ratios, shared by every figure.

A *round* runs each side once (one *block*), back to back; the order rotates and reverses from
round to round, so drift (a neighbour's build, thermal state, the page cache) and order effects
fall on every side alike. A ratio is taken per round, between blocks that ran seconds apart,
and reported as the median of those ratios with their range.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass

__all__ = ["Spread", "interleave", "interleave_async", "order_of_round", "per_round"]


def order_of_round(names: Sequence[str], round_: int) -> list[str]:
    """The order of the sides in round ``round_``: rotated by one every two rounds, reversed
    every other round (two sides: A B, B A, B A, A B, ...; no side always goes first)."""
    shift = (round_ // 2) % len(names)
    order = [*names[shift:], *names[:shift]]
    return order if round_ % 2 == 0 else order[::-1]


def interleave(
    sides: Mapping[str, Callable[[], object]],
    *,
    rounds: int,
    clock: Callable[[], float] = time.perf_counter,
) -> dict[str, list[float]]:
    """The seconds of each side's block in each round (a side is one block: a callable)."""
    names = list(sides)
    seconds: dict[str, list[float]] = {name: [] for name in names}
    for round_ in range(rounds):
        for name in order_of_round(names, round_):
            started = clock()
            sides[name]()
            seconds[name].append(clock() - started)
    return seconds


async def interleave_async(
    sides: Mapping[str, Callable[[], Awaitable[object]]],
    *,
    rounds: int,
    clock: Callable[[], float] = time.perf_counter,
) -> dict[str, list[float]]:
    """:func:`interleave` for blocks that are coroutine functions."""
    names = list(sides)
    seconds: dict[str, list[float]] = {name: [] for name in names}
    for round_ in range(rounds):
        for name in order_of_round(names, round_):
            started = clock()
            await sides[name]()
            seconds[name].append(clock() - started)
    return seconds


def per_round(numerator: Sequence[float], denominator: Sequence[float]) -> list[float]:
    """The ratio of each round."""
    return [a / b for a, b in zip(numerator, denominator, strict=True)]


@dataclass(frozen=True)
class Spread:
    """The median of some values, with their minimum and maximum."""

    median: float
    low: float
    high: float

    @classmethod
    def of(cls, values: Sequence[float], scale: float = 1.0) -> Spread:
        if not values:
            raise ValueError("no values")
        return cls(statistics.median(values) * scale, min(values) * scale, max(values) * scale)

    def show(self, digits: int = 2, unit: str = "") -> str:
        """``1.03 [0.98..1.10]`` (with ``unit`` after the median and the range)."""
        return f"{self.median:.{digits}f}{unit} [{self.low:.{digits}f}..{self.high:.{digits}f}]"
