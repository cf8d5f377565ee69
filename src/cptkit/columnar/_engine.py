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
3. the other rules: ``units-minutes-mismatch`` as expressions over the lines (claims it cannot
   express go through the rule), ``diagnosis-not-pointed`` once per distinct (diagnoses,
   pointers), and the rest by their own code, on the claims a polars filter over the lines
   picks (the others cannot give a finding) or on every claim.

Each distinct finding is numbered and its fields joined on at the end; the rows are sorted in
the per-claim engine's order (:meth:`Finding.sort_key`, then the order findings are made in)
within the order of the reading's events, with the rejected rows and the
``claim-rows-not-adjacent`` warnings of ``cptkit check`` among them.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Iterator
from typing import Any, NamedTuple

import polars as pl

from .. import _pfs_status
from .._cache import keep
from ..claims import Claim, ClaimLine
from ..codes import Code
from ..files import Group, Rejected
from ..records import PTPEdit, Timing
from ..units._rules import CMS_UNIT
from ..validation import Checker, Finding, LineRule, LineView
from ..validation.rules.pairs import ONCE_PER_PRIMARY
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
# (0 line rules, 1 data-stale and the diagnosis rules, 2 the other claim rules) and order
# within the part (for the claim rules: the rule's position, then the order it gave them in).
_FOUND = {"_claim": _INT, "_line": _INT, "_finding": _INT, "_part": _INT, "_order": _INT}
_K_BITS = 24
_ONCE = frozenset({Timing.UNTIMED, Timing.BAND})
_DISCIPLINES = {"GP": 1, "GO": 2, "GN": 3}  # the therapy discipline modifiers, numbered
_CMS_FIRST = 8  # minutes of the 8-minute rule's first unit
# What the claim rules' forms read of a line view.
_VIEW_FACTS: dict[str, Any] = {
    "_view": _INT, "code": pl.String, "units": _INT, "minutes": _INT, "_mark": _INT,
    "_diagnoses": _INT, "_pointers": pl.String, "_timed": _INT, "_unit": _INT,
    "_pooled": pl.Boolean, "_code": _INT,
}  # fmt: skip


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


class _Lines(NamedTuple):
    """The lines of a batch: one row per line (its claim, index, file row, view number, date
    number and number of its claim and date), the dates by number, and per claim its dates."""

    frame: pl.DataFrame
    dates: list[datetime.date]
    days: list[int | frozenset[int]]
    """Per claim, its date number, or the set of them when its lines have several."""


class _CodeFacts(NamedTuple):
    """What the claim rules' forms read of one code."""

    code: Code
    unpaid: bool
    """A code with a PFS status Medicare does not pay on some date (``code-not-payable``)."""
    once: bool
    """One unit per session: untimed or time-band, not an add-on (``untimed-multiple-units``)."""
    partners: frozenset[str]
    """The codes it has NCCI rows with (``ncci-ptp``)."""
    addon: bool
    """An add-on (``addon-without-primary``: its primaries may depend on the date)."""
    once_per_primary: bool
    """An add-on reported once per primary service (``addon-units-exceed-primary``)."""
    timed: int
    """0 not timed, 1 a plain timed code, 2 a ladder (``units-minutes-mismatch``)."""
    unit: int
    """The minutes of its unit (15 when the record has none)."""
    pooled: bool
    """One of the 15-minute codes the 8-minute rule pools."""


