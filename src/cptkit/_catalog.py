# SPDX-License-Identifier: MIT
"""The reference dataset as a :class:`Catalog`: codes, modifiers, places of service and edits.

The default catalog reads cptkit's packaged data lazily: nothing is opened at import, the code
tables load on the first lookup, and the large NCCI table only when an edit is first asked for.
Overlays (newer CMS quarterly files, licensed descriptors) make a **new** catalog; the default
one is never changed.

>>> import cptkit
>>> catalog = cptkit.catalog()
>>> catalog.mue("97153").units
32
>>> edit = catalog.ptp("97530", "97140", on="2019-06-01")
>>> str(edit.column1), str(edit.column2), edit.modifier_indicator
('97140', '97530', 1)
>>> catalog.ptp("97530", "97140", on="2020-06-01") is None
True
"""

from __future__ import annotations

import csv
import datetime
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, TypeVar

from . import _dataset, _tables
from ._convert import to_date
from .codes import Code
from .errors import DatasetError, InvalidInput, UnknownCode, UnknownModifier, UnknownPlaceOfService
from .modifiers import Modifier
from .places import PlaceOfService
from .records import MUE, CodeInfo, Discipline, ModifierInfo, PlaceInfo, PTPEdit, to_discipline

if TYPE_CHECKING:
    from pathlib import Path

__all__ = ["Catalog", "DateLike"]

DateLike = datetime.date | str | None
_T = TypeVar("_T")
_PACKAGED_EDITION = "2024-07-01"


class _OnError(InvalidInput):
    pass


def _day(on: DateLike) -> datetime.date | None:
    return None if on is None else to_date(on, _OnError, "on")


def _code(value: Code | str) -> Code:
    return value if type(value) is Code else Code.parse(value)  # type: ignore[arg-type]


