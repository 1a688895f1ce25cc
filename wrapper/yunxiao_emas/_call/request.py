"""The configuration of a client and the building of its requests, shared by ``Client`` and
``AsyncClient`` (which add only the I/O).

The API a client speaks follows from its credentials: at the first call the provider is asked
once, the :class:`~yunxiao_emas._call.operations.Operation` of that kind of credentials is chosen,
with its auth and (unless ``endpoint`` was given) its default host, and kept for the life of
the client.
"""

from __future__ import annotations

import copy
import logging
import os
import random
import ssl
import sys
import threading
import time
from collections.abc import Callable, Generator, Mapping
from typing import TYPE_CHECKING, Any, NamedTuple

import httpx

from .._urls import hide_presigned_urls_in_httpx_logs, is_loopback
from .._version import __version__
from ..errors import InvalidArgumentError
from .deadline import now
from .http_clients import CookielessAsyncClient
from .operations import Answer, Ids, Operation, RequestAuth, operation_for, row
from .retry import CallObserver, CallStep, Outcome, call_flow

if TYPE_CHECKING:
    from .._download.flow import DownloadFlow
    from .._download.transfer import Transfer
    from ..credentials import CredentialsProvider
    from ..models import ArtifactUrl, DownloadedArtifact
    from .policy import RetryPolicy

__all__ = ["DEFAULT_TIMEOUT", "Core", "base_url_of", "http_options", "user_agent"]

DEFAULT_TIMEOUT = httpx.Timeout(30.0, connect=10.0)
MAX_CONNECTIONS = 16
DEFAULT_CONNECTIONS = 4
"""Connections of a download (ranged requests at once, for files of 16 MiB and more): pre-signed
file hosts limit each connection's speed; measured in bench (ranged figure) and README."""
_log = logging.getLogger("yunxiao_emas")
# Every request is sent as it was built: no auth of the http_client's (the API's is in the
# headers already; the file host is a stranger), no redirect followed by httpx (the API has no
# 3xx; the file host's are checked hop by hop by the transfer), the body streamed so that the
# drivers bound what they read.
SEND_OPTIONS: dict[str, Any] = {"stream": True, "auth": None, "follow_redirects": False}


def base_url_of(endpoint: object) -> str:
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
    if url.userinfo:
        # httpx would send it as Basic auth: over the signature, or beside the token.
        raise InvalidArgumentError("endpoint", "must not carry a user or a password")
    return str(url).rstrip("/")


ENDPOINT_ENV = "YUNXIAO_EMAS_ENDPOINT"
"""Read when a client is given no ``endpoint`` (as botocore reads ``AWS_ENDPOINT_URL``): code
left as it is then runs against the emulator in CI. The CLI's ``--endpoint`` reads it too."""


def _endpoint(endpoint: object) -> str | None:
    """The base URL of ``endpoint``, else of ``$YUNXIAO_EMAS_ENDPOINT``, else None (the chosen
    API's host). The variable obeys the argument's rules (plain http only for loopback)."""
    if endpoint is not None:
        return base_url_of(endpoint)
    from_env = os.environ.get(ENDPOINT_ENV, "").strip()
    if not from_env:
        return None
    try:
        return base_url_of(from_env)
    except InvalidArgumentError as exc:
        # Named as the variable, where the value came from; the value is not quoted (a URL
        # may carry a user and password, which base_url_of refuses without quoting either).
        raise InvalidArgumentError("endpoint", f"from ${ENDPOINT_ENV}: {exc.rule}") from None


def user_agent(suffix: object = None) -> str:
    """``yunxiao-emas/<version> httpx/<version> Python/<version>`` and the caller's suffix
    (visible ASCII and spaces: it goes into a header)."""
    if suffix is not None and (
        type(suffix) is not str
        or len(suffix) > 256
        or not all(0x20 <= ord(char) <= 0x7E for char in suffix)
    ):
        raise InvalidArgumentError(
            "user_agent", "must be a str of at most 256 visible ASCII characters and spaces"
        )
    python = "{}.{}.{}".format(*sys.version_info[:3])
    agent = f"yunxiao-emas/{__version__} httpx/{httpx.__version__} Python/{python}"
    return f"{agent} {suffix}" if suffix else agent


