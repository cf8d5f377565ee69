# SPDX-License-Identifier: MIT
"""The ICD-10-CM code lists by fiscal year: which diagnosis codes exist and which are billable.

CDC/NCHS and CMS publish one list per federal fiscal year, in force from October 1 to
September 30 (FY2026: 2025-10-01 to 2026-09-30). Each code in it is either billable ("valid for
HIPAA transactions") or a header: a category or subcategory that has more specific codes under
it (M54.5 since FY2022; only M54.50, M54.51 and M54.59 may be billed).

* :func:`build_diagnoses` parses the packaged table from a text stream (tests feed it strings);
* :func:`load_diagnoses` reads the packaged file once, thread-safely, on first use;
* :class:`DiagnosisTable` answers for a code and a fiscal year.

>>> import datetime
>>> fiscal_year(datetime.date(2025, 9, 30)), fiscal_year(datetime.date(2025, 10, 1))
(2025, 2026)
>>> table = load_diagnoses()
>>> table.years, table.last_day
((2025, 2026), datetime.date(2026, 9, 30))
>>> table.status("Z5986", 2025), table.status("Z5986", 2026), table.status("E11A", 2025)
('1', '0', '-')
>>> table.billable_under("M545", 2026)
('M5450', 'M5451', 'M5459')
"""

from __future__ import annotations

import bisect
import csv
import datetime
import re
from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import TextIO, TypeVar

import attrs

from . import _dataset
from ._convert import to_date
from .diagnoses import Diagnosis
from .errors import DatasetError, InvalidInput, UnknownDiagnosis
from .records import DiagnosisInfo

__all__ = [
    "ABSENT",
    "BILLABLE",
    "DIAGNOSIS_TITLE_COLUMN",
    "HEADER",
    "PACKAGED_YEARS",
    "DiagnosisTable",
    "build_diagnoses",
    "fiscal_year",
    "fiscal_year_span",
    "get_diagnosis",
    "last_day",
    "load_diagnoses",
    "lookup_diagnosis",
    "year_column",
]

BILLABLE, HEADER, ABSENT = "1", "0", "-"
"""A code's status in one fiscal year's list (``ABSENT``: not in that list)."""
PACKAGED_YEARS = (2025, 2026)
"""The fiscal years of the packaged table (the loader checks the file says the same)."""
DIAGNOSIS_TITLE_COLUMN = "title"
_FILE = "diagnoses.csv"
_YEAR_COLUMN = re.compile(r"fy(20[0-9]{2})")
_FLAG_STATUS = {"1": BILLABLE, "0": HEADER, "": ABSENT}
_T = TypeVar("_T")


def year_column(year: int) -> str:
    """The packaged table's column for fiscal year *year* (``"fy2026"``)."""
    return f"fy{year}"


def fiscal_year(day: datetime.date) -> int:
    """The federal fiscal year *day* falls in: October 1 starts the next year's."""
    return day.year + 1 if day.month >= 10 else day.year


def fiscal_year_span(year: int) -> tuple[datetime.date, datetime.date]:
    """The first and last day of fiscal year *year*."""
    return datetime.date(year - 1, 10, 1), datetime.date(year, 9, 30)


def last_day() -> datetime.date:
    """The last date the packaged ICD-10-CM lists speak for: the end of the newest fiscal year.

    Reads no file (the loader checks that the packaged table has :data:`PACKAGED_YEARS`).
    """
    return fiscal_year_span(PACKAGED_YEARS[-1])[1]


def _years_text(years: Iterable[int]) -> str:
    return ", ".join(f"FY{year}" for year in years)


