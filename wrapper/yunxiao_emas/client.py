"""``Client`` and ``AsyncClient``: validated, signed, retried calls of GetPipelineEmasArtifactUrl.

Every rule (validation, the answer's mapping to a result or an exception, the retry decisions)
lives once in :class:`_Core`. A call is a small generator, :meth:`_Core.call_flow`, that yields
what to do next (send this request, or sleep this long) and is told what happened; the two
clients only drive it, one with blocking I/O and one with ``await``. The generated layer builds
the method, path and query (``_get_kwargs``), and its models parse the answers
(``ArtifactUrlResponse``, ``ServiceError``, ``GatewayError``): the body is decoded once and
handed to them, rather than through ``_parse_response``, which would decode it again and
knows neither undeclared statuses nor lower-case gateway keys.
"""

from __future__ import annotations

import datetime as dt
import itertools
import logging
import os
import random
import re
import ssl
import sys
import time
from collections.abc import Callable, Generator
from typing import TYPE_CHECKING, Any, Self

import httpx

from ._retry import RetryPolicy, is_retryable, retry_after_of
from ._validation import check_id, check_segment
from ._version import __version__
from .errors import ApiError, InvalidArgumentError, TransportError, error_class_for
from .models import (
    DEFAULT_CHUNK_SIZE,
    ArtifactUrl,
    DownloadedArtifact,
    hide_presigned_urls_in_httpx_logs,
    is_loopback,
)
from .signing import AcsV3Auth

if TYPE_CHECKING:
    from yunxiao_emas_api.models import ArtifactUrlResponse, GatewayError, ServiceError

    from .credentials import CredentialsProvider
    from .download import ProgressCallback, _Transfer

# The download machinery (.download) and the credential sources (.credentials) are imported
# when first used, not with the client: `import yunxiao_emas` stays within 1.3x of httpx's.

__all__ = [
    "DEFAULT_ENDPOINT",
    "ArtifactUrl",
    "AsyncClient",
    "Client",
    "DownloadedArtifact",
    "RetryPolicy",
]

DEFAULT_ENDPOINT = "devops.cn-hangzhou.aliyuncs.com"
URL_LIFETIME = dt.timedelta(hours=1)
DEFAULT_TIMEOUT = httpx.Timeout(30.0, connect=10.0)
_EXCERPT = 200
_EXPIRES = re.compile(r"[?&]Expires=(\d{1,12})(?:[&#]|$)")

_log = logging.getLogger("yunxiao_emas")


def base_url_of(endpoint: str) -> str:
    """``https://<host>`` for a host name, or a full base URL checked for its scheme.

    Plain http is refused unless the host is loopback (the emulator).
    """
    if not isinstance(endpoint, str) or not endpoint.strip():
        raise InvalidArgumentError("endpoint", "must be a host name or a base URL")
    if "://" not in endpoint:
        endpoint = f"https://{endpoint}"
    try:
        url = httpx.URL(endpoint)
    except httpx.InvalidURL as exc:
        raise InvalidArgumentError("endpoint", f"is not a valid URL ({exc})") from None
    if url.scheme not in {"http", "https"} or not url.host:
        raise InvalidArgumentError("endpoint", "must be an http(s) URL with a host")
    if url.scheme == "http" and not is_loopback(url.host):
        raise InvalidArgumentError(
            "endpoint", "plain http is allowed only for a loopback host; use https"
        )
    if url.query or url.fragment:
        raise InvalidArgumentError("endpoint", "must not have a query or a fragment")
    return str(url).rstrip("/")


def user_agent(suffix: str | None = None) -> str:
    """``yunxiao-emas/<version> httpx/<version> Python/<version>`` and the caller's suffix."""
    python = "{}.{}.{}".format(*sys.version_info[:3])
    agent = f"yunxiao-emas/{__version__} httpx/{httpx.__version__} Python/{python}"
    return f"{agent} {suffix}" if suffix else agent


class _Sleep:
    __slots__ = ("seconds",)

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds


class _Fetch:
    """Download step: get a (fresh) URL from the API."""

    __slots__ = ()


class _Stream:
    """Download step: stream from this URL into the transfer until the body ends."""

    __slots__ = ("file_url",)

    def __init__(self, file_url: str) -> None:
        self.file_url = file_url


class _Commit:
    """Download step: verify and move the file into place (disk I/O only)."""

    __slots__ = ("request_id",)

    def __init__(self, request_id: str) -> None:
        self.request_id = request_id


