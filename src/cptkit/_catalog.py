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

import datetime
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, TypeVar

from . import _dataset, _registry, _tables
from ._convert import to_date
from ._overlays import Descriptors, Layers, MueFile, Overlay, PtpFiles, cms_overlays
from .codes import Code
from .errors import (
    DatasetError,
    InvalidInput,
    UnknownCode,
    UnknownModifier,
    UnknownPlaceOfService,
)
from .modifiers import Modifier
from .places import PlaceOfService
from .records import (
    MUE,
    AddOnEdit,
    CodeInfo,
    Coverage,
    Discipline,
    ModifierInfo,
    PlaceInfo,
    PTPEdit,
    to_discipline,
)

if TYPE_CHECKING:
    from pathlib import Path

    from ._icd10cm import DiagnosisTable
    from .diagnoses import Diagnosis
    from .records import DiagnosisInfo

__all__ = ["Catalog", "DateLike"]

DateLike = datetime.date | str | None
_T = TypeVar("_T")
_R = TypeVar("_R", CodeInfo, ModifierInfo, PlaceInfo)


class _OnError(InvalidInput):
    pass


def _day(on: DateLike) -> datetime.date | None:
    return None if on is None else to_date(on, _OnError, "on")


def _code(value: Code | str) -> Code:
    return value if type(value) is Code else Code.parse(value)  # type: ignore[arg-type]


