"""La console du bac à sable: the other side of ANTS as web pages a person can see and drive.

Served by the sandbox itself under ``/console/`` (same process, same port): plain HTML
rendered on the server by Jinja2 (autoescape on), one stylesheet and a few lines of optional
JavaScript shipped in the package — nothing is fetched at run time, nothing is built.

* ``/console/agence`` — the agency: the buckets' counts, the list with the manual's columns,
  filters and red unlinked rows, each request's page (data, documents, ePhoto, history,
  the actions its status allows, greyed with the lifecycle's reason otherwise);
* ``/console/eleve`` — the student: the mail received, and the confirmation page its link
  opens (``/console/eleve/valider/<token>``), with the 7-day deadline;
* ``/console/prefecture`` — the prefecture: its queue, take up, accept, reject, ask for a
  complement with the reason, issue the documents;
* ``/console/bac-a-sable`` — the sandbox: clock, latency, faults, seeding, reset.

It only answers the loopback, and every form carries a token against cross-site posts
(:mod:`antsclient.sandbox.console.security`).
"""

from __future__ import annotations

from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from antsclient.sandbox.control import Controls

__all__ = ["PREFIX", "console_routes"]

PREFIX = "/console"
"""Where the console lives, under the server root."""


def console_routes(controls: Controls) -> list[BaseRoute]:
    """The console's pages over the sandbox of ``controls``."""
    from antsclient.sandbox.console.views import Console  # noqa: PLC0415 - Jinja2 on demand

    c = Console(controls)
    get, post = c.page, c.form
    n = "/agence/demandes/{number}"
    routes = [
        Route("/", get(c.home)),
        Route("/agence", get(c.agency_list)),
        Route(n, get(c.agency_request)),
        Route(n + "/{action}", post(c.agency_action), methods=["POST"]),
        Route(n + "/pieces/{kind}/{file_id}", get(c.attachment)),
        Route(n + "/documents/{kind}", get(c.document)),
        Route(n + "/ephoto/{part:str}", get(c.ephoto)),
        Route("/eleve", get(c.applicant)),
        Route("/eleve/messages/{id}", get(c.message)),
        Route("/eleve/valider/{token}", get(c.validation)),
        Route("/eleve/valider/{token}", post(c.validate), methods=["POST"]),
        Route("/prefecture", get(c.prefecture)),
        Route("/prefecture/{number}/{action}", post(c.prefecture_action), methods=["POST"]),
        Route("/bac-a-sable", get(c.controls_page)),
        Route("/bac-a-sable/{control}", post(c.control), methods=["POST"]),
        Mount(
            "/static",
            StaticFiles(packages=[("antsclient.sandbox.console", "static")]),
            name="static",
        ),
    ]
    return [Mount(PREFIX, routes=routes)]
