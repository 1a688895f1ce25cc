"""Hostile credentials: values that cannot go into a header, files that are not credentials
files (too deep, endless, a FIFO, an indented secret), and an environment with a broken value.

Each ends in an error that names the field and never quotes the value (the command line tool
prints one line, no traceback), or the chain moves on to the next source; nothing hangs (every
read runs under a timeout).
"""

from __future__ import annotations

import json
import os
import secrets
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from attack_support import cli_ids, run_cli
from yunxiao_emas import (
    AccessKeyCredentials,
    CliProfileCredentials,
    CredentialsError,
    DefaultCredentialsChain,
    IniFileCredentials,
    InvalidArgumentError,
    PersonalAccessToken,
)

BAD_CHARACTERS = ["\x01", "\x1b[31m", "\x7f", "\u00e9", "\u2028", "\u200b", " ", "\t", "\x85"]


def within(seconds: float, function: Callable[[], Any]) -> Any:
    """``function()`` in a thread, which must end within ``seconds`` (no hang)."""
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["value"] = function()
        except BaseException as exc:
            outcome["error"] = exc

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), f"still running after {seconds} s"
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


def one_line_no_traceback(text: str) -> bool:
    return len(text.strip().splitlines()) == 1 and "Traceback" not in text


# --- values that cannot go into a header-----------------------------------------------------------


@pytest.mark.parametrize("bad", BAD_CHARACTERS)
@pytest.mark.parametrize("field", ["access_key_id", "security_token"])
def test_bad_character_in_an_access_key_field_is_refused_naming_the_field(
    field: str, bad: str
) -> None:
    value = f"canary{secrets.token_hex(6)}{bad}tail"
    values = {"access_key_id": "LTAI5tExample", "access_key_secret": "s", "security_token": "t"}
    values[field] = value

    with pytest.raises(InvalidArgumentError) as caught:
        AccessKeyCredentials(**values)

    assert caught.value.parameter == field
    assert value not in str(caught.value)
    assert value.strip() not in repr(caught.value)


@pytest.mark.parametrize("bad", BAD_CHARACTERS)
def test_bad_character_in_a_personal_token_is_refused_without_quoting_it(bad: str) -> None:
    value = f"pt-canary{secrets.token_hex(6)}{bad}tail"

    with pytest.raises(InvalidArgumentError) as caught:
        PersonalAccessToken(value)

    assert caught.value.parameter == "token"
    assert "canary" not in str(caught.value)


@pytest.mark.parametrize("bad", ["\x1b[31m", "\u00e9"])
@pytest.mark.parametrize(
    "variable",
    ["ALIBABA_CLOUD_ACCESS_KEY_ID", "ALIBABA_CLOUD_SECURITY_TOKEN", "YUNXIAO_TOKEN"],
)
def test_cli_with_a_bad_credential_prints_one_line_naming_it(
    variable: str, bad: str, home: Path
) -> None:
    value = f"canary{secrets.token_hex(6)}{bad}tail"
    env = {"ALIBABA_CLOUD_ACCESS_KEY_ID": "LTAI5tExample", "ALIBABA_CLOUD_ACCESS_KEY_SECRET": "s"}
    if variable == "YUNXIAO_TOKEN":
        env = {}
    env[variable] = value

    run = run_cli("url", *cli_ids(), "--endpoint", "http://127.0.0.1:9", home=home, env=env)

    assert run.returncode == 2, run.output
    assert one_line_no_traceback(run.stderr), run.stderr
    assert "canary" not in run.output
    field = {"ALIBABA_CLOUD_ACCESS_KEY_ID": "access_key_id", "YUNXIAO_TOKEN": "token"}
    assert field.get(variable, "security_token") in run.stderr


# --- files that are not credentials files----------------------------------------------------------

SECRET = "canary-ini-" + secrets.token_hex(8)
INDENTED = {
    "after-the-id": f"[default]\ntype = access_key\naccess_key_id = LTAI5tExample\n"
    f"  access_key_secret = {SECRET}\n",
    "after-the-type": f"[default]\ntype = access_key\n    access_key_secret = {SECRET}\n"
    "access_key_id = LTAI5tExample\n",
    "tab-indented": f"[default]\ntype = access_key\naccess_key_id = LTAI5tExample\n"
    f"\taccess_key_secret = {SECRET}\n",
    "before-any-section": f"  access_key_secret = {SECRET}\n[default]\ntype = access_key\n",
    "no-equals-sign": f"[default]\ntype = access_key\naccess_key_id = LTAI5tExample\n{SECRET}\n",
    "duplicate-secret": f"[default]\ntype = access_key\naccess_key_id = LTAI5tExample\n"
    f"access_key_secret = {SECRET}\naccess_key_secret = {SECRET}x\n",
}


