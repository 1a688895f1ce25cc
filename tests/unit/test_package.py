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
        "yunxiao_emas.download",  # with the first download
        "yunxiao_emas.credentials",  # with the default chain or the credentials classes
        "yunxiao_emas_api",  # with the first client
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
