"""The runner: SQLite persistence, the HTTP controls, the command line, bulk seeding."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import httpx
import pytest
from sandbox_helpers import application_data, create, error_of, login, mandate_data

from antsclient.models import RequestStatus
from antsclient.sandbox import SandboxState, create_app, serve
from antsclient.sandbox.__main__ import main
from antsclient.sandbox.journal import MemoryJournal, SqliteJournal

pytestmark = pytest.mark.network


def test_a_demo_stops_and_resumes_from_sqlite(tmp_path: Path) -> None:
    db = tmp_path / "sandbox.db"
    with serve(db=db, seed=5) as sb:
        creds = sb.credentials
        with httpx.Client(base_url=sb.api_url) as client:
            login(client, creds.agreement, creds.login, creds.password.reveal())
            response = create(client, application_data(ephoto_code="ABCDEFGHIJKLMNOPQRSTUV"))
            number = response.json()["number"]
            client.post(
                f"/requests/{number}/attachments/identity",
                files={"file": ("cni.png", b"\x89PNG\r\n\x1a\n" + b"0" * 20, "image/png")},
                headers={"Idempotency-Key": "persisted-upload"},
            )
        sb.advance_days(2)
        sb.add_agency("E9000000003", "reprise", "Pa55word!", prefecture="P", postal_code="69800")
        direct = sb.register_direct(status=RequestStatus.AWAITING_APPLICANT_VALIDATION)
        before = [(r.number, r.status, r.modified) for r in sb.requests()]
        now = sb.now()
    with serve(db=db, seed=5) as again:
        assert [(r.number, r.status, r.modified) for r in again.requests()] == before
        assert again.now() >= now
        assert "E9000000003" in again.state.agencies
        with httpx.Client(base_url=again.api_url) as client:
            login(client, creds.agreement, creds.login, creds.password.reveal())
            slots = client.get(f"/requests/{number}/attachments").json()["items"]
            assert slots[0]["files"][0]["name"] == "cni.png"
            replay = client.post(
                f"/requests/{number}/attachments/identity",
                files={"file": ("cni.png", b"\x89PNG\r\n\x1a\n" + b"0" * 20, "image/png")},
                headers={"Idempotency-Key": "persisted-upload"},
            )
            assert replay.status_code == 200
            used = create(client, application_data(ephoto_code="ABCDEFGHIJKLMNOPQRSTUV"))
            assert error_of(used)["code"] == "ephoto.already_used"
            fresh = create(client)
            assert fresh.json()["number"] not in {n for n, _, _ in before}
        again.advance_days(8)  # the resumed window still closes
        assert {r.number: r.status for r in again.requests()}[direct.number] is RequestStatus.DRAFT


def test_journals() -> None:
    journal = MemoryJournal()
    assert journal.load() == {}
    journal.save([("request", "a", {"x": 1})])
    journal.close()


def test_sqlite_journal_rolls_back(tmp_path: Path) -> None:
    journal = SqliteJournal(tmp_path / "s.db")
    journal.save([("k", "a", {"v": 1})])
    journal.save([])
    with pytest.raises(TypeError):
        journal.save([("k", "b", {"v": 2}), ("k", "c", {"v": object()})])
    journal.save([("k", "a", None)])
    assert journal.load() == {}
    journal.close()


def test_seeding_twenty_thousand_requests() -> None:
    state = SandboxState(seed=1)
    numbers = state.seed_requests(20_000)
    assert len(set(numbers)) == 20_000
    assert len(state.requests("E1706900030")) >= 20_000


def test_http_controls(tmp_path: Path) -> None:
    with serve(seed=4) as sb, httpx.Client(base_url=sb.url) as control:
        creds = sb.credentials
        with httpx.Client(base_url=sb.api_url) as client:
            login(client, creds.agreement, creds.login, creds.password.reveal())
            number = create(client, mandate_data()).json()["number"]
            for kind in ("identity", "proof_of_address"):
                client.post(
                    f"/requests/{number}/attachments/{kind}",
                    files={"file": ("a.png", b"\x89PNG\r\n\x1a\n", "image/png")},
                )
            assert client.post(f"/requests/{number}/validate").json()["status"] == "under_review"
        taken = control.post(f"/_sandbox/requests/{number}/prefecture-takes-up").json()
        assert taken["status"] == "in_progress"
        decided = control.post(
            f"/_sandbox/requests/{number}/prefecture-decides", json={"decision": "accept"}
        ).json()
        assert decided["status"] == "ready_for_cerfa06" and len(decided["neph"]) == 12
        refused = control.post(f"/_sandbox/requests/{number}/applicant-validates")
        assert refused.status_code == 409
        assert error_of(refused)["code"] == "action_not_allowed"
        assert control.post("/_sandbox/requests/0/applicant-validates").status_code == 404
        direct = control.post("/_sandbox/register-direct", json={}).json()
        assert direct["number"].startswith("901") and direct["student_id"] is None
        app_data = application_data()
        own = control.post(
            "/_sandbox/register-direct",
            json={"application": app_data, "cerfa": "02", "status": "draft"},
        ).json()
        assert own["email"] == app_data["applicant"]["email"] and own["status"] == "draft"
        seeded = control.post("/_sandbox/seed-requests", json={"count": 3}).json()
        assert len(seeded["numbers"]) == 3
        listing = control.get("/_sandbox/requests", params={"agreement": creds.agreement})
        assert {seeded["numbers"][0], direct["number"]} <= {
            i["number"] for i in listing.json()["items"]
        }
        moved = control.post("/_sandbox/advance", json={"days": 1, "seconds": 5}).json()
        assert moved["now"] > decided["modified"]
        assert control.post("/_sandbox/latency", json={"ms": 5}).json() == {"latency_ms": 5.0}
        faults = control.post(
            "/_sandbox/faults", json={"error_rate": 0.5, "seed": 9, "hang_seconds": 0.1}
        ).json()
        assert faults["error_rate"] == 0.5 and faults["hang_seconds"] == 0.1
        assert control.post("/_sandbox/faults", json={"error_rate": 2}).status_code == 400
        assert control.post("/_sandbox/faults", json={"unknown": 1}).status_code == 400
        assert control.post("/_sandbox/faults", content=b"[1]").status_code == 400
        assert control.post("/_sandbox/faults", content=b"{").status_code == 400
        control.post("/_sandbox/faults", json={})
        agency = control.post(
            "/_sandbox/agencies",
            json={
                "agreement": "E9000000004",
                "login": "l",
                "password": "p",
                "postal_code": "75001",
            },
        ).json()
        assert agency == {"agreement": "E9000000004", "login": "l"}
        assert control.post("/_sandbox/agencies", json={}).status_code == 400
        ttl = control.post("/_sandbox/token-ttl", json={"seconds": 90}).json()
        assert ttl == {"token_ttl_s": 90.0}
        assert sb.credentials_of("E9000000004").postal_code == "75001"


def test_in_process_app_has_the_same_controls() -> None:
    app = create_app(seed=1)
    assert app.sandbox.requests()
    assert app.sandbox.credentials.agreement == "E1706900030"
    app.sandbox.close()


def test_command_line_serves_until_stopped(capsys: pytest.CaptureFixture[str]) -> None:
    stop = threading.Event()
    result: list[int] = []
    thread = threading.Thread(
        target=lambda: result.append(
            main(["--port", "0", "--latency-ms", "1", "--fault-rate", "0"], stop=stop)
        )
    )
    thread.start()
    deadline = time.monotonic() + 10
    while "ANTS sandbox on" not in capsys.readouterr().out and time.monotonic() < deadline:
        time.sleep(0.05)
    stop.set()
    thread.join(timeout=10)
    assert result == [0]


def test_command_line_output(capsys: pytest.CaptureFixture[str]) -> None:
    stop = threading.Event()
    stop.set()
    assert main(["--port", "0", "--seed", "3"], stop=stop) == 0
    out = capsys.readouterr().out
    assert "http://127.0.0.1:" in out and "/api/v1" in out
    assert "E1706900030" in out and "claboret662" in out


def test_serve_fails_cleanly_on_a_busy_port() -> None:
    with serve() as sb:
        port = int(sb.url.rsplit(":", 1)[1])
        with pytest.raises(OSError, match="in use"), serve(port=port):
            pass  # pragma: no cover


def test_serve_stops_under_a_hanging_request() -> None:
    """A request still hanging when the block ends is cancelled: the server's thread ends,
    having closed its socket itself (not closed under it), and the client is answered or cut
    off rather than left waiting for the hang."""
    outcome: list[object] = []

    def ask(url: str) -> None:
        try:
            with httpx.Client(timeout=60) as client:
                outcome.append(client.get(f"{url}/api/v1/request-types").status_code)
        except httpx.TransportError as exc:
            outcome.append(exc)

    with serve() as sb:
        sb.set_faults(hang_rate=1.0, hang_seconds=60)
        caller = threading.Thread(target=ask, args=(sb.url,))
        caller.start()
        deadline = time.monotonic() + 30
        while not sb.received() and time.monotonic() < deadline:
            time.sleep(0.01)
        assert sb.received(), "the request reached the server"
    caller.join(30)
    assert not caller.is_alive(), "the client still waits for the hang"
    [answer] = outcome
    assert answer == 500 or isinstance(answer, httpx.TransportError), answer
    assert not [t for t in threading.enumerate() if t.name == "antsclient-sandbox"]
