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
from collections.abc import Sequence
from typing import ClassVar

import attrs

from ..claims import Claim
from ._core import Context, Finding, Rule

__all__ = ["MEMO_LIMIT", "ShapeRule", "shape_findings", "shape_key"]

MEMO_LIMIT = 65536
"""Distinct shapes one memo may hold before it is emptied (bounded memory on any input)."""


@attrs.frozen
class ShapeRule(Rule):
    """A rule whose findings depend only on the claim's shape (see the module docs).

    ``uses_edits`` says whether the rule reads NCCI edits, whose dates then count in the
    period of a date.
    """

    uses_edits: ClassVar[bool] = False


def shape_key(claim: Claim, context: Context, edits: bool) -> object:
    """The claim's shape, as a hashable key (see the module docs)."""
    lines = claim.lines
    period = context.shape_period
    if len(lines) == 1:
        line = lines[0]
        return (line.code, line.modifiers, line.units, period(line.date_of_service, edits))
    slots: dict[datetime.date, int] = {}
    parts = []
    for line in lines:
        day = line.date_of_service
        slot = slots.get(day)
        if slot is None:
            slot = slots[day] = len(slots)
        parts.append((line.code, line.modifiers, line.units, slot))
    return (tuple(parts), tuple([period(day, edits) for day in slots]))


def shape_findings(
    rules: Sequence[Rule],
    claim: Claim,
    context: Context,
    memo: dict[object, tuple[Finding, ...]],
    edits: bool,
) -> tuple[Finding, ...]:
    """The findings of *rules* on *claim*, each distinct shape checked once (through *memo*)."""
    key = shape_key(claim, context, edits)
    try:
        return memo[key]
    except KeyError:
        pass
    found = tuple(finding for rule in rules for finding in rule(claim, context))
    if len(memo) >= MEMO_LIMIT:
        memo.clear()
    memo[key] = found
    return found
