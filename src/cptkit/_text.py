# SPDX-License-Identifier: MIT
"""The shared machinery of the text-shaped values (codes, modifiers, places, diagnoses).

Each such value is an attrs class with one ``value: str`` field in canonical form. This mixin
gives them the stdnum-style verbs ``parse``/``is_valid`` and the text forms, so the rules for
what counts as surrounding whitespace and ASCII live in one place.
"""

from __future__ import annotations

import functools
import re
from typing import Any, ClassVar, TypeVar, cast

from .errors import InvalidInput

__all__ = ["ShapedText", "compact_text"]

# Only spaces and tabs count as surrounding whitespace. A line break inside a value means a
# file was split wrongly, so it is rejected rather than quietly stripped; non-ASCII space
# (NBSP, ideographic space) is rejected too.
_SURROUNDING = " \t"

_T = TypeVar("_T", bound="ShapedText")


def compact_text(text: object) -> str | None:
    """Strip spaces and tabs and upper-case ASCII text; ``None`` for anything else.

    Non-ASCII text is refused before upper-casing, because ``str.upper`` maps some non-ASCII
    letters to ASCII ones (``'ſ'.upper() == 'S'``).
    """
    if type(text) is not str or not text.isascii():
        return None
    return text.strip(_SURROUNDING).upper()


class ShapedText:
    """Mixin for attrs classes holding one canonical ``value`` string checked by a regex."""

    __slots__ = ()

    _SHAPE: ClassVar[re.Pattern[str]]
    _ERROR: ClassVar[type[InvalidInput]]
    _FIELD: ClassVar[str]
    _EXPECTED: ClassVar[str]

    value: str

    @classmethod
    def _canonical(cls, compacted: str) -> str | None:
        """The canonical text for compacted input, or ``None`` if it has the wrong shape."""
        return compacted if cls._SHAPE.fullmatch(compacted) else None

    @staticmethod
    def _check(instance: ShapedText, attribute: Any, value: Any) -> None:
        """attrs validator: the constructor takes canonical text only."""
        cls = type(instance)
        if type(value) is not str or cls._SHAPE.fullmatch(value) is None:
            raise cls._ERROR(cls._FIELD, value, cls._EXPECTED)

    @classmethod
    def parse(cls: type[_T], text: str) -> _T:
        """Parse *text*: strip spaces and tabs, upper-case letters, check the shape.

        Raises:
            InvalidInput: the class's own subclass (``InvalidCode``, ``InvalidModifier`` ...)
                when *text* is not a ``str`` of the right shape.
        """
        if type(text) is not str:
            raise cls._ERROR(cls._FIELD, text, cls._EXPECTED)
        return cast(_T, _parse_cached(cast(Any, cls), text))

    @classmethod
    def is_valid(cls, text: object) -> bool:
        """Return whether :meth:`parse` would accept *text*. Never raises."""
        compacted = compact_text(text)
        return compacted is not None and cls._canonical(compacted) is not None

    def __str__(self) -> str:
        return self.value

    def __repr__(self) -> str:
        return f"{type(self).__name__}({str(self)!r})"


@functools.lru_cache(maxsize=8192)
def _parse_cached(cls: Any, text: str) -> Any:
    # Values are immutable, so one instance per distinct input text can be shared; this keeps
    # bulk reading of claim files from re-running the regex for every repeated code.
    compacted = compact_text(text)
    canonical = None if compacted is None else cls._canonical(compacted)
    if canonical is None:
        raise cls._ERROR(cls._FIELD, text, cls._EXPECTED)
    return cls(canonical)
