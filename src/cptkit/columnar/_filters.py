# SPDX-License-Identifier: MIT
"""What the claim rules' columnar forms read of a batch's lines, and the filters that pick
the claims a rule could fire on.

A rule with a filter is run by its own code on the claims the filter picks and on no other:
each filter is a necessary condition of the rule firing (an NCCI pair in force on the date,
units over the MUE or the payer's cap, an add-on, a repeated line, several units of a code
billed once per session, a code Medicare does not pay). ``diagnosis-not-pointed`` is run once
per distinct (number of diagnoses, pointers used). The differential test
(``tests/test_columnar.py``) holds these equal to the per-claim engine.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

import polars as pl

from .. import _pfs_status
from .._cache import keep
from ..claims import Claim
from ..codes import Code
from ..records import Timing
from ..units._rules import CMS_UNIT
from ..validation import Context, Finding, LineView
from ..validation.rules.pairs import ONCE_PER_PRIMARY
from ._frames import INT, Lines, Numbers
from ._scan import prepare

__all__ = [
    "VIEW_FACTS",
    "CodeFacts",
    "Facts",
    "candidates",
    "code_facts",
    "line_facts",
    "pointer_findings",
    "repeated_lines",
]

_ONCE = frozenset({Timing.UNTIMED, Timing.BAND})
_DISCIPLINES = {"GP": 1, "GO": 2, "GN": 3}  # the therapy discipline modifiers, numbered
# What the claim rules' forms read of a line view.
VIEW_FACTS: dict[str, Any] = {
    "_view": INT, "code": pl.String, "units": INT, "minutes": INT, "_mark": INT,
    "_timed": INT, "_unit": INT,
    "_pooled": pl.Boolean, "_code": INT,
}  # fmt: skip


class CodeFacts(NamedTuple):
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


class Facts(NamedTuple):
    """The batch's lines with what the claim rules' forms read of them (codes by number)."""

    frame: pl.DataFrame
    codes: dict[str, CodeFacts]
    """The batch's codes, in the order of their numbers (column ``_code``)."""


def line_facts(
    lines: Lines, view_of: list[LineView], facts_of: Callable[[Code], CodeFacts]
) -> Facts:
    """The batch's lines with what the claim rules' forms read of their views (*view_of*: the
    views by number; *facts_of*: a code's facts)."""
    views = lines.frame["_view"].unique().to_list()
    columns: dict[str, list[Any]] = {name: [] for name in VIEW_FACTS}
    codes: dict[str, CodeFacts] = {}
    numbered: dict[str, int] = {}  # the codes' numbers: their order in *codes*
    for number in views:
        view = view_of[number]
        text = view.code.value
        facts = codes.get(text)
        if facts is None:
            facts = codes[text] = facts_of(view.code)
            numbered[text] = len(numbered)
        mark = 0
        for modifier in view.modifiers:
            mark = _DISCIPLINES.get(modifier.value, 0)
            if mark:
                break
        for name, value in zip(
            VIEW_FACTS,
            (
                number, text, view.units, view.minutes, mark,
                facts.timed, facts.unit, facts.pooled, numbered[text],
            ),
            strict=True,
        ):  # fmt: skip
            columns[name].append(value)
    # The codes renumbered in the order of their texts: sorting by number sorts by code.
    ranks = {text: rank for rank, text in enumerate(sorted(codes))}
    columns["_code"] = [ranks[text] for text in columns["code"]]
    codes = {text: codes[text] for text in sorted(codes)}
    table = pl.DataFrame(columns, schema=VIEW_FACTS)
    frame = lines.frame.select("_claim", "_line", "_view", "_date", "_day").join(
        table, on="_view", how="left", maintain_order="left"
    )
    # One integer per (claim, date, code): fewer codes than lines, so it fits. The lines are
    # sorted by it, so that the groups by claim and date, or by claim, date and code, are
    # runs (polars groups sorted keys without hashing).
    frame = (
        frame.with_columns(_same=pl.col("_day") * len(codes) + pl.col("_code"))
        .sort("_same")
        .set_sorted("_same")
        .set_sorted("_day")
    )
    return Facts(frame, codes)


