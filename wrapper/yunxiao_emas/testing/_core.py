"""The emulator's core: the state and the answers, without HTTP (moto's rule: state never
imports the HTTP layer).

:class:`ServiceCore` owns the parts and the one lock around them: the state (:mod:`._state`),
the faults (:mod:`._faults`), the file host (:mod:`._file_host`); a request goes through the
routes (:mod:`._rules`), the gateway (:mod:`._gateway`) and the operation's handler
(:mod:`._handlers`). Everything here is synchronous and free of HTTP framework types: the
adapters (:mod:`._app`, :mod:`._server`) turn ASGI requests into :class:`ApiRequest` /
download arguments and the answers back into ASGI messages. The public facade,
:class:`~yunxiao_emas.testing.EmulatedService` (:mod:`._service`), adds the configuring
methods and the ways to serve it.
"""

from __future__ import annotations

import copy
import email.utils
import threading
from collections.abc import Callable, Mapping
from typing import Any

from ._asked import Asked, region_organization
from ._calls import CallRecord
from ._exchange import ApiAnswer, ApiRequest, Call, Context, DownloadAnswer
from ._faults import Faults
from ._file_host import DOWNLOAD_PREFIX, FileHost
from ._gateway import admit
from ._handlers import HANDLERS, Handler
from ._messages import Refusal
from ._rules import ParameterError, Route, api_of, arguments, route
from ._settings import check
from ._state import State

__all__ = ["DEFAULT_URL_TTL", "ServiceCore"]

DEFAULT_URL_TTL = 3600


