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
    "code_units",
    "ladder_units",
    "midpoint_next",
    "midpoint_units",
    "timed_units",
]

CMS_UNIT = 15
CMS_FIRST = 8  # the first unit needs 8 minutes; each further one 15 more


_NO_TIE: tuple[int, ...] = ()


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
    left = []
    for _, count in minutes:
        total += count
        units.append(count // CMS_UNIT)
        left.append(count % CMS_UNIT)
    chart = (total - CMS_FIRST) // CMS_UNIT + 1 if total >= CMS_FIRST else 0  # cms_chart_units
    remaining = chart - sum(units)
    if remaining <= 0:  # whole units used the chart up: no leftover to rank
        return units, [0] * len(minutes), _NO_TIE
    # Most minutes left over first, then most minutes, then the lower code (then input order).
    ranked = sorted([(-left[i], -count, code, i) for i, (code, count) in enumerate(minutes)])
    order = [entry[3] for entry in ranked]
    if unbilled:
        # Only a code with minutes left over can take a leftover unit: with unbilled minutes
        # the chart may hold more units than the billed codes have leftovers.
        order = [i for i in order if left[i]]
    extra = [0] * len(minutes)
    for index in order[:remaining]:
        extra[index] = 1
        units[index] += 1
    if remaining >= len(order):
        return units, extra, _NO_TIE
    cut = left[order[remaining - 1]]
    if left[order[remaining]] != cut:
        return units, extra, _NO_TIE
    # Sorted by leftover, the codes that tie at the cut are neighbours in the order.
    low, high = remaining - 1, remaining + 1
    while low and left[order[low - 1]] == cut:
        low -= 1
    while high < len(order) and left[order[high]] == cut:
        high += 1
    return units, extra, tuple(order[low:high])


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


def code_units(rule: str, minutes: int, unit: int, pooled: bool) -> int:
    """Units of one timed code billed alone that day: :func:`timed_units` of that one entry
    (the CMS chart for a pooled code under ``"cms"``, else the midpoint rule), without its
    lists; the rules' path for the commonest line."""
    return cms_chart_units(minutes) if pooled and rule == "cms" else midpoint_units(minutes, unit)


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
    if rule == "cms" and all(entry[3] for entry in entries):
        # The usual Medicare day: every code pooled, so the chart's assignment is the answer.
        pairs = [(entry[0], entry[1]) for entry in entries]
        return cms_assign(pairs, unbilled=unbilled) if unbilled else cms_assign(pairs)
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
        pairs = [(entries[i][0], entries[i][1]) for i in pooled]
        got, bonus, ties = cms_assign(pairs, unbilled=unbilled) if unbilled else cms_assign(pairs)
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
