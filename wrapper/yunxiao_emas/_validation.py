"""Input rules, checked before any network I/O.

The bounds are the contract's (openapi.yaml); a unit test pins that they agree.
"""

from __future__ import annotations

import re

from .errors import InvalidArgumentError

MAX_SAFE_INTEGER = 9007199254740991  # 2**53 - 1: larger ids lose precision in JSON clients
MAX_STRING_LENGTH = 256
# C0 controls, DEL and C1 controls: CR/LF would split headers or logs, NUL truncates in C.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def check_id(name: str, value: object) -> int:
    """An int64 id: a real int (not bool, not str) in 1..9007199254740991."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidArgumentError(
            name, f"must be an int in 1..{MAX_SAFE_INTEGER}, got {type(value).__name__}"
        )
    if not 1 <= value <= MAX_SAFE_INTEGER:
        raise InvalidArgumentError(name, f"must be in 1..{MAX_SAFE_INTEGER}, got {value}")
    return value


def check_segment(name: str, value: object) -> str:
    """A string that becomes one path segment.

    ``.`` and ``..`` are refused because httpx removes dot segments: ``md5=".."`` would send the
    call to another API path. Every other character is percent-encoded by the generated layer.
    """
    if not isinstance(value, str):
        raise InvalidArgumentError(name, f"must be a str, got {type(value).__name__}")
    if not value:
        raise InvalidArgumentError(name, "must not be empty")
    if value in {".", ".."}:
        raise InvalidArgumentError(name, f"must not be {value!r} (a dot path segment)")
    if len(value) > MAX_STRING_LENGTH:
        raise InvalidArgumentError(
            name, f"must be at most {MAX_STRING_LENGTH} characters, got {len(value)}"
        )
    if _CONTROL.search(value):
        raise InvalidArgumentError(name, "must not contain control characters (CR, LF, NUL, ...)")
    return value
