"""The emulated service's public facade, :class:`EmulatedService`: what tests configure (keys,
tokens, members, artifacts, faults), built from data (:meth:`~EmulatedService.from_config`),
and served (:attr:`~EmulatedService.asgi_app`, :meth:`~EmulatedService.serve`) by the adapters
(:mod:`._app`, :mod:`._server`), which it imports only when asked. The state and the answers are
its core's (:mod:`._core`), which knows no HTTP.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable, Mapping
from contextlib import AbstractContextManager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from .._urls import is_loopback
from ..credentials import AccessKeyCredentials, PersonalAccessToken
from ._core import DEFAULT_URL_TTL, ServiceCore
from ._exchange import (
    ApiAnswer,
    ApiRequest,
    Call,
    ConnectionDropped,
    DownloadAnswer,
)
from ._faults import make_drop, make_fault
from ._file_host import DOWNLOAD_PREFIX

if TYPE_CHECKING:
    from starlette.applications import Starlette

__all__ = [
    "DEFAULT_ACCESS_KEY_ID",
    "DEFAULT_ACCESS_KEY_SECRET",
    "DEFAULT_TOKEN",
    "DOWNLOAD_PREFIX",
    "ApiAnswer",
    "ApiRequest",
    "Call",
    "ConnectionDropped",
    "DownloadAnswer",
    "EmulatedService",
]

DEFAULT_ACCESS_KEY_ID = "LTAIemulator"
"""The AccessKey id of an emulator given none (the ``emulator`` command's too)."""
DEFAULT_ACCESS_KEY_SECRET = "emulator-secret-do-not-use-elsewhere"  # noqa: S105 (a test key)
DEFAULT_TOKEN = "pt-emulator-token-do-not-use-elsewhere"  # noqa: S105 (a test token)


class EmulatedService(ServiceCore):
    """An in-memory Yunxiao service for the EMAS artifact download URL, with its API gateway,
    serving both APIs of openapi.yaml, for tests.

    - GetPipelineEmasArtifactUrl (the signed API): it verifies real V3 signatures (with the
      same canonical-request code as the client), checks the clock skew, nonce reuse, STS
      tokens, the action and version headers;
    - GetEmasArtifactDownloadUrl (the token API): it checks the personal access token in
      ``x-yunxiao-token`` (401 when missing, unknown or expired).

    Both then apply an optional rate limit per identity (AccessKey or token), and answer from
    the same organizations, pipelines, runs, jobs and artifacts with the bodies, statuses and
    codes of openapi.yaml; so do the operations that find the ids (GetPipelineRun,
    ListPipelineRuns, ListServiceConnections, GetLatestPipelineRun: see :meth:`add_run`).
    Artifacts are served at pre-signed, expiring URLs on the emulator itself, with ``Range``
    support.

    >>> service = EmulatedService(access_keys={"AKID": "secret"})
    >>> md5 = service.add_artifact("org-1", 1111, 1, "job-1", b"apk", service_connection_id=122)
    >>> md5
    '44b7d352026ef7177875a6cb619d638f'

    Args:
        access_keys: AccessKey id -> secret. Defaults to one key,
            :data:`DEFAULT_ACCESS_KEY_ID` / :data:`DEFAULT_ACCESS_KEY_SECRET`.
        sts_tokens: STS AccessKey id -> ``(secret, security_token)``; requests with these keys
            must carry the token (see :meth:`expire_security_token`).
        members: organization id -> the AccessKey ids that are its members. An organization
            without an entry (the default) admits every configured key; one with an entry admits
            only those keys, and others get ``Forbidden.UserNotInCurrentOrganization``. Tokens
            are admitted by their own list (:meth:`add_token`), not by this one.
        now: the clock, in epoch seconds. It drives the ``x-acs-date`` skew check, the nonce
            window, the rate limit, token and URL expiry and the ``Date`` header, so tests can
            move it.
        url_ttl: how long a download URL stays valid, in seconds (one hour, like the service).
        rate_limit: ``(requests, per_seconds)`` allowed per AccessKey or token, or None for no
            limit; beyond it the signed API answers ``Throttling.User`` (400, as the API
            metadata lists it) with ``x-acs-retry-after`` (milliseconds), the token API 429
            with ``Retry-After`` (seconds).
        tokens: the personal access tokens accepted, each in every organization. Defaults to
            one, :data:`DEFAULT_TOKEN`; use :meth:`add_token` to admit one to some
            organizations only, or to make it expire.
        token_answers_as_text: the token API answers the URL as ``text/plain`` rather than as
            a JSON string (``application/json``): real servers do either, and clients must
            accept both. Also an attribute, to switch between calls. Without it, a request
            whose ``Accept`` ranks ``text/plain`` above JSON gets text all the same.
        download_bandwidth: the most bytes per second each download answer sends (a
            connection's share, as a pre-signed file host limits it), or None for as fast as
            loopback goes. Also an attribute. With it, a download over several connections is
            measurably faster than over one, on loopback too.
        control_api: serve the control API under ``/_emulator/`` (reset, add artifacts, inject
            faults, read the calls, over HTTP from any language; see README): True always,
            False never, None (the default) in process and when served on a loopback address
            only. It is never signed: whoever reaches it controls the emulator.
        region_organization_id: the organization that requests of the token API's region
            edition act on (their paths name none: ``/oapi/v1/flow/pipelines/...``). None (the
            default): the only organization there is; with several, such requests answer 400
            ``BadRequest`` saying so. Also an attribute.
    """

    def __init__(
        self,
        access_keys: Mapping[str, str] | None = None,
        *,
        sts_tokens: Mapping[str, tuple[str, str]] | None = None,
        members: Mapping[str, Iterable[str]] | None = None,
        now: Callable[[], float] = time.time,
        url_ttl: int = DEFAULT_URL_TTL,
        rate_limit: tuple[int, float] | None = None,
        tokens: Iterable[str] | None = None,
        token_answers_as_text: bool = False,
        control_api: bool | None = None,
        download_bandwidth: float | None = None,
        region_organization_id: str | None = None,
    ) -> None:
        if control_api is not None and not isinstance(control_api, bool):
            raise TypeError("control_api must be True, False or None")
        self.control_api = control_api
        super().__init__(
            now,
            url_ttl=url_ttl,
            rate_limit=rate_limit,
            token_answers_as_text=token_answers_as_text,
            download_bandwidth=download_bandwidth,
        )

        if access_keys is None:
            access_keys = {DEFAULT_ACCESS_KEY_ID: DEFAULT_ACCESS_KEY_SECRET}
        for key_id, secret in access_keys.items():
            self.add_access_key(key_id, secret)
        for key_id, (secret, token) in (sts_tokens or {}).items():
            self.add_access_key(key_id, secret, security_token=token)
        if isinstance(tokens, str):
            raise TypeError("tokens must be a list of tokens, not one str")
        for token in (DEFAULT_TOKEN,) if tokens is None else tokens:
            self.add_token(token)
        for organization_id, key_ids in (members or {}).items():
            self.set_members(organization_id, key_ids)
        self.region_organization_id = region_organization_id
        self._apps: dict[bool, Starlette] = {}
        self.mark_baseline()

    @classmethod
    def from_config(
        cls, config: Mapping[str, Any], *, base_dir: str | os.PathLike[str] | None = None
    ) -> EmulatedService:
        """An emulator configured by a mapping whose keys are this class's arguments and
        methods, as ``yunxiao-emas emulator --config FILE`` reads it (see README)::

            {"access_keys": {"LTAI5tCi": "secret"}, "tokens": ["pt-ci"],
             "members": {"my-org": ["LTAI5tCi"]}, "rate_limit": [20, 1.0],
             "artifacts": [{"organization_id": "my-org", "pipeline_id": 1111,
                            "pipeline_run_id": 1, "emas_job_instance_id": "job-1",
                            "service_connection_id": 122, "size": 1048576}]}

        An artifact's bytes come from ``path`` (relative to ``base_dir``, default the current
        directory), ``size`` (generated: the same bytes, so the same md5, in every run) or
        ``content_base64``. The result's :meth:`reset` comes back to this configuration.
        Raises :class:`~yunxiao_emas.testing.EmulatorConfigError` (a ``ValueError``) naming the
        key at fault.
        """
        from ._config import service_from_config

        service = service_from_config(cls, config, Path(base_dir) if base_dir else None)
        service.mark_baseline()
        return service

    # --- access keys ------------------------------------------------------------------------

    def add_access_key(
        self,
        access_key_id: str,
        secret: str,
        *,
        security_token: str | None = None,
        expires_at: float | None = None,
    ) -> None:
        """Accept an AccessKey (an STS one when ``security_token`` is given).

        ``expires_at`` (epoch seconds on the emulator's clock) makes the token expire.
        """
        with self._lock:
            self._state.add_key(access_key_id, secret, security_token, expires_at)

    def deactivate_access_key(self, access_key_id: str) -> None:
        """Disable a key: its requests get ``InvalidAccessKeyId.Inactive``."""
        with self._lock:
            self._state.keys[access_key_id].active = False

    def expire_security_token(self, access_key_id: str) -> None:
        """Make an STS key's token expired: ``InvalidSecurityToken.Expired`` from now on."""
        with self._lock:
            self._state.keys[access_key_id].expires_at = self.now() - 1

    @property
    def default_credentials(self) -> AccessKeyCredentials:
        """Credentials the emulator accepts: the default key if configured, else the first one."""
        with self._lock:
            keys = self._state.keys
            if not keys:
                raise LookupError("the emulator has no AccessKey configured")
            key = keys.get(DEFAULT_ACCESS_KEY_ID) or next(iter(keys.values()))
            return AccessKeyCredentials(key.access_key_id, key.secret, key.security_token)

    # --- personal access tokens -------------------------------------------------------------

    def add_token(
        self,
        token: str,
        *,
        organizations: Iterable[str] | None = None,
        expires_at: float | None = None,
    ) -> None:
        """Accept a personal access token for the token API.

        Like AccessKeys, tokens are admitted per organization: ``organizations=None`` admits
        the token to every organization, a list admits it to those only (others answer 403
        ``Forbidden.UserNotInCurrentOrganization``). ``expires_at`` (epoch seconds on the
        emulator's clock) makes it expire: 401 from then on. Adding a token again replaces its
        organizations and expiry. The token must be one the client can send (visible ASCII).

        >>> service = EmulatedService()
        >>> service.add_token("pt-ci-only", organizations=["org-1"])
        """
        with self._lock:
            self._state.add_token(token, organizations, expires_at)

    def expire_token(self, token: str) -> None:
        """Make a token expired: the token API answers its calls 401 from now on."""
        with self._lock:
            self._state.token(token).expires_at = self.now() - 1

    def revoke_token(self, token: str) -> None:
        """Forget a token, as when its owner deletes it: 401 (an unknown token) from now on."""
        with self._lock:
            del self._state.tokens[self._state.token(token).token]

    @property
    def default_token(self) -> PersonalAccessToken:
        """A token the emulator accepts: :data:`DEFAULT_TOKEN` if configured, else the first.

        It may still be restricted to some organizations or expired, if a test made it so.
        """
        with self._lock:
            tokens = self._state.tokens
            if not tokens:
                raise LookupError("the emulator has no personal access token configured")
            value = DEFAULT_TOKEN if DEFAULT_TOKEN in tokens else next(iter(tokens))
            return PersonalAccessToken(value)

    # --- organizations and artifacts --------------------------------------------------------

    def add_organization(self, organization_id: str) -> None:
        """Make an organization exist (``add_artifact`` does this on its own)."""
        with self._lock:
            self._state.organization(organization_id)

    def set_members(self, organization_id: str, access_key_ids: Iterable[str]) -> None:
        """Restrict an organization to exactly these AccessKey ids (tokens are not affected)."""
        with self._lock:
            self._state.organization(organization_id).members = set(access_key_ids)

    def add_member(self, access_key_id: str, organization_id: str) -> None:
        """Make a key a member of an organization.

        On an organization still open to every key this first restricts it to the keys
        configured now, so later keys are not members unless added.
        """
        with self._lock:
            members = self._state.restricted(organization_id).members
            assert members is not None
            members.add(access_key_id)

    def remove_member(self, access_key_id: str, organization_id: str) -> None:
        """Take a key out of an organization (see :meth:`add_member` for open organizations)."""
        with self._lock:
            members = self._state.restricted(organization_id).members
            assert members is not None
            members.discard(access_key_id)

    def add_artifact(
        self,
        organization_id: str,
        pipeline_id: int,
        pipeline_run_id: int,
        emas_job_instance_id: str,
        content: bytes,
        *,
        service_connection_id: int | None = None,
        filename: str = "artifact.apk",
        md5: str | None = None,
    ) -> str:
        """Register an artifact (and its organization, pipeline, run and job); return its md5.

        Both APIs reach it. With ``service_connection_id`` they answer only calls naming that
        service connection (others get ``Forbidden.AccessDenied``); without it, any id is
        accepted. ``content`` is kept as given, not copied. Ids follow the contract's rules,
        so an artifact the API could never reach is refused with ``ValueError``.

        ``md5`` is the checksum the EMAS job reports, the last path parameter of the API. It
        defaults to the hex md5 of ``content``; another value emulates a job whose reported
        checksum is not its file's (a client that verifies downloads must then fail). The
        download's ``ETag`` is always the md5 of the bytes served.

        The run exists from then on (status SUCCESS, unless :meth:`add_run` made it first), and
        reports the artifact as GetPipelineRun shows it: a job named ``EMAS build`` in a stage
        ``EMAS``, whose ``params`` is the JSON of ``{"emasJobInstanceId", "md5",
        "serviceConnectionId"}`` (the last only when given), whose ``result`` (token API) is
        that of ``{"data": {"emasJobInstanceId", "md5"}}``, with an action ``{"type": "EMAS",
        "params": {"emasJobInstanceId", "md5"}}``. The service connection becomes one of the
        organization's, of type ``emas``, named ``EMAS (emulated)``.
        """
        with self._lock:
            return self._state.add_artifact(
                organization_id,
                pipeline_id,
                pipeline_run_id,
                emas_job_instance_id,
                content,
                service_connection_id=service_connection_id,
                filename=filename,
                md5=md5,
            )

    @property
    def region_organization_id(self) -> str | None:
        """The organization of region-edition requests (None: the only one there is)."""
        return self._state.region_organization_id

    @region_organization_id.setter
    def region_organization_id(self, organization_id: str | None) -> None:
        with self._lock:
            if organization_id is not None:
                self._state.organization(organization_id)
            self._state.region_organization_id = organization_id

    # --- runs and service connections -------------------------------------------------------

    def add_run(
        self,
        organization_id: str,
        pipeline_id: int,
        pipeline_run_id: int,
        *,
        status: str = "SUCCESS",
        stages: Iterable[Mapping[str, Any]] | None = None,
        trigger_mode: int = 1,
        start_time: int | None = None,
        end_time: int | None = None,
        finishes_after_polls: int | None = None,
    ) -> None:
        """Make a run exist (replacing one of the same ids), with any status, stages and jobs:
        GetPipelineRun, ListPipelineRuns and GetLatestPipelineRun answer it in both APIs.

        ``stages`` are in the API's own shape, so a real run's answer can be pasted::

            [{"name": "Build", "stageInfo": {"name": "Build", "status": "SUCCESS", "jobs": [
                {"id": 7, "name": "EMAS build", "status": "SUCCESS",
                 "params": '{"emasJobInstanceId": "Psaxsa", "md5": "..."}',
                 "result": '{"data": {"emasJobInstanceId": "Psaxsa", "md5": "..."}}',
                 "actions": [{"type": "EMAS", "disable": False, "params": {...}}]}]}}]

        A job's ``params``/``result`` are JSON strings as the API sends them (a mapping is
        written as one); ``id`` defaults to a new job id, statuses to the run's. Times are
        milliseconds since the epoch: ``start_time`` defaults to the emulator's clock,
        ``end_time`` to ``start_time`` for a finished run (none for RUNNING and other
        unfinished statuses). ``trigger_mode``: 1 manual, 2 scheduled, 3 code commit, 5 another
        pipeline, 6 webhook. ``finishes_after_polls=N``: the run answers RUNNING to the first N
        GetPipelineRun calls (either API) and ``status`` from then on (to test waiting); it is
        listed as RUNNING meanwhile. Artifacts added to the run with :meth:`add_artifact` stay
        reachable; a bad value raises ``ValueError`` naming it, and adds nothing.
        """
        with self._lock:
            self._state.add_run(
                organization_id,
                pipeline_id,
                pipeline_run_id,
                status=status,
                stages=stages,
                trigger_mode=trigger_mode,
                start_time=start_time,
                end_time=end_time,
                finishes_after_polls=finishes_after_polls,
            )

    def add_service_connection(
        self,
        organization_id: str,
        id: int,
        *,
        type: str = "emas",
        name: str | None = None,
    ) -> None:
        """Give an organization a service connection (replacing one of the same id), listed
        by ListServiceConnections in both APIs. ``name`` defaults to ``"EMAS (emulated)"`` for
        type ``emas`` (``"<TYPE> (emulated)"`` otherwise). :meth:`add_artifact` with a
        ``service_connection_id`` adds its EMAS connection on its own."""
        with self._lock:
            self._state.add_connection(organization_id, id, type=type, name=name)

    def runs(self) -> list[dict[str, Any]]:
        """Every run, as the token API's GetPipelineRun answers it now (without counting as a
        poll), with its ``organizationId``: newest first within each pipeline."""
        from ._runs import token_run

        with self._lock:
            book = self._state.book
            pipelines = sorted(
                {(run.organization_id, run.pipeline_id) for run in book.runs.values()}
            )
            return [
                {"organizationId": run.organization_id, **token_run(run)}
                for organization_id, pipeline_id in pipelines
                for run in book.runs_of(organization_id, pipeline_id)
            ]

    def service_connections(self) -> list[dict[str, Any]]:
        """Every service connection, as ListServiceConnections lists them, with its
        ``organizationId``."""
        from ._runs import token_connection

        with self._lock:
            book = self._state.book
            return [
                {"organizationId": organization_id, **token_connection(connection)}
                for organization_id in sorted(book.connections)
                for connection in book.connections_of(organization_id, None)
            ]

    # --- fault injection --------------------------------------------------------------------

    def fail_next(
        self,
        count: int = 1,
        *,
        code: str | None = None,
        status: int | None = None,
        message: str | None = None,
        retry_after: float | str | None = None,
        shape: Literal["service", "gateway"] | None = None,
        operation: str | None = None,
    ) -> None:
        """Make the next ``count`` authenticated API calls fail with an error answer.

        - A documented service code (openapi.yaml, ``ServiceError.x-error-codes``) answers in
          the service body with its documented status and message; ``status`` picks among the
          documented ones when a code is listed twice (``InvalidUser.UserNotInCurrentOrganization``
          is 400 and 404), and ``status=200`` makes it a 200 with ``success: false``.
        - A gateway code (``InternalError``, ``ServiceUnavailable``, ``Throttling.User``, ...)
          answers in the gateway body with the gateway's status.
        - Without a code, ``status`` (429 or 5xx) picks one: ``Throttling``, ``InternalError``
          or ``ServiceUnavailable``. Without either: ``InternalError``, 500.
        - Any other code needs a ``status``; it answers in the service body unless
          ``shape="gateway"``.

        A fault fires on the next authenticated call of either API, in that API's shape: the
        token API answers every fault with its ``TokenApiError`` body (the same status, code and
        message; ``shape`` does not apply), and a ``status=200`` fault, a business failure that
        only the signed API has, as 400. ``operation`` (an ``operationId``) keeps the fault for
        calls of that operation, which also allows the statuses only it declares (the token
        API's 401, 409 and 422); without it, the status must be one every operation declares.

        ``retry_after`` (seconds) adds ``x-acs-retry-after`` in milliseconds (signed API) or
        ``Retry-After`` in seconds (token API); a ``str`` is sent as the header's raw value, to
        test how a client takes a malformed hint ("0", "-1", "soon"). The faults queue up
        with :meth:`drop_next` in the order they were asked for, and fire after the gateway has
        accepted the signature or token, so unauthenticated requests do not use them up.

        >>> service = EmulatedService()
        >>> service.fail_next(2, code="ServiceUnavailable", retry_after=1)
        >>> service.fail_next(code="InvalidCluster.NotFound")
        >>> service.fail_next(code="Conflict", status=409, operation="GetEmasArtifactDownloadUrl")
        """
        fault = make_fault(code, status, message, retry_after, shape, operation)
        with self._lock:
            self._faults.queue(fault, count)

    def drop_next(self, count: int = 1, *, operation: str | None = None) -> None:
        """Cut the connection of the next ``count`` authenticated API calls (of either API, or
        of ``operation`` only).

        The emulator sends the status line, headers and a ``Content-Length``, part of the body,
        then closes the socket: clients see a truncated answer (``httpx.RemoteProtocolError``),
        which is safe to retry. Queued with :meth:`fail_next`, in order.
        """
        fault = make_drop(operation)
        with self._lock:
            self._faults.queue(fault, count)

    def drop_download_after(self, offset: int, count: int = 1) -> None:
        """Cut the next ``count`` artifact downloads (GET) after ``offset`` bytes of body.

        The answer announces the full ``Content-Length``, so the client sees a truncated body;
        it can resume with ``Range: bytes=<received>-``. An offset at or past the end of the
        body cuts nothing (the fault is used up all the same). Downloads are the same whichever
        API handed out the URL.
        """
        with self._lock:
            self._faults.queue_download_drops(offset, count)

    def corrupt_next_download(self, count: int = 1) -> None:
        """Flip the first byte of the body of the next ``count`` artifact downloads (GET)."""
        with self._lock:
            self._faults.queue_corruptions(count)

    def expire_urls(self) -> None:
        """Make every download URL issued so far answer 403 ``Request has expired``.

        Moving the clock past ``url_ttl`` with :meth:`advance_clock` has the same effect.
        """
        with self._lock:
            self._file_host.expire_urls()

    def clear_faults(self) -> None:
        """Forget every queued fault (API and download) and the latency."""
        with self._lock:
            self._faults.clear()

    # --- serving ----------------------------------------------------------------------------

    @property
    def asgi_app(self) -> Starlette:
        """The emulator as a Starlette (ASGI) application, built once; with the control API
        under ``/_emulator/`` unless ``control_api`` is False."""
        return self.app_for(control=self.control_api is not False)

    def app_for(self, *, control: bool) -> Starlette:
        """The ASGI application with or without the control API (each built once)."""
        with self._lock:
            if control not in self._apps:
                from ._app import build_app

                self._apps[control] = build_app(self, control=control)
            return self._apps[control]

    def serves_control_api_on(self, host: str) -> bool:
        """Whether the control API is served when the emulator listens on ``host``."""
        if self.control_api is not None:
            return self.control_api
        return is_loopback(host)

    def serve(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        ssl_certfile: str | None = None,
        ssl_keyfile: str | None = None,
    ) -> AbstractContextManager[str]:
        """Run the emulator with uvicorn in a background thread; see :func:`serve`."""
        from ._server import serve

        return serve(self, host=host, port=port, ssl_certfile=ssl_certfile, ssl_keyfile=ssl_keyfile)
