# SPDX-License-Identifier: MIT
"""The Medicare therapy threshold (KX modifier).

Source: Social Security Act sec. 1833(g) as amended by the Bipartisan Budget Act of 2018; CMS
annual PFS final rules for the amounts (PT and SLP combined, OT separately); CMS Pub. 100-04
ch. 5 sec. 10.3. CARC 119: "benefit maximum for this time period has been reached".
"""

from __future__ import annotations

from collections.abc import Iterator

import attrs

from ...claims import Claim
from ...modifiers import Modifier
from .._core import Context, Finding, Rule, Severity
from ._common import GN, GO, GP

__all__ = ["kx_threshold"]

KX = Modifier("KX")


@attrs.frozen
class _KxThreshold(Rule):
    def check(self, claim: Claim, context: Context) -> Iterator[Finding]:
        facts = context.facts
        for index, line in enumerate(claim.lines):
            if KX in line.modifiers:
                continue
            if GO in line.modifiers:
                amount, bucket = facts.ot_amount_ytd, "OT"
            elif GP in line.modifiers or GN in line.modifiers:
                amount, bucket = facts.pt_slp_amount_ytd, "PT and SLP"
            else:
                continue
            threshold = context.policy.kx_threshold(context.day(line.date_of_service).year)
            if amount is None or threshold is None or amount < threshold:
                continue
            yield self.finding(
                index,
                "modifiers",
                f"{bucket} amount this year has reached the ${threshold} threshold and KX is missing",
                suggestion="add KX if the services are medically necessary and documented so",
            )


def kx_threshold() -> Rule:
    """``kx-threshold``: the year-to-date therapy amount (a fact given in the context) is above
    the year's threshold and the therapy line has no KX."""
    return _KxThreshold("kx-threshold", Severity.ERROR, "CO-119")
