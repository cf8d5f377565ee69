# SPDX-License-Identifier: MIT
"""The packaged Physician Fee Schedule: releases, RVUs and indicators, GPCIs, localities.

A pure parser over each text stream (:func:`build_schedules`), the packaged files as the
locator, and the dataset cache (:func:`cptkit._dataset.cached`): loaded on first use, once,
under the dataset lock, and published read-only.
"""

from __future__ import annotations

import datetime
import decimal
from collections.abc import Mapping
from decimal import Decimal
from types import MappingProxyType
from typing import TextIO

import attrs

from .. import _dataset
from ..codes import Code
from ..errors import DatasetError, InvalidInput, NotPriced, UnknownLocality
from ..modifiers import Modifier

__all__ = [
    "FeeSchedule",
    "Locality",
    "RelativeValues",
    "Release",
    "fee_schedule",
    "fee_schedules",
    "releases",
]

_QUARTER_LAST_DAY = {"A": (3, 31), "B": (6, 30), "C": (9, 30), "D": (12, 31)}
RELEASE_COLUMNS = ("release", "year", "effective", "conversion_factor", "qp_conversion_factor")
RVU_COLUMNS = (
    "release",
    "code",
    "modifier",
    "status",
    "mult_proc",
    "work",
    "pe_nonfacility",
    "pe_facility",
    "mp",
    "not_used_for_medicare",
)
GPCI_COLUMNS = ("year", "locality", "state", "name", "work", "pe", "mp")
LOCALITY_COLUMNS = ("year", "locality", "state", "county")


@attrs.frozen
class Release:
    """One CMS PFS Relative Value File release (``RVU26C``: CY2026, the July release).

    .. versionadded:: 0.2.0
    """

    name: str
    year: int
    effective: datetime.date
    """The first day the release applies to (its quarter's first day)."""
    conversion_factor: Decimal
    """The conversion factor (from 2026: the one for practitioners who are not qualifying APM
    participants, which the RVU file carries)."""
    qp_conversion_factor: Decimal
    """The conversion factor for qualifying APM participants (QPs): from 2026 a second one
    (CY2026 PFS final rule); before, the same as :attr:`conversion_factor`.

    .. versionadded:: 0.3.0
    """

    @property
    def last_day(self) -> datetime.date:
        """The last day the release speaks for: the end of its quarter (the next release
        takes over the day after)."""
        month, day = _QUARTER_LAST_DAY[self.name[-1]]
        return datetime.date(self.year, month, day)


@attrs.frozen
class RelativeValues:
    """A code's row of the RVU file: status, multiple-procedure indicator and RVUs.

    ``pe_nonfacility`` / ``pe_facility`` are ``None`` where the file marks them NA.

    .. versionadded:: 0.2.0
    """

    code: Code
    modifier: Modifier | None
    status: str
    """The PFS status indicator (A active, B bundled, C carrier-priced, I not valid for
    Medicare, N non-covered, R restricted, T injections, X statutory exclusion ...)."""
    multiple_procedure: int
    """The multiple-procedure indicator; 5 is the therapy MPPR."""
    work: Decimal
    pe_nonfacility: Decimal | None
    pe_facility: Decimal | None
    mp: Decimal
    used_for_medicare: bool


@attrs.frozen
class Locality:
    """A Medicare PFS locality of one year with its GPCIs.

    ``id`` is the MAC number and the locality number: ``"10112-00"`` (Alabama).

    .. versionadded:: 0.2.0
    """

    id: str
    year: int
    state: str
    name: str
    work_gpci: Decimal
    pe_gpci: Decimal
    mp_gpci: Decimal


