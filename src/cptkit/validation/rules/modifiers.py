# SPDX-License-Identifier: MIT
"""Rules about modifiers: known and current, not repeated, at most four, the therapy
discipline modifiers (GP/GO/GN), the assistant modifiers (CQ/CO), and 59 beside an X modifier.

Sources: CMS HCPCS modifier file (dates); X12 837P SV101-03..06 (four modifier slots);
CMS Pub. 100-04 ch. 5 sec. 20.1 and the Annual Therapy Update (GP/GO/GN on every therapy
line); CMS CY2020-2022 PFS final rules (CQ/CO with GP/GO); CMS CR 8863 (Transmittal 1422,
2014; MLN Matters MM8863): XE, XS, XP, XU are more specific subsets of 59, so a line carries
one or the other. CARC 4: "the procedure code is inconsistent with the modifier used, or a
required modifier is missing".
"""

from __future__ import annotations

from collections.abc import Iterator

import attrs

from ...modifiers import Modifier
from ...records import Discipline
from .._context import Context
from .._findings import Finding, Severity
from .._rule import LineRule, LineView, Rule
from ._common import GN, GO, GP, THERAPY_DISCIPLINE_MODIFIERS

__all__ = [
    "assistant_modifier_mismatch",
    "bypass_modifier_redundant",
    "liability_modifier_conflict",
    "modifier_duplicate",
    "modifier_too_many",
    "modifier_unknown",
    "therapy_modifier_conflict",
    "therapy_modifier_missing",
]

MAX_MODIFIERS = 4
_DISCIPLINE_MODIFIER = {Discipline.PT: GP, Discipline.OT: GO, Discipline.SLP: GN}
_ASSISTANT = {Modifier("CQ"): GP, Modifier("CO"): GO}
_FIFTY_NINE = Modifier("59")
_X_MODIFIERS = frozenset(Modifier(text) for text in ("XE", "XS", "XP", "XU"))


@attrs.frozen
class _ModifierUnknown(LineRule):
    def check_line(self, index: int, line: LineView, context: Context) -> Iterator[Finding]:
        day = line.day
        for modifier in line.modifiers:
            info = context.modifier_info(modifier)
            if info is None:
                yield self.finding(
                    index,
                    "modifiers",
                    f"modifier {modifier} is not in the cptkit dataset",
                    suggestion="check the modifier against the payer's current list",
                    severity=Severity.WARNING,
                )
            elif not info.active_on(day):
                if info.terminated is not None and day > info.terminated:
                    when = f"was terminated after {info.terminated}"
                    fix = f"remove {modifier} or use the modifier that replaced it"
                else:
                    when = f"is not valid before {info.effective}"
                    fix = f"{modifier} applies to services from {info.effective}"
                # CARC 182: "procedure modifier was invalid on the date of service".
                yield self.finding(
                    index, "modifiers", f"modifier {modifier} {when}", suggestion=fix, carc="CO-182"
                )


@attrs.frozen
class _ModifierDuplicate(LineRule):
    def check_line(self, index: int, line: LineView, context: Context) -> Iterator[Finding]:
        seen: set[Modifier] = set()
        for modifier in line.modifiers:
            if modifier in seen:
                yield self.finding(
                    index,
                    "modifiers",
                    f"modifier {modifier} appears more than once",
                    suggestion=f"list {modifier} once",
                )
            seen.add(modifier)


@attrs.frozen
class _ModifierTooMany(LineRule):
    def check_line(self, index: int, line: LineView, context: Context) -> Iterator[Finding]:
        if len(line.modifiers) > MAX_MODIFIERS:
            yield self.finding(
                index,
                "modifiers",
                f"{len(line.modifiers)} modifiers; a claim line carries at most 4",
                suggestion="keep the pricing modifiers first and drop or move the rest",
            )


@attrs.frozen
class _TherapyModifierMissing(LineRule):
    def check_line(self, index: int, line: LineView, context: Context) -> Iterator[Finding]:
        if not context.policy.therapy_modifiers_required:
            return
        info = context.code_info(line.code)
        if info is None or info.therapy_list is None:
            return
        if any(m in THERAPY_DISCIPLINE_MODIFIERS for m in line.modifiers):
            return
        known = context.facts.clinician_discipline
        expected = _DISCIPLINE_MODIFIER.get(known) if known is not None else None
        suggestion = f"add {expected}" if expected else "add GP (PT), GO (OT) or GN (SLP)"
        if info.therapy_list == "always" or expected is not None:
            yield self.finding(
                index,
                "modifiers",
                f"{line.code} is a therapy code without GP, GO or GN",
                suggestion=suggestion,
            )
        else:
            yield self.finding(
                index,
                "modifiers",
                f"{line.code} needs GP, GO or GN when furnished under a therapy plan of care",
                suggestion=suggestion,
                severity=Severity.WARNING,
            )


