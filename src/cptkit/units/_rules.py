# SPDX-License-Identifier: MIT
"""The arithmetic of the time rules, on plain ints (no dataset, no objects).

Sources: CMS Pub. 100-04 (Medicare Claims Processing Manual), chapter 5, section 20.2 for the
8-minute rule; AMA CPT "time" instructions (a unit is attained when the midpoint is passed).
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = [
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


def cms_assign(minutes: Sequence[tuple[str, int]]) -> tuple[list[int], list[int]]:
    """Assign the chart's units to codes: whole 15-minute blocks first, then leftovers.

    Args:
        minutes: ``(code, minutes)`` pairs of the 15-minute timed codes of one day.

    Returns:
        ``(units, extra)``: per input position, the units and which got a leftover unit
        (1) or not (0). Leftover units go, one each, to the largest leftover minutes; ties
        go to the code with more total minutes, then the lower code number.
    """
    total = sum(count for _, count in minutes)
    units = [count // CMS_UNIT for _, count in minutes]
    remaining = cms_chart_units(total) - sum(units)
    order = sorted(
        range(len(minutes)),
        key=lambda i: (-(minutes[i][1] % CMS_UNIT), -minutes[i][1], minutes[i][0]),
    )
    extra = [0] * len(minutes)
    for index in order[:remaining]:
        extra[index] = 1
        units[index] += 1
    return units, extra


def timed_units(
    rule: str, entries: Sequence[tuple[str, int, int, bool]]
) -> tuple[list[int], list[int]]:
    """Units for the plain timed codes of one day (no ladder, band or untimed code).

    Args:
        rule: ``"cms"`` or ``"ama"``.
        entries: ``(code, minutes, unit minutes, pooled)`` per code, where *pooled* says the
            code is one of the 15-minute codes the 8-minute rule pools.

    Returns:
        ``(units, extra)`` per entry: under ``"cms"`` the pooled codes share the chart's units
        (:func:`cms_assign`; *extra* marks those that got a leftover unit), and every other
        code, and every code under ``"ama"``, takes the midpoint rule on its own.
    """
    units = [0] * len(entries)
    extra = [0] * len(entries)
    pooled = [i for i, entry in enumerate(entries) if entry[3]] if rule == "cms" else []
    if pooled:
        got, bonus = cms_assign([(entries[i][0], entries[i][1]) for i in pooled])
        for i, count, flag in zip(pooled, got, bonus, strict=True):
            units[i], extra[i] = count, flag
    chosen = set(pooled)
    for i, (_code, minutes, unit, _pooled) in enumerate(entries):
        if i not in chosen:
            units[i] = midpoint_units(minutes, unit)
    return units, extra


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
