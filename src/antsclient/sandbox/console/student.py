"""The student's click, from code: open a confirmation link and validate on its page.

What a test does to play the student as a browser would — the same GET, cookie, token and
POST — without a browser::

    message = sandbox.outbox(recipient="claire@example.org")[-1]
    follow_link(message.link)
"""

from __future__ import annotations

import html
import re
from typing import Final

import httpx

from antsclient.sandbox.console.security import FIELD

__all__ = ["LinkRefused", "follow_link"]

_TOKEN: Final = re.compile(rf'name="{FIELD}" value="([^"]+)"')
_REFUSAL: Final = re.compile(r'<p class="(?:refused|done)"[^>]*>(.*?)</p>', re.S)


class LinkRefused(RuntimeError):
    """The validation page did not take the student's confirmation; says why (French)."""


def follow_link(link: str, *, client: httpx.Client | None = None) -> httpx.Response:
    """Open ``link`` (absolute), press « Je valide ma demande », return the page shown after.

    Raises :class:`LinkRefused` with the page's French reason when the link is unknown,
    the window closed or the request no longer waits for the student.
    """
    own = client is None
    http = client or httpx.Client(timeout=10)
    try:
        page = http.get(link)
        token = _TOKEN.search(page.text)
        if page.status_code != 200 or token is None:
            raise LinkRefused(_reason(page))
        done = http.post(
            link,
            data={FIELD: html.unescape(token[1])},
            headers={"Origin": f"{page.url.scheme}://{page.url.netloc.decode()}"},
            follow_redirects=True,
        )
        if done.status_code != 200 or 'class="done"' not in done.text:
            raise LinkRefused(_reason(done))
        return done
    finally:
        if own:
            http.close()


def _reason(page: httpx.Response) -> str:
    found = _REFUSAL.search(page.text)
    text = html.unescape(found[1]).strip() if found else ""
    return text or f"the validation page answered {page.status_code}"
