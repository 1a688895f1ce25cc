"""Credentials: the two kinds of value, each source alone, and the default chain.

Every test runs with an empty temporary HOME and without any ALIBABA_CLOUD_* variable or
YUNXIAO_TOKEN, so no real file or variable of the machine is read.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from pathlib import Path
from typing import Any

import pytest
from yunxiao_emas.credentials import (
    AccessKeyCredentials,
    CliProfileCredentials,
    CredentialsProvider,
    DefaultCredentialsChain,
    EnvironmentCredentials,
    EnvironmentTokenCredentials,
    IniFileCredentials,
    PersonalAccessToken,
    default_credentials,
)
from yunxiao_emas.errors import CredentialsError, InvalidArgumentError

KEY_ID = "LTAI5tTestKeyId"
SECRET = "s3cr3t-Value-That-Must-Not-Leak"
TOKEN = "CAIS-sts-token-that-must-not-leak=="
PAT = "pt-personal-token-that-must-not-leak"
WAY_OUT = (
    "install yunxiao-emas[credentials] and pass credentials=OfficialCredentials(), which "
    "reads every source of the official alibabacloud-credentials client, or pass a "
    "CredentialsProvider of your own (see README, Credentials)"
)


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty HOME, no ALIBABA_CLOUD_* variable and no YUNXIAO_TOKEN: the machine's own
    files and variables stay unread."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    for name in list(os.environ):
        if name.startswith("ALIBABA_CLOUD_") or name == "YUNXIAO_TOKEN":
            monkeypatch.delenv(name)
    return home


def cli_path(home: Path) -> Path:
    return home / ".aliyun" / "config.json"


def write_cli(home: Path, config: Any) -> Path:
    """Write the aliyun CLI's config.json: ``config`` as JSON, or as is when it is a str."""
    path = cli_path(home)
    path.parent.mkdir(exist_ok=True)
    path.write_text(config if isinstance(config, str) else json.dumps(config), encoding="utf-8")
    return path


def ak_profile(name: str = "default", **fields: Any) -> dict[str, Any]:
    profile: dict[str, Any] = {
        "name": name,
        "mode": "AK",
        "access_key_id": KEY_ID,
        "access_key_secret": SECRET,
        "region_id": "cn-hangzhou",
    }
    profile.update(fields)
    return profile


def sts_profile(name: str = "default", **fields: Any) -> dict[str, Any]:
    return ak_profile(name, **{"mode": "StsToken", "sts_token": TOKEN, **fields})


def ini_path(home: Path, name: str = "credentials.ini") -> Path:
    return home / ".alibabacloud" / name


def write_ini(home: Path, text: str, name: str = "credentials.ini") -> Path:
    path = ini_path(home, name)
    path.parent.mkdir(exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def ini_section(
    name: str = "default", key_id: str = KEY_ID, secret: str = SECRET, **extra: str
) -> str:
    lines = [f"[{name}]", "type = access_key", f"access_key_id = {key_id}"]
    lines.append(f"access_key_secret = {secret}")
    lines += [f"{key} = {value}" for key, value in extra.items()]
    return "\n".join(lines) + "\n"


def set_env_credentials(monkeypatch: pytest.MonkeyPatch, key_id: str = "LTAI5tFromEnv") -> None:
    monkeypatch.setenv("ALIBABA_CLOUD_ACCESS_KEY_ID", key_id)
    monkeypatch.setenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET", SECRET)


def bump_mtime(path: Path) -> None:
    """Move the file's mtime on, as an edit a while later would, whatever the clock's grain."""
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 2_000_000_000))


def error_of(provider: CredentialsProvider) -> str:
    with pytest.raises(CredentialsError) as info:
        provider.get_credentials()
    message = str(info.value)
    assert SECRET not in message
    assert TOKEN not in message
    assert PAT not in message
    return message


