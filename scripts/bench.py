"""Benchmarks: import time, per-call overhead, download speed and memory, as side-by-side ratios.

Run by `nox -s bench`, or `python scripts/bench.py [--quick] [--check]`. The machine may be
small and shared, so nothing here is an absolute wall-clock threshold: every figure is a ratio
of two things measured in the same run, interleaved (A B, B A, ...), repeated; a ratio is the
median of the ratios of neighbouring runs, printed with its spread as ``median [min..max]``.
It prints the figures and exits 0; with ``--check`` it exits 1 when a ratio misses its target.

1. ``import yunxiao_emas`` against ``import httpx``, each in fresh interpreters with bytecode
   cached; and how many distributions ``pip install yunxiao-emas`` pulls (its core
   requirement tree).
2. One API call through ``Client`` against a raw ``httpx`` post of a request signed once
   beforehand (and, for reference, one signed per call), against a fixed-answer ASGI app
   under uvicorn in a subprocess; the same for ``AsyncClient``; the client's CPU alone on an
   ``httpx.MockTransport``; and the emulator's own ``serve()`` against a TCP_NODELAY server.
3. A download through ``Client`` (in a subprocess) against ``curl``, both from the service
   emulator in a subprocess; the peak RSS for two artifact sizes; three chunk sizes.

Servers bind 127.0.0.1 only; files go to temporary directories that are removed at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import functools
import hashlib
import json
import os
import platform
import queue
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

from _bench_servers import FIXED_BODY

HERE = Path(__file__).resolve().parent
WORKER = HERE / "_bench_servers.py"
MIB = 1024 * 1024
OFFICIAL_SDK_DISTRIBUTIONS = 31  # `pip install alibabacloud_devops20210625` (the official SDK)

CURL_FORMAT = "%{time_total} %{size_download}"
IMPORT_TARGET = 1.3  # import yunxiao_emas / import httpx, at most
CALL_TARGET = 1.05  # Client call / raw pre-signed httpx post, at most
DOWNLOAD_TARGET = 0.9  # our download speed / curl's, at least
MEMORY_TARGET_MIB = 16.0  # peak RSS growth between the two artifact sizes, at most

ORG, PIPELINE, RUN, JOB, MD5, CONNECTION = (
    "bench-org",
    1111,
    1,
    "emas-job-bench",
    "0cc175b9c0f1b6a831c399e269772661",
    122,
)
CALL_PATH = f"/organization/{ORG}/pipeline/{PIPELINE}/pipelineRun/{RUN}/emas/artifact/{JOB}/{MD5}"


@dataclass
class Settings:
    quick: bool
    import_runs: int
    call_blocks: int
    calls_per_block: int
    warmup_calls: int
    download_runs: int
    main_size: int
    small_size: int
    chunk_rounds: int
    chunk_artifact_size: int = 64 * MIB

    @classmethod
    def for_mode(cls, quick: bool) -> Settings:
        if quick:
            return cls(True, 20, 6, 100, 50, 3, 64 * MIB, 16 * MIB, 1)
        return cls(False, 25, 10, 200, 100, 5, 256 * MIB, 64 * MIB, 2)


@dataclass
class Target:
    name: str
    measured: str
    goal: str
    met: bool | None  # None: not measured, or a figure without a target


@dataclass
class Report:
    targets: list[Target] = field(default_factory=list)

    def add(self, name: str, measured: str, goal: str, met: bool | None) -> None:
        self.targets.append(Target(name, measured, goal, met))


# --- small helpers -----------------------------------------------------------------------------


def spread(values: Sequence[float], scale: float = 1.0, digits: int = 2) -> str:
    """``median [min..max]`` of ``values`` times ``scale``."""
    med = statistics.median(values) * scale
    low, high = min(values) * scale, max(values) * scale
    return f"{med:.{digits}f} [{low:.{digits}f}..{high:.{digits}f}]"


def heading(title: str) -> None:
    print(f"\n== {title} ==", flush=True)


def verdict(met: bool | None) -> str:
    return {True: "met", False: "MISSED", None: "-"}[met]


@contextlib.contextmanager
def worker_server(*args: str, timeout: float = 120.0) -> Iterator[dict[str, Any]]:
    """Run ``_bench_servers.py <args>`` and yield the JSON line it prints once it listens.

    The server stops when its standard input closes; it is killed if it does not.
    """
    process = subprocess.Popen(
        [sys.executable, str(WORKER), *args],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    lines: queue.Queue[str] = queue.Queue()
    assert process.stdout is not None
    stdout = process.stdout
    reader = threading.Thread(target=lambda: lines.put(stdout.readline()), daemon=True)
    reader.start()
    try:
        try:
            line = lines.get(timeout=timeout)
        except queue.Empty:
            raise RuntimeError(f"the {args[0]} server did not start in {timeout} s") from None
        if not line:
            raise RuntimeError(f"the {args[0]} server exited (status {process.wait(5)})")
        yield json.loads(line)
    finally:
        assert process.stdin is not None
        with contextlib.suppress(OSError):
            process.stdin.close()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=15)
        stdout.close()


# --- 1. import time and requirement tree -------------------------------------------------------

IMPORT_SNIPPET = "import time; t = time.perf_counter(); {statement}; print(time.perf_counter() - t)"
# Touching Client keeps the figure honest should the package ever load its modules lazily.
IMPORT_STATEMENTS = {
    "httpx": "import httpx",
    "yunxiao_emas": "import yunxiao_emas; yunxiao_emas.Client",
}
# httpx imports click, rich and pygments for its own CLI when they are installed (here the cli
# and mock extras bring them), which makes `import httpx` much slower. Blocking them in
# sys.modules makes those imports fail as on a machine with only `pip install yunxiao-emas`.
CORE_ONLY = "import sys; sys.modules.update(dict.fromkeys(('click', 'rich', 'pygments'), None)); "
IMPORT_SETUPS = {
    "core": ("as after `pip install yunxiao-emas` (click, rich, pygments hidden)", CORE_ONLY),
    "here": ("in this environment (the extras bring click and rich; httpx imports them)", ""),
}


def import_environment(pycache: str) -> dict[str, str]:
    """This environment, with bytecode cached under ``pycache`` for every module.

    An installed wheel has its bytecode compiled at install time; an editable install under
    ``PYTHONDONTWRITEBYTECODE`` would compile our modules from source at every import (and
    httpx's not), which is not what users get. With ``PYTHONPYCACHEPREFIX`` both sides read
    bytecode from the same temporary cache, written by the warm-up runs, and nothing is
    written into the source tree.
    """
    environment = dict(os.environ)
    environment.pop("PYTHONDONTWRITEBYTECODE", None)
    environment["PYTHONPYCACHEPREFIX"] = pycache
    return environment


def time_import(module: str, setup: str, cwd: str, environment: dict[str, str]) -> float:
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            setup + IMPORT_SNIPPET.format(statement=IMPORT_STATEMENTS[module]),
        ],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=environment,
        timeout=60,
        check=True,
    )
    return float(done.stdout.strip())


def bench_imports(settings: Settings, report: Report) -> None:
    heading(
        f"1. import time ({settings.import_runs} fresh interpreters each, interleaved; "
        "bytecode cached for both in a temporary PYTHONPYCACHEPREFIX, as after pip install)"
    )
    kinds = [(setup, module) for setup in IMPORT_SETUPS for module in ("httpx", "yunxiao_emas")]
    samples: dict[tuple[str, str], list[float]] = {kind: [] for kind in kinds}
    with tempfile.TemporaryDirectory(prefix="yunxiao-bench-") as cwd:
        environment = import_environment(os.path.join(cwd, "pycache"))
        for _ in range(2):  # write the bytecode, warm the page cache
            for setup, module in kinds:
                time_import(module, IMPORT_SETUPS[setup][1], cwd, environment)
        for run in range(settings.import_runs):
            for setup, module in kinds if run % 2 == 0 else kinds[::-1]:
                sample = time_import(module, IMPORT_SETUPS[setup][1], cwd, environment)
                samples[setup, module].append(sample)
    for setup, (description, _) in IMPORT_SETUPS.items():
        theirs, ours = samples[setup, "httpx"], samples[setup, "yunxiao_emas"]
        pairs = [a / b for a, b in zip(ours, theirs, strict=True)]
        ratio = statistics.median(pairs)
        extra = (statistics.median(ours) - statistics.median(theirs)) * 1e3
        print(f"{description}:")
        print(f"  import httpx          ms median [min..max]: {spread(theirs, 1e3, 1)}")
        print(f"  import yunxiao_emas   ms median [min..max]: {spread(ours, 1e3, 1)}")
        print(
            f"  ratio {ratio:.3f}x (per pair {spread(pairs, 1, 3)}, of the medians "
            f"{statistics.median(ours) / statistics.median(theirs):.3f}x); "
            f"yunxiao_emas adds {extra:.1f} ms"
        )
        report.add(
            f"import yunxiao_emas / import httpx ({setup})",
            f"{ratio:.3f}x",
            f"<= {IMPORT_TARGET}x",
            ratio <= IMPORT_TARGET,
        )

    tree, missing = requirement_tree("yunxiao-emas")
    dependencies = sorted(tree - {"yunxiao-emas"})
    print(
        f"pip install yunxiao-emas pulls {len(tree)} distributions (itself and "
        f"{len(dependencies)} dependencies: {', '.join(dependencies)}); "
        f"the official SDK pulls {OFFICIAL_SDK_DISTRIBUTIONS}"
    )
    if missing:
        print(f"  (not installed here, so not followed further: {', '.join(sorted(missing))})")


def normalize(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


_REQUIREMENT = re.compile(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[([^\]]*)\])?")


def requirement_tree(root: str) -> tuple[set[str], set[str]]:
    """The normalized names of ``root`` and every distribution its core requirements pull,
    following the extras a requirement names and the markers of this interpreter."""
    seen: set[str] = set()
    missing: set[str] = set()
    pending: list[tuple[str, frozenset[str]]] = [(root, frozenset())]
    visited: set[tuple[str, frozenset[str]]] = set()
    while pending:
        name, extras = pending.pop()
        key = (normalize(name), extras)
        if key in visited:
            continue
        visited.add(key)
        seen.add(key[0])
        try:
            requires = metadata.distribution(name).requires or []
        except metadata.PackageNotFoundError:
            missing.add(key[0])
            continue
        for line in requires:
            spec, _, marker = line.partition(";")
            match = _REQUIREMENT.match(spec)
            if not match:
                continue
            wanted = frozenset(normalize(e) for e in (match.group(2) or "").split(",") if e.strip())
            if not marker.strip() or any(
                marker_holds(marker, extra) for extra in ({""} | set(extras))
            ):
                pending.append((match.group(1), wanted))
    return seen, missing


# A small evaluator of PEP 508 environment markers, so the script needs nothing beyond the
# package itself (`packaging` is not always installed where `nox -s bench` runs).
_MARKER_TOKEN = re.compile(
    r"""\s*(?:(?P<string>'[^']*'|"[^"]*")|(?P<op>===|==|!=|<=|>=|~=|<|>|\(|\))"""
    r"""|(?P<word>[A-Za-z_][A-Za-z0-9_.]*))"""
)
_VERSION = re.compile(r"\d+(?:\.\d+)*")


def marker_environment(extra: str) -> dict[str, str]:
    implementation = sys.implementation
    version = implementation.version
    return {
        "os_name": os.name,
        "sys_platform": sys.platform,
        "platform_machine": platform.machine(),
        "platform_python_implementation": platform.python_implementation(),
        "platform_release": platform.release(),
        "platform_system": platform.system(),
        "platform_version": platform.version(),
        "python_version": ".".join(platform.python_version_tuple()[:2]),
        "python_full_version": platform.python_version(),
        "implementation_name": implementation.name,
        "implementation_version": f"{version.major}.{version.minor}.{version.micro}",
        "extra": normalize(extra),
    }


def _version_tuple(text: str) -> tuple[int, ...] | None:
    return tuple(int(p) for p in text.split(".")) if _VERSION.fullmatch(text) else None


def _compare(left: str, op: str, right: str) -> bool:
    if op == "in":
        return left in right
    if op == "not in":
        return left not in right
    if op == "==" and right.endswith(".*"):
        prefix = _version_tuple(right[:-2])
        value = _version_tuple(left)
        if prefix is not None and value is not None:
            return value[: len(prefix)] == prefix
    a, b = _version_tuple(left), _version_tuple(right)
    if a is not None and b is not None and op != "===":
        width = max(len(a), len(b))
        a, b = a + (0,) * (width - len(a)), b + (0,) * (width - len(b))
        if op == "~=":
            release = _version_tuple(right) or ()
            return a >= b and a[: len(release) - 1] == b[: len(release) - 1]
    else:
        a, b = left, right  # type: ignore[assignment]
    operators: dict[str, Callable[[Any, Any], bool]] = {
        "==": lambda x, y: x == y,
        "===": lambda x, y: x == y,
        "!=": lambda x, y: x != y,
        "<": lambda x, y: x < y,
        "<=": lambda x, y: x <= y,
        ">": lambda x, y: x > y,
        ">=": lambda x, y: x >= y,
    }
    if op not in operators:
        raise ValueError(f"unsupported marker operator {op!r}")
    return operators[op](a, b)


def marker_holds(marker: str, extra: str = "") -> bool:
    """Evaluate a PEP 508 marker (``python_version < "3.13" and extra == 'x'``)."""
    environment = marker_environment(extra)
    tokens: list[tuple[str, str]] = []
    position = 0
    text = marker.strip()
    while position < len(text):
        match = _MARKER_TOKEN.match(text, position)
        if not match or match.end() == position:
            raise ValueError(f"cannot parse marker {marker!r}")
        kind = match.lastgroup or ""
        tokens.append((kind, match.group(kind)))
        position = match.end()
        while position < len(text) and text[position].isspace():
            position += 1
    index = 0

    def peek() -> tuple[str, str] | None:
        return tokens[index] if index < len(tokens) else None

    def take() -> tuple[str, str]:
        nonlocal index
        if index >= len(tokens):
            raise ValueError(f"marker {marker!r} ends too early")
        index += 1
        return tokens[index - 1]

    def value() -> tuple[str, bool]:
        kind, text = take()
        if kind == "string":
            return text[1:-1], False
        if kind == "word" and text in environment:
            return environment[text], text == "extra"
        raise ValueError(f"unexpected {text!r} in marker {marker!r}")

    def atom() -> bool:
        if peek() == ("op", "("):
            take()
            result = disjunction()
            if take() != ("op", ")"):
                raise ValueError(f"unbalanced marker {marker!r}")
            return result
        left, left_is_extra = value()
        kind, op = take()
        if (kind, op) == ("word", "not"):
            if take() != ("word", "in"):
                raise ValueError(f"expected 'in' after 'not' in {marker!r}")
            op = "not in"
        right, right_is_extra = value()
        if left_is_extra or right_is_extra:
            left, right = normalize(left), normalize(right)
        return _compare(left, op, right)

    def conjunction() -> bool:
        result = atom()
        while peek() == ("word", "and"):
            take()
            result = atom() and result
        return result

    def disjunction() -> bool:
        result = conjunction()
        while peek() == ("word", "or"):
            take()
            result = conjunction() or result
        return result

    outcome = disjunction()
    if index != len(tokens):
        raise ValueError(f"trailing text in marker {marker!r}")
    return outcome


# --- 2. one API call against a raw pre-signed httpx post ---------------------------------------


def alternate_blocks(
    sides: dict[str, Callable[[], object]],
    *,
    blocks: int,
    per_block: int,
    warmup: int,
    clock: Callable[[], float] = time.perf_counter,
) -> dict[str, list[float]]:
    """Per-call seconds of each block of each side; the sides take turns, in an order that
    rotates and reverses from block to block, so drift and order effects fall on all."""
    names = list(sides)
    for _ in range(warmup):
        for name in names:
            sides[name]()
    per_call: dict[str, list[float]] = {name: [] for name in names}
    for block in range(blocks):
        shift = block % len(names)
        order = names[shift:] + names[:shift]
        for name in order if block % 2 == 0 else order[::-1]:
            call = sides[name]
            started = clock()
            for _ in range(per_block):
                call()
            per_call[name].append((clock() - started) / per_block)
    return per_call


async def alternate_blocks_async(
    sides: dict[str, Callable[[], Any]], *, blocks: int, per_block: int, warmup: int
) -> dict[str, list[float]]:
    """:func:`alternate_blocks` with coroutine functions."""
    names = list(sides)
    for _ in range(warmup):
        for name in names:
            await sides[name]()
    per_call: dict[str, list[float]] = {name: [] for name in names}
    for block in range(blocks):
        shift = block % len(names)
        order = names[shift:] + names[:shift]
        for name in order if block % 2 == 0 else order[::-1]:
            call = sides[name]
            started = time.perf_counter()
            for _ in range(per_block):
                await call()
            per_call[name].append((time.perf_counter() - started) / per_block)
    return per_call


LABELS = {
    "raw": "raw pre-signed httpx post",
    "raw_signing": "raw httpx post, signed per call",
    "ours": "yunxiao_emas call",
}


def print_call_figures(label: str, times: dict[str, list[float]]) -> float:
    """Print per-call medians and the ratios to the raw post; return ours/raw.

    The ratio is the median of the per-round ratios (blocks of one round ran back to back,
    so they share the machine's mood); the ratio of the medians is printed beside it.
    """
    raw = times["raw"]
    for name, samples in times.items():
        overhead = (statistics.median(samples) - statistics.median(raw)) * 1e6
        pairs = [a / b for a, b in zip(samples, raw, strict=True)]
        versus = (
            ""
            if name == "raw"
            else f"  x raw: {spread(pairs, 1, 3)} per round, "
            f"{statistics.median(samples) / statistics.median(raw):.3f} of medians "
            f"({overhead:+.0f} us)"
        )
        print(f"{label} {LABELS[name]:<32} {spread(samples, 1e6, 0):>18} us/call{versus}")
    return statistics.median([a / b for a, b in zip(times["ours"], raw, strict=True)])


def call_sides(
    raw_http: Any, client: Any, auth: Any, url: str, signed: dict[str, str]
) -> dict[str, Callable[[], object]]:
    """The three ways to make the call, on an ``httpx.Client`` and a ``yunxiao_emas.Client``."""
    params = {"serviceConnectionId": str(CONNECTION)}

    def raw() -> object:
        response = raw_http.post(url, params=params, headers=signed)
        response.raise_for_status()
        return response.json()["fileUrl"]

    def raw_signing() -> object:
        response = raw_http.post(url, params=params, auth=auth)
        response.raise_for_status()
        return response.json()["fileUrl"]

    def ours() -> object:
        return client.get_pipeline_emas_artifact_url(
            ORG, PIPELINE, RUN, JOB, MD5, service_connection_id=CONNECTION
        )

    return {"raw": raw, "raw_signing": raw_signing, "ours": ours}


def signed_headers_once(url: str, credentials: Any) -> dict[str, str]:
    """The headers of one request to ``url``, signed once (the raw baseline reuses them)."""
    import httpx
    from yunxiao_emas.auth.acs3 import AcsV3Auth

    with httpx.Client() as http:
        request = http.build_request("POST", url, params={"serviceConnectionId": str(CONNECTION)})
        AcsV3Auth(credentials).sign(request)
        return dict(request.headers)


def bench_calls(settings: Settings, report: Report) -> None:
    import httpx
    from yunxiao_emas import AccessKeyCredentials, AsyncClient, Client
    from yunxiao_emas.auth.acs3 import AcsV3Auth

    heading(
        f"2. one call, keep-alive on loopback ({settings.call_blocks} alternating blocks of "
        f"{settings.calls_per_block} calls per side, after {settings.warmup_calls} warm-up calls)"
    )
    credentials = AccessKeyCredentials("LTAIbenchmark", "benchmark-secret")
    blocks = {
        "blocks": settings.call_blocks,
        "per_block": settings.calls_per_block,
        "warmup": settings.warmup_calls,
    }
    with worker_server("fixed") as ready:
        base_url = ready["base_url"]
        url = base_url + CALL_PATH
        signed = signed_headers_once(url, credentials)
        print(f"fixed-answer ASGI app under uvicorn (subprocess) at {base_url}; us per call:")
        with (
            httpx.Client() as raw_http,
            Client(endpoint=base_url, credentials=credentials, retries=0) as client,
        ):
            sides = call_sides(raw_http, client, AcsV3Auth(credentials), url, signed)
            times = alternate_blocks(sides, **blocks)
        ratio = print_call_figures("sync ", times)
        report.add(
            "Client call / raw httpx post",
            f"{ratio:.3f}x",
            f"<= {CALL_TARGET}x",
            ratio <= CALL_TARGET,
        )

        async def run_async() -> dict[str, list[float]]:
            params = {"serviceConnectionId": str(CONNECTION)}
            async with (
                httpx.AsyncClient() as raw_http,
                AsyncClient(endpoint=base_url, credentials=credentials, retries=0) as client,
            ):

                async def raw() -> object:
                    response = await raw_http.post(url, params=params, headers=signed)
                    response.raise_for_status()
                    return response.json()["fileUrl"]

                async def ours() -> object:
                    return await client.get_pipeline_emas_artifact_url(
                        ORG, PIPELINE, RUN, JOB, MD5, service_connection_id=CONNECTION
                    )

                return await alternate_blocks_async({"raw": raw, "ours": ours}, **blocks)

        ratio = print_call_figures("async", asyncio.run(run_async()))
        report.add(
            "AsyncClient call / raw httpx.AsyncClient post",
            f"{ratio:.3f}x",
            f"<= {CALL_TARGET}x",
            ratio <= CALL_TARGET,
        )
    bench_call_cpu(settings, credentials)


def bench_call_cpu(settings: Settings, credentials: Any) -> None:
    """The client's own CPU per call, without a network or a server: both clients on an
    ``httpx.MockTransport`` answering the fixed body, timed in process CPU time (time spent
    descheduled does not count). Steadier than loopback on a busy box."""
    import httpx
    from yunxiao_emas import Client
    from yunxiao_emas.auth.acs3 import AcsV3Auth

    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=FIXED_BODY, headers={"content-type": "application/json"})

    base_url = "http://127.0.0.1:9"  # never contacted: the transport answers
    url = base_url + CALL_PATH
    signed = signed_headers_once(url, credentials)
    with (
        httpx.Client(transport=httpx.MockTransport(answer)) as raw_http,
        httpx.Client(transport=httpx.MockTransport(answer)) as ours_http,
        Client(
            endpoint=base_url, credentials=credentials, retries=0, http_client=ours_http
        ) as client,
    ):
        sides = call_sides(raw_http, client, AcsV3Auth(credentials), url, signed)
        times = alternate_blocks(
            sides,
            blocks=settings.call_blocks,
            per_block=500,
            warmup=settings.warmup_calls,
            clock=time.process_time,
        )
    print("client CPU alone (httpx.MockTransport, no socket, process CPU time):")
    print_call_figures("cpu  ", times)


