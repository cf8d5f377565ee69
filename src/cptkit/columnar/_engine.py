# SPDX-License-Identifier: MIT
"""The columnar engine: the events of a reading, in batches of claims, to frames of findings.

A clean CSV file comes as chunks of text columns (:mod:`._scan`; :meth:`Engine.chunk_batch`),
any other reading as events of :mod:`cptkit.files` (:meth:`Engine.batch`). A batch becomes a
frame of lines (each line with its claim, row, the number of its line view
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
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, NamedTuple

import polars as pl

from .._cache import keep
from ..claims import Claim, ClaimLine
from ..codes import Code
from ..files import Group, Reading, Rejected
from ..modifiers import Modifier
from ..places import PlaceOfService
from ..validation import Checker, Finding, LineRule, LineView
from ._filters import CodeFacts, candidates, code_facts, line_facts, pointer_findings
from ._forms import Split, split
from ._frames import FOUND, INT, SCHEMA, SEVERITY_RANK, Lines, Numbers, notices, ordered
from ._minutes import minutes_findings
from ._scan import Cells, FrameClaims, prepare, scan

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
        # Per view: the number of its claim's diagnoses, the pointers it uses (a bit each).
        self._view_diagnoses: list[int] = []
        self._view_pointers: list[int] = []
        self._stale: dict[datetime.date, Finding | None] = {}
        self._by_diagnoses: dict[tuple[Any, ...], tuple[Finding, ...]] = {}
        self._years: dict[datetime.date, object] = {}
        self._of_year: list[object] = []  # the years of the batch's ``_years`` bits
        self._code_facts: dict[str, CodeFacts] = {}
        self._pointed: dict[int, tuple[Finding, ...]] = {}
        self._mismatches: dict[tuple[str, int, int], Finding] = {}
        self._known: dict[Any, Any] = {}  # reference data by code and date, for the filters

    def run(self, events: Iterable[Group | Rejected]) -> Iterator[Batch]:
        """The findings of *events*, one :class:`Batch` per :attr:`batch_claims` claims (or,
        for a clean CSV file not read yet, per chunk of it: :mod:`._scan`)."""
        if isinstance(events, Reading):
            scanned = scan(events)
            if scanned is not None:
                for chunk in scanned:
                    yield self.chunk_batch(chunk, scanned.name, scanned.cells)
                if scanned.rest is None:
                    return
                events = scanned.rest  # the rest of the file, from a chunk not clean
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
        seqs = [seq for seq, event in enumerate(events) if isinstance(event, Group)]
        claims = pl.DataFrame(
            {
                "_claim": range(len(groups)),
                "_seq": seqs,
                "claim_id": [group.claim.claim_id for group in groups],
                "file": [group.file for group in groups],
            },
            schema=_CLAIMS,
        )
        return self._batch_of(
            self._lines(groups), [group.claim for group in groups], claims, notices(events, seqs)
        )

    def chunk_batch(self, frame: pl.DataFrame, file: str, cells: Cells) -> Batch:
        """The findings of a chunk of a clean CSV file (a frame of :class:`._scan.Scan`)."""
        starts = frame["_start"].arg_true()
        count = len(starts)
        claims = pl.DataFrame(
            {
                "_claim": range(count),
                "_seq": range(count),
                "claim_id": frame["claim_id"].gather(starts),
                "file": [file] * count,
            },
            schema=_CLAIMS,
        )
        lines = self._chunk_lines(frame, cells)
        made = FrameClaims(frame, starts.to_list(), cells)
        return self._batch_of(lines, made, claims, notices([], []))

    def _batch_of(
        self, lines: Lines, claims: Sequence[Claim], table: pl.DataFrame, told: pl.DataFrame
    ) -> Batch:
        numbers = Numbers()
        found = [self._line_findings(lines.frame, numbers)]
        if self.parts.stale is not None:
            found.append(self._stale_findings(lines, numbers))
        keys = self._claim_keys(lines)
        if self.parts.by_diagnoses:
            found.append(self._diagnosis_findings(claims, lines, keys, numbers))
        if self.parts.claim_rules:
            found.append(self._claim_findings(claims, lines, keys, numbers))
        frame = ordered(table, lines.frame, pl.concat(found), numbers, told)
        of_claims = frame.filter(pl.col("_claim") >= 0)
        severities = dict.fromkeys(SEVERITY_RANK, 0)
        severities.update(of_claims["severity"].value_counts().iter_rows())
        errors = of_claims.filter(pl.col("severity") == "error")["_claim"].n_unique()
        return Batch(frame.select(list(SCHEMA)), len(claims), errors, severities)

    def _lines(self, groups: list[Group]) -> Lines:
        """The lines of the batch, judging the line views not seen yet."""
        self._bound_views()
        claims: list[int] = []
        indexes: list[int] = []
        rows: list[int] = []
        views: list[int] = []
        dated: list[int] = []
        numbered: dict[datetime.date, int] = {}
        claim_days: list[int] = []  # each line's (claim, date) number
        diagnosed: list[int] = []  # each line's claim's diagnoses, by number
        by_diagnoses: dict[tuple[str, ...], int] = {}
        next_day = 0
        for number, group in enumerate(groups):
            claim = group.claim
            claim_views = self._views_of(claim)
            count = len(claim_views)
            claims.extend([number] * count)
            indexes.extend(range(count))
            rows.extend(group.rows)
            views.extend(claim_views)
            key = tuple(d.value for d in claim.diagnoses)
            diagnosed.extend([by_diagnoses.setdefault(key, len(by_diagnoses))] * count)
            on_days = [
                numbered.setdefault(line.date_of_service, len(numbered)) for line in claim.lines
            ]
            dated.extend(on_days)
            local: dict[int, int] = {}
            claim_days.extend(local.setdefault(day, next_day + len(local)) for day in on_days)
            next_day += len(local)
        frame = pl.DataFrame(
            {
                "_claim": claims, "_line": indexes, "row": rows, "_view": views, "_date": dated,
                "_day": claim_days, "_dx": diagnosed,
            },
            schema=dict.fromkeys(("_claim", "_line", "row", "_view", "_date", "_day", "_dx"), INT),
        )  # fmt: skip
        return Lines(frame.set_sorted("_claim"), list(numbered), list(by_diagnoses))

    def _bound_views(self) -> None:
        if len(self._judged) > VIEW_LIMIT:
            # Memory stays bounded: the views are numbered afresh (and judged again).
            self._views.clear()
            self._judged.clear()
            self._view_of.clear()
            self._view_diagnoses.clear()
            self._view_pointers.clear()

    def _chunk_lines(self, frame: pl.DataFrame, cells: Cells) -> Lines:
        """The lines of a chunk of a clean file: each distinct view judged once (the line
        cells are numbered by their distinct texts, and a view by its cells' numbers)."""
        self._bound_views()
        context = self.checker.context
        on, period = context.on, context.period
        ids: dict[str, pl.Series] = {}
        values: dict[str, list[Any]] = {}
        for name in _VIEW_FIELDS:
            column = frame[name]
            texts = column.unique().to_list()
            ids[name] = column.cast(pl.Enum(texts)).to_physical().cast(INT)
            values[name] = [cells.value(name, text) for text in texts]
            if name == "diagnoses":
                diagnoses: list[object] = texts
        numbered: dict[datetime.date, int] = {}
        date_number = [
            numbered.setdefault(day, len(numbered)) for day in values.pop("date_of_service")
        ]
        dates = list(numbered)
        periods: dict[datetime.date, int] = {}
        period_of = [
            periods.setdefault(period(day if on is None else on), len(periods)) for day in dates
        ]
        counted: dict[int, int] = {}
        count_of = [
            counted.setdefault(len(found), len(counted)) for found in values.pop("diagnoses")
        ]
        dated = pl.Series(date_number, dtype=INT).gather(ids["date_of_service"])
        parts = {
            **{name: ids[name] for name in _VIEW_FIELDS[:7]},
            "_diagnoses": pl.Series(count_of, dtype=INT).gather(ids["diagnoses"]),
            "_period": pl.Series(period_of, dtype=INT).gather(dated),
        }
        sizes = [len(values[name]) for name in _VIEW_FIELDS[:7]] + [len(counted), len(periods)]
        table = pl.DataFrame(parts)
        key = _mixed_radix(table, sizes)
        distinct = table.with_columns(_k=key).unique("_k")
        counts, days = list(counted), list(periods)
        known: list[int] = []
        for (
            code,
            modifiers,
            units,
            minutes,
            pointers,
            place,
            claim_place,
            count,
            day,
            _,
        ) in distinct.iter_rows():
            line_place = values["place_of_service"][place]
            known.append(
                self._view_number(
                    values["code"][code],
                    values["modifiers"][modifiers],
                    values["units"][units],
                    values["minutes"][minutes],
                    values["diagnosis_pointers"][pointers],
                    values["claim_place_of_service"][claim_place]
                    if line_place is None
                    else line_place,
                    line_place is not None,
                    counts[count],
                    days[day],
                )
            )
        views = (
            key.to_frame("_k")
            .join(
                pl.DataFrame(
                    {"_k": distinct["_k"], "_view": known}, schema={"_k": INT, "_view": INT}
                ),
                on="_k",
                how="left",
                maintain_order="left",
            )
            .get_column("_view")
        )
        index = pl.int_range(pl.len(), dtype=INT)
        start = pl.col("_start")
        claim = start.cast(INT).cum_sum() - 1
        lines = frame.select(
            claim.alias("_claim"),
            (index - pl.when(start).then(index).forward_fill()).alias("_line"),
            "row",
            pl.lit(views).alias("_view"),
            pl.lit(dated).alias("_date"),
            (claim * len(dates) + pl.lit(dated)).alias("_day"),
            pl.lit(ids["diagnoses"]).alias("_dx"),
        )
        return Lines(lines.set_sorted("_claim"), dates, diagnoses)

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
        on, period, number = context.on, context.period, self._view_number
        return [
            number(
                line.code,
                line.modifiers,
                line.units,
                line.minutes,
                line.diagnosis_pointers,
                claim_place if line.place_of_service is None else line.place_of_service,
                line.place_of_service is not None,
                diagnoses,
                period(line.date_of_service if on is None else on),
            )
            for line in claim.lines
        ]

    def _view_number(
        self,
        code: Code,
        modifiers: tuple[Modifier, ...],
        units: int,
        minutes: int | None,
        pointers: tuple[int, ...],
        place: PlaceOfService | None,
        own: bool,
        diagnoses: int,
        day: datetime.date,
    ) -> int:
        """The number of a line's view (judging it if it is new), keyed by texts and ints."""
        key = (
            code.value,
            tuple(m.value for m in modifiers),
            units,
            minutes,
            pointers,
            None if place is None else place.value,
            own,
            diagnoses,
            day,
        )
        number = self._views.get(key)
        if number is None:
            view = LineView(code, modifiers, units, minutes, pointers, place, own, diagnoses, day)
            number = self._views[key] = len(self._judged)
            self._judged.append(_judge(self.parts.line_rules, view, self.checker))
            self._view_of.append(view)
            self._view_diagnoses.append(diagnoses)
            self._view_pointers.append(sum({1 << pointer for pointer in pointers}))
        return number

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

    def _claim_keys(self, lines: Lines) -> pl.DataFrame:
        """Per claim (in order): its diagnoses (``_dx``, numbered in the batch), the
        ICD-10-CM years its days are judged in (``_years``, a bit each: see
        :attr:`_of_year`), the number of its diagnoses and the pointers its lines use
        (``_used``, a bit each)."""
        context = self.checker.context
        judged_year = context.catalog.diagnoses().judged_year if self.parts.by_diagnoses else None
        years = self._years
        numbered: dict[object, int] = {}
        bits = []
        for day in lines.dates:
            year = None
            if judged_year is not None:
                year = years.get(day)
                if year is None:
                    year = keep(years, day, judged_year(context.day(day)))
            bits.append(1 << numbered.setdefault(year, len(numbered)))
        if len(numbered) > 62:  # pragma: no cover - a batch spans at most a few years
            raise OverflowError("a batch spans more than 62 ICD-10-CM years")
        self._of_year = list(numbered)
        view = pl.col("_view")
        return (
            lines.frame.select(
                "_claim",
                "_dx",
                pl.lit(pl.Series(bits, dtype=INT)).gather(pl.col("_date")).alias("_years"),
                pl.lit(pl.Series(self._view_diagnoses, dtype=INT)).gather(view).alias("_n"),
                pl.lit(pl.Series(self._view_pointers, dtype=INT)).gather(view).alias("_used"),
            )
            .group_by("_claim", maintain_order=True)
            .agg(
                pl.col("_dx", "_n").first(),
                pl.col("_years", "_used").bitwise_or(),
            )
        )

    def _diagnosis_findings(
        self, claims: Sequence[Claim], lines: Lines, keys: pl.DataFrame, numbers: Numbers
    ) -> pl.DataFrame:
        """The diagnosis rules read a claim's diagnoses and the ICD-10-CM list each of its
        days is judged by (its fiscal year), nothing else: they run once per distinct pair."""
        rules = self.parts.by_diagnoses
        context = self.checker.context
        of_year = self._of_year
        pair = pl.col("_dx") * (1 << len(of_year)) + pl.col("_years")
        keyed = keys.select("_claim", pair.alias("_pair"))
        distinct = keyed.group_by("_pair").agg(pl.col("_claim").min())
        memo = self._by_diagnoses
        table: dict[str, list[int | None]] = {
            "_pair": [],
            "_line": [],
            "_finding": [],
            "_order": [],
        }
        years = (1 << len(of_year)) - 1
        pairs = []
        for pair_key, number in distinct.iter_rows():
            mask = pair_key & years
            memo_key = (
                lines.diagnoses[pair_key >> len(of_year)],
                frozenset(year for n, year in enumerate(of_year) if mask >> n & 1),
            )
            pairs.append((pair_key, number, memo_key))
        prepare(claims, [number for _, number, memo_key in pairs if memo_key not in memo])
        for pair_key, number, memo_key in pairs:
            hit = memo.get(memo_key)
            if hit is None:
                claim = claims[number]
                hit = keep(memo, memo_key, tuple(f for rule in rules for f in rule(claim, context)))
            for order, finding in enumerate(hit):
                table["_pair"].append(pair_key)
                table["_line"].append(finding.line)
                table["_finding"].append(numbers.of(finding))
                table["_order"].append(order)
        per_pair = pl.DataFrame(table, schema=dict.fromkeys(table, INT))
        return keyed.join(per_pair, on="_pair").select(
            "_claim", "_line", "_finding", pl.lit(1, INT).alias("_part"), "_order"
        )

    # -- every other rule: on the claims a filter picks, or on every claim ------------------

    def _claim_findings(
        self, claims: Sequence[Claim], lines: Lines, keys: pl.DataFrame, numbers: Numbers
    ) -> pl.DataFrame:
        context = self.checker.context
        table: dict[str, list[int | None]] = {name: [] for name in FOUND}
        facts = None
        joined = []
        for position, rule, how in self.parts.claim_rules:
            start = position << _K_BITS
            if how == "every":
                chosen: Iterable[int] = range(len(claims))
            else:
                if facts is None:
                    facts = line_facts(lines, self._view_of, self._facts_of)
                if how == "pointers":
                    joined.append(
                        pointer_findings(rule, start, keys, claims, numbers, context, self._pointed)
                    )
                    continue
                if how == "minutes":
                    worded, chosen = minutes_findings(
                        rule, start, facts, numbers, context, self._mismatches
                    )
                    joined.append(worded)
                else:
                    chosen = candidates(how, facts, lines, context, self._known)
            chosen = list(chosen)
            prepare(claims, chosen)
            for number in chosen:
                for k, finding in enumerate(rule(claims[number], context)):
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


_VIEW_FIELDS = (
    "code", "modifiers", "units", "minutes", "diagnosis_pointers", "place_of_service",
    "claim_place_of_service", "diagnoses", "date_of_service",
)  # fmt: skip
_CLAIMS = {"_claim": INT, "_seq": INT, "claim_id": pl.String, "file": pl.String}


_RADIX_LIMIT = 1 << 62


def _mixed_radix(table: pl.DataFrame, sizes: list[int]) -> pl.Series:
    """One integer per row of *table*'s columns of numbers (column *i* below *sizes[i]*), equal
    for two rows exactly when their numbers are."""
    total = 1
    for size in sizes:
        total *= max(size, 1)
    if total >= _RADIX_LIMIT:  # millions of distinct cells in a chunk
        return table.select(pl.struct(table.columns).rank("dense").cast(INT)).to_series()
    key = pl.lit(0, INT)
    for name, size in zip(table.columns, sizes, strict=True):
        key = key * max(size, 1) + pl.col(name)
    return table.select(key.alias("_k")).to_series()


def _judge(
    rules: tuple[LineRule, ...], view: LineView, checker: Checker
) -> tuple[tuple[int, Finding], ...]:
    context = checker.context
    return tuple(
        (position, finding)
        for position, rule in enumerate(rules)
        for finding in rule.check_line(0, view, context)
    )
