# SPDX-License-Identifier: MIT
"""The packaged tables: one :class:`PackagedTable` entry per table drives its loading, its
manifest check and what :meth:`cptkit.Catalog.coverage` reports about it.

An entry names the packaged files (checked against ``manifest.json`` when opened), the parser
that turns their text into an index (:mod:`cptkit._tables`), and whether the table holds CMS
edits (which get one quarter of grace before ``data-stale``). The build script
(``scripts/build_dataset.py``) writes the files and, under ``coverage`` in the manifest, each
table's edition and the last date it speaks for.

Adding a table is one entry here plus its build step: for example a diagnoses table would be
``DIAGNOSES = PackagedTable("diagnoses", ("diagnoses.csv",), build_diagnoses, dated=True)``
added to :data:`TABLES`, with the build script writing ``diagnoses.csv`` and its ``coverage``
entry in the manifest; its coverage, its manifest check and (when dated) its validity dates
then follow.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any, Generic, TextIO, TypeVar

import attrs

from . import _dataset, _tables
from .codes import Code
from .errors import DatasetError
from .modifiers import Modifier
from .places import PlaceOfService
from .records import CodeInfo, Coverage, ModifierInfo, PlaceInfo

__all__ = ["TABLES", "PackagedTable", "coverage", "load_validity_changes"]

_T = TypeVar("_T")


@attrs.frozen
class PackagedTable(Generic[_T]):
    """One packaged table.

    Attributes:
        name: the table's name: its cache key and its key in the manifest's ``coverage``.
        files: the packaged files it reads, in the order *parse* takes them.
        parse: builds the index from one text stream per file.
        edits: CMS edits (MUE, PTP, add-on codes): stale one quarter after their coverage.
        dated: a mapping of records valid between an ``effective`` and a ``terminated`` date,
            whose dates count in :func:`load_validity_changes`.
        judged: the built-in rules judge claims by it, so ``data-stale`` watches its coverage
            (the fee schedule is read by payment estimates, which give their own notice).
    """

    name: str
    files: tuple[str, ...]
    parse: Callable[..., _T]
    edits: bool = False
    dated: bool = False
    judged: bool = True

    def load(self) -> _T:
        """The table's index, built once (thread-safely) on first use."""
        value = _dataset.CACHE.get(self.name)
        return value if value is not None else _dataset.cached(self.name, self._build)

    def _build(self) -> _T:
        return self.parse(*(_dataset.open_packaged(name) for name in self.files))

    def coverage(self) -> Coverage:
        """The edition and last date the packaged table speaks for (from the manifest)."""
        entry = _dataset.manifest().get("coverage", {}).get(self.name)
        if not isinstance(entry, dict):
            raise DatasetError(f"manifest.json: no coverage for table {self.name!r}")
        try:
            through = datetime.date.fromisoformat(entry["through"])
            return Coverage.of(self.name, str(entry["edition"]), through, edits=self.edits)
        except (KeyError, TypeError, ValueError):
            raise DatasetError(f"manifest.json: bad coverage for table {self.name!r}") from None


def _ptp(edits: TextIO, rationales: TextIO) -> _tables.EditTables:
    return _tables.build_ptp(edits, _tables.build_rationales(rationales))


CODES: PackagedTable[Mapping[Code, CodeInfo]] = PackagedTable(
    "codes", ("codes.csv",), _tables.build_codes, dated=True
)
MODIFIERS: PackagedTable[Mapping[Modifier, ModifierInfo]] = PackagedTable(
    "modifiers", ("modifiers.csv",), _tables.build_modifiers, dated=True
)
PLACES: PackagedTable[Mapping[PlaceOfService, PlaceInfo]] = PackagedTable(
    "places", ("places.csv",), _tables.build_places, dated=True
)
MUE: PackagedTable[tuple[_tables.MueEdition, ...]] = PackagedTable(
    "mue", ("mue.csv",), _tables.build_mue, edits=True
)
PTP: PackagedTable[_tables.EditTables] = PackagedTable(
    "ptp", ("ptp.csv", "ptp_rationales.csv"), _ptp, edits=True
)
AOC: PackagedTable[Mapping[str, tuple[_tables.AocRow, ...]]] = PackagedTable(
    "aoc", ("aoc.csv",), _tables.build_aoc, edits=True
)


def _diagnoses(stream: TextIO) -> Any:
    from . import _icd10cm  # its machinery loads with the first diagnosis lookup only

    return _icd10cm.build_packaged(stream)


def _fee_schedules(releases: TextIO, rvus: TextIO, gpcis: TextIO, localities: TextIO) -> Any:
    from .payment import _schedule  # loads with the first estimate only

    return _schedule.build_schedules(releases, rvus, gpcis, localities)


def _pfs_status(stream: TextIO) -> Any:
    from . import _pfs_status  # loads with the first code-not-payable check only

    return _pfs_status.build(stream)


DIAGNOSES: PackagedTable[Any] = PackagedTable("diagnoses", ("diagnoses.csv",), _diagnoses)
PFS_STATUS: PackagedTable[Any] = PackagedTable("pfs_status", ("pfs_status.csv",), _pfs_status)
PFS: PackagedTable[Any] = PackagedTable(
    "pfs",
    ("pfs_releases.csv", "pfs_rvu.csv", "pfs_gpci.csv", "pfs_localities.csv"),
    _fee_schedules,
    judged=False,
)
TABLES: tuple[PackagedTable[Any], ...] = (
    CODES,
    MODIFIERS,
    PLACES,
    MUE,
    PTP,
    AOC,
    DIAGNOSES,
    PFS,
    PFS_STATUS,
)
"""Every packaged table, in the order :meth:`~cptkit.Catalog.coverage` lists them."""

# The loaders on every lookup's path, bound once.
load_codes = CODES.load
load_modifiers = MODIFIERS.load
load_places = PLACES.load
load_mue = MUE.load
load_ptp = PTP.load
load_aoc = AOC.load


def coverage() -> Mapping[str, Coverage]:
    """Every packaged table's coverage, by table name (read once from the manifest)."""
    return _dataset.cached(
        "coverage", lambda: MappingProxyType({table.name: table.coverage() for table in TABLES})
    )


def _build_validity_changes() -> tuple[datetime.date, ...]:
    return _tables.change_dates(
        (info.effective, info.terminated)
        for table in TABLES
        if table.dated
        for info in table.load().values()
    )


def load_validity_changes() -> tuple[datetime.date, ...]:
    """Every date on which a record of a dated table (codes, modifiers, places of service, and
    any dated table added later) starts or stops being valid (a terminated record stops the
    day after its termination date), sorted."""
    return _dataset.cached("validity_changes", _build_validity_changes)
