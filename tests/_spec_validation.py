"""Check an answer of either API (an ``httpx.Response``) against openapi.yaml.

The answer is routed to its operation by the path of its request, then checked by
``yunxiao_emas.cli.spec.response_problems``: the status must be declared for the operation, the
media type declared for that status, the body valid against its schema and every declared
response header that is present valid against its schema. Download URLs are not part of the
contract (they are the file host's), so they are not checked here.

The routing is written here again on purpose, from the paths of openapi.yaml, rather than
taken from the emulator: a test that shared the emulator's routes could not catch a wrong one.

Tests import it after their conftest has put this folder on ``sys.path``.
"""

from __future__ import annotations

from typing import Any

import httpx
from yunxiao_emas.cli.spec import SpecOperation, operations, response_problems

__all__ = ["ContractCheck", "assert_conforms", "conformance_errors", "operation_of"]

DOWNLOAD_PREFIX = "/emas-artifacts/"


def _literal_prefix(template: str, path: str) -> tuple[bool, int]:
    """Whether ``path`` fits ``template`` segment for segment, and how many leading segments
    agree (placeholders agree with anything)."""
    expected, actual = template.split("/"), path.split("/")
    shared = 0
    for want, got in zip(expected, actual, strict=False):
        if want != got and not want.startswith("{"):
            break
        shared += 1
    return shared == len(expected) == len(actual), shared


def operation_of(path: str) -> SpecOperation | None:
    """The operation whose API answers a request to ``path`` (still percent-encoded), or None
    for a download.

    The operation whose template (its path, or its ``x-region-edition-path``) the path fits,
    the one with more literal segments when several do (``runs/latestPipelineRun`` is not a run
    id); else the one sharing the longest literal beginning (a wrong path under ``/oapi/`` is
    the token API's to refuse); on a tie the first of openapi.yaml, the signed API, whose
    gateway answers every other path.
    """
    if path.startswith(DOWNLOAD_PREFIX):
        return None
    best: tuple[int, SpecOperation] | None = None
    fitting: tuple[int, SpecOperation] | None = None
    for operation in operations().values():
        region = operation.extensions.get("x-region-edition-path")
        for template in (operation.path, *([region] if isinstance(region, str) else [])):
            fits, shared = _literal_prefix(template, path)
            literals = sum(not part.startswith("{") for part in template.split("/"))
            if fits and (fitting is None or literals > fitting[0]):
                fitting = (literals, operation)
            if best is None or shared > best[0]:
                best = (shared, operation)
    if fitting is not None:
        return fitting[1]
    assert best is not None
    return best[1]


def conformance_errors(response: httpx.Response, operation_id: str | None = None) -> list[str]:
    """What in ``response`` breaks the contract (empty if nothing does).

    ``operation_id`` defaults to the operation the response's request was sent to.
    """
    if operation_id is None:
        operation = operation_of(response.request.url.raw_path.split(b"?")[0].decode("ascii"))
        if operation is None:
            return []
        operation_id = operation.operation_id
    return response_problems(operation_id, response.status_code, response.headers, response.content)


def assert_conforms(response: httpx.Response) -> None:
    """Fail (AssertionError) when ``response`` breaks the contract."""
    errors = conformance_errors(response)
    assert not errors, f"{response.status_code} {response.text!r} breaks openapi.yaml: {errors}"


class ContractCheck:
    """ASGI middleware: checks every complete answer that the wrapped app gives to a path of
    either API (``/organization/...``, ``/oapi/...``) against openapi.yaml, and keeps what
    breaks it in ``violations``. Answers cut on purpose (fault injection) are not complete and
    not checked; download routes are the file host's, not the contract's."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.checked = 0
        self.violations: list[str] = []

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        raw_path = bytes(scope.get("raw_path") or scope["path"].encode()).split(b"?")[0]
        path = raw_path.decode("latin-1")
        operation = operation_of(path)
        # Only paths under an operation's first segment (/organization/..., /oapi/...): other
        # paths are no API's, whatever the app behind answers there.
        if operation is None or _literal_prefix(operation.path, path)[1] < 2:
            await self.app(scope, receive, send)
            return
        start: dict[str, Any] = {}
        body: list[bytes] = []

        async def capture(message: Any) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
            elif message["type"] == "http.response.body":
                body.append(message.get("body", b""))
            await send(message)

        await self.app(scope, receive, capture)
        headers = httpx.Headers(
            [(k.decode("latin-1"), v.decode("latin-1")) for k, v in start["headers"]]
        )
        problems = response_problems(
            operation.operation_id, start["status"], headers, b"".join(body)
        )
        self.checked += 1
        self.violations += [f"{scope['method']} {scope['path']}: {p}" for p in problems]
