"""The clients a full sync is timed with, each run in a fresh process.

``python benchmarks/sync_clients.py CLIENT STORE RUNS FOLDER`` reads the agency (url,
agreement, login, password) as JSON on its standard input, syncs it ``RUNS`` times — each into
a fresh store, with a fresh client, the first one *cold* (the first in this process), the
others *warm* — and prints one JSON object: for each run its wall time, this process's CPU
time (every thread) and how many requests it stored.

The clients:

* ``naive`` — what a first attempt looks like: list the numbers page by page, then get each
  request, one call at a time, and write each row as it comes;
* ``anchor`` — what a competent vendor writes by hand with httpx: pages 8 in flight from a
  thread pool, each page decoded once (``response.json()``) and its rows written to SQLite
  with ``executemany`` in one transaction per page (or into a dict);
* ``anchor_fastjson`` — the same client decoding each page with a fast JSON library
  (orjson when installed, else msgspec's untyped decoder: plain dicts, as ``json.loads``
  gives, in a third of its time);
* ``antsclient`` — ``AntsSession(...).requests.sync_all()`` into a ``SqliteStore`` or a
  ``MemoryStore``;
* ``antsclient_core`` — the same without the ``speedups`` extra (msgspec and zlib-ng made
  unimportable in its process): the figure of a machine that installed the core alone.
* ``anchor_async`` — the hand-written client of an asyncio application: ``httpx.AsyncClient``,
  pages 8 in flight, each page's rows stored on the loop;
* ``antsclient_async`` — ``AsyncAntsSession(...).requests.sync_all()``, its event loop made
  and ended inside the clock (as the anchor's).

Every client's clock starts before its login and stops when the last row is stored; building
the HTTP client and opening the store are outside it, for all alike.
"""

from __future__ import annotations

import concurrent.futures
import json
import sqlite3
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "src"))

PAGE_SIZE = 500
IN_FLIGHT = 8
COLUMNS = (
    "number",
    "cerfa",
    "status",
    "status_label",
    "type_label",
    "created",
    "modified",
    "transferred",
    "neph",
    "student_id",
    "applicant_name",
    "email",
    "validated_at",
)


# --- the hand-written stores -----------------------------------------------------------------


class RowStore:
    """Rows into SQLite (WAL, ``synchronous=NORMAL``, as antsclient's store), one transaction
    per batch; or into a dict when ``path`` is ``None``."""

    def __init__(self, path: Path | None) -> None:
        self.rows: dict[str, Any] = {}
        self.db: sqlite3.Connection | None = None
        if path is not None:
            self.db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
            self.db.execute("PRAGMA journal_mode = WAL")
            self.db.execute("PRAGMA synchronous = NORMAL")
            self.db.execute(
                f"CREATE TABLE requests (agreement TEXT NOT NULL, {', '.join(COLUMNS)}, "
                "PRIMARY KEY (agreement, number))"
            )
        self.sql = (
            f"INSERT OR REPLACE INTO requests (agreement, {', '.join(COLUMNS)}) "
            f"VALUES ({', '.join('?' * (len(COLUMNS) + 1))})"
        )

    def write(self, agreement: str, items: list[dict[str, Any]]) -> None:
        if self.db is None:
            for item in items:
                self.rows[item["number"]] = item
            return
        rows = [(agreement, *(item.get(c) for c in COLUMNS)) for item in items]
        self.db.execute("BEGIN IMMEDIATE")
        self.db.executemany(self.sql, rows)
        self.db.execute("COMMIT")

    def count(self) -> int:
        if self.db is None:
            return len(self.rows)
        return int(self.db.execute("SELECT COUNT(*) FROM requests").fetchone()[0])

    def close(self) -> None:
        if self.db is not None:
            self.db.close()


def _login(client: Any, info: dict[str, str]) -> None:
    answer = client.post(
        "/auth/token", json={k: info[k] for k in ("agreement", "login", "password")}
    )
    answer.raise_for_status()
    client.headers["Authorization"] = f"Bearer {answer.json()['access_token']}"


