"""The ``yunxiao-emas`` command end to end: ``python -m yunxiao_emas.cli`` as a subprocess, with
credentials in the environment only and an empty HOME, against the emulator. What both APIs
share runs over both (``api``: an AccessKey in ``ALIBABA_CLOUD_*``, or ``YUNXIAO_TOKEN``).

Every run also checks that no secret appears in what the command printed (see ``run_cli``).
Exit codes: 0 ok, 1 contract drift, 2 invalid arguments, 3 API error, 4 network, 5 checksum.
"""

from __future__ import annotations

import json
import os
import queue
import shlex
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from e2e_support import (
    APIS,
    FILENAME,
    KEY_ID,
    TOKEN,
    Emulated,
    ExpireAfterFirstDownload,
    NonConformingApi,
    RewriteDownloadHeaders,
    closed_port,
    ids_args,
    leftovers,
)
from yunxiao_emas import AccessKeyCredentials, __version__
from yunxiao_emas.testing import serve

CLI = [sys.executable, "-m", "yunxiao_emas.cli"]
both_apis = pytest.mark.parametrize("api", APIS, indirect=True)


# --- url -------------------------------------------------------------------------------------


@both_apis
def test_url_prints_the_download_url(emulator: Emulated, run_cli: Any) -> None:
    result = run_cli("url", "--endpoint", emulator.base_url, *ids_args(emulator))

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().startswith(f"{emulator.base_url}/emas-artifacts/")
    assert result.stdout.count("\n") == 1


@both_apis
def test_url_json_prints_one_object(emulator: Emulated, run_cli: Any) -> None:
    result = run_cli("url", "--json", "--endpoint", emulator.base_url, *ids_args(emulator))

    assert result.returncode == 0, result.stderr
    body = json.loads(result.stdout)
    assert set(body) == {"url", "request_id", "expires_at"}
    assert body["url"].startswith(f"{emulator.base_url}/emas-artifacts/")


# --- download: success -----------------------------------------------------------------------


@both_apis
def test_download_writes_the_file_and_exits_0(
    emulator: Emulated, run_cli: Any, tmp_path: Path
) -> None:
    out = tmp_path / "out.apk"

    result = run_cli(
        "download", "--endpoint", emulator.base_url, *ids_args(emulator), "--output", str(out)
    )

    assert result.returncode == 0, result.stderr
    assert out.read_bytes() == emulator.content
    assert str(out) in result.stdout
    assert "verified" in result.stdout


@both_apis
def test_download_json_prints_one_object_describing_the_file(
    emulator: Emulated, run_cli: Any, tmp_path: Path
) -> None:
    result = run_cli(
        "download",
        "--json",
        "--endpoint",
        emulator.base_url,
        *ids_args(emulator),
        "--output",
        str(tmp_path),
    )

    assert result.returncode == 0, result.stderr
    body = json.loads(result.stdout)
    assert body["path"] == str(tmp_path / FILENAME)
    assert (body["size"], body["md5"], body["verified"]) == (
        len(emulator.content),
        emulator.md5,
        True,
    )
    assert body["request_id"]


@pytest.mark.parametrize("offset", [1, 30_000, 90_000])
def test_download_survives_a_dropped_connection(
    emulator: Emulated, run_cli: Any, tmp_path: Path, offset: int
) -> None:
    emulator.service.drop_download_after(offset)
    out = tmp_path / "out.apk"

    result = run_cli(
        "download", "--endpoint", emulator.base_url, *ids_args(emulator), "--output", str(out)
    )

    assert result.returncode == 0, result.stderr
    assert out.read_bytes() == emulator.content
    assert emulator.service.download_calls[0].status is None  # the drop did happen


@both_apis
def test_download_survives_a_url_expiring_mid_download(
    emulate: Any, run_cli: Any, tmp_path: Path
) -> None:
    emulated = emulate(app=ExpireAfterFirstDownload, url_ttl=60)
    emulated.service.drop_download_after(30_000)
    out = tmp_path / "out.apk"

    result = run_cli(
        "download", "--endpoint", emulated.base_url, *ids_args(emulated), "-o", str(out)
    )

    assert result.returncode == 0, result.stderr
    assert out.read_bytes() == emulated.content
    assert [call.status for call in emulated.service.download_calls][:2] == [None, 403]


