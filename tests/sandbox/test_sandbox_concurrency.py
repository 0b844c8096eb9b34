"""Fifty concurrent clients doing mixed operations: no failed call, no lost write."""

from __future__ import annotations

import asyncio
from collections import Counter

import httpx
import pytest
from sandbox_helpers import application_data

from antsclient.sandbox import SandboxHandle
from antsclient.sandbox.assets import pdf

pytestmark = pytest.mark.network

CLIENTS = 50
ROUNDS = 2


async def _run(sb: SandboxHandle) -> tuple[list[str], list[str], Counter[str]]:
    creds = sb.credentials
    errors: list[str] = []
    made: list[str] = []
    uploads: Counter[str] = Counter()
    limits = httpx.Limits(max_connections=1)

    async def worker(index: int, start: asyncio.Event) -> None:
        async with httpx.AsyncClient(base_url=sb.api_url, timeout=30, limits=limits) as client:
            token = await client.post(
                "/auth/token",
                json={
                    "agreement": creds.agreement,
                    "login": creds.login,
                    "password": creds.password.reveal(),
                },
            )
            client.headers["Authorization"] = f"Bearer {token.json()['access_token']}"
            await start.wait()
            for round_ in range(ROUNDS):
                key = f"w{index}-r{round_}"
                body = {"cerfa": "02", "application": application_data()}
                headers = {"Idempotency-Key": key}
                response = await client.post("/requests", json=body, headers=headers)
                again = await client.post("/requests", json=body, headers=headers)
                if response.status_code != 201 or again.status_code != 200:
                    errors.append(f"create {response.status_code} {again.status_code}")
                    continue
                number = response.json()["number"]
                made.append(number)
                upload = await client.post(
                    f"/requests/{number}/attachments/identity",
                    files={"file": ("cni.pdf", pdf(f"cni {index}"), "application/pdf")},
                    headers={"Idempotency-Key": f"{key}-upload"},
                )
                uploads[number] += upload.status_code == 201
                statuses = [
                    upload.status_code,
                    (await client.get(f"/requests/{number}")).status_code,
                    (await client.get("/requests", params={"page_size": 10})).status_code,
                    (await client.get("/requests/counts")).status_code,
                ]
                if statuses != [201, 200, 200, 200]:
                    errors.append(f"{number}: {statuses}")

    start = asyncio.Event()
    tasks = [asyncio.create_task(worker(i, start)) for i in range(CLIENTS)]
    await asyncio.sleep(0.2)
    start.set()
    await asyncio.wait_for(asyncio.gather(*tasks), timeout=60)
    return errors, made, uploads


def test_fifty_concurrent_clients(sb: SandboxHandle) -> None:
    agreement = sb.credentials.agreement
    before = {r.number for r in sb.requests(agreement)}
    errors, made, uploads = asyncio.run(_run(sb))
    assert errors == []
    assert len(made) == len(set(made)) == CLIENTS * ROUNDS
    held = {r.number for r in sb.requests(agreement)} - before
    assert held == set(made)  # exactly these: none duplicated, none lost
    assert set(uploads.values()) == {1}
    slots = {n: sb.state.slots(sb.state.agencies[agreement], n)[0] for n in made}
    assert all(len(slot.files) == 1 for slot in slots.values())
