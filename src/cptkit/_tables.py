# SPDX-License-Identifier: MIT
"""Turning the packaged CSV tables into read-only indexes of records.

Each ``build_*`` function takes a text stream, so tests can feed it a tiny fixture;
:mod:`cptkit._registry` names the packaged files each one reads and caches the result.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import TextIO, TypeVar

import attrs

from . import _dataset
from ._text import ShapedText
from .codes import Code
from .errors import DatasetError, InvalidInput
from .modifiers import Modifier
from .places import PlaceOfService
from .records import (
    CodeInfo,
    Discipline,
    Ladder,
    ModifierGroup,
    ModifierInfo,
    PlaceInfo,
    Timing,
)

__all__ = [
    "CODE_COLUMNS",
    "EditTables",
    "MueEdition",
    "build_aoc",
    "build_codes",
    "build_modifiers",
    "build_mue",
    "build_places",
    "build_ptp",
    "build_rationales",
    "change_dates",
    "index_edits",
    "mue_edition_on",
]

CODE_COLUMNS = (
    "code",
    "summary",
    "family",
    "disciplines",
    "timing",
    "unit_minutes",
    "band_min",
    "band_max",
    "ladder_addon",
    "base_minutes",
    "base_threshold",
    "addon_unit_minutes",
    "addon_threshold",
    "add_on",
    "primary_codes",
    "therapy_list",
    "pfs_status",
    "telehealth",
    "effective",
    "terminated",
    "replaced_by",
    "date_basis",
    "note",
)
MODIFIER_COLUMNS = (
    "modifier",
    "level",
    "group",
    "kind",
    "summary",
    "description",
    "effective",
    "terminated",
    "date_basis",
    "reviewed",
)
PLACE_COLUMNS = ("code", "name", "setting", "effective", "terminated", "date_basis", "note")
MUE_COLUMNS = ("edition", "code", "units", "mai", "rationale")
PTP_COLUMNS = (
    "column1",
    "column2",
    "effective_date",
    "deletion_date",
    "modifier_indicator",
    "rationale",
)
AOC_COLUMNS = ("addon", "primary", "type", "effective", "last_day")

_BOOL = {"0": False, "1": True}
_S = TypeVar("_S", bound=ShapedText)
_TRI = {"yes": True, "no": False, "": None}


class _Row:
    """Field access with the file and line in every error."""

    __slots__ = ("filename", "line", "row")

    def __init__(self, filename: str, line: int, row: dict[str, str]) -> None:
        self.filename, self.line, self.row = filename, line, row

    def fail(self, field: str, detail: str = "") -> DatasetError:
        value = self.row.get(field, "")
        suffix = f" ({detail})" if detail else ""
        return DatasetError(
            f"{self.filename} line {self.line}: {field} {value!r} is invalid{suffix}"
        )

    def text(self, field: str) -> str:
        return self.row[field]

    def integer(self, field: str) -> int | None:
        return _dataset.optional_int(self.row[field], self.filename, self.line, field)

    def date(self, field: str) -> datetime.date | None:
        return _dataset.optional_date(self.row[field], self.filename, self.line, field)

    def shaped(self, field: str, cls: type[_S]) -> _S:
        try:
            return cls.parse(self.row[field])
        except InvalidInput:
            raise self.fail(field) from None

    def code(self, field: str) -> Code:
        return self.shaped(field, Code)

    def codes(self, field: str) -> tuple[Code, ...]:
        text = self.row[field]
        try:
            return tuple(Code.parse(part) for part in text.split(";")) if text else ()
        except InvalidInput:
            raise self.fail(field) from None

    def choice(self, field: str, choices: Mapping[str, object]) -> object:
        try:
            return choices[self.row[field]]
        except KeyError:
            raise self.fail(field, f"expected one of {sorted(choices)}") from None


def _rows(stream: TextIO, filename: str, columns: tuple[str, ...]) -> list[_Row]:
    return [
        _Row(filename, line, row) for line, row in _dataset.read_table(stream, filename, columns)
    ]


def build_codes(stream: TextIO, filename: str = "codes.csv") -> Mapping[Code, CodeInfo]:
    """Index the code table by :class:`~cptkit.Code`; ladders link base and add-on."""
    rows = _rows(stream, filename, CODE_COLUMNS)
    ladders: dict[Code, Ladder] = {}
    for row in rows:
        if row.text("ladder_addon"):
            base, addon = row.code("code"), row.code("ladder_addon")
            numbers = [row.integer(f) for f in _LADDER_FIELDS]
            if any(number is None for number in numbers):
                raise row.fail("ladder_addon", "a ladder base needs its four numbers")
            ladder = Ladder(base, addon, *numbers)  # type: ignore[arg-type]
            ladders[base] = ladder
            ladders[addon] = ladder
    disciplines = {item.name: item for item in Discipline}
    timings = {item.value: item for item in Timing}
    index: dict[Code, CodeInfo] = {}
    for row in rows:
        code = row.code("code")
        if code in index:
            raise row.fail("code", "duplicate code")
        timing = row.choice("timing", timings)
        band_min = row.integer("band_min")
        names = row.text("disciplines").split(";") if row.text("disciplines") else []
        if any(name not in disciplines for name in names):
            raise row.fail("disciplines")
        therapy_list = row.text("therapy_list")
        if therapy_list not in ("", "always", "sometimes"):
            raise row.fail("therapy_list")
        index[code] = CodeInfo(
            code=code,
            summary=row.text("summary"),
            family=row.text("family"),
            disciplines=frozenset(disciplines[name] for name in names),
            timing=timing,  # type: ignore[arg-type]
            unit_minutes=row.integer("unit_minutes"),
            time_band=None if band_min is None else (band_min, row.integer("band_max")),
            ladder=ladders.get(code),
            add_on=bool(row.choice("add_on", _BOOL)),
            primary_codes=row.codes("primary_codes"),
            therapy_list=therapy_list or None,
            pfs_status=row.text("pfs_status") or None,
            telehealth=row.choice("telehealth", _TRI),  # type: ignore[arg-type]
            effective=row.date("effective"),
            terminated=row.date("terminated"),
            replaced_by=row.codes("replaced_by"),
            date_basis=row.text("date_basis"),
            note=row.text("note"),
        )
    for code, ladder in ladders.items():
        if ladder.addon not in index:
            raise DatasetError(f"{filename}: ladder add-on {ladder.addon} of {code} is not listed")
    return MappingProxyType(index)


_LADDER_FIELDS = ("base_minutes", "base_threshold", "addon_unit_minutes", "addon_threshold")


def build_modifiers(
    stream: TextIO, filename: str = "modifiers.csv"
) -> Mapping[Modifier, ModifierInfo]:
    """Index the modifier table by :class:`~cptkit.Modifier`."""
    groups = {item.value: item for item in ModifierGroup}
    index: dict[Modifier, ModifierInfo] = {}
    for row in _rows(stream, filename, MODIFIER_COLUMNS):
        modifier = row.shaped("modifier", Modifier)
        if modifier in index:
            raise row.fail("modifier", "duplicate modifier")
        if row.text("level") not in ("CPT", "HCPCS"):
            raise row.fail("level")
        index[modifier] = ModifierInfo(
            modifier=modifier,
            level=row.text("level"),
            group=row.choice("group", groups),  # type: ignore[arg-type]
            pricing=bool(row.choice("kind", {"pricing": True, "informational": False})),
            summary=row.text("summary"),
            description=row.text("description"),
            effective=row.date("effective"),
            terminated=row.date("terminated"),
            date_basis=row.text("date_basis"),
            reviewed=bool(row.choice("reviewed", _BOOL)),
        )
    return MappingProxyType(index)


def build_places(
    stream: TextIO, filename: str = "places.csv"
) -> Mapping[PlaceOfService, PlaceInfo]:
    """Index the place-of-service table."""
    index: dict[PlaceOfService, PlaceInfo] = {}
    for row in _rows(stream, filename, PLACE_COLUMNS):
        place = row.shaped("code", PlaceOfService)
        if place in index:
            raise row.fail("code", "duplicate place of service")
        if row.text("setting") not in ("facility", "non-facility", "unassigned"):
            raise row.fail("setting")
        index[place] = PlaceInfo(
            place=place,
            name=row.text("name"),
            setting=row.text("setting"),
            effective=row.date("effective"),
            terminated=row.date("terminated"),
            date_basis=row.text("date_basis"),
            note=row.text("note"),
        )
    return MappingProxyType(index)


MueRow = tuple[int, int, str]
"""One code's MUE: ``(units, mai, rationale)``."""


