# SPDX-License-Identifier: MIT
"""Rules about Medicare payment status: a code the Physician Fee Schedule does not pay.

Sources: the CMS PFS Relative Value Files (status indicator per code, quarterly PPRRVU 2022A-
2024C, RVU25D, RVU26C; the file's documentation defines the indicators: I not valid for
Medicare purposes, another code is used; N non-covered service; B bundled, never paid
separately); the CY2018 PFS final rule (97127 status I, G0515 in its place for 2018-2019).
CARCs: 181 (procedure code invalid on the date of service) for I, 96 (non-covered charge) for
N, 97 (payment included in another service) for B.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import attrs

from ... import _pfs_status
from ...claims import Claim
from ...modifiers import Modifier
from .._context import Context
from .._findings import Finding, Severity
from .._rule import Rule
from ._common import UNPAID, visit

__all__ = ["code_not_payable"]

# Status -> (what it means, CARC, advice).
_STATUSES = {
    "I": ("is not valid for Medicare (PFS status I)", "CO-181", "bill the code Medicare uses"),
    "N": (
        "is not covered by Medicare (PFS status N)",
        "CO-96",
        "do not bill it to Medicare, or add GY if a secondary payer needs Medicare's denial",
    ),
    "B": (
        "is bundled: Medicare never pays it separately (PFS status B)",
        "CO-97",
        "do not bill it separately; its payment is in the day's other services",
    ),
}
# On a non-covered service these say the biller knows (GY: statutorily excluded; GA/GZ: an
# advance notice was or was not given).
_NOTICE = frozenset({Modifier("GY"), Modifier("GA"), Modifier("GZ")})


@attrs.frozen
class _CodeNotPayable(Rule):
    def __call__(self, claim: Claim, context: Context) -> Iterable[Finding]:
        # Called, it returns no findings at once for a claim without an unpaid code.
        return self.check(claim, context) if visit(claim, context).kinds & UNPAID else ()

    def check(self, claim: Claim, context: Context) -> Iterator[Finding]:
        unpaid = _pfs_status.unpaid_codes()  # read once, kept by cptkit._dataset
        for index, line in enumerate(claim.lines):
            text = line.code.value
            if text not in unpaid:
                continue
            span = _pfs_status.status_on(text, context.day(line.date_of_service))
            if span is None or span.status not in _STATUSES:
                continue
            if span.status == "N" and any(m in _NOTICE for m in line.modifiers):
                continue
            meaning, carc, advice = _STATUSES[span.status]
            if span.use:
                advice = f"bill {span.use}, the code Medicare uses"
            yield self.finding(index, "code", f"{text} {meaning}", suggestion=advice, carc=carc)


def code_not_payable() -> Rule:
    """``code-not-payable``: a code whose Medicare PFS status on the date of service is I (not
    valid for Medicare; the suggestion names the code Medicare uses when known), N (not
    covered) or B (bundled). Medicare rule set only."""
    return _CodeNotPayable("code-not-payable", Severity.ERROR, "CO-181")