class Catalog:
    """An immutable view of the reference data, optionally with overlays.

    Use :func:`cptkit.catalog` for the default one; make others with :meth:`with_descriptors`,
    :meth:`with_mue_file` and :meth:`with_ptp_files`.

    .. versionadded:: 0.1.0
    """

    __slots__ = ("_descriptors", "_edition", "_mue", "_ptp", "_sources")

    def __init__(self) -> None:
        self._descriptors: Mapping[Code, str] = MappingProxyType({})
        self._mue: Callable[[], Mapping[str, tuple[int, int, str]]] = _tables.load_mue
        self._ptp: Callable[[], _tables.EditTables] = _tables.load_ptp
        self._edition: dict[str, str] = {"mue": _PACKAGED_EDITION, "ptp": _PACKAGED_EDITION}
        # Each overlay as (kind, paths, edition label): enough to make the catalog again.
        self._sources: tuple[tuple[str, tuple[str, ...], str], ...] = ()

    # -- versions and pickling -----------------------------------------------------------------

    @property
    def version(self) -> str:
        """The packaged dataset version, plus the overlays this catalog carries."""
        base = str(_dataset.manifest()["dataset_version"])
        extra = [f"{kind} from {', '.join(paths)}" for kind, paths, _ in self._sources]
        return "; ".join([base, *extra])

    def __reduce__(self) -> tuple[Any, ...]:
        # A catalog travels as its overlay sources, never its tables: the receiver re-reads.
        return (_rebuild, (self._sources,))

    def __repr__(self) -> str:
        overlays = ", ".join(kind for kind, _, _ in self._sources) or "packaged data"
        return f"<cptkit.Catalog: {overlays}>"

    def _copy(self, kind: str, paths: tuple[str, ...], edition: str = "") -> Catalog:
        new = Catalog.__new__(Catalog)
        new._descriptors, new._mue, new._ptp = self._descriptors, self._mue, self._ptp
        new._edition = dict(self._edition)
        new._sources = (*self._sources, (kind, paths, edition))
        return new

    # -- codes ---------------------------------------------------------------------------------

    def lookup(self, code: Code | str, *, on: DateLike = None) -> CodeInfo:
        """The record for *code*; with *on*, only if the code was valid on that date.

        Raises:
            InvalidCode: *code* is not a code by shape.
            UnknownCode: the dataset does not know *code*, or it was not valid *on* that date
                (the message gives its dates and replacements).
        """
        parsed = _code(code)
        info = self.find(parsed)
        if info is None:
            raise UnknownCode(str(parsed))
        if on is None:
            return info
        day = _day(on)
        if day is not None and not info.active_on(day):
            raise UnknownCode(str(parsed), _inactive_detail(info, day))
        return info

    def get(
        self, code: Code | str, default: _T | None = None, *, on: DateLike = None
    ) -> CodeInfo | _T | None:
        """Like :meth:`lookup`, but return *default* instead of raising ``UnknownCode``."""
        info = self.find(_code(code))
        if info is None:
            return default
        day = _day(on)
        return default if day is not None and not info.active_on(day) else info

    def validity_changes(self) -> tuple[datetime.date, ...]:
        """The sorted dates on which some code, modifier or place of service becomes or stops
        being valid (the day after a termination date counts as the change).

        Between two neighbouring dates every record is valid throughout or not at all.
        """
        return _tables.load_validity_changes()

    def find(self, code: Code) -> CodeInfo | None:
        """The record for a :class:`~cptkit.Code`, or ``None``: the fast path for rules.

        No parsing, no date check and no exception: validators call this for every line.
        """
        info = _tables.load_codes().get(code)
        return info if info is None else self._described(info)

    def _described(self, info: CodeInfo) -> CodeInfo:
        """*info* with the licensed descriptor the user loaded for it, if any."""
        descriptor = self._descriptors.get(info.code) if self._descriptors else None
        return info if descriptor is None else _with_descriptor(info, descriptor)

    def codes(
        self,
        *,
        discipline: Discipline | str | None = None,
        family: str | None = None,
        on: DateLike = None,
    ) -> tuple[CodeInfo, ...]:
        """Every code, in code order, filtered by discipline (``Discipline.PT`` or ``"PT"``),
        family and validity on a date."""
        wanted = to_discipline(discipline)
        day = _day(on)
        chosen = [
            info
            for info in _tables.load_codes().values()
            if (wanted is None or wanted in info.disciplines)
            and (family is None or info.family == family)
            and (day is None or info.active_on(day))
        ]
        return tuple(self._described(info) for info in sorted(chosen, key=lambda item: item.code))

    def search(self, text: str, *, on: DateLike = None) -> tuple[CodeInfo, ...]:
        """Codes whose number, summary, family or loaded descriptor contain every word of
        *text* (case-insensitive), in code order."""
        if not isinstance(text, str):
            raise InvalidInput("text", type(text).__name__, "search text (a str)")
        words = text.lower().split()
        found = []
        for info in self.codes(on=on):
            haystack = " ".join(
                [str(info.code), info.summary, info.family, info.descriptor or ""]
            ).lower()
            if words and all(word in haystack for word in words):
                found.append(info)
        return tuple(found)

    # -- modifiers and places ------------------------------------------------------------------

    def lookup_modifier(self, modifier: Modifier | str, *, on: DateLike = None) -> ModifierInfo:
        """The record for *modifier*; with *on*, only if it was valid on that date.

        Raises:
            InvalidModifier: not a modifier by shape.
            UnknownModifier: unknown, or not valid on that date.
        """
        parsed = modifier if type(modifier) is Modifier else Modifier.parse(modifier)  # type: ignore[arg-type]
        info = _tables.load_modifiers().get(parsed)
        if info is None:
            raise UnknownModifier(str(parsed))
        day = _day(on)
        if day is not None and not info.active_on(day):
            raise UnknownModifier(str(parsed), _dates_detail(info.effective, info.terminated, day))
        return info

    def get_modifier(
        self, modifier: Modifier | str, default: _T | None = None, *, on: DateLike = None
    ) -> ModifierInfo | _T | None:
        """Like :meth:`lookup_modifier`, returning *default* for an unknown modifier."""
        try:
            return self.lookup_modifier(modifier, on=on)
        except UnknownModifier:
            return default

    def lookup_place_of_service(
        self, place: PlaceOfService | str, *, on: DateLike = None
    ) -> PlaceInfo:
        """The record for *place*; unassigned numbers and dates outside its validity raise.

        Raises:
            InvalidPlaceOfService: not two digits 01-99.
            UnknownPlaceOfService: unassigned, or not valid on that date.
        """
        parsed = place if type(place) is PlaceOfService else PlaceOfService.parse(place)  # type: ignore[arg-type]
        info = _tables.load_places()[parsed]
        if not info.assigned:
            raise UnknownPlaceOfService(str(parsed), "unassigned by CMS")
        day = _day(on)
        if day is not None and not info.active_on(day):
            raise UnknownPlaceOfService(
                str(parsed), _dates_detail(info.effective, info.terminated, day)
            )
        return info

    def get_place_of_service(
        self, place: PlaceOfService | str, default: _T | None = None, *, on: DateLike = None
    ) -> PlaceInfo | _T | None:
        """Like :meth:`lookup_place_of_service`, returning *default* instead of raising."""
        try:
            return self.lookup_place_of_service(place, on=on)
        except UnknownPlaceOfService:
            return default

    # -- edits ---------------------------------------------------------------------------------

    def mue(self, code: Code | str, *, on: DateLike = None) -> MUE | None:
        """The Medically Unlikely Edit for *code*, or ``None`` when it has none.

        The packaged table is one CMS quarter (2024-07-01); *on* is accepted for symmetry and
        checked, but every date gets that quarter's value. Load newer files with
        :meth:`with_mue_file`.
        """
        parsed = _code(code)
        _day(on)
        row = self._mue().get(str(parsed))
        if row is None:
            return None
        return MUE(
            code=parsed, units=row[0], mai=row[1], rationale=row[2], edition=self._edition["mue"]
        )

    def ptp(self, code_a: Code | str, code_b: Code | str, *, on: DateLike = None) -> PTPEdit | None:
        """The NCCI edit between two codes in force *on* a date, in either order, or ``None``.

        ``on=None`` means as of the edition (active, not deleted). Indicator-9 rows are not
        edits and are never returned. The returned edit says which code is column 1.
        """
        day = _day(on)
        for edit in self.ptp_edits(code_a, code_b):
            if edit.in_force_on(day):
                return edit
        return None

    def ptp_edits(self, code_a: Code | str, code_b: Code | str) -> tuple[PTPEdit, ...]:
        """Every PTP row between two codes, either order and any date (deleted ones too)."""
        first, second = str(_code(code_a)), str(_code(code_b))
        tables = self._ptp()
        return tuple(
            PTPEdit(
                column1=Code(pair[0]),
                column2=Code(pair[1]),
                modifier_indicator=indicator,
                effective=effective,
                deletion_date=deletion,
                rationale=rationale,
                edition=self._edition["ptp"],
            )
            for pair in ((first, second), (second, first))
            for effective, deletion, indicator, rationale in tables.pairs.get(pair, ())
        )

    def ptp_partners(self, code: Code | str) -> frozenset[str]:
        """Every code that *code* has a PTP row with (either column, any date or indicator)."""
        return self._ptp().partners.get(str(_code(code)), frozenset())

    # -- overlays ------------------------------------------------------------------------------

    def with_descriptors(self, path: str | Path) -> Catalog:
        """A new catalog that shows official descriptors from the user's licensed CSV.

        The file has a header row with ``code`` and ``descriptor`` columns. Nothing of it is
        bundled with cptkit; AMA licensees use this to see official CPT text.

        Raises:
            DatasetError: the file cannot be read, lacks the columns, or has a bad row.
        """
        descriptors = _read_descriptors(path)
        new = self._copy("descriptors", (str(path),))
        new._descriptors = MappingProxyType({**self._descriptors, **descriptors})
        return new

    def with_mue_file(self, path: str | Path, *, edition: str = "user file") -> Catalog:
        """A new catalog whose MUE values come from a CMS MUE CSV (replacing the packaged ones)."""
        from ._cms_files import read_mue_file  # only for overlays: keeps the first lookup light

        table = MappingProxyType(read_mue_file(path))
        new = self._copy("MUE", (str(path),), edition)
        new._mue = lambda: table
        new._edition["mue"] = edition
        return new

    def with_ptp_files(self, *paths: str | Path, edition: str = "user files") -> Catalog:
        """A new catalog whose PTP edits come from CMS practitioner PTP text files."""
        if not paths:
            raise DatasetError("with_ptp_files: give at least one file")
        from ._cms_files import read_ptp_files

        tables = _tables.index_edits(read_ptp_files(paths))
        new = self._copy("PTP", tuple(str(path) for path in paths), edition)
        new._ptp = lambda: tables
        new._edition["ptp"] = edition
        return new


