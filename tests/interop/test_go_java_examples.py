"""examples/go and examples/java, each a program over the client generated from openapi.yaml
with its own V3 signer, run against ``yunxiao-emas emulator --port 0`` as a test suite in
another language would: from the emulator's first JSON line (in a file), a token call, a signed
call, both URLs downloaded and their md5 checked. Each signer also runs signing-vectors.json.
An emulator fault on the signed call shows each example reading a service error's code; the Java
one says which model its error body decoded as (a service error as ``ServiceError``), and its
docs show the generator recipe its build and scripts/check-java use.

Each example is generated and built offline by its ``build`` script (OpenAPI Generator, then
Debian's Go, or javac against Debian's Jackson jars) into ``<venv>/cache/examples/<language>``
(under .nox/ in `nox -s tests`), rebuilt only when the spec, the sources or the tools change.
"""

from __future__ import annotations

import json
import os
import queue
import shlex
import shutil
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
VECTORS_FILE = ROOT / "signing-vectors.json"
BIN = Path(sys.executable).parent
CACHE = Path(sys.prefix) / "cache" / "examples"
BUILD_TIMEOUT = 600  # seconds: generator, compiler and a cold build cache on a busy machine
RUN_TIMEOUT = 120
LANGUAGES = ["go", "java"]
NEEDS = {
    "go": {"go": "golang-go", "java": "openjdk-17-jdk-headless"},
    "java": {"java": "openjdk-17-jdk-headless", "javac": "openjdk-17-jdk-headless"},
}
KEY_ID, SECRET = "LTAIexamples", "examples-secret-not-a-real-key"
STS_ID, STS_SECRET, STS_TOKEN = "STS.examples", "sts-examples-secret", "CAIS-examples/token+="
TOKEN = "pt-examples-token"
SIGNED = "GetPipelineEmasArtifactUrl"
# Ids a generated client must encode: a space and a * in the path, as a user's may hold.
CONFIG = f"""
access_keys: {{{KEY_ID}: {SECRET}}}
sts_tokens: {{{STS_ID}: [{STS_SECRET}, "{STS_TOKEN}"]}}
tokens: [{TOKEN}]
artifacts:
  - {{organization_id: "mobile team", pipeline_id: 1111, pipeline_run_id: 7,
     emas_job_instance_id: "emas*job", service_connection_id: 122, size: 65536}}
"""


