# SPDX-License-Identifier: MIT
"""The arithmetic of the time rules, on plain ints (no dataset, no objects).

Sources: CMS Pub. 100-04 (Medicare Claims Processing Manual), chapter 5, section 20.2 for the
8-minute rule; AMA CPT "time" instructions (a unit is attained when the midpoint is passed).
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = [
    "choose",
    "cms_assign",
    "cms_chart_units",
    "cms_next_threshold",
    "ladder_units",
    "midpoint_next",
    "midpoint_units",
    "timed_units",
]

CMS_UNIT = 15
CMS_FIRST = 8  # the first unit needs 8 minutes; each further one 15 more


def cms_chart_units(total_minutes: int) -> int:
    """Units for the day's total timed minutes under the CMS chart (8-22 -> 1, 23-37 -> 2 ...)."""
    if total_minutes < CMS_FIRST:
        return 0
    return (total_minutes - CMS_FIRST) // CMS_UNIT + 1


def cms_next_threshold(total_minutes: int) -> int:
    """The total minutes at which the CMS chart gives one more unit."""
    return CMS_FIRST + CMS_UNIT * cms_chart_units(total_minutes)


def midpoint_units(minutes: int, unit_minutes: int) -> int:
    """Units of *unit_minutes* attained by passing each midpoint (CPT rule).

    15-minute units from 8 minutes, 30-minute units from 16, 60-minute units from 31; the nth
    unit needs n - 1 whole units plus more than half of the next.
    """
    threshold = unit_minutes // 2 + 1
    if minutes < threshold:
        return 0
    return (minutes - threshold) // unit_minutes + 1


def midpoint_next(minutes: int, unit_minutes: int) -> int:
    """How many more minutes earn one more unit under the midpoint rule."""
    threshold = unit_minutes // 2 + 1
    return threshold + unit_minutes * midpoint_units(minutes, unit_minutes) - minutes


def cms_assign(
    minutes: Sequence[tuple[str, int]], *, unbilled: int = 0
) -> tuple[list[int], list[int], tuple[int, ...]]:
    """Assign the chart's units to codes: whole 15-minute blocks first, then leftovers.

    Args:
        minutes: ``(code, minutes)`` pairs of the 15-minute timed codes of one day.
        unbilled: timed minutes of the day's codes that earned no unit and are not billed
            (CMS Example 5: 7 + 7 + 7 minutes of three codes are one unit of one code). They
            count towards the chart's total but take no unit themselves.

    Returns:
        ``(units, extra, tied)``: per input position, the units and which got a leftover unit
        (1) or not (0), and the positions that tie for the last leftover units (equal leftover
        minutes on both sides of the cut, the clinician's choice under CMS Example 2; empty
        when no tie decides anything). cptkit's own pick among a tie gives the leftover unit to
        the code with more total minutes, then the lower code number.
    """
    total = unbilled
    units = []
    for _, count in minutes:
        total += count
        units.append(count // CMS_UNIT)
    remaining = cms_chart_units(total) - sum(units)
    if remaining <= 0:  # whole units used the chart up: no leftover to rank
        return units, [0] * len(minutes), ()
    # Only a code with minutes left over can take a leftover unit (with unbilled minutes the
    # chart may hold more units than the billed codes have leftovers).
    order = sorted(
        (i for i in range(len(minutes)) if minutes[i][1] % CMS_UNIT),
        key=lambda i: (-(minutes[i][1] % CMS_UNIT), -minutes[i][1], minutes[i][0]),
    )
    extra = [0] * len(minutes)
    for index in order[:remaining]:
        extra[index] = 1
        units[index] += 1
    tied: tuple[int, ...] = ()
    if remaining < len(order):
        cut = minutes[order[remaining - 1]][1] % CMS_UNIT
        if minutes[order[remaining]][1] % CMS_UNIT == cut:
            tied = tuple(i for i in order if minutes[i][1] % CMS_UNIT == cut)
    return units, extra, tied


def choose(
    units: Sequence[int], extra: Sequence[int], tied: Sequence[int], billed: Sequence[int]
) -> list[int]:
    """The allocation the CMS ordering allows that comes closest to *billed*.

    Outside the tie, *units* stand. Inside it, the same number of leftover units is handed out
    again, first to the codes billed above their whole units (in cptkit's own order), so that
    ``choose(...) == billed`` exactly when *billed* is an allocation some ordering gives.
    """
    chosen = list(units)
    give = 0
    for i in tied:
        give += extra[i]
        chosen[i] -= extra[i]
    for i in sorted(tied, key=lambda i: billed[i] <= chosen[i]):
        if not give:
            break
        chosen[i] += 1
        give -= 1
    return chosen


_NO_TIE: tuple[int, ...] = ()


def timed_units(
    rule: str, entries: Sequence[tuple[str, int, int, bool]], *, unbilled: int = 0
) -> tuple[list[int], list[int], tuple[int, ...]]:
    """Units for the plain timed codes of one day (no ladder, band or untimed code).

    Args:
        rule: ``"cms"`` or ``"ama"``.
        entries: ``(code, minutes, unit minutes, pooled)`` per code, where *pooled* says the
            code is one of the 15-minute codes the 8-minute rule pools.
        unbilled: the day's pooled minutes of codes not billed (:func:`cms_assign`; ``"cms"``
            only).

    Returns:
        ``(units, extra, tied)`` per entry: under ``"cms"`` the pooled codes share the chart's
        units (:func:`cms_assign`; *extra* marks those that got a leftover unit, *tied* the
        entry positions tied for one), and every other code, and every code under ``"ama"``,
        takes the midpoint rule on its own.
    """
    units: list[int] = []
    pooled: list[int] = []  # positions of the codes the chart's units are shared among
    for position, (_code, minutes, unit, pools) in enumerate(entries):
        if pools and rule == "cms":
            pooled.append(position)
            units.append(0)
        else:
            units.append(midpoint_units(minutes, unit))
    extra = [0] * len(entries)
    tied = _NO_TIE
    if pooled:
        got, bonus, ties = cms_assign(
            [(entries[i][0], entries[i][1]) for i in pooled], unbilled=unbilled
        )
        for position, count, flag in zip(pooled, got, bonus, strict=True):
            units[position], extra[position] = count, flag
        if ties:
            tied = tuple(pooled[i] for i in ties)
    return units, extra, tied


def ladder_units(
    minutes: int,
    base_minutes: int,
    base_threshold: int,
    addon_unit_minutes: int,
    addon_threshold: int,
) -> tuple[int, int]:
    """``(base_units, addon_units)`` for a ladder family's total minutes."""
    if minutes < base_threshold:
        return 0, 0
    beyond = minutes - base_minutes
    if beyond < addon_threshold:
        return 1, 0
    return 1, (beyond - addon_threshold) // addon_unit_minutes + 1
