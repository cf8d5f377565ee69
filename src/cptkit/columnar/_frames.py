# SPDX-License-Identifier: MIT
"""What the columnar engine's parts share: the findings schema, distinct findings numbered,
a batch's lines, and a batch's findings put in the per-claim engine's order with the rejected
rows and split warnings of ``cptkit check`` among them."""

from __future__ import annotations

import datetime
from typing import Any, NamedTuple

import polars as pl

from ..files import Group, Rejected
from ..validation import Finding

__all__ = ["FOUND", "INT", "SCHEMA", "SEVERITY_RANK", "Lines", "Numbers", "notices", "ordered"]

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

INT = pl.Int64
SEVERITY_RANK = {"error": 0, "warning": 1, "info": 2}
# Where a finding is: batch claim, line (0-based; null for the claim), finding number, part
# (0 line rules, 1 data-stale and the diagnosis rules, 2 the other claim rules) and order
# within the part (for the claim rules: the rule's position, then the order it gave them in).
FOUND = {"_claim": INT, "_line": INT, "_finding": INT, "_part": INT, "_order": INT}
_ROWS_NOT_ADJACENT = (
    "this claim's key appeared earlier in the file, apart from these rows; they were"
    " checked as a claim of their own"
)
_SORT_ROWS = "sort the file so that each claim's rows are together"


class Numbers(dict[Finding, int]):
    """Distinct findings, numbered in the order they are met."""

    def of(self, finding: Finding) -> int:
        return self.setdefault(finding, len(self))


class Lines(NamedTuple):
    """The lines of a batch: one row per line (its claim, index, file row, view number, date
    number, a number of its claim and date, and a number of its claim's diagnoses), and the
    dates by number."""

    frame: pl.DataFrame
    dates: list[datetime.date]
    diagnoses: list[object]
    """What each ``_dx`` number stands for: the claim's diagnoses (their values, or the text
    of their cell), for the diagnosis rules' memo."""


def ordered(
    claims: pl.DataFrame,
    lines: pl.DataFrame,
    found: pl.DataFrame,
    numbers: Numbers,
    told: pl.DataFrame,
) -> pl.DataFrame:
    """The findings of a batch with their fields, claims and rows, in the per-claim engine's
    order, with the rejected rows and split warnings of ``cptkit check`` (*told*: see
    :func:`notices`) among them. *claims* has each claim's number, place among the batch's
    events (``_seq``), id and file."""
    # Within a claim and line, the per-claim engine orders findings by rule, severity and
    # message (Finding.sort_key): each distinct triple is ranked once, here.
    triples = [(f.rule, SEVERITY_RANK[f.severity.value], f.message) for f in numbers]
    told_triples = [
        (rule, SEVERITY_RANK[severity], message)
        for rule, severity, message in told.select("rule", "severity", "message").iter_rows()
    ]
    ranks = {triple: rank for rank, triple in enumerate(sorted({*triples, *told_triples}))}
    finding = pl.col("_finding")
    claim = pl.col("_claim")

    def of_finding(values: list[Any], dtype: Any = pl.String) -> pl.Expr:
        return pl.lit(pl.Series(values, dtype=dtype)).gather(finding)

    def of_claim(name: str) -> pl.Expr:
        return pl.lit(claims[name]).gather(claim)

    # The row of a finding is its line's (the claim's first line's for the claim): lines are
    # in claim order, so it is found by position.
    firsts = lines["_line"].eq(0).arg_true().cast(INT)
    at = pl.lit(firsts).gather(claim) + pl.col("_line").fill_null(0)
    judged = found.select(
        of_claim("claim_id").alias("claim_id"),
        (pl.col("_line") + 1).alias("line_number"),
        of_finding([f.rule for f in numbers]).alias("rule"),
        of_finding([f.severity.value for f in numbers]).alias("severity"),
        of_finding([f.field for f in numbers]).alias("field"),
        of_finding([f.message for f in numbers]).alias("message"),
        of_finding([f.carc for f in numbers]).alias("carc"),
        of_finding([f.suggestion for f in numbers]).alias("suggestion"),
        of_claim("file").alias("file"),
        pl.lit(lines["row"]).gather(at).alias("row"),
        of_claim("_seq").alias("_seq"),
        "_claim",
        pl.col("_line").fill_null(-1).alias("_key"),
        of_finding([ranks[triple] for triple in triples], INT).alias("_rank"),
        "_part",
        "_order",
    )
    told = told.with_columns(
        _rank=pl.Series([ranks[triple] for triple in told_triples], dtype=INT)
    ).select(judged.columns)
    return _sorted(pl.concat([judged, told]))


_SORT_BITS = 62  # the bits one integer sort key may take


def _sorted(frame: pl.DataFrame) -> pl.DataFrame:
    """*frame* in the order of ``_seq``, ``_key``, ``_rank``, ``_part``, ``_order``: by one
    integer made of them when it fits (polars sorts one integer column fastest)."""
    if frame.height == 0:
        return frame
    # (part, order) pairs are few: each is replaced by its rank among them.
    po = pl.col("_part") * (1 << 40) + pl.col("_order")
    pairs = sorted(frame.select(po.unique()).to_series().to_list())
    seqs, keys, ranks = (
        int(frame[name].max()) + 1  # type: ignore[arg-type]
        for name in ("_seq", "_key", "_rank")
    )
    bits = sum((n + 1).bit_length() for n in (seqs, keys + 3, ranks, len(pairs)))
    if bits > _SORT_BITS:
        return frame.sort("_seq", "_key", "_rank", "_part", "_order")
    key = ((pl.col("_seq") * (keys + 3) + pl.col("_key") + 3) * ranks + pl.col("_rank")) * len(
        pairs
    ) + po.replace_strict(pairs, list(range(len(pairs))), return_dtype=INT)
    return frame.sort(key)


def notices(events: list[Group | Rejected], seqs: list[int]) -> pl.DataFrame:
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
    schema = {**SCHEMA, "_seq": INT, "_claim": INT, "_key": INT}
    return pl.DataFrame(rows, schema=schema, orient="row").with_columns(
        _part=pl.lit(0, INT), _order=pl.lit(0, INT)
    )
