# SPDX-License-Identifier: MIT
"""cptkit: the codes US therapy clinics bill with, their units and their edits.

>>> import cptkit
>>> cptkit.Code.parse("97110").category
<Category.CPT_CATEGORY_I: 'CPT Category I'>

Importing cptkit opens no data file; the packaged dataset loads on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar, overload

from .claims import Claim, ClaimLine
from .codes import Category, Code
from .diagnoses import Diagnosis
from .errors import (
    WITHHELD,
    CannotWrite,
    CptkitError,
    DatasetError,
    InvalidClaim,
    InvalidClaimLine,
    InvalidCode,
    InvalidDiagnosis,
    InvalidInput,
    InvalidInterchange,
    InvalidMinutes,
    InvalidModifier,
    InvalidPlaceOfService,
    InvalidRecord,
    NotPriced,
    Problem,
    UnknownCode,
    UnknownDiagnosis,
    UnknownLocality,
    UnknownModifier,
    UnknownPlaceOfService,
)
from .modifiers import Modifier
from .places import PlaceOfService
from .providers import NPI

if TYPE_CHECKING:
    from ._catalog import Catalog, DateLike
    from .records import (
        MUE,
        AddOnEdit,
        CodeInfo,
        DiagnosisInfo,
        Discipline,
        Ladder,
        ModifierGroup,
        ModifierInfo,
        PlaceInfo,
        PTPEdit,
        Timing,
    )
    from .validation import Finding, Report, Severity, validate, validate_many

# Names served on first access, so that `import cptkit` stays cheap: the dataset machinery
# (importlib.resources, hashlib, csv, the record classes) loads with the first lookup.
_LAZY = {
    "Catalog": "_catalog",
    "DateLike": "_catalog",
    "MUE": "records",
    "AddOnEdit": "records",
    "CodeInfo": "records",
    "DiagnosisInfo": "records",
    "Discipline": "records",
    "Ladder": "records",
    "ModifierGroup": "records",
    "ModifierInfo": "records",
    "PlaceInfo": "records",
    "PTPEdit": "records",
    "Timing": "records",
    "validate": "validation",
    "validate_many": "validation",
    "Finding": "validation",
    "Report": "validation",
    "Severity": "validation",
}

# Submodules served on first access too (`cptkit.rulesets.medicare()` right after `import
# cptkit`), and listed by dir(cptkit) for completion.
_SUBMODULES = (
    "claims",
    "codes",
    "diagnoses",
    "distributed",
    "errors",
    "files",
    "fhir",
    "frames",
    "history",
    "modifiers",
    "places",
    "policy",
    "providers",
    "records",
    "rulesets",
    "serialization",
    "strategies",
    "units",
    "validation",
    "x12",
)

__version__ = "0.2.0"

__all__ = [
    "MUE",
    "NPI",
    "WITHHELD",
    "AddOnEdit",
    "CannotWrite",
    "Catalog",
    "Category",
    "Claim",
    "ClaimLine",
    "Code",
    "CodeInfo",
    "CptkitError",
    "DatasetError",
    "DateLike",
    "Diagnosis",
    "DiagnosisInfo",
    "Discipline",
    "Finding",
    "InvalidClaim",
    "InvalidClaimLine",
    "InvalidCode",
    "InvalidDiagnosis",
    "InvalidInput",
    "InvalidInterchange",
    "InvalidMinutes",
    "InvalidModifier",
    "InvalidPlaceOfService",
    "InvalidRecord",
    "Ladder",
    "Modifier",
    "ModifierGroup",
    "ModifierInfo",
    "NotPriced",
    "PTPEdit",
    "PlaceInfo",
    "PlaceOfService",
    "Problem",
    "Report",
    "Severity",
    "Timing",
    "UnknownCode",
    "UnknownDiagnosis",
    "UnknownLocality",
    "UnknownModifier",
    "UnknownPlaceOfService",
    "__version__",
    "catalog",
    "dataset_version",
    "get",
    "get_diagnosis",
    "get_modifier",
    "get_place_of_service",
    "lookup",
    "lookup_diagnosis",
    "lookup_modifier",
    "lookup_place_of_service",
    "preload",
    "search",
    "validate",
    "validate_many",
]


def catalog() -> Catalog:
    """The default :class:`Catalog` of cptkit's packaged data (never mutated)."""
    global _DEFAULT_CATALOG
    if _DEFAULT_CATALOG is None:
        from ._catalog import default_catalog

        _DEFAULT_CATALOG = default_catalog()
    return _DEFAULT_CATALOG


_DEFAULT_CATALOG: Catalog | None = None


def lookup(code: Code | str, *, on: DateLike = None) -> CodeInfo:
    """The dataset's record for *code* (see :meth:`Catalog.lookup`).

    Raises:
        InvalidCode: not a code by shape.
        UnknownCode: not in the dataset, or not valid *on* that date.
    """
    return catalog().lookup(code, on=on)


_D = TypeVar("_D")


@overload
def get(code: Code | str, default: None = None, *, on: DateLike = None) -> CodeInfo | None: ...
@overload
def get(code: Code | str, default: _D, *, on: DateLike = None) -> CodeInfo | _D: ...
def get(code: Code | str, default: object = None, *, on: DateLike = None) -> object:
    """The record for *code*, or *default* when the dataset does not know it."""
    return catalog().get(code, default, on=on)


