"""Bad input is refused before any I/O, with an ``InvalidArgumentError`` naming the parameter.

For the ids, a property over any input (any unicode, lone surrogates included, dot segments
and their encodings, CR/LF/NUL, long strings, str and int subclasses that lie, ``(str, Enum)``
members, bools, floats...): either it is refused before any request, or it reaches the server
as exactly one path segment (signed API) or one query value (token API) that decodes back to
the value itself. A recording server notes what it received.

The client's options and the download's ``dest`` and ``chunk_size`` follow: refused at once,
leaving no ``.part`` file and no open descriptor.
"""

from __future__ import annotations

import asyncio
import enum
import logging
import math
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote

import pytest
from attack_support import (
    PLAIN_HTTP,
    TOKEN_PATH,
    FakeApi,
    credentials_for,
    drive,
    fd_count,
    ids,
    success_answer,
)
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from hypothesis.control import currently_in_test_context
from yunxiao_emas import AsyncClient, Client, InvalidArgumentError

MAX_SAFE = 2**53 - 1
STRING_IDS = ("organization_id", "emas_job_instance_id", "md5")
INT_IDS = ("pipeline_id", "pipeline_run_id", "service_connection_id")
SIGNED_SEGMENT = {"organization_id": 2, "emas_job_instance_id": 9, "md5": 10}
SIGNED_SEGMENT.update({"pipeline_id": 4, "pipeline_run_id": 6})
TOKEN_QUERY = {
    "pipeline_id": "pipelineId",
    "pipeline_run_id": "pipelineRunId",
    "emas_job_instance_id": "emasJobInstanceId",
    "md5": "md5",
    "service_connection_id": "serviceConnectionId",
}
examples = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


# --- what the server received ----------------------------------------------------------------


def sent_value(api: str, name: str, seen: Any) -> str:
    """The one value of ``name`` in the request a server received (decoded)."""
    if api == "signed" or name == "organization_id":
        segments = seen.raw_path.split("/")
        expected_count = 11 if api == "signed" else len(TOKEN_PATH.split("/"))
        assert len(segments) == expected_count, f"not one path segment: {seen.raw_path!r}"
        index = SIGNED_SEGMENT[name] if api == "signed" else 5
        return unquote(segments[index], errors="strict")
    values = parse_qs(seen.query, keep_blank_values=True, errors="strict").get(TOKEN_QUERY[name])
    assert values is not None, f"no query value: {seen.query!r}"
    assert len(values) == 1, f"not one query value: {seen.query!r}"
    return values[0]


def signed_query_value(seen: Any) -> str:
    values = parse_qs(seen.query, keep_blank_values=True).get("serviceConnectionId")
    assert values is not None, seen.query
    assert len(values) == 1, seen.query
    return values[0]


# --- the inputs -----------------------------------------------------------------------------------


class LyingStr(str):
    """A str whose __str__ and __format__ say something else than its characters."""

    def __str__(self) -> str:
        return "innocent"

    def __format__(self, spec: str) -> str:
        return "innocent"


class LyingInt(int):
    """An int whose __str__, __repr__, __format__ and __index__ say something else."""

    def __str__(self) -> str:
        return "1111/../../x"

    __repr__ = __str__

    def __format__(self, spec: str) -> str:
        return "1111/../../x"

    def __index__(self) -> int:
        return 7


def str_enum_member(value: str) -> Any:
    return enum.Enum("Ids", {"MEMBER": value}, type=str).MEMBER


