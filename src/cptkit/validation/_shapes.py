# SPDX-License-Identifier: MIT
"""Shape rules: rules that look at lines together, and the memo that checks each claim shape
once.

The rules that compare lines (MUE totals per date, untimed codes billed twice, add-ons
without their primary, NCCI pairs, duplicate lines) read little of each line. What such a rule
finds depends only on the claim's *shape*:

* for each line, in order: its code, modifiers and units;
* which lines share a date of service (not the dates themselves);
* the *period* of each date (:meth:`Context.shape_period`): where it falls among the dates on
  which codes, modifiers, places of service and, when the rule says so, NCCI edits come into
  or go out of force, and its year;
* the context (catalog, policy, facts, acknowledgements), which is fixed for a run.

Visits repeat the same shapes, so a rule set runs its shape rules once per distinct shape and
reuses the findings (whose line indexes are positions in the shape, so they carry over). That
is exact as long as each shape rule keeps to the list above; :class:`ShapeRule` is the promise
that it does.
"""

from __future__ import annotations

import datetime
import operator
from collections.abc import Callable, Sequence
from typing import ClassVar

import attrs

from .._cache import keep
from ..claims import Claim, ClaimLine
from ._core import Context, Finding, Rule
from ._lines import LINE_READS

__all__ = ["Layout", "ShapeRule", "claim_key", "layout", "shape_findings", "shape_key"]


@attrs.frozen
class ShapeRule(Rule):
    """A rule whose findings depend only on the claim's shape (see the module docs).

    ``uses_edits`` says whether the rule reads NCCI edits, whose dates then count in the
    period of a date; ``uses_units = False`` that it does not read units, which then leave the
    shape (such shapes repeat more). ``uses_minutes`` says that it also reads each line's minutes: such a
    rule runs on every claim (minutes vary too much for a memo of shapes to pay), but a rule
    set made only of line and shape rules still keeps whole claims' findings.
    """

    uses_edits: ClassVar[bool] = False
    uses_minutes: ClassVar[bool] = False
    uses_units: ClassVar[bool] = True


_DATE = operator.attrgetter("date_of_service")


def _slots(claim: Claim) -> tuple[list[int], list[datetime.date]]:
    """Per line, the position of its date among the claim's dates (in order of first use),
    and those dates."""
    days = list(map(_DATE, claim.lines))
    first = days[0]
    if days.count(first) == len(days):  # the common visit: one date
        return [0] * len(days), [first]
    slots: dict[datetime.date, int] = {}
    positions = []
    for day in days:
        slot = slots.get(day)
        if slot is None:
            slot = slots[day] = len(slots)
        positions.append(slot)
    return positions, list(slots)


# What shape rules read of a line, and what line rules do too (a C-level getter: fast keys).
_SHAPE_FIELDS = operator.attrgetter("code", "modifiers", "units")
_UNITLESS_FIELDS = operator.attrgetter("code", "modifiers")
_CLAIM_FIELDS = operator.attrgetter(*LINE_READS, "place_of_service")  # line rules' reads too

Layout = tuple[list[int] | None, object]
"""Which lines share a date and each date's period: the part of a claim's keys that is the
same for every key (computed once per claim by :func:`layout`)."""


def layout(claim: Claim, context: Context, edits: bool) -> Layout:
    """The claim's :data:`Layout`: per line the position of its date among the claim's dates
    (``None`` for a one-line claim), and the :meth:`Context.shape_period` of each date."""
    lines = claim.lines
    period = context.shape_period
    if len(lines) == 1:
        return None, period(lines[0].date_of_service, edits)
    positions, days = _slots(claim)
    return positions, tuple([period(day, edits) for day in days])


def shape_key(claim: Claim, layout: Layout, units: bool = True) -> object:
    """The claim's shape, as a hashable key (see the module docs); without units if not
    *units*."""
    return _key(claim, layout, _SHAPE_FIELDS if units else _UNITLESS_FIELDS)


def claim_key(claim: Claim, layout: Layout) -> object:
    """Everything line rules and shape rules may read of *claim*, as a hashable key: per line
    its fields but the date and charge, which lines share a date, each date's period, the
    claim's place of service and its number of diagnoses."""
    return (_key(claim, layout, _CLAIM_FIELDS), claim.place_of_service, len(claim.diagnoses))


def _key(claim: Claim, layout: Layout, fields: Callable[[ClaimLine], object]) -> object:
    positions, periods = layout
    if positions is None:
        return (fields(claim.lines[0]), periods)
    return (tuple(zip(map(fields, claim.lines), positions, strict=True)), periods)


def shape_findings(
    rules: Sequence[Rule],
    claim: Claim,
    context: Context,
    memo: dict[object, tuple[Finding, ...]],
    layout: Layout,
    units: bool = True,
) -> tuple[Finding, ...]:
    """The findings of *rules* on *claim*, each distinct shape checked once (through *memo*);
    *layout* is the claim's :func:`layout`."""
    key = shape_key(claim, layout, units)
    try:
        return memo[key]
    except KeyError:
        pass
    found = tuple(finding for rule in rules for finding in rule(claim, context))
    return keep(memo, key, found)