@attrs.frozen
class _TherapyModifierConflict(LineRule):
    def check_line(self, index: int, line: LineView, context: Context) -> Iterator[Finding]:
        present = [m for m in line.modifiers if m in THERAPY_DISCIPLINE_MODIFIERS]
        if not present:
            return
        distinct = sorted(set(present), key=lambda m: m.value)
        expected = _DISCIPLINE_MODIFIER.get(context.facts.clinician_discipline)  # type: ignore[arg-type]
        if len(distinct) > 1:
            yield self.finding(
                index,
                "modifiers",
                f"more than one therapy discipline modifier: {', '.join(map(str, distinct))}",
                suggestion="keep the one of the plan of care the service was furnished under",
            )
        elif expected is not None and distinct[0] != expected:
            yield self.finding(
                index,
                "modifiers",
                f"{distinct[0]} does not match the clinician's discipline ({expected} expected)",
                suggestion=f"use {expected}",
            )


@attrs.frozen
class _AssistantModifierMismatch(LineRule):
    def check_line(self, index: int, line: LineView, context: Context) -> Iterator[Finding]:
        for assistant, needed in _ASSISTANT.items():
            if assistant in line.modifiers and needed not in line.modifiers:
                yield self.finding(
                    index,
                    "modifiers",
                    f"{assistant} without {needed}",
                    suggestion=f"{assistant} goes with {needed}; check the plan of care",
                )


@attrs.frozen
class _BypassModifierRedundant(LineRule):
    def check_line(self, index: int, line: LineView, context: Context) -> Iterator[Finding]:
        modifiers = line.modifiers
        if len(modifiers) < 2 or _FIFTY_NINE not in modifiers:
            return
        for modifier in modifiers:
            if modifier in _X_MODIFIERS:
                yield self.finding(
                    index,
                    "modifiers",
                    f"59 and {modifier} on one line",
                    suggestion=f"keep {modifier} (more specific) and drop 59",
                )
                return


def modifier_unknown() -> Rule:
    """``modifier-unknown``: a modifier the dataset does not know (warning, CO-4) or that was
    not valid on the date (error, CO-182)."""
    return _ModifierUnknown("modifier-unknown", Severity.ERROR, "CO-4")


def modifier_duplicate() -> Rule:
    """``modifier-duplicate``: the same modifier twice on a line."""
    return _ModifierDuplicate("modifier-duplicate", Severity.ERROR, "CO-4")


def modifier_too_many() -> Rule:
    """``modifier-too-many``: more than four modifiers on a line."""
    return _ModifierTooMany("modifier-too-many", Severity.ERROR, "CO-4")


# GA says a required liability notice (ABN) was issued; GZ that none was, GX that one was
# issued voluntarily: one line takes one of them (CMS CR 6563, MLN Matters MM6563, 2010: GA is
# not reported with another liability modifier such as GZ or GX).
_GA = Modifier("GA")
_NOT_WITH_GA = (Modifier("GX"), Modifier("GZ"))


@attrs.frozen
class _LiabilityModifierConflict(LineRule):
    def check_line(self, index: int, line: LineView, context: Context) -> Iterator[Finding]:
        if _GA not in line.modifiers:
            return
        for other in _NOT_WITH_GA:
            if other in line.modifiers:
                yield self.finding(
                    index,
                    "modifiers",
                    f"GA and {other} on one line: a liability notice was issued as required, and"
                    f" {'none was' if other.value == 'GZ' else 'one was issued voluntarily'}",
                    suggestion=f"keep GA if a required ABN is on file, else {other}",
                )


def therapy_modifier_missing() -> Rule:
    """``therapy-modifier-missing``: a therapy code without GP, GO or GN (where the payer
    policy requires them)."""
    return _TherapyModifierMissing("therapy-modifier-missing", Severity.ERROR, "CO-4")


def therapy_modifier_conflict() -> Rule:
    """``therapy-modifier-conflict``: more than one of GP/GO/GN, or one that does not match the
    clinician's known discipline."""
    return _TherapyModifierConflict("therapy-modifier-conflict", Severity.ERROR, "CO-4")


def assistant_modifier_mismatch() -> Rule:
    """``assistant-modifier-mismatch``: CQ without GP, CO without GO."""
    return _AssistantModifierMismatch("assistant-modifier-mismatch", Severity.ERROR, "CO-4")


def liability_modifier_conflict() -> Rule:
    """``liability-modifier-conflict``: GA with GZ or GX on one line (the liability notice
    modifiers contradict each other).

    .. versionadded:: 0.3.0
    """
    return _LiabilityModifierConflict("liability-modifier-conflict", Severity.ERROR, "CO-4")


def bypass_modifier_redundant() -> Rule:
    """``bypass-modifier-redundant``: 59 together with XE, XS, XP or XU on one line
    (warning)."""
    return _BypassModifierRedundant("bypass-modifier-redundant", Severity.WARNING, "CO-4")
