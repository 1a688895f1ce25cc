"""An answer of either API becomes an :class:`ArtifactUrl` or one :class:`ApiError`.

Each operation has its answer parser here (:func:`signed_answer`, :func:`token_answer`); what
they share (the error fields of every body shape, the error's class, the URL's expiry) is
written once. The success body of the signed API is read by the generated model
(``ArtifactUrlResponse``); error bodies are read by :func:`error_fields`, which knows every
shape the services send (the service's, the gateway's in either key case, the token API's),
where the generated error models know one shape each and no wrong types.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

import httpx

from .._urls import is_loopback
from ..errors import ApiError, error_class_for
from .retry import retry_after_of

if TYPE_CHECKING:
    from ..models import ArtifactUrl

__all__ = [
    "MAX_ANSWER_BYTES",
    "AnswerBody",
    "error_fields",
    "signed_answer",
    "signed_body",
    "token_answer",
]

MAX_ANSWER_BYTES = 1024 * 1024
"""The most of an API answer's (decoded) body a client reads: its answers are a few hundred
bytes, and a body without end, or a gzip bomb, must not take the memory of the machine."""

URL_LIFETIME = dt.timedelta(hours=1)
_EXCERPT = 200
_EXPIRES = re.compile(r"[?&]Expires=(\d{1,12})(?:[&#]|$)")

_log = logging.getLogger("yunxiao_emas")

Clock = Callable[[], float]


def _text(value: object) -> str:
    """An id as text: strings as they are, integers as their digits (a numeric ``requestId``
    is kept), anything else empty."""
    if type(value) is str:
        return value
    if type(value) is int:
        return str(value)
    return ""


def _string(value: object) -> str:
    """A field that must be a string (a code, a message, a URL): anything else is empty."""
    return value if type(value) is str else ""


def _first(body: Mapping[str, Any], keys: tuple[str, ...], read: Callable[[object], str]) -> str:
    for key in keys:
        text = read(body.get(key))
        if text:
            return text
    return ""


# The error body shapes of each operation, as openapi.yaml's error schemas state them: the key
# of the code (a non-empty string) and the type of every property the shape declares. A body
# is a well-formed error answer when one shape fits it: its code is read from the first that
# does. A property test (tests/attack) pins that this agrees with the spec, body by body.
Shape = tuple[str, Mapping[str, type]]
_SERVICE: Shape = (
    "errorCode",
    {"requestId": str, "success": bool, "errorCode": str, "errorMessage": str},
)
_GATEWAY: Shape = (
    "Code",
    {"RequestId": str, "HostId": str, "Code": str, "Message": str, "Recommend": str},
)
_GATEWAY_LOWER_CASE: Shape = (
    "code",
    {"hostId": str, "code": str, "message": str, "recommend": str},
)
_TOKEN: Shape = (
    "errorCode",
    {
        "errorCode": str,
        "errorMessage": str,
        "requestId": str,
        "traceId": str,
        "httpStatus": str,
        "title": str,
        "hasDetailSolution": bool,
    },
)
ERROR_SHAPES: dict[str, tuple[Shape, ...]] = {
    "GetPipelineEmasArtifactUrl": (_SERVICE, _GATEWAY, _GATEWAY_LOWER_CASE),
    "GetEmasArtifactDownloadUrl": (_TOKEN,),
}
"""The error shapes of every operation, by ``operationId``."""


def _code(body: Mapping[str, Any], shapes: tuple[Shape, ...]) -> str:
    for key, types in shapes:
        code = body.get(key)
        if type(code) is not str or not code:
            continue
        if all(name not in body or type(body[name]) is kind for name, kind in types.items()):
            return code
    return ""


def error_fields(
    body: Mapping[str, Any], operation: str = "GetPipelineEmasArtifactUrl"
) -> dict[str, str | None]:
    """The error fields of a body of ``operation``'s shapes: the service's (``errorCode``), the
    gateway's (``Code``, or ``code`` in lower case), the token API's (``errorCode``,
    ``traceId``).

    The code comes from the first shape that fits the body (see :data:`ERROR_SHAPES`): a body
    is a well-formed error for openapi.yaml exactly when this finds a code in it. The other
    fields are read leniently (a numeric ``requestId`` is kept as text).
    """
    return {
        "code": _code(body, ERROR_SHAPES[operation]),
        "message": _first(body, ("errorMessage", "Message", "message"), _string),
        "request_id": _first(body, ("requestId", "RequestId", "requestid"), _text) or None,
        "recommend": _first(body, ("Recommend", "recommend"), _string) or None,
        "host_id": _first(body, ("HostId", "hostId"), _string) or None,
        "trace_id": _first(body, ("traceId", "TraceId"), _text) or None,
    }


def _header_request_id(response: httpx.Response) -> str | None:
    headers = response.headers
    value: str | None = headers.get("x-acs-request-id") or headers.get("x-request-id")
    return value


def api_error(
    response: httpx.Response,
    *,
    code: str,
    message: str,
    request_id: str | None = None,
    body: Mapping[str, Any] | None = None,
    recommend: str | None = None,
    host_id: str | None = None,
    trace_id: str | None = None,
    status_decides: bool = False,
) -> ApiError:
    """The exception for one error answer, its class chosen by code (and status)."""
    retry_after = retry_after_of(response) if response.status_code >= 400 else None
    cls = error_class_for(code, response.status_code, retry_after, status_decides=status_decides)
    return cls(
        code=code,
        message=message,
        request_id=request_id or _header_request_id(response),
        status_code=response.status_code,
        recommend=recommend,
        host_id=host_id,
        trace_id=trace_id or response.headers.get("x-acs-trace-id"),
        body=body,
        retry_after=retry_after,
        response=response,
    )


class AnswerBody:
    """The body of one API answer, decoded from its raw bytes as they arrive, at most
    :data:`MAX_ANSWER_BYTES` of it: an endless body, a huge one or a gzip bomb is cut off
    there (httpx would decompress each network chunk whole, however large it grows).

    The clients ask for no encoding; gzip and deflate are decoded all the same (with zlib's
    ``max_length``, a bounded piece at a time), any other is refused.
    """

    __slots__ = ("_decoder", "_response", "chunks", "size")

    def __init__(self, response: httpx.Response) -> None:
        self._response = response
        self.chunks: list[bytes] = []
        self.size = 0
        encoding = response.headers.get("content-encoding", "").strip().lower()
        self._decoder: Any = None
        if encoding in {"", "identity"}:
            return
        import zlib

        if encoding in {"gzip", "x-gzip"}:
            self._decoder = zlib.decompressobj(16 + zlib.MAX_WBITS)
        elif encoding == "deflate":
            self._decoder = zlib.decompressobj()
        else:
            raise self._refused(f"is encoded with {encoding!r}, which was not asked for")

    def _refused(self, why: str) -> ApiError:
        return api_error(self._response, code="", message=f"the answer's body {why}")

    def feed(self, raw: bytes) -> None:
        """Add raw bytes of the body; ApiError once it is larger than MAX_ANSWER_BYTES."""
        if self._decoder is None:
            self._add(raw)
            return
        import zlib

        try:
            while raw:
                self._add(self._decoder.decompress(raw, MAX_ANSWER_BYTES + 1 - self.size))
                raw = self._decoder.unconsumed_tail
        except zlib.error:
            raise self._refused("cannot be decoded") from None

    def read_already(self, content: bytes) -> None:
        """The body a transport read (and decoded) on its own (a mock transport, say)."""
        self._decoder = None
        self._add(content)

    def _add(self, data: bytes) -> None:
        if data:
            self.size += len(data)
            if self.size > MAX_ANSWER_BYTES:
                raise self._refused(
                    f"is larger than {MAX_ANSWER_BYTES // 1024} KiB, which no answer of this "
                    "API is; it was not read further"
                )
            self.chunks.append(data)

    def response(self) -> httpx.Response:
        """A response holding the decoded body, as ``read()`` would leave it, so that
        ``.content``, ``.text`` and ``.json()`` work on it and on an ``ApiError.response``: a
        new ``httpx.Response`` with the status, headers (but ``Content-Encoding``: the body is
        decoded), request and extensions of the one read."""
        if self._decoder is not None:
            import zlib

            try:
                self._add(self._decoder.flush())
            except zlib.error:
                raise self._refused("cannot be decoded") from None
        chunks = self.chunks
        read = self._response
        headers = read.headers.copy()
        headers.pop("content-encoding", None)
        return httpx.Response(
            read.status_code,
            headers=headers,
            content=chunks[0] if len(chunks) == 1 else b"".join(chunks),
            request=read.request,
            extensions=read.extensions,
        )


def _excerpt(content: bytes) -> str:
    excerpt = content[:_EXCERPT].decode("utf-8", "replace")
    return excerpt + "..." if len(content) > _EXCERPT else excerpt


def _json(content: bytes) -> object:
    try:
        return json.loads(content)
    except (ValueError, RecursionError):
        return _NOT_JSON


_NOT_JSON = object()


_CONTROL_OR_SPACE = re.compile(r"[\x00-\x20\x7f-\x9f]")


def file_url_problem(file_url: str, api_host: str | None = None) -> str | None:
    """Why no download may follow ``file_url`` (None when one may): only https, or plain http
    to loopback (the emulator), with a host, and no whitespace or control characters (CR/LF
    would split a request or a log line; an escape sequence would reach a terminal).

    A URL on this machine (loopback, http or https) only from an API on this machine
    (``api_host``, when given: the emulator): a remote API that hands one out points the
    download at whatever local service listens there."""
    if _CONTROL_OR_SPACE.search(file_url):
        return "it holds whitespace or control characters"
    scheme, sep, rest = file_url.partition("://")
    scheme = scheme.lower()
    if not sep or scheme not in {"https", "http"}:
        return "it is not an http(s) URL"
    authority = re.split(r"[/?#]", rest, maxsplit=1)[0]
    if not authority or authority.startswith(("@", ":")):
        return "it has no host"
    # The host as httpx reads it (after the last "@"; an IPv6 address in brackets), without
    # parsing the whole pre-signed URL, which was a tenth of a call's time. httpx's parse
    # still decides for plain http (its validity is the rule there) and for a host httpx
    # would transform beyond lower case (IDNA, percent escapes).
    host = authority.rpartition("@")[2]
    host = host[: host.find("]") + 1] if host.startswith("[") else host.partition(":")[0]
    if scheme == "http" or not host.isascii() or "%" in host:
        try:
            host = httpx.URL(file_url).host
        except (httpx.InvalidURL, ValueError):
            # An https URL httpx cannot parse fails as the download's error, as it always did.
            return "it is not a valid URL" if scheme == "http" else None
    if scheme == "http" and not is_loopback(host):
        return "it is plain http to a host that is not this machine"
    if api_host is not None and is_loopback(host) and not is_loopback(api_host):
        return "it points at this machine, which only an API on this machine may"
    return None


def expiry(file_url: str, wall_clock: Clock) -> dt.datetime:
    """The URL's ``Expires`` parameter, else the time of the answer plus one hour."""
    # A regex rather than httpx.URL: parsing a whole pre-signed URL was most of the cost of
    # mapping a success.
    match = _EXPIRES.search(file_url)
    if match:
        try:
            return dt.datetime.fromtimestamp(int(match.group(1)), dt.UTC)
        except (ValueError, OverflowError, OSError):
            pass
    return dt.datetime.fromtimestamp(wall_clock(), dt.UTC) + URL_LIFETIME


