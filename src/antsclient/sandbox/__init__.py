"""A faithful simulated ANTS: the protocol of ``protocol/openapi.yaml``, served on loopback.

::

    from antsclient import sandbox

    with sandbox.serve() as sb:           # uvicorn on 127.0.0.1, a free port
        sb.url                            # server root; the API is under sb.url + "/api/v1"
        sb.credentials                    # the seeded agency (E1706900030 / claboret662)
        sb.applicant_validates(number)    # the other side of the flow …
        sb.prefecture_decides(number, "accept")
        sb.advance_days(8)                # … on a clock the tests control
        sb.set_faults(error_rate=0.1, seed=1)
        sb.outbox(recipient="claire@example.org")  # what ANTS told the student
        sb.url + "/console/"              # the console: agency, student, prefecture, settings

Or in process, without a socket: ``httpx.Client(transport=httpx.ASGITransport(app=app))``
with ``app = sandbox.create_app()``; ``app.sandbox`` holds the same controls.

It needs the ``sandbox`` extra (starlette, uvicorn, python-multipart, jinja2): without it, importing
it raises :class:`~antsclient.errors.ExtraNotInstalled` (a ``ConfigurationError`` and an
``ImportError``) saying ``pip install 'antsclient[sandbox]'``.
"""

from __future__ import annotations

from antsclient.sandbox._extra import require

# The sandbox's extra, named with its install command when missing (uvicorn: by serve()).
require("starlette")
require("python-multipart", "python_multipart", "multipart")
require("jinja2")  # the console's templates

from antsclient.sandbox.agencies import DEFAULT_AGENCY  # noqa: E402
from antsclient.sandbox.app import Sandbox, create_app  # noqa: E402
from antsclient.sandbox.clock import Clock  # noqa: E402
from antsclient.sandbox.faults import Fault, FaultConfig  # noqa: E402
from antsclient.sandbox.mailbox import Channel, Message, MessageKind  # noqa: E402
from antsclient.sandbox.records import Agency  # noqa: E402
from antsclient.sandbox.search import SearchFilters  # noqa: E402
from antsclient.sandbox.serve import SandboxHandle, serve  # noqa: E402
from antsclient.sandbox.state import SandboxState  # noqa: E402

__all__ = [
    "DEFAULT_AGENCY",
    "Agency",
    "Channel",
    "Clock",
    "Fault",
    "FaultConfig",
    "Message",
    "MessageKind",
    "Sandbox",
    "SandboxHandle",
    "SandboxState",
    "SearchFilters",
    "create_app",
    "serve",
]
