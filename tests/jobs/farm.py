"""The job tests' farm: a sandbox with agencies, their credentials file, worker processes."""

from __future__ import annotations

import json
import signal
import subprocess
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples" / "jobs"


class Farm:
    """A sandbox with agencies, their credentials file, and worker processes."""

    def __init__(self, sb: Any, folder: Path, env: dict[str, str]) -> None:
        self.sb = sb
        self.folder = folder
        self.env = env
        self.workers: list[subprocess.Popen[bytes]] = []
        self.agreements: list[str] = []

    def add_agencies(self, count: int, requests: int) -> list[str]:
        rows = json.loads((self.folder / "agencies.json").read_text(encoding="utf-8"))
        for _ in range(count):
            agreement = f"E5{len(self.agreements):09d}"
            login, password = f"agence{len(self.agreements)}", f"secret-{uuid.uuid4().hex[:8]}"
            self.sb.add_agency(
                agreement, login, password, prefecture="Préfecture du Rhône", postal_code="69800"
            )
            self.sb.seed_requests(requests, agreement=agreement)
            rows[agreement] = {
                "login": login,
                "password": password,
                "prefecture": "Préfecture du Rhône",
                "postal_code": "69800",
            }
            self.agreements.append(agreement)
        path = self.folder / "agencies.json"
        path.write_text(json.dumps(rows), encoding="utf-8")
        path.chmod(0o600)
        return self.agreements[-count:]

    def start(self, command: list[str], **env: str) -> subprocess.Popen[bytes]:
        log = (self.folder / f"worker{len(self.workers)}.log").open("wb")
        process = subprocess.Popen(  # our own command
            command, cwd=EXAMPLES, env={**self.env, **env}, stdout=log, stderr=subprocess.STDOUT
        )
        log.close()
        self.workers.append(process)
        return process

    def logs(self) -> str:
        return "\n".join(
            f"--- {p.name}\n{p.read_text(errors='replace')[-3000:]}"
            for p in sorted(self.folder.glob("worker*.log"))
        )

    def stop(self) -> None:
        for process in self.workers:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.workers:
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    def wait_for(self, done: Callable[[], bool], what: str, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while not done():
            dead = [p for p in self.workers if p.poll() not in (None, -signal.SIGKILL)]
            if dead or time.monotonic() > deadline:
                pytest.fail(f"{what}: not done\n{self.logs()}", pytrace=False)
            time.sleep(0.1)


def store_matches_sandbox(store: Any, sb: Any, agreement: str) -> bool:
    """Whether the store holds exactly the sandbox's requests of the agency."""
    server = sorted(sb.requests(agreement), key=lambda r: (r.modified, r.number))
    return list(store.search(agreement)) == server


def ok_reports(store: Any, agreement: str) -> list[dict[str, Any]]:
    return [r for r in store.reports(agreement) if r["ok"]]
