"""Client options and download arguments that break a rule are refused before any I/O, with
the parameter named; what the file host receives is what the download needs, whatever the
caller's http_client carries; a destination that already holds the artifact is not
downloaded again."""

from __future__ import annotations

import hashlib
import logging
import os
from pathlib import Path
from typing import Any

import httpx
import pytest
from _ids import CONNECTION, JOB, ORG, PIPELINE, RUN
from conftest_client import CREDENTIALS, FLAVOURS, OK_BODY
from yunxiao_emas import AsyncClient, Client, InvalidArgumentError

CONTENT = b"the artifact's bytes " * 100
MD5 = hashlib.md5(CONTENT, usedforsecurity=False).hexdigest()
IDS = (ORG, PIPELINE, RUN, JOB, MD5)
FILE_URL = "https://files.example/app.apk?Expires=4102444800&Signature=s1gn"


@pytest.fixture(params=FLAVOURS)
def client_class(request: pytest.FixtureRequest) -> Any:
    return Client if request.param == "sync" else AsyncClient


# --- client options ----------------------------------------------------------------------------


@pytest.mark.parametrize("timeout", [-1, 0, float("nan"), float("inf"), "5", True, [1]])
def test_a_timeout_that_is_not_a_positive_number_is_refused(
    client_class: Any, timeout: object
) -> None:
    with pytest.raises(InvalidArgumentError) as caught:
        client_class(credentials=CREDENTIALS, timeout=timeout)
    assert caught.value.parameter == "timeout"


@pytest.mark.parametrize("timeout", [1, 2.5, httpx.Timeout(3.0)])
def test_a_positive_timeout_is_accepted(client_class: Any, timeout: object) -> None:
    client_class(credentials=CREDENTIALS, timeout=timeout)


@pytest.mark.parametrize("agent", ["é", "ci\r\nX-Injected: 1", "tab\there", 7, "x" * 300])
def test_a_user_agent_that_cannot_be_a_header_is_refused(client_class: Any, agent: object) -> None:
    with pytest.raises(InvalidArgumentError) as caught:
        client_class(credentials=CREDENTIALS, user_agent=agent)
    assert caught.value.parameter == "user_agent"


@pytest.mark.parametrize(
    "proxy", ["not a url", "ftp://proxy.example", "http://", 3128, "http://user:p4ss@"]
)
def test_a_proxy_that_is_not_a_proxy_url_is_refused_without_quoting_it(
    client_class: Any, proxy: object
) -> None:
    with pytest.raises(InvalidArgumentError) as caught:
        client_class(credentials=CREDENTIALS, proxy=proxy)
    assert caught.value.parameter == "proxy"
    assert "p4ss" not in str(caught.value)


def test_verify_false_logs_a_warning(client_class: Any, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="yunxiao_emas"):
        client_class(credentials=CREDENTIALS, verify=False)
    assert any("verify=False" in record.getMessage() for record in caplog.records)


def test_verify_true_logs_nothing(client_class: Any, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="yunxiao_emas"):
        client_class(credentials=CREDENTIALS)
    assert caplog.records == []


# --- download arguments ------------------------------------------------------------------------


def file_host(seen: list[httpx.Request]) -> httpx.MockTransport:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.startswith("/organization/"):
            return httpx.Response(200, json={**OK_BODY, "fileUrl": FILE_URL})
        seen.append(request)
        return httpx.Response(200, content=CONTENT)

    return httpx.MockTransport(handler)


def download(dest: object, http: httpx.Client | None = None, **options: Any) -> Any:
    seen: list[httpx.Request] = []
    http = http or httpx.Client(transport=file_host(seen))
    with Client(credentials=CREDENTIALS, http_client=http) as client:
        return client.download_pipeline_emas_artifact(
            *IDS, dest, service_connection_id=CONNECTION, **options
        )


class _BytesPath:
    def __fspath__(self) -> bytes:
        return b"/tmp/artifact.apk"