_PROXY_SCHEMES = frozenset({"http", "https", "socks5", "socks5h"})
# Loopback is never reached through a proxy: HTTP_PROXY=http://127.0.0.1:9 must not break a
# call to the emulator on 127.0.0.1 (as NO_PROXY would otherwise have to say).
_LOOPBACK_PATTERNS = ("all://127.0.0.1", "all://localhost", "all://[::1]")


def check_timeout(timeout: object) -> httpx.Timeout:
    """The timeout of every read, write, connect and pool wait (seconds, or httpx.Timeout)."""
    if timeout is None:
        return DEFAULT_TIMEOUT
    if isinstance(timeout, httpx.Timeout):
        return timeout
    if isinstance(timeout, bool) or not isinstance(timeout, int | float):
        raise InvalidArgumentError(
            "timeout",
            f"must be seconds (an int or float) or an httpx.Timeout, got {type(timeout).__name__}",
        )
    if not 0 < timeout < float("inf"):  # also refuses nan
        raise InvalidArgumentError("timeout", f"must be a positive finite number, got {timeout!r}")
    return httpx.Timeout(timeout)


def _check_proxy(proxy: object) -> str | None:
    if proxy is None:
        return None
    if not isinstance(proxy, str):
        raise InvalidArgumentError("proxy", "must be a proxy URL (str) or None")
    # Never quoted: a proxy URL may carry a user and password.
    rule = "must be a URL such as http://proxy.example:3128 (http, https, socks5 or socks5h)"
    try:
        url = httpx.URL(proxy)
    except (httpx.InvalidURL, ValueError, TypeError):
        raise InvalidArgumentError("proxy", rule) from None
    if url.scheme not in _PROXY_SCHEMES or not url.host:
        raise InvalidArgumentError("proxy", rule)
    return proxy


DEFAULT_LIMITS = httpx.Limits(max_connections=100, max_keepalive_connections=20, keepalive_expiry=5)
"""The pool limits of the clients we make: httpx's own, chosen by measurement (``python -m
bench --only concurrency`` and docs/guides/performance.md). httpcore's pool does work in
proportion to its open connections at every request's start and end, so keeping all 100 alive
ran 256 calls in flight at a third of the calls/s of keeping 20; AsyncClient also makes calls
beyond the 20 it keeps alive wait outside its transport (:func:`admitted`), whose lanes keep one
connection each (:class:`~yunxiao_emas._call.asyncio_backend.AsyncPoolTransport`)."""


def admitted(limits: httpx.Limits) -> int | None:
    """How many calls an AsyncClient over its own transport lets into it at once (the
    others wait in an ``asyncio.Semaphore``, which queues in O(1)): no more than the pool keeps
    alive. A call beyond ``max_keepalive_connections`` would open a connection (a TLS handshake
    off loopback) that is closed after its one answer, and every open connection is walked by
    httpcore at each request's start and end: at 64 calls in flight over the default limits,
    admitting 20 rather than 100 made 29% fewer Python function calls per call (``cProfile``,
    bench's fixed-answer server). None: no bound."""
    keepalive, most = limits.max_keepalive_connections, limits.max_connections
    if keepalive and (most is None or keepalive < most):
        return keepalive
    return most


TRANSPORTS = ("httpx", "aiohttp")
_AIOHTTP_EXTRA = "pip install 'yunxiao-emas[aiohttp]'"


