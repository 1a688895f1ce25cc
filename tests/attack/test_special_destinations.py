"""A destination that exists and is neither a regular file nor a directory (a FIFO, a socket,
a character device such as a copy of /dev/null) is refused, overwrite or not, and never
replaced or written into: before any I/O when it is the path given, and before any byte is
written when the file host's name leads to it. Nothing hangs on a FIFO."""

from __future__ import annotations

import os
import socket
import stat
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from attack_support import Target, cli_env, cli_ids, run_cli
from yunxiao_emas import DownloadError, InvalidArgumentError

KINDS = ["fifo", "socket"] + (["char-device"] if os.geteuid() == 0 else [])
TEST_IS = {"fifo": stat.S_ISFIFO, "socket": stat.S_ISSOCK, "char-device": stat.S_ISCHR}


@pytest.fixture
def make_special() -> Iterator[Callable[[Path, str], Path]]:
    sockets: list[socket.socket] = []

    def make(path: Path, kind: str) -> Path:
        if kind == "fifo":
            os.mkfifo(path)
        elif kind == "socket":
            listener = socket.socket(socket.AF_UNIX)
            listener.bind(str(path))
            sockets.append(listener)
        else:  # a node like /dev/null (major 1, minor 3), never the real one
            os.mknod(path, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
        return path

    yield make
    for listener in sockets:
        listener.close()


def still(path: Path, kind: str) -> bool:
    return TEST_IS[kind](os.lstat(path).st_mode)


@pytest.mark.parametrize("overwrite", [False, True])
@pytest.mark.parametrize("kind", KINDS)
def test_a_special_destination_is_refused_before_any_request(
    target: Target,
    flavour: str,
    kind: str,
    overwrite: bool,
    tmp_path: Path,
    make_special: Callable[[Path, str], Path],
) -> None:
    dest = make_special(tmp_path / "app.apk", kind)

    with pytest.raises(InvalidArgumentError) as caught:
        target.download(flavour, dest, download={"overwrite": overwrite})

    assert caught.value.parameter == "dest"
    assert target.service.calls == []
    assert still(dest, kind)


@pytest.mark.parametrize("overwrite", [False, True])
@pytest.mark.parametrize("kind", KINDS)
def test_a_special_node_under_the_file_hosts_name_is_refused_and_kept(
    target: Target,
    flavour: str,
    kind: str,
    overwrite: bool,
    tmp_path: Path,
    make_special: Callable[[Path, str], Path],
) -> None:
    node = make_special(tmp_path / "app-release.apk", kind)  # the name the file host gives

    with pytest.raises(DownloadError):
        target.download(flavour, tmp_path, download={"overwrite": overwrite})

    assert still(node, kind)
    assert sorted(os.listdir(tmp_path)) == ["app-release.apk"]


@pytest.mark.parametrize("kind", KINDS)
def test_cli_download_to_a_special_node_with_overwrite_is_one_line_and_exit_2(
    target: Target, kind: str, home: Path, make_special: Callable[[Path, str], Path]
) -> None:
    node = make_special(home / "null", kind)

    run = run_cli(
        "download",
        *cli_ids(),
        "--endpoint",
        target.base_url,
        "--output",
        str(node),
        "--overwrite",
        home=home,
        env=cli_env(target.api),
    )

    assert run.returncode == 2, run.output
    assert len(run.stderr.strip().splitlines()) == 1
    assert still(node, kind)
