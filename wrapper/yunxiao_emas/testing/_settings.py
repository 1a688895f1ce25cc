"""ONE table of the emulator's settings and fault arguments: their keys, types and ranges, read
by ``--config`` (a file for ``yunxiao-emas emulator`` or :meth:`EmulatedService.from_config`),
by the control API's ``POST /_emulator/faults``, and by the service's own setters; with one
wording for every refusal: ``latency must be a number in 0..3600, got nan``.

Every number is finite and bounded, so NaN, Infinity or a value of 10**30 is refused here
(a 400 from the control API, one line and exit 2 from the command), never a 500 or a traceback.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any, Literal

import attrs

__all__ = [
    "CONFIG",
    "FAULTS",
    "MAX_COUNT",
    "EmulatorConfigError",
    "FaultRule",
    "Key",
    "check",
    "kind_of",
]

MAX_COUNT = 10_000
"""The most faults of one kind queued by one request."""
_DAY = 86_400.0
_TEN_YEARS = 3653 * _DAY
_MAX_BYTES = 2**53  # byte offsets and rates: exact in a float, far beyond any artifact


class EmulatorConfigError(ValueError):
    """A configuration of the emulator (a file or a control API body) that cannot be used."""


def kind_of(value: object) -> str:
    """The JSON-ish name of ``value``'s type, for messages."""
    return "null" if value is None else type(value).__name__


_WORDS = {
    "int": "an integer",
    "number": "a number",
    "text": "a string",
    "bool": "true or false",
    "number or text": "a number or a string",
}


@attrs.frozen
class Key:
    """One key: its type, and for numbers the inclusive range (``above``: ``low`` excluded)."""

    kind: Literal["int", "number", "text", "bool", "number or text"]
    low: float | None = None
    high: float | None = None
    above: bool = False
    choices: tuple[str, ...] = ()

    def describe(self) -> str:
        """What a value must be, in the one wording."""
        words = _WORDS[self.kind]
        if self.choices:
            return f"one of {', '.join(self.choices)}"
        if self.low is None or self.high is None:
            return words
        low, high = _shown(self.low), _shown(self.high)
        return f"{words} > {low} and <= {high}" if self.above else f"{words} in {low}..{high}"

    def check(self, value: object, where: str) -> Any:
        """``value`` when it fits, else :class:`EmulatorConfigError` naming ``where``."""
        if self.kind == "number or text" and isinstance(value, str):
            return value
        if not _is(self.kind, value):
            raise EmulatorConfigError(f"{where} must be {self.describe()}, got {kind_of(value)}")
        if self.choices and value not in self.choices:
            raise EmulatorConfigError(f"{where} must be {self.describe()}, got {value!r}")
        if isinstance(value, int | float) and not self._in_range(value):
            raise EmulatorConfigError(f"{where} must be {self.describe()}, got {value!r}")
        return value

    def _in_range(self, value: float) -> bool:
        # An int is finite however long (math.isfinite of a 400-digit int raises OverflowError).
        if isinstance(value, float) and not math.isfinite(value):
            return False
        if self.low is not None and (value <= self.low if self.above else value < self.low):
            return False
        return self.high is None or value <= self.high


def _shown(bound: float) -> str:
    return str(int(bound)) if bound == int(bound) else f"{bound:g}"


def _is(kind: str, value: object) -> bool:
    if kind == "bool":
        return isinstance(value, bool)
    if isinstance(value, bool):
        return False
    if kind == "int":
        return isinstance(value, int)
    if kind == "text":
        return isinstance(value, str)
    return isinstance(value, int | float)


def check(key: str, value: object, where: str | None = None) -> Any:
    """``value`` checked against the setting ``key`` of :data:`CONFIG`."""
    return CONFIG[key].check(value, where or key)


CONFIG: Mapping[str, Key] = {
    "url_ttl": Key("int", 1, 7 * _DAY),
    "rate_limit.requests": Key("int", 1, 1_000_000_000),
    "rate_limit.per_seconds": Key("number", 0, _TEN_YEARS, above=True),
    "download_bandwidth": Key("number", 0, _MAX_BYTES, above=True),
    "latency": Key("number", 0, 3600),
    "token_answers_as_text": Key("bool"),
    "expires_at": Key("number", -_TEN_YEARS * 10, _TEN_YEARS * 100),
    "advance_clock": Key("number", -_TEN_YEARS, _TEN_YEARS),
}
"""The settings of ``--config`` and of the service (``rate_limit`` is ``[requests,
per_seconds]``; ``expires_at`` a token's, in epoch seconds), with their ranges."""

_COUNT = Key("int", 1, MAX_COUNT)
_TEXT = Key("text")


@attrs.frozen
class FaultRule:
    """A fault (or clock, or credential) method the control API may call, and its keys."""

    keys: Mapping[str, Key]
    required: tuple[str, ...] = ()


FAULTS: dict[str, FaultRule] = {
    "fail_next": FaultRule(
        {
            "count": _COUNT,
            "code": _TEXT,
            "status": Key("int", 100, 599),
            "message": _TEXT,
            "retry_after": Key("number or text", 0, 1e9, above=True),
            "shape": Key("text", choices=("service", "gateway")),
            "operation": _TEXT,
        },
    ),
    "drop_next": FaultRule({"count": _COUNT, "operation": _TEXT}),
    "drop_download_after": FaultRule(
        {"offset": Key("int", 0, _MAX_BYTES), "count": _COUNT}, required=("offset",)
    ),
    "corrupt_next_download": FaultRule({"count": _COUNT}),
    "expire_urls": FaultRule({}),
    "clear_faults": FaultRule({}),
    "advance_clock": FaultRule({"seconds": CONFIG["advance_clock"]}, required=("seconds",)),
    "latency": FaultRule({"seconds": CONFIG["latency"]}, required=("seconds",)),
    "expire_token": FaultRule({"token": _TEXT}, required=("token",)),
    "revoke_token": FaultRule({"token": _TEXT}, required=("token",)),
    "deactivate_access_key": FaultRule({"access_key_id": _TEXT}, required=("access_key_id",)),
    "expire_security_token": FaultRule({"access_key_id": _TEXT}, required=("access_key_id",)),
}
"""The names ``POST /_emulator/faults`` takes in ``"fault"``, with the keys of each: the
arguments of the :class:`EmulatedService` method of that name (``latency`` sets the attribute)."""
