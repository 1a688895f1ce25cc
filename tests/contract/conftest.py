"""Fixtures of the contract tests: the emulator (in process and served), its signer and token."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from contract_support import (
    EXAMPLE,
    EXAMPLE_CONNECTION,
    EXAMPLE_MD5,
    EXPIRED_TOKEN,
    AcsV3RequestsAuth,
    TokenRequestsAuth,
)
from yunxiao_emas.testing import EmulatedService


@pytest.fixture(scope="module")
def contract_service() -> EmulatedService:
    """One emulator per module, with an artifact at the example ids of openapi.yaml, the default
    token and an expired one (:data:`EXPIRED_TOKEN`)."""
    service = EmulatedService()
    service.add_artifact(
        **EXAMPLE,
        content=b"the example artifact",
        md5=EXAMPLE_MD5,
        service_connection_id=EXAMPLE_CONNECTION,
    )
    service.add_token(EXPIRED_TOKEN, expires_at=0.0)
    return service


@pytest.fixture(scope="module")
def contract_base_url(contract_service: EmulatedService) -> Iterator[str]:
    with contract_service.serve() as base_url:
        yield base_url


@pytest.fixture(scope="module")
def signer(contract_service: EmulatedService) -> AcsV3RequestsAuth:
    """Signs with the emulator's registered key."""
    credentials = contract_service.default_credentials
    return AcsV3RequestsAuth(credentials.access_key_id, credentials.access_key_secret)


@pytest.fixture(scope="module")
def token_auth(contract_service: EmulatedService) -> TokenRequestsAuth:
    """Sends the emulator's default token."""
    return TokenRequestsAuth(contract_service.default_token.token)


@pytest.fixture(scope="module", params=["asgi", "http"])
def transport(request: pytest.FixtureRequest, contract_service: EmulatedService) -> dict[str, Any]:
    """How ``case.call`` reaches the emulator: in process (ASGI) or over a real socket."""
    if request.param == "asgi":
        return {"app": contract_service.asgi_app}
    base_url: str = request.getfixturevalue("contract_base_url")
    return {"base_url": base_url}
