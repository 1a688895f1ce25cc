"""AsyncClient's own transport (httpcore's pools over asyncio's streams, in lanes), by what
the server sees: how many connections, how many at once, which ones are reused, and what
happens when the server closes one or never answers.

The server here is an asyncio one in the test's own event loop (127.0.0.1), which counts its
connections; the client is AsyncClient as it comes, so nothing but its public options is used.
"""

from __future__ import annotations

import asyncio
import itertools
import json
from collections.abc import AsyncIterator

import httpx
import pytest
from _ids import IDS
from conftest_client import API_PATH, CREDENTIALS, FILE_URL, OK_BODY, TOKEN_CREDENTIALS
from hypothesis import given, settings
from hypothesis import strategies as st
from yunxiao_emas import TransportError
from yunxiao_emas._call.asyncio_backend import _Protocol, lane_limits
from yunxiao_emas.client import AsyncClient

CREDENTIALS_OF = {"signed": CREDENTIALS, "token": TOKEN_CREDENTIALS}


class CountingServer:
    """HTTP/1.1 on 127.0.0.1: both APIs' success answers, kept alive unless told otherwise."""

    def __init__(self, *, close_after_answer: bool = False, answer: bool = True) -> None:
        self.close_after_answer = close_after_answer
        self.answer = answer
        self.connections = 0
        self.open = 0
        self.most_open = 0
        self.closed = asyncio.Event()
        self.requests = 0
        self._server: asyncio.Server | None = None
        self._handlers: set[asyncio.Task[None]] = set()
        self.url = ""

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        port = self._server.sockets[0].getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"

    async def stop(self) -> None:
        """Stop listening and end every connection's handler."""
        assert self._server is not None
        self._server.close()
        for handler in self._handlers:
            handler.cancel()
        await asyncio.gather(*self._handlers, return_exceptions=True)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        handler = asyncio.current_task()
        assert handler is not None
        self._handlers.add(handler)
        self.connections += 1
        self.open += 1
        self.most_open = max(self.most_open, self.open)
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                self.requests += 1
                lines = head.decode("latin-1").split("\r\n")
                length = 0
                for line in lines[1:]:
                    name, _, value = line.partition(":")
                    if name.strip().lower() == "content-length":
                        length = int(value)
                await reader.readexactly(length)
                if not self.answer:
                    await asyncio.sleep(3600)
                path = lines[0].split(" ")[1]
                body = json.dumps(OK_BODY if path.startswith(API_PATH) else FILE_URL).encode()
                writer.write(
                    b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n"
                    b"content-length: %d\r\n\r\n%s" % (len(body), body)
                )
                await writer.drain()
                if self.close_after_answer:
                    break
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            self._handlers.discard(handler)
            self.open -= 1
            writer.close()
            self.closed.set()


@pytest.fixture
async def server() -> AsyncIterator[CountingServer]:
    server = CountingServer()
    await server.start()
    yield server
    await server.stop()


