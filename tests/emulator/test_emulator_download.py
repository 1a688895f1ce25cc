"""The artifact's pre-signed URL and the emulator's own file host behind it."""

from __future__ import annotations

import hashlib
from urllib.parse import parse_qs, quote, urlsplit

import httpx
import pytest
from emulator_support import (
    CONNECTION,
    CONTENT,
    FILENAME,
    JOB,
    ORG,
    PIPELINE,
    RUN,
    api_path,
    in_process_client,
)
from yunxiao_emas.auth.acs3 import AcsV3Auth
from yunxiao_emas.testing import EmulatedService

PARAMS = {"serviceConnectionId": CONNECTION}
SIZE = len(CONTENT)
MD5 = hashlib.md5(CONTENT, usedforsecurity=False).hexdigest()


@pytest.fixture
async def file_url(api: httpx.AsyncClient, md5: str) -> str:
    response = await api.post(api_path(md5=md5), params=PARAMS)
    return str(response.json()["fileUrl"])


def xml_code(response: httpx.Response) -> str:
    return response.text.split("<Code>")[1].split("</Code>")[0]


# --- the URL ------------------------------------------------------------------------------------


async def test_file_url_is_on_the_host_the_request_was_sent_to(file_url: str) -> None:
    assert file_url.startswith("http://emulator.test/emas-artifacts/")
    assert urlsplit(file_url).path.endswith(f"/{FILENAME}")


def test_file_url_follows_the_port_the_server_listens_on(
    http_api: httpx.Client, served: str, md5: str
) -> None:
    response = http_api.post(api_path(md5=md5), params=PARAMS)

    assert response.json()["fileUrl"].startswith(f"{served}/emas-artifacts/")


async def test_file_url_expires_in_one_hour_by_default(
    file_url: str, service: EmulatedService
) -> None:
    expires = int(parse_qs(urlsplit(file_url).query)["Expires"][0])

    assert expires == pytest.approx(service.now() + 3600, abs=2)


async def test_url_ttl_sets_the_expiry(
    api: httpx.AsyncClient, service: EmulatedService, md5: str
) -> None:
    service.url_ttl = 60
    response = await api.post(api_path(md5=md5), params=PARAMS)

    expires = int(parse_qs(urlsplit(response.json()["fileUrl"]).query)["Expires"][0])
    assert expires == pytest.approx(service.now() + 60, abs=2)


# --- GET and HEAD -----------------------------------------------------------------------------


async def test_get_serves_the_artifact(api: httpx.AsyncClient, file_url: str) -> None:
    response = await api.get(file_url)

    assert response.status_code == 200
    assert response.content == CONTENT


async def test_get_sends_length_etag_and_attachment_headers(
    api: httpx.AsyncClient, file_url: str
) -> None:
    response = await api.get(file_url)

    assert response.headers["content-length"] == str(SIZE)
    assert response.headers["etag"] == f'"{MD5}"'
    assert response.headers["accept-ranges"] == "bytes"
    assert response.headers["content-disposition"] == f'attachment; filename="{FILENAME}"'


async def test_download_is_not_signed_by_the_api_key(api: httpx.AsyncClient, file_url: str) -> None:
    response = await api.get(file_url, auth=None)

    assert response.status_code == 200


async def test_head_sends_the_headers_without_the_body(
    api: httpx.AsyncClient, file_url: str
) -> None:
    response = await api.head(file_url)

    assert response.status_code == 200
    assert response.headers["content-length"] == str(SIZE)
    assert response.content == b""


async def test_non_ascii_filename_is_given_as_filename_star(
    api: httpx.AsyncClient, service: EmulatedService
) -> None:
    md5 = service.add_artifact(ORG, PIPELINE, RUN, "job-2", b"x", filename="应用 1.apk")
    response = await api.post(api_path(job="job-2", md5=md5), params=PARAMS)

    download = await api.get(response.json()["fileUrl"])

    assert download.headers["content-disposition"] == (
        "attachment; filename=\"__ 1.apk\"; filename*=UTF-8''%E5%BA%94%E7%94%A8%201.apk"
    )


# --- Range --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "start", "end"),
    [("bytes=0-99", 0, 99), ("bytes=100-", 100, SIZE - 1), ("bytes=-10", SIZE - 10, SIZE - 1)],
)
async def test_range_is_answered_with_partial_content(
    api: httpx.AsyncClient, file_url: str, header: str, start: int, end: int
) -> None:
    response = await api.get(file_url, headers={"Range": header})

    assert response.status_code == 206
    assert response.headers["content-range"] == f"bytes {start}-{end}/{SIZE}"
    assert response.content == CONTENT[start : end + 1]


