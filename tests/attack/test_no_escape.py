"""Nothing of httpx escapes: whatever the API or the file host answers, a call ends in a
result or one ``YunxiaoError``, and the command line tool prints one line with a documented
exit code, never a traceback.

httpx builds the next request of every 3xx it receives, followed or not; a ``Location`` it
cannot parse raised ``httpx.InvalidURL``, which is no ``httpx.RequestError``, out of both
clients.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from attack_support import (
    FAST,
    PLAIN_HTTP,
    Answer,
    FakeApi,
    cli_env,
    cli_ids,
    credentials_for,
    drive,
    ids,
    run_cli,
    success_answer,
)
from e2e_support import respond
from yunxiao_emas import DownloadError, TransportError, YunxiaoError

UNUSABLE_LOCATIONS = [
    "javascript:alert(1)",
    "mailto:someone@example.com",
    "http://[::1",
    "data:text/html,<script>alert(1)</script>",
    "http://exa\x01mple.com/",
]


def moved_to(location: str) -> Answer:
    return Answer(302, {"location": location}, b"")


def options(api: str, base_url: str) -> dict[str, Any]:
    return {
        "credentials": credentials_for(api),
        "endpoint": base_url,
        "retries": FAST,
        "verify": PLAIN_HTTP,
    }


@pytest.mark.parametrize("location", UNUSABLE_LOCATIONS)
def test_api_redirect_to_an_unusable_location_is_a_transport_error(
    api: str, flavour: str, location: str, mount: Callable[[Any], str]
) -> None:
    base_url = mount(FakeApi(moved_to(location)))

    with pytest.raises(YunxiaoError) as caught:
        drive(flavour, options(api, base_url), lambda c: c.get_pipeline_emas_artifact_url(**ids()))

    assert isinstance(caught.value, TransportError)
    assert "location" in str(caught.value).lower()


class RedirectingFiles:
    """A file host whose every answer is a 302 to ``location``."""

    def __init__(self, location: str) -> None:
        self.location = location

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        await respond(send, 302, {"location": self.location}, b"")


@pytest.mark.parametrize("location", UNUSABLE_LOCATIONS[:3])
def test_file_host_redirect_to_an_unusable_location_is_a_download_error(
    api: str, flavour: str, location: str, mount: Callable[[Any], str], tmp_path: Path
) -> None:
    fake = FakeApi(lambda _: success_answer(api, f"{base_url}/files/app.apk"))
    fake.files = RedirectingFiles(location)
    base_url = mount(fake)
    dest = tmp_path / "app.apk"

    with pytest.raises(YunxiaoError) as caught:
        drive(
            flavour,
            options(api, base_url),
            lambda c: c.download_pipeline_emas_artifact(**ids(), dest=dest),
        )

    assert isinstance(caught.value, DownloadError)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("as_json", [False, True])
@pytest.mark.parametrize("command", ["url", "download"])
def test_cli_with_an_unusable_api_redirect_prints_one_line_and_exits_4(
    api: str, command: str, as_json: bool, mount: Callable[[Any], str], home: Path
) -> None:
    base_url = mount(FakeApi(moved_to("javascript:alert(1)")))
    extra = ["--output", str(home / "out.apk")] if command == "download" else []

    run = run_cli(
        command,
        *cli_ids(),
        *extra,
        "--endpoint",
        base_url,
        "--retries",
        "0",
        *(["--json"] if as_json else []),
        home=home,
        env=cli_env(api),
    )

    assert run.returncode == 4, run.output
    assert "Traceback" not in run.output
    if as_json:
        assert run.stdout.count("\n") == 1
        assert '"exit_code": 4' in run.stdout
    else:
        assert len(run.stderr.strip().splitlines()) == 1, run.stderr