NASTY_STRINGS = [
    "/", "..", ".", "%2e%2e", "%2E%2E", "%2F", "%2f", "a/b", "../x", "..%2F..%2Fx", ".%2e",
    "\\", "\r", "\n", "a\r\nX-Injected: 1", "\x00", "a\x00b", "\x7f", "\x85", "\x9b31m",
    "\x1b[31m", "\ud800", "\udcff", "a\udfffb", "", " ", "  ", "?", "#", "&", "=", "+", "%",
    "%00", ";", "\u2028", "\u202e", "\ufeff", "\u200b", "é", "😀", "x" * 256, "x" * 257,
    "é" * 200, "😀" * 256, "0cc175b9c0f1b6a831c399e269772661",
]  # fmt: skip
any_text = st.text(st.characters(exclude_categories=()), max_size=40)
long_text = st.text(st.characters(exclude_categories=()), min_size=250, max_size=270)
strings = st.one_of(st.sampled_from(NASTY_STRINGS), any_text, long_text)
string_inputs = st.one_of(
    strings,
    strings.map(LyingStr),
    strings.filter(lambda s: s not in {"", "_"}).map(str_enum_member),
    st.integers(),
    st.booleans(),
    st.floats(allow_nan=True),
    st.binary(max_size=8),
    st.none(),
)
int_inputs = st.one_of(
    st.integers(min_value=-(2**70), max_value=2**70),
    st.sampled_from([0, 1, MAX_SAFE, MAX_SAFE + 1, 2**63, -1, 10**5000]),
    st.integers(min_value=1, max_value=MAX_SAFE).map(LyingInt),
    st.integers(min_value=1, max_value=MAX_SAFE).map(lambda n: enum.IntEnum("I", {"N": n}).N),
    st.booleans(),
    st.floats(allow_nan=True),
    st.sampled_from(["1", "1111", "0x10", "1e3", "\u0661"]),
    st.none(),
)


def must_be_refused(name: str, value: object) -> bool:
    """What the README's rules refuse: non-str strings, non-int ints, bools; empty, dot,
    control characters, lone surrogates, more than 256 characters; ints out of range."""
    if name in INT_IDS:
        if isinstance(value, bool) or not isinstance(value, int):
            return True
        return not 1 <= int.__index__(value) <= MAX_SAFE
    if not isinstance(value, str):
        return True
    text = str.__str__(value)
    if text in {"", ".", ".."} or len(text) > 256:
        return True
    if any(ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F for c in text):
        return True
    return any(0xD800 <= ord(c) <= 0xDFFF for c in text)


def expected_text(value: object) -> str:
    if isinstance(value, str):
        return str.__str__(value)
    assert isinstance(value, int)
    return str(int.__index__(value))


# --- the property----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def recorder(http_server: Any) -> Iterator[dict[str, FakeApi]]:
    """A recording fake API per API, mounted in turn by the tests of this module."""
    apps = {
        "signed": FakeApi(success_answer("signed", "https://files.example/a.apk")),
        "token": FakeApi(success_answer("token", "https://files.example/a.apk")),
    }
    yield apps
    http_server.switch.app = None


class Caller:
    """One long-lived client of either flavour, so that each example costs one request."""

    def __init__(self, flavour: str, api: str, endpoint: str) -> None:
        options = {
            "credentials": credentials_for(api),
            "endpoint": endpoint,
            "retries": 0,
            "verify": PLAIN_HTTP,
        }
        self.flavour = flavour
        if flavour == "sync":
            self.client: Any = Client(**options)
        else:
            self.loop = asyncio.new_event_loop()
            self.client = self.loop.run_until_complete(self._make_async(options))

    @staticmethod
    async def _make_async(options: dict[str, Any]) -> AsyncClient:
        return AsyncClient(**options)

    def call(self, arguments: dict[str, Any]) -> Any:
        result = self.client.get_pipeline_emas_artifact_url(**arguments)
        if self.flavour == "sync":
            return result
        return self.loop.run_until_complete(result)

    def close(self) -> None:
        if self.flavour == "sync":
            self.client.close()
        else:
            self.loop.run_until_complete(self.client.aclose())
            self.loop.close()


@pytest.fixture
def caller(
    http_server: Any, recorder: dict[str, FakeApi], api: str, flavour: str
) -> Iterator[tuple[Caller, FakeApi]]:
    app = recorder[api]
    http_server.switch.app = app
    one = Caller(flavour, api, http_server.base_url)
    yield one, app
    one.close()