def _page(client: Any, number: int, decode: Callable[[bytes], Any] | None = None) -> Any:
    answer = client.get("/requests", params={"page": number, "page_size": PAGE_SIZE})
    answer.raise_for_status()
    return answer.json() if decode is None else decode(answer.content)


def fast_json() -> Callable[[bytes], Any] | None:
    """A fast JSON decoder a vendor would reach for — orjson's, else msgspec's untyped one —
    or ``None`` when neither is installed."""
    try:
        import orjson  # type: ignore[import-not-found, unused-ignore]
    except ImportError:
        try:
            import msgspec
        except ImportError:
            return None
        decode: Callable[[bytes], Any] = msgspec.json.Decoder().decode
        return decode
    loads: Callable[[bytes], Any] = orjson.loads
    return loads


def anchor(
    info: dict[str, str], store_path: Path | None, decode: Callable[[bytes], Any] | None = None
) -> Callable[[], int]:
    """The hand-written concurrent client: pages 8 in flight, rows stored page by page, each
    page decoded by httpx (``json.loads``) or by ``decode``."""
    import httpx

    store = RowStore(store_path)
    client = httpx.Client(base_url=info["url"] + "/api/v1", timeout=60)

    def run() -> int:
        try:
            _login(client, info)
            first = _page(client, 1, decode)
            store.write(info["agreement"], first["items"])
            with concurrent.futures.ThreadPoolExecutor(IN_FLIGHT) as pool:
                pending = [
                    pool.submit(_page, client, n, decode) for n in range(2, first["pages"] + 1)
                ]
                for done in concurrent.futures.as_completed(pending):
                    store.write(info["agreement"], done.result()["items"])
            return store.count()
        finally:
            client.close()
            store.close()

    return run


def anchor_fastjson(info: dict[str, str], store_path: Path | None) -> Callable[[], int]:
    """The anchor with a fast JSON library."""
    decode = fast_json()
    if decode is None:
        raise SystemExit("anchor_fastjson needs orjson or msgspec installed")
    return anchor(info, store_path, decode)


def naive(info: dict[str, str], store_path: Path | None) -> Callable[[], int]:
    """One call at a time: the numbers page by page, then each request, each row stored."""
    import httpx

    store = RowStore(store_path)
    client = httpx.Client(base_url=info["url"] + "/api/v1", timeout=60)

    def run() -> int:
        try:
            _login(client, info)
            numbers: list[str] = []
            page = 1
            while True:
                data = _page(client, page)
                numbers += [item["number"] for item in data["items"]]
                if page >= data["pages"]:
                    break
                page += 1
            for number in numbers:
                answer = client.get(f"/requests/{number}")
                answer.raise_for_status()
                store.write(info["agreement"], [answer.json()])
            return store.count()
        finally:
            client.close()
            store.close()

    return run


def antsclient(info: dict[str, str], store_path: Path | None) -> Callable[[], int]:
    """``sync_all`` into antsclient's own store."""
    import antsclient as ants
    from antsclient.storage import MemoryStore, SqliteStore

    store: Any = MemoryStore() if store_path is None else SqliteStore(store_path)
    creds = ants.Credentials(
        agreement=info["agreement"], login=info["login"], password=info["password"]
    )
    session = ants.AntsSession(creds, base_url=info["url"], store=store)

    def run() -> int:
        try:
            report = session.requests.sync_all()
            if not report.ok:
                raise RuntimeError(repr(report))
            return report.seen
        finally:
            session.close()
            if store_path is not None:
                store.close()

    return run


