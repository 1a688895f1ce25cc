"""The proxies of the environment, read for the sync client's own transports the way httpx
reads them (httpx leaves them to us once it is given a transport)."""

from __future__ import annotations

import pytest
from yunxiao_emas._call.request import environment_proxies

VARIABLES = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY")


@pytest.fixture(autouse=True)
def no_proxy_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in VARIABLES:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)


def test_without_variables_there_is_no_route() -> None:
    assert environment_proxies() == {}


def test_each_scheme_gets_its_proxy_and_a_bare_host_is_http(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "proxy.example:3128")
    monkeypatch.setenv("HTTP_PROXY", "http://plain.example:8080")

    assert environment_proxies() == {
        "http://": "http://plain.example:8080",
        "https://": "http://proxy.example:3128",
    }


@pytest.mark.parametrize(
    ("no_proxy", "pattern"),
    [
        ("internal.example", "all://*internal.example"),
        ("10.0.0.1", "all://10.0.0.1"),
        ("::1", "all://[::1]"),
        ("localhost", "all://localhost"),
        ("https://bypass.example", "https://bypass.example"),
    ],
)
def test_a_no_proxy_host_goes_straight(
    monkeypatch: pytest.MonkeyPatch, no_proxy: str, pattern: str
) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.example:3128")
    monkeypatch.setenv("NO_PROXY", no_proxy)

    assert environment_proxies()[pattern] is None


def test_no_proxy_star_turns_every_proxy_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.example:3128")
    monkeypatch.setenv("NO_PROXY", "internal.example, *")

    assert environment_proxies() == {}
