"""The command line's options: an argparse parser in the output's language, whose mistakes
are :class:`~antsclient.cli.console.UsageError`\\ s (one French line, one English line).

Values are checked as they are read — a date (``2026-03-01`` or ``01/03/2026``), a port
(0 to 65535), a number of seconds, a share between 0 and 1 — so that a mistyped value is
named with its option, before anything is opened.
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import re
from collections.abc import Callable, Sequence
from typing import Any, Final, NoReturn, TypeVar

from antsclient.cli.console import LANGUAGES, Language, UsageError

__all__ = ["DEFAULT_DB", "DEFAULT_PORT", "build_parser", "french"]

DEFAULT_DB: Final = "antsclient.sqlite3"
DEFAULT_PORT: Final = 8765

# -- values ----------------------------------------------------------------------------------


def date(text: str) -> dt.date:
    """A day typed as ``2026-03-01`` or ``01/03/2026``."""
    try:
        if re.fullmatch(r"\d{1,2}/\d{1,2}/\d{4}", text.strip()):
            return dt.datetime.strptime(text.strip(), "%d/%m/%Y").date()
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        msg = f"not a date: {text!r} (expected YYYY-MM-DD or DD/MM/YYYY)"
        raise argparse.ArgumentTypeError(msg) from None


N = TypeVar("N", int, float)


def _number(
    parse: Callable[[str], N], accepts: Callable[[N], bool], noun: str, expected: str = ""
) -> Callable[[str], N]:
    """A reader of one option's value: ``parse`` it, then refuse it unless it ``accepts``
    it, saying it is not ``noun`` and what was ``expected``."""

    def read(text: str) -> N:
        try:
            value: N | None = parse(text)
        except ValueError:
            value = None
        if value is None or not accepts(value):
            msg = f"not {noun}: {text!r}" + (f" ({expected})" if expected else "")
            raise argparse.ArgumentTypeError(msg)
        return value

    return read


port: Callable[[str], int] = _number(
    int, lambda v: 0 <= v <= 65535, "a port", "expected 0 to 65535"
)
"""A TCP port, 0 (any free port) to 65535."""
seconds: Callable[[str], float] = _number(
    float,
    lambda v: math.isfinite(v) and v > 0,
    "a number of seconds",
    "expected a number above 0",
)
"""A positive, finite number of seconds."""
milliseconds: Callable[[str], float] = _number(
    float, lambda v: math.isfinite(v) and v >= 0, "a number of milliseconds", "expected 0 or more"
)
"""A finite number of milliseconds, 0 or more."""
share: Callable[[str], float] = _number(
    float, lambda v: 0 <= v <= 1, "a share", "expected a number between 0 and 1"
)
"""A share of calls, between 0 and 1."""
count: Callable[[str], int] = _number(int, lambda v: v >= 1, "a whole number above 0")
"""A whole number, 1 or more."""


# -- argparse's messages in French ---------------------------------------------------------


def _quoted(text: str) -> str:
    """``'x'`` as « x »."""
    return re.sub(r"'([^']*)'", r"« \1 »", text)


_TYPE_NAMES: Final = {"int": "nombre entier", "float": "nombre"}

_FRENCH: Final[tuple[tuple[re.Pattern[str], Callable[[re.Match[str]], str]], ...]] = (
    (
        re.compile(r"argument (?P<name>[^:]+): (?P<rest>.*)", re.DOTALL),
        lambda m: f"argument {m['name']} : {french(m['rest'])}",
    ),
    (
        re.compile(r"the following arguments are required: (?P<names>.*)"),
        lambda m: f"argument(s) obligatoire(s) manquant(s) : {m['names']}",
    ),
    (
        re.compile(r"unrecognized arguments: (?P<names>.*)"),
        lambda m: f"argument(s) non reconnu(s) : {m['names']}",
    ),
    (
        re.compile(r"invalid choice: (?P<value>.+?) \(choose from (?P<choices>.*)\)"),
        lambda m: f"choix invalide : {_quoted(m['value'])} (possibles : {m['choices']})",
    ),
    (
        re.compile(r"invalid (?P<type>\w+) value: (?P<value>.*)"),
        lambda m: (
            f"valeur invalide ({_TYPE_NAMES.get(m['type'], m['type'])}) : {_quoted(m['value'])}"
        ),
    ),
    (re.compile(r"expected one argument"), lambda m: "une valeur est attendue"),
    (re.compile(r"expected at most one argument"), lambda m: "au plus une valeur est attendue"),
    (re.compile(r"expected at least one argument"), lambda m: "au moins une valeur est attendue"),
    (
        re.compile(r"expected (?P<n>\d+) arguments?"),
        lambda m: f"{m['n']} valeur(s) attendue(s)",
    ),
    (
        re.compile(r"ambiguous option: (?P<option>\S+) could match (?P<matches>.*)"),
        lambda m: f"option ambiguë : {m['option']} peut désigner {m['matches']}",
    ),
    (
        re.compile(r"not allowed with argument (?P<other>.*)"),
        lambda m: f"incompatible avec l'argument {m['other']}",
    ),
    (
        re.compile(r"one of the arguments (?P<names>.*) is required"),
        lambda m: f"l'un des arguments {m['names']} est obligatoire",
    ),
    (
        re.compile(r"ignored explicit argument (?P<value>.*)"),
        lambda m: f"valeur inattendue : {_quoted(m['value'])}",
    ),
    (
        re.compile(r"not a date: (?P<value>.*) \(expected YYYY-MM-DD or DD/MM/YYYY\)"),
        lambda m: f"date invalide : {_quoted(m['value'])} (attendu : AAAA-MM-JJ ou JJ/MM/AAAA)",
    ),
    (
        re.compile(r"not a port: (?P<value>.*) \(expected 0 to 65535\)"),
        lambda m: f"port invalide : {_quoted(m['value'])} (attendu : de 0 à 65535)",
    ),
    (
        re.compile(r"not a number of seconds: (?P<value>.*) \(.*\)"),
        lambda m: f"durée invalide : {_quoted(m['value'])} (attendu : un nombre de secondes > 0)",
    ),
    (
        re.compile(r"not a number of milliseconds: (?P<value>.*) \(.*\)"),
        lambda m: f"durée invalide : {_quoted(m['value'])} (attendu : des millisecondes, ≥ 0)",
    ),
    (
        re.compile(r"not a share: (?P<value>.*) \(.*\)"),
        lambda m: f"proportion invalide : {_quoted(m['value'])} (attendu : entre 0 et 1)",
    ),
    (
        re.compile(r"not a whole number above 0: (?P<value>.*)"),
        lambda m: f"nombre invalide : {_quoted(m['value'])} (attendu : un entier ≥ 1)",
    ),
)


def french(message: str) -> str:
    """An argparse (or option value) message in French; a generic line for one unknown."""
    for pattern, say in _FRENCH:
        found = pattern.fullmatch(message)
        if found:
            return say(found)
    return "commande incorrecte (voir --help)"


# -- the parser --------------------------------------------------------------------------


class _FrenchFormatter(argparse.HelpFormatter):
    def add_usage(
        self,
        usage: str | None,
        actions: Any,
        groups: Any,
        prefix: str | None = None,
    ) -> None:
        super().add_usage(usage, actions, groups, "utilisation : " if prefix is None else prefix)


class Parser(argparse.ArgumentParser):
    """An argument parser whose help is in ``lang`` and whose mistakes raise
    :class:`UsageError` (French and English) instead of exiting."""

    def __init__(self, *args: Any, lang: Language = "en", **kwargs: Any) -> None:
        kwargs["add_help"] = False
        if lang == "fr":
            kwargs.setdefault("formatter_class", _FrenchFormatter)
        super().__init__(*args, **kwargs)
        self.lang: Language = lang
        if lang == "fr":
            self._positionals.title = "arguments"
            self._optionals.title = "options"
        self.add_argument(
            "-h",
            "--help",
            action="help",
            default=argparse.SUPPRESS,
            help=self.text("affiche cette aide", "show this help message and exit"),
        )

    def text(self, fr: str, en: str) -> str:
        """``fr`` or ``en``, in the parser's language."""
        return fr if self.lang == "fr" else en

    def error(self, message: str) -> NoReturn:
        raise UsageError(french(message), message, prog=self.prog)


