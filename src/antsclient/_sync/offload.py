"""Blocking work of the blocking session, called in place (see ``antsclient._async.offload``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

__all__ = ["off_loop"]

R = TypeVar("R")


def off_loop(call: Callable[..., R], *args: Any, **kwargs: Any) -> R:
    """``call(*args, **kwargs)``, here and now."""
    return call(*args, **kwargs)
