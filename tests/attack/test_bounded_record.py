"""What the emulator keeps of the requests it answers is bounded: the last 10,000 calls, each
path cut at 1,024 characters, the older calls counted as dropped (``calls.dropped``, and
``"dropped"`` in the control API's ``GET /_emulator/calls``), whatever the requests are
(unauthenticated too, of either API, with 60 KB paths)."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
from attack_support import SIGNED_PATH_PREFIX, TOKEN_PATH, new_service, peak_rss_growth
from yunxiao_emas.testing import EmulatedService

LIMIT = 10_000
LONG = "x" * 60_000


async def flood(service: EmulatedService, count: int, long: bool = False) -> dict[str, Any]:
    """``count`` unauthenticated requests, of the signed and the token API in turn; then the
    control API's answer to ``GET /_emulator/calls``."""
    tail = f"{LONG}/" if long else ""
    transport = httpx.ASGITransport(app=service.asgi_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as http:
        for n in range(count):
            if n % 2:
                await http.post(f"{SIGNED_PATH_PREFIX}{tail}{n}")
            else:
                await http.get(f"{TOKEN_PATH}/{tail}{n}")
        answer: dict[str, Any] = (await http.get("/_emulator/calls")).json()
        return answer


@pytest.fixture(scope="module")
def flooded() -> tuple[EmulatedService, dict[str, Any]]:
    service = new_service()
    return service, asyncio.run(flood(service, LIMIT + 500))


def test_the_record_keeps_the_last_calls_and_counts_the_dropped(
    flooded: tuple[EmulatedService, dict[str, Any]],
) -> None:
    service, _ = flooded

    assert len(service.calls) <= LIMIT
    assert service.calls.dropped + len(service.calls) == LIMIT + 500
    assert service.calls[-1].path.endswith(f"/{LIMIT + 499}")


def test_the_control_api_reports_the_dropped_calls(
    flooded: tuple[EmulatedService, dict[str, Any]],
) -> None:
    service, answer = flooded

    assert answer["dropped"] == service.calls.dropped > 0
    assert len(answer["calls"]) == len(service.calls)


def test_long_paths_of_both_apis_are_kept_cut_and_memory_stays_flat() -> None:
    service = new_service()

    with peak_rss_growth() as growth:
        asyncio.run(flood(service, 800, long=True))

    assert all(len(call.path) <= 1024 for call in service.calls)
    assert {call.path[:14] for call in service.calls} == {
        SIGNED_PATH_PREFIX[:14],
        TOKEN_PATH[:14],
    }
    assert service.calls[0].path.endswith("…")
    assert growth[0] < 20 * 1024 * 1024  # uncut: 800 x 60 KB = 48 MB
