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

from .._catalog import Catalog, DateLike, default_catalog
from .._catalog import _day as to_day
from ..claims import Claim
from ..errors import InvalidInput
from ..policy import PayerPolicy
from ._combinators import RuleSet, all_of, when, with_severity, without
from ._core import Context, Facts, Finding, FunctionRule, Report, Rule, Severity, rule
from ._lines import LineRule, LineSite
from ._shapes import ShapeRule

__all__ = [
    "Context",
    "Facts",
    "Finding",
    "FunctionRule",
    "LineRule",
    "LineSite",
    "Report",
    "Rule",
    "RuleSet",
    "Severity",
    "ShapeRule",
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
) -> Context:
    """The :class:`Context` :func:`validate` would use for these options."""
    chosen = policy if policy is not None else getattr(rules, "policy", None)
    _check_type("policy", chosen, PayerPolicy)
    _check_type("catalog", catalog, Catalog)
    _check_type("facts", facts, Facts)
    pairs = _acknowledged(acknowledged)
    return Context(
        catalog=default_catalog() if catalog is None else catalog,
        policy=PayerPolicy.medicare() if chosen is None else chosen,
        on=to_day(on),
        facts=Facts() if facts is None else facts,
        acknowledged=pairs,
    )


def _check_type(name: str, value: object, cls: type) -> None:
    if value is not None and not isinstance(value, cls):
        raise InvalidInput(name, type(value).__name__, f"a cptkit {cls.__name__} or None")


def _acknowledged(values: object) -> frozenset[tuple[str, int | None]]:
    expected = "(rule id, line index) pairs, such as [('ncci-ptp', 1)]"
    if isinstance(values, (str, bytes)) or not isinstance(values, Iterable):
        raise InvalidInput("acknowledged", type(values).__name__, expected)
    pairs = []
    for item in values:
        if not (
            isinstance(item, tuple)
            and len(item) == 2
            and isinstance(item[0], str)
            and (item[1] is None or type(item[1]) is int)
        ):
            raise InvalidInput("acknowledged", item, expected)
        pairs.append(item)
    return frozenset(pairs)


def _rules(rules: object) -> RuleSet:
    if rules is None:
        from ..rulesets import medicare

        return medicare()
    if isinstance(rules, RuleSet):
        return rules
    return all_of(rules)  # type: ignore[arg-type]


def _run(ruleset: RuleSet, claim: object, context: Context) -> Report:
    if not isinstance(claim, Claim):
        raise InvalidInput("claim", type(claim).__name__, "a cptkit.Claim")
    findings = tuple(ruleset(claim, context))
    if len(findings) > 1:
        findings = tuple(sorted(findings, key=Finding.sort_key))
    return Report(findings, claim.claim_id)


def validate(
    claim: Claim,
    *,
    rules: object = None,
    on: DateLike = None,
    policy: PayerPolicy | None = None,
    catalog: Catalog | None = None,
    facts: Facts | None = None,
    acknowledged: Iterable[tuple[str, int | None]] = (),
) -> Report:
    """Check one claim and report every finding.

    Args:
        claim: the claim.
        rules: a rule or rule set (default :func:`cptkit.rulesets.medicare`).
        on: judge codes, modifiers, places and edits as valid on this date instead of each
            line's date of service (lines are still grouped by their own dates).
        policy: the payer policy (default: the rule set's, else Medicare).
        catalog: the reference data (default: the packaged catalog).
        facts: facts the claim does not hold (year-to-date therapy amounts, discipline).
        acknowledged: ``(rule id, line)`` pairs the biller attested to (e.g. distinct services
            for ``ncci-ptp``); those findings become info.

    Returns:
        A :class:`Report`; ``report.ok`` is False when any finding is an error.

    .. versionadded:: 0.1.0
    """
    ruleset = _rules(rules)
    context = make_context(
        rules=ruleset,
        on=on,
        policy=policy,
        catalog=catalog,
        facts=facts,
        acknowledged=acknowledged,
    )
    return _run(ruleset, claim, context)


def validate_many(
    claims: Iterable[Claim],
    *,
    rules: object = None,
    on: DateLike = None,
    policy: PayerPolicy | None = None,
    catalog: Catalog | None = None,
    facts: Facts | None = None,
) -> Iterator[Report]:
    """Check many claims lazily, one :class:`Report` each, in input order (for bulk use).

    The options are :func:`validate`'s, less ``acknowledged``: acknowledgements name lines of
    one claim, so they are given per claim through :func:`validate`.
    """
    ruleset = _rules(rules)
    context = make_context(rules=ruleset, on=on, policy=policy, catalog=catalog, facts=facts)
    for claim in claims:
        yield _run(ruleset, claim, context)
