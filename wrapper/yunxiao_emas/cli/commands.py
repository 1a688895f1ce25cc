"""The ``yunxiao-emas`` command: get the URL, download the artifact, run the emulator,
check the contract. Needs the ``cli`` extra (click, rich). ``python -m yunxiao_emas`` runs it too.

Exit codes (documented in the CLI reference, docs/reference/cli.md):
0 ok · 1 the contract check found drift · 2 invalid arguments, no usable credentials, or the
credentials or signature refused by check-contract · 3 the API answered with an error · 4 network
or download failure (the emulator: cannot listen) · 5 checksum mismatch.
Expected failures print one line on stderr (with ``--json``: one JSON object on stdout), never a
traceback and never a secret. Every option can also be set by an environment variable,
``YUNXIAO_EMAS_<OPTION>`` (``--endpoint``: ``YUNXIAO_EMAS_ENDPOINT``), shown in ``--help``.
"""

from __future__ import annotations

import json
import logging
import os
import re
import sys
import traceback
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

try:
    import click
except ImportError:  # pragma: no cover - exercised by users without the extra
    sys.stderr.write(
        "yunxiao-emas: the command needs the cli extra: pip install 'yunxiao-emas[cli]'\n"
    )
    raise SystemExit(2) from None

# Only what ``--help`` needs is imported here: the client (and httpx with it) is imported by
# the commands that call the API, so that ``yunxiao-emas --help`` starts as fast as a bare
# ``import httpx`` (measured by ``python -m bench --only imports``).
from .. import __version__
from .._call.hosts import PAT_API_HOST, SIGNED_API_HOST
from ..credentials import (
    CliProfileCredentials,
    CredentialsProvider,
    DefaultCredentialsChain,
    IniFileCredentials,
    OfficialCredentials,
    PersonalAccessToken,
)
from ..errors import (
    ApiError,
    AuthenticationError,
    ChecksumMismatchError,
    CredentialsError,
    DownloadError,
    ForbiddenError,
    InvalidArgumentError,
    NoMatchError,
    NotFoundError,
    TransportError,
    YunxiaoError,
)
from .process import (
    EXIT_INTERNAL,
    EXIT_OUTPUT,
    Interrupted,
    env_flag,
    exit_code_of,
    signals_interrupt,
    stdout_lost,
)

if TYPE_CHECKING:
    from ..client import Client
    from ..models import ArtifactUrl, DownloadedArtifact

EXIT_OK = 0
EXIT_DRIFT = 1
EXIT_INVALID = 2
EXIT_API = 3
EXIT_NETWORK = 4
EXIT_CHECKSUM = 5

ENV_PREFIX = "YUNXIAO_EMAS"
"""Every option ``--some-option`` is also read from ``YUNXIAO_EMAS_SOME_OPTION``."""

F = TypeVar("F", bound=Callable[..., Any])

_log = logging.getLogger("yunxiao_emas.cli")

# What to do about the errors people meet first (docs/guides/troubleshooting.md).
_NOT_THIS_RUNS = (
    "the EMAS job instance id or the md5 is not one of this run's: `yunxiao-emas run "
    "--organization-id ... --pipeline-id ... --pipeline-run-id ...` shows the run's EMAS "
    "artifacts (or leave --emas-job-instance-id and --md5 out: they are then found)"
)
_HINTS = {
    "SignatureDoesNotMatch": "the AccessKey secret is not the one of this AccessKey id",
    "IncompleteSignature": "the AccessKey secret is not the one of this AccessKey id",
    "InvalidAccessKeyId.NotFound": "no such AccessKey id (deleted, mistyped, or another account's)",
    "InvalidAccessKeyId.Inactive": "the AccessKey is disabled in the RAM console",
    "InvalidTimeStamp.Expired": "this machine's clock is more than 15 minutes off: sync it (NTP)",
    "InvalidSecurityToken.Expired": "the STS token has expired: get a fresh one",
    "InvalidSecurityToken.Malformed": "the STS token does not belong to this AccessKey",
    "MissingSecurityToken": "an STS AccessKey (STS.…) needs ALIBABA_CLOUD_SECURITY_TOKEN too",
    "InvalidOrganization.NotFound": "check --organization-id (the id in the console's URL)",
    "Forbidden.UserNotInCurrentOrganization": (
        "the AccessKey's user is not a member of this organization: add it, or check "
        "--organization-id"
    ),
    "InvalidUser.UserNotInCurrentOrganization": (
        "the AccessKey's user is not a member of this organization"
    ),
    "InvalidPipeline.NotFound": "check --pipeline-id",
    "InvalidPipelineRun.NotFound": "check --pipeline-run-id",
    "InvalidIdentifier.NotFound": _NOT_THIS_RUNS,
    "Forbidden.AccessDenied": (
        "the AccessKey's user may not use this service connection (--service-connection-id) "
        "or read this pipeline: check the connection's members in Yunxiao, or give the EMAS "
        "job's own connection (`yunxiao-emas run` shows it)"
    ),
    "Throttling.User": "too many calls: wait, or raise --retries",
}


