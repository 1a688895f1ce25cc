"""The soak: many calls through one ``AsyncClient`` at high concurrency against the emulator
with injected faults, each call under a watchdog, the client's resident memory sampled.

Two processes, so that neither disturbs the other's measurements: ``server`` runs the emulator
(with a fault injector in front: a share of the API calls get a documented error or a cut
connection) and prints its base URL; ``client`` makes the calls and prints one JSON report.
``tests/attack/test_soak.py`` runs both; ``nox -s soak`` runs that test with the full count.

    python attack_soak.py server --fault-rate 0.05 --seed 1
    python attack_soak.py client --base-url URL --api signed --calls 20000 --concurrency 128
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import json
import os
import random
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
for folder in (HERE, HERE.parent / "e2e", HERE.parent):
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))

WATCHDOG = 30.0
"""Seconds one call may take, retries included, before it counts as hung."""

# What a faulty call gets: documented errors of either API, retryable or not, and cut
# connections (drop_next).
FAULTS: list[dict[str, Any]] = [
    {"code": "ServiceUnavailable"},
    {"code": "InternalError"},
    {"code": "Throttling.User", "retry_after": 0.01},
    {"code": "InvalidPipeline.NotFound"},
    {"code": "Forbidden.AccessDenied"},
    {"drop": True},
]


class FaultInjector:
    """In front of the emulator: each API request has ``rate`` odds of queueing one fault,
    which the emulator then answers with (usually on this very request)."""

    def __init__(self, service: Any, rate: float, seed: int) -> None:
        self.service = service
        self.app = service.asgi_app
        self.rate = rate
        self.random = random.Random(seed)
        self.injected: collections.Counter[str] = collections.Counter()

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        api = scope["type"] == "http" and not str(scope["path"]).startswith("/emas-artifacts/")
        if api and self.random.random() < self.rate:
            fault = dict(self.random.choice(FAULTS))
            if fault.pop("drop", False):
                self.service.drop_next()
                self.injected["drop"] += 1
            else:
                self.service.fail_next(**fault)
                self.injected[fault["code"]] += 1
        await self.app(scope, receive, send)


def run_server(rate: float, seed: int) -> None:
    import logging

    from attack_support import new_service
    from yunxiao_emas.testing import serve

    logging.getLogger("uvicorn.error").setLevel(logging.CRITICAL)
    service = new_service()
    with serve(FaultInjector(service, rate, seed)) as base_url:
        print(base_url, flush=True)
        sys.stdin.read()  # until the parent closes our stdin


def _rss() -> int:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    raise LookupError("VmRSS")


async def soak(base_url: str, api: str, calls: int, concurrency: int) -> dict[str, Any]:
    from attack_support import PLAIN_HTTP, credentials_for, ids
    from yunxiao_emas import AsyncClient, RetryPolicy, YunxiaoError

    policy = RetryPolicy(
        max_attempts=3, backoff_initial=0.005, backoff_max=0.02, retry_after_cap=0.05
    )
    outcomes: collections.Counter[str] = collections.Counter()
    unexpected: list[str] = []
    hung = 0
    done = 0
    quarter = max(1, calls // 4)
    rss: dict[str, int] = {}
    durations: list[float] = []
    arguments = ids()
    next_call = iter(range(calls))

    async with AsyncClient(
        credentials=credentials_for(api), endpoint=base_url, retries=policy, verify=PLAIN_HTTP
    ) as client:

        async def worker() -> None:
            nonlocal hung, done
            for _ in next_call:
                started = time.monotonic()
                try:
                    result = await asyncio.wait_for(
                        client.get_pipeline_emas_artifact_url(**arguments), WATCHDOG
                    )
                    outcomes[type(result).__name__] += 1
                except TimeoutError:
                    hung += 1
                except YunxiaoError as exc:
                    outcomes[type(exc).__name__] += 1
                except BaseException as exc:
                    unexpected.append(f"{type(exc).__module__}.{type(exc).__name__}: {exc}"[:300])
                durations.append(time.monotonic() - started)
                done += 1
                if done == quarter:
                    rss["first_quarter"] = _rss()

        began = time.monotonic()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.monotonic() - began
        rss["last_quarter"] = _rss()

    durations.sort()
    return {
        "api": api,
        "calls": calls,
        "concurrency": concurrency,
        "outcomes": dict(outcomes),
        "unexpected": unexpected[:20],
        "unexpected_count": len(unexpected),
        "hung": hung,
        "seconds": round(elapsed, 2),
        "calls_per_second": round(calls / elapsed, 1),
        "p99_seconds": round(durations[int(len(durations) * 0.99) - 1], 3) if durations else None,
        "rss_first_quarter": rss.get("first_quarter"),
        "rss_last_quarter": rss.get("last_quarter"),
        "rss_growth": (rss["last_quarter"] - rss["first_quarter"]) / rss["first_quarter"],
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    server = commands.add_parser("server")
    server.add_argument("--fault-rate", type=float, default=0.05)
    server.add_argument("--seed", type=int, default=1)
    client = commands.add_parser("client")
    client.add_argument("--base-url", required=True)
    client.add_argument("--api", choices=("signed", "token"), default="signed")
    client.add_argument("--calls", type=int, default=20_000)
    client.add_argument("--concurrency", type=int, default=128)
    args = parser.parse_args(argv)
    if args.command == "server":
        run_server(args.fault_rate, args.seed)
        return
    report = asyncio.run(soak(args.base_url, args.api, args.calls, args.concurrency))
    print(json.dumps(report), flush=True)


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    main()
