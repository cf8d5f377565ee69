# SPDX-License-Identifier: MIT
"""Claim lines and claims: the values that validators check and the interop layers write.

The constructors take plain values and convert them strictly: text becomes codes, modifiers,
places and dates; anything that would need a guess (a float of units, ``True`` as a count, a
single-digit place of service) raises :class:`~cptkit.errors.InvalidClaimLine`.

>>> from cptkit import ClaimLine
>>> line = ClaimLine(code="97110", units=2, modifiers=["GP"], date_of_service="2026-03-02",
...                  place_of_service="11")
>>> line.code, line.modifiers, line.date_of_service
(Code('97110'), (Modifier('GP'),), datetime.date(2026, 3, 2))

Claim lines are values: they know nothing of the dataset. A line with a code the dataset does
not know is still a valid :class:`ClaimLine`; saying so is a validator's job.

Their ``repr`` shows codes, units and modifiers only, so a claim that reaches a log line, a
traceback's locals or a notebook shows no patient data; ``debug_repr()`` shows every field:

>>> line
ClaimLine(code='97110', units=2, modifiers=('GP',))
>>> line.debug_repr()  # doctest: +NORMALIZE_WHITESPACE
"ClaimLine(code=Code('97110'), units=2, date_of_service=datetime.date(2026, 3, 2),
modifiers=(Modifier('GP'),), place_of_service=PlaceOfService('11'), minutes=None,
diagnosis_pointers=(), charge=None)"
"""

from __future__ import annotations

import datetime
import decimal
from collections.abc import Callable, Iterable
from typing import cast

import attrs

from ._convert import (
    exact_int,
    to_date,
    to_decimal,
    to_int,
    to_optional_text,
    to_shaped,
    to_shaped_tuple,
)
from .codes import Code
from .diagnoses import Diagnosis
from .errors import InvalidClaim, InvalidClaimLine, InvalidInput
from .modifiers import Modifier
from .places import PlaceOfService
from .providers import NPI

__all__ = ["MAX_COUNT", "MAX_DIAGNOSES", "MAX_LINES", "Claim", "ClaimLine"]

MAX_DIAGNOSES = 12
"""An 837P claim holds at most 12 diagnosis codes, and pointers address them as 1-12."""

MAX_LINES = 50
"""An 837P claim holds at most 50 service lines (loop 2400 repeats at most 50 times).

.. versionadded:: 0.2.0
"""

MAX_COUNT = 999_999_999
"""The most units or minutes a line takes (9 digits, as many as any claim format carries), so
that no count is too large to print or to compute with.

.. versionadded:: 0.2.0
"""


def _code(value: object) -> Code:
    return to_shaped(value, Code, InvalidClaimLine, "code")


def _units(value: object) -> int:
    return to_int(value, InvalidClaimLine, "units", minimum=1, maximum=MAX_COUNT)


def _date_of_service(value: object) -> datetime.date:
    return to_date(value, InvalidClaimLine, "date_of_service")


def _modifiers(values: object) -> tuple[Modifier, ...]:
    return to_shaped_tuple(values, Modifier, InvalidClaimLine, "modifiers")


def _line_place(value: object) -> PlaceOfService | None:
    if value is None:
        return None
    return to_shaped(value, PlaceOfService, InvalidClaimLine, "place_of_service")


def _minutes(value: object) -> int | None:
    if value is None:
        return None
    return to_int(value, InvalidClaimLine, "minutes", minimum=0, maximum=MAX_COUNT)


def _charge(value: object) -> decimal.Decimal | None:
    return None if value is None else to_decimal(value, InvalidClaimLine, "charge")


def _pointers(values: object) -> tuple[int, ...]:
    if isinstance(values, (str, bytes)) or not isinstance(values, Iterable):
        raise InvalidClaimLine("diagnosis_pointers", values, "a list of ints 1-12")
    pointers = []
    for pointer in values:
        number = exact_int(pointer)  # an int, or a numpy integer
        if number is None or not 1 <= number <= MAX_DIAGNOSES:
            raise InvalidClaimLine("diagnosis_pointers", pointer, "an int 1-12")
        pointers.append(number)
    return tuple(pointers)


def _fields(value: object) -> str:
    # Every field but the patient key, which cptkit never prints (not even for debugging).
    return ", ".join(
        f"{a.name}={_debug(getattr(value, a.name))}"
        for a in attrs.fields(cast("type[attrs.AttrsInstance]", type(value)))
        if a.name != "patient"
    )


def _debug(value: object) -> str:
    if type(value) is tuple and value and type(value[0]) is ClaimLine:
        shown = ", ".join(line.debug_repr() for line in value)
        return f"({shown},)" if len(value) == 1 else f"({shown})"
    return repr(value)