def anchor_async(info: dict[str, str], store_path: Path | None) -> Callable[[], int]:
    """The hand-written client of an asyncio application: ``httpx.AsyncClient``, pages 8 in
    flight (a semaphore), each page's rows stored on the loop as it arrives."""
    import asyncio

    import httpx

    store = RowStore(store_path)
    client = httpx.AsyncClient(base_url=info["url"] + "/api/v1", timeout=60)

    async def page(client: httpx.AsyncClient, number: int, slots: asyncio.Semaphore) -> Any:
        async with slots:
            answer = await client.get("/requests", params={"page": number, "page_size": PAGE_SIZE})
        answer.raise_for_status()
        return answer.json()

    async def sync() -> int:
        async with client:
            answer = await client.post(
                "/auth/token", json={k: info[k] for k in ("agreement", "login", "password")}
            )
            answer.raise_for_status()
            client.headers["Authorization"] = f"Bearer {answer.json()['access_token']}"
            slots = asyncio.Semaphore(IN_FLIGHT)
            first = await page(client, 1, slots)
            store.write(info["agreement"], first["items"])
            pending = [page(client, n, slots) for n in range(2, first["pages"] + 1)]
            for done in asyncio.as_completed(pending):
                store.write(info["agreement"], (await done)["items"])
        return store.count()

    def run() -> int:
        try:
            return asyncio.run(sync())
        finally:
            store.close()

    return run


def antsclient_async(info: dict[str, str], store_path: Path | None) -> Callable[[], int]:
    """``sync_all`` of the ``AsyncAntsSession`` into antsclient's own store (its loop made
    and ended inside the clock, as the anchor's)."""
    import asyncio

    import antsclient as ants
    from antsclient.storage import MemoryStore, SqliteStore

    store: Any = MemoryStore() if store_path is None else SqliteStore(store_path)
    creds = ants.Credentials(
        agreement=info["agreement"], login=info["login"], password=info["password"]
    )
    session = ants.AsyncAntsSession(creds, base_url=info["url"], store=store)

    async def sync() -> int:
        async with session:
            report = await session.requests.sync_all()
        if not report.ok:
            raise RuntimeError(repr(report))
        return report.seen

    def run() -> int:
        try:
            return asyncio.run(sync())
        finally:
            if store_path is not None:
                store.close()

    return run


SPEEDUPS: tuple[str, ...] = ("msgspec", "zlib_ng")
"""The modules of antsclient's ``speedups`` extra."""


def antsclient_core(info: dict[str, str], store_path: Path | None) -> Callable[[], int]:
    """``sync_all`` as antsclient syncs without its ``speedups`` extra: the extra's modules
    made unimportable in this process before antsclient is loaded (the standard library's
    ``json`` and ``zlib`` then do the work), as on a machine that installed the core alone."""
    for name in SPEEDUPS:
        if sys.modules.get(name) is not None:
            raise SystemExit(f"antsclient_core: {name} is loaded already in this process")
        sys.modules[name] = None  # type: ignore[assignment] # an import of it then fails
    return antsclient(info, store_path)


CLIENTS: dict[str, Callable[[dict[str, str], Path | None], Callable[[], int]]] = {
    "naive": naive,
    "anchor": anchor,
    "anchor_fastjson": anchor_fastjson,
    "antsclient": antsclient,
    "antsclient_core": antsclient_core,
    "anchor_async": anchor_async,
    "antsclient_async": antsclient_async,
}


def main(argv: list[str]) -> int:
    client, store, runs, folder = argv[0], argv[1], int(argv[2]), Path(argv[3])
    profile = argv[4] if len(argv) > 4 else None
    info = json.loads(sys.stdin.read())
    results = []
    for i in range(runs):
        path = None if store == "memory" else folder / f"{client}-{i}.db"
        run = CLIENTS[client](info, path)
        profiler = None
        if profile and i == runs - 1:
            import cProfile

            profiler = cProfile.Profile()
            profiler.enable()
        started, cpu = time.perf_counter(), time.process_time()
        stored = run()
        wall, cpu = time.perf_counter() - started, time.process_time() - cpu
        if profiler is not None and profile is not None:
            profiler.disable()
            profiler.dump_stats(profile)
        results.append({"wall_s": wall, "cpu_s": cpu, "stored": stored})
    print(json.dumps({"runs": results}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
