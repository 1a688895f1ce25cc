"""The benchmarks of yunxiao-emas: each performance target as a ratio measured side by side.

``python -m bench [--quick] [--only FIGURE]`` (or ``nox -s bench``) measures every figure in
one run, against loopback servers in subprocesses, and writes ``bench/RESULTS.md`` and the
chart ``bench/downloads.png``. The machine may be small and shared, so no figure is a
wall-clock threshold: each compares two things timed in the same run, interleaved (the sides
take turns, in an order that rotates and reverses), and is reported as the median of the
per-round ratios with their spread, ``median [min..max]``.

One module a figure: :mod:`bench.imports` (start-up and dependencies), :mod:`bench.calls`
(one call, sequential), :mod:`bench.signing` (the V3 signature's CPU and a profile),
:mod:`bench.concurrency` (calls/s in flight), :mod:`bench.downloads` (throughput, memory,
ranged parallel downloads). Shared: :mod:`bench._stats` (interleaving, statistics),
:mod:`bench._servers` (the servers in subprocesses), :mod:`bench._report` (RESULTS.md).
"""
