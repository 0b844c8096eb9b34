"""What keeps the console safe by construction: who may reach it, and which posts it takes.

* **Loopback only.** The console answers clients on the machine's loopback (127.0.0.0/8,
  ``::1``, or an in-process client) and only under a host name no one can point at the
  loopback from the web (:func:`is_safe_host`, against DNS rebinding). A sandbox served on
  ``0.0.0.0`` still serves the protocol to others, never its console.
* **A token against cross-site posts.** Every page sets a random cookie (``HttpOnly``,
  ``SameSite=Strict``, path ``/console``) and its forms carry the HMAC of that cookie under
  the sandbox's own secret; a post without both, or from another origin, is refused.
  (Libraries for Starlette check a header set by JavaScript; plain HTML forms need the field.)
* **Headers**: a strict Content-Security-Policy (own scripts, styles and images only, no
  framing), ``nosniff``, no referrer to other sites (a confirmation link carries its
  token), no caching.

Everything rendered is escaped by the templates' autoescape.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import secrets
from typing import Final
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import Response

__all__ = [
    "COOKIE",
    "HEADERS",
    "Guard",
    "is_local_client",
    "is_safe_host",
]

COOKIE: Final = "antsclient_console"
"""The cookie whose HMAC the forms carry."""

FIELD: Final = "csrf"
"""The forms' hidden field."""

HEADERS: Final = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "form-action 'self'; frame-src 'self'; frame-ancestors 'self'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
    "X-Frame-Options": "SAMEORIGIN",
}
"""Sent with every page and file of the console."""

_SAFE_NAMES: Final = frozenset({"localhost", "testserver", "testclient"})
_RESERVED_TLDS: Final = frozenset({"localhost", "test", "invalid", "example"})


def is_local_client(request: Request) -> bool:
    """Whether the request comes from the loopback (an in-process client counts as one)."""
    client = request.client
    if client is None:
        return True  # an in-process ASGI call without a peer
    try:
        return ipaddress.ip_address(client.host).is_loopback
    except ValueError:
        return client.host in _SAFE_NAMES


def is_safe_host(host: str) -> bool:
    """Whether ``host`` (a Host header, port aside) names this machine without public DNS:
    an IP literal, a one-label name (``localhost``, ``testserver``) or a reserved top-level
    domain (``.localhost``, ``.test``, ``.invalid``, ``.example``) — names no one can point
    at the loopback from the web (DNS rebinding)."""
    name = (urlsplit(f"//{host}").hostname or "").rstrip(".")
    if not name:
        return False
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return "." not in name or name.rsplit(".", 1)[1] in _RESERVED_TLDS
    return True


class Guard:
    """The sandbox's secret, the forms' tokens, and the checks of each call."""

    def __init__(self) -> None:
        self._secret = secrets.token_bytes(32)

    def browser_id(self, request: Request) -> tuple[str, bool]:
        """The caller's cookie, or a new one; ``(value, is_new)``."""
        value = request.cookies.get(COOKIE, "")
        if len(value) >= 32:
            return value, False
        return secrets.token_urlsafe(32), True

    def token(self, browser_id: str) -> str:
        """The forms' token for this browser."""
        return hmac.new(self._secret, browser_id.encode(), hashlib.sha256).hexdigest()

    def refusal(self, request: Request) -> str | None:
        """Why the call is refused (in French), or ``None``: loopback client, safe host."""
        if not is_local_client(request):
            return "La console du bac à sable ne répond qu'aux appels de cette machine."
        if not is_safe_host(request.headers.get("host", "")):
            return "Nom d'hôte refusé : ouvrez la console par 127.0.0.1 ou localhost."
        return None

    def post_refusal(self, request: Request, sent_token: str) -> str | None:
        """Why a post is refused, or ``None``: same origin, and the token of its cookie."""
        origin = request.headers.get("origin")
        if origin and urlsplit(origin).netloc != request.headers.get("host", ""):
            return "Envoi refusé : il ne vient pas de la console."
        cookie = request.cookies.get(COOKIE, "")
        if not cookie or not hmac.compare_digest(self.token(cookie), sent_token):
            return "Jeton de sécurité manquant ou périmé : rechargez la page et recommencez."
        return None

    @staticmethod
    def finish(response: Response, browser_id: str, is_new: bool) -> Response:
        """The console's headers, and the cookie when it is new."""
        response.headers.update(HEADERS)
        if is_new:
            response.set_cookie(
                COOKIE, browser_id, httponly=True, samesite="strict", path="/console"
            )
        return response
