"""`yunxiao-emas emulator` as another language's test suite uses it: a subprocess started with
`--port 0` (and a config file), its first line read as JSON, driven over HTTP through the control
API; and how it fails (port taken, the mock extra missing, a bad config): one line, the right
exit code. Also the committed shell script that does all of this with curl alone."""

from __future__ import annotations

import json
import os
import selectors
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from yunxiao_emas import AccessKeyCredentials, Client, RetryPolicy

REPO = Path(__file__).resolve().parents[2]
COMMAND = [sys.executable, "-m", "yunxiao_emas"]
ORG, PIPELINE, RUN, JOB, CONNECTION = "cfg-org", 1111, 1, "cfg-job", 122


@dataclass
class Started:
    process: subprocess.Popen[str]
    ready: dict[str, Any]
    first_line: str

    @property
    def base_url(self) -> str:
        return str(self.ready["base_url"])


def _environment(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if "ALIBABA_CLOUD" not in k and "YUNXIAO" not in k}
    env.update({"HOME": str(home), "PYTHONUNBUFFERED": "1"})
    return env


def _first_line(process: subprocess.Popen[str], timeout: float = 30) -> str:
    assert process.stdout is not None
    with selectors.DefaultSelector() as selector:
        selector.register(process.stdout, selectors.EVENT_READ)
        if not selector.select(timeout):
            raise AssertionError("the emulator printed nothing")
    return process.stdout.readline()


