"""examples/typescript, the typescript-fetch client generated from openapi.yaml with its V3
signing and token middlewares, run with node against the emulator over HTTP.

The emulator verifies the V3 signature with the Python code (``yunxiao_emas.auth.acs3``), so a
TypeScript signer that builds another canonical request fails here; the node test of the
example pins that signer with the documented known-answer vector on its own.

Needs node and npm (with the npm registry reachable the first time): the compiler and the Node
types come from examples/typescript/package-lock.json (``npm ci``), installed once into
``$XDG_CACHE_HOME/yunxiao-emas/typescript-example/<lock hash>`` and compiled once per session.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from yunxiao_emas.testing import EmulatedService

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "typescript"
VECTORS_FILE = Path(__file__).resolve().parents[2] / "signing-vectors.json"
KEY_ID, SECRET = "LTAItypescript", "typescript-example-secret"
TOKEN = "pt-typescript-example-token"
ORG, PIPELINE, RUN, JOB, CONNECTION = "ts-org", 1111, 1, "Psaxsa", 122
CONTENT = b"an APK built by EMAS, fetched by the TypeScript example"
TIMEOUT = 120  # seconds, for npm ci and tsc on a busy machine


def _npm_modules() -> Path:
    """node_modules of the example's lock file, installed once per lock file (``npm ci``)."""
    for tool in ("node", "npm"):
        if shutil.which(tool) is None:
            pytest.fail(f"{tool} is not on PATH: the TypeScript example needs Node.js 18+ and npm")
    lock = hashlib.sha256(
        (EXAMPLE / "package.json").read_bytes() + (EXAMPLE / "package-lock.json").read_bytes()
    ).hexdigest()[:16]
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    home = base / "yunxiao-emas" / "typescript-example" / lock
    if (home / "node_modules" / ".bin" / "tsc").exists():
        return home / "node_modules"
    home.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(dir=home.parent, prefix=f".{lock}-"))
    for name in ("package.json", "package-lock.json"):
        shutil.copy(EXAMPLE / name, work / name)
    done = subprocess.run(
        ["npm", "ci", "--no-audit", "--no-fund", "--ignore-scripts", "--loglevel=error"],
        cwd=work,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )
    if done.returncode != 0:
        shutil.rmtree(work, ignore_errors=True)
        pytest.fail(f"npm ci of examples/typescript failed:\n{done.stdout}{done.stderr}")
    try:
        work.rename(home)  # atomic: a concurrent session either sees all of it or none
    except OSError:
        shutil.rmtree(work, ignore_errors=True)  # another session finished first
    return home / "node_modules"


