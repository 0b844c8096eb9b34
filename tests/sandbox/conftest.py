"""Fixtures of the sandbox tests: a served sandbox, logged-in clients, conforming data.

Every response a ``client`` receives from the API is checked against the protocol document
(``protocol/openapi.yaml``) on the fly, so each test also tests the contract.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from importlib import resources

import httpx
import pytest
import yaml
from openapi_core import OpenAPI
from sandbox_helpers import (
    MANUAL_AGREEMENT,
    MANUAL_LOGIN,
    MANUAL_PASSWORD,
    Checked,
    contract_hook,
    login,
)

from antsclient.sandbox import SandboxHandle, serve


@pytest.fixture(scope="session")
def openapi() -> OpenAPI:
    text = resources.files("antsclient.protocol").joinpath("openapi.yaml").read_text("utf-8")
    spec = yaml.safe_load(text)
    spec["servers"] = [{"url": "http://testserver/api/v1"}]
    return OpenAPI.from_dict(spec)


@pytest.fixture
def seen() -> Checked:
    """(method, path, status) of every response checked against the document."""
    return []


@pytest.fixture
def sb() -> Iterator[SandboxHandle]:
    with serve(seed=7) as handle:
        yield handle


@pytest.fixture
def make_client(
    sb: SandboxHandle, openapi: OpenAPI, seen: Checked
) -> Iterator[Callable[..., httpx.Client]]:
    """Clients over loopback TCP, logged in as an agency, their responses checked."""
    clients: list[httpx.Client] = []

    def make(
        agreement: str = MANUAL_AGREEMENT,
        login_: str = MANUAL_LOGIN,
        password: str = MANUAL_PASSWORD,
        *,
        checked: bool = True,
        timeout: float = 5.0,
        authenticate: bool = True,
    ) -> httpx.Client:
        hooks = {"response": [contract_hook(openapi, seen)]} if checked else {}
        client = httpx.Client(base_url=sb.api_url, timeout=timeout, event_hooks=hooks)
        clients.append(client)
        return login(client, agreement, login_, password) if authenticate else client

    yield make
    for client in clients:
        client.close()


@pytest.fixture
def client(make_client: Callable[..., httpx.Client]) -> httpx.Client:
    """The manual's agency (E1706900030), logged in."""
    return make_client()