def _error_from_body(
    response: httpx.Response,
    body: object,
    *,
    status_decides: bool,
    fallback: str,
    operation: str = "GetPipelineEmasArtifactUrl",
) -> ApiError:
    if not isinstance(body, dict):
        shown = _excerpt(response.content)
        return api_error(
            response,
            code="",
            message=f"unexpected answer that is not a JSON object: {shown!r}",
            status_decides=status_decides,
        )
    fields = error_fields(body, operation)
    fields["message"] = fields["message"] or fallback
    return api_error(response, **fields, body=body, status_decides=status_decides)  # type: ignore[arg-type]


def _refuse_unusable(
    response: httpx.Response, file_url: str, request_id: str, *, status_decides: bool
) -> None:
    try:
        api_host: str | None = response.request.url.host
    except RuntimeError:  # a response built without its request (tests of the parser)
        api_host = None
    problem = file_url_problem(file_url, api_host)
    if problem is not None:
        # The URL itself is not quoted: it may be an escape sequence meant for a terminal.
        raise api_error(
            response,
            code="",
            message=f"the answer's download URL is not one a download may follow: {problem}",
            request_id=request_id,
            status_decides=status_decides,
        )


# --- GetPipelineEmasArtifactUrl (signed, 2021-06-25) ---------------------------------------


