"""The ``yunxiao-emas`` command end to end: ``python -m yunxiao_emas.cli`` as a subprocess, with
credentials in the environment only and an empty HOME, against the emulator. What both APIs
share runs over both (``api``: an AccessKey in ``ALIBABA_CLOUD_*``, or ``YUNXIAO_TOKEN``).

Every run also checks that no secret appears in what the command printed (see ``run_cli``).
Exit codes: 0 ok, 1 contract drift, 2 invalid arguments (check-contract: credentials refused),
3 API error, 4 network, 5 checksum. With --json, stdout holds one object: the result or the error.
"""

from __future__ import annotations

import json
import os
import queue
import shlex
import socket
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from e2e_support import (
    APIS,
    CREDENTIALS,
    FILENAME,
    KEY_ID,
    PIPELINE,
    TOKEN,
    Emulated,
    ExpireAfterFirstDownload,
    NonConformingApi,
    RewriteDownloadHeaders,
    closed_port,
    ids_args,
    leftovers,
)
from yunxiao_emas import AccessKeyCredentials, PersonalAccessToken, __version__
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
    # ids: every id used; found: where those not given came from (none here: all given).
    assert set(body) == {"url", "request_id", "expires_at", "ids", "found"}
    assert body["ids"] == emulator.ids()
    assert body["found"] == {}
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


def test_download_at_verbose_logs_a_resume_with_its_offset(
    emulator: Emulated, run_cli: Any, tmp_path: Path
) -> None:
    emulator.service.drop_download_after(30_000)

    result = run_cli(
        "download", "-v", "--endpoint", emulator.base_url, *ids_args(emulator), "-o", str(tmp_path)
    )

    assert result.returncode == 0, result.stderr
    assert (
        "the connection dropped (RemoteProtocolError (host 127.0.0.1)); resuming at byte 30000"
        in (result.stderr)
    )


@both_apis
def test_download_over_the_connections_given(
    emulator: Emulated, run_cli: Any, tmp_path: Path
) -> None:
    out = tmp_path / "out.apk"

    result = run_cli(
        "download",
        "--connections",
        "2",
        "--endpoint",
        emulator.base_url,
        *ids_args(emulator),
        "--output",
        str(out),
    )

    assert result.returncode == 0, result.stderr
    assert out.read_bytes() == emulator.content


@pytest.mark.parametrize("connections", ["0", "17"])
def test_download_refuses_connections_out_of_1_to_16(
    emulator: Emulated, run_cli: Any, tmp_path: Path, connections: str
) -> None:
    out = tmp_path / "out"
    out.mkdir()

    result = run_cli(
        "download",
        "--connections",
        connections,
        "--endpoint",
        emulator.base_url,
        *ids_args(emulator),
        "--output",
        str(out),
    )

    assert result.returncode == 2
    assert "--connections" in result.stderr
    assert "1<=x<=16" in result.stderr
    assert emulator.service.calls == []
    assert list(out.iterdir()) == []


def test_output_naming_a_missing_path_without_a_slash_writes_a_file_of_that_name(
    emulator: Emulated, run_cli: Any, tmp_path: Path
) -> None:
    target = tmp_path / "newdir"

    result = run_cli(
        "download", "--endpoint", emulator.base_url, *ids_args(emulator), "-o", str(target)
    )

    assert result.returncode == 0, result.stderr
    assert target.is_file()
    assert result.stdout.startswith(f"{target}  ")


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


# --- what a CI user expects: python -m, environment variables, --json errors, -v -------------


def cli_env(home: Path, credentials: object = CREDENTIALS, **extra: str) -> dict[str, str]:
    """The environment ``run_cli`` gives the command, plus ``extra`` variables."""
    env = {
        name: value
        for name, value in os.environ.items()
        if "ALIBABA_CLOUD" not in name and "YUNXIAO" not in name and "PROXY" not in name.upper()
    }
    env.update({"HOME": str(home), "PYTHONUNBUFFERED": "1", "NO_COLOR": "1"})
    if isinstance(credentials, AccessKeyCredentials):
        env["ALIBABA_CLOUD_ACCESS_KEY_ID"] = credentials.access_key_id
        env["ALIBABA_CLOUD_ACCESS_KEY_SECRET"] = credentials.access_key_secret
    env.update(extra)
    return env