@pytest.fixture(scope="session")
def example(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example compiled with its pinned tsc: the folder that holds dist/."""
    modules = _npm_modules()
    build = tmp_path_factory.mktemp("typescript-example")
    for name in ("src", "test"):
        shutil.copytree(EXAMPLE / name, build / name)
    shutil.copy(EXAMPLE / "tsconfig.json", build / "tsconfig.json")
    (build / "node_modules").symlink_to(modules, target_is_directory=True)
    done = subprocess.run(
        ["node", str(modules / "typescript" / "bin" / "tsc"), "--project", "tsconfig.json"],
        cwd=build,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )
    assert done.returncode == 0, f"tsc failed on examples/typescript:\n{done.stdout}{done.stderr}"
    return build


def run_example(example: Path, api: str, base_url: str, run: int, **env: str) -> dict[str, Any]:
    """``node dist/src/main.js API ...`` with ``env`` as its only credentials; its JSON line,
    with the exit code under ``"exit"``."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("ALIBABA_", "YUNXIAO_"))}
    done = subprocess.run(
        [
            "node",
            "dist/src/main.js",
            api,
            *("--endpoint", base_url, "--organization", ORG, "--pipeline", str(PIPELINE)),
            *("--run", str(run), "--job", JOB, "--service-connection", str(CONNECTION)),
            *("--md5", env.pop("md5"), "--download", str(example / f"{api}-{run}.apk")),
        ],
        cwd=example,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )
    lines = done.stdout.strip().splitlines()
    assert lines, f"the example printed nothing (exit {done.returncode}):\n{done.stderr}"
    return {**json.loads(lines[-1]), "exit": done.returncode, "stderr": done.stderr}


@pytest.fixture(scope="module")
def signed_api() -> Iterator[tuple[EmulatedService, str, str]]:
    service = EmulatedService(access_keys={KEY_ID: SECRET})
    md5 = service.add_artifact(ORG, PIPELINE, RUN, JOB, CONTENT, service_connection_id=CONNECTION)
    with service.serve() as base_url:
        yield service, base_url, md5


@pytest.fixture(scope="module")
def token_api() -> Iterator[tuple[EmulatedService, str, str]]:
    service = EmulatedService()
    service.add_token(TOKEN)
    md5 = service.add_artifact(ORG, PIPELINE, RUN, JOB, CONTENT, service_connection_id=CONNECTION)
    with service.serve() as base_url:
        yield service, base_url, md5


def signed(example: Path, base_url: str, md5: str, run: int = RUN, secret: str = SECRET) -> Any:
    return run_example(
        example,
        "signed",
        base_url,
        run,
        md5=md5,
        ALIBABA_CLOUD_ACCESS_KEY_ID=KEY_ID,
        ALIBABA_CLOUD_ACCESS_KEY_SECRET=secret,
    )


def test_node_test_of_the_signer_passes_the_documented_known_answer_vector(
    example: Path,
) -> None:
    done = subprocess.run(
        ["node", "--test", "dist/test/acs3.test.js"],
        cwd=example,
        env={**os.environ, "SIGNING_VECTORS": str(VECTORS_FILE)},
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )

    assert done.returncode == 0, done.stdout + done.stderr
    assert "# fail 0" in done.stdout
    assert "documented example: string to sign and signature" in done.stdout


def test_node_test_of_the_signer_runs_every_signing_vector(example: Path) -> None:
    names = [vector["name"] for vector in json.loads(VECTORS_FILE.read_text("utf-8"))["vectors"]]

    done = subprocess.run(
        ["node", "--test", "dist/test/acs3.test.js"],
        cwd=example,
        env={**os.environ, "SIGNING_VECTORS": str(VECTORS_FILE)},
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )

    assert done.returncode == 0, done.stdout + done.stderr
    assert "# fail 0" in done.stdout
    assert [name for name in names if f"signing vector {name}" not in done.stdout] == []


def test_signed_call_gets_the_url_and_the_downloaded_file_has_its_md5(
    example: Path, signed_api: tuple[EmulatedService, str, str]
) -> None:
    service, base_url, md5 = signed_api

    answer = signed(example, base_url, md5)

    assert answer["exit"] == 0, answer
    assert answer["ok"] is True
    assert answer["fileUrl"].startswith(f"{base_url}/emas-artifacts/")
    assert answer["downloaded"]["md5"] == md5 == hashlib.md5(CONTENT).hexdigest()  # noqa: S324
    assert answer["downloaded"]["verified"] is True
    assert Path(answer["downloaded"]["path"]).read_bytes() == CONTENT
    assert service.api_calls[-1].status == 200


def test_signed_call_of_an_unknown_run_reads_the_documented_error(
    example: Path, signed_api: tuple[EmulatedService, str, str]
) -> None:
    _, base_url, md5 = signed_api

    answer = signed(example, base_url, md5, run=RUN + 1)

    assert answer["exit"] == 1
    assert answer["status"] == 404
    assert answer["code"] == "InvalidPipelineRun.NotFound"
    assert answer["message"] == "The pipeline execution instance is not found."
    assert answer["requestId"]


def test_signed_call_with_a_wrong_secret_reads_the_gateway_error(
    example: Path, signed_api: tuple[EmulatedService, str, str]
) -> None:
    _, base_url, md5 = signed_api

    answer = signed(example, base_url, md5, secret="not-the-secret")

    assert answer["exit"] == 1
    assert answer["code"] == "SignatureDoesNotMatch"
    assert answer["requestId"]
    assert f"the emulator's canonical request:\nPOST\n/organization/{ORG}/" in answer["stderr"]


def test_token_call_gets_the_url_and_the_downloaded_file_has_its_md5(
    example: Path, token_api: tuple[EmulatedService, str, str]
) -> None:
    service, base_url, md5 = token_api

    answer = run_example(example, "token", base_url, RUN, md5=md5, YUNXIAO_TOKEN=TOKEN)

    assert answer["exit"] == 0, answer
    assert answer["ok"] is True
    assert answer["downloaded"]["md5"] == md5
    assert Path(answer["downloaded"]["path"]).read_bytes() == CONTENT
    assert service.api_calls[-1].status == 200


def test_token_call_of_an_unknown_run_answers_404_with_the_token_error_body(
    example: Path, token_api: tuple[EmulatedService, str, str]
) -> None:
    _, base_url, md5 = token_api

    answer = run_example(example, "token", base_url, RUN + 1, md5=md5, YUNXIAO_TOKEN=TOKEN)

    assert answer["exit"] == 1
    assert answer["status"] == 404
    assert answer["code"]


def test_token_call_with_an_unknown_token_answers_401(
    example: Path, token_api: tuple[EmulatedService, str, str]
) -> None:
    _, base_url, md5 = token_api

    answer = run_example(example, "token", base_url, RUN, md5=md5, YUNXIAO_TOKEN="pt-unknown")

    assert answer["exit"] == 1
    assert answer["status"] == 401
    assert answer["code"]
