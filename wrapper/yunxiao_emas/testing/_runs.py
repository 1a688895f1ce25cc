"""Runs, their stages and jobs, and service connections: the state the id-finding operations
answer from (GetPipelineRun, ListPipelineRuns, GetLatestPipelineRun, ListServiceConnections),
and how each API shows it.

Plain data, checked when it is added (the message names the key at fault, as the
configuration's do), and the pure functions that turn it into each API's answer: the signed
API's objects (the official SDK's models: ``GetPipelineRunResponseBodyPipelineRun``...) and the
token API's (with ``result`` on jobs, ``index`` on stages...). Paging and filtering of
ListPipelineRuns are here too. No request, no HTTP; :class:`~._state.State` holds a
:class:`RunBook` and :class:`~yunxiao_emas.testing.EmulatedService` holds the lock.

What no public source says, the emulator decides (ids-shared decision 4, and README): the run an
artifact is added to gets a job named :data:`EMAS_JOB_NAME` whose ``params`` (and, in the token
API, ``result``) carry ``emasJobInstanceId`` and ``md5`` under the API's own parameter names.
"""

from __future__ import annotations

import json
import math
import re
import uuid
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import attrs

from ._rules import check_int, check_text

__all__ = [
    "EMAS_CONNECTION_NAME",
    "EMAS_JOB_NAME",
    "EMAS_STAGE_NAME",
    "UNFINISHED",
    "Connection",
    "Job",
    "Page",
    "Run",
    "RunBook",
    "RunFilter",
    "Stage",
    "page_by_number",
    "page_by_token",
    "signed_connection",
    "signed_run",
    "signed_run_item",
    "token_connection",
    "token_run",
    "token_run_item",
]

EMAS_STAGE_NAME = "EMAS"
EMAS_JOB_NAME = "EMAS build"
EMAS_CONNECTION_NAME = "EMAS (emulated)"
EMULATOR_ACCOUNT = "emulator"
"""The account id shown as a run's creator and modifier."""

UNFINISHED = frozenset({"INIT", "QUEUED", "WAITING", "RUNNING", "PENDING"})
"""Statuses of a run that has not finished: it has no end time, and cannot "finish after polls"."""

_STATUS = re.compile(r"[A-Z][A-Z_]{0,31}")
_JOB_KEYS = (
    "id",
    "name",
    "status",
    "startTime",
    "endTime",
    "params",
    "result",
    "actions",
    "jobSign",
)
_ACTION_KEYS = ("type", "disable", "params", "data", "displayType", "name", "order", "title")
# A stage's ``index`` and its info's ``id`` are the emulator's (their position), not given.
_STAGE_INFO_KEYS = ("name", "status", "startTime", "endTime", "jobs")
_STAGE_KEYS = ("name", "stageInfo")


class RunError(ValueError):
    """A run, stage, job or connection that cannot be added; the message says where."""


# --- the data -------------------------------------------------------------------------------


@attrs.define
class Job:
    """A job of a stage, as the API shows it: ``params`` and ``result`` are JSON strings."""

    id: int
    name: str
    status: str
    params: str = "{}"
    result: str | None = None
    actions: list[dict[str, Any]] = attrs.field(factory=list)
    start_time: int | None = None
    end_time: int | None = None
    job_sign: str | None = None


@attrs.define
class Stage:
    """A stage of a run, with its jobs (the API's ``stages[].stageInfo``)."""

    name: str
    status: str
    jobs: list[Job] = attrs.field(factory=list)
    start_time: int | None = None
    end_time: int | None = None


@attrs.define
class Run:
    """A pipeline run. ``polls_left``: how many more GetPipelineRun calls answer RUNNING."""

    organization_id: str
    pipeline_id: int
    pipeline_run_id: int
    status: str
    trigger_mode: int
    start_time: int
    end_time: int | None
    stages: list[Stage] = attrs.field(factory=list)
    polls_left: int = 0

    @property
    def shown_status(self) -> str:
        """The status the API answers now: RUNNING while polls are left."""
        return "RUNNING" if self.polls_left > 0 else self.status

    @property
    def shown_end_time(self) -> int | None:
        return None if self.polls_left > 0 else self.end_time


