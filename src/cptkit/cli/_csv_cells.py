# SPDX-License-Identifier: MIT
"""The fast path of the CSV reader: each distinct cell text is converted once.

Claim files repeat themselves: the same codes, modifiers, places, dates and unit counts fill
most rows. :class:`CellReader` converts a cell's text the first time it is seen, with the very
converters the careful path uses, and keeps the result keyed by that text. A row whose every
cell converts is built straight from the kept values; a row with any cell that does not convert
returns ``None``, and the caller reads it again on the careful path, which names every fault.
So the fast path changes how long a good row takes, never what any row becomes (a property the
tests check against the careful path on generated rows).

Memory stays bounded while streaming: a cache that grows past :data:`CACHE_LIMIT` entries is
emptied and fills again.
"""

from __future__ import annotations

import datetime
import decimal
import operator
import re
from collections.abc import Callable, Sequence
from typing import Any

from .._convert import to_date, to_decimal, to_int, to_optional_text, to_shaped, to_shaped_tuple
from ..claims import _line_from_clean, _pointers
from ..codes import Code
from ..diagnoses import Diagnosis
from ..errors import InvalidInput
from ..modifiers import Modifier
from ..places import PlaceOfService

__all__ = ["CACHE_LIMIT", "SURROGATE", "CellReader", "number", "split"]

SURROGATE = re.compile("[\udc80-\udcff]")
"""An undecodable byte kept by ``errors="surrogateescape"``: the cell is not UTF-8."""
_SPLIT = re.compile(r"[\s,;:]+")
_DIGITS = re.compile(r"[0-9]+")


def number(text: str) -> int | str:
    """ASCII digits as an ``int``; anything else stays text, for the converter to refuse with
    its own message (``'2.5'``, ``'２'``, ``''``)."""
    return int(text) if _DIGITS.fullmatch(text) else text


def split(text: str) -> list[str]:
    """The items of a list cell, split on spaces, commas, semicolons or colons."""
    return [item for item in _SPLIT.split(text) if item]


CACHE_LIMIT = 4096
"""Entries one cell cache may hold before it is emptied (bounded memory on any file)."""


class _Refused(InvalidInput):
    pass


class _Cache(dict[str, Any]):
    """Cell text -> converted value; a text that does not convert raises and is not kept."""

    __slots__ = ("convert",)

    def __init__(self, convert: Callable[[str], object]) -> None:
        super().__init__()
        self.convert = convert

    def __missing__(self, text: str) -> Any:
        value = self.convert(text)  # InvalidInput for a cell the careful path must read
        if len(self) >= CACHE_LIMIT:
            self.clear()
        self[text] = value
        return value


def _utf8(text: str) -> str:
    if SURROGATE.search(text):
        raise _Refused("", text, "UTF-8 text")
    return text


# Each converter repeats, for one cell, what the careful path does to that cell: strip, split
# or read a number as ``_csv_row`` does, then the claim line's (or claim's) own converter.
def _code(text: str) -> Code:
    return to_shaped(text.strip(), Code, _Refused, "code")


def _units(text: str) -> int:
    return to_int(number(text.strip()), _Refused, "units", minimum=1)


def _date(text: str) -> datetime.date:
    return to_date(text.strip(), _Refused, "date_of_service")


def _modifiers(text: str) -> tuple[Modifier, ...]:
    return to_shaped_tuple(split(text.strip()), Modifier, _Refused, "modifiers")


def _place(text: str) -> PlaceOfService | None:
    stripped = text.strip()
    return to_shaped(stripped, PlaceOfService, _Refused, "place") if stripped else None


def _minutes(text: str) -> int | None:
    stripped = text.strip()
    if not stripped:
        return None
    return to_int(number(stripped), _Refused, "minutes", minimum=0)


def _diagnosis_pointers(text: str) -> tuple[int, ...]:
    try:
        return _pointers([number(item) for item in split(text.strip())])
    except InvalidInput as err:
        raise _Refused("", text, err.expected) from None


def _charge(text: str) -> decimal.Decimal | None:
    stripped = text.strip()
    return to_decimal(stripped, _Refused, "charge") if stripped else None


def _diagnoses(text: str) -> tuple[Diagnosis, ...] | None:
    items = split(text.strip())
    return to_shaped_tuple(items, Diagnosis, _Refused, "diagnoses") if items else None


def _payer(text: str) -> str | None:
    stripped = _utf8(text).strip()
    return to_optional_text(stripped, _Refused, "payer") if stripped else None


_LINE_COLUMNS: tuple[tuple[str, Callable[[str], Any]], ...] = (
    ("code", _code),
    ("units", _units),
    ("date_of_service", _date),
    ("modifiers", _modifiers),
    ("place_of_service", _place),
    ("minutes", _minutes),
    ("diagnosis_pointers", _diagnosis_pointers),
    ("charge", _charge),
)
_CLAIM_COLUMNS: tuple[tuple[str, Callable[[str], Any]], ...] = (
    ("diagnoses", _diagnoses),
    ("claim_place_of_service", _place),
    ("payer", _payer),
)


class CellReader:
    """Reads the rows of one CSV file with cached cell conversions.

    Args:
        names: the header's column names (stripped, lower-case).
        key_field: ``"claim_id"`` or ``"patient_id"``, the column that groups rows.
    """

    def __init__(self, names: Sequence[str], key_field: str) -> None:
        index = {name: position for position, name in enumerate(names)}
        # A column the file lacks reads as "", as on the careful path: rows get one empty cell
        # appended while they are read, and missing columns point at it.
        self._pad = any(name not in index for name, _ in (*_LINE_COLUMNS, *_CLAIM_COLUMNS))
        missing = len(names)
        columns = (*_LINE_COLUMNS, *_CLAIM_COLUMNS)
        self._pick = operator.itemgetter(*(index.get(name, missing) for name, _ in columns))
        self._caches = tuple(_Cache(convert) for _, convert in columns)
        self._key = index[key_field]
        self._by_claim_id = key_field == "claim_id"
        self._date = index["date_of_service"]
        self._last_key: tuple[str | None, str] = (None, "")  # (cell, its stripped key)
        self._last_claim: tuple[tuple[Any, ...] | None, dict[str, Any]] = (None, {})

    def row(self, cells: list[str]) -> tuple[Any, ...] | None:
        """``(key, claim_id, line, claim_values)`` for a good row, else ``None``.

        *cells* must have one cell per header column; it is left as it was given.
        """
        raw_key = cells[self._key]
        if raw_key == self._last_key[0]:
            key_value = self._last_key[1]
        else:
            key_value = raw_key.strip()
            if not key_value or SURROGATE.search(key_value):
                return None
            self._last_key = (raw_key, key_value)
        if self._pad:
            cells.append("")
            texts = self._pick(cells)
            cells.pop()
        else:
            texts = self._pick(cells)
        try:
            values: tuple[Any, ...] = tuple(map(operator.getitem, self._caches, texts))
        except InvalidInput:
            return None
        line = _line_from_clean(*values[:8])
        claim_part = values[8:]
        if claim_part == self._last_claim[0]:
            claim_values = self._last_claim[1]  # rows of one claim share one mapping
        else:
            claim_values = {
                "diagnoses": claim_part[0],
                "place_of_service": claim_part[1],
                "payer": claim_part[2],
            }
            self._last_claim = (claim_part, claim_values)
        if self._by_claim_id:
            return (key_value,), key_value, line, claim_values
        return (key_value, cells[self._date].strip()), None, line, claim_values