def async_transport(
    transport: object, http_client: object
) -> tuple[Callable[..., httpx.AsyncClient], Callable[..., Any], bool]:
    """The httpx client class and the transport class of an AsyncClient's ``transport``, and
    whether that class is mounted on every route (see :func:`http_options`).

    Only the caller's word chooses aiohttp: what happens to be installed (another SDK's extra
    may pull in httpx-aiohttp) never does, because respx and other mocks of httpx's transport
    do not see requests sent over aiohttp, and a mocked test suite would call the real service.
    """
    if transport == "auto":
        raise InvalidArgumentError(
            "transport",
            "'auto' is gone (it chose aiohttp whenever httpx-aiohttp was importable, which a "
            "respx mock does not see): pass 'httpx' (the default) or 'aiohttp'",
        )
    if transport not in TRANSPORTS:
        raise InvalidArgumentError("transport", f"must be one of {', '.join(TRANSPORTS)}")
    if http_client is not None:
        if transport != "httpx":
            raise InvalidArgumentError(
                "transport", "set the transport on the http_client you pass, not here"
            )
        return httpx.AsyncClient, httpx.AsyncHTTPTransport, False
    if transport == "aiohttp":
        try:
            # First the extra itself: .._aiohttp may be imported already while the extra is
            # not (any more) importable.
            import httpx_aiohttp  # noqa: F401

            from .._aiohttp import RoomyAiohttpTransport, aiohttp_client
        except ImportError:
            raise InvalidArgumentError(
                "transport", f"'aiohttp' needs the aiohttp extra: {_AIOHTTP_EXTRA}"
            ) from None
        return aiohttp_client, RoomyAiohttpTransport, False
    # httpx over httpcore's pool as httpx builds it, over asyncio's streams rather than
    # anyio's (see asyncio_backend); imported here: asyncio is not imported with the package.
    from .asyncio_backend import AsyncPoolTransport

    return CookielessAsyncClient, AsyncPoolTransport, True


