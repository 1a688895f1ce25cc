"""What keeps a web browser away from the control API, as local development servers guard
themselves: a page a developer opens must not replace the emulator's artifacts, inject faults
or read its calls.

Three rules, checked before the body is read:

- ``Origin``, when a request has one (every browser sends it on a POST, and on any request
  a page makes through ``fetch`` across origins), must be the emulator's own origin. Test
  suites and shells send none.
- ``Host``, on a connection to a loopback address, must name loopback or the address served
  on: a page on ``evil.example`` that DNS rebinding points at 127.0.0.1 sends
  ``Host: evil.example``.
- A POST with a body must say ``Content-Type: application/json``: a browser sends JSON across
  origins only after a CORS preflight the emulator never grants, while ``text/plain`` and
  form bodies it sends without asking. (A POST with no body and no content type, such as
  ``curl -X POST .../reset``, carries nothing a form could forge; a browser's has an Origin.)
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlsplit

from .._urls import is_loopback

__all__ = ["ControlGuard", "refusal", "send_json"]


def _header(scope: Any, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if bytes(key).lower() == name:
            return bytes(value).decode("latin-1")
    return None


def _host_name(netloc: str) -> str:
    try:
        return (urlsplit(f"//{netloc}").hostname or "").lower()
    except ValueError:
        return ""


def _served_on(scope: Any) -> str | None:
    server = scope.get("server")
    return str(server[0]).lower().strip("[]") if server else None


def _host_allowed(name: str, scope: Any) -> bool:
    return bool(name) and (is_loopback(name) or name == _served_on(scope))


def refusal(scope: Any) -> tuple[int, str, str] | None:
    """Why the control request of ``scope`` is refused (status, error, message), or None."""
    host = _header(scope, b"host")
    origin = _header(scope, b"origin")
    if origin is not None:
        parts = urlsplit(origin) if origin != "null" else None
        if parts is None or host is None or parts.netloc.lower() != host.lower():
            return (
                403,
                "forbidden",
                "a request from a web page of another origin (Origin header) may not use the "
                "control API",
            )
    served_on = _served_on(scope)
    on_loopback = served_on is not None and is_loopback(served_on)
    if on_loopback and (host is None or not _host_allowed(_host_name(host), scope)):
        return (
            403,
            "forbidden",
            "the Host header must name the address the emulator serves on (localhost, "
            "127.0.0.1 or [::1]): the control API refuses other names (DNS rebinding)",
        )
    if str(scope.get("method", "")) == "POST":
        content_type = _header(scope, b"content-type")
        length = _header(scope, b"content-length")
        chunked = _header(scope, b"transfer-encoding") is not None
        no_body = content_type is None and not chunked and (length or "0").strip() == "0"
        media = (content_type or "").split(";", 1)[0].strip().lower()
        if not no_body and media != "application/json":
            return (
                415,
                "unsupported_media_type",
                "a POST to the control API must have Content-Type: application/json",
            )
    return None


class ControlGuard:
    """The control API's ASGI app behind :func:`refusal`."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        refused = refusal(scope) if scope.get("type") == "http" else None
        if refused is None:
            await self.app(scope, receive, send)
            return
        status, error, message = refused
        await send_json(send, status, {"error": error, "message": message})


async def send_json(send: Any, status: int, payload: object) -> None:
    """One JSON answer of the control API (never cached), its refusals included."""
    encoded = json.dumps(payload).encode("utf-8")
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(encoded)).encode("ascii")),
                (b"cache-control", b"no-store"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": encoded})
