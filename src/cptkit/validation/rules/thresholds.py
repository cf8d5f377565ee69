# SPDX-License-Identifier: MIT
"""The Medicare therapy threshold (KX modifier).

Source: Social Security Act sec. 1833(g) as amended by the Bipartisan Budget Act of 2018; CMS
annual PFS final rules for the amounts (PT and SLP combined, OT separately); CMS Pub. 100-04
ch. 5 sec. 10.3. CARC 119: "benefit maximum for this time period has been reached".
"""

from __future__ import annotations

from collections.abc import Iterator

import attrs

from ...modifiers import Modifier
from .._context import Context
from .._findings import Finding, Severity
from .._rule import LineRule, LineView, Rule
from ._common import GN, GO, GP

__all__ = ["kx_threshold"]

KX = Modifier("KX")


@attrs.frozen
class _KxThreshold(LineRule):
    def check_line(self, index: int, line: LineView, context: Context) -> Iterator[Finding]:
        if KX in line.modifiers:
            return
        facts = context.facts
        if GO in line.modifiers:
            amount, bucket = facts.ot_amount_ytd, "OT"
        elif GP in line.modifiers or GN in line.modifiers:
            amount, bucket = facts.pt_slp_amount_ytd, "PT and SLP"
        else:
            return
        threshold = context.policy.kx_threshold(line.day.year)
        if amount is None or threshold is None or amount < threshold:
            return
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
