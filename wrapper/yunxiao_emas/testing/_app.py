"""The emulator as a Starlette application: ASGI in, :mod:`._service` rules, ASGI out.

One route, the pre-signed download URLs (``GET``/``HEAD /emas-artifacts/<token>/<file>``),
and when asked for, the control API under ``/_emulator/`` (:mod:`._control`); everything else
goes to the API: to one of the operations of openapi.yaml, or to the
``InvalidAction.NotFound`` of the API the path belongs to. The endpoints are plain ASGI
callables rather than request/response functions, because cutting a connection half-way
through an answer has to happen between ASGI messages.
"""

from __future__ import annotations

import ipaddress
import time
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlsplit

import anyio
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ._control import CONTROL_PREFIX, ControlEndpoint
from ._exchange import ApiAnswer, ApiRequest, ConnectionDropped
from ._file_host import DOWNLOAD_PREFIX, iter_chunks
from ._guard import ControlGuard

if TYPE_CHECKING:
    from starlette.types import Receive, Scope, Send

    from ._service import EmulatedService

__all__ = ["build_app"]

# The API takes no body; anything much larger is not a request of this operation.
_MAX_BODY = 1024 * 1024


def _raw_path(scope: Scope) -> str:
    raw = scope.get("raw_path")
    if raw:
        # Some servers leave the query in raw_path; the signature covers the path alone.
        return bytes(raw).split(b"?", 1)[0].decode("latin-1")
    return quote(str(scope["path"]), safe="/")


def _headers(scope: Scope) -> dict[str, str]:
    headers: dict[str, str] = {}
    for name, value in scope["headers"]:
        key = bytes(name).decode("latin-1").lower()
        text = bytes(value).decode("latin-1")
        headers[key] = f"{headers[key]},{text}" if key in headers else text
    return headers


def _host(scope: Scope, headers: dict[str, str]) -> str:
    """Where the emulator is reached, for the download URLs it hands out: the address it
    serves on. ``Host`` is the client's word (unsigned in the token API): it is taken only
    when it names this machine or the address served on (any port: a mapped port, such as
    docker's ``-p 8080:41233``, is reached by its Host), never another name
    (``Host: evil.example`` would point the downloads there)."""
    server = scope.get("server")
    served = None
    if server:
        address, port = server
        address = str(address)
        served = f"[{address}]" if ":" in address else address
        served = f"{served}:{port}" if port else served
    sent = headers.get("host")
    if sent is not None:
        try:
            name = (urlsplit(f"//{sent}").hostname or "").lower()
        except ValueError:
            name = ""
        if name and (_loopback(name) or (server and name == str(server[0]).lower())):
            return sent
    return served or "localhost"


def _loopback(name: str) -> bool:
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def _encode_headers(headers: dict[str, str]) -> list[tuple[bytes, bytes]]:
    return [(name.encode("latin-1"), value.encode("latin-1")) for name, value in headers.items()]


class _ApiEndpoint:
    def __init__(self, service: EmulatedService) -> None:
        self._service = service

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        body = b""
        async for chunk in request.stream():
            body += chunk
            if len(body) > _MAX_BODY:
                break
        if self._service.latency > 0:
            await anyio.sleep(self._service.latency)
        headers = _headers(scope)
        answer = self._service.handle_api(
            ApiRequest(
                method=str(scope["method"]),
                raw_path=_raw_path(scope),
                query_string=bytes(scope.get("query_string", b"")).decode("latin-1"),
                headers=headers,
                body=body,
                scheme=str(scope.get("scheme", "http")),
                host=_host(scope, headers),
            )
        )
        await _send_answer(answer, send)


async def _send_answer(answer: ApiAnswer, send: Send) -> None:
    payload = answer.payload()
    response_headers = {
        "content-type": answer.content_type,
        # A dropped answer promises more than it sends: the client sees a truncated body.
        "content-length": str(len(payload) + (64 if answer.drop else 0)),
        **answer.headers,
    }
    await send(
        {
            "type": "http.response.start",
            "status": answer.status,
            "headers": _encode_headers(response_headers),
        }
    )
    if answer.drop:
        await send({"type": "http.response.body", "body": payload, "more_body": True})
        raise ConnectionDropped("the emulator dropped the connection (drop_next)")
    await send({"type": "http.response.body", "body": payload})