_FETCH = _Fetch()
# The file host is a stranger: never our signer, and each redirect is checked (scheme, hops)
# by the transfer rather than followed by httpx.
FILE_SEND_OPTIONS: dict[str, Any] = {"stream": True, "auth": None, "follow_redirects": False}
_Step = dict[str, Any] | _Sleep
_DownloadStep = _Fetch | _Stream | _Sleep | _Commit
_DownloadFlow = Generator[
    _DownloadStep, ArtifactUrl | DownloadedArtifact | None, DownloadedArtifact
]
_Outcome = httpx.Response | httpx.RequestError | None


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


class _Core:
    """Configuration and every rule shared by the sync and async clients."""

    def __init__(
        self,
        *,
        credentials: CredentialsProvider | None,
        endpoint: str,
        timeout: float | httpx.Timeout | None,
        retries: int | RetryPolicy,
        user_agent_suffix: str | None,
    ) -> None:
        if credentials is None:
            from .credentials import default_credentials

            credentials = default_credentials()
        if not callable(getattr(credentials, "get_credentials", None)):
            raise InvalidArgumentError(
                "credentials", "must have a get_credentials() method (a CredentialsProvider)"
            )
        if isinstance(retries, bool) or not isinstance(retries, int | RetryPolicy):
            raise InvalidArgumentError("retries", "must be an int >= 0 or a RetryPolicy")
        if isinstance(retries, int):
            if retries < 0:
                raise InvalidArgumentError("retries", "must be >= 0")
            retries = RetryPolicy(max_attempts=retries + 1)
        self.base_url = base_url_of(endpoint)
        hide_presigned_urls_in_httpx_logs()
        self.timeout = DEFAULT_TIMEOUT if timeout is None else httpx.Timeout(timeout)
        self.retry = retries
        self.auth = AcsV3Auth(credentials)
        self.headers = {"user-agent": user_agent(user_agent_suffix)}
        # Per-request options for an http_client of the caller's; our own httpx client is built
        # with them (see own_client_options), which spares httpx merging them on every call.
        self.send_options: dict[str, Any] = {
            "headers": self.headers,
            "timeout": self.timeout,
            "follow_redirects": False,
        }
        # The generated layer is imported with the first client, not with the package: it is
        # a fifth of this package's import time and nothing needs it before a call.
        from yunxiao_emas_api.api.pipeline import get_pipeline_emas_artifact_url
        from yunxiao_emas_api.models import ArtifactUrlResponse, GatewayError, ServiceError

        self.operation = get_pipeline_emas_artifact_url
        self.models = (ArtifactUrlResponse, ServiceError, GatewayError)
        # Injectable for tests: the clock of the total-time bound and the jitter source.
        self.monotonic: Callable[[], float] = time.monotonic
        self.random: Callable[[], float] = random.random
        self.wall_clock: Callable[[], float] = time.time

    def request_kwargs(
        self,
        organization_id: object,
        pipeline_id: object,
        pipeline_run_id: object,
        emas_job_instance_id: object,
        md5: object,
        service_connection_id: object,
    ) -> dict[str, Any]:
        """Validate the ids (before any I/O) and let the generated layer build the request."""
        kwargs = self.operation._get_kwargs(
            organization_id=check_segment("organization_id", organization_id),
            pipeline_id=check_id("pipeline_id", pipeline_id),
            pipeline_run_id=check_id("pipeline_run_id", pipeline_run_id),
            emas_job_instance_id=check_segment("emas_job_instance_id", emas_job_instance_id),
            md5=check_segment("md5", md5),
            service_connection_id=check_id("service_connection_id", service_connection_id),
        )
        kwargs["url"] = self.base_url + kwargs["url"]
        kwargs["auth"] = self.auth
        kwargs.update(self.send_options)
        return kwargs

    def prepare_download(
        self,
        ids: tuple[object, ...],
        service_connection_id: object,
        dest: object,
        *,
        overwrite: object,
        progress: object,
        chunk_size: object,
        artifact_url: object,
    ) -> tuple[dict[str, Any], _Transfer]:
        """Validate everything (before any network I/O) and open the temporary file."""
        from .download import _Transfer, check_download_args

        organization_id, pipeline_id, pipeline_run_id, emas_job_instance_id, md5 = ids
        kwargs = self.request_kwargs(
            organization_id,
            pipeline_id,
            pipeline_run_id,
            emas_job_instance_id,
            md5,
            service_connection_id,
        )
        path = check_download_args(dest, overwrite, progress, chunk_size)
        if artifact_url is not None and not isinstance(artifact_url, ArtifactUrl):
            raise InvalidArgumentError("artifact_url", "must be an ArtifactUrl or None")
        transfer = _Transfer(
            path,
            expected_md5=str(md5),
            overwrite=bool(overwrite),
            progress=progress,  # type: ignore[arg-type]  # checked callable above
            chunk_size=int(chunk_size),  # type: ignore[call-overload]  # checked int above
        )
        return kwargs, transfer

    def own_client_options(self, options: dict[str, Any]) -> dict[str, Any]:
        """The httpx client options when the client is ours (and the send options go empty)."""
        self.send_options = {}
        return {**options, "headers": self.headers, "timeout": self.timeout}

    def file_request(
        self, http: httpx.Client | httpx.AsyncClient, transfer: _Transfer, url: httpx.URL | str
    ) -> httpx.Request:
        """The GET of one file-host attempt, stripped of everything but the headers a download
        needs; send it with FILE_SEND_OPTIONS (no auth, redirects followed by hand)."""
        headers = {**transfer.request_headers(), "user-agent": self.headers["user-agent"]}
        request = http.build_request("GET", url, headers=headers, timeout=self.timeout)
        return transfer.clean_request(request)

    def download_flow(self, transfer: _Transfer, artifact_url: ArtifactUrl | None) -> _DownloadFlow:
        """One download with its resumptions and URL refreshes, as a generator the clients drive.

        Yields ``_FETCH`` (answer with an :class:`ArtifactUrl`), a :class:`_Stream` (answer
        None once the body ended) or a :class:`_Sleep`; a failed step is thrown in, and this
        flow decides: resume, wait and resume, restart, refresh the URL, or give up. Whatever
        ends it, the transfer never leaves a file behind unless it committed.
        """
        from .download import _Busy, _Refresh, _Restart, transport_failure

        try:
            url: ArtifactUrl | DownloadedArtifact | None = artifact_url
            if artifact_url is None or artifact_url.expired():
                url = yield _FETCH
            while True:
                assert isinstance(url, ArtifactUrl)
                try:
                    yield _Stream(url.file_url)
                except _Refresh:
                    transfer.refresh()
                    url = yield _FETCH
                    continue
                except _Restart:
                    transfer.restart()
                    continue
                except _Busy as exc:
                    transfer.resume_after(exc)
                    yield _Sleep(
                        self.retry.wait(transfer.resumes - 1, exc.retry_after, self.random)
                    )
                    continue
                except httpx.TransportError as exc:
                    transfer.resume_after(exc)
                    continue
                except (httpx.RequestError, httpx.InvalidURL) as exc:
                    raise transport_failure(exc) from exc
                if transfer.complete():
                    transfer.report_done()
                    done = yield _Commit(url.request_id)
                    assert isinstance(done, DownloadedArtifact)
                    return done
                transfer.resume_after(EOFError("the body ended early"))
        except BaseException:
            transfer.discard()
            raise

    def call_flow(self, kwargs: dict[str, Any]) -> Generator[_Step, _Outcome, ArtifactUrl]:
        """One call with its retries, as a generator the clients drive.

        Yields the request kwargs to send (and receives the response or the httpx error) or
        a :class:`_Sleep`; returns the :class:`ArtifactUrl` or raises one ``YunxiaoError``.
        """
        started = self.monotonic()
        attempt = 1
        while True:
            outcome = yield kwargs
            error: ApiError | httpx.RequestError
            if isinstance(outcome, httpx.Response):
                try:
                    return self.result(outcome)
                except ApiError as exc:
                    error = exc
            else:
                assert outcome is not None
                error = outcome
            if not is_retryable(error) or attempt >= self.retry.max_attempts:
                raise self._final(error)
            retry_after = error.retry_after if isinstance(error, ApiError) else None
            wait = self.retry.wait(attempt - 1, retry_after, self.random)
            if self.monotonic() - started + wait > self.retry.max_total:
                raise self._final(error)
            _log.info(
                "attempt %d of %d failed (%s, request id %s); retrying in %.2f s",
                attempt,
                self.retry.max_attempts,
                _describe(error),
                error.request_id if isinstance(error, ApiError) else None,
                wait,
            )
            yield _Sleep(wait)
            attempt += 1

    @staticmethod
    def _final(error: ApiError | httpx.RequestError) -> Exception:
        if isinstance(error, ApiError):
            return error
        if isinstance(error, httpx.LocalProtocolError):
            # Its text quotes the offending header, which may be the STS token.
            wrapped = TransportError(
                "LocalProtocolError: the request could not be sent (a header value or the URL "
                "is not valid HTTP)"
            )
            wrapped.__cause__ = error
            return wrapped
        wrapped = TransportError(f"{type(error).__name__}: {error}")
        wrapped.__cause__ = error
        return wrapped

    def result(self, response: httpx.Response) -> ArtifactUrl:
        """Map one answer to an :class:`ArtifactUrl` or raise the matching ``ApiError``."""
        body = _json_object(response)
        if body is None:
            raise self._not_json(response)
        success_model, service_model, gateway_model = self.models
        parsed = self._parsed(response, body)
        if isinstance(parsed, success_model):
            if parsed.success is True:
                file_url = parsed.file_url
                if isinstance(file_url, str) and file_url:
                    _log.debug("GetPipelineEmasArtifactUrl ok, request id %s", parsed.request_id)
                    return ArtifactUrl(
                        file_url=file_url,
                        request_id=_text(parsed.request_id),
                        expires_at=self._expiry(file_url),
                    )
                raise self._error(
                    response,
                    code="",
                    message="the answer reports success but has no fileUrl",
                    request_id=_text(parsed.request_id),
                    body=parsed.to_dict(),
                )
            raise self._error(
                response,
                code=_text(parsed.error_code),
                message=_text(parsed.error_message) or "the answer reports success: false",
                request_id=_text(parsed.request_id),
                body=parsed.to_dict(),
            )
        if isinstance(parsed, service_model):
            raise self._error(
                response,
                code=_text(parsed.error_code),
                message=_text(parsed.error_message),
                request_id=_text(parsed.request_id),
                body=parsed.to_dict(),
            )
        if isinstance(parsed, gateway_model):
            raise self._error(
                response,
                code=_text(parsed.code),
                message=_text(parsed.message),
                request_id=_text(parsed.request_id),
                recommend=_text(parsed.recommend) or None,
                host_id=_text(parsed.host_id) or None,
                body=parsed.to_dict(),
            )
        return self._raw_result(response, body)

    def _parsed(
        self, response: httpx.Response, body: dict[str, Any]
    ) -> ArtifactUrlResponse | ServiceError | GatewayError | None:
        """The generated model of the answer, as the generated ``_parse_response`` would pick
        it (from the body already decoded), or None when no model fits."""
        success_model, service_model, gateway_model = self.models
        try:
            if response.is_success:
                return success_model.from_dict(body)
            if "errorCode" in body:
                return service_model.from_dict(body)
            if "Code" in body:
                return gateway_model.from_dict(body)
        except (KeyError, TypeError, ValueError, AttributeError):
            pass
        return None

    def _not_json(self, response: httpx.Response) -> ApiError:
        excerpt = response.content[:_EXCERPT].decode("utf-8", "replace")
        if len(response.content) > _EXCERPT:
            excerpt += "..."
        return self._error(
            response,
            code="",
            message=f"unexpected answer that is not a JSON object: {excerpt!r}",
            request_id=response.headers.get("x-acs-request-id"),
            body=None,
        )

    def _raw_result(self, response: httpx.Response, body: dict[str, Any]) -> ArtifactUrl:
        """Answers the generated parser does not know: other statuses, lower-case gateway keys,
        fields of the wrong type."""

        def first(*keys: str) -> str:
            for key in keys:
                if isinstance(body.get(key), str) and body[key]:
                    return str(body[key])
            return ""

        if response.is_success and body.get("success") is True and first("fileUrl"):
            request_id = first("requestId", "RequestId")
            return ArtifactUrl(first("fileUrl"), request_id, self._expiry(first("fileUrl")))
        raise self._error(
            response,
            code=first("errorCode", "Code", "code"),
            message=first("errorMessage", "Message", "message")
            or f"unexpected answer (HTTP {response.status_code})",
            request_id=first("requestId", "RequestId", "requestid") or None,
            recommend=first("Recommend", "recommend") or None,
            host_id=first("HostId", "hostId") or None,
            body=body,
        )

    @staticmethod
    def _error(
        response: httpx.Response,
        *,
        code: str,
        message: str,
        request_id: str | None,
        body: dict[str, Any] | None,
        recommend: str | None = None,
        host_id: str | None = None,
    ) -> ApiError:
        retry_after = retry_after_of(response) if response.status_code >= 400 else None
        cls = error_class_for(code, response.status_code, retry_after)
        return cls(
            code=code,
            message=message,
            request_id=request_id or None,
            status_code=response.status_code,
            recommend=recommend,
            host_id=host_id,
            body=body,
            retry_after=retry_after,
        )

    def _expiry(self, file_url: str) -> dt.datetime:
        # A regex rather than httpx.URL: parsing a whole pre-signed URL was most of the cost of
        # mapping a success.
        match = _EXPIRES.search(file_url)
        if match:
            try:
                return dt.datetime.fromtimestamp(int(match.group(1)), dt.UTC)
            except (ValueError, OverflowError, OSError):
                pass
        return dt.datetime.fromtimestamp(self.wall_clock(), dt.UTC) + URL_LIFETIME