def run_with_env(
    home: Path, env: dict[str, str], *args: str, command: list[str] = CLI
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*command, *args],
        env=env,
        cwd=home,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_python_dash_m_yunxiao_emas_is_the_command(emulator: Emulated, cli_home: Path) -> None:
    done = run_with_env(
        cli_home,
        cli_env(cli_home),
        "url",
        "--endpoint",
        emulator.base_url,
        *ids_args(emulator),
        command=[sys.executable, "-m", "yunxiao_emas"],
    )

    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"{emulator.base_url}/emas-artifacts/")


def test_every_option_of_every_command_shows_its_environment_variable() -> None:
    import click
    from click.testing import CliRunner
    from yunxiao_emas.cli import cli

    for name, command in cli.commands.items():
        help_text = " ".join(CliRunner().invoke(cli, [name, "--help"]).output.split())
        for param in command.params:
            if isinstance(param, click.Option) and not param.is_eager:
                longest = max(param.opts, key=len).lstrip("-").upper().replace("-", "_")
                assert f"env var: YUNXIAO_EMAS_{longest}" in help_text, (name, param.name)


@both_apis
def test_every_option_can_come_from_the_environment(emulator: Emulated, cli_home: Path) -> None:
    from_env = {
        f"YUNXIAO_EMAS_{name.upper()}": str(value) for name, value in emulator.ids().items()
    }
    from_env["YUNXIAO_EMAS_ENDPOINT"] = emulator.base_url
    from_env["YUNXIAO_EMAS_JSON"] = "1"
    credentials = emulator.credentials
    if isinstance(credentials, PersonalAccessToken):
        from_env["YUNXIAO_EMAS_TOKEN"] = credentials.token

    done = run_with_env(cli_home, cli_env(cli_home, credentials, **from_env), "url")

    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["url"].startswith(f"{emulator.base_url}/emas-artifacts/")


def test_json_api_error_is_one_object_on_stdout(emulator: Emulated, run_cli: Any) -> None:
    result = run_cli(
        "url",
        "--json",
        "--endpoint",
        emulator.base_url,
        *ids_args(emulator, pipeline_run_id=999_999),
    )

    assert result.returncode == 3
    body = json.loads(result.stdout)
    assert body["error"] == "NotFoundError"
    assert body["code"] == "InvalidPipelineRun.NotFound"
    assert "The pipeline execution instance is not found." in body["message"]
    assert body["request_id"]
    assert body["exit_code"] == 3
    assert result.stderr == ""


@pytest.mark.parametrize(
    ("args", "error", "exit_code"),
    [
        (["--pipeline-id", "0"], "InvalidArgumentError", 2),
        (["--retries", "-1"], "BadParameter", 2),
    ],
)
def test_json_errors_before_any_request_are_json_too(
    emulator: Emulated, run_cli: Any, args: list[str], error: str, exit_code: int
) -> None:
    ids = [arg for arg in ids_args(emulator) if arg not in ("--pipeline-id", str(PIPELINE))]
    if "--pipeline-id" not in args:
        ids += ["--pipeline-id", str(PIPELINE)]

    result = run_cli("download", "--json", "--endpoint", emulator.base_url, *ids, *args)

    assert result.returncode == exit_code
    body = json.loads(result.stdout)
    assert (body["error"], body["exit_code"]) == (error, exit_code)
    assert emulator.service.calls == []


def test_json_usage_error_names_the_missing_option(run_cli: Any) -> None:
    result = run_cli("url", "--json", "--organization-id", "org")

    assert result.returncode == 2
    body = json.loads(result.stdout)
    assert body["error"] == "MissingParameter"
    assert "--pipeline-id" in body["message"]


