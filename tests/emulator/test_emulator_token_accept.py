"""The token API honours ``Accept``: a client that ranks ``text/plain`` above JSON gets the URL
as text, any other gets the configured form (JSON unless ``token_answers_as_text``), and the
control API switches that form at run time."""

from __future__ import annotations

import json

import httpx
import pytest
from emulator_support import CONNECTION, api_path, token_params, token_path
from yunxiao_emas.testing import EmulatedService

BASE_URL = "http://emulator.test"


def client(service: EmulatedService) -> httpx.AsyncClient:
    """A plain client of ``service`` in process, with the emulator's token."""
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=service.asgi_app),
        base_url=BASE_URL,
        headers={"x-yunxiao-token": service.default_token.token},
    )


async def get_url(service: EmulatedService, md5: str, accept: str | None) -> httpx.Response:
    headers = {} if accept is None else {"accept": accept}
    async with client(service) as http:
        return await http.get(token_path(), params=token_params(md5=md5), headers=headers)


def is_text(response: httpx.Response) -> bool:
    assert response.status_code == 200, response.text
    if response.headers["content-type"].startswith("text/plain"):
        assert response.text.startswith(f"{BASE_URL}/emas-artifacts/")
        return True
    assert json.loads(response.text).startswith(f"{BASE_URL}/emas-artifacts/")
    return False


@pytest.mark.parametrize(
    "accept",
    ["text/plain", "text/*", "text/plain, application/json;q=0.5", "application/json;q=0.1, */*"],
)
async def test_an_accept_that_prefers_text_gets_the_url_as_text(
    service: EmulatedService, md5: str, accept: str
) -> None:
    assert is_text(await get_url(service, md5, accept))


@pytest.mark.parametrize(
    "accept",
    [None, "*/*", "application/json", "application/json, text/plain", "text/plain;q=0.2, */*"],
)
async def test_any_other_accept_gets_the_configured_json(
    service: EmulatedService, md5: str, accept: str | None
) -> None:
    assert not is_text(await get_url(service, md5, accept))


@pytest.mark.parametrize("accept", [None, "application/json", "text/plain"])
async def test_configured_for_text_every_request_gets_text(
    service: EmulatedService, md5: str, accept: str | None
) -> None:
    service.token_answers_as_text = True

    assert is_text(await get_url(service, md5, accept))


async def test_the_control_api_switches_the_form_at_run_time(
    service: EmulatedService, md5: str
) -> None:
    async with client(service) as http:
        before = (await http.get("/_emulator/token-answer")).json()
        switched = await http.post("/_emulator/token-answer", json={"content_type": "text/plain"})
        as_text = await get_url(service, md5, "application/json")
        await http.post("/_emulator/token-answer", json={"content_type": "application/json"})
        as_json = await get_url(service, md5, "application/json")

    assert before == {"content_type": "application/json"}
    assert switched.json() == {"content_type": "text/plain"}
    assert is_text(as_text)
    assert not is_text(as_json)


@pytest.mark.parametrize(
    "body",
    [{"content_type": "text/html"}, {"content_type": "text/plain", "other": 1}, {}, []],
)
async def test_the_control_api_refuses_another_form_naming_the_ones_it_takes(
    service: EmulatedService, body: object
) -> None:
    async with client(service) as http:
        response = await http.post("/_emulator/token-answer", json=body)

    assert response.status_code == 400
    assert response.json()["error"] == "bad_request"
    assert (
        "application/json, text/plain" in response.json()["message"]
        or "JSON object" in (response.json()["message"])
    )
    assert service.token_answers_as_text is False


async def test_the_signed_api_answers_json_whatever_the_accept(
    service: EmulatedService, md5: str, api: httpx.AsyncClient
) -> None:
    response = await api.post(
        api_path(md5=md5),
        params={"serviceConnectionId": CONNECTION},
        headers={"accept": "text/plain"},
    )

    assert response.headers["content-type"].startswith("application/json")
    assert response.json()["success"] is True
