"""What ANTS holds: an online request (its supporting documents, its ePhoto and the
prefecture's documents are in :mod:`antsclient.models.documents`)."""

from __future__ import annotations

import calendar
import datetime as dt
import types
from collections.abc import Callable
from typing import Any, Final, TypeVar

import attrs

from antsclient._display import french_datetime
from antsclient.models.enums import (
    Bucket,
    Cerfa,
    RequestStatus,
    RequestType,
)

__all__ = ["ONLINE_REQUEST_FIELDS", "OnlineRequest"]

T = TypeVar("T")

APPLICANT_VALIDATION_WINDOW = dt.timedelta(days=7)
"""The student has 7 days to confirm a validated request (manual, « Valider la demande »)."""

MANDATE_KEEPING_MONTHS = 6
"""The school keeps a signed paper mandate at least six months (ANTS, « mandat papier »)."""


@attrs.frozen(kw_only=True, slots=True, repr=False)
class OnlineRequest:
    """Demande en ligne: a request as ANTS holds it.

    ``number`` is opaque (short like ``3223`` for requests made from software, long like
    ``90120170705153905547685`` for requests made directly on ANTS). ``status_label`` keeps
    the raw ANTS label, even when ``status`` is ``UNKNOWN``. ``student_id`` is the host's
    student the request is linked to, or ``None`` when unlinked (red row in the manual).
    Its repr is one line, the last change in Paris time: ``OnlineRequest(3223, Cerfa 02,
    DRAFT, MARTIN Julie, modified 30/11/2026 12:03)``.

    ``request_type`` is the kind of request (``None`` when ANTS does not say);
    ``paper_mandate`` and ``paper_mandate_date`` say it was filed under a paper mandate
    (no validation by the student, no transfer); ``email`` and ``phone`` are how ANTS tells
    the student.
    """

    number: str
    cerfa: Cerfa
    status: RequestStatus
    status_label: str
    type_label: str
    created: dt.datetime
    modified: dt.datetime
    transferred: bool = False
    neph: str | None = None
    student_id: str | None = None
    applicant_name: str | None = None
    email: str | None = None
    validated_at: dt.datetime | None = None
    request_type: RequestType | None = None
    paper_mandate: bool = False
    paper_mandate_date: dt.date | None = None
    phone: str | None = None

    @property
    def mandate_kept_until(self) -> dt.date | None:
        """The first day the school may discard the signed paper mandate (six months after
        it was signed), or ``None`` without a dated mandate."""
        if not self.paper_mandate or self.paper_mandate_date is None:
            return None
        signed = self.paper_mandate_date
        month = signed.month - 1 + MANDATE_KEEPING_MONTHS
        year, month = signed.year + month // 12, month % 12 + 1
        day = min(signed.day, calendar.monthrange(year, month)[1])
        return dt.date(year, month, day)

    @property
    def linked(self) -> bool:
        """Whether the request is linked to a student of the host (reliée à un élève)."""
        return self.student_id is not None

    @property
    def applicant_deadline(self) -> dt.datetime | None:
        """When the student's 7-day window to confirm ends, while it is running."""
        if self.status is not RequestStatus.AWAITING_APPLICANT_VALIDATION:
            return None
        if self.validated_at is None:
            return None
        return self.validated_at + APPLICANT_VALIDATION_WINDOW

    @property
    def buckets(self) -> frozenset[Bucket]:
        """Every search bucket (rubrique) the request belongs to."""
        return frozenset(
            b
            for b in Bucket
            if b.holds(cerfa=self.cerfa, status=self.status, transferred=self.transferred)
        )

    @property
    def type_state(self) -> str:
        """« Type - État », as the requests list shows it."""
        return f"{self.type_label} - {self.status_label}"

    def __repr__(self) -> str:
        status = self.status.name
        if self.status is RequestStatus.UNKNOWN:
            status = f"UNKNOWN {self.status_label!r}"
        parts = [self.number, f"Cerfa {self.cerfa.value}", status]
        parts.append(self.applicant_name or "no name")
        if not self.linked:
            parts.append("unlinked")
        if self.transferred:
            parts.append("transferred")
        if self.paper_mandate:
            parts.append("paper mandate")
        parts.append(f"modified {french_datetime(self.modified)}")
        return f"{type(self).__name__}({', '.join(parts)})"


