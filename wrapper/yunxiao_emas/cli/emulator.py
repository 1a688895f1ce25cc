"""``yunxiao-emas emulator``: serve the emulator from the shell until interrupted.

Imported only by that command, so the CLI does not pull starlette and uvicorn otherwise.

What it prints is for programs first: the first line on standard output is one JSON object
(``base_url``, ``control_url``, ``access_keys``, ``sts_tokens``, ``tokens``, ``artifacts``), so a
test suite in any language can start ``yunxiao-emas emulator --port 0`` and read where it
listens; lines for people follow.
"""

from __future__ import annotations

import errno
import json
import secrets
import shlex
import signal
import threading
from collections.abc import Mapping, Sequence
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import click

DEMO_ORGANIZATION = "emulated-org"
DEMO_SERVICE_CONNECTION = 122
MISSING_EXTRA = "the emulator needs the mock extra: pip install 'yunxiao-emas[mock]'"


class CommandFailure(Exception):
    """The emulator cannot start: one line for the user, and the exit code."""

    def __init__(self, message: str, exit_code: int) -> None:
        super().__init__(message)
        self.exit_code = exit_code


def _check_extra() -> None:
    missing = []
    for module in ("starlette", "uvicorn", "yaml"):
        try:
            __import__(module)
        except ImportError:
            missing.append(module)
    if missing:
        raise CommandFailure(f"{MISSING_EXTRA} (missing: {', '.join(missing)})", 2)


def _configuration(
    config_file: Path | None,
    access_key_id: str | None,
    access_key_secret: str | None,
) -> dict[str, Any]:
    """The configuration: the file's, with the command's key and a token when it has none."""
    from ..testing import DEFAULT_ACCESS_KEY_ID
    from ..testing._config import EmulatorConfigError, load_config

    config: dict[str, Any] = {}
    if config_file is not None:
        try:
            config = load_config(config_file)
        except EmulatorConfigError as exc:
            raise CommandFailure(f"emulator config {exc}", 2) from None
    keys = config.get("access_keys")
    explicit = access_key_id is not None or access_key_secret is not None
    if explicit or (keys is None and config.get("sts_tokens") is None):
        if keys is not None and not isinstance(keys, Mapping):
            raise CommandFailure(f"emulator config {config_file}: access_keys must be a mapping", 2)
        # A random secret unless given: the emulator's own, printed so it can be pasted.
        key_id = access_key_id or DEFAULT_ACCESS_KEY_ID
        config["access_keys"] = {
            **(keys or {}),
            key_id: access_key_secret or secrets.token_urlsafe(18),
        }
    if config.get("tokens") is None:
        config["tokens"] = [f"pt-emulator-{secrets.token_urlsafe(18)}"]
    return config


def _tokens_of(config: Mapping[str, Any]) -> list[str]:
    return [
        entry if isinstance(entry, str) else str(entry.get("token"))
        for entry in config.get("tokens") or []
    ]


def run_emulator(
    *,
    host: str,
    port: int,
    access_key_id: str | None,
    access_key_secret: str | None,
    artifacts: Sequence[Path],
    config_file: Path | None,
    control_api: bool | None,
    ssl_certfile: str | None,
    ssl_keyfile: str | None,
) -> None:
    """Serve until interrupted (Ctrl+C or SIGTERM); :class:`CommandFailure` when it cannot."""
    _check_extra()
    from ..testing import EmulatedService, EmulatorConfigError
    from ..testing._config import MAX_GENERATED_SIZE, read_regular_file

    config = _configuration(config_file, access_key_id, access_key_secret)
    base_dir = config_file.parent if config_file is not None else None
    try:
        service = EmulatedService.from_config(config, base_dir=base_dir)
    except EmulatorConfigError as exc:
        where = f" {config_file}" if config_file is not None else ""
        raise CommandFailure(f"emulator config{where}: {exc}", 2) from None
    service.control_api = control_api
    for number, path in enumerate(artifacts, start=1):
        try:  # a regular file, bounded: not a FIFO (a start that never comes), not /dev/zero
            content = read_regular_file(path, MAX_GENERATED_SIZE, "--artifact")
        except EmulatorConfigError as exc:
            raise CommandFailure(str(exc), 2) from None
        service.add_artifact(
            DEMO_ORGANIZATION,
            1000 + number,
            1,
            f"emas-job-{number}",
            content,
            service_connection_id=DEMO_SERVICE_CONNECTION,
            filename=path.name,
        )
    service.mark_baseline()

    with ExitStack() as stack:
        try:
            base_url = stack.enter_context(
                service.serve(
                    host=host, port=port, ssl_certfile=ssl_certfile, ssl_keyfile=ssl_keyfile
                )
            )
        except OSError as exc:
            hint = ""
            if exc.errno == errno.EADDRINUSE:
                hint = "; another program uses it: pick another --port (0 picks a free one)"
            raise CommandFailure(
                f"cannot listen on {host} port {port}: {exc.strerror or exc}{hint}", 4
            ) from None
        except RuntimeError as exc:
            cause = f": {exc.__cause__}" if exc.__cause__ else ""
            raise CommandFailure(f"{exc}{cause}", 4) from None
        stop = threading.Event()
        # `kill PID` in a CI script stops the emulator as cleanly as Ctrl+C does; in place
        # before the first line, which is when a script may send it.
        previous = signal.signal(signal.SIGTERM, lambda signum, frame: stop.set())
        stack.callback(signal.signal, signal.SIGTERM, previous)
        _announce(service, base_url, config, host)
        try:
            while not stop.wait(0.5):
                pass
        except KeyboardInterrupt:
            pass
        click.echo("stopping")


