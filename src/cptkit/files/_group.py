# SPDX-License-Identifier: MIT
"""Rows into claims, streamed claim by claim, with every row either checked or rejected.

Rows are grouped into claims by their ``claim_id``, or by patient and date of service when the
file has no ``claim_id`` column. Only **adjacent** rows are grouped, so memory holds one claim at
a time, plus the keys of the last :data:`SEEN_LIMIT` claims (as hashes, about 70 bytes each), to
notice a claim whose rows are not adjacent: memory stays bounded however long the file.

A row that cannot become a claim line is :class:`Rejected`, naming the field and only its
value, and the claim it belongs to is held back: checking a claim without one of its lines
would judge minutes, add-ons and pairs on a day that is not the real one. A row that cannot
even be keyed (its claim unknown) holds back the claims on either side of it.
"""

from __future__ import annotations

import collections
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

import attrs

from ..claims import MAX_LINES, Claim, ClaimLine, _claim_from_clean, _claim_id, _diagnoses
from ..errors import InvalidInput
from ._rows import Row

__all__ = ["SEEN_LIMIT", "Counts", "Group", "Rejected", "Seen", "group"]

SEEN_LIMIT = 1_000_000
"""The claims whose keys are kept to notice a claim whose rows come back later in the file
(``claim-rows-not-adjacent``): rows that come back after more claims than this are not noticed.
Bounded, so that memory does not grow with the number of claims in a file."""


@attrs.define
class Counts:
    """Rows of one file read so far, and what became of them.

    Once a file is read, ``rows == checked + rejected``: every row is in a claim that was
    read whole (``checked``) or reported (``rejected``). Blank lines are not rows.

    .. versionadded:: 0.2.0
    """

    rows: int = 0
    checked: int = 0
    rejected: int = 0


@attrs.frozen
class Rejected:
    """A row that did not become part of a claim, and why.

    Attributes:
        file: the file's name as given (``<stdin>`` for standard input).
        row: its row: the CSV record (the header is row 1), the JSON item (from 1) or the
            NDJSON line.
        claim_id: its claim's id when known, else ``None``.
        field: the offending field, or ``None`` when the row as a whole is at fault (or
            is held back for another row's fault).
        reason: what is wrong, naming the field and only its value.

    .. versionadded:: 0.2.0
    """

    file: str
    row: int
    claim_id: str | None
    field: str | None
    reason: str


@attrs.frozen
class Group:
    """A claim read from a file, with the row of each of its lines.

    ``split`` is set when the claim's key was already seen earlier in the file, apart from
    these rows: they make a claim of their own.

    .. versionadded:: 0.2.0
    """

    file: str
    claim: Claim
    rows: tuple[int, ...]
    split: bool = False


Event = Rejected | Group


class CountsDoNotAddUp(RuntimeError):
    """Rows read != rows checked + rows rejected: a defect in cptkit, never in the file."""


class _Open:
    """The claim being read: its rows so far (one is made per claim, so a plain slotted
    class with literal lists: cheaper to make than an attrs class with factories)."""

    __slots__ = (
        "bad",
        "beside",
        "claim_id",
        "full",
        "key",
        "lines",
        "merged",
        "rows",
        "split",
        "values",
    )

    def __init__(self, key: tuple[str, ...], claim_id: str | None, *, split: bool = False) -> None:
        self.key = key
        self.claim_id = claim_id
        self.rows: list[int] = []
        self.lines: list[ClaimLine] = []
        self.values: dict[str, Any] = {}
        self.bad: list[Row] = []
        self.beside: list[int] = []  # unkeyed rejected rows next to the claim
        self.split = split
        self.merged: Mapping[str, Any] | None = None  # the claim values of the last row merged
        self.full = False  # the claim has more than MAX_LINES lines: the rest are only counted


