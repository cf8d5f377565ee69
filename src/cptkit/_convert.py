# SPDX-License-Identifier: MIT
"""Strict converters shared by the claim types and the cattrs converter.

Each takes a plain value (or an already-built one) and returns the clean field value, raising
the caller's :class:`~cptkit.errors.InvalidInput` subclass for anything it would have to guess
at: floats are never rounded, ``bool`` is never an ``int``, single-digit places are not padded.
"""

from __future__ import annotations

import datetime
import decimal
import operator
import re
from collections.abc import Iterable
from typing import TypeVar

from ._text import ShapedText
from .errors import InvalidInput

__all__ = [
    "MAX_AMOUNT_DIGITS",
    "bounded_decimal",
    "exact_int",
    "to_date",
    "to_decimal",
    "to_int",
    "to_optional_text",
    "to_shaped",
    "to_shaped_tuple",
]

_T = TypeVar("_T", bound=ShapedText)
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_DECIMAL = re.compile(r"[0-9]{1,15}(?:\.[0-9]{1,30})?")
MAX_AMOUNT_DIGITS = 15
"""An amount has at most 15 digits before the point and 30 after (bounded work: an exponent
such as ``1e1000000`` is refused before any arithmetic)."""


def to_shaped(value: object, cls: type[_T], error: type[InvalidInput], field: str) -> _T:
    """An instance of *cls* from itself or its text."""
    if isinstance(value, cls) and type(value) is cls:
        return value
    if type(value) is str:
        try:
            return cls.parse(value)
        except InvalidInput as err:
            raise error(field, value, err.expected) from None
    raise error(field, value, cls._EXPECTED)


def to_shaped_tuple(
    values: object, cls: type[_T], error: type[InvalidInput], field: str
) -> tuple[_T, ...]:
    """A tuple of *cls* from any iterable of instances or texts (but not from one ``str``)."""
    if type(values) is tuple:
        for item in values:
            if type(item) is not cls:
                break
        else:
            return values  # already a tuple of clean values (claims rebuilt from others)
    if isinstance(values, (str, bytes)) or not isinstance(values, Iterable):
        raise error(field, values, f"a list of {cls.__name__.lower()} values")
    return tuple(to_shaped(item, cls, error, field) for item in values)


def exact_int(value: object) -> int | None:
    """*value* as an ``int`` if it is an exact integer (an ``int``, or a numpy integer scalar,
    through :func:`operator.index`), else ``None``: ``bool``, floats and texts are not."""
    if type(value) is int:
        return value
    if isinstance(value, (bool, float, str, bytes)):
        return None
    try:
        return operator.index(value)  # type: ignore[arg-type]
    except TypeError:
        return None


def to_int(
    value: object,
    error: type[InvalidInput],
    field: str,
    *,
    minimum: int,
    maximum: int | None = None,
) -> int:
    """An ``int`` >= *minimum* (and <= *maximum*); numpy integers are ints, ``bool``,
    ``float`` and digit strings are refused."""
    number = exact_int(value)
    if number is None or number < minimum:
        raise error(field, value, f"an int >= {minimum}")
    if maximum is not None and number > maximum:
        raise error(field, value, f"an int from {minimum} to {maximum:,}")
    return number


def to_date(value: object, error: type[InvalidInput], field: str) -> datetime.date:
    """A :class:`datetime.date` from itself or ``YYYY-MM-DD`` text (not a ``datetime``)."""
    if type(value) is datetime.date:
        return value
    if type(value) is str and _ISO_DATE.fullmatch(value):
        try:
            return datetime.date.fromisoformat(value)
        except ValueError:
            pass
    raise error(field, value, "a date (expected a datetime.date or 'YYYY-MM-DD')")


def to_decimal(value: object, error: type[InvalidInput], field: str) -> decimal.Decimal:
    """A finite, non-negative :class:`~decimal.Decimal` from itself, an ``int`` or plain text.

    Floats are refused: ``0.1`` is not exactly a tenth, and money must not drift.
    """
    expected = "an amount >= 0 (expected a Decimal, an int or text like '125.00')"
    if type(value) is decimal.Decimal:
        if bounded_decimal(value) and value >= 0:
            return value
    elif type(value) is int:
        if 0 <= value < 10**MAX_AMOUNT_DIGITS:
            return decimal.Decimal(value)
    elif type(value) is str and _DECIMAL.fullmatch(value):
        return decimal.Decimal(value)
    raise error(field, value, expected)


def bounded_decimal(value: decimal.Decimal) -> bool:
    """Whether *value* is finite with at most 15 digits before the point and 30 after: checked
    on its exponent and digit count only, so it costs nothing however large the value."""
    if not value.is_finite():
        return False
    _sign, digits, exponent = value.as_tuple()
    assert isinstance(exponent, int)  # finite
    # len(digits) + exponent: the digits before the point (when positive).
    return len(digits) + exponent <= MAX_AMOUNT_DIGITS and exponent >= -2 * MAX_AMOUNT_DIGITS


def to_optional_text(value: object, error: type[InvalidInput], field: str) -> str | None:
    """``None`` or a non-empty ``str`` without line breaks (labels and identifiers)."""
    if value is None:
        return None
    if type(value) is str and value.strip() and "\n" not in value and "\r" not in value:
        return value
    raise error(field, value, "a non-empty one-line text or None")