@attrs.define
class Connection:
    """A service connection of an organization (ListServiceConnections)."""

    id: int
    type: str
    name: str
    uuid: str
    create_time: int


# --- checking what is added -----------------------------------------------------------------


def _where_key(where: str, key: str) -> str:
    return f"{where}.{key}" if where else key


def _kind(value: object) -> str:
    return "null" if value is None else type(value).__name__


def _text(value: object, where: str, *, empty: bool = False) -> str:
    if not isinstance(value, str) or (not empty and not value):
        raise RunError(f"{where} must be a non-empty string, got {_kind(value)}")
    return value


def _ms(value: object, where: str) -> int:
    """A time in milliseconds since the epoch (a non-negative int)."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise RunError(f"{where} must be milliseconds since the epoch (an int >= 0), got {value!r}")
    return value


def _status(value: object, where: str) -> str:
    if not isinstance(value, str) or not _STATUS.fullmatch(value):
        raise RunError(
            f"{where} must be an upper-case status such as SUCCESS, FAIL or RUNNING, got {value!r}"
        )
    return value


def _mapping(value: object, where: str, known: Sequence[str]) -> Mapping[str, Any]:
    if not isinstance(value, Mapping) or not all(isinstance(key, str) for key in value):
        raise RunError(f"{where} must be a mapping with text keys, got {_kind(value)}")
    unknown = sorted(set(value) - set(known))
    if unknown:
        raise RunError(f"{where}: unknown key(s) {', '.join(unknown)} (known: {', '.join(known)})")
    return value


def _list(value: object, where: str) -> list[Any]:
    if not isinstance(value, list | tuple):
        raise RunError(f"{where} must be a list, got {_kind(value)}")
    return list(value)


def _json_text(value: object, where: str) -> str:
    """A job's ``params``/``result``: a JSON string as the API sends it, or a mapping or list
    (made into one, for convenience)."""
    if isinstance(value, str):
        try:
            json.loads(value)
        except ValueError:
            raise RunError(f"{where} must be a JSON string or a mapping; it is not JSON") from None
        return value
    if isinstance(value, Mapping | list):
        try:
            return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
        except (TypeError, ValueError) as exc:
            raise RunError(f"{where} cannot be written as JSON: {exc}") from None
    raise RunError(f"{where} must be a JSON string or a mapping, got {_kind(value)}")


def _json_data(value: object, where: str) -> Any:
    """A value kept as given in the answer: it must survive a JSON round trip."""
    try:
        return json.loads(json.dumps(value, ensure_ascii=False))
    except (TypeError, ValueError) as exc:
        raise RunError(f"{where} is not JSON data: {exc}") from None


def _action(value: object, where: str) -> dict[str, Any]:
    item = _mapping(value, where, _ACTION_KEYS)
    action: dict[str, Any] = {
        "type": _text(item.get("type"), f"{where}.type"),
        "disable": False,
        "params": {},
    }
    if item.get("disable") is not None:
        if not isinstance(item["disable"], bool):
            raise RunError(f"{where}.disable must be true or false, got {_kind(item['disable'])}")
        action["disable"] = item["disable"]
    if item.get("params") is not None:
        params = item["params"]
        if not isinstance(params, Mapping):
            raise RunError(f"{where}.params must be a mapping (an object), got {_kind(params)}")
        action["params"] = _json_data(params, f"{where}.params")
    for key in ("data", "displayType", "name", "title"):
        if item.get(key) is not None:
            action[key] = _text(item[key], f"{where}.{key}", empty=True)
    if item.get("order") is not None:
        order = item["order"]
        if isinstance(order, bool) or not isinstance(order, int):
            raise RunError(f"{where}.order must be an int, got {_kind(order)}")
        action["order"] = order
    return action


class RunBook:
    """The runs and service connections of every organization; job ids are handed out here."""

    def __init__(self) -> None:
        self.runs: dict[tuple[str, int, int], Run] = {}
        self.connections: dict[str, dict[int, Connection]] = {}
        self._next_job_id = 1

    # --- runs -------------------------------------------------------------------------------

    def _job_id(self, value: object, where: str) -> int:
        job_id = self._next_job_id if value is None else _check_id("job id", value, where)
        self._next_job_id = max(self._next_job_id, job_id + 1)
        return job_id

    def _job(self, value: object, where: str, run_status: str) -> Job:
        item = _mapping(value, where, _JOB_KEYS)
        job = Job(
            id=self._job_id(item.get("id"), f"{where}.id"),
            name=_text(item.get("name"), f"{where}.name"),
            status=run_status
            if item.get("status") is None
            else _status(item["status"], f"{where}.status"),
        )
        if item.get("params") is not None:
            job.params = _json_text(item["params"], f"{where}.params")
        if item.get("result") is not None:
            job.result = _json_text(item["result"], f"{where}.result")
        if item.get("actions") is not None:
            job.actions = [
                _action(action, f"{where}.actions[{index}]")
                for index, action in enumerate(_list(item["actions"], f"{where}.actions"))
            ]
        for key, attribute in (("startTime", "start_time"), ("endTime", "end_time")):
            if item.get(key) is not None:
                setattr(job, attribute, _ms(item[key], f"{where}.{key}"))
        if item.get("jobSign") is not None:
            job.job_sign = _text(item["jobSign"], f"{where}.jobSign")
        return job

    def _stage(self, value: object, where: str, run_status: str) -> Stage:
        item = _mapping(value, where, _STAGE_KEYS)
        info = _mapping(item.get("stageInfo", {}), f"{where}.stageInfo", _STAGE_INFO_KEYS)
        name = item.get("name", info.get("name"))
        stage = Stage(
            name=_text(name, f"{where}.name"),
            status=run_status
            if info.get("status") is None
            else _status(info["status"], f"{where}.stageInfo.status"),
        )
        jobs = _list(info.get("jobs") or [], f"{where}.stageInfo.jobs")
        stage.jobs = [
            self._job(job, f"{where}.stageInfo.jobs[{index}]", stage.status)
            for index, job in enumerate(jobs)
        ]
        for key, attribute in (("startTime", "start_time"), ("endTime", "end_time")):
            if info.get(key) is not None:
                setattr(stage, attribute, _ms(info[key], f"{where}.stageInfo.{key}"))
        return stage

    def add_run(
        self,
        organization_id: str,
        pipeline_id: int,
        pipeline_run_id: int,
        *,
        status: str,
        stages: Iterable[Mapping[str, Any]] | None,
        trigger_mode: int,
        start_time: int | None,
        end_time: int | None,
        finishes_after_polls: int | None,
        now_ms: int,
    ) -> Run:
        """Add (or replace) a run; every value is checked first, so nothing is half added."""
        check_text("organizationId", organization_id)
        check_int("pipelineId", pipeline_id)
        check_int("pipelineRunId", pipeline_run_id)
        status = _status(status, "status")
        if isinstance(trigger_mode, bool) or not isinstance(trigger_mode, int) or trigger_mode < 1:
            raise RunError(
                "trigger_mode must be a positive int (1 manual, 2 scheduled, 3 code commit, "
                f"5 another pipeline, 6 webhook), got {trigger_mode!r}"
            )
        start = now_ms if start_time is None else _ms(start_time, "start_time")
        if end_time is not None:
            end: int | None = _ms(end_time, "end_time")
            if end is not None and end < start:
                raise RunError(f"end_time ({end}) must not be before start_time ({start})")
        else:
            end = None if status in UNFINISHED else start
        polls = 0
        if finishes_after_polls is not None:
            if (
                isinstance(finishes_after_polls, bool)
                or not isinstance(finishes_after_polls, int)
                or finishes_after_polls < 0
            ):
                raise RunError(
                    f"finishes_after_polls must be an int >= 0, got {finishes_after_polls!r}"
                )
            if finishes_after_polls and status in UNFINISHED:
                raise RunError(
                    f"finishes_after_polls needs the status the run finishes with "
                    f"(SUCCESS, FAIL...), not {status}"
                )
            polls = finishes_after_polls
        if isinstance(stages, str | bytes | Mapping) or not isinstance(stages, Iterable | None):
            raise RunError(f"stages must be a list of stages, got {_kind(stages)}")
        saved = self._next_job_id
        try:
            parsed = [
                self._stage(stage, f"stages[{index}]", status)
                for index, stage in enumerate(list(stages or []))
            ]
        except RunError:
            self._next_job_id = saved
            raise
        run = Run(
            organization_id=organization_id,
            pipeline_id=pipeline_id,
            pipeline_run_id=pipeline_run_id,
            status=status,
            trigger_mode=trigger_mode,
            start_time=start,
            end_time=end,
            stages=parsed,
            polls_left=polls,
        )
        self.runs[(organization_id, pipeline_id, pipeline_run_id)] = run
        return run

    def add_emas_job(
        self,
        run: Run,
        emas_job_instance_id: str,
        md5: str,
        service_connection_id: int | None,
    ) -> Job:
        """Give ``run`` the EMAS job that reports this artifact (once; adding it again changes
        nothing), in its stage :data:`EMAS_STAGE_NAME`."""
        reported: dict[str, Any] = {"emasJobInstanceId": emas_job_instance_id, "md5": md5}
        params = dict(reported)
        if service_connection_id is not None:
            params["serviceConnectionId"] = service_connection_id
        stage = next((s for s in run.stages if s.name == EMAS_STAGE_NAME), None)
        if stage is None:
            stage = Stage(EMAS_STAGE_NAME, "SUCCESS", start_time=run.start_time)
            stage.end_time = run.end_time
            run.stages.append(stage)
        for job in stage.jobs:
            if json.loads(job.params) == params:
                return job
        job = Job(
            id=self._job_id(None, "job"),
            name=EMAS_JOB_NAME,
            status="SUCCESS",
            params=json.dumps(params, separators=(",", ":")),
            result=json.dumps({"data": reported}, separators=(",", ":")),
            actions=[{"type": "EMAS", "disable": False, "params": dict(reported)}],
            start_time=run.start_time,
            end_time=run.end_time,
        )
        stage.jobs.append(job)
        return job

    def runs_of(self, organization_id: str, pipeline_id: int) -> list[Run]:
        """The runs of a pipeline, newest first (by start time, then by run id)."""
        found = [
            run
            for (org, pipeline, _), run in self.runs.items()
            if org == organization_id and pipeline == pipeline_id
        ]
        return sorted(found, key=lambda run: (run.start_time, run.pipeline_run_id), reverse=True)

    # --- service connections ----------------------------------------------------------------

    def add_connection(
        self, organization_id: str, connection_id: int, *, type: str, name: str | None, now_ms: int
    ) -> Connection:
        """Add (or replace) a service connection of an organization."""
        check_text("organizationId", organization_id)
        check_int("serviceConnectionId", connection_id)
        kind = _text(type, "type")
        if not re.fullmatch(r"[a-z][a-z0-9_-]{0,63}", kind):
            raise RunError(f"type must be a lower-case connection type such as emas, got {kind!r}")
        shown = f"{kind.upper()} (emulated)" if name is None else _text(name, "name")
        # The same uuid for the same connection in every run of a test suite.
        stable = uuid.uuid5(
            uuid.NAMESPACE_URL, f"yunxiao-emulator:{organization_id}:{connection_id}"
        )
        connection = Connection(connection_id, kind, shown, stable.hex, now_ms)
        self.connections.setdefault(organization_id, {})[connection_id] = connection
        return connection

    def connections_of(self, organization_id: str, kind: str | None) -> list[Connection]:
        """An organization's connections (of one type, when given), by id."""
        found = self.connections.get(organization_id, {}).values()
        return sorted((c for c in found if kind is None or c.type == kind), key=lambda c: c.id)


