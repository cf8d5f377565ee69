# SPDX-License-Identifier: MIT
"""Catalog overlays as small values: what a catalog reads (:class:`Layers`) and the user files
that change it (:class:`Descriptors`, :class:`MueFile`, :class:`PtpFiles`, :class:`AocFile`,
:class:`HcpcsFile`).

An overlay holds only its paths and labels, and each file's SHA-256. :meth:`apply` reads the
file(s) and returns new layers; a catalog keeps the overlays it was made with, so a pickled
catalog travels as those values and is rebuilt by applying them again where it lands. Paths are
made absolute when an overlay is made (a worker's working directory is not the driver's), and
:meth:`apply` refuses a file whose SHA-256 is no longer the one recorded (a worker never judges
by a file edited after the driver read it).
"""

from __future__ import annotations

import datetime
import os
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Protocol

import attrs

from . import _registry, _tables
from .codes import Code
from .records import CodeInfo, Coverage, quarter_end

if TYPE_CHECKING:
    from ._icd10cm import DiagnosisTable
    from ._tables import AocRow, EditTables, MueEdition

__all__ = [
    "AocFile",
    "Descriptors",
    "HcpcsFile",
    "Icd10cmFile",
    "Layers",
    "MueFile",
    "Overlay",
    "PtpFiles",
    "cms_overlays",
]


def _packaged_diagnoses() -> DiagnosisTable:
    from ._icd10cm import load_diagnoses  # its machinery loads with the first diagnosis lookup

    return load_diagnoses()


_PACKAGED_PTP = "2024-07-01"
_PACKAGED_AOC = "V2026Q2"


@attrs.frozen
class Layers:
    """What a catalog reads: loaders of the packaged tables, or what overlays put over them."""

    descriptors: Mapping[Code, str] = MappingProxyType({})
    mue: Callable[[], tuple[MueEdition, ...]] = _registry.load_mue
    ptp: Callable[[], EditTables] = _registry.load_ptp
    ptp_edition: str = _PACKAGED_PTP
    aoc: Callable[[], Mapping[str, tuple[AocRow, ...]]] = _registry.load_aoc
    aoc_edition: str = _PACKAGED_AOC
    codes: Mapping[Code, CodeInfo] = MappingProxyType({})
    """Code records from overlays, over the packaged ones."""
    diagnoses: Callable[[], DiagnosisTable] = _packaged_diagnoses
    """The ICD-10-CM lists by fiscal year."""
    coverage: Mapping[str, Coverage] = MappingProxyType({})
    """Coverage of the tables overlays replaced or extended."""

    def covered(
        self,
        table: str,
        edition: str,
        through: datetime.date | None,
        *,
        additive: bool = False,
    ) -> Layers:
        """These layers with *table*'s coverage set to *edition* through *through*
        (``date.max`` when the file does not say which quarter it is).

        An *additive* file (one more MUE edition, HCPCS codes, a fiscal year's diagnoses)
        adds to the table without replacing it: the coverage becomes the file's only when it
        reaches further than the table's, so an older file never shortens it."""
        last = datetime.date.max if through is None else quarter_end(through)
        edits = any(entry.edits for entry in _registry.TABLES if entry.name == table)
        entry = Coverage.of(table, edition, last, edits=edits)
        if additive:
            now = self.coverage.get(table) or _registry.coverage().get(table)
            if now is not None and now.through >= entry.through:
                return self
        return attrs.evolve(self, coverage=MappingProxyType({**self.coverage, table: entry}))


class Overlay(Protocol):
    """A user file over the packaged data: a small value that can be applied again."""

    def apply(self, layers: Layers) -> Layers: ...  # pragma: no cover

    def describe(self) -> str: ...  # pragma: no cover


def _absolute(path: str) -> str:
    return os.path.abspath(path)


