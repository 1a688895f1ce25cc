"""Fixtures of the end-to-end tests: the emulator on real loopback sockets (HTTP, and HTTPS with
a trustme CA), a fresh emulated service per test, and the command line tool as a subprocess.

One server per module and scheme serves a :class:`~e2e_support.Switch`; each test mounts a
fresh :class:`EmulatedService` (or a small ASGI app) on it, so no state leaks between tests and
no test pays for starting a server.
"""

from __future__ import annotations

import os
import ssl
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import trustme
from yunxiao_emas import AccessKeyCredentials, PersonalAccessToken
from yunxiao_emas.testing import EmulatedService, serve

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # tests/_spec_validation.py

from _spec_validation import ContractCheck
from e2e_support import (
    CONNECTION,
    CONTENT,
    CREDENTIALS,
    FILENAME,
    JOB,
    KEY_ID,
    ORG,
    PIPELINE,
    RUN,
    SECRET,
    TOKEN,
    TOKEN_CREDENTIALS,
    App,
    CliRun,
    Emulated,
    Switch,
    read_only_directory,
)


@dataclass
class Server:
    base_url: str
    switch: Switch
    verify: str | ssl.SSLContext


# Plain http needs no CA, but verify=True makes every client load the whole CA bundle (about
# 20 ms); the http clients share one context instead. The https clients get the CA's path.
_PLAIN_HTTP = ssl.create_default_context()


