# SPDX-License-Identifier: MIT
"""CSV cells to claim-line values: each distinct cell text is converted once.

Claim files repeat themselves: the same codes, modifiers, places, dates and unit counts fill
most rows. :class:`CellReader` converts a cell's text the first time it is seen, with the claim
line's own converters (or the claim values'), and keeps the result keyed by that text. A row
whose every cell converts is built straight from the kept values; in a row with cells that do
not convert, each such cell reports its own problem, naming its column and only its value.

Memory stays bounded while streaming: each cache keeps at most :data:`CELL_CACHE_LIMIT`
entries, by the policy of every cptkit cache (:func:`cptkit._cache.keep`).
"""

from __future__ import annotations

import datetime
import operator
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import attrs

from .._cache import keep
from .._convert import to_optional_text, to_shaped, to_shaped_tuple
from ..claims import ClaimLine, _line_from_clean, _patient, _provider
from ..diagnoses import Diagnosis
from ..errors import InvalidInput
from ..places import PlaceOfService
from ._rows import CLAIM_COLUMNS, LINE_COLUMNS, SURROGATE, not_decoded, reason

__all__ = ["CELL_CACHE_LIMIT", "CLAIM_CONVERTERS", "CellReader", "number", "split"]

_SPLIT = re.compile(r"[\s,;:]+")
_DIGITS = re.compile(r"[0-9]{1,18}")  # bounded: a longer number is refused as text


def number(text: str) -> int | str:
    """ASCII digits as an ``int``; anything else stays text, for the converter to refuse with
    its own message (``'2.5'``, ``'２'``, ``''``)."""
    return int(text) if _DIGITS.fullmatch(text) else text


def split(text: str) -> list[str]:
    """The items of a list cell, split on spaces, commas, semicolons or colons."""
    return [item for item in _SPLIT.split(text) if item]


# -- what a cell's text becomes --------------------------------------------------------------
#
# A cell is stripped, then *prepared* (a list split, a number read, an empty cell as "not
# given"), then handed to the claim line's own attrs converter (or the claim value's).


def _given(text: str) -> str | None:
    return text or None


def _pointer_items(text: str) -> list[int | str]:
    return [number(item) for item in split(text)]


def _minutes(text: str) -> int | str | None:
    return number(text) if text else None


PREPARE: Mapping[str, Callable[[str], Any]] = {
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
    "patient": _given,
    "rendering_provider": _given,
    "billing_provider": _given,
}
"""Per column, what a stripped cell becomes before the converter sees it."""


def _claim_diagnoses(value: Any) -> object:
    if value is None:
        return None
    return to_shaped_tuple(value, Diagnosis, InvalidInput, "diagnoses")


def _claim_place(value: Any) -> object:
    if value is None:
        return None
    return to_shaped(value, PlaceOfService, InvalidInput, "claim_place_of_service")


CLAIM_CONVERTERS: Mapping[str, Callable[[Any], object]] = {
    "diagnoses": _claim_diagnoses,
    "claim_place_of_service": _claim_place,
    "payer": lambda value: to_optional_text(value, InvalidInput, "payer"),
    "patient": _patient,
    "rendering_provider": _provider("rendering_provider"),
    "billing_provider": _provider("billing_provider"),
}
"""The converters of the claim-level columns (``None`` stays ``None``); errors name the
column. The claim's own converters check the rest (how many diagnoses) when rows become a
claim."""

_COLUMNS = (*LINE_COLUMNS, *CLAIM_COLUMNS)
_LINE_WIDTH = len(LINE_COLUMNS)
_CLAIM_ATTRIBUTES = tuple(CLAIM_COLUMNS.values())


def _cell_converter(name: str, date_format: str | None) -> Callable[[str], object]:
    prepare = PREPARE[name]
    convert: Callable[[Any], object] = (
        CLAIM_CONVERTERS.get(name) or attrs.fields_dict(ClaimLine)[name].converter  # type: ignore[assignment]
    )
    if name == "date_of_service" and date_format is not None:
        prepare = _date_reader(date_format)

    def cell(text: str) -> object:
        return convert(prepare(text.strip()))

    return cell


def _date_reader(date_format: str) -> Callable[[str], object]:
    def read(text: str) -> object:
        if text.isascii():  # strptime's digits are Unicode-wide; cptkit takes ASCII only
            try:
                return datetime.datetime.strptime(text, date_format).date()
            except ValueError:
                pass
        return text  # 'YYYY-MM-DD' is still taken; anything else is refused by the converter

    return read