def http_options(
    *,
    http_client: object,
    verify: bool | str | ssl.SSLContext,
    proxy: str | None,
    transport: Callable[..., Any],
    limits: object = None,
    own_transports: bool = False,
) -> dict[str, Any]:
    """The options of the httpx client we make, checked (before any I/O). ``transport`` is
    the transport class of its pools: the one loopback gets when an explicit proxy would
    otherwise take it, and, with ``own_transports`` (the sync client's
    :class:`~yunxiao_emas._call.deadline.DeadlineTransport`), the one of every route, the
    proxies of the environment included (httpx leaves those to us once it is given a
    transport)."""
    if http_client is not None and (verify is not True or proxy is not None or limits):
        raise InvalidArgumentError(
            "http_client",
            "verify, proxy and limits must be set on the http_client you pass, not here",
        )
    if limits is None:
        limits = DEFAULT_LIMITS
    elif not isinstance(limits, httpx.Limits):
        raise InvalidArgumentError("limits", "must be an httpx.Limits or None")
    if not isinstance(verify, bool | str | ssl.SSLContext):
        raise InvalidArgumentError(
            "verify", "must be True, False, a CA bundle path or an SSLContext"
        )
    proxy = _check_proxy(proxy)
    if verify is False:
        _log.warning(
            "TLS verification is off (verify=False): the API's and the file host's certificates "
            "are not checked; pass a CA bundle path instead where you can"
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
    if own_transports:
        routes = {"all://": proxy} if proxy is not None else environment_proxies()
        mounts: dict[str, Any] = {
            pattern: None if url is None else transport(verify=verify, limits=limits, proxy=url)
            for pattern, url in routes.items()
        }
        # None: the client's transport, which goes straight to the host.
        mounts.update(dict.fromkeys(_LOOPBACK_PATTERNS))
        # limits: unused by httpx once it has a transport; kept for the client's admission.
        return {
            "transport": transport(verify=verify, limits=limits),
            "mounts": mounts,
            "limits": limits,
        }
    direct: Any = None  # None: the default transport, unproxied unless proxy= is given
    if proxy is not None:
        direct = transport(verify=verify, limits=limits)
    mounts = dict.fromkeys(_LOOPBACK_PATTERNS, direct)
    return {"verify": verify, "proxy": proxy, "mounts": mounts, "limits": limits}


def environment_proxies() -> dict[str, str | None]:
    """The routes ``HTTP_PROXY``, ``HTTPS_PROXY``, ``ALL_PROXY`` and ``NO_PROXY`` ask for, as
    httpx reads them (URL pattern: proxy URL, or None for no proxy)."""
    import ipaddress
    from urllib.request import getproxies

    found = getproxies()
    routes: dict[str, str | None] = {}
    for scheme in ("http", "https", "all"):
        if found.get(scheme):
            url = found[scheme]
            routes[f"{scheme}://"] = url if "://" in url else f"http://{url}"
    for host in (host.strip() for host in found.get("no", "").split(",")):
        if host == "*":
            return {}
        if not host:
            continue
        if "://" in host:
            routes[host] = None
            continue
        try:
            address = ipaddress.ip_address(host.split("/")[0])
        except ValueError:
            address = None
        if address is not None and address.version == 6:
            routes[f"all://[{host}]"] = None
        elif address is not None or host.lower() == "localhost":
            routes[f"all://{host}"] = None
        else:
            routes[f"all://*{host}"] = None
    return routes


def clamp(timeout: httpx.Timeout, remaining: float) -> dict[str, float | None]:
    """``timeout`` with no part longer than ``remaining`` seconds (the call's time left)."""
    remaining = max(remaining, 0.001)
    return {
        name: remaining if value is None else min(value, remaining)
        for name, value in timeout.as_dict().items()
    }


def check_retries(retries: object, base: RetryPolicy | None = None) -> RetryPolicy:
    """``retries`` as a policy: a RetryPolicy as it is, or an int of retries after the first
    attempt (``base`` with that many attempts, when given: an int per call keeps the client's
    waits and ``on_retry``)."""
    from .policy import RetryPolicy  # attrs, with the first client rather than the package

    if isinstance(retries, RetryPolicy):
        return retries
    if isinstance(retries, bool) or not isinstance(retries, int):
        raise InvalidArgumentError("retries", "must be an int >= 0 or a RetryPolicy")
    if retries < 0:
        raise InvalidArgumentError("retries", "must be >= 0")
    if base is None:
        return RetryPolicy(max_attempts=retries + 1)
    import attrs

    return attrs.evolve(base, max_attempts=retries + 1)


# Headers a caller may not set: those that authenticate the call (the signature's host and
# x-acs-* headers, Authorization, the token), and those that frame the message or the
# connection, which httpx owns.
_RESERVED_HEADERS = frozenset(
    {
        "host",
        "authorization",
        "x-yunxiao-token",
        "content-length",
        "content-type",
        "transfer-encoding",
        "connection",
        "keep-alive",
        "te",
        "trailer",
        "upgrade",
        "proxy-connection",
    }
)
_TOKEN_CHARS = frozenset(
    "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
)


def check_extra_headers(extra_headers: object) -> dict[str, str]:
    """``extra_headers`` checked: a mapping of header names to values, none of which may
    override what authenticates the call or frames it (refused, never dropped). Values are not
    quoted in errors: a header may carry a secret of the caller's."""
    if not isinstance(extra_headers, Mapping):
        raise InvalidArgumentError("extra_headers", "must be a mapping of header names to values")
    checked: dict[str, str] = {}
    for name, value in extra_headers.items():
        if (
            not isinstance(name, str)
            or not 0 < len(name) <= 256
            or not _TOKEN_CHARS.issuperset(name)
        ):
            raise InvalidArgumentError(
                "extra_headers", "a header name must be 1..256 characters of an HTTP token"
            )
        lowered = name.lower()
        if lowered in _RESERVED_HEADERS or lowered.startswith("x-acs-"):
            raise InvalidArgumentError(
                "extra_headers",
                f"{lowered} is set by the client: the signature, the token, host, x-acs-* "
                "and the message's framing cannot be overridden",
            )
        if (
            not isinstance(value, str)
            or len(value) > 8192
            or not all(0x20 <= ord(char) <= 0x7E or char == "\t" for char in value)
        ):
            raise InvalidArgumentError(
                "extra_headers",
                f"the value of {lowered} must be a str of at most 8192 visible ASCII "
                "characters, spaces and tabs",
            )
        checked[lowered] = value
    return checked


class CallOptions(NamedTuple):
    """What one call runs with: its timeout, its retry policy and the headers of its API
    requests besides their authentication."""

    timeout: httpx.Timeout
    retry: RetryPolicy
    api_headers: dict[str, str]


COPY_OPTIONS = ("credentials", "endpoint", "timeout", "retries", "extra_headers", "user_agent")
"""What ``with_options`` may change: everything but the connection pool's own options."""


class Bound:
    """What the first credentials chose: the API (``kind``, the credentials' class name, and
    its artifact URL ``operation``), where to send it (``base_url``, and for the token API its
    edition: ``region`` when its paths go without ``/organizations/{organizationId}``), and
    how to sign it."""

    __slots__ = ("auth", "base_url", "kind", "operation", "recover", "region")

    def __init__(
        self,
        operation: Operation,
        base_url: str,
        auth: RequestAuth,
        recover: Callable[[Any], bool] | None,
        region: bool = False,
    ) -> None:
        self.operation = operation
        self.kind = operation.credentials
        self.base_url = base_url
        self.auth = auth
        self.recover = recover
        self.region = region


class Core:
    """Configuration and every rule shared by the sync and async clients."""

    def __init__(
        self,
        *,
        credentials: CredentialsProvider | None,
        endpoint: str | None,
        timeout: float | httpx.Timeout | None,
        retries: int | RetryPolicy,
        user_agent_suffix: str | None,
        edition: str | None = None,
    ) -> None:
        from .editions import EDITIONS

        if edition is not None and edition not in EDITIONS:
            raise InvalidArgumentError("edition", "must be 'central', 'region' or None")
        self.edition = edition
        self.credentials = Core._credentials(credentials)
        self.endpoint = _endpoint(endpoint)
        hide_presigned_urls_in_httpx_logs()
        self.timeout = check_timeout(timeout)
        self.retry = check_retries(retries)
        self.headers = {"user-agent": user_agent(user_agent_suffix)}
        # The headers of every API request besides its authentication.
        self.api_headers = {"accept": "application/json", **self.headers}
        self.defaults = CallOptions(self.timeout, self.retry, self.api_headers)
        self._bound: Bound | None = None
        self._lock = threading.Lock()
        # Injectable for tests: the jitter source and the clock of a URL's expiry. The clock of
        # the total-time bound is deadline.now, the one the transport enforces it on.
        self.random: Callable[[], float] = random.random
        self.wall_clock: Callable[[], float] = time.time

    @staticmethod
    def _credentials(credentials: object) -> CredentialsProvider:
        if credentials is None:
            from ..credentials import default_credentials

            return default_credentials()
        if not callable(getattr(credentials, "get_credentials", None)):
            raise InvalidArgumentError(
                "credentials", "must have a get_credentials() method (a CredentialsProvider)"
            )
        return credentials  # type: ignore[return-value]  # it has get_credentials()

    # -- options --------------------------------------------------------------------------
    def options(
        self, timeout: object = None, retries: object = None, extra_headers: object = None
    ) -> CallOptions:
        """The options of one call: the client's, with those given here instead (each checked
        before any I/O). An int ``retries`` keeps the rest of the client's policy."""
        if timeout is None and retries is None and not extra_headers:
            return self.defaults
        return CallOptions(
            self.timeout if timeout is None else check_timeout(timeout),
            self.retry if retries is None else check_retries(retries, self.retry),
            {**self.api_headers, **check_extra_headers(extra_headers)}
            if extra_headers
            else self.api_headers,
        )

    def with_options(self, changes: dict[str, Any]) -> Core:
        """A copy of this configuration with ``changes`` (the names of ``with_options``): it
        keeps what the credentials chose, unless the credentials or the endpoint change."""
        unknown = sorted(set(changes) - set(COPY_OPTIONS))
        if unknown:
            raise InvalidArgumentError(
                unknown[0],
                "cannot change on a client that shares the connection pool (with_options "
                f"takes {', '.join(COPY_OPTIONS)}); make a new client for it",
            )
        core = copy.copy(self)
        if "credentials" in changes or "endpoint" in changes:
            if "credentials" in changes:
                core.credentials = Core._credentials(changes["credentials"])
            if "endpoint" in changes:
                core.endpoint = _endpoint(changes["endpoint"])
            core._bound = None
            core._lock = threading.Lock()
        if "timeout" in changes:
            core.timeout = check_timeout(changes["timeout"])
        if changes.get("retries") is not None:
            core.retry = check_retries(changes["retries"], self.retry)
        if "user_agent" in changes:
            core.headers = {"user-agent": user_agent(changes["user_agent"])}
            core.api_headers = {**self.api_headers, **core.headers}
        if changes.get("extra_headers"):
            core.api_headers = {**core.api_headers, **check_extra_headers(changes["extra_headers"])}
        core.defaults = CallOptions(core.timeout, core.retry, core.api_headers)
        return core

    # -- which API ------------------------------------------------------------------------
    def bound(self) -> Bound:
        """The operation the credentials choose, asked of the provider at the first call."""
        bound = self._bound
        if bound is None:
            with self._lock:
                if self._bound is None:
                    operation = operation_for(self.credentials.get_credentials())
                    auth: Any = operation.auth(self.credentials)
                    base_url = self.endpoint or f"https://{operation.default_host}"
                    from .editions import edition_for

                    region = (
                        operation.action is None  # the token API has editions
                        and edition_for(self.edition, base_url) == "region"
                    )
                    self._bound = Bound(
                        operation=operation,
                        base_url=base_url,
                        auth=auth,
                        recover=getattr(auth, "recover", None),
                        region=region,
                    )
                bound = self._bound
        return bound

    @property
    def base_url(self) -> str | None:
        """Where calls go: the endpoint given, else the chosen operation's host once known."""
        if self.endpoint is not None:
            return self.endpoint
        return self._bound.base_url if self._bound is not None else None

    # -- one call -------------------------------------------------------------------------
    def request(self, ids: Ids, *, authenticated: bool = True) -> httpx.Request:
        """One request of ``ids``, authenticated (or not, to see how the service refuses it),
        outside any call flow: for ``check-contract``."""
        bound = self.bound()
        prepared = bound.operation.prepare(ids, bound.base_url, region=bound.region)
        headers = dict(self.api_headers)
        if authenticated:
            headers.update(
                bound.auth.signature_headers(
                    prepared.method, prepared.raw_path, prepared.query, prepared.host
                )
            )
        return httpx.Request(
            prepared.method,
            prepared.url,
            headers=headers,
            extensions={"timeout": self.timeout.as_dict()},
        )

    @property
    def signed(self) -> bool:
        """Whether the credentials chose the signed API (asked of the provider if not yet)."""
        return self.bound().operation.action is not None

    def call(
        self,
        ids: Ids,
        options: CallOptions | None = None,
        observer: CallObserver | None = None,
    ) -> Generator[CallStep, Outcome, ArtifactUrl]:
        """The call flow of one call for an artifact's URL (see :meth:`call_operation`)."""
        bound = self.bound()
        return self._call(bound, bound.operation, ids, options, observer)

    def call_operation(
        self,
        logical: str,
        params: Mapping[str, Any],
        options: CallOptions | None = None,
        observer: CallObserver | None = None,
    ) -> Generator[CallStep, Outcome, Any]:
        """The call flow of one call of the logical operation ``logical`` (a row of the
        table, in the API the credentials chose) with ``params``, the generated layer's keyword
        arguments, checked (see :func:`~yunxiao_emas._call.retry.call_flow`), with ``options``
        (default: the client's) and an ``observer`` of its retries."""
        bound = self.bound()
        return self._call(bound, row(logical, bound.kind), params, options, observer)

    def _call(
        self,
        bound: Bound,
        operation: Operation,
        params: Ids | Mapping[str, Any],
        options: CallOptions | None,
        observer: CallObserver | None,
    ) -> Generator[CallStep, Outcome, Any]:
        """The call flow of one call of ``operation``, the same for every operation.

        The request is prepared once (method, URL, the canonical parts of a signature) and
        each attempt builds it anew with fresh authentication headers: an ``httpx.Request``
        of its own, sent as it is (``http_client.send``), so a caller's client contributes
        its transport (proxy, TLS, limits, event hooks) but none of its defaults.
        """
        prepared = operation.prepare(params, bound.base_url, region=bound.region)
        auth = bound.auth
        action = operation.action
        method, url, raw_path, query, host = (
            prepared.method,
            prepared.url,
            prepared.raw_path,
            prepared.query,
            prepared.host,
        )
        if options is None:
            options = self.defaults
        common = options.api_headers
        timeout = options.timeout

        def build(remaining: float) -> httpx.Request:
            headers = auth.signature_headers(method, raw_path, query, host, action=action)
            headers.update(common)
            return httpx.Request(
                method, url, headers=headers, extensions={"timeout": clamp(timeout, remaining)}
            )

        parse = operation.parse
        answer = Answer(params.as_kwargs() if isinstance(params, Ids) else params, self.wall_clock)

        def parse_answer(response: httpx.Response) -> Any:
            return parse(response, answer)

        return call_flow(
            build,
            parse_answer,
            options.retry,
            recover=bound.recover,
            monotonic=now,
            rand=self.random,
            observer=observer,
        )

    # -- downloads ------------------------------------------------------------------------
    def prepare_download(
        self,
        ids: Ids,
        dest: object,
        *,
        overwrite: object,
        progress: object,
        chunk_size: object,
        artifact_url: object,
        connections: object = 1,
    ) -> Transfer | DownloadedArtifact:
        """Validate everything (before any network I/O) and open the temporary file; or, when
        the destination file already holds this artifact (its md5), the skipped result."""
        from .._download.names import Occupied, check_target
        from .._download.transfer import Transfer, check_download_args
        from ..models import ArtifactUrl

        path = check_download_args(dest, overwrite, progress, chunk_size)
        if (
            isinstance(connections, bool)
            or not isinstance(connections, int)
            or not 1 <= connections <= MAX_CONNECTIONS
        ):
            raise InvalidArgumentError("connections", f"must be an int in 1..{MAX_CONNECTIONS}")
        if artifact_url is not None and not isinstance(artifact_url, ArtifactUrl):
            raise InvalidArgumentError("artifact_url", "must be an ArtifactUrl or None")
        if not path.is_dir():
            try:
                skipped = check_target(path, ids.md5, bool(overwrite))
            except Occupied as exc:
                raise InvalidArgumentError("dest", str(exc)) from exc
            if skipped is not None:
                return skipped
        self.bound()  # the credentials are usable, before a file is made
        return Transfer(
            path,
            expected_md5=ids.md5,
            overwrite=bool(overwrite),
            progress=progress,  # type: ignore[arg-type]  # checked callable above
            chunk_size=int(chunk_size),  # type: ignore[call-overload]  # checked int above
            connections=connections,
        )

    def download(
        self,
        transfer: Transfer,
        artifact_url: ArtifactUrl | None,
        options: CallOptions | None = None,
    ) -> DownloadFlow:
        """The flow of one download (see :mod:`~yunxiao_emas._download.flow`)."""
        from .._download.flow import download_flow

        retry = (options or self.defaults).retry
        return download_flow(transfer, artifact_url, retry, self.random)

    def own_client_options(self, options: dict[str, Any]) -> dict[str, Any]:
        """The httpx client options when the client is ours."""
        return {**options, "headers": self.headers, "timeout": self.timeout}

    def file_request(
        self,
        headers: dict[str, str],
        url: httpx.URL | str,
        timeout: httpx.Timeout | None = None,
    ) -> httpx.Request:
        """The GET of one file-host attempt with ``headers`` (the transfer's or a part's) and
        only the headers a download needs; send it with SEND_OPTIONS (no auth, redirects
        followed by hand).

        Built as an ``httpx.Request`` of its own, not by the client's ``build_request``: a
        caller's ``http_client`` may have default params (which would replace the URL's
        ``Expires`` and ``Signature``), headers or cookies, none of which belongs to the file
        host."""
        from .._download.transfer import Transfer

        headers = {**headers, "user-agent": self.headers["user-agent"]}
        request = httpx.Request(
            "GET", url, headers=headers, extensions={"timeout": (timeout or self.timeout).as_dict()}
        )
        return Transfer.clean_request(request)
