"""``Client`` and ``AsyncClient``: validated, authenticated, retried calls for the download URL
of an EMAS artifact, and the verified download of the artifact; and the calls that find its
ids (the runs of a pipeline, a run with its jobs and EMAS artifacts, the latest run, the
service connections), through the same call path.

Every rule lives once elsewhere: the configuration and the request in :mod:`._call.request`,
the call and its retries in :func:`~yunxiao_emas._call.retry.call_flow`, the download in
:func:`~yunxiao_emas._download.flow.download_flow`, the answers in :mod:`._call.responses`, and
what differs between the two APIs in :mod:`._call.operations`. The flows are generators that
say what to do next; the two clients here only drive them, one with blocking I/O and one with
``await``.
Which API a client speaks follows from its credentials (an AccessKey: the signed
GetPipelineEmasArtifactUrl; a personal access token: Yunxiao's newer OpenAPI).
"""

from __future__ import annotations

import abc
import contextlib
import itertools
import os
import ssl
import threading
import time
from collections.abc import AsyncIterator, Callable, Generator, Iterator, Mapping
from typing import TYPE_CHECKING, Any, ClassVar, Self, TypeVar

import httpx

from ._call.deadline import DEADLINE, TIME_UP, DeadlineTransport, now
from ._call.finding import (
    Call,
    check_connection_args,
    check_list_args,
    check_run_args,
    latest_run_flow,
    list_params,
    page_items,
)
from ._call.http_clients import CookielessAsyncClient, CookielessClient
from ._call.operations import SIGNED, TOKEN, Ids
from ._call.request import (
    DEFAULT_CONNECTIONS,
    SEND_OPTIONS,
    CallOptions,
    Core,
    admitted,
    async_transport,
    http_options,
)
from ._call.responses import AnswerBody
from ._call.retry import CallStep, Outcome, Send, Sleep
from ._call.tracing import API, DOWNLOAD_SPAN, Traced, api_of, instrument_own_client
from .errors import ApiError, InvalidArgumentError

if TYPE_CHECKING:
    import datetime as dt

    from ._call.paging import Page
    from ._call.policy import RetryPolicy
    from ._download.flow import DownloadFlow, DownloadStep
    from ._download.parts import Part
    from ._download.transfer import Transfer
    from .credentials import CredentialsProvider
    from .models import ArtifactUrl, DownloadedArtifact, ProgressCallback
    from .runs import PipelineRun, PipelineRunSummary, ServiceConnection

__all__ = ["DEFAULT_ENDPOINT", "DEFAULT_TOKEN_ENDPOINT", "AsyncClient", "Client"]

DEFAULT_CHUNK_SIZE = 1024 * 1024
"""Bytes between progress reports of a download, and the size of its file's write buffer."""

DEFAULT_ENDPOINT = SIGNED.default_host
"""The host of the signed API (AccessKey credentials)."""
DEFAULT_TOKEN_ENDPOINT = TOKEN.default_host
"""The host of the token API (a personal access token)."""

_CallFlow = Generator[CallStep, Outcome, "ArtifactUrl"]
T = TypeVar("T")