def _json_object(response: httpx.Response) -> dict[str, Any] | None:
    """The body as a JSON object, or None (not JSON, not an object, absurdly nested)."""
    try:
        body = response.json()
    except (ValueError, RecursionError):
        return None
    return body if isinstance(body, dict) else None


def _describe(error: ApiError | httpx.RequestError) -> str:
    if isinstance(error, ApiError):
        return f"HTTP {error.status_code} {error.code}".rstrip()
    return type(error).__name__


def _http_options(
    *,
    http_client: object,
    verify: bool | str | ssl.SSLContext,
    proxy: str | None,
) -> dict[str, Any]:
    if http_client is not None and (verify is not True or proxy is not None):
        raise InvalidArgumentError(
            "http_client", "verify and proxy must be set on the http_client you pass, not here"
        )
    if not isinstance(verify, bool | str | ssl.SSLContext):
        raise InvalidArgumentError(
            "verify", "must be True, False, a CA bundle path or an SSLContext"
        )
    if isinstance(verify, str):
        # httpx 0.28 deprecates verify=<path>: hand it the SSLContext it would have built.
        try:
            if os.path.isdir(verify):
                verify = ssl.create_default_context(capath=verify)
            else:
                verify = ssl.create_default_context(cafile=verify)
        except (OSError, ssl.SSLError) as exc:
            raise InvalidArgumentError(
                "verify", f"cannot load the CA bundle {verify!r}: {exc}"
            ) from None
    return {"verify": verify, "proxy": proxy}