def _check_id(name: str, value: object, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 2**53 - 1:
        raise RunError(f"{where} must be an int in 1..{2**53 - 1} ({name}), got {value!r}")
    return value


# --- filtering and paging ---------------------------------------------------------------------


@attrs.frozen
class RunFilter:
    """ListPipelineRuns's filters (either API): a run started within ``[start_time,
    end_time]`` (milliseconds), of ``status`` and ``trigger_mode``; None: any."""

    start_time: int | None = None
    end_time: int | None = None
    status: str | None = None
    trigger_mode: int | None = None

    def keeps(self, run: Run) -> bool:
        if self.start_time is not None and run.start_time < self.start_time:
            return False
        if self.end_time is not None and run.start_time > self.end_time:
            return False
        if self.status is not None and run.shown_status != self.status.upper():
            return False
        return self.trigger_mode is None or run.trigger_mode == self.trigger_mode


@attrs.frozen
class Page:
    """One page of runs, and where it sits among them all."""

    runs: list[Run]
    total: int
    next_token: str | None = None
    page: int = 1
    per_page: int = 0
    total_pages: int = 0


class PageError(ValueError):
    """A paging parameter that names no page (an unknown ``nextToken``)."""


_TOKEN_PREFIX = "nt-"  # noqa: S105 (a paging token's prefix, not a secret)


def page_by_token(runs: list[Run], max_results: int, next_token: str | None) -> Page:
    """The signed API's paging: ``maxResults`` runs from the one ``nextToken`` names.

    The token is the next run's id behind a prefix (opaque to clients): a page stays right
    when newer runs are added between two calls. An unknown token is a :class:`PageError`.
    """
    start = 0
    if next_token:
        wanted = next_token.removeprefix(_TOKEN_PREFIX)
        ids = [str(run.pipeline_run_id) for run in runs]
        if not next_token.startswith(_TOKEN_PREFIX) or wanted not in ids:
            raise PageError("The parameter nextToken is invalid.")
        start = ids.index(wanted)
    chosen = runs[start : start + max_results]
    rest = runs[start + max_results :]
    token = f"{_TOKEN_PREFIX}{rest[0].pipeline_run_id}" if rest else None
    return Page(chosen, len(runs), next_token=token)


def page_by_number(runs: list[Run], page: int, per_page: int) -> Page:
    """The token API's paging: page ``page`` (from 1) of ``per_page`` runs; past the end, an
    empty page (the headers still say how many there are)."""
    start = (page - 1) * per_page
    total_pages = math.ceil(len(runs) / per_page)
    return Page(
        runs[start : start + per_page],
        len(runs),
        page=page,
        per_page=per_page,
        total_pages=total_pages,
    )


def page_headers(page: Page) -> dict[str, str]:
    """The token API's paging headers; ``x-next-page`` is empty on the last page (and past it),
    ``x-prev-page`` on the first."""
    return {
        "x-total": str(page.total),
        "x-total-pages": str(page.total_pages),
        "x-page": str(page.page),
        "x-per-page": str(page.per_page),
        "x-next-page": str(page.page + 1) if page.page < page.total_pages else "",
        "x-prev-page": str(page.page - 1) if page.page > 1 else "",
    }


# --- the answers ----------------------------------------------------------------------------


def _times(target: dict[str, Any], start: int | None, end: int | None) -> None:
    if start is not None:
        target["startTime"] = start
    if end is not None:
        target["endTime"] = end


def _signed_job(job: Job, running: bool) -> dict[str, Any]:
    shown: dict[str, Any] = {
        "id": job.id,
        "name": job.name,
        "status": "RUNNING" if running else job.status,
    }
    _times(shown, job.start_time, None if running else job.end_time)
    shown["params"] = job.params
    shown["actions"] = [
        {"type": a["type"], "disable": a["disable"], "params": a["params"]} for a in job.actions
    ]
    return shown


def _token_job(job: Job, running: bool) -> dict[str, Any]:
    shown = _signed_job(job, running)
    shown["jobSign"] = job.job_sign if job.job_sign is not None else f"job_{job.id}"
    if job.result is not None and not running:
        shown["result"] = job.result
    shown["actions"] = [dict(action) for action in job.actions]
    return shown


def _stages(run: Run, *, token: bool) -> list[dict[str, Any]]:
    running = run.polls_left > 0
    shown = []
    for index, stage in enumerate(run.stages):
        info: dict[str, Any] = {
            "name": stage.name,
            "status": "RUNNING" if running else stage.status,
        }
        if token:
            info["id"] = index + 1
        _times(info, stage.start_time, None if running else stage.end_time)
        info["jobs"] = [(_token_job if token else _signed_job)(job, running) for job in stage.jobs]
        item: dict[str, Any] = {"name": stage.name, "stageInfo": info}
        if token:
            item["index"] = str(index)
        shown.append(item)
    return shown


def _run_common(run: Run) -> dict[str, Any]:
    return {
        "pipelineId": run.pipeline_id,
        "pipelineRunId": run.pipeline_run_id,
        "status": run.shown_status,
        "triggerMode": run.trigger_mode,
        "createTime": run.start_time,
        "updateTime": run.shown_end_time or run.start_time,
        "creatorAccountId": EMULATOR_ACCOUNT,
        "modifierAccountId": EMULATOR_ACCOUNT,
        "stageGroup": [[stage.name] for stage in run.stages],
        "sources": [],
    }


def signed_run(run: Run) -> dict[str, Any]:
    """The signed API's ``pipelineRun`` (``GetPipelineRunResponseBodyPipelineRun``)."""
    return {**_run_common(run), "stages": _stages(run, token=False)}


def token_run(run: Run) -> dict[str, Any]:
    """The token API's run object (GetPipelineRun, GetLatestPipelineRun)."""
    shown = _run_common(run)
    _times(shown, run.start_time, run.shown_end_time)
    shown.update(
        {
            "pipelineConfigId": run.pipeline_id,
            "pipelineType": "FLOW",
            "creator": EMULATOR_ACCOUNT,
            "modifier": EMULATOR_ACCOUNT,
            "groups": [],
            "globalParams": [],
            "stages": _stages(run, token=True),
        }
    )
    return shown


def signed_run_item(run: Run) -> dict[str, Any]:
    """One of ListPipelineRuns's ``pipelineRuns`` (signed API)."""
    item: dict[str, Any] = {
        "pipelineId": run.pipeline_id,
        "pipelineRunId": run.pipeline_run_id,
        "status": run.shown_status,
        "triggerMode": run.trigger_mode,
        "creatorAccountId": EMULATOR_ACCOUNT,
    }
    _times(item, run.start_time, run.shown_end_time)
    return item


def token_run_item(run: Run) -> dict[str, Any]:
    """One item of the token API's ListPipelineRuns array."""
    return {**signed_run_item(run), "creator": EMULATOR_ACCOUNT}


def signed_connection(connection: Connection) -> dict[str, Any]:
    """One of ListServiceConnections's ``serviceConnections`` (``ownerAccountId`` an int)."""
    return {
        "id": connection.id,
        "name": connection.name,
        "type": connection.type,
        "uuid": connection.uuid,
        "createTime": connection.create_time,
        "ownerAccountId": 1,
    }


def token_connection(connection: Connection) -> dict[str, Any]:
    """One item of the token API's ListServiceConnections array."""
    return signed_connection(connection)
