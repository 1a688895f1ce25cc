"""``python -m yunxiao_emas.cli``: the command, as the ``yunxiao-emas`` script runs it."""

from .commands import main

main()
