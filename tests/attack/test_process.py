"""The command line tool as a process: stopped by a signal (Ctrl+C's SIGINT, or SIGTERM, which
CI runners, ``timeout`` and ``docker stop`` send) it cleans up and exits 128 + the signal, with
``--json`` still one JSON object; a standard output it cannot write (``> /dev/full``) is one
line on stderr and exit 6, never a traceback; boolean variables read one way everywhere.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from attack_support import (
    CONTENT,
    FakeApi,
    Target,
    cli_env,
    cli_ids,
    run_cli,
    success_answer,
)
from e2e_support import StallingFileHost


def cli_process(args: list[str], home: Path, env: dict[str, str], **popen: Any) -> Any:
    environment = {
        name: value
        for name, value in os.environ.items()
        if "ALIBABA_CLOUD" not in name and "YUNXIAO" not in name
    }
    environment.update({"HOME": str(home), "PYTHONUNBUFFERED": "1", "NO_COLOR": "1", **env})
    return subprocess.Popen(
        [sys.executable, "-m", "yunxiao_emas.cli", *args],
        env=environment,
        cwd=home,
        text=True,
        **popen,
    )


def wait_for(condition: Callable[[], bool], seconds: float = 30) -> None:
    end = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < end, "the condition never held"
        time.sleep(0.02)


@pytest.mark.parametrize("as_json", [False, True], ids=["text", "json"])
@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_a_signal_mid_download_cleans_up_and_exits_128_plus_the_signal(
    api: str, signum: int, as_json: bool, mount: Callable[[Any], str], home: Path
) -> None:
    files = StallingFileHost(CONTENT, first=len(CONTENT) // 2)
    fake = FakeApi(lambda _: success_answer(api, f"{base_url}/files/app.apk"), files=files)
    base_url = mount(fake)
    out = home / "out"
    out.mkdir()
    args = [
        "download",
        *cli_ids(),
        "--endpoint",
        base_url,
        "--output",
        f"{out}/",
        "--quiet",
    ]
    process = cli_process(
        args + (["--json"] if as_json else []),
        home,
        cli_env(api),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        wait_for(lambda: any(os.scandir(out)))  # the partial file: mid-transfer
        process.send_signal(signum)
        stdout, stderr = process.communicate(timeout=30)
    finally:
        files.release()
        process.kill()

    assert process.returncode == 128 + signum, stderr
    assert os.listdir(out) == []
    assert "Traceback" not in stderr
    if as_json:
        report = json.loads(stdout)
        assert report["error"] == "Interrupted"
        assert report["exit_code"] == 128 + signum
    else:
        assert stdout == ""
        assert "interrupted" in stderr


@pytest.mark.parametrize("as_json", [False, True], ids=["text", "json"])
@pytest.mark.parametrize("command", ["url", "download"])
def test_a_full_standard_output_is_one_line_and_exit_6(
    target: Target, command: str, as_json: bool, home: Path
) -> None:
    extra = ["--output", str(home / "app.apk")] if command == "download" else []
    args = [command, *cli_ids(), "--endpoint", target.base_url, *extra]
    with open("/dev/full", "w") as full:
        process = cli_process(
            args + (["--json"] if as_json else []),
            home,
            cli_env(target.api),
            stdout=full,
            stderr=subprocess.PIPE,
        )
        _, stderr = process.communicate(timeout=60)

    assert process.returncode == 6, stderr
    assert stderr.strip().splitlines() == [
        "yunxiao-emas: cannot write to standard output: No space left on device"
    ]


@pytest.mark.parametrize("word", ["1", "true", "t", "yes", "y", "on", "TRUE", " Y "])
def test_every_true_word_turns_json_on_for_usage_errors_too(word: str, home: Path) -> None:
    run = run_cli("url", "--no-such-option", home=home, env={"YUNXIAO_EMAS_JSON": word})

    assert run.returncode == 2
    assert json.loads(run.stdout)["exit_code"] == 2


@pytest.mark.parametrize("word", ["0", "false", "f", "no", "n", "off", ""])
def test_every_false_word_keeps_usage_errors_text(word: str, home: Path) -> None:
    run = run_cli("url", "--no-such-option", home=home, env={"YUNXIAO_EMAS_JSON": word})

    assert run.returncode == 2
    assert run.stdout == ""
    assert "No such option" in run.stderr


@pytest.mark.parametrize("word", ["y", "t", "on"])
def test_a_true_word_turns_json_on_for_results_and_usage_errors_alike(
    target: Target, word: str, home: Path
) -> None:
    env = {**cli_env(target.api), "YUNXIAO_EMAS_JSON": word}

    run = run_cli("url", *cli_ids(), "--endpoint", target.base_url, home=home, env=env)

    assert run.returncode == 0, run.output
    assert json.loads(run.stdout)["url"].startswith(target.base_url)
