"""Authentication, tokens on the controlled clock, referential endpoints."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest
from sandbox_helpers import MANUAL_AGREEMENT, MANUAL_LOGIN, MANUAL_PASSWORD, error_of, relogin

from antsclient.errors import AuthenticationError
from antsclient.sandbox import SandboxHandle

pytestmark = pytest.mark.network


def test_login_gives_a_bearer_token(
    sb: SandboxHandle, make_client: Callable[..., httpx.Client]
) -> None:
    client = make_client(authenticate=False)
    body = {"agreement": MANUAL_AGREEMENT, "login": MANUAL_LOGIN, "password": MANUAL_PASSWORD}
    token = client.post("/auth/token", json=body).json()
    assert token["token_type"] == "Bearer"
    assert token["expires_in"] == 3600
    creds = sb.credentials
    assert (creds.agreement, creds.login, creds.password.reveal()) == (
        MANUAL_AGREEMENT,
        MANUAL_LOGIN,
        MANUAL_PASSWORD,
    )
    assert (creds.postal_code, creds.department) == ("90000", "90")
    assert creds.prefecture


@pytest.mark.parametrize(
    ("agreement", "login", "password"),
    [
        ("E0000000000", MANUAL_LOGIN, MANUAL_PASSWORD),
        (MANUAL_AGREEMENT, "someone", MANUAL_PASSWORD),
        (MANUAL_AGREEMENT, MANUAL_LOGIN, "Pa55-incorrect"),
    ],
)
def test_wrong_credentials(
    make_client: Callable[..., httpx.Client], agreement: str, login: str, password: str
) -> None:
    client = make_client(authenticate=False)
    response = client.post(
        "/auth/token", json={"agreement": agreement, "login": login, "password": password}
    )
    assert response.status_code == 401
    error = error_of(response)
    assert error["code"] == "authentication_failed"
    assert error["message_fr"] == AuthenticationError.default_message_fr
    assert password not in response.text or password == MANUAL_PASSWORD


def test_login_body_must_be_complete(make_client: Callable[..., httpx.Client]) -> None:
    client = make_client(authenticate=False)
    assert client.post("/auth/token", json={"agreement": MANUAL_AGREEMENT}).status_code == 400
    assert client.post("/auth/token", json=["x"]).status_code == 400
    assert client.post("/auth/token", content=b"{").status_code == 400


def test_missing_or_unknown_token(make_client: Callable[..., httpx.Client]) -> None:
    client = make_client(authenticate=False)
    response = client.get("/requests/counts")
    assert response.status_code == 401
    assert error_of(response)["code"] == "token_invalid"
    client.headers["Authorization"] = "Bearer nope"
    assert error_of(client.get("/requests/counts"))["code"] == "token_invalid"
    upload = client.post("/requests/3201/attachments/identity", files={"file": ("a", b"%PDF-")})
    assert error_of(upload)["code"] == "token_invalid"


def test_token_expires_on_the_sandbox_clock(sb: SandboxHandle, client: httpx.Client) -> None:
    sb.set_token_ttl(60)
    relogin(client)
    assert client.get("/requests/counts").status_code == 200
    sb.advance(seconds=61)
    response = client.get("/requests/counts")
    assert response.status_code == 401
    assert error_of(response)["code"] == "token_expired"
    assert error_of(client.get("/requests/counts"))["code"] == "token_invalid"
    relogin(client)
    assert client.get("/requests/counts").status_code == 200


def test_prefectures_of_the_agencys_department(sb: SandboxHandle, client: httpx.Client) -> None:
    own = client.get("/prefectures").json()
    assert own["department"] == "90"
    assert own["items"][0]["name"] == "Préfecture du Territoire de Belfort"
    rhone = client.get("/prefectures", params={"postal_code": "69800"}).json()
    assert rhone["department"] == "69" and len(rhone["items"]) == 2
    paris = client.get("/prefectures", params={"postal_code": "75011"}).json()
    assert paris["items"][0]["name"] == "Préfecture de police de Paris"
    ain = client.get("/prefectures", params={"postal_code": "01000"}).json()
    assert ain["items"] == [{"code": "01-PREF", "name": "Préfecture de Ain", "department": "01"}]
    assert client.get("/prefectures", params={"postal_code": "99999"}).json()["items"] == []
    bad = client.get("/prefectures", params={"postal_code": "ABC"})
    assert bad.status_code == 422
    assert error_of(bad)["code"] == "configuration_missing"


def test_prefectures_need_a_postal_code(
    sb: SandboxHandle, make_client: Callable[..., httpx.Client]
) -> None:
    sb.add_agency("E9000000002", "sans-cp", "Pa55word!", prefecture="Préfecture du Rhône")
    client = make_client("E9000000002", "sans-cp", "Pa55word!")
    response = client.get("/prefectures")
    assert response.status_code == 422
    error = error_of(response)
    assert error["code"] == "configuration_missing"
    assert "code postal" in error["message_fr"]


def test_referential(client: httpx.Client) -> None:
    communes = client.get(
        "/referential/communes", params={"q": "SAINT-PRI", "postal_code": "69800", "limit": 5}
    ).json()["items"]
    assert communes[0]["label"] == "SAINT-PRIEST (69800)"
    assert communes[0]["insee_code"] == "69290"
    assert client.get("/referential/communes", params={"q": " "}).json() == {"items": []}
    assert client.get("/referential/communes", params={"q": "LYON", "limit": 0}).status_code == 400
    assert (
        client.get("/referential/communes", params={"q": "LYON", "limit": "x"}).status_code == 400
    )
    departments = client.get("/referential/departments").json()["items"]
    assert {"code": "90", "name": "Territoire de Belfort"} in departments
    countries = client.get("/referential/countries").json()["items"]
    assert any(c["name"] == "MAROC" for c in countries)


def test_unknown_paths_answer_the_error_shape(make_client: Callable[..., httpx.Client]) -> None:
    client = make_client(checked=False)  # not operations of the document
    response = client.get("/nowhere")
    assert response.status_code == 404
    assert error_of(response)["code"] == "not_found"
    response = client.patch("/requests/counts")
    assert response.status_code == 405
