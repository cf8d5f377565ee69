# SPDX-License-Identifier: MIT
"""Composing rules into rule sets, the way attrs composes validators.

``all_of`` runs several rules; ``when`` runs a rule only for claims a predicate accepts;
``with_severity`` changes what a rule's findings weigh; ``without`` removes rules by id. Each
returns a new immutable rule; nothing is changed in place.
"""

from __future__ import annotations

import types
from collections.abc import Callable, Iterable, Iterator, Sequence

import attrs

from ..claims import Claim
from ..errors import InvalidInput
from ..policy import PayerPolicy
from ._context import Context
from ._findings import Finding, Severity
from ._rule import LineRule, Rule, line_findings

__all__ = ["RuleSet", "all_of", "rule_ids_of", "when", "with_severity", "without"]

RuleLike = Callable[[Claim, Context], Iterable[Finding]]


def rule_ids_of(rule: object) -> frozenset[str]:
    """The ids a rule can report (empty for a plain function)."""
    ids: object = getattr(rule, "rule_ids", frozenset())
    return ids if isinstance(ids, frozenset) else frozenset()


def _lines_of(ruleset: RuleSet) -> tuple[LineRule, ...]:
    return tuple(m for m in ruleset.rules if isinstance(m, LineRule))


def _others_of(ruleset: RuleSet) -> tuple[RuleLike, ...]:
    return tuple(_bound(m) for m in ruleset.rules if not isinstance(m, LineRule))


def _bound(member: RuleLike) -> RuleLike:
    """What a rule set calls for *member*: a bound method where there is one, since the
    interpreter calls that directly and an object through its type's slot (slower)."""
    call = type(member).__call__
    if isinstance(member, Rule) and call is Rule.__call__:
        return member.check  # one call less
    if isinstance(call, types.FunctionType):  # a __call__ written in Python
        return types.MethodType(call, member)
    return member


@attrs.frozen
class RuleSet:
    """Rules run in order; a rule set is itself a rule.

    Attributes:
        rules: the member rules.
        policy: the payer policy this set is meant for (used by :func:`cptkit.validate`
            unless a policy is passed explicitly), or ``None``.
        name: a label for reports and ``repr``.
    """

    rules: tuple[RuleLike, ...]
    policy: PayerPolicy | None = None
    name: str = "rules"
    # Line rules run together through the context's line memo for this set (see _rule);
    # every other member runs on every claim.
    _line_rules: tuple[LineRule, ...] = attrs.field(
        init=False, eq=False, repr=False, default=attrs.Factory(_lines_of, takes_self=True)
    )
    _claim_rules: tuple[RuleLike, ...] = attrs.field(
        init=False, eq=False, repr=False, default=attrs.Factory(_others_of, takes_self=True)
    )

    def __call__(self, claim: Claim, context: Context) -> list[Finding]:
        found = (
            line_findings(self._line_rules, claim, context, context.line_memo(self))
            if self._line_rules
            else []
        )
        for member in self._claim_rules:
            found.extend(member(claim, context))
        return found

    def _run_batch(self, claims: Sequence[Claim], context: Context) -> list[list[Finding]]:
        """``[self(claim, context) for claim in claims]``, found rule by rule over the claims
        (:meth:`Checker.check_many`: one rule's code and data stay in the processor's caches
        while it runs)."""
        if self._line_rules:
            memo = context.line_memo(self)
            found = [line_findings(self._line_rules, claim, context, memo) for claim in claims]
        else:
            found = [[] for _ in claims]
        try:
            for member in self._claim_rules:
                for findings, claim in zip(found, claims, strict=True):
                    findings.extend(member(claim, context))
        finally:
            context._digests.clear()  # what the rules kept of the batch's claims
        return found

    @property
    def rule_ids(self) -> frozenset[str]:
        """Every id the set can report."""
        return frozenset().union(*(rule_ids_of(member) for member in self.rules))

    def __repr__(self) -> str:
        ids = ", ".join(sorted(self.rule_ids))
        return f"<RuleSet {self.name!r}: {ids}>"


def all_of(*rules: RuleLike, policy: PayerPolicy | None = None, name: str = "rules") -> RuleSet:
    """A rule that runs every rule given (nested sets are flattened)."""
    flat: list[RuleLike] = []
    for member in rules:
        if not callable(member):
            raise InvalidInput("rules", type(member).__name__, "a rule (a callable)")
        flat.extend(member.rules if isinstance(member, RuleSet) else (member,))
    return RuleSet(tuple(flat), policy, name)


@attrs.frozen
class When:
    """Run *rule* only for claims where ``predicate(claim, context)`` is true."""

    predicate: Callable[[Claim, Context], bool]
    rule: RuleLike

    def __call__(self, claim: Claim, context: Context) -> Iterable[Finding]:
        return self.rule(claim, context) if self.predicate(claim, context) else ()

    @property
    def rule_ids(self) -> frozenset[str]:
        return rule_ids_of(self.rule)


def when(predicate: Callable[[Claim, Context], bool], rule: RuleLike) -> When:
    """Run *rule* only where *predicate* accepts the claim (a payer label, a date range ...)."""
    return When(predicate, rule)


@attrs.frozen
class WithSeverity:
    """Report *rule*'s findings at *severity*."""

    rule: RuleLike
    severity: Severity

    def __call__(self, claim: Claim, context: Context) -> Iterator[Finding]:
        for found in self.rule(claim, context):
            yield attrs.evolve(found, severity=self.severity)

    @property
    def rule_ids(self) -> frozenset[str]:
        return rule_ids_of(self.rule)


def with_severity(rule: RuleLike, severity: Severity | str) -> WithSeverity:
    """*rule* with every finding at *severity* (``Severity.WARNING`` or ``"warning"``)."""
    level = severity if isinstance(severity, Severity) else Severity(severity)
    return WithSeverity(rule, level)


@attrs.frozen
class _Except:
    rule: RuleLike
    removed: frozenset[str]

    def __call__(self, claim: Claim, context: Context) -> Iterator[Finding]:
        return (f for f in self.rule(claim, context) if f.rule not in self.removed)

    @property
    def rule_ids(self) -> frozenset[str]:
        return rule_ids_of(self.rule) - self.removed


def without(ruleset: RuleSet, *rule_ids: str) -> RuleSet:
    """A copy of *ruleset* without the rules of these ids.

    Raises:
        InvalidInput: an id that the rule set does not have (a typo would silently keep it).
    """
    known = ruleset.rule_ids
    for rule_id in rule_ids:
        if rule_id not in known:
            raise InvalidInput("rule_ids", rule_id, f"a rule id of {ruleset.name!r}")
    removed = frozenset(rule_ids)
    kept: list[RuleLike] = []
    for member in ruleset.rules:
        ids = rule_ids_of(member)
        if ids and ids <= removed:
            continue
        kept.append(_Except(member, removed & ids) if ids & removed else member)
    return RuleSet(tuple(kept), ruleset.policy, ruleset.name)
