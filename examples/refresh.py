"""Mettre à jour la demande — refresh a request's number, status, dates and transfer flag.

After each action the session returns the request as ANTS holds it; « Mettre à jour » forces
a refresh, to see what happened on the other side: the student's confirmation, the
prefecture's decision and the NEPH number. This example uses ``AsyncAntsSession``: the same
methods as ``AntsSession``, awaited, so that several requests refresh at once.

Run it: ``python examples/refresh.py``.
"""

from __future__ import annotations

import asyncio
import tempfile

from _shared import scan, student

import antsclient as ants
from antsclient.sandbox import SandboxHandle, serve


def show(request: ants.OnlineRequest) -> None:
    """The « Informations concernant les demandes faites en ligne » panel, on one line."""
    print(
        f"N° {request.number} | {request.status_label} | créée le {request.created:%d/%m/%Y}"
        f" | modifiée le {request.modified:%d/%m/%Y} | transférée : "
        f"{'Oui' if request.transferred else 'Non'} | NEPH : {request.neph or '-'}"
    )


async def follow(sandbox: SandboxHandle, folder: str) -> None:
    async with ants.AsyncAntsSession(sandbox.credentials, base_url=sandbox.url) as session:
        request = await session.requests.create(student())
        for slot in await session.attachments.slots(request):
            if slot.required:
                await session.attachments.upload(
                    request, slot.kind, scan(folder, f"{slot.kind}.pdf")
                )
        request = await session.requests.validate(request)  # each action returns the request
        show(request)

        # Meanwhile, on ANTS: the student confirms, the prefecture accepts (a NEPH number);
        # and a request made directly on ANTS is accepted too.
        sandbox.applicant_validates(request.number)
        sandbox.prefecture_decides(request.number, "accept")
        direct = sandbox.register_direct()
        sandbox.prefecture_decides(direct.number, "accept")

        # « Mettre à jour »: both requests, refreshed concurrently.
        numbers = [request.number, direct.number]
        for fresh in await asyncio.gather(*(session.requests.refresh(n) for n in numbers)):
            show(fresh)


def main() -> int:
    with serve() as sandbox, tempfile.TemporaryDirectory() as folder:
        asyncio.run(follow(sandbox, folder))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
