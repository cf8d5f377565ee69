# SPDX-License-Identifier: MIT
"""The rule that says when the data is older than the claim: ``data-stale``.

Every table of the catalog speaks for dates up to its coverage
(:meth:`cptkit.Catalog.coverage`): the code table to the end of the quarter of its newest CMS
release, the edits (MUE, PTP, add-on codes) one quarter longer, since CMS changes few of them
from one quarter to the next. A line judged on a later date is judged on data that may have
changed since (new codes, deleted codes, new edits), so the claim gets a warning naming the
tables and their last dates. It has no CARC: payers do not deny for it. See
``docs/dataset.md`` ("Coverage").
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator

import attrs

from ..._registry import TABLES
from ...claims import Claim
from .._context import Context
from .._findings import Finding, Severity
from .._rule import Rule

__all__ = ["data_stale"]


@attrs.frozen
class _DataStale(Rule):
    def check(self, claim: Claim, context: Context) -> Iterator[Finding]:
        for index, line in enumerate(claim.lines):
            day = context.day(line.date_of_service)
            stale = _stale_tables(context, day)
            if stale:
                tables = "; ".join(f"{name} through {last}" for name, last in stale)
                yield self.finding(
                    index,
                    "date_of_service",
                    f"{day} is past cptkit's data: {tables}",
                    suggestion="load newer CMS files (cptkit check --data DIR) or update cptkit",
                )
                return  # one warning per claim: the first line past the coverage


def _stale_tables(context: Context, day: datetime.date) -> tuple[tuple[str, datetime.date], ...]:
    """The tables whose coverage ends before *day*, with their last dates (memoized)."""
    key = ("data-stale", day)
    found = context.memo.get(key)
    if found is None:
        judged = {table.name for table in TABLES if table.judged}
        found = tuple(
            (name, cover.through)
            for name, cover in context.catalog.coverage().items()
            if name in judged and not cover.covers(day)
        )
        context.remember(key, found)
    return found  # type: ignore[return-value]


def data_stale() -> Rule:
    """``data-stale``: a line's date is past the coverage of a table the rules use (with one
    quarter of grace for CMS edits); one warning per claim, no CARC.

    .. versionadded:: 0.2.0
    """
    return _DataStale("data-stale", Severity.WARNING, None)
