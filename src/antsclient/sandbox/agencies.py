"""Les agences (auto-écoles) and their access tokens: who may call the simulated ANTS.

An agency logs in with its agreement number (numéro d'agrément), login and password and gets
a bearer token that expires on the sandbox clock. Its postal code says which prefectures it
may pick from.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Mapping
from typing import Any, Final

from antsclient.codec import from_data
from antsclient.errors import AuthenticationError, ConfigurationError
from antsclient.models.credentials import department_of_postal_code
from antsclient.models.documents import Prefecture
from antsclient.sandbox.errors import SandboxError
from antsclient.sandbox.ledger import Ledger
from antsclient.sandbox.prefectures import prefectures_of
from antsclient.sandbox.records import Agency

__all__ = ["DEFAULT_AGENCY", "SECOND_AGENCY", "Agencies"]

DEFAULT_AGENCY: Final = Agency(
    agreement="E1706900030",
    login="claboret662",
    password="3cfBelfort!",  # noqa: S106 - public sandbox test data, from the manual
    prefecture="Préfecture du Territoire de Belfort",
    postal_code="90000",
    name="Auto-école du Lion (Belfort)",
)
"""The agency of the manual's examples, seeded in every sandbox."""

SECOND_AGENCY: Final = Agency(
    agreement="E1906900012",
    login="rhone-conduite",
    password="Rh0ne-Conduite!",  # noqa: S106 - public sandbox test data
    prefecture="Préfecture du Rhône",
    postal_code="69800",
    name="Rhône Conduite (Saint-Priest)",
)
"""A second agency, to show isolation and transfers."""


class Agencies:
    """The agencies by agreement number, and the tokens they were given.

    ``token_ttl`` is the lifetime of the tokens issued from now on. Tokens are not written
    to the journal: after a restart, clients log in again.
    """

    def __init__(self, ledger: Ledger, *, token_ttl: dt.timedelta) -> None:
        self.ledger = ledger
        self.token_ttl = token_ttl
        self.by_agreement: dict[str, Agency] = {}
        self._tokens: dict[str, tuple[str, dt.datetime]] = {}

    def restore(self, tables: Mapping[str, Mapping[str, Any]]) -> None:
        """Take up the agencies of a journal's rows."""
        for data in tables.get("agency", {}).values():
            agency = from_data(data, Agency)
            self.by_agreement[agency.agreement] = agency

    def add(self, agency: Agency) -> Agency:
        """Add (or replace) an agency."""
        with self.ledger.mutation() as changes:
            self.by_agreement[agency.agreement] = agency
            self.ledger.open(agency.agreement)
            changes.put("agency", agency.agreement, agency)
            return agency

    def login(self, agreement: str, login: str, password: str) -> dict[str, Any]:
        """A token for an agency, or :class:`AuthenticationError` (never says which is wrong)."""
        with self.ledger.lock:
            agency = self.by_agreement.get(agreement.strip())
            if (
                agency is None
                or not secrets.compare_digest(agency.login, login)
                or not secrets.compare_digest(agency.password.encode(), password.encode())
            ):
                raise AuthenticationError(
                    "authentication failed: wrong agreement number, login or password",
                    field="credentials",
                )
            token = "sbx_" + secrets.token_urlsafe(24)
            expires = self.ledger.clock.now() + self.token_ttl
            self._tokens[token] = (agency.agreement, expires)
            return {
                "access_token": token,
                "token_type": "Bearer",
                "expires_in": int(self.token_ttl.total_seconds()),
                "expires_at": expires.isoformat(),
            }

    def authenticate(self, token: str | None) -> Agency:
        """The agency a bearer token stands for; 401 ``token_invalid`` / ``token_expired``."""
        with self.ledger.lock:
            entry = self._tokens.get(token or "")
            if entry is None:
                raise SandboxError(
                    "missing or unknown access token",
                    code="token_invalid",
                    message_fr="Session ANTS invalide : reconnectez-vous.",
                    status=401,
                )
            agreement, expires = entry
            if self.ledger.clock.now() >= expires:
                del self._tokens[token or ""]
                raise SandboxError(
                    "the access token has expired",
                    code="token_expired",
                    message_fr="Session ANTS expirée : reconnectez-vous.",
                    status=401,
                )
            return self.by_agreement[agreement]

    @staticmethod
    def prefectures(agency: Agency, postal_code: str | None) -> tuple[str, list[Prefecture]]:
        """The prefectures of the department of ``postal_code`` (else the agency's)."""
        code = (postal_code or agency.postal_code or "").strip()
        department = department_of_postal_code(code)
        if not code or department is None:
            raise ConfigurationError(
                "the agency's postal code is needed to list the prefectures",
                field="postal_code",
                message_fr="Le code postal de l'agence doit être renseigné pour mettre à jour "
                "la liste des préfectures.",
            )
        return department, prefectures_of(department)
