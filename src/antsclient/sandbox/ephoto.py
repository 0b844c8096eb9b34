"""La ePhoto: the code of a request's photo and signature, their images, the deposit form.

A code is checked by :func:`antsclient.validate` and serves one request only (the ledger
knows who holds it). The photo is a real JPEG, the signature a real PNG; a Cerfa 02 draft
without a code has its « formulaire de dépôt de photo-signature » as a PDF.
"""

from __future__ import annotations

import attrs

from antsclient.lifecycle import Action, check, ensure_allowed
from antsclient.models.documents import EPhoto
from antsclient.models.enums import Cerfa
from antsclient.sandbox import assets
from antsclient.sandbox.errors import SandboxError
from antsclient.sandbox.ledger import Ledger
from antsclient.sandbox.records import Agency, RequestRecord
from antsclient.validation import validate

__all__ = ["EPhotos"]


class EPhotos:
    """The ePhoto codes of the requests, what they show, and the deposit form."""

    def __init__(self, ledger: Ledger) -> None:
        self.ledger = ledger

    def set_ephoto(self, agency: Agency, number: str, cerfa: Cerfa, code: str) -> str:
        """Set the ePhoto code of a draft for ``cerfa``; a code serves one request only."""
        with self.ledger.mutation() as changes:
            record = self.ledger.record(agency, number)
            ensure_allowed(Action.SET_EPHOTO, record.status)
            _ensure_code(record, code)
            normalised = self.ledger.free_ephoto_code(code, number=number)
            assert normalised is not None
            previous = record.ephoto.get(cerfa.value)
            if previous is not None and previous != normalised:
                self.ledger.release_ephoto_code(previous)
            record.ephoto[cerfa.value] = normalised
            self.ledger.hold_ephoto_code(normalised, number)
            record.modified = self.ledger.clock.now()
            self.ledger.row(record, changes)
            return normalised

    def ephoto(self, agency: Agency, number: str) -> EPhoto:
        """The photo and signature of the request's ePhoto code (its own cerfa's first)."""
        with self.ledger.read():
            record = self.ledger.record(agency, number)
            ensure_allowed(Action.VIEW_EPHOTO, record.status)
            for cerfa in (record.cerfa, *Cerfa):
                code = record.ephoto.get(cerfa.value)
                if code is not None:
                    return EPhoto(
                        code=code,
                        cerfa=cerfa,
                        photo=assets.PHOTO_JPEG,
                        signature=assets.signature_png(code),
                    )
            raise SandboxError(
                f"request {number} has no ePhoto code",
                code="ephoto_not_found",
                message_fr="Aucun code ePhoto n'est associé à cette demande.",
                status=404,
            )

    def delete_ephoto(self, agency: Agency, number: str, cerfa: Cerfa) -> None:
        """Delete the ePhoto code for ``cerfa`` (draft only); the code is free again."""
        with self.ledger.mutation() as changes:
            record = self.ledger.record(agency, number)
            ensure_allowed(Action.DELETE_EPHOTO, record.status)
            code = record.ephoto.pop(cerfa.value, None)
            if code is None:
                raise SandboxError(
                    f"request {number} has no ePhoto code for Cerfa {cerfa.value}",
                    code="ephoto_not_found",
                    message_fr=f"Aucun code ePhoto Cerfa {cerfa.value} n'est associé à cette "
                    "demande.",
                    status=404,
                )
            self.ledger.release_ephoto_code(code)
            record.modified = self.ledger.clock.now()
            self.ledger.row(record, changes)

    def deposit_form(self, agency: Agency, number: str) -> bytes:
        """Formulaire de dépôt de photo-signature (Cerfa 02 drafts only), as a PDF."""
        with self.ledger.read():
            record = self.ledger.record(agency, number)
            check(Action.DEPOSIT_FORM, record.status, cerfa=record.cerfa)
            return assets.pdf(
                "Formulaire de dépôt de photo-signature",
                [f"Demande n° {record.number}", f"Élève : {record.applicant_name or ''}"],
            )


def _ensure_code(record: RequestRecord, code: str) -> None:
    """Raise a 422 ``ephoto.invalid`` unless ``code`` is an ePhoto code, as
    :func:`antsclient.validate` judges it on the request's application."""
    model = attrs.evolve(record.model(), ephoto_code=code)
    invalid = [p for p in validate(model) if p.code == "ephoto.invalid"]
    if invalid or not code.strip():
        message_fr = invalid[0].message_fr if invalid else "Le code ePhoto doit être renseigné."
        raise SandboxError(
            f"{code!r} is not an ePhoto code",
            code="ephoto.invalid",
            message_fr=message_fr,
            field="code",
            status=422,
        )