@pytest.mark.parametrize("text", list(INDENTED.values()), ids=list(INDENTED))
def test_malformed_ini_file_is_a_credentials_error_that_quotes_no_secret(
    text: str, tmp_path: Path
) -> None:
    path = tmp_path / "credentials.ini"
    path.write_text(text)

    with pytest.raises(CredentialsError) as caught:
        IniFileCredentials(path).get_credentials()

    assert SECRET not in str(caught.value)
    assert SECRET not in repr(caught.value)


@pytest.mark.parametrize("text", list(INDENTED.values()), ids=list(INDENTED))
def test_cli_with_a_malformed_ini_file_quotes_no_secret(
    text: str, tmp_path: Path, home: Path
) -> None:
    path = tmp_path / "credentials.ini"
    path.write_text(text)
    env = {"ALIBABA_CLOUD_CREDENTIALS_FILE": str(path)}

    run = run_cli("url", *cli_ids(), "--endpoint", "http://127.0.0.1:9", home=home, env=env)

    assert run.returncode == 2, run.output
    assert SECRET not in run.output
    assert one_line_no_traceback(run.stderr), run.stderr


DEEP = 100_000


@pytest.mark.parametrize(
    "document",
    [
        "[" * DEEP + "]" * DEEP,
        '{"a":' * DEEP + "1" + "}" * DEEP,
        '{"current": "p", "profiles": ' + "[" * DEEP + "]" * DEEP + "}",
    ],
    ids=["deep-list", "deep-object", "deep-profiles"],
)
def test_deeply_nested_cli_config_is_a_credentials_error(document: str, tmp_path: Path) -> None:
    path = tmp_path / "config.json"
    path.write_text(document)

    with pytest.raises(CredentialsError):
        within(10, lambda: CliProfileCredentials(path).get_credentials())


def test_cli_with_a_deeply_nested_config_prints_one_line(home: Path) -> None:
    (home / ".aliyun").mkdir()
    (home / ".aliyun" / "config.json").write_text("[" * DEEP + "]" * DEEP)

    run = run_cli("url", *cli_ids(), "--endpoint", "http://127.0.0.1:9", home=home, timeout=20)

    assert run.returncode == 2, run.output
    assert one_line_no_traceback(run.stderr), run.stderr


@pytest.fixture
def fifo(tmp_path: Path) -> Path:
    path = tmp_path / "credentials.fifo"
    os.mkfifo(path)
    return path


@pytest.mark.parametrize("source", [IniFileCredentials, CliProfileCredentials])
def test_credentials_file_at_dev_zero_is_a_credentials_error(source: type) -> None:
    with pytest.raises(CredentialsError):
        within(10, lambda: source("/dev/zero").get_credentials())


@pytest.mark.parametrize("source", [IniFileCredentials, CliProfileCredentials])
def test_credentials_file_at_a_fifo_is_a_credentials_error_without_hanging(
    source: type, fifo: Path
) -> None:
    with pytest.raises(CredentialsError):
        within(10, lambda: source(fifo).get_credentials())


@pytest.mark.parametrize("where", ["/dev/zero", "fifo", "/dev/urandom", "/proc/self/mem"])
def test_cli_with_a_credentials_file_that_is_no_file_prints_one_line(
    where: str, fifo: Path, home: Path
) -> None:
    path = str(fifo) if where == "fifo" else where
    env = {"ALIBABA_CLOUD_CREDENTIALS_FILE": path}

    run = run_cli(
        "url", *cli_ids(), "--endpoint", "http://127.0.0.1:9", home=home, env=env, timeout=20
    )

    assert run.returncode == 2, run.output
    assert one_line_no_traceback(run.stderr), run.stderr


def test_directory_as_credentials_file_is_a_credentials_error(tmp_path: Path) -> None:
    with pytest.raises(CredentialsError):
        within(10, lambda: IniFileCredentials(tmp_path).get_credentials())


# --- a broken value in the environment: the chain moves on-----------------------------------------


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch, home: Path) -> pytest.MonkeyPatch:
    for name in list(os.environ):
        if name.startswith(("ALIBABA_CLOUD", "YUNXIAO")):
            monkeypatch.delenv(name)
    monkeypatch.setenv("HOME", str(home))
    return monkeypatch


@pytest.mark.parametrize("bad", ["\x07", "\x1b[0m", "\u00e9", "\u2028"])
@pytest.mark.parametrize(
    "variable", ["ALIBABA_CLOUD_ACCESS_KEY_ID", "ALIBABA_CLOUD_SECURITY_TOKEN"]
)
def test_control_character_in_the_environment_key_makes_the_chain_try_the_token(
    clean_env: pytest.MonkeyPatch, variable: str, bad: str
) -> None:
    clean_env.setenv("ALIBABA_CLOUD_ACCESS_KEY_ID", "LTAI5tExample")
    clean_env.setenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "secret")
    clean_env.setenv(variable, f"val{bad}ue")
    clean_env.setenv("YUNXIAO_TOKEN", "pt-good-token")

    credentials = DefaultCredentialsChain().get_credentials()

    assert credentials == PersonalAccessToken("pt-good-token")