def _shared(parser: Parser, *, top: bool) -> None:
    """``--lang`` and ``-v``, accepted before and after the command."""
    default: Any = argparse.SUPPRESS
    parser.add_argument(
        "--lang",
        choices=LANGUAGES,
        default=None if top else default,
        help=parser.text(
            "langue des messages (par défaut : celle de la locale, LANG / LC_ALL)",
            "language of the output (default: the locale's, LANG / LC_ALL)",
        ),
    )
    parser.add_argument(
        "-v",
        "--verbose",
        action="count",
        default=0 if top else default,
        help=parser.text(
            "journal de la bibliothèque sur la sortie d'erreur (-vv : détaillé)",
            "the library's log on stderr (-vv: debug)",
        ),
    )


def _add(commands: Any, lang: Language, name: str, fr: str, en: str) -> Parser:
    text = fr if lang == "fr" else en
    parser: Parser = commands.add_parser(name, help=text, description=text, lang=lang)
    _shared(parser, top=False)
    return parser


def _connection(parser: Parser) -> None:
    parser.add_argument(
        "--base-url",
        metavar="URL",
        help=parser.text(
            "adresse du serveur de l'ANTS (par défaut : $ANTS_BASE_URL)",
            "ANTS address (default: $ANTS_BASE_URL)",
        ),
    )
    parser.add_argument(
        "--timeout",
        type=seconds,
        metavar="SECONDES" if parser.lang == "fr" else "SECONDS",
        help=parser.text(
            "attente maximale d'une réponse, en secondes (par défaut : 15 s pour se "
            "connecter, 90 s pour une réponse)",
            "longest wait for an answer, in seconds (default: 15 s to connect, 90 s for an answer)",
        ),
    )


