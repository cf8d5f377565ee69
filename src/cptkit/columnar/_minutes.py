# SPDX-License-Identifier: MIT
"""``units-minutes-mismatch`` in columns: the CMS 8-minute chart and the CPT midpoint rule as
polars expressions over a batch's timed lines, per claim, date and discipline.

The chart's units for a day's pooled minutes are handed out as :mod:`cptkit.units._rules`
does: whole 15-minute blocks first, then the leftover units by leftover minutes, minutes,
code; codes tied at the cut get the units any allowed choice gives (CMS Example 2). Each
distinct mismatch is worded by the rule's own code. Claims with a ladder code, a timed line
without minutes or a "sometimes therapy" line outside a therapy plan are returned for the rule
itself to judge.
"""

from __future__ import annotations

from typing import Any

import polars as pl

from .._cache import keep
from ..units._rules import CMS_UNIT
from ..validation import Context, Finding
from ._filters import Facts, repeated_lines
from ._frames import FOUND, INT, Numbers

__all__ = ["minutes_findings"]

_CMS_FIRST = 8  # minutes of the 8-minute rule's first unit


def _ranked(codes: pl.DataFrame, width: int) -> pl.DataFrame:
    """*codes* sorted by group, then leftover minutes and minutes (most first), then code."""
    if codes.height == 0:
        return codes
    group, left, minutes = pl.col("_group"), pl.col("_left"), pl.col("minutes")
    most = int(codes["minutes"].max() or 0) + 1  # type: ignore[arg-type]
    groups = int(codes["_group"].max() or 0) + 1  # type: ignore[arg-type]
    if groups * CMS_UNIT * most * max(width, 1) < _KEY_LIMIT:
        # One integer to sort by: polars sorts one column of integers fastest.
        key = ((group * CMS_UNIT + (CMS_UNIT - 1 - left)) * most + (most - 1 - minutes)) * max(
            width, 1
        ) + pl.col("_code")
        return codes.sort(key)
    return codes.sort(  # groups and minutes too many for one integer
        "_group", "_left", "minutes", "_code", descending=[False, True, True, False]
    )


_KEY_LIMIT = 1 << 62