@pytest.fixture(scope="session")
def tls(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """A trustme CA and a certificate for 127.0.0.1: paths of the CA, the chain and the key."""
    ca = trustme.CA()
    cert = ca.issue_cert("127.0.0.1", "localhost")
    folder = tmp_path_factory.mktemp("tls")
    paths = {
        "ca": str(folder / "ca.pem"),
        "chain": str(folder / "chain.pem"),
        "key": str(folder / "key.pem"),
    }
    ca.cert_pem.write_to_path(paths["ca"])
    cert.private_key_pem.write_to_path(paths["key"])
    Path(paths["chain"]).write_bytes(b"".join(blob.bytes() for blob in cert.cert_chain_pems))
    return paths


@pytest.fixture(scope="module")
def http_server() -> Iterator[Server]:
    switch = Switch()
    with serve(switch) as base_url:
        yield Server(base_url, switch, _PLAIN_HTTP)


@pytest.fixture(scope="module")
def https_server(tls: dict[str, str]) -> Iterator[Server]:
    switch = Switch()
    with serve(switch, ssl_certfile=tls["chain"], ssl_keyfile=tls["key"]) as base_url:
        yield Server(base_url, switch, tls["ca"])


@pytest.fixture
def server(request: pytest.FixtureRequest) -> Server:
    """The server this test mounts its app on: http, or the scheme given as an indirect
    parameter (``@pytest.mark.parametrize("server", ["https"], indirect=True)``)."""
    scheme = getattr(request, "param", "http")
    server: Server = request.getfixturevalue(f"{scheme}_server")
    return server


@pytest.fixture
def mount(server: Server) -> Iterator[Callable[[App], str]]:
    """Mount an ASGI app on the module's server for this test; returns the base URL."""

    def mount_app(app: App) -> str:
        server.switch.app = app
        return server.base_url

    yield mount_app
    server.switch.app = None


@pytest.fixture
def api(request: pytest.FixtureRequest) -> str:
    """The API a test calls: the signed one unless the test is parametrized over ``APIS``
    (``@pytest.mark.parametrize("api", APIS, indirect=True)``)."""
    return str(getattr(request, "param", "signed"))


@pytest.fixture
def emulate(
    server: Server, mount: Callable[[App], str], api: str
) -> Iterator[Callable[..., Emulated]]:
    """Make a fresh emulator and mount it.

    Keyword arguments: ``content``, ``md5`` and ``filename`` of the registered artifact,
    ``app`` (a function of the service giving the ASGI app to mount, to wrap the emulator),
    and any ``EmulatedService`` argument (the default key is ``KEY_ID`` / ``SECRET``, the
    default token ``TOKEN``).
    """

    def make(
        *,
        content: bytes = CONTENT,
        md5: str | None = None,
        filename: str = FILENAME,
        app: Callable[[EmulatedService], App] | None = None,
        **service_options: Any,
    ) -> Emulated:
        service_options.setdefault("access_keys", {KEY_ID: SECRET})
        service_options.setdefault("tokens", [TOKEN])
        service = EmulatedService(**service_options)
        registered = service.add_artifact(
            ORG,
            PIPELINE,
            RUN,
            JOB,
            content,
            service_connection_id=CONNECTION,
            filename=filename,
            md5=md5,
        )
        mounted = service.asgi_app if app is None else app(service)
        # Every answer of the API in these tests is checked against openapi.yaml.
        check = ContractCheck(mounted)
        checks.append(check)
        mount(check)
        return Emulated(
            service, server.base_url, server.verify, registered, content, api=api, app=mounted
        )

    checks: list[ContractCheck] = []
    yield make
    violations = [violation for check in checks for violation in check.violations]
    assert not violations, f"answers that break openapi.yaml: {violations}"


@pytest.fixture
def emulator(emulate: Callable[..., Emulated]) -> Emulated:
    """A fresh emulator with the default key and the default artifact."""
    return emulate()


@pytest.fixture
def read_only_dir(tmp_path: Path) -> Iterator[Path]:
    """A directory in which nobody can create a file, root included."""
    with read_only_directory(tmp_path) as path:
        yield path


@pytest.fixture
def cli_home(tmp_path: Path) -> Path:
    """An empty HOME: no real aliyun or INI credentials file is ever read."""
    home = tmp_path / "home"
    home.mkdir()
    return home


_API_CREDENTIALS = object()


@pytest.fixture
def run_cli(cli_home: Path, api: str) -> Callable[..., CliRun]:
    """Run ``python -m yunxiao_emas.cli ARGS`` with credentials from the environment only: by
    default those of the test's API (``ALIBABA_CLOUD_*`` or ``YUNXIAO_TOKEN``).

    Every run asserts that neither the AccessKey secret nor the security token, nor the personal
    access token (nor any string in ``secrets``), appears in what the command printed.
    """
    default = CREDENTIALS if api == "signed" else TOKEN_CREDENTIALS

    def run(
        *args: str,
        credentials: AccessKeyCredentials | PersonalAccessToken | object | None = _API_CREDENTIALS,
        cwd: Path | None = None,
        secrets: tuple[str, ...] = (),
    ) -> CliRun:
        if credentials is _API_CREDENTIALS:
            credentials = default
        env = {
            name: value
            for name, value in os.environ.items()
            if "ALIBABA_CLOUD" not in name and "YUNXIAO" not in name
        }
        env.update({"HOME": str(cli_home), "PYTHONUNBUFFERED": "1", "NO_COLOR": "1"})
        hidden = list(secrets)
        if isinstance(credentials, PersonalAccessToken):
            env["YUNXIAO_TOKEN"] = credentials.token
            hidden.append(credentials.token)
        elif isinstance(credentials, AccessKeyCredentials):
            env["ALIBABA_CLOUD_ACCESS_KEY_ID"] = credentials.access_key_id
            env["ALIBABA_CLOUD_ACCESS_KEY_SECRET"] = credentials.access_key_secret
            hidden.append(credentials.access_key_secret)
            if credentials.security_token:
                env["ALIBABA_CLOUD_SECURITY_TOKEN"] = credentials.security_token
                hidden.append(credentials.security_token)
        completed = subprocess.run(
            [sys.executable, "-m", "yunxiao_emas.cli", *args],
            env=env,
            cwd=cwd or cli_home,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        result = CliRun(completed.returncode, completed.stdout, completed.stderr)
        for secret in hidden:
            assert secret not in result.output, "the command printed a secret"
        return result

    return run