@attrs.frozen
class FeeSchedule:
    """The packaged fee schedule of one year: its release, RVUs, and localities.

    >>> from cptkit import payment
    >>> schedule = payment.fee_schedule(2026)
    >>> schedule.release.name, schedule.status("97110"), schedule.status("97014")
    ('RVU26C', 'A', 'I')
    >>> schedule.locality("10112-00").pe_gpci
    Decimal('0.875')

    .. versionadded:: 0.2.0
    """

    release: Release
    _values: Mapping[tuple[str, str], RelativeValues] = attrs.field(repr=False)
    _localities: Mapping[str, Locality] = attrs.field(repr=False)

    @property
    def year(self) -> int:
        return self.release.year

    def get(
        self, code: Code | str, modifier: Modifier | str | None = None
    ) -> RelativeValues | None:
        """The RVU row of *code* (with *modifier*: its 26/TC row), or ``None``."""
        return self._values.get((str(code), "" if modifier is None else str(modifier)))

    def status(self, code: Code | str) -> str | None:
        """The PFS status indicator of *code* this year, or ``None`` when it is not on the
        file as packaged (for a rule such as ``code-not-payable``)."""
        values = self.get(code)
        return None if values is None else values.status

    def relative_values(self, code: Code | str) -> RelativeValues:
        """The RVU row of *code*.

        Raises:
            NotPriced: the code is not on this year's file.
        """
        values = self.get(code)
        if values is None:
            raise NotPriced(
                "code",
                str(code),
                f"not on the {self.release.name} RVU file as cptkit packages it (the rows of"
                " its code set, their add-ons' primary codes and the codes the file flags as"
                " therapy)",
            )
        return values

    def locality(self, locality: str) -> Locality:
        """The locality ``"MAC-locality"`` of this year.

        Raises:
            UnknownLocality: not a locality of this year's GPCI file.
        """
        try:
            return self._localities[locality]
        except (KeyError, TypeError):
            raise UnknownLocality(
                locality, f"expected MAC-locality such as '10112-00', CY{self.year}"
            ) from None

    def localities(self) -> tuple[Locality, ...]:
        """Every locality of this year, by id."""
        return tuple(self._localities[key] for key in sorted(self._localities))


def _decimal(text: str, where: str) -> Decimal:
    try:
        value = Decimal(text)
    except decimal.InvalidOperation:
        raise DatasetError(f"{where}: {text!r} is not a number") from None
    if not value.is_finite() or value < 0:
        raise DatasetError(f"{where}: {text!r} is not a non-negative number")
    return value


def _year(text: str, where: str) -> int:
    if not (len(text) == 4 and text.isascii() and text.isdigit()):
        raise DatasetError(f"{where}: year {text!r} is not a year")
    return int(text)


def _rows(stream: TextIO, name: str, columns: tuple[str, ...]) -> list[tuple[str, dict[str, str]]]:
    return [
        (f"{name} line {line}", row) for line, row in _dataset.read_table(stream, name, columns)
    ]


