"""The commands that find the ids (``runs``, ``run``) and what ``url`` and ``download`` need
to work from the organization and the pipeline alone: their id options, all optional but the
two, and the resolution of the others (:mod:`.resolve`), each printed with where it came from.

Registered on the ``yunxiao-emas`` group by :mod:`.commands` (:func:`register`).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import click

from ..errors import NoMatchError
from .commands import (
    _client,
    _connection,
    _expected_failures,
    _json_option,
    _printable,
    _retries,
)
from .resolve import Ask, Resolved, Wait, resolve_flow

if TYPE_CHECKING:
    from ..client import Client
    from ..runs import EmasArtifact, PipelineRun, PipelineRunSummary, ServiceConnection

F = TypeVar("F", bound=Callable[..., Any])

DEFAULT_WAIT_TIMEOUT = 1800.0
# The options of the ids, in the order the API takes them (and the next run can pin them).
ID_OPTIONS = {
    "organization_id": "--organization-id",
    "pipeline_id": "--pipeline-id",
    "pipeline_run_id": "--pipeline-run-id",
    "emas_job_instance_id": "--emas-job-instance-id",
    "md5": "--md5",
    "service_connection_id": "--service-connection-id",
}


def _pipeline(function: F) -> F:
    options = [
        click.option("--organization-id", required=True, help="Organization (company) id."),
        click.option("--pipeline-id", required=True, type=int, help="Pipeline id."),
    ]
    for option in reversed(options):
        function = option(function)
    return function


def ids_to_find(function: F) -> F:
    """The ids of ``url`` and ``download``: the organization and the pipeline; every other id
    found when not given (a value given always wins)."""
    options = [
        click.option(
            "--pipeline-run-id",
            type=int,
            default=None,
            help="Pipeline run id. Default: the latest SUCCESS run (with --wait: the latest run).",
        ),
        click.option(
            "--emas-job-instance-id",
            default=None,
            help="EMAS job instance id. Default: the run's only EMAS artifact's (see `run`).",
        ),
        click.option("--md5", default=None, help="md5 of the EMAS artifact. Default: as above."),
        click.option(
            "--service-connection-id",
            type=int,
            default=None,
            help="Service connection id. Default: the EMAS job's, else the organization's only "
            "EMAS service connection.",
        ),
        click.option(
            "--job-name",
            default=None,
            help="The EMAS job to take the artifact of, when the run has several.",
        ),
        click.option(
            "--wait",
            is_flag=True,
            help=(
                "Wait for the run (by default the latest) to finish, polling with backoff and "
                "jitter."
            ),
        ),
        click.option(
            "--wait-timeout",
            type=click.FloatRange(min=0, min_open=True),
            default=DEFAULT_WAIT_TIMEOUT,
            show_default=True,
            metavar="SECONDS",
            help="How long --wait waits at most.",
        ),
    ]
    for option in reversed(options):
        function = option(function)
    return _pipeline(function)


def resolve_ids(client: Client, options: dict[str, Any], *, as_json: bool) -> Resolved:
    """Every id of the artifact, the missing ones found (``options`` loses the id options);
    what was found is printed on stderr, unless ``as_json`` (the caller puts it in its JSON)."""
    given = {name: options.pop(name) for name in ID_OPTIONS}
    flow = resolve_flow(
        given.pop("organization_id"),
        given.pop("pipeline_id"),
        **given,
        job_name=options.pop("job_name"),
        wait=options.pop("wait"),
        wait_timeout=options.pop("wait_timeout"),
        monotonic=time.monotonic,
    )
    waited = False
    try:
        step = next(flow)
        while True:
            reply: Any = None
            if isinstance(step, Ask):
                reply = getattr(client, step.method)(**step.kwargs)
            elif isinstance(step, Wait):
                if not waited and not as_json:
                    click.echo("yunxiao-emas: waiting for the run to finish ...", err=True)
                waited = True
                time.sleep(step.seconds)
            step = flow.send(reply)
    except StopIteration as stop:
        resolved: Resolved = stop.value
    if not as_json and any(source != "given" for source in resolved.sources.values()):
        for name, value in resolved.ids().items():
            source = resolved.sources.get(name, "given")
            if source != "given":
                click.echo(
                    _printable(f"yunxiao-emas: {ID_OPTIONS[name]} {value}  ({source})"), err=True
                )
        pin = " ".join(f"{ID_OPTIONS[name]} {value}" for name, value in resolved.ids().items())
        click.echo(_printable(f"yunxiao-emas: to pin them: {pin}"), err=True)
    return resolved


def found_json(resolved: Resolved) -> dict[str, Any]:
    """The ids and where each came from, for a command's ``--json`` result."""
    return {
        "ids": resolved.ids(),
        "found": {name: source for name, source in resolved.sources.items() if source != "given"},
    }


# --- yunxiao-emas runs ------------------------------------------------------------------------


def _when(moment: Any) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S") if moment is not None else "-"


def _summary_json(run: PipelineRunSummary) -> dict[str, Any]:
    return {
        "pipeline_run_id": run.pipeline_run_id,
        "status": run.status,
        "trigger_mode": run.trigger_mode,
        "start_time": run.start_time.isoformat() if run.start_time else None,
        "end_time": run.end_time.isoformat() if run.end_time else None,
        "creator_account_id": run.creator_account_id,
    }


