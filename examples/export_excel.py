"""Exporter la liste sous Excel: the requests list as an .xlsx file (unlinked rows in red,
header frozen and filtered, real dates), and as a pandas DataFrame for analysis.
``python examples/export_excel.py [file.xlsx]`` (needs ``antsclient[excel,pandas]``).
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import antsclient as ants
from antsclient import sandbox
from antsclient.export import to_dataframe
from antsclient.storage import MemoryStore


def main(argv: list[str]) -> int:
    with sandbox.serve() as sb, tempfile.TemporaryDirectory() as folder:
        sb.seed_requests(25)
        store = MemoryStore()
        with ants.AntsSession(sb.credentials, base_url=sb.url, store=store) as session:
            session.requests.sync_all()
        requests = store.search(sb.credentials.agreement)

        target = Path(argv[1]) if len(argv) > 1 else Path(folder) / "demandes.xlsx"
        path = requests.to_excel(target)
        print(f"{len(requests)} demandes exportées dans {path.name}")

        frame = to_dataframe(requests)
        print(frame.groupby("status", observed=True).size().to_string())
        print(f"Non reliées : {int((~frame['linked']).sum())}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