def build_schedules(
    releases: TextIO, rvus: TextIO, gpcis: TextIO, localities: TextIO
) -> tuple[Mapping[int, FeeSchedule], Mapping[int, Mapping[tuple[str, str], str]]]:
    """Index the four PFS files: the fee schedule of each year, and each crosswalk year's
    ``(state, county) -> locality`` map (county ``*``: the rest of the state).

    Raises:
        DatasetError: a malformed value, a duplicate key, or a row of an unknown release.
    """
    by_name: dict[str, Release] = {}
    for where, row in _rows(releases, "pfs_releases.csv", RELEASE_COLUMNS):
        if row["release"][-1:] not in _QUARTER_LAST_DAY or row["release"] in by_name:
            raise DatasetError(f"{where}: release {row['release']!r} is malformed or repeated")
        try:
            effective = datetime.date.fromisoformat(row["effective"])
        except ValueError:
            raise DatasetError(f"{where}: effective {row['effective']!r} is not a date") from None
        if row["year"] != str(effective.year):
            raise DatasetError(f"{where}: effective date is not in the release's year")
        by_name[row["release"]] = Release(
            row["release"],
            effective.year,
            effective,
            _decimal(row["conversion_factor"], where),
            _decimal(row["qp_conversion_factor"], where),
        )
    values: dict[str, dict[tuple[str, str], RelativeValues]] = {name: {} for name in by_name}
    for where, row in _rows(rvus, "pfs_rvu.csv", RVU_COLUMNS):
        table = values.get(row["release"])
        key = (row["code"], row["modifier"])
        if table is None or key in table or not row["mult_proc"].isdigit():
            raise DatasetError(f"{where}: unknown release, repeated code or bad indicator")
        try:
            code = Code.parse(row["code"])
            modifier = Modifier.parse(row["modifier"]) if row["modifier"] else None
        except InvalidInput:
            raise DatasetError(f"{where}: code or modifier is malformed") from None
        pe_nf, pe_f = row["pe_nonfacility"], row["pe_facility"]
        table[key] = RelativeValues(
            code=code,
            modifier=modifier,
            status=row["status"],
            multiple_procedure=int(row["mult_proc"]),
            work=_decimal(row["work"], where),
            pe_nonfacility=_decimal(pe_nf, where) if pe_nf else None,
            pe_facility=_decimal(pe_f, where) if pe_f else None,
            mp=_decimal(row["mp"], where),
            used_for_medicare=row["not_used_for_medicare"] == "",
        )
    places: dict[int, dict[str, Locality]] = {}
    for where, row in _rows(gpcis, "pfs_gpci.csv", GPCI_COLUMNS):
        year = _year(row["year"], where)
        table_of_year = places.setdefault(year, {})
        if row["locality"] in table_of_year:
            raise DatasetError(f"{where}: locality {row['locality']!r} repeated")
        table_of_year[row["locality"]] = Locality(
            row["locality"],
            year,
            row["state"],
            row["name"],
            _decimal(row["work"], where),
            _decimal(row["pe"], where),
            _decimal(row["mp"], where),
        )
    crosswalks: dict[int, dict[tuple[str, str], str]] = {}
    for where, row in _rows(localities, "pfs_localities.csv", LOCALITY_COLUMNS):
        year = _year(row["year"], where)
        if row["locality"] not in places.get(year, {}):
            raise DatasetError(f"{where}: locality {row['locality']!r} has no GPCI that year")
        crosswalks.setdefault(year, {})[(row["state"], row["county"])] = row["locality"]
    schedules = {}
    for name, release in by_name.items():
        if release.year not in places or release.year in schedules:
            raise DatasetError(f"pfs_releases.csv: {name} has no GPCIs or shares its year")
        schedules[release.year] = FeeSchedule(
            release,
            MappingProxyType(values[name]),
            MappingProxyType(places[release.year]),
        )
    return MappingProxyType(dict(sorted(schedules.items()))), MappingProxyType(
        {year: MappingProxyType(table) for year, table in crosswalks.items()}
    )


def load() -> tuple[Mapping[int, FeeSchedule], Mapping[int, Mapping[tuple[str, str], str]]]:
    """The packaged fee schedules by year and the crosswalks by year (loaded once, through
    the registry of packaged tables: ``cptkit._registry``)."""
    from .._registry import PFS

    loaded: tuple[Mapping[int, FeeSchedule], Mapping[int, Mapping[tuple[str, str], str]]]
    loaded = PFS.load()
    return loaded


def fee_schedules() -> tuple[FeeSchedule, ...]:
    """Every packaged fee schedule, oldest year first.

    .. versionadded:: 0.2.0
    """
    return tuple(load()[0].values())


def fee_schedule(year: int) -> FeeSchedule:
    """The packaged fee schedule of *year*.

    Raises:
        NotPriced: no fee schedule is packaged for that year.

    .. versionadded:: 0.2.0
    """
    schedules = load()[0]
    try:
        return schedules[year]
    except (KeyError, TypeError):
        packaged = ", ".join(str(known) for known in schedules)
        raise NotPriced("year", year, f"packaged years: {packaged}") from None


def releases() -> tuple[Release, ...]:
    """The packaged PFS releases, oldest first; each knows the last day it speaks for.

    >>> from cptkit import payment
    >>> [(r.name, r.last_day.isoformat()) for r in payment.releases()]
    [('RVU25D', '2025-12-31'), ('RVU26C', '2026-09-30')]

    .. versionadded:: 0.2.0
    """
    return tuple(schedule.release for schedule in fee_schedules())