class _Facts(NamedTuple):
    """The batch's lines with what the claim rules' forms read of them (codes by number)."""

    frame: pl.DataFrame
    codes: dict[str, _CodeFacts]
    """The batch's codes, in the order of their numbers (column ``_code``)."""


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
        self._code_facts: dict[str, _CodeFacts] = {}
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
        numbers = _Numbers()
        found = [self._line_findings(lines.frame, numbers)]
        if self.parts.stale is not None:
            found.append(self._stale_findings(lines, numbers))
        if self.parts.by_diagnoses:
            found.append(self._diagnosis_findings(groups, lines, numbers))
        if self.parts.claim_rules:
            found.append(self._claim_findings(groups, lines, numbers))
        frame = _ordered(events, groups, lines.frame, pl.concat(found), numbers)
        of_claims = frame.filter(pl.col("_claim") >= 0)
        severities = dict.fromkeys(_SEVERITY_RANK, 0)
        severities.update(of_claims["severity"].value_counts().iter_rows())
        errors = of_claims.filter(pl.col("severity") == "error")["_claim"].n_unique()
        return Batch(frame.select(list(SCHEMA)), len(groups), errors, severities)

    def _lines(self, groups: list[Group]) -> _Lines:
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
            schema=dict.fromkeys(("_claim", "_line", "row", "_view", "_date", "_day"), _INT),
        )  # fmt: skip
        return _Lines(frame, list(numbered), days)

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
                self._view_of.append(view)
            numbers.append(number)
        return numbers

    # -- data-stale: one judgement per distinct date ---------------------------------------

    def _stale_findings(self, lines: _Lines, numbers: _Numbers) -> pl.DataFrame:
        by_date = []
        for day in lines.dates:
            finding = self._stale_finding(day)
            by_date.append(-1 if finding is None else numbers.of(finding))
        stale = pl.DataFrame(
            {"_date": range(len(by_date)), "_finding": by_date},
            schema={"_date": _INT, "_finding": _INT},
        ).filter(pl.col("_finding") >= 0)
        return (
            lines.frame.select("_claim", "_line", "_date")
            .join(stale, on="_date", how="inner", maintain_order="left")
            .unique("_claim", keep="first", maintain_order=True)
            .select("_claim", "_line", "_finding", _part=pl.lit(1, _INT), _order=pl.lit(0, _INT))
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
        self, groups: list[Group], lines: _Lines, numbers: _Numbers
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
        table: dict[str, list[int | None]] = {name: [] for name in _FOUND}
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
        return pl.DataFrame(table, schema=_FOUND)

    # -- every other rule: on the claims a filter picks, or on every claim ------------------

    def _claim_findings(
        self, groups: list[Group], lines: _Lines, numbers: _Numbers
    ) -> pl.DataFrame:
        context = self.checker.context
        table: dict[str, list[int | None]] = {name: [] for name in _FOUND}
        facts = None
        joined = []
        for position, rule, how in self.parts.claim_rules:
            start = position << _K_BITS
            if how == "every":
                chosen: Iterable[int] = range(len(groups))
            else:
                if facts is None:
                    facts = self._line_facts(lines)
                if how == "pointers":
                    joined.append(self._pointer_findings(rule, start, facts, groups, numbers))
                    continue
                if how == "minutes":
                    chosen = self._minutes_findings(rule, start, facts, numbers, table)
                else:
                    chosen = self._candidates(how, facts, lines)
            for number in chosen:
                for k, finding in enumerate(rule(groups[number].claim, context)):
                    table["_claim"].append(number)
                    table["_line"].append(finding.line)
                    table["_finding"].append(numbers.of(finding))
                    table["_order"].append(start + k)
        table["_part"] = [2] * len(table["_claim"])
        return pl.concat([pl.DataFrame(table, schema=_FOUND), *joined])

    def _line_facts(self, lines: _Lines) -> _Facts:
        """The batch's lines with what the claim rules' forms read of their views."""
        views = lines.frame["_view"].unique().to_list()
        columns: dict[str, list[Any]] = {name: [] for name in _VIEW_FACTS}
        codes: dict[str, _CodeFacts] = {}
        numbered: dict[str, int] = {}  # the codes' numbers: their order in *codes*
        for number in views:
            view = self._view_of[number]
            text = view.code.value
            facts = codes.get(text)
            if facts is None:
                facts = codes[text] = self._facts_of(view.code)
                numbered[text] = len(numbered)
            mark = 0
            for modifier in view.modifiers:
                mark = _DISCIPLINES.get(modifier.value, 0)
                if mark:
                    break
            for name, value in zip(
                _VIEW_FACTS,
                (
                    number, text, view.units, view.minutes, mark, view.diagnoses,
                    ",".join(map(str, sorted(set(view.diagnosis_pointers)))),
                    facts.timed, facts.unit, facts.pooled, numbered[text],
                ),
                strict=True,
            ):  # fmt: skip
                columns[name].append(value)
        table = pl.DataFrame(columns, schema=_VIEW_FACTS)
        frame = lines.frame.select("_claim", "_line", "_view", "_date", "_day").join(
            table, on="_view", how="left", maintain_order="left"
        )
        # One integer per (claim, date, code): fewer codes than lines, so it fits.
        frame = frame.with_columns(_same=pl.col("_day") * len(codes) + pl.col("_code"))
        return _Facts(frame, codes)

    def _facts_of(self, code: Code) -> _CodeFacts:
        found = self._code_facts.get(code.value)
        if found is not None:
            return found
        context = self.checker.context
        info = context.code_info(code)
        timing = None if info is None else info.timing
        found = _CodeFacts(
            code,
            code.value in _pfs_status.unpaid_codes(),
            info is not None and not info.add_on and timing in _ONCE,
            context.ptp_partners(code),
            info is not None and info.add_on,
            code.value in ONCE_PER_PRIMARY,
            1 if timing is Timing.TIMED else 2 if timing is Timing.LADDER else 0,
            (info.unit_minutes if info is not None else None) or CMS_UNIT,
            info is not None and info.pooled,
        )
        return keep(self._code_facts, code.value, found)

    def _candidates(self, how: str, facts: _Facts, lines: _Lines) -> list[int]:
        """The claims (batch numbers, in order) on which the rule run *how* can give a
        finding; by the rule's own code it gives none on the others."""
        frame = facts.frame
        codes = list(facts.codes.values())

        def having(flag: str) -> pl.Expr:
            return pl.col("_code").is_in([n for n, code in enumerate(codes) if getattr(code, flag)])

        if how == "payable":
            # code-not-payable judges only lines whose code has a non-paid status.
            chosen = frame.filter(having("unpaid"))
        elif how == "addon":
            # addon-without-primary judges only add-ons.
            chosen = frame.filter(having("addon"))
        elif how == "per-primary":
            # addon-units-exceed-primary judges only the add-ons reported once per primary.
            chosen = frame.filter(having("once_per_primary"))
        elif how == "repeated":
            # duplicate-line compares only lines of one code and date.
            chosen = frame.filter(pl.col("_same").is_duplicated())
        elif how == "untimed":
            # untimed-multiple-units: more than one unit of a one-per-session code on a date.
            chosen = (
                frame.filter(having("once"))
                .group_by("_same")
                .agg(pl.col("_claim").first(), pl.col("units").sum())
                .filter(pl.col("units") > 1)
            )
        elif how == "mue":
            chosen = self._over_limits(facts, lines)
        else:
            chosen = self._paired(facts, lines)
        claims: list[int] = chosen["_claim"].unique().sort().to_list()
        return claims

    def _over_limits(self, facts: _Facts, lines: _Lines) -> pl.DataFrame:
        """units-exceed-mue: the (claim, code, date) whose units exceed the smaller of the
        code's MUE on the date and the payer's cap (the rule's finding needs one of them
        exceeded, by the day's units or by one line's, which are no more)."""
        context = self.checker.context
        policy = context.policy
        codes = list(facts.codes.values())
        totals = facts.frame.group_by("_same").agg(
            pl.col("_claim", "_code", "_date").first(), pl.col("units").sum()
        )
        limits: dict[str, list[Any]] = {"_code": [], "_date": [], "_limit": []}
        for number, day in totals.select("_code", "_date").unique().iter_rows():
            code = codes[number].code
            found = []
            if policy.unit_caps and (cap := policy.unit_cap(code)) is not None:
                found.append(cap)
            edit = context.mue(code, context.day(lines.dates[day]))
            if edit is not None:
                found.append(edit.units)
            limits["_code"].append(number)
            limits["_date"].append(day)
            limits["_limit"].append(min(found) if found else None)
        table = pl.DataFrame(limits, schema=dict.fromkeys(limits, _INT))
        return totals.join(table, on=["_code", "_date"], how="inner").filter(
            pl.col("units") > pl.col("_limit")
        )

    def _paired(self, facts: _Facts, lines: _Lines) -> pl.DataFrame:
        """ncci-ptp: claims with two lines of one date whose codes have an NCCI edit in force
        on that date (the rule judges only such pairs)."""
        codes = list(facts.codes.values())
        numbers = {code.code.value: number for number, code in enumerate(codes)}
        partners = [
            [numbers[partner] for partner in code.partners if partner in numbers] for code in codes
        ]
        context = self.checker.context
        edits: dict[tuple[int, int], tuple[PTPEdit, ...]] = {}
        in_force: dict[str, list[int]] = {"_code": [], "_partner": [], "_date": []}
        frame = facts.frame
        for a, day in frame.select("_code", "_date").unique().iter_rows():
            on = context.day(lines.dates[day])
            for b in partners[a]:
                rows = edits.get((a, b))
                if rows is None:
                    rows = edits[a, b] = context.catalog.ptp_edits(codes[a].code, codes[b].code)
                if any(edit.in_force_on(on) for edit in rows):
                    in_force["_code"].append(a)
                    in_force["_partner"].append(b)
                    in_force["_date"].append(day)
        table = pl.DataFrame(in_force, schema=dict.fromkeys(in_force, _INT))
        first = frame.select("_claim", "_day", "_date", "_line", "_code").join(
            table, on=["_code", "_date"]
        )
        second = frame.select(
            "_day", pl.col("_line").alias("_other"), pl.col("_code").alias("_partner")
        )
        return first.join(second, on=["_day", "_partner"]).filter(
            pl.col("_line") != pl.col("_other")
        )

    # -- diagnosis-not-pointed: once per (diagnoses, pointers used) ---------------------------

    def _pointer_findings(
        self,
        rule: Any,
        start: int,
        facts: _Facts,
        groups: list[Group],
        numbers: _Numbers,
    ) -> pl.DataFrame:
        """The rule reads the number of a claim's diagnoses and the pointers its lines use:
        it is run on the first claim of each distinct pair, and its (claim-level) findings
        given to every claim with the same."""
        keys = facts.frame.group_by("_claim").agg(
            pl.col("_diagnoses").first(),
            pl.col("_pointers").unique().sort().str.join(";").alias("_used"),
        )
        distinct = (
            keys.group_by("_diagnoses", "_used")
            .agg(pl.col("_claim").min())
            .with_columns(_key=pl.int_range(pl.len(), dtype=_INT))
        )
        memo = self._pointed
        context = self.checker.context
        table: dict[str, list[int | None]] = {"_key": [], "_line": [], "_finding": [], "_order": []}
        for diagnoses, used, number, key in distinct.iter_rows():
            found = memo.get((diagnoses, used))
            if found is None:
                found = keep(memo, (diagnoses, used), tuple(rule(groups[number].claim, context)))
            for k, finding in enumerate(found):
                table["_key"].append(key)
                table["_line"].append(finding.line)
                table["_finding"].append(numbers.of(finding))
                table["_order"].append(start + k)
        per_key = pl.DataFrame(table, schema=dict.fromkeys(table, _INT))
        return (
            keys.join(distinct.drop("_claim"), on=["_diagnoses", "_used"])
            .join(per_key, on="_key")
            .select("_claim", "_line", "_finding", pl.lit(2, _INT).alias("_part"), "_order")
        )

    # -- units-minutes-mismatch: the CMS chart and the midpoint rule as expressions -----------

    def _minutes_findings(
        self,
        rule: Any,
        start: int,
        facts: _Facts,
        numbers: _Numbers,
        table: dict[str, list[int | None]],
    ) -> list[int]:
        """The findings of the units-minutes rule for the claims whose timed codes are plain
        (no ladder) with documented minutes; the other claims with a timed code are
        returned, for the rule to run on."""
        context = self.checker.context
        unit_rule = context.policy.unit_rule
        timed = facts.frame.filter(pl.col("_timed") > 0)
        if timed.height == 0:
            return []
        if unit_rule not in ("cms", "ama"):  # pragma: no cover - the policy allows no other
            claims: list[int] = timed["_claim"].unique().sort().to_list()
            return claims
        # A line without a discipline joins the date's only one (the rule's grouping).
        marks = (
            facts.frame.filter(pl.col("_mark") > 0)
            .group_by("_day")
            .agg(pl.col("_mark").n_unique().alias("_marks"), pl.col("_mark").first().alias("_only"))
        )
        # Each timed line's group: its claim, date and discipline (0: none), as one integer.
        group = "_group"
        timed = timed.join(marks, on="_day", how="left").with_columns(
            (
                pl.col("_day") * 4
                + pl.when((pl.col("_mark") == 0) & (pl.col("_marks") == 1))
                .then(pl.col("_only"))
                .otherwise(pl.col("_mark"))
            ).alias(group)
        )
        hard = timed.filter((pl.col("_timed") == 2) | pl.col("minutes").is_null())
        width = len(facts.codes)
        codes = (
            timed.filter(~pl.col("_claim").is_in(hard["_claim"].unique().implode()))
            .group_by((pl.col(group) * width + pl.col("_code")).alias("_key"))
            .agg(
                pl.col("_claim", group, "code", "_unit", "_pooled").first(),
                pl.col("units").sum().alias("_billed"),
                pl.col("minutes").sum(),
                pl.col("_line").min(),
            )
        )
        pooled = pl.col("_pooled") & (unit_rule == "cms")
        threshold = pl.col("_unit") // 2 + 1
        midpoint = (
            pl.when(pl.col("minutes") < threshold)
            .then(0)
            .otherwise((pl.col("minutes") - threshold) // pl.col("_unit") + 1)
        )
        plain = codes.filter(~pooled).with_columns(_expected=midpoint)
        # The chart's units for the day's pooled minutes: whole 15-minute blocks first, then
        # the leftovers by leftover minutes, minutes, code (cptkit.units._rules.cms_assign).
        total = pl.col("minutes").sum().over(group)
        chart = pl.when(total < _CMS_FIRST).then(0).otherwise((total - _CMS_FIRST) // CMS_UNIT + 1)
        shared = (
            codes.filter(pooled)
            .with_columns(_base=pl.col("minutes") // CMS_UNIT, _left=pl.col("minutes") % CMS_UNIT)
            .sort(group, "_left", "minutes", "code", descending=[False, True, True, False])
            .with_columns(
                _remaining=chart - pl.col("_base").sum().over(group),
                _rank=pl.int_range(pl.len()).over(group),
            )
        )  # fmt: skip
        at = pl.col("_remaining")
        rank = pl.col("_rank")
        cut = pl.when(rank == at - 1).then(pl.col("_left")).max().over(group)
        after = pl.when(rank == at).then(pl.col("_left")).max().over(group)
        shared = shared.with_columns(
            _extra=((at > 0) & (rank < at)).cast(_INT),
            # Codes tied at the cut for the last leftover units (CMS Example 2): the units are
            # handed out again among them, first to those billed above their whole blocks
            # (cptkit.units._rules.choose), so any allowed choice passes.
            _tied=(at > 0)
            & (at < pl.len().over(group))
            & (after == cut)
            & (pl.col("_left") == cut),
        )
        priority = pl.when(pl.col("_tied")).then(
            (pl.col("_billed") <= pl.col("_base")).cast(_INT) * pl.len() + rank
        )
        shared = shared.with_columns(
            _give=pl.when(pl.col("_tied")).then(pl.col("_extra")).otherwise(0).sum().over(group),
            _place=priority.rank("ordinal").over(group) - 1,
        ).with_columns(
            _expected=pl.col("_base")
            + pl.when(pl.col("_tied"))
            .then((pl.col("_place") < pl.col("_give")).cast(_INT))
            .otherwise(pl.col("_extra"))
        )
        wrong = pl.concat(
            [
                part.select("_claim", "_line", "code", "_billed", "_expected")
                for part in (plain, shared)
            ]
        ).filter(pl.col("_billed") != pl.col("_expected"))
        mismatch = rule._mismatch  # the rule's own wording
        made = self._mismatches
        for claim, line, code, billed, expected in wrong.select(
            "_claim", "_line", "code", "_billed", "_expected"
        ).iter_rows():
            key = (code, billed, expected)
            finding = made.get(key)
            if finding is None:
                info = context.code_info(facts.codes[code].code)
                finding = keep(made, key, mismatch(0, info, billed, expected, unit_rule))
            table["_claim"].append(claim)
            table["_line"].append(line)
            table["_finding"].append(numbers.of(finding))
            table["_order"].append(start)
        others: list[int] = hard["_claim"].unique().sort().to_list()
        return others


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