class ServiceCore:
    """The state of an emulated service and its answers to API calls and downloads."""

    def __init__(
        self, now: Callable[[], float], *, download_bandwidth: float | None, **settings: Any
    ) -> None:
        """``settings`` are the :class:`State`'s (``url_ttl``, ``rate_limit``,
        ``token_answers_as_text``), checked like every later change of them."""
        self.download_bandwidth = download_bandwidth
        self._now = now
        self._lock = threading.RLock()
        self._state = State(now, **settings)
        self.url_ttl, self.rate_limit = self._state.url_ttl, self._state.rate_limit  # checked
        self._faults = Faults()
        self._file_host = FileHost(self._state, self._faults)
        self.calls: CallRecord = CallRecord()
        """Every request answered (API calls of both APIs and downloads), in order: the last
        10,000, each path cut at 1,024 characters; ``calls.dropped`` counts older ones."""
        self._baseline = self._copy_of_state()
        self._baseline_latency = 0.0

    # --- the baseline -----------------------------------------------------------------------

    def mark_baseline(self) -> None:
        """Make the present configuration the one :meth:`reset` returns to (by default, the
        one made by the constructor, or by :meth:`from_config`)."""
        with self._lock:
            self._baseline = self._copy_of_state()
            self._baseline_latency = self._faults.latency

    def _copy_of_state(self, state: State | None = None) -> State:
        # The clock is shared, not copied: a test's fake clock must keep driving the emulator.
        # The artifacts' bytes are immutable, so the copy shares them too.
        return copy.deepcopy(self._state if state is None else state, {id(self._now): self._now})

    def reset(self) -> None:
        """Return to the baseline (see :meth:`mark_baseline`): its keys, tokens, members,
        artifacts, settings and clock. Queued faults and the record of calls are forgotten, and
        URLs handed out before no longer verify (their artifacts answer at new URLs)."""
        with self._lock:
            self._state = self._copy_of_state(self._baseline)
            self._faults = Faults()
            self._faults.latency = self._baseline_latency
            self._file_host = FileHost(self._state, self._faults)
            self.calls.clear()

    # --- settings ---------------------------------------------------------------------------

    @property
    def url_ttl(self) -> int:
        """How long a download URL stays valid, in seconds."""
        return self._state.url_ttl

    @url_ttl.setter
    def url_ttl(self, seconds: int) -> None:
        check("url_ttl", seconds)
        with self._lock:
            self._state.url_ttl = seconds

    @property
    def rate_limit(self) -> tuple[int, float] | None:
        """``(requests, per_seconds)`` allowed per AccessKey or token, or None for no limit."""
        return self._state.rate_limit

    @rate_limit.setter
    def rate_limit(self, limit: tuple[int, float] | None) -> None:
        if limit is not None:
            requests, per_seconds = limit
            check("rate_limit.requests", requests, "rate_limit's requests")
            check("rate_limit.per_seconds", per_seconds, "rate_limit's per_seconds")
        with self._lock:
            self._state.rate_limit = limit

    @property
    def download_bandwidth(self) -> float | None:
        """Bytes per second of each download answer (a connection's cap), None for no cap."""
        return self._download_bandwidth

    @download_bandwidth.setter
    def download_bandwidth(self, bytes_per_second: float | None) -> None:
        if bytes_per_second is not None:
            check("download_bandwidth", bytes_per_second)
        self._download_bandwidth = bytes_per_second

    @property
    def token_answers_as_text(self) -> bool:
        """Whether the token API answers its URL as ``text/plain`` (else as a JSON string)."""
        return self._state.token_answers_as_text

    @token_answers_as_text.setter
    def token_answers_as_text(self, as_text: bool) -> None:
        with self._lock:
            self._state.token_answers_as_text = as_text

    @property
    def latency(self) -> float:
        """Seconds to wait before answering each API call of either API (not downloads)."""
        return self._faults.latency

    @latency.setter
    def latency(self, seconds: float) -> None:
        check("latency", seconds)
        with self._lock:
            self._faults.latency = seconds

    # --- the clock --------------------------------------------------------------------------

    def now(self) -> float:
        """The emulator's clock: ``now()`` given at construction plus :meth:`advance_clock`."""
        return self._state.now()

    def advance_clock(self, seconds: float) -> None:
        """Move the emulator's clock (negative values move it back)."""
        check("advance_clock", seconds, "seconds")
        with self._lock:
            self._state.advance_clock(seconds)

    def http_date(self) -> str:
        """The emulator's clock as an HTTP ``Date`` value."""
        return email.utils.formatdate(self.now(), usegmt=True)

    # --- records ----------------------------------------------------------------------------

    def artifacts(self) -> list[dict[str, Any]]:
        """Every registered artifact, as the ids and facts a client needs to fetch it:
        ``organization_id``, ``pipeline_id``, ``pipeline_run_id``, ``emas_job_instance_id``,
        ``md5`` (the checksum the API is called with), ``service_connection_id`` (None: any),
        ``filename`` and ``size``."""
        with self._lock:
            found = []
            for organization_id, organization in self._state.organizations.items():
                for pipeline_id, runs in organization.pipelines.items():
                    for run_id, jobs in runs.items():
                        for job_id, by_md5 in jobs.items():
                            for md5, artifact in by_md5.items():
                                found.append(
                                    {
                                        "organization_id": organization_id,
                                        "pipeline_id": pipeline_id,
                                        "pipeline_run_id": run_id,
                                        "emas_job_instance_id": job_id,
                                        "md5": md5,
                                        "service_connection_id": artifact.service_connection_id,
                                        "filename": artifact.filename,
                                        "size": len(artifact.content),
                                    }
                                )
            return found

    @property
    def api_calls(self) -> list[Call]:
        """The API calls among :attr:`calls` (of both APIs)."""
        with self._lock:
            return [call for call in self.calls if not call.path.startswith(DOWNLOAD_PREFIX)]

    @property
    def download_calls(self) -> list[Call]:
        """The downloads among :attr:`calls`."""
        with self._lock:
            return [call for call in self.calls if call.path.startswith(DOWNLOAD_PREFIX)]

    # --- answering --------------------------------------------------------------------------

    def handle_api(self, request: ApiRequest) -> ApiAnswer:
        """Answer one API request: its route, the gateway, faults, then the service's rules.

        A request that reaches no operation is answered ``InvalidAction.NotFound`` (404) by the
        API its path belongs to (see :func:`._rules.api_of`), in that API's body.
        """
        with self._lock:
            context = Context.new(request.host, self.http_date())
            matched = route(request.method, request.raw_path)
            handler = HANDLERS[
                (matched.operation if matched else api_of(request.raw_path)).operation_id
            ]
            try:
                answer = self._answer(request, matched, handler, context)
            except Refusal as refusal:
                answer = handler.refusal(refusal, context)
            self.calls.append(
                Call(
                    request.method,
                    request.raw_path,
                    None if answer.drop else answer.status,
                    answer.code,
                    matched.operation.operation_id if matched else None,
                    answer.signature_check,
                )
            )
        return answer

    def _answer(
        self, request: ApiRequest, matched: Route | None, handler: Handler, context: Context
    ) -> ApiAnswer:
        if matched is None:
            raise Refusal.gateway("InvalidAction.NotFound")
        identity = admit(self._state, request, matched.operation)
        fault = self._faults.take(handler.name)
        if fault is not None:
            if fault.kind == "drop":
                return handler.cut(context)
            raise fault.refusal()
        try:
            given = arguments(matched, request.query_string)
        except ParameterError as error:
            raise Refusal.service("InvalidParam.ParamNotPresent", detail=str(error)) from None
        if matched.region:
            given["organization_id"] = region_organization(self._state)
        asked = Asked(self._state, self._file_host, identity, given, request, context)
        return handler.answer(asked)

    def failure_answer(self, raw_path: str, host: str, error: BaseException) -> ApiAnswer:
        """The answer when the emulator itself fails: an ``InternalError`` 500 in the body of the
        API that ``raw_path`` belongs to, so even a bug answers in the contract's shape."""
        handler = HANDLERS[api_of(raw_path).operation_id]
        message = f"The emulator failed: {type(error).__name__}: {error}"
        context = Context.new(host, self.http_date())
        return handler.refusal(Refusal.gateway("InternalError", message=message), context)

    def handle_download(
        self,
        method: str,
        raw_path: str,
        token: str,
        filename: str,
        query_string: str,
        headers: Mapping[str, str],
        host: str,
    ) -> DownloadAnswer:
        """Answer a GET or HEAD of a download URL (an OSS-like file host, not the API)."""
        with self._lock:
            answer = self._file_host.answer(method, token, filename, query_string, headers, host)
            code = None if answer.status < 400 else answer.headers.get("x-oss-ec")
            status = None if answer.drop_after is not None else answer.status
            self.calls.append(Call(method, raw_path, status, code))
            return answer