def _check(caller: tuple[Caller, FakeApi], api: str, name: str, value: object) -> None:
    client, app = caller
    app.requests.clear()
    arguments = ids(**{name: value})
    try:
        client.call(arguments)
    except InvalidArgumentError as exc:
        refused: InvalidArgumentError | None = exc
    else:
        refused = None
    if refused is not None:
        assert refused.parameter == name
        assert app.requests == [], "refused, but only after a request was sent"
        return
    if currently_in_test_context():
        event("sent")  # --hypothesis-show-statistics tells how many examples were sent
    assert not must_be_refused(name, value), f"{value!r} for {name} was sent"
    assert len(app.requests) == 1
    seen = app.requests[0]
    if api == "signed" and name == "service_connection_id":
        assert signed_query_value(seen) == expected_text(value)
    else:
        assert sent_value(api, name, seen) == expected_text(value)


@pytest.mark.parametrize("name", STRING_IDS)
@examples
@given(value=string_inputs)
def test_string_id_is_refused_or_arrives_as_one_value_that_decodes_back(
    caller: tuple[Caller, FakeApi], api: str, name: str, value: object
) -> None:
    _check(caller, api, name, value)


@pytest.mark.parametrize("name", INT_IDS)
@examples
@given(value=int_inputs)
def test_integer_id_is_refused_or_arrives_as_its_own_digits(
    caller: tuple[Caller, FakeApi], api: str, name: str, value: object
) -> None:
    _check(caller, api, name, value)


@pytest.mark.parametrize("value", ["..", ".", "%2e%2e", "%2F", "a/b", "\r\n", "\x00", "\ud800"])
@pytest.mark.parametrize("name", STRING_IDS)
def test_each_nasty_string_is_refused_or_kept_in_its_place(
    caller: tuple[Caller, FakeApi], api: str, name: str, value: str
) -> None:
    _check(caller, api, name, value)


def test_lying_int_subclass_sends_its_real_value(caller: tuple[Caller, FakeApi], api: str) -> None:
    client, app = caller
    app.requests.clear()

    client.call(ids(pipeline_id=LyingInt(1111)))

    assert sent_value(api, "pipeline_id", app.requests[0]) == "1111"


# --- the client's options--------------------------------------------------------------------------


def _construct_and_call(flavour: str, api: str, base_url: str, **options: Any) -> None:
    opts = {"credentials": credentials_for(api), "endpoint": base_url, "retries": 0}
    opts.update(options)
    opts.setdefault("verify", PLAIN_HTTP)
    drive(flavour, opts, lambda c: c.get_pipeline_emas_artifact_url(**ids()))


@pytest.fixture
def fake(mount: Callable[[Any], str], api: str) -> tuple[FakeApi, str]:
    app = FakeApi(success_answer(api, "https://files.example/a.apk"))
    return app, mount(app)


@pytest.mark.parametrize(
    ("option", "value"),
    [
        ("timeout", -1),
        ("timeout", math.nan),
        ("timeout", -math.inf),
        ("timeout", "5"),
        ("timeout", True),
        ("user_agent", "é"),
        ("user_agent", "bot\r\nX-Injected: 1"),
        ("user_agent", "bot\nX-Injected: 1"),
        ("user_agent", "bot\x00"),
        ("user_agent", 5),
        ("proxy", "not a url"),
        ("proxy", "ftp://proxy.example"),
        ("proxy", "http://"),
        ("proxy", 8080),
        ("retries", -1),
        ("retries", True),
        ("retries", 2.5),
        ("endpoint", "http://"),
        ("endpoint", "ftp://127.0.0.1"),
        ("endpoint", "https://host.example/?q=1"),
        ("endpoint", "https://host\r\n.example"),
    ],
)
def test_bad_client_option_is_refused_naming_it_before_any_request(
    fake: tuple[FakeApi, str], api: str, flavour: str, option: str, value: object
) -> None:
    app, endpoint = fake

    with pytest.raises(InvalidArgumentError) as caught:
        _construct_and_call(flavour, api, endpoint, **{option: value})

    assert caught.value.parameter == option
    assert app.requests == []