def signed_body(response: httpx.Response) -> dict[str, Any]:
    """The JSON object of a signed API answer whose ``success`` is true (``"true"`` counts, as
    the official SDK's models let it pass); else the ApiError it means, decided by code. Every
    operation of the signed API answers so (a 200 can carry ``success: false``)."""
    body = _json(response.content)
    if not (response.is_success and isinstance(body, dict)):
        raise _error_from_body(
            response,
            body,
            status_decides=False,
            fallback=f"unexpected answer (HTTP {response.status_code})",
        )
    success = body.get("success")
    if not (success is True or (type(success) is str and success.lower() == "true")):
        fallback = (
            "the answer reports success: false"
            if success is False
            else f"the answer's success is {success!r}, not true"
        )
        raise _error_from_body(response, body, status_decides=False, fallback=fallback)
    return body


def signed_answer(response: httpx.Response, wall_clock: Clock) -> ArtifactUrl:
    """The answer of GetPipelineEmasArtifactUrl: a JSON object, whose ``success`` must be true
    (a 200 can carry ``success: false`` and an ``errorCode``). Errors are decided by code.

    ``success: "true"`` (a string) counts as true, as the official SDK's models let it pass.
    """
    body = signed_body(response)
    from yunxiao_emas_api.models import ArtifactUrlResponse

    try:
        parsed = ArtifactUrlResponse.from_dict(body)
    except (KeyError, TypeError, ValueError, AttributeError):  # a field of the wrong type
        file_url, request_id = _string(body.get("fileUrl")), _text(body.get("requestId"))
    else:
        file_url, request_id = _string(parsed.file_url), _text(parsed.request_id)
    request_id = request_id or _header_request_id(response) or ""
    if not file_url:
        raise api_error(
            response,
            code="",
            message="the answer reports success but has no fileUrl",
            request_id=request_id,
            body=body,
        )
    _refuse_unusable(response, file_url, request_id, status_decides=False)
    _log.debug("GetPipelineEmasArtifactUrl ok, request id %s", request_id)
    from ..models import ArtifactUrl  # attrs, with the first answer rather than the package

    return ArtifactUrl(
        file_url=file_url, request_id=request_id, expires_at=expiry(file_url, wall_clock)
    )


