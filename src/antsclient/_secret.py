"""Secret values: passwords and tokens that never show themselves.

A :class:`Secret` wraps a string so that ``repr``, ``str``, f-strings, logging, exception
messages and pickles never reveal it. The value is read only on purpose, with
:meth:`Secret.reveal`.
"""

from __future__ import annotations

import hmac
from typing import Final, NoReturn

_MASK: Final = "**********"


class Secret:
    """A secret string (mot de passe, jeton): hidden everywhere but :meth:`reveal`."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        given: object = value
        if not isinstance(given, str):
            msg = f"a Secret wraps a str, not {type(given).__name__}"
            raise TypeError(msg)
        self._value = value

    @classmethod
    def of(cls, value: str | Secret) -> Secret:
        """Wrap ``value`` unless it is already a :class:`Secret`."""
        return to_secret(value)

    def reveal(self) -> str:
        """The secret value itself. Call it only where the value must leave the process."""
        return self._value

    def __bool__(self) -> bool:
        return bool(self._value)

    def __len__(self) -> int:
        return len(self._value)

    def __repr__(self) -> str:
        return f"Secret('{_MASK}')"

    def __str__(self) -> str:
        return _MASK

    def __format__(self, format_spec: str) -> str:
        return format(_MASK, format_spec)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Secret):
            return NotImplemented
        return hmac.compare_digest(self._value.encode(), other._value.encode())

    def __hash__(self) -> int:
        return hash((Secret, self._value))

    def __reduce__(self) -> NoReturn:
        msg = "a Secret cannot be pickled: pass credentials to the other process another way"
        raise TypeError(msg)


def to_secret(value: str | Secret) -> Secret:
    """Wrap ``value`` in a :class:`Secret` unless it is one already."""
    return value if isinstance(value, Secret) else Secret(value)
