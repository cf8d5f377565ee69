# SPDX-License-Identifier: MIT
"""Authorizations (units of services a payer approved for a patient over a period), which
codes need one (a payer-policy table, with an ABA preset), and how much of one is used.

>>> from cptkit.history import Authorization
>>> auth = Authorization(id="A-1", patient="pk-1", payer="Acme", codes=["97153"], units=120,
...                      start="2026-01-05", end="2026-06-30")
>>> auth.total, auth.pooled
(120, True)
>>> "pk-1" in repr(auth)
False
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Iterable, Mapping
from decimal import ROUND_HALF_UP, Decimal

import attrs

from .._convert import to_date, to_int, to_optional_text, to_shaped, to_shaped_tuple
from ..codes import Code
from ..errors import InvalidInput
from ._records import RecordedLine

__all__ = ["Authorization", "AuthorizationPolicy", "AuthorizationUsage", "patient_key", "usage"]


def patient_key(value: object, field: str = "patient") -> str:
    """*value* as a pseudonymous patient key; the error names its type, never the value."""
    if type(value) is str and value.strip() and value.isprintable() and value.isascii():
        return value
    raise InvalidInput(field, type(value).__name__, "a pseudonymous key (one-line ASCII text)")


def _id(value: object) -> str:
    text = to_optional_text(value, InvalidInput, "id")
    if text is None:
        raise InvalidInput("id", value, "an authorization id (text)")
    return text


def _codes(values: object) -> tuple[Code, ...]:
    codes = tuple(sorted(set(to_shaped_tuple(values, Code, InvalidInput, "codes"))))
    if not codes:
        raise InvalidInput("codes", values, "one or more codes")
    return codes


def _units(value: object) -> int | tuple[tuple[Code, int], ...]:
    if isinstance(value, Mapping):
        pairs = sorted(
            (
                to_shaped(code, Code, InvalidInput, "units"),
                to_int(n, InvalidInput, "units", minimum=0),
            )
            for code, n in value.items()
        )
        if not pairs:
            raise InvalidInput("units", value, "units per code, for one code or more")
        return tuple(pairs)
    return to_int(value, InvalidInput, "units", minimum=0)


def _payer(value: object) -> str | None:
    return to_optional_text(value, InvalidInput, "payer")


def _code_set(values: object) -> frozenset[Code]:
    return frozenset(to_shaped_tuple(values, Code, InvalidInput, "codes"))


def _start(value: object) -> datetime.date:
    return to_date(value, InvalidInput, "start")


def _end(value: object) -> datetime.date:
    return to_date(value, InvalidInput, "end")


@attrs.frozen
class Authorization:
    """Units of services a payer authorized for one patient from *start* to *end* (inclusive).

    Args:
        id: the payer's authorization number.
        patient: the patient's pseudonymous key (as on :attr:`~cptkit.Claim.patient`; never
            shown in the repr or in messages).
        payer: the payer label the claims carry (:attr:`~cptkit.Claim.payer`), or ``None``
            for any payer.
        codes: the codes it covers.
        units: the units authorized, pooled over the codes (an ``int``), or per code (a
            mapping from code to units, a code left out having none).
        start, end: the first and last days it covers.

    Raises:
        InvalidInput: a field of the wrong type or range, per-code units for a code not in
            *codes*, or *end* before *start*.

    .. versionadded:: 0.2.0
    """

    id: str = attrs.field(converter=_id)
    patient: str = attrs.field(converter=patient_key, repr=False)
    payer: str | None = attrs.field(converter=_payer)
    codes: tuple[Code, ...] = attrs.field(converter=_codes)
    units: int | tuple[tuple[Code, int], ...] = attrs.field(converter=_units)
    start: datetime.date = attrs.field(converter=_start)
    end: datetime.date = attrs.field(converter=_end)

    def __attrs_post_init__(self) -> None:
        if self.end < self.start:
            raise InvalidInput("end", self.end.isoformat(), f"a day on or after {self.start}")
        if isinstance(self.units, tuple):
            for code, _ in self.units:
                if code not in self.codes:
                    raise InvalidInput("units", code.value, "a code of the authorization")

    @property
    def pooled(self) -> bool:
        """Whether the units are one pool for all the codes."""
        return isinstance(self.units, int)

    @property
    def total(self) -> int:
        """Every unit authorized."""
        if isinstance(self.units, int):
            return self.units
        return sum(n for _, n in self.units)

    def units_for(self, code: Code) -> int | None:
        """The units authorized for *code* alone (``None`` when they are pooled; 0 for a code
        the authorization does not cover)."""
        if code not in self.codes:
            return 0
        if isinstance(self.units, int):
            return None
        return dict(self.units).get(code, 0)

    def covers(self, code: Code, day: datetime.date, payer: str | None) -> bool:
        """Whether a service of *code* on *day* billed to *payer* falls under it."""
        return code in self.codes and self.start <= day <= self.end and self.payer_matches(payer)

    def payer_matches(self, payer: str | None) -> bool:
        """Whether claims to *payer* may use it (either side unknown matches)."""
        return self.payer is None or payer is None or payer == self.payer


@attrs.frozen
class AuthorizationPolicy:
    """Which codes need an authorization, by payer: a table, not branches in rules.

    Attributes:
        name: a label for reports.
        codes: the codes that need one for any payer not listed in *payers*.
        payers: ``(payer label, codes)`` pairs that replace *codes* for that payer (an empty
            set: that payer needs none).

    .. versionadded:: 0.2.0
    """

    name: str
    codes: frozenset[Code] = attrs.field(converter=_code_set)
    payers: tuple[tuple[str, frozenset[Code]], ...] = ()

    @classmethod
    def aba(cls) -> AuthorizationPolicy:
        """The adaptive behavior (ABA) preset: CPT 97151-97158 and 0362T and 0373T need an
        authorization for every payer (see ``docs/history.md`` for the basis)."""
        return cls(name="ABA", codes=ABA_CODES)

    def requires(self, code: Code, payer: str | None) -> bool:
        """Whether a service of *code* billed to *payer* needs an authorization."""
        for label, codes in self.payers:
            if label == payer:
                return code in codes
        return code in self.codes


ABA_CODES = frozenset(
    Code(text)
    for text in (
        "97151",
        "97152",
        "97153",
        "97154",
        "97155",
        "97156",
        "97157",
        "97158",
        "0362T",
        "0373T",
    )
)
"""The adaptive behavior assessment and treatment codes (CPT 2019 onward)."""


@attrs.frozen
class AuthorizationUsage:
    """How much of an authorization the recorded claims used, and when it runs out.

    Attributes:
        authorization_id: the authorization's id.
        authorized: every unit authorized.
        used: the units of the recorded lines it covers (statuses but ``void``).
        remaining: ``authorized - used`` (negative when over).
        by_code: ``(code, used, authorized)`` per code (authorized ``None`` when pooled).
        as_of: the day the pace is measured to: the given one, else the last service used,
            else the start.
        weekly_pace: units used per week from the start to *as_of*, or ``None`` before any.
        projected_end: the day the remaining units run out at that pace (*as_of* when none
            remain), or ``None`` before any use.

    .. versionadded:: 0.2.0
    """

    authorization_id: str
    authorized: int
    used: int
    remaining: int
    by_code: tuple[tuple[Code, int, int | None], ...]
    as_of: datetime.date
    weekly_pace: Decimal | None
    projected_end: datetime.date | None


def usage(
    auth: Authorization, lines: Iterable[RecordedLine], *, on: datetime.date | None = None
) -> AuthorizationUsage:
    """The :class:`AuthorizationUsage` of *auth* by the patient's recorded *lines*."""
    used_by_code = dict.fromkeys(auth.codes, 0)
    last: datetime.date | None = None
    for line in lines:
        if line.status == "void" or not auth.covers(line.code, line.date_of_service, line.payer):
            continue
        if on is not None and line.date_of_service > on:
            continue
        used_by_code[line.code] += line.units
        last = line.date_of_service if last is None else max(last, line.date_of_service)
    used = sum(used_by_code.values())
    as_of = on if on is not None else (last or auth.start)
    remaining = auth.total - used
    pace: Decimal | None = None
    end: datetime.date | None = None
    if used:
        days = max((as_of - auth.start).days + 1, 1)
        pace = (Decimal(used) * 7 / days).quantize(Decimal("0.01"), ROUND_HALF_UP)
        end = as_of
        if remaining > 0:
            end = as_of + datetime.timedelta(days=math.ceil(remaining * days / used))
    return AuthorizationUsage(
        authorization_id=auth.id,
        authorized=auth.total,
        used=used,
        remaining=remaining,
        by_code=tuple((code, n, auth.units_for(code)) for code, n in used_by_code.items()),
        as_of=as_of,
        weekly_pace=pace,
        projected_end=end,
    )
