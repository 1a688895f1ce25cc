"""The ``yunxiao_emulator`` pytest fixture: the service emulator on a real port, per test.

Installed with the package (entry point ``pytest11``), so any project that depends on
``yunxiao-emas[mock]`` can write::

    def test_download(yunxiao_emulator, tmp_path):
        md5 = yunxiao_emulator.service.add_artifact(
            "my-org", 1111, 1, "job-1", b"apk bytes", service_connection_id=122
        )
        with yunxiao_emas.Client(
            credentials=yunxiao_emulator.credentials, endpoint=yunxiao_emulator.base_url
        ) as client:
            ...

A test of the token API authenticates with ``yunxiao_emulator.token`` instead of
``yunxiao_emulator.credentials``.

The fixture yields a :class:`yunxiao_emas.testing.RunningEmulator`: ``service`` (the
:class:`~yunxiao_emas.testing.EmulatedService`, to add artifacts, inject faults, move the clock
and read ``service.calls``), ``base_url`` (``http://127.0.0.1:<port>``), ``credentials`` (an
:class:`~yunxiao_emas.AccessKeyCredentials` the emulator accepts) and ``token`` (a
:class:`~yunxiao_emas.PersonalAccessToken` it accepts). Every test gets a fresh
service and server; the server stops when the test ends.

This module is imported by pytest in every project that installed ``yunxiao-emas``, with or
without the ``mock`` extra, so it imports nothing of starlette or uvicorn: the fixture imports
the emulator when a test asks for it, and fails with the name of the extra to install when the
emulator's dependencies are missing.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from yunxiao_emas.testing import RunningEmulator

__all__ = ["yunxiao_emulator"]

MISSING_EXTRA = (
    "the yunxiao_emulator fixture needs the emulator's dependencies (starlette, uvicorn, "
    "pyyaml): install yunxiao-emas[mock]"
)


@pytest.fixture
def yunxiao_emulator() -> Iterator[RunningEmulator]:
    """A fresh :class:`~yunxiao_emas.testing.EmulatedService`, served over HTTP on loopback."""
    try:
        from yunxiao_emas.testing import EmulatedService, RunningEmulator
    except ImportError as exc:
        pytest.fail(f"{MISSING_EXTRA} ({exc})", pytrace=False)
    service = EmulatedService()
    with service.serve() as base_url:
        yield RunningEmulator(
            service=service,
            base_url=base_url,
            credentials=service.default_credentials,
            token=service.default_token,
        )
