"""The emulator is robust: it binds loopback by default, and whatever arrives over a raw socket
(bad ``Range`` headers, huge headers, random methods and paths, garbage bytes) it answers with
a 4xx (or a 2xx where HTTP says to ignore a bad header) or closes the connection; never a 5xx,
never a traceback; and it goes on serving the next well-formed request.
"""

from __future__ import annotations

import contextlib
import os
import re
import socket
import string
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from attack_support import CONTENT, PLAIN_HTTP, Target, new_service
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from yunxiao_emas.testing import serve

robust = settings(
    max_examples=80,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def _listening_addresses(port: int) -> set[str]:
    """The local addresses of the sockets listening on ``port`` (from /proc/net/tcp{,6})."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with contextlib.suppress(FileNotFoundError), open(table, encoding="ascii") as lines:
            for line in list(lines)[1:]:
                fields = line.split()
                address, hex_port = fields[1].rsplit(":", 1)
                if int(hex_port, 16) == port and fields[3] == "0A":  # LISTEN
                    found.add(address)
    return found


def test_serve_binds_loopback_only_by_default() -> None:
    with serve(new_service()) as base_url:
        port = urlsplit(base_url).port
        assert port is not None
        assert base_url.startswith("http://127.0.0.1:")
        assert _listening_addresses(port) == {"0100007F"}  # 127.0.0.1, and nothing else


def test_service_serve_binds_loopback_only_by_default() -> None:
    with new_service().serve() as base_url:
        port = urlsplit(base_url).port
        assert port is not None
        assert _listening_addresses(port) == {"0100007F"}


def test_emulator_command_binds_loopback_only_by_default(home: Path) -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "yunxiao_emas.cli", "emulator", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        cwd=home,
        env={**os.environ, "HOME": str(home), "PYTHONUNBUFFERED": "1"},
    )
    try:
        assert process.stdout is not None
        deadline = time.monotonic() + 20
        port = None
        while port is None and time.monotonic() < deadline:
            line = process.stdout.readline()
            if not line:
                break
            found = re.search(r"http://[^\s/\"]+:(\d+)", line)
            port = int(found.group(1)) if found else None
        assert port is not None, "the command printed no base URL"
        assert _listening_addresses(port) == {"0100007F"}
    finally:
        process.terminate()
        process.wait(10)


def test_pytest_fixture_serves_on_loopback(yunxiao_emulator: Any) -> None:
    assert yunxiao_emulator.base_url.startswith("http://127.0.0.1:")


# --- a raw socket ---------------------------------------------------------------------------------


class Emulator:
    def __init__(self, service: Any, base_url: str) -> None:
        self.service = service
        self.base_url = base_url
        self.port = urlsplit(base_url).port
        target = Target(service, base_url, "signed")
        url = httpx.URL(target.get_url("sync").file_url)
        self.download_target = url.raw_path.decode("ascii")  # path and query

    def exchange(
        self, data: bytes, timeout: float = 1.0, *, half_close: bool = False
    ) -> tuple[int | None, bytes]:
        """Send ``data`` (then end the sending side, with ``half_close``); the status of the
        first answer (None: the connection closed, or stayed silent) and its bytes."""
        received = b""
        with socket.create_connection(("127.0.0.1", self.port), timeout=timeout) as sock:
            with contextlib.suppress(OSError):
                sock.sendall(data)
                if half_close:
                    sock.shutdown(socket.SHUT_WR)
            with contextlib.suppress(OSError):
                while not _complete(received):
                    chunk = sock.recv(65536)
                    if not chunk:
                        break
                    received += chunk
        if not received.startswith(b"HTTP/"):
            return None, received
        status_line = received.split(b"\r\n", 1)[0].split()
        return int(status_line[1]), received

    def still_serves(self) -> bool:
        target = Target(self.service, self.base_url, "token")
        return bool(target.get_url("sync", verify=PLAIN_HTTP).file_url)


def _complete(received: bytes) -> bool:
    """Whether ``received`` holds a whole answer with a Content-Length (keep-alive or not)."""
    head, separator, body = received.partition(b"\r\n\r\n")
    if not separator:
        return False
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length" and value.strip().isdigit():
            return len(body) >= int(value)
    return False


@pytest.fixture(scope="module")
def emulator() -> Iterator[Emulator]:
    service = new_service()
    with serve(service) as base_url:
        yield Emulator(service, base_url)


def _assert_no_failure(status: int | None, answer: bytes) -> None:
    assert status is None or status < 500, answer[:500]
    assert b"Traceback" not in answer


def _request(method: str, target: str, headers: dict[str, bytes] | None = None) -> bytes:
    lines = [f"{method} {target} HTTP/1.1".encode("latin-1"), b"Host: 127.0.0.1"]
    lines += [name.encode() + b": " + value for name, value in (headers or {}).items()]
    lines.append(b"Connection: close")
    return b"\r\n".join(lines) + b"\r\n\r\n"


BAD_RANGES = {
    "suffix-zero": b"bytes=-0",
    "reversed": b"bytes=5-2",
    "many-ranges": b"bytes=" + b",".join(b"%d-%d" % (i, i) for i in range(2000)),
    "superscript-digits": "bytes=\u00b9-\u00b2".encode("latin-1"),
    "huge-start": b"bytes=99999999999999999999999999-",
    "huge-suffix": b"bytes=-99999999999999999999999999",
    "five-thousand-digits": b"bytes=" + b"9" * 5000 + b"-",
    "hex": b"bytes=0x10-0x20",
    "spaces": b"bytes = 1 - 2 ",
    "other-unit": b"items=0-1",
    "double-dash": b"bytes=--1",
    "three-parts": b"bytes=1-2-3",
    "empty": b"bytes=",
    "only-dash": b"bytes=-",
    "negative": b"bytes=-5--1",
    "past-the-end": b"bytes=%d-" % (len(CONTENT) + 10),
}


@pytest.mark.parametrize("value", list(BAD_RANGES.values()), ids=list(BAD_RANGES))
def test_bad_range_is_ignored_or_refused_never_a_failure(emulator: Emulator, value: bytes) -> None:
    status, answer = emulator.exchange(_request("GET", emulator.download_target, {"Range": value}))

    assert status in {200, 206, 416}, answer[:300]
    _assert_no_failure(status, answer)
    if status == 206:
        head, _, body = answer.partition(b"\r\n\r\n")
        content_range = next(
            line for line in head.split(b"\r\n") if line.lower().startswith(b"content-range")
        )
        start, end = content_range.split(b" ")[-1].split(b"/")[0].split(b"-")
        assert body == CONTENT[int(start) : int(end) + 1]
    assert emulator.still_serves()


range_values = st.text(alphabet="0123456789-=, bytes\u00b9\u00b2\u00b3\u00bd", max_size=40).map(
    lambda text: text.encode("latin-1")
)


@robust
@given(value=range_values)
def test_any_range_header_is_answered_without_failure(emulator: Emulator, value: bytes) -> None:
    status, answer = emulator.exchange(_request("GET", emulator.download_target, {"Range": value}))

    assert status in {200, 206, 416, 400}, answer[:300]
    _assert_no_failure(status, answer)


MALFORMED = {
    "huge-header": _request("GET", "/", {"X-Big": b"a" * 200_000}),
    "many-headers": b"GET / HTTP/1.1\r\nHost: x\r\n" + b"X-A: b\r\n" * 5000 + b"\r\n",
    "huge-path": _request("POST", "/organization/" + "a" * 100_000),
    "dot-dot-path": _request("GET", "/../../etc/passwd"),
    "download-dot-dot": _request("GET", "/emas-artifacts/../../x"),
    "bad-escape": _request("GET", "/%ZZ/%"),
    "nul-escape": _request("POST", "/organization/%00/pipeline/1/pipelineRun/1/emas/artifact/j/m"),
    "bad-utf8-escape": _request("GET", "/emas-artifacts/tok/%FF%FE?Expires=1&Signature=a"),
    "huge-expires": _request("GET", "/emas-artifacts/a/b?Expires=" + "9" * 5000 + "&Signature="),
    "arabic-expires": _request("GET", "/emas-artifacts/a/b?Expires=%D9%A1&Signature=a"),
    "superscript-expires": _request("GET", "/emas-artifacts/a/b?Expires=\u00b9&Signature=a"),
    "repeated-query": _request(
        "GET", "/emas-artifacts/a/b?Expires=1&Expires=2&Signature=a&Signature=b"
    ),
    "unknown-method": _request("BREW", "/coffee"),
    "asterisk": _request("OPTIONS", "*"),
    "absolute-form": _request("GET", "http://evil.example/"),
    "connect": _request("CONNECT", "evil.example:443"),
    "http-9": b"GET / HTTP/9.9\r\nHost: x\r\n\r\n",
    "negative-length": b"POST /organization/a HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n",
    "two-lengths": (
        b"POST /x HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab"
    ),
    "bad-chunk": b"POST /x HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
    "tls-client-hello": b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + bytes(64),
    "only-newlines": b"\r\n\r\n\r\n\r\n",
    "nul-bytes": bytes(256),
    "high-bytes": bytes(range(128, 256)) * 4,
    "header-without-colon": b"GET / HTTP/1.1\r\nHost x\r\n\r\n",
    "obs-fold": b"GET / HTTP/1.1\r\nHost: x\r\nX-A: b\r\n c\r\n\r\n",
    "token-header-binary": _request(
        "GET",
        "/oapi/v1/flow/organizations/o/pipelines/getEmasArtifactDownloadUrl",
        {"x-yunxiao-token": bytes(range(128, 160))},
    ),
    "authorization-garbage": _request(
        "POST",
        "/organization/o/pipeline/1/pipelineRun/1/emas/artifact/j/m",
        {"Authorization": b"ACS3-HMAC-SHA256 " + b"," * 1000, "x-acs-date": b"\xff" * 20},
    ),
}


@pytest.mark.parametrize("data", list(MALFORMED.values()), ids=list(MALFORMED))
def test_malformed_request_gets_a_4xx_or_a_close_and_the_emulator_goes_on(
    emulator: Emulator, data: bytes
) -> None:
    status, answer = emulator.exchange(data, timeout=0.5)

    _assert_no_failure(status, answer)
    assert emulator.still_serves()


methods = st.one_of(
    st.sampled_from(["GET", "POST", "HEAD", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE"]),
    st.text(alphabet=string.ascii_uppercase, min_size=1, max_size=8),
)
segment = st.text(alphabet=string.ascii_letters + string.digits + "%.-_~!$&'()*+,;=:@", max_size=12)
paths = st.tuples(
    st.sampled_from(
        [
            "/organization/",
            "/oapi/v1/flow/organizations/",
            "/emas-artifacts/",
            "/",
            "/_emulator/",
        ]
    ),
    st.lists(segment, max_size=12),
    st.text(alphabet=string.ascii_letters + string.digits + "%=&;+", max_size=40),
).map(lambda t: t[0] + "/".join(t[1]) + ("?" + t[2] if t[2] else ""))
header_values = st.binary(max_size=40).map(
    lambda b: bytes(c for c in b if c not in b"\r\n\x00") or b"x"
)
headers = st.dictionaries(
    st.sampled_from(
        [
            "authorization",
            "x-acs-date",
            "x-acs-action",
            "x-acs-version",
            "x-acs-signature-nonce",
            "x-yunxiao-token",
            "range",
            "if-range",
            "content-type",
            "x-acs-security-token",
        ]
    ),
    header_values,
    max_size=5,
)


@robust
@given(method=methods, path=paths, extra=headers)
def test_any_method_and_path_is_answered_without_failure(
    emulator: Emulator, method: str, path: str, extra: dict[str, bytes]
) -> None:
    status, answer = emulator.exchange(_request(method, path, extra))

    _assert_no_failure(status, answer)


@robust
@given(data=st.binary(min_size=1, max_size=300))
def test_garbage_bytes_are_answered_without_failure(emulator: Emulator, data: bytes) -> None:
    status, answer = emulator.exchange(data, timeout=0.5, half_close=True)

    _assert_no_failure(status, answer)


def test_emulator_still_serves_after_the_barrage(emulator: Emulator, tmp_path: Path) -> None:
    target = Target(emulator.service, emulator.base_url, "signed")

    artifact = target.download("sync", tmp_path)

    assert artifact.path.read_bytes() == CONTENT