ONLINE_REQUEST_FIELDS: Final = tuple(a.name for a in attrs.fields(OnlineRequest))
"""The fields of an :class:`OnlineRequest`, in order: what a search page's items carry and
the columns the stores keep."""


CERFA_BY_VALUE: Final = {c.value: c for c in Cerfa}
"""Each form by its value (``"02"``, ``"06"``): what the decoders and the stores read."""

STATUS_BY_VALUE: Final = {s.value: s for s in RequestStatus}
"""Each status by its value."""

REQUEST_TYPE_BY_VALUE: Final = {t.value: t for t in RequestType}
"""Each request type by its value (one this client does not know is absent)."""


def _keyword_constructor(cls: type[T]) -> Callable[..., T]:
    def build(*values: Any) -> T:
        return cls(**dict(zip(ONLINE_REQUEST_FIELDS, values, strict=True)))

    return build


def _slot_constructor(cls: type[T]) -> Callable[..., T]:
    """A constructor of ``cls`` (fields in :data:`ONLINE_REQUEST_FIELDS`' order, given in that
    order) that fills its slots as a plain class's ``__init__`` would: a fifth of the time
    of the keyword call of a frozen class, whose every field goes through
    ``object.__setattr__``.

    The object is made as an instance of an *unfrozen twin* of ``cls`` — a subclass adding
    no slot (the same layout) whose attributes are written the ordinary way, which the
    interpreter does at the cost of a plain slot store — and then becomes a ``cls``
    (``__class__`` assigned, allowed between classes of one layout): frozen from then on,
    its type exactly ``cls``. Only for a plain class — slotted, exactly these fields, no
    validator, converter or post-init: anything else gets its own ``__init__``, called with
    keywords.
    """
    fields = attrs.fields(cls)  # type: ignore[arg-type]
    slots = vars(cls)
    plain = (
        tuple(f.name for f in fields) == ONLINE_REQUEST_FIELDS
        and all(f.validator is None and f.converter is None for f in fields)
        and not hasattr(cls, "__attrs_post_init__")
        and all(isinstance(slots.get(n), types.MemberDescriptorType) for n in ONLINE_REQUEST_FIELDS)
    )
    if not plain:
        return _keyword_constructor(cls)
    # Both ``__setattr__`` and ``__delattr__`` must be object's own: they share one slot of
    # the type, which is the generic one (a plain store) only when neither is overridden.
    unfrozen = type(
        f"_Unfrozen{cls.__name__}",
        (cls,),
        {
            "__slots__": (),
            "__setattr__": object.__setattr__,
            "__delattr__": object.__delattr__,
            "__module__": __name__,
        },
    )
    new = object.__new__

    def build(  # noqa: PLR0917 - one argument per field, in their order
        number: Any,
        cerfa: Any,
        status: Any,
        status_label: Any,
        type_label: Any,
        created: Any,
        modified: Any,
        transferred: Any,
        neph: Any,
        student_id: Any,
        applicant_name: Any,
        email: Any,
        validated_at: Any,
        request_type: Any,
        paper_mandate: Any,
        paper_mandate_date: Any,
        phone: Any,
    ) -> T:
        """An instance from its 17 field values in order, taken as they are (checked)."""
        made: Any = new(unfrozen)
        made.number = number
        made.cerfa = cerfa
        made.status = status
        made.status_label = status_label
        made.type_label = type_label
        made.created = created
        made.modified = modified
        made.transferred = transferred
        made.neph = neph
        made.student_id = student_id
        made.applicant_name = applicant_name
        made.email = email
        made.validated_at = validated_at
        made.request_type = request_type
        made.paper_mandate = paper_mandate
        made.paper_mandate_date = paper_mandate_date
        made.phone = phone
        made.__class__ = cls
        return made  # type: ignore[no-any-return]

    return build


new_online_request: Final = _slot_constructor(OnlineRequest)
"""An :class:`OnlineRequest` from its 17 fields, checked and typed already (a decoder or a
store did it: forms and statuses as enums, aware instants), in their order, positionally:
its slots filled as a plain class's are (:func:`_slot_constructor`)."""