def _token_artifact_call(exc: ApiError) -> bool:
    """Whether ``exc`` answers a call of the token API for an artifact's URL."""
    request = exc.response.request if exc.response is not None else None
    return request is not None and request.url.path.endswith("/getEmasArtifactDownloadUrl")


def _hint(exc: ApiError) -> str | None:
    if exc.status_code == 404 and _token_artifact_call(exc):
        return _NOT_THIS_RUNS  # the token API's InvalidIdentifier.NotFound, whatever its code
    hint = _HINTS.get(exc.code or "")
    if hint is None and isinstance(exc, AuthenticationError) and exc.status_code == 401:
        hint = "the personal access token is unknown, expired or revoked: make a new one"
    return hint


# --- failures: one line, or one JSON object ------------------------------------------------


def _json_wanted() -> bool:
    context = click.get_current_context(silent=True)
    while context is not None:
        if context.params.get("as_json"):
            return True
        context = context.parent
    return False


def _fail(
    message: str,
    exit_code: int,
    *,
    error: str,
    code: str | None = None,
    request_id: str | None = None,
    as_json: bool | None = None,
) -> NoReturn:
    """Report a failure and exit: one line on stderr, or with ``--json`` one JSON object on
    stdout (``error``, ``code``, ``message``, ``request_id``, ``exit_code``)."""
    # One line even when the service's message has several (the gateway's often does), and
    # nothing a terminal would take for a command: the answer's code, message, request id and
    # link are the server's text.
    message = _printable(" ".join(message.split()))
    if _json_wanted() if as_json is None else as_json:
        click.echo(
            json.dumps(
                {
                    "error": error,
                    "code": code,
                    "message": message,
                    "request_id": request_id,
                    "exit_code": exit_code,
                }
            )
        )
    else:
        click.echo(f"yunxiao-emas: {message}", err=True)
    sys.exit(exit_code)


_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def _printable(text: str) -> str:
    """``text`` with every control character (C0, DEL, C1: ESC and CSI among them) shown as a
    ``\\xNN`` escape rather than sent to the terminal."""
    return _UNPRINTABLE.sub(lambda match: f"\\x{ord(match.group()):02x}", text)


def _api_line(exc: ApiError) -> str:
    line = f"{exc.code or 'error'}: {exc.message} (HTTP {exc.status_code}"
    line += f", request id {exc.request_id})" if exc.request_id else ")"
    hint = _hint(exc)
    if hint:
        line += f"; {hint}"
    if exc.recommend:
        line += f"; see {exc.recommend}"
    return line


@contextmanager
def _expected_failures() -> Iterator[None]:
    """Map the package's errors to one line (or JSON object) and an exit code."""
    try:
        yield
    except InvalidArgumentError as exc:
        _fail(f"invalid argument {_cli_words(exc)}", EXIT_INVALID, error=type(exc).__name__)
    except CredentialsError as exc:
        _fail(f"credentials: {exc}", EXIT_INVALID, error=type(exc).__name__)
    except NoMatchError as exc:
        _fail(str(exc), EXIT_API, error=type(exc).__name__)
    except ApiError as exc:
        _fail(
            _api_line(exc),
            EXIT_API,
            error=type(exc).__name__,
            code=exc.code or None,
            request_id=exc.request_id,
        )
    except ChecksumMismatchError as exc:
        _fail(
            f"checksum mismatch: {exc}; nothing was written",
            EXIT_CHECKSUM,
            error=type(exc).__name__,
        )
    except TransportError as exc:
        _fail(f"network: {exc}", EXIT_NETWORK, error=type(exc).__name__)
    except DownloadError as exc:
        if _occupied(exc) is not None:
            # Found only once the file host named the file: still the user's choice to make.
            _fail(_cli_words(exc), EXIT_INVALID, error=type(exc).__name__)
        _fail(f"download failed: {exc}", EXIT_NETWORK, error=type(exc).__name__)