@attrs.frozen
class DiagnosisTable:
    """ICD-10-CM codes by fiscal year, as compact read-only data.

    Attributes:
        years: the fiscal years held, consecutive and ascending.
        rows: code without its dot -> (one status character per year of ``years``:
            :data:`BILLABLE`, :data:`HEADER` or :data:`ABSENT`; the newest title).
        codes: every code, sorted (codes under a header follow it).
    """

    years: tuple[int, ...]
    rows: Mapping[str, tuple[str, str]] = attrs.field(repr=False)
    codes: tuple[str, ...] = attrs.field(repr=False)

    @property
    def first_day(self) -> datetime.date:
        """The first date the lists speak for (October 1 before the oldest fiscal year)."""
        return fiscal_year_span(self.years[0])[0]

    @property
    def last_day(self) -> datetime.date:
        """The last date the lists speak for (September 30 of the newest fiscal year)."""
        return fiscal_year_span(self.years[-1])[1]

    def judged_year(self, day: datetime.date) -> tuple[int, bool]:
        """The fiscal year whose list judges *day*, and whether it is *day*'s own year.

        A day before the oldest or after the newest year is judged by that nearest list,
        and the second value is ``False``: the caller must say so.
        """
        year = fiscal_year(day)
        nearest = min(max(year, self.years[0]), self.years[-1])
        return nearest, nearest == year

    def status(self, code: str, year: int) -> str:
        """The status of *code* (without its dot) in fiscal year *year*'s list."""
        row = self.rows.get(code)
        return ABSENT if row is None else row[0][year - self.years[0]]

    def held_years(self, code: str) -> tuple[int, ...]:
        """The fiscal years whose list holds *code* (billable or header)."""
        row = self.rows.get(code)
        if row is None:
            return ()
        return tuple(
            year for year, status in zip(self.years, row[0], strict=True) if status != ABSENT
        )

    def billable_under(self, code: str, year: int, limit: int = 7) -> tuple[str, ...]:
        """Up to *limit* billable codes under *code* in *year*'s list, in code order."""
        position = year - self.years[0]
        found: list[str] = []
        start = bisect.bisect_right(self.codes, code)
        for other in self.codes[start:]:
            if len(found) == limit or not other.startswith(code):
                break
            if self.rows[other][0][position] == BILLABLE:
                found.append(other)
        return tuple(found)

    def info(self, diagnosis: Diagnosis, year: int | None = None) -> DiagnosisInfo | None:
        """The record of *diagnosis* in *year*'s list (``None``: the newest list holding it),
        or ``None`` when that list does not hold it."""
        row = self.rows.get(diagnosis.value)
        if row is None:
            return None
        statuses, title = row
        held = self.held_years(diagnosis.value)
        if year is None:
            year = held[-1]
        elif year not in held:
            return None
        return DiagnosisInfo(
            code=diagnosis,
            title=title,
            billable=statuses[year - self.years[0]] == BILLABLE,
            fiscal_year=year,
            fiscal_years=held,
            billable_years=tuple(
                y for y, status in zip(self.years, statuses, strict=True) if status == BILLABLE
            ),
        )

    def with_year(self, year: int, rows: Iterable[tuple[str, bool, str]]) -> DiagnosisTable:
        """A new table in which fiscal year *year*'s list is *rows* (``(code without dot,
        billable, title)``, as :func:`cptkit._icd10cm_files.read_icd10cm_file` gives them):
        the year after the newest one is added, a year held is replaced. The newest list's
        titles win. This table is not changed.

        Raises:
            DatasetError: *year* is neither held nor the year after the newest one.
        """
        if not self.years[0] <= year <= self.years[-1] + 1:
            raise DatasetError(
                f"FY{year}: a list can replace {_years_text(self.years)} or add"
                f" FY{self.years[-1] + 1}, not FY{year}"
            )
        years = tuple(range(self.years[0], max(year, self.years[-1]) + 1))
        position = year - years[0]
        new = {code: (BILLABLE if billable else HEADER, title) for code, billable, title in rows}
        merged: dict[str, tuple[str, str]] = {}
        shared: dict[str, str] = {}  # one string per distinct run of statuses
        for code in sorted(set(self.rows) | set(new)):
            statuses, title = self.rows.get(code, (ABSENT * len(self.years), ""))
            status, new_title = new.get(code, (ABSENT, ""))
            statuses = statuses.ljust(len(years), ABSENT)
            statuses = statuses[:position] + status + statuses[position + 1 :]
            if statuses.count(ABSENT) == len(years):
                continue  # only in the list replaced
            later = statuses[position + 1 :]
            newest = status != ABSENT and later.count(ABSENT) == len(later)
            merged[code] = (shared.setdefault(statuses, statuses), new_title if newest else title)
        return DiagnosisTable(years, MappingProxyType(merged), tuple(merged))


def build_diagnoses(stream: TextIO, filename: str = _FILE) -> DiagnosisTable:
    """Parse the packaged ICD-10-CM table: ``#`` lines, then ``code,fyYYYY...,title``.

    Raises:
        DatasetError: a bad header or row (shape, flags, order, duplicates), with file and line.
    """
    reader = csv.reader(stream)
    header: list[str] | None = None
    for fields in reader:
        if not (fields and fields[0].startswith("#")):
            header = fields
            break
    if header is None:
        raise DatasetError(f"{filename}: no header line (empty or truncated file)")
    years = _header_years(header, filename, reader.line_num)
    width = len(header)
    shape = Diagnosis._SHAPE.fullmatch
    statuses: dict[tuple[str, ...], str] = {}
    rows: dict[str, tuple[str, str]] = {}
    codes: list[str] = []
    previous = ""
    for fields in reader:
        if len(fields) != width:
            raise DatasetError(
                f"{filename} line {reader.line_num}: {len(fields)} fields, expected {width}"
            )
        code, title = fields[0], fields[-1]
        flags = tuple(fields[1:-1])
        status = statuses.get(flags)
        if status is None:
            status = _status(flags, filename, reader.line_num)
            statuses[flags] = status
        if shape(code) is None or code <= previous or not title:
            raise DatasetError(
                f"{filename} line {reader.line_num}: code {code!r} is invalid, duplicate or out"
                " of order, or has no title"
            )
        rows[code] = (status, title)
        codes.append(code)
        previous = code
    if not rows:
        raise DatasetError(f"{filename}: no rows")
    return DiagnosisTable(years, MappingProxyType(rows), tuple(codes))


