# SPDX-License-Identifier: MIT
"""Rules about lines seen together: add-ons need a primary, NCCI procedure-to-procedure
edits, duplicate lines.

Sources: AMA CPT add-on code conventions and CMS NCCI add-on code edits; CMS NCCI Policy Manual
ch. 1 (PTP edits; modifier indicators 0, 1, 9; NCCI-associated modifiers, which may be on
either code for Medicare Part B per MAC guidance); CARC 97 (bundled), 236 (NCCI combination
not compatible), 18 (duplicate).
"""

from __future__ import annotations

from collections.abc import Iterator

import attrs

from ...claims import Claim
from ...records import ModifierGroup
from .._context import Context
from .._findings import Finding, Severity
from .._rule import Rule
from ._common import by_day, codes_text

__all__ = ["addon_without_primary", "duplicate_line", "ncci_ptp"]


@attrs.frozen
class _AddonWithoutPrimary(Rule):
    def check(self, claim: Claim, context: Context) -> Iterator[Finding]:
        for indexes in by_day(claim, context).values():
            present = {claim.lines[i].code for i in indexes}
            for index in indexes:
                code = claim.lines[index].code
                info = context.code_info(code)
                if info is None or not info.add_on or not info.primary_codes:
                    continue
                if present.isdisjoint(info.primary_codes):
                    shown = list(info.primary_codes[:6])
                    more = " ..." if len(info.primary_codes) > 6 else ""
                    yield self.finding(
                        index,
                        "code",
                        f"add-on {code} without one of its primary codes on the same date",
                        suggestion=f"bill it with its primary ({codes_text(shown)}{more})",
                    )


@attrs.frozen
class _NcciPtp(Rule):
    def check(self, claim: Claim, context: Context) -> Iterator[Finding]:
        for indexes in by_day(claim, context).values():
            for position, first in enumerate(indexes):
                partners = context.ptp_partners(claim.lines[first].code)
                if not partners:
                    continue
                for second in indexes[position + 1 :]:
                    if str(claim.lines[second].code) not in partners:
                        continue
                    yield from self._pair(claim, context, first, second)

    def _pair(self, claim: Claim, context: Context, a: int, b: int) -> Iterator[Finding]:
        line_a, line_b = claim.lines[a], claim.lines[b]
        key = ("ptp", line_a.code, line_b.code)
        edits = context.memo.get(key)
        if edits is None:
            edits = context.remember(key, context.catalog.ptp_edits(line_a.code, line_b.code))
        day = context.day(line_a.date_of_service)
        edit = next((e for e in edits if e.in_force_on(day)), None)  # type: ignore[attr-defined]
        if edit is None:
            return
        column2 = b if line_b.code == edit.column2 else a
        if edit.modifier_indicator == 0:
            yield self._acknowledged(
                context,
                self.finding(
                    column2,
                    "code",
                    f"{edit.column2} is bundled into {edit.column1} (NCCI, modifier indicator 0:"
                    " never payable together)",
                    suggestion=f"do not bill {edit.column2} with {edit.column1} on the same date",
                    carc="CO-97",
                ),
            )
            return
        bypass = [
            m
            for m in (*line_a.modifiers, *line_b.modifiers)
            if (info := context.modifier_info(m)) is not None
            and info.group is ModifierGroup.NCCI_BYPASS
        ]
        if bypass:
            return  # the biller attested that the services were distinct
        yield self._acknowledged(
            context,
            self.finding(
                column2,
                "modifiers",
                f"{edit.column2} with {edit.column1}: NCCI edit (modifier indicator 1,"
                f" {edit.rationale.lower()}) and no NCCI-associated modifier",
                suggestion=(
                    "only if the services were truly distinct (separate session, site or"
                    " encounter) and documented, append 59 or XE/XS/XP/XU; cptkit never adds one"
                ),
            ),
        )

    def _acknowledged(self, context: Context, found: Finding) -> Finding:
        if (self.id, found.line) in context.acknowledged:
            return attrs.evolve(
                found, severity=Severity.INFO, message=found.message + " (acknowledged distinct)"
            )
        return found


@attrs.frozen
class _DuplicateLine(Rule):
    def check(self, claim: Claim, context: Context) -> Iterator[Finding]:
        seen: set[object] = set()
        for index, line in enumerate(claim.lines):
            key = (line.code, frozenset(line.modifiers), line.date_of_service)
            if key in seen:
                yield self.finding(
                    index,
                    "code",
                    f"{line.code} repeats an earlier line's code, modifiers and date",
                    suggestion=(
                        "bill the day's units on one line, or add 76/77 (repeat) or 59/X{EPSU}"
                        " if it truly was a separate service"
                    ),
                )
            seen.add(key)


def addon_without_primary() -> Rule:
    """``addon-without-primary``: an add-on code without one of its primaries that date."""
    return _AddonWithoutPrimary("addon-without-primary", Severity.ERROR, "CO-97")


def ncci_ptp() -> Rule:
    """``ncci-ptp``: an NCCI pair on one date, indicator 0 (CO-97), or indicator 1 without an
    NCCI-associated modifier on either line (CO-236). Acknowledged pairs become info."""
    return _NcciPtp("ncci-ptp", Severity.ERROR, "CO-236")


def duplicate_line() -> Rule:
    """``duplicate-line``: the same code, modifiers and date twice on the claim."""
    return _DuplicateLine("duplicate-line", Severity.ERROR, "CO-18")