# The library's parameters that the command line calls otherwise.
_OPTIONS = {"dest": "--output", "overwrite": "--overwrite"}


def _occupied(exc: YunxiaoError) -> Any:
    """The download's reason not to write a file (names.Occupied), if that is the error."""
    from .._download.names import Occupied

    return exc.__cause__ if isinstance(exc.__cause__, Occupied) else None


def _cli_words(exc: InvalidArgumentError | DownloadError) -> str:
    """The error in the command line's words: its options, not the library's parameters."""
    occupied = _occupied(exc)
    reason = occupied.say(_OPTIONS["overwrite"]) if occupied is not None else None
    if isinstance(exc, InvalidArgumentError):
        return f"{_OPTIONS.get(exc.parameter, exc.parameter)}: {reason or exc.rule}"
    return reason or str(exc)


# --- logging (-v) ----------------------------------------------------------------------------


def _set_up_logging(verbosity: int) -> None:
    """The ``yunxiao_emas`` logger to stderr: warnings, -v INFO (the credentials source, each
    retry and its wait), -vv DEBUG (and httpx's request lines, pre-signed URLs redacted)."""
    level = logging.WARNING if verbosity <= 0 else logging.INFO if verbosity == 1 else logging.DEBUG
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s", "%H:%M:%S")
    )
    loggers = ["yunxiao_emas"] + (["httpx"] if verbosity >= 2 else [])
    for name in loggers:
        logger = logging.getLogger(name)
        logger.handlers[:] = [handler]
        logger.setLevel(level if name == "yunxiao_emas" else logging.INFO)
        logger.propagate = False


# --- options ---------------------------------------------------------------------------------


def _ids(function: F) -> F:
    """The ids of one artifact, shared by url, download and check-contract."""
    options = [
        click.option("--organization-id", required=True, help="Organization (company) id."),
        click.option("--pipeline-id", required=True, type=int, help="Pipeline id."),
        click.option("--pipeline-run-id", required=True, type=int, help="Pipeline run id."),
        click.option(
            "--emas-job-instance-id",
            required=True,
            help="EMAS job id (from GetPipelineRun; see the documentation, Getting started).",
        ),
        click.option(
            "--md5", required=True, help="md5 of the EMAS artifact (from GetPipelineRun)."
        ),
        click.option(
            "--service-connection-id", required=True, type=int, help="Service connection id."
        ),
    ]
    for option in reversed(options):
        function = option(function)
    return function


def _connection(function: F) -> F:
    options = [
        click.option(
            "--endpoint",
            default=None,
            help="API host name, or a base URL such as http://127.0.0.1:8080 (the emulator). "
            f"Default: {SIGNED_API_HOST} with an AccessKey, {PAT_API_HOST} with a "
            "token (the token API of another edition: your instance's domain).",
        ),
        click.option(
            "--edition",
            type=click.Choice(["central", "region"]),
            default=None,
            help="The token API's edition: central (paths under /organizations/ID) or region "
            "(an instance's own domain, paths without it). Default: central for "
            f"{PAT_API_HOST} and loopback, region for any other host.",
        ),
        click.option(
            "--profile",
            default=None,
            help="Profile of ~/.aliyun/config.json or ~/.alibabacloud/credentials.ini "
            "(default: the environment, YUNXIAO_TOKEN, then the current profile).",
        ),
        click.option(
            "--token",
            default=None,
            help="A Yunxiao personal access token: selects the token API. Prefer the variable "
            "YUNXIAO_TOKEN, which the default credentials chain reads (a command line is "
            "visible to other users of the machine).",
        ),
        click.option(
            "--proxy",
            default=None,
            metavar="URL",
            help="Proxy for the API and the download (http, https, socks5). Default: "
            "HTTPS_PROXY / HTTP_PROXY / NO_PROXY; never for loopback.",
        ),
        click.option(
            "--ca-bundle",
            default=None,
            type=click.Path(exists=True, path_type=str),
            help="CA certificates (a PEM file or a directory) to verify TLS with, e.g. a "
            "corporate proxy's.",
        ),
        click.option(
            "--timeout",
            default=None,
            type=click.FloatRange(min=0, min_open=True),
            metavar="SECONDS",
            help="Timeout of each connect, read and write (default 30, 10 to connect).",
        ),
        click.option(
            "-v",
            "--verbose",
            count=True,
            help="Log to stderr: -v the credentials source used and each retry with its "
            "wait; -vv also each HTTP request.",
        ),
    ]
    for option in reversed(options):
        function = option(function)
    return function