def test_verify_false_is_accepted_with_a_warning(
    fake: tuple[FakeApi, str], api: str, flavour: str, caplog: pytest.LogCaptureFixture
) -> None:
    app, endpoint = fake

    with caplog.at_level(logging.WARNING):
        _construct_and_call(flavour, api, endpoint, verify=False)

    assert len(app.requests) == 1
    warnings = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert any("verif" in r.getMessage().lower() for r in warnings), warnings


# --- the download's arguments----------------------------------------------------------------------


class BytesPath:
    """A path-like whose __fspath__ gives bytes."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __fspath__(self) -> bytes:
        return os.fsencode(self.path)


DESTS: dict[str, Callable[[Path], object]] = {
    "nul": lambda d: str(d / "app\x00.apk"),
    "lone-surrogate": lambda d: str(d) + "/app\ud800.apk",
    "300-byte-name": lambda d: str(d / ("a" * 296 + ".apk")),
    "bytes-path-like": lambda d: BytesPath(d / "app.apk"),
    "bytes": lambda d: os.fsencode(d / "app.apk"),
    "empty": lambda d: "",
    "int": lambda d: 3,
}


@pytest.mark.parametrize("dest", list(DESTS.values()), ids=list(DESTS))
def test_bad_dest_is_refused_before_any_request_leaving_nothing(
    fake: tuple[FakeApi, str], api: str, flavour: str, tmp_path: Path, dest: Callable[[Path], Any]
) -> None:
    app, endpoint = fake
    fds = fd_count()
    opts = {"credentials": credentials_for(api), "endpoint": endpoint, "verify": PLAIN_HTTP}

    with pytest.raises(InvalidArgumentError) as caught:
        drive(
            flavour,
            opts,
            lambda c: c.download_pipeline_emas_artifact(**ids(), dest=dest(tmp_path)),
        )

    assert caught.value.parameter == "dest"
    assert app.requests == []
    assert os.listdir(tmp_path) == []
    assert fd_count() <= fds


@pytest.mark.parametrize("chunk_size", [2**40, 2**62, 2**100, 0, 1023, -1, 1.5, True, "1024"])
def test_bad_chunk_size_is_refused_before_any_request_leaving_nothing(
    fake: tuple[FakeApi, str], api: str, flavour: str, tmp_path: Path, chunk_size: object
) -> None:
    app, endpoint = fake
    fds = fd_count()
    opts = {"credentials": credentials_for(api), "endpoint": endpoint, "verify": PLAIN_HTTP}

    with pytest.raises(InvalidArgumentError) as caught:
        drive(
            flavour,
            opts,
            lambda c: c.download_pipeline_emas_artifact(
                **ids(), dest=tmp_path, chunk_size=chunk_size
            ),
        )

    assert caught.value.parameter == "chunk_size"
    assert app.requests == []
    assert os.listdir(tmp_path) == []
    assert fd_count() <= fds


@pytest.mark.parametrize(("option", "value"), [("overwrite", "yes"), ("progress", "print")])
def test_bad_download_option_is_refused_naming_it(
    fake: tuple[FakeApi, str], api: str, flavour: str, tmp_path: Path, option: str, value: object
) -> None:
    app, endpoint = fake
    opts = {"credentials": credentials_for(api), "endpoint": endpoint, "verify": PLAIN_HTTP}

    with pytest.raises(InvalidArgumentError) as caught:
        drive(
            flavour,
            opts,
            lambda c: c.download_pipeline_emas_artifact(**ids(), dest=tmp_path, **{option: value}),
        )

    assert caught.value.parameter == option
    assert app.requests == []