def code_facts(code: Code, context: Context) -> CodeFacts:
    """What the claim rules' forms read of *code*."""
    info = context.code_info(code)
    timing = None if info is None else info.timing
    return CodeFacts(
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


def candidates(
    how: str, facts: Facts, lines: Lines, context: Context, known: dict[Any, Any]
) -> list[int]:
    """The claims (batch numbers, in order) on which the rule run *how* can give a
    finding; by the rule's own code it gives none on the others. *known*: what the filters
    worked out of the reference data before, for later batches (by code and date)."""
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
        chosen = frame.filter(repeated_lines())
    elif how == "untimed":
        # untimed-multiple-units: more than one unit of a one-per-session code on a date.
        chosen = (
            frame.filter(having("once"))
            .group_by("_same")
            .agg(pl.col("_claim").first(), pl.col("units").sum())
            .filter(pl.col("units") > 1)
        )
    elif how == "mue":
        chosen = _over_limits(facts, lines, context, known)
    else:
        chosen = _paired(facts, lines, context, known)
    claims: list[int] = chosen["_claim"].unique().sort().to_list()
    return claims


def repeated_lines() -> pl.Expr:
    """Whether a line's claim, date and code are another line's (the lines are sorted by
    them: :func:`line_facts`)."""
    same = pl.col("_same")
    return (same == same.shift(1)).fill_null(value=False) | (same == same.shift(-1)).fill_null(
        value=False
    )


def _over_limits(
    facts: Facts, lines: Lines, context: Context, known: dict[Any, Any]
) -> pl.DataFrame:
    """units-exceed-mue: the (claim, code, date) whose units exceed the smaller of the
    code's MUE on the date and the payer's cap (the rule's finding needs one of them
    exceeded, by the day's units or by one line's, which are no more)."""
    policy = context.policy
    codes = list(facts.codes.values())
    totals = facts.frame.group_by("_same").agg(
        pl.col("_claim", "_code", "_date").first(), pl.col("units").sum()
    )
    limits: dict[str, list[Any]] = {"_code": [], "_date": [], "_limit": []}
    for number, day in totals.select("_code", "_date").unique().iter_rows():
        code = codes[number].code
        on = lines.dates[day]
        limit = known.get(("mue", code.value, on), known)
        if limit is known:
            found = []
            if policy.unit_caps and (cap := policy.unit_cap(code)) is not None:
                found.append(cap)
            edit = context.mue(code, context.day(on))
            if edit is not None:
                found.append(edit.units)
            limit = keep(known, ("mue", code.value, on), min(found) if found else None)
        limits["_code"].append(number)
        limits["_date"].append(day)
        limits["_limit"].append(limit)
    table = pl.DataFrame(limits, schema=dict.fromkeys(limits, INT))
    return totals.join(table, on=["_code", "_date"], how="inner").filter(
        pl.col("units") > pl.col("_limit")
    )


def _paired(facts: Facts, lines: Lines, context: Context, known: dict[Any, Any]) -> pl.DataFrame:
    """ncci-ptp: claims with two lines of one date whose codes have an NCCI edit in force
    on that date (the rule judges only such pairs)."""
    codes = list(facts.codes.values())
    width = len(codes)
    numbers = {code.code.value: number for number, code in enumerate(codes)}
    # The edits between the batch's codes, as the days each is in force (ordinals).
    spans: dict[str, list[int]] = {"_code": [], "_partner": [], "_from": [], "_to": []}
    for a, code in enumerate(codes):
        for partner in code.partners:
            b = numbers.get(partner)
            if b is None:
                continue
            for first, last in _in_force(code, codes[b], context, known):
                spans["_code"].append(a)
                spans["_partner"].append(b)
                spans["_from"].append(first)
                spans["_to"].append(last)
    frame = facts.frame
    # Per (date, code): the codes of the batch it has an edit in force with that date, a
    # bit each.
    on = pl.Series([context.day(day).toordinal() for day in lines.dates], dtype=INT)
    table = (
        frame.select("_code", "_date")
        .unique()
        .with_columns(_on=pl.lit(on).gather(pl.col("_date")))
        .join(pl.DataFrame(spans, schema=dict.fromkeys(spans, INT)), on="_code")
        .filter((pl.col("_from") <= pl.col("_on")) & (pl.col("_on") <= pl.col("_to")))
        .select("_code", "_date", "_partner")
        .unique()
    )
    in_force: dict[int, int] = {}
    for a, day, b in table.iter_rows():
        at = day * width + a
        in_force[at] = in_force.get(at, 0) | 1 << b
    if not in_force or width > _BITS:
        return _paired_by_join(frame, in_force, width)
    dense = [0] * (len(lines.dates) * width)
    for at, mask in in_force.items():
        dense[at] = mask
    bit = pl.lit(pl.Series([1 << n for n in range(width)], dtype=INT)).gather(pl.col("_code"))
    marked = frame.select(
        "_claim",
        "_day",
        bit.alias("_bit"),
        pl.lit(pl.Series(dense, dtype=INT))
        .gather(pl.col("_date") * width + pl.col("_code"))
        .alias("_partners"),
        repeated_lines().alias("_repeated"),
    ).with_columns(
        # The codes of the line's date, and those it has twice (a bit each): the lines are
        # sorted by claim and date, so each date is a run.
        _codes=pl.col("_bit").bitwise_or().over("_day"),
        _twice=pl.when("_repeated").then("_bit").otherwise(0).bitwise_or().over("_day"),
    )
    partners_there = pl.col("_partners") & (pl.col("_codes") - pl.col("_bit"))
    itself_twice = pl.col("_partners") & pl.col("_bit") & pl.col("_twice")
    return marked.filter((partners_there != 0) | (itself_twice != 0))


_BITS = 62  # codes a batch may have for the pairs to be told by bit masks


def _in_force(
    code: CodeFacts, partner: CodeFacts, context: Context, known: dict[Any, Any]
) -> tuple[tuple[int, int], ...]:
    """The days (first and last, as ordinals) each NCCI edit between two codes is in force
    (:meth:`~cptkit.records.PTPEdit.in_force_on`: from its effective date through its
    deletion date; indicator 9 never)."""
    key = ("ncci", code.code.value, partner.code.value)
    found: tuple[tuple[int, int], ...] | None = known.get(key)
    if found is None:
        found = tuple(
            (
                1 if edit.effective is None else edit.effective.toordinal(),
                _LAST_DAY if edit.deletion_date is None else edit.deletion_date.toordinal(),
            )
            for edit in context.catalog.ptp_edits(code.code, partner.code)
            if edit.modifier_indicator != 9
        )
        keep(known, key, found)
    return found


_LAST_DAY = datetime.date.max.toordinal()


def _paired_by_join(frame: pl.DataFrame, in_force: dict[int, int], width: int) -> pl.DataFrame:
    """:func:`_paired` for batches of more than :data:`_BITS` codes: a join of each line
    with the lines of its date whose code has an edit in force with its code."""
    rows = [
        (at % width, partner, at // width)
        for at, mask in in_force.items()
        for partner in range(width)
        if mask >> partner & 1
    ]
    table = pl.DataFrame(
        rows, schema=dict.fromkeys(("_code", "_partner", "_date"), INT), orient="row"
    )
    first = frame.select("_claim", "_day", "_date", "_line", "_code").join(
        table, on=["_code", "_date"]
    )
    second = frame.select(
        "_day", pl.col("_line").alias("_other"), pl.col("_code").alias("_partner")
    )
    return first.join(second, on=["_day", "_partner"]).filter(pl.col("_line") != pl.col("_other"))


def pointer_findings(
    rule: Any,
    start: int,
    keys: pl.DataFrame,
    claims: Sequence[Claim],
    numbers: Numbers,
    context: Context,
    memo: dict[int, tuple[Finding, ...]],
) -> pl.DataFrame:
    """The rule reads the number of a claim's diagnoses and the pointers its lines use
    (*keys*: the engine's per-claim keys, ``_n`` and ``_used``): it is run on the first claim
    of each distinct pair, and its (claim-level) findings given to every claim with the same."""
    keyed = keys.select("_claim", (pl.col("_n") * (1 << 16) + pl.col("_used")).alias("_pair"))
    distinct = keyed.group_by("_pair").agg(pl.col("_claim").min())
    table: dict[str, list[int | None]] = {"_pair": [], "_line": [], "_finding": [], "_order": []}
    prepare(claims, [number for pair, number in distinct.iter_rows() if pair not in memo])
    for pair, number in distinct.iter_rows():
        found = memo.get(pair)
        if found is None:
            found = keep(memo, pair, tuple(rule(claims[number], context)))
        for k, finding in enumerate(found):
            table["_pair"].append(pair)
            table["_line"].append(finding.line)
            table["_finding"].append(numbers.of(finding))
            table["_order"].append(start + k)
    per_pair = pl.DataFrame(table, schema=dict.fromkeys(table, INT))
    return keyed.join(per_pair, on="_pair").select(
        "_claim", "_line", "_finding", pl.lit(2, INT).alias("_part"), "_order"
    )