def _store(parser: Parser) -> None:
    parser.add_argument(
        "--db",
        default=DEFAULT_DB,
        metavar="FICHIER" if parser.lang == "fr" else "FILE",
        help=parser.text(
            "fichier SQLite des copies locales (par défaut : %(default)s)",
            "SQLite store of the local copies (default: %(default)s)",
        ),
    )


def _sandbox(parser: Parser) -> None:
    text = parser.text
    parser.add_argument(
        "--port",
        type=port,
        default=DEFAULT_PORT,
        help=text("port (0 : un port libre)", "port (0: any free port)"),
    )
    parser.add_argument(
        "--db",
        metavar="FICHIER" if parser.lang == "fr" else "FILE",
        help=text(
            "fichier SQLite où garder (et reprendre) son état",
            "SQLite file to keep (and resume) its state",
        ),
    )
    parser.add_argument(
        "--latency-ms",
        type=milliseconds,
        default=0.0,
        help=text("latence de chaque appel", "latency of every call"),
    )
    parser.add_argument(
        "--fault-rate",
        type=share,
        default=0.0,
        help=text("part des appels en erreur 5xx", "share of calls answered by a 5xx"),
    )
    parser.add_argument(
        "--drop-rate",
        type=share,
        default=0.0,
        help=text("part des appels coupés", "share of dropped calls"),
    )
    parser.add_argument(
        "--seed", type=int, default=0, help=text("graine des données", "seed of the sample data")
    )
    parser.add_argument("--host", default="127.0.0.1", help=text("adresse d'écoute", "address"))


def _sync(parser: Parser) -> None:
    text = parser.text
    _connection(parser)
    _store(parser)
    parser.add_argument(
        "--create",
        action="store_true",
        help=text(
            "crée le fichier --db s'il n'existe pas (sinon, un fichier absent est refusé)",
            "create the --db file if it does not exist (else a missing file is refused)",
        ),
    )
    parser.add_argument(
        "--full",
        action="store_true",
        help=text(
            "liste complète : toutes les demandes, pas seulement les modifiées depuis la "
            "dernière mise à jour",
            "a complete listing: every request, not only those changed since the last sync",
        ),
    )
    metavar = "AAAA-MM-JJ" if parser.lang == "fr" else "YYYY-MM-DD"
    for bound, fr, en in (
        ("created-from", "créées à partir du", "created from"),
        ("created-to", "créées jusqu'au", "created up to"),
        ("modified-from", "modifiées à partir du", "modified from"),
        ("modified-to", "modifiées jusqu'au", "modified up to"),
    ):
        parser.add_argument(
            f"--{bound}",
            type=date,
            metavar=metavar,
            help=text(f"seulement les demandes {fr} (inclus)", f"only requests {en} (inclusive)"),
        )


def _demo(parser: Parser) -> None:
    parser.add_argument(
        "--out",
        metavar="DOSSIER" if parser.lang == "fr" else "DIR",
        help=parser.text(
            "dossier des fichiers de la démo (par défaut : un nouveau)",
            "folder for the demo's files (default: a new one)",
        ),
    )
    parser.add_argument(
        "--console",
        action="store_true",
        help=parser.text(
            "à la fin, garde le bac à sable et affiche l'adresse de sa console (Ctrl-C pour "
            "arrêter)",
            "at the end, keep the sandbox up and print its console's address (Ctrl-C stops)",
        ),
    )


def _geo(parser: Parser) -> None:
    text = parser.text
    parser.add_argument("text", metavar="TEXTE" if parser.lang == "fr" else "TEXT")
    parser.add_argument("--postal-code", help=text("code postal", "postal code"))
    parser.add_argument("--department", help=text("département", "department"))
    parser.add_argument(
        "--limit",
        type=count,
        default=10,
        help=text("au plus ce nombre de communes", "at most this many communes"),
    )
    parser.add_argument(
        "--country",
        action="store_true",
        help=text("cherche le texte comme un pays", "look the text up as a country"),
    )