@click.command()
@_pipeline
@click.option(
    "--status", default=None, help="Only runs of this status (SUCCESS, FAIL, RUNNING...)."
)
@click.option(
    "--limit",
    type=click.IntRange(min=1),
    default=20,
    show_default=True,
    help="At most this many runs (the newest).",
)
@_connection
@_retries
@_json_option
def runs(status: str | None, limit: int, as_json: bool, **options: Any) -> None:
    """List a pipeline's runs, newest first (all pages, up to --limit)."""
    organization_id, pipeline_id = options.pop("organization_id"), options.pop("pipeline_id")
    with _expected_failures(), _client(options) as client:
        found = []
        for run in client.list_pipeline_runs(organization_id, pipeline_id, status=status):
            found.append(run)
            if len(found) >= limit:
                break
    if as_json:
        click.echo(json.dumps({"runs": [_summary_json(run) for run in found]}))
        return
    if not found:
        click.echo("no runs" + (f" of status {status}" if status else ""), err=True)
        return
    click.echo(f"{'RUN':>10}  {'STATUS':<10}  {'TRIGGER':>7}  {'STARTED (UTC)':<19}  ENDED (UTC)")
    for run in found:
        trigger = "-" if run.trigger_mode is None else str(run.trigger_mode)
        click.echo(
            _printable(
                f"{run.pipeline_run_id:>10}  {run.status:<10}  {trigger:>7}  "
                f"{_when(run.start_time):<19}  {_when(run.end_time)}"
            )
        )


# --- yunxiao-emas run -------------------------------------------------------------------------


def _artifact_json(artifact: EmasArtifact) -> dict[str, Any]:
    return {
        "job_name": artifact.job_name,
        "job_id": artifact.job_id,
        "emas_job_instance_id": artifact.emas_job_instance_id,
        "md5": artifact.md5,
        "service_connection_id": artifact.service_connection_id,
    }


def _connection_json(connection: ServiceConnection) -> dict[str, Any]:
    return {"id": connection.id, "name": connection.name, "type": connection.type}


def _run_json(
    run: PipelineRun, connections: list[ServiceConnection], problem: str | None
) -> dict[str, Any]:
    return {
        "pipeline_id": run.pipeline_id,
        "pipeline_run_id": run.pipeline_run_id,
        "status": run.status,
        "trigger_mode": run.trigger_mode,
        "create_time": run.create_time.isoformat() if run.create_time else None,
        "request_id": run.request_id,
        "stages": [
            {
                "name": stage.name,
                "status": stage.status,
                "jobs": [
                    {
                        "id": job.id,
                        "name": job.name,
                        "status": job.status,
                        "params": job.params,
                        "result": job.result,
                        "keys": job.reported_keys(),
                    }
                    for job in stage.jobs
                ],
            }
            for stage in run.stages
        ],
        "emas_artifacts": [_artifact_json(artifact) for artifact in run.emas_artifacts],
        "emas_service_connections": [_connection_json(c) for c in connections],
        "problem": problem,
    }


def _problem(run: PipelineRun) -> str | None:
    """Why no single EMAS artifact can be taken from ``run`` (None when one can)."""
    try:
        run.emas_artifact()
    except NoMatchError as exc:
        return str(exc)
    return None


@click.command()
@_pipeline
@click.option(
    "--pipeline-run-id",
    type=int,
    default=None,
    help="The run to show (default: --latest).",
)
@click.option("--latest", is_flag=True, help="The latest run of --status (the default).")
@click.option(
    "--status",
    default="SUCCESS",
    show_default=True,
    help="With --latest: the status of the run to show ('any' for any status).",
)
@_connection
@_retries
@_json_option
def run(
    pipeline_run_id: int | None, latest: bool, status: str, as_json: bool, **options: Any
) -> None:
    """Show a run: its stages and jobs, the EMAS artifacts found in them (the EMAS rule, an
    assumption: see README), and the organization's EMAS service connections."""
    if latest and pipeline_run_id is not None:
        raise click.UsageError("give either --pipeline-run-id or --latest, not both")
    organization_id, pipeline_id = options.pop("organization_id"), options.pop("pipeline_id")
    with _expected_failures(), _client(options) as client:
        if pipeline_run_id is None:
            wanted = None if status.lower() == "any" else status
            found = client.get_latest_pipeline_run(organization_id, pipeline_id, status=wanted)
        else:
            found = client.get_pipeline_run(organization_id, pipeline_id, pipeline_run_id)
        connections = client.list_service_connections(organization_id, type="emas")
    problem = _problem(found)
    if as_json:
        click.echo(json.dumps(_run_json(found, connections, problem), default=str))
        return
    lines = [
        f"run {found.pipeline_run_id} of pipeline {found.pipeline_id}: {found.status or '?'}"
        f" (created {_when(found.create_time)} UTC, request id {found.request_id or '-'})"
    ]
    for stage in found.stages:
        lines.append(f"  stage {stage.name!r}: {stage.status or '?'}")
        for job in stage.jobs:
            keys = ", ".join(job.reported_keys()) or "none"
            lines.append(f"    job {job.name!r} (id {job.id}): {job.status or '?'}; keys: {keys}")
    artifacts = found.emas_artifacts
    lines.append(f"EMAS artifacts ({len(artifacts)}, by the EMAS rule, an assumption):")
    lines += [f"  {artifact.describe()}" for artifact in artifacts] or ["  none"]
    lines.append(f"EMAS service connections of {organization_id} ({len(connections)}):")
    lines += [f"  {c.id} {c.name!r}" for c in connections] or ["  none"]
    if problem is not None:
        lines.append(f"note: {problem}")
    for line in lines:
        click.echo(_printable(line))


def register(group: click.Group) -> None:
    """Add ``runs`` and ``run`` to the ``yunxiao-emas`` group."""
    group.add_command(runs)
    group.add_command(run)


__all__ = ["ID_OPTIONS", "found_json", "ids_to_find", "register", "resolve_ids"]
