"""The package's public surface, and what importing it costs in modules."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
import yunxiao_emas


def test_every_public_name_resolves() -> None:
    for name in yunxiao_emas.__all__:
        assert getattr(yunxiao_emas, name) is not None, name


def test_every_lazily_loaded_name_is_public() -> None:
    assert set(yunxiao_emas._HOME) | {"__version__"} == set(yunxiao_emas.__all__)
    assert dir(yunxiao_emas) == sorted(yunxiao_emas.__all__)


def test_an_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="NoSuchThing"):
        _ = yunxiao_emas.NoSuchThing  # type: ignore[attr-defined]


def test_using_the_client_class_does_not_import_what_only_some_calls_need() -> None:
    probe = (
        "import sys, json, yunxiao_emas; yunxiao_emas.Client; "
        "print(json.dumps(sorted(sys.modules)))"
    )
    loaded = set(json.loads(subprocess.check_output([sys.executable, "-c", probe])))

    not_yet = {
        "yunxiao_emas._download.transfer",  # with the first download
        "yunxiao_emas._download.flow",  # with the first download
        # attrs and what is made of it come with the first client or value, not the import:
        # attrs alone is a third of httpx's import time
        "attrs",
        "yunxiao_emas.models",
        "yunxiao_emas._call.policy",
        "yunxiao_emas.credentials",
        "yunxiao_emas.credentials.chain",
        "yunxiao_emas.credentials.cli_profile",
        "yunxiao_emas.credentials.ini_file",
        "yunxiao_emas.credentials.environment",
        "yunxiao_emas.cli.spec",  # the tests', the emulator's and check-contract's, not a client's
        "yunxiao_emas_api",  # with the first call
        "yunxiao_emas.cli",
        "yunxiao_emas.testing",
        # not click or rich: httpx itself imports them when they are installed
        "starlette",
        "uvicorn",
        "yaml",
        "asyncio",
    }
    assert loaded & not_yet == set()
    assert "yunxiao_emas.client" in loaded


def modules_after(code: str) -> set[str]:
    probe = f"import sys, json\n{code}\nprint(json.dumps(sorted(sys.modules)))"
    loaded: list[str] = json.loads(subprocess.check_output([sys.executable, "-c", probe]))
    return set(loaded)


SOURCES_AND_CHAIN = {
    "yunxiao_emas.credentials.chain",
    "yunxiao_emas.credentials.cli_profile",
    "yunxiao_emas.credentials.ini_file",
    "yunxiao_emas.credentials.environment",
}


@pytest.mark.parametrize(
    "credentials",
    ['AccessKeyCredentials("LTAI5tKey", "secret")', 'PersonalAccessToken("pt-token")'],
    ids=["access key", "token"],
)
def test_a_client_with_given_credentials_loads_no_source_nor_download_before_use(
    credentials: str,
) -> None:
    loaded = modules_after(
        "from yunxiao_emas import AccessKeyCredentials, Client, PersonalAccessToken\n"
        f"Client(credentials={credentials}).close()"
    )

    assert loaded & SOURCES_AND_CHAIN == set()
    assert loaded & {"yunxiao_emas._download.transfer", "yunxiao_emas._download.flow"} == set()
    assert "yunxiao_emas_api" not in loaded


def test_a_client_without_credentials_loads_the_default_chain() -> None:
    loaded = modules_after("import yunxiao_emas\nyunxiao_emas.Client().close()")

    assert SOURCES_AND_CHAIN.issubset(loaded)


def test_the_command_line_imports_neither_httpx_nor_rich_until_a_command_needs_them() -> None:
    # `yunxiao-emas --help` starts in about the time of a bare `import httpx` only so.
    loaded = modules_after(
        "import contextlib, io\n"
        "from yunxiao_emas import cli\n"
        "with contextlib.suppress(SystemExit), contextlib.redirect_stdout(io.StringIO()):\n"
        "    cli.main(['--help'])"
    )

    assert "yunxiao_emas.cli" in loaded
    assert loaded & {"httpx", "rich", "yunxiao_emas.client", "yunxiao_emas_api"} == set()