def test_download_with_a_traversing_content_disposition_stays_in_the_directory(
    emulate: Any, run_cli: Any, tmp_path: Path
) -> None:
    header = {"content-disposition": 'attachment; filename="../../escaped.apk"'}
    emulated = emulate(app=lambda service: RewriteDownloadHeaders(service.asgi_app, header))
    dest = tmp_path / "a" / "b"
    dest.mkdir(parents=True)

    result = run_cli(
        "download", "--endpoint", emulated.base_url, *ids_args(emulated), "-o", str(dest)
    )

    assert result.returncode == 0, result.stderr
    assert (dest / "escaped.apk").read_bytes() == emulated.content
    assert not (tmp_path / "escaped.apk").exists()


def test_served_name_too_long_for_the_filesystem_is_saved_without_a_traceback(
    emulate: Any, run_cli: Any, tmp_path: Path
) -> None:
    name = "é" * 200 + ".apk"  # 404 bytes in UTF-8, over the 255 a file name may have
    header = {"content-disposition": f"attachment; filename*=UTF-8''{quote(name)}"}
    emulated = emulate(app=lambda service: RewriteDownloadHeaders(service.asgi_app, header))
    dest = tmp_path / "out"
    dest.mkdir()

    result = run_cli(
        "download", "--endpoint", emulated.base_url, *ids_args(emulated), "-o", str(dest)
    )

    assert "Traceback" not in result.output
    assert result.returncode == 0
    assert [path.read_bytes() for path in dest.iterdir()] == [emulated.content]


# --- exit 2: invalid arguments ---------------------------------------------------------------


def test_pipeline_id_0_exits_2_before_any_request(emulator: Emulated, run_cli: Any) -> None:
    result = run_cli("url", "--endpoint", emulator.base_url, *ids_args(emulator, pipeline_id=0))

    assert result.returncode == 2
    assert "pipeline_id" in result.stderr
    assert "Traceback" not in result.output
    assert emulator.service.calls == []


@both_apis
def test_missing_credentials_exit_2(emulator: Emulated, run_cli: Any) -> None:
    result = run_cli("url", "--endpoint", emulator.base_url, *ids_args(emulator), credentials=None)

    assert result.returncode == 2
    assert "credentials" in result.stderr
    assert "Traceback" not in result.output


def test_existing_output_file_exits_2_and_is_left_untouched(
    emulator: Emulated, run_cli: Any, tmp_path: Path
) -> None:
    out = tmp_path / "out.apk"
    out.write_bytes(b"keep me")

    result = run_cli(
        "download", "--endpoint", emulator.base_url, *ids_args(emulator), "-o", str(out)
    )

    assert result.returncode == 2
    assert out.read_bytes() == b"keep me"


def test_existing_output_file_is_replaced_with_overwrite(
    emulator: Emulated, run_cli: Any, tmp_path: Path
) -> None:
    out = tmp_path / "out.apk"
    out.write_bytes(b"old")

    result = run_cli(
        "download",
        "--overwrite",
        "--endpoint",
        emulator.base_url,
        *ids_args(emulator),
        "-o",
        str(out),
    )

    assert result.returncode == 0, result.stderr
    assert out.read_bytes() == emulator.content


# --- exit 3: the API answered with an error --------------------------------------------------


@both_apis
def test_unknown_run_exits_3_with_code_message_and_request_id(
    emulator: Emulated, run_cli: Any
) -> None:
    result = run_cli(
        "url", "--endpoint", emulator.base_url, *ids_args(emulator, pipeline_run_id=999_999)
    )

    assert result.returncode == 3
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "InvalidPipelineRun.NotFound" in lines[0]
    assert "The pipeline execution instance is not found." in lines[0]
    assert "request id " in lines[0]
    assert result.stdout == ""


