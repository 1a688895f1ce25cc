"""A service emulator of both APIs that hand out the EMAS artifact download URL:
GetPipelineEmasArtifactUrl (AccessKey, signed) and GetEmasArtifactDownloadUrl (personal access
token), to test code that uses them (like moto).

Needs the ``mock`` extra: ``pip install yunxiao-emas[mock]``.

::

    from yunxiao_emas.testing import EmulatedService

    service = EmulatedService(access_keys={"AKID": "secret"})
    md5 = service.add_artifact("my-org", 1111, 1, "job-1", b"apk bytes", service_connection_id=122)
    with service.serve() as base_url:
        ...  # point the client at base_url, signing with AKID / secret
        ...  # or with service.default_token (DEFAULT_TOKEN), for the token API

The runs, their stages and jobs, and the service connections are state too
(:meth:`EmulatedService.add_run`, :meth:`~EmulatedService.add_service_connection`; an artifact's
run reports it as an EMAS job), so the operations that find the ids answer in both APIs:
GetPipelineRun, ListPipelineRuns, ListServiceConnections and the token API's
GetLatestPipelineRun, also at the token API's region-edition paths.

In-process, without a socket: ``httpx.AsyncClient(transport=httpx.ASGITransport(
service.asgi_app), base_url="http://emulator")``. In pytest, the ``yunxiao_emulator`` fixture
(installed with the package) gives a served emulator per test.

The emulator follows openapi.yaml: every answer of either API has a declared status and body.
Fault injection (:meth:`EmulatedService.fail_next`, :meth:`~EmulatedService.drop_next`,
:attr:`~EmulatedService.latency`, :meth:`~EmulatedService.drop_download_after`,
:meth:`~EmulatedService.corrupt_next_download`, :meth:`~EmulatedService.expire_urls`) and the
record of calls (:attr:`EmulatedService.calls`) serve tests of retries and resilience. The same
from any language: ``yunxiao-emas emulator --config FILE --port 0`` (a YAML or JSON file read by
:meth:`EmulatedService.from_config`) prints where it listens as JSON on its first line, and its
control API under ``/_emulator/`` resets it, adds artifacts, injects faults and lists the calls.

The names below are imported on first use: pytest imports this package for the plugin
(``yunxiao_emas.testing.pytest_plugin``) in every project that installed ``yunxiao-emas``, and
that must work without the ``mock`` extra.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._lazy import lazy_names

if TYPE_CHECKING:
    from ._config import EmulatorConfigError
    from ._control import CONTROL_PREFIX
    from ._exchange import Call, ConnectionDropped
    from ._file_host import DOWNLOAD_PREFIX
    from ._server import RunningEmulator, serve
    from ._service import (
        DEFAULT_ACCESS_KEY_ID,
        DEFAULT_ACCESS_KEY_SECRET,
        DEFAULT_TOKEN,
        EmulatedService,
    )

__all__ = [
    "CONTROL_PREFIX",
    "DEFAULT_ACCESS_KEY_ID",
    "DEFAULT_ACCESS_KEY_SECRET",
    "DEFAULT_TOKEN",
    "DOWNLOAD_PREFIX",
    "Call",
    "ConnectionDropped",
    "EmulatedService",
    "EmulatorConfigError",
    "RunningEmulator",
    "serve",
]

_HOMES = {
    "CONTROL_PREFIX": "._control",
    "EmulatorConfigError": "._config",
    "DEFAULT_ACCESS_KEY_ID": "._service",
    "DEFAULT_ACCESS_KEY_SECRET": "._service",
    "DEFAULT_TOKEN": "._service",
    "DOWNLOAD_PREFIX": "._file_host",
    "Call": "._exchange",
    "ConnectionDropped": "._exchange",
    "EmulatedService": "._service",
    "RunningEmulator": "._server",
    "serve": "._server",
}


__getattr__, __dir__ = lazy_names(__name__, _HOMES, __all__)
