"""The faults a test asks for: the queue of API faults, download drops and corruptions, latency.

A fault is checked against the contract when it is queued (not when it fires), so a test that
asks for an answer the contract does not declare fails at once, at the line that asked.
"""

from __future__ import annotations

import collections
from typing import Literal

import attrs

from ..cli.spec import operations
from ._messages import CODE_FOR_STATUS, GATEWAY_ERRORS, Refusal, RetryAfter, Shape, documented

__all__ = ["Fault", "Faults", "make_fault", "positive"]


@attrs.frozen
class Fault:
    """One queued API fault: an error answer, or a cut connection (``kind="drop"``).

    ``operation`` None fires on the next authenticated call of either API; an ``operationId``
    only on a call of that operation (calls of the other pass it by).
    """

    kind: Literal["error", "drop"]
    status: int = 0
    code: str = ""
    message: str = ""
    shape: Shape = "service"
    retry_after: RetryAfter = None
    operation: str | None = None

    def refusal(self) -> Refusal:
        """The error this fault answers with (the handler of the call gives it its shape)."""
        return Refusal(
            self.status, self.code, self.message, shape=self.shape, retry_after=self.retry_after
        )


def positive(name: str, value: int) -> int:
    """``value`` when it is an int of at least 1, else ``ValueError``."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{name} must be a positive int, got {value!r}")
    return value


def _target(operation: str | None) -> str | None:
    if operation is not None and operation not in operations():
        raise ValueError(
            f"operation {operation!r} is not an operationId of openapi.yaml "
            f"({', '.join(operations())})"
        )
    return operation


def _allowed_statuses(operation: str | None) -> frozenset[int]:
    """The statuses a fault may answer: declared by every operation it can fire on.

    200 is a business failure of the signed API; the token API answers such a fault as 400.
    """
    targets = [operations()[operation]] if operation else list(operations().values())
    statuses = frozenset.intersection(*(op.statuses for op in targets))
    return statuses | {200}


def _check_retry_after(retry_after: RetryAfter) -> None:
    if isinstance(retry_after, str) and not all(
        char == "\t" or 0x20 <= ord(char) <= 0x7E or 0x80 <= ord(char) <= 0xFF
        for char in retry_after
    ):
        # It is sent as a header value as it is: CR LF would end the header (the server then
        # drops the connection); a field value holds visible characters, spaces, tabs and
        # obs-text (latin-1) only.
        raise ValueError(
            "retry_after as a raw header value must hold no CR, LF or other control character, "
            "and latin-1 characters only"
        )
    if retry_after is None or isinstance(retry_after, str):
        return
    if isinstance(retry_after, bool) or not isinstance(retry_after, int | float):
        raise ValueError(f"retry_after must be seconds or a raw header value, got {retry_after!r}")
    if not 0 < retry_after < 10**9:
        raise ValueError(f"retry_after must be a positive number of seconds, got {retry_after!r}")


def _documented_answer(
    code: str | None, status: int | None, message: str | None, shape: Shape | None
) -> tuple[str, int, str | None, Shape | None]:
    """The code, status, message and shape of a fault, the documented ones filling in what
    the test left out."""
    if code is None:
        code = CODE_FOR_STATUS.get(status if status is not None else 500)
        if code is None:
            raise ValueError(f"fail_next(status={status}) needs a code (4xx answers carry one)")
    entry = documented(code, status)
    if entry is not None and shape != "gateway":
        status = entry.status if status is None else status
        return code, status, entry.message if message is None else message, "service"
    if code in GATEWAY_ERRORS and shape != "service":
        default_status, default_message = GATEWAY_ERRORS[code]
        status = default_status if status is None else status
        return code, status, default_message if message is None else message, "gateway"
    if status is None:
        raise ValueError(f"fail_next(code={code!r}) is not a documented code: give a status")
    return code, status, message, shape


def make_fault(
    code: str | None,
    status: int | None,
    message: str | None,
    retry_after: RetryAfter,
    shape: Shape | None,
    operation: str | None = None,
) -> Fault:
    """The fault :meth:`EmulatedService.fail_next` describes, or ``ValueError``."""
    operation = _target(operation)
    _check_retry_after(retry_after)
    code, status, message, shape = _documented_answer(code, status, message, shape)
    allowed = _allowed_statuses(operation)
    if status not in allowed:
        where = f"for {operation}" if operation else "by every operation it may fire on"
        raise ValueError(
            f"status {status} is not declared in openapi.yaml {where} ({sorted(allowed)}): "
            "the emulator only answers with declared statuses"
        )
    if status == 200 and shape == "gateway":
        raise ValueError("a 200 answer carries the service body, not the gateway's")
    return Fault(
        kind="error",
        status=status,
        code=code,
        message=message if message is not None else code,
        shape=shape or "service",
        retry_after=retry_after,
        operation=operation,
    )


def make_drop(operation: str | None = None) -> Fault:
    """The fault :meth:`EmulatedService.drop_next` describes."""
    return Fault(kind="drop", operation=_target(operation))


class Faults:
    """The queued faults and the latency; the caller holds the service's lock."""

    def __init__(self) -> None:
        self.latency = 0.0
        self._api: collections.deque[Fault] = collections.deque()
        self._download_drops: collections.deque[int] = collections.deque()
        self._download_corruptions = 0

    def queue(self, fault: Fault, count: int) -> None:
        """Queue ``count`` copies of ``fault`` after those already queued."""
        self._api.extend([fault] * positive("count", count))

    def take(self, operation: str) -> Fault | None:
        """The first queued fault that fires on a call of ``operation`` (removed), if any."""
        for index, fault in enumerate(self._api):
            if fault.operation is None or fault.operation == operation:
                del self._api[index]
                return fault
        return None

    def queue_download_drops(self, offset: int, count: int) -> None:
        """Cut the next ``count`` downloads after ``offset`` body bytes."""
        if offset < 0:
            raise ValueError("offset must be >= 0")
        self._download_drops.extend([offset] * positive("count", count))

    def queue_corruptions(self, count: int) -> None:
        """Corrupt the next ``count`` downloads."""
        self._download_corruptions += positive("count", count)

    def take_download_drop(self) -> int | None:
        """The offset at which to cut this download, if a drop is queued (used up)."""
        return self._download_drops.popleft() if self._download_drops else None

    def take_corruption(self) -> bool:
        """Whether to corrupt this download (used up when True)."""
        if not self._download_corruptions:
            return False
        self._download_corruptions -= 1
        return True

    def clear(self) -> None:
        """Forget every queued fault and the latency."""
        self._api.clear()
        self._download_drops.clear()
        self._download_corruptions = 0
        self.latency = 0.0
