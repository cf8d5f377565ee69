# SPDX-License-Identifier: MIT
"""Checking claims before they go out: small pure rules, composed, with stable ids.

>>> import cptkit
>>> claim = cptkit.Claim(
...     lines=[cptkit.ClaimLine(code="97110", units=3, minutes=33, date_of_service="2026-03-02",
...                             diagnosis_pointers=[1], place_of_service="11")],
...     diagnoses=["M54.50"])
>>> report = cptkit.validate(claim)
>>> report.ok
False
>>> [(f.rule, f.carc) for f in report.findings]
[('data-stale', None), ('therapy-modifier-missing', 'CO-4'), ('units-minutes-mismatch', 'CO-151')]
>>> print(report.findings[2].message)
97110: 3 units billed; the documented minutes support 2 under the Medicare 8-minute rule
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

from .._catalog import Catalog, DateLike
from ..claims import Claim
from ..policy import PayerPolicy
from ._checker import Checker
from ._combinators import RuleSet, all_of, when, with_severity, without
from ._context import Context, Facts
from ._findings import Finding, Report, Severity
from ._rule import FunctionRule, LineRule, LineView, Rule, rule

if TYPE_CHECKING:
    from ..history import History

__all__ = [
    "Checker",
    "Context",
    "Facts",
    "Finding",
    "FunctionRule",
    "LineRule",
    "LineView",
    "Report",
    "Rule",
    "RuleSet",
    "Severity",
    "all_of",
    "make_context",
    "rule",
    "validate",
    "validate_many",
    "when",
    "with_severity",
    "without",
]


def make_context(
    *,
    rules: object = None,
    on: DateLike = None,
    policy: PayerPolicy | None = None,
    catalog: Catalog | None = None,
    facts: Facts | None = None,
    acknowledged: Iterable[tuple[str, int | None]] = (),
    history: History | None = None,
) -> Context:
    """The :class:`Context` :func:`validate` would use for these options (a new one: its
    caches are empty)."""
    checker = Checker(
        rules=rules,
        on=on,
        policy=policy,
        catalog=catalog,
        facts=facts,
        acknowledged=acknowledged,
        history=history,
    )
    return checker.context


def validate(
    claim: Claim,
    *,
    rules: object = None,
    on: DateLike = None,
    policy: PayerPolicy | None = None,
    catalog: Catalog | None = None,
    facts: Facts | None = None,
    acknowledged: Iterable[tuple[str, int | None]] = (),
    history: History | None = None,
) -> Report:
    """Check one claim and report every finding.

    The options are :class:`Checker`'s: *rules* (default :func:`cptkit.rulesets.medicare`),
    *on* (judge every line as on this date), *policy*, *catalog*, *facts* and *acknowledged*
    (``(rule id, line)`` pairs the biller attested to) and *history* (the patients' earlier
    claims, for the rules across claims). To check many claims with the same
    options, make one :class:`Checker` and reuse it: its caches then serve every claim.

    Returns:
        A :class:`Report`; ``report.ok`` is False when any finding is an error.

    .. versionadded:: 0.1.0
    .. versionchanged:: 0.2.0
       Keyword options are checked by type checkers (no ``**options``).
    """
    checker = Checker(
        rules=rules,
        on=on,
        policy=policy,
        catalog=catalog,
        facts=facts,
        acknowledged=acknowledged,
        history=history,
    )
    return checker.check(claim)


def validate_many(
    claims: Iterable[Claim],
    *,
    rules: object = None,
    on: DateLike = None,
    policy: PayerPolicy | None = None,
    catalog: Catalog | None = None,
    facts: Facts | None = None,
    history: History | None = None,
) -> Iterator[Report]:
    """Check many claims lazily, one :class:`Report` each, in input order (for bulk use).

    The options are :func:`validate`'s, less ``acknowledged``: acknowledgements name lines of
    one claim, so they are given per claim through :func:`validate`. The options are checked
    at once; the claims as they are read.
    """
    checker = Checker(
        rules=rules, on=on, policy=policy, catalog=catalog, facts=facts, history=history
    )
    return checker.check_many(claims)
