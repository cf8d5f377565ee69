# SPDX-License-Identifier: MIT
"""Rules about therapy evaluations: the discipline an evaluation code belongs to, and who may
furnish it.

Sources: CMS Pub. 100-02 (Medicare Benefit Policy Manual) ch. 15 sec. 230.1 (PT) and 230.2 (OT):
evaluations and re-evaluations are furnished by the therapist, never by an assistant; CMS
Pub. 100-04 ch. 5 sec. 20 (therapy claim edits: the discipline modifier matches the plan of
care); CY2017 PFS final rule (81 FR 80170), which created the PT evaluations 97161-97163 and
re-evaluation 97164 and the OT evaluations 97165-97167 and re-evaluation 97168. The SLP
evaluations are the speech, language, voice and swallowing evaluation codes 92521-92524 and
92610. CARC 4: "the procedure code is inconsistent with the modifier used".
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator

import attrs

from ...modifiers import Modifier
from ...records import Discipline
from .._context import Context
from .._findings import Finding, Severity
from .._rule import LineRule, LineView, Rule
from ._common import GN, GO, GP, THERAPY_DISCIPLINE_MODIFIERS

__all__ = ["assistant_on_evaluation", "evaluation_modifier_mismatch"]

_PT = Discipline.PT
_OT = Discipline.OT
_SLP = Discipline.SLP

# Evaluation code -> (discipline, re-evaluation?), typed from the CY2017 PFS final rule and
# the CPT code set.
EVALUATIONS: dict[str, tuple[Discipline, bool]] = {
    "97161": (_PT, False),
    "97162": (_PT, False),
    "97163": (_PT, False),
    "97164": (_PT, True),
    "97165": (_OT, False),
    "97166": (_OT, False),
    "97167": (_OT, False),
    "97168": (_OT, True),
    "92521": (_SLP, False),
    "92522": (_SLP, False),
    "92523": (_SLP, False),
    "92524": (_SLP, False),
    "92610": (_SLP, False),
}
_MODIFIER = {_PT: GP, _OT: GO, _SLP: GN}
_NAME = {_PT: "PT", _OT: "OT", _SLP: "SLP"}
_ARTICLE = {_PT: "a", _OT: "an", _SLP: "an"}
_CODES = {_PT: "97161-97163", _OT: "97165-97167", _SLP: "92521-92524, 92610"}
# Before 2017 (CY2017 PFS final rule) PT and OT evaluated with 97001 and 97003.
_BEFORE_2017 = {_PT: "97001", _OT: "97003"}
# Re-evaluations: 97164 (PT) and 97168 (OT), before 2017 97002 and 97004; SLP has no code of
# its own for one (its evaluation codes serve).
_AGAIN = {_PT: "97164", _OT: "97168"}
_AGAIN_BEFORE_2017 = {_PT: "97002", _OT: "97004"}
_FIRST_DAY = datetime.date(2017, 1, 1)
_ASSISTANTS = (Modifier("CQ"), Modifier("CO"))


@attrs.frozen
class _EvaluationModifierMismatch(LineRule):
    def check_line(self, index: int, line: LineView, context: Context) -> Iterator[Finding]:
        found = EVALUATIONS.get(line.code.value)
        if found is None:
            return
        discipline, again = found
        needed = _MODIFIER[discipline]
        kind = (
            f"{_ARTICLE[discipline]} {_NAME[discipline]}"
            f" {'re-evaluation' if again else 'evaluation'}"
        )
        for modifier in line.modifiers:
            if modifier in THERAPY_DISCIPLINE_MODIFIERS and modifier != needed:
                yield self.finding(
                    index,
                    "modifiers",
                    f"{line.code} is {kind}: it takes {needed}, not {modifier}",
                    suggestion=f"use {needed}",
                )
                break
        clinician = context.facts.clinician_discipline
        if clinician in _MODIFIER and clinician is not discipline:
            yield self.finding(
                index,
                "code",
                f"{line.code} is {kind}; the clinician's discipline is {_NAME[clinician]}",
                suggestion=_instead(clinician, line.day, again),
            )


@attrs.frozen
class _AssistantOnEvaluation(LineRule):
    def check_line(self, index: int, line: LineView, context: Context) -> Iterator[Finding]:
        found = EVALUATIONS.get(line.code.value)
        if found is None:
            return
        for modifier in line.modifiers:
            if modifier in _ASSISTANTS:
                kind = "re-evaluation" if found[1] else "evaluation"
                yield self.finding(
                    index,
                    "modifiers",
                    f"{modifier} on {line.code}: an assistant never furnishes"
                    f" {'a' if found[1] else 'an'} {kind}",
                    suggestion=f"remove {modifier}; the therapist bills the {kind}",
                )
                return


def _instead(discipline: Discipline, day: datetime.date, again: bool) -> str:
    """What to bill instead: the evaluation codes (or, for a re-evaluation, the
    re-evaluation code) of *discipline* valid on *day*."""
    name = _NAME[discipline]
    before = day < _FIRST_DAY
    if again and discipline in _AGAIN:
        code = (_AGAIN_BEFORE_2017 if before else _AGAIN)[discipline]
        return f"bill the {name} re-evaluation code ({code})"
    if before and discipline in _BEFORE_2017:
        return f"bill the {name} evaluation codes ({_BEFORE_2017[discipline]})"
    return f"bill the {name} evaluation codes ({_CODES[discipline]})"


def evaluation_modifier_mismatch() -> Rule:
    """``evaluation-modifier-mismatch``: a PT, OT or SLP evaluation with another discipline's
    modifier (97161 with GO), or of another discipline than the clinician's
    (:attr:`Facts.clinician_discipline`)."""
    return _EvaluationModifierMismatch("evaluation-modifier-mismatch", Severity.ERROR, "CO-4")


def assistant_on_evaluation() -> Rule:
    """``assistant-on-evaluation``: CQ or CO on an evaluation or re-evaluation."""
    return _AssistantOnEvaluation("assistant-on-evaluation", Severity.ERROR, "CO-4")
