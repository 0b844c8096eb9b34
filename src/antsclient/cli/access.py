"""What a command opens, each checked before it is used: the credentials (from ``ANTS_*``
variables, or a prompt on a terminal — never from the command line), the session, the
SQLite store and the file an export writes.

Every mistake here is a :class:`~antsclient.cli.console.UsageError` that names what to fix.
"""

from __future__ import annotations

import errno
import getpass
import logging
import os
import sqlite3
import sys
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from antsclient.cli.console import Language, UsageError

if TYPE_CHECKING:
    from antsclient.models import Credentials
    from antsclient.session import AntsSession
    from antsclient.storage import SqliteStore

__all__ = [
    "base_url",
    "check_store",
    "open_store",
    "read_credentials",
    "reason",
    "session_for",
    "unusable_store",
    "unwritable",
    "writable_target",
]

logger: logging.Logger = logging.getLogger("antsclient.cli")

_QUESTIONS = {
    "ANTS_AGREEMENT": ("Numéro d'agrément Cerfa : ", "Cerfa agreement number: "),
    "ANTS_LOGIN": ("Identifiant ANTS : ", "ANTS login: "),
    "ANTS_PASSWORD": ("Mot de passe ANTS : ", "ANTS password: "),
}


def _stdin_is_a_terminal() -> bool:
    isatty = getattr(sys.stdin, "isatty", None)
    return bool(sys.stdin is not None and isatty and isatty())


def read_credentials(
    environ: Mapping[str, str] | None = None,
    prompt: Callable[[str], str] = getpass.getpass,
    ask: Callable[[str], str] = input,
    *,
    interactive: bool | None = None,
    lang: Language = "fr",
) -> Credentials:
    """Credentials from ``ANTS_*`` variables, asking for what is missing (password hidden).

    Nothing is asked without a terminal (``interactive``: by default, whether stdin is
    one) — under cron, a missing variable is a :class:`UsageError` naming it.
    """
    from antsclient.models import Credentials  # noqa: PLC0415

    env = os.environ if environ is None else environ
    missing = [name for name in _QUESTIONS if not env.get(name)]
    if interactive is None:
        interactive = _stdin_is_a_terminal()
    if missing and not interactive:
        names = ", ".join(missing)
        raise UsageError(
            f"identifiants manquants ({names}) et pas de terminal pour les "
            "demander : définissez ces variables d'environnement",
            f"missing credentials ({names}) and no terminal to ask for them: "
            "set these environment variables",
        )
    answers = dict(env)
    try:
        for name in missing:
            fr, en = _QUESTIONS[name]
            question = fr if lang == "fr" else en
            answer = prompt(question) if name == "ANTS_PASSWORD" else ask(question).strip()
            answers[name] = answer
    except EOFError:
        raise UsageError("identifiants non saisis", "credentials not entered") from None
    return Credentials(
        agreement=answers["ANTS_AGREEMENT"],
        login=answers["ANTS_LOGIN"],
        password=answers["ANTS_PASSWORD"],
        prefecture=env.get("ANTS_PREFECTURE") or None,
        postal_code=env.get("ANTS_POSTAL_CODE") or None,
    )


def base_url(given: str | None, environ: Mapping[str, str] | None = None) -> str:
    """The server's address: ``--base-url``, else ``ANTS_BASE_URL``; an http(s) URL."""
    env = os.environ if environ is None else environ
    url = (given or env.get("ANTS_BASE_URL") or "").strip()
    if not url:
        raise UsageError(
            "adresse de l'ANTS inconnue : définissez ANTS_BASE_URL ou donnez --base-url",
            "no ANTS address: set ANTS_BASE_URL or pass --base-url",
        )
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise UsageError(
            f"adresse de l'ANTS invalide : « {url} » (attendu : https://serveur/…)",
            f"not an ANTS address: {url!r} (expected https://host/…)",
        )
    return url


def session_for(url: str, credentials: Credentials, timeout: float | None) -> AntsSession:
    """A session on ``url`` (``timeout`` in seconds; ``None``: the library's defaults)."""
    from antsclient.session import AntsSession  # noqa: PLC0415

    logger.debug("session on %s for %s (timeout: %s)", url, credentials.agreement, timeout)
    if timeout is None:
        return AntsSession(credentials, base_url=url)
    return AntsSession(credentials, base_url=url, timeout=timeout)