def _absolute_all(paths: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(map(_absolute, paths))


def _sha256(path: str) -> str:
    from ._cms_files import file_sha256

    return file_sha256(path)


def _unchanged(paths: tuple[str, ...], hashes: tuple[str, ...]) -> None:
    from ._cms_files import check_unchanged

    for path, sha256 in zip(paths, hashes, strict=True):
        check_unchanged(path, sha256)


@attrs.frozen
class _OneFile:
    """An overlay read from one user file, kept as its absolute path and the SHA-256 the file
    had when the overlay was made (not when unpickled), so that a catalog rebuilt elsewhere
    refuses a file that changed."""

    path: str = attrs.field(converter=_absolute)
    sha256: str = attrs.field(default="", kw_only=True)

    def __attrs_post_init__(self) -> None:
        if not self.sha256:
            object.__setattr__(self, "sha256", _sha256(self.path))

    def _check(self) -> None:
        """Refuse the file if it changed since the overlay was made."""
        _unchanged((self.path,), (self.sha256,))


@attrs.frozen
class Descriptors(_OneFile):
    """Licensed CPT descriptors from the user's CSV (``code`` and ``descriptor`` columns)."""

    def apply(self, layers: Layers) -> Layers:
        from ._cms_files import read_descriptors

        self._check()
        merged = {**layers.descriptors, **read_descriptors(self.path)}
        return attrs.evolve(layers, descriptors=MappingProxyType(merged))

    def describe(self) -> str:
        return f"descriptors from {self.path}"


@attrs.frozen
class MueFile(_OneFile):
    """A CMS MUE table. With *effective*, it is one more edition, in force from that date
    until a later edition; without, it replaces every edition (one table for all dates)."""

    edition: str
    effective: datetime.date | None = None

    def apply(self, layers: Layers) -> Layers:
        from ._cms_files import read_mue_file

        self._check()
        rows = MappingProxyType(read_mue_file(self.path))
        if self.effective is None:
            only = (_tables.MueEdition(datetime.date.min, self.edition, rows),)
            return attrs.evolve(layers, mue=lambda: only).covered("mue", self.edition, None)
        new = attrs.evolve(layers, mue=_merged(layers.mue, self.effective, self.edition, rows))
        current = layers.coverage.get("mue") or _registry.MUE.coverage()
        if self.effective <= current.through:
            return new  # an older edition: the newest one still says how far MUEs reach
        return new.covered("mue", self.edition, self.effective, additive=True)

    def describe(self) -> str:
        return f"MUE from {self.path}"


def _merged(
    older: Callable[[], tuple[MueEdition, ...]],
    start: datetime.date,
    label: str,
    rows: Mapping[str, _tables.MueRow],
) -> Callable[[], tuple[MueEdition, ...]]:
    """A loader of the *older* editions plus one from *start* (replacing one that starts the
    same day), built once on first use. A label another edition has gets its date added, so
    that labels name editions uniquely (the validation context memoizes by label)."""
    built: list[tuple[MueEdition, ...]] = []

    def editions() -> tuple[MueEdition, ...]:
        if not built:
            kept = [edition for edition in older() if edition.start != start]
            name = label
            if any(edition.label == name for edition in kept):
                name = f"{label} (from {start})"
            added = _tables.MueEdition(start, name, rows)
            built.append(tuple(sorted([*kept, added], key=lambda edition: edition.start)))
        return built[0]

    return editions


@attrs.frozen
class PtpFiles:
    """CMS practitioner PTP text files, replacing the packaged edits."""

    paths: tuple[str, ...] = attrs.field(converter=_absolute_all)
    edition: str
    effective: datetime.date | None = None
    sha256: tuple[str, ...] = ()

    def __attrs_post_init__(self) -> None:
        if not self.sha256:
            object.__setattr__(self, "sha256", tuple(map(_sha256, self.paths)))

    def apply(self, layers: Layers) -> Layers:
        from ._cms_files import read_ptp_files

        _unchanged(self.paths, self.sha256)
        keep = frozenset(str(code) for code in _registry.load_codes()) | {
            str(code) for code in layers.codes
        }
        tables = _tables.index_edits(read_ptp_files(self.paths, keep=keep))
        new = attrs.evolve(layers, ptp=lambda: tables, ptp_edition=self.edition)
        return new.covered("ptp", self.edition, self.effective)

    def describe(self) -> str:
        return f"PTP from {', '.join(self.paths)}"


@attrs.frozen
class AocFile(_OneFile):
    """A CMS add-on code edit file (the AOC workbook saved as CSV), replacing the packaged
    add-on edits."""

    edition: str
    effective: datetime.date | None = None

    def apply(self, layers: Layers) -> Layers:
        from ._cms_files import read_aoc_file

        self._check()
        table = MappingProxyType(read_aoc_file(self.path))
        new = attrs.evolve(layers, aoc=lambda: table, aoc_edition=self.edition)
        return new.covered("aoc", self.edition, self.effective)

    def describe(self) -> str:
        return f"AOC from {self.path}"


@attrs.frozen
class Icd10cmFile(_OneFile):
    """A CMS/CDC ICD-10-CM code file (codes or order layout) of one fiscal year: added after
    the newest list, or replacing the list of a year held (an April update replaces its year)."""

    year: int

    def apply(self, layers: Layers) -> Layers:
        from ._icd10cm_files import read_icd10cm_file

        self._check()
        rows = read_icd10cm_file(self.path)
        older = layers.diagnoses
        built: list[DiagnosisTable] = []

        def diagnoses() -> DiagnosisTable:
            if not built:  # the packaged lists load on first use, not when the file is read
                built.append(older().with_year(self.year, rows))
            return built[0]

        new = attrs.evolve(layers, diagnoses=diagnoses)
        current = layers.coverage.get("diagnoses") or _registry.DIAGNOSES.coverage()
        last = datetime.date(self.year, 9, 30)  # a fiscal year ends on September 30
        if last <= current.through:
            return new  # a list of a year held: the newest list still says how far lists reach
        return new.covered("diagnoses", f"ICD-10-CM FY{self.year}", last, additive=True)

    def describe(self) -> str:
        return f"ICD-10-CM FY{self.year} from {self.path}"


@attrs.frozen
class HcpcsFile(_OneFile):
    """A CMS HCPCS quarterly file: new codes and termination dates over the code table."""

    edition: str
    effective: datetime.date | None = None

    def apply(self, layers: Layers) -> Layers:
        from ._cms_files import read_hcpcs_file

        self._check()
        known = {**_registry.load_codes(), **layers.codes}
        merged = {**layers.codes, **read_hcpcs_file(self.path, known)}
        new = attrs.evolve(layers, codes=MappingProxyType(merged))
        return new.covered("codes", self.edition, self.effective, additive=True)

    def describe(self) -> str:
        return f"HCPCS codes from {self.path}"


def cms_overlays(paths: tuple[str, ...]) -> list[Overlay]:
    """The overlays of CMS files, each recognised by its content; the PTP files (CMS splits
    the table into several) make one overlay, dated by the newest of them."""
    from ._cms_files import recognise
    from ._icd10cm_files import file_fiscal_year, is_icd10cm_file

    overlays: list[Overlay] = []
    ptp: list[tuple[str, str, datetime.date | None]] = []
    for path in paths:
        if is_icd10cm_file(path):
            overlays.append(Icd10cmFile(path, file_fiscal_year(path)[0]))
            continue
        kind, edition, effective = recognise(path)
        if kind == "ptp":
            ptp.append((path, edition, effective))
        elif kind == "mue":
            overlays.append(MueFile(path, edition, effective))
        elif kind == "aoc":
            overlays.append(AocFile(path, edition, effective))
        else:
            overlays.append(HcpcsFile(path, edition, effective))
    if ptp:
        dates = [effective for _, _, effective in ptp if effective is not None]
        names = tuple(path for path, _, _ in ptp)
        overlays.append(PtpFiles(names, ptp[0][1], max(dates) if dates else None))
    return overlays
