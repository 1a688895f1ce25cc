"""One call of an operation: the operation table (:mod:`.operations`), the id rules
(:mod:`.validation`), the client's configuration and requests (:mod:`.request`), the answer
parsers (:mod:`.responses`), the sans-IO call flow with its retries (:mod:`.retry`, configured by
:mod:`.policy`) and the deadline of an attempt (:mod:`.deadline`). ``Client`` and ``AsyncClient``
drive it; nothing here does I/O but the deadline's transport.

Empty on purpose: each module is imported when first needed, so ``import yunxiao_emas`` stays
light.

Value objects: attrs classes wherever import time allows (``RetryPolicy``, the models, the
download's steps and parts, the emulator's state and settings), since attrs comes with the
first client. Not here, nor in ``client.py``: ``from yunxiao_emas import Client`` loads these
modules (operations, request, responses, retry) and must not load attrs, a third of httpx's
own import time (``tests/unit/test_package.py`` pins what it loads); their value objects are
``NamedTuple`` and ``__slots__`` classes.
"""