@attrs.frozen
class MueEdition:
    """One CMS MUE table: in force from *start* until the next edition's start."""

    start: datetime.date
    label: str
    rows: Mapping[str, MueRow]


def mue_edition_on(editions: tuple[MueEdition, ...], day: datetime.date | None) -> MueEdition:
    """The edition in force on *day*: the newest one starting on or before it; the oldest for
    earlier days; the newest for ``None``."""
    if day is None:
        return editions[-1]
    chosen = editions[0]
    for edition in editions:
        if edition.start <= day:
            chosen = edition
    return chosen


def build_mue(stream: TextIO, filename: str = "mue.csv") -> tuple[MueEdition, ...]:
    """The MUE editions of the packaged table, oldest first (rows indexed by code text)."""
    editions: dict[str, dict[str, MueRow]] = {}
    shape = Code._SHAPE.fullmatch
    for line, row in _dataset.read_table(stream, filename, MUE_COLUMNS):
        edition, code, units, mai, rationale = row.values()
        index = editions.get(edition)
        if index is None:
            _dataset.optional_date(edition, filename, line, "edition")
            index = editions[edition] = {}
        if not shape(code) or code in index:
            raise DatasetError(f"{filename} line {line}: code {code!r} is invalid or duplicate")
        if not (units.isascii() and units.isdigit()) or mai not in ("1", "2", "3"):
            raise DatasetError(f"{filename} line {line}: units {units!r} or mai {mai!r} is invalid")
        index[code] = (int(units), int(mai), rationale)
    return tuple(
        MueEdition(datetime.date.fromisoformat(label), label, MappingProxyType(rows))
        for label, rows in sorted(editions.items())
    )


