# SPDX-License-Identifier: MIT
"""The columnar engine: the events of a reading, in batches of claims, to frames of findings.

A batch becomes a frame of claims and a frame of lines (each line with its row and the number
of its line view), and is judged in three parts:

1. the line rules, once per distinct line view of the run (a view seen in an earlier batch is
   not judged again), their findings joined onto the lines by view number; a claim-level
   finding is kept once per claim and rule position;
2. ``data-stale``, once per distinct date, keeping the first stale line of each claim; the
   diagnosis rules once per distinct (diagnoses, days);
3. every other rule through the per-claim engine, on every claim (:func:`._forms.split`).

Each distinct finding is numbered and its fields joined on at the end; the rows are sorted in
the per-claim engine's order (:meth:`Finding.sort_key`, then the order findings are made in)
within the order of the reading's events, with the rejected rows and the
``claim-rows-not-adjacent`` warnings of ``cptkit check`` among them.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Iterator
from typing import Any, NamedTuple

import polars as pl

from .._cache import keep
from ..claims import Claim, ClaimLine
from ..files import Group, Rejected
from ..validation import Checker, Finding, LineRule, LineView
from ._forms import Split, split

__all__ = ["BATCH_CLAIMS", "SCHEMA", "VIEW_LIMIT", "Batch", "Engine"]

BATCH_CLAIMS = 50_000
"""Claims judged together: memory holds one batch of lines and findings at a time."""

SCHEMA: dict[str, Any] = {
    "claim_id": pl.String,
    "line_number": pl.Int64,
    "rule": pl.String,
    "severity": pl.String,
    "field": pl.String,
    "message": pl.String,
    "carc": pl.String,
    "suggestion": pl.String,
    "file": pl.String,
    "row": pl.Int64,
}
"""The columns of a findings frame: ``line_number`` is 1-based within the claim, as on a
CMS-1500 (null for the claim as a whole), ``row`` the file's row of the line (of the claim's
first line when ``line_number`` is null)."""

_SEVERITY_RANK = {"error": 0, "warning": 1, "info": 2}
VIEW_LIMIT = 1 << 18
"""Distinct line views kept between batches; past it, the next batch starts afresh."""
_ROWS_NOT_ADJACENT = (
    "this claim's key appeared earlier in the file, apart from these rows; they were"
    " checked as a claim of their own"
)
_SORT_ROWS = "sort the file so that each claim's rows are together"
_INT = pl.Int64
# Where a finding is: batch claim, line (0-based; null for the claim), finding number, part
# (0 line rules, 1 data-stale, 2 per claim) and order within the part.
_FOUND = {"_claim": _INT, "_line": _INT, "_finding": _INT, "_part": _INT, "_order": _INT}


class Batch(NamedTuple):
    """The findings of one batch of events, and what it read."""

    findings: pl.DataFrame
    claims: int
    claims_with_errors: int
    severities: dict[str, int]
    """Findings by severity (of the claims: rejected rows are not counted)."""


class _Numbers(dict[Finding, int]):
    """Distinct findings, numbered in the order they are met."""

    def of(self, finding: Finding) -> int:
        return self.setdefault(finding, len(self))


class Engine:
    """Judges batches of events with the rules of one :class:`Checker` (one per run)."""

    def __init__(self, checker: Checker, *, batch_claims: int = BATCH_CLAIMS) -> None:
        self.checker = checker
        self.parts: Split = split(checker)
        self.batch_claims = batch_claims
        self._views: dict[tuple[Any, ...], int] = {}
        self._judged: list[tuple[tuple[int, Finding], ...]] = []
        self._stale: dict[datetime.date, Finding | None] = {}
        self._by_diagnoses: dict[tuple[Any, ...], tuple[Finding, ...]] = {}

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
        numbers = _Numbers()
        found = [self._line_findings(lines, numbers)]
        if self.parts.stale is not None:
            found.append(self._stale_findings(groups, lines, numbers))
        if self.parts.by_diagnoses:
            found.append(self._diagnosis_findings(groups, numbers))
        if self.parts.rest is not None:
            found.append(self._rest_findings(groups, numbers))
        frame = _ordered(events, groups, lines, pl.concat(found), numbers)
        of_claims = frame.filter(pl.col("_claim") >= 0)
        severities = dict.fromkeys(_SEVERITY_RANK, 0)
        severities.update(of_claims["severity"].value_counts().iter_rows())
        errors = of_claims.filter(pl.col("severity") == "error")["_claim"].n_unique()
        return Batch(frame.select(list(SCHEMA)), len(groups), errors, severities)

    def _lines(self, groups: list[Group]) -> pl.DataFrame:
        """One row per line of the batch: its claim, index, file row and view number."""
        if len(self._judged) > VIEW_LIMIT:
            # Memory stays bounded: the views are numbered afresh (and judged again).
            self._views.clear()
            self._judged.clear()
        claims: list[int] = []
        indexes: list[int] = []
        rows: list[int] = []
        views: list[int] = []
        for number, group in enumerate(groups):
            claim_views = self._views_of(group.claim)
            claims.extend([number] * len(claim_views))
            indexes.extend(range(len(claim_views)))
            rows.extend(group.rows)
            views.extend(claim_views)
        return pl.DataFrame(
            {"_claim": claims, "_line": indexes, "row": rows, "_view": views},
            schema=dict.fromkeys(("_claim", "_line", "row", "_view"), _INT),
        )

    # -- line rules: one judgement per distinct view --------------------------------------

    def _line_findings(self, lines: pl.DataFrame, numbers: _Numbers) -> pl.DataFrame:
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
        per_view = pl.DataFrame(table, schema=dict.fromkeys(table, _INT))
        claim_level = pl.DataFrame(
            {
                "_finding": range(len(numbers)),
                "_claim_level": [finding.line is None for finding in numbers],
            },
            schema={"_finding": _INT, "_claim_level": pl.Boolean},
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
            pl.lit(0, _INT).alias("_part"),
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
            numbers.append(number)
        return numbers

    # -- data-stale: one judgement per distinct date ---------------------------------------

    def _stale_findings(
        self, groups: list[Group], lines: pl.DataFrame, numbers: _Numbers
    ) -> pl.DataFrame:
        dates = [line.date_of_service for group in groups for line in group.claim.lines]
        by_date = {}
        for day in set(dates):
            finding = self._stale_finding(day)
            by_date[day] = -1 if finding is None else numbers.of(finding)
        return (
            lines.select("_claim", "_line")
            .with_columns(_finding=pl.Series([by_date[day] for day in dates], dtype=_INT))
            .filter(pl.col("_finding") >= 0)
            .unique("_claim", keep="first", maintain_order=True)
            .with_columns(_part=pl.lit(1, _INT), _order=pl.lit(0, _INT))
        )

    def _stale_finding(self, day: datetime.date) -> Finding | None:
        if day not in self._stale:
            rule = self.parts.stale
            assert rule is not None  # only called when the set has it
            line = ClaimLine(code="97110", units=1, date_of_service=day)
            found = list(rule(Claim(lines=[line], diagnoses=["M54.50"]), self.checker.context))
            return keep(self._stale, day, found[0] if found else None)
        return self._stale[day]

    # -- the diagnosis rules: once per distinct (diagnoses, days) ---------------------------

    def _diagnosis_findings(self, groups: list[Group], numbers: _Numbers) -> pl.DataFrame:
        rules = self.parts.by_diagnoses
        context = self.checker.context
        day = context.day
        memo = self._by_diagnoses

        def found(claim: Claim) -> tuple[Finding, ...]:
            key = (
                tuple(d.value for d in claim.diagnoses),
                frozenset(day(line.date_of_service) for line in claim.lines),
            )
            hit = memo.get(key)
            if hit is None:
                hit = keep(memo, key, tuple(f for rule in rules for f in rule(claim, context)))
            return hit

        return _gathered(groups, found, 1, numbers)

    # -- every other rule: the per-claim engine on every claim -----------------------------

    def _rest_findings(self, groups: list[Group], numbers: _Numbers) -> pl.DataFrame:
        rest = self.parts.rest
        assert rest is not None  # only called when the set has such rules
        rules, context = rest.rules, rest.context
        return _gathered(groups, lambda claim: rules(claim, context), 2, numbers)


def _gathered(
    groups: list[Group],
    found: Callable[[Claim], Iterable[Finding]],
    part: int,
    numbers: _Numbers,
) -> pl.DataFrame:
    """The findings *found* gives for each claim, in the order given, as rows of part *part*."""
    table: dict[str, list[int | None]] = {name: [] for name in _FOUND}
    for number, group in enumerate(groups):
        for order, finding in enumerate(found(group.claim)):
            table["_claim"].append(number)
            table["_line"].append(finding.line)
            table["_finding"].append(numbers.of(finding))
            table["_order"].append(order)
    table["_part"] = [part] * len(table["_claim"])
    return pl.DataFrame(table, schema=_FOUND)


def _judge(
    rules: tuple[LineRule, ...], view: LineView, checker: Checker
) -> tuple[tuple[int, Finding], ...]:
    context = checker.context
    return tuple(
        (position, finding)
        for position, rule in enumerate(rules)
        for finding in rule.check_line(0, view, context)
    )


def _ordered(
    events: list[Group | Rejected],
    groups: list[Group],
    lines: pl.DataFrame,
    found: pl.DataFrame,
    numbers: _Numbers,
) -> pl.DataFrame:
    """The findings of a batch with their fields, claims and rows, in the per-claim engine's
    order, with the rejected rows and split warnings of ``cptkit check`` among them."""
    findings = pl.DataFrame(
        {
            "_finding": range(len(numbers)),
            "rule": [f.rule for f in numbers],
            "severity": [f.severity.value for f in numbers],
            "field": [f.field for f in numbers],
            "message": [f.message for f in numbers],
            "carc": [f.carc for f in numbers],
            "suggestion": [f.suggestion for f in numbers],
        },
        schema={"_finding": _INT, **dict.fromkeys(list(SCHEMA)[2:8], pl.String)},
    )
    seqs = [seq for seq, event in enumerate(events) if isinstance(event, Group)]
    claims = pl.DataFrame(
        {
            "_claim": range(len(groups)),
            "_seq": seqs,
            "claim_id": [group.claim.claim_id for group in groups],
            "file": [group.file for group in groups],
        },
        schema={"_claim": _INT, "_seq": _INT, "claim_id": pl.String, "file": pl.String},
    )
    judged = (
        found.join(findings, on="_finding", how="left")
        .join(claims, on="_claim", how="left")
        .with_columns(_at=pl.col("_line").fill_null(0))
        .join(
            lines.select("_claim", pl.col("_line").alias("_at"), "row"),
            on=["_claim", "_at"],
            how="left",
        )
        .select(
            *list(SCHEMA)[:1],
            (pl.col("_line") + 1).alias("line_number"),
            *list(SCHEMA)[2:],
            "_seq",
            "_claim",
            pl.col("_line").fill_null(-1).alias("_key"),
            "_part",
            "_order",
        )
    )
    return pl.concat([judged, _notices(events, seqs)]).sort(
        "_seq", "_key", "rule", pl.col("severity").replace_strict(_SEVERITY_RANK), "message",
        "_part", "_order",
    )  # fmt: skip


def _notices(events: list[Group | Rejected], seqs: list[int]) -> pl.DataFrame:
    """The rejected rows and the split warnings of a batch, as ``cptkit check`` reports them."""
    rows: list[tuple[Any, ...]] = []
    claim_of = {seq: number for number, seq in enumerate(seqs)}
    for seq, event in enumerate(events):
        if isinstance(event, Rejected):
            rows.append(
                (event.claim_id, None, "row-rejected", "error", event.field, event.reason,
                 None, None, event.file, event.row, seq, -1, -3)
            )  # fmt: skip
        elif event.split:
            rows.append(
                (event.claim.claim_id, None, "claim-rows-not-adjacent", "warning", "claim_id",
                 _ROWS_NOT_ADJACENT, None, _SORT_ROWS, event.file, event.rows[0], seq,
                 claim_of[seq], -2)
            )  # fmt: skip
    schema = {**SCHEMA, "_seq": _INT, "_claim": _INT, "_key": _INT}
    return pl.DataFrame(rows, schema=schema, orient="row").with_columns(
        _part=pl.lit(0, _INT), _order=pl.lit(0, _INT)
    )
