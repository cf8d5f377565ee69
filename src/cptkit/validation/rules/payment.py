# SPDX-License-Identifier: MIT
"""Rules about Medicare payment status: a code the Physician Fee Schedule does not pay.

Sources: the CMS PFS Relative Value Files (status indicator per code, quarterly PPRRVU 2022A-
2024C, RVU25D, RVU26C; the file's documentation defines the indicators: I not valid for
Medicare purposes, another code is used; N non-covered service; B bundled, never paid
separately; X statutory exclusion, not a physician service in the statute's sense, and E
excluded by regulation: no payment under the PFS, though Medicare may pay the service under
another payment system, as it pays laboratory tests under their own fee schedule and home
health services under the home health system); the CY2018 PFS final rule (97127 status I,
G0515 in its place for 2018-2019). CARCs: 181 (procedure code invalid on the date of service)
for I, 96 (non-covered charge) for N, 97 (payment included in another service) for B; none for
X and E, whose outcome is the other payment system's.
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

_ELSEWHERE = (
    "Medicare pays it, if at all, outside the PFS (home health, hospital outpatient or a fee"
    " schedule of its own): bill it there, or add GY if a secondary payer needs Medicare's denial"
)
# Status -> (what it means, CARC, advice, severity).
_STATUSES: dict[str, tuple[str, str | None, str, Severity]] = {
    "I": (
        "is not valid for Medicare (PFS status I)",
        "CO-181",
        "bill the code Medicare uses",
        Severity.ERROR,
    ),
    "N": (
        "is not covered by Medicare (PFS status N)",
        "CO-96",
        "do not bill it to Medicare, or add GY if a secondary payer needs Medicare's denial",
        Severity.ERROR,
    ),
    "B": (
        "is bundled: Medicare never pays it separately (PFS status B)",
        "CO-97",
        "do not bill it separately; its payment is in the day's other services",
        Severity.ERROR,
    ),
    # Not paid under the PFS, but perhaps under another payment system: a warning.
    "X": (
        "is not paid under the Medicare Physician Fee Schedule (PFS status X: excluded by statute)",
        None,
        _ELSEWHERE,
        Severity.WARNING,
    ),
    "E": (
        "is not paid under the Medicare Physician Fee Schedule (PFS status E: excluded by"
        " regulation)",
        None,
        _ELSEWHERE,
        Severity.WARNING,
    ),
}
# On a service Medicare does not cover these say the biller knows (GY: statutorily excluded;
# GA/GZ: an advance notice was or was not given).
_NOTICE = frozenset({Modifier("GY"), Modifier("GA"), Modifier("GZ")})
_NOT_COVERED = frozenset({"N", "X", "E"})


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
            if span.status in _NOT_COVERED and any(m in _NOTICE for m in line.modifiers):
                continue
            meaning, carc, advice, severity = _STATUSES[span.status]
            if span.use:
                advice = f"bill {span.use}, the code Medicare uses"
            yield self.finding(
                index,
                "code",
                f"{text} {meaning}",
                suggestion=advice,
                carc=carc,
                severity=severity,
            )


def code_not_payable() -> Rule:
    """``code-not-payable``: a code whose Medicare PFS status on the date of service is I (not
    valid for Medicare; the suggestion names the code Medicare uses when known), N (not
    covered) or B (bundled), errors; or X or E (excluded from the PFS by statute or
    regulation, perhaps paid under another payment system), warnings. Medicare rule set
    only."""
    return _CodeNotPayable("code-not-payable", Severity.ERROR, "CO-181")
