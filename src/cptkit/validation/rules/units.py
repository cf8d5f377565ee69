# SPDX-License-Identifier: MIT
"""Rules about units: the MUE, one unit for untimed codes, units the minutes support, and
time-band codes whose minutes fall outside their band.

Sources: CMS NCCI MUE (MAI 1 per line; MAI 2 and 3 per date of service); CMS Pub. 100-04 ch. 5
sec. 20.2 (8-minute rule, untimed codes one unit); AMA CPT time rules; CPT psychotherapy time
ranges. CARC 151: "the information furnished does not support this many units or services".
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from typing import Final

import attrs

from ... import units as unit_rules
from ..._cache import keep
from ...claims import Claim, ClaimLine
from ...codes import Code
from ...modifiers import Modifier
from ...policy import PayerPolicy
from ...records import MUE, CodeInfo, Timing
from ...units import _rules as unit_arithmetic
from .._context import Context
from .._findings import Finding, Severity
from .._rule import LineRule, LineView, Rule
from ._common import (
    ONE_PER_SESSION,
    POOLED,
    THERAPY_DISCIPLINE_MODIFIERS,
    TIMED,
    kept_finding,
    visit,
)

__all__ = [
    "time_band_mismatch",
    "units_exceed_mue",
    "units_minutes_mismatch",
    "untimed_multiple_units",
]


@attrs.frozen
class _UnitsExceedMue(Rule):
    def check(self, claim: Claim, context: Context) -> Iterator[Finding]:
        lines = claim.lines
        policy = context.policy
        caps = policy.unit_caps
        apply_mue = policy.apply_mue
        if not caps and not apply_mue:
            return
        on = context.on
        mue = context.mue
        for (code, day), indexes in visit(claim, context).codes.items():
            if caps and (cap := policy.unit_cap(code)) is not None:
                yield from self._cap(claim, code, indexes, cap)
                continue
            if not apply_mue:
                continue
            edit = mue(code, day if on is None else on)
            if edit is None:
                continue
            if len(indexes) == 1 and lines[indexes[0]].units <= edit.units:
                continue  # one line within the MUE, per line or per day
            if not limits_payer(policy, edit):
                continue
            if edit.per_day:
                total = (
                    lines[indexes[0]].units
                    if len(indexes) == 1
                    else sum(lines[i].units for i in indexes)
                )
                if total > edit.units:
                    spread = f" across {len(indexes)} lines" if len(indexes) > 1 else ""
                    yield self.finding(
                        indexes[0],
                        "units",
                        f"{code}: {_units(total)} on one date{spread}"
                        f" exceed{'s' * (total == 1)} the MUE of"
                        f" {edit.units} per day (MAI {edit.mai})",
                        suggestion=_mue_advice(edit.mai, edit.units, edit.rationale),
                    )
                continue
            for index in indexes:
                if lines[index].units > edit.units:
                    yield self.finding(
                        index,
                        "units",
                        f"{code}: {_units(lines[index].units)}"
                        f" exceed{'s' * (lines[index].units == 1)} the MUE of"
                        f" {edit.units} per line (MAI 1)",
                        suggestion=_mue_advice(1, edit.units, edit.rationale),
                    )

    def _cap(self, claim: Claim, code: Code, indexes: list[int], cap: int) -> Iterator[Finding]:
        total = sum(claim.lines[i].units for i in indexes)
        if total > cap:
            spread = f" across {len(indexes)} lines" if len(indexes) > 1 else ""
            yield self.finding(
                indexes[0],
                "units",
                f"{code}: {_units(total)} on one date{spread} exceed{'s' * (total == 1)} the"
                f" payer's cap of {cap} per day",
                suggestion=(
                    f"bill at most {cap}, or ask the payer for an authorization"
                    if cap
                    else "the payer does not pay it; ask for an authorization"
                ),
            )


_STATUS = "CMS Policy"


def limits_payer(policy: PayerPolicy, edit: MUE) -> bool:
    """Whether *edit* limits units for *policy*'s payer: a 0 set by CMS policy encodes
    Medicare payment status, not a clinical limit, so it is no limit for a payer that does not
    take it as one (:attr:`PayerPolicy.mue_payment_status`). Across claims too
    (:mod:`.history`)."""
    return bool(edit.units) or policy.mue_payment_status or edit.rationale != _STATUS


def _units(count: int) -> str:
    return f"{count} unit{'s' * (count != 1)}"


def _mue_advice(mai: int, limit: int, rationale: str) -> str:
    if not limit and rationale == "CMS Policy":
        # A 0 set by CMS policy encodes Medicare payment status (PFS status I, N or B), not a
        # clinical limit: documentation cannot overturn it (code-not-payable says why).
        return "Medicare does not pay this code as billed (CMS policy); do not appeal"
    if mai == 3:
        return f"bill at most {limit}; MAI 3 may be appealed with documentation of necessity"
    if mai == 1:
        return f"at most {limit} per line; more on separate lines only with a bypass modifier"
    return f"bill at most {limit}; MAI 2 is an absolute limit"


_ONE_PER_SESSION = (Timing.UNTIMED, Timing.BAND)


@attrs.frozen
class _UntimedMultipleUnits(Rule):
    def __call__(self, claim: Claim, context: Context) -> Iterable[Finding]:
        # Called, it returns no findings at once for a claim without an untimed code, or
        # where no code has more than one unit on a date.
        digest = visit(claim, context)
        if digest.kinds & ONE_PER_SESSION and (
            digest.repeats or any(line.units > 1 for line in claim.lines)
        ):
            return self.check(claim, context)
        return ()

    def check(self, claim: Claim, context: Context) -> Iterator[Finding]:
        digest = visit(claim, context)
        infos, lines = digest.infos, claim.lines
        for (code, _), indexes in digest.codes.items():
            info = infos[indexes[0]]
            if info is None or info.add_on or info.timing not in _ONE_PER_SESSION:
                continue
            if code.value in _PER_UNIT_OF_SERVICE:
                continue  # a unit per instrument or session: the MUE limits them
            total = (
                lines[indexes[0]].units
                if len(indexes) == 1
                else sum(lines[i].units for i in indexes)
            )
            if total > 1 and not _distinct_sessions(claim, context, indexes, info, total):
                yield self.finding(
                    indexes[0],
                    "units",
                    f"{code} is untimed (one per session) but {total} units are billed for one date",
                    suggestion="bill 1 unit",
                )


# Codes whose unit is one instrument or one session, several of which a patient may have on
# one date; the MUE (units-exceed-mue) limits them. Typed out from the code sets:
# - 96110, 96127, 96160, 96161: "per standardized instrument" (CPT descriptors); practitioner
#   MUE 3, 3, 3, 1 (MAI 3).
# - 90868: rTMS subsequent delivery and management, "per session" (CPT); MUE 2 (MAI 3).
# - G0410, G0411: one PHP/IOP group psychotherapy session of about 45-50 minutes (HCPCS); a
#   PHP day holds several; practitioner MUE 4 (MAI 3), outpatient hospital 6.
# - G0176, G0177: PHP activity therapy and training, "per session (45 minutes or more)"
#   (HCPCS); outpatient hospital MUE 5 (MAI 3).
# MUEs: CMS NCCI practitioner and outpatient hospital tables, 2024-07-01 and 2026-04-01.
_PER_UNIT_OF_SERVICE: Final = frozenset(
    {"90868", "96110", "96127", "96160", "96161", "G0176", "G0177", "G0410", "G0411"}
)

# The modifiers that mark a second session on one date distinct: 59, and of its subsets (CMS
# CR 8863, MLN MM8863) XE "separate encounter", XP "separate practitioner" and XU "unusual
# non-overlapping service". XS ("separate structure", an organ or site) does not tell sessions.
_DISTINCT = frozenset({Modifier("59"), Modifier("XE"), Modifier("XP"), Modifier("XU")})


def _distinct_sessions(
    claim: Claim, context: Context, indexes: list[int], info: CodeInfo, total: int
) -> bool:
    """Whether time-band sessions on one date are each a line of one unit, every line after
    the first marked distinct (59, XE, XP or XU), within the MUE: two psychotherapy sessions
    in a day are billable so (NCCI Policy Manual ch. I on 59; CMS CR 8863 on XE, XP, XU; the
    MUE caps the day)."""
    if info.timing is not Timing.BAND:
        return False
    lines = claim.lines
    if any(lines[i].units != 1 for i in indexes):
        return False
    if not all(_DISTINCT.intersection(lines[i].modifiers) for i in indexes[1:]):
        return False
    edit = context.mue(lines[indexes[0]].code, context.day(lines[indexes[0]].date_of_service))
    return edit is None or total <= edit.units


@attrs.frozen
class _UnitsMinutesMismatch(Rule):
    def __call__(self, claim: Claim, context: Context) -> Iterable[Finding]:
        # Called, it returns its findings: no generator to make for the common claims.
        digest = visit(claim, context)
        if not digest.kinds & TIMED:
            return ()  # no timed code: nothing to judge (and no grouping to do)
        lines = claim.lines
        policy = context.policy
        if not (context.facts.unbilled_minutes and policy.unit_rule == "cms"):
            if len(lines) == 1:
                info = digest.infos[0]
                assert info is not None  # the claim's one line is timed
                if info.timing is _TIMED:  # the commonest claim: no grouping to do
                    found = self._alone(context, 0, lines[0], info, policy.unit_rule)
                    return () if found is None else (found,)
            elif len(digest.days) == 1 and policy.unit_rule == "cms":
                usual = _usual_visit(lines, digest.line_kinds, digest.infos)
                if usual is not None:
                    return self._pooled(context, digest.infos, *usual)
        return list(self._grouped(claim, context, digest.infos, len(digest.days)))

    def check(self, claim: Claim, context: Context) -> Iterator[Finding]:
        return iter(self(claim, context))

    def _grouped(
        self, claim: Claim, context: Context, infos: list[CodeInfo | None], days: int
    ) -> Iterator[Finding]:
        """The findings of every group of timed lines (a date and a therapy discipline, or the
        date's lines outside a therapy plan)."""
        # Per line, its record when the code is timed.
        timed = [
            info if info is not None and (info.timing is _TIMED or info.timing is _LADDER) else None
            for info in infos
        ]
        rule = context.policy.unit_rule
        unbilled = context.facts.unbilled_minutes and rule == "cms"
        for indexes, therapy in _by_day_and_discipline(claim, timed, days):
            extra = _unbilled(claim, context, indexes) if unbilled and therapy else 0
            yield from self._group(
                claim, context, indexes, timed, extra, rule if therapy else _OUTSIDE_PLAN
            )

    def _pooled(
        self,
        context: Context,
        infos: list[CodeInfo | None],
        indexes: list[int],
        pairs: list[tuple[str, int]],
        billed: list[int],
    ) -> list[Finding]:
        """The findings of :func:`_usual_visit`'s lines: what :meth:`_group` finds for them,
        by the same arithmetic (:func:`cptkit.units._rules.timed_units` of codes that are all
        pooled is the chart's assignment), without its tables of codes."""
        units, extra, tied = unit_arithmetic.cms_assign(pairs)
        if tied:
            units = unit_arithmetic.choose(units, extra, tied, billed)
        wrong = [position for position, count in enumerate(billed) if count != units[position]]
        if len(wrong) > 1:
            wrong.sort(key=lambda position: pairs[position][0])
        found = []
        for position in wrong:
            index = indexes[position]
            info = infos[index]
            assert info is not None  # the lines are timed
            found.append(
                self._mismatch(context, index, info, billed[position], units[position], "cms")
            )
        return found

    def _group(
        self,
        claim: Claim,
        context: Context,
        indexes: list[int],
        timed: list[CodeInfo | None],
        unbilled: int,
        rule: str,
    ) -> Iterator[Finding]:
        """The findings of one group of timed lines (*indexes*), judged under *rule*."""
        lines = claim.lines
        if len(indexes) == 1 and not unbilled:
            index = indexes[0]
            line, info = lines[index], timed[index]
            assert info is not None  # only timed lines are grouped
            if info.timing is _TIMED:
                found = self._alone(context, index, line, info, rule)
                if found is not None:
                    yield found
                return
            if line.minutes is None:
                return  # nothing documented to judge by
        # Codes by their text in here: str hashes are cached in C, a Code's is not.
        minutes: dict[str, int] = {}
        billed: dict[str, int] = {}
        first: dict[str, int] = {}
        codes: dict[str, CodeInfo] = {}
        unknown: dict[str, Code] = {}  # codes whose minutes are not all documented
        for index in indexes:
            line = lines[index]
            text = line.code.value
            if text in billed:
                billed[text] += line.units
            else:
                billed[text] = line.units
                first[text] = index
                codes[text] = timed[index]  # type: ignore[assignment]
            if line.minutes is not None:
                minutes[text] = minutes.get(text, 0) + line.minutes
            else:
                ladder = codes[text].ladder
                if ladder is not None:
                    # A ladder is judged on its family's minutes: one unknown line spoils both.
                    unknown[ladder.base.value] = ladder.base
                    unknown[ladder.addon.value] = ladder.addon
                else:
                    unknown[text] = line.code
        if unknown:
            if rule == "cms" and any(_pooled(context, c) for c in unknown.values()):
                # The 8-minute rule pools the day's 15-minute codes: one unknown spoils the sum.
                for text, info in codes.items():
                    if info.pooled:
                        unknown[text] = info.code
            checked = {text: count for text, count in minutes.items() if text not in unknown}
        else:
            checked = minutes
        if not checked:
            return
        supported, considered = _supported(context, rule, checked, codes, billed, unbilled)
        judged = [text for text in considered if text in billed and text not in unknown]
        for text in sorted(judged) if len(judged) > 1 else judged:
            expected = supported.get(text, 0)
            if billed[text] != expected:
                yield self._mismatch(
                    context, first[text], codes[text], billed[text], expected, rule
                )

    def _alone(
        self, context: Context, index: int, line: ClaimLine, info: CodeInfo, rule: str
    ) -> Finding | None:
        """The finding for a plain timed code alone on its day and discipline, if any."""
        if line.minutes is None:
            return None  # nothing documented to judge by
        unit = info.unit_minutes or unit_arithmetic.CMS_UNIT
        pooled = info.pooled
        if pooled and rule == "cms" and info.therapy_list != "always" and not _marked(line):
            rule = _OUTSIDE_PLAN  # a "sometimes therapy" code billed outside a therapy plan
        expected = unit_arithmetic.code_units(rule, line.minutes, unit, pooled)
        if line.units == expected:
            return None
        return self._mismatch(context, index, info, line.units, expected, rule)

    def _mismatch(
        self, context: Context, index: int, info: CodeInfo, count: int, expected: int, rule: str
    ) -> Finding:
        """:meth:`_finding`, kept per context (visits repeat the same mismatches)."""
        key = (index, info.code.value, count, expected, rule)
        return kept_finding(self, context, key, self._finding, index, info, count, expected, rule)

    def _finding(self, index: int, info: CodeInfo, count: int, expected: int, rule: str) -> Finding:
        """Billed units that differ from what the documented minutes support: an error when
        more are billed, info when fewer. The time rule is named by the code's kind: the
        8-minute rule only for the 15-minute codes Medicare pools, CPT's time instructions for
        ladders (crisis, testing ...), the CPT time rule for other codes."""
        over = count > expected
        code = info.code.value
        if rule == "cms" and info.pooled:
            name = "the Medicare 8-minute rule"
        elif info.ladder is not None:
            name = f"the CPT time instructions for {info.ladder.base}/{info.ladder.addon}"
        else:
            name = "the CPT time rule"
        if expected:
            suggestion = f"bill {expected}"
        elif code == _CRISIS:
            # Under 30 minutes crisis psychotherapy is not reportable: CPT says to report the
            # psychotherapy codes by time instead.
            suggestion = (
                "under 30 minutes, bill psychotherapy by time: 90832 (or 90833 with an E/M)"
            )
        else:
            suggestion = "do not bill this code"
        return self.finding(
            index,
            "units",
            f"{code}: {count} unit{'s' * (count != 1)} billed; the"
            f" documented minutes support {expected} under {name}",
            suggestion=suggestion,
            severity=Severity.ERROR if over else Severity.INFO,
            carc=self.carc if over else None,
        )


_CRISIS = "90839"
_TIMED, _LADDER = Timing.TIMED, Timing.LADDER  # CodeInfo.timed, without a property call
# How lines outside a therapy plan are judged: the 8-minute rule is outpatient therapy's (CMS
# Pub. 100-04 ch. 5 sec. 20.2), so each code alone by CPT's time rule, which is what "cms"
# gives a code it does not pool, and the findings name it.
_OUTSIDE_PLAN = "ama"


def _supported(
    context: Context,
    rule: str,
    checked: dict[str, int],
    codes: Mapping[str, CodeInfo],
    billed: Mapping[str, int],
    unbilled: int,
) -> tuple[dict[str, int], Collection[str]]:
    """The units *checked* minutes (by code text) support, and the codes the allocation
    judged.

    Plain timed codes take the arithmetic of :func:`cptkit.units.allocate` directly; a group
    with a ladder takes the calculator itself, kept in :attr:`Context.allocations` (visits
    repeat the same minutes, and the answer depends only on the key). Where codes tie for
    leftover units (CMS Example 2), the units are the allowed choice closest to *billed*
    (:func:`cptkit.units._rules.choose`, :meth:`cptkit.units.Allocation.closest`), so any
    allowed choice passes.
    """
    entries = []
    for text, count in checked.items():
        info = codes[text]
        if info.timing is not _TIMED:
            break
        entries.append((text, count, info.unit_minutes or unit_arithmetic.CMS_UNIT, info.pooled))
    else:
        units, extra, tied = (
            unit_arithmetic.timed_units(rule, entries, unbilled=unbilled)
            if unbilled
            else unit_arithmetic.timed_units(rule, entries)
        )
        if tied:
            wanted = [billed.get(text, 0) for text in checked]
            units = unit_arithmetic.choose(units, extra, tied, wanted)
        return dict(zip(checked, units, strict=True)), checked.keys()
    key = (rule, frozenset(checked.items()), unbilled)
    found: _Allocated | None = context.allocations.get(key)
    if found is None:
        by_code = {codes[text].code: count for text, count in checked.items()}
        allocation = unit_rules.allocate(
            by_code,
            rule=rule,  # type: ignore[arg-type]
            catalog=context.catalog,
            unbilled_minutes=unbilled,
        )
        found = keep(
            context.allocations,
            key,
            (
                {code.value: count for code, count in allocation.units.items()},
                frozenset(line.code.value for line in allocation.lines),
                allocation if allocation.tie else None,
            ),
        )
    supported, considered, allocation_with_tie = found
    if allocation_with_tie is None:
        return supported, considered
    closest = allocation_with_tie.closest({codes[t].code: n for t, n in billed.items()})
    return {code.value: count for code, count in closest.items()}, considered


_Allocated = tuple[dict[str, int], frozenset[str], "unit_rules.Allocation | None"]


def _usual_visit(
    lines: Sequence[ClaimLine], kinds: list[int], infos: list[CodeInfo | None]
) -> tuple[list[int], list[tuple[str, int]], list[int]] | None:
    """The usual Medicare visit of one date: its timed lines are two or more distinct
    15-minute codes the 8-minute rule pools (*kinds*: each line's :class:`._common.Visit`
    kinds; *infos*: their records), each with its minutes, and its lines carry one therapy
    discipline modifier at most, so they make one group that the chart judges together.
    Returns the timed lines' indexes, ``(code text, minutes)`` pairs and billed units, else
    ``None``."""
    indexes = []
    pairs = []
    billed = []
    mark = None
    for index, line in enumerate(lines):
        marked = False
        for modifier in line.modifiers:
            if modifier.value in _DISCIPLINES:
                if mark is not None and modifier.value != mark:
                    return None  # two disciplines: each is judged on its own
                mark = modifier.value
                marked = True
                break
        kind = kinds[index]
        if not kind & TIMED:
            continue
        if not kind & POOLED or line.minutes is None:
            return None  # _pooled gives every code the chart: only pooled 15-minute codes
        if not marked and infos[index].therapy_list != "always":  # type: ignore[union-attr]
            return None  # a "sometimes therapy" code outside a plan is judged alone
        indexes.append(index)
        pairs.append((line.code.value, line.minutes))
        billed.append(line.units)
    if len(pairs) < 2 or len({text for text, _ in pairs}) != len(pairs):
        return None  # one line is judged alone; a code on two lines sums them first
    return indexes, pairs, billed


def _unbilled(claim: Claim, context: Context, indexes: list[int]) -> int:
    """The unbilled minutes (:attr:`Facts.unbilled_minutes`) of the group of lines *indexes*:
    one date, and the discipline its lines carry."""
    lines = claim.lines
    for index in indexes:
        for modifier in lines[index].modifiers:
            if modifier.value in _DISCIPLINES:
                return context.facts.unbilled(lines[index].date_of_service, modifier.value)
    return 0


def _pooled(context: Context, code: Code) -> bool:
    info = context.code_info(code)
    return info is not None and info.pooled


_DISCIPLINES = frozenset(modifier.value for modifier in THERAPY_DISCIPLINE_MODIFIERS)


def _marked(line: ClaimLine) -> bool:
    """Whether *line* carries a therapy discipline modifier (GP, GO or GN)."""
    return any(modifier.value in _DISCIPLINES for modifier in line.modifiers)


_OUTSIDE = ""  # the group of a date's timed lines outside a therapy plan


def _by_day_and_discipline(
    claim: Claim, timed: list[CodeInfo | None], days: int
) -> list[tuple[list[int], bool]]:
    """Indexes of the *timed* lines, by date of service and therapy discipline modifier (GP,
    GO, GN or none), in the order the groups first appear among all lines (*days*: how
    many dates the claim has); each with whether its lines are therapy.

    Each discipline's timed minutes are totalled on their own: PT, OT and SLP are separate
    plans of care, and the 8-minute rule is applied per discipline. A line of an "always
    therapy" code without one of the modifiers (itself a finding) joins the date's only
    discipline when there is one. A line without one whose code is not an "always therapy"
    code (ABA, a "sometimes therapy" code billed outside a plan) is outside therapy: those
    lines of a date make a group of their own, never pooled.
    """
    lines = claim.lines
    marks: list[str | None] = []
    seen: set[str] = set()
    inside = outside = False  # whether timed lines are in therapy, outside it
    for line, info in zip(lines, timed, strict=True):
        mark = None
        for modifier in line.modifiers:
            if modifier.value in _DISCIPLINES:
                mark = modifier.value
                seen.add(mark)
                break
        if info is not None:
            if mark is None and info.therapy_list != "always":
                mark = _OUTSIDE
                outside = True
            else:
                inside = True
        marks.append(mark)
    if len(seen) < 2 and days == 1 and not (inside and outside):
        # The common visit: one date, one discipline (or none), or only lines outside
        # therapy (an ABA visit): one group.
        return [([index for index, info in enumerate(timed) if info is not None], not outside)]
    per_day: dict[object, set[str]] = {}
    for line, mark in zip(lines, marks, strict=True):
        known = per_day.get(line.date_of_service)
        if known is None:
            known = per_day[line.date_of_service] = set()
        if mark:
            known.add(mark)
    groups: dict[tuple[object, str | None], list[int]] = {}
    for index, (line, mark) in enumerate(zip(lines, marks, strict=True)):
        if mark is None:
            known = per_day[line.date_of_service]
            if len(known) == 1:
                mark = next(iter(known))
        group = (line.date_of_service, mark)
        members = groups.get(group)
        if members is None:
            members = groups[group] = []
        if timed[index] is not None:
            members.append(index)
    return [(members, group[1] != _OUTSIDE) for group, members in groups.items() if members]


@attrs.frozen
class _TimeBandMismatch(LineRule):
    def check_line(self, index: int, line: LineView, context: Context) -> Iterator[Finding]:
        info = context.code_info(line.code)
        if info is None or info.time_band is None or line.minutes is None:
            return
        if info.in_band(line.minutes):
            return
        fits = unit_rules.band_codes_for(info, line.minutes, catalog=context.catalog)
        # More minutes than the band: under-coding, info everywhere (like fewer units).
        under = line.minutes > info.time_band[0]
        yield self.finding(
            index,
            "minutes",
            f"{line.code} needs {info.band_text} minutes; {line.minutes} documented",
            suggestion=(
                f"{line.minutes} minutes fit {', '.join(map(str, fits))}"
                if fits
                else "not reportable with these minutes"
            ),
            severity=Severity.INFO if under else None,
            carc=None if under else self.carc,
        )


def units_exceed_mue() -> Rule:
    """``units-exceed-mue``: units above the MUE (per line for MAI 1, per code and date for
    MAI 2 and 3)."""
    return _UnitsExceedMue("units-exceed-mue", Severity.ERROR, "CO-151")


def untimed_multiple_units() -> Rule:
    """``untimed-multiple-units``: an untimed (or time-band) code with more than one unit on
    one date. Untimed add-ons counted by area or item (97598) and codes counted per instrument
    or per session (96127, G0410 ...) are exempt."""
    return _UntimedMultipleUnits("untimed-multiple-units", Severity.ERROR, "CO-151")


def units_minutes_mismatch() -> Rule:
    """``units-minutes-mismatch``: a timed code's billed units differ from what its documented
    minutes support under the payer's rule (error when more are billed, info when fewer)."""
    return _UnitsMinutesMismatch("units-minutes-mismatch", Severity.ERROR, "CO-151")


def time_band_mismatch() -> Rule:
    """``time-band-mismatch``: a time-band code whose minutes fall outside its band."""
    return _TimeBandMismatch("time-band-mismatch", Severity.ERROR, "CO-151")
