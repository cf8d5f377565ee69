# SPDX-License-Identifier: MIT
"""Rules: a plain :class:`Rule` sees the whole claim; a :class:`LineRule` sees one line at a
time through a :class:`LineView`, which is also the key of the one memo cptkit keeps.

A rule is a small immutable callable ``rule(claim, context) -> Iterable[Finding]`` with a
stable ``id``. Rules never mutate anything and never add modifiers: a bypass modifier is a
biller's attestation, so cptkit only ever suggests one.

Bulk claim files repeat the same lines endlessly, so a rule set runs its line rules once per
distinct line view and reuses the findings for every line with the same view. That is exact
by construction: the view is all a line rule can read (``line.charge`` or
``line.date_of_service`` raise :class:`AttributeError`), and its ``day`` is the first day of
the line's validity period (:meth:`Context.period`), so a rule cannot tell two days of one
period apart.
"""

from __future__ import annotations

import datetime
import enum
import operator
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import NamedTuple

import attrs

from .._cache import keep
from ..claims import Claim
from ..codes import Code
from ..modifiers import Modifier
from ..places import PlaceOfService
from ._context import Context
from ._findings import Finding, Severity

__all__ = ["CheckFunction", "FunctionRule", "LineRule", "LineView", "Rule", "line_findings", "rule"]


class _Default(enum.Enum):
    DEFAULT = "default"


_DEFAULT = _Default.DEFAULT


@attrs.frozen
class Rule:
    """Base of the built-in rules: an id, a default severity and CARC, and a ``check``.

    Subclasses implement :meth:`check`; calling the rule runs it.
    """

    id: str
    severity: Severity
    carc: str | None

    def check(self, claim: Claim, context: Context) -> Iterator[Finding]:  # pragma: no cover
        raise NotImplementedError

    def __call__(self, claim: Claim, context: Context) -> Iterable[Finding]:
        return self.check(claim, context)

    def finding(
        self,
        line: int | None,
        field: str | None,
        message: str,
        *,
        suggestion: str | None = None,
        severity: Severity | None = None,
        carc: str | _Default | None = _DEFAULT,
    ) -> Finding:
        """A finding of this rule, with its defaults filled in (``carc=None``: no CARC)."""
        return Finding(
            rule=self.id,
            severity=self.severity if severity is None else severity,
            line=line,
            field=field,
            message=message,
            carc=self.carc if isinstance(carc, _Default) else carc,
            suggestion=suggestion,
        )

    @property
    def rule_ids(self) -> frozenset[str]:
        """The ids this rule can report."""
        return frozenset({self.id})


class LineView(NamedTuple):
    """What a :class:`LineRule` reads of one line: the line memo's key, and nothing more.

    ``date_of_service`` and ``charge`` are not here: a rule that needs them is a plain
    :class:`Rule`.
    """

    code: Code
    modifiers: tuple[Modifier, ...]
    units: int
    minutes: int | None
    diagnosis_pointers: tuple[int, ...]
    place: PlaceOfService | None
    """The place of service that applies to the line: its own, else the claim's."""
    own_place: bool
    """Whether that place is the line's own (a claim-level place makes claim-level findings)."""
    diagnoses: int
    """How many diagnoses the claim has."""
    day: datetime.date
    """The first day of the validity period of the day the line is judged on
    (:meth:`Context.period`): for validity checks and the year, never as the real date."""


@attrs.frozen
class LineRule(Rule):
    """A rule that judges each line on its own, from its :class:`LineView`.

    Subclasses implement :meth:`check_line` (not :meth:`check`: rule sets call ``check_line``
    directly) and yield findings for line *index* only. A finding with ``line=None`` is about
    the claim as a whole (a claim-level place of service, say): the same one is reported once
    per claim however many lines lead to it.
    """

    def check_line(
        self, index: int, line: LineView, context: Context
    ) -> Iterator[Finding]:  # pragma: no cover - every subclass overrides it
        """The findings for line *index*."""
        raise NotImplementedError

    def check(self, claim: Claim, context: Context) -> Iterator[Finding]:
        return iter(line_findings((self,), claim, context, {}))


_TEXT = operator.attrgetter("value")
Found = tuple[tuple[int, Finding], ...]
"""A line's findings, each with the position of its rule in the set: a claim-level finding is
reported once per rule (a set may hold one rule twice)."""


def line_findings(
    rules: Sequence[LineRule], claim: Claim, context: Context, memo: dict[object, Found]
) -> list[Finding]:
    """The findings of *rules* on every line of *claim*, each distinct line view checked once
    through *memo* (one per rule set and context) and its findings moved to the line they are
    for."""
    claim_place = claim.place_of_service
    claim_text = None if claim_place is None else claim_place.value
    diagnoses = len(claim.diagnoses)
    on = context.on
    period = context.period
    found: list[Finding] = []
    reported: set[tuple[int, Finding]] | None = None  # claim-level findings, once per rule
    date: datetime.date | None = None  # the last line's date, and its period's first day
    day = datetime.date.min
    for index, line in enumerate(claim.lines):
        place = line.place_of_service
        if place is None:
            own, place, text = False, claim_place, claim_text
        else:
            own, text = True, place.value
        if line.date_of_service is not date:  # a claim's lines mostly share one date object
            date = line.date_of_service
            day = period(date if on is None else on)
        modifiers = line.modifiers
        pointers = line.diagnosis_pointers
        # Texts and ints only: their hashes are computed in C (a value object's is not).
        key = (
            line.code.value,
            tuple(map(_TEXT, modifiers)) if modifiers else (),
            line.units,
            line.minutes,
            pointers,
            text,
            own,
            diagnoses,
            day,
        )
        hit = memo.get(key)
        if hit is None:
            view = LineView(
                line.code, modifiers, line.units, line.minutes, pointers, place, own, diagnoses, day
            )
            hit = keep(memo, key, _check(rules, view, context))
        if not hit:
            continue
        for position, finding in hit:
            if finding.line is None:
                if reported is None:
                    reported = set()
                elif (position, finding) in reported:
                    continue
                reported.add((position, finding))
            elif index:
                f = finding
                finding = Finding(
                    f.rule, f.severity, index, f.field, f.message, f.carc, f.suggestion
                )
            found.append(finding)
    return found


def _check(rules: Sequence[LineRule], view: LineView, context: Context) -> Found:
    return tuple(
        (position, finding)
        for position, rule in enumerate(rules)
        for finding in rule.check_line(0, view, context)
    )


CheckFunction = Callable[[Claim, Context], Iterable[Finding]]


@attrs.frozen
class FunctionRule:
    """A user's function as a rule: ``FunctionRule("my-id", check)``."""

    id: str
    function: CheckFunction

    def __call__(self, claim: Claim, context: Context) -> Iterable[Finding]:
        return self.function(claim, context)

    @property
    def rule_ids(self) -> frozenset[str]:
        return frozenset({self.id})


def rule(rule_id: str) -> Callable[[CheckFunction], FunctionRule]:
    """Decorator: turn ``def check(claim, context) -> Iterable[Finding]`` into a rule.

    >>> from cptkit.validation import Finding, Severity, rule
    >>> @rule("no-payer")
    ... def no_payer(claim, context):
    ...     if claim.payer is None:
    ...         yield Finding("no-payer", Severity.WARNING, None, "payer", "no payer label")
    """

    def wrap(function: CheckFunction) -> FunctionRule:
        return FunctionRule(rule_id, function)

    return wrap
