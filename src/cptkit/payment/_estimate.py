# SPDX-License-Identifier: MIT
"""The arithmetic of a Physician Fee Schedule estimate: RVUs x GPCIs x conversion factor,
facility or non-facility practice expense, the therapy MPPR and the CQ/CO reduction.

Sources (docs/payment.md gives the details):

* the payment formula: Social Security Act sec. 1848 (42 U.S.C. 1395w-4) as the PFS
  Relative Value File documentation writes it; CMS publishes fee schedule amounts in cents
  (national amounts, total RVUs x CF half-up to cents, match CMS's rates:
  data/raw/pfs_2026/PROVENANCE.md);
* facility and non-facility settings: CMS Pub. 100-04 ch. 12 sec. 20.4.2, with the place of
  service code set's facility flags (the catalog's places);
* MPPR: CMS Pub. 100-04 ch. 5 sec. 10.7 (50 % of the PE of every unit after the one with the
  highest PE, same patient, same day, across disciplines, since 2013-04-01);
* CQ/CO: Social Security Act sec. 1834(v) (85 % of the amount otherwise paid, from
  2022-01-01), CY2022 PFS final rule.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

import attrs

from .._catalog import Catalog, default_catalog
from ..claims import Claim, ClaimLine
from ..errors import NotPriced, UnknownLocality
from ..modifiers import Modifier
from ._records import Estimate, LineEstimate, Notice
from ._schedule import FeeSchedule, RelativeValues, fee_schedule, load

__all__ = ["assistant_rate", "estimate"]

_CENT = Decimal("0.01")
_ZERO = Decimal("0.00")
MPPR_INDICATOR = 5
MPPR_PE_PAID = Decimal("0.5")
"""The share of the PE paid for each therapy unit after the first (CMS since 2013-04-01)."""
ASSISTANT_PAID = Decimal("0.85")
ASSISTANT_FROM = datetime.date(2022, 1, 1)
MEDICARE_SHARE = Decimal("0.80")
SEQUESTRATION = Decimal("0.02")
PAID_STATUSES = frozenset("ART")
UNPAID_STATUSES = {
    "B": "bundled: never paid separately",
    "P": "bundled or excluded: no separate payment",
    "I": "not valid for Medicare (Medicare uses another code)",
    "N": "not covered by Medicare",
    "M": "a measurement code: no payment",
}
"""Statuses for which the fee schedule pays nothing (the RVU file's Attachment A)."""
_NOT_PFS = {
    "C": "carrier-priced: the MAC sets the amount",
    "E": "excluded from the fee schedule by regulation",
    "X": "not a physician service by statute: not paid under the fee schedule",
}
ASSISTANT_MODIFIERS = frozenset({Modifier("CQ"), Modifier("CO")})
_GN = Modifier("GN")
_COMPONENTS = (Modifier("26"), Modifier("TC"))


def _cents(amount: Decimal) -> Decimal:
    return amount.quantize(_CENT, rounding=ROUND_HALF_UP)


def assistant_rate(day: datetime.date) -> Decimal:
    """The share of the fee schedule amount paid for a CQ/CO line on *day*: 85 % from
    2022-01-01, in full before (2020 and 2021 only reported the modifiers).

    >>> assistant_rate(datetime.date(2021, 12, 31)), assistant_rate(datetime.date(2022, 1, 1))
    (Decimal('1'), Decimal('0.85'))
    """
    return ASSISTANT_PAID if day >= ASSISTANT_FROM else Decimal(1)


def _schedule_for(
    day: datetime.date, year: int | None, line: int
) -> tuple[FeeSchedule, list[Notice]]:
    if year is not None:
        return fee_schedule(year), []
    schedules = load()[0]
    schedule = schedules.get(day.year)
    newest = schedules[max(schedules)]
    if schedule is None:
        if day.year < newest.year:
            raise NotPriced("year", day.year, f"packaged years: {', '.join(map(str, schedules))}")
        schedule = newest
    release = schedule.release
    if day > release.last_day:
        return schedule, [
            Notice(
                "data-stale",
                line,
                f"date {day.isoformat()} is past {release.name}, which speaks through"
                f" {release.last_day.isoformat()}: its amounts are reused; a later fee schedule"
                " may differ",
            )
        ]
    if day < release.effective:
        return schedule, [
            Notice(
                "release-later",
                line,
                f"date {day.isoformat()} is priced with {release.name}, which starts"
                f" {release.effective.isoformat()}: the earlier {release.year} releases are"
                " not packaged",
            )
        ]
    return schedule, []


def _setting(
    claim: Claim, index: int, day: datetime.date, catalog: Catalog, notices: list[Notice]
) -> str:
    place = claim.place_of_service_for(index)
    if place is None:
        notices.append(
            Notice("no-place-of-service", index, "no place of service: non-facility rate used")
        )
        return "non-facility"
    info = catalog.get_place_of_service(place, on=day)
    setting = getattr(info, "setting", None)
    if setting in ("facility", "non-facility"):
        return str(setting)
    notices.append(
        Notice(
            "place-unassigned",
            index,
            f"place of service {place} has no facility setting: non-facility rate used",
        )
    )
    return "non-facility"


def _practice_expense(
    values: RelativeValues, setting: str, index: int, notices: list[Notice]
) -> Decimal:
    own, other = values.pe_facility, values.pe_nonfacility
    if setting == "non-facility":
        own, other = other, own
    if own is not None:
        return own
    if other is None:
        raise NotPriced("code", str(values.code), "no practice expense RVUs")
    notices.append(
        Notice(
            f"{setting}-pe-missing",
            index,
            f"{values.code} has no {setting} PE (NA on the RVU file): the other setting's PE"
            " is used",
        )
    )
    return other


def _values(schedule: FeeSchedule, line: ClaimLine) -> RelativeValues:
    """The line's RVU row (its 26 or TC row when it has one), if the fee schedule prices it."""
    components = (schedule.get(line.code, m) for m in _COMPONENTS if m in line.modifiers)
    values = next((found for found in components if found is not None), None)
    if values is None:
        values = schedule.relative_values(line.code)
    if values.status not in PAID_STATUSES and values.status not in UNPAID_STATUSES:
        detail = _NOT_PFS.get(values.status)
        raise NotPriced(
            "code",
            str(line.code),
            f"status {values.status} on {schedule.release.name}"
            + (f", {detail}" if detail else ""),
        )
    return values


def _price_line(
    claim: Claim,
    index: int,
    locality: str,
    year: int | None,
    catalog: Catalog,
    notices: list[Notice],
    qualifying_apm: bool,
) -> LineEstimate:
    line = claim.lines[index]
    day = line.date_of_service
    schedule, found = _schedule_for(day, year, index)
    notices += found
    place = schedule.locality(locality)
    values = _values(schedule, line)
    setting = _setting(claim, index, day, catalog, notices)
    pe_rvu = _practice_expense(values, setting, index, notices)
    work, pe, mp = values.work * place.work_gpci, pe_rvu * place.pe_gpci, values.mp * place.mp_gpci
    release = schedule.release
    cf = release.qp_conversion_factor if qualifying_apm else release.conversion_factor
    paid = values.status in PAID_STATUSES
    if not paid:
        notices.append(
            Notice(
                "not-paid",
                index,
                f"{line.code}: status {values.status}, {UNPAID_STATUSES[values.status]}",
            )
        )
    unit_amount = _cents((work + pe + mp) * cf) if paid else _ZERO
    reduced = unit_amount
    if paid and values.multiple_procedure == MPPR_INDICATOR:
        reduced = _cents((work + pe * MPPR_PE_PAID + mp) * cf)
    return LineEstimate(
        line=index,
        code=line.code,
        units=line.units,
        release=schedule.release.name,
        setting=setting,
        status=values.status,
        multiple_procedure=values.multiple_procedure,
        work_rvu=values.work,
        pe_rvu=pe_rvu,
        mp_rvu=values.mp,
        work_gpci=place.work_gpci,
        pe_gpci=place.pe_gpci,
        mp_gpci=place.mp_gpci,
        work=work,
        pe=pe,
        mp=mp,
        conversion_factor=cf,
        unit_amount=unit_amount,
        reduced_unit_amount=reduced,
        reduced_units=0,
        mppr_reduction=_ZERO,
        charge_reduction=_ZERO,
        assistant_reduction=_ZERO,
        allowed=unit_amount * line.units,
        paid=paid,
    )


def _charged(line: ClaimLine, amount: Decimal, notices: list[Notice], index: int) -> Decimal:
    """The lower of the line's charge and the fee schedule amount (CMS pays the lower)."""
    if line.charge is None or line.charge >= amount:
        return amount
    notices.append(
        Notice("charge-lower", index, f"the charge ${line.charge} is below the fee schedule amount")
    )
    return _cents(line.charge)


def _charge_key(line: ClaimLine) -> tuple[bool, Decimal]:
    return (line.charge is None, _ZERO if line.charge is None else line.charge)


def _paid_share(line: ClaimLine) -> Decimal:
    """The share of the fee schedule amount paid for *line*: 85 % (from 2022) for a service
    of a PT or OT assistant (CQ, CO). SSA sec. 1834(v) covers PT and OT assistants only: a
    speech-language pathology line (GN) is not reduced (:func:`_speech_assistant` says so)."""
    if not ASSISTANT_MODIFIERS.intersection(line.modifiers) or _GN in line.modifiers:
        return Decimal(1)
    return assistant_rate(line.date_of_service)


def _speech_assistant(line: ClaimLine, index: int) -> list[Notice]:
    if not (ASSISTANT_MODIFIERS.intersection(line.modifiers) and _GN in line.modifiers):
        return []
    return [
        Notice(
            "assistant-not-reduced",
            index,
            f"{line.code}: CQ/CO on a speech-language pathology line (GN) is not reduced (the"
            " assistant payment covers PT and OT assistants only)",
        )
    ]


def _reduced_units(claim: Claim, priced: list[LineEstimate]) -> list[int]:
    """How many units of each line MPPR reduces: on each day, every unit of an indicator-5
    code but one unit of the line with the highest PE payment (ties: the higher fee schedule
    amount after any CQ/CO reduction; then, so that line order never changes a total, the
    line with more units, the higher code and modifiers, the higher charge, and last the
    earlier line)."""
    days: dict[datetime.date, list[LineEstimate]] = defaultdict(list)
    for item in priced:
        if item.paid and item.multiple_procedure == MPPR_INDICATOR:
            days[claim.lines[item.line].date_of_service].append(item)
    reduced = [0] * len(priced)
    for group in days.values():
        first = max(
            group,
            key=lambda item: (
                item.pe,
                item.unit_amount * _paid_share(claim.lines[item.line]),
                item.units,
                str(item.code),
                tuple(map(str, claim.lines[item.line].modifiers)),
                _charge_key(claim.lines[item.line]),
                -item.line,
            ),
        )
        for item in group:
            reduced[item.line] = item.units - (item is first)
    return reduced


def estimate(
    claim: Claim,
    *,
    locality: str,
    year: int | None = None,
    sequestration: bool = False,
    qualifying_apm: bool = False,
    catalog: Catalog | None = None,
) -> Estimate:
    """Estimate what Medicare allows and pays for *claim* under the Physician Fee Schedule.

    Args:
        claim: the claim; all its lines are taken to be one patient's.
        locality: the MAC locality of the place the services were furnished
            (``"10112-00"``; see :func:`localities` and :func:`find_locality`).
        year: price every line with this year's fee schedule instead of the one its date of
            service falls in.
        sequestration: take the 2 % sequestration off Medicare's share.
        qualifying_apm: the practitioner is a qualifying APM participant (QP): from 2026 the
            QPs' conversion factor applies (CY2026 PFS final rule: $33.5675 against $33.4009).
        catalog: where place-of-service settings are read (default: the packaged catalog).

    Raises:
        UnknownLocality: *locality* is not a locality of a fee schedule year used.
        NotPriced: a date before the packaged years, or a code without a fee schedule amount
            (not on the RVU file, carrier-priced, or not paid under the fee schedule).

    .. versionadded:: 0.2.0
    .. versionchanged:: 0.3.0
       *qualifying_apm*.
    """
    if not isinstance(locality, str):
        raise UnknownLocality(locality, "expected MAC-locality text such as '10112-00'")
    catalog = default_catalog() if catalog is None else catalog
    notices: list[Notice] = []
    priced = [
        _price_line(claim, index, locality, year, catalog, notices, qualifying_apm)
        for index in range(len(claim.lines))
    ]
    lines = []
    for item, reduced in zip(priced, _reduced_units(claim, priced), strict=True):
        amount = (item.units - reduced) * item.unit_amount + reduced * item.reduced_unit_amount
        charged = _charged(claim.lines[item.line], amount, notices, item.line)
        allowed = _cents(charged * _paid_share(claim.lines[item.line])) if item.paid else charged
        notices += _speech_assistant(claim.lines[item.line], item.line)
        lines.append(
            attrs.evolve(
                item,
                reduced_units=reduced,
                mppr_reduction=item.unit_amount * item.units - amount,
                charge_reduction=amount - charged,
                assistant_reduction=charged - allowed,
                allowed=allowed,
            )
        )
    total = sum((line.allowed for line in lines), _ZERO)
    share = _cents(total * MEDICARE_SHARE)
    withheld = _cents(share * SEQUESTRATION) if sequestration else _ZERO
    return Estimate(
        claim_id=claim.claim_id,
        locality=locality,
        lines=tuple(lines),
        allowed=total,
        mppr_reduction=sum((line.mppr_reduction for line in lines), _ZERO),
        assistant_reduction=sum((line.assistant_reduction for line in lines), _ZERO),
        medicare_share=share,
        coinsurance=total - share,
        sequestration=withheld,
        medicare_payment=share - withheld,
        notices=_merged(notices),
    )


def _merged(notices: list[Notice]) -> tuple[Notice, ...]:
    """Each notice once; one said of several lines becomes a claim-level notice."""
    lines: dict[tuple[str, str], set[int | None]] = defaultdict(set)
    for notice in notices:
        lines[(notice.kind, notice.message)].add(notice.line)
    return tuple(
        Notice(kind, next(iter(where)) if len(where) == 1 else None, message)
        for (kind, message), where in lines.items()
    )
