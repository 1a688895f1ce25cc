"""Fixtures of the attack suite: one loopback server per module that tests mount apps on, a
fresh emulator per test, and the two parameters most tests run over: the API (``signed`` with an
AccessKey, ``token`` with a personal access token) and the client (``sync``, ``async``).

Every server binds 127.0.0.1 only.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "e2e"))  # e2e_support: ids, credentials, small apps

from attack_support import APIS, FLAVOURS, Target, new_service  # noqa: E402
from e2e_support import App, Switch, read_only_directory  # noqa: E402
from yunxiao_emas.testing import serve  # noqa: E402


@dataclass
class Server:
    base_url: str
    switch: Switch


@pytest.fixture(scope="module")
def http_server() -> Iterator[Server]:
    switch = Switch()
    with serve(switch) as base_url:
        yield Server(base_url, switch)


@pytest.fixture
def mount(http_server: Server) -> Iterator[Callable[[App], str]]:
    """Mount an ASGI app on the module's loopback server for this test; gives the base URL."""

    def mount_app(app: App) -> str:
        http_server.switch.app = app
        return http_server.base_url

    yield mount_app
    http_server.switch.app = None


@pytest.fixture(params=APIS)
def api(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(params=FLAVOURS)
def flavour(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def emulate(mount: Callable[[App], str], api: str) -> Callable[..., Target]:
    """A fresh emulator (``new_service`` options), mounted, seen through this test's API;
    ``wrap`` turns the emulator's ASGI app into the app to mount."""

    def make(wrap: Callable[[Any], App] | None = None, **options: Any) -> Target:
        service = new_service(**options)
        app = service.asgi_app if wrap is None else wrap(service.asgi_app)
        return Target(service, mount(app), api)

    return make


@pytest.fixture
def target(emulate: Callable[..., Target]) -> Target:
    return emulate()


@pytest.fixture
def quiet_logs() -> Iterator[None]:
    """uvicorn reports the connections the tests cut on purpose; keep them out of the output."""
    logger = logging.getLogger("uvicorn.error")
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    yield
    logger.setLevel(level)


@pytest.fixture
def read_only_dir(tmp_path: Path) -> Iterator[Path]:
    """A directory in which nobody can create a file, root included."""
    with read_only_directory(tmp_path) as path:
        yield path


@pytest.fixture
def home(tmp_path: Path) -> Path:
    """An empty HOME for the command line tool: no real credentials file is ever read."""
    path = tmp_path / "home"
    path.mkdir()
    return path
