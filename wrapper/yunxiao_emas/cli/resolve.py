"""From an organization and a pipeline to every id of its EMAS artifact, sans I/O.

:func:`resolve_flow` is a generator: it yields the calls it needs (:class:`Ask`: a method of
the client and its arguments) and the waits between polls (:class:`Wait`), is sent each
answer, and returns a :class:`Resolved`. The sync and async drivers (the command line's) only
make the calls. The rules, in order:

- a run id not given is the latest run of status ``SUCCESS``; with ``wait``, the latest run of
  any status, polled (with backoff, bounded by ``wait_timeout``) until it finishes, which must
  be with ``SUCCESS``; a given run id is polled the same way with ``wait``;
- a job instance id or md5 not given come from the run's EMAS artifacts (the EMAS rule, an
  assumption), filtered by ``job_name`` and by whichever of the two was given: there must be
  exactly one, else :class:`~yunxiao_emas.NoMatchError` lists the candidates;
- a service connection id not given is the EMAS job's, else the organization's only EMAS
  service connection.

A value given always wins; every value found says where it came from (:attr:`Resolved.sources`)
so that the next run can pin it.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Generator
from typing import TYPE_CHECKING, Any, NamedTuple

from ..errors import NoMatchError

if TYPE_CHECKING:
    from ..runs import EmasArtifact, PipelineRun, ServiceConnection

__all__ = ["Ask", "Resolved", "Wait", "resolve_flow"]

FIRST_POLL = 2.0
MAX_POLL = 30.0


class Ask(NamedTuple):
    """A call of a client method the flow needs answered (sent back: its result)."""

    method: str
    kwargs: dict[str, Any]


class Wait(NamedTuple):
    """Sleep this long before the next poll (sent back: None)."""

    seconds: float


class Resolved(NamedTuple):
    """Every id of the artifact, the run they came from (None when every id was given), the
    artifact found in it (None when job instance id and md5 were both given), and where each id
    came from: ``"given"`` or a phrase such as ``"the latest SUCCESS run"``."""

    organization_id: str
    pipeline_id: int
    pipeline_run_id: int
    emas_job_instance_id: str
    md5: str
    service_connection_id: int
    sources: dict[str, str]
    run: PipelineRun | None
    artifact: EmasArtifact | None

    def ids(self) -> dict[str, Any]:
        """The ids as keyword arguments of the client's URL and download methods."""
        return {
            "organization_id": self.organization_id,
            "pipeline_id": self.pipeline_id,
            "pipeline_run_id": self.pipeline_run_id,
            "emas_job_instance_id": self.emas_job_instance_id,
            "md5": self.md5,
            "service_connection_id": self.service_connection_id,
        }


Flow = Generator[Ask | Wait, Any, Resolved]


def _choose(
    run: PipelineRun, job_name: str | None, instance: str | None, md5: str | None
) -> EmasArtifact:
    """The one artifact of ``run`` that agrees with what was given."""
    if instance is None and md5 is None:
        return run.emas_artifact(job_name=job_name)
    artifacts = [
        a
        for a in run.emas_artifacts
        if (job_name is None or a.job_name == job_name)
        and (instance is None or a.emas_job_instance_id == instance)
        and (md5 is None or a.md5 == md5)
    ]
    if len(artifacts) == 1:
        return artifacts[0]
    given = f"emasJobInstanceId {instance}" if instance is not None else f"md5 {md5}"
    listed = [a.describe() for a in run.emas_artifacts]
    raise NoMatchError(
        f"pipeline {run.pipeline_id} run {run.pipeline_run_id}: "
        + (f"{len(artifacts)} EMAS artifacts match" if artifacts else "no EMAS artifact matches")
        + f" the {given} given; give both --emas-job-instance-id and --md5, or neither. "
        + ("It reports: " + "; ".join(listed) if listed else "It reports none."),
        listed,
    )