class Client:
    """A blocking client of GetPipelineEmasArtifactUrl. Use it as a context manager.

    Args:
        credentials: a :class:`~yunxiao_emas.AccessKeyCredentials` or any provider with
            ``get_credentials()``; default: the default chain (environment, aliyun CLI
            profile, INI file).
        endpoint: a host name (``https://`` is implied) or a full base URL such as
            ``http://127.0.0.1:8080`` (plain http only for loopback).
        timeout: seconds, or an ``httpx.Timeout``; default 30 s (10 s to connect).
        retries: how many times a failed call is retried (default 2, so 3 attempts), or a
            :class:`RetryPolicy`.
        verify: True, a CA bundle path, or an ``ssl.SSLContext``.
        proxy: a proxy URL.
        user_agent: appended to the ``User-Agent``.
        http_client: an ``httpx.Client`` of yours; it is not closed by this client.

    >>> with Client(credentials=AccessKeyCredentials("id", "secret")) as client:  # doctest: +SKIP
    ...     url = client.get_pipeline_emas_artifact_url(
    ...         "5ebbc0228123212b59xxxxx", 1111, 1, "Psaxsa", "assasas", service_connection_id=122)
    """

    def __init__(
        self,
        *,
        credentials: CredentialsProvider | None = None,
        endpoint: str = DEFAULT_ENDPOINT,
        timeout: float | httpx.Timeout | None = None,
        retries: int | RetryPolicy = 2,
        verify: bool | str | ssl.SSLContext = True,
        proxy: str | None = None,
        user_agent: str | None = None,
        http_client: httpx.Client | None = None,
    ) -> None:
        options = _http_options(http_client=http_client, verify=verify, proxy=proxy)
        if http_client is not None and not isinstance(http_client, httpx.Client):
            raise InvalidArgumentError("http_client", "must be an httpx.Client")
        self._core = _Core(
            credentials=credentials,
            endpoint=endpoint,
            timeout=timeout,
            retries=retries,
            user_agent_suffix=user_agent,
        )
        self._owns_http = http_client is None
        self._http = http_client or httpx.Client(**self._core.own_client_options(options))
        self._sleep: Callable[[float], None] = time.sleep

    def __repr__(self) -> str:
        return f"Client(endpoint={self._core.base_url!r})"

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
    ) -> ArtifactUrl:
        """Get a temporary (one hour) download URL of the EMAS artifact of a pipeline run.

        Raises:
            InvalidArgumentError: an id breaks a rule (before any I/O).
            ApiError: one of its subclasses, by the answer's code.
            TransportError: no answer after the retries.
        """
        kwargs = self._core.request_kwargs(
            organization_id,
            pipeline_id,
            pipeline_run_id,
            emas_job_instance_id,
            md5,
            service_connection_id,
        )
        return self._drive(self._core.call_flow(kwargs))

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
    ) -> DownloadedArtifact:
        """Download the artifact to ``dest``, verified against ``md5`` when it is a hex digest.

        ``dest`` is a file path, or an existing directory (the name then comes from the file
        host's ``Content-Disposition`` or the URL path, reduced to one safe component). An
        existing file is replaced only with ``overwrite=True``, and never on failure.
        ``progress(done, total)`` is called every ``chunk_size`` bytes and at the end (``total``
        is None when unknown); ``chunk_size`` is also the size of the file's write buffer.
        ``artifact_url`` reuses a URL you already have; it is refreshed if it has expired.

        Raises:
            InvalidArgumentError: before any I/O.
            ApiError, TransportError: the API call for the URL failed.
            ChecksumMismatchError: the bytes do not match ``md5``; no file is left.
            DownloadError: the transfer failed after resuming and refreshing; no file is left.
        """
        kwargs, transfer = self._core.prepare_download(
            (organization_id, pipeline_id, pipeline_run_id, emas_job_instance_id, md5),
            service_connection_id,
            dest,
            overwrite=overwrite,
            progress=progress,
            chunk_size=chunk_size,
            artifact_url=artifact_url,
        )
        flow = self._core.download_flow(transfer, artifact_url)
        try:
            step = next(flow)
            while True:
                try:
                    reply: ArtifactUrl | DownloadedArtifact | None = None
                    if isinstance(step, _Stream):
                        self._stream_once(transfer, step.file_url)
                    elif isinstance(step, _Sleep):
                        self._sleep(step.seconds)
                    elif isinstance(step, _Commit):
                        reply = transfer.commit(step.request_id)
                    else:
                        reply = self._drive(self._core.call_flow(kwargs))
                except BaseException as exc:
                    step = flow.throw(exc)
                else:
                    step = flow.send(reply)
        except StopIteration as stop:
            result: DownloadedArtifact = stop.value
            return result

    def _stream_once(self, transfer: _Transfer, file_url: str) -> None:
        url: httpx.URL | str = file_url
        for hops in itertools.count():
            request = self._core.file_request(self._http, transfer, url)
            response = self._http.send(request, **FILE_SEND_OPTIONS)
            try:
                next_url = transfer.redirect(response, hops)
                if next_url is None:
                    transfer.accept(response)
                    # As the network delivers: re-chunking costs copies, and a drop would lose
                    # a partly filled chunk. chunk_size sizes the file buffer instead.
                    chunks = (
                        iter((response.content,))  # a transport that read it already
                        if response.is_stream_consumed
                        else response.iter_raw()
                    )
                    for chunk in chunks:
                        transfer.write(chunk)
                    return
            finally:
                response.close()
            url = next_url

    def _drive(self, flow: Generator[_Step, _Outcome, ArtifactUrl]) -> ArtifactUrl:
        try:
            step = next(flow)
            while True:
                outcome: _Outcome = None
                if isinstance(step, _Sleep):
                    self._sleep(step.seconds)
                else:
                    try:
                        outcome = self._http.request(**step)
                    except httpx.RequestError as exc:
                        outcome = exc
                step = flow.send(outcome)
        except StopIteration as stop:
            result: ArtifactUrl = stop.value
            return result


