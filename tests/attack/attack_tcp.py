"""A raw TCP fault server on 127.0.0.1: it speaks just enough HTTP/1.1 to misbehave on purpose.

Each accepted connection reads one request head at a time and hands it to a *behaviour*, a
function ``(connection, request) -> bool`` that writes whatever it likes to the socket (a
well-formed answer, half of one, a reset, nothing at all, one byte a second...) and says
whether the connection may carry another request. The server counts connections and request
heads, so a test can assert the number of attempts a client made.

Every wait of a behaviour is bounded: by ``give_up_after`` seconds from the first connection,
and by ``close()``. So a client that is not bounded by its own policy makes a test fail, late,
but never hang.
"""

from __future__ import annotations

import contextlib
import socket
import struct
import threading
import time
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

__all__ = [
    "Request",
    "TcpFaultServer",
    "answer",
    "endless_chunked_body",
    "gzip_bomb",
    "huge_declared_body",
    "reset_mid_answer",
    "sequence",
    "silent",
    "trickle",
    "truncated_body",
]


@dataclass(frozen=True)
class Request:
    """One request head as the server read it."""

    index: int
    """0 for the first request the server saw (over all connections)."""
    method: str
    target: str
    headers: dict[str, str]


Behaviour = Callable[["TcpFaultServer", socket.socket, Request], bool]


@dataclass
class TcpFaultServer:
    """Listens on 127.0.0.1 (a free port) and runs ``behaviour`` for every request head."""

    behaviour: Behaviour
    give_up_after: float = 30.0
    connections: int = 0
    requests: list[Request] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self.stopping = threading.Event()
        self._open: set[socket.socket] = set()
        self._first_connection: float | None = None
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(256)
        self._listener.settimeout(0.05)  # accept() wakes up to notice close()
        self.port: int = self._listener.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._threads: list[threading.Thread] = []
        self._acceptor = threading.Thread(target=self._accept, name="tcp-fault-accept", daemon=True)
        self._acceptor.start()

    # -- life ------------------------------------------------------------------------------
    def __enter__(self) -> TcpFaultServer:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        self.stopping.set()
        with contextlib.suppress(OSError):
            self._listener.close()
        with self._lock:
            for conn in list(self._open):
                with contextlib.suppress(OSError):
                    conn.shutdown(socket.SHUT_RDWR)
        self._acceptor.join(5)
        for thread in self._threads:
            thread.join(5)

    def deadline_passed(self) -> bool:
        """Whether the server has given up (``give_up_after`` since the first connection)."""
        first = self._first_connection
        return self.stopping.is_set() or (
            first is not None and time.monotonic() - first > self.give_up_after
        )

    def wait(self, seconds: float) -> bool:
        """Sleep ``seconds`` unless the server gives up first; whether to go on."""
        end = time.monotonic() + seconds
        while not self.deadline_passed():
            left = end - time.monotonic()
            if left <= 0:
                return True
            self.stopping.wait(min(left, 0.05))
        return False

    @property
    def request_count(self) -> int:
        with self._lock:
            return len(self.requests)

    # -- serving ---------------------------------------------------------------------------
    def _accept(self) -> None:
        while not self.stopping.is_set():
            try:
                conn, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            with self._lock:
                self.connections += 1
                if self._first_connection is None:
                    self._first_connection = time.monotonic()
                self._open.add(conn)
            thread = threading.Thread(target=self._serve, args=(conn,), daemon=True)
            self._threads.append(thread)
            thread.start()

    def _serve(self, conn: socket.socket) -> None:
        buffer = b""
        try:
            conn.settimeout(0.05)
            while not self.deadline_passed():
                head, buffer = self._read_head(conn, buffer)
                if head is None:
                    return
                request = self._parse(head)
                self._skip_body(conn, request, buffer)
                buffer = b""
                if not self.behaviour(self, conn, request):
                    return
        except OSError:
            return
        finally:
            with self._lock:
                self._open.discard(conn)
            with contextlib.suppress(OSError):
                conn.close()

    def _read_head(self, conn: socket.socket, buffer: bytes) -> tuple[bytes | None, bytes]:
        while b"\r\n\r\n" not in buffer:
            if self.deadline_passed():
                return None, buffer
            try:
                data = conn.recv(65536)
            except TimeoutError:
                continue
            if not data:
                return None, buffer
            buffer += data
        head, _, rest = buffer.partition(b"\r\n\r\n")
        return head, rest

    def _parse(self, head: bytes) -> Request:
        lines = head.decode("latin-1").split("\r\n")
        method, _, rest = lines[0].partition(" ")
        target = rest.rpartition(" ")[0]
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        with self._lock:
            request = Request(len(self.requests), method, target, headers)
            self.requests.append(request)
        return request

    def _skip_body(self, conn: socket.socket, request: Request, buffer: bytes) -> None:
        length = request.headers.get("content-length", "0")
        missing = (int(length) if length.isdigit() else 0) - len(buffer)
        while missing > 0 and not self.deadline_passed():
            try:
                data = conn.recv(min(missing, 65536))
            except TimeoutError:
                continue
            if not data:
                return
            missing -= len(data)


# --- behaviours --------------------------------------------------------------------------------


