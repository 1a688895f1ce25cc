"""Tiny servers on 127.0.0.1 for the tests of what reaches the network (imported explicitly).

- :class:`LoopbackServer`: HTTP/1.1 with keep-alive, plain or TLS, answering every request
  through a ``respond`` function; it records each request and each connection it saw close.
- :class:`TunnelProxy`: an HTTP proxy that opens ``CONNECT`` tunnels to loopback ports only
  (anything else gets a 403, so nothing ever leaves the machine); it records each request line.

Both run in daemon threads and stop at ``close()``.
"""

from __future__ import annotations

import contextlib
import select
import socket
import socketserver
import ssl
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler
from typing import Any

Answer = tuple[int, dict[str, str], bytes]
Respond = Callable[[str, str, dict[str, str]], Answer]


class _Threaded(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True
    owner: Any

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that refuses our certificate ends the handshake: expected, not noise.
        pass


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Threaded

    def setup(self) -> None:
        context = self.server.owner.tls
        if context is not None:
            self.request = context.wrap_socket(self.request, server_side=True)
        super().setup()

    def handle(self) -> None:
        try:
            super().handle()
        finally:
            self.server.owner.connection_closed()

    def _answer(self) -> None:
        owner: LoopbackServer = self.server.owner
        length = int(self.headers.get("content-length") or 0)
        if length:
            self.rfile.read(length)
        headers = {name.lower(): value for name, value in self.headers.items()}
        owner.requests.append((self.command, self.path, headers))
        status, answer_headers, body = owner.respond(self.command, self.path, headers)
        self.send_response(status)
        for name, value in answer_headers.items():
            self.send_header(name, value)
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    # The names http.server dispatches to.
    do_GET = do_POST = _answer

    def log_message(self, format: str, *args: Any) -> None:
        pass


class LoopbackServer:
    """An HTTP/1.1 server on 127.0.0.1 (TLS when given a server-side ``SSLContext``)."""

    def __init__(self, respond: Respond, tls: ssl.SSLContext | None = None) -> None:
        self.respond = respond
        self.tls = tls
        self.requests: list[tuple[str, str, dict[str, str]]] = []
        self.closed_connections = 0
        self._closed = threading.Condition()
        self._server = _Threaded(("127.0.0.1", 0), _Handler)
        self._server.owner = self
        self.port: int = self._server.server_address[1]
        scheme = "https" if tls is not None else "http"
        self.url = f"{scheme}://127.0.0.1:{self.port}"
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.02,), daemon=True
        )
        self._thread.start()

    def connection_closed(self) -> None:
        with self._closed:
            self.closed_connections += 1
            self._closed.notify_all()

    def wait_for_closed_connections(self, count: int, timeout: float = 5.0) -> bool:
        """Whether ``count`` connections have closed within ``timeout`` seconds."""
        with self._closed:
            return self._closed.wait_for(lambda: self.closed_connections >= count, timeout)

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)


class _ProxyHandler(socketserver.StreamRequestHandler):
    server: _Threaded

    def handle(self) -> None:
        owner: TunnelProxy = self.server.owner
        line = self.rfile.readline(65536).decode("latin-1").rstrip("\r\n")
        while self.rfile.readline(65536) not in (b"\r\n", b"\n", b""):
            pass  # the request's headers
        owner.request_lines.append(line)
        method, _, rest = line.partition(" ")
        target = rest.partition(" ")[0]
        host, _, port = target.rpartition(":")
        # A made-up name stands for a remote host: the proxy takes it to loopback.
        host = "127.0.0.1" if host == REMOTE_NAME else host
        if method != "CONNECT" or host != "127.0.0.1" or not port.isdigit():
            self.wfile.write(b"HTTP/1.1 403 Forbidden\r\ncontent-length: 0\r\n\r\n")
            return
        upstream = socket.create_connection((host, int(port)), timeout=5)
        with upstream:
            self.wfile.write(b"HTTP/1.1 200 Connection established\r\n\r\n")
            self.wfile.flush()
            _pipe(self.connection, upstream)


def _pipe(one: socket.socket, other: socket.socket) -> None:
    sockets = [one, other]
    while True:
        readable, _, _ = select.select(sockets, [], [], 5)
        if not readable:
            return
        for source in readable:
            with contextlib.suppress(OSError):
                data = source.recv(65536)
                if data:
                    (other if source is one else one).sendall(data)
                    continue
            return


REMOTE_NAME = "yunxiao-remote.test"
"""A host name that is not loopback to the client; the proxy tunnels it to 127.0.0.1."""


class TunnelProxy:
    """An HTTP proxy on 127.0.0.1 that tunnels ``CONNECT`` to loopback ports only (and to
    :data:`REMOTE_NAME`, which it takes to 127.0.0.1)."""

    def __init__(self) -> None:
        self.request_lines: list[str] = []
        self._server = _Threaded(("127.0.0.1", 0), _ProxyHandler)
        self._server.owner = self
        self.port: int = self._server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.02,), daemon=True
        )
        self._thread.start()

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)
