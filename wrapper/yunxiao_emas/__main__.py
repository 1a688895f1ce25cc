"""``python -m yunxiao_emas``: the ``yunxiao-emas`` command (needs the ``cli`` extra)."""

from .cli import main

main()
