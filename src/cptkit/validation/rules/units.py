# SPDX-License-Identifier: MIT
"""Rules about units: the MUE, one unit for untimed codes, units the minutes support, and
time-band codes whose minutes fall outside their band.

Sources: CMS NCCI MUE (MAI 1 per line; MAI 2 and 3 per date of service); CMS Pub. 100-04 ch. 5
sec. 20.2 (8-minute rule, untimed codes one unit); AMA CPT time rules; CPT psychotherapy time
ranges. CARC 151: "the information furnished does not support this many units or services".
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

import attrs

from ... import units as unit_rules
from ...claims import Claim
from ...codes import Code
from ...modifiers import Modifier
from ...records import Timing
from .._core import Context, Finding, Rule, Severity
from ._common import THERAPY_DISCIPLINE_MODIFIERS, by_code_and_day

__all__ = [
    "time_band_mismatch",
    "units_exceed_mue",
    "units_minutes_mismatch",
    "untimed_multiple_units",
]

_RULE_NAMES = {"cms": "the Medicare 8-minute rule", "ama": "the CPT time rule"}


@attrs.frozen
class _UnitsExceedMue(Rule):
    def check(self, claim: Claim, context: Context) -> Iterator[Finding]:
        for (code, _), indexes in by_code_and_day(claim, context).items():
            edit = context.mue(code)
            if edit is None:
                continue
            if edit.per_day:
                total = sum(claim.lines[i].units for i in indexes)
                if total > edit.units:
                    spread = f" across {len(indexes)} lines" if len(indexes) > 1 else ""
                    yield self.finding(
                        indexes[0],
                        "units",
                        f"{code}: {total} units on one date{spread} exceed the MUE of"
                        f" {edit.units} per day (MAI {edit.mai})",
                        suggestion=_mue_advice(edit.mai, edit.units),
                    )
                continue
            for index in indexes:
                if claim.lines[index].units > edit.units:
                    yield self.finding(
                        index,
                        "units",
                        f"{code}: {claim.lines[index].units} units exceed the MUE of"
                        f" {edit.units} per line (MAI 1)",
                        suggestion=_mue_advice(1, edit.units),
                    )


def _mue_advice(mai: int, limit: int) -> str:
    if mai == 3:
        return f"bill at most {limit}; MAI 3 may be appealed with documentation of necessity"
    if mai == 1:
        return f"at most {limit} per line; more on separate lines only with a bypass modifier"
    return f"bill at most {limit}; MAI 2 is an absolute limit"


@attrs.frozen
class _UntimedMultipleUnits(Rule):
    def check(self, claim: Claim, context: Context) -> Iterator[Finding]:
        for (code, _), indexes in by_code_and_day(claim, context).items():
            info = context.code_info(code)
            if info is None or info.add_on or info.timing not in (Timing.UNTIMED, Timing.BAND):
                continue
            total = sum(claim.lines[i].units for i in indexes)
            if total > 1:
                yield self.finding(
                    indexes[0],
                    "units",
                    f"{code} is untimed (one per session) but {total} units are billed for one date",
                    suggestion="bill 1 unit",
                )


@attrs.frozen
class _UnitsMinutesMismatch(Rule):
    def check(self, claim: Claim, context: Context) -> Iterator[Finding]:
        for indexes in _by_day_and_discipline(claim).values():
            yield from self._group(claim, context, indexes)

    def _group(self, claim: Claim, context: Context, indexes: list[int]) -> Iterator[Finding]:
        rule = context.policy.unit_rule
        minutes: dict[Code, int] = defaultdict(int)
        billed: dict[Code, int] = defaultdict(int)
        first: dict[Code, int] = {}
        unknown: set[Code] = set()  # codes whose minutes are not all documented
        for index in indexes:
            line = claim.lines[index]
            info = context.code_info(line.code)
            if info is None or not info.timed:
                continue
            billed[line.code] += line.units
            first.setdefault(line.code, index)
            if line.minutes is not None:
                minutes[line.code] += line.minutes
            elif info.ladder is not None:
                # A ladder is judged on its family's minutes: one unknown line spoils both.
                unknown.update((info.ladder.base, info.ladder.addon))
            else:
                unknown.add(line.code)
        if rule == "cms" and any(_pooled(context, code) for code in unknown):
            # The 8-minute rule pools the day's 15-minute codes: one unknown spoils the sum.
            unknown.update(code for code in billed if _pooled(context, code))
        checked = {code: count for code, count in minutes.items() if code not in unknown}
        if not checked:
            return
        key = ("allocation", rule, frozenset(checked.items()))
        allocation = context.memo.get(key)
        if allocation is None:
            # Visits repeat the same minutes often; an allocation depends only on this key.
            allocation = context.memo[key] = unit_rules.allocate(
                checked, rule=rule, catalog=context.catalog
            )
        assert isinstance(allocation, unit_rules.Allocation)
        supported = allocation.units
        considered = {line.code for line in allocation.lines} - unknown
        for code in sorted(considered & billed.keys(), key=lambda c: c.value):
            expected = supported.get(code, 0)
            if billed[code] == expected:
                continue
            over = billed[code] > expected
            yield self.finding(
                first[code],
                "units",
                f"{code}: {billed[code]} unit{'s' * (billed[code] != 1)} billed; the"
                f" documented minutes support {expected} under {_RULE_NAMES[rule]}",
                suggestion=f"bill {expected}" if expected else "do not bill this code",
                severity=Severity.ERROR if over else Severity.INFO,
                carc=self.carc if over else None,
            )


def _pooled(context: Context, code: Code) -> bool:
    info = context.code_info(code)
    return info is not None and info.timing is Timing.TIMED and info.unit_minutes == 15


def _by_day_and_discipline(claim: Claim) -> dict[tuple[object, ...], list[int]]:
    """Line indexes by date of service and therapy discipline modifier (GP, GO, GN or none).

    Each discipline's timed minutes are totalled on their own: PT, OT and SLP are separate
    plans of care, and the 8-minute rule is applied per discipline. A line without one of the
    modifiers (itself a finding) joins the date's only discipline when there is one.
    """
    marks = [
        next((m for m in line.modifiers if m in THERAPY_DISCIPLINE_MODIFIERS), None)
        for line in claim.lines
    ]
    per_day: dict[object, set[Modifier]] = defaultdict(set)
    for line, mark in zip(claim.lines, marks, strict=True):
        if mark is not None:
            per_day[line.date_of_service].add(mark)
    groups: dict[tuple[object, ...], list[int]] = defaultdict(list)
    for index, (line, mark) in enumerate(zip(claim.lines, marks, strict=True)):
        known = per_day[line.date_of_service]
        if mark is None and len(known) == 1:
            mark = next(iter(known))
        groups[(line.date_of_service, mark)].append(index)
    return groups


@attrs.frozen
class _TimeBandMismatch(Rule):
    def check(self, claim: Claim, context: Context) -> Iterator[Finding]:
        for index, line in enumerate(claim.lines):
            info = context.code_info(line.code)
            if info is None or info.time_band is None or line.minutes is None:
                continue
            if info.in_band(line.minutes):
                continue
            low, high = info.time_band
            span = f"{low}+" if high is None else f"{low}-{high}"
            fits = unit_rules.band_codes_for(info, line.minutes, catalog=context.catalog)
            yield self.finding(
                index,
                "minutes",
                f"{line.code} needs {span} minutes; {line.minutes} documented",
                suggestion=(
                    f"{line.minutes} minutes fit {', '.join(map(str, fits))}"
                    if fits
                    else "not reportable with these minutes"
                ),
            )


def units_exceed_mue() -> Rule:
    """``units-exceed-mue``: units above the MUE (per line for MAI 1, per code and date for
    MAI 2 and 3)."""
    return _UnitsExceedMue("units-exceed-mue", Severity.ERROR, "CO-151")


def untimed_multiple_units() -> Rule:
    """``untimed-multiple-units``: an untimed (or time-band) code with more than one unit on
    one date. Untimed add-ons counted by area or item (97598) are exempt."""
    return _UntimedMultipleUnits("untimed-multiple-units", Severity.ERROR, "CO-151")


def units_minutes_mismatch() -> Rule:
    """``units-minutes-mismatch``: a timed code's billed units differ from what its documented
    minutes support under the payer's rule (error when more are billed, info when fewer)."""
    return _UnitsMinutesMismatch("units-minutes-mismatch", Severity.ERROR, "CO-151")


def time_band_mismatch() -> Rule:
    """``time-band-mismatch``: a time-band code whose minutes fall outside its band."""
    return _TimeBandMismatch("time-band-mismatch", Severity.ERROR, "CO-151")
