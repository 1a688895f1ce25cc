"""When to retry and how long to wait, and the call flow that applies it: every retry decision
of a call, shared by Client and AsyncClient and by both operations.

Written here rather than taken from stamina or tenacity: both import tenacity (about a tenth of
httpx's import time again, against a budget of 1.3x httpx for ``import yunxiao_emas``), and the
policy is small: full-jitter exponential backoff, the server's ``x-acs-retry-after`` honoured and
capped, and a bound on attempts and on total time. The clock, the sleep and the random source
are injectable, so tests check the waits without sleeping.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable, Generator
from typing import TYPE_CHECKING, Any, Protocol

import httpx

from ..errors import ApiError, ServerError, ThrottledError, TransportError, YunxiaoError

if TYPE_CHECKING:
    from .policy import RetryPolicy

RETRYABLE_STATUSES = frozenset({429, 500, 502, 503, 504})


# The unit of each hint header, in seconds: the gateway's is milliseconds (the official SDK's
# runtime, tea-openapi get_throttling_time_left and darabonba policy/retry.py, reads it so and
# sleeps that many milliseconds); the standard HTTP header is seconds (RFC 9110).
_HINTS = (("x-acs-retry-after", 0.001), ("retry-after", 1.0))
# Longer hints are all "a very long time": capped by the policy anyway, and never a float that
# overflows (a 400-digit header would).
MAX_HINT_SECONDS = 86400.0


def retry_after_of(response: httpx.Response) -> float | None:
    """The server's positive hint in seconds, else None: ``x-acs-retry-after`` (milliseconds)
    first, then ``Retry-After`` (seconds). At most :data:`MAX_HINT_SECONDS`."""
    for name, unit in _HINTS:
        raw = response.headers.get(name)
        if raw is None:
            continue
        raw = raw.strip()
        # ASCII digits only: int() would also take "1_0" and non-ASCII digits.
        if not (raw.isascii() and raw.isdigit()):
            continue
        if len(raw) > 12:  # more than 31 years even in milliseconds
            return MAX_HINT_SECONDS
        value = int(raw)
        if value > 0:
            return min(value * unit, MAX_HINT_SECONDS)
    return None


def is_retryable(error: Exception) -> bool:
    """Whether a failed attempt is worth another one."""
    if isinstance(error, httpx.LocalProtocolError):
        return False  # our own request is malformed: sending it again cannot help
    if isinstance(error, httpx.TransportError):
        return True
    if isinstance(error, ThrottledError | ServerError):
        return True
    if isinstance(error, ApiError):
        return error.status_code in RETRYABLE_STATUSES or error.retry_after is not None
    return False


_log = logging.getLogger("yunxiao_emas")


class Sleep:
    """A step of a flow: wait this many seconds, then go on."""

    __slots__ = ("seconds",)

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds


class Send:
    """A step of the call flow: send ``request``; the attempt must be over by ``deadline``
    (seconds of the flow's monotonic clock: its start plus ``RetryPolicy.max_total``)."""

    __slots__ = ("deadline", "request")

    def __init__(self, request: httpx.Request, deadline: float) -> None:
        self.request = request
        self.deadline = deadline


class CallObserver(Protocol):
    """Who watches a call besides its caller (the call's span, see :mod:`.tracing`)."""

    def retry(self, attempt: int, error: BaseException, wait: float) -> None: ...

    def answered(self, request_id: str | None, attempts: int) -> None: ...


Outcome = httpx.Response | httpx.RequestError | ApiError | None
"""What a driver answers a :class:`Send` with: the response (its body read), the httpx error of
the attempt, or the ApiError of an answer it could not read whole (too large)."""
CallStep = Send | Sleep


def call_flow(
    build: Callable[[float], httpx.Request],
    parse: Callable[[httpx.Response], Any],
    policy: RetryPolicy,
    *,
    recover: Callable[[ApiError], bool] | None = None,
    monotonic: Callable[[], float],
    rand: Callable[[], float] = random.random,
    observer: CallObserver | None = None,
) -> Generator[CallStep, Outcome, Any]:
    """One call with its retries, as a generator the clients drive (sans I/O).

    Yields a :class:`Send` of the request ``build(remaining)`` makes for each attempt (signed
    anew, its timeouts no longer than the ``remaining`` seconds of the call), and is sent the
    outcome; or yields a :class:`Sleep`. Returns what ``parse`` makes of the first good answer,
    or raises one ``YunxiaoError``: the ``ApiError`` of the last answer, or a
    ``TransportError`` wrapping the last httpx error. No attempt runs past ``max_total``
    seconds after the first began, and no retry starts that could not end by then.

    ``recover(error)`` may ask for the request to be sent again at once, without counting an
    attempt (the signer corrects its clock on a clock-skew answer); once per attempt.

    The attempts made are on the result (``attempts``, when more than its default of one) or
    on the error raised (``attempts``). Before each wait, ``policy.on_retry(attempt, error,
    wait)`` is called with the ``ApiError`` or ``TransportError`` of the failed attempt (what
    it raises ends the call), and ``observer`` is told of the retry and of the answer.
    """
    started = monotonic()
    deadline = started + policy.max_total
    attempt = 1
    recovered = False
    while True:
        outcome = yield Send(build(deadline - monotonic()), deadline)
        error: ApiError | httpx.RequestError
        if isinstance(outcome, httpx.Response):
            try:
                result = parse(outcome)
            except ApiError as exc:
                error = exc
            else:
                if observer is not None:
                    observer.answered(getattr(result, "request_id", None), attempt)
                if attempt > 1:  # a result's own default is one attempt
                    result = _with_attempts(result, attempt)
                return result
        else:
            assert outcome is not None
            error = outcome
        if (
            isinstance(error, ApiError)
            and not recovered
            and recover is not None
            and recover(error)
            and monotonic() < deadline
        ):
            recovered = True
            continue
        if not is_retryable(error) or attempt >= policy.max_attempts:
            raise final_error(error, attempt)
        retry_after = error.retry_after if isinstance(error, ApiError) else None
        wait = policy.wait(attempt - 1, retry_after, rand)
        if monotonic() - started + wait > policy.max_total:
            raise final_error(error, attempt)
        _log.info(
            "attempt %d of %d failed (%s); retrying in %.2f s",
            attempt,
            policy.max_attempts,
            _describe(error),
            wait,
        )
        if observer is not None:
            observer.retry(attempt, error, wait)
        if policy.on_retry is not None:
            policy.on_retry(attempt, final_error(error, attempt), wait)
        yield Sleep(wait)
        attempt += 1
        recovered = False


def _with_attempts(result: Any, attempts: int) -> Any:
    """``result`` with its ``attempts``, when it is a model (attrs) that has the field; a result
    of another kind (a list, say) as it is."""
    import attrs

    if attrs.has(type(result)) and "attempts" in attrs.fields_dict(type(result)):
        return attrs.evolve(result, attempts=attempts)
    return result


def final_error(error: ApiError | httpx.RequestError, attempts: int | None = None) -> YunxiaoError:
    """What the caller gets when no attempt is left: the ApiError, or a TransportError; with
    the ``attempts`` made, when given."""
    if isinstance(error, ApiError):
        if attempts is not None:
            error.attempts = attempts
        return error
    if isinstance(error, httpx.LocalProtocolError):
        # Its text quotes the offending header, which may be the STS token.
        wrapped = TransportError(
            "LocalProtocolError: the request could not be sent (a header value or the URL "
            "is not valid HTTP)"
        )
    else:
        wrapped = TransportError(f"{type(error).__name__}: {error}{_to_host(error)}")
    wrapped.__cause__ = error
    wrapped.attempts = attempts
    return wrapped


def _to_host(error: httpx.RequestError) -> str:
    """`` (host H)``: the OS's own text (``Name or service not known``) does not say which
    name it could not resolve, nor which host refused or timed out."""
    try:
        host = error.request.url.host
    except RuntimeError:  # an error raised without its request
        return ""
    return f" (host {host})" if host else ""


def log_resume(what: str, resumes: int, offset: int | None, error: BaseException) -> None:
    """An INFO line (``-v``) for a transfer resumed after a dropped connection or a busy file
    host: a download that resumes is slower, and the user should see why."""
    where = f" at byte {offset}" if offset is not None else ""
    _log.info("%s (%s); resuming%s, resume %d", what, _describe(error), where, resumes)


def _describe(error: BaseException) -> str:
    if isinstance(error, ApiError):
        described = f"HTTP {error.status_code} {error.code}".rstrip()
        return f"{described}, request id {error.request_id}" if error.request_id else described
    if isinstance(error, httpx.RequestError):
        return f"{type(error).__name__}{_to_host(error)}"
    return type(error).__name__