async def test_range_past_the_end_is_clamped(api: httpx.AsyncClient, file_url: str) -> None:
    response = await api.get(file_url, headers={"Range": f"bytes=10-{SIZE * 2}"})

    assert response.headers["content-range"] == f"bytes 10-{SIZE - 1}/{SIZE}"


@pytest.mark.parametrize("header", [f"bytes={SIZE}-", "bytes=-0"])
async def test_unsatisfiable_range_is_416(
    api: httpx.AsyncClient, file_url: str, header: str
) -> None:
    response = await api.get(file_url, headers={"Range": header})

    assert response.status_code == 416
    assert response.headers["content-range"] == f"bytes */{SIZE}"


@pytest.mark.parametrize(
    "header",
    [
        "bytes=0-1,5-6",
        "items=0-1",
        "bytes=9-1",
        "bytes=a-b",
        "bytes=\u00b9-\u00b2",  # superscript digits: str.isdigit says yes, int says no
        "bytes=" + "9" * 4301 + "-",  # more digits than int() takes
        "bytes=-",
        "bytes=5-2",
    ],
    ids=["many", "unit", "reversed", "letters", "superscripts", "4301 digits", "dash", "5-2"],
)
async def test_range_the_host_does_not_serve_gets_the_whole_file(
    api: httpx.AsyncClient, file_url: str, header: str
) -> None:
    # Latin-1 on the wire, as the server reads header bytes: "\u00b9" arrives as itself.
    response = await api.get(file_url, headers={"Range": header.encode("latin-1")})

    assert response.status_code == 200
    assert response.content == CONTENT


async def test_range_with_a_stale_if_range_gets_the_whole_file(
    api: httpx.AsyncClient, file_url: str
) -> None:
    response = await api.get(file_url, headers={"Range": "bytes=0-9", "If-Range": '"other"'})

    assert response.status_code == 200


async def test_range_with_the_current_if_range_is_partial(
    api: httpx.AsyncClient, file_url: str
) -> None:
    response = await api.get(file_url, headers={"Range": "bytes=0-9", "If-Range": f'"{MD5}"'})

    assert response.status_code == 206


# --- expiry and tampering -----------------------------------------------------------------------


async def test_url_past_its_expiry_is_403(
    api: httpx.AsyncClient, service: EmulatedService, file_url: str
) -> None:
    service.advance_clock(3601)

    response = await api.get(file_url)

    assert response.status_code == 403
    assert "Request has expired" in response.text


async def test_expire_urls_makes_issued_urls_answer_403(
    api: httpx.AsyncClient, service: EmulatedService, file_url: str
) -> None:
    service.expire_urls()

    response = await api.get(file_url)

    assert (response.status_code, xml_code(response)) == (403, "AccessDenied")


async def test_url_issued_after_expire_urls_works_even_in_the_same_second() -> None:
    service = EmulatedService(now=lambda: 1_800_000_000.0)
    md5 = service.add_artifact(ORG, PIPELINE, RUN, JOB, CONTENT)
    auth = AcsV3Auth(service.default_credentials, clock=service.now)
    async with in_process_client(service, auth) as api:
        stale = (await api.post(api_path(md5=md5), params=PARAMS)).json()["fileUrl"]
        service.expire_urls()
        fresh = (await api.post(api_path(md5=md5), params=PARAMS)).json()["fileUrl"]

        statuses = [(await api.get(url)).status_code for url in (stale, fresh)]

    assert statuses == [403, 200]


@pytest.mark.parametrize(
    "tamper",
    [
        pytest.param(lambda url: url.replace("Expires=", "Expires=9"), id="expires"),
        pytest.param(lambda url: url.replace("Signature=", "Signature=A"), id="signature"),
        pytest.param(lambda url: url.replace(FILENAME, "other.apk"), id="filename"),
    ],
)
async def test_tampered_url_is_403(api: httpx.AsyncClient, file_url: str, tamper: object) -> None:
    assert callable(tamper)

    response = await api.get(tamper(file_url))

    assert (response.status_code, xml_code(response)) == (403, "SignatureDoesNotMatch")