@attrs.frozen(repr=False)
class ClaimLine:
    """One service line of a professional claim.

    Args:
        code: the procedure code (a :class:`~cptkit.Code` or its text).
        units: billed units, an ``int`` >= 1 (a numpy integer is taken as its ``int``;
            floats never are).
        date_of_service: a :class:`datetime.date` or ``'YYYY-MM-DD'``.
        modifiers: the modifiers in billed order (texts or :class:`~cptkit.Modifier`).
        place_of_service: the line's place of service, or ``None`` to use the claim's.
        minutes: documented direct minutes for timed codes, or ``None`` when not recorded.
        diagnosis_pointers: 1-based positions in the claim's diagnoses, in order.
        charge: the line charge, a non-negative :class:`~decimal.Decimal`, or ``None``.

    Raises:
        InvalidClaimLine: a field has the wrong type or range; the message names that field.

    .. versionadded:: 0.1.0
    .. versionchanged:: 0.2.0
       Counts and pointers take numpy integer scalars.
    """

    code: Code = attrs.field(converter=_code)
    units: int = attrs.field(converter=_units)
    date_of_service: datetime.date = attrs.field(converter=_date_of_service)
    modifiers: tuple[Modifier, ...] = attrs.field(default=(), converter=_modifiers)
    place_of_service: PlaceOfService | None = attrs.field(default=None, converter=_line_place)
    minutes: int | None = attrs.field(default=None, converter=_minutes)
    diagnosis_pointers: tuple[int, ...] = attrs.field(default=(), converter=_pointers)
    charge: decimal.Decimal | None = attrs.field(default=None, converter=_charge)

    def __repr__(self) -> str:
        # Codes, units and modifiers only: dates of service and charges are patient data.
        modifiers = tuple(str(modifier) for modifier in self.modifiers)
        return f"ClaimLine(code={str(self.code)!r}, units={self.units}, modifiers={modifiers!r})"

    def debug_repr(self) -> str:
        """Every field, for debugging (it shows patient data: never log it).

        .. versionadded:: 0.2.0
        """
        return f"ClaimLine({_fields(self)})"


def _lines(values: object) -> tuple[ClaimLine, ...]:
    if isinstance(values, (str, bytes)) or not isinstance(values, Iterable):
        raise InvalidClaim("lines", values, "a list of ClaimLine")
    lines = tuple(values)
    if not lines:
        raise InvalidClaim("lines", values, "a non-empty list of ClaimLine")
    if len(lines) > MAX_LINES:
        raise InvalidClaim("lines", len(lines), f"a count of lines from 1 to {MAX_LINES}")
    for line in lines:
        if type(line) is not ClaimLine:
            raise InvalidClaim("lines", type(line).__name__, "a ClaimLine")
    return lines


def _diagnoses(values: object) -> tuple[Diagnosis, ...]:
    diagnoses = to_shaped_tuple(values, Diagnosis, InvalidClaim, "diagnoses")
    if not 1 <= len(diagnoses) <= MAX_DIAGNOSES:
        raise InvalidClaim("diagnoses", len(diagnoses), "a count of diagnoses from 1 to 12")
    return diagnoses


def _claim_place(value: object) -> PlaceOfService | None:
    if value is None:
        return None
    return to_shaped(value, PlaceOfService, InvalidClaim, "place_of_service")


def _payer(value: object) -> str | None:
    return to_optional_text(value, InvalidClaim, "payer")


def _claim_id(value: object) -> str | None:
    return to_optional_text(value, InvalidClaim, "claim_id")


def _patient(value: object) -> str | None:
    if value is None or (
        type(value) is str and value.strip() and value.isprintable() and value.isascii()
    ):
        return value
    # The key is the patient's: the message names its type, never the value.
    raise InvalidClaim("patient", type(value).__name__, "a pseudonymous key (one-line ASCII text)")


def _provider(field: str) -> Callable[[object], NPI | None]:
    def convert(value: object) -> NPI | None:
        return None if value is None else to_shaped(value, NPI, InvalidClaim, field)

    return convert


def _rendering_provider(value: object) -> NPI | None:
    return _provider("rendering_provider")(value)


def _billing_provider(value: object) -> NPI | None:
    return _provider("billing_provider")(value)


