"""A hostile ``--config`` (and ``--artifact``): nested too deeply, a FIFO, an endless device, a
directory, a file too large: one line on stderr and exit 2, quickly (never a RecursionError
traceback, never a start that never comes, never memory without end). Generated artifacts of
256 MiB and more work, with the same bytes in every run."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import httpx
import pytest
from attack_support import run_cli
from yunxiao_emas.testing import EmulatedService

DEEP = 100_000
ARTIFACT = (
    "artifacts:\n  - {organization_id: o, pipeline_id: 1, pipeline_run_id: 1, "
    "emas_job_instance_id: j, path: %s}\n"
)


def one_line_exit_2(home: Path, *args: str) -> str:
    run = run_cli("emulator", "--port", "0", *args, home=home, timeout=30)

    assert run.returncode == 2, run.output
    assert "Traceback" not in run.output
    assert len(run.stderr.strip().splitlines()) == 1, run.stderr
    return run.stderr


DEEP_DOCUMENTS = {
    "deep.json": "[" * DEEP + "]" * DEEP,
    "deep-object.json": '{"a":' * DEEP + "1" + "}" * DEEP,
    "deep.yaml": "access_keys: " + "[" * DEEP + "]" * DEEP + "\n",
    "deep-map.yaml": "tokens: " + "{a: " * DEEP + "1" + "}" * DEEP + "\n",
}


@pytest.mark.parametrize("name", list(DEEP_DOCUMENTS))
def test_a_deeply_nested_config_is_one_line_and_exit_2(
    name: str, home: Path, tmp_path: Path
) -> None:
    path = tmp_path / name
    path.write_text(DEEP_DOCUMENTS[name])

    assert "nested" in one_line_exit_2(home, "--config", str(path))


@pytest.fixture
def fifo(tmp_path: Path) -> Path:
    path = tmp_path / "fifo"
    os.mkfifo(path)
    return path


@pytest.mark.parametrize("where", ["fifo", "/dev/zero", "directory"])
def test_an_artifact_path_that_is_no_regular_file_is_one_line_and_exit_2(
    where: str, fifo: Path, home: Path, tmp_path: Path
) -> None:
    target = {"fifo": str(fifo), "/dev/zero": "/dev/zero", "directory": str(tmp_path)}[where]
    config = tmp_path / "emulator.yaml"
    config.write_text(ARTIFACT % target)

    assert "not a regular file" in one_line_exit_2(home, "--config", str(config))


@pytest.mark.parametrize("where", ["fifo", "/dev/zero"])
def test_a_config_that_is_no_regular_file_is_one_line_and_exit_2(
    where: str, fifo: Path, home: Path
) -> None:
    target = str(fifo) if where == "fifo" else where

    assert "not a regular file" in one_line_exit_2(home, "--config", target)


@pytest.mark.parametrize("where", ["fifo", "/dev/zero"])
def test_an_artifact_option_that_is_no_regular_file_is_one_line_and_exit_2(
    where: str, fifo: Path, home: Path
) -> None:
    target = str(fifo) if where == "fifo" else where

    assert "not a regular file" in one_line_exit_2(home, "--artifact", target)


# --- generated artifacts of 256 MiB and more ----------------------------------------------------

LARGE = 2**28 + 1  # Random.randbytes overflowed from 2**28 bytes on


def generated(size: int) -> dict[str, object]:
    return {
        "organization_id": "o",
        "pipeline_id": 1,
        "pipeline_run_id": 1,
        "emas_job_instance_id": "j",
        "size": size,
    }


def test_a_generated_artifact_over_256_mib_from_a_config_is_the_same_in_every_run() -> None:
    md5s = []
    for _ in range(2):
        service = EmulatedService.from_config({"artifacts": [generated(LARGE)]})
        [artifact] = service.artifacts()
        md5s.append(artifact["md5"])
        del service

    assert md5s[0] == md5s[1]


def test_a_generated_artifact_over_256_mib_through_the_control_api_is_served() -> None:
    service = EmulatedService()

    async def add() -> httpx.Response:
        transport = httpx.ASGITransport(app=service.asgi_app)
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as http:
            return await http.post("/_emulator/artifacts", json=generated(LARGE))

    response = asyncio.run(add())

    assert response.status_code == 200, response.text
    assert response.json()["size"] == LARGE
