"""A second ANTS for the sync benchmark, written from the protocol's document alone.

``bench_sync.py`` measures the sync against antsclient's sandbox, whose pages come from the
sandbox's own seed and which also answers the leaner listing antsclient asks for
(``shape=rows``). A target met only there could be tuned to that one source. This server
shares nothing with the sandbox or its seed: it implements the two operations a sync uses —
``POST /api/v1/auth/token`` and ``GET /api/v1/requests`` — as ``protocol/openapi.yaml``
describes them, on a plain asyncio HTTP/1.1 server (keep-alive, gzip when asked), and makes
its requests with a generator of its own:

* opaque eleven-digit numbers, not the sandbox's short ones;
* French names with accents, hyphens and particles (``LEFÈVRE-D'ANGELO Anaïs``), emails and
  phones written in several ways, every optional field present or absent at its own rate;
* instants in Paris local time with their offset (``+01:00``, ``+02:00``), to the second;
* labels as an agency reads them on ANTS, one per status and one per request type.

It answers only the default shape (``items``): a ``shape`` it is asked for is ignored, as a
server that knows no other shape would. Its pages are rendered, and compressed, once, so
that its own time stays small beside the clients'; each answer waits the link's latency.

:class:`IndependentServer` runs it in a process of its own, driven as
:class:`~sandbox_process.SandboxProcess` is (``agencies``, ``stats``, ``set_latency``).

    python benchmarks/independent_server.py --requests 2000   # serve until Ctrl-C
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import gzip
import json
import math
import random
import secrets
import sys
import threading
import time
import unicodedata
import urllib.parse
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from sandbox_process import ServerProcess

Answer = tuple[int, bytes, bytes | None]
MAX_PAGE_SIZE = 500
TOKEN_SECONDS = 3600

# --- the requests ----------------------------------------------------------------------------

LAST_NAMES = (
    "MARTIN", "BERNARD", "THOMAS", "PETIT", "ROBERT", "RICHARD", "DURAND", "DUBOIS",
    "LEFÈVRE", "MOREAU", "LAURENT", "SIMON", "MICHEL", "GARCÍA", "FERNANDES", "NGUYEN",
    "BOUCHÉ", "DE LA FONTAINE", "D'ANGELO", "LE GOFF", "KOWALCZYK", "BENMOUSSA", "TRẦN",
    "MÜLLER", "CHÂTEAU", "FAÏDHERBE", "LEBŒUF", "N'DIAYE", "ÉTIENNE", "OUÉDRAOGO",
)  # fmt: skip
FIRST_NAMES = (
    "Anaïs", "Éloïse", "Gaëlle", "Noël", "Jérôme", "Hélène", "Zoé", "Maël", "Inès",
    "Chloé", "Léa", "Théo", "Amélie", "François", "Cécile", "Loïc", "Océane", "Joël",
    "Marie-Thérèse", "Jean-Baptiste", "Aïcha", "Yasmine", "Kévin", "Bérénice", "Séverine",
)  # fmt: skip
DOMAINS = ("orange.fr", "free.fr", "gmail.com", "laposte.net", "sfr.fr", "outlook.fr")

STATUS_LABELS = {
    "draft": "Brouillon",
    "awaiting_applicant_validation": "En attente de validation par le demandeur",
    "under_review": "En cours de vérification",
    "in_progress": "En cours d'instruction",
    "to_complete": "À compléter",
    "rejected": "Rejetée",
    "ready_for_cerfa06": "À traiter en Cerfa 06",
    "accepted": "Acceptée",
    "transferred": "Transférée",
}
STATUS_WEIGHTS = {
    "draft": 6,
    "awaiting_applicant_validation": 5,
    "under_review": 8,
    "in_progress": 12,
    "to_complete": 7,
    "rejected": 4,
    "ready_for_cerfa06": 18,
    "accepted": 36,
    "transferred": 4,
}
TYPES = {  # request type: its form, its label
    "exam_registration": ("02", "Inscription au permis nécessitant le passage d'un examen"),
    "title_after_exam": ("06", "Demande de titre après réussite à l'examen pratique"),
    "title_after_training": ("06", "Demande de titre avec une attestation de formation"),
}
VALIDATED = {"under_review", "in_progress", "to_complete", "rejected", "ready_for_cerfa06",
             "accepted", "transferred"}  # fmt: skip


def _ascii(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(c for c in folded.lower() if c.isalnum())


def _phone(rng: random.Random) -> str:
    digits = f"0{rng.choice('67')}{rng.randrange(10**8):08d}"
    style = rng.randrange(3)
    if style == 0:
        return digits
    if style == 1:
        return " ".join(digits[i : i + 2] for i in range(0, 10, 2))
    return "+33" + digits[1:]


def _last_sunday(year: int, month: int) -> dt.datetime:
    day = dt.datetime(year, month + 1, 1, 1, tzinfo=dt.UTC) - dt.timedelta(days=1)
    return day - dt.timedelta(days=(day.weekday() + 1) % 7)


def _instant(moment: dt.datetime) -> str:
    """``moment`` in Paris local time, to the second, with its offset (summer time from the
    last Sunday of March to the last Sunday of October, at 01:00 UTC)."""
    summer = _last_sunday(moment.year, 3) <= moment < _last_sunday(moment.year, 10)
    offset = dt.timezone(dt.timedelta(hours=2 if summer else 1))
    return moment.astimezone(offset).replace(microsecond=0).isoformat()


def make_requests(count: int, seed: int = 7) -> list[dict[str, Any]]:
    """``count`` requests of one agency, ordered by (modified, number) as ANTS lists them."""
    rng = random.Random(seed)
    now = dt.datetime(2026, 11, 20, 16, 0, tzinfo=dt.UTC)
    statuses, weights = zip(*STATUS_WEIGHTS.items(), strict=True)
    numbers = rng.sample(range(10**10, 10**11), count)
    items = []
    for n in range(count):
        status = rng.choices(statuses, weights)[0]
        kind = (
            "exam_registration"
            if rng.random() < 0.7
            else rng.choice(("title_after_exam", "title_after_training"))
        )
        cerfa, type_label = TYPES[kind]
        if cerfa == "06" and status == "ready_for_cerfa06":  # a title request's own end
            status = "accepted"
        created = now - dt.timedelta(seconds=rng.randrange(3 * 365 * 86400))
        modified = created + dt.timedelta(seconds=rng.randrange(120 * 86400))
        modified = min(modified, now)
        last, first = rng.choice(LAST_NAMES), rng.choice(FIRST_NAMES)
        linked = rng.random() < 0.85
        item: dict[str, Any] = {
            "number": str(numbers[n]),
            "cerfa": cerfa,
            "status": status,
            "status_label": STATUS_LABELS[status],
            "type_label": type_label,
            "created": _instant(created),
            "modified": _instant(modified),
            "transferred": status == "transferred",
            "neph": f"{rng.randrange(10**12):012d}" if rng.random() < 0.55 else None,
            "student_id": f"EL{rng.randrange(10**6):06d}" if linked else None,
            "applicant_name": f"{last} {first}" if rng.random() < 0.97 else None,
            "email": (
                f"{_ascii(first)}.{_ascii(last)}{rng.randrange(100)}@{rng.choice(DOMAINS)}"
                if rng.random() < 0.95
                else None
            ),
            "validated_at": (
                _instant(created + (modified - created) / 3) if status in VALIDATED else None
            ),
            "request_type": kind if rng.random() < 0.9 else None,
            "paper_mandate": (mandate := rng.random() < 0.1),
            "paper_mandate_date": (created.date().isoformat() if mandate else None),
            "phone": _phone(rng) if rng.random() < 0.8 else None,
        }
        items.append(item)
    items.sort(key=lambda i: (dt.datetime.fromisoformat(i["modified"]), i["number"]))
    return items


# --- the server ------------------------------------------------------------------------------


class Listing:
    """One agency's requests and the answers of its two operations."""

    def __init__(self, count: int, agreement: str, login: str, password: str) -> None:
        self.requests = make_requests(count)
        self.agreement, self.login, self.password = agreement, login, password
        self.tokens: set[str] = set()
        self.pages: dict[tuple[Any, ...], tuple[bytes, bytes]] = {}

    def answer(self, method: str, target: str, headers: dict[str, str], body: bytes) -> Answer:
        """Status, JSON body, and the body's gzip form when it has one."""
        path, _, query = target.partition("?")
        if path == "/api/v1/auth/token" and method == "POST":
            return self._login(body)
        if path == "/api/v1/requests" and method == "GET":
            if headers.get("authorization", "")[len("Bearer ") :] not in self.tokens:
                return _error(401, "unauthorized", "Log in first.", "Connectez-vous d'abord.")
            return self._search(urllib.parse.parse_qs(query))
        return _error(404, "not_found", "No such operation here.", "Opération inconnue.")

    def _login(self, body: bytes) -> Answer:
        try:
            given = json.loads(body)
        except ValueError:
            return _error(400, "bad_request", "A JSON body is expected.", "Corps JSON attendu.")
        if (given.get("agreement"), given.get("login"), given.get("password")) != (
            self.agreement,
            self.login,
            self.password,
        ):
            return _error(
                401, "invalid_credentials", "Wrong credentials.", "Identifiants incorrects."
            )
        token = secrets.token_urlsafe(24)
        self.tokens.add(token)
        expires = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=TOKEN_SECONDS)
        answer = {
            "access_token": token,
            "token_type": "Bearer",
            "expires_in": TOKEN_SECONDS,
            "expires_at": expires.isoformat(),
        }
        return 200, json.dumps(answer).encode(), None

    def _search(self, query: dict[str, list[str]]) -> Answer:
        def one(name: str, default: str | None = None) -> str | None:
            return query.get(name, [default])[-1]

        try:
            page = int(one("page", "1") or 1)
            size = int(one("page_size", "100") or 100)
            low = _bound(one("modified_from"))
            high = _bound(one("modified_to"))
        except ValueError:
            return _error(400, "bad_request", "Bad paging or date.", "Pagination ou date invalide.")
        if page < 1 or not 1 <= size <= MAX_PAGE_SIZE:
            return _error(400, "bad_request", "Bad paging.", "Pagination invalide.")
        cerfa, number = one("cerfa"), one("number")
        key = (page, size, low, high, cerfa, number)
        if key not in self.pages:
            chosen = [
                r
                for r in self.requests
                if (cerfa is None or r["cerfa"] == cerfa)
                and (number is None or r["number"] == number)
                and (low is None or dt.datetime.fromisoformat(r["modified"]) >= low)
                and (high is None or dt.datetime.fromisoformat(r["modified"]) <= high)
            ]
            start = (page - 1) * size
            plain = json.dumps(
                {
                    "items": chosen[start : start + size],
                    "page": page,
                    "page_size": size,
                    "total": len(chosen),
                    "pages": math.ceil(len(chosen) / size),
                },
                ensure_ascii=False,
            ).encode()
            self.pages[key] = plain, gzip.compress(plain, compresslevel=6, mtime=0)
        plain, packed = self.pages[key]
        return 200, plain, packed