def _rebuild(sources: tuple[tuple[str, tuple[str, ...], str], ...]) -> Catalog:
    catalog = default_catalog()
    for kind, paths, edition in sources:
        if kind == "descriptors":
            catalog = catalog.with_descriptors(paths[0])
        elif kind == "MUE":
            catalog = catalog.with_mue_file(paths[0], edition=edition)
        else:
            catalog = catalog.with_ptp_files(*paths, edition=edition)
    return catalog


_DEFAULT = Catalog()


def default_catalog() -> Catalog:
    """The catalog of cptkit's packaged data (shared; it is never mutated)."""
    return _DEFAULT


def _with_descriptor(info: CodeInfo, descriptor: str) -> CodeInfo:
    import attrs

    return attrs.evolve(info, descriptor=descriptor)


def _dates_detail(
    effective: datetime.date | None, terminated: datetime.date | None, day: datetime.date
) -> str:
    if effective is not None and day < effective:
        return f"not valid on {day}: effective {effective}"
    return f"not valid on {day}: terminated {terminated}"


def _inactive_detail(info: CodeInfo, day: datetime.date) -> str:
    detail = _dates_detail(info.effective, info.terminated, day)
    if info.replaced_by and info.terminated is not None and day > info.terminated:
        detail += "; replaced by " + ", ".join(str(code) for code in info.replaced_by)
    return detail


def _read_descriptors(path: str | Path) -> dict[Code, str]:
    try:
        with open(path, encoding="utf-8-sig", newline="") as stream:
            rows = list(csv.DictReader(stream))
    except (OSError, UnicodeDecodeError, csv.Error) as err:
        raise DatasetError(f"{path}: cannot be read ({err})") from None
    if not rows or not {"code", "descriptor"} <= set(rows[0]):
        raise DatasetError(f"{path}: expected a header with 'code' and 'descriptor' columns")
    descriptors: dict[Code, str] = {}
    for number, row in enumerate(rows, start=2):
        text = (row.get("code") or "").strip()
        if not Code.is_valid(text):
            raise DatasetError(f"{path} line {number}: code {text!r} is not a code")
        descriptors[Code.parse(text)] = (row.get("descriptor") or "").strip()
    return descriptors
