# SPDX-License-Identifier: MIT
"""The columnar engine: the events of a reading, in batches of claims, to frames of findings.

A batch becomes a frame of lines (each line with its claim, row, the number of its line view
and of its date), and is judged in three parts
(:func:`._forms.split` says which rule goes where):

1. the line rules, once per distinct line view of the run (a view seen in an earlier batch is
   not judged again), their findings joined onto the lines by view number; a claim-level
   finding is kept once per claim and rule position;
2. ``data-stale``, once per distinct date, keeping the first stale line of each claim; the
   diagnosis rules once per distinct (diagnoses, fiscal years);
3. the other rules: ``units-minutes-mismatch`` as expressions over the lines
   (:mod:`._minutes`; claims it cannot express go through the rule), ``diagnosis-not-pointed``
   once per distinct (diagnoses, pointers), and the rest by their own code, on the claims a
   polars filter over the lines picks (:mod:`._filters`; the others cannot give a finding) or
   on every claim.

Each distinct finding is numbered and its fields joined on at the end (:mod:`._frames`); the
rows are sorted in the per-claim engine's order (:meth:`Finding.sort_key`, then the order findings are made in)
within the order of the reading's events, with the rejected rows and the
``claim-rows-not-adjacent`` warnings of ``cptkit check`` among them.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Iterator
from typing import Any, NamedTuple

import polars as pl

from .._cache import keep
from ..claims import Claim, ClaimLine
from ..codes import Code
from ..files import Group, Rejected
from ..validation import Checker, Finding, LineRule, LineView
from ._filters import CodeFacts, candidates, code_facts, line_facts, pointer_findings
from ._forms import Split, split
from ._frames import FOUND, INT, SCHEMA, SEVERITY_RANK, Lines, Numbers, ordered
from ._minutes import minutes_findings

__all__ = ["BATCH_CLAIMS", "SCHEMA", "VIEW_LIMIT", "Batch", "Engine"]

BATCH_CLAIMS = 50_000
"""Claims judged together: memory holds one batch of lines and findings at a time."""

VIEW_LIMIT = 1 << 18
"""Distinct line views kept between batches; past it, the next batch starts afresh."""
_K_BITS = 24


class Batch(NamedTuple):
    """The findings of one batch of events, and what it read."""

    findings: pl.DataFrame
    claims: int
    claims_with_errors: int
    severities: dict[str, int]
    """Findings by severity (of the claims: rejected rows are not counted)."""


class Engine:
    """Judges batches of events with the rules of one :class:`Checker` (one per run)."""

    def __init__(self, checker: Checker, *, batch_claims: int = BATCH_CLAIMS) -> None:
        self.checker = checker
        self.parts: Split = split(checker)
        self.batch_claims = batch_claims
        self._views: dict[tuple[Any, ...], int] = {}
        self._judged: list[tuple[tuple[int, Finding], ...]] = []
        self._view_of: list[LineView] = []  # by view number
        self._stale: dict[datetime.date, Finding | None] = {}
        self._by_diagnoses: dict[tuple[Any, ...], tuple[Finding, ...]] = {}
        self._years: dict[datetime.date, object] = {}
        self._code_facts: dict[str, CodeFacts] = {}
        self._pointed: dict[tuple[int, str], tuple[Finding, ...]] = {}
        self._mismatches: dict[tuple[str, int, int], Finding] = {}

    def run(self, events: Iterable[Group | Rejected]) -> Iterator[Batch]:
        """The findings of *events*, one :class:`Batch` per :attr:`batch_claims` claims."""
        pending: list[Group | Rejected] = []
        claims = 0
        try:
            for event in events:
                pending.append(event)
                if isinstance(event, Group):
                    claims += 1
                    if claims >= self.batch_claims:
                        yield self.batch(pending)
                        pending, claims = [], 0
        except Exception:
            # A file that turns unreadable part-way: what was read before is still reported,
            # as the per-claim engine reports it.
            if pending:
                yield self.batch(pending)
            raise
        if pending:
            yield self.batch(pending)

    def batch(self, events: list[Group | Rejected]) -> Batch:
        """The findings of one batch of events, in the per-claim engine's order."""
        groups = [event for event in events if isinstance(event, Group)]
        lines = self._lines(groups)
        numbers = Numbers()
        found = [self._line_findings(lines.frame, numbers)]
        if self.parts.stale is not None:
            found.append(self._stale_findings(lines, numbers))
        if self.parts.by_diagnoses:
            found.append(self._diagnosis_findings(groups, lines, numbers))
        if self.parts.claim_rules:
            found.append(self._claim_findings(groups, lines, numbers))
        frame = ordered(events, groups, lines.frame, pl.concat(found), numbers)
        of_claims = frame.filter(pl.col("_claim") >= 0)
        severities = dict.fromkeys(SEVERITY_RANK, 0)
        severities.update(of_claims["severity"].value_counts().iter_rows())
        errors = of_claims.filter(pl.col("severity") == "error")["_claim"].n_unique()
        return Batch(frame.select(list(SCHEMA)), len(groups), errors, severities)

    def _lines(self, groups: list[Group]) -> Lines:
        """The lines of the batch, judging the line views not seen yet."""
        if len(self._judged) > VIEW_LIMIT:
            # Memory stays bounded: the views are numbered afresh (and judged again).
            self._views.clear()
            self._judged.clear()
            self._view_of.clear()
        claims: list[int] = []
        indexes: list[int] = []
        rows: list[int] = []
        views: list[int] = []
        dated: list[int] = []
        numbered: dict[datetime.date, int] = {}
        days: list[int | frozenset[int]] = []
        claim_days: list[int] = []  # each line's (claim, date) number
        next_day = 0
        for number, group in enumerate(groups):
            claim = group.claim
            claim_views = self._views_of(claim)
            count = len(claim_views)
            claims.extend([number] * count)
            indexes.extend(range(count))
            rows.extend(group.rows)
            views.extend(claim_views)
            on_days = [
                numbered.setdefault(line.date_of_service, len(numbered)) for line in claim.lines
            ]
            dated.extend(on_days)
            first = on_days[0]
            if all(day == first for day in on_days):
                days.append(first)
                claim_days.extend([next_day] * count)
                next_day += 1
            else:
                days.append(frozenset(on_days))
                local: dict[int, int] = {}
                claim_days.extend(local.setdefault(day, next_day + len(local)) for day in on_days)
                next_day += len(local)
        frame = pl.DataFrame(
            {
                "_claim": claims, "_line": indexes, "row": rows, "_view": views, "_date": dated,
                "_day": claim_days,
            },
            schema=dict.fromkeys(("_claim", "_line", "row", "_view", "_date", "_day"), INT),
        )  # fmt: skip
        return Lines(frame, list(numbered), days)

    # -- line rules: one judgement per distinct view --------------------------------------

    def _line_findings(self, lines: pl.DataFrame, numbers: Numbers) -> pl.DataFrame:
        rules = self.parts.line_rules
        table: dict[str, list[int]] = {"_view": [], "_position": [], "_k": [], "_finding": []}
        for view in lines["_view"].unique().sort():
            for k, (position, finding) in enumerate(self._judged[view]):
                table["_view"].append(view)
                table["_position"].append(position)
                table["_k"].append(k)
                # Numbered by value: a claim-level finding of one rule position that two
                # lines' views both give is reported once.
                table["_finding"].append(numbers.of(finding))
        per_view = pl.DataFrame(table, schema=dict.fromkeys(table, INT))
        claim_level = pl.DataFrame(
            {
                "_finding": range(len(numbers)),
                "_claim_level": [finding.line is None for finding in numbers],
            },
            schema={"_finding": INT, "_claim_level": pl.Boolean},
        )
        joined = (
            lines.select("_claim", "_line", "_view")
            .join(per_view, on="_view", how="inner", maintain_order="left")
            .join(claim_level, on="_finding", how="left", maintain_order="left")
        )
        return joined.filter(
            ~pl.col("_claim_level")
            | pl.struct("_claim", "_position", "_finding").is_first_distinct()
        ).select(
            "_claim",
            pl.when(pl.col("_claim_level")).then(None).otherwise(pl.col("_line")).alias("_line"),
            "_finding",
            pl.lit(0, INT).alias("_part"),
            # The per-claim engine's order: line by line, rule position, then finding.
            (
                (pl.col("_line") * (len(rules) + 1) + pl.col("_position")) * 1024 + pl.col("_k")
            ).alias("_order"),
        )

    def _views_of(self, claim: Claim) -> list[int]:
        """The view number of each line of *claim* (judging the views not seen yet)."""
        context = self.checker.context
        claim_place = claim.place_of_service
        diagnoses = len(claim.diagnoses)
        on = context.on
        period = context.period
        known = self._views
        numbers = []
        for line in claim.lines:
            place = line.place_of_service
            own = place is not None
            if place is None:
                place = claim_place
            day = period(line.date_of_service if on is None else on)
            key = (
                line.code.value,
                tuple(m.value for m in line.modifiers),
                line.units,
                line.minutes,
                line.diagnosis_pointers,
                None if place is None else place.value,
                own,
                diagnoses,
                day,
            )
            number = known.get(key)
            if number is None:
                view = LineView(
                    line.code,
                    line.modifiers,
                    line.units,
                    line.minutes,
                    line.diagnosis_pointers,
                    place,
                    own,
                    diagnoses,
                    day,
                )
                number = known[key] = len(self._judged)
                self._judged.append(_judge(self.parts.line_rules, view, self.checker))
                self._view_of.append(view)
            numbers.append(number)
        return numbers

    # -- data-stale: one judgement per distinct date ---------------------------------------

    def _stale_findings(self, lines: Lines, numbers: Numbers) -> pl.DataFrame:
        by_date = []
        for day in lines.dates:
            finding = self._stale_finding(day)
            by_date.append(-1 if finding is None else numbers.of(finding))
        stale = pl.DataFrame(
            {"_date": range(len(by_date)), "_finding": by_date},
            schema={"_date": INT, "_finding": INT},
        ).filter(pl.col("_finding") >= 0)
        return (
            lines.frame.select("_claim", "_line", "_date")
            .join(stale, on="_date", how="inner", maintain_order="left")
            .unique("_claim", keep="first", maintain_order=True)
            .select("_claim", "_line", "_finding", _part=pl.lit(1, INT), _order=pl.lit(0, INT))
        )

    def _stale_finding(self, day: datetime.date) -> Finding | None:
        if day not in self._stale:
            rule = self.parts.stale
            assert rule is not None  # only called when the set has it
            line = ClaimLine(code="97110", units=1, date_of_service=day)
            found = list(rule(Claim(lines=[line], diagnoses=["M54.50"]), self.checker.context))
            return keep(self._stale, day, found[0] if found else None)
        return self._stale[day]

    # -- the diagnosis rules: once per distinct (diagnoses, fiscal years) --------------------

    def _diagnosis_findings(
        self, groups: list[Group], lines: Lines, numbers: Numbers
    ) -> pl.DataFrame:
        rules = self.parts.by_diagnoses
        context = self.checker.context
        # The rules read a claim's days only as the ICD-10-CM list each is judged by.
        judged_year = context.catalog.diagnoses().judged_year
        years = self._years
        of_date = []
        for day in lines.dates:
            year = years.get(day)
            if year is None:
                year = keep(years, day, judged_year(context.day(day)))
            of_date.append(year)
        memo = self._by_diagnoses
        table: dict[str, list[int | None]] = {name: [] for name in FOUND}
        for number, group in enumerate(groups):
            claim = group.claim
            days = lines.days[number]
            key = (
                tuple(d.value for d in claim.diagnoses),
                frozenset((of_date[days],))
                if isinstance(days, int)
                else frozenset(of_date[day] for day in days),
            )
            hit = memo.get(key)
            if hit is None:
                hit = keep(memo, key, tuple(f for rule in rules for f in rule(claim, context)))
            for order, finding in enumerate(hit):
                table["_claim"].append(number)
                table["_line"].append(finding.line)
                table["_finding"].append(numbers.of(finding))
                table["_order"].append(order)
        table["_part"] = [1] * len(table["_claim"])
        return pl.DataFrame(table, schema=FOUND)

    # -- every other rule: on the claims a filter picks, or on every claim ------------------

    def _claim_findings(self, groups: list[Group], lines: Lines, numbers: Numbers) -> pl.DataFrame:
        context = self.checker.context
        table: dict[str, list[int | None]] = {name: [] for name in FOUND}
        facts = None
        joined = []
        for position, rule, how in self.parts.claim_rules:
            start = position << _K_BITS
            if how == "every":
                chosen: Iterable[int] = range(len(groups))
            else:
                if facts is None:
                    facts = line_facts(lines, self._view_of, self._facts_of)
                if how == "pointers":
                    joined.append(
                        pointer_findings(
                            rule, start, facts, groups, numbers, context, self._pointed
                        )
                    )
                    continue
                if how == "minutes":
                    chosen = minutes_findings(
                        rule, start, facts, numbers, table, context, self._mismatches
                    )
                else:
                    chosen = candidates(how, facts, lines, context)
            for number in chosen:
                for k, finding in enumerate(rule(groups[number].claim, context)):
                    table["_claim"].append(number)
                    table["_line"].append(finding.line)
                    table["_finding"].append(numbers.of(finding))
                    table["_order"].append(start + k)
        table["_part"] = [2] * len(table["_claim"])
        return pl.concat([pl.DataFrame(table, schema=FOUND), *joined])

    def _facts_of(self, code: Code) -> CodeFacts:
        found = self._code_facts.get(code.value)
        if found is None:
            found = keep(self._code_facts, code.value, code_facts(code, self.checker.context))
        return found


def _judge(
    rules: tuple[LineRule, ...], view: LineView, checker: Checker
) -> tuple[tuple[int, Finding], ...]:
    context = checker.context
    return tuple(
        (position, finding)
        for position, rule in enumerate(rules)
        for finding in rule.check_line(0, view, context)
    )
