# SPDX-License-Identifier: MIT
"""How an NCCI procedure-to-procedure edit judges two lines of one date: the one judgement
``ncci-ptp`` makes on one claim (:mod:`.pairs`) and across claims (:mod:`.history`).

Sources: CMS NCCI Policy Manual ch. I (modifier indicator 0: never payable together, no
modifier bypasses it; 1: payable together with an NCCI-associated modifier, on either line for
Medicare Part B; 9: no edit); CPT Appendix A (24, 25, 27 and 57 describe E/M services; 59 is for
services other than E/M, and an E/M takes 25 instead); CMS MLN fact sheet MLN1783722 "Proper
Use of Modifiers 59 & -X{EPSU}" (59 identifies services other than E/M; XE, XS, XP and XU are
its more selective forms). An NCCI-associated modifier on the other kind of code bypasses
nothing: cptkit reports the pair, or warns beside a real bypass.

>>> evaluation_and_management("99213"), evaluation_and_management("97161")
(True, False)
"""

from __future__ import annotations

from typing import NamedTuple

import attrs

from ...codes import Code
from ...modifiers import Modifier
from ...records import ModifierGroup, PTPEdit
from .._context import Context
from .._findings import Finding, Severity
from .._rule import Rule

__all__ = ["Side", "evaluation_and_management", "pair_findings"]

# NCCI-associated modifiers that bypass an edit only on an E/M code, and those only on a code
# that is not one (CPT Appendix A; MLN1783722). The others (anatomic, 58, 78, 79, 91) bypass
# on any code.
_EVALUATION_ONLY = frozenset(Modifier(text) for text in ("24", "25", "27", "57"))
_NOT_ON_EVALUATION = frozenset(Modifier(text) for text in ("59", "XE", "XP", "XS", "XU"))


def evaluation_and_management(code: str) -> bool:
    """Whether *code* is an E/M code (CPT 99201-99499, 99201 until 2020, and the 98000-98016
    virtual visits)."""
    return code.isdigit() and ("99201" <= code <= "99499" or "98000" <= code <= "98016")


def _fits(modifier: Modifier) -> str:
    return "an E/M code" if modifier in _EVALUATION_ONLY else "a non-E/M code"


class Side(NamedTuple):
    """One line of a pair: its index on the claim checked (``None`` for a line of another
    claim), its code and its modifiers."""

    line: int | None
    code: Code
    modifiers: tuple[Modifier, ...]


def _modifiers(context: Context, side: Side) -> tuple[bool, list[Modifier]]:
    """Whether *side* carries an NCCI-associated modifier that bypasses an edit on its code,
    and the NCCI-associated modifiers it carries that do not fit its kind of code."""
    bypass = False
    misplaced: list[Modifier] = []
    evaluation: bool | None = None
    for modifier in side.modifiers:
        info = context.modifier_info(modifier)
        if info is None or info.group is not ModifierGroup.NCCI_BYPASS:
            continue
        evaluation_only = modifier in _EVALUATION_ONLY
        if evaluation_only or modifier in _NOT_ON_EVALUATION:
            if evaluation is None:
                evaluation = evaluation_and_management(side.code.value)
            if evaluation_only is not evaluation:
                misplaced.append(modifier)
                continue
        bypass = True
    return bypass, misplaced


_FIX = (
    "only if the services were truly distinct (separate session, site or encounter) and"
    " documented, append 59 or XE/XS/XP/XU; cptkit never adds one"
)


def pair_findings(
    rule: Rule, context: Context, edit: PTPEdit, sides: tuple[Side, Side], at: int, where: str = ""
) -> list[Finding]:
    """What *rule* (``ncci-ptp``) reports of two lines of one date with *edit* in force:
    the pair's finding on line *at*, or, when a modifier bypasses the edit, a warning for each
    NCCI-associated modifier on the wrong kind of code on a line of the claim checked. *where*
    ends each message (the other claim's line, across claims). An acknowledged pair (*rule*'s
    id and *at* in the context's ``acknowledged``) becomes info, for indicator 1 only."""
    if edit.modifier_indicator == 0:
        return [
            rule.finding(
                at,
                "code",
                f"{edit.column2} is bundled into {edit.column1} (NCCI, modifier indicator 0:"
                f" never payable together){where}",
                suggestion=f"do not bill {edit.column2} with {edit.column1} on the same date",
                carc="CO-97",
            )
        ]
    bypass = False
    misplaced: list[tuple[Side, Modifier]] = []
    for side in sides:
        passes, wrong = _modifiers(context, side)
        bypass = bypass or passes
        misplaced.extend((side, modifier) for modifier in wrong)
    if bypass:  # the biller attested that the services were distinct
        return [
            rule.finding(
                side.line,
                "modifiers",
                f"modifier {modifier} on {side.code}: an NCCI-associated modifier only on"
                f" {_fits(modifier)}{where}",
                suggestion=f"remove {modifier}; the pair's other modifier is the bypass",
                severity=Severity.WARNING,
                carc=None,
            )
            for side, modifier in misplaced
            if side.line is not None
        ]
    notes = dict.fromkeys(f"modifier {m} bypasses only on {_fits(m)}" for _, m in misplaced)
    note = f" ({'; '.join(notes)})" if notes else ""
    found = rule.finding(
        at,
        "modifiers",
        f"{edit.column2} with {edit.column1}: NCCI edit (modifier indicator 1,"
        f" {edit.rationale.lower()}) and no NCCI-associated modifier{note}{where}",
        suggestion=_FIX,
    )
    if (rule.id, at) in context.acknowledged:
        found = attrs.evolve(
            found, severity=Severity.INFO, message=found.message + " (acknowledged distinct)"
        )
    return [found]
