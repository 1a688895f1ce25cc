"""One call of an operation: the operation table (:mod:`.operations`), the id rules
(:mod:`.validation`), the client's configuration and requests (:mod:`.request`), the answer
parsers (:mod:`.responses`), the sans-IO call flow with its retries (:mod:`.retry`, configured by
:mod:`.policy`) and the deadline of an attempt (:mod:`.deadline`). ``Client`` and ``AsyncClient``
drive it; nothing here does I/O but the deadline's transport.

Empty on purpose: each module is imported when first needed, so ``import yunxiao_emas`` stays
light.
"""
