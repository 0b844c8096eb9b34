"""Blocking work of the blocking session, called in place (see ``antsclient._async.offload``)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, TypeVar

__all__ = ["off_loop", "pause"]

R = TypeVar("R")


def off_loop(call: Callable[..., R], *args: Any, **kwargs: Any) -> R:
    """``call(*args, **kwargs)``, here and now."""
    return call(*args, **kwargs)


def pause(seconds: float) -> None:
    """Wait ``seconds`` (between two tries of a call)."""
    time.sleep(seconds)
