"""What the command line tool does as a process, apart from its commands: the signals that
stop it, a standard output that cannot be written, an error nobody expected, and the one
reading of a boolean environment variable.

Each is a small function the entry point calls; none imports the client, so ``--help`` stays
fast.
"""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

__all__ = [
    "EXIT_INTERNAL",
    "EXIT_OUTPUT",
    "FALSE_WORDS",
    "TRUE_WORDS",
    "Interrupted",
    "env_flag",
    "exit_code_of",
    "signals_interrupt",
    "stdout_lost",
]

EXIT_OUTPUT = 6
"""The result could not be written to standard output (a full disk, a closed pipe)."""
EXIT_INTERNAL = 70
"""An error nobody expected: a bug of yunxiao-emas (``EX_SOFTWARE`` of sysexits.h)."""

# The words click itself takes for a flag's environment variable (BoolParamType): the tool
# reads YUNXIAO_EMAS_JSON before click does (for a usage error), and must agree with it.
TRUE_WORDS = frozenset({"1", "true", "t", "yes", "y", "on"})
FALSE_WORDS = frozenset({"0", "false", "f", "no", "n", "off", ""})


def env_flag(value: str | None) -> bool | None:
    """A boolean environment variable as every flag of the tool reads it: ``1``, ``true``,
    ``t``, ``yes``, ``y``, ``on`` (any case, spaces around ignored) are true; ``0``,
    ``false``, ``f``, ``no``, ``n``, ``off`` and the empty string false; None when unset;
    anything else None too (click refuses it as a usage error)."""
    if value is None:
        return None
    word = value.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    return None


class Interrupted(KeyboardInterrupt):
    """A signal that stops the tool (SIGTERM, SIGHUP), raised where the main thread is, as
    Ctrl+C's KeyboardInterrupt is: every ``finally`` and every cleanup of an interrupted
    download runs the same for both."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


def _raise_interrupted(signum: int, frame: FrameType | None) -> None:
    raise Interrupted(signum)


# SIGTERM is what CI runners, `timeout` and `docker stop` send; SIGHUP a closed terminal.
_STOPPING = tuple(getattr(signal, name) for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name))


@contextmanager
def signals_interrupt() -> Iterator[None]:
    """While inside, SIGTERM and SIGHUP raise :class:`Interrupted` in the main thread (by
    default they end the process at once: no ``finally`` runs, a download's partial file
    stays). A signal that was ignored (``nohup``) stays ignored."""
    if sys.platform == "win32":  # pragma: no cover - no such signals to catch there
        yield
        return
    previous = {}
    for signum in _STOPPING:
        if signal.getsignal(signum) is signal.SIG_IGN:
            continue
        previous[signum] = signal.signal(signum, _raise_interrupted)
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def exit_code_of(interruption: BaseException) -> int:
    """The shell's convention: 128 plus the signal's number (130 for Ctrl+C, 143 SIGTERM)."""
    if isinstance(interruption, Interrupted):
        return 128 + interruption.signum
    return 128 + int(signal.SIGINT)


def stdout_lost() -> None:
    """Standard output failed (``> /dev/full``, a closed pipe): whatever is still buffered
    for it goes nowhere, so that Python's own flush at exit cannot print a traceback."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):
        pass  # no file descriptor behind sys.stdout: nothing is flushed to it at exit either