def test_gateway_error_line_has_the_recommend_link_and_no_secret(
    emulator: Emulated, run_cli: Any
) -> None:
    wrong = AccessKeyCredentials(KEY_ID, "wrong-secret-also-never-printed")

    result = run_cli("url", "--endpoint", emulator.base_url, *ids_args(emulator), credentials=wrong)

    assert result.returncode == 3
    assert "SignatureDoesNotMatch" in result.stderr
    assert "https://api.aliyun.com/troubleshoot?q=SignatureDoesNotMatch" in result.stderr
    assert "Traceback" not in result.output


def test_sts_token_is_never_printed(emulate: Any, run_cli: Any) -> None:
    emulated = emulate(sts_tokens={"STS.key": ("sts-secret", "sts-token-value")})
    mismatched = AccessKeyCredentials("STS.key", "sts-secret", "printed-token-would-leak")

    result = run_cli(
        "url", "--endpoint", emulated.base_url, *ids_args(emulated), credentials=mismatched
    )

    assert result.returncode == 3
    assert "InvalidSecurityToken.Malformed" in result.stderr


# --- exit 4: network -------------------------------------------------------------------------


@both_apis
def test_endpoint_on_a_closed_port_exits_4(emulator: Emulated, run_cli: Any) -> None:
    endpoint = f"http://127.0.0.1:{closed_port()}"

    result = run_cli("url", "--endpoint", endpoint, *ids_args(emulator))

    assert result.returncode == 4
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.output


def test_read_only_output_directory_exits_4_and_writes_nothing(
    emulator: Emulated, run_cli: Any, read_only_dir: Path
) -> None:
    result = run_cli(
        "download", "--endpoint", emulator.base_url, *ids_args(emulator), "-o", str(read_only_dir)
    )

    assert result.returncode == 4
    assert "cannot write" in result.stderr
    assert os.listdir(read_only_dir) == []


# --- exit 5: checksum ------------------------------------------------------------------------


@both_apis
def test_md5_that_does_not_match_the_bytes_exits_5_and_writes_nothing(
    emulate: Any, run_cli: Any, tmp_path: Path
) -> None:
    emulated = emulate(md5="0123456789abcdef0123456789abcdef")
    out = tmp_path / "out"
    out.mkdir()

    result = run_cli(
        "download", "--endpoint", emulated.base_url, *ids_args(emulated), "-o", str(out)
    )

    assert result.returncode == 5
    assert "checksum" in result.stderr
    assert os.listdir(out) == []


def test_corrupted_body_exits_5_and_leaves_no_temporary_file(
    emulator: Emulated, run_cli: Any, tmp_path: Path
) -> None:
    emulator.service.corrupt_next_download()
    out = tmp_path / "out.apk"

    result = run_cli(
        "download", "--endpoint", emulator.base_url, *ids_args(emulator), "-o", str(out)
    )

    assert result.returncode == 5
    assert not out.exists()
    assert leftovers(tmp_path) == []


# --- version, emulator, contract check -------------------------------------------------------


def test_version_prints_the_package_version(run_cli: Any) -> None:
    result = run_cli("--version")

    assert result.returncode == 0
    assert __version__ in result.stdout


def _read_until(lines: queue.Queue[str], marker: str, seen: list[str]) -> str:
    while True:
        try:
            line = lines.get(timeout=30)
        except queue.Empty:
            raise AssertionError(f"no line with {marker!r} in: {seen}") from None
        seen.append(line)
        if marker in line:
            return line


