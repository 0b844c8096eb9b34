"""``python -m antsclient`` and the ``antsclient`` script: the command line of
:mod:`antsclient.cli`."""

from __future__ import annotations

import sys

from antsclient.cli import (
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_PROBLEMS,
    EXIT_REFUSED,
    EXIT_UNAVAILABLE,
    EXIT_USAGE,
    main,
    read_credentials,
)

__all__ = [
    "EXIT_INTERRUPTED",
    "EXIT_OK",
    "EXIT_PROBLEMS",
    "EXIT_REFUSED",
    "EXIT_UNAVAILABLE",
    "EXIT_USAGE",
    "main",
    "read_credentials",
]

if __name__ == "__main__":
    sys.exit(main())