@pytest.fixture(params=["signed", "token"])
def api(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def client(url: str, api: str, **options: object) -> AsyncClient:
    return AsyncClient(credentials=CREDENTIALS_OF[api], endpoint=url, retries=0, **options)  # type: ignore[arg-type]


# --- the lanes' limits ------------------------------------------------------------------------


def test_httpx_default_limits_make_one_lane_per_kept_alive_connection() -> None:
    lanes = lane_limits(httpx.Limits(max_connections=100, max_keepalive_connections=20))
    assert len(lanes) == 20
    assert {lane.max_keepalive_connections for lane in lanes} == {1}
    assert sum(lane.max_connections or 0 for lane in lanes) == 100


def test_connections_that_do_not_divide_evenly_still_add_up_to_the_limit() -> None:
    lanes = lane_limits(httpx.Limits(max_connections=7, max_keepalive_connections=3))
    assert [lane.max_connections for lane in lanes] == [3, 2, 2]


def test_more_kept_alive_than_allowed_open_is_bounded_by_the_open_limit() -> None:
    lanes = lane_limits(httpx.Limits(max_connections=4, max_keepalive_connections=10))
    assert [lane.max_connections for lane in lanes] == [1, 1, 1, 1]


def test_keeping_none_alive_is_one_pool_with_the_limits_as_given() -> None:
    limits = httpx.Limits(max_connections=5, max_keepalive_connections=0)
    assert lane_limits(limits) == [limits]
    unbounded = httpx.Limits(max_connections=None, max_keepalive_connections=None)
    assert lane_limits(unbounded) == [unbounded]


def test_the_keep_alive_expiry_applies_to_every_lane() -> None:
    lanes = lane_limits(httpx.Limits(max_keepalive_connections=2, keepalive_expiry=1.5))
    assert [lane.keepalive_expiry for lane in lanes] == [1.5, 1.5]


# --- on the wire ------------------------------------------------------------------------------


async def test_calls_one_after_another_reuse_one_connection(
    server: CountingServer, api: str
) -> None:
    async with client(server.url, api) as calls:
        for _ in range(5):
            await calls.get_pipeline_emas_artifact_url(**IDS)
    assert server.requests == 5
    assert server.connections == 1


async def test_calls_in_flight_never_open_more_connections_than_are_kept_alive(
    server: CountingServer, api: str
) -> None:
    limits = httpx.Limits(max_connections=10, max_keepalive_connections=3)
    async with client(server.url, api, limits=limits) as calls:
        answers = await asyncio.gather(
            *(calls.get_pipeline_emas_artifact_url(**IDS) for _ in range(30))
        )
        assert all(answer.file_url == FILE_URL for answer in answers)
        assert server.most_open <= 3
        # And the connections of that burst serve the next one.
        opened = server.connections
        await asyncio.gather(*(calls.get_pipeline_emas_artifact_url(**IDS) for _ in range(30)))
    assert server.connections == opened


async def test_each_origin_keeps_its_own_connection_when_calls_alternate(api: str) -> None:
    first, second = CountingServer(), CountingServer()
    await first.start()
    await second.start()
    try:
        async with client(first.url, api) as one:
            # One transport, two origins: with_options shares the client's connections.
            other = one.with_options(endpoint=second.url)
            for _ in range(4):
                await one.get_pipeline_emas_artifact_url(**IDS)
                await other.get_pipeline_emas_artifact_url(**IDS)
        assert (first.requests, second.requests) == (4, 4)
        assert (first.connections, second.connections) == (1, 1)
    finally:
        await first.stop()
        await second.stop()


async def test_a_connection_the_server_closed_while_idle_is_not_used_again(api: str) -> None:
    server = CountingServer(close_after_answer=True)
    await server.start()
    try:
        async with client(server.url, api) as calls:
            await calls.get_pipeline_emas_artifact_url(**IDS)
            await asyncio.wait_for(server.closed.wait(), 5)
            # retries=0: a reused dead connection would fail this call.
            answer = await calls.get_pipeline_emas_artifact_url(**IDS)
        assert answer.attempts == 1
        assert server.connections == 2
    finally:
        await server.stop()


async def test_a_server_that_never_answers_is_a_read_timeout(api: str) -> None:
    server = CountingServer(answer=False)
    await server.start()
    try:
        async with client(server.url, api, timeout=0.2) as calls:
            with pytest.raises(TransportError) as caught:
                await calls.get_pipeline_emas_artifact_url(**IDS)
        assert isinstance(caught.value.__cause__, httpx.TimeoutException)
    finally:
        await server.stop()


async def test_a_refused_connection_is_a_connect_error(api: str) -> None:
    server = CountingServer()
    await server.start()
    url = server.url
    await server.stop()
    await asyncio.sleep(0)
    async with client(url, api) as calls:
        with pytest.raises(TransportError) as caught:
            await calls.get_pipeline_emas_artifact_url(**IDS)
    assert isinstance(caught.value.__cause__, httpx.ConnectError)


# --- the connection's buffer ------------------------------------------------------------------


@settings(max_examples=200, deadline=None)
@given(
    chunks=st.lists(st.binary(min_size=1, max_size=4096), max_size=20),
    reads=st.lists(st.integers(min_value=1, max_value=5000), min_size=1, max_size=50),
)
def test_reads_return_every_byte_once_in_order_whatever_the_sizes(
    chunks: list[bytes], reads: list[int]
) -> None:
    loop = asyncio.new_event_loop()
    try:
        protocol = _Protocol(loop)
        for chunk in chunks:
            protocol.data_received(chunk)
        read = bytearray()
        for index in itertools.count():
            piece = protocol.take(reads[index % len(reads)])
            if not piece:
                break
            assert len(piece) <= reads[index % len(reads)]
            read += piece
        assert bytes(read) == b"".join(chunks)
        assert not protocol.has_news()
    finally:
        loop.close()