def _header_years(header: list[str], filename: str, line: int) -> tuple[int, ...]:
    matches = [_YEAR_COLUMN.fullmatch(column) for column in header[1:-1]]
    years = tuple(int(match.group(1)) for match in matches if match is not None)
    consecutive = years == tuple(range(years[0], years[0] + len(years))) if years else False
    if (
        header[:1] != ["code"]
        or header[-1:] != [DIAGNOSIS_TITLE_COLUMN]
        or len(years) != len(header) - 2
        or not consecutive
    ):
        raise DatasetError(
            f"{filename} line {line}: header {header!r} is not 'code', consecutive 'fyYYYY'"
            " columns, then 'title'"
        )
    return years


def _status(flags: tuple[str, ...], filename: str, line: int) -> str:
    try:
        status = "".join(_FLAG_STATUS[flag] for flag in flags)
    except KeyError:
        raise DatasetError(
            f"{filename} line {line}: billable flags {flags!r} are not '1', '0' or empty"
        ) from None
    if status.count(ABSENT) == len(status):
        raise DatasetError(f"{filename} line {line}: the code is in no fiscal year's list")
    return status


def build_packaged(stream: TextIO) -> DiagnosisTable:
    """The packaged table from its file (the registry's parser: ``cptkit._registry``)."""
    table = build_diagnoses(stream)
    if table.years != PACKAGED_YEARS:
        raise DatasetError(f"{_FILE}: fiscal years {table.years} are not {PACKAGED_YEARS}")
    return table


def load_diagnoses() -> DiagnosisTable:
    """The packaged table, read on first use (once, under the dataset lock)."""
    table: DiagnosisTable | None = _dataset.CACHE.get("diagnoses")
    if table is None:
        from ._registry import DIAGNOSES

        table = DIAGNOSES.load()
    return table


# -- lookups -----------------------------------------------------------------------------------


class _OutsideYears(InvalidInput):
    pass


def _diagnosis(value: Diagnosis | str) -> Diagnosis:
    return value if type(value) is Diagnosis else Diagnosis.parse(value)  # type: ignore[arg-type]


def _year(table: DiagnosisTable, on: datetime.date | str | None) -> int | None:
    if on is None:
        return None
    day = to_date(on, _OutsideYears, "on")
    year, own = table.judged_year(day)
    if not own:
        first, last = table.first_day, table.last_day
        raise _OutsideYears(
            "on",
            on,
            f"a date in the fiscal years of cptkit's ICD-10-CM lists ({_years_text(table.years)}:"
            f" {first} to {last}); load a newer CMS code file for later dates",
        )
    return year


def lookup_diagnosis(
    code: Diagnosis | str,
    *,
    on: datetime.date | str | None = None,
    table: DiagnosisTable | None = None,
) -> DiagnosisInfo:
    """The record of *code* in the list of the fiscal year of *on* (``None``: the newest list
    holding it); see :func:`cptkit.lookup_diagnosis`."""
    diagnosis = _diagnosis(code)
    table = load_diagnoses() if table is None else table
    year = _year(table, on)
    info = table.info(diagnosis, year)
    if info is not None:
        return info
    if year is None:
        detail = f"in no ICD-10-CM list of {_years_text(table.years)}"
    else:
        held = table.held_years(diagnosis.value)
        listed = f"; listed in {_years_text(held)}" if held else ""
        detail = f"not in the ICD-10-CM FY{year} list{listed}"
    raise UnknownDiagnosis(str(diagnosis), detail)


def get_diagnosis(
    code: Diagnosis | str,
    default: _T | None = None,
    *,
    on: datetime.date | str | None = None,
    table: DiagnosisTable | None = None,
) -> DiagnosisInfo | _T | None:
    """Like :func:`lookup_diagnosis`, but *default* when the list does not hold *code*."""
    diagnosis = _diagnosis(code)
    table = load_diagnoses() if table is None else table
    info = table.info(diagnosis, _year(table, on))
    return default if info is None else info
