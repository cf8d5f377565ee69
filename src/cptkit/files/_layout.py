# SPDX-License-Identifier: MIT
"""Which header column holds which field: names, aliases, split columns and the user's mapping.

A header name is *normalised* first (lower case, every run of spaces, hyphens, slashes and other
punctuation made one ``_``), so ``Date of Service``, ``date-of-service`` and ``DATE_OF_SERVICE``
are one name. It then names a field directly, through an alias (``DOS``, ``CPT``, ``HCPCS``), or
as one of the split columns of a CMS-1500-style export (``Modifier 1`` ... ``Modifier 4``,
``Diagnosis 1`` ... ``Diagnosis 12``, ``DX1`` ...), whose cells are read in their number's order.

Nothing a reader would misread passes in silence: a column it does not use is named in a
notice; a column whose name is one letter or two away from a known one (``minute``), or that
looks like a modifier or diagnosis column it would not read (``Modifier 5``), refuses the file
until it is renamed or mapped (``columns={"Modifier 5": ""}`` ignores it).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping, Sequence

import attrs

from ..claims import MAX_DIAGNOSES
from ._rows import COLUMNS, REQUIRED

__all__ = [
    "ALIASES",
    "MAX_COLUMNS",
    "MAX_MODIFIER_COLUMNS",
    "Layout",
    "layout",
    "normalise",
    "target",
]

MAX_COLUMNS = 1000
"""Columns a header may have (exports have dozens; the header checks stay cheap)."""

MAX_MODIFIER_COLUMNS = 4
"""An 837P (and CMS-1500) line carries at most four modifiers."""

ALIASES = {
    "claim_number": "claim_id",
    "claim_no": "claim_id",
    "claim": "claim_id",
    "patient_number": "patient_id",
    "patient_no": "patient_id",
    "patient_account": "patient_id",
    "account_number": "patient_id",
    "mrn": "patient_id",
    "dos": "date_of_service",
    "service_date": "date_of_service",
    "date_of_service_from": "date_of_service",
    "cpt": "code",
    "hcpcs": "code",
    "cpt_code": "code",
    "hcpcs_code": "code",
    "cpt_hcpcs": "code",
    "procedure_code": "code",
    "quantity": "units",
    "qty": "units",
    "service_units": "units",
    "days_or_units": "units",
    "modifier": "modifiers",
    "pos": "place_of_service",
    "treatment_minutes": "minutes",
    "diagnosis_pointer": "diagnosis_pointers",
    "dx_pointer": "diagnosis_pointers",
    "dx_pointers": "diagnosis_pointers",
    "pointers": "diagnosis_pointers",
    "charges": "charge",
    "line_charge": "charge",
    "billed_amount": "charge",
    "diagnosis": "diagnoses",
    "diagnosis_codes": "diagnoses",
    "dx": "diagnoses",
    "icd_10": "diagnoses",
    "icd10": "diagnoses",
    "icd_10_cm": "diagnoses",
    "claim_pos": "claim_place_of_service",
    "payer_name": "payer",
    "payor": "payer",
    "insurance": "payer",
}
"""Other names for the columns (normalised), as practice-management exports spell them."""

_SPLIT_MODIFIER = re.compile(r"(?:modifier|mod)_?([0-9]+)")
_SPLIT_DIAGNOSIS = re.compile(r"(?:diagnosis|diagnosis_code|dx|icd_?10|icd_?10_cm)_?([0-9]+)")
_LOOKS_MODIFIER = re.compile(r"(?:^|_)mod(?:ifiers?)?(?:_|[0-9]|$)")
_LOOKS_DIAGNOSIS = re.compile(r"diag|(?:^|_)(?:dx|icd)(?:_|[0-9]|$)|^icd")
_PUNCTUATION = re.compile(r"[^0-9a-z]+")
_KNOWN = (*COLUMNS, *ALIASES)


def normalise(name: str) -> str:
    """``'Date of Service'`` -> ``'date_of_service'``: lower case, punctuation runs as ``_``."""
    return _PUNCTUATION.sub("_", name.strip().lower()).strip("_")


def target(name: str) -> tuple[str, int] | None:
    """The field a (normalised) name fills, with its position among split columns (0 when
    it is not split), or ``None`` for a name no reader knows."""
    if name in COLUMNS:
        return name, 0
    if name in ALIASES:
        return ALIASES[name], 0
    match = _SPLIT_MODIFIER.fullmatch(name)
    if match and 1 <= int(match[1]) <= MAX_MODIFIER_COLUMNS:
        return "modifiers", int(match[1])
    match = _SPLIT_DIAGNOSIS.fullmatch(name)
    if match and 1 <= int(match[1]) <= MAX_DIAGNOSES:
        return "diagnoses", int(match[1])
    return None


@attrs.frozen
class Layout:
    """Where each field is in a row: the positions of its cells (several for split columns).

    Attributes:
        positions: field -> the positions of its cells, in order (absent: not in the file).
        key_field: ``"claim_id"``, or ``"patient_id"`` when there is no claim id column.
        ignored: the header names of the columns no field reads, as written.
    """

    positions: Mapping[str, tuple[int, ...]]
    key_field: str
    ignored: tuple[str, ...]


class HeaderError(ValueError):
    """The header cannot be used; the message says why (the caller adds the file's name)."""


def layout(header: Sequence[str], columns: Mapping[str, str]) -> Layout:
    """The layout of a file with *header*, after the user's *columns* mapping.

    *columns* maps normalised header names to a field name, a split column name
    (``modifier2``) or ``""`` to ignore the column.

    Raises:
        HeaderError: a field is given twice, a required column is
            missing, or a column is a near miss or an unused modifier or diagnosis column.
    """
    if len(header) > MAX_COLUMNS:
        raise HeaderError(
            f"the header has {len(header)} columns; cptkit reads at most {MAX_COLUMNS}"
        )
    found: dict[str, dict[int, int]] = {}
    given: dict[tuple[str, int], str] = {}
    ignored: list[tuple[int, str]] = []
    for position, written in enumerate(header):
        name = normalise(written)
        mapped = columns.get(name, name)  # mapped to "": ignored on purpose, not noticed
        place = target(mapped) if mapped else None
        if place is None:
            if mapped and written.strip():
                ignored.append((position, written.strip()))
            continue
        if place in given and normalise(given[place]) == name:
            raise HeaderError(f"column(s) given twice: {name}")
        if place in given:
            raise HeaderError(
                f"columns {given[place]!r} and {written.strip()!r} both give {_slot(place)}"
            )
        given[place] = written.strip()
        found.setdefault(place[0], {})[place[1]] = position
    for field, slots in found.items():
        if 0 in slots and len(slots) > 1:
            split = [given[(field, n)] for n in sorted(slots) if n]
            raise HeaderError(f"columns {given[(field, 0)]!r} and {split[0]!r} both give {field}")
    _refuse_lookalikes(ignored)
    missing = [name for name in REQUIRED if name not in found]
    if "claim_id" not in found and "patient_id" not in found:
        missing.append("claim_id (or patient_id)")
    if missing:
        raise HeaderError(
            f"missing required column(s): {', '.join(missing)}{_hints(missing, ignored)}"
        )
    positions = {field: tuple(slots[n] for n in sorted(slots)) for field, slots in found.items()}
    key_field = "claim_id" if "claim_id" in found else "patient_id"
    return Layout(positions, key_field, tuple(written for _, written in ignored))


def _slot(place: tuple[str, int]) -> str:
    field, number = place
    if not number:
        return field
    return f"{'modifier' if field == 'modifiers' else 'diagnosis'} {number}"


def _refuse_lookalikes(ignored: list[tuple[int, str]]) -> None:
    for _, written in ignored:
        name = normalise(written)
        close = difflib.get_close_matches(name, _KNOWN, n=1, cutoff=0.85)
        advice = (
            f"rename it, or map it (--map '{written}=FIELD', or --map '{written}=' to ignore it)"
        )
        if _LOOKS_MODIFIER.search(name):
            raise HeaderError(
                f"column {written!r} looks like a modifier column that cptkit would not read"
                f" (it reads 'modifiers' or 'modifier1'..'modifier4'); {advice}"
            )
        if _LOOKS_DIAGNOSIS.search(name):
            raise HeaderError(
                f"column {written!r} looks like a diagnosis column that cptkit would not read"
                " (it reads 'diagnoses', 'diagnosis_pointers' or 'diagnosis1'..'diagnosis12');"
                f" {advice}"
            )
        if close:
            raise HeaderError(f"column {written!r} looks like a misspelt {close[0]!r}; {advice}")


def _hints(missing: list[str], ignored: list[tuple[int, str]]) -> str:
    names = {normalise(written): written for _, written in ignored}
    hints = []
    for field in missing:
        field = field.split(" ")[0]
        wanted = [field, *(alias for alias, to in ALIASES.items() if to == field)]
        for name, written in names.items():
            if difflib.get_close_matches(name, wanted, n=1, cutoff=0.6):
                hints.append(f"is {written!r} {field}? map it with --map '{written}={field}'")
                break
    return f" ({'; '.join(hints)})" if hints else ""
