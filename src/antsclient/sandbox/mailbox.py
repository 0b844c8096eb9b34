"""La boîte de l'élève: every message ANTS sends the student, as the sandbox records it.

On the real ANTS the student (l'usager) learns by email — and by SMS under a paper mandate —
that a request was filed for them, that they have 7 days to confirm it, what the prefecture
decided, that a complement is asked for, that documents are ready. The sandbox sends nothing
out: it records each :class:`Message` (recipient, channel, kind, subject, French body, request
number, agency, link, time on the sandbox clock) so that a host application can check "the
student was told, at this address".

The confirmation email carries a link to the student's validation page (the console's
applicant view, :mod:`antsclient.sandbox.console`): a test follows it as a real student would.
Reminders go out on days 3 and 6 of the window, a notice when it closes unconfirmed. Every
event is sent from inside the ledger's mutation that caused it and written to the journal
with it, so a resumed sandbox keeps its mail.
"""

from __future__ import annotations

import datetime as dt
import enum
import secrets
from collections.abc import Collection, Mapping
from typing import Any, Final

import attrs

from antsclient._display import french_datetime
from antsclient.codec import from_data
from antsclient.models.enums import PrefectureDecision, PrefectureDocumentKind, RequestStatus
from antsclient.models.request import APPLICANT_VALIDATION_WINDOW
from antsclient.sandbox.journal import Changes
from antsclient.sandbox.ledger import Ledger
from antsclient.sandbox.records import RequestRecord

__all__ = [
    "REMINDER_DAYS",
    "VALIDATION_PATH",
    "Channel",
    "Mailbox",
    "Message",
    "MessageKind",
    "ValidationLink",
]

VALIDATION_PATH: Final = "/console/eleve/valider/"
"""Where a confirmation link points, under the server root, followed by the link's token."""

REMINDER_DAYS: Final = (3, 6)
"""Days of the 7-day window on which a student who has not confirmed is reminded."""

_SENDER: Final = "L'Agence nationale des titres sécurisés (ANTS) — message simulé du bac à sable"


class Channel(enum.StrEnum):
    """Canal: how the message reached the student."""

    EMAIL = "email"
    SMS = "sms"


class MessageKind(enum.StrEnum):
    """Ce que dit le message."""

    VALIDATION_REQUEST = "validation_request"
    """Confirm the request within 7 days, by the link (« validez votre demande »)."""
    REMINDER = "reminder"
    """The window is running out."""
    VALIDATION_EXPIRED = "validation_expired"
    """The window closed unconfirmed: the request is a draft again."""
    FILED = "filed"
    """The student confirmed: the request goes to the prefecture."""
    MANDATE_FILED = "mandate_filed"
    """The school filed the request under a paper mandate (no confirmation needed)."""
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    COMPLEMENT_ASKED = "complement_asked"
    DOCUMENTS_ISSUED = "documents_issued"

    @property
    def label(self) -> str:
        """The kind in French, as the applicant's view lists it."""
        return _KIND_LABELS[self]


_KIND_LABELS: Final = {
    MessageKind.VALIDATION_REQUEST: "Demande à valider",
    MessageKind.REMINDER: "Rappel",
    MessageKind.VALIDATION_EXPIRED: "Délai de validation dépassé",
    MessageKind.FILED: "Demande transmise",
    MessageKind.MANDATE_FILED: "Demande déposée sous mandat",
    MessageKind.ACCEPTED: "Demande acceptée",
    MessageKind.REJECTED: "Demande rejetée",
    MessageKind.COMPLEMENT_ASKED: "Complément demandé",
    MessageKind.DOCUMENTS_ISSUED: "Documents disponibles",
}