def _announce(service: Any, base_url: str, config: Mapping[str, Any], host: str) -> None:
    keys: dict[str, str] = dict(config.get("access_keys") or {})
    sts = {key: list(pair) for key, pair in (config.get("sts_tokens") or {}).items()}
    tokens = _tokens_of(config)
    registered: list[dict[str, Any]] = service.artifacts()
    from ..testing import CONTROL_PREFIX

    control_url = f"{base_url}{CONTROL_PREFIX}" if service.serves_control_api_on(host) else None
    ready = {
        "base_url": base_url,
        "control_url": control_url,
        "access_keys": keys,
        "sts_tokens": sts,
        "tokens": tokens,
        "artifacts": registered,
    }
    click.echo(json.dumps(ready))
    click.echo(f"Yunxiao emulator listening on {base_url}")
    for key_id, secret in keys.items():
        click.echo(f"  access key id:     {key_id}")
        click.echo(f"  access key secret: {secret}   (the emulator's, not a real key)")
    for token in tokens:
        click.echo(f"  personal token:    {token}   (the token API; the emulator's own)")
    if control_url:
        click.echo(f"  control API:       {control_url}   (reset, artifacts, faults, calls)")
    env = ""
    if keys:
        key_id, secret = next(iter(keys.items()))
        env = (
            f"ALIBABA_CLOUD_ACCESS_KEY_ID={shlex.quote(key_id)} "
            f"ALIBABA_CLOUD_ACCESS_KEY_SECRET={shlex.quote(secret)} "
        )
    for artifact in registered:
        click.echo(
            f"\nartifact {artifact['filename']} ({artifact['size']} bytes, md5 {artifact['md5']})"
        )
        click.echo(
            f"  organization {artifact['organization_id']}, pipeline {artifact['pipeline_id']}, "
            f"run {artifact['pipeline_run_id']}, job {artifact['emas_job_instance_id']}, "
            f"service connection {artifact['service_connection_id'] or 'any'}"
        )
        command = download_command(base_url, artifact)
        if env:
            click.echo(f"  download: {env}{command}")
        if tokens:
            click.echo(f"  with the token API: YUNXIAO_TOKEN={shlex.quote(tokens[0])} {command}")
    click.echo("\nPress Ctrl+C to stop.")


def download_command(base_url: str, artifact: Mapping[str, Any]) -> str:
    """A ready-to-paste ``yunxiao-emas download`` of one emulated artifact."""
    connection = artifact["service_connection_id"]
    return shlex.join(
        [
            "yunxiao-emas",
            "download",
            "--endpoint",
            base_url,
            "--organization-id",
            str(artifact["organization_id"]),
            "--pipeline-id",
            str(artifact["pipeline_id"]),
            "--pipeline-run-id",
            str(artifact["pipeline_run_id"]),
            "--emas-job-instance-id",
            str(artifact["emas_job_instance_id"]),
            "--md5",
            str(artifact["md5"]),
            "--service-connection-id",
            str(DEMO_SERVICE_CONNECTION if connection is None else connection),
            "--output",
            ".",
        ]
    )
