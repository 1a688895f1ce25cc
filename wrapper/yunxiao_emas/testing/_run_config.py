"""Runs and service connections read from data: the ``runs`` and ``service_connections`` keys of
``--config``, and the bodies of the control API's ``POST /_emulator/runs`` and
``POST /_emulator/service-connections``.

The keys are the arguments of :meth:`EmulatedService.add_run` and
:meth:`EmulatedService.add_service_connection`::

    runs:
      - {organization_id: my-org, pipeline_id: 1111, pipeline_run_id: 2, status: RUNNING}
      - organization_id: my-org
        pipeline_id: 1111
        pipeline_run_id: 3
        status: SUCCESS
        finishes_after_polls: 2
        stages: [{name: Build, stageInfo: {jobs: [{name: EMAS build, params: {...}}]}}]
    service_connections:
      - {organization_id: my-org, id: 122, type: emas, name: EMAS}

Here only the shape is checked (a mapping, its keys, the ids' types); the values themselves are
checked by the methods, whose ``ValueError`` names the key at fault.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["CONNECTION_KEYS", "RUN_KEYS", "connection_arguments", "run_arguments"]

RUN_KEYS = (
    "organization_id",
    "pipeline_id",
    "pipeline_run_id",
    "status",
    "stages",
    "trigger_mode",
    "start_time",
    "end_time",
    "finishes_after_polls",
)
CONNECTION_KEYS = ("organization_id", "id", "type", "name")


def _kind(value: object) -> str:
    return "null" if value is None else type(value).__name__


def _arguments(
    data: object, where: str, known: tuple[str, ...], ids: dict[str, type]
) -> dict[str, Any]:
    if not isinstance(data, Mapping) or not all(isinstance(key, str) for key in data):
        raise ValueError(f"{where} must be a mapping with text keys, got {_kind(data)}")
    unknown = sorted(set(data) - set(known))
    if unknown:
        raise ValueError(
            f"{where}: unknown key(s) {', '.join(unknown)} (known: {', '.join(known)})"
        )
    missing = [key for key in ids if data.get(key) is None]
    if missing:
        raise ValueError(f"{where}: missing {', '.join(missing)}")
    for key, wanted in ids.items():
        value = data[key]
        if isinstance(value, bool) or not isinstance(value, wanted):
            name = "an integer" if wanted is int else "a string"
            raise ValueError(f"{where}.{key} must be {name}, got {_kind(value)}")
    return {key: value for key, value in data.items() if value is not None}


def run_arguments(data: object, where: str = "the run") -> dict[str, Any]:
    """The keyword arguments of :meth:`EmulatedService.add_run` in ``data`` (``ValueError``
    naming ``where`` when its shape is wrong)."""
    return _arguments(
        data,
        where,
        RUN_KEYS,
        {"organization_id": str, "pipeline_id": int, "pipeline_run_id": int},
    )


def connection_arguments(data: object, where: str = "the service connection") -> dict[str, Any]:
    """The keyword arguments of :meth:`EmulatedService.add_service_connection` in ``data``."""
    return _arguments(data, where, CONNECTION_KEYS, {"organization_id": str, "id": int})