@attrs.frozen(kw_only=True)
class Message:
    """Un message envoyé à l'élève (email or SMS), as the sandbox recorded it.

    ``recipient`` is the email address or the phone number, ``subject`` is empty for an SMS,
    ``link`` the confirmation link of a :attr:`MessageKind.VALIDATION_REQUEST` or reminder
    (absolute once the sandbox is served, else a path under the server root), ``sent_at``
    the sandbox clock's time.
    """

    id: str
    kind: MessageKind
    channel: Channel
    recipient: str
    subject: str
    body: str
    number: str
    agreement: str
    sent_at: dt.datetime
    applicant_name: str | None = None
    link: str | None = None


@attrs.define(kw_only=True)
class ValidationLink:
    """The token of a confirmation link, and where its request's window stands."""

    token: str
    number: str
    agreement: str
    validated_at: dt.datetime
    reminders: int = 0
    closed: bool = False
    used_at: dt.datetime | None = None

    @property
    def deadline(self) -> dt.datetime:
        """When the student's window ends."""
        return self.validated_at + APPLICANT_VALIDATION_WINDOW

    @property
    def path(self) -> str:
        """The link's path under the server root."""
        return VALIDATION_PATH + self.token


class Mailbox:
    """Every message sent to the students, and the confirmation links they hold.

    The event methods run under the ledger's lock, inside the mutation that caused them,
    and note their rows in its ``changes``. ``base_url`` (the served sandbox's root) makes
    links absolute; empty, a link is a path.
    """

    def __init__(self, ledger: Ledger) -> None:
        self.ledger = ledger
        self.base_url = ""
        self._messages: list[Message] = []
        self._links: dict[str, ValidationLink] = {}

    def restore(self, tables: Mapping[str, Mapping[str, Any]]) -> None:
        """Take up the messages and links of a journal's rows."""
        rows = tables.get("message", {}).values()
        self._messages = sorted((from_data(r, Message) for r in rows), key=lambda m: m.id)
        for data in tables.get("validation_link", {}).values():
            link = from_data(data, ValidationLink)
            self._links[link.token] = link

    # -- the events ----------------------------------------------------------------------

    def filed(self, record: RequestRecord, changes: Changes) -> None:
        """The school validated: the student is asked to confirm, or told of the mandate."""
        if record.status is RequestStatus.AWAITING_APPLICANT_VALIDATION:
            self._ask_confirmation(record, changes)
        elif record.paper_mandate:
            self._mandate_filed(record, changes)

    def _ask_confirmation(self, record: RequestRecord, changes: Changes) -> None:
        validated_at = record.validated_at or record.modified
        link = ValidationLink(
            token=secrets.token_urlsafe(18),
            number=record.number,
            agreement=record.agreement,
            validated_at=validated_at,
        )
        self._links[link.token] = link
        changes.put("validation_link", link.token, link)
        deadline = french_datetime(link.deadline)
        self._email(
            record,
            MessageKind.VALIDATION_REQUEST,
            f"Validez votre demande de permis de conduire n° {record.number} avant le {deadline}",
            [
                f"votre auto-école a déposé pour vous la demande n° {record.number} "
                f"({record.cerfa.label}) sur le site de l'ANTS.",
                f"Vous avez 7 jours, jusqu'au {deadline}, pour vérifier les informations et "
                "valider la demande en suivant ce lien :",
                self.url(link.path),
                "Sans validation de votre part dans ce délai, la demande redevient un "
                "brouillon et votre auto-école devra la valider à nouveau.",
            ],
            changes,
            at=validated_at,
            link=self.url(link.path),
        )

    def _mandate_filed(self, record: RequestRecord, changes: Changes) -> None:
        text = (
            f"votre auto-école a déposé la demande n° {record.number} ({record.cerfa.label}) "
            "sur le site de l'ANTS sous mandat : vous n'avez rien à valider. Vous serez "
            "informé(e) de la décision de la préfecture."
        )
        subject = f"Votre demande de permis de conduire n° {record.number} a été déposée"
        self._email(record, MessageKind.MANDATE_FILED, subject, [text], changes)
        self._sms(
            record,
            MessageKind.MANDATE_FILED,
            f"ANTS : votre auto-école a déposé sous mandat votre demande de permis n° "
            f"{record.number}. Aucune action de votre part n'est nécessaire.",
            changes,
        )

    def applicant_validated(self, record: RequestRecord, changes: Changes) -> None:
        """The student confirmed: the link is used, the request goes to the prefecture."""
        now = self.ledger.clock.now()
        for link in self._pending(record.number):
            link.used_at = now
            link.closed = True
            changes.put("validation_link", link.token, link)
        self._email(
            record,
            MessageKind.FILED,
            f"Votre demande de permis de conduire n° {record.number} est transmise",
            [
                f"vous avez validé la demande n° {record.number}. Elle est transmise au "
                "service instructeur de la préfecture, qui vous informera de sa décision."
            ],
            changes,
        )

    def decided(
        self,
        record: RequestRecord,
        decision: PrefectureDecision,
        reason: str | None,
        changes: Changes,
    ) -> None:
        """The prefecture accepted, rejected or asked for a complement (with its reason)."""
        n = record.number
        because = [f"Motif : {reason}"] if reason else []
        if decision is PrefectureDecision.ACCEPT:
            kind, subject = MessageKind.ACCEPTED, f"Votre demande n° {n} est acceptée"
            lines = [f"la préfecture a accepté votre demande n° {n} ({record.cerfa.label})."]
            if record.neph:
                lines.append(f"Votre numéro NEPH est le {record.neph}.")
        elif decision is PrefectureDecision.REJECT:
            kind, subject = MessageKind.REJECTED, f"Votre demande n° {n} est rejetée"
            lines = [f"la préfecture a rejeté votre demande n° {n}.", *because]
            lines.append("Rapprochez-vous de votre auto-école pour déposer une nouvelle demande.")
        else:
            kind, subject = MessageKind.COMPLEMENT_ASKED, f"Votre demande n° {n} est à compléter"
            lines = [f"la préfecture demande un complément pour votre demande n° {n}.", *because]
            lines.append("Votre auto-école transmettra les pièces demandées.")
        self._email(record, kind, subject, lines, changes)
        if record.paper_mandate:
            self._sms(record, kind, f"ANTS : {subject.lower()}. " + " ".join(because), changes)

    def documents_issued(
        self,
        record: RequestRecord,
        kinds: Collection[PrefectureDocumentKind],
        changes: Changes,
    ) -> None:
        """The prefecture made the request's documents available."""
        labels = [f"- {kind.label}" for kind in PrefectureDocumentKind if kind in kinds]
        self._email(
            record,
            MessageKind.DOCUMENTS_ISSUED,
            f"Les documents de votre demande n° {record.number} sont disponibles",
            [
                f"les documents suivants de votre demande n° {record.number} sont disponibles "
                "auprès de votre auto-école et dans votre espace ANTS :",
                *labels,
            ],
            changes,
        )

    def remind(self, changes: Changes) -> None:
        """Send every reminder and closing notice due by now on the clock (each once, dated
        when it fell due)."""
        now = self.ledger.clock.now()
        for link in [link for link in self._links.values() if not link.closed]:
            before = (link.reminders, link.closed)
            record = self._record(link)
            if record is None or record.validated_at not in (None, link.validated_at):
                link.closed = True  # deleted, or validated again: a new link was sent
            else:
                self._remind(link, record, now, changes)
            if (link.reminders, link.closed) != before:
                changes.put("validation_link", link.token, link)

    def _remind(
        self, link: ValidationLink, record: RequestRecord, now: dt.datetime, changes: Changes
    ) -> None:
        for day in REMINDER_DAYS[link.reminders :]:
            due = link.validated_at + dt.timedelta(days=day)
            if due > now:
                return
            link.reminders += 1
            left = APPLICANT_VALIDATION_WINDOW.days - day
            self._email(
                record,
                MessageKind.REMINDER,
                f"Rappel : validez votre demande n° {record.number} (plus que {left} jour(s))",
                [
                    f"votre demande n° {record.number} attend toujours votre validation. Il "
                    f"vous reste {left} jour(s), jusqu'au {french_datetime(link.deadline)} :",
                    self.url(link.path),
                ],
                changes,
                at=due,
                link=self.url(link.path),
            )
        if link.deadline <= now:
            link.closed = True
            self._email(
                record,
                MessageKind.VALIDATION_EXPIRED,
                f"Votre demande n° {record.number} n'a pas été validée à temps",
                [
                    f"le délai de 7 jours pour valider la demande n° {record.number} est "
                    "dépassé : la demande redevient un brouillon. Votre auto-école peut la "
                    "valider à nouveau."
                ],
                changes,
                at=link.deadline,
            )

    # -- reading -------------------------------------------------------------------------

    def outbox(self, recipient: str | None = None, number: str | None = None) -> list[Message]:
        """The messages sent, oldest first; only to ``recipient`` (email or phone, case
        aside) and about request ``number`` when given."""
        wanted = recipient.strip().casefold() if recipient else None
        return [
            m
            for m in self._messages
            if (wanted is None or m.recipient.casefold() == wanted)
            and (number is None or m.number == number)
        ]

    def message(self, message_id: str) -> Message | None:
        """The message with this id, if any."""
        return next((m for m in self._messages if m.id == message_id), None)

    def link(self, token: str) -> ValidationLink | None:
        """The confirmation link of ``token`` (compared in constant time), if any."""
        for known, link in self._links.items():
            if secrets.compare_digest(known.encode(), token.encode()):
                return link
        return None

    def url(self, path: str) -> str:
        """``path`` under the served sandbox's root (the path alone before it is served)."""
        return self.base_url.rstrip("/") + path

    # -- helpers -------------------------------------------------------------------------

    def _pending(self, number: str) -> list[ValidationLink]:
        return [link for link in self._links.values() if link.number == number and not link.closed]

    def _record(self, link: ValidationLink) -> RequestRecord | None:
        agency_records = self.ledger.held(link.agreement)
        record = agency_records.get(link.number)
        return None if record is None or record.copy else record

    def _email(
        self,
        record: RequestRecord,
        kind: MessageKind,
        subject: str,
        lines: list[str],
        changes: Changes,
        *,
        at: dt.datetime | None = None,
        link: str | None = None,
    ) -> None:
        if not record.email:
            return
        applicant = record.application.get("applicant") or {}
        first, last = applicant.get("first_name") or "", str(applicant.get("last_name") or "")
        name = " ".join(f"{first} {last.upper()}".split())
        body = "\n\n".join([f"Bonjour {name},", *lines, _SENDER])
        sent = Message(
            id="",
            kind=kind,
            channel=Channel.EMAIL,
            recipient=record.email,
            subject=subject,
            body=body,
            number=record.number,
            agreement=record.agreement,
            sent_at=at or self.ledger.clock.now(),
            link=link,
        )
        self._send(record, sent, changes)

    def _sms(self, record: RequestRecord, kind: MessageKind, text: str, changes: Changes) -> None:
        phone = (record.application.get("applicant") or {}).get("phone")
        if phone:
            sent = Message(
                id="",
                kind=kind,
                channel=Channel.SMS,
                recipient=str(phone),
                subject="",
                body=text.strip(),
                number=record.number,
                agreement=record.agreement,
                sent_at=self.ledger.clock.now(),
            )
            self._send(record, sent, changes)

    def _send(self, record: RequestRecord, message: Message, changes: Changes) -> None:
        message = attrs.evolve(
            message, id=f"M{len(self._messages) + 1:06d}", applicant_name=record.applicant_name
        )
        self._messages.append(message)
        changes.put("message", message.id, message)
