# SPDX-License-Identifier: MIT
"""Composing rules into rule sets, the way attrs composes validators.

``all_of`` runs several rules; ``when`` runs a rule only for claims a predicate accepts;
``with_severity`` changes what a rule's findings weigh; ``without`` removes rules by id. Each
returns a new immutable rule; nothing is changed in place.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

import attrs

from .._cache import keep
from ..claims import Claim
from ..errors import InvalidInput
from ..policy import PayerPolicy
from ._core import Context, Finding, Severity
from ._lines import LineRule, line_findings
from ._shapes import Layout, ShapeRule, claim_key, layout, shape_findings

__all__ = ["RuleSet", "all_of", "rule_ids_of", "when", "with_severity", "without"]

RuleLike = Callable[[Claim, Context], Iterable[Finding]]


def rule_ids_of(rule: object) -> frozenset[str]:
    """The ids a rule can report (empty for a plain function)."""
    ids: object = getattr(rule, "rule_ids", frozenset())
    return ids if isinstance(ids, frozenset) else frozenset()


def _lines_of(ruleset: RuleSet) -> tuple[LineRule, ...]:
    return tuple(m for m in ruleset.rules if isinstance(m, LineRule))


def _shapes_of(ruleset: RuleSet) -> tuple[ShapeRule, ...]:
    return tuple(m for m in ruleset.rules if isinstance(m, ShapeRule) and not m.uses_minutes)


def _shape_groups(ruleset: RuleSet) -> tuple[tuple[bool, tuple[ShapeRule, ...]], ...]:
    # Rules that read units and rules that do not: each group has its own memo, and the
    # second one's shapes leave units out, so they repeat more.
    shapes = _shapes_of(ruleset)
    groups = [(units, tuple(m for m in shapes if m.uses_units is units)) for units in (True, False)]
    return tuple(group for group in groups if group[1])


def _others_of(ruleset: RuleSet) -> tuple[RuleLike, ...]:
    memoized = {id(m) for m in (*_lines_of(ruleset), *_shapes_of(ruleset))}
    return tuple(m for m in ruleset.rules if id(m) not in memoized)


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
    # How the set runs (findings are the same either way; tests hold them equal):
    # - members that judge lines one by one run together, through a memo of distinct lines
    #   (see _lines);
    # - shape rules that do not read minutes run through a memo of claim shapes (_shapes);
    # - any other member runs on every claim;
    # - when every member is a line or shape rule, a whole claim's findings are kept too,
    #   keyed on everything those rules may read (_shapes.claim_key).
    _line_rules: tuple[LineRule, ...] = attrs.field(
        init=False, eq=False, repr=False, default=attrs.Factory(_lines_of, takes_self=True)
    )
    _shape_rules: tuple[tuple[bool, tuple[ShapeRule, ...]], ...] = attrs.field(
        init=False, eq=False, repr=False, default=attrs.Factory(_shape_groups, takes_self=True)
    )
    _claim_rules: tuple[RuleLike, ...] = attrs.field(
        init=False, eq=False, repr=False, default=attrs.Factory(_others_of, takes_self=True)
    )
    _edits: bool = attrs.field(
        init=False,
        eq=False,
        repr=False,
        default=attrs.Factory(
            lambda self: any(getattr(m, "uses_edits", False) for m in self.rules), takes_self=True
        ),
    )
    _whole: bool = attrs.field(
        init=False,
        eq=False,
        repr=False,
        default=attrs.Factory(
            lambda self: all(isinstance(m, (LineRule, ShapeRule)) for m in self.rules),
            takes_self=True,
        ),
    )

    def __call__(self, claim: Claim, context: Context) -> Iterable[Finding]:
        if not self._whole:
            return self._run(claim, context, None)
        shape = layout(claim, context, self._edits)
        memo = context.memo_for(self, "claims")
        key = claim_key(claim, shape)
        found: tuple[Finding, ...] | None = memo.get(key)
        if found is None:
            found = keep(memo, key, tuple(self._run(claim, context, shape)))
        return found

    def _run(self, claim: Claim, context: Context, shape: Layout | None) -> Iterator[Finding]:
        if self._line_rules:
            memo = context.memo_for(self, "lines")
            yield from line_findings(self._line_rules, claim, context, memo)
        if shape is None and self._shape_rules:
            shape = layout(claim, context, self._edits)
        for units, members in self._shape_rules:
            assert shape is not None  # computed above whenever there are shape rules
            memo = context.memo_for(self, "shapes" if units else "unitless shapes")
            yield from shape_findings(members, claim, context, memo, shape, units)
        for member in self._claim_rules:
            yield from member(claim, context)

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
