"""The ``yunxiao-emas`` command (:mod:`.commands`), with what only it and the emulator need:
``check-contract`` (:mod:`.contract`) and its reader of openapi.yaml (:mod:`.spec`, which the
emulator reads its routes from too), and the ``emulator`` command (:mod:`.emulator`).

Nothing is imported here: ``yunxiao_emas.cli:main`` (the entry point) loads the commands at its
first use, and the emulator's ``from yunxiao_emas.cli.spec import ...`` loads neither click nor
the commands.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._lazy import lazy_names

if TYPE_CHECKING:
    from .commands import cli, main

__all__ = ["cli", "main"]

_HOME = {"cli": ".commands", "main": ".commands"}

__getattr__, __dir__ = lazy_names(__name__, _HOME, __all__)
