"""The report of a sync (« compte rendu de mise à jour »): what :meth:`sync_all
<antsclient.AntsSession>` found, shown in one line or, in Jupyter, as a table.

Kept apart from the listing engine (:mod:`antsclient._listing`) so that the stores, which
keep the reports of agency jobs, can name its type without depending on the engine.
"""

from __future__ import annotations

import datetime as dt

import attrs

from antsclient._display import french_datetime, html_table

__all__ = ["SyncReport"]


@attrs.frozen(kw_only=True, slots=True, repr=False)
class SyncReport:
    """Compte rendu de mise à jour: what a sync found.

    ``new``, ``updated`` and ``unchanged`` count the requests seen against the local copies;
    ``unlinked`` those of them linked to no student (registered directly on ANTS);
    ``failed`` those that could not be read or fetched; ``removed`` the local copies a
    complete listing no longer found on ANTS. ``incremental`` says the sync asked only for
    changes since ``since``; ``watermark`` is where the next one will start. ``error``
    (with ``error_code`` and the French ``error_fr``) says why a sync stopped, when it was
    asked to report rather than raise (as :func:`~antsclient.agency.sync_agencies` does).
    Its repr is one line with the counts that are not zero; in Jupyter it shows as a table,
    in French, dates in Paris time.
    """

    agreement: str
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    unlinked: int = 0
    failed: int = 0
    error: str | None = None
    removed: int = 0
    total: int = 0
    pages: int = 0
    incremental: bool = False
    since: dt.datetime | None = None
    watermark: dt.datetime | None = None
    elapsed_s: float = 0.0
    error_code: str | None = None
    error_fr: str | None = None

    @property
    def ok(self) -> bool:
        """Whether everything was fetched and stored."""
        return self.error is None and self.failed == 0

    @property
    def seen(self) -> int:
        """How many requests ANTS sent."""
        return self.new + self.updated + self.unchanged

    def __repr__(self) -> str:
        if self.error is not None:
            state = f"error {self.error_code}" if self.error_code else f"error {self.error!r}"
        else:
            state = "ok" if self.ok else "incomplete"
        kind = f"incremental since {french_datetime(self.since)}" if self.incremental else "full"
        counts = ", ".join(
            f"{value} {name}"
            for name, value in (
                ("new", self.new),
                ("updated", self.updated),
                ("unchanged", self.unchanged),
                ("unlinked", self.unlinked),
                ("failed", self.failed),
                ("removed", self.removed),
            )
            if value
        )
        seen = f"{self.seen} seen" + (f": {counts}" if counts else "")
        name = type(self).__name__
        return f"{name}({self.agreement}, {state}, {kind}, {seen}, {self.elapsed_s:.1f} s)"

    def _repr_html_(self) -> str:
        """The report as a two-column table, in French, dates in Paris time."""
        rows: list[tuple[str, object]] = [
            ("Résultat", "Terminée" if self.ok else "Incomplète"),
            (
                "Type",
                f"incrémentale depuis le {french_datetime(self.since)}"
                if self.incremental
                else "complète",
            ),
            ("Demandes reçues", f"{self.seen} sur {self.total}"),
            ("Nouvelles", self.new),
            ("Mises à jour", self.updated),
            ("Inchangées", self.unchanged),
            ("Non reliées à un élève", self.unlinked),
            ("En échec", self.failed),
            ("Supprimées de l'ANTS", self.removed),
            ("Pages lues", self.pages),
            ("Prochaine mise à jour depuis", french_datetime(self.watermark)),
            ("Durée", f"{self.elapsed_s:.1f} s"),
        ]
        if self.error is not None:
            rows.append(("Erreur", f"{self.error_fr or self.error} ({self.error_code})"))
        style = "" if self.ok else "color:red"
        return html_table(
            ("Élément", "Valeur"),
            rows,
            caption=f"Compte rendu de mise à jour — {self.agreement}",
            styles=(
                style if label in {"Résultat", "En échec", "Erreur"} else "" for label, _ in rows
            ),
        )
