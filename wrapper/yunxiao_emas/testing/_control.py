"""The control API: drive the emulator over HTTP from a test suite in any language, as moto's
``/moto-api/`` drives moto.

Under the reserved prefix ``/_emulator/``, never signed, JSON in and out:

=========================  ==================================================================
``GET  /_emulator/``        what is here
``POST /_emulator/reset``   back to the baseline (:meth:`EmulatedService.reset`)
``POST /_emulator/artifacts``  ``add_artifact``'s arguments as keys, the bytes as
                            ``content_base64`` or ``size``; answers the artifact, ``md5`` first
``GET  /_emulator/artifacts``  ``{"artifacts": [...]}``
``POST /_emulator/runs``    ``add_run``'s arguments as keys (``stages`` in the API's shape)
``GET  /_emulator/runs``    ``{"runs": [...]}``, each as the token API's GetPipelineRun shows it
``POST /_emulator/service-connections``  ``add_service_connection``'s arguments as keys
``GET  /_emulator/service-connections``  ``{"service_connections": [...]}``
``POST /_emulator/faults``  ``{"fault": "fail_next", "count": 1, "code": "ServiceUnavailable"}``:
                            a fault method of :class:`EmulatedService` and its arguments
``GET  /_emulator/calls``   ``{"calls": [{"method", "path", "status", "code", "operation",
                            "signature_check"}]}`` (``signature_check``: what the emulator
                            signed, on a ``SignatureDoesNotMatch``; else null)
``GET  /_emulator/token-answer``  ``{"content_type": "application/json"}``: the form of the
                            token API's URL (``text/plain`` for every request, or JSON unless
                            the request's ``Accept`` prefers text)
``POST /_emulator/token-answer``  ``{"content_type": "text/plain"}`` switches it
=========================  ==================================================================

Bad input answers 400 ``{"error": "bad_request", "message": ...}``; an unknown path 404, a wrong
method 405, a body over :data:`MAX_BODY` 413, each with the same body shape. Requests to the
control API are not recorded in :attr:`EmulatedService.calls`. Whether it is served at all is
decided when the app is built (:attr:`EmulatedService.control_api`).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import anyio.to_thread

from ._config import EmulatorConfigError, artifact_spec
from ._guard import send_json
from ._run_config import connection_arguments, run_arguments
from ._settings import FAULTS

if TYPE_CHECKING:
    from ._service import EmulatedService

__all__ = ["CONTROL_PREFIX", "FAULTS", "MAX_BODY", "ControlEndpoint", "answer"]

CONTROL_PREFIX = "/_emulator/"
MAX_BODY = 128 * 1024 * 1024
"""The largest control request body (an artifact as base64); ``size`` generates larger ones."""


class ControlError(Exception):
    """A control request that cannot be served: its status and message."""

    def __init__(self, status: int, error: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.error = error
        self.message = message


def _bad(message: str) -> ControlError:
    return ControlError(400, "bad_request", message)


def _kind(value: object) -> str:
    return "null" if value is None else type(value).__name__


def _object(body: bytes, *, optional: bool = False) -> dict[str, Any]:
    if not body.strip() and optional:
        return {}
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):
        raise _bad("the body must be a JSON object") from None
    if not isinstance(data, dict):
        raise _bad(f"the body must be a JSON object, got {_kind(data)}")
    return data


def _fault(service: EmulatedService, body: bytes) -> dict[str, Any]:
    data = _object(body)
    name = data.pop("fault", None)
    if not isinstance(name, str) or name not in FAULTS:
        raise _bad(f'"fault" must be one of {", ".join(FAULTS)}, got {name!r}')
    rule = FAULTS[name]
    arguments = {key: value for key, value in data.items() if value is not None}
    unknown = sorted(set(arguments) - set(rule.keys))
    if unknown:
        known = ", ".join(rule.keys) or "none"
        raise _bad(f"{name}: unknown key(s) {', '.join(unknown)} (known: {known})")
    missing = [key for key in rule.required if key not in arguments]
    if missing:
        raise _bad(f"{name}: missing {', '.join(missing)}")
    try:
        for key, value in arguments.items():
            rule.keys[key].check(value, key)
        if name == "latency":
            service.latency = arguments["seconds"]
        else:
            method: Callable[..., object] = getattr(service, name)
            method(**arguments)
    except LookupError as exc:
        raise _bad(f"{name}: not found: {exc}") from None
    except (ValueError, TypeError) as exc:
        raise _bad(f"{name}: {exc}") from None
    return {"applied": name}


def _add_artifact(service: EmulatedService, body: bytes) -> dict[str, Any]:
    try:
        spec = artifact_spec(_object(body), "the artifact")
        md5 = spec.add_to(service)
    except EmulatorConfigError as exc:
        raise _bad(str(exc)) from None
    except (ValueError, TypeError) as exc:
        raise _bad(f"the artifact: {exc}") from None
    return {
        "md5": md5,
        "organization_id": spec.organization_id,
        "pipeline_id": spec.pipeline_id,
        "pipeline_run_id": spec.pipeline_run_id,
        "emas_job_instance_id": spec.emas_job_instance_id,
        "service_connection_id": spec.service_connection_id,
        "filename": spec.filename,
        "size": len(spec.content),
    }


def _shaped(
    reader: Callable[[object, str], dict[str, Any]], body: bytes, where: str
) -> dict[str, Any]:
    try:
        return reader(_object(body), where)
    except ValueError as exc:
        raise _bad(str(exc)) from None


def _applied(where: str, method: Callable[..., object], arguments: dict[str, Any]) -> None:
    try:
        method(**arguments)
    except (ValueError, TypeError) as exc:
        raise _bad(f"{where}: {exc}") from None


def _add_run(service: EmulatedService, body: bytes) -> dict[str, Any]:
    arguments = _shaped(run_arguments, body, "the run")
    _applied("the run", service.add_run, arguments)
    return {key: arguments[key] for key in ("organization_id", "pipeline_id", "pipeline_run_id")}


def _add_connection(service: EmulatedService, body: bytes) -> dict[str, Any]:
    arguments = _shaped(connection_arguments, body, "the service connection")
    _applied("the service connection", service.add_service_connection, arguments)
    return {key: arguments[key] for key in ("organization_id", "id")}


def _reset(service: EmulatedService, body: bytes) -> dict[str, Any]:
    _object(body, optional=True)
    service.reset()
    return {"reset": True}


_TOKEN_ANSWER_TYPES = ("application/json", "text/plain")


def _token_answer(service: EmulatedService, body: bytes) -> dict[str, Any]:
    """Sets (POST) the token API's default answer form; both methods answer the current one."""
    if body.strip():
        data = _object(body)
        content_type = data.get("content_type")
        if set(data) != {"content_type"} or content_type not in _TOKEN_ANSWER_TYPES:
            raise _bad(
                f'the body must be {{"content_type": one of {", ".join(_TOKEN_ANSWER_TYPES)}}}, '
                f"got {json.dumps(data)[:200]}"
            )
        service.token_answers_as_text = content_type == "text/plain"
    return {"content_type": "text/plain" if service.token_answers_as_text else "application/json"}