def resolve_flow(
    organization_id: str,
    pipeline_id: int,
    *,
    pipeline_run_id: int | None = None,
    emas_job_instance_id: str | None = None,
    md5: str | None = None,
    service_connection_id: int | None = None,
    job_name: str | None = None,
    wait: bool = False,
    wait_timeout: float = 1800.0,
    monotonic: Callable[[], float],
    jitter: Callable[[], float] = random.random,
) -> Flow:
    """The flow of resolving the ids (see the module's documentation). Arguments are checked
    by the client methods it asks for, before their I/O."""
    sources: dict[str, str] = {
        name: "given"
        for name, value in (
            ("organization_id", organization_id),
            ("pipeline_id", pipeline_id),
            ("pipeline_run_id", pipeline_run_id),
            ("emas_job_instance_id", emas_job_instance_id),
            ("md5", md5),
            ("service_connection_id", service_connection_id),
        )
        if value is not None
    }
    need_artifact = emas_job_instance_id is None or md5 is None
    need_run = need_artifact or wait or (service_connection_id is None)
    run: PipelineRun | None = None
    if pipeline_run_id is None:
        status = None if wait else "SUCCESS"
        run = yield Ask(
            "get_latest_pipeline_run",
            {"organization_id": organization_id, "pipeline_id": pipeline_id, "status": status},
        )
        assert run is not None
        sources["pipeline_run_id"] = "the latest run" if wait else "the latest SUCCESS run"
    elif need_run:
        run = yield Ask(
            "get_pipeline_run",
            {
                "organization_id": organization_id,
                "pipeline_id": pipeline_id,
                "pipeline_run_id": pipeline_run_id,
            },
        )
    if run is not None and wait:
        run = yield from _wait(run, wait_timeout, monotonic, jitter)
    if run is not None and run.status.upper() != "SUCCESS" and need_artifact:
        raise NoMatchError(
            f"pipeline {pipeline_id} run {run.pipeline_run_id} is {run.status or 'of no status'}, "
            "not SUCCESS: it has no artifact to download"
            + ("" if wait or run.finished else "; --wait waits for it to finish")
        )
    artifact: EmasArtifact | None = None
    if need_artifact:
        assert run is not None
        artifact = _choose(run, job_name, emas_job_instance_id, md5)
        where = f"job {artifact.job_name!r} of run {run.pipeline_run_id}"
        if emas_job_instance_id is None:
            emas_job_instance_id = artifact.emas_job_instance_id
            sources["emas_job_instance_id"] = where
        if md5 is None:
            md5 = artifact.md5
            sources["md5"] = where
    elif run is not None:
        found = [
            a
            for a in run.emas_artifacts
            if a.emas_job_instance_id == emas_job_instance_id and a.md5 == md5
        ]
        artifact = found[0] if len(found) == 1 else None
    if service_connection_id is None:
        if artifact is not None and artifact.service_connection_id is not None:
            service_connection_id = artifact.service_connection_id
            sources["service_connection_id"] = f"job {artifact.job_name!r}"
        else:
            connections: list[ServiceConnection] = yield Ask(
                "list_service_connections", {"organization_id": organization_id, "type": "emas"}
            )
            from ..runs import only_connection  # attrs, once a run is at hand

            service_connection_id = only_connection(connections, organization_id).id
            sources["service_connection_id"] = "the organization's only EMAS service connection"
    run_id = run.pipeline_run_id if run is not None else pipeline_run_id
    assert run_id is not None
    assert emas_job_instance_id is not None
    assert md5 is not None
    return Resolved(
        organization_id,
        pipeline_id,
        run_id,
        emas_job_instance_id,
        md5,
        service_connection_id,
        sources,
        run,
        artifact,
    )


def _wait(
    run: PipelineRun,
    timeout: float,
    monotonic: Callable[[], float],
    jitter: Callable[[], float],
) -> Generator[Ask | Wait, Any, PipelineRun]:
    """Poll ``run`` until it finishes: waits of 2 s doubling up to 30 s, each drawn between
    half and all of that (``jitter()`` in [0, 1): the CI jobs of one pipeline, started together,
    do not poll the API in step), none past ``timeout``."""
    deadline = monotonic() + timeout
    pause = FIRST_POLL
    while not run.finished:
        left = deadline - monotonic()
        if left <= 0:
            raise NoMatchError(
                f"pipeline {run.pipeline_id} run {run.pipeline_run_id} is still "
                f"{run.status or 'without a status'} after {timeout:g} s (--wait-timeout)"
            )
        yield Wait(min(pause * (1.0 - jitter() / 2), left))
        pause = min(pause * 2, MAX_POLL)
        run = yield Ask(
            "get_pipeline_run",
            {
                "organization_id": run.organization_id,
                "pipeline_id": run.pipeline_id,
                "pipeline_run_id": run.pipeline_run_id,
            },
        )
    return run