def _bound(text: str | None) -> dt.datetime | None:
    if text is None:
        return None
    moment = dt.datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def _error(status: int, code: str, message: str, message_fr: str) -> Answer:
    body = {"error": {"code": code, "message": message, "message_fr": message_fr}}
    return status, json.dumps(body, ensure_ascii=False).encode(), None


REASONS = {200: "OK", 400: "Bad Request", 401: "Unauthorized", 404: "Not Found"}


class Server:
    """The HTTP side: keep-alive connections, one answer at a time each, after the latency."""

    def __init__(self, listing: Listing, latency_ms: float) -> None:
        self.listing = listing
        self.latency = latency_ms / 1000
        self.bytes_sent = 0
        self.answers = 0
        self.writers: set[asyncio.StreamWriter] = set()

    async def connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.writers.add(writer)
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                lines = head.decode("latin-1").split("\r\n")
                method, target, _ = lines[0].split(" ", 2)
                headers = {}
                for line in lines[1:]:
                    name, _, value = line.partition(":")
                    if name:
                        headers[name.strip().lower()] = value.strip()
                length = int(headers.get("content-length", "0"))
                body = await reader.readexactly(length) if length else b""
                status, payload, packed = self.listing.answer(method, target, headers, body)
                extra = ""
                if packed is not None and "gzip" in headers.get("accept-encoding", ""):
                    payload, extra = packed, "Content-Encoding: gzip\r\nVary: Accept-Encoding\r\n"
                if self.latency:
                    await asyncio.sleep(self.latency)
                answer = (
                    f"HTTP/1.1 {status} {REASONS.get(status, 'Error')}\r\n"
                    f"Content-Type: application/json; charset=utf-8\r\n{extra}"
                    f"Content-Length: {len(payload)}\r\n\r\n"
                ).encode() + payload
                writer.write(answer)
                await writer.drain()
                self.bytes_sent += len(answer)
                self.answers += 1
                if headers.get("connection", "").lower() == "close":
                    break
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.LimitOverrunError):
            pass
        finally:
            self.writers.discard(writer)
            writer.close()


