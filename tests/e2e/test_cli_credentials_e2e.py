"""Profiles yunxiao-emas's own sources do not read, served through the official
``alibabacloud-credentials`` package (the ``credentials`` extra): the adapter
``OfficialCredentials``, the default chain and the command line tool with it, and the message
that names the extra when a profile needs it and the package is missing.

A ``RamRoleArn`` profile needs Alibaba Cloud's STS; an ``External`` profile (a command that
prints the credentials) is served by the same official code path and works offline, so it
proves the wiring end to end.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from e2e_support import KEY_ID, SECRET, Emulated, ids_args
from yunxiao_emas import AccessKeyCredentials, CredentialsError
from yunxiao_emas.credentials import DefaultCredentialsChain, OfficialCredentials

CLI = [sys.executable, "-m", "yunxiao_emas"]
EXTRA = "pip install 'yunxiao-emas[credentials]'"


def external_profile(home: Path, *, key_id: str = KEY_ID, name: str = "ci") -> Path:
    """An aliyun CLI profile in mode External: a command that prints the AccessKey."""
    printer = home / "print-credentials.py"
    printer.write_text(
        "import json\n"
        f"print(json.dumps({{'mode': 'AK', 'access_key_id': {key_id!r}, "
        f"'access_key_secret': {SECRET!r}}}))\n"
    )
    config = home / ".aliyun" / "config.json"
    config.parent.mkdir(parents=True, exist_ok=True)
    profile = {"name": name, "mode": "External", "process_command": f"{sys.executable} {printer}"}
    config.write_text(json.dumps({"current": name, "profiles": [profile]}))
    return config


def blocked_package(tmp_path: Path) -> str:
    """A directory for PYTHONPATH in which ``alibabacloud_credentials`` cannot be imported."""
    folder = tmp_path / "blocked" / "alibabacloud_credentials"
    folder.mkdir(parents=True)
    (folder / "__init__.py").write_text(
        "raise ImportError('No module named alibabacloud_credentials')\n"
    )
    return str(folder.parent)


def run(home: Path, *args: str, pythonpath: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {
        name: value
        for name, value in os.environ.items()
        if "ALIBABA_CLOUD" not in name and "YUNXIAO" not in name
    }
    env.update({"HOME": str(home), "PYTHONUNBUFFERED": "1"})
    if pythonpath:
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [pythonpath, env.get("PYTHONPATH")]))
    return subprocess.run(
        [*CLI, *args], env=env, cwd=home, capture_output=True, text=True, timeout=60, check=False
    )


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "home"
    path.mkdir()
    monkeypatch.setenv("HOME", str(path))
    for name in list(os.environ):
        if "ALIBABA_CLOUD" in name or "YUNXIAO" in name:
            monkeypatch.delenv(name)
    return path


# --- the command line tool -------------------------------------------------------------------


def test_a_profile_only_the_official_package_reads_works_from_the_cli(
    emulator: Emulated, home: Path
) -> None:
    external_profile(home)

    done = run(home, "url", "-v", "--endpoint", emulator.base_url, *ids_args(emulator))

    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"{emulator.base_url}/emas-artifacts/")
    assert "credentials from alibabacloud-credentials" in done.stderr
    assert "WARNING" not in done.stderr
    assert SECRET not in done.stdout + done.stderr


def test_with_profile_the_official_package_reads_that_profile(
    emulator: Emulated, home: Path
) -> None:
    external_profile(home, name="release")

    done = run(
        home, "url", "--profile", "release", "--endpoint", emulator.base_url, *ids_args(emulator)
    )

    assert done.returncode == 0, done.stderr
    assert [call.status for call in emulator.service.api_calls] == [200]


def test_without_the_package_the_message_names_the_extra(
    emulator: Emulated, home: Path, tmp_path: Path
) -> None:
    external_profile(home)

    done = run(
        home,
        "url",
        "--endpoint",
        emulator.base_url,
        *ids_args(emulator),
        pythonpath=blocked_package(tmp_path),
    )

    assert done.returncode == 2
    (line,) = done.stderr.strip().splitlines()
    assert "uses mode 'External', which yunxiao-emas does not support" in line
    assert "alibabacloud-credentials: the package is not installed" in line
    assert EXTRA in line
    assert emulator.service.calls == []


def test_no_credentials_at_all_does_not_mention_the_official_package(home: Path) -> None:
    done = run(
        home,
        "url",
        "--endpoint",
        "http://127.0.0.1:9",
        *["--organization-id", "o", "--pipeline-id", "1", "--pipeline-run-id", "1"],
        *["--emas-job-instance-id", "j", "--md5", "m", "--service-connection-id", "1"],
    )

    assert done.returncode == 2
    assert "no credentials found" in done.stderr
    assert "alibabacloud-credentials" not in done.stderr


# --- the adapter and the default chain, in process -------------------------------------------


def test_the_adapter_reads_an_ini_section_through_the_official_package(home: Path) -> None:
    ini = home / ".alibabacloud" / "credentials.ini"
    ini.parent.mkdir()
    ini.write_text(
        f"[ci]\ntype = access_key\naccess_key_id = {KEY_ID}\naccess_key_secret = {SECRET}\n"
    )

    credentials = OfficialCredentials(profile="ci").get_credentials()

    assert credentials == AccessKeyCredentials(KEY_ID, SECRET)


def test_the_adapter_wraps_an_official_client_of_yours() -> None:
    from alibabacloud_credentials.client import Client
    from alibabacloud_credentials.models import Config

    official = Client(
        Config(type="sts", access_key_id="STS.key", access_key_secret=SECRET, security_token="tok")
    )

    credentials = OfficialCredentials(official).get_credentials()

    assert credentials == AccessKeyCredentials("STS.key", SECRET, "tok")


def test_an_official_bearer_token_is_refused_in_one_line() -> None:
    from alibabacloud_credentials.client import Client
    from alibabacloud_credentials.models import Config

    with pytest.raises(CredentialsError, match="handed out no AccessKey"):
        OfficialCredentials(Client(Config(type="bearer", bearer_token="b"))).get_credentials()


def test_a_failure_of_the_official_package_is_one_error_without_its_tracebacks(
    home: Path, caplog: pytest.LogCaptureFixture
) -> None:
    config = home / ".aliyun" / "config.json"
    config.parent.mkdir()
    config.write_text(json.dumps({"current": "x", "profiles": [{"name": "x", "mode": "Weird"}]}))
    caplog.set_level(logging.DEBUG)

    with pytest.raises(CredentialsError) as raised:
        OfficialCredentials().get_credentials()

    assert str(raised.value).startswith("alibabacloud-credentials: aliyun CLI profile ")
    # 'Weird' is no mode the official tools know: it could be a pasted secret, so only its shape.
    assert "unsupported profile mode '… (a value of 5 characters: letters)'" in str(raised.value)
    assert "Weird" not in str(raised.value)
    assert "\n" not in str(raised.value)
    assert [r for r in caplog.records if r.name == "credentials"] == []


def test_the_default_chain_serves_such_a_profile_and_only_informs(
    home: Path, caplog: pytest.LogCaptureFixture
) -> None:
    external_profile(home, key_id="LTAI5tExternal")
    caplog.set_level(logging.INFO, logger="yunxiao_emas")

    credentials = DefaultCredentialsChain().get_credentials()

    assert credentials.access_key_id == "LTAI5tExternal"  # type: ignore[union-attr]
    levels = {record.levelno for record in caplog.records if record.name.startswith("yunxiao")}
    assert levels == {logging.INFO}
    assert "credentials from alibabacloud-credentials" in caplog.text


def test_the_default_chain_adds_it_only_when_there_is_something_to_read(home: Path) -> None:
    bare = DefaultCredentialsChain()
    external_profile(home)
    configured = DefaultCredentialsChain()

    names: list[Any] = [type(provider).__name__ for provider in configured.providers]
    assert not any(isinstance(p, OfficialCredentials) for p in bare.providers)
    assert names[-1] == "OfficialCredentials"


@pytest.mark.parametrize(
    "variable", ["ALIBABA_CLOUD_ECS_METADATA", "ALIBABA_CLOUD_CREDENTIALS_URI"]
)
def test_a_named_role_or_credentials_uri_is_something_to_read(
    home: Path, monkeypatch: pytest.MonkeyPatch, variable: str
) -> None:
    assert not OfficialCredentials.has_something_to_read()
    monkeypatch.setenv(variable, "ci-role" if "ECS" in variable else "http://127.0.0.1:9/c")

    assert OfficialCredentials.has_something_to_read()
