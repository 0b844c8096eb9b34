"""Les demandes « papier »: a request filed on paper, and the bordereau it was sent with.

A paper request is the Cerfa 02 or Cerfa 06 printed, signed and posted to the prefecture
instead of filed online. The host's student file keeps, as the manual's « Informations
concernant les demandes "papier" » do: how the student wants the identifiers that follow the
delivery of the licence (« Par courrier » or « Par courriel », and the identifier once
known), the registration date (« Date d'enregistrement ») and the bordereau it left with
(« Bordereau N° » and its date). A :class:`Bordereau` is the list of paper requests sent
together (the « Bordereaux dossiers » menu); it prints as a PDF list
(:func:`antsclient.printing.bordereau_pdf`) and stores keep it
(:class:`~antsclient.storage.BordereauStore`).
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Callable, Iterable

import attrs

from antsclient.models.application import Application
from antsclient.models.dates import DateLike, to_date

__all__ = ["Bordereau", "PaperRequest", "TrackingChannel"]


class TrackingChannel(enum.StrEnum):
    """How the student receives the identifiers to follow the licence's delivery."""

    POST = "post"
    EMAIL = "email"

    @property
    def label(self) -> str:
        """« Par courrier » or « Par courriel », as the form writes it."""
        return "Par courrier" if self is TrackingChannel.POST else "Par courriel"


def _optional_date(field: str, label: str) -> Callable[[DateLike | None], dt.date | None]:
    def convert(value: DateLike | None) -> dt.date | None:
        return None if value is None else to_date(value, field, label)

    return convert


def _registered_on(value: DateLike | None) -> dt.date | None:
    return _optional_date("registered_on", "Date d'enregistrement")(value)


def _bordereau_date(value: DateLike | None) -> dt.date | None:
    return _optional_date("bordereau_date", "Date du bordereau")(value)


def _tuple(requests: Iterable[PaperRequest]) -> tuple[PaperRequest, ...]:
    return tuple(requests)


def _date(value: DateLike) -> dt.date:
    return to_date(value, "bordereau.date", "Date du bordereau")


@attrs.frozen(kw_only=True, slots=True)
class PaperRequest:
    """Une demande papier: the application as printed, and what followed its posting.

    ``reference`` is the host's own id of the paper file (unique per agency). Dates are
    dates or their text (``2017-07-05`` or ``05/07/2017``). ``bordereau_number`` and
    ``bordereau_date`` are set when the request joins a :class:`Bordereau`
    (:meth:`Bordereau.add`).
    """

    reference: str
    application: Application
    registered_on: dt.date | None = attrs.field(
        default=None,
        converter=_registered_on,
    )
    bordereau_number: str | None = None
    bordereau_date: dt.date | None = attrs.field(
        default=None,
        converter=_bordereau_date,
    )
    tracking: TrackingChannel = attrs.field(default=TrackingChannel.POST, converter=TrackingChannel)
    tracking_id: str | None = None

    @property
    def student_name(self) -> str:
        """NOM Prénom of the student."""
        return self.application.applicant.full_name

    @property
    def on_bordereau(self) -> bool:
        """Whether the request was sent with a bordereau."""
        return self.bordereau_number is not None


@attrs.frozen(kw_only=True, slots=True)
class Bordereau:
    """Un bordereau d'envoi: paper requests an agency sent the prefecture together.

    ``number`` is the agency's own numbering, ``date`` the day it was sent. Build it empty and
    :meth:`add` the requests: each is stamped with the bordereau's number and date.
    """

    number: str
    date: dt.date = attrs.field(converter=_date)
    agreement: str
    prefecture: str | None = None
    requests: tuple[PaperRequest, ...] = attrs.field(default=(), converter=_tuple)

    def add(self, *requests: PaperRequest) -> Bordereau:
        """This bordereau with ``requests`` added (or replaced, by reference), stamped."""
        stamped = [
            attrs.evolve(r, bordereau_number=self.number, bordereau_date=self.date)
            for r in requests
        ]
        added = {r.reference for r in stamped}
        kept = [r for r in self.requests if r.reference not in added]
        return attrs.evolve(self, requests=(*kept, *stamped))

    def without(self, references: Iterable[str]) -> Bordereau:
        """This bordereau without the requests of ``references``."""
        gone = set(references)
        return attrs.evolve(self, requests=[r for r in self.requests if r.reference not in gone])

    def __len__(self) -> int:
        return len(self.requests)