def _check(parser: Parser) -> None:
    text = parser.text
    parser.add_argument("path", metavar="FICHIER.json" if parser.lang == "fr" else "FILE.json")
    parser.add_argument(
        "--geo",
        action="store_true",
        help=text(
            "vérifie aussi les villes, départements et pays",
            "also check the cities, departments and countries",
        ),
    )
    parser.add_argument(
        "--confirm",
        action="append",
        default=[],
        metavar="CHAMP" if parser.lang == "fr" else "FIELD",
        help=text(
            "un lieu que l'utilisateur confirme (ex. applicant.birth_city) ; à répéter",
            "a place the user confirms (e.g. applicant.birth_city); may be repeated",
        ),
    )


def _export(parser: Parser) -> None:
    parser.add_argument("path", metavar="FICHIER.xlsx" if parser.lang == "fr" else "FILE.xlsx")
    _store(parser)
    parser.add_argument(
        "--agreement",
        help=parser.text(
            "une seule agence (par défaut : $ANTS_AGREEMENT, sinon toutes)",
            "one agency (default: $ANTS_AGREEMENT, or all)",
        ),
    )


def _print(parser: Parser) -> None:
    parser.add_argument(
        "number",
        metavar="NUMÉRO" if parser.lang == "fr" else "NUMBER",
        help=parser.text("numéro de la demande sur l'ANTS", "the request's number on ANTS"),
    )
    parser.add_argument(
        "--to",
        metavar="CHEMIN" if parser.lang == "fr" else "PATH",
        help=parser.text(
            "fichier .pdf, ou dossier où l'écrire (par défaut : le dossier courant)",
            "a .pdf file, or the folder to write it in (default: the current folder)",
        ),
    )
    parser.add_argument(
        "--cerfa",
        choices=("02", "06"),
        help=parser.text(
            "le formulaire à imprimer (par défaut : celui de la demande)",
            "the form to print (default: the request's)",
        ),
    )
    _connection(parser)


def _nothing(parser: Parser) -> None:
    """A command without options of its own."""


_COMMANDS: Final[tuple[tuple[str, str, str, Callable[[Parser], None]], ...]] = (
    (
        "demo",
        "dépose une demande complète sur le bac à sable intégré, pas à pas",
        "file a complete application on the embedded sandbox, step by step",
        _demo,
    ),
    (
        "sandbox",
        "sert le bac à sable de l'ANTS jusqu'à Ctrl-C",
        "serve the ANTS sandbox until Ctrl-C",
        _sandbox,
    ),
    (
        "geo",
        "communes (ou pays) proposées pour un texte",
        "suggest communes (or a country) for a text",
        _geo,
    ),
    (
        "check",
        "vérifie une demande (application.json) hors ligne",
        "validate an application.json offline",
        _check,
    ),
    (
        "sync",
        "met à jour toutes les demandes de l'agence dans un fichier SQLite",
        "update every request of the agency into a SQLite store",
        _sync,
    ),
    (
        "counts",
        "le tableau de bord : demandes par rubrique",
        "the dashboard: requests per bucket",
        _connection,
    ),
    (
        "print",
        "imprime le Cerfa 02 ou 06 rempli d'une demande, en PDF",
        "print a request's filled Cerfa 02 or 06 as a PDF",
        _print,
    ),
    (
        "export",
        "écrit les demandes du fichier SQLite dans un fichier Excel",
        "write the stored requests to an Excel file",
        _export,
    ),
    ("version", "affiche la version", "print the version", _nothing),
)


def build_parser(lang: Language = "en", version: str = "") -> Parser:
    """The ``antsclient`` parser, its help in ``lang``."""
    parser = Parser(
        prog="antsclient",
        lang=lang,
        description=(
            "Déposer et suivre les demandes de permis de conduire auprès de l'ANTS."
            if lang == "fr"
            else "File and follow driving-licence applications with the ANTS."
        ),
    )
    parser.add_argument(
        "--version",
        action="version",
        version=f"antsclient {version}",
        help=parser.text("affiche la version", "print the version"),
    )
    _shared(parser, top=True)
    commands = parser.add_subparsers(
        dest="command",
        required=True,
        title=parser.text("commandes", "commands"),
        metavar="COMMANDE" if lang == "fr" else "COMMAND",
    )
    for name, fr, en, build in _COMMANDS:
        build(_add(commands, lang, name, fr, en))
    return parser


def parse(parser: Parser, argv: Sequence[str]) -> argparse.Namespace:
    """The parsed arguments, with the cross-option checks argparse cannot make."""
    args = parser.parse_args(argv)
    for kind in ("created", "modified"):
        start, end = getattr(args, f"{kind}_from", None), getattr(args, f"{kind}_to", None)
        if start is not None and end is not None and start > end:
            raise UsageError(
                f"--{kind}-from ({start:%d/%m/%Y}) est après --{kind}-to ({end:%d/%m/%Y})",
                f"--{kind}-from ({start}) is after --{kind}-to ({end})",
                prog=f"{parser.prog} {args.command}",
            )
    return args