def unusable_store(path: Path, fr: str, en: str) -> UsageError:
    """The store at ``path`` cannot be used, and why."""
    return UsageError(
        f"fichier de demandes « {path} » inutilisable : {fr}",
        f"cannot use the store {str(path)!r}: {en}",
    )


def check_store(path: str | os.PathLike[str], *, create: bool = False, write: bool = False) -> Path:
    """The store's path, once it is known to be usable: a missing file is refused unless
    ``create`` (then its folder must exist); with ``write``, the file and its folder (where
    SQLite keeps its journal) must be writable. Nothing is created."""
    file = Path(path)
    if file.is_dir():
        raise unusable_store(file, "c'est un dossier", "it is a folder")
    if not file.exists():
        if not create:
            raise UsageError(
                f"le fichier de demandes « {file} » n'existe pas : vérifiez "
                "--db (antsclient sync --create le crée)",
                f"the store {str(file)!r} does not exist: check --db "
                "(antsclient sync --create makes it)",
            )
        if not file.parent.is_dir():
            raise unusable_store(
                file,
                f"le dossier « {file.parent} » n'existe pas",
                f"the folder {str(file.parent)!r} does not exist",
            )
    if write:
        try:
            _probe(file, folder=True)
            if file.exists():
                _probe(file, folder=False)
        except OSError as exc:
            raise unusable_store(file, *reason(exc)) from None
    return file


def open_store(
    path: str | os.PathLike[str], *, create: bool = False, write: bool = False
) -> SqliteStore:
    """The SQLite store at ``path``, checked by :func:`check_store` first."""
    from antsclient.storage import SqliteStore  # noqa: PLC0415
    from antsclient.storage.sqlite import StoreError  # noqa: PLC0415

    file = check_store(path, create=create, write=write)
    try:
        store = SqliteStore(file)
    except StoreError as exc:
        raise unusable_store(file, f"refusé par antsclient ({exc})", str(exc)) from None
    except (sqlite3.Error, OSError) as exc:
        raise unusable_store(
            file, f"ce n'est pas un fichier de demandes lisible ({exc})", f"not a store ({exc})"
        ) from None
    logger.debug("store %s opened (schema %s)", file, store.schema_version)
    return store


def writable_target(path: str | os.PathLike[str]) -> Path:
    """``path`` once it is known that a file can be written there — nothing is written to
    it (an existing file is opened without being changed; a new one is tried as a
    temporary file beside it, then removed)."""
    file = Path(path)
    if file.is_dir():
        raise unwritable(file, "c'est un dossier", "it is a folder")
    if not file.parent.is_dir():
        raise unwritable(
            file,
            f"le dossier « {file.parent} » n'existe pas",
            f"the folder {str(file.parent)!r} does not exist",
        )
    try:
        _probe(file, folder=not file.exists())
    except OSError as exc:
        raise unwritable(file, *reason(exc)) from None
    return file


def _probe(file: Path, *, folder: bool) -> None:
    """Open ``file`` for writing without changing it, or (``folder``) write a temporary
    file beside it; raises what the system says."""
    if folder:
        with tempfile.NamedTemporaryFile(dir=file.parent, prefix=".antsclient-"):
            return
    with file.open("r+b"):
        return


_REASONS = {
    errno.EACCES: ("permission refusée", "permission denied"),
    errno.EPERM: ("permission refusée", "permission denied"),
    errno.EROFS: ("disque en lecture seule", "read-only file system"),
    errno.ENOSPC: ("disque plein", "no space left on the disk"),
    errno.ENOENT: ("fichier introuvable", "no such file"),
    errno.EISDIR: ("c'est un dossier", "it is a folder"),
}


def reason(exc: OSError) -> tuple[str, str]:
    """Why the system refused, in French and English."""
    text = exc.strerror or str(exc)
    return _REASONS.get(exc.errno or 0, (text, text))


def unwritable(path: Path, fr: str, en: str) -> UsageError:
    """``path`` cannot be written, and why."""
    return UsageError(
        f"impossible d'écrire « {path} » : {fr}",
        f"cannot write {str(path)!r}: {en}",
    )
