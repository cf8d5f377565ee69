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
from collections.abc import Iterable, Iterator

import attrs

from ..._registry import TABLES
from ...claims import Claim
from .._context import Context
from .._findings import Finding, Severity
from .._rule import Rule

__all__ = ["data_stale"]


@attrs.frozen
class _DataStale(Rule):
    def __call__(self, claim: Claim, context: Context) -> Iterable[Finding]:
        # Called, it returns its findings: no generator to make for each claim.
        fresh = _fresh_until(context)
        on = context.on
        for index, line in enumerate(claim.lines):
            day = line.date_of_service if on is None else on
            if day <= fresh:
                continue
            found = self._stale(context, day)
            if found is not None:
                # One warning per claim: the first line past the coverage.
                return (found if not index else attrs.evolve(found, line=index),)
        return ()

    def check(self, claim: Claim, context: Context) -> Iterator[Finding]:
        return iter(self(claim, context))

    def _stale(self, context: Context, day: datetime.date) -> Finding | None:
        """The warning for a line judged on *day* (at line 0), or ``None`` (memoized)."""
        key = (_FRESH, day)
        found = context.memo.get(key, _FRESH)
        if found is _FRESH:
            stale = _stale_tables(context, day)
            tables = "; ".join(f"{name} through {last}" for name, last in stale)
            found = context.remember(
                key,
                self.finding(
                    0,
                    "date_of_service",
                    f"{day} is past cptkit's data: {tables}",
                    suggestion="load newer CMS files (cptkit check --data DIR) or update cptkit",
                )
                if stale
                else None,
            )
        return found  # type: ignore[return-value]


_FRESH = object()  # the key of the last fresh day in a context's memo


def _watched(context: Context) -> frozenset[str]:
    """The tables of the context's rules (every judged one when it does not say)."""
    judged = frozenset(table.name for table in TABLES if table.judged)
    return judged if context.watched is None else judged & context.watched


def _fresh_until(context: Context) -> datetime.date:
    """The last day every table the rules judge by speaks for (memoized per context)."""
    found = context.memo.get(_FRESH)
    if found is None:
        judged = _watched(context)
        found = context.remember(
            _FRESH,
            min(
                (
                    cover.stale_after
                    for name, cover in context.catalog.coverage().items()
                    if name in judged
                ),
                default=datetime.date.max,
            ),
        )
    return found  # type: ignore[return-value]


def _stale_tables(context: Context, day: datetime.date) -> tuple[tuple[str, datetime.date], ...]:
    """The tables the rules judge by whose coverage ends before *day*, with their last
    dates."""
    judged = _watched(context)
    return tuple(
        (name, cover.through)
        for name, cover in context.catalog.coverage().items()
        if name in judged and not cover.covers(day)
    )


def data_stale() -> Rule:
    """``data-stale``: a line's date is past the coverage of a table the rules use (with one
    quarter of grace for CMS edits); one warning per claim, no CARC.

    The tables watched are those the other rules of its rule set judge by
    (``cptkit.validation._tables_read``: the MUE table only if ``units-exceed-mue`` is in the
    set, and so on); with no built-in rule beside it, every table the built-in rules judge by.

    .. versionadded:: 0.2.0
    """
    return _DataStale("data-stale", Severity.WARNING, None)