@pytest.mark.parametrize(
    "expires",
    ["\u00b9\u00b2\u00b3", "9" * 4301, "-1", ""],
    ids=["superscripts", "4301", "neg", "empty"],
)
async def test_a_malformed_expires_is_403_not_a_server_error(
    api: httpx.AsyncClient, file_url: str, expires: str
) -> None:
    head, _, query = file_url.partition("?")
    signature = query.partition("&Signature=")[2]
    tampered = f"{head}?Expires={quote(expires)}&Signature={signature}"

    response = await api.get(tampered)

    assert response.status_code == 403


async def test_url_without_its_signature_is_403(api: httpx.AsyncClient, file_url: str) -> None:
    response = await api.get(file_url.split("?")[0])

    assert (response.status_code, xml_code(response)) == (403, "AccessDenied")


async def test_error_of_the_file_host_is_an_oss_like_xml_body(
    api: httpx.AsyncClient, service: EmulatedService, file_url: str
) -> None:
    service.expire_urls()

    response = await api.get(file_url)

    assert response.headers["content-type"] == "application/xml"
    assert response.text.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<Error>')
    assert "<RequestId>" in response.text
    assert "<HostId>emulator.test</HostId>" in response.text


# --- download faults ----------------------------------------------------------------------------


def served_url(http_api: httpx.Client, md5: str) -> str:
    return str(http_api.post(api_path(md5=md5), params=PARAMS).json()["fileUrl"])


def test_drop_download_after_cuts_the_body_at_the_offset(
    http_api: httpx.Client, service: EmulatedService, md5: str
) -> None:
    url = served_url(http_api, md5)
    service.drop_download_after(1000)
    received = bytearray()

    def read_all() -> None:
        with http_api.stream("GET", url, auth=None) as response:
            for chunk in response.iter_raw():
                received.extend(chunk)

    with pytest.raises(httpx.RemoteProtocolError):
        read_all()

    assert bytes(received) == CONTENT[:1000]


def test_download_resumed_with_range_after_a_drop_gets_the_rest(
    http_api: httpx.Client, service: EmulatedService, md5: str
) -> None:
    url = served_url(http_api, md5)
    service.drop_download_after(1000)
    with pytest.raises(httpx.RemoteProtocolError):
        http_api.get(url)

    rest = http_api.get(url, headers={"Range": "bytes=1000-"})

    assert rest.status_code == 206
    assert rest.content == CONTENT[1000:]


def test_drop_download_after_is_recorded_as_a_cut_call(
    http_api: httpx.Client, service: EmulatedService, md5: str
) -> None:
    url = served_url(http_api, md5)
    service.drop_download_after(10)
    with pytest.raises(httpx.RemoteProtocolError):
        http_api.get(url)

    assert service.download_calls[-1].status is None


async def test_corrupt_next_download_flips_the_first_byte_once(
    api: httpx.AsyncClient, service: EmulatedService, file_url: str
) -> None:
    service.corrupt_next_download()

    corrupted = await api.get(file_url)
    clean = await api.get(file_url)

    assert corrupted.content[0] == CONTENT[0] ^ 0xFF
    assert corrupted.content[1:] == CONTENT[1:]
    assert clean.content == CONTENT


async def test_head_does_not_use_up_a_download_fault(
    api: httpx.AsyncClient, service: EmulatedService, file_url: str
) -> None:
    service.corrupt_next_download()
    await api.head(file_url)

    response = await api.get(file_url)

    assert response.content != CONTENT


async def test_large_artifact_is_sent_in_bounded_chunks(service: EmulatedService) -> None:
    content = bytes(5 * 1024 * 1024)
    md5 = service.add_artifact(ORG, PIPELINE, RUN, JOB, content)
    body_sizes: list[int] = []

    async def send(message: dict[str, object]) -> None:
        if message["type"] == "http.response.body":
            body = message.get("body", b"")
            assert isinstance(body, bytes)
            body_sizes.append(len(body))

    async def receive() -> dict[str, object]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async with in_process_client(service, AcsV3Auth(service.default_credentials)) as client:
        url = urlsplit((await client.post(api_path(md5=md5), params=PARAMS)).json()["fileUrl"])
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": url.path,
        "raw_path": url.path.encode(),
        "query_string": url.query.encode(),
        "headers": [(b"host", b"emulator.test")],
        "server": ("emulator.test", 80),
    }

    await service.asgi_app(scope, receive, send)

    assert sum(body_sizes) == len(content)
    assert max(body_sizes) <= 256 * 1024