def minutes_findings(
    rule: Any,
    start: int,
    facts: Facts,
    numbers: Numbers,
    context: Context,
    made: dict[tuple[str, int, int], Finding],
) -> tuple[pl.DataFrame, list[int]]:
    """The findings of the units-minutes rule for the claims whose timed codes are plain
    (no ladder) with documented minutes (in the columns of :data:`._frames.FOUND`), and the
    other claims with a timed code, for the rule to run on."""
    unit_rule = context.policy.unit_rule
    mark = pl.col("_mark")
    # A line of an "always therapy" code without a discipline joins the date's only one (the
    # rule's grouping): the date's disciplines as bits (GP 2, GO 4, GN 8), over the date's
    # lines (a run: sorted). Other lines without one are outside therapy, never pooled.
    bit = pl.when(mark == 1).then(2).when(mark == 2).then(4).when(mark == 3).then(8).otherwise(0)
    only = pl.col("_marks").replace_strict({2: 1, 4: 2, 8: 3}, default=0, return_dtype=INT)
    always = []  # the numbers of the batch's "always therapy" codes (column _code)
    for number, facts_of in enumerate(facts.codes.values()):
        info = context.code_info(facts_of.code)
        if info is not None and info.therapy_list == "always":
            always.append(number)
    therapy = pl.col("_code").is_in(always)
    timed = (
        facts.frame.with_columns(_marks=bit.bitwise_or().over("_day"))
        .filter(pl.col("_timed") > 0)
        # Each timed line's group: its claim, date and discipline (0: none), as one integer.
        .with_columns(
            _group=pl.col("_day") * 4
            + pl.when(mark != 0).then(mark).when(therapy).then(only).otherwise(0)
        )
    )
    none = pl.DataFrame(schema=FOUND)
    if timed.height == 0:
        return none, []
    if unit_rule not in ("cms", "ama"):  # pragma: no cover - the policy allows no other
        claims: list[int] = timed["_claim"].unique().sort().to_list()
        return none, claims
    group = "_group"
    # A "sometimes therapy" code without a discipline is judged alone by the rule's own code.
    outside = pl.col("_pooled") & (mark == 0) & ~therapy
    hard = timed.filter((pl.col("_timed") == 2) | pl.col("minutes").is_null() | outside)
    width = len(facts.codes)
    timed = timed.filter(~pl.col("_claim").is_in(hard["_claim"].unique().implode()))
    # Lines of one code and group are summed; most codes have one line in their group (the
    # lines are sorted by claim, date and code: a repeat is next to its first line).
    repeated = repeated_lines()
    columns = ("_claim", group, "_code", "_unit", "_pooled")
    codes = pl.concat(
        [
            timed.filter(~repeated).select(
                *columns, pl.col("units").alias("_billed"), "minutes", "_line"
            ),
            timed.filter(repeated)
            .group_by((pl.col(group) * width + pl.col("_code")).alias("_key"))
            .agg(
                pl.col(*columns).first(),
                pl.col("units").sum().alias("_billed"),
                pl.col("minutes").sum(),
                pl.col("_line").min(),
            )
            .select(*columns, "_billed", "minutes", "_line"),
        ]
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
    shared = _ranked(
        codes.filter(pooled).with_columns(
            _base=pl.col("minutes") // CMS_UNIT, _left=pl.col("minutes") % CMS_UNIT
        ),
        width,
    )
    # Sorted so, each group is a run: sums, ranks and the leftovers at the cut are read by
    # position in the run (polars' windows would group by hashing).
    index = pl.int_range(pl.len(), dtype=INT)
    key = pl.col(group)
    first = (key != key.shift(1)).fill_null(value=True)
    last = (key != key.shift(-1)).fill_null(value=True)
    shared = shared.with_columns(
        _start=pl.when(first).then(index).forward_fill(),
        _end=pl.when(last).then(index).backward_fill(),
        _cm=pl.col("minutes").cum_sum(),
        _cb=pl.col("_base").cum_sum(),
    )
    begin, end = pl.col("_start"), pl.col("_end")

    def run_sum(cumulative: str, column: str) -> pl.Expr:
        return (
            pl.col(cumulative).gather(end)
            - pl.col(cumulative).gather(begin)
            + pl.col(column).gather(begin)
        )

    total = run_sum("_cm", "minutes")
    chart = pl.when(total < _CMS_FIRST).then(0).otherwise((total - _CMS_FIRST) // CMS_UNIT + 1)
    shared = shared.with_columns(
        _remaining=chart - run_sum("_cb", "_base"),
        _rank=index - begin,
        _size=end - begin + 1,
    )
    at = pl.col("_remaining")
    rank = pl.col("_rank")
    size = pl.col("_size")

    def left_at(offset: pl.Expr) -> pl.Expr:
        """The leftover minutes of the group's row at *offset* (null past the group)."""
        inside = (offset >= 0) & (offset < size)
        where = (begin + offset).clip(begin, end)
        return pl.when(inside).then(pl.col("_left").gather(where))

    cut = left_at(at - 1)
    after = left_at(at)
    shared = shared.with_columns(
        _extra=((at > 0) & (rank < at)).cast(INT),
        # Codes tied at the cut for the last leftover units (CMS Example 2): the units are
        # handed out again among them, first to those billed above their whole blocks
        # (cptkit.units._rules.choose), so any allowed choice passes.
        _tied=(at > 0) & (at < size) & (after == cut) & (pl.col("_left") == cut),
    ).drop("_start", "_end", "_cm", "_cb", "_size")
    # Only the groups with a tie need the units handed out again (ranks per group cost).
    tied = shared.filter(pl.col("_tied"))[group].unique().implode()
    with_tie = pl.col(group).is_in(tied)
    priority = pl.when(pl.col("_tied")).then(
        (pl.col("_billed") <= pl.col("_base")).cast(INT) * pl.len() + rank
    )
    again = (
        shared.filter(with_tie)
        .with_columns(
            _give=pl.when(pl.col("_tied")).then(pl.col("_extra")).otherwise(0).sum().over(group),
            _place=priority.rank("ordinal").over(group) - 1,
        )
        .with_columns(
            _expected=pl.col("_base")
            + pl.when(pl.col("_tied"))
            .then((pl.col("_place") < pl.col("_give")).cast(INT))
            .otherwise(pl.col("_extra"))
        )
    )
    shared = pl.concat(
        [
            shared.filter(~with_tie).with_columns(_expected=pl.col("_base") + pl.col("_extra")),
            again.drop("_give", "_place"),
        ]
    )
    wrong = pl.concat(
        [
            part.select("_claim", "_line", "_code", "_billed", "_expected")
            for part in (plain, shared)
        ]
    ).filter(pl.col("_billed") != pl.col("_expected"))
    # Each distinct mismatch is worded once, by the rule's own code.
    mismatch = rule._finding
    distinct = wrong.select("_code", "_billed", "_expected").unique()
    worded = []
    texts = list(facts.codes)
    for number, billed, expected in distinct.iter_rows():
        said = (texts[number], billed, expected)
        finding = made.get(said)
        if finding is None:
            info = context.code_info(facts.codes[texts[number]].code)
            finding = keep(made, said, mismatch(0, info, billed, expected, unit_rule))
        worded.append(numbers.of(finding))
    found = wrong.join(
        distinct.with_columns(_finding=pl.Series(worded, dtype=INT)),
        on=["_code", "_billed", "_expected"],
    ).select("_claim", "_line", "_finding", _part=pl.lit(2, INT), _order=pl.lit(start, INT))
    others: list[int] = hard["_claim"].unique().sort().to_list()
    return found, others
