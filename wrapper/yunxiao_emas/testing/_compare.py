"""One constant-time comparison of what a request sent with what the emulator expects.

``hmac.compare_digest`` takes ``str`` of ASCII only and raises TypeError otherwise: a
non-ASCII header value or query parameter (read as latin-1) made the emulator answer 500. As
bytes, any value compares, and a wrong one is simply not equal.
"""

from __future__ import annotations

import hmac

__all__ = ["same"]


def same(sent: str, expected: str) -> bool:
    """Whether ``sent`` equals ``expected``, in constant time, whatever characters it holds."""
    return hmac.compare_digest(
        sent.encode("utf-8", "surrogatepass"), expected.encode("utf-8", "surrogatepass")
    )
