# SPDX-License-Identifier: MIT
"""Grouping rows into claims for ``cptkit check``, streamed claim by claim.

Rows are grouped into claims by their ``claim_id``, or by patient and date of service when the
file has no ``claim_id`` column. Only **adjacent** rows are grouped, so memory holds one claim at
a time (plus one key per claim already seen, to notice a claim whose rows are not adjacent).

A row that cannot become a claim line is reported as :class:`Rejected`, naming the field and
only its value, and the claim it belongs to is held back: checking a claim without one of its
lines would judge minutes, add-ons and pairs on a day that is not the real one.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import attrs

from ..claims import Claim, ClaimLine, _claim_from_clean, _claim_id, _diagnoses
from ..errors import InvalidInput
from ._read import Row, csv_rows, file_format, json_rows, ndjson_rows

__all__ = ["Counts", "Group", "Rejected", "claims", "read"]


@attrs.define
class Counts:
    """Rows read and rejected so far (updated as the reader goes)."""

    rows: int = 0
    rejected: int = 0


@attrs.frozen
class Rejected:
    """A row that did not become part of a checked claim."""

    file: str
    row: int
    claim_id: str | None
    field: str | None
    message: str


@attrs.frozen
class Group:
    """A claim read from a file, with the row of each of its lines.

    ``split`` is set when the claim's key was already seen earlier in the file, apart from
    these rows: they are checked as a claim of their own.
    """

    file: str
    claim: Claim
    rows: tuple[int, ...]
    split: bool = False


Event = Rejected | Group


def read(path: Path, counts: Counts) -> Iterator[Event]:
    """Stream the claims and rejected rows of one file.

    Raises:
        Unreadable: the file cannot be opened, has no usable header, lacks required columns,
            is not UTF-8 (JSON) or is not a JSON document.
    """
    kind = file_format(path)
    if kind == "csv":
        rows = csv_rows(path)
    elif kind == "json":
        rows = json_rows(path)
    else:
        rows = ndjson_rows(path)
    return _group(str(path), rows, counts)


def claims(path: Path) -> Iterator[Claim]:
    """Only the claims of one file (rejected rows dropped): for benchmarks and Dask partitions."""
    for event in read(path, Counts()):
        if isinstance(event, Group):
            yield event.claim


# -- grouping -------------------------------------------------------------------------------------


@attrs.define
class _Open:
    key: tuple[str, ...]
    claim_id: str | None
    rows: list[int] = attrs.field(factory=list)
    lines: list[ClaimLine] = attrs.field(factory=list)
    values: dict[str, Any] = attrs.field(factory=dict)
    bad: list[Row] = attrs.field(factory=list)
    split: bool = False
    merged: Mapping[str, Any] | None = None  # the claim values of the last row merged


def _group(file: str, rows: Iterator[Row], counts: Counts) -> Iterator[Event]:
    seen: set[tuple[str, ...]] = set()
    current: _Open | None = None
    for row in rows:
        counts.rows += 1
        if row.claim is not None or row.key is None:
            if current is not None:
                yield from _close(file, current, counts)
                current = None
            if row.claim is not None:
                yield Group(file, row.claim, (row.row,) * len(row.claim.lines))
            else:
                counts.rejected += 1
                yield Rejected(file, row.row, row.claim_id, row.field, row.error or "")
            continue
        if current is None or current.key != row.key:
            if current is not None:
                yield from _close(file, current, counts)
            current = _Open(row.key, row.claim_id, split=row.key in seen)
            seen.add(row.key)
        _add(current, row)
    if current is not None:
        yield from _close(file, current, counts)


def _add(group: _Open, row: Row) -> None:
    group.rows.append(row.row)
    if row.line is None:
        group.bad.append(row)
        return
    if row.claim_values is group.merged or row.claim_values == group.merged:
        # The same claim values as a row already merged: nothing to add, nothing to conflict.
        group.lines.append(row.line)
        return
    for name, value in row.claim_values.items():
        if value is None:
            continue
        if name not in group.values:
            group.values[name] = value
        elif group.values[name] != value:
            shown = "claim_place_of_service" if name == "place_of_service" else name
            first = group.rows[0]
            group.bad.append(
                Row(row.row, field=shown, error=f"{shown}: differs from the claim's row {first}")
            )
            return
    group.merged = row.claim_values
    group.lines.append(row.line)


def _close(file: str, group: _Open, counts: Counts) -> Iterator[Event]:
    if not group.bad:
        try:
            claim = _claim(group)
        except InvalidInput as err:
            reason = "no diagnoses" if "diagnoses" not in group.values else str(err)
            message = f"claim not checked: {reason} ({_span(group.rows)})"
            for number in group.rows:
                counts.rejected += 1
                yield Rejected(file, number, group.claim_id, err.field, message)
            return
        yield Group(file, claim, tuple(group.rows), group.split)
        return
    bad = {row.row: row for row in group.bad}
    for number in group.rows:
        counts.rejected += 1
        row = bad.get(number)
        if row is not None:
            yield Rejected(file, number, group.claim_id, row.field, row.error or "")
        else:
            others = ", ".join(str(n) for n in bad)
            were = "row {} was" if len(bad) == 1 else "rows {} were"
            message = f"claim not checked because {were.format(others)} rejected"
            yield Rejected(file, number, group.claim_id, None, message)


def _claim(group: _Open) -> Claim:
    # Lines and claim values were converted as they were read; the diagnoses (their count)
    # and the claim id still go through the claim's own converters, which raise naming them.
    return _claim_from_clean(
        tuple(group.lines),
        _diagnoses(group.values.get("diagnoses", ())),
        group.values.get("place_of_service"),
        group.values.get("payer"),
        _claim_id(group.claim_id),
    )


def _span(rows: list[int]) -> str:
    return f"row {rows[0]}" if len(rows) == 1 else f"rows {rows[0]}-{rows[-1]}"