def bench_emulator_serve(report: Report) -> None:
    """The emulator as users run it (``yunxiao_emas.testing.serve``) against the same ASGI app
    on a socket that asyncio sets ``TCP_NODELAY`` on: the API call through ``Client``.

    A guard: a listening socket made with ``proto=0`` leaves asyncio's connections without
    ``TCP_NODELAY``, and every answer then waits ~40 ms for the client's delayed ACK."""
    from yunxiao_emas import AccessKeyCredentials, Client

    size = "1024"
    with contextlib.ExitStack() as stack:
        nodelay = stack.enter_context(worker_server("emulator", size))
        shipped = stack.enter_context(worker_server("emulator", "--via-serve", size))
        calls: list[Callable[[], object]] = []
        for ready in (shipped, nodelay):
            credentials = AccessKeyCredentials(ready["access_key_id"], ready["access_key_secret"])
            client = stack.enter_context(
                Client(endpoint=ready["base_url"], credentials=credentials, retries=0)
            )
            artifact = ready["artifacts"][0]
            ids = (
                ready["organization_id"],
                ready["pipeline_id"],
                artifact["run"],
                ready["emas_job_instance_id"],
                artifact["md5"],
            )
            calls.append(
                functools.partial(
                    client.get_pipeline_emas_artifact_url,
                    *ids,
                    service_connection_id=ready["service_connection_id"],
                )
            )
        times = alternate_blocks(
            {"serve": calls[0], "nodelay": calls[1]}, blocks=4, per_block=10, warmup=2
        )
        via_serve, via_nodelay = times["serve"], times["nodelay"]
    ratio = statistics.median(via_serve) / statistics.median(via_nodelay)
    print(
        "emulator API call through Client, ms/call median [min..max]: "
        f"served by yunxiao_emas.testing.serve {spread(via_serve, 1e3, 2)}, "
        f"same app on a TCP_NODELAY socket {spread(via_nodelay, 1e3, 2)} ({ratio:.0f}x)"
    )
    report.add("emulator serve() call / TCP_NODELAY server", f"{ratio:.1f}x", "info", None)


