"""Rechercher des demandes, offline: the buckets and their counts from the local copies.

After one sync, the search screen's buckets, the dashboard's counts and a search by number
or by dates are answered from the store, without a call to ANTS — and give the same answers.
``python examples/search_requests.py``.
"""

from __future__ import annotations

import datetime as dt

import antsclient as ants
from antsclient import sandbox
from antsclient.storage import MemoryStore


def main() -> int:
    with sandbox.serve() as sb:
        sb.seed_requests(60)
        agreement = sb.credentials.agreement
        store = MemoryStore()
        with ants.AntsSession(sb.credentials, base_url=sb.url, store=store) as session:
            session.requests.sync_all()
            on_ants = session.requests.counts()

        counts = store.counts(agreement)
        for bucket in ants.Bucket:
            print(f"{bucket.label:45} {counts[None][bucket]:4}")
        print("Mêmes comptes que sur l'ANTS :", counts == on_ants)

        drafts = store.search(agreement, bucket=ants.Bucket.DRAFTS)
        print(f"Brouillons : {len(drafts)}, le plus récent n° {drafts[-1].number}")
        last_week = (sb.now() - dt.timedelta(days=7), None)
        recent = store.search(agreement, modified=last_week)
        print(f"Modifiées depuis une semaine : {len(recent)}")
        print("Par numéro :", [r.number for r in store.search(agreement, number=drafts[0].number)])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