def test_json_network_error_exits_4(emulator: Emulated, run_cli: Any) -> None:
    endpoint = f"http://127.0.0.1:{closed_port()}"

    result = run_cli("url", "--json", "--retries", "0", "--endpoint", endpoint, *ids_args(emulator))

    assert result.returncode == 4
    assert json.loads(result.stdout)["error"] == "TransportError"


@both_apis
def test_verbose_logs_the_credentials_source_and_each_retry_with_its_wait(
    emulator: Emulated, run_cli: Any
) -> None:
    emulator.service.fail_next(1, code="ServiceUnavailable")

    result = run_cli("url", "-v", "--endpoint", emulator.base_url, *ids_args(emulator))

    assert result.returncode == 0, result.stderr
    source = "environment" if emulator.api == "signed" else "environment (YUNXIAO_TOKEN)"
    assert f"credentials from {source}\n" in result.stderr
    assert "attempt 1 of 3 failed (HTTP 503 ServiceUnavailable" in result.stderr
    assert "retrying in " in result.stderr
    assert result.stdout.startswith(emulator.base_url)


def test_without_verbose_nothing_is_logged(emulator: Emulated, run_cli: Any) -> None:
    emulator.service.fail_next(1, code="ServiceUnavailable")

    result = run_cli("url", "--endpoint", emulator.base_url, *ids_args(emulator))

    assert result.returncode == 0
    assert result.stderr == ""


def test_retries_0_gives_up_after_the_first_failure(emulator: Emulated, run_cli: Any) -> None:
    emulator.service.fail_next(1, code="ServiceUnavailable")

    result = run_cli("url", "--retries", "0", "--endpoint", emulator.base_url, *ids_args(emulator))

    assert result.returncode == 3
    assert len(emulator.service.api_calls) == 1


def test_timeout_bounds_a_slow_answer(emulator: Emulated, run_cli: Any) -> None:
    emulator.service.latency = 3.0

    result = run_cli(
        "url",
        "--timeout",
        "0.3",
        "--retries",
        "0",
        "--endpoint",
        emulator.base_url,
        *ids_args(emulator),
    )

    assert result.returncode == 4
    assert "ReadTimeout" in result.stderr