def _retries(function: F) -> F:
    return click.option(
        "--retries",
        default=2,
        show_default=True,
        type=click.IntRange(min=0),
        help="Retries of a failed call (throttling, 5xx, network), with backoff.",
    )(function)


def _json_option(function: F) -> F:
    return click.option(
        "--json",
        "as_json",
        is_flag=True,
        help="Print one JSON object on stdout: the result, or the error (error, code, "
        "message, request_id, exit_code).",
    )(function)


def _credentials(profile: str | None, token: str | None) -> CredentialsProvider | None:
    # A profile or a token named on the command line is what the user means: the
    # environment's keys do not override it.
    if profile is not None and token is not None:
        raise InvalidArgumentError("--token", "give either --token or --profile, not both")
    if token is not None:
        _log.info("credentials from --token")
        return PersonalAccessToken(token)
    if profile is None:
        return None
    providers: list[CredentialsProvider] = [
        CliProfileCredentials(profile=profile),
        IniFileCredentials(profile=profile),
    ]
    if OfficialCredentials.has_something_to_read(profile):
        providers.append(OfficialCredentials(profile=profile))
    return DefaultCredentialsChain(providers)


def _client(options: dict[str, Any], *, retries: int | None = None) -> Client:
    """The client the connection options describe (``options`` loses them)."""
    _set_up_logging(options.pop("verbose"))
    credentials = _credentials(options.pop("profile"), options.pop("token"))
    ca_bundle = options.pop("ca_bundle")
    from ..client import Client

    return Client(
        credentials=credentials,
        endpoint=options.pop("endpoint"),
        proxy=options.pop("proxy"),
        verify=ca_bundle if ca_bundle is not None else True,
        timeout=options.pop("timeout"),
        retries=options.pop("retries") if retries is None else retries,
        edition=options.pop("edition"),
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
        "skipped": getattr(result, "skipped", False),
        "request_id": result.request_id,
    }


def binary_size(size: float) -> str:
    """A size in binary units, as the CLI prints them: ``1.5 MiB``."""
    for unit in ("bytes", "KiB", "MiB", "GiB"):
        if size < 1024 or unit == "GiB":
            return f"{size:.0f} {unit}" if unit == "bytes" else f"{size:.1f} {unit}"
        size /= 1024
    raise AssertionError("unreachable")  # pragma: no cover


# --- the commands ----------------------------------------------------------------------------


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="yunxiao-emas")
def cli() -> None:
    """Get the EMAS artifact of an Alibaba Cloud DevOps (Yunxiao) pipeline run.

    Credentials come from ALIBABA_CLOUD_ACCESS_KEY_ID / ALIBABA_CLOUD_ACCESS_KEY_SECRET
    (and ALIBABA_CLOUD_SECURITY_TOKEN), a personal access token in YUNXIAO_TOKEN, the aliyun
    CLI profile, or the INI credentials file (roles and SSO profiles with the credentials
    extra). An AccessKey calls the signed API (GetPipelineEmasArtifactUrl); a token calls
    Yunxiao's newer OpenAPI. Every option can also be set as YUNXIAO_EMAS_<OPTION>.
    """


def _ids_to_find(function: F) -> F:
    from .finding import ids_to_find

    return ids_to_find(function)


