"""Input rules, checked before any network I/O, for the ids of both operations.

Each check first makes the value an exact ``str`` or ``int`` (a ``str`` subclass whose
``__str__`` says something else, an ``(str, Enum)`` member, an ``int`` subclass with its own
``__str__``), then checks that value, and returns it: the request is built from what was
checked, never from ``str(value)`` of the caller's object.

The bounds are the contract's (openapi.yaml); a unit test pins that they agree.
"""

from __future__ import annotations

import re

from ..errors import InvalidArgumentError

MAX_SAFE_INTEGER = 9007199254740991  # 2**53 - 1: larger ids lose precision in JSON clients
MAX_STRING_LENGTH = 256
# C0 controls, DEL and C1 controls: CR/LF would split headers or logs, NUL truncates in C.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def check_id(name: str, value: object) -> int:
    """An int64 id: an int (not bool, not str) in 1..9007199254740991, as an exact int."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidArgumentError(
            name, f"must be an int in 1..{MAX_SAFE_INTEGER}, got {type(value).__name__}"
        )
    number = int.__index__(value)  # the int's own value, whatever its subclass says
    if not 1 <= number <= MAX_SAFE_INTEGER:
        shown = number if -(10**20) < number < 10**20 else "a number of more than 20 digits"
        raise InvalidArgumentError(name, f"must be in 1..{MAX_SAFE_INTEGER}, got {shown}")
    return number


def check_segment(name: str, value: object) -> str:
    """A string id (it may become one path segment), as an exact str.

    ``.`` and ``..`` are refused because httpx removes dot segments: ``md5=".."`` would send the
    call to another API path. Lone surrogates are refused (they cannot be encoded). Every other
    character is percent-encoded by the generated layer.
    """
    if not isinstance(value, str):
        raise InvalidArgumentError(name, f"must be a str, got {type(value).__name__}")
    text = str.__str__(value)  # the characters themselves, not what a subclass's __str__ says
    if not text:
        raise InvalidArgumentError(name, "must not be empty")
    if text in {".", ".."}:
        raise InvalidArgumentError(name, f"must not be {text!r} (a dot path segment)")
    if len(text) > MAX_STRING_LENGTH:
        raise InvalidArgumentError(
            name, f"must be at most {MAX_STRING_LENGTH} characters, got {len(text)}"
        )
    if _CONTROL.search(text):
        raise InvalidArgumentError(name, "must not contain control characters (CR, LF, NUL, ...)")
    if not text.isascii():
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            raise InvalidArgumentError(
                name, "must be valid Unicode (it holds a lone surrogate)"
            ) from None
    return text
