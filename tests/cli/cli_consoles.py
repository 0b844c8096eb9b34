"""Consoles for the command line's tests: a terminal, a console in another encoding."""

from __future__ import annotations

import io

import pytest


class Terminal(io.StringIO):
    """A stream that says it is a terminal."""

    def isatty(self) -> bool:
        return True


class Consoles:
    """Replaces stdout or stderr by a console of some kind — from the test's body, since
    pytest puts its own capture back after the fixtures are set up."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.monkeypatch = monkeypatch

    def encoded(self, encoding: str) -> io.TextIOWrapper:
        """stdout as a console redirected to a file in ``encoding``, strict (a French
        Windows writes cp1252)."""
        stream = io.TextIOWrapper(io.BytesIO(), encoding=encoding, errors="strict")
        self.monkeypatch.setattr("sys.stdout", stream)
        return stream

    def terminal(self) -> Terminal:
        """stderr as a terminal."""
        stream = Terminal()
        self.monkeypatch.setattr("sys.stderr", stream)
        return stream


def written(stream: io.TextIOWrapper) -> str:
    """What ``stream`` wrote, decoded."""
    stream.flush()
    buffer = stream.buffer
    assert isinstance(buffer, io.BytesIO)
    return buffer.getvalue().decode(stream.encoding)
