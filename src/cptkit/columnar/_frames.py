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
    number and number of its claim and date), the dates by number, and per claim its dates."""

    frame: pl.DataFrame
    dates: list[datetime.date]
    days: list[int | frozenset[int]]
    """Per claim, its date number, or the set of them when its lines have several."""


def ordered(
    events: list[Group | Rejected],
    groups: list[Group],
    lines: pl.DataFrame,
    found: pl.DataFrame,
    numbers: Numbers,
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
        schema={"_finding": INT, **dict.fromkeys(list(SCHEMA)[2:8], pl.String)},
    )
    seqs = [seq for seq, event in enumerate(events) if isinstance(event, Group)]
    claims = pl.DataFrame(
        {
            "_claim": range(len(groups)),
            "_seq": seqs,
            "claim_id": [group.claim.claim_id for group in groups],
            "file": [group.file for group in groups],
        },
        schema={"_claim": INT, "_seq": INT, "claim_id": pl.String, "file": pl.String},
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
    return pl.concat([judged, notices(events, seqs)]).sort(
        "_seq", "_key", "rule", pl.col("severity").replace_strict(SEVERITY_RANK), "message",
        "_part", "_order",
    )  # fmt: skip


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