@attrs.frozen(repr=False)
class Claim:
    """A professional claim: its lines and the diagnoses they point at.

    Args:
        lines: 1 to 50 (:data:`MAX_LINES`) :class:`ClaimLine` values, in billed order.
        diagnoses: 1 to 12 ICD-10-CM codes; line pointers are 1-based positions in this tuple.
        place_of_service: the claim-level place of service (837P CLM05-1), or ``None``.
        payer: a free-text payer label, or ``None``.
        claim_id: the submitter's claim identifier, or ``None``.
        patient: a pseudonymous key for the patient, chosen by the user (never a name, a
            member id or a record number), or ``None``. It links a patient's claims in a
            :mod:`cptkit.history`; cptkit never prints it (not in findings, messages or the
            repr).
        rendering_provider: the rendering provider's :class:`~cptkit.providers.NPI` (837P
            loop 2310B ``NM1*82``), or ``None``.
        billing_provider: the billing provider's NPI (837P loop 2010AA ``NM1*85``), or
            ``None``.

    Raises:
        InvalidClaim: a claim-level field has the wrong type or range.

    .. versionadded:: 0.1.0
    .. versionchanged:: 0.2.0
       ``patient``, ``rendering_provider`` and ``billing_provider``; at most 50 lines; the
       ``repr`` shows codes, units and modifiers only (:meth:`debug_repr` shows every field).
    """

    lines: tuple[ClaimLine, ...] = attrs.field(converter=_lines)
    diagnoses: tuple[Diagnosis, ...] = attrs.field(converter=_diagnoses)
    place_of_service: PlaceOfService | None = attrs.field(default=None, converter=_claim_place)
    payer: str | None = attrs.field(default=None, converter=_payer)
    claim_id: str | None = attrs.field(default=None, converter=_claim_id)
    patient: str | None = attrs.field(default=None, converter=_patient, repr=False)
    rendering_provider: NPI | None = attrs.field(default=None, converter=_rendering_provider)
    billing_provider: NPI | None = attrs.field(default=None, converter=_billing_provider)

    def __repr__(self) -> str:
        # The lines' codes, units and modifiers only: no diagnosis, date, payer or claim id.
        return f"Claim(lines={self.lines!r})"

    def debug_repr(self) -> str:
        """Every field but the pseudonymous patient key, for debugging (it shows patient data:
        never log it).

        .. versionadded:: 0.2.0
        """
        return f"Claim({_fields(self)})"

    def place_of_service_for(self, index: int) -> PlaceOfService | None:
        """The place of service that applies to line *index*: the line's own, else the claim's."""
        own = self.lines[index].place_of_service
        return self.place_of_service if own is None else own


def check_pointers(claim: Claim, error: type[InvalidInput]) -> None:
    """Raise *error* naming the first diagnosis pointer past *claim*'s diagnoses.

    A :class:`Claim` allows such pointers (validation reports them); formats that cannot carry
    them (X12 837P, FHIR) refuse to write the claim.
    """
    count = len(claim.diagnoses)
    for line in claim.lines:
        for pointer in line.diagnosis_pointers:
            if pointer > count:
                raise error(
                    "diagnosis_pointers", pointer, f"a position in the claim's {count} diagnoses"
                )


# -- construction from values already converted -------------------------------------------------
#
# Bulk readers convert each distinct cell text once (through the converters above) and reuse the
# result; building the value then only needs the fields set. These skip the converters, so they
# are private: every caller must pass values in exactly the form the converters return.

_new = object.__new__
_LINE_SETTERS = tuple(ClaimLine.__dict__[a.name].__set__ for a in attrs.fields(ClaimLine))
_CLAIM_SETTERS = tuple(Claim.__dict__[a.name].__set__ for a in attrs.fields(Claim))


def _line_from_clean(
    code: Code,
    units: int,
    date_of_service: datetime.date,
    modifiers: tuple[Modifier, ...],
    place_of_service: PlaceOfService | None,
    minutes: int | None,
    diagnosis_pointers: tuple[int, ...],
    charge: decimal.Decimal | None,
) -> ClaimLine:
    """A :class:`ClaimLine` of fields already converted (private: no checks)."""
    line = _new(ClaimLine)
    s0, s1, s2, s3, s4, s5, s6, s7 = _LINE_SETTERS
    s0(line, code)
    s1(line, units)
    s2(line, date_of_service)
    s3(line, modifiers)
    s4(line, place_of_service)
    s5(line, minutes)
    s6(line, diagnosis_pointers)
    s7(line, charge)
    return line


def _claim_from_clean(
    lines: tuple[ClaimLine, ...],
    diagnoses: tuple[Diagnosis, ...],
    place_of_service: PlaceOfService | None,
    payer: str | None,
    claim_id: str | None,
    patient: str | None = None,
    rendering_provider: NPI | None = None,
    billing_provider: NPI | None = None,
) -> Claim:
    """A :class:`Claim` of fields already converted (private: no checks)."""
    claim = _new(Claim)
    s0, s1, s2, s3, s4, s5, s6, s7 = _CLAIM_SETTERS
    s0(claim, lines)
    s1(claim, diagnoses)
    s2(claim, place_of_service)
    s3(claim, payer)
    s4(claim, claim_id)
    s5(claim, patient)
    s6(claim, rendering_provider)
    s7(claim, billing_provider)
    return claim
