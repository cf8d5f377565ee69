# SPDX-License-Identifier: MIT
"""Rules about lines seen together: add-ons need a primary (and no more units than the day's
primary services where they are reported once per primary), NCCI procedure-to-procedure
edits, duplicate lines.

Sources: AMA CPT add-on code conventions and CMS NCCI add-on code edits (a type 1 add-on is
paid with a primary paid to the same practitioner, beneficiary and date: with a history, on
another claim too); CMS NCCI Policy Manual ch. 1 (PTP edits; modifier indicators 0, 1, 9;
NCCI-associated modifiers, which may be on either code for Medicare Part B per MAC guidance,
judged in :mod:`._ncci`); CARC 97 (bundled), 236 (NCCI combination not compatible), 18
(duplicate), 151 (units not supported).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Iterator

import attrs

from ...claims import Claim
from ...codes import Code
from ...modifiers import Modifier
from ...records import CodeInfo, PTPEdit, Timing
from .._context import Context
from .._findings import Finding, Severity
from .._rule import Rule
from ._common import ADD_ON, ONCE, UNSEEN, codes_text, ptp_edit, visit
from ._common import ONCE_PER_PRIMARY as ONCE_PER_PRIMARY  # the columnar engine reads it here
from ._ncci import Side, pair_findings
from .history import billed_elsewhere, claims_named, units_elsewhere

__all__ = ["addon_units_exceed_primary", "addon_without_primary", "duplicate_line", "ncci_ptp"]


@attrs.frozen
class _AddonWithoutPrimary(Rule):
    def __call__(self, claim: Claim, context: Context) -> Iterable[Finding]:
        # Called, it returns no findings at once for a claim without an add-on.
        return self.check(claim, context) if visit(claim, context).kinds & ADD_ON else ()

    def check(self, claim: Claim, context: Context) -> Iterator[Finding]:
        digest = visit(claim, context)
        infos, lines = digest.infos, claim.lines
        for day, indexes in digest.days.items():
            present: set[Code] | None = None
            for index in indexes:
                info = infos[index]
                if info is None or not info.add_on:
                    continue
                primaries = primaries_of(info, context.day(day), context)
                if not primaries:
                    continue
                if present is None:
                    present = {lines[i].code for i in indexes}
                # CMS add-on code edits: a primary paid to the same practitioner for the
                # patient that date may be on another claim (read only with a history).
                if present.isdisjoint(primaries) and not billed_elsewhere(
                    claim, context, day, primaries
                ):
                    shown = list(primaries[:6])
                    more = " ..." if len(primaries) > 6 else ""
                    yield self.finding(
                        index,
                        "code",
                        f"add-on {lines[index].code} without one of its primary codes on the"
                        " same date",
                        suggestion=f"bill it with its primary ({codes_text(shown)}{more})",
                    )


def primaries_of(info: CodeInfo, day: datetime.date, context: Context) -> tuple[Code, ...]:
    """The primary codes add-on *info* may be billed with on *day*: the primaries of the
    catalog's add-on code edits in force then (CMS's AOC file, or a newer one loaded with
    :meth:`~cptkit.Catalog.with_cms_files`), or the code table's primaries for an add-on the
    AOC file does not list. Empty, so the add-on is not judged, when an edit in force leaves
    primaries to the contractor: type 2 (``CCCCC``), or type 3 (the listed primaries and others
    the contractor accepts), as cptkit cannot know those; and when no edit is in force (CMS
    suspended or ended them) under a policy that follows CMS's suspensions
    (:attr:`~cptkit.policy.PayerPolicy.addon_edit_suspensions`; otherwise CPT's convention
    holds: the code table's primaries). Memoized per context."""
    key = (_PRIMARIES, info.code.value, day)
    found = context.memo.get(key)
    if found is None:
        edits = context.catalog.add_on_edits(info.code)
        now = [e for e in edits if e.in_force_on(day)]
        if now:
            open_ended = any(e.type != 1 or e.primary == "CCCCC" for e in now)
            found = () if open_ended else tuple(Code(t) for t in sorted({e.primary for e in now}))
        elif edits and context.policy.addon_edit_suspensions:
            found = ()
        else:
            found = info.primary_codes
        context.remember(key, found)
    return found  # type: ignore[return-value]


_PRIMARIES = object()


@attrs.frozen
class _AddonUnitsExceedPrimary(Rule):
    def __call__(self, claim: Claim, context: Context) -> Iterable[Finding]:
        # Called, it returns no findings at once for a claim without such an add-on.
        if (len(claim.lines) > 1 or context.history is not None) and visit(
            claim, context
        ).kinds & ONCE:
            return self.check(claim, context)
        return ()

    def check(self, claim: Claim, context: Context) -> Iterator[Finding]:
        lines = claim.lines
        across = context.history is not None
        if len(lines) < 2 and not across:
            return  # a lone add-on is addon-without-primary's
        digest = visit(claim, context)
        for (code, _), indexes in digest.codes.items():
            if code.value not in ONCE_PER_PRIMARY:
                continue
            info = digest.infos[indexes[0]]
            if info is None:  # pragma: no cover - the listed codes are in the dataset
                continue
            served = lines[indexes[0]].date_of_service
            primaries = frozenset(primaries_of(info, context.day(served), context))
            day = digest.days[served]
            services = sum(lines[i].units for i in day if lines[i].code in primaries)
            billed = sum(lines[i].units for i in indexes)
            where = ""
            if across:
                # With a history, the day's services and add-ons on the patient's other
                # claims from the provider count too (as for addon-without-primary).
                more_services, with_services = units_elsewhere(claim, context, served, primaries)
                more_billed, with_billed = units_elsewhere(claim, context, served, (code,))
                services += more_services
                billed += more_billed
                if with_services | with_billed:
                    where = f" with {claims_named(with_services | with_billed)}"
            if services and billed > services:
                yield self.finding(
                    indexes[0],
                    "units",
                    f"add-on {code}: {billed} units for {services} primary"
                    f" service{'s' * (services != 1)} on one date{where}; it is reported once"
                    " per primary service",
                    suggestion=f"bill {services}" if not where else "bill one per primary service",
                )


_TIMED = frozenset({Timing.TIMED, Timing.LADDER})
_REPEAT = frozenset({Modifier("76"), Modifier("77")})


@attrs.frozen
class _NcciPtp(Rule):
    def __call__(self, claim: Claim, context: Context) -> Iterable[Finding]:
        # Called, it returns its findings: no generator to make for each claim.
        lines = claim.lines
        if len(lines) < 2:
            return ()  # one line: nothing to compare
        found: list[Finding] = []
        partners_of = context.ptp_partners
        memo = context.memo
        for indexes in visit(claim, context).days.values():
            day = None  # the date the group's lines are judged on, once a pair needs it
            for position, first in enumerate(indexes):
                code = lines[first].code
                partners = partners_of(code)
                if not partners:
                    continue
                for second in indexes[position + 1 :]:
                    other = lines[second].code
                    if other.value not in partners:
                        continue
                    if day is None:
                        day = context.day(lines[first].date_of_service)
                    # ptp_edit's memo entry, read here: most pairs have no edit in force.
                    edit = memo.get((code.value, other.value, day), UNSEEN)
                    if edit is UNSEEN:
                        edit = ptp_edit(context, code, other, day)
                    if isinstance(edit, PTPEdit):
                        found.extend(self._pair(claim, context, first, second, edit))
        return found

    def check(self, claim: Claim, context: Context) -> Iterator[Finding]:
        return iter(self(claim, context))

    def _pair(self, claim: Claim, context: Context, a: int, b: int, edit: PTPEdit) -> list[Finding]:
        line_a, line_b = claim.lines[a], claim.lines[b]
        sides = (Side(a, line_a.code, line_a.modifiers), Side(b, line_b.code, line_b.modifiers))
        return pair_findings(self, context, edit, sides, b if line_b.code == edit.column2 else a)


@attrs.frozen
class _DuplicateLine(Rule):
    def __call__(self, claim: Claim, context: Context) -> Iterable[Finding]:
        # Called, it returns no findings at once for a claim without a code twice on a date.
        if len(claim.lines) > 1 and visit(claim, context).repeats:
            return self.check(claim, context)
        return ()

    def check(self, claim: Claim, context: Context) -> Iterator[Finding]:
        lines = claim.lines
        if len(lines) < 2:
            return
        # Only lines of one code and date can repeat each other.
        digest = visit(claim, context)
        repeats = [i for group in digest.codes.values() if len(group) > 1 for i in group]
        seen: set[object] = set()
        exact: set[object] = set()
        for index in sorted(repeats) if repeats else ():
            line = lines[index]
            info = digest.infos[index]
            timed = info is not None and info.timing in _TIMED
            modifiers = frozenset(line.modifiers)
            same = (line.code, modifiers, line.date_of_service)
            # A repeat modifier does not make a second timed service of a day (CMS Pub. 100-04
            # ch. 5 sec. 20.2: the day's minutes are one service, billed on one line).
            key = (line.code, modifiers - _REPEAT, line.date_of_service) if timed else same
            if key in seen:
                yield self.finding(
                    index,
                    "code",
                    f"{line.code} repeats an earlier line's code, modifiers and date"
                    if same in exact
                    else f"{line.code} repeats an earlier line's code and date; 76/77 do not"
                    " make a second timed service of a day",
                    suggestion=(
                        # A timed code's day is one line with the day's units (CMS Pub.
                        # 100-04 ch. 5 sec. 20.2): no repeat or bypass modifier makes two.
                        "bill the day's units on one line"
                        if timed
                        else "bill the day's units on one line, or add 76/77 (repeat) or"
                        " 59/X{EPSU} if it truly was a separate service"
                    ),
                )
            seen.add(key)
            exact.add(same)


def addon_units_exceed_primary() -> Rule:
    """``addon-units-exceed-primary``: an add-on reported once per primary service (90785
    interactive complexity ...) with more units than the day's primary services."""
    return _AddonUnitsExceedPrimary("addon-units-exceed-primary", Severity.ERROR, "CO-151")


def addon_without_primary() -> Rule:
    """``addon-without-primary``: an add-on code without one of its primaries that date, on
    the claim or (with a history) on the patient's other claims from the same provider."""
    return _AddonWithoutPrimary("addon-without-primary", Severity.ERROR, "CO-97")


def ncci_ptp() -> Rule:
    """``ncci-ptp``: an NCCI pair on one date, indicator 0 (CO-97), or indicator 1 without an
    NCCI-associated modifier fit for its line's kind of code on either line (CO-236).
    Acknowledged indicator-1 pairs become info; indicator 0 stays an error."""
    return _NcciPtp("ncci-ptp", Severity.ERROR, "CO-236")


def duplicate_line() -> Rule:
    """``duplicate-line``: the same code, modifiers and date twice on the claim."""
    return _DuplicateLine("duplicate-line", Severity.ERROR, "CO-18")
