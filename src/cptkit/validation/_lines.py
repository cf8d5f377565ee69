# SPDX-License-Identifier: MIT
"""Line rules: rules that judge each line on its own, and the memo that checks each distinct
line once.

Most rules look at one line at a time: is the code known and current, are the modifiers
valid, is the place of service assigned, do the minutes fit the band. What such a rule finds
for a line depends only on

* the line's own fields, except its date of service and charge;
* the place of service that applies to it, and whether that place is the line's own;
* how many diagnoses the claim has;
* the *period* of the date it is judged on (:meth:`Context.period`): the year, and where the
  date falls among the dates on which codes, modifiers and places start or stop being valid;
* the context (catalog, policy, facts), which is fixed for a run.

Bulk claim files repeat the same lines endlessly, so a rule set runs its line rules once per
distinct ``(line fields, place, diagnoses, period)`` and reuses the findings for every line
that has the same key. That is exact, not an approximation, as long as each line rule keeps
to the list above; :class:`LineRule` is the promise that it does.
"""

from __future__ import annotations

import datetime
import operator
from collections.abc import Iterator, Sequence
from typing import NamedTuple

import attrs

from .._cache import keep
from ..claims import Claim, ClaimLine
from ..places import PlaceOfService
from ._core import Context, Finding, Rule

__all__ = ["LINE_READS", "LineRule", "LineSite", "line_findings"]

LINE_READS = ("code", "modifiers", "units", "minutes", "diagnosis_pointers")
"""The fields of its own a line rule may read (with its :class:`LineSite`): all but the date
of service, which it reads only through its period, the charge, and the place of service,
which it reads as the site's place."""
_LINE_FIELDS = operator.attrgetter(*LINE_READS)  # a C-level getter: fast keys


class LineSite(NamedTuple):
    """What a line rule reads besides the line and the context."""

    place: PlaceOfService | None
    """The place of service that applies to the line: its own, else the claim's."""
    own_place: bool
    """Whether that place is the line's own (a claim-level place makes claim-level findings)."""
    diagnoses: int
    """How many diagnoses the claim has."""
    day: datetime.date
    """The day the line is judged on (its date of service, or the context's ``on``)."""


@attrs.frozen
class LineRule(Rule):
    """A rule that judges each line on its own (see the module docs for what it may read).

    Subclasses implement :meth:`check_line` (not :meth:`check`: rule sets call
    ``check_line`` directly) and yield findings for line *index* only. A finding with
    ``line=None`` is about the claim as a whole (a claim-level place of service, say): the same
    one is reported once per claim however many lines lead to it.
    """

    def check_line(
        self, index: int, line: ClaimLine, site: LineSite, context: Context
    ) -> Iterator[Finding]:  # pragma: no cover - every subclass overrides it
        """The findings for line *index*, judged on ``site.day``."""
        raise NotImplementedError

    def check(self, claim: Claim, context: Context) -> Iterator[Finding]:
        return line_findings((self,), claim, context, memo=None)


def line_findings(
    rules: Sequence[LineRule],
    claim: Claim,
    context: Context,
    memo: dict[object, tuple[tuple[int, Finding], ...]] | None,
) -> Iterator[Finding]:
    """The findings of *rules* on every line of *claim*.

    With a *memo* (one per rule set and context), each distinct line key is checked once and
    its findings are reused, moved to the line they are for.
    """
    claim_place = claim.place_of_service
    diagnoses = len(claim.diagnoses)
    on = context.on
    reported: set[tuple[int, Finding]] = set()  # claim-level findings, once per rule
    for index, line in enumerate(claim.lines):
        place = line.place_of_service
        own_place = place is not None
        if not own_place:
            place = claim_place
        day = line.date_of_service if on is None else on
        if memo is None:
            site = LineSite(place, own_place, diagnoses, day)
            found = _check(rules, index, line, site, context)
        else:
            key = (_LINE_FIELDS(line), place, own_place, diagnoses, context.period(day))
            try:
                found = memo[key]
            except KeyError:
                site = LineSite(place, own_place, diagnoses, day)
                found = _check(rules, 0, line, site, context)
                keep(memo, key, found)
            if not found:
                continue
            if index:
                found = tuple((position, _moved(finding, index)) for position, finding in found)
        for position, finding in found:
            if finding.line is None:
                if (position, finding) in reported:
                    continue
                reported.add((position, finding))
            yield finding


def _check(
    rules: Sequence[LineRule], index: int, line: ClaimLine, site: LineSite, context: Context
) -> tuple[tuple[int, Finding], ...]:
    # Each finding with the position of its rule in the set: a claim-level finding is
    # reported once per rule (a set may hold one rule twice).
    return tuple(
        (position, finding)
        for position, rule in enumerate(rules)
        for finding in rule.check_line(index, line, site, context)
    )


def _moved(finding: Finding, index: int) -> Finding:
    if finding.line is None:
        return finding
    f = finding
    return Finding(f.rule, f.severity, index, f.field, f.message, f.carc, f.suggestion)