# --- 3. downloads against curl; memory; chunk sizes --------------------------------------------


@dataclass
class Download:
    seconds: float  # the transfer (ours: the call without its fsync; curl: time_total)
    durable_seconds: float  # with the file fsync'd (ours: the whole call; curl: + an fsync)
    cpu: float  # CPU seconds of the downloading process during the transfer
    verify_seconds: float = 0.0  # curl: an md5 of its file afterwards (ours: in the transfer)
    peak_rss_mib: float | None = None  # VmHWM of the download subprocess
    baseline_rss_mib: float | None = None  # its VmRSS after imports, before the call
    ru_maxrss_mib: float | None = None


class Downloads:
    """Fresh URLs from the emulator (through the API, untimed) and the two downloaders."""

    def __init__(self, ready: dict[str, Any], directory: Path) -> None:
        from yunxiao_emas import AccessKeyCredentials, Client

        self.ready = ready
        self.directory = directory
        self.client = Client(
            endpoint=ready["base_url"],
            credentials=AccessKeyCredentials(ready["access_key_id"], ready["access_key_secret"]),
            retries=0,
        )
        self.artifacts = {artifact["size"]: artifact for artifact in ready["artifacts"]}

    def close(self) -> None:
        self.client.close()

    def fresh_url(self, size: int) -> Any:
        artifact = self.artifacts[size]
        return self.client.get_pipeline_emas_artifact_url(
            self.ready["organization_id"],
            self.ready["pipeline_id"],
            artifact["run"],
            self.ready["emas_job_instance_id"],
            artifact["md5"],
            service_connection_id=self.ready["service_connection_id"],
        )

    def curl(self, curl: str, size: int) -> Download:
        url = self.fresh_url(size)
        dest = self.directory / "curl.out"
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        done = subprocess.run(
            [curl, "-s", "-S", "-f", "-o", str(dest), "-w", CURL_FORMAT, url.file_url],
            capture_output=True,
            text=True,
            timeout=300,
            check=True,
        )
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        seconds, downloaded = done.stdout.split()
        if int(float(downloaded)) != size:
            raise RuntimeError(f"curl got {downloaded} bytes, expected {size}")
        started = time.perf_counter()
        digest = hashlib.md5(usedforsecurity=False)
        with dest.open("rb") as file:
            while block := file.read(MIB):
                digest.update(block)
        verify_seconds = time.perf_counter() - started
        if digest.hexdigest() != self.artifacts[size]["md5"]:
            raise RuntimeError("curl's file does not have the artifact's md5")
        started = time.perf_counter()
        fd = os.open(dest, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        fsync_seconds = time.perf_counter() - started
        dest.unlink()
        cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
        return Download(float(seconds), float(seconds) + fsync_seconds, cpu, verify_seconds)

    def ours(self, size: int, chunk_size: int = MIB) -> Download:
        url = self.fresh_url(size)
        artifact = self.artifacts[size]
        dest = self.directory / "ours.out"
        spec = {
            key: self.ready[key]
            for key in (
                "base_url",
                "access_key_id",
                "access_key_secret",
                "organization_id",
                "pipeline_id",
                "emas_job_instance_id",
                "service_connection_id",
            )
        }
        spec |= {
            "pipeline_run_id": artifact["run"],
            "md5": artifact["md5"],
            "file_url": url.file_url,
            "request_id": url.request_id,
            "expires_at": url.expires_at.isoformat(),
            "dest": str(dest),
            "chunk_size": chunk_size,
        }
        done = subprocess.run(
            [sys.executable, str(WORKER), "download", json.dumps(spec)],
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        if done.returncode != 0:
            raise RuntimeError(f"the download subprocess failed:\n{done.stderr}")
        figures = json.loads(done.stdout)
        if figures["size"] != size or not figures["verified"]:
            raise RuntimeError(f"the download is not the artifact: {figures}")
        dest.unlink()
        return Download(
            seconds=figures["elapsed"] - figures["fsync"],
            durable_seconds=figures["elapsed"],
            cpu=figures["cpu"],
            peak_rss_mib=mib_or_none(figures["peak_rss_kib"]),
            baseline_rss_mib=mib_or_none(figures["rss_kib_before"]),
            ru_maxrss_mib=mib_or_none(figures["ru_maxrss_kib"]),
        )


def mib_or_none(kib: int | None) -> float | None:
    return None if kib is None else kib / 1024


def mb_per_s(size: int, runs: Sequence[Download], durable: bool = False) -> list[float]:
    return [size / 1e6 / (r.durable_seconds if durable else r.seconds) for r in runs]


def bench_downloads(settings: Settings, report: Report) -> None:
    heading(
        f"3. downloads from the emulator on loopback ({settings.main_size // MIB} MiB, "
        f"{settings.download_runs} runs per side, interleaved)"
    )
    curl = shutil.which("curl") or ("/usr/bin/curl" if Path("/usr/bin/curl").exists() else None)
    if curl is None:
        print("curl is not installed: no download comparison")
        report.add("download speed ours/curl", "not measured", f">= {DOWNLOAD_TARGET}x", None)
        report.add("peak RSS growth with size", "not measured", f"<= {MEMORY_TARGET_MIB} MiB", None)
        return
    sizes = sorted({settings.main_size, settings.small_size, settings.chunk_artifact_size})
    started = time.perf_counter()
    with (
        worker_server("emulator", *map(str, sizes)) as ready,
        tempfile.TemporaryDirectory(prefix="yunxiao-bench-") as directory,
    ):
        print(
            f"emulator (subprocess) at {ready['base_url']}, artifacts of "
            f"{', '.join(f'{s // MIB} MiB' for s in sizes)} ready in "
            f"{time.perf_counter() - started:.1f} s; files in {directory}"
        )
        downloads = Downloads(ready, Path(directory))
        try:
            downloads.ours(settings.small_size)  # warm up both paths (imports, page cache)
            downloads.curl(curl, settings.small_size)
            main_runs = bench_speed(settings, report, downloads, curl)
            bench_memory(settings, report, downloads, main_runs)
            bench_chunk_sizes(settings, downloads)
        finally:
            downloads.close()


def bench_speed(
    settings: Settings, report: Report, downloads: Downloads, curl: str
) -> list[Download]:
    """Our download against curl's, interleaved; returns our runs (for their peak RSS)."""
    size = settings.main_size
    ours: list[Download] = []
    theirs: list[Download] = []
    for run in range(settings.download_runs):
        if run % 2 == 0:
            theirs.append(downloads.curl(curl, size))
            ours.append(downloads.ours(size))
        else:
            ours.append(downloads.ours(size))
            theirs.append(downloads.curl(curl, size))
    of_medians = statistics.median(mb_per_s(size, ours)) / statistics.median(mb_per_s(size, theirs))
    durable_ratio = statistics.median(mb_per_s(size, ours, durable=True)) / statistics.median(
        mb_per_s(size, theirs, durable=True)
    )
    pairs = [a / b for a, b in zip(mb_per_s(size, ours), mb_per_s(size, theirs), strict=True)]
    print("transfer MB/s median [min..max] (ours: the call without its fsync; curl: time_total)")
    print(f"  curl          {spread(mb_per_s(size, theirs), 1, 0)}")
    print(f"  yunxiao_emas  {spread(mb_per_s(size, ours), 1, 0)}  (chunk 1 MiB, md5 verified)")
    transfer_ratio = statistics.median(pairs)
    print(
        f"  ratio ours/curl speed (median of per-pair ratios): {transfer_ratio:.3f}x "
        f"{spread(pairs, 1, 3)}; ratio of the medians {of_medians:.3f}x"
    )
    verified = [size / 1e6 / (r.seconds + r.verify_seconds) for r in theirs]
    print(
        f"  reference, the same work as ours: curl then an md5 of its file (hashlib), "
        f"{spread(verified, 1, 0)}; ours/that "
        f"{statistics.median(mb_per_s(size, ours)) / statistics.median(verified):.3f}x"
    )
    print("durable MB/s (file fsync'd: ours as called; curl plus an fsync of its file)")
    print(f"  curl          {spread(mb_per_s(size, theirs, durable=True), 1, 0)}")
    print(f"  yunxiao_emas  {spread(mb_per_s(size, ours, durable=True), 1, 0)}")
    print(f"  ratio of the medians ours/curl: {durable_ratio:.3f}x")
    gib = size / (1024 * MIB)
    print(
        "CPU seconds per GiB of the downloading process, median: "
        f"curl {statistics.median(r.cpu for r in theirs) / gib:.2f}, "
        f"yunxiao_emas {statistics.median(r.cpu for r in ours) / gib:.2f}"
    )
    report.add(
        "download speed ours/curl (transfer)",
        f"{transfer_ratio:.3f}x",
        f">= {DOWNLOAD_TARGET}x",
        transfer_ratio >= DOWNLOAD_TARGET,
    )
    return ours


def bench_memory(
    settings: Settings, report: Report, downloads: Downloads, large: list[Download]
) -> None:
    """Peak RSS for the small artifact against the runs of :func:`bench_speed`."""
    small = [downloads.ours(settings.small_size) for _ in range(2)]
    if any(r.peak_rss_mib is None for r in small + large):
        print("peak RSS: /proc/self/status is not available here")
        report.add("peak RSS growth with size", "not measured", "", None)
        return
    peak_small = max(r.peak_rss_mib or 0.0 for r in small)
    peak_large = max(r.peak_rss_mib or 0.0 for r in large)
    baseline = statistics.median(r.baseline_rss_mib or 0.0 for r in small + large)
    ru_maxrss = statistics.median(r.ru_maxrss_mib or 0.0 for r in small + large)
    growth = peak_large - peak_small
    print(
        "peak RSS (VmHWM) of the download subprocess, max over runs: "
        f"{settings.small_size // MIB} MiB artifact {peak_small:.1f} MiB, "
        f"{settings.main_size // MIB} MiB artifact {peak_large:.1f} MiB, "
        f"difference {growth:+.1f} MiB"
    )
    print(
        f"  RSS after imports, before the call: {baseline:.1f} MiB, so the call adds "
        f"{peak_small - baseline:.1f} / {peak_large - baseline:.1f} MiB at its peak"
    )
    print(
        f"  (ru_maxrss reads {ru_maxrss:.1f} MiB for every run: on Linux a child's starts at "
        "its parent's RSS and survives exec, so it measures this script, not the download)"
    )
    report.add(
        "peak RSS growth, "
        f"{settings.small_size // MIB} -> {settings.main_size // MIB} MiB artifact",
        f"{growth:+.1f} MiB",
        f"<= {MEMORY_TARGET_MIB:.0f} MiB",
        growth <= MEMORY_TARGET_MIB,
    )


def bench_chunk_sizes(settings: Settings, downloads: Downloads) -> None:
    size = settings.chunk_artifact_size
    chunk_sizes = (64 * 1024, MIB, 4 * MIB)
    speeds: dict[int, list[float]] = {chunk: [] for chunk in chunk_sizes}
    peaks: dict[int, float] = dict.fromkeys(chunk_sizes, 0.0)
    for round_ in range(settings.chunk_rounds):
        for chunk in chunk_sizes if round_ % 2 == 0 else chunk_sizes[::-1]:
            run = downloads.ours(size, chunk_size=chunk)
            speeds[chunk].extend(mb_per_s(size, [run]))
            peaks[chunk] = max(peaks[chunk], run.peak_rss_mib or 0.0)
    print(
        f"chunk sizes ({size // MIB} MiB artifact, {settings.chunk_rounds} run(s) each), "
        "transfer MB/s median [min..max], peak RSS:"
    )
    for chunk in chunk_sizes:
        label = f"{chunk // 1024} KiB" if chunk < MIB else f"{chunk // MIB} MiB"
        default = " (default)" if chunk == MIB else ""
        print(f"  {label:>7}{default:10} {spread(speeds[chunk], 1, 0)}  {peaks[chunk]:.1f} MiB")
    fastest = max(chunk_sizes, key=lambda chunk: statistics.median(speeds[chunk]))
    label = f"{fastest // 1024} KiB" if fastest < MIB else f"{fastest // MIB} MiB"
    print(f"  fastest: {label} (few runs on a noisy machine: a hint, not a verdict)")


# --- main --------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer runs, smaller artifacts")
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args(argv)
    settings = Settings.for_mode(args.quick)
    report = Report()
    started = time.perf_counter()
    load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    print(
        f"yunxiao-emas benchmarks ({'quick' if args.quick else 'full'}): Python "
        f"{platform.python_version()}, {os.cpu_count()} CPUs, load average {load}"
    )
    bench_imports(settings, report)
    bench_calls(settings, report)
    bench_emulator_serve(report)
    bench_downloads(settings, report)

    heading(f"summary ({time.perf_counter() - started:.0f} s)")
    width = max(len(target.name) for target in report.targets)
    for target in report.targets:
        print(
            f"{target.name:<{width}}  {target.measured:>10}  target {target.goal:<10}  "
            f"{verdict(target.met)}"
        )
    missed = [target.name for target in report.targets if target.met is False]
    if args.check and missed:
        print(f"missed: {', '.join(missed)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