def group(
    file: str, rows: Iterator[Row], counts: Counts, *, seen: Seen | None = None
) -> Iterator[Event]:
    """The claims and rejected rows of one file's *rows*, counted into *counts*; *seen*: the
    keys of the claims before them (when the file was read so far another way).

    Raises:
        CountsDoNotAddUp: at the end, if a row was neither checked nor rejected.
    """
    add = (seen or Seen(SEEN_LIMIT)).add
    current: _Open | None = None
    waiting: list[Rejected] = []  # unkeyed rows, reported when the claim beside them closes
    after: int | None = None  # an unkeyed row the next claim must be held back for
    for row in rows:
        counts.rows += 1
        if row.claim is not None:
            if current is not None:
                yield from _close(file, current, counts, waiting)
                current = None
            counts.checked += 1
            yield Group(file, row.claim, (row.row,) * len(row.claim.lines))
            continue
        if row.key is None:
            rejected = Rejected(file, row.row, row.claim_id, row.field, row.error or "")
            counts.rejected += 1
            if current is None:
                yield rejected
            else:
                current.beside.append(row.row)
                waiting.append(rejected)
            after = row.row
            continue
        if current is None or current.key != row.key:
            if current is not None:
                yield from _close(file, current, counts, waiting)
            current = _Open(row.key, row.claim_id, split=add(row.key))
            if after is not None:
                current.beside.append(after)
        after = None
        line = row.line
        if (
            line is not None
            and row.claim_values is current.merged
            and len(current.lines) < MAX_LINES
        ):
            # The usual row: a line with the claim values of the row before it (_add's first
            # case, without a call).
            current.rows.append(row.row)
            current.lines.append(line)
        else:
            _add(current, row)
    if current is not None:
        yield from _close(file, current, counts, waiting)
    yield from waiting
    if counts.rows != counts.checked + counts.rejected:
        raise CountsDoNotAddUp(
            f"{file}: {counts.rows} rows read, but {counts.checked} checked and"
            f" {counts.rejected} rejected"
        )


class Seen:
    """The hashes of the last *limit* keys added (oldest forgotten first)."""

    __slots__ = ("_limit", "_order", "_set")

    def __init__(self, limit: int) -> None:
        self._limit = limit
        self._set: set[int] = set()
        self._order: collections.deque[int] = collections.deque()

    def add(self, key: tuple[str, ...]) -> bool:
        """Add *key*; return whether it was there already."""
        digest = hash(key)
        if digest in self._set:
            return True
        self._set.add(digest)
        self._order.append(digest)
        if len(self._order) > self._limit:
            self._set.discard(self._order.popleft())
        return False


def _add(group: _Open, row: Row) -> None:
    group.rows.append(row.row)
    if len(group.lines) >= MAX_LINES:
        # Bounded work: an 837P claim holds at most 50 lines, and rules compare lines in pairs.
        if not group.full:
            group.full = True
            error = f"the claim has more than {MAX_LINES} lines (an 837P claim holds at most 50)"
            group.bad.append(Row(row.row, field="claim_id", error=error))
        return
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


def _close(file: str, group: _Open, counts: Counts, waiting: list[Rejected]) -> Iterable[Event]:
    if not group.bad and not group.beside and not waiting:
        # The usual claim: read whole, nothing waiting beside it (no generator to make).
        try:
            claim = _claim(group)
        except InvalidInput:
            pass  # told below
        else:
            counts.checked += len(group.rows)
            return (Group(file, claim, tuple(group.rows), group.split),)
    return _closing(file, group, counts, waiting)


def _closing(file: str, group: _Open, counts: Counts, waiting: list[Rejected]) -> Iterator[Event]:
    if not group.bad and not group.beside:
        try:
            claim = _claim(group)
        except InvalidInput as err:
            reason = "no diagnoses" if "diagnoses" not in group.values else str(err)
            message = f"claim not checked: {reason} ({_span(group.rows)})"
            for number in group.rows:
                counts.rejected += 1
                yield Rejected(file, number, group.claim_id, err.field, message)
        else:
            counts.checked += len(group.rows)
            yield Group(file, claim, tuple(group.rows), group.split)
    else:
        bad = {row.row: row for row in group.bad}
        for number in group.rows:
            counts.rejected += 1
            row = bad.get(number)
            if row is not None:
                yield Rejected(file, number, group.claim_id, row.field, row.error or "")
            else:
                yield Rejected(file, number, group.claim_id, None, _held_back(group, bad))
    if waiting:
        yield from waiting
        waiting.clear()


def _held_back(group: _Open, bad: Mapping[int, Row]) -> str:
    parts = []
    if bad:
        were = "row {} was" if len(bad) == 1 else "rows {} were"
        parts.append(were.format(", ".join(str(n) for n in bad)) + " rejected")
    if group.beside:
        beside = ", ".join(str(n) for n in group.beside)
        s = "s" if len(group.beside) > 1 else ""
        parts.append(f"row{s} {beside} beside it could not be read (and may belong to it)")
    return f"claim not checked because {' and '.join(parts)}"


def _claim(group: _Open) -> Claim:
    # Lines and claim values were converted as they were read; the diagnoses (their count)
    # and the claim id still go through the claim's own converters, which raise naming them.
    return _claim_from_clean(
        tuple(group.lines),
        _diagnoses(group.values.get("diagnoses", ())),
        group.values.get("place_of_service"),
        group.values.get("payer"),
        _claim_id(group.claim_id),
        group.values.get("patient"),
        group.values.get("rendering_provider"),
        group.values.get("billing_provider"),
    )


def _span(rows: list[int]) -> str:
    return f"row {rows[0]}" if len(rows) == 1 else f"rows {rows[0]}-{rows[-1]}"
