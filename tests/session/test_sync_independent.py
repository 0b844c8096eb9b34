"""A full sync from a server antsclient's sandbox has no part in.

``benchmarks/independent_server.py`` implements login and search from the protocol's
document alone, with requests of its own making (accented names, Paris offsets, eleven-digit
numbers, every optional field absent at its own rate) and only the default shape of a page:
each request it serves must be stored exactly as served, by both shells, with and without
the ``speedups`` extra's fast reader.
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from shells import open_shell

import antsclient as ants
from antsclient.protocol import _fastpage
from antsclient.storage import MemoryStore, SqliteStore

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))

from independent_server import IndependentServer, make_requests

COUNT = 1234
"""Three pages of 500 and a short one."""


@pytest.fixture(scope="module")
def server() -> Iterator[IndependentServer]:
    with IndependentServer(COUNT) as running:
        yield running


def _instant(text: str | None) -> dt.datetime | None:
    return None if text is None else dt.datetime.fromisoformat(text)


def _as_served(item: dict[str, Any]) -> dict[str, Any]:
    """What a stored copy of ``item`` must hold, field by field."""
    mandate = item["paper_mandate_date"]
    return {
        **item,
        "cerfa": ants.Cerfa(item["cerfa"]),
        "status": ants.RequestStatus(item["status"]),
        "created": _instant(item["created"]),
        "modified": _instant(item["modified"]),
        "validated_at": _instant(item["validated_at"]),
        "request_type": None
        if item["request_type"] is None
        else ants.RequestType(item["request_type"]),
        "paper_mandate_date": None if mandate is None else dt.date.fromisoformat(mandate),
    }


@pytest.mark.parametrize("kind", ["sync", "async"])
@pytest.mark.parametrize("store_kind", ["sqlite", "memory"])
@pytest.mark.parametrize("fast", [True, False], ids=["speedups", "core"])
def test_every_request_of_an_independent_server_is_stored_as_served(
    server: IndependentServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    kind: str,
    store_kind: str,
    fast: bool,
) -> None:
    if not fast:
        monkeypatch.setattr(_fastpage, "_decoders", lambda: None)
    info = server.agencies[0]
    credentials = ants.Credentials(
        agreement=info["agreement"], login=info["login"], password=info["password"]
    )
    store = SqliteStore(tmp_path / "s.db") if store_kind == "sqlite" else MemoryStore()
    with (
        store,
        open_shell(kind) as shell,
        shell.open(credentials, base_url=info["url"], store=store) as session,
    ):
        report = session.requests.sync_all()
        assert report.ok, report
        assert (report.seen, report.new, report.failed) == (COUNT, COUNT, 0)
        served = make_requests(COUNT)
        assert [r.number for r in store.search(info["agreement"])] == [i["number"] for i in served]
        for item in served:
            copy = store.get(info["agreement"], item["number"])
            assert copy is not None
            stored = {name: getattr(copy, name) for name in item}
            assert stored == _as_served(item), item["number"]
        # The next sync asks only for what changed since the watermark (modified_from, in
        # the server's Paris offsets against the store's UTC): nothing did.
        again = session.requests.sync_all()
        assert again.ok, again
        assert (again.new, again.updated, again.failed) == (0, 0, 0)
        assert again.seen < COUNT