@pytest.mark.parametrize(
    "dest",
    [
        "",
        "out\x00.apk",
        "out\ud800.apk",
        "x" * 300,
        _BytesPath(),
        b"/tmp/artifact.apk",
        42,
    ],
    ids=["empty", "NUL", "lone surrogate", "300-byte name", "bytes fspath", "bytes", "int"],
)
def test_a_dest_that_cannot_be_a_path_is_refused_before_any_request(
    dest: object, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[httpx.Request] = []
    http = httpx.Client(transport=file_host(seen))
    monkeypatch.chdir(tmp_path)
    with pytest.raises(InvalidArgumentError) as caught:
        download(dest, http)
    assert caught.value.parameter == "dest"
    assert seen == []
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("chunk_size", [1023, 2**40, 64 * 1024 * 1024 + 1])
def test_a_chunk_size_out_of_bounds_is_refused_and_leaves_nothing(
    chunk_size: int, tmp_path: Path
) -> None:
    fds_before = len(os.listdir("/proc/self/fd"))
    with pytest.raises(InvalidArgumentError) as caught:
        download(tmp_path / "app.apk", chunk_size=chunk_size)
    assert caught.value.parameter == "chunk_size"
    assert list(tmp_path.iterdir()) == []
    assert len(os.listdir("/proc/self/fd")) <= fds_before


def test_a_dest_ending_with_a_separator_is_a_new_directory(tmp_path: Path) -> None:
    result = download(f"{tmp_path}/build/nested/")

    assert result.path == tmp_path / "build" / "nested" / "app.apk"
    assert result.path.read_bytes() == CONTENT


def test_a_missing_parent_directory_without_a_separator_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InvalidArgumentError, match="does not exist"):
        download(tmp_path / "missing" / "app.apk")
    assert list(tmp_path.iterdir()) == []


def test_a_destination_already_holding_the_artifact_is_not_downloaded_again(
    tmp_path: Path,
) -> None:
    dest = tmp_path / "app.apk"
    dest.write_bytes(CONTENT)
    seen: list[httpx.Request] = []
    api: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        api.append(request)
        return httpx.Response(500)

    result = download(dest, httpx.Client(transport=httpx.MockTransport(handler)))

    assert result.skipped is True
    assert (result.path, result.size, result.md5, result.verified) == (
        dest,
        len(CONTENT),
        MD5,
        True,
    )
    assert api == []
    assert seen == []


def test_a_destination_with_other_bytes_is_still_refused_without_overwrite(
    tmp_path: Path,
) -> None:
    dest = tmp_path / "app.apk"
    dest.write_bytes(b"something else")
    with pytest.raises(InvalidArgumentError, match="exists"):
        download(dest)
    assert dest.read_bytes() == b"something else"


def test_a_directory_already_holding_the_served_name_with_the_md5_skips_the_transfer(
    tmp_path: Path,
) -> None:
    (tmp_path / "app.apk").write_bytes(CONTENT)

    result = download(tmp_path)

    assert result.skipped is True
    assert result.request_id == OK_BODY["requestId"]
    assert sorted(path.name for path in tmp_path.iterdir()) == ["app.apk"]


# --- what reaches the file host ----------------------------------------------------------------


def test_the_default_params_of_a_callers_client_do_not_reach_the_file_host(
    tmp_path: Path,
) -> None:
    seen: list[httpx.Request] = []
    http = httpx.Client(
        transport=file_host(seen),
        params={"Expires": "1", "tenant": "mine"},
        headers={"x-team-token": "t0ken"},
        cookies={"session": "c00kie"},
    )

    download(tmp_path / "app.apk", http)

    [request] = seen
    assert request.url.query == b"Expires=4102444800&Signature=s1gn"
    assert "x-team-token" not in request.headers
    assert "cookie" not in request.headers


# --- the async transport -----------------------------------------------------------------------


@pytest.mark.parametrize("transport", ["curl", "", None, 1, "auto"])
def test_an_unknown_async_transport_is_refused(transport: object) -> None:
    with pytest.raises(InvalidArgumentError) as caught:
        AsyncClient(credentials=CREDENTIALS, transport=transport)  # type: ignore[arg-type]
    assert caught.value.parameter == "transport"


def test_auto_is_refused_saying_what_to_pass_instead() -> None:
    with pytest.raises(InvalidArgumentError, match="pass 'httpx' \\(the default\\) or 'aiohttp'"):
        AsyncClient(credentials=CREDENTIALS, transport="auto")


def test_aiohttp_with_an_http_client_of_yours_is_refused() -> None:
    with pytest.raises(InvalidArgumentError) as caught:
        AsyncClient(credentials=CREDENTIALS, http_client=httpx.AsyncClient(), transport="aiohttp")
    assert caught.value.parameter == "transport"


def test_aiohttp_without_its_extra_is_refused_naming_the_extra(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "httpx_aiohttp", None)  # as if not installed
    with pytest.raises(InvalidArgumentError, match=r"yunxiao-emas\[aiohttp\]"):
        AsyncClient(credentials=CREDENTIALS, transport="aiohttp")