def search(text: str, *, on: DateLike = None) -> tuple[CodeInfo, ...]:
    """Codes whose number, summary or family contain every word of *text*."""
    return catalog().search(text, on=on)


def lookup_modifier(modifier: Modifier | str, *, on: DateLike = None) -> ModifierInfo:
    """The dataset's record for *modifier* (see :meth:`Catalog.lookup_modifier`)."""
    return catalog().lookup_modifier(modifier, on=on)


@overload
def get_modifier(
    modifier: Modifier | str, default: None = None, *, on: DateLike = None
) -> ModifierInfo | None: ...
@overload
def get_modifier(
    modifier: Modifier | str, default: _D, *, on: DateLike = None
) -> ModifierInfo | _D: ...
def get_modifier(
    modifier: Modifier | str, default: object = None, *, on: DateLike = None
) -> object:
    """The record for *modifier*, or *default*."""
    return catalog().get_modifier(modifier, default, on=on)


def lookup_place_of_service(place: PlaceOfService | str, *, on: DateLike = None) -> PlaceInfo:
    """The dataset's record for a place of service (see :meth:`Catalog.lookup_place_of_service`)."""
    return catalog().lookup_place_of_service(place, on=on)


@overload
def get_place_of_service(
    place: PlaceOfService | str, default: None = None, *, on: DateLike = None
) -> PlaceInfo | None: ...
@overload
def get_place_of_service(
    place: PlaceOfService | str, default: _D, *, on: DateLike = None
) -> PlaceInfo | _D: ...
def get_place_of_service(
    place: PlaceOfService | str, default: object = None, *, on: DateLike = None
) -> object:
    """The record for a place of service, or *default*."""
    return catalog().get_place_of_service(place, default, on=on)


def lookup_diagnosis(code: Diagnosis | str, *, on: DateLike = None) -> DiagnosisInfo:
    """The ICD-10-CM record for *code* in the list of the fiscal year *on* falls in.

    Fiscal years run from October 1 to September 30: ``on="2025-09-30"`` is judged by the
    FY2025 list, ``on="2025-10-01"`` by FY2026. Without *on*, the newest list that holds the
    code answers. A header (a category with codes under it, such as M54.5) is found, with
    ``billable=False``. Dotted and undotted forms are the same code (``F84.0``, ``F840``).

    The packaged lists are loaded on the first call (not by ``import cptkit``).

    >>> import cptkit
    >>> info = cptkit.lookup_diagnosis("Z5986", on="2025-09-30")
    >>> str(info.code), info.title, info.billable, info.fiscal_year
    ('Z59.86', 'Financial insecurity', True, 2025)
    >>> cptkit.lookup_diagnosis("Z59.86", on="2025-10-01").billable
    False
    >>> cptkit.lookup_diagnosis("E11.A").fiscal_years
    (2026,)

    Raises:
        InvalidDiagnosis: *code* is not an ICD-10-CM code by shape.
        UnknownDiagnosis: the list of that fiscal year (or, without *on*, every list cptkit
            has) does not hold *code*.
        InvalidInput: *on* is not a date, or falls outside the fiscal years cptkit has
            (FY2025 and FY2026: 2024-10-01 to 2026-09-30); cptkit does not judge a date by
            another year's list.

    .. versionadded:: 0.2.0
    """
    from ._icd10cm import lookup_diagnosis as run

    return run(code, on=on)


def get_diagnosis(code: Diagnosis | str, default: object = None, *, on: DateLike = None) -> object:
    """The ICD-10-CM record for *code*, or *default* when that fiscal year's list (or, without
    *on*, every list) does not hold it; see :func:`lookup_diagnosis`.

    Raises:
        InvalidDiagnosis: *code* is not an ICD-10-CM code by shape.
        InvalidInput: *on* is not a date, or falls outside the fiscal years cptkit has.

    .. versionadded:: 0.2.0
    """
    from ._icd10cm import get_diagnosis as run

    return run(code, default, on=on)


def preload() -> None:
    """Load the packaged dataset now, not on the first lookup or validation.

    A service calls it at start-up, so that its first request does not wait for the tables
    (the NCCI pairs take about half a second). Loading is thread-safe and happens once; later
    calls return at once.

    .. versionadded:: 0.2.0
    """
    import datetime

    from .validation import validate

    lookup("97110")
    lookup_modifier("GP")
    lookup_place_of_service("11")
    day = datetime.date(2026, 1, 5)
    lines = [ClaimLine(code=code, units=1, date_of_service=day, modifiers=["GP"],
                       diagnosis_pointers=[1]) for code in ("97140", "97530")]  # fmt: skip
    validate(Claim(lines=lines, diagnoses=["M54.50"]))  # the rule tables: NCCI pairs, MUEs


def __getattr__(name: str) -> Any:
    # dataset_version reads the small manifest on first access, so that import opens no file.
    if name == "dataset_version":
        from ._dataset import manifest

        return str(manifest()["dataset_version"])
    import importlib

    if name in _LAZY:
        value = getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
        globals()[name] = value
        return value
    if name in _SUBMODULES:
        return importlib.import_module(f".{name}", __name__)  # the import sets the attribute
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*__all__, *_SUBMODULES})
