# SPDX-License-Identifier: MIT
"""The options of a checking run, held in one value: :class:`Checker`.

>>> import cptkit
>>> from cptkit.validation import Checker
>>> checker = Checker(rules=cptkit.rulesets.commercial(), on="2026-03-02")
>>> line = cptkit.ClaimLine(code="97110", units=1, minutes=15, date_of_service="2026-03-02",
...                         diagnosis_pointers=[1])
>>> checker.check(cptkit.Claim(lines=[line], diagnoses=["M54.50"])).ok
True
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

import attrs

from .._catalog import Catalog, DateLike, default_catalog
from ..claims import Claim
from ..errors import InvalidInput
from ..policy import PayerPolicy
from ._combinators import RuleSet, all_of
from ._context import Context, Facts
from ._findings import Finding, Report
from ._tables_read import tables_read

if TYPE_CHECKING:
    from ..history import History

__all__ = ["Checker"]

# How many claims Checker.check_many reads, then checks rule by rule (#14: on a 200,000-line
# file, 32 was the fastest of 16 to 256, by a few per cent; one at a time is a fifth slower).
_READ_AHEAD = 32


@attrs.frozen(init=False)
class Checker:
    """The rules and options of a run, and the context its claims share.

    Every way of checking (:func:`~cptkit.validate`, :func:`~cptkit.validate_many`,
    ``cptkit check``, :mod:`cptkit.distributed`) builds one. Claims checked with one checker
    share its :class:`Context`, so what one claim looked up (codes, edits, distinct lines)
    serves the next; the findings are the same as checking each claim alone. A checker is
    immutable and may be shared by threads; it pickles as its options.

    Args:
        rules: a rule or rule set (default :func:`cptkit.rulesets.medicare`).
        on: judge codes, modifiers, places and edits as valid on this date instead of each
            line's date of service (lines are still grouped by their own dates).
        policy: the payer policy (default: the rule set's, else Medicare).
        catalog: the reference data (default: the packaged catalog).
        facts: facts the claims do not hold (year-to-date therapy amounts, discipline).
        acknowledged: ``(rule id, line)`` pairs the biller attested to (e.g. distinct services
            for ``ncci-ptp``); those findings become info. They name lines of one claim, so
            give them to a checker of that claim.
        history: a :class:`~cptkit.history.History` of the patients' earlier claims: the
            rules across claims (``duplicate-claim``, the authorization rules, and
            ``units-exceed-mue``, ``ncci-ptp`` and ``kx-threshold`` across claims) read it
            (``checker.context.history``). Checking never records.

    Raises:
        InvalidInput: an option of the wrong type, or a date that is not one.

    .. versionadded:: 0.2.0
    """

    rules: RuleSet
    context: Context
    """The context the checker's claims share: the options below, and the caches."""

    def __init__(
        self,
        *,
        rules: object = None,
        on: DateLike = None,
        policy: PayerPolicy | None = None,
        catalog: Catalog | None = None,
        facts: Facts | None = None,
        acknowledged: Iterable[tuple[str, int | None]] = (),
        history: History | None = None,
    ) -> None:
        ruleset = _ruleset(rules)
        chosen = policy if policy is not None else ruleset.policy
        _check_type("policy", chosen, PayerPolicy)
        _check_type("catalog", catalog, Catalog)
        _check_type("facts", facts, Facts)
        if history is not None and not callable(getattr(history, "lines", None)):
            raise InvalidInput("history", type(history).__name__, "a cptkit.history.History")
        context = Context(
            catalog=default_catalog() if catalog is None else catalog,
            policy=PayerPolicy.medicare() if chosen is None else chosen,
            on=on,
            facts=Facts() if facts is None else facts,
            acknowledged=_acknowledged(acknowledged),
            history=history,
            watched=tables_read(ruleset),
        )
        self.__attrs_init__(ruleset, context)

    def _sharing(self, rules: RuleSet) -> Checker:
        """A checker of *rules* with this one's context (its options, the tables
        ``data-stale`` watches, and its caches): for running part of this checker's rules."""
        checker = object.__new__(Checker)
        checker.__attrs_init__(rules, self.context)
        return checker

    # The options are the context's (one copy); a checker pickles as its rules and context,
    # and a context as its settings, so the caches are rebuilt where it lands.
    @property
    def policy(self) -> PayerPolicy:
        """The payer policy the rules judge by."""
        return self.context.policy

    @property
    def on(self) -> datetime.date | None:
        """The date every line is judged on, or ``None`` for each line's date of service."""
        return self.context.on

    @property
    def catalog(self) -> Catalog:
        """The reference data."""
        return self.context.catalog

    @property
    def facts(self) -> Facts:
        """The facts the claims do not hold."""
        return self.context.facts

    @property
    def acknowledged(self) -> frozenset[tuple[str, int | None]]:
        """The ``(rule id, line)`` pairs attested to."""
        return self.context.acknowledged

    @property
    def history(self) -> History | None:
        """The patient history the rules across claims read, or ``None``."""
        return self.context.history

    def check(self, claim: Claim) -> Report:
        """Check one claim and report every finding, in stable order.

        Raises:
            InvalidInput: *claim* is not a :class:`~cptkit.Claim`.
        """
        if not isinstance(claim, Claim):
            raise InvalidInput("claim", type(claim).__name__, "a cptkit.Claim")
        return _report(claim, self.rules(claim, self.context))

    def check_many(self, claims: Iterable[Claim]) -> Iterator[Report]:
        """Check many claims lazily, one :class:`Report` each, in input order.

        *claims* are read and checked 32 at a time, each rule over all of them in turn: a
        reader, and rules, that take turns claim by claim slow each other down (each pushes
        the others' code and data out of the processor's caches). The findings are the same.
        With a :attr:`history`, each claim is checked only when its report is asked for (what
        is recorded after one report is seen by the next claim). An error in *claims* or in a
        rule is raised after the reports of the claims before it.

        Raises:
            InvalidInput: a claim that is not a :class:`~cptkit.Claim`.
        """
        rules, context = self.rules, self.context
        run = rules.__call__  # a bound method is called directly
        by_rule = context.history is None
        source = iter(claims)
        while True:
            batch: list[Claim] = []
            failure: Exception | None = None
            try:
                for claim in source:
                    batch.append(claim)
                    if len(batch) == _READ_AHEAD:
                        break
            except Exception as error:  # raised once the claims read before it are checked
                failure = error
            found = _by_rule(rules, batch, context) if by_rule else None
            if found is not None:
                for claim, findings in zip(batch, found, strict=True):
                    yield _report(claim, findings)
            else:  # claim by claim: a rule's (or a claim's) error comes after the claims before
                for claim in batch:
                    if not isinstance(claim, Claim):
                        raise InvalidInput("claim", type(claim).__name__, "a cptkit.Claim")
                    yield _report(claim, run(claim, context))
            if failure is not None:
                raise failure
            if len(batch) < _READ_AHEAD:
                return


def _by_rule(rules: RuleSet, batch: list[Claim], context: Context) -> list[list[Finding]] | None:
    """Each claim's findings, found rule by rule over the batch, or ``None`` when a claim is
    not one or a rule fails (the batch is then checked claim by claim)."""
    if not all(isinstance(claim, Claim) for claim in batch):
        return None
    try:
        return rules._run_batch(batch, context)
    except Exception:  # the same error again, claim by claim, after the reports before it
        return None


def _report(claim: Claim, findings: list[Finding]) -> Report:
    if len(findings) > 1:
        findings.sort(key=Finding.sort_key)
    return Report(tuple(findings), claim.claim_id)


def _ruleset(rules: object) -> RuleSet:
    if rules is None:
        from ..rulesets import medicare

        return medicare()
    if isinstance(rules, RuleSet):
        return rules
    return all_of(rules)  # type: ignore[arg-type]


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
