"""The values of the operations that find the ids of an artifact: a pipeline run with its
stages and jobs (:class:`PipelineRun`), a run in a list (:class:`PipelineRunSummary`), the EMAS
artifact a run reports (:class:`EmasArtifact`) and a service connection
(:class:`ServiceConnection`).

Each is built from the answer of either API (:meth:`PipelineRun.from_answer`, ...), leniently:
a field of an unexpected type is None (or empty), never an exception, because the answers carry
far more than these few fields and no public source pins all their types. What the EMAS rule
finds in a run (:attr:`PipelineRun.emas_artifacts`) is an assumption: see
:mod:`yunxiao_emas.emas_rule`.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from typing import Any

import attrs

from . import emas_rule
from .errors import InvalidArgumentError, NoMatchError

__all__ = [
    "FINISHED_STATUSES",
    "EmasArtifact",
    "Job",
    "PipelineRun",
    "PipelineRunSummary",
    "ServiceConnection",
    "Stage",
    "from_millis",
]

FINISHED_STATUSES = frozenset(
    {"SUCCESS", "FAIL", "FAILED", "CANCELED", "CANCELLED", "STOPPED", "SKIPPED"}
)
"""The statuses after which a run does not change (the API documents ``SUCCESS``, ``FAIL`` and
``RUNNING``; the others are seen in Yunxiao's console). Any other status is a run not finished
yet (running, waiting, queued, ...)."""

_MAX_SAFE_INTEGER = 9007199254740991


def from_millis(value: object) -> dt.datetime | None:
    """An answer's time (integer milliseconds since the epoch) as an aware UTC datetime; None
    when absent, zero or not an integer."""
    if type(value) is not int or value <= 0:
        return None
    try:
        return dt.datetime.fromtimestamp(value / 1000, dt.UTC)
    except (OverflowError, OSError, ValueError):
        return None


def _int(value: object) -> int | None:
    """An integer field (an int, or a string of digits as some answers send ids)."""
    if type(value) is str and value.isascii() and value.isdigit() and len(value) <= 16:
        value = int(value)
    return value if type(value) is int and 0 <= value <= _MAX_SAFE_INTEGER else None


def _str(value: object) -> str:
    return value if type(value) is str else ""


def _text(value: object) -> str | None:
    """An account id: a string, or an integer as its digits."""
    if type(value) is str and value:
        return value
    if type(value) is int:
        return str(value)
    return None


def _list(value: object) -> list[Any]:
    return value if isinstance(value, list) else []


def _mapping(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _parsed(value: object) -> object:
    """A JSON string as its value (a job's ``params`` and ``result``), else as it came."""
    if isinstance(value, str):
        try:
            return json.loads(value)
        except (ValueError, RecursionError):
            return value
    return value


@attrs.frozen
class EmasArtifact:
    """An EMAS artifact a run reports: every id :meth:`Client.download_emas_artifact` needs
    (``service_connection_id`` is None when the job names none: give one, or take the
    organization's EMAS connection from ``list_service_connections``).

    Found by the EMAS rule (:mod:`yunxiao_emas.emas_rule`), which is an assumption.
    """

    organization_id: str
    pipeline_id: int
    pipeline_run_id: int
    emas_job_instance_id: str
    md5: str
    job_name: str
    job_id: int | None
    service_connection_id: int | None

    def ids(self, *, service_connection_id: int | None = None) -> dict[str, Any]:
        """The ids as keyword arguments of ``get_pipeline_emas_artifact_url`` and
        ``download_pipeline_emas_artifact``; ``service_connection_id`` given wins over the
        job's::

            run = client.get_latest_pipeline_run("my-org", 1111)
            client.download_pipeline_emas_artifact(**run.emas_artifact().ids(), dest="out/")

        Raises:
            InvalidArgumentError: the job names no service connection and none is given.
        """
        connection = service_connection_id or self.service_connection_id
        if connection is None:
            raise InvalidArgumentError(
                "service_connection_id",
                f"the job {self.job_name!r} names no service connection: give one (the "
                "organization's EMAS ones: list_service_connections(organization_id))",
            )
        return {
            "organization_id": self.organization_id,
            "pipeline_id": self.pipeline_id,
            "pipeline_run_id": self.pipeline_run_id,
            "emas_job_instance_id": self.emas_job_instance_id,
            "md5": self.md5,
            "service_connection_id": connection,
        }

    def describe(self) -> str:
        """One line for a person: the job and the ids it reports."""
        connection = (
            f", service connection {self.service_connection_id}"
            if self.service_connection_id is not None
            else ""
        )
        return (
            f"job {self.job_name!r} (id {self.job_id}): emasJobInstanceId "
            f"{self.emas_job_instance_id}, md5 {self.md5}{connection}"
        )


@attrs.frozen
class Job:
    """A job of a stage. ``params`` and ``result`` are the job's JSON strings parsed (the
    string itself when it is not JSON; None when absent); ``actions`` as the API sent them."""

    id: int | None
    name: str
    status: str
    start_time: dt.datetime | None
    end_time: dt.datetime | None
    params: object = attrs.field(repr=False)
    result: object = attrs.field(repr=False)
    actions: tuple[Mapping[str, Any], ...] = attrs.field(repr=False)
    raw: Mapping[str, Any] = attrs.field(repr=False, eq=False)

    @classmethod
    def from_answer(cls, job: Mapping[str, Any]) -> Job:
        """A job of a run's answer (either API)."""
        return cls(
            id=_int(job.get("id")),
            name=_str(job.get("name")),
            status=_str(job.get("status")),
            start_time=from_millis(job.get("startTime")),
            end_time=from_millis(job.get("endTime")),
            params=_parsed(job.get("params")),
            result=_parsed(job.get("result")),
            actions=tuple(_mapping(action) for action in _list(job.get("actions"))),
            raw=job,
        )

    def reported_keys(self) -> list[str]:
        """The keys this job reports in the fields the EMAS rule searches (for "no match")."""
        return emas_rule.keys_of(self.raw)


@attrs.frozen
class Stage:
    """A stage of a run, with its jobs."""

    name: str
    status: str
    start_time: dt.datetime | None
    end_time: dt.datetime | None
    jobs: tuple[Job, ...]

    @classmethod
    def from_answer(cls, stage: Mapping[str, Any]) -> Stage:
        """A stage of a run's answer (either API): its ``stageInfo`` holds the jobs."""
        info = _mapping(stage.get("stageInfo"))
        return cls(
            name=_str(stage.get("name")) or _str(info.get("name")),
            status=_str(info.get("status")),
            start_time=from_millis(info.get("startTime")),
            end_time=from_millis(info.get("endTime")),
            jobs=tuple(Job.from_answer(_mapping(job)) for job in _list(info.get("jobs"))),
        )


@attrs.frozen
class PipelineRun:
    """A pipeline run with its stages and jobs (GetPipelineRun, GetLatestPipelineRun).

    Attributes:
        organization_id: the organization asked about (the answer does not repeat it).
        pipeline_id, pipeline_run_id, status, trigger_mode: as the answer says (``trigger_mode``:
            1 manual, 2 scheduled, 3 code commit, 5 another pipeline, 6 webhook).
        create_time, update_time: aware UTC datetimes, or None.
        creator_account_id: who started it, or None.
        stages: the stages, each with its jobs.
        request_id: the answer's request id (empty when the API gave none).
        raw: the run object as the API sent it.
    """

    organization_id: str
    pipeline_id: int
    pipeline_run_id: int
    status: str
    trigger_mode: int | None
    create_time: dt.datetime | None
    update_time: dt.datetime | None
    creator_account_id: str | None = attrs.field(repr=False)
    stages: tuple[Stage, ...] = attrs.field(repr=False)
    request_id: str = attrs.field(repr=False)
    raw: Mapping[str, Any] = attrs.field(repr=False, eq=False)

    @classmethod
    def from_answer(
        cls,
        run: Mapping[str, Any],
        *,
        organization_id: str,
        pipeline_id: int,
        pipeline_run_id: int | None = None,
        request_id: str = "",
    ) -> PipelineRun:
        """The run object of an answer (``pipelineRun`` of the signed API's, the token API's
        whole body). Ids the answer lacks are the ones asked for."""
        return cls(
            organization_id=organization_id,
            pipeline_id=_int(run.get("pipelineId")) or pipeline_id,
            pipeline_run_id=_int(run.get("pipelineRunId")) or pipeline_run_id or 0,
            status=_str(run.get("status")),
            trigger_mode=_int(run.get("triggerMode")),
            create_time=from_millis(run.get("createTime")),
            update_time=from_millis(run.get("updateTime")),
            creator_account_id=_text(run.get("creatorAccountId")),
            stages=tuple(Stage.from_answer(_mapping(stage)) for stage in _list(run.get("stages"))),
            request_id=request_id,
            raw=run,
        )

    @property
    def finished(self) -> bool:
        """Whether the run is over (its status is one of :data:`FINISHED_STATUSES`)."""
        return self.status.upper() in FINISHED_STATUSES

    @property
    def jobs(self) -> list[Job]:
        """Every job of every stage, in order."""
        return [job for stage in self.stages for job in stage.jobs]

    @property
    def emas_artifacts(self) -> list[EmasArtifact]:
        """What the run's jobs report about their EMAS artifacts, by the EMAS rule (an
        assumption: :mod:`yunxiao_emas.emas_rule`); each once, in the order of the jobs."""
        return [
            EmasArtifact(
                organization_id=self.organization_id,
                pipeline_id=self.pipeline_id,
                pipeline_run_id=self.pipeline_run_id,
                emas_job_instance_id=found.emas_job_instance_id,
                md5=found.md5,
                job_name=job.name,
                job_id=job.id,
                service_connection_id=found.service_connection_id,
            )
            for job in self.jobs
            for found in emas_rule.find(job.raw)
        ]

    def emas_artifact(self, *, job_name: str | None = None) -> EmasArtifact:
        """The run's only EMAS artifact (of the job named ``job_name`` when given).

        Raises:
            NoMatchError: none, listing the run's jobs and the keys each reports; or several,
                listing them (choose with ``job_name``).
        """
        artifacts = self.emas_artifacts
        if job_name is not None:
            artifacts = [a for a in artifacts if a.job_name == job_name]
        if len(artifacts) == 1:
            return artifacts[0]
        where = f"pipeline {self.pipeline_id} run {self.pipeline_run_id}"
        if artifacts:
            listed = [artifact.describe() for artifact in artifacts]
            raise NoMatchError(
                f"{where} reports {len(artifacts)} EMAS artifacts; choose one by its job's "
                "name (job_name=, --job-name) or give --emas-job-instance-id and --md5: "
                + "; ".join(listed),
                listed,
            )
        listed = [
            f"job {job.name!r} (id {job.id}, {job.status or 'no status'}): keys "
            + (", ".join(job.reported_keys()) or "none")
            for job in self.jobs
            if job_name is None or job.name == job_name
        ]
        chosen = f" in a job named {job_name!r}" if job_name is not None else ""
        if not self.jobs:
            why = "it has no jobs"
        elif not listed:
            names = ", ".join(repr(job.name) for job in self.jobs)
            why = f"it has no job of that name (its jobs: {names})"
        else:
            why = (
                "no job reports both an emasJobInstanceId and an md5 (the EMAS rule, an "
                "assumption; see the README); the jobs and the keys they report: "
                + "; ".join(listed)
            )
        raise NoMatchError(
            f"{where} reports no EMAS artifact{chosen}: {why}. Give --emas-job-instance-id "
            "and --md5 by hand (from `yunxiao-emas run`).",
            listed,
        )


@attrs.frozen
class PipelineRunSummary:
    """A run in a list of runs (ListPipelineRuns): no stages; get them with
    ``get_pipeline_run``."""

    organization_id: str
    pipeline_id: int
    pipeline_run_id: int
    status: str
    trigger_mode: int | None
    start_time: dt.datetime | None
    end_time: dt.datetime | None
    creator_account_id: str | None = attrs.field(repr=False)
    raw: Mapping[str, Any] = attrs.field(repr=False, eq=False)

    @classmethod
    def from_answer(
        cls, run: Mapping[str, Any], *, organization_id: str, pipeline_id: int
    ) -> PipelineRunSummary:
        """An item of a list's answer (either API)."""
        return cls(
            organization_id=organization_id,
            pipeline_id=_int(run.get("pipelineId")) or pipeline_id,
            pipeline_run_id=_int(run.get("pipelineRunId")) or 0,
            status=_str(run.get("status")),
            trigger_mode=_int(run.get("triggerMode")),
            start_time=from_millis(run.get("startTime")),
            end_time=from_millis(run.get("endTime")),
            creator_account_id=_text(run.get("creatorAccountId")),
            raw=run,
        )

    @property
    def finished(self) -> bool:
        """Whether the run is over (see :attr:`PipelineRun.finished`)."""
        return self.status.upper() in FINISHED_STATUSES


@attrs.frozen
class ServiceConnection:
    """A service connection of an organization (ListServiceConnections); an EMAS one has
    ``type == "emas"`` and its ``id`` is the ``service_connection_id`` of a download."""

    id: int
    name: str
    type: str
    uuid: str | None
    create_time: dt.datetime | None
    owner_account_id: str | None = attrs.field(repr=False)

    @classmethod
    def from_answer(cls, connection: Mapping[str, Any]) -> ServiceConnection:
        """An item of the answer (either API; ``ownerAccountId`` an integer or a string)."""
        return cls(
            id=_int(connection.get("id")) or 0,
            name=_str(connection.get("name")),
            type=_str(connection.get("type")),
            uuid=_str(connection.get("uuid")) or None,
            create_time=from_millis(connection.get("createTime")),
            owner_account_id=_text(connection.get("ownerAccountId")),
        )


def only_connection(
    connections: Sequence[ServiceConnection], organization_id: str
) -> ServiceConnection:
    """The organization's only EMAS service connection.

    Raises:
        NoMatchError: none, or several (listed: give ``service_connection_id`` by hand).
    """
    emas = [c for c in connections if c.type.lower() == "emas" and c.id]
    if len(emas) == 1:
        return emas[0]
    listed = [f"{c.id} ({c.name!r})" for c in emas]
    if emas:
        message = (
            f"organization {organization_id} has {len(emas)} EMAS service connections; give "
            "--service-connection-id (service_connection_id=): " + ", ".join(listed)
        )
    else:
        message = (
            f"organization {organization_id} has no EMAS service connection (type emas) and "
            "the run's EMAS job names none; give --service-connection-id "
            "(service_connection_id=)"
        )
    raise NoMatchError(message, listed)