CELL_CACHE_LIMIT = 4096
"""Entries one cell cache holds at most (a column can have as many distinct texts as rows)."""


class _Cache(dict[str, Any]):
    """Cell text -> converted value; a text that does not convert raises and is not kept."""

    __slots__ = ("convert",)

    def __init__(self, convert: Callable[[str], object]) -> None:
        super().__init__()
        self.convert = convert

    def __missing__(self, text: str) -> Any:
        if SURROGATE.search(text):
            raise InvalidInput("", "", "decodable text")
        return keep(self, text, self.convert(text), CELL_CACHE_LIMIT)


Picker = Callable[[Sequence[str]], Sequence[str]]


class CellReader:
    """Reads the line and claim cells of the rows of one file, with cached conversions.

    Args:
        positions: field -> the positions of its cells (several for split columns, none when
            the file lacks the column: it reads as an empty cell).
        width: the number of cells in a row.
        encoding: the file's encoding, named when a cell does not decode.
        date_format: a :func:`~datetime.datetime.strptime` format for dates, besides ISO.
    """

    def __init__(
        self,
        positions: Mapping[str, tuple[int, ...]],
        width: int,
        *,
        encoding: str = "utf-8",
        date_format: str | None = None,
    ) -> None:
        self._caches = tuple(_Cache(_cell_converter(name, date_format)) for name in _COLUMNS)
        self._line_caches = self._caches[:_LINE_WIDTH]
        self._claim_caches = self._caches[_LINE_WIDTH:]
        self._last_texts: Sequence[str] | None = None  # the claim cells of the last good row
        self._pick = _picker([positions.get(name, ()) for name in _COLUMNS], width)
        self._encoding = encoding
        self._date_format = date_format
        self._last_claim: tuple[tuple[Any, ...] | None, dict[str, Any]] = (None, {})

    def row(
        self, cells: Sequence[str]
    ) -> tuple[ClaimLine, Mapping[str, Any]] | list[tuple[str, str]]:
        """``(line, claim_values)`` for a good row, else every bad cell's ``(column, reason)``.

        *cells* must have one cell per header column; it is left as it was given.
        """
        texts = self._pick(cells)
        claim_texts = texts[_LINE_WIDTH:]
        try:
            # map stops at the shorter: the line caches take the first texts.
            line = _line_from_clean(*map(operator.getitem, self._line_caches, texts))
            if claim_texts == self._last_texts:
                return line, self._last_claim[1]  # rows of one claim share one mapping
            claim_part = tuple(map(operator.getitem, self._claim_caches, claim_texts))
        except InvalidInput:
            return self._problems(texts)
        self._last_texts = claim_texts
        if claim_part == self._last_claim[0]:
            return line, self._last_claim[1]
        claim_values = dict(zip(_CLAIM_ATTRIBUTES, claim_part, strict=True))
        self._last_claim = (claim_part, claim_values)
        return line, claim_values

    def _problems(self, texts: Sequence[str]) -> list[tuple[str, str]]:
        problems = []
        for name, cache, text in zip(_COLUMNS, self._caches, texts, strict=True):
            try:
                cache[text]
            except InvalidInput as err:
                if SURROGATE.search(text):
                    problems.append((name, not_decoded(name, self._encoding)))
                    continue
                expected = err.expected
                if name == "date_of_service":
                    expected = f"a date in the form {self._date_format or 'YYYY-MM-DD'}"
                    if self._date_format is None and "/" in text:
                        expected += " (or give a date format such as %m/%d/%Y)"
                problems.append((name, reason(name, err.value, expected)))
        return problems


def _picker(positions: list[tuple[int, ...]], width: int) -> Picker:
    """A function from a row's cells to one text per column, joining split columns."""
    # A column the file lacks reads as "": it points at one empty cell added to the row.
    missing = width
    firsts = operator.itemgetter(*(cells[0] if cells else missing for cells in positions))
    split_columns = [(slot, cells) for slot, cells in enumerate(positions) if len(cells) > 1]
    padded = any(not cells for cells in positions)

    def pick(cells: Sequence[str]) -> Sequence[str]:
        row = [*cells, ""] if padded else cells
        texts: Sequence[str] = firsts(row)
        if split_columns:
            joined = list(texts)
            for slot, where in split_columns:
                joined[slot] = " ".join([row[at] for at in where])
            return joined
        return texts

    return pick
