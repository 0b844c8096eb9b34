"""Fixtures of the sandbox tests: a served sandbox, logged-in clients, conforming data.

Every response a ``client`` receives from the API is checked against the protocol document
(``protocol/openapi.yaml``) on the fly, so each test also tests the contract.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from importlib import resources
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
import yaml
from openapi_core import OpenAPI
from openapi_core.datatypes import RequestParameters
from sandbox_helpers import MANUAL_AGREEMENT, MANUAL_LOGIN, MANUAL_PASSWORD, login
from werkzeug.datastructures import Headers, ImmutableMultiDict

from antsclient.sandbox import SandboxHandle, serve


@pytest.fixture(scope="session")
def openapi() -> OpenAPI:
    text = resources.files("antsclient.protocol").joinpath("openapi.yaml").read_text("utf-8")
    spec = yaml.safe_load(text)
    spec["servers"] = [{"url": "http://testserver/api/v1"}]
    return OpenAPI.from_dict(spec)


class _OpenAPIRequest:
    def __init__(self, request: httpx.Request) -> None:
        url = urlsplit(str(request.url))
        self.host_url = "http://testserver"
        self.path = url.path
        self.method = request.method.lower()
        try:
            self.body: bytes | None = request.content or None
        except httpx.RequestNotRead:  # a streamed upload: only the response is checked
            self.body = None
        self.content_type = request.headers.get("content-type", "")
        self.parameters = RequestParameters(
            query=ImmutableMultiDict(parse_qs(url.query)),
            header=Headers(dict(request.headers)),
            cookie=ImmutableMultiDict(),
        )


class _OpenAPIResponse:
    def __init__(self, response: httpx.Response) -> None:
        self.data = response.content
        self.status_code = response.status_code
        self.content_type = response.headers.get("content-type", "")
        self.headers = Headers(dict(response.headers))


Checked = list[tuple[str, str, int]]


def contract_hook(openapi: OpenAPI, seen: Checked) -> Callable[[httpx.Response], None]:
    """A response hook: every API response must follow the document."""

    def hook(response: httpx.Response) -> None:
        if "/api/v1/" not in response.request.url.path:
            return
        response.read()
        request = _OpenAPIRequest(response.request)
        openapi.validate_response(request, _OpenAPIResponse(response))
        seen.append((response.request.method, response.request.url.path, response.status_code))

    return hook


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
