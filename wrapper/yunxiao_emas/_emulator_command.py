"""``yunxiao-emas emulator``: serve the emulator from the shell until interrupted.

Imported only by that command, so the CLI does not pull starlette and uvicorn otherwise.
"""

from __future__ import annotations

import secrets
import shlex
import threading
from collections.abc import Sequence
from pathlib import Path

import click

DEMO_ORGANIZATION = "emulated-org"
DEMO_SERVICE_CONNECTION = 122


def run_emulator(
    *,
    host: str,
    port: int,
    access_key_id: str,
    access_key_secret: str | None,
    artifacts: Sequence[Path],
    ssl_certfile: str | None,
    ssl_keyfile: str | None,
) -> None:
    try:
        from .testing import EmulatedService
    except ImportError:
        raise click.ClickException(
            "the emulator needs the mock extra: pip install 'yunxiao-emas[mock]'"
        ) from None

    # A random secret and token unless given: the emulator's own, printed so they can be pasted.
    secret = access_key_secret or secrets.token_urlsafe(18)
    token = f"pt-emulator-{secrets.token_urlsafe(18)}"
    service = EmulatedService(access_keys={access_key_id: secret}, tokens=[token])
    registered = []
    for number, path in enumerate(artifacts, start=1):
        md5 = service.add_artifact(
            DEMO_ORGANIZATION,
            1000 + number,
            1,
            f"emas-job-{number}",
            path.read_bytes(),
            service_connection_id=DEMO_SERVICE_CONNECTION,
            filename=path.name,
        )
        registered.append((path, 1000 + number, f"emas-job-{number}", md5))

    with service.serve(
        host=host, port=port, ssl_certfile=ssl_certfile, ssl_keyfile=ssl_keyfile
    ) as base_url:
        click.echo(f"Yunxiao emulator listening on {base_url}")
        click.echo(f"  access key id:     {access_key_id}")
        click.echo(f"  access key secret: {secret}   (the emulator's, not a real key)")
        click.echo(f"  personal token:    {token}   (the token API; the emulator's own)")
        env = (
            f"ALIBABA_CLOUD_ACCESS_KEY_ID={shlex.quote(access_key_id)} "
            f"ALIBABA_CLOUD_ACCESS_KEY_SECRET={shlex.quote(secret)}"
        )
        for path, pipeline_id, job, md5 in registered:
            click.echo(f"\nartifact {path.name} ({path.stat().st_size} bytes, md5 {md5})")
            click.echo(
                f"  organization {DEMO_ORGANIZATION}, pipeline {pipeline_id}, run 1, "
                f"job {job}, service connection {DEMO_SERVICE_CONNECTION}"
            )
            command = download_command(base_url, pipeline_id, job, md5)
            click.echo(f"  download: {env} {command}")
            click.echo(f"  with the token API: YUNXIAO_TOKEN={shlex.quote(token)} {command}")
        click.echo("\nPress Ctrl+C to stop.")
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            click.echo("stopping")


def download_command(base_url: str, pipeline_id: int, job: str, md5: str) -> str:
    """A ready-to-paste ``yunxiao-emas download`` of one emulated artifact."""
    return shlex.join(
        [
            "yunxiao-emas",
            "download",
            "--endpoint",
            base_url,
            "--organization-id",
            DEMO_ORGANIZATION,
            "--pipeline-id",
            str(pipeline_id),
            "--pipeline-run-id",
            "1",
            "--emas-job-instance-id",
            job,
            "--md5",
            md5,
            "--service-connection-id",
            str(DEMO_SERVICE_CONNECTION),
            "--output",
            ".",
        ]
    )