def count_opens(monkeypatch: pytest.MonkeyPatch, path: Path) -> list[str]:
    """Record every ``os.open`` of ``path`` (how the sources read a file)."""
    opened: list[str] = []
    real_open = os.open

    def counting_open(file: Any, flags: int, *args: Any, **kwargs: Any) -> int:
        if os.fspath(file) == str(path):
            opened.append(os.fspath(file))
        return real_open(file, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", counting_open)
    return opened


def refuse_to_open(monkeypatch: pytest.MonkeyPatch, path: Path) -> None:
    """``os.open`` of ``path`` fails as an unreadable file does (even for root)."""
    real_open = os.open

    def refusing_open(file: Any, flags: int, *args: Any, **kwargs: Any) -> int:
        if os.fspath(file) == str(path):
            raise PermissionError(13, "Permission denied", os.fspath(file))
        return real_open(file, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", refusing_open)


# --- AccessKeyCredentials -------------------------------------------------------------------


def test_repr_of_credentials_hides_secret_and_token() -> None:
    credentials = AccessKeyCredentials(KEY_ID, SECRET, TOKEN)

    assert SECRET not in repr(credentials)
    assert TOKEN not in repr(credentials)
    assert KEY_ID in repr(credentials)


def test_str_of_credentials_hides_secret_and_token() -> None:
    credentials = AccessKeyCredentials(KEY_ID, SECRET, TOKEN)

    assert SECRET not in str(credentials)
    assert TOKEN not in str(credentials)


def test_repr_of_credentials_says_whether_there_is_a_token() -> None:
    assert "security_token=<hidden>" in repr(AccessKeyCredentials(KEY_ID, SECRET, TOKEN))
    assert "security_token=None" in repr(AccessKeyCredentials(KEY_ID, SECRET))


def test_credentials_are_their_own_provider() -> None:
    credentials = AccessKeyCredentials(KEY_ID, SECRET)

    assert isinstance(credentials, CredentialsProvider)
    assert credentials.get_credentials() is credentials


def test_empty_access_key_secret_is_rejected() -> None:
    with pytest.raises(InvalidArgumentError, match="access_key_secret"):
        AccessKeyCredentials(KEY_ID, "")


@pytest.mark.parametrize(
    "source",
    [
        EnvironmentCredentials(),
        EnvironmentTokenCredentials(),
        CliProfileCredentials(),
        IniFileCredentials(),
        PersonalAccessToken(PAT),
    ],
    ids=repr,
)
def test_every_source_is_a_credentials_provider(source: object) -> None:
    assert isinstance(source, CredentialsProvider)


# --- PersonalAccessToken --------------------------------------------------------------------


def test_a_token_keeps_its_value() -> None:
    assert PersonalAccessToken(PAT).token == PAT


def test_repr_and_str_of_a_token_hide_it() -> None:
    token = PersonalAccessToken(PAT)

    assert repr(token) == "PersonalAccessToken(token=<hidden>)"
    assert str(token) == "PersonalAccessToken(token=<hidden>)"


def test_a_token_is_its_own_provider() -> None:
    token = PersonalAccessToken(PAT)

    assert isinstance(token, CredentialsProvider)
    assert token.get_credentials() is token


@pytest.mark.parametrize("raw", [f"{PAT}\n", f"  {PAT}\r\n", f"\t{PAT}"], ids=repr)
def test_a_token_read_with_surrounding_whitespace_is_trimmed(raw: str) -> None:
    assert PersonalAccessToken(raw).token == PAT


def test_a_token_of_a_str_subclass_becomes_an_exact_str() -> None:
    class Secret(str):
        def __str__(self) -> str:
            return "something else"

    token = PersonalAccessToken(Secret(PAT)).token

    assert type(token) is str
    assert token == PAT


@pytest.mark.parametrize("raw", ["", "   ", "\n"], ids=repr)
def test_an_empty_token_is_refused(raw: str) -> None:
    with pytest.raises(InvalidArgumentError) as caught:
        PersonalAccessToken(raw)

    assert caught.value.parameter == "token"
    assert "non-empty" in str(caught.value)


@pytest.mark.parametrize("raw", [None, b"pt-bytes", 42], ids=repr)
def test_a_token_that_is_not_a_str_is_refused(raw: object) -> None:
    with pytest.raises(InvalidArgumentError) as caught:
        PersonalAccessToken(raw)  # type: ignore[arg-type]

    assert caught.value.parameter == "token"


BAD_TOKENS = {
    "space": "pt-secret part",
    "CR LF": "pt-secret\r\nx-injected: 1",
    "NUL": "pt-secret\x00",
    "DEL": "pt-secret\x7f",
    "tab": "pt-secret\tpart",
    "non-ASCII": "pt-secret\u00e9",
    "emoji": "pt-secret\U0001f511",
}


@pytest.mark.parametrize("raw", BAD_TOKENS.values(), ids=BAD_TOKENS.keys())
def test_a_token_with_other_than_visible_ascii_is_refused_without_showing_it(raw: str) -> None:
    with pytest.raises(InvalidArgumentError) as caught:
        PersonalAccessToken(raw)

    assert caught.value.parameter == "token"
    assert "visible ASCII" in str(caught.value)
    assert "secret" not in str(caught.value)
    assert "secret" not in repr(caught.value)


# --- EnvironmentTokenCredentials -------------------------------------------------------------


def test_environment_token_gives_the_token(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("YUNXIAO_TOKEN", PAT)

    credentials = EnvironmentTokenCredentials().get_credentials()

    assert credentials == PersonalAccessToken(PAT)


def test_environment_token_is_read_at_every_call(monkeypatch: pytest.MonkeyPatch) -> None:
    source = EnvironmentTokenCredentials()
    monkeypatch.setenv("YUNXIAO_TOKEN", "pt-first")
    source.get_credentials()
    monkeypatch.setenv("YUNXIAO_TOKEN", "pt-second")

    assert source.get_credentials().token == "pt-second"


def test_environment_token_with_a_trailing_newline_is_trimmed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("YUNXIAO_TOKEN", f"{PAT}\n")

    assert EnvironmentTokenCredentials().get_credentials().token == PAT


@pytest.mark.parametrize("value", [None, "", "  "], ids=["unset", "empty", "blank"])
def test_environment_token_unset_or_blank_says_it_is_not_set(
    monkeypatch: pytest.MonkeyPatch, value: str | None
) -> None:
    if value is not None:
        monkeypatch.setenv("YUNXIAO_TOKEN", value)

    assert error_of(EnvironmentTokenCredentials()) == (
        "environment (YUNXIAO_TOKEN): YUNXIAO_TOKEN is not set"
    )


def test_environment_token_that_breaks_a_rule_is_a_broken_source_without_its_value(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("YUNXIAO_TOKEN", "pt-secret with spaces")

    message = error_of(EnvironmentTokenCredentials())

    assert message.startswith("environment (YUNXIAO_TOKEN): token: ")
    assert "secret" not in message


def test_repr_of_the_environment_token_source_shows_no_token(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("YUNXIAO_TOKEN", PAT)

    assert PAT not in repr(EnvironmentTokenCredentials())


# --- EnvironmentCredentials -----------------------------------------------------------------


def test_environment_gives_id_and_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ALIBABA_CLOUD_ACCESS_KEY_ID", KEY_ID)
    monkeypatch.setenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET", SECRET)

    assert EnvironmentCredentials().get_credentials() == AccessKeyCredentials(KEY_ID, SECRET)


def test_environment_gives_the_security_token(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ALIBABA_CLOUD_ACCESS_KEY_ID", KEY_ID)
    monkeypatch.setenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET", SECRET)
    monkeypatch.setenv("ALIBABA_CLOUD_SECURITY_TOKEN", TOKEN)

    assert EnvironmentCredentials().get_credentials().security_token == TOKEN


def test_environment_empty_token_means_no_token(monkeypatch: pytest.MonkeyPatch) -> None:
    set_env_credentials(monkeypatch)
    monkeypatch.setenv("ALIBABA_CLOUD_SECURITY_TOKEN", "")

    assert EnvironmentCredentials().get_credentials().security_token is None


def test_environment_is_read_at_every_call(monkeypatch: pytest.MonkeyPatch) -> None:
    source = EnvironmentCredentials()
    set_env_credentials(monkeypatch, "LTAI5tFirst")
    source.get_credentials()

    set_env_credentials(monkeypatch, "LTAI5tRotated")

    assert source.get_credentials().access_key_id == "LTAI5tRotated"


def test_environment_without_variables_says_the_id_is_not_set() -> None:
    assert error_of(EnvironmentCredentials()) == (
        "environment: ALIBABA_CLOUD_ACCESS_KEY_ID is not set"
    )


def test_environment_empty_id_counts_as_not_set(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ALIBABA_CLOUD_ACCESS_KEY_ID", "")

    assert "ALIBABA_CLOUD_ACCESS_KEY_ID is not set" in error_of(EnvironmentCredentials())


def test_environment_id_without_secret_names_the_missing_secret(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("ALIBABA_CLOUD_ACCESS_KEY_ID", KEY_ID)

    assert error_of(EnvironmentCredentials()) == (
        "environment: ALIBABA_CLOUD_ACCESS_KEY_ID is set but ALIBABA_CLOUD_ACCESS_KEY_SECRET is not"
    )


def test_environment_secret_and_token_without_id_name_the_missing_id(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET", SECRET)
    monkeypatch.setenv("ALIBABA_CLOUD_SECURITY_TOKEN", TOKEN)

    assert error_of(EnvironmentCredentials()) == (
        "environment: ALIBABA_CLOUD_ACCESS_KEY_SECRET and ALIBABA_CLOUD_SECURITY_TOKEN set "
        "but ALIBABA_CLOUD_ACCESS_KEY_ID is not"
    )


def test_environment_key_id_that_breaks_a_rule_is_a_broken_source(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    set_env_credentials(monkeypatch, "LTAI5t Test")

    with pytest.raises(CredentialsError) as caught:
        EnvironmentCredentials().get_credentials()

    assert not isinstance(caught.value, InvalidArgumentError)
    assert str(caught.value).startswith("environment: access_key_id: ")


# --- CliProfileCredentials: reading ---------------------------------------------------------


def test_cli_ak_profile_gives_id_and_secret(home: Path) -> None:
    write_cli(home, {"current": "default", "profiles": [ak_profile()]})

    assert CliProfileCredentials().get_credentials() == AccessKeyCredentials(KEY_ID, SECRET)


def test_cli_sts_token_profile_gives_the_token(home: Path) -> None:
    write_cli(home, {"current": "default", "profiles": [sts_profile()]})

    assert CliProfileCredentials().get_credentials() == AccessKeyCredentials(KEY_ID, SECRET, TOKEN)


def test_cli_uses_the_current_profile(home: Path) -> None:
    profiles = [ak_profile("default"), ak_profile("work", access_key_id="LTAI5tWork")]
    write_cli(home, {"current": "work", "profiles": profiles})

    assert CliProfileCredentials().get_credentials().access_key_id == "LTAI5tWork"


def test_cli_profile_variable_beats_current(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    profiles = [ak_profile("work"), ak_profile("prod", access_key_id="LTAI5tProd")]
    write_cli(home, {"current": "work", "profiles": profiles})
    monkeypatch.setenv("ALIBABA_CLOUD_PROFILE", "prod")

    assert CliProfileCredentials().get_credentials().access_key_id == "LTAI5tProd"


def test_cli_profile_argument_beats_variable_and_current(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    profiles = [
        ak_profile("work"),
        ak_profile("prod"),
        ak_profile("test", access_key_id="LTAI5tTest"),
    ]
    write_cli(home, {"current": "work", "profiles": profiles})
    monkeypatch.setenv("ALIBABA_CLOUD_PROFILE", "prod")

    credentials = CliProfileCredentials(profile="test").get_credentials()

    assert credentials.access_key_id == "LTAI5tTest"


def test_cli_without_current_uses_the_default_profile(home: Path) -> None:
    profiles = [ak_profile("other"), ak_profile("default", access_key_id="LTAI5tDefault")]
    write_cli(home, {"profiles": profiles})

    assert CliProfileCredentials().get_credentials().access_key_id == "LTAI5tDefault"


def test_cli_reads_the_path_argument(tmp_path: Path) -> None:
    path = tmp_path / "elsewhere.json"
    path.write_text(json.dumps({"current": "default", "profiles": [ak_profile()]}))

    assert CliProfileCredentials(path=path).get_credentials().access_key_id == KEY_ID


def test_cli_accepts_a_byte_order_mark(home: Path) -> None:
    path = cli_path(home)
    path.parent.mkdir()
    config = json.dumps({"current": "default", "profiles": [ak_profile()]})
    path.write_bytes(b"\xef\xbb\xbf" + config.encode())

    assert CliProfileCredentials().get_credentials().access_key_id == KEY_ID


def test_cli_edited_file_gives_the_new_credentials(home: Path) -> None:
    source = CliProfileCredentials()
    path = write_cli(home, {"current": "default", "profiles": [ak_profile()]})
    source.get_credentials()

    rotated = ak_profile(access_key_id="LTAI5tRotatedId")  # same length as KEY_ID
    write_cli(home, {"current": "default", "profiles": [rotated]})
    bump_mtime(path)

    assert source.get_credentials().access_key_id == "LTAI5tRotatedId"


def test_cli_file_is_read_once_while_it_is_unchanged(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write_cli(home, {"current": "default", "profiles": [ak_profile()]})
    source = CliProfileCredentials()
    opened = count_opens(monkeypatch, path)

    for _ in range(100):
        source.get_credentials()

    assert len(opened) == 1


def test_cli_cache_is_keyed_by_mtime_and_size(home: Path) -> None:
    source = CliProfileCredentials()
    path = write_cli(home, {"current": "default", "profiles": [ak_profile()]})
    source.get_credentials()
    stat = path.stat()

    # Same size, and the mtime put back: to the cache the file has not changed.
    write_cli(home, {"current": "default", "profiles": [ak_profile(access_key_id="X" * 15)]})
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))

    assert source.get_credentials().access_key_id == KEY_ID


def test_cli_profile_is_chosen_again_at_every_call(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    profiles = [ak_profile("default"), ak_profile("prod", access_key_id="LTAI5tProd")]
    write_cli(home, {"profiles": profiles})
    source = CliProfileCredentials()
    source.get_credentials()

    monkeypatch.setenv("ALIBABA_CLOUD_PROFILE", "prod")

    assert source.get_credentials().access_key_id == "LTAI5tProd"


# --- CliProfileCredentials: errors ----------------------------------------------------------


def test_cli_missing_file_names_the_file(home: Path) -> None:
    assert error_of(CliProfileCredentials()) == (
        f"aliyun CLI profile: {cli_path(home)} does not exist"
    )


def test_cli_missing_path_argument_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "nowhere.json"

    assert error_of(CliProfileCredentials(path=path)) == (
        f"aliyun CLI profile: {path}: does not exist"
    )


@pytest.mark.parametrize(
    "mode",
    [
        "RamRoleArn",
        "EcsRamRole",
        "OIDC",
        "ChainableRamRoleArn",
        "CredentialsURI",
        "External",
        "CloudSSO",
        "RsaKeyPair",
    ],
)
def test_cli_unsupported_mode_names_file_profile_mode_and_way_out(home: Path, mode: str) -> None:
    path = write_cli(home, {"current": "ci", "profiles": [sts_profile("ci", mode=mode)]})

    message = error_of(CliProfileCredentials())

    assert message == (
        f"aliyun CLI profile: {path}: profile 'ci' uses mode {mode!r}, which yunxiao-emas "
        f"does not support (supported: AK, StsToken); {WAY_OUT}"
    )


@pytest.mark.parametrize(
    ("content", "detail"),
    [
        ('{"current": "default", "profiles": [', "is not valid JSON"),
        (f'{{"access_key_secret": "{SECRET}",}}', "is not valid JSON"),
        ("", "is not valid JSON"),
        ('[{"name": "default"}]', "must hold a JSON object"),
        ('"default"', "must hold a JSON object"),
        ('{"current": "default"}', "profiles is missing"),
        ('{"current": "default", "profiles": {"default": {}}}', "profiles must be a list"),
        ('{"current": "default", "profiles": ["default"]}', "profiles[0] must be an object"),
        ('{"current": 1, "profiles": []}', "current must be a string"),
    ],
    ids=[
        "truncated",
        "trailing-comma",
        "empty",
        "list",
        "string",
        "no-profiles",
        "profiles-object",
        "profile-string",
        "current-number",
    ],
)
def test_cli_malformed_file_names_file_and_field(home: Path, content: str, detail: str) -> None:
    path = write_cli(home, content)

    message = error_of(CliProfileCredentials())

    assert message.startswith(f"aliyun CLI profile: {path}: {detail}")


def test_cli_invalid_json_message_gives_the_position(home: Path) -> None:
    write_cli(home, '{\n  "current": "default",\n  "profiles": [,]\n}')

    assert "line 3 column 16" in error_of(CliProfileCredentials())


def test_cli_invalid_json_error_is_not_chained(home: Path) -> None:
    # The JSONDecodeError holds the whole document; a chained traceback would print secrets.
    write_cli(home, f'{{"access_key_secret": "{SECRET}"')

    with pytest.raises(CredentialsError) as info:
        CliProfileCredentials().get_credentials()

    assert info.value.__cause__ is None
    assert info.value.__suppress_context__


@pytest.mark.parametrize(
    ("profile", "detail"),
    [
        (ak_profile(access_key_id=None), "access_key_id is missing or empty"),
        (ak_profile(access_key_id=""), "access_key_id is missing or empty"),
        (ak_profile(access_key_id=12345), "access_key_id is missing or empty"),
        (ak_profile(access_key_secret=""), "access_key_secret is missing or empty"),
        (ak_profile(access_key_secret=None), "access_key_secret is missing or empty"),
        (sts_profile(sts_token=""), "sts_token is missing or empty"),
        (sts_profile(sts_token=None), "sts_token is missing or empty"),
    ],
    ids=[
        "id-null",
        "id-empty",
        "id-number",
        "secret-empty",
        "secret-null",
        "token-empty",
        "token-null",
    ],
)
def test_cli_profile_missing_field_names_file_profile_and_field(
    home: Path, profile: dict[str, Any], detail: str
) -> None:
    path = write_cli(home, {"current": "default", "profiles": [profile]})

    message = error_of(CliProfileCredentials())

    assert message == (
        f"aliyun CLI profile: {path}: profile 'default' (mode {profile['mode']}): {detail}"
    )


def test_cli_profile_without_mode_is_an_error(home: Path) -> None:
    profile = ak_profile()
    del profile["mode"]
    path = write_cli(home, {"current": "default", "profiles": [profile]})

    assert error_of(CliProfileCredentials()) == (
        f"aliyun CLI profile: {path}: profile 'default': mode is missing or empty"
    )


def test_cli_directory_in_place_of_the_file_names_the_file(home: Path) -> None:
    path = cli_path(home)
    path.mkdir(parents=True)  # a directory where the file should be

    assert error_of(CliProfileCredentials()) == (
        f"aliyun CLI profile: {path}: is not a regular file"
    )


def test_cli_unreadable_file_names_the_file(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write_cli(home, {"current": "default", "profiles": [ak_profile()]})
    refuse_to_open(monkeypatch, path)

    assert error_of(CliProfileCredentials()) == (
        f"aliyun CLI profile: {path}: cannot be read (Permission denied)"
    )


def test_cli_fifo_in_place_of_the_file_is_refused_without_waiting(home: Path) -> None:
    path = cli_path(home)
    path.parent.mkdir()
    os.mkfifo(path)
    messages: list[str] = []

    reader = threading.Thread(target=lambda: messages.append(error_of(CliProfileCredentials())))
    reader.start()
    reader.join(5)

    assert not reader.is_alive(), "reading a FIFO blocked"
    assert messages == [f"aliyun CLI profile: {path}: is not a regular file"]


def test_cli_device_named_by_the_path_argument_is_refused() -> None:
    assert error_of(CliProfileCredentials(path="/dev/zero")) == (
        "aliyun CLI profile: /dev/zero: is not a regular file"
    )


def test_cli_file_larger_than_a_credentials_file_is_refused(home: Path) -> None:
    path = write_cli(home, {"current": "default", "profiles": [ak_profile()], "pad": "x" * 2**20})

    assert error_of(CliProfileCredentials()) == (
        f"aliyun CLI profile: {path}: is larger than 1024 KiB: not a credentials file"
    )


def test_cli_profile_value_that_breaks_a_rule_is_a_broken_source(home: Path) -> None:
    write_cli(home, {"current": "default", "profiles": [ak_profile(access_key_id="LTAI\x01x")]})

    with pytest.raises(CredentialsError) as caught:
        CliProfileCredentials().get_credentials()

    assert not isinstance(caught.value, InvalidArgumentError)
    assert str(caught.value).startswith("aliyun CLI profile: ")
    assert "access_key_id" in str(caught.value)


def test_cli_file_that_is_not_utf8_names_the_file(home: Path) -> None:
    path = cli_path(home)
    path.parent.mkdir()
    path.write_bytes(b'{"current": "\xff"}')

    assert error_of(CliProfileCredentials()).startswith(
        f"aliyun CLI profile: {path}: is not valid UTF-8"
    )


def test_cli_profile_named_by_argument_and_absent_is_an_error(home: Path) -> None:
    path = write_cli(home, {"current": "default", "profiles": [ak_profile()]})

    assert error_of(CliProfileCredentials(profile="prod")) == (
        f"aliyun CLI profile: {path}: has no profile 'prod' (named by the profile argument)"
    )


def test_cli_current_profile_absent_is_an_error(home: Path) -> None:
    path = write_cli(home, {"current": "gone", "profiles": [ak_profile()]})

    assert error_of(CliProfileCredentials()) == (
        f"aliyun CLI profile: {path}: has no profile 'gone' (named by the file's current)"
    )


def test_cli_profile_named_by_variable_and_absent_names_the_variable(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write_cli(home, {"current": "default", "profiles": [ak_profile()]})
    monkeypatch.setenv("ALIBABA_CLOUD_PROFILE", "prod")

    assert error_of(CliProfileCredentials()) == (
        f"aliyun CLI profile: {path} has no profile 'prod' (named by ALIBABA_CLOUD_PROFILE)"
    )


# --- IniFileCredentials: reading ------------------------------------------------------------


def test_ini_default_section_gives_id_and_secret(home: Path) -> None:
    write_ini(home, ini_section())

    assert IniFileCredentials().get_credentials() == AccessKeyCredentials(KEY_ID, SECRET)


def test_ini_falls_back_to_the_credentials_file_without_extension(home: Path) -> None:
    write_ini(home, ini_section(key_id="LTAI5tNoExt"), name="credentials")

    assert IniFileCredentials().get_credentials().access_key_id == "LTAI5tNoExt"


def test_ini_prefers_credentials_ini_over_credentials(home: Path) -> None:
    write_ini(home, ini_section(key_id="LTAI5tIni"))
    write_ini(home, ini_section(key_id="LTAI5tNoExt"), name="credentials")

    assert IniFileCredentials().get_credentials().access_key_id == "LTAI5tIni"


def test_ini_file_variable_beats_the_default_files(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_ini(home, ini_section(key_id="LTAI5tIni"))
    other = tmp_path / "other.ini"
    other.write_text(ini_section(key_id="LTAI5tOther"))
    monkeypatch.setenv("ALIBABA_CLOUD_CREDENTIALS_FILE", str(other))

    assert IniFileCredentials().get_credentials().access_key_id == "LTAI5tOther"


def test_ini_path_argument_beats_the_file_variable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    by_env = tmp_path / "env.ini"
    by_env.write_text(ini_section(key_id="LTAI5tEnv"))
    by_argument = tmp_path / "argument.ini"
    by_argument.write_text(ini_section(key_id="LTAI5tArgument"))
    monkeypatch.setenv("ALIBABA_CLOUD_CREDENTIALS_FILE", str(by_env))

    credentials = IniFileCredentials(path=by_argument).get_credentials()

    assert credentials.access_key_id == "LTAI5tArgument"


def test_ini_profile_variable_chooses_the_section(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_ini(home, ini_section() + ini_section("prod", key_id="LTAI5tProd"))
    monkeypatch.setenv("ALIBABA_CLOUD_PROFILE", "prod")

    assert IniFileCredentials().get_credentials().access_key_id == "LTAI5tProd"


def test_ini_profile_argument_beats_the_variable(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sections = ini_section("prod") + ini_section("test", key_id="LTAI5tTest")
    write_ini(home, sections)
    monkeypatch.setenv("ALIBABA_CLOUD_PROFILE", "prod")

    assert IniFileCredentials(profile="test").get_credentials().access_key_id == "LTAI5tTest"


def test_ini_secret_may_contain_percent_signs(home: Path) -> None:
    write_ini(home, ini_section(secret="a%b%%c%(d)s"))

    assert IniFileCredentials().get_credentials().access_key_secret == "a%b%%c%(d)s"


def test_ini_enabled_section_is_used(home: Path) -> None:
    write_ini(home, ini_section(enable="true"))

    assert IniFileCredentials().get_credentials().access_key_id == KEY_ID


def test_ini_disabled_section_is_skipped(home: Path) -> None:
    path = write_ini(home, ini_section(enable="false"))

    assert error_of(IniFileCredentials()) == (
        f"INI file: {path}: section [default] is disabled (enable = false)"
    )


def test_ini_edited_file_gives_the_new_credentials(home: Path) -> None:
    source = IniFileCredentials()
    path = write_ini(home, ini_section())
    source.get_credentials()

    write_ini(home, ini_section(key_id="LTAI5tRotatedId"))  # same length as KEY_ID
    bump_mtime(path)

    assert source.get_credentials().access_key_id == "LTAI5tRotatedId"


def test_ini_file_is_read_once_while_it_is_unchanged(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write_ini(home, ini_section())
    source = IniFileCredentials()
    opened = count_opens(monkeypatch, path)

    for _ in range(100):
        source.get_credentials()

    assert len(opened) == 1


# --- IniFileCredentials: errors -------------------------------------------------------------


def test_ini_missing_files_name_both_default_paths(home: Path) -> None:
    assert error_of(IniFileCredentials()) == (
        f"INI file: neither {ini_path(home)} nor {ini_path(home, 'credentials')} exists"
    )


def test_ini_missing_file_named_by_variable_is_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "nowhere.ini"
    monkeypatch.setenv("ALIBABA_CLOUD_CREDENTIALS_FILE", str(path))

    assert error_of(IniFileCredentials()) == (
        f"INI file: {path}: does not exist (named by ALIBABA_CLOUD_CREDENTIALS_FILE)"
    )


def test_ini_missing_section_names_the_section(home: Path) -> None:
    path = write_ini(home, ini_section("other"))

    assert error_of(IniFileCredentials()) == f"INI file: {path} has no section [default]"


def test_ini_missing_section_named_by_argument_is_an_error(home: Path) -> None:
    path = write_ini(home, ini_section())

    assert error_of(IniFileCredentials(profile="prod")) == (
        f"INI file: {path}: has no section [prod] (named by the profile argument)"
    )


@pytest.mark.parametrize(
    "kind", ["ecs_ram_role", "ram_role_arn", "rsa_key_pair", "sts", "oidc_role_arn"]
)
def test_ini_unsupported_type_names_file_section_type_and_way_out(home: Path, kind: str) -> None:
    path = write_ini(home, ini_section().replace("type = access_key", f"type = {kind}"))

    assert error_of(IniFileCredentials()) == (
        f"INI file: {path}: section [default] has type {kind!r}, which yunxiao-emas does not "
        f"support (supported: access_key); {WAY_OUT}"
    )


def test_ini_section_without_type_is_an_error(home: Path) -> None:
    path = write_ini(home, ini_section().replace("type = access_key\n", ""))

    assert error_of(IniFileCredentials()) == (
        f"INI file: {path}: section [default]: type is missing (expected type = access_key)"
    )


@pytest.mark.parametrize(
    ("text", "field"),
    [
        (f"access_key_secret = {SECRET}", "access_key_id"),
        (f"access_key_id =\naccess_key_secret = {SECRET}", "access_key_id"),
        (f"access_key_id = {KEY_ID}", "access_key_secret"),
        (f"access_key_id = {KEY_ID}\naccess_key_secret =", "access_key_secret"),
    ],
    ids=["id-missing", "id-empty", "secret-missing", "secret-empty"],
)
def test_ini_missing_field_names_file_section_and_field(home: Path, text: str, field: str) -> None:
    path = write_ini(home, f"[default]\ntype = access_key\n{text}\n")

    assert error_of(IniFileCredentials()) == (
        f"INI file: {path}: section [default]: {field} is missing or empty"
    )


def test_ini_without_section_header_names_the_line_not_its_content(home: Path) -> None:
    path = write_ini(home, f"# credentials\naccess_key_secret = {SECRET}\n")

    assert error_of(IniFileCredentials()) == (
        f"INI file: {path}: is not an INI file (line 2 comes before any [section])"
    )


def test_ini_line_that_does_not_parse_names_the_line_not_its_content(home: Path) -> None:
    path = write_ini(home, ini_section() + f"{SECRET}\n")

    assert error_of(IniFileCredentials()) == f"INI file: {path}: cannot be parsed (line 5)"


def test_ini_duplicate_section_is_named(home: Path) -> None:
    path = write_ini(home, ini_section() + ini_section())

    assert error_of(IniFileCredentials()) == (f"INI file: {path}: section [default] appears twice")


def test_ini_duplicate_option_is_named(home: Path) -> None:
    path = write_ini(home, ini_section() + f"access_key_secret = {SECRET}\n")

    assert error_of(IniFileCredentials()) == (
        f"INI file: {path}: section [default]: access_key_secret appears twice (line 5)"
    )


def test_ini_directory_in_place_of_the_file_names_the_file(home: Path) -> None:
    path = ini_path(home)
    path.mkdir(parents=True)

    assert error_of(IniFileCredentials()) == f"INI file: {path}: is not a regular file"


def test_ini_unreadable_file_names_the_file(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write_ini(home, ini_section())
    refuse_to_open(monkeypatch, path)

    assert error_of(IniFileCredentials()) == (
        f"INI file: {path}: cannot be read (Permission denied)"
    )


def test_ini_fifo_named_by_the_variable_is_refused_without_waiting(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "credentials.fifo"
    os.mkfifo(path)
    monkeypatch.setenv("ALIBABA_CLOUD_CREDENTIALS_FILE", str(path))
    messages: list[str] = []

    reader = threading.Thread(target=lambda: messages.append(error_of(IniFileCredentials())))
    reader.start()
    reader.join(5)

    assert not reader.is_alive(), "reading a FIFO blocked"
    assert messages == [f"INI file: {path}: is not a regular file"]


def test_ini_file_larger_than_a_credentials_file_is_refused(home: Path) -> None:
    path = write_ini(home, ini_section() + "# " + "x" * 2**20 + "\n")

    assert error_of(IniFileCredentials()) == (
        f"INI file: {path}: is larger than 1024 KiB: not a credentials file"
    )


# --- DefaultCredentialsChain ----------------------------------------------------------------


def test_chain_prefers_the_environment(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_cli(home, {"current": "default", "profiles": [ak_profile()]})
    write_ini(home, ini_section())
    set_env_credentials(monkeypatch, "LTAI5tFromEnv")

    assert DefaultCredentialsChain().get_credentials().access_key_id == "LTAI5tFromEnv"


def test_chain_uses_the_cli_profile_before_the_ini_file(home: Path) -> None:
    write_cli(home, {"current": "default", "profiles": [ak_profile(access_key_id="LTAI5tCli")]})
    write_ini(home, ini_section(key_id="LTAI5tIni"))

    assert DefaultCredentialsChain().get_credentials().access_key_id == "LTAI5tCli"


def test_chain_uses_the_ini_file_last(home: Path) -> None:
    write_ini(home, ini_section(key_id="LTAI5tIni"))

    assert DefaultCredentialsChain().get_credentials().access_key_id == "LTAI5tIni"


def test_chain_without_any_source_lists_every_source_and_why(home: Path) -> None:
    message = error_of(DefaultCredentialsChain())

    assert message == (
        "no credentials found; tried "
        "environment: ALIBABA_CLOUD_ACCESS_KEY_ID is not set; "
        "environment (YUNXIAO_TOKEN): YUNXIAO_TOKEN is not set; "
        f"aliyun CLI profile: {cli_path(home)} does not exist; "
        f"INI file: neither {ini_path(home)} nor {ini_path(home, 'credentials')} exists"
    )


def test_chain_failure_message_includes_a_broken_source(home: Path) -> None:
    path = write_cli(home, {"current": "default", "profiles": [ak_profile(mode="RamRoleArn")]})

    message = error_of(DefaultCredentialsChain())

    assert f"aliyun CLI profile: {path}: profile 'default' uses mode 'RamRoleArn'" in message
    assert message.startswith("no credentials found; tried environment: ")
    assert "; INI file: neither " in message


def test_chain_moves_past_a_broken_source_to_a_working_one(home: Path) -> None:
    write_cli(home, "{not json")
    write_ini(home, ini_section(key_id="LTAI5tIni"))

    assert DefaultCredentialsChain().get_credentials().access_key_id == "LTAI5tIni"


def test_chain_warns_about_a_broken_source_when_a_later_one_works(
    home: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="yunxiao_emas")
    path = write_cli(home, {"current": "default", "profiles": [sts_profile(sts_token="")]})
    write_ini(home, ini_section(key_id="LTAI5tIni"))

    DefaultCredentialsChain().get_credentials()

    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert f"aliyun CLI profile: {path}" in warnings[0]
    assert "sts_token is missing or empty" in warnings[0]
    assert "INI file" in warnings[0]
    assert SECRET not in caplog.text


def test_chain_does_not_warn_about_absent_sources(
    home: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="yunxiao_emas")
    write_ini(home, ini_section())

    DefaultCredentialsChain().get_credentials()

    assert [r for r in caplog.records if r.levelno >= logging.WARNING] == []


def test_chain_treats_a_profile_named_by_the_variable_as_absent_from_the_other_file(
    home: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    # ALIBABA_CLOUD_PROFILE applies to both files: missing from one of them is no fault.
    write_cli(home, {"current": "default", "profiles": [ak_profile()]})
    write_ini(home, ini_section("prod", key_id="LTAI5tProd"))
    monkeypatch.setenv("ALIBABA_CLOUD_PROFILE", "prod")

    credentials = DefaultCredentialsChain().get_credentials()

    assert credentials.access_key_id == "LTAI5tProd"
    assert [r for r in caplog.records if r.levelno >= logging.WARNING] == []


def test_chain_keeps_the_first_source_that_worked(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_ini(home, ini_section(key_id="LTAI5tIni"))
    chain = DefaultCredentialsChain()
    chain.get_credentials()

    set_env_credentials(monkeypatch, "LTAI5tFromEnv")

    assert chain.get_credentials().access_key_id == "LTAI5tIni"


def test_chain_asks_the_kept_source_at_every_call(home: Path) -> None:
    path = write_ini(home, ini_section())
    chain = DefaultCredentialsChain()
    chain.get_credentials()

    write_ini(home, ini_section(key_id="LTAI5tRotatedId"))
    bump_mtime(path)

    assert chain.get_credentials().access_key_id == "LTAI5tRotatedId"


def test_chain_does_not_fall_back_when_the_kept_source_fails_later(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_ini(home, ini_section(key_id="LTAI5tIni"))
    set_env_credentials(monkeypatch, "LTAI5tFromEnv")
    chain = DefaultCredentialsChain()
    chain.get_credentials()

    monkeypatch.delenv("ALIBABA_CLOUD_ACCESS_KEY_ID")
    monkeypatch.delenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET")

    assert error_of(chain) == (
        "environment: ALIBABA_CLOUD_ACCESS_KEY_ID is not set (this source worked before; "
        "the chain keeps to it rather than switch identities)"
    )


class FailingProvider:
    def get_credentials(self) -> AccessKeyCredentials:
        raise CredentialsError("the vault is sealed")


class CountingProvider:
    def __init__(self) -> None:
        self.calls = 0

    def get_credentials(self) -> AccessKeyCredentials:
        self.calls += 1
        return AccessKeyCredentials(f"LTAI5tCall{self.calls}", SECRET)


def test_chain_with_own_providers_tries_them_in_order() -> None:
    chain = DefaultCredentialsChain([FailingProvider(), AccessKeyCredentials(KEY_ID, SECRET)])

    assert chain.get_credentials().access_key_id == KEY_ID


def test_chain_names_an_own_provider_by_its_class() -> None:
    chain = DefaultCredentialsChain([FailingProvider(), EnvironmentCredentials()])

    assert error_of(chain) == (
        "no credentials found; tried FailingProvider: the vault is sealed; "
        "environment: ALIBABA_CLOUD_ACCESS_KEY_ID is not set"
    )


def test_chain_asks_its_provider_at_every_call() -> None:
    provider = CountingProvider()
    chain = DefaultCredentialsChain([provider])

    first = chain.get_credentials()
    second = chain.get_credentials()

    assert (first.access_key_id, second.access_key_id) == ("LTAI5tCall1", "LTAI5tCall2")


def test_chain_without_providers_is_rejected() -> None:
    with pytest.raises(InvalidArgumentError, match="providers"):
        DefaultCredentialsChain([])


def test_chain_rejects_something_that_is_not_a_provider() -> None:
    with pytest.raises(InvalidArgumentError, match="str has no get_credentials"):
        DefaultCredentialsChain(["LTAI5t"])  # type: ignore[list-item]


def test_default_credentials_is_environment_token_cli_then_ini() -> None:
    chain = default_credentials()

    assert [type(p) for p in chain.providers] == [
        EnvironmentCredentials,
        EnvironmentTokenCredentials,
        CliProfileCredentials,
        IniFileCredentials,
    ]


def test_repr_of_a_chain_shows_no_secret() -> None:
    chain = DefaultCredentialsChain([AccessKeyCredentials(KEY_ID, SECRET, TOKEN)])

    assert SECRET not in repr(chain)
    assert TOKEN not in repr(chain)


# --- the chain and YUNXIAO_TOKEN --------------------------------------------------------------


def test_chain_finds_the_token_in_yunxiao_token(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("YUNXIAO_TOKEN", PAT)

    assert DefaultCredentialsChain().get_credentials() == PersonalAccessToken(PAT)


def test_chain_prefers_the_environments_access_key_to_the_token(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("YUNXIAO_TOKEN", PAT)
    set_env_credentials(monkeypatch, "LTAI5tFromEnv")

    credentials = DefaultCredentialsChain().get_credentials()

    assert isinstance(credentials, AccessKeyCredentials)
    assert credentials.access_key_id == "LTAI5tFromEnv"


def test_chain_prefers_the_token_to_the_cli_profile_and_the_ini_file(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_cli(home, {"current": "default", "profiles": [ak_profile()]})
    write_ini(home, ini_section())
    monkeypatch.setenv("YUNXIAO_TOKEN", PAT)

    assert DefaultCredentialsChain().get_credentials() == PersonalAccessToken(PAT)


def test_chain_lists_a_broken_token_when_nothing_works(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("YUNXIAO_TOKEN", "pt-secret with spaces")

    message = error_of(DefaultCredentialsChain())

    assert "; environment (YUNXIAO_TOKEN): token: must hold visible ASCII" in message
    assert "secret" not in message


def test_chain_moves_past_a_broken_token_and_warns_without_its_value(
    home: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="yunxiao_emas")
    monkeypatch.setenv("YUNXIAO_TOKEN", "pt-secret with spaces")
    write_ini(home, ini_section(key_id="LTAI5tIni"))

    credentials = DefaultCredentialsChain().get_credentials()

    assert isinstance(credentials, AccessKeyCredentials)
    assert credentials.access_key_id == "LTAI5tIni"
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert "environment (YUNXIAO_TOKEN)" in warnings[0]
    assert "secret" not in caplog.text


def test_chain_keeps_to_the_token_source_once_it_worked(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("YUNXIAO_TOKEN", PAT)
    write_ini(home, ini_section())
    chain = DefaultCredentialsChain()
    chain.get_credentials()

    monkeypatch.delenv("YUNXIAO_TOKEN")

    assert error_of(chain) == (
        "environment (YUNXIAO_TOKEN): YUNXIAO_TOKEN is not set (this source worked before; "
        "the chain keeps to it rather than switch identities)"
    )


def test_chain_follows_a_rotated_token(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("YUNXIAO_TOKEN", "pt-first")
    chain = DefaultCredentialsChain()
    chain.get_credentials()
    monkeypatch.setenv("YUNXIAO_TOKEN", "pt-second")

    assert chain.get_credentials() == PersonalAccessToken("pt-second")


def test_chain_names_an_own_provider_that_hands_out_neither_kind() -> None:
    class Odd:
        def get_credentials(self) -> object:
            return ("LTAI5t", SECRET)

    message = error_of(DefaultCredentialsChain([Odd()]))

    assert message == (
        "no credentials found; tried Odd: get_credentials() returned a tuple, not "
        "AccessKeyCredentials or PersonalAccessToken"
    )


def test_chain_of_own_providers_may_hand_out_a_token() -> None:
    chain = DefaultCredentialsChain([FailingProvider(), PersonalAccessToken(PAT)])

    assert chain.get_credentials() == PersonalAccessToken(PAT)


def test_repr_of_a_chain_shows_no_token() -> None:
    assert PAT not in repr(DefaultCredentialsChain([PersonalAccessToken(PAT)]))
