# SPDX-License-Identifier: MIT
"""The fast path of the CSV reader: each distinct cell text is converted once.

Claim files repeat themselves: the same codes, modifiers, places, dates and unit counts fill
most rows. :class:`CellReader` converts a cell's text the first time it is seen, with the very
converters the careful path uses, and keeps the result keyed by that text. A row whose every
cell converts is built straight from the kept values; a row with any cell that does not convert
returns ``None``, and the caller reads it again on the careful path, which names every fault.
Both paths prepare cells with :data:`PREPARE` and convert them with the same converters.
So the fast path changes how long a good row takes, never what any row becomes (a property the
tests check against the careful path on generated rows).

Memory stays bounded while streaming: each cache keeps at most :data:`CELL_CACHE_LIMIT`
entries, by the policy of every cptkit cache (:func:`cptkit._cache.keep`).
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Sequence
from typing import Any

import attrs

from .._cache import keep
from .._convert import to_optional_text, to_shaped, to_shaped_tuple
from ..claims import ClaimLine, _line_from_clean
from ..diagnoses import Diagnosis
from ..errors import InvalidInput
from ..places import PlaceOfService

__all__ = [
    "CELL_CACHE_LIMIT",
    "CLAIM_COLUMNS",
    "CLAIM_CONVERTERS",
    "PREPARE",
    "SURROGATE",
    "CellReader",
    "number",
    "split",
]

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


# -- what a cell's text becomes --------------------------------------------------------------
#
# Both paths of the CSV reader take a cell the same way: strip it, then *prepare* it (split a
# list, read a number, an empty cell as "not given"), then hand it to the claim line's own
# attrs converter (or the claim value's). The careful path (_read._csv_row) does so through
# the constructor or cattrs, which name every faulty field; the fast path below calls the
# same converters on one cell at a time and keeps what they return.


def _given(text: str) -> str | None:
    return text or None


def _pointer_items(text: str) -> list[int | str]:
    return [number(item) for item in split(text)]


def _minutes(text: str) -> int | str | None:
    return number(text) if text else None


PREPARE: dict[str, Callable[[str], Any]] = {
    "code": str,
    "units": number,
    "date_of_service": str,
    "modifiers": split,
    "place_of_service": _given,
    "minutes": _minutes,
    "diagnosis_pointers": _pointer_items,
    "charge": _given,
    "diagnoses": lambda text: split(text) or None,
    "claim_place_of_service": _given,
    "payer": _given,
}
"""Per column, what a stripped cell becomes before the converter sees it."""


class _ClaimValueError(InvalidInput):
    pass


CLAIM_COLUMNS = {
    "diagnoses": "diagnoses",
    "claim_place_of_service": "place_of_service",
    "payer": "payer",
}
"""The claim-level columns, each with the :class:`~cptkit.Claim` attribute it fills."""


def _claim_diagnoses(value: Any) -> object:
    if value is None:
        return None
    return to_shaped_tuple(value, Diagnosis, _ClaimValueError, "diagnoses")


def _claim_place(value: Any) -> object:
    if value is None:
        return None
    return to_shaped(value, PlaceOfService, _ClaimValueError, "claim_place_of_service")


CLAIM_CONVERTERS: dict[str, Callable[[Any], object]] = {
    "diagnoses": _claim_diagnoses,
    "claim_place_of_service": _claim_place,
    "payer": lambda value: to_optional_text(value, _ClaimValueError, "payer"),
}
"""The converters of the claim-level columns (a prepared ``None`` stays ``None``); errors name
the column. The claim's own converters check the rest (how many diagnoses) when rows become a
claim."""

_LINE_COLUMNS = tuple(field.name for field in attrs.fields(ClaimLine))  # in the fields' order
_CLAIM_ATTRIBUTES = tuple(CLAIM_COLUMNS.values())


def _cell_converter(name: str) -> Callable[[str], object]:
    prepare = PREPARE[name]
    convert: Callable[[Any], object] = (
        CLAIM_CONVERTERS.get(name) or attrs.fields_dict(ClaimLine)[name].converter  # type: ignore[assignment]
    )

    def cell(text: str) -> object:
        if SURROGATE.search(text):
            raise _ClaimValueError(name, text, "UTF-8 text")
        return convert(prepare(text.strip()))

    return cell


# -- the fast path -----------------------------------------------------------------------------

CELL_CACHE_LIMIT = 4096
"""Entries one cell cache holds at most (a column can have as many distinct texts as rows)."""


class _Cache(dict[str, Any]):
    """Cell text -> converted value; a text that does not convert raises and is not kept."""

    __slots__ = ("convert",)

    def __init__(self, convert: Callable[[str], object]) -> None:
        super().__init__()
        self.convert = convert

    def __missing__(self, text: str) -> Any:
        # InvalidInput for a cell the careful path must read
        return keep(self, text, self.convert(text), CELL_CACHE_LIMIT)


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
        columns = (*_LINE_COLUMNS, *CLAIM_COLUMNS)
        self._pad = any(name not in index for name in columns)
        missing = len(names)
        self._pick = operator.itemgetter(*(index.get(name, missing) for name in columns))
        self._caches = tuple(_Cache(_cell_converter(name)) for name in columns)
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
            claim_values = dict(zip(_CLAIM_ATTRIBUTES, claim_part, strict=True))
            self._last_claim = (claim_part, claim_values)
        if self._by_claim_id:
            return (key_value,), key_value, line, claim_values
        return (key_value, cells[self._date].strip()), None, line, claim_values