@contextmanager
def emulator_process(
    home: Path, *args: str, env: dict[str, str] | None = None
) -> Iterator[Started]:
    process = subprocess.Popen(
        [*COMMAND, "emulator", "--port", "0", *args],
        env=env or _environment(home),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = _first_line(process)
        if not line:
            _, stderr = process.communicate(timeout=10)
            raise AssertionError(f"the emulator exited {process.returncode}: {stderr}")
        yield Started(process, json.loads(line), line)
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
        process.communicate(timeout=15)


@pytest.fixture
def home(tmp_path: Path) -> Path:
    path = tmp_path / "home"
    path.mkdir()
    return path


@pytest.fixture
def config_file(tmp_path: Path) -> Path:
    path = tmp_path / "emulator.yaml"
    path.write_text(
        "access_keys: {LTAI5tConfigured: configured-secret}\n"
        "tokens: [pt-configured]\n"
        "artifacts:\n"
        f"  - {{organization_id: {ORG}, pipeline_id: {PIPELINE}, pipeline_run_id: {RUN},\n"
        f"     emas_job_instance_id: {JOB}, service_connection_id: {CONNECTION},\n"
        "     filename: app.apk, size: 20000}\n"
    )
    return path


# --- the first line --------------------------------------------------------------------------


def test_the_first_line_is_json_saying_where_and_with_what(home: Path, config_file: Path) -> None:
    with emulator_process(home, "--config", str(config_file)) as started:
        ready = started.ready
        assert started.process.stdout is not None
        second = started.process.stdout.readline()

    assert ready["base_url"].startswith("http://127.0.0.1:")
    assert ready["control_url"] == f"{ready['base_url']}/_emulator/"
    assert ready["access_keys"] == {"LTAI5tConfigured": "configured-secret"}
    assert ready["tokens"] == ["pt-configured"]
    (listed,) = ready["artifacts"]
    assert (listed["emas_job_instance_id"], listed["size"], listed["filename"]) == (
        JOB,
        20000,
        "app.apk",
    )
    assert second.startswith("Yunxiao emulator listening on ")


def test_without_a_config_the_first_line_names_the_generated_key_and_token(home: Path) -> None:
    with emulator_process(home) as started:
        ready = started.ready

    ((key_id, secret),) = ready["access_keys"].items()
    assert key_id == "LTAIemulator"
    assert len(secret) >= 20
    assert ready["tokens"][0].startswith("pt-emulator-")
    assert ready["artifacts"] == []


def test_sigterm_stops_it_cleanly(home: Path) -> None:
    with emulator_process(home) as started:
        started.process.send_signal(signal.SIGTERM)
        stdout, stderr = started.process.communicate(timeout=15)

    assert started.process.returncode == 0
    assert "stopping" in stdout
    assert stderr == ""


# --- driven over HTTP, the SDK through it ----------------------------------------------------


def test_a_client_downloads_through_a_fault_injected_over_http(
    home: Path, config_file: Path, tmp_path: Path
) -> None:
    with emulator_process(home, "--config", str(config_file)) as started:
        control = f"{started.base_url}/_emulator"
        added = httpx.post(
            f"{control}/artifacts",
            json={
                "organization_id": ORG,
                "pipeline_id": PIPELINE,
                "pipeline_run_id": RUN + 1,
                "emas_job_instance_id": JOB,
                "service_connection_id": CONNECTION,
                "size": 50_000,
            },
        ).json()
        httpx.post(f"{control}/faults", json={"fault": "fail_next", "code": "ServiceUnavailable"})
        ((key_id, secret),) = started.ready["access_keys"].items()
        client = Client(
            credentials=AccessKeyCredentials(key_id, secret),
            endpoint=started.base_url,
            # The retry's wait is not what is tested here.
            retries=RetryPolicy(backoff_initial=0, backoff_max=0),
        )
        with client:
            result = client.download_pipeline_emas_artifact(
                ORG,
                PIPELINE,
                RUN + 1,
                JOB,
                added["md5"],
                tmp_path,
                service_connection_id=CONNECTION,
            )
        calls = httpx.get(f"{control}/calls").json()["calls"]

    assert (result.size, result.md5, result.verified) == (50_000, added["md5"], True)
    assert [(call["status"], call["code"]) for call in calls] == [
        (503, "ServiceUnavailable"),
        (200, None),
        (206, None),  # the download: its first (and only) part
    ]


def test_reset_over_http_comes_back_to_the_config(home: Path, config_file: Path) -> None:
    with emulator_process(home, "--config", str(config_file)) as started:
        control = f"{started.base_url}/_emulator"
        httpx.post(
            f"{control}/artifacts",
            json={**started.ready["artifacts"][0], "size": 5, "pipeline_run_id": 9},
        )
        reset = httpx.post(f"{control}/reset")
        listed = httpx.get(f"{control}/artifacts").json()["artifacts"]

    assert reset.json() == {"reset": True}
    assert listed == started.ready["artifacts"]


def test_no_control_api_leaves_its_paths_to_the_api(home: Path) -> None:
    with emulator_process(home, "--no-control-api") as started:
        response = httpx.post(f"{started.base_url}/_emulator/reset")

    assert started.ready["control_url"] is None
    assert response.json()["Code"] == "InvalidAction.NotFound"


def test_the_shell_script_drives_it_with_curl_alone() -> None:
    env = {k: v for k, v in os.environ.items() if "ALIBABA_CLOUD" not in k}
    env["YUNXIAO_EMAS"] = f"{sys.executable} -m yunxiao_emas"

    done = subprocess.run(
        ["bash", str(REPO / "scripts" / "emulator-from-shell.sh")],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"


# --- quiet when a client goes away -----------------------------------------------------------


def test_a_client_that_disconnects_mid_download_is_not_logged(home: Path, tmp_path: Path) -> None:
    config = tmp_path / "big.json"
    artifact = {
        "organization_id": ORG,
        "pipeline_id": PIPELINE,
        "pipeline_run_id": RUN,
        "emas_job_instance_id": JOB,
        "size": 48 * 1024 * 1024,
    }
    config.write_text(json.dumps({"tokens": ["pt-big"], "artifacts": [artifact]}))
    with emulator_process(home, "--config", str(config)) as started:
        md5 = started.ready["artifacts"][0]["md5"]
        url = httpx.get(
            f"{started.base_url}/oapi/v1/flow/organizations/{ORG}/pipelines/"
            "getEmasArtifactDownloadUrl",
            params={
                "pipelineId": PIPELINE,
                "pipelineRunId": RUN,
                "emasJobInstanceId": JOB,
                "md5": md5,
                "serviceConnectionId": CONNECTION,
            },
            headers={"x-yunxiao-token": "pt-big"},
        ).json()
        for _ in range(3):
            with httpx.stream("GET", url) as response:
                next(response.iter_raw())  # then the connection closes mid-body
        time.sleep(1.0)
        started.process.send_signal(signal.SIGTERM)
        _, stderr = started.process.communicate(timeout=15)

    assert "socket.send() raised exception" not in stderr
    assert stderr == ""


# --- failures: one line, the right exit code -------------------------------------------------


def run_command(
    home: Path, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*COMMAND, *args],
        env=env or _environment(home),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_a_port_in_use_is_one_line_and_exit_4(home: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]

        done = run_command(home, "emulator", "--port", str(port))

    assert done.returncode == 4
    assert done.stderr.count("\n") == 1
    assert f"cannot listen on 127.0.0.1 port {port}" in done.stderr
    assert "--port" in done.stderr
    assert done.stdout == ""


def test_without_the_mock_extra_it_is_one_line_and_exit_2(home: Path, tmp_path: Path) -> None:
    # A uvicorn that cannot be imported, as when the extra is not installed.
    blocker = tmp_path / "blocked" / "uvicorn"
    blocker.mkdir(parents=True)
    (blocker / "__init__.py").write_text("raise ImportError('No module named uvicorn')\n")
    env = _environment(home)
    env["PYTHONPATH"] = os.pathsep.join(
        filter(None, [str(blocker.parent), env.get("PYTHONPATH", "")])
    )

    done = run_command(home, "emulator", "--port", "0", env=env)

    assert done.returncode == 2
    assert done.stderr.strip() == (
        "yunxiao-emas: the emulator needs the mock extra: pip install 'yunxiao-emas[mock]' "
        "(missing: uvicorn)"
    )


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("bad.yaml", "access_keys: [1, 2]\n", "access_keys must be a mapping"),
        ("bad.yaml", "artifacts: [{organization_id: o}]\n", "artifacts[0]: missing pipeline_id"),
        ("bad.json", "{", "not valid JSON"),
        ("bad.yaml", "rate_limit: [0, 1]\n", "rate_limit must be [requests >= 1"),
        ("bad.yaml", "latency: .nan\n", "latency must be a number in 0..3600, got nan"),
        ("bad.yaml", "url_ttl: 1000000000000000\n", "url_ttl must be an integer in 1..604800"),
    ],
)
def test_a_bad_config_is_one_line_and_exit_2(
    home: Path, tmp_path: Path, name: str, text: str, message: str
) -> None:
    path = tmp_path / name
    path.write_text(text)

    done = run_command(home, "emulator", "--port", "0", "--config", str(path))

    assert done.returncode == 2
    assert done.stderr.count("\n") == 1
    assert done.stderr.startswith("yunxiao-emas: emulator config")
    assert message in done.stderr
    assert "Traceback" not in done.stderr
