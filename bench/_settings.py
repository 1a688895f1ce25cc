"""How much each figure measures: the full run, and ``--quick`` (a smoke run, minutes less)."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["MIB", "Settings"]

MIB = 1024 * 1024


@dataclass(frozen=True)
class Settings:
    quick: bool
    # imports: fresh interpreters per kind (after two warm-up runs each)
    import_runs: int
    # calls: interleaved rounds, each a block of calls per side
    call_rounds: int
    calls_per_block: int
    # signing: blocks of sign() calls, CPU-timed
    sign_blocks: int
    signs_per_block: int
    # concurrency: calls in flight, rounds per level, calls per round
    levels: tuple[int, ...]
    concurrency_rounds: int
    concurrency_calls: int
    # downloads: artifact sizes, rounds per size; ranged downloads against a bandwidth cap
    download_sizes: tuple[int, ...]
    download_rounds: int
    parallel_size: int
    parallel_connections: tuple[int, ...]
    parallel_rounds: int
    bandwidth: int = 20_000_000  # bytes/s per connection: the cap of the ranged figure
    download_dir: str | None = None  # where downloads are written (None: the temporary folder)

    @classmethod
    def full(cls) -> Settings:
        return cls(
            quick=False,
            import_runs=20,
            call_rounds=30,
            calls_per_block=200,
            sign_blocks=30,
            signs_per_block=2000,
            levels=(1, 16, 64, 256),
            concurrency_rounds=5,
            concurrency_calls=1024,
            download_sizes=(64 * MIB, 256 * MIB, 1024 * MIB),
            download_rounds=3,
            parallel_size=64 * MIB,
            parallel_connections=(1, 2, 4, 8),
            parallel_rounds=2,
        )

    @classmethod
    def quick_run(cls) -> Settings:
        return cls(
            quick=True,
            import_runs=6,
            call_rounds=6,
            calls_per_block=100,
            sign_blocks=10,
            signs_per_block=1000,
            levels=(1, 16, 64, 256),
            concurrency_rounds=2,
            concurrency_calls=256,
            download_sizes=(16 * MIB, 64 * MIB),
            download_rounds=2,
            parallel_size=16 * MIB,
            parallel_connections=(1, 4),
            parallel_rounds=1,
        )
