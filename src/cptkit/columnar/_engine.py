# SPDX-License-Identifier: MIT
"""The columnar engine: the events of a reading, in batches of claims, to frames of findings.

Each batch is judged in three parts, then put in the per-claim engine's order:

1. the line rules, once per distinct line view of the run (the views are numbered as the lines
   are read; a view seen in an earlier batch is not judged again), their findings joined onto
   the lines by view number; a claim-level finding is kept once per claim and rule position;
2. ``data-stale``, once per distinct date, keeping the first stale line of each claim;
3. every other rule through the per-claim engine, on every claim (:func:`._forms.split`).

The order is the per-claim engine's (:meth:`Finding.sort_key`, then the order the findings
were made in), and the rows come out in the order of the reading's events, with the rejected
rows and the ``claim-rows-not-adjacent`` warnings of ``cptkit check`` among them.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Iterator
from typing import Any, NamedTuple

import polars as pl

from .._cache import keep
from ..claims import Claim, ClaimLine
from ..files import Group, Rejected
from ..validation import Checker, Finding, LineRule, LineView
from ._forms import Split, split

__all__ = ["BATCH_CLAIMS", "SCHEMA", "Batch", "Engine"]

BATCH_CLAIMS = 50_000
"""Claims judged together: memory holds one batch of lines and findings at a time."""

SCHEMA: dict[str, Any] = {
    "claim_id": pl.String,
    "line": pl.Int64,
    "rule": pl.String,
    "severity": pl.String,
    "field": pl.String,
    "message": pl.String,
    "carc": pl.String,
    "suggestion": pl.String,
    "file": pl.String,
    "row": pl.Int64,
}
"""The columns of a findings frame: ``line`` is 1-based within the claim (null for the claim
as a whole), ``row`` the file's row of the line (of the claim's first line when ``line`` is
null)."""

_SEVERITY_RANK = {"error": 0, "warning": 1, "info": 2}
_VIEW_LIMIT = 1 << 20  # distinct views judged and kept per run (more are judged again)
_ROWS_NOT_ADJACENT = (
    "this claim's key appeared earlier in the file, apart from these rows; they were"
    " checked as a claim of their own"
)
_SORT_ROWS = "sort the file so that each claim's rows are together"

# One finding as it is gathered: batch claim number, line (0-based, None for the claim),
# the finding, and its place in the order findings are made in (part, then position).
_Found = tuple[int, int | None, Finding, int, int]


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
        self._stale: dict[datetime.date, Finding | None] = {}

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
        found: list[_Found] = []
        found.extend(self._line_findings(groups))
        if self.parts.stale is not None:
            found.extend(self._stale_findings(groups))
        if self.parts.rest is not None:
            rest = self.parts.rest
            rules, context = rest.rules, rest.context
            for number, group in enumerate(groups):
                for order, finding in enumerate(rules(group.claim, context)):
                    found.append((number, finding.line, finding, 2, order))
        frame = _frame(events, groups, found)
        of_claims = frame.filter(pl.col("_claim") >= 0)
        severities = dict.fromkeys(_SEVERITY_RANK, 0)
        severities.update(of_claims["severity"].value_counts().iter_rows())
        errors = of_claims.filter(pl.col("severity") == "error")["_claim"].n_unique()
        return Batch(frame.select(list(SCHEMA)), len(groups), errors, severities)

    # -- line rules: one judgement per distinct view --------------------------------------

    def _line_findings(self, groups: list[Group]) -> Iterator[_Found]:
        rules = self.parts.line_rules
        if not rules:
            return
        claims: list[int] = []
        lines: list[int] = []
        views: list[int] = []
        for number, group in enumerate(groups):
            for index, view in enumerate(self._views_of(group.claim)):
                claims.append(number)
                lines.append(index)
                views.append(view)
        judged = self._judged
        # Findings are numbered by value: a claim-level finding of one rule position that
        # two lines' views both give is reported once.
        numbers: dict[Finding, int] = {}
        table: dict[str, list[int]] = {"_view": [], "_position": [], "_finding": []}
        for view in sorted(set(views)):
            for position, finding in judged[view]:
                table["_view"].append(view)
                table["_position"].append(position)
                table["_finding"].append(numbers.setdefault(finding, len(numbers)))
        findings = list(numbers)
        if not findings:
            return
        per_view = pl.DataFrame(table, schema=dict.fromkeys(table, pl.Int64))
        per_line = pl.DataFrame(
            {"_claim": claims, "_line": lines, "_view": views},
            schema={"_claim": pl.Int64, "_line": pl.Int64, "_view": pl.Int64},
        ).join(per_view, on="_view", how="inner", maintain_order="left")
        claim_level = pl.Series([findings[n].line is None for n in per_line["_finding"]])
        # A claim-level finding once per claim and rule position: at its first line.
        per_line = per_line.with_columns(_claim_level=claim_level).filter(
            ~pl.col("_claim_level")
            | pl.struct("_claim", "_position", "_finding").is_first_distinct()
        )
        for number, index, position, at in per_line.select(
            "_claim", "_line", "_position", "_finding"
        ).iter_rows():
            finding = findings[at]
            line = None if finding.line is None else index
            yield number, line, finding, 0, index * len(rules) + position

    def _views_of(self, claim: Claim) -> Iterator[int]:
        """The view number of each line of *claim* (judging the views not seen yet)."""
        context = self.checker.context
        claim_place = claim.place_of_service
        diagnoses = len(claim.diagnoses)
        on = context.on
        period = context.period
        known = self._views
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
                number = len(self._judged)
                self._judged.append(_judge(self.parts.line_rules, view, self.checker))
                if len(known) < _VIEW_LIMIT:
                    known[key] = number
            yield number

    # -- data-stale: one judgement per distinct date ---------------------------------------

    def _stale_findings(self, groups: list[Group]) -> Iterator[_Found]:
        claims: list[int] = []
        lines: list[int] = []
        dates: list[datetime.date] = []
        for number, group in enumerate(groups):
            for index, line in enumerate(group.claim.lines):
                claims.append(number)
                lines.append(index)
                dates.append(line.date_of_service)
        stale = {day: self._stale_finding(day) for day in set(dates)}
        flagged = pl.DataFrame(
            {
                "_claim": claims,
                "_line": lines,
                "_stale": [stale[day] is not None for day in dates],
                "_at": range(len(dates)),
            },
            schema={"_claim": pl.Int64, "_line": pl.Int64, "_stale": pl.Boolean, "_at": pl.Int64},
        )
        first = flagged.filter(pl.col("_stale")).unique("_claim", keep="first", maintain_order=True)
        for number, index, at in first.select("_claim", "_line", "_at").iter_rows():
            finding = stale[dates[at]]
            assert finding is not None  # filtered above
            yield number, index, finding, 1, 0

    def _stale_finding(self, day: datetime.date) -> Finding | None:
        if day not in self._stale:
            rule = self.parts.stale
            assert rule is not None  # only called when the set has it
            line = ClaimLine(code="97110", units=1, date_of_service=day)
            probe = Claim(lines=[line], diagnoses=["M54.50"])
            found = list(rule(probe, self.checker.context))
            keep(self._stale, day, found[0] if found else None)
            return found[0] if found else None
        return self._stale[day]


def _judge(
    rules: tuple[LineRule, ...], view: LineView, checker: Checker
) -> tuple[tuple[int, Finding], ...]:
    context = checker.context
    return tuple(
        (position, finding)
        for position, rule in enumerate(rules)
        for finding in rule.check_line(0, view, context)
    )


def _frame(
    events: list[Group | Rejected], groups: list[Group], found: list[_Found]
) -> pl.DataFrame:
    """The findings of a batch as a frame in the per-claim engine's order, with the rejected
    rows and split warnings of ``cptkit check`` in the order of the events."""
    seq_of_group: list[int] = []
    records: dict[str, list[Any]] = {name: [] for name in (*SCHEMA, "_seq", "_claim", "_key")}

    def add(seq: int, claim: int, key: tuple[Any, ...], values: tuple[object, ...]) -> None:
        for name, value in zip(SCHEMA, values, strict=True):
            records[name].append(value)
        records["_seq"].append(seq)
        records["_claim"].append(claim)
        records["_key"].append(key)

    for seq, event in enumerate(events):
        if isinstance(event, Rejected):
            values: tuple[object, ...] = (
                event.claim_id,
                None,
                "row-rejected",
                "error",
                event.field,
                event.reason,
                None,
                None,
                event.file,
                event.row,
            )
            add(seq, -1, (), values)
            continue
        number = len(seq_of_group)
        seq_of_group.append(seq)
        if event.split:
            values = (
                event.claim.claim_id,
                None,
                "claim-rows-not-adjacent",
                "warning",
                "claim_id",
                _ROWS_NOT_ADJACENT,
                None,
                _SORT_ROWS,
                event.file,
                event.rows[0],
            )
            add(seq, number, (-2,), values)
    for number, line, finding, part, order in found:
        group = groups[number]
        severity = finding.severity.value
        values = (
            group.claim.claim_id,
            None if line is None else line + 1,
            finding.rule,
            severity,
            finding.field,
            finding.message,
            finding.carc,
            finding.suggestion,
            group.file,
            group.rows[0 if line is None else line],
        )
        key = (
            -1 if line is None else line,
            finding.rule,
            _SEVERITY_RANK[severity],
            finding.message,
            part,
            order,
        )
        add(seq_of_group[number], number, key, values)
    seqs, keys = records["_seq"], records["_key"]
    ranked = sorted(range(len(seqs)), key=lambda n: (seqs[n], keys[n]))
    schema = {**SCHEMA, "_seq": pl.Int64, "_claim": pl.Int64}
    return pl.DataFrame(
        {name: [records[name][n] for n in ranked] for name in schema}, schema=schema
    )