class RecordingProxy:
    """A proxy on loopback that records the first request line and refuses it (502)."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen()
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self.lines: list[str] = []
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while True:
            try:
                connection, _ = self.sock.accept()
            except OSError:
                return
            with connection:
                data = connection.recv(4096).decode("latin-1")
                self.lines.append(data.split("\r\n", 1)[0])
                connection.sendall(b"HTTP/1.1 502 Bad Gateway\r\ncontent-length: 0\r\n\r\n")

    def close(self) -> None:
        self.sock.close()
        self.thread.join(timeout=5)


@pytest.mark.parametrize("how", ["--proxy", "HTTPS_PROXY"])
def test_the_api_is_called_through_the_proxy(cli_home: Path, how: str) -> None:
    proxy = RecordingProxy()
    extra = {"HTTPS_PROXY": proxy.url} if how == "HTTPS_PROXY" else {}
    args = ["--proxy", proxy.url] if how == "--proxy" else []
    ids = ["--organization-id", "o", "--pipeline-id", "1", "--pipeline-run-id", "1"]
    ids += ["--emas-job-instance-id", "j", "--md5", "m", "--service-connection-id", "1"]
    try:
        done = run_with_env(
            cli_home,
            cli_env(cli_home, **extra),
            "url",
            "--retries",
            "0",
            "--endpoint",
            "devops.example.invalid",
            *args,
            *ids,
        )
    finally:
        proxy.close()

    assert proxy.lines == ["CONNECT devops.example.invalid:443 HTTP/1.1"]
    assert done.returncode == 4
    assert "network:" in done.stderr


@pytest.mark.parametrize("server", ["https"], indirect=True)
def test_ca_bundle_verifies_the_endpoints_certificate(
    emulator: Emulated, run_cli: Any, tls: dict[str, str]
) -> None:
    without = run_cli("url", "--retries", "0", "--endpoint", emulator.base_url, *ids_args(emulator))
    with_ca = run_cli(
        "url", "--ca-bundle", tls["ca"], "--endpoint", emulator.base_url, *ids_args(emulator)
    )

    assert without.returncode == 4
    assert "CERTIFICATE_VERIFY_FAILED" in without.stderr
    assert with_ca.returncode == 0, with_ca.stderr
    assert with_ca.stdout.startswith("https://127.0.0.1:")


def test_the_wrong_secret_line_says_what_to_fix(emulator: Emulated, run_cli: Any) -> None:
    wrong = AccessKeyCredentials(KEY_ID, "not-the-secret")

    result = run_cli("url", "--endpoint", emulator.base_url, *ids_args(emulator), credentials=wrong)

    assert result.returncode == 3
    assert "the AccessKey secret is not the one of this AccessKey id" in result.stderr


# --- download: progress bar, directories, a re-run ----------------------------------------------


def test_progress_bar_on_a_terminal_shows_binary_units_and_the_file_name(
    emulator: Emulated, cli_home: Path, tmp_path: Path
) -> None:
    import fcntl
    import pty
    import struct
    import termios

    out = tmp_path / "out"
    out.mkdir()
    main, terminal = pty.openpty()
    fcntl.ioctl(terminal, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 160, 0, 0))
    env = cli_env(cli_home, TERM="xterm")
    env.pop("NO_COLOR")
    process = subprocess.Popen(
        [*CLI, "download", "--endpoint", emulator.base_url, *ids_args(emulator), "-o", str(out)],
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=terminal,
    )
    os.close(terminal)
    shown = b""
    while True:
        try:
            chunk = os.read(main, 65536)
        except OSError:  # EIO: the command closed the terminal
            break
        if not chunk:
            break
        shown += chunk
    os.close(main)
    stdout, _ = process.communicate(timeout=30)
    text = shown.decode("utf-8", "replace")

    assert process.returncode == 0, text
    assert FILENAME in text
    assert "96.0/96.0 KiB" in text
    assert " kB" not in text
    assert b"96.0 KiB" in stdout


def test_output_ending_with_a_separator_is_a_directory_made_for_it(
    emulator: Emulated, run_cli: Any, tmp_path: Path
) -> None:
    build = tmp_path / "build" / "nested"

    result = run_cli(
        "download", "--endpoint", emulator.base_url, *ids_args(emulator), "-o", f"{build}{os.sep}"
    )

    assert result.returncode == 0, result.stderr
    assert (build / FILENAME).read_bytes() == emulator.content
    assert str(build / FILENAME) in result.stdout


def test_output_in_a_missing_directory_without_a_separator_says_how(
    emulator: Emulated, run_cli: Any, tmp_path: Path
) -> None:
    result = run_cli(
        "download",
        "--endpoint",
        emulator.base_url,
        *ids_args(emulator),
        "-o",
        str(tmp_path / "missing" / "app.apk"),
    )

    assert result.returncode == 2
    assert "--output" in result.stderr
    assert "Traceback" not in result.output


@pytest.mark.parametrize("as_json", [False, True])
def test_a_rerun_with_the_file_already_there_skips_the_transfer(
    emulator: Emulated, run_cli: Any, tmp_path: Path, as_json: bool
) -> None:
    out = tmp_path / "out.apk"
    args = ["download", "--endpoint", emulator.base_url, *ids_args(emulator), "-o", str(out)]
    first = run_cli(*args)

    again = run_cli(*args, *(["--json"] if as_json else []))

    assert first.returncode == 0, first.stderr
    assert again.returncode == 0, again.stderr
    assert len(emulator.service.download_calls) == 1
    assert out.read_bytes() == emulator.content
    if as_json:
        body = json.loads(again.stdout)
        assert (body["skipped"], body["verified"], body["md5"]) == (True, True, emulator.md5)
    else:
        assert "skipped, nothing downloaded" in again.stdout


def test_a_first_download_says_skipped_false_in_json(
    emulator: Emulated, run_cli: Any, tmp_path: Path
) -> None:
    result = run_cli(
        "download",
        "--json",
        "--endpoint",
        emulator.base_url,
        *ids_args(emulator),
        "-o",
        str(tmp_path),
    )

    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["skipped"] is False


# --- check-contract: the user's problem is not drift -------------------------------------------


def test_check_contract_with_a_wrong_secret_exits_2_and_names_the_code(
    emulator: Emulated, run_cli: Any
) -> None:
    wrong = AccessKeyCredentials(KEY_ID, "wrong-secret-never-printed")

    result = run_cli(
        "check-contract", "--endpoint", emulator.base_url, *ids_args(emulator), credentials=wrong
    )

    assert result.returncode == 2
    assert "REFUSED success with the given ids (HTTP 400)" in result.stdout
    assert "drifted" not in result.output
    (line,) = result.stderr.strip().splitlines()
    assert "the credentials or the signature were refused: SignatureDoesNotMatch" in line
    assert "request id " in line
    assert "not drift" in line


def test_check_contract_with_a_wrong_secret_does_not_call_the_unknown_run_check_ok(
    emulator: Emulated, run_cli: Any
) -> None:
    wrong = AccessKeyCredentials(KEY_ID, "wrong-secret-never-printed")

    result = run_cli(
        "check-contract", "--endpoint", emulator.base_url, *ids_args(emulator), credentials=wrong
    )

    unknown_run = next(
        line for line in result.stdout.splitlines() if "unknown pipeline run" in line
    )
    assert unknown_run.startswith("SKIP ")
    assert "SignatureDoesNotMatch, refused like the success call: not checked" in unknown_run


@both_apis
def test_check_contract_with_unknown_ids_exits_3(emulator: Emulated, run_cli: Any) -> None:
    result = run_cli(
        "check-contract", "--endpoint", emulator.base_url, *ids_args(emulator, pipeline_id=4242)
    )

    assert result.returncode == 3
    assert "the ids were not found" in result.stderr
    assert "drifted" not in result.output


def test_check_contract_with_an_unknown_token_exits_2(emulator: Emulated, run_cli: Any) -> None:
    unknown = "pt-unknown-token-of-the-check"

    result = run_cli(
        "check-contract",
        "--endpoint",
        emulator.base_url,
        "--token",
        unknown,
        *ids_args(emulator),
        credentials=None,
        secrets=(unknown,),
    )

    assert result.returncode == 2
    assert "HTTP 401" in result.stderr


def test_check_contract_json_prints_the_report(emulator: Emulated, run_cli: Any) -> None:
    result = run_cli(
        "check-contract", "--json", "--endpoint", emulator.base_url, *ids_args(emulator)
    )

    assert result.returncode == 0, result.output
    body = json.loads(result.stdout)
    assert body["ok"] is True
    assert [check["ok"] for check in body["checks"]] == [True, True, True]


def test_check_contract_json_refusal_is_the_error_object(emulator: Emulated, run_cli: Any) -> None:
    wrong = AccessKeyCredentials(KEY_ID, "wrong-secret-never-printed")

    result = run_cli(
        "check-contract",
        "--json",
        "--endpoint",
        emulator.base_url,
        *ids_args(emulator),
        credentials=wrong,
    )

    assert result.returncode == 2
    body = json.loads(result.stdout)
    assert (body["error"], body["code"]) == ("AuthenticationError", "SignatureDoesNotMatch")


def test_without_the_cli_extra_the_command_says_what_to_install(
    cli_home: Path, tmp_path: Path
) -> None:
    blocker = tmp_path / "blocked" / "click"
    blocker.mkdir(parents=True)
    (blocker / "__init__.py").write_text("raise ImportError('No module named click')\n")
    env = cli_env(cli_home, PYTHONPATH=str(blocker.parent))

    done = run_with_env(cli_home, env, "--version", command=[sys.executable, "-m", "yunxiao_emas"])

    assert done.returncode == 2
    assert done.stderr == (
        "yunxiao-emas: the command needs the cli extra: pip install 'yunxiao-emas[cli]'\n"
    )