class _BaseClient(abc.ABC):
    """What :class:`Client` and :class:`AsyncClient` share (httpx's ``BaseClient`` is the
    model): the checks of the arguments and the configuration (all before any I/O), the repr,
    and the flows of a call and of a download, which the two only drive."""

    _http_class: ClassVar[type[httpx.Client] | type[httpx.AsyncClient]]
    _http: httpx.Client | httpx.AsyncClient

    def __init__(
        self,
        *,
        verify: bool | str | ssl.SSLContext,
        proxy: str | None,
        http_client: httpx.Client | httpx.AsyncClient | None,
        limits: httpx.Limits | None,
        transport: str = "httpx",
        **settings: Any,
    ) -> None:
        """The HTTP options here; ``settings`` are :class:`Core`'s (credentials, endpoint,
        timeout, retries, user agent, edition)."""
        http_class = self._http_class
        if http_client is not None and not isinstance(http_client, http_class):
            raise InvalidArgumentError("http_client", f"must be an httpx.{http_class.__name__}")
        client_class, transport_class, own_transports = self._transports(transport, http_client)
        options = http_options(
            http_client=http_client,
            verify=verify,
            proxy=proxy,
            transport=transport_class,
            limits=limits,
            # A caller's http_client keeps its own transports: none of ours is built.
            own_transports=own_transports and http_client is None,
        )
        self._core = Core(**settings)
        self._owns_http = http_client is None
        self._options = options
        self._http = http_client or client_class(**self._core.own_client_options(options))
        if http_client is None:
            instrument_own_client(self._http)

    @staticmethod
    @abc.abstractmethod
    def _transports(
        transport: str, http_client: object
    ) -> tuple[Callable[..., Any], Callable[..., Any], bool]:
        """The httpx client class, the transport class of its routes, and whether every route
        gets one of ours (see :func:`~yunxiao_emas._call.request.http_options`)."""

    def __repr__(self) -> str:
        return f"{type(self).__name__}(endpoint={self._core.base_url!r})"

    def with_options(self, **options: Any) -> Self:
        """A client with some options changed, sharing this one's connection pool: closing
        it leaves the pool open (the client it came from closes it).

        ``options`` are those of the constructor that do not belong to the pool:
        ``credentials``, ``endpoint``, ``timeout``, ``retries`` (an int keeps this client's
        waits and ``on_retry``), ``user_agent``, and ``extra_headers`` (added to every API
        request, see the methods). ``verify``, ``proxy``, ``limits``, ``http_client`` and
        ``transport`` are the pool's: make a new client to change them.

        >>> patient = client.with_options(timeout=120, retries=5)  # doctest: +SKIP
        """
        copy = object.__new__(type(self))
        copy.__dict__.update(self.__dict__)
        copy._core = self._core.with_options(options)
        copy._owns_http = False
        return copy

    def _options_of(self, timeout: object, retries: object, extra_headers: object) -> CallOptions:
        """The options of one call (checked before any I/O)."""
        return self._core.options(timeout, retries, extra_headers)

    def _call_flow(self, ids: Ids, options: CallOptions) -> tuple[Traced, _CallFlow]:
        """The span of one call for the URL of checked ``ids``, and its flow; enter the span
        while driving the flow."""
        operation = self._core.bound().operation
        traced = Traced(operation.name, {API: api_of(operation.credentials)})
        observer = traced if traced.span is not None else None
        return traced, self._core.call(ids, options, observer)

    def _download_flow(
        self, *ids: Any, dest: object, options: CallOptions, **arguments: Any
    ) -> tuple[DownloadFlow, Transfer, Ids] | DownloadedArtifact:
        """The flow of one download, its transfer and its checked ``ids``; or the result at
        once when ``dest`` already holds the artifact. Every argument is checked first."""
        checked = Ids.check(*ids)
        transfer = self._core.prepare_download(checked, dest, **arguments)
        from ._download.transfer import Transfer

        if not isinstance(transfer, Transfer):
            return transfer  # already there: nothing to transfer
        transfer.timeout = options.timeout
        flow = self._core.download(transfer, arguments["artifact_url"], options)
        return flow, transfer, checked

    def _download_span(self) -> Traced:
        """The span of one download (after its arguments are checked)."""
        return Traced(DOWNLOAD_SPAN, {API: api_of(self._core.bound().operation.credentials)})

    def _call_of(
        self, call: Call, options: CallOptions | None = None
    ) -> tuple[Traced, Generator[CallStep, Outcome, Any]]:
        """The span of one call of a logical operation (a row of the table) and its flow, with
        ``options`` (default: the client's); enter the span while driving the flow."""
        from ._call.operations import row

        operation = row(call.operation, self._core.bound().kind)
        traced = Traced(operation.name, {API: api_of(operation.credentials)})
        observer = traced if traced.span is not None else None
        return traced, self._core.call_operation(call.operation, call.params, options, observer)

    def _first_page(self, pipeline: dict[str, Any], status: str | None, since: int | None) -> Call:
        """The first page of a pipeline's runs, in the API the credentials chose."""
        return Call("list_runs", list_params(pipeline, status, since, signed=self._core.signed))

    def _latest_flow(
        self, organization_id: object, pipeline_id: object, status: object
    ) -> Generator[Call, Any, PipelineRun]:
        """The flow of ``get_latest_pipeline_run``, its arguments checked (before any I/O)."""
        pipeline, checked, _ = check_list_args(organization_id, pipeline_id, status, None)
        return latest_run_flow(pipeline, checked, signed=self._core.signed)


