"""A request to the emulator and its answer, as data: what :mod:`._app` converts from and to ASGI.

Nothing here knows an HTTP framework, a rule or an operation, so every other module of the
emulator can use these types without importing another.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import NamedTuple

import httpx

__all__ = [
    "SIGNATURE_CHECK_FIELD",
    "ApiAnswer",
    "ApiRequest",
    "Call",
    "ConnectionDropped",
    "Context",
    "DownloadAnswer",
    "new_request_id",
]

JSON = "application/json"
SIGNATURE_CHECK_FIELD = "EmulatorSignatureCheck"
"""The key of the emulator's explanation in a ``SignatureDoesNotMatch`` body. The emulator
only: the real gateway's answer carries its string to sign in ``Message`` and nothing more."""


class ConnectionDropped(httpx.RemoteProtocolError):
    """Raised inside the ASGI app to cut the connection in the middle of an answer.

    uvicorn closes the socket when an app raises after the response has started, so a client
    over HTTP sees a truncated answer. In-process transports (``httpx.ASGITransport``) hand the
    exception to the client instead; deriving from :class:`httpx.RemoteProtocolError` makes that
    the same transport error a client sees over a real socket.
    """


# A NamedTuple rather than a dataclass: tests compare calls with tuples and unpack them.
class Call(NamedTuple):
    """One request the emulator answered, for tests that count attempts.

    ``path`` is the path as sent (still percent-encoded, without the query). ``status`` is
    ``None`` when the emulator cut the connection before the answer was complete (see
    :meth:`EmulatedService.drop_next` and :meth:`EmulatedService.drop_download_after`);
    ``code`` is the error code of the answer (``None`` on success). ``operation`` is the
    ``operationId`` the request was routed to (``GetPipelineEmasArtifactUrl`` or
    ``GetEmasArtifactDownloadUrl``), ``None`` for downloads and for requests no operation
    matched; it comes last, with a default, so ``Call(method, path, status, code)`` still builds.
    ``signature_check`` is, for a ``SignatureDoesNotMatch``, what the emulator signed: its
    ``canonicalRequest``, ``stringToSign`` and ``signedHeaders`` (see
    :data:`SIGNATURE_CHECK_FIELD`); ``None`` for every other call.
    """

    method: str
    path: str
    status: int | None
    code: str | None
    operation: str | None = None
    signature_check: Mapping[str, str] | None = None


@dataclass(frozen=True)
class ApiRequest:
    """An API request as data. ``headers`` has lower-case names."""

    method: str
    raw_path: str
    query_string: str
    headers: Mapping[str, str]
    body: bytes
    scheme: str
    host: str


@dataclass(frozen=True)
class ApiAnswer:
    """What to send back for an API request; ``drop`` means: cut the connection instead.

    ``body`` is sent as JSON when ``content_type`` is a JSON type (an object for the signed
    API's answers, a string for the token API's URL), and as UTF-8 text otherwise.
    ``signature_check`` is what :attr:`Call.signature_check` records.
    """

    status: int
    body: object
    headers: dict[str, str]
    code: str | None
    drop: bool = False
    content_type: str = f"{JSON};charset=utf-8"
    signature_check: Mapping[str, str] | None = None

    def payload(self) -> bytes:
        """The body as it goes on the wire."""
        if self.content_type.split(";", 1)[0].strip().endswith("json"):
            return json.dumps(self.body, ensure_ascii=False).encode("utf-8")
        return str(self.body).encode("utf-8")


@dataclass(frozen=True)
class DownloadAnswer:
    """What to send back for a download: ``body`` is a view on the stored bytes, not a copy.

    ``drop_after`` cuts the connection after that many body bytes; ``corrupt`` flips the first
    byte sent.
    """

    status: int
    headers: dict[str, str]
    body: bytes | memoryview
    drop_after: int | None = None
    corrupt: bool = False


def new_request_id() -> str:
    """A request id in the form Alibaba Cloud uses: an upper-case UUID."""
    return str(uuid.uuid4()).upper()


@dataclass(frozen=True)
class Context:
    """What every answer to one request shares: its ids, the host it was sent to, its date."""

    request_id: str
    trace_id: str
    host: str
    date: str

    @classmethod
    def new(cls, host: str, date: str) -> Context:
        """A fresh request id and trace id for a request sent to ``host`` at ``date``."""
        # A trace id of the length and alphabet real answers show (30 lower-case hex digits).
        return cls(new_request_id(), uuid.uuid4().hex[:30], host, date)
