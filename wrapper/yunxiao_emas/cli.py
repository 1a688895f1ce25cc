"""The ``yunxiao-emas`` command: get the URL, download the artifact, run the emulator,
check the contract. Needs the ``cli`` extra (click, rich).

Exit codes (documented in the README):
0 ok · 1 the contract check found drift · 2 invalid arguments or no usable credentials ·
3 the API answered with an error · 4 network or download failure · 5 checksum mismatch.
Expected failures print one line on stderr, never a traceback and never a secret.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NoReturn, TypeVar

try:
    import click
except ImportError as exc:  # pragma: no cover - exercised by users without the extra
    raise SystemExit(
        "the yunxiao-emas command needs the cli extra: pip install 'yunxiao-emas[cli]'"
    ) from exc

from . import __version__
from .client import DEFAULT_ENDPOINT, DEFAULT_TOKEN_ENDPOINT, Client
from .credentials import (
    CliProfileCredentials,
    CredentialsProvider,
    DefaultCredentialsChain,
    IniFileCredentials,
    PersonalAccessToken,
)
from .errors import (
    ApiError,
    ChecksumMismatchError,
    CredentialsError,
    DownloadError,
    InvalidArgumentError,
    TransportError,
)
from .models import ArtifactUrl, DownloadedArtifact

EXIT_OK = 0
EXIT_DRIFT = 1
EXIT_INVALID = 2
EXIT_API = 3
EXIT_NETWORK = 4
EXIT_CHECKSUM = 5

F = TypeVar("F", bound=Callable[..., Any])


def _fail(message: str, code: int) -> NoReturn:
    click.echo(f"yunxiao-emas: {message}", err=True)
    sys.exit(code)


@contextmanager
def _expected_failures() -> Iterator[None]:
    """Map the package's errors to one line and an exit code."""
    try:
        yield
    except InvalidArgumentError as exc:
        _fail(f"invalid argument {_cli_words(str(exc))}", EXIT_INVALID)
    except CredentialsError as exc:
        _fail(f"credentials: {exc}", EXIT_INVALID)
    except ApiError as exc:
        line = f"{exc.code or 'error'}: {exc.message} (HTTP {exc.status_code}"
        line += f", request id {exc.request_id})" if exc.request_id else ")"
        if exc.recommend:
            line += f" see {exc.recommend}"
        _fail(line, EXIT_API)
    except ChecksumMismatchError as exc:
        _fail(f"checksum mismatch: {exc}; nothing was written", EXIT_CHECKSUM)
    except TransportError as exc:
        _fail(f"network: {exc}", EXIT_NETWORK)
    except DownloadError as exc:
        if isinstance(exc.__cause__, FileExistsError):
            # Found only once the file host named the file: still the user's choice to make.
            _fail(_cli_words(str(exc)), EXIT_INVALID)
        _fail(f"download failed: {exc}", EXIT_NETWORK)


def _cli_words(message: str) -> str:
    """The library's messages name Python arguments; say the command line's options."""
    return message.replace("pass overwrite=True", "use --overwrite").replace("dest:", "--output:")


def _ids(function: F) -> F:
    """The ids of one artifact, shared by url, download and check-contract."""
    options = [
        click.option("--organization-id", required=True, help="Organization (company) id."),
        click.option("--pipeline-id", required=True, type=int, help="Pipeline id."),
        click.option("--pipeline-run-id", required=True, type=int, help="Pipeline run id."),
        click.option("--emas-job-instance-id", required=True, help="EMAS job id."),
        click.option("--md5", required=True, help="md5 of the EMAS artifact."),
        click.option(
            "--service-connection-id", required=True, type=int, help="Service connection id."
        ),
    ]
    for option in reversed(options):
        function = option(function)
    return function


def _connection(function: F) -> F:
    function = click.option(
        "--token",
        default=None,
        help="A Yunxiao personal access token: selects the token API. Prefer the variable "
        "YUNXIAO_TOKEN, which the default credentials chain reads (a command line is visible "
        "to other users of the machine).",
    )(function)
    function = click.option(
        "--profile",
        default=None,
        help="Profile of ~/.aliyun/config.json or ~/.alibabacloud/credentials.ini "
        "(default: the environment, YUNXIAO_TOKEN, then the current profile).",
    )(function)
    function = click.option(
        "--endpoint",
        default=None,
        help="API host name, or a base URL such as http://127.0.0.1:8080 (the emulator). "
        f"Default: {DEFAULT_ENDPOINT} with an AccessKey, {DEFAULT_TOKEN_ENDPOINT} with a token.",
    )(function)
    return function


def _credentials(profile: str | None, token: str | None) -> CredentialsProvider | None:
    # A profile or a token named on the command line is what the user means: the
    # environment's keys do not override it.
    if profile is not None and token is not None:
        raise InvalidArgumentError("--token", "give either --token or --profile, not both")
    if token is not None:
        return PersonalAccessToken(token)
    if profile is None:
        return None
    return DefaultCredentialsChain(
        [CliProfileCredentials(profile=profile), IniFileCredentials(profile=profile)]
    )


def _ids_of(kwargs: dict[str, Any]) -> tuple[str, int, int, str, str]:
    return (
        kwargs["organization_id"],
        kwargs["pipeline_id"],
        kwargs["pipeline_run_id"],
        kwargs["emas_job_instance_id"],
        kwargs["md5"],
    )


def _url_json(url: ArtifactUrl) -> dict[str, str]:
    return {
        "url": url.file_url,
        "request_id": url.request_id,
        "expires_at": url.expires_at.isoformat(),
    }


