"""What the sandbox needs beyond antsclient itself, named with its install command when it
is missing — instead of a bare ``ModuleNotFoundError: starlette``."""

from __future__ import annotations

import importlib
from typing import Final

from antsclient.errors import ExtraNotInstalled

__all__ = ["INSTALL", "require"]

INSTALL: Final = "pip install 'antsclient[sandbox]'"
"""The command that installs what the sandbox needs."""


def require(package: str, *modules: str) -> None:
    """Import ``package``'s module (``modules``, the first one found; ``package`` itself by
    default), or raise :class:`~antsclient.errors.ExtraNotInstalled` naming the command."""
    for module in modules or (package,):
        try:
            importlib.import_module(module)
        except ImportError:
            continue
        return
    raise ExtraNotInstalled(
        f"the ANTS sandbox needs {package}, which is not installed: {INSTALL}",
        extra="sandbox",
        package=package,
        field="sandbox",
        message_fr=f"Le bac à sable ANTS a besoin du module {package}, qui n'est pas "
        f"installé : installez-le avec {INSTALL}",
    )
