# SPDX-License-Identifier: MIT
"""Rules about diagnosis pointers.

Sources: X12 837P SV107 (one to four pointers, each naming a position 1-12 in the claim's HI
segment); CMS-1500 item 24E. CARC 16: "claim/service lacks information".
"""

from __future__ import annotations

from collections.abc import Iterator

import attrs

from .._context import Context
from .._findings import Finding, Severity
from .._rule import LineRule, LineView, Rule

__all__ = ["diagnosis_pointer_invalid"]

MAX_POINTERS = 4


@attrs.frozen
class _DiagnosisPointerInvalid(LineRule):
    def check_line(self, index: int, line: LineView, context: Context) -> Iterator[Finding]:
        diagnoses = line.diagnoses
        pointers = line.diagnosis_pointers
        if not pointers:
            yield self.finding(
                index,
                "diagnosis_pointers",
                "no diagnosis pointer",
                suggestion="point the line at the diagnosis it treats (1 for the first)",
            )
            return
        if len(pointers) > MAX_POINTERS:
            yield self.finding(
                index,
                "diagnosis_pointers",
                f"{len(pointers)} diagnosis pointers; a line carries at most 4",
                suggestion="keep the four most relevant, primary first",
            )
        for pointer in pointers:
            if pointer > diagnoses:
                yield self.finding(
                    index,
                    "diagnosis_pointers",
                    f"pointer {pointer} but the claim has {diagnoses} diagnos"
                    f"{'is' if diagnoses == 1 else 'es'}",
                    suggestion=f"use a pointer from 1 to {diagnoses}",
                )


def diagnosis_pointer_invalid() -> Rule:
    """``diagnosis-pointer-invalid``: a pointer to a diagnosis the claim does not have, more
    than 4 pointers, or none."""
    return _DiagnosisPointerInvalid("diagnosis-pointer-invalid", Severity.ERROR, "CO-16")
