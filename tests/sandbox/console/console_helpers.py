"""Helpers of the console's tests: post a form as its page would."""

from __future__ import annotations

import re

import httpx

_TOKEN = re.compile(r'name="csrf" value="([^"]+)"')


def token_of(html: str) -> str:
    """The forms' token of a page."""
    found = _TOKEN.search(html)
    assert found, "the page has no form token"
    return found[1]


def post(web: httpx.Client, path: str, data: dict[str, str] | None = None) -> httpx.Response:
    """Post a console form the way its page does: token of the page, same origin."""
    token = token_of(web.get("/console/bac-a-sable").text)
    origin = str(web.base_url).rstrip("/")
    return web.post(path, data={"csrf": token, **(data or {})}, headers={"Origin": origin})
