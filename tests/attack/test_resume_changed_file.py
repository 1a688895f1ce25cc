"""A resume never mixes two versions of a file: when the artifact changes between the first
answer and a resumed range (a new build under the same URL), the download starts over from
byte 0 (``If-Range`` with the first answer's ETag, or Last-Modified; a changed ETag or size in
a 206 from a host that ignores it) and commits the new version whole, whether or not the md5
can verify it."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from attack_support import FAST, PLAIN_HTTP, FakeApi, credentials_for, drive, ids, success_answer
from e2e_support import _encode
from test_answer_shapes import URL, outcome, success
from yunxiao_emas import DownloadError

OLD = os.urandom(256 * 1024)
NEW = os.urandom(256 * 1024)
NEW_LONGER = NEW + os.urandom(1024)
CUT = 100 * 1024


class Cut(Exception):
    """Ends an answer half-way: the server closes the connection."""


class ChangingFileHost:
    """The first answer is ``OLD``, cut at :data:`CUT`; from then on the file is ``new``.

    ``honours_if_range``: a resumed range with an If-Range of the old version gets the new file
    whole (200), as RFC 9110 says; else the host answers the range of the new file (206).
    ``validator``: "etag", "last-modified", or "none" (only the size tells the change)."""

    def __init__(self, new: bytes, honours_if_range: bool, validator: str) -> None:
        self.new = new
        self.honours_if_range = honours_if_range
        self.validator = validator
        self.requests: list[dict[str, str]] = []

    def validators(self, version: bytes) -> dict[str, str]:
        tag = hashlib.md5(version, usedforsecurity=False).hexdigest()
        if self.validator == "etag":
            return {"etag": f'"{tag}"'}
        if self.validator == "last-modified":
            day = "Mon, 01 Dec 2026" if version is OLD else "Tue, 02 Dec 2026"
            return {"last-modified": f"{day} 10:00:00 GMT"}
        return {}

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        headers = {k.decode().lower(): v.decode() for k, v in scope["headers"]}
        self.requests.append(headers)
        version = OLD if len(self.requests) == 1 else self.new
        first, _, last = headers.get("range", "bytes=0-").removeprefix("bytes=").partition("-")
        start = int(first)
        end = int(last) if last else len(version) - 1
        whole = "range" not in headers or (
            self.honours_if_range
            and headers.get("if-range") not in (None, *self.validators(version).values())
        )
        if whole:
            start, end, status, extra = 0, len(version) - 1, 200, {}
        else:
            status = 206
            extra = {"content-range": f"bytes {start}-{end}/{len(version)}"}
        response = {
            "content-type": "application/octet-stream",
            "content-length": str(end - start + 1),
            "accept-ranges": "bytes",
            **self.validators(version),
            **extra,
        }
        await send({"type": "http.response.start", "status": status, "headers": _encode(response)})
        body = version[start : end + 1]
        if version is OLD:
            await send({"type": "http.response.body", "body": body[:CUT], "more_body": True})
            raise Cut("the first answer is cut")
        await send({"type": "http.response.body", "body": body})


CASES = {
    "compliant host, ETag": (NEW, True, "etag"),
    "compliant host, Last-Modified": (NEW, True, "last-modified"),
    "host ignoring If-Range, ETag": (NEW, False, "etag"),
    "host ignoring If-Range, Last-Modified": (NEW, False, "last-modified"),
    "no validator, another size": (NEW_LONGER, False, "none"),
}


@pytest.mark.parametrize("md5_kind", ["hex", "not-hex"])
@pytest.mark.parametrize("case", list(CASES.values()), ids=list(CASES))
def test_a_file_changed_between_resumes_is_downloaded_again_whole(
    api: str,
    flavour: str,
    case: tuple[bytes, bool, str],
    md5_kind: str,
    mount: Callable[[Any], str],
    tmp_path: Path,
    quiet_logs: None,
) -> None:
    new, honours, validator = case
    host = ChangingFileHost(new, honours, validator)
    fake = FakeApi(lambda _: success_answer(api, f"{base_url}/files/app.apk"), files=host)
    base_url = mount(fake)
    md5 = hashlib.md5(new, usedforsecurity=False).hexdigest() if md5_kind == "hex" else "assasas"
    options = {
        "credentials": credentials_for(api),
        "endpoint": base_url,
        "retries": FAST,
        "verify": PLAIN_HTTP,
    }

    done = drive(
        flavour,
        options,
        lambda c: c.download_pipeline_emas_artifact(**ids(md5), dest=tmp_path / "app.apk"),
    )

    assert (tmp_path / "app.apk").read_bytes() == new
    assert done.size == len(new)
    if validator != "none":
        assert host.requests[1].get("if-range") == next(iter(host.validators(OLD).values()))


# --- sizes are checked whether or not the md5 can verify ------------------------------------

WRONG_SIZES = {
    # A body without a Content-Length is close-delimited: whole, as far as the client can see.
    "no size, cut": (200, {}, OLD[:CUT]),
    "Content-Length: 0": (200, {"content-length": "0"}, b""),
    "lying Content-Range": (206, {"content-range": f"bytes 0-{len(OLD)}/{len(OLD) + 1}"}, OLD),
}


@pytest.mark.parametrize("md5_kind", ["hex", "not-hex"])
@pytest.mark.parametrize("answer", list(WRONG_SIZES.values()), ids=list(WRONG_SIZES))
def test_a_file_of_a_wrong_or_unknown_size_is_never_committed(
    api: str, flavour: str, answer: tuple[int, dict[str, str], bytes], md5_kind: str, tmp_path: Path
) -> None:
    status, extra, body = answer
    headers = {"content-type": "application/octet-stream", **extra}
    api_answer = success(api, URL)

    def respond(request: httpx.Request) -> httpx.Response:
        if request.url.host == httpx.URL(URL).host:
            return httpx.Response(status, headers=headers, stream=httpx.ByteStream(body))
        return api_answer(request)

    md5 = hashlib.md5(OLD, usedforsecurity=False).hexdigest() if md5_kind == "hex" else "assasas"

    result, _ = outcome(api, flavour, respond, dest=tmp_path / "app.apk", md5=md5)

    assert isinstance(result, DownloadError), result
    assert list(tmp_path.iterdir()) == []
