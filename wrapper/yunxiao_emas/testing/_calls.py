"""The record of calls, bounded: an emulator that runs for days in a CI (or is flooded with
unauthenticated requests with 60 KB paths) must not grow without end."""

from __future__ import annotations

from ._exchange import Call

__all__ = ["MAX_CALLS", "MAX_PATH", "CallRecord"]

MAX_CALLS = 10_000
"""Calls kept; older ones are dropped first, and counted in :attr:`CallRecord.dropped`."""
MAX_PATH = 1024
"""Characters of a path kept; a longer one ends with ``…`` (no API path is near this)."""
MAX_CHECK = 4096
"""Characters of each value of a ``signature_check`` kept (its canonical request holds the
path and every signed header)."""


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


class CallRecord(list[Call]):
    """A list of the last :data:`MAX_CALLS` calls, each path cut at :data:`MAX_PATH`
    characters (and a signature check's values at :data:`MAX_CHECK`); :attr:`dropped` counts
    the calls that fell off its start. Tens of MiB at most, whatever is sent."""

    def __init__(self, limit: int = MAX_CALLS) -> None:
        super().__init__()
        self.limit = limit
        self.dropped = 0

    def append(self, call: Call) -> None:
        """Record ``call``; the oldest is dropped once :attr:`limit` calls are kept."""
        if len(call.path) > MAX_PATH:
            call = call._replace(path=_cut(call.path, MAX_PATH))
        check = call.signature_check
        if check is not None and any(len(value) > MAX_CHECK for value in check.values()):
            kept = {name: _cut(value, MAX_CHECK) for name, value in check.items()}
            call = call._replace(signature_check=kept)
        if len(self) >= self.limit:
            # A quarter at once: dropping one at a time would move the whole list each call.
            cut = max(1, self.limit // 4)
            del self[:cut]
            self.dropped += cut
        super().append(call)

    def clear(self) -> None:
        """Forget every call, and the count of dropped ones."""
        super().clear()
        self.dropped = 0
