# SPDX-License-Identifier: MIT
"""The Medicare therapy threshold (KX modifier).

Source: Social Security Act sec. 1833(g) as amended by the Bipartisan Budget Act of 2018; CMS
annual PFS final rules for the amounts (PT and SLP combined, OT separately); CMS Pub. 100-04
ch. 5 sec. 10.3. CARC 119: "benefit maximum for this time period has been reached".

The thresholds are per beneficiary per calendar year, so the year-to-date amounts (facts) are
those of the year of the claim's earliest date of service: a line of a later year starts a year
whose amount cptkit does not know, and is left alone.

The amounts are Medicare allowed amounts. When the year-to-date amount and the PFS locality
are known (:class:`~cptkit.validation.Facts`), this claim's own lines are priced with
:func:`cptkit.payment.estimate`: the line on which the year's amount passes the threshold, and
every later line of the same threshold, need KX too (a warning: the amount is an estimate).
That reads the whole claim (dates, places, the other lines), so the rule is a plain
:class:`~cptkit.validation.Rule`.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import attrs

from ... import payment
from ...claims import Claim, ClaimLine
from ...errors import CptkitError
from ...modifiers import Modifier
from .._context import Context
from .._findings import Finding, Severity
from .._rule import Rule
from ._common import GN, GO, GP

__all__ = ["kx_threshold"]

KX = Modifier("KX")
_OT, _PT_SLP = "OT", "PT and SLP"
_SUGGESTION = "add KX if the services are medically necessary and documented so"


def _bucket(line: ClaimLine) -> str | None:
    if GO in line.modifiers:
        return _OT
    if GP in line.modifiers or GN in line.modifiers:
        return _PT_SLP
    return None


def _year(claim: Claim, context: Context) -> int:
    """The year the year-to-date amounts are of: the claim's earliest date's, as judged."""
    return context.day(min(line.date_of_service for line in claim.lines)).year


def _crossings(claim: Claim, context: Context) -> dict[int, Decimal]:
    """The lines (with their threshold) on or after which this claim's estimated allowed
    amounts take a known year-to-date amount past the threshold; empty when the estimate
    cannot be made. Lines count in date order (then claim order), in the year of the first."""
    facts = context.facts
    known = {_OT: facts.ot_amount_ytd, _PT_SLP: facts.pt_slp_amount_ytd}
    if facts.locality is None:
        return {}
    # Judged on a date (`on`), the claim is priced with that date's fee schedule year.
    on_year = None if context.on is None else context.on.year
    try:
        estimate = payment.estimate(
            claim, locality=facts.locality, year=on_year, catalog=context.catalog
        )
    except CptkitError:
        return {}
    order = sorted(range(len(claim.lines)), key=lambda i: (claim.lines[i].date_of_service, i))
    year = _year(claim, context)
    threshold = context.policy.kx_threshold(year)
    if threshold is None:
        return {}
    running = {bucket: amount for bucket, amount in known.items() if amount is not None}
    found: dict[int, Decimal] = {}
    for index in order:
        line = claim.lines[index]
        bucket = _bucket(line)
        if bucket not in running or context.day(line.date_of_service).year != year:
            continue
        running[bucket] += estimate.lines[index].allowed
        if running[bucket] > threshold:
            found[index] = threshold
    return found


@attrs.frozen
class _KxThreshold(Rule):
    def check(self, claim: Claim, context: Context) -> Iterator[Finding]:
        facts = context.facts
        if facts.pt_slp_amount_ytd is None and facts.ot_amount_ytd is None:
            return  # the usual run: nothing to compare with
        crossings = _crossings(claim, context)
        year = _year(claim, context)
        for index, line in enumerate(claim.lines):
            bucket = _bucket(line)
            if KX in line.modifiers or bucket is None:
                continue
            if context.day(line.date_of_service).year != year:
                continue  # a later year: its year-to-date amount is unknown
            amount = facts.ot_amount_ytd if bucket == _OT else facts.pt_slp_amount_ytd
            threshold = context.policy.kx_threshold(year)
            if amount is not None and threshold is not None and amount >= threshold:
                yield self.finding(
                    index,
                    "modifiers",
                    f"{bucket} amount this year has reached the ${threshold} threshold and KX"
                    " is missing",
                    suggestion=_SUGGESTION,
                )
            elif index in crossings:
                yield self.finding(
                    index,
                    "modifiers",
                    f"{bucket} amount this year passes the ${crossings[index]} threshold by"
                    " this line (estimated allowed amounts) and KX is missing",
                    suggestion=_SUGGESTION,
                    severity=Severity.WARNING,
                )


def kx_threshold() -> Rule:
    """``kx-threshold``: the therapy line has no KX although the year-to-date therapy amount
    (a fact given in the context, for the year of the claim's earliest date) is at the year's
    threshold (an error), or, with the PFS locality known, this claim's estimated allowed
    amounts take it past (a warning). Lines of a later year are not judged."""
    return _KxThreshold("kx-threshold", Severity.ERROR, "CO-119")