@pytest.fixture(scope="session", params=LANGUAGES)
def example(request: pytest.FixtureRequest) -> tuple[str, Path]:
    """The language and its built program (``OUT/example``)."""
    language: str = request.param
    missing = [
        f"{tool} ({package})" for tool, package in NEEDS[language].items() if not shutil.which(tool)
    ]
    if missing:
        pytest.fail(f"the {language} example needs {', '.join(missing)} on PATH")
    out = CACHE / language
    done = subprocess.run(
        ["bash", str(ROOT / "examples" / language / "build"), str(out)],
        env={**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"},
        capture_output=True,
        text=True,
        timeout=BUILD_TIMEOUT,
        check=False,
    )
    assert done.returncode == 0, f"examples/{language}/build failed:\n{done.stdout}{done.stderr}"
    return language, out / "example"


def _first_line(process: subprocess.Popen[str], timeout: float) -> str:
    lines: queue.Queue[str] = queue.Queue()
    assert process.stdout is not None
    threading.Thread(target=lambda: lines.put(process.stdout.readline()), daemon=True).start()
    try:
        return lines.get(timeout=timeout)
    except queue.Empty:
        return ""


@pytest.fixture(scope="module")
def emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[dict[str, Any], Path]]:
    """``yunxiao-emas emulator --port 0`` with CONFIG; its first line, parsed and in a file."""
    work = tmp_path_factory.mktemp("emulator")
    (work / "emulator.yaml").write_text(CONFIG, encoding="utf-8")
    command = [str(BIN / "yunxiao-emas"), "emulator", "--config", str(work / "emulator.yaml")]
    process = subprocess.Popen(
        [*command, "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        line = _first_line(process, timeout=60)
        assert line.startswith("{"), f"the emulator's first line is not JSON: {line!r}"
        (work / "ready.json").write_text(line, encoding="utf-8")
        yield json.loads(line), work / "ready.json"
    finally:
        process.terminate()
        process.wait(timeout=30)


def run(program: Path, *args: str) -> tuple[int, dict[str, Any], str]:
    """The program's exit code, its JSON line, and what it wrote to stderr."""
    done = subprocess.run(
        [str(program), *args], capture_output=True, text=True, timeout=RUN_TIMEOUT, check=False
    )
    lines = done.stdout.strip().splitlines()
    assert lines, f"{program} printed nothing (exit {done.returncode}):\n{done.stderr}"
    return done.returncode, json.loads(lines[-1]), done.stderr


def ready_file(tmp_path: Path, ready: dict[str, Any], **changes: Any) -> Path:
    path = tmp_path / "ready.json"
    path.write_text(json.dumps({**ready, **changes}), encoding="utf-8")
    return path


def calls_since(ready: dict[str, Any], count: int) -> list[dict[str, Any]]:
    calls: list[dict[str, Any]] = httpx.get(f"{ready['control_url']}calls").json()["calls"]
    return calls[count:]


def test_the_signer_passes_every_signing_vector(example: tuple[str, Path]) -> None:
    language, program = example
    total = len(json.loads(VECTORS_FILE.read_text(encoding="utf-8"))["vectors"])

    done = subprocess.run(
        [str(program), "vectors", str(VECTORS_FILE)],
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT,
        check=False,
    )

    assert done.returncode == 0, done.stdout + done.stderr
    assert f"{language} signer: {total} of {total} vectors pass" in done.stdout


def test_a_token_call_a_signed_call_and_both_downloads_verified(
    example: tuple[str, Path], emulator: tuple[dict[str, Any], Path]
) -> None:
    ready, path = emulator
    artifact = ready["artifacts"][0]
    before = len(calls_since(ready, 0))

    code, line, stderr = run(example[1], str(path))

    assert code == 0, (line, stderr)
    assert line["token"] == {**line["token"], "md5": artifact["md5"], "verified": True}
    assert line["signed"] == {**line["signed"], "md5": artifact["md5"], "verified": True}
    answered = [
        (call["operation"], call["status"])
        for call in calls_since(ready, before)
        if call["operation"] is not None
    ]
    assert answered == [("GetEmasArtifactDownloadUrl", 200), ("GetPipelineEmasArtifactUrl", 200)]


def test_a_signed_call_with_sts_credentials_signs_the_security_token(
    example: tuple[str, Path], emulator: tuple[dict[str, Any], Path], tmp_path: Path
) -> None:
    ready, _ = emulator
    sts_only = ready_file(tmp_path, ready, access_keys={})

    code, line, stderr = run(example[1], str(sts_only))

    assert code == 0, (line, stderr)
    assert line["signed"]["verified"] is True


def test_a_wrong_secret_shows_the_emulators_canonical_request(
    example: tuple[str, Path], emulator: tuple[dict[str, Any], Path], tmp_path: Path
) -> None:
    ready, _ = emulator
    wrong = ready_file(tmp_path, ready, access_keys={KEY_ID: "not-the-secret"})

    code, line, stderr = run(example[1], str(wrong))

    assert code == 1
    assert (line["api"], line["status"], line["code"]) == ("signed", 400, "SignatureDoesNotMatch")
    assert "the emulator's canonical request:\nPOST\n/organization/mobile%20team/" in stderr
    assert "/emas/artifact/emas%2Ajob/" in stderr


def test_an_unknown_token_is_the_token_apis_401(
    example: tuple[str, Path], emulator: tuple[dict[str, Any], Path], tmp_path: Path
) -> None:
    ready, _ = emulator
    unknown = ready_file(tmp_path, ready, tokens=["pt-unknown"])

    code, line, _ = run(example[1], str(unknown))

    assert code == 1
    assert (line["api"], line["status"], line["code"]) == ("token", 401, "Unauthorized")


def test_an_unknown_run_is_the_token_apis_404_with_its_code(
    example: tuple[str, Path], emulator: tuple[dict[str, Any], Path], tmp_path: Path
) -> None:
    ready, _ = emulator
    other_run = ready_file(
        tmp_path, ready, artifacts=[{**ready["artifacts"][0], "pipeline_run_id": 8}]
    )

    code, line, _ = run(example[1], str(other_run))

    assert code == 1
    assert (line["api"], line["status"]) == ("token", 404)
    assert line["code"] == "InvalidPipelineRun.NotFound"


@pytest.fixture
def fault(emulator: tuple[dict[str, Any], Path]) -> Iterator[Callable[..., None]]:
    """Queues an emulator fault (``POST /_emulator/faults``); clears the queue afterwards, so
    an unfired fault cannot reach another test."""
    ready, _ = emulator

    def queue_fault(**arguments: Any) -> None:
        fault = {"fault": "fail_next", **arguments}
        answer = httpx.post(f"{ready['control_url']}faults", json=fault)
        assert answer.status_code == 200, answer.text

    yield queue_fault
    httpx.post(f"{ready['control_url']}faults", json={"fault": "clear_faults"})


def test_a_signed_service_error_gives_its_code_and_request_id(
    example: tuple[str, Path], emulator: tuple[dict[str, Any], Path], fault: Callable[..., None]
) -> None:
    _, path = emulator
    fault(count=1, code="InvalidPipelineRun.NotFound", status=404, operation=SIGNED)

    code, line, _ = run(example[1], str(path))

    assert code == 1
    assert (line["api"], line["status"], line["code"]) == (
        "signed",
        404,
        "InvalidPipelineRun.NotFound",
    )
    assert line["requestId"]


@pytest.mark.parametrize("example", ["java"], indirect=True)
@pytest.mark.parametrize(
    ("shape", "status", "error_code", "decoded_as"),
    [
        ("service", 404, "InvalidPipelineRun.NotFound", "ServiceError"),
        ("service", 403, "Forbidden.AccessDenied", "ServiceError"),
        ("gateway", 429, "Throttling.User", "GatewayError"),
    ],
)
def test_java_decodes_a_signed_error_into_the_shape_that_carries_its_code(
    example: tuple[str, Path],
    emulator: tuple[dict[str, Any], Path],
    fault: Callable[..., None],
    shape: str,
    status: int,
    error_code: str,
    decoded_as: str,
) -> None:
    _, path = emulator
    fault(count=1, code=error_code, status=status, shape=shape, operation=SIGNED)

    code, line, _ = run(example[1], str(path))

    assert code == 1
    assert (line["api"], line["status"], line["shape"], line["code"]) == (
        "signed",
        status,
        decoded_as,
        error_code,
    )
    assert line["requestId"]


@pytest.mark.parametrize("example", ["java"], indirect=True)
def test_java_decodes_a_token_error_with_the_generated_model(
    example: tuple[str, Path], emulator: tuple[dict[str, Any], Path], tmp_path: Path
) -> None:
    ready, _ = emulator
    unknown = ready_file(tmp_path, ready, tokens=["pt-unknown"])

    code, line, _ = run(example[1], str(unknown))

    assert code == 1
    assert (line["api"], line["shape"], line["code"]) == ("token", "TokenApiError", "Unauthorized")
    assert line["requestId"]


def _java_recipe() -> list[str]:
    """The Java generator options of scripts/_check_lib.sh (java_generator_options)."""
    script = (
        'check=recipe; source scripts/_check_lib.sh; printf "%s\\n" "${java_generator_options[@]}"'
    )
    done = subprocess.run(
        ["bash", "-c", script],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT,
        check=True,
    )
    return done.stdout.splitlines()


def _java_generate_command(markdown: Path) -> list[str]:
    """The words of the first ``openapi-generator-cli generate -g java`` command of markdown."""
    text = markdown.read_text(encoding="utf-8").replace("\\\n", " ")
    for line in text.splitlines():
        if line.startswith("openapi-generator-cli generate -g java "):
            return shlex.split(line)
    raise AssertionError(f"{markdown} shows no `openapi-generator-cli generate -g java` command")


def _options(words: list[str]) -> list[tuple[str, ...]]:
    """Words grouped as options: ``--name value`` or ``--name=value``, one tuple each."""
    options: list[tuple[str, ...]] = []
    for word in words:
        if word.startswith("-") or not options:
            options.append((word,))
        else:
            options[-1] = (*options[-1], word)
    return options


@pytest.mark.parametrize(
    "markdown", ["examples/java/README.md", "docs/guides/other-languages.md"], ids=str
)
def test_the_java_docs_generate_with_the_recipe_of_the_build_and_check_java(markdown: str) -> None:
    recipe = _options(_java_recipe())
    # What differs by design: where the spec is, where the client goes, which files are skipped.
    where = ("openapi-generator-cli", "-g", "-i", "-o", "--global-property")
    shown = [
        option
        for option in _options(_java_generate_command(ROOT / markdown))
        if option[0] not in where
    ]

    assert recipe, "scripts/_check_lib.sh has no java_generator_options"
    assert sorted(shown) == sorted(recipe)