class AsyncClient:
    """The asyncio twin of :class:`Client`: same arguments, same rules, ``await`` the calls.

    >>> async with AsyncClient() as client:  # doctest: +SKIP
    ...     url = await client.get_pipeline_emas_artifact_url(
    ...         "5ebbc0228123212b59xxxxx", 1111, 1, "Psaxsa", "assasas", service_connection_id=122)
    """

    def __init__(
        self,
        *,
        credentials: CredentialsProvider | None = None,
        endpoint: str = DEFAULT_ENDPOINT,
        timeout: float | httpx.Timeout | None = None,
        retries: int | RetryPolicy = 2,
        verify: bool | str | ssl.SSLContext = True,
        proxy: str | None = None,
        user_agent: str | None = None,
        http_client: httpx.AsyncClient | None = None,
    ) -> None:
        options = _http_options(http_client=http_client, verify=verify, proxy=proxy)
        if http_client is not None and not isinstance(http_client, httpx.AsyncClient):
            raise InvalidArgumentError("http_client", "must be an httpx.AsyncClient")
        self._core = _Core(
            credentials=credentials,
            endpoint=endpoint,
            timeout=timeout,
            retries=retries,
            user_agent_suffix=user_agent,
        )
        self._owns_http = http_client is None
        self._http = http_client or httpx.AsyncClient(**self._core.own_client_options(options))
        self._sleep: Callable[[float], Any] = _async_sleep

    def __repr__(self) -> str:
        return f"AsyncClient(endpoint={self._core.base_url!r})"

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
    ) -> ArtifactUrl:
        """See :meth:`Client.get_pipeline_emas_artifact_url`."""
        kwargs = self._core.request_kwargs(
            organization_id,
            pipeline_id,
            pipeline_run_id,
            emas_job_instance_id,
            md5,
            service_connection_id,
        )
        return await self._drive(self._core.call_flow(kwargs))

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
    ) -> DownloadedArtifact:
        """See :meth:`Client.download_pipeline_emas_artifact`."""
        kwargs, transfer = self._core.prepare_download(
            (organization_id, pipeline_id, pipeline_run_id, emas_job_instance_id, md5),
            service_connection_id,
            dest,
            overwrite=overwrite,
            progress=progress,
            chunk_size=chunk_size,
            artifact_url=artifact_url,
        )
        flow = self._core.download_flow(transfer, artifact_url)
        try:
            step = next(flow)
            while True:
                try:
                    reply: ArtifactUrl | DownloadedArtifact | None = None
                    if isinstance(step, _Stream):
                        await self._stream_once(transfer, step.file_url)
                    elif isinstance(step, _Sleep):
                        await self._sleep(step.seconds)
                    elif isinstance(step, _Commit):
                        reply = await _in_thread(transfer.commit, step.request_id)
                    else:
                        reply = await self._drive(self._core.call_flow(kwargs))
                except BaseException as exc:
                    step = flow.throw(exc)
                else:
                    step = flow.send(reply)
        except StopIteration as stop:
            result: DownloadedArtifact = stop.value
            return result

    async def _stream_once(self, transfer: _Transfer, file_url: str) -> None:
        url: httpx.URL | str = file_url
        for hops in itertools.count():
            request = self._core.file_request(self._http, transfer, url)
            response = await self._http.send(request, **FILE_SEND_OPTIONS)
            try:
                next_url = transfer.redirect(response, hops)
                if next_url is None:
                    transfer.accept(response)
                    if response.is_stream_consumed:  # a transport that read it already
                        transfer.write(response.content)
                        return
                    async for chunk in response.aiter_raw():
                        transfer.write(chunk)
                    return
            finally:
                await response.aclose()
            url = next_url

    async def _drive(self, flow: Generator[_Step, _Outcome, ArtifactUrl]) -> ArtifactUrl:
        try:
            step = next(flow)
            while True:
                outcome: _Outcome = None
                if isinstance(step, _Sleep):
                    await self._sleep(step.seconds)
                else:
                    try:
                        outcome = await self._http.request(**step)
                    except httpx.RequestError as exc:
                        outcome = exc
                step = flow.send(outcome)
        except StopIteration as stop:
            result: ArtifactUrl = stop.value
            return result


async def _in_thread(function: Callable[[str], DownloadedArtifact], arg: str) -> DownloadedArtifact:
    import asyncio

    return await asyncio.to_thread(function, arg)


async def _async_sleep(seconds: float) -> None:
    # asyncio is imported here, not at module import: `import yunxiao_emas` stays light.
    import asyncio

    await asyncio.sleep(seconds)
