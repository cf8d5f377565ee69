# SPDX-License-Identifier: MIT
"""Turning the packaged CSV tables into read-only indexes of records.

Each ``build_*`` function takes a text stream, so tests can feed it a tiny fixture; the
``load_*`` functions read the packaged files through :mod:`cptkit._dataset` and cache them.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import Any, TextIO, TypeVar

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
    "build_codes",
    "build_modifiers",
    "build_mue",
    "build_places",
    "build_ptp",
    "index_edits",
    "load_codes",
    "load_modifiers",
    "load_mue",
    "load_places",
    "load_ptp",
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
MUE_COLUMNS = ("code", "units", "mai", "rationale")
PTP_COLUMNS = ("column1", "column2", "deletion_date", "modifier_indicator", "rationale")

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


def build_mue(stream: TextIO, filename: str = "mue.csv") -> Mapping[str, tuple[int, int, str]]:
    """Index MUE rows by code text: ``(units, mai, rationale)``."""
    index: dict[str, tuple[int, int, str]] = {}
    shape = Code._SHAPE.fullmatch
    for line, row in _dataset.read_table(stream, filename, MUE_COLUMNS):
        code, units, mai, rationale = row.values()
        if not shape(code) or code in index:
            raise DatasetError(f"{filename} line {line}: code {code!r} is invalid or duplicate")
        if not (units.isascii() and units.isdigit()) or mai not in ("1", "2", "3"):
            raise DatasetError(f"{filename} line {line}: units {units!r} or mai {mai!r} is invalid")
        index[code] = (int(units), int(mai), rationale)
    return MappingProxyType(index)


EditRow = tuple["datetime.date | None", "datetime.date | None", int, str]


@attrs.frozen
class EditTables:
    """PTP edits as compact tuples; :class:`~cptkit.records.PTPEdit` objects are made on demand.

    ``pairs`` maps ``(column1, column2)`` to ``(effective, deletion, indicator, rationale)`` rows
    (the packaged file has no effective dates: ``None``);
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
        first, second, deletion, indicator, rationale = row.values()
        if not (shape(first) and shape(second)) or indicator not in indicators:
            raise DatasetError(f"{filename} line {line}: invalid code pair or modifier indicator")
        if deletion not in dates:
            dates[deletion] = _dataset.optional_date(deletion, filename, line, "deletion_date")
        why = rationales.get(rationale)
        if why is None:
            raise DatasetError(f"{filename} line {line}: unknown rationale id {rationale!r}")
        edits.append((first, second, (None, dates[deletion], indicators[indicator], why)))
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


def _change_dates(
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


def _build_codes() -> Mapping[Code, CodeInfo]:
    return build_codes(_dataset.open_packaged("codes.csv"))


def _build_modifiers() -> Mapping[Modifier, ModifierInfo]:
    return build_modifiers(_dataset.open_packaged("modifiers.csv"))


def _build_places() -> Mapping[PlaceOfService, PlaceInfo]:
    return build_places(_dataset.open_packaged("places.csv"))


def _build_mue() -> Mapping[str, tuple[int, int, str]]:
    return build_mue(_dataset.open_packaged("mue.csv"))


def _build_ptp() -> EditTables:
    rationales = build_rationales(_dataset.open_packaged("ptp_rationales.csv"))
    return build_ptp(_dataset.open_packaged("ptp.csv"), rationales)


# The loaders are on every lookup's path: a loaded table is one dict read away.
def load_codes() -> Mapping[Code, CodeInfo]:
    return _dataset.CACHE.get("codes") or _dataset.cached("codes", _build_codes)


def load_modifiers() -> Mapping[Modifier, ModifierInfo]:
    return _dataset.CACHE.get("modifiers") or _dataset.cached("modifiers", _build_modifiers)


def load_places() -> Mapping[PlaceOfService, PlaceInfo]:
    return _dataset.CACHE.get("places") or _dataset.cached("places", _build_places)


def load_mue() -> Mapping[str, tuple[int, int, str]]:
    return _dataset.CACHE.get("mue") or _dataset.cached("mue", _build_mue)


def load_ptp() -> EditTables:
    return _dataset.CACHE.get("ptp") or _dataset.cached("ptp", _build_ptp)


def _build_validity_changes() -> tuple[datetime.date, ...]:
    tables: tuple[Mapping[Any, CodeInfo | ModifierInfo | PlaceInfo], ...] = (
        load_codes(),
        load_modifiers(),
        load_places(),
    )
    return _change_dates(
        (info.effective, info.terminated) for table in tables for info in table.values()
    )


def load_validity_changes() -> tuple[datetime.date, ...]:
    """Every date on which a code, modifier or place of service starts or stops being valid
    (a terminated record stops the day after its termination date), sorted."""
    return _dataset.CACHE.get("validity_changes") or _dataset.cached(
        "validity_changes", _build_validity_changes
    )