@cli.command()
@_ids_to_find
@_connection
@_retries
@_json_option
def url(as_json: bool, **options: Any) -> None:
    """Print the temporary (one hour) download URL of the artifact.

    Only --organization-id and --pipeline-id are needed: the other ids are found (the latest
    SUCCESS run, its EMAS job's artifact, the job's or the organization's EMAS service
    connection) and printed on stderr, so that the next run can pin them.
    """
    from .finding import found_json, resolve_ids

    with _expected_failures(), _client(options) as client:
        resolved = resolve_ids(client, options, as_json=as_json)
        result = client.get_pipeline_emas_artifact_url(**resolved.ids())
    if as_json:
        click.echo(json.dumps({**_url_json(result), **found_json(resolved)}))
    else:
        click.echo(result.file_url)


@cli.command()
@_ids_to_find
@_connection
@_retries
@click.option(
    "--output",
    "-o",
    # A str, not a Path: "build/" must keep its separator, which says "a directory".
    type=click.Path(path_type=str),
    default=".",
    show_default=True,
    help="A file, or a directory: an existing one, or any path ending with / (created). "
    "The name in a directory comes from the file host. A missing path without a final / is "
    "a file's name: -o newdir writes a file named newdir (-o newdir/ makes the directory). "
    "The last line printed says where the file went.",
)
@click.option(
    "--connections",
    default=4,
    show_default=True,
    type=click.IntRange(1, 16),
    help="Connections to read the file over, in parts, when the file host allows ranges and "
    "the file is large enough (a file host that limits each connection's speed).",
)
@click.option("--overwrite", is_flag=True, help="Replace an existing file of another md5.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
@_json_option
def download(
    output: str, overwrite: bool, connections: int, quiet: bool, as_json: bool, **options: Any
) -> None:
    """Download the artifact, verified against --md5, resuming on dropped connections.

    A destination that already holds the file with this md5 is left as it is (nothing is
    downloaded). The progress bar shows on a terminal only. Only --organization-id and
    --pipeline-id are needed: the other ids are found as `url` finds them.
    """
    from .finding import found_json, resolve_ids

    show_progress = not quiet and not as_json and sys.stderr.isatty()
    # The download's own rules, so that the bar names the file it writes.
    from .._download.names import filename_from, names_a_directory

    with _expected_failures(), _client(options) as client:
        resolved = resolve_ids(client, options, as_json=as_json)
        service_connection_id = resolved.service_connection_id
        ids = _ids_of(resolved.ids())
        artifact_url = None
        name = None if names_a_directory(output) else Path(output).name
        if show_progress and name is None:
            # The bar shows the file's name, which in a directory comes from the file host.
            artifact_url = client.get_pipeline_emas_artifact_url(
                *ids, service_connection_id=service_connection_id
            )
            name = filename_from({}, artifact_url.file_url)
        with _progress(show_progress, name or "artifact") as progress:
            result = client.download_pipeline_emas_artifact(
                *ids,
                output,
                service_connection_id=service_connection_id,
                overwrite=overwrite,
                connections=connections,
                progress=progress,
                artifact_url=artifact_url,
            )
    if as_json:
        click.echo(json.dumps({**_download_json(result), **found_json(resolved)}))
        return
    size = f"{result.size} bytes ({binary_size(result.size)})"
    if getattr(result, "skipped", False):
        state = "already there with this md5: skipped, nothing downloaded"
    elif result.verified:
        state = "verified"
    else:
        state = "not verified (the md5 given is not hex)"
    click.echo(f"{result.path}  {size}  md5 {result.md5}  {state}")


@contextmanager
def _progress(enabled: bool, name: str) -> Iterator[Callable[[int, int | None], None] | None]:
    """A rich progress bar on a terminal (the name, size and speed in binary units, time
    left); nothing otherwise.

    Transient: it is erased when the download ends, however it ends (the result line or the
    error follows it), so neither a skipped download's empty bar nor a second copy of the bar
    at Ctrl-C stays on the screen. On a narrow terminal it drops the bar and the time left
    rather than wrap, and it cuts a long name, never the sizes.
    """
    if not enabled:
        yield None
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        DownloadColumn,
        Progress,
        ProgressColumn,
        Task,
        TextColumn,
        TimeRemainingColumn,
    )
    from rich.table import Column
    from rich.text import Text

    class BinarySpeedColumn(ProgressColumn):
        def render(self, task: Task) -> Text:
            speed = task.finished_speed or task.speed
            shown = "?" if speed is None else f"{binary_size(speed)}/s"
            return Text(shown, style="progress.data.speed")

    console = Console(stderr=True)
    wide = console.width >= _WIDE_TERMINAL
    name_column = Column(no_wrap=True, overflow="ellipsis", max_width=max(8, console.width // 4))
    columns: list[ProgressColumn] = [TextColumn("{task.description}", table_column=name_column)]
    if wide:
        columns.append(BarColumn(bar_width=None))
    columns += [DownloadColumn(binary_units=True), BinarySpeedColumn()]
    if wide:
        columns.append(TimeRemainingColumn())
    with Progress(*columns, console=console, transient=True, expand=wide) as bar:
        task = bar.add_task(name, total=None)

        def update(done: int, total: int | None) -> None:
            bar.update(task, completed=done, total=total)

        yield update


# Below this many columns the progress bar shows the name, the sizes and the speed alone: the
# five columns need about 70 to stay on one line.
_WIDE_TERMINAL = 72


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind.")
@click.option("--port", default=8080, show_default=True, type=int, help="0 picks a free port.")
@click.option(
    "--config",
    "config_file",
    default=None,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A YAML or JSON file: access_keys, tokens, members, artifacts, rate_limit, ... "
    "(EmulatedService's arguments; see the documentation, The service emulator).",
)
@click.option("--access-key-id", default=None, help="Default: LTAIemulator (or the config's).")
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
    help="A file to serve as an EMAS artifact (repeatable): the Nth is served as organization "
    "emulated-org, pipeline 1000+N, run 1, job emas-job-N, service connection 122 (printed "
    "with a ready-to-paste download command).",
)
@click.option(
    "--control-api/--no-control-api",
    default=None,
    help="Serve the control API under /_emulator/ (default: only on a loopback --host).",
)
@click.option("--ssl-certfile", type=click.Path(exists=True, dir_okay=False), default=None)
@click.option("--ssl-keyfile", type=click.Path(exists=True, dir_okay=False), default=None)
def emulator(
    host: str,
    port: int,
    config_file: Path | None,
    access_key_id: str | None,
    access_key_secret: str | None,
    artifacts: tuple[Path, ...],
    control_api: bool | None,
    ssl_certfile: str | None,
    ssl_keyfile: str | None,
) -> None:
    """Run the service emulator (needs the mock extra) until interrupted.

    The first line on stdout is one JSON object: base_url, control_url, access_keys,
    sts_tokens, tokens and artifacts, for programs that start it with --port 0.
    """
    from .emulator import CommandFailure, run_emulator

    try:
        run_emulator(
            host=host,
            port=port,
            access_key_id=access_key_id,
            access_key_secret=access_key_secret,
            artifacts=artifacts,
            config_file=config_file,
            control_api=control_api,
            ssl_certfile=ssl_certfile,
            ssl_keyfile=ssl_keyfile,
        )
    except CommandFailure as exc:
        _fail(str(exc), exc.exit_code, error="EmulatorError", as_json=False)


@cli.command(name="check-contract")
@_ids
@_connection
@_json_option
def check_contract(as_json: bool, **options: Any) -> None:
    """Check that an endpoint still answers as openapi.yaml says (three fixed calls).

    Of the API the credentials select: one success with the given ids, one unknown pipeline
    run, one request without credentials; every answer is validated against the bundled
    openapi.yaml. Never fuzzes the endpoint. Exit 1 is drift; a success call refused for the
    credentials or the signature exits 2, for the ids or another API error 3.
    """
    from .._call.operations import Ids
    from .contract import check_endpoint

    service_connection_id = options.pop("service_connection_id")
    ids = _ids_of(options)
    with _expected_failures(), _client(options, retries=0) as client:
        report = check_endpoint(client, Ids.check(*ids, service_connection_id))
    refused = report.refusal
    if as_json:
        body = report.as_json()
        if refused is None:
            click.echo(json.dumps(body))
            sys.exit(EXIT_OK if report.ok else EXIT_DRIFT)
    else:
        for line in report.lines():
            click.echo(line)
        if refused is None:
            sys.exit(EXIT_OK if report.ok else EXIT_DRIFT)
    code = EXIT_INVALID if isinstance(refused, AuthenticationError) else EXIT_API
    _fail(
        f"{_refusal_kind(refused)}: {_api_line(refused)}; not drift: the endpoint refused "
        "the success call",
        code,
        error=type(refused).__name__,
        code=refused.code or None,
        request_id=refused.request_id,
    )


def _refusal_kind(refused: ApiError) -> str:
    if isinstance(refused, AuthenticationError):
        return "the credentials or the signature were refused"
    if isinstance(refused, NotFoundError):
        return "the ids were not found"
    if isinstance(refused, ForbiddenError):
        return "the credentials may not read this artifact"
    return "the API answered with an error"


def _with_environment_variables(group: click.Group) -> None:
    """``YUNXIAO_EMAS_<OPTION>`` for every option of every command, shown in ``--help``.

    Named after the option alone, not the command (click's ``auto_envvar_prefix`` would say
    ``YUNXIAO_EMAS_DOWNLOAD_ENDPOINT``): one ``YUNXIAO_EMAS_ENDPOINT`` serves every command.
    """
    for command in group.commands.values():
        for param in command.params:
            if not isinstance(param, click.Option) or param.is_eager or param.hidden:
                continue
            if param.envvar is None:
                longest = max(param.opts, key=len).lstrip("-")
                param.envvar = f"{ENV_PREFIX}_{longest.upper().replace('-', '_')}"
            param.show_envvar = True


def _register_finding() -> None:
    from .finding import register

    register(cli)


_register_finding()
_with_environment_variables(cli)


def main(argv: Sequence[str] | None = None) -> NoReturn:
    """The ``yunxiao-emas`` entry point: usage errors are JSON too with ``--json``; SIGTERM
    cleans up as Ctrl+C does; nothing ends in a traceback (see :mod:`.process`)."""
    args = list(sys.argv[1:] if argv is None else argv)
    wants_json = "--json" in args or env_flag(os.environ.get(f"{ENV_PREFIX}_JSON")) is True
    try:
        with signals_interrupt():
            outcome = cli.main(args=args, prog_name="yunxiao-emas", standalone_mode=False)
            sys.stdout.flush()  # a full disk under stdout is found here, not at exit
    except click.ClickException as exc:
        if wants_json:
            _fail(exc.format_message(), exc.exit_code, error=type(exc).__name__, as_json=True)
        exc.show()
        sys.exit(exc.exit_code)
    except (click.exceptions.Abort, KeyboardInterrupt) as exc:
        _interrupted(exc.__cause__ if isinstance(exc, click.exceptions.Abort) else exc, wants_json)
    except YunxiaoError as exc:  # pragma: no cover - every command maps its errors
        _fail(str(exc), EXIT_INVALID, error=type(exc).__name__, as_json=wants_json)
    except OSError as exc:
        if not _from_stdout(exc):
            _unexpected(exc, wants_json)
        stdout_lost()
        click.echo(
            f"yunxiao-emas: cannot write to standard output: {exc.strerror or type(exc).__name__}",
            err=True,
        )
        sys.exit(EXIT_OUTPUT)
    except Exception as exc:
        _unexpected(exc, wants_json)
    sys.exit(outcome if isinstance(outcome, int) else EXIT_OK)


def _interrupted(cause: BaseException | None, as_json: bool) -> NoReturn:
    """Ctrl+C or SIGTERM: whatever was interrupted has cleaned up on its way here."""
    exit_code = exit_code_of(cause or KeyboardInterrupt())
    name = cause.args[0] if isinstance(cause, Interrupted) else "SIGINT"
    _fail(f"interrupted ({name})", exit_code, error="Interrupted", as_json=as_json)


def _from_stdout(exc: OSError) -> bool:
    """Whether ``exc`` came from writing or flushing standard output (click.echo, or the
    flush of ``main``), not from some other file."""
    codes = {click.echo.__code__, main.__code__}
    return any(frame.f_code in codes for frame, _ in traceback.walk_tb(exc.__traceback__))


def _unexpected(exc: BaseException, as_json: bool) -> NoReturn:
    # A bug of ours: one line (its type and text, which hold no secret of ours: every error
    # that could quote one is mapped above), never a traceback.
    _fail(
        f"internal error: {type(exc).__name__}: {exc} (a bug of yunxiao-emas: please report it)",
        EXIT_INTERNAL,
        error="InternalError",
        as_json=as_json,
    )


if __name__ == "__main__":  # pragma: no cover
    main()
