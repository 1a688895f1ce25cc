"""The download's progress bar as a terminal shows it: the command runs with stderr on a
pseudo-terminal of a given width, and what it drew is read back.

The bar is transient (erased when the download ends, however it ends) and fits a narrow
terminal without wrapping or cutting the sizes.
"""

from __future__ import annotations

import fcntl
import os
import pty
import re
import select
import struct
import subprocess
import sys
import termios
from collections.abc import Callable
from pathlib import Path

from e2e_support import CREDENTIALS, Emulated, ids_args

CONTROL_SEQUENCE = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
ERASE_LINE = "\x1b[2K"


def download_on_a_terminal(emulator: Emulated, output: Path, columns: int) -> tuple[int, str, str]:
    """Run ``yunxiao-emas download`` with stderr on a terminal ``columns`` wide: its exit
    code, stdout, and what it drew on the terminal."""
    master, terminal = pty.openpty()
    fcntl.ioctl(terminal, termios.TIOCSWINSZ, struct.pack("HHHH", 24, columns, 0, 0))
    env = {
        name: value
        for name, value in os.environ.items()
        if "ALIBABA_CLOUD" not in name and "YUNXIAO" not in name
    }
    env.update(
        {
            "ALIBABA_CLOUD_ACCESS_KEY_ID": CREDENTIALS.access_key_id,
            "ALIBABA_CLOUD_ACCESS_KEY_SECRET": CREDENTIALS.access_key_secret,
            "COLUMNS": str(columns),
            "NO_COLOR": "1",
            "HOME": str(output.parent),
        }
    )
    args = ["download", "--endpoint", emulator.base_url, *ids_args(emulator), "-o", f"{output}/"]
    process = subprocess.Popen(
        [sys.executable, "-m", "yunxiao_emas.cli", *args],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=terminal,
        env=env,
    )
    os.close(terminal)
    drawn = bytearray()
    try:
        while select.select([master], [], [], 60)[0]:
            try:
                chunk = os.read(master, 65536)
            except OSError:  # the command closed the terminal: it has ended
                break
            if not chunk:
                break
            drawn += chunk
    finally:
        os.close(master)
    assert process.stdout is not None
    stdout = process.stdout.read().decode()
    process.stdout.close()
    return process.wait(timeout=60), stdout, drawn.decode(errors="replace")


def visible_segments(drawn: str) -> list[str]:
    """Each line or redraw of the terminal, without its control sequences."""
    return [
        segment
        for segment in re.split(r"[\r\n]", CONTROL_SEQUENCE.sub("", drawn))
        if segment.strip()
    ]


def test_the_bar_fits_a_50_column_terminal_whole_sizes_included(
    emulate: Callable[..., Emulated], tmp_path: Path
) -> None:
    emulator = emulate(filename="a-long-name-of-the-release-build-of-the-app.apk")

    code, _, drawn = download_on_a_terminal(emulator, tmp_path / "out", columns=50)

    assert code == 0
    segments = visible_segments(drawn)
    assert any("96.0/96.0 KiB" in segment for segment in segments), segments
    assert all(len(segment) <= 50 for segment in segments), segments


def test_the_bar_is_erased_when_the_download_ends(emulator: Emulated, tmp_path: Path) -> None:
    code, stdout, drawn = download_on_a_terminal(emulator, tmp_path / "out", columns=100)

    assert code == 0
    assert "verified" in stdout
    assert visible_segments(drawn), "the bar was never drawn"
    assert ERASE_LINE in drawn
    assert visible_segments(drawn.rsplit(ERASE_LINE, 1)[1]) == []


def test_a_skipped_download_leaves_no_bar(emulator: Emulated, tmp_path: Path) -> None:
    download_on_a_terminal(emulator, tmp_path / "out", columns=100)

    code, stdout, drawn = download_on_a_terminal(emulator, tmp_path / "out", columns=100)

    assert code == 0
    assert "skipped, nothing downloaded" in stdout
    assert visible_segments(drawn.rsplit(ERASE_LINE, 1)[-1]) == []