class Client(_BaseClient):
    """A blocking client. Use it as a context manager.

    Args:
        credentials: :class:`~yunxiao_emas.AccessKeyCredentials` (the signed API),
            :class:`~yunxiao_emas.PersonalAccessToken` (the token API), or any provider with
            ``get_credentials()``; default: the default chain (environment, ``YUNXIAO_TOKEN``,
            aliyun CLI profile, INI file). The provider is first asked at the first call.
        endpoint: a host name (``https://`` is implied) or a full base URL such as
            ``http://127.0.0.1:8080`` (plain http only for loopback); default: the host of the
            API the credentials select (``devops.cn-hangzhou.aliyuncs.com`` for an AccessKey,
            ``openapi-rdc.aliyuncs.com`` for a token).
        timeout: seconds, or an ``httpx.Timeout``; default 30 s (10 s to connect).
        retries: how many times a failed call is retried (default 2, so 3 attempts), or a
            :class:`RetryPolicy`.
        verify: True, a CA bundle path, or an ``ssl.SSLContext``.
        proxy: a proxy URL.
        user_agent: appended to the ``User-Agent``.
        http_client: an ``httpx.Client`` of yours; it is not closed by this client.
        limits: the connection pool's ``httpx.Limits`` (default :data:`DEFAULT_LIMITS`).
        edition: the token API's edition, ``"central"`` (paths under
            ``/organizations/{organizationId}``) or ``"region"`` (an instance's own domain:
            the same paths without it); default: central for ``openapi-rdc.aliyuncs.com`` and
            loopback (the emulator), region for any other host.

    >>> with Client(credentials=PersonalAccessToken("pt-...")) as client:  # doctest: +SKIP
    ...     url = client.get_pipeline_emas_artifact_url(
    ...         "5ebbc0228123212b59xxxxx", 1111, 1, "Psaxsa", "assasas", service_connection_id=122)
    """

    _http_class = httpx.Client
    _http: httpx.Client

    def __init__(
        self,
        *,
        credentials: CredentialsProvider | None = None,
        endpoint: str | None = None,
        timeout: float | httpx.Timeout | None = None,
        retries: int | RetryPolicy = 2,
        verify: bool | str | ssl.SSLContext = True,
        proxy: str | None = None,
        user_agent: str | None = None,
        http_client: httpx.Client | None = None,
        limits: httpx.Limits | None = None,
        edition: str | None = None,
    ) -> None:
        super().__init__(
            credentials=credentials,
            endpoint=endpoint,
            timeout=timeout,
            retries=retries,
            user_agent_suffix=user_agent,
            verify=verify,
            proxy=proxy,
            http_client=http_client,
            limits=limits,
            edition=edition,
        )
        self._sleep: Callable[[float], None] = time.sleep

    @staticmethod
    def _transports(
        transport: str, http_client: object
    ) -> tuple[Callable[..., Any], Callable[..., Any], bool]:
        # Our transport on every route: it holds an attempt to its deadline (see deadline.py).
        return CookielessClient, DeadlineTransport, True

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the connections (not those of an ``http_client`` you passed)."""
        if self._owns_http:
            self._http.close()

    def get_pipeline_emas_artifact_url(
        self,
        organization_id: str,
        pipeline_id: int,
        pipeline_run_id: int,
        emas_job_instance_id: str,
        md5: str,
        *,
        service_connection_id: int,
        timeout: float | httpx.Timeout | None = None,
        retries: int | RetryPolicy | None = None,
        extra_headers: Mapping[str, str] | None = None,
    ) -> ArtifactUrl:
        """Get a temporary (one hour) download URL of the EMAS artifact of a pipeline run.

        ``timeout``, ``retries`` and ``extra_headers`` apply to this call only: a timeout as
        the client's, retries as the client's (an int keeps the client's waits and
        ``on_retry``), and headers added to its API requests, never to those that authenticate
        it (``Authorization``, ``x-acs-*``, ``x-yunxiao-token``, ``host``: refused).

        Raises:
            InvalidArgumentError: an id or an option breaks a rule (before any I/O).
            CredentialsError: no usable credentials (before any I/O).
            ApiError: one of its subclasses, by the answer's meaning.
            TransportError: no answer after the retries.
        """
        ids = Ids.check(
            organization_id,
            pipeline_id,
            pipeline_run_id,
            emas_job_instance_id,
            md5,
            service_connection_id,
        )
        traced, flow = self._call_flow(ids, self._options_of(timeout, retries, extra_headers))
        with traced:
            return self._drive(flow)

    def download_pipeline_emas_artifact(
        self,
        organization_id: str,
        pipeline_id: int,
        pipeline_run_id: int,
        emas_job_instance_id: str,
        md5: str,
        dest: str | os.PathLike[str],
        *,
        service_connection_id: int,
        overwrite: bool = False,
        progress: ProgressCallback | None = None,
        chunk_size: int = DEFAULT_CHUNK_SIZE,
        artifact_url: ArtifactUrl | None = None,
        connections: int = DEFAULT_CONNECTIONS,
        timeout: float | httpx.Timeout | None = None,
        retries: int | RetryPolicy | None = None,
        extra_headers: Mapping[str, str] | None = None,
    ) -> DownloadedArtifact:
        """Download the artifact to ``dest``, verified against ``md5`` when it is a hex digest.

        ``dest`` is a file path, or an existing directory (the name then comes from the file
        host's ``Content-Disposition`` or the URL path, reduced to one safe component). An
        existing file is replaced only with ``overwrite=True``, and never on failure.
        ``progress(done, total)`` is called every ``chunk_size`` bytes and at the end (``total``
        is None when unknown); ``chunk_size`` is also the size of the file's write buffer.
        ``artifact_url`` reuses a URL you already have; it is refreshed if it has expired.
        ``connections`` (1..16, default 4): when the first MiB comes slower than 100 MB/s (a
        pre-signed file host limits each connection's speed), the rest of a large file is
        fetched in parts over that many connections at once; resumable and atomic all the
        same, its md5 taken over the whole file in order. A fast link stays one connection.
        ``timeout`` and ``retries`` apply to this download (its API calls and the file
        host's requests), ``extra_headers`` to its API calls only: the file host is another
        party, and gets none of them.

        Raises:
            InvalidArgumentError: before any I/O.
            ApiError, TransportError: the API call for the URL failed.
            ChecksumMismatchError: the bytes do not match ``md5``; no file is left.
            DownloadError: the transfer failed after resuming and refreshing; no file is left.
        """
        options = self._options_of(timeout, retries, extra_headers)
        started = self._download_flow(
            organization_id,
            pipeline_id,
            pipeline_run_id,
            emas_job_instance_id,
            md5,
            service_connection_id,
            dest=dest,
            options=options,
            overwrite=overwrite,
            progress=progress,
            chunk_size=chunk_size,
            artifact_url=artifact_url,
            connections=connections,
        )
        with self._download_span() as traced:
            if not isinstance(started, tuple):
                traced.downloaded(started, parts=0)
                return started  # already there: nothing to transfer
            flow, transfer, ids = started
            done = self._drive_download(flow, transfer, ids, options)
            traced.downloaded(done, parts=len(transfer.parts.parts) if transfer.parts else 1)
            return done

    # -- finding the ids ----------------------------------------------------------------------

    def list_pipeline_runs(
        self,
        organization_id: str,
        pipeline_id: int,
        *,
        status: str | None = None,
        since: dt.datetime | None = None,
        timeout: float | httpx.Timeout | None = None,
        retries: int | RetryPolicy | None = None,
        extra_headers: Mapping[str, str] | None = None,
    ) -> Iterator[PipelineRunSummary]:
        """The pipeline's runs, newest first, every page (fetched as the iteration needs it).

        ``status`` keeps the runs of that status (``SUCCESS``, ``FAIL``, ``RUNNING``...);
        ``since`` (an aware datetime) the runs started at or after it. The arguments are checked
        at once (:class:`~yunxiao_emas.InvalidArgumentError`), the calls made while iterating.
        ``timeout``, ``retries`` and ``extra_headers`` apply to each of its calls, as in
        :meth:`get_pipeline_emas_artifact_url`.

        >>> for run in client.list_pipeline_runs("org", 1111, status="SUCCESS"):  # doctest: +SKIP
        ...     print(run.pipeline_run_id, run.start_time)
        """
        pipeline, checked, millis = check_list_args(organization_id, pipeline_id, status, since)
        options = self._options_of(timeout, retries, extra_headers)

        def runs() -> Iterator[PipelineRunSummary]:
            call: Call | None = self._first_page(pipeline, checked, millis)
            while call is not None:
                page: Page[PipelineRunSummary] = self._make(call, options)
                kept, last = page_items(page, checked, millis)
                yield from kept
                call = None if last else Call(call.operation, page.next_params or {})

        return runs()

    def get_pipeline_run(
        self,
        organization_id: str,
        pipeline_id: int,
        pipeline_run_id: int,
        *,
        timeout: float | httpx.Timeout | None = None,
        retries: int | RetryPolicy | None = None,
        extra_headers: Mapping[str, str] | None = None,
    ) -> PipelineRun:
        """A run with its stages and jobs (each job's ``params``/``result`` parsed), and
        ``run.emas_artifacts``: what it reports about its EMAS artifacts (the EMAS rule, an
        assumption: see :mod:`yunxiao_emas.emas_rule`).

        Raises:
            InvalidArgumentError: before any I/O. ApiError, TransportError: as for any call.
        """
        params = check_run_args(organization_id, pipeline_id, pipeline_run_id)
        options = self._options_of(timeout, retries, extra_headers)
        run: PipelineRun = self._make(Call("get_run", params), options)
        return run

    def get_latest_pipeline_run(
        self,
        organization_id: str,
        pipeline_id: int,
        *,
        status: str | None = "SUCCESS",
        timeout: float | httpx.Timeout | None = None,
        retries: int | RetryPolicy | None = None,
        extra_headers: Mapping[str, str] | None = None,
    ) -> PipelineRun:
        """The pipeline's latest run of ``status`` (None: of any status), with its stages and
        jobs, as :meth:`get_pipeline_run` gives it.

        Raises:
            NoMatchError: the pipeline has no run of that status.
        """
        flow = self._latest_flow(organization_id, pipeline_id, status)
        return self._drive_finding(flow, self._options_of(timeout, retries, extra_headers))

    def list_service_connections(
        self,
        organization_id: str,
        type: str | None = "emas",
        *,
        timeout: float | httpx.Timeout | None = None,
        retries: int | RetryPolicy | None = None,
        extra_headers: Mapping[str, str] | None = None,
    ) -> list[ServiceConnection]:
        """The organization's service connections of ``type`` (None: every type); an EMAS
        one's ``id`` is the ``service_connection_id`` of a download."""
        params = check_connection_args(organization_id, type)
        options = self._options_of(timeout, retries, extra_headers)
        connections: list[ServiceConnection] = self._make(Call("list_connections", params), options)
        return connections

    def _make(self, call: Call, options: CallOptions) -> Any:
        """One call of a logical operation, in its span."""
        traced, flow = self._call_of(call, options)
        with traced:
            return self._drive(flow)

    def _drive_finding(self, flow: Generator[Call, Any, T], options: CallOptions) -> T:
        try:
            call = next(flow)
            while True:
                call = flow.send(self._make(call, options))
        except StopIteration as stop:
            result: T = stop.value
            return result

    def _drive_download(
        self, flow: DownloadFlow, transfer: Transfer, ids: Ids, options: CallOptions
    ) -> DownloadedArtifact:
        try:
            step = next(flow)
            while True:
                try:
                    reply = self._do(step, transfer, ids, options)
                except BaseException as exc:
                    step = flow.throw(exc)
                else:
                    step = flow.send(reply)
        except StopIteration as stop:
            done: DownloadedArtifact = stop.value
            return done
        except BaseException:
            # The flow discards the file on its own failures, but not before its first step: an
            # interruption (Ctrl+C, SIGTERM) as it starts would leave the .part file behind.
            transfer.discard()
            raise

    def _do(
        self, step: DownloadStep, transfer: Transfer, ids: Ids, options: CallOptions
    ) -> ArtifactUrl | DownloadedArtifact | None:
        """One step of the download flow; what to answer it."""
        from ._download.flow import Commit, Fetch, Stream, StreamParts

        match step:
            case Fetch():
                traced, flow = self._call_flow(ids, options)
                with traced:
                    return self._drive(flow)
            case Stream(file_url=file_url):
                self._stream_once(transfer, file_url)
            case StreamParts(file_url=file_url):
                self._stream_parts(transfer, file_url)
            case Sleep(seconds=seconds):
                self._sleep(seconds)
            case Commit(request_id=request_id):
                return transfer.commit(request_id)
            case _:
                raise TypeError(f"not a step of the download flow: {step!r}")
        return None

    def _open(self, transfer: Transfer, headers: dict[str, str], file_url: str) -> httpx.Response:
        """The file host's answer to a GET with ``headers``, its redirects followed by hand
        (each hop checked by the transfer); its body not read yet."""
        url: httpx.URL | str = file_url
        for hops in itertools.count():
            request = self._core.file_request(headers, url, transfer.timeout)
            with _typed_transport_errors(request):
                response = self._http.send(request, **SEND_OPTIONS)
            try:
                next_url = transfer.redirect(response, hops)
            except BaseException:
                response.close()
                raise
            if next_url is None:
                return response
            response.close()
            url = next_url
        raise AssertionError("unreachable")  # pragma: no cover

    def _stream_once(self, transfer: Transfer, file_url: str) -> None:
        response = self._open(transfer, transfer.request_headers(), file_url)
        try:
            transfer.accept(response)
            # As the network delivers: re-chunking costs copies, and a drop would lose a partly
            # filled chunk. chunk_size sizes the buffers handed to the writing thread instead.
            for chunk in _body(response):
                transfer.write(chunk)
                if transfer.split():
                    return  # the rest in parts, over several connections
        finally:
            response.close()

    def _stream_parts(self, transfer: Transfer, file_url: str) -> None:
        """The missing parts over up to ``transfer.connections`` connections, a thread each; a
        drop is resumed by its connection, any other failure stops the others (each part keeps
        what it wrote) and is raised."""
        parts = transfer.parts
        assert parts is not None
        stop = threading.Event()
        errors: list[BaseException] = []

        def fetch() -> None:
            try:
                while not stop.is_set() and (part := parts.take()) is not None:
                    try:
                        self._stream_part(transfer, part, file_url, stop)
                    except httpx.TransportError as exc:
                        transfer.part_dropped(exc)  # this connection resumes it; the others go on
                    finally:
                        parts.give_back(part)
            except BaseException as exc:  # handed to the caller's thread below
                errors.append(exc)
                stop.set()

        count = max(1, min(transfer.connections, parts.waiting()))
        threads = [
            threading.Thread(target=fetch, name=f"yunxiao-emas-part-{n}", daemon=True)
            for n in range(count)
        ]
        for thread in threads:
            thread.start()
        try:
            for thread in threads:
                while thread.is_alive():
                    thread.join(0.2)  # with a timeout, so that Ctrl+C reaches this thread
        except BaseException:
            # Interrupted (Ctrl+C): no waiting for connections that may be stalled in a read
            # until their timeout. They see ``stop`` when their read returns, and the transfer's
            # parts refuse every write once the flow has discarded the file.
            stop.set()
            raise
        if errors:
            raise errors[0]

    def _stream_part(
        self, transfer: Transfer, part: Part, file_url: str, stop: threading.Event
    ) -> None:
        response = self._open(transfer, transfer.part_headers(part), file_url)
        try:
            transfer.accept_part(part, response)
        except BaseException:
            response.close()
            raise
        self._read_part(transfer, part, response, stop)

    @staticmethod
    def _read_part(
        transfer: Transfer, part: Part, response: httpx.Response, stop: threading.Event
    ) -> None:
        try:
            for chunk in _body(response):
                if stop.is_set():
                    return
                transfer.write_part(part, chunk)
                if part.done:
                    return
        finally:
            response.close()
        raise httpx.ReadError("the part's body ended before its end", request=response.request)

    def _drive(self, flow: Generator[CallStep, Outcome, T]) -> T:
        try:
            step = next(flow)
            while True:
                outcome: Outcome = None
                match step:
                    case Send():
                        outcome = self._send(step)
                    case Sleep(seconds=seconds):
                        self._sleep(seconds)
                    case _:
                        raise TypeError(f"not a step of the call flow: {step!r}")
                step = flow.send(outcome)
        except StopIteration as stop:
            result: T = stop.value
            return result

    def _send(self, send: Send) -> Outcome:
        """One attempt: the response with its body read (at most MAX_ANSWER_BYTES), over by
        the deadline (see ._call.deadline), or what went wrong."""
        token = DEADLINE.set(send.deadline)
        try:
            with _typed_transport_errors(send.request):
                response = self._http.send(send.request, **SEND_OPTIONS)
            try:
                body = AnswerBody(response)
                if response.is_stream_consumed:  # a transport that read it already
                    body.read_already(response.content)
                    return body.response()
                for chunk in response.iter_raw():
                    body.feed(chunk)
                    if now() > send.deadline:  # a caller's client: no DeadlineTransport
                        raise httpx.ReadTimeout(TIME_UP, request=send.request)
                return body.response()
            finally:
                response.close()
        except ApiError as exc:
            return exc  # an answer it would not read whole
        except httpx.RequestError as exc:
            return exc
        finally:
            DEADLINE.reset(token)


class AsyncClient(_BaseClient):
    """The asyncio twin of :class:`Client`: same arguments, same rules, ``await`` the calls.

    One more argument, ``transport``: ``"httpx"`` (the default: httpx, over httpcore's
    connection pools on asyncio's own streams, which respx and other mocks of httpx and
    httpcore see) or ``"aiohttp"`` (the ``httpx-aiohttp`` transport, from the ``aiohttp``
    extra; invisible to respx). Only this argument chooses: what happens to be installed never
    does. Every rule, the download included, works the same over both. It needs an asyncio
    event loop (uvloop's included), not trio.

    >>> async with AsyncClient() as client:  # doctest: +SKIP
    ...     url = await client.get_pipeline_emas_artifact_url(
    ...         "5ebbc0228123212b59xxxxx", 1111, 1, "Psaxsa", "assasas", service_connection_id=122)
    """

    _http_class = httpx.AsyncClient
    _http: httpx.AsyncClient

    def __init__(
        self,
        *,
        credentials: CredentialsProvider | None = None,
        endpoint: str | None = None,
        timeout: float | httpx.Timeout | None = None,
        retries: int | RetryPolicy = 2,
        verify: bool | str | ssl.SSLContext = True,
        proxy: str | None = None,
        user_agent: str | None = None,
        http_client: httpx.AsyncClient | None = None,
        limits: httpx.Limits | None = None,
        transport: str = "httpx",
        edition: str | None = None,
    ) -> None:
        super().__init__(
            credentials=credentials,
            endpoint=endpoint,
            timeout=timeout,
            retries=retries,
            user_agent_suffix=user_agent,
            verify=verify,
            proxy=proxy,
            http_client=http_client,
            limits=limits,
            transport=transport,
            edition=edition,
        )
        self._sleep: Callable[[float], Any] = _async_sleep
        # Calls beyond the connections the pool keeps alive wait here, not in httpcore's pool,
        # whose queue of waiting requests and whose connections are walked at every event
        # (see admitted). Only over httpx's own pool of a client we made (aiohttp queues in
        # O(1); a caller's client has its own limits).
        import asyncio

        admit = admitted(self._options["limits"])
        self._admission: contextlib.AbstractAsyncContextManager[Any] = (
            asyncio.Semaphore(admit)
            if http_client is None
            and type(self._http) is CookielessAsyncClient
            and admit is not None
            else contextlib.nullcontext()
        )

    @staticmethod
    def _transports(
        transport: str, http_client: object
    ) -> tuple[Callable[..., Any], Callable[..., Any], bool]:
        # httpx over asyncio's streams (or aiohttp's transport): an asyncio timeout bounds
        # each attempt.
        return async_transport(transport, http_client)

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the connections (not those of an ``http_client`` you passed)."""
        if self._owns_http:
            await self._http.aclose()

    async def get_pipeline_emas_artifact_url(
        self,
        organization_id: str,
        pipeline_id: int,
        pipeline_run_id: int,
        emas_job_instance_id: str,
        md5: str,
        *,
        service_connection_id: int,
        # A per-call option, as the sync client's; asyncio.timeout around the call also works.
        timeout: float | httpx.Timeout | None = None,  # noqa: ASYNC109
        retries: int | RetryPolicy | None = None,
        extra_headers: Mapping[str, str] | None = None,
    ) -> ArtifactUrl:
        """See :meth:`Client.get_pipeline_emas_artifact_url`."""
        ids = Ids.check(
            organization_id,
            pipeline_id,
            pipeline_run_id,
            emas_job_instance_id,
            md5,
            service_connection_id,
        )
        traced, flow = self._call_flow(ids, self._options_of(timeout, retries, extra_headers))
        with traced:
            return await self._drive(flow)

    async def download_pipeline_emas_artifact(
        self,
        organization_id: str,
        pipeline_id: int,
        pipeline_run_id: int,
        emas_job_instance_id: str,
        md5: str,
        dest: str | os.PathLike[str],
        *,
        service_connection_id: int,
        overwrite: bool = False,
        progress: ProgressCallback | None = None,
        chunk_size: int = DEFAULT_CHUNK_SIZE,
        artifact_url: ArtifactUrl | None = None,
        connections: int = DEFAULT_CONNECTIONS,
        # A per-call option, as the sync client's; asyncio.timeout around the call also works.
        timeout: float | httpx.Timeout | None = None,  # noqa: ASYNC109
        retries: int | RetryPolicy | None = None,
        extra_headers: Mapping[str, str] | None = None,
    ) -> DownloadedArtifact:
        """See :meth:`Client.download_pipeline_emas_artifact`."""
        options = self._options_of(timeout, retries, extra_headers)
        started = self._download_flow(
            organization_id,
            pipeline_id,
            pipeline_run_id,
            emas_job_instance_id,
            md5,
            service_connection_id,
            dest=dest,
            options=options,
            overwrite=overwrite,
            progress=progress,
            chunk_size=chunk_size,
            artifact_url=artifact_url,
            connections=connections,
        )
        with self._download_span() as traced:
            if not isinstance(started, tuple):
                traced.downloaded(started, parts=0)
                return started  # already there: nothing to transfer
            flow, transfer, ids = started
            done = await self._drive_download(flow, transfer, ids, options)
            traced.downloaded(done, parts=len(transfer.parts.parts) if transfer.parts else 1)
            return done

    # -- finding the ids ----------------------------------------------------------------------

    def list_pipeline_runs(
        self,
        organization_id: str,
        pipeline_id: int,
        *,
        status: str | None = None,
        since: dt.datetime | None = None,
        timeout: float | httpx.Timeout | None = None,
        retries: int | RetryPolicy | None = None,
        extra_headers: Mapping[str, str] | None = None,
    ) -> AsyncIterator[PipelineRunSummary]:
        """See :meth:`Client.list_pipeline_runs`: ``async for run in
        client.list_pipeline_runs(...)``."""
        pipeline, checked, millis = check_list_args(organization_id, pipeline_id, status, since)
        options = self._options_of(timeout, retries, extra_headers)

        async def runs() -> AsyncIterator[PipelineRunSummary]:
            call: Call | None = self._first_page(pipeline, checked, millis)
            while call is not None:
                page: Page[PipelineRunSummary] = await self._make(call, options)
                kept, last = page_items(page, checked, millis)
                for run in kept:
                    yield run
                call = None if last else Call(call.operation, page.next_params or {})

        return runs()

    async def get_pipeline_run(
        self,
        organization_id: str,
        pipeline_id: int,
        pipeline_run_id: int,
        *,
        timeout: float | httpx.Timeout | None = None,  # noqa: ASYNC109
        retries: int | RetryPolicy | None = None,
        extra_headers: Mapping[str, str] | None = None,
    ) -> PipelineRun:
        """See :meth:`Client.get_pipeline_run`."""
        params = check_run_args(organization_id, pipeline_id, pipeline_run_id)
        options = self._options_of(timeout, retries, extra_headers)
        run: PipelineRun = await self._make(Call("get_run", params), options)
        return run

    async def get_latest_pipeline_run(
        self,
        organization_id: str,
        pipeline_id: int,
        *,
        status: str | None = "SUCCESS",
        timeout: float | httpx.Timeout | None = None,  # noqa: ASYNC109
        retries: int | RetryPolicy | None = None,
        extra_headers: Mapping[str, str] | None = None,
    ) -> PipelineRun:
        """See :meth:`Client.get_latest_pipeline_run`."""
        flow = self._latest_flow(organization_id, pipeline_id, status)
        options = self._options_of(timeout, retries, extra_headers)
        try:
            call = next(flow)
            while True:
                call = flow.send(await self._make(call, options))
        except StopIteration as stop:
            run: PipelineRun = stop.value
            return run

    async def list_service_connections(
        self,
        organization_id: str,
        type: str | None = "emas",
        *,
        timeout: float | httpx.Timeout | None = None,  # noqa: ASYNC109
        retries: int | RetryPolicy | None = None,
        extra_headers: Mapping[str, str] | None = None,
    ) -> list[ServiceConnection]:
        """See :meth:`Client.list_service_connections`."""
        params = check_connection_args(organization_id, type)
        options = self._options_of(timeout, retries, extra_headers)
        connections: list[ServiceConnection] = await self._make(
            Call("list_connections", params), options
        )
        return connections

    async def _make(self, call: Call, options: CallOptions) -> Any:
        """See :meth:`Client._make`."""
        traced, flow = self._call_of(call, options)
        with traced:
            return await self._drive(flow)

    async def _drive_download(
        self, flow: DownloadFlow, transfer: Transfer, ids: Ids, options: CallOptions
    ) -> DownloadedArtifact:
        try:
            step = next(flow)
            while True:
                try:
                    reply = await self._do(step, transfer, ids, options)
                except BaseException as exc:
                    step = flow.throw(exc)
                else:
                    step = flow.send(reply)
        except StopIteration as stop:
            done: DownloadedArtifact = stop.value
            return done
        except BaseException:
            transfer.discard()  # see Client._drive_download
            raise

    async def _do(
        self, step: DownloadStep, transfer: Transfer, ids: Ids, options: CallOptions
    ) -> ArtifactUrl | DownloadedArtifact | None:
        """See :meth:`Client._do`."""
        from ._download.flow import Commit, Fetch, Stream, StreamParts

        match step:
            case Fetch():
                traced, flow = self._call_flow(ids, options)
                with traced:
                    return await self._drive(flow)
            case Stream(file_url=file_url):
                await self._stream_once(transfer, file_url)
            case StreamParts(file_url=file_url):
                await self._stream_parts(transfer, file_url)
            case Sleep(seconds=seconds):
                await self._sleep(seconds)
            case Commit(request_id=request_id):
                # The slow part in a thread; the rename on the loop, after it: a cancellation
                # either comes before it (nothing replaced) or not at all.
                await _in_thread(transfer.seal)
                return transfer.place(request_id)
            case _:
                raise TypeError(f"not a step of the download flow: {step!r}")
        return None

    async def _open(
        self, transfer: Transfer, headers: dict[str, str], file_url: str
    ) -> httpx.Response:
        """See :meth:`Client._open`."""
        url: httpx.URL | str = file_url
        for hops in itertools.count():
            request = self._core.file_request(headers, url, transfer.timeout)
            with _typed_transport_errors(request):
                response = await self._http.send(request, **SEND_OPTIONS)
            try:
                next_url = transfer.redirect(response, hops)
            except BaseException:
                await response.aclose()
                raise
            if next_url is None:
                return response
            await response.aclose()
            url = next_url
        raise AssertionError("unreachable")  # pragma: no cover

    async def _stream_once(self, transfer: Transfer, file_url: str) -> None:
        response = await self._open(transfer, transfer.request_headers(), file_url)
        try:
            transfer.accept(response)
            if response.is_stream_consumed:  # a transport that read it already
                transfer.write(response.content)
                return
            with _typed_transport_errors(response.request):
                async for chunk in response.aiter_raw():
                    transfer.write(chunk)
                    if transfer.split():
                        return
        finally:
            await response.aclose()

    async def _stream_parts(self, transfer: Transfer, file_url: str) -> None:
        """See :meth:`Client._stream_parts`: a task a connection."""
        import asyncio

        parts = transfer.parts
        assert parts is not None

        async def fetch() -> None:
            while (part := parts.take()) is not None:
                try:
                    await self._stream_part(transfer, part, file_url)
                except httpx.TransportError as exc:
                    transfer.part_dropped(exc)
                finally:
                    parts.give_back(part)

        count = max(1, min(transfer.connections, parts.waiting()))
        tasks = [asyncio.ensure_future(fetch()) for _ in range(count)]
        try:
            done, pending = await asyncio.wait(tasks, return_when=asyncio.FIRST_EXCEPTION)
        except BaseException:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            raise
        failed = [task.exception() for task in done if task.exception() is not None]
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
        if failed:
            raise failed[0]  # type: ignore[misc]

    async def _stream_part(self, transfer: Transfer, part: Part, file_url: str) -> None:
        response = await self._open(transfer, transfer.part_headers(part), file_url)
        try:
            transfer.accept_part(part, response)
        except BaseException:
            await response.aclose()
            raise
        await self._read_part(transfer, part, response)

    @staticmethod
    async def _read_part(transfer: Transfer, part: Part, response: httpx.Response) -> None:
        try:
            with _typed_transport_errors(response.request):
                async for chunk in response.aiter_raw():
                    transfer.write_part(part, chunk)
                    if part.done:
                        return
        finally:
            await response.aclose()
        raise httpx.ReadError("the part's body ended before its end", request=response.request)

    async def _drive(self, flow: Generator[CallStep, Outcome, T]) -> T:
        try:
            step = next(flow)
            while True:
                outcome: Outcome = None
                match step:
                    case Send():
                        outcome = await self._send(step)
                    case Sleep(seconds=seconds):
                        await self._sleep(seconds)
                    case _:
                        raise TypeError(f"not a step of the call flow: {step!r}")
                step = flow.send(outcome)
        except StopIteration as stop:
            result: T = stop.value
            return result

    async def _send(self, send: Send) -> Outcome:
        """See :meth:`Client._send`; the deadline is an asyncio timeout, for any transport."""
        import asyncio

        loop = asyncio.get_running_loop()
        try:
            async with (
                asyncio.timeout_at(loop.time() + (send.deadline - now())),
                self._admission,
            ):
                with _typed_transport_errors(send.request):
                    response = await self._http.send(send.request, **SEND_OPTIONS)
                    try:
                        body = AnswerBody(response)
                        if response.is_stream_consumed:
                            body.read_already(response.content)
                            return body.response()
                        async for chunk in response.aiter_raw():
                            body.feed(chunk)
                        return body.response()
                    finally:
                        await response.aclose()
        except TimeoutError:
            return httpx.ReadTimeout(TIME_UP, request=send.request)
        except ApiError as exc:
            return exc
        except httpx.RequestError as exc:
            return exc


@contextlib.contextmanager
def _typed_transport_errors(request: httpx.Request) -> Iterator[None]:
    """What a send can raise besides ``httpx.RequestError``, as the transport error it is.

    httpx builds the next request of every 3xx it receives, followed or not, and raises
    ``httpx.InvalidURL`` (no ``RequestError``) for a ``Location`` it cannot parse
    (``javascript:alert(1)``, ``mailto:``): an answer we cannot use, as httpx's own
    "Invalid URL in location header" is. aiohttp's own errors that httpx-aiohttp lets through
    (a body longer than its Content-Length, say) likewise. Everything else of httpx is a
    ``RequestError`` already, or a misuse of httpx by us (``StreamError``), not the network.
    """
    try:
        yield
    except (httpx.RequestError, ApiError):
        raise
    except httpx.InvalidURL as exc:
        raise httpx.RemoteProtocolError(
            f"the answer's Location header is not a URL ({exc})", request=request
        ) from exc
    except Exception as exc:
        if type(exc).__module__.split(".", 1)[0] != "aiohttp":
            raise
        raise httpx.ReadError(f"{type(exc).__name__}: {exc}", request=request) from exc


def _body(response: httpx.Response) -> Iterator[bytes]:
    """The raw body as the network delivers it (or whole, from a transport that read it)."""
    if response.is_stream_consumed:
        return iter((response.content,))
    return response.iter_raw()


async def _in_thread(function: Callable[[], None]) -> None:
    """Run ``function`` in a worker thread; if the caller is cancelled meanwhile, let the
    thread finish with the file before the cancellation goes on (and the flow discards it)."""
    import asyncio

    work = asyncio.ensure_future(asyncio.to_thread(function))
    try:
        await asyncio.shield(work)
    except asyncio.CancelledError:
        await asyncio.wait([work])
        raise


async def _async_sleep(seconds: float) -> None:
    # asyncio is imported here, not at module import: `import yunxiao_emas` stays light.
    import asyncio

    await asyncio.sleep(seconds)
