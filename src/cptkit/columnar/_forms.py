# SPDX-License-Identifier: MIT
"""Which rules of a rule set have a columnar form, and the rest as a rule set of their own.

A rule has a columnar form when the engine can judge it for a whole batch of lines at once and
give exactly the findings the per-claim engine gives:

* every :class:`~cptkit.validation.LineRule` (built in or a user's): a line rule reads only its
  :class:`~cptkit.validation.LineView`, so it is judged once per distinct view of the batch and
  its findings are joined back onto every line with that view (the per-claim engine's line
  memo, as a join);
* ``data-stale`` (the built-in rule itself, not a wrapper of it): it judges a line by its date
  alone and reports the first stale line of a claim, so it is judged once per distinct date
  and the first stale line of each claim is kept;
* ``diagnosis-unknown`` and ``diagnosis-not-billable`` (the built-in rules themselves): they
  read a claim's diagnoses and the days its lines are judged on, nothing else, and report
  claim-level findings, so each is run once per distinct (diagnoses, days) and its findings
  are given to every claim with the same.

Every other member (plain rules, ``when``/``with_severity``/``without`` wrappers, a user's
function, a rule added later) has no columnar form: it runs on every claim through the
per-claim engine, in a rule set of those members alone (:func:`split`).
"""

from __future__ import annotations

from typing import NamedTuple

from ..validation import Checker, LineRule, Rule, RuleSet
from ..validation.rules.coverage import _DataStale
from ..validation.rules.diagnoses import _DiagnosisNotBillable, _DiagnosisUnknown

__all__ = ["Split", "split"]


class Split(NamedTuple):
    """A rule set divided by how its members are judged."""

    line_rules: tuple[LineRule, ...]
    """Judged per distinct line view, in the set's order (their positions matter: a
    claim-level finding is reported once per rule position)."""
    stale: _DataStale | None
    """The built-in ``data-stale`` rule, judged per distinct date (the first one if given
    twice; any other copy runs per claim)."""
    by_diagnoses: tuple[Rule, ...]
    """Judged once per distinct (diagnoses, days), in the set's order."""
    rest: Checker | None
    """A checker of the members without a columnar form (``None`` when there are none), with
    the options of the run."""


def split(checker: Checker) -> Split:
    """Divide *checker*'s rule set into its columnar part and a checker of the rest."""
    lines: list[LineRule] = []
    stale: _DataStale | None = None
    by_diagnoses: list[Rule] = []
    others = []
    for member in checker.rules.rules:
        if isinstance(member, LineRule):
            lines.append(member)
        elif type(member) is _DataStale and stale is None:
            stale = member
        elif type(member) in _BY_DIAGNOSES:
            by_diagnoses.append(member)  # type: ignore[arg-type]
        else:
            others.append(member)
    rest = None
    if others:
        # The options and context of the run (the tables data-stale watches are the whole
        # set's, not those of this part).
        rest = checker._sharing(RuleSet(tuple(others), checker.rules.policy, checker.rules.name))
    return Split(tuple(lines), stale, tuple(by_diagnoses), rest)


_BY_DIAGNOSES = (_DiagnosisUnknown, _DiagnosisNotBillable)
