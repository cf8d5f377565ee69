# SPDX-License-Identifier: MIT
"""Which rules of a rule set have a columnar form, and how every other member is run.

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
  read a claim's diagnoses and the ICD-10-CM fiscal years its lines are judged in, nothing
  else, and report claim-level findings, so each is run once per distinct (diagnoses, years)
  and its findings are given to every claim with the same.

The other members are judged by the rule's own code (:data:`Split.claim_rules`, each with how
it is run), only where it can give a finding, or once per distinct input:

* ``"minutes"`` (``units-minutes-mismatch`` without unbilled-minute facts): the units the
  documented minutes support, per claim, date and discipline, as polars expressions (the CMS
  chart with whole blocks first and leftovers by leftover minutes, minutes and code; the
  midpoint rule), each distinct mismatch worded by the rule's own ``_finding``; claims with
  a ladder code, a timed line without minutes or a tie for a leftover unit are run through
  the rule itself.
* ``"pointers"`` (``diagnosis-not-pointed``): it reads the number of a claim's diagnoses and
  the pointers its lines use, so it runs once per distinct pair and its claim-level findings
  go to every claim with the same.
* ``"payable"``, ``"mue"``, ``"untimed"``, ``"ncci"``, ``"addon"``, ``"per-primary"``,
  ``"repeated"``: the rule runs on the claims a polars filter over the batch's lines picks,
  the ones where its code can give a finding (a code with a non-paid PFS status; units of one
  code and date above its MUE or the payer's cap; more than one unit of a one-per-session
  code on one date; two lines of one date whose codes have an NCCI edit in force that date;
  an add-on; an add-on reported once per primary; two lines of one code and date). On the
  others the rule's code gives nothing, so it is not run there.
* ``"every"``: every other member (plain rules, ``when``/``with_severity``/``without``
  wrappers, a user's function, ``kx-threshold`` with payer amounts, the rules across claims
  with a history, ``units-minutes-mismatch`` with unbilled minutes, a rule added later) runs
  on every claim.

The forms are held to the per-claim engine by the differential test
(``tests/test_columnar.py``): a change to one of these rules that a form does not follow makes
it fail.

``kx-threshold`` without year-to-date amounts and the rules across claims without a history
give nothing on any claim (their first line says so) and are not run at all.
"""

from __future__ import annotations

from typing import NamedTuple

from ..validation import Checker, LineRule, Rule
from ..validation._combinators import RuleLike
from ..validation.rules.coverage import _DataStale
from ..validation.rules.diagnoses import (
    _DiagnosisNotBillable,
    _DiagnosisNotPointed,
    _DiagnosisUnknown,
)
from ..validation.rules.history import (
    _AcrossClaims,
    _AuthorizationExceeded,
    _AuthorizationExpired,
    _AuthorizationMissing,
    _DuplicateClaim,
    _KxThresholdAcross,
    _NcciPtpAcross,
    _UnitsExceedMueAcross,
)
from ..validation.rules.pairs import (
    _AddonUnitsExceedPrimary,
    _AddonWithoutPrimary,
    _DuplicateLine,
    _NcciPtp,
)
from ..validation.rules.payment import _CodeNotPayable
from ..validation.rules.thresholds import _KxThreshold
from ..validation.rules.units import _UnitsExceedMue, _UnitsMinutesMismatch, _UntimedMultipleUnits

__all__ = ["ClaimRule", "Split", "split"]


class ClaimRule(NamedTuple):
    """A member judged per claim, with its place among them and how it is run."""

    position: int
    """Its place among the set's claim rules (findings of one claim keep this order)."""
    rule: RuleLike
    how: str
    """How it is run: ``"every"`` claim, or a form (see the module's text)."""


class Split(NamedTuple):
    """A rule set divided by how its members are judged."""

    line_rules: tuple[LineRule, ...]
    """Judged per distinct line view, in the set's order (their positions matter: a
    claim-level finding is reported once per rule position)."""
    stale: _DataStale | None
    """The built-in ``data-stale`` rule, judged per distinct date (the first one if given
    twice; any other copy runs per claim)."""
    by_diagnoses: tuple[Rule, ...]
    """Judged once per distinct (diagnoses, years), in the set's order."""
    claim_rules: tuple[ClaimRule, ...]
    """Every other member that can give a finding, in the set's order."""


def split(checker: Checker) -> Split:
    """Divide *checker*'s rule set by how its members are judged."""
    context = checker.context
    lines: list[LineRule] = []
    stale: _DataStale | None = None
    by_diagnoses: list[Rule] = []
    others: list[ClaimRule] = []
    for member in checker.rules.rules:
        kind = type(member)
        if isinstance(member, LineRule):
            lines.append(member)
        elif kind is _DataStale and stale is None:
            stale = member  # type: ignore[assignment]
        elif kind in _BY_DIAGNOSES:
            by_diagnoses.append(member)  # type: ignore[arg-type]
        elif (
            kind in _ACROSS and kind.__call__ is _AcrossClaims.__call__ and context.history is None
        ):
            continue  # without a history, `_AcrossClaims.__call__` gives nothing
        elif kind is _KxThreshold and (
            context.facts.pt_slp_amount_ytd is None and context.facts.ot_amount_ytd is None
        ):
            continue  # without amounts: its check returns at once
        else:
            how = _HOW.get(kind, "every")
            if kind is _UnitsMinutesMismatch and context.facts.unbilled_minutes:
                how = "every"  # unbilled minutes are given per date and discipline
            others.append(ClaimRule(len(others), member, how))
    return Split(tuple(lines), stale, tuple(by_diagnoses), tuple(others))


_BY_DIAGNOSES = (_DiagnosisUnknown, _DiagnosisNotBillable)
_ACROSS = frozenset(
    {
        _DuplicateClaim,
        _UnitsExceedMueAcross,
        _NcciPtpAcross,
        _KxThresholdAcross,
        _AuthorizationMissing,
        _AuthorizationExpired,
        _AuthorizationExceeded,
    }
)
_HOW: dict[type, str] = {
    _UnitsMinutesMismatch: "minutes",
    _DiagnosisNotPointed: "pointers",
    _CodeNotPayable: "payable",
    _UnitsExceedMue: "mue",
    _UntimedMultipleUnits: "untimed",
    _NcciPtp: "ncci",
    _AddonWithoutPrimary: "addon",
    _AddonUnitsExceedPrimary: "per-primary",
    _DuplicateLine: "repeated",
}