# --- GetEmasArtifactDownloadUrl (personal access token) --------------------------------------


TOKEN_OPERATION = "GetEmasArtifactDownloadUrl"  # noqa: S105 (an operationId)


def token_answer(response: httpx.Response, wall_clock: Clock) -> ArtifactUrl:
    """The answer of the token API: the URL itself, JSON-quoted (with a JSON content type) or as
    plain text. Errors are real statuses with a JSON body; the status decides their class."""
    if response.is_success:
        file_url = _token_url(response)
        request_id = _header_request_id(response) or ""
        body = _json(response.content.removeprefix(b"\xef\xbb\xbf"))
        if (
            file_url is None
            and isinstance(body, dict)
            and error_fields(body, TOKEN_OPERATION)["code"]
        ):
            # An error in a 200 (a gateway or a proxy that does not set the status): its code
            # decides, and is kept.
            raise _error_from_body(
                response,
                body,
                status_decides=False,
                fallback="the answer is an error",
                operation=TOKEN_OPERATION,
            )
        if file_url is None:
            raise api_error(
                response,
                code="",
                message="unexpected answer: neither a JSON string nor a plain-text URL: "
                f"{_excerpt(response.content)!r}",
                request_id=request_id,
                status_decides=True,
            )
        _refuse_unusable(response, file_url, request_id, status_decides=True)
        _log.debug("GetEmasArtifactDownloadUrl ok, request id %s", request_id or None)
        from ..models import ArtifactUrl

        return ArtifactUrl(
            file_url=file_url, request_id=request_id, expires_at=expiry(file_url, wall_clock)
        )
    raise _error_from_body(
        response,
        _json(response.content),
        status_decides=True,
        fallback=f"unexpected answer (HTTP {response.status_code})",
        operation=TOKEN_OPERATION,
    )


def _media_type(response: httpx.Response) -> str:
    content_type: str = response.headers.get("content-type", "")
    return content_type.partition(";")[0].strip().lower()


def _token_url(response: httpx.Response) -> str | None:
    """The URL of a token API answer: a JSON string (a JSON media type, or a body that starts
    with a quote), or plain text (``text/plain`` or no media type) without whitespace.

    A body declared JSON that does not parse is read as plain text: a Java backend answering
    a ``String`` sends the bare URL under ``application/json`` (the official MCP server keeps
    such text: "some endpoints declare JSON but return plain strings"). A UTF-8 byte order
    mark before either is ignored."""
    content = response.content.removeprefix(b"\xef\xbb\xbf").strip()
    media_type = _media_type(response)
    declared_json = media_type == "application/json" or media_type.endswith("+json")
    if declared_json or content[:1] == b'"':
        value = _json(content)
        if value is not _NOT_JSON or content[:1] == b'"':
            return value if type(value) is str and value else None
    elif media_type not in {"", "text/plain"}:
        return None  # an HTML page of a proxy, say, is not a URL
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if not text or any(char.isspace() for char in text):
        return None
    return text