def _paced_chunk(bandwidth: float | None) -> int:
    # Smaller chunks under a cap, so that the pace is smooth (about 100 sends a second).
    if bandwidth is None:
        return 256 * 1024
    return max(16 * 1024, min(256 * 1024, int(bandwidth / 100)))


class _DownloadEndpoint:
    def __init__(self, service: EmulatedService) -> None:
        self._service = service

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        method = str(scope["method"])
        params: dict[str, Any] = scope.get("path_params", {})
        headers = _headers(scope)
        answer = self._service.handle_download(
            method=method,
            raw_path=_raw_path(scope),
            token=str(params["token"]),
            filename=str(params["filename"]),
            query_string=bytes(scope.get("query_string", b"")).decode("latin-1"),
            headers=headers,
            host=_host(scope, headers),
        )
        await send(
            {
                "type": "http.response.start",
                "status": answer.status,
                "headers": _encode_headers(answer.headers),
            }
        )
        if method == "HEAD":
            await send({"type": "http.response.body", "body": b""})
            return
        sent = 0
        # The per-connection cap: each chunk goes out no sooner than the cap allows.
        bandwidth = self._service.download_bandwidth
        started = time.monotonic()
        for chunk in iter_chunks(answer.body, _paced_chunk(bandwidth)):
            if bandwidth is not None:
                ahead = started + sent / bandwidth - time.monotonic()
                if ahead > 0:
                    await anyio.sleep(ahead)
            if answer.corrupt and sent == 0:
                chunk = bytes([chunk[0] ^ 0xFF]) + chunk[1:]
            if answer.drop_after is not None and sent + len(chunk) >= answer.drop_after:
                await send(
                    {
                        "type": "http.response.body",
                        "body": chunk[: answer.drop_after - sent],
                        "more_body": True,
                    }
                )
                raise ConnectionDropped(
                    f"the emulator dropped the download after {answer.drop_after} bytes"
                )
            await send({"type": "http.response.body", "body": chunk, "more_body": True})
            sent += len(chunk)
        await send({"type": "http.response.body", "body": b""})


def _internal_error(service: EmulatedService) -> Any:
    async def answer(request: Request, exc: Exception) -> Response:
        # A bug in the emulator still answers in the contract's shape (and the test sees the
        # 500), in the body of the API the path belongs to.
        failure = service.failure_answer(
            _raw_path(request.scope), request.headers.get("host", ""), exc
        )
        return Response(
            failure.payload(),
            status_code=failure.status,
            headers=failure.headers,
            media_type=failure.content_type,
        )

    return answer


def build_app(service: EmulatedService, *, control: bool = True) -> Starlette:
    """The Starlette application serving ``service``, with the control API when ``control``
    (without it, ``/_emulator/`` paths are the API's and answer ``InvalidAction.NotFound``)."""
    routes = [
        Route(
            f"{DOWNLOAD_PREFIX}{{token}}/{{filename}}",
            _DownloadEndpoint(service),
            methods=["GET", "HEAD"],
        ),
    ]
    if control:
        guarded = ControlGuard(ControlEndpoint(service))  # no browser page may drive it
        routes.append(Route(f"{CONTROL_PREFIX}{{rest:path}}", guarded))
    app = Starlette(routes=routes, exception_handlers={Exception: _internal_error(service)})
    # Every other path is the API's business (the gateway answers InvalidAction.NotFound), and a
    # route pattern would not do: Starlette's patterns do not match decoded paths that contain
    # a newline, which a path parameter may. No slash redirects either: the API has no 3xx.
    app.router.default = _ApiEndpoint(service)
    app.router.redirect_slashes = False
    return app
