"""Every limit of retrying, in one place to read: the call's :class:`RetryPolicy` and the
download's bounds (resumes, restarts, URL refreshes, redirects); when to retry is decided in
:mod:`.retry` (a call) and :mod:`~yunxiao_emas._download.answers` (a file host's answer).

Its own module: attrs is imported with the first client that is made, not with the package."""

from __future__ import annotations

import random
from collections.abc import Callable

import attrs

from ..errors import InvalidArgumentError, YunxiaoError

__all__ = [
    "MAX_REDIRECTS",
    "MAX_RESTARTS",
    "MAX_RESUMES",
    "MAX_URL_REFRESHES",
    "RetryCallback",
    "RetryPolicy",
]

# The download's limits. Its waits (a file host's 429 or 5xx) follow the client's RetryPolicy.
MAX_RESUMES = 5
"""Connection drops a download resumes from (per connection, for a download in parts)."""
MAX_RESTARTS = 3
"""Times a download starts over from byte 0 because the file host ignored or mangled Range."""
MAX_URL_REFRESHES = 2
"""Fresh URLs asked of the API when the file host refuses one (403: expired)."""
MAX_REDIRECTS = 5
"""Redirects followed from the file host, each hop checked."""

RetryCallback = Callable[[int, YunxiaoError, float], object]
"""``on_retry(attempt, error, wait_seconds)``: see :class:`RetryPolicy`."""


def _callable_or_none(
    instance: object, attribute: attrs.Attribute[RetryCallback | None], value: object
) -> None:
    if value is not None and not callable(value):
        raise InvalidArgumentError(
            "on_retry", "must be a callable (attempt, error, wait_seconds) or None"
        )


def _positive(instance: object, attribute: attrs.Attribute[float], value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not value >= 0:
        # "not value >= 0" also refuses nan.
        raise InvalidArgumentError(attribute.name, "must be a number of seconds >= 0")


@attrs.frozen
class RetryPolicy:
    """How failed calls are retried.

    Attributes:
        max_attempts: attempts in all, the first included (1 disables retries).
        backoff_initial: the backoff cap of the first retry, in seconds; it doubles each retry.
        backoff_max: the largest backoff cap, in seconds.
        max_total: no retry starts after this many seconds since the first attempt.
        retry_after_cap: the largest server hint obeyed, in seconds (``x-acs-retry-after`` is
            sent in milliseconds, ``Retry-After`` in seconds; both are read as seconds here).

        on_retry: called before each wait as ``on_retry(attempt, error, wait)``: the number of
            the attempt that failed (1 for the first), its ``ApiError`` (with its
            ``request_id``) or ``TransportError``, and the seconds about to be waited. What it
            raises ends the call with that exception. Called for the API's answers, not for
            the file host's during a download (those are resumed, see ``DownloadedArtifact``).

    Retried: connection errors and timeouts, HTTP 429/500/502/503/504, throttling codes, and any
    error answer with a positive ``x-acs-retry-after``. Never retried: business errors (not
    found, forbidden, invalid parameter, authentication). The wait is drawn uniformly from
    ``[0, min(backoff_max, backoff_initial * 2**n)]`` (full jitter), or is the server's hint.
    """

    max_attempts: int = attrs.field(default=3)
    backoff_initial: float = attrs.field(default=0.5, validator=_positive)
    backoff_max: float = attrs.field(default=8.0, validator=_positive)
    max_total: float = attrs.field(default=60.0, validator=_positive)
    retry_after_cap: float = attrs.field(default=30.0, validator=_positive)
    on_retry: RetryCallback | None = attrs.field(
        default=None, validator=_callable_or_none, kw_only=True
    )

    @max_attempts.validator
    def _check_attempts(self, attribute: attrs.Attribute[int], value: int) -> None:
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise InvalidArgumentError("retries", "max_attempts must be an int >= 1")

    def backoff(self, retry_number: int, rand: Callable[[], float] = random.random) -> float:
        """Full-jitter wait before retry ``retry_number`` (0 for the first retry)."""
        # The exponent is bounded: 2.0**1100 would overflow, and the cap is reached long before.
        cap = min(self.backoff_max, self.backoff_initial * 2.0 ** min(retry_number, 60))
        return float(cap * rand())

    def wait(
        self,
        retry_number: int,
        retry_after: float | None,
        rand: Callable[[], float] = random.random,
    ) -> float:
        """The wait before the next attempt: the server's hint (capped) or the backoff."""
        if retry_after is not None and retry_after > 0:
            return min(retry_after, self.retry_after_cap)
        return self.backoff(retry_number, rand)