AocRow = tuple[str, int, datetime.date, "datetime.date | None"]
"""One AOC pairing: ``(primary, type, effective, last day)``."""


def build_aoc(stream: TextIO, filename: str = "aoc.csv") -> Mapping[str, tuple[AocRow, ...]]:
    """Index the add-on code edits by add-on code text."""
    index: dict[str, list[AocRow]] = {}
    for row in _rows(stream, filename, AOC_COLUMNS):
        addon, primary = row.code("addon"), row.text("primary")
        if primary != "CCCCC":
            row.code("primary")
        kind = row.choice("type", {"1": 1, "2": 2, "3": 3})
        effective = row.date("effective")
        if effective is None:
            raise row.fail("effective", "every AOC edit has an effective date")
        index.setdefault(str(addon), []).append(
            (primary, kind, effective, row.date("last_day"))  # type: ignore[arg-type]
        )
    return MappingProxyType({code: tuple(rows) for code, rows in index.items()})


EditRow = tuple["datetime.date | None", "datetime.date | None", int, str]


@attrs.frozen
class EditTables:
    """PTP edits as compact tuples; :class:`~cptkit.records.PTPEdit` objects are made on demand.

    ``pairs`` maps ``(column1, column2)`` to ``(effective, deletion, indicator, rationale)`` rows
    (``effective`` is ``None`` where neither the source nor the two codes' dates give one);
    ``partners`` maps a code to every code it is paired with, either side.
    """

    pairs: Mapping[tuple[str, str], tuple[EditRow, ...]]
    partners: Mapping[str, frozenset[str]]


def build_ptp(
    stream: TextIO, rationales: Mapping[str, str], filename: str = "ptp.csv"
) -> EditTables:
    """Index PTP edits by pair and by code.

    This is the one large table (about 75,000 rows), so rows are checked with plain string
    tests and a date cache rather than through :class:`_Row`.
    """
    edits: list[tuple[str, str, EditRow]] = []
    dates: dict[str, datetime.date | None] = {"": None}
    indicators = {"0": 0, "1": 1, "9": 9}
    shape = Code._SHAPE.fullmatch
    for line, row in _dataset.read_table(stream, filename, PTP_COLUMNS):
        first, second, effective, deletion, indicator, rationale = row.values()
        if not (shape(first) and shape(second)) or indicator not in indicators:
            raise DatasetError(f"{filename} line {line}: invalid code pair or modifier indicator")
        if effective not in dates:
            dates[effective] = _dataset.optional_date(effective, filename, line, "effective_date")
        if deletion not in dates:
            dates[deletion] = _dataset.optional_date(deletion, filename, line, "deletion_date")
        why = rationales.get(rationale)
        if why is None:
            raise DatasetError(f"{filename} line {line}: unknown rationale id {rationale!r}")
        edits.append(
            (first, second, (dates[effective], dates[deletion], indicators[indicator], why))
        )
    return index_edits(edits)


def index_edits(edits: list[tuple[str, str, EditRow]]) -> EditTables:
    """Index ``(column1, column2, row)`` triples by pair and by code."""
    pairs: dict[tuple[str, str], list[EditRow]] = {}
    partners: dict[str, set[str]] = {}
    for first, second, edit in edits:
        pairs.setdefault((first, second), []).append(edit)
        partners.setdefault(first, set()).add(second)
        partners.setdefault(second, set()).add(first)
    return EditTables(
        MappingProxyType({pair: tuple(rows) for pair, rows in pairs.items()}),
        MappingProxyType({code: frozenset(found) for code, found in partners.items()}),
    )


def change_dates(
    spans: Iterable[tuple[datetime.date | None, datetime.date | None]],
) -> tuple[datetime.date, ...]:
    """The sorted dates on which something with these ``(first day, last day)`` spans starts
    or stops applying: each first day, and the day after each last day."""
    dates: set[datetime.date] = set()
    for first, last in spans:
        if first is not None:
            dates.add(first)
        if last is not None and last < datetime.date.max:  # nothing ends after the last date
            dates.add(last + datetime.timedelta(days=1))
    return tuple(sorted(dates))


def build_rationales(stream: TextIO, filename: str = "ptp_rationales.csv") -> Mapping[str, str]:
    return MappingProxyType(
        {
            row.text("id"): row.text("rationale")
            for row in _rows(stream, filename, ("id", "rationale"))
        }
    )