def _head(status: int, headers: dict[str, str], reason: str = "Whatever") -> bytes:
    lines = [f"HTTP/1.1 {status} {reason}", *(f"{k}: {v}" for k, v in headers.items())]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def answer(
    status: int,
    body: bytes = b"",
    headers: dict[str, str] | None = None,
    *,
    keep_alive: bool = False,
) -> Behaviour:
    """A complete, well-formed answer (``Content-Length`` set unless given)."""
    all_headers = {"content-length": str(len(body)), **(headers or {})}
    if not keep_alive:
        all_headers["connection"] = "close"
    data = _head(status, all_headers) + body

    def behave(server: TcpFaultServer, conn: socket.socket, request: Request) -> bool:
        conn.sendall(data)
        return keep_alive

    return behave


def sequence(behaviours: Iterable[Behaviour], then: Behaviour) -> Behaviour:
    """The n-th request gets the n-th behaviour; once they are used up, ``then``."""
    listed = list(behaviours)

    def behave(server: TcpFaultServer, conn: socket.socket, request: Request) -> bool:
        chosen = listed[request.index] if request.index < len(listed) else then
        return chosen(server, conn, request)

    return behave


def reset_mid_answer(body_so_far: bytes = b'{"requestId": "R", "succ') -> Behaviour:
    """The head and part of the body, then a TCP reset (``SO_LINGER`` 0)."""
    data = _head(200, {"content-type": "application/json", "content-length": "400"}) + body_so_far

    def behave(server: TcpFaultServer, conn: socket.socket, request: Request) -> bool:
        conn.sendall(data)
        server.wait(0.01)
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        conn.close()
        return False

    return behave


def silent() -> Behaviour:
    """Reads the request and never answers (until the server gives up)."""

    def behave(server: TcpFaultServer, conn: socket.socket, request: Request) -> bool:
        while server.wait(0.05):
            pass
        return False

    return behave


def trickle(data: bytes, *, every: float = 1.0) -> Behaviour:
    """Sends ``data`` one byte every ``every`` seconds, from the status line on."""

    def behave(server: TcpFaultServer, conn: socket.socket, request: Request) -> bool:
        for index in range(len(data)):
            conn.sendall(data[index : index + 1])
            if not server.wait(every):
                return False
        return False

    return behave


def trickled_answer(body: bytes) -> bytes:
    """A complete answer to trickle: a long head and ``body``."""
    headers = {
        "content-type": "application/json",
        "content-length": str(len(body)),
        "x-acs-request-id": "TRICKLED-REQUEST-ID",
        "connection": "close",
    }
    return _head(200, headers, reason="OK") + body


def truncated_body(body: bytes, *, promised: int, status: int = 200) -> Behaviour:
    """``Content-Length: promised`` but only ``body`` (shorter), then the connection closes."""
    data = _head(status, {"content-type": "application/json", "content-length": str(promised)})

    def behave(server: TcpFaultServer, conn: socket.socket, request: Request) -> bool:
        conn.sendall(data + body)
        return False

    return behave


def _stream(server: TcpFaultServer, conn: socket.socket, pieces: Iterable[bytes]) -> None:
    try:
        for piece in pieces:
            if server.deadline_passed():
                return
            conn.sendall(piece)
    except OSError:
        return  # the client stopped reading: what a bounded client does


def endless_chunked_body(*, cap: int, content_type: str = "application/json") -> Behaviour:
    """A chunked body that never ends (the server stops after ``cap`` bytes, for safety)."""
    chunk = b"[" * 65536
    framed = b"%x\r\n" % len(chunk) + chunk + b"\r\n"
    head = _head(200, {"content-type": content_type, "transfer-encoding": "chunked"})

    def behave(server: TcpFaultServer, conn: socket.socket, request: Request) -> bool:
        _stream(server, conn, [head, *(framed for _ in range(cap // len(chunk)))])
        return False

    return behave


def huge_declared_body(*, declared: int, cap: int, status: int = 200) -> Behaviour:
    """``Content-Length: declared`` (gigabytes); the server sends ``cap`` bytes of it."""
    chunk = b" " * 65536
    head = _head(status, {"content-type": "application/json", "content-length": str(declared)})

    def behave(server: TcpFaultServer, conn: socket.socket, request: Request) -> bool:
        _stream(server, conn, [head, *(chunk for _ in range(cap // len(chunk)))])
        return False

    return behave


def gzip_bomb_bytes(expanded: int) -> bytes:
    """``expanded`` bytes of zeros, gzip-compressed (about a thousandth of the size)."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)
    block = bytes(1024 * 1024)
    parts = [compressor.compress(block) for _ in range(expanded // len(block))]
    parts.append(compressor.flush())
    return b"".join(parts)


def gzip_bomb(expanded: int, *, status: int = 200) -> Behaviour:
    """A small gzip body (``Content-Encoding: gzip``) that expands to ``expanded`` bytes."""
    body = gzip_bomb_bytes(expanded)
    headers = {
        "content-type": "application/json",
        "content-encoding": "gzip",
        "content-length": str(len(body)),
        "connection": "close",
    }
    data = _head(status, headers) + body

    def behave(server: TcpFaultServer, conn: socket.socket, request: Request) -> bool:
        _stream(server, conn, [data])
        return False

    return behave