def test_emulator_command_prints_a_download_command_that_works(
    tmp_path: Path, cli_home: Path, run_cli: Any
) -> None:
    artifact = tmp_path / "demo.apk"
    artifact.write_bytes(os.urandom(5000))
    out = tmp_path / "out"
    out.mkdir()
    env = {name: value for name, value in os.environ.items() if "ALIBABA_CLOUD" not in name}
    env.update({"HOME": str(cli_home), "PYTHONUNBUFFERED": "1"})
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    emulator = subprocess.Popen(
        [*CLI, "emulator", "--port", "0", "--artifact", str(artifact)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines: queue.Queue[str] = queue.Queue()

    def read() -> None:
        for line in emulator.stdout or ():
            lines.put(line)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        seen: list[str] = []
        listening = _read_until(lines, "listening on", seen)
        command_line = _read_until(lines, "download:", seen)
        words = shlex.split(command_line.split("download:", 1)[1])
        assignments = [word for word in words if "=" in word and not word.startswith("-")]
        command = words[len(assignments) :]
        download_env = {**env, **dict(word.split("=", 1) for word in assignments)}
        completed = subprocess.run(
            command, env=download_env, cwd=out, capture_output=True, text=True, timeout=60
        )
    finally:
        emulator.terminate()
        emulator.wait(timeout=10)
        reader.join(timeout=10)
        if emulator.stdout is not None:
            emulator.stdout.close()

    assert listening.split("listening on", 1)[1].strip().startswith("http://127.0.0.1:")
    assert command[:2] == ["yunxiao-emas", "download"]
    assert completed.returncode == 0, completed.stderr
    assert (out / "demo.apk").read_bytes() == artifact.read_bytes()
    secret = download_env["ALIBABA_CLOUD_ACCESS_KEY_SECRET"]
    assert secret not in completed.stdout + completed.stderr


@both_apis
def test_check_contract_against_the_emulator_exits_0_with_ok_lines(
    emulator: Emulated, run_cli: Any
) -> None:
    result = run_cli("check-contract", "--endpoint", emulator.base_url, *ids_args(emulator))

    assert result.returncode == 0, result.output
    checks = [line for line in result.stdout.splitlines() if line.startswith(("ok", "FAIL"))]
    assert len(checks) == 3
    assert all(line.startswith("ok") for line in checks)


def test_check_contract_against_a_drifted_server_exits_1_with_a_readable_diff(
    emulator: Emulated, run_cli: Any
) -> None:
    with serve(NonConformingApi()) as base_url:
        result = run_cli("check-contract", "--endpoint", base_url, *ids_args(emulator))

    assert result.returncode == 1
    assert "FAIL success with the given ids (HTTP 200)" in result.stdout
    assert "'requestId' is a required property" in result.stdout
    assert "drifted" in result.stdout
    assert "Traceback" not in result.output


# --- the token API ---------------------------------------------------------------------------


def test_token_option_selects_the_token_api(emulator: Emulated, run_cli: Any) -> None:
    result = run_cli(
        "url",
        "--endpoint",
        emulator.base_url,
        "--token",
        TOKEN,
        *ids_args(emulator),
        credentials=None,
        secrets=(TOKEN,),
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().startswith(f"{emulator.base_url}/emas-artifacts/")
    assert [call.operation for call in emulator.service.api_calls] == ["GetEmasArtifactDownloadUrl"]


def test_token_option_wins_over_the_access_key_of_the_environment(
    emulator: Emulated, run_cli: Any
) -> None:
    result = run_cli("url", "--endpoint", emulator.base_url, "--token", TOKEN, *ids_args(emulator))

    assert result.returncode == 0, result.stderr
    assert [call.method for call in emulator.service.api_calls] == ["GET"]


def test_token_and_profile_together_exit_2_before_any_request(
    emulator: Emulated, run_cli: Any
) -> None:
    result = run_cli(
        "url",
        "--endpoint",
        emulator.base_url,
        "--token",
        TOKEN,
        "--profile",
        "default",
        *ids_args(emulator),
        secrets=(TOKEN,),
    )

    assert result.returncode == 2
    assert "--token" in result.stderr
    assert "Traceback" not in result.output
    assert emulator.service.calls == []


def test_an_unknown_token_exits_3_without_printing_it(emulator: Emulated, run_cli: Any) -> None:
    unknown = "pt-unknown-TOKEN-that-must-not-be-printed"

    result = run_cli(
        "url",
        "--endpoint",
        emulator.base_url,
        "--token",
        unknown,
        *ids_args(emulator),
        credentials=None,
        secrets=(unknown,),
    )

    assert result.returncode == 3
    assert "HTTP 401" in result.stderr
    assert "Traceback" not in result.output


@pytest.mark.parametrize("api", ["token"], indirect=True)
def test_check_contract_names_the_operation_the_credentials_select(
    emulator: Emulated, run_cli: Any
) -> None:
    result = run_cli("check-contract", "--endpoint", emulator.base_url, *ids_args(emulator))

    assert result.returncode == 0, result.output
    assert "(GetEmasArtifactDownloadUrl)" in result.stdout.splitlines()[0]