@pytest.mark.parametrize("bad", ["\x07", "\u00e9"])
def test_control_character_in_the_environment_token_makes_the_chain_try_the_ini_file(
    clean_env: pytest.MonkeyPatch, home: Path, bad: str
) -> None:
    clean_env.setenv("YUNXIAO_TOKEN", f"pt-bad{bad}")
    ini = home / ".alibabacloud" / "credentials.ini"
    ini.parent.mkdir()
    ini.write_text("[default]\ntype = access_key\naccess_key_id = LTAIini\naccess_key_secret = s\n")

    credentials = DefaultCredentialsChain().get_credentials()

    assert isinstance(credentials, AccessKeyCredentials)
    assert credentials.access_key_id == "LTAIini"


# --- a secret typed into a keyword field: never quoted, whatever it looks like-------------------

# An AccessKey secret is 30 letters and digits: exactly what a keyword looks like.
SECRET_SHAPED = ["Ab3" + secrets.token_hex(14)[:27], "canary_" + secrets.token_hex(8), "x.y-z_1"]


def ini_file_of_type(folder: Path, kind: str) -> Path:
    path = folder / "credentials.ini"
    path.write_text(
        f"[default]\ntype = {kind}\naccess_key_id = LTAI5tExample\naccess_key_secret = s\n"
    )
    return path


def cli_config_of_mode(folder: Path, mode: str) -> Path:
    path = folder / "config.json"
    profile = {"name": "p", "mode": mode, "access_key_id": "LTAI5tExample"}
    path.write_text(
        json.dumps({"current": "p", "profiles": [{**profile, "access_key_secret": "s"}]})
    )
    return path


SOURCES_BY_FIELD = {
    "ini-type": lambda folder, value: IniFileCredentials(ini_file_of_type(folder, value)),
    "cli-mode": lambda folder, value: CliProfileCredentials(cli_config_of_mode(folder, value)),
}


@pytest.mark.parametrize("value", SECRET_SHAPED)
@pytest.mark.parametrize("field", list(SOURCES_BY_FIELD))
def test_secret_shaped_value_in_a_keyword_field_is_described_not_quoted(
    field: str, value: str, tmp_path: Path
) -> None:
    with pytest.raises(CredentialsError) as caught:
        SOURCES_BY_FIELD[field](tmp_path, value).get_credentials()

    assert value not in str(caught.value)
    assert f"a value of {len(value)} characters" in str(caught.value)


@pytest.mark.parametrize(
    ("field", "known"), [("ini-type", "ram_role_arn"), ("cli-mode", "RamRoleArn")]
)
def test_known_keyword_in_a_keyword_field_is_quoted(field: str, known: str, tmp_path: Path) -> None:
    with pytest.raises(CredentialsError) as caught:
        SOURCES_BY_FIELD[field](tmp_path, known).get_credentials()

    assert repr(known) in str(caught.value)


@pytest.mark.parametrize("flavour", ["sync", "async"])
@pytest.mark.parametrize("field", list(SOURCES_BY_FIELD))
def test_client_with_a_secret_in_a_keyword_field_raises_without_quoting_it(
    field: str, flavour: str, tmp_path: Path
) -> None:
    from attack_support import drive, ids

    value = SECRET_SHAPED[0]
    source = SOURCES_BY_FIELD[field](tmp_path, value)

    with pytest.raises(CredentialsError) as caught:
        drive(
            flavour,
            {"credentials": source, "endpoint": "http://127.0.0.1:9"},
            lambda client: client.get_pipeline_emas_artifact_url(**ids()),
        )

    assert value not in str(caught.value)


@pytest.mark.parametrize("json_flag", [[], ["--json"]])
@pytest.mark.parametrize("field", ["ini-type", "cli-mode"])
def test_cli_with_a_secret_in_a_keyword_field_never_prints_it(
    field: str, json_flag: list[str], home: Path
) -> None:
    value = SECRET_SHAPED[0]
    if field == "ini-type":
        env = {"ALIBABA_CLOUD_CREDENTIALS_FILE": str(ini_file_of_type(home, value))}
    else:
        (home / ".aliyun").mkdir()
        cli_config_of_mode(home / ".aliyun", value)
        env = {}

    run = run_cli(
        "url", *cli_ids(), "--endpoint", "http://127.0.0.1:9", *json_flag, home=home, env=env
    )

    assert run.returncode == 2, run.output
    assert value not in run.output
    assert f"a value of {len(value)} characters" in run.output
