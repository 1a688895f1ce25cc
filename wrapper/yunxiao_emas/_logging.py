"""The library's logging: silent unless the application configures it, or
``YUNXIAO_EMAS_LOG=debug|info`` turns it on without code (as ``OPENAI_LOG`` does for openai).

What is logged never holds a secret: the signer redacts the STS token from the canonical request,
and :class:`~yunxiao_emas._urls.RedactPresignedUrls` hides the query of pre-signed URLs in
httpx's request lines.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Mapping

__all__ = ["LOG_ENV", "configure"]

LOG_ENV = "YUNXIAO_EMAS_LOG"
_LEVELS = {"debug": logging.DEBUG, "info": logging.INFO}


class _EnvironmentHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """The stderr handler ``YUNXIAO_EMAS_LOG`` installs (a class of its own: installed once)."""


def configure(environ: Mapping[str, str] = os.environ) -> None:
    """Give the ``yunxiao_emas`` logger a ``NullHandler`` (a library's duty: no "No handlers
    could be found" and no lastResort printing of warnings an application did not ask for),
    and, when ``YUNXIAO_EMAS_LOG`` is ``debug`` or ``info``, a stderr handler at that level
    (with httpx's request lines beside ours at debug). Another value is ignored, with a
    warning."""
    logger = logging.getLogger("yunxiao_emas")
    if not any(type(handler) is logging.NullHandler for handler in logger.handlers):
        logger.addHandler(logging.NullHandler())
    value = environ.get(LOG_ENV, "").strip().lower()
    if not value:
        return
    level = _LEVELS.get(value)
    if level is None:
        import warnings

        warnings.warn(f"{LOG_ENV} must be debug or info; ignored", RuntimeWarning, stacklevel=2)
        return
    from ._urls import hide_presigned_urls_in_httpx_logs

    hide_presigned_urls_in_httpx_logs()
    handler = _EnvironmentHandler(sys.stderr)
    handler.setFormatter(
        logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s", "%H:%M:%S")
    )
    # httpx's request lines (INFO) at debug only, as the CLI's -vv shows them.
    named_levels = [("yunxiao_emas", level)]
    if level == logging.DEBUG:
        named_levels.append(("httpx", logging.INFO))
    for name, name_level in named_levels:
        named = logging.getLogger(name)
        if not any(isinstance(handler, _EnvironmentHandler) for handler in named.handlers):
            named.addHandler(handler)
        named.setLevel(name_level)