class Catalog:
    """An immutable view of the reference data, optionally with overlays.

    Use :func:`cptkit.catalog` for the default one; make others with :meth:`with_cms_files`,
    :meth:`with_descriptors`, :meth:`with_mue_file` and :meth:`with_ptp_files`.

    .. versionadded:: 0.1.0
    """

    __slots__ = ("_layers", "_overlays")

    def __init__(self) -> None:
        self._layers = Layers()
        # The overlays this catalog was made with: small values, enough to make it again.
        self._overlays: tuple[Overlay, ...] = ()

    # -- versions, coverage and pickling -------------------------------------------------------

    @property
    def version(self) -> str:
        """The packaged dataset version, plus the overlays this catalog carries."""
        base = str(_dataset.manifest()["dataset_version"])
        return "; ".join([base, *(overlay.describe() for overlay in self._overlays)])

    def coverage(self) -> Mapping[str, Coverage]:
        """Per table (codes, modifiers, places, MUE, PTP, add-on edits, and any table added
        later), its edition and the last date of service it speaks for.

        Overlays loaded with :meth:`with_cms_files` and the like replace the coverage of the
        tables they change.

        >>> import cptkit
        >>> cover = cptkit.catalog().coverage()
        >>> str(cover["mue"].through), str(cover["mue"].stale_after)
        ('2026-06-30', '2026-09-30')

        .. versionadded:: 0.1.0
        """
        packaged = _registry.coverage()
        if not self._layers.coverage:
            return packaged
        return MappingProxyType({**packaged, **self._layers.coverage})

    def __reduce__(self) -> tuple[Any, ...]:
        # A catalog travels as its overlays, never its tables: the receiver re-reads.
        return (_rebuild, (self._overlays,))

    def __repr__(self) -> str:
        overlays = ", ".join(overlay.describe() for overlay in self._overlays)
        return f"<cptkit.Catalog: {overlays or 'packaged data'}>"

    def _with(self, overlay: Overlay) -> Catalog:
        new = Catalog.__new__(Catalog)
        new._layers = overlay.apply(self._layers)
        new._overlays = (*self._overlays, overlay)
        return new

    # -- codes, modifiers and places ----------------------------------------------------------

    def lookup(self, code: Code | str, *, on: DateLike = None) -> CodeInfo:
        """The record for *code*; with *on*, only if the code was valid on that date.

        Raises:
            InvalidCode: *code* is not a code by shape.
            UnknownCode: the dataset does not know *code*, or it was not valid *on* that date
                (the message gives its dates and replacements).
        """
        parsed = _code(code)
        return _checked(self.find(parsed), str(parsed), on, UnknownCode)

    def get(
        self, code: Code | str, default: _T | None = None, *, on: DateLike = None
    ) -> CodeInfo | _T | None:
        """Like :meth:`lookup`, but return *default* instead of raising ``UnknownCode``."""
        try:
            return self.lookup(code, on=on)
        except UnknownCode:
            return default

    def validity_changes(self) -> tuple[datetime.date, ...]:
        """The sorted dates on which some code, modifier or place of service becomes or stops
        being valid (the day after a termination date counts as the change).

        Between two neighbouring dates every record is valid throughout or not at all.
        """
        packaged = _registry.load_validity_changes()
        if not self._layers.codes:
            return packaged
        added = _tables.change_dates(
            (info.effective, info.terminated) for info in self._layers.codes.values()
        )
        return tuple(sorted({*packaged, *added}))

    def find(self, code: Code) -> CodeInfo | None:
        """The record for a :class:`~cptkit.Code`, or ``None``: the fast path for rules.

        No parsing, no date check and no exception: validators call this for every line.
        """
        layers = self._layers
        info = (layers.codes.get(code) if layers.codes else None) or _registry.load_codes().get(
            code
        )
        return info if info is None or not layers.descriptors else self._described(info)

    def _described(self, info: CodeInfo) -> CodeInfo:
        """*info* with the licensed descriptor the user loaded for it, if any."""
        descriptor = self._layers.descriptors.get(info.code)
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
        every = {**_registry.load_codes(), **self._layers.codes}
        chosen = [
            info
            for info in every.values()
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

    def lookup_modifier(self, modifier: Modifier | str, *, on: DateLike = None) -> ModifierInfo:
        """The record for *modifier*; with *on*, only if it was valid on that date.

        Raises:
            InvalidModifier: not a modifier by shape.
            UnknownModifier: unknown, or not valid on that date.
        """
        parsed = modifier if type(modifier) is Modifier else Modifier.parse(modifier)  # type: ignore[arg-type]
        info = _registry.load_modifiers().get(parsed)
        return _checked(info, str(parsed), on, UnknownModifier)

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
        info = _registry.load_places()[parsed]
        if not info.assigned:
            raise UnknownPlaceOfService(str(parsed), "unassigned by CMS")
        return _checked(info, str(parsed), on, UnknownPlaceOfService)

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
        """The Medically Unlikely Edit for *code* in the edition in force *on* a date, or
        ``None`` when that edition has none.

        The packaged editions take effect 2024-07-01 and 2026-04-01; each applies until the
        next, dates before the oldest get the oldest, and ``on=None`` the newest. The
        returned edit's ``edition`` names the one used.

        >>> import cptkit
        >>> cptkit.catalog().mue("97110", on="2025-03-01").edition
        '2024-07-01'
        >>> cptkit.catalog().mue("98979", on="2026-05-01") is None  # no row for the 2026 code
        True

        .. versionchanged:: 0.1.0
           *on* chooses the edition (it was accepted and ignored).
        """
        parsed = _code(code)
        edition = _tables.mue_edition_on(self._layers.mue(), _day(on))
        row = edition.rows.get(str(parsed))
        if row is None:
            return None
        return MUE(code=parsed, units=row[0], mai=row[1], rationale=row[2], edition=edition.label)

    def mue_edition(self, on: DateLike = None) -> str:
        """The label (effective date) of the MUE edition in force *on* a date."""
        return _tables.mue_edition_on(self._layers.mue(), _day(on)).label

    def ptp(self, code_a: Code | str, code_b: Code | str, *, on: DateLike = None) -> PTPEdit | None:
        """The NCCI edit between two codes in force *on* a date, in either order, or ``None``.

        ``on=None`` means as of the edition (active, not deleted). Indicator-9 rows are not
        edits and are never returned. The returned edit says which code is column 1. No edit
        applies before both of its codes existed.
        """
        day = _day(on)
        for edit in self.ptp_edits(code_a, code_b):
            if edit.in_force_on(day):
                return edit
        return None

    def ptp_edits(self, code_a: Code | str, code_b: Code | str) -> tuple[PTPEdit, ...]:
        """Every PTP row between two codes, either order and any date (deleted ones too)."""
        first, second = str(_code(code_a)), str(_code(code_b))
        tables = self._layers.ptp()
        return tuple(
            PTPEdit(
                column1=Code(pair[0]),
                column2=Code(pair[1]),
                modifier_indicator=indicator,
                effective=effective,
                deletion_date=deletion,
                rationale=rationale,
                edition=self._layers.ptp_edition,
            )
            for pair in ((first, second), (second, first))
            for effective, deletion, indicator, rationale in tables.pairs.get(pair, ())
        )

    def diagnoses(self) -> DiagnosisTable:
        """The ICD-10-CM lists by fiscal year this catalog judges diagnoses by (the packaged
        FY2025 and FY2026, with any list loaded by :meth:`with_cms_files`); they load on first
        use.

        .. versionadded:: 0.2.0
        """
        return self._layers.diagnoses()

    def lookup_diagnosis(self, code: Diagnosis | str, *, on: DateLike = None) -> DiagnosisInfo:
        """The ICD-10-CM record of *code* in this catalog's lists: see
        :func:`cptkit.lookup_diagnosis`.

        .. versionadded:: 0.2.0
        """
        from ._icd10cm import lookup_diagnosis

        return lookup_diagnosis(code, on=on, table=self.diagnoses())

    def ptp_partners(self, code: Code | str) -> frozenset[str]:
        """Every code that *code* has a PTP row with (either column, any date or indicator)."""
        return self._layers.ptp().partners.get(str(_code(code)), frozenset())

    def add_on_edits(self, code: Code | str, *, on: DateLike = None) -> tuple[AddOnEdit, ...]:
        """The NCCI add-on code edits of add-on *code*: one per primary, in force *on* a date
        (every one, deleted ones too, without *on*).

        >>> import cptkit
        >>> [edit.primary for edit in cptkit.catalog().add_on_edits("90913", on="2026-01-01")]
        ['90912']

        .. versionadded:: 0.1.0
        """
        parsed = _code(code)
        day = _day(on)
        edits = (
            AddOnEdit(parsed, primary, kind, effective, last, self._layers.aoc_edition)
            for primary, kind, effective, last in self._layers.aoc().get(str(parsed), ())
        )
        return tuple(edit for edit in edits if day is None or edit.in_force_on(day))

    # -- overlays ------------------------------------------------------------------------------

    def with_descriptors(self, path: str | Path) -> Catalog:
        """A new catalog that shows official descriptors from the user's licensed CSV.

        The file has a header row with ``code`` and ``descriptor`` columns. Nothing of it is
        bundled with cptkit; AMA licensees use this to see official CPT text.

        Raises:
            DatasetError: the file cannot be read, lacks the columns, or has a bad row.
        """
        return self._with(Descriptors(str(path)))

    def with_mue_file(
        self, path: str | Path, *, edition: str | None = None, effective: DateLike = None
    ) -> Catalog:
        """A new catalog with the MUE values of a CMS MUE CSV.

        With *effective* the file is one more edition, in force from that date (until a
        later edition); without, it replaces every edition for all dates. *edition* labels it
        (default: the effective date, or ``"user file"``).

        .. versionchanged:: 0.1.0
           *effective* added.
        """
        day = _day(effective)
        label = edition or (day.isoformat() if day is not None else "user file")
        return self._with(MueFile(str(path), label, day))

    def with_ptp_files(self, *paths: str | Path, edition: str = "user files") -> Catalog:
        """A new catalog whose PTP edits come from CMS practitioner PTP text files.

        Only the rows that touch a code of the catalog's code table are kept (the national
        table has about 1.4 million rows; a therapy catalog needs a few percent of them).
        """
        if not paths:
            raise DatasetError("with_ptp_files: give at least one file")
        return self._with(PtpFiles(tuple(str(path) for path in paths), edition))

    def with_cms_files(self, *paths: str | Path) -> Catalog:
        """A new catalog with newer CMS files, each recognised by its content: MUE tables,
        practitioner PTP text files, add-on code (AOC) edits and HCPCS quarterly files, in
        CMS's published layouts (the ``.xlsx`` workbooks, the fixed-width HCPCS text file, the
        tab-delimited PTP files, or a workbook saved as CSV) and in UTF-8 or Windows-1252; and
        ICD-10-CM code or order files
        (CMS/CDC), recognised by their name, which gives their fiscal year
        (``icd10cm-order-2027.txt``: a list added after the newest one; an ``April`` file
        replaces its year's list).

        Editions and effective dates are taken from CMS's file names where they say
        (``..._Eff_04-01-2026.csv``, ``ccipra-v322r0-f1.txt``, ``AOC_V2026Q2``,
        ``HCPC2026_APR``); :meth:`coverage` reports them.

        Raises:
            DatasetError: a file cannot be read or is none of these (the message names it).

        .. versionadded:: 0.1.0
        """
        catalog = self
        for overlay in cms_overlays(tuple(str(path) for path in paths)):
            catalog = catalog._with(overlay)
        return catalog


def _rebuild(overlays: tuple[Overlay, ...]) -> Catalog:
    catalog = default_catalog()
    for overlay in overlays:
        catalog = catalog._with(overlay)
    return catalog


_DEFAULT = Catalog()


def default_catalog() -> Catalog:
    """The catalog of cptkit's packaged data (shared; it is never mutated)."""
    return _DEFAULT


def _with_descriptor(info: CodeInfo, descriptor: str) -> CodeInfo:
    import attrs

    return attrs.evolve(info, descriptor=descriptor)


def _checked(info: _R | None, shown: str, on: DateLike, error: Callable[..., LookupError]) -> _R:
    """*info* if it is known and valid *on* the date, else *error* naming *shown*: the one
    lookup rule of codes, modifiers and places."""
    if info is None:
        raise error(shown)
    day = _day(on)
    if day is not None and not info.active_on(day):
        raise error(shown, _inactive_detail(info, day))
    return info


def _inactive_detail(info: CodeInfo | ModifierInfo | PlaceInfo, day: datetime.date) -> str:
    if info.effective is not None and day < info.effective:
        return f"not valid on {day}: effective {info.effective}"
    detail = f"not valid on {day}: terminated {info.terminated}"
    replaced_by = info.replaced_by if isinstance(info, CodeInfo) else ()
    if replaced_by and info.terminated is not None and day > info.terminated:
        detail += "; replaced by " + ", ".join(str(code) for code in replaced_by)
    return detail
