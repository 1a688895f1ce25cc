"""Load: many calls through one ``AsyncClient`` at concurrency 128 against the emulator (in a
subprocess) with 5% injected faults (documented errors, retryable or not, and cut
connections). Every call ends in a result or a typed error, none hangs (a watchdog per call),
and the client's resident memory grows less than 10% from the first quarter of the calls to
the last.

The suite runs the short soak (``CALLS`` per API); ``nox -s soak`` runs the full one
(``YUNXIAO_SOAK_CALLS=20000``).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CALLS = int(os.environ.get("YUNXIAO_SOAK_CALLS", "6000"))
"""Calls per API: a short soak in the suite, the full 20,000 from ``nox -s soak``."""
CONCURRENCY = 128
FAULT_RATE = 0.05
MAX_RSS_GROWTH = 0.10
SCRIPT = Path(__file__).resolve().parent / "attack_soak.py"
TYPED = {
    "ArtifactUrl",
    "ApiError",
    "NotFoundError",
    "ForbiddenError",
    "InvalidParameterError",
    "AuthenticationError",
    "ThrottledError",
    "ServerError",
    "TransportError",
}


@pytest.fixture(scope="module")
def soak_server() -> Iterator[str]:
    """The emulator with its fault injector, in a subprocess; its base URL."""
    process = subprocess.Popen(
        [sys.executable, str(SCRIPT), "server", "--fault-rate", str(FAULT_RATE)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        base_url = process.stdout.readline().strip()
        assert base_url.startswith("http://127.0.0.1:"), base_url
        yield base_url
    finally:
        assert process.stdin is not None
        process.stdin.close()
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)


@pytest.fixture(scope="module", params=["signed", "token"])
def report(request: pytest.FixtureRequest, soak_server: str) -> dict[str, Any]:
    """The report of one soak of ``CALLS`` calls through one AsyncClient of one API."""
    api = str(request.param)
    completed = subprocess.run(
        [
            sys.executable, str(SCRIPT), "client", "--base-url", soak_server, "--api", api,
            "--calls", str(CALLS), "--concurrency", str(CONCURRENCY),
        ],
        capture_output=True,
        text=True,
        timeout=60 + CALLS / 50,
        check=False,
    )  # fmt: skip
    assert completed.returncode == 0, completed.stderr[-3000:]
    result: dict[str, Any] = json.loads(completed.stdout.strip().splitlines()[-1])
    print(f"soak {api}: {json.dumps(result)}")
    return result


def test_every_soaked_call_ends_in_a_result_or_a_typed_error(report: dict[str, Any]) -> None:
    assert report["unexpected_count"] == 0, report["unexpected"]
    assert set(report["outcomes"]) <= TYPED, report["outcomes"]
    assert sum(report["outcomes"].values()) + report["hung"] == CALLS


def test_no_soaked_call_hangs(report: dict[str, Any]) -> None:
    assert report["hung"] == 0


def test_soaked_faults_are_mostly_survived(report: dict[str, Any]) -> None:
    # 5% of the calls see a fault, a third of them not retryable (not found, forbidden):
    # those end in their error, the rest are retried into a result.
    assert report["outcomes"].get("ArtifactUrl", 0) >= CALLS * (1 - FAULT_RATE)
    errors = CALLS - report["outcomes"].get("ArtifactUrl", 0)
    assert errors > 0, "no fault reached a caller: the injector is not working"


def test_soak_resident_memory_grows_less_than_ten_percent(report: dict[str, Any]) -> None:
    assert report["rss_growth"] < MAX_RSS_GROWTH, report