def _download_json(result: DownloadedArtifact) -> dict[str, Any]:
    return {
        "path": str(result.path),
        "size": result.size,
        "md5": result.md5,
        "verified": result.verified,
        "request_id": result.request_id,
    }


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="yunxiao-emas")
def main() -> None:
    """Get the EMAS artifact of an Alibaba Cloud DevOps (Yunxiao) pipeline run.

    Credentials come from ALIBABA_CLOUD_ACCESS_KEY_ID / ALIBABA_CLOUD_ACCESS_KEY_SECRET
    (and ALIBABA_CLOUD_SECURITY_TOKEN), a personal access token in YUNXIAO_TOKEN, the aliyun
    CLI profile, or the INI credentials file. An AccessKey calls the signed API
    (GetPipelineEmasArtifactUrl); a token calls Yunxiao's newer OpenAPI.
    """


@main.command()
@_ids
@_connection
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def url(
    endpoint: str | None, profile: str | None, token: str | None, as_json: bool, **ids: Any
) -> None:
    """Print the temporary (one hour) download URL of the artifact."""
    service_connection_id = ids.pop("service_connection_id")
    with (
        _expected_failures(),
        Client(credentials=_credentials(profile, token), endpoint=endpoint) as client,
    ):
        result = client.get_pipeline_emas_artifact_url(
            *_ids_of(ids), service_connection_id=service_connection_id
        )
    if as_json:
        click.echo(json.dumps(_url_json(result)))
    else:
        click.echo(result.file_url)


@main.command()
@_ids
@_connection
@click.option(
    "--output",
    "-o",
    type=click.Path(path_type=Path),
    default=Path("."),
    show_default=True,
    help="A file, or an existing directory (the name then comes from the file host).",
)
@click.option("--overwrite", is_flag=True, help="Replace an existing file.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def download(
    endpoint: str | None,
    profile: str | None,
    token: str | None,
    output: Path,
    overwrite: bool,
    quiet: bool,
    as_json: bool,
    **ids: Any,
) -> None:
    """Download the artifact, verified against --md5, resuming on dropped connections."""
    service_connection_id = ids.pop("service_connection_id")
    show_progress = not quiet and not as_json and sys.stderr.isatty()
    with (
        _expected_failures(),
        _progress(show_progress) as progress,
        Client(credentials=_credentials(profile, token), endpoint=endpoint) as client,
    ):
        result = client.download_pipeline_emas_artifact(
            *_ids_of(ids),
            output,
            service_connection_id=service_connection_id,
            overwrite=overwrite,
            progress=progress,
        )
    if as_json:
        click.echo(json.dumps(_download_json(result)))
    else:
        state = "verified" if result.verified else "not verified (the md5 given is not hex)"
        click.echo(f"{result.path}  {result.size} bytes  md5 {result.md5}  {state}")


@contextmanager
def _progress(enabled: bool) -> Iterator[Callable[[int, int | None], None] | None]:
    """A rich progress bar (size, speed, time left) on a terminal; nothing otherwise."""
    if not enabled:
        yield None
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        DownloadColumn,
        Progress,
        TimeRemainingColumn,
        TransferSpeedColumn,
    )

    columns = (BarColumn(), DownloadColumn(), TransferSpeedColumn(), TimeRemainingColumn())
    with Progress(*columns, console=Console(stderr=True), transient=False) as bar:
        task = bar.add_task("download", total=None)

        def update(done: int, total: int | None) -> None:
            bar.update(task, completed=done, total=total)

        yield update


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind.")
@click.option("--port", default=8080, show_default=True, type=int, help="0 picks a free port.")
@click.option("--access-key-id", default="LTAIemulator", show_default=True)
@click.option(
    "--access-key-secret",
    default=None,
    help="Default: a random secret, printed at start (the emulator's, not a real one).",
)
@click.option(
    "--artifact",
    "artifacts",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A file to serve as an EMAS artifact (repeatable).",
)
@click.option("--ssl-certfile", type=click.Path(exists=True, dir_okay=False), default=None)
@click.option("--ssl-keyfile", type=click.Path(exists=True, dir_okay=False), default=None)
def emulator(
    host: str,
    port: int,
    access_key_id: str,
    access_key_secret: str | None,
    artifacts: tuple[Path, ...],
    ssl_certfile: str | None,
    ssl_keyfile: str | None,
) -> None:
    """Run the service emulator (needs the mock extra) until interrupted."""
    from ._emulator_command import run_emulator

    run_emulator(
        host=host,
        port=port,
        access_key_id=access_key_id,
        access_key_secret=access_key_secret,
        artifacts=artifacts,
        ssl_certfile=ssl_certfile,
        ssl_keyfile=ssl_keyfile,
    )


@main.command(name="check-contract")
@_ids
@_connection
def check_contract(
    endpoint: str | None, profile: str | None, token: str | None, **ids: Any
) -> None:
    """Check that an endpoint still answers as openapi.yaml says (three fixed calls).

    Of the API the credentials select: one success with the given ids, one unknown pipeline
    run, one request without credentials; every answer is validated against the bundled
    openapi.yaml. Never fuzzes the endpoint.
    """
    from ._contract import check_endpoint
    from ._operations import Ids

    service_connection_id = ids.pop("service_connection_id")
    with (
        _expected_failures(),
        Client(credentials=_credentials(profile, token), endpoint=endpoint, retries=0) as client,
    ):
        report = check_endpoint(client, Ids.check(*_ids_of(ids), service_connection_id))
    for line in report.lines():
        click.echo(line)
    sys.exit(EXIT_OK if report.ok else EXIT_DRIFT)


if __name__ == "__main__":  # pragma: no cover
    main()
