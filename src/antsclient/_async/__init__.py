"""The async session, written by hand (the blocking one is generated from it).

httpcore asks which async library runs (asyncio or trio) each time it makes a lock or an
event — once per request — by trying ``import sniffio``. Without sniffio installed, that
import fails every time, after searching every folder of ``sys.path``: a tenth of a
millisecond a request, more than the rest of a small call. Marking sniffio as absent once
(``sys.modules["sniffio"] = None``, the import system's own way) makes each later try fail
at once, and httpcore then takes asyncio, as it would have. Nothing changes when sniffio is
installed.
"""

from __future__ import annotations

import importlib.util
import sys


def _mark_sniffio_absent() -> bool:
    """Make a failing ``import sniffio`` cheap; whether it was marked absent."""
    if "sniffio" in sys.modules or importlib.util.find_spec("sniffio") is not None:
        return False
    sys.modules["sniffio"] = None  # type: ignore[assignment]
    return True


_mark_sniffio_absent()
