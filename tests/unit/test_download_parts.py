"""The parts of a ranged download (sans network): planned over the file, taken in order, given
back when unfinished, written at their offsets in any order, hashed over the whole file in
order."""

from __future__ import annotations

import hashlib
import itertools
import os
import random
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from yunxiao_emas._download.answers import Restart, classify
from yunxiao_emas._download.parts import Part, Parts

CONTENT = os.urandom(10 * 1000 + 7)
PART = 1000


@pytest.fixture
def fd(tmp_path: Path) -> Iterator[int]:
    descriptor = os.open(tmp_path / "file.part", os.O_RDWR | os.O_CREAT)
    yield descriptor
    os.close(descriptor)


def write_all(parts: Parts, part: Part, piece: int = 300) -> None:
    while not part.done:
        parts.write(part, CONTENT[part.pos : min(part.pos + piece, part.end)])


def test_the_parts_cover_the_file_without_gap_or_overlap(fd: int) -> None:
    parts = Parts(fd, len(CONTENT), PART)
    try:
        spans = [(part.start, part.end) for part in parts.parts]
        assert spans[0][0] == 0
        assert spans[-1][1] == len(CONTENT)
        assert all(a[1] == b[0] for a, b in itertools.pairwise(spans))
        assert all(end - start <= PART for start, end in spans)
    finally:
        parts.stop()


def test_parts_are_taken_in_file_order_and_none_twice(fd: int) -> None:
    parts = Parts(fd, len(CONTENT), PART)
    try:
        taken = []
        while (part := parts.take()) is not None:
            taken.append(part.start)
        assert taken == sorted(taken)
        assert len(taken) == len(set(taken)) == len(parts.parts)
    finally:
        parts.stop()


def test_an_unfinished_part_given_back_is_taken_next_from_where_it_stopped(fd: int) -> None:
    parts = Parts(fd, len(CONTENT), PART)
    try:
        first = parts.take()
        assert first is not None
        parts.write(first, CONTENT[:400])
        parts.give_back(first)
        again = parts.take()
        assert again is first
        assert again.request_headers()["range"] == f"bytes=400-{PART - 1}"
    finally:
        parts.stop()


def test_a_finished_part_given_back_is_not_taken_again(fd: int) -> None:
    parts = Parts(fd, len(CONTENT), PART)
    try:
        first = parts.take()
        assert first is not None
        write_all(parts, first)
        parts.give_back(first)
        second = parts.take()
        assert second is not None
        assert second.start == PART
    finally:
        parts.stop()


def test_written_in_any_order_the_md5_is_the_whole_files_in_order(fd: int) -> None:
    parts = Parts(fd, len(CONTENT), PART)
    order = list(parts.parts)
    random.Random(7).shuffle(order)
    for part in order:
        write_all(parts, part, piece=random.Random(part.start).randint(1, 700))

    assert parts.finish() == hashlib.md5(CONTENT, usedforsecurity=False).hexdigest()
    assert os.pread(fd, len(CONTENT) + 10, 0) == CONTENT
    assert parts.complete()


def test_written_from_several_threads_the_md5_is_the_whole_files(fd: int) -> None:
    parts = Parts(fd, len(CONTENT), PART)

    def connection() -> None:
        while (part := parts.take()) is not None:
            write_all(parts, part, piece=128)

    threads = [threading.Thread(target=connection) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert parts.finish() == hashlib.md5(CONTENT, usedforsecurity=False).hexdigest()


def test_more_bytes_than_a_part_holds_stay_out_of_the_next_part(fd: int) -> None:
    parts = Parts(fd, len(CONTENT), PART)
    try:
        second = parts.parts[1]
        parts.write(parts.parts[0], CONTENT[:PART] + b"X" * 50)  # 50 bytes too many
        assert parts.parts[0].done
        assert second.pos == second.start
        assert os.pread(fd, 60, PART) == b""  # nothing written past the part
    finally:
        parts.stop()


def answer(status: int, content_range: str | None) -> httpx.Response:
    headers = {"content-range": content_range} if content_range else {}
    return httpx.Response(status, headers=headers)


@pytest.mark.parametrize(
    ("status", "content_range", "accepted"),
    [
        (206, "bytes 1000-1999/10007", True),
        (206, "bytes 0-1999/10007", False),  # another range than asked
        (206, None, False),
        (200, None, False),  # the host ignored Range
        (206, "bytes 1000-1999/*", True),
    ],
)
def test_only_the_206_of_the_range_asked_for_is_accepted(
    fd: int, status: int, content_range: str | None, accepted: bool
) -> None:
    # The one classifier of the file host's answers judges a part's as a whole file's.
    parts = Parts(fd, len(CONTENT), PART)
    try:
        part = parts.parts[1]
        if accepted:
            classify(answer(status, content_range), part.pos, refreshes=0)
        else:
            with pytest.raises(Restart):
                classify(answer(status, content_range), part.pos, refreshes=0)
    finally:
        parts.stop()