def _serve(conn: Connection, count: int, latency_ms: float) -> None:
    """Child process: the server on loopback, driven through ``conn``."""
    listing = Listing(count, "E0123456789", "auto-ecole", "s3cret-" + secrets.token_hex(4))
    server = Server(listing, latency_ms)
    loop = asyncio.new_event_loop()
    started = loop.run_until_complete(asyncio.start_server(server.connection, "127.0.0.1", 0))
    port = started.sockets[0].getsockname()[1]
    info = {
        "url": f"http://127.0.0.1:{port}",
        "agreement": listing.agreement,
        "login": listing.login,
        "password": listing.password,
        "prefecture": "",
        "postal_code": "",
    }

    def commands() -> None:
        conn.send([info])
        while True:
            command, arg = conn.recv()
            if command == "stop":  # answered first: the process ends with the loop
                conn.send("stopped")
                loop.call_soon_threadsafe(loop.stop)
                return
            if command == "latency":
                server.latency = float(arg) / 1000
                conn.send("ok")
            elif command == "stats":
                conn.send(
                    {
                        "bytes_sent": server.bytes_sent,
                        "answers": server.answers,
                        "cpu_s": time.process_time(),
                    }
                )
            else:
                conn.send(f"unknown command {command!r}")

    threading.Thread(target=commands, daemon=True).start()
    loop.run_forever()
    started.close()
    # The clients' idle keep-alive connections: closed, each handler then ends on its own.
    for writer in list(server.writers):
        writer.close()
    loop.run_until_complete(_ended())
    loop.close()


async def _ended() -> None:
    """Once every other task of the loop has ended."""
    others = asyncio.all_tasks() - {asyncio.current_task()}
    await asyncio.gather(*others, return_exceptions=True)


class IndependentServer(ServerProcess):
    """The independent server in a process of its own, one agency of ``count`` requests."""

    def __init__(self, count: int, latency_ms: float = 0.0) -> None:
        super().__init__(_serve, (count, latency_ms))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--latency-ms", type=float, default=20.0)
    args = parser.parse_args()
    with IndependentServer(args.requests, args.latency_ms) as server:
        print(json.dumps(server.agencies[0]), flush=True)
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main()