async def test_respx_sees_every_call_of_a_default_async_client_with_httpx_aiohttp_installed() -> (
    None
):
    # The trap this guards against: a default AsyncClient that moved to aiohttp because
    # httpx-aiohttp was importable (here it is: the test group installs it) made real,
    # credentialed calls from inside a user's respx.mock.
    import importlib.util

    import respx

    assert importlib.util.find_spec("httpx_aiohttp") is not None, "the test group installs it"
    with respx.mock(assert_all_called=True, assert_all_mocked=True) as router:
        route = router.post(url__startswith="https://devops.cn-hangzhou.aliyuncs.com/").mock(
            return_value=httpx.Response(200, json=OK_BODY)
        )
        async with AsyncClient(credentials=CREDENTIALS) as client:
            url = await client.get_pipeline_emas_artifact_url(
                *IDS, service_connection_id=CONNECTION
            )
    assert url.request_id == OK_BODY["requestId"]
    assert route.call_count == 1


def test_limits_reach_no_client_of_yours() -> None:
    with pytest.raises(InvalidArgumentError) as caught:
        Client(credentials=CREDENTIALS, http_client=httpx.Client(), limits=httpx.Limits())
    assert caught.value.parameter == "http_client"


@pytest.mark.parametrize("limits", [10, {"max_connections": 1}])
def test_limits_that_are_not_httpx_limits_are_refused(client_class: Any, limits: object) -> None:
    with pytest.raises(InvalidArgumentError) as caught:
        client_class(credentials=CREDENTIALS, limits=limits)
    assert caught.value.parameter == "limits"


@pytest.mark.parametrize("yours", [False, True], ids=["our pool", "your http_client"])
async def test_async_calls_beyond_the_pool_size_wait_outside_httpx_pool(yours: bool) -> None:
    # Over httpx's pool of a client we made, calls beyond max_connections wait in AsyncClient
    # (httpcore's queue of waiting requests costs time in proportion to its length). respx
    # answers in place of the pool, so what reaches it shows the admission. A client of
    # yours keeps its own rules.
    import asyncio

    import respx

    inside = peak = 0

    async def answer(request: httpx.Request) -> httpx.Response:
        nonlocal inside, peak
        inside += 1
        peak = max(peak, inside)
        await asyncio.sleep(0.01)
        inside -= 1
        return httpx.Response(200, json=OK_BODY)

    limits = httpx.Limits(max_connections=3)
    options: dict[str, Any] = (
        {"http_client": httpx.AsyncClient(limits=limits)}
        if yours
        else {"transport": "httpx", "limits": limits}
    )
    with respx.mock(assert_all_called=True) as router:
        router.post(url__startswith="https://devops.cn-hangzhou.aliyuncs.com/").mock(
            side_effect=answer
        )
        async with AsyncClient(credentials=CREDENTIALS, **options) as client:
            urls = await asyncio.gather(
                *(
                    client.get_pipeline_emas_artifact_url(*IDS, service_connection_id=CONNECTION)
                    for _ in range(12)
                )
            )
        if yours:
            await options["http_client"].aclose()

    assert [url.request_id for url in urls] == [OK_BODY["requestId"]] * 12
    assert peak == (12 if yours else 3)


@pytest.mark.parametrize(
    ("limits", "admitted"),
    [
        (httpx.Limits(max_connections=10, max_keepalive_connections=4), 4),
        (httpx.Limits(max_connections=10, max_keepalive_connections=0), 10),
        (httpx.Limits(max_connections=None, max_keepalive_connections=5), 5),
    ],
    ids=["fewer kept alive", "none kept alive", "no bound on connections"],
)
async def test_async_calls_beyond_the_connections_kept_alive_wait_outside_httpx_pool(
    limits: httpx.Limits, admitted: int
) -> None:
    # A call beyond the connections the pool keeps alive would open a connection that is
    # closed after its one answer (a TLS handshake for every such call), and make httpcore's
    # walk of its connections longer: it waits in AsyncClient instead.
    import asyncio

    import respx

    inside = peak = 0

    async def answer(request: httpx.Request) -> httpx.Response:
        nonlocal inside, peak
        inside += 1
        peak = max(peak, inside)
        await asyncio.sleep(0.01)
        inside -= 1
        return httpx.Response(200, json=OK_BODY)

    with respx.mock(assert_all_called=True) as router:
        router.post(url__startswith="https://devops.cn-hangzhou.aliyuncs.com/").mock(
            side_effect=answer
        )
        async with AsyncClient(credentials=CREDENTIALS, limits=limits) as client:
            urls = await asyncio.gather(
                *(
                    client.get_pipeline_emas_artifact_url(*IDS, service_connection_id=CONNECTION)
                    for _ in range(16)
                )
            )
    assert [url.request_id for url in urls] == [OK_BODY["requestId"]] * 16
    assert peak == admitted
