"""Fixtures of the emulator's tests: a service with one artifact, and clients that sign (or send
a token) like the SDK and validate every API answer against openapi.yaml."""

from __future__ import annotations

import functools
from collections.abc import AsyncIterator, Callable, Iterator

import httpx
import pytest
from emulator_support import (
    CONNECTION,
    CONTENT,
    FILENAME,
    JOB,
    ORG,
    PIPELINE,
    RUN,
    http_client,
    in_process_client,
)
from yunxiao_emas.auth.acs3 import AcsV3Auth
from yunxiao_emas.auth.token import TokenAuth
from yunxiao_emas.credentials import AccessKeyCredentials
from yunxiao_emas.testing import EmulatedService


@pytest.fixture
def service() -> EmulatedService:
    """A fresh emulator with the default key."""
    return EmulatedService()


@pytest.fixture
def md5(service: EmulatedService) -> str:
    """Registers one artifact (the reference page's ids) and gives its md5."""
    return service.add_artifact(
        ORG, PIPELINE, RUN, JOB, CONTENT, service_connection_id=CONNECTION, filename=FILENAME
    )


@pytest.fixture
def credentials(service: EmulatedService) -> AccessKeyCredentials:
    return service.default_credentials


@pytest.fixture
async def api(
    service: EmulatedService, credentials: AccessKeyCredentials
) -> AsyncIterator[httpx.AsyncClient]:
    """In process (ASGI), signed with the SDK's signer; every API answer is validated."""
    async with in_process_client(service, AcsV3Auth(credentials)) as client:
        yield client


@pytest.fixture
async def token_api(service: EmulatedService) -> AsyncIterator[httpx.AsyncClient]:
    """In process (ASGI), with the emulator's default token, as the SDK sends it; every API
    answer is validated."""
    async with in_process_client(service, TokenAuth(service.default_token)) as client:
        yield client


@pytest.fixture
def served(service: EmulatedService) -> Iterator[str]:
    """The emulator on a loopback port; yields its base URL."""
    with service.serve() as base_url:
        yield base_url


@pytest.fixture
def http_api(served: str, credentials: AccessKeyCredentials) -> Iterator[httpx.Client]:
    """Over real HTTP, signed with the SDK's signer; every API answer is validated."""
    with http_client(served, AcsV3Auth(credentials), timeout=10) as client:
        yield client


@pytest.fixture
def client_for(service: EmulatedService) -> Callable[[httpx.Auth | None], httpx.AsyncClient]:
    """Make in-process clients of ``service`` that sign with another signer (or not at all)."""
    return functools.partial(in_process_client, service)