_Action = Callable[["EmulatedService", bytes], dict[str, Any]]

ROUTES: dict[str, dict[str, _Action]] = {
    "": {"GET": lambda service, body: _index()},
    "reset": {"POST": _reset},
    "artifacts": {
        "POST": _add_artifact,
        "GET": lambda service, body: {"artifacts": service.artifacts()},
    },
    "runs": {
        "POST": _add_run,
        "GET": lambda service, body: {"runs": service.runs()},
    },
    "service-connections": {
        "POST": _add_connection,
        "GET": lambda service, body: {"service_connections": service.service_connections()},
    },
    "faults": {"POST": _fault},
    "calls": {
        "GET": lambda service, body: {
            "calls": [call._asdict() for call in service.calls],
            "dropped": service.calls.dropped,
        }
    },
    "token-answer": {
        "GET": lambda service, body: _token_answer(service, b""),
        "POST": _token_answer,
    },
}


def _index() -> dict[str, Any]:
    return {
        "endpoints": [
            f"{method} {CONTROL_PREFIX}{name}"
            for name, methods in ROUTES.items()
            for method in methods
        ],
        "faults": {name: list(rule.keys) for name, rule in FAULTS.items()},
    }


def answer(service: EmulatedService, method: str, path: str, body: bytes) -> tuple[int, object]:
    """The status and JSON body of a control request to ``path`` (under the prefix)."""
    name = path[len(CONTROL_PREFIX) :].strip("/") if path.startswith(CONTROL_PREFIX) else ""
    try:
        methods = ROUTES.get(name)
        if methods is None:
            raise ControlError(
                404, "not_found", f"no control endpoint {path} (GET {CONTROL_PREFIX} lists them)"
            )
        action = methods.get(method)
        if action is None:
            raise ControlError(
                405, "method_not_allowed", f"{path} takes {', '.join(methods)}, not {method}"
            )
        return 200, action(service, body)
    except ControlError as exc:
        return exc.status, {"error": exc.error, "message": exc.message}


class ControlEndpoint:
    """The control API as a plain ASGI app (mounted by :mod:`._app` under the prefix)."""

    def __init__(self, service: EmulatedService) -> None:
        self._service = service

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        body = bytearray()
        too_large = False
        while True:
            message = await receive()
            if message["type"] != "http.request":
                return  # the client went away
            body += message.get("body", b"")
            if len(body) > MAX_BODY:
                too_large = True
                break
            if not message.get("more_body", False):
                break
        status: int
        payload: object
        if too_large:
            status, payload = (
                413,
                {
                    "error": "too_large",
                    "message": f"the body is over {MAX_BODY // (1024 * 1024)} MiB; give the "
                    "artifact's size instead of its bytes",
                },
            )
        else:
            method, path = str(scope["method"]), str(scope["path"])
            # A generated artifact of a GiB takes seconds: not on the event loop.
            status, payload = await anyio.to_thread.run_sync(
                answer, self._service, method, path, bytes(body)
            )
        await send_json(send, status, payload)
