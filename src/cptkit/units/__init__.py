# SPDX-License-Identifier: MIT
"""Turning documented minutes into billed units: the Medicare 8-minute rule, the CPT midpoint
rule, ladders and time bands, each explained.

>>> from cptkit import units
>>> allocation = units.allocate({"97110": 33, "97140": 7})
>>> allocation.units
{'97110': 2, '97140': 1}
>>> print(allocation.explain())
Rule: Medicare 8-minute rule (CMS Pub. 100-04, ch. 5, sec. 20.2): timed minutes pooled
Timed minutes of the 15-minute codes: 97110 33 + 97140 7 = 40
Chart: 38-52 minutes -> 3 units
97110: 33 min = 2 whole 15-minute units, 3 min left over
97140: 7 min = 0 whole 15-minute units, 7 min left over
1 unit left after whole units, one each to the largest leftovers: 97140 (7 min)
Result: 97110 x2, 97140 x1 (3 units)
Next unit: 13 more timed minutes
>>> units.allocate({"97110": 10, "97140": 10}, rule="ama").total
2
>>> units.psychotherapy(45), units.psychotherapy(45, with_em=True), units.psychotherapy(15)
(Code('90834'), Code('90836'), None)
"""

from __future__ import annotations

import operator
from collections.abc import Mapping
from types import MappingProxyType
from typing import Final

from .._catalog import Catalog, default_catalog
from ..claims import MAX_COUNT
from ..codes import Code
from ..errors import InvalidInput, InvalidMinutes, UnknownCode
from ..policy import PayerPolicy, UnitRule
from ..records import CodeInfo, Ladder, Timing
from . import _rules
from ._allocation import Allocation, AllocationLine, CodeUnits
from ._assistant import AssistantUnits, assistant_modifier

__all__ = [
    "Allocation",
    "AllocationLine",
    "AssistantUnits",
    "CodeUnits",
    "PayerPolicy",
    "allocate",
    "assistant_modifier",
    "band_codes_for",
    "crisis",
    "ladder",
    "psychotherapy",
]

_PSYCHOTHERAPY = (Code("90832"), Code("90834"), Code("90837"))
_PSYCHOTHERAPY_WITH_EM = (Code("90833"), Code("90836"), Code("90838"))
_CRISIS = Code("90839")


def _rule_name(rule: UnitRule | PayerPolicy | str) -> UnitRule:
    if isinstance(rule, PayerPolicy):
        return rule.unit_rule
    if rule in ("cms", "ama"):
        return rule  # type: ignore[return-value]
    raise InvalidInput("rule", rule, "'cms', 'ama' or a PayerPolicy")


def _minutes(code: Code, value: object) -> int:
    if type(value) is not int or not 0 <= value <= MAX_COUNT:  # bounded (#20)
        raise InvalidMinutes(f"minutes[{code}]", value, "a whole number of minutes >= 0")
    return value


def _read(minutes: object, catalog: Catalog) -> list[tuple[CodeInfo, int]]:
    if not isinstance(minutes, Mapping):
        raise InvalidMinutes("minutes", type(minutes).__name__, "a mapping of codes to minutes")
    seen: dict[str, tuple[CodeInfo, int]] = {}
    for key, value in minutes.items():
        code = key if type(key) is Code else Code.parse(key)
        text = code.value
        if text in seen:
            raise InvalidMinutes(f"minutes[{code}]", key, "a code given once")
        info = catalog.find(code)
        if info is None:
            raise UnknownCode(text)
        seen[text] = (info, _minutes(code, value))
    return [seen[text] for text in sorted(seen)]


def allocate(
    minutes: Mapping[Code, int] | Mapping[str, int],
    *,
    rule: UnitRule | PayerPolicy = "cms",
    catalog: Catalog | None = None,
    unbilled_minutes: int = 0,
) -> Allocation:
    """Units for one patient's day of documented minutes, code by code.

    Args:
        minutes: documented direct minutes per code (``{"97110": 33, "97140": 7}``).
        rule: ``"cms"`` (Medicare 8-minute rule: the 15-minute therapy codes pooled, then
            whole blocks and the largest leftovers; every other code alone by the midpoint),
            ``"ama"`` (CPT midpoint rule, each code alone), or a
            :class:`~cptkit.policy.PayerPolicy` whose ``unit_rule`` decides.
        catalog: the catalog that says how each code is timed (default: the packaged one).
        unbilled_minutes: under ``"cms"``, the day's minutes of 15-minute codes that are not
            billed because they earned no unit (CMS Pub. 100-04 ch. 5 sec. 20.2, Example 5:
            7 + 7 + 7 minutes of three codes are one unit of one code): they count towards
            the pooled total but take no unit. Ignored under ``"ama"``.

    When codes tie for the last leftover units (equal minutes left over, CMS Example 2), the
    clinician chooses: :attr:`Allocation.units` is cptkit's pick, and
    :attr:`Allocation.alternatives` and :meth:`Allocation.allows` give every allocation the
    CMS ordering allows.

    The pooled codes are PT/OT/SLP therapy codes (:attr:`~cptkit.CodeInfo.pooled`); a
    "sometimes therapy" code is taken as billed under a therapy plan here (the claim rules
    read GP/GO/GN). 15-minute codes off CMS's therapy list (ABA, health behaviour, home
    health) are counted each alone, a unit from 8 minutes.

    Untimed codes get one unit each and their minutes never join the timed total. Band codes
    (psychotherapy) get one unit when their minutes fall in the band, else none. Ladder codes
    (96130/96131 ...) take the family's minutes, base and add-on added together.

    Raises:
        InvalidCode: a key is not a code. UnknownCode: the catalog does not know a code.
        InvalidMinutes: minutes that are not a whole number >= 0 (``bool`` and ``float``
            included), or the same code twice.
        InvalidInput: an unknown *rule*.

    .. versionadded:: 0.1.0
    .. versionchanged:: 0.2.0
       *unbilled_minutes*, and the tie set (:attr:`Allocation.tie`).
    .. versionchanged:: 0.3.0
       Only therapy codes are pooled under ``"cms"``.
    """
    name = _rule_name(rule)
    if type(unbilled_minutes) is not int or unbilled_minutes < 0:
        raise InvalidMinutes("unbilled_minutes", unbilled_minutes, "a whole number of minutes >= 0")
    unbilled = unbilled_minutes if name == "cms" else 0
    book = default_catalog() if catalog is None else catalog
    entries = _read(minutes, book)
    lines: list[AllocationLine] = []
    next_unit: list[int] = []
    plain: list[tuple[CodeInfo, int]] = []
    ladders: dict[Ladder, int] = {}
    families: dict[Ladder, int] = {}  # 15-minute therapy ladders pooled under "cms"
    for info, count in entries:
        if info.timing is Timing.UNTIMED:
            lines.append(AllocationLine(info.code, count, 1, "untimed"))
        elif info.timing is Timing.BAND:
            lines.append(_band_line(info, count, book))
        elif info.timing is Timing.LADDER and info.ladder is not None:
            into = families if name == "cms" and info.pooled else ladders
            into[info.ladder] = into.get(info.ladder, 0) + count
        else:
            plain.append((info, count))
    timed_entries = [
        (info.code.value, count, info.unit_minutes or _rules.CMS_UNIT, info.pooled)
        for info, count in plain
    ]
    if families:
        timed_entries.extend(
            (family.base.value, total, _rules.CMS_UNIT, True) for family, total in families.items()
        )
    units, extra, tied = _rules.timed_units(name, timed_entries, unbilled=unbilled)
    pooled_total = unbilled
    pooled_any = False
    timed = 0  # minutes of the codes billed by time outside the pool
    for (info, count), got, bonus in zip(plain, units, extra, strict=False):
        if name == "cms" and info.pooled:
            pooled_total += count
            pooled_any = True
            whole, leftover = divmod(count, _rules.CMS_UNIT)
            lines.append(
                AllocationLine(info.code, count, got, "pooled", whole, leftover, bool(bonus))
            )
        else:
            unit = info.unit_minutes or _rules.CMS_UNIT
            timed += count
            note = f"{unit}-minute units"
            if name == "cms" and unit == _rules.CMS_UNIT:
                note += ", not a therapy code: not pooled"
            lines.append(AllocationLine(info.code, count, got, "midpoint", note=note))
            next_unit.append(_rules.midpoint_next(count, unit))
    given = {info.code: count for info, count in entries} if ladders or families else {}
    for offset, (family, total) in enumerate(families.items(), start=len(plain)):
        pooled_total += total
        for line in _family_lines(family, total, units[offset], extra[offset], given):
            pooled_any = pooled_any or line.method == "pooled"
            lines.append(line)
    if unbilled or pooled_any:
        next_unit.append(_rules.cms_next_threshold(pooled_total) - pooled_total)
    for family, total in ladders.items():
        ladder_lines = _ladder_lines(family, total, given)
        timed += sum(line.minutes for line in ladder_lines)
        lines.extend(ladder_lines)
        next_unit.append(_ladder_next(family, total))
    positions = [info.code for info, _ in plain] + [family.base for family in families]
    return Allocation(
        rule=name,
        lines=tuple(sorted(lines, key=_by_code)),
        timed_minutes=pooled_total + timed,
        minutes_to_next_unit=min(next_unit) if next_unit else None,
        tie=tuple(sorted((positions[i] for i in tied), key=_TEXT)) if tied else (),
        unbilled_minutes=unbilled,
    )


def _by_code(line: AllocationLine) -> str:
    return line.code.value


_TEXT = operator.attrgetter("value")


def _band_line(info: CodeInfo, count: int, catalog: Catalog) -> AllocationLine:
    span = info.band_text
    if info.in_band(count):
        return AllocationLine(
            info.code, count, 1, "band", note=f"time band {span} min; {count} documented -> 1"
        )
    fits = band_codes_for(info, count, catalog=catalog)
    hint = f"; {count} min fits {', '.join(map(str, fits))}" if fits else ""
    return AllocationLine(
        info.code, count, 0, "band", note=f"time band {span} min; {count} documented -> 0{hint}"
    )


# The series of time-band codes: one service, its bands side by side. A code's dataset family
# can be wider (telephone-online holds telephone, online and check-in codes), so a suggestion
# stays within the series. Sources: CPT psychotherapy (90832/90834/90837, with an E/M
# 90833/90836/90838), psychophysiological therapy (90875/90876), telephone assessment by a
# qualified non-physician professional (98966-98968), online digital assessment
# (98970-98972); HCPCS G2061-G2063 (the 2020 online assessments, CY2020 PFS final rule).
# Codes in no series (virtual check-ins, 90846/90847, G0176/G0177 ...) suggest none.
_BAND_SERIES: Final = (
    ("90832", "90834", "90837"),
    ("90833", "90836", "90838"),
    ("90875", "90876"),
    ("98966", "98967", "98968"),
    ("98970", "98971", "98972"),
    ("G2061", "G2062", "G2063"),
)
_SERIES_OF: Final = MappingProxyType(
    {code: tuple(map(Code, series)) for series in _BAND_SERIES for code in series}
)


def band_codes_for(
    info: CodeInfo, minutes: int, *, catalog: Catalog | None = None
) -> tuple[Code, ...]:
    """The codes of *info*'s series (one service's time bands, like 90832/90834/90837) whose
    band holds *minutes*; none for a code in no series.

    >>> band_codes_for(default_catalog().lookup("90837"), 45)
    (Code('90834'),)

    .. versionchanged:: 0.3.0
       The code's series, not its dataset family (98968, telephone, no longer suggests the
       online codes 98972 and G2063).
    """
    series = _SERIES_OF.get(info.code.value)
    if series is None:
        return ()
    book = default_catalog() if catalog is None else catalog
    return tuple(
        code for code in series if (other := book.find(code)) is not None and other.in_band(minutes)
    )


def _ladder_lines(family: Ladder, total: int, given: Mapping[Code, int]) -> list[AllocationLine]:
    base_units, addon_units = _ladder_units(family, total)
    note = (
        f"{family.base}/{family.addon} ladder, {total} min in all -> {family.base} x{base_units}"
        f" (from {family.base_threshold} min), {family.addon} x{addon_units} (each further"
        f" {family.addon_unit_minutes} min, first at {family.base_minutes + family.addon_threshold})"
    )
    base = AllocationLine(
        family.base, given.get(family.base, 0), base_units, "ladder-base", note=note
    )
    addon = AllocationLine(family.addon, given.get(family.addon, 0), addon_units, "ladder-addon")
    return [base, addon] if family.addon in given or addon_units else [base]


def _family_lines(
    family: Ladder, total: int, got: int, bonus: int, given: Mapping[Code, int]
) -> list[AllocationLine]:
    """The lines of a 15-minute therapy ladder pooled under the 8-minute rule: the family's
    units from the pool, the first to the base code, the rest to the add-on."""
    whole, leftover = divmod(total, _rules.CMS_UNIT)
    first = min(got, 1)
    base = AllocationLine(
        family.base,
        total,
        first,
        "pooled",
        whole,
        leftover,
        bool(bonus),
        note=f"{family.base}/{family.addon} pooled as one: {total} min of the two",
    )
    if family.addon not in given and got <= 1:
        return [base]
    addon = AllocationLine(
        family.addon,
        given.get(family.addon, 0),
        got - first,
        "ladder-addon",
        note=f"the {family.base}/{family.addon} family's units after the first",
        family=family.base,
    )
    return [base, addon]


def _ladder_units(family: Ladder, total: int) -> tuple[int, int]:
    return _rules.ladder_units(
        total,
        family.base_minutes,
        family.base_threshold,
        family.addon_unit_minutes,
        family.addon_threshold,
    )


def _ladder_next(family: Ladder, total: int) -> int:
    base_units, addon_units = _ladder_units(family, total)
    if not base_units:
        return family.base_threshold - total
    next_at = family.base_minutes + family.addon_threshold + family.addon_unit_minutes * addon_units
    return next_at - total


def ladder(base_code: Code | str, minutes: int, *, catalog: Catalog | None = None) -> CodeUnits:
    """Units of a ladder's base and add-on for the family's total *minutes*.

    >>> ladder("96130", 150)
    {'96130': 1, '96131': 1}
    >>> ladder("90839", 104), ladder("90839", 105)
    ({'90839': 1, '90840': 1}, {'90839': 1, '90840': 2})

    Raises:
        InvalidInput: *base_code* is not the base of a ladder.
        InvalidMinutes: *minutes* is not a whole number >= 0.
    """
    book = default_catalog() if catalog is None else catalog
    info = book.lookup(base_code)
    family = info.ladder
    if family is None or family.base != info.code:
        raise InvalidInput(
            "base_code", str(info.code), "the base code of a ladder (96130, 90839 ...)"
        )
    count = _minutes(info.code, minutes)
    base_units, addon_units = _ladder_units(family, count)
    items = [(family.base, base_units), (family.addon, addon_units)]
    return CodeUnits(tuple((code, units) for code, units in items if units))


def psychotherapy(
    minutes: int, *, with_em: bool = False, catalog: Catalog | None = None
) -> Code | None:
    """The psychotherapy code for a session's minutes, or ``None`` under 16 minutes.

    90832 for 16-37 minutes, 90834 for 38-52, 90837 for 53 or more; with an E/M visit the
    add-ons 90833, 90836, 90838 on the same bands (CPT; the bands come from the dataset).

    Raises:
        InvalidMinutes: *minutes* is not a whole number >= 0.
    """
    book = default_catalog() if catalog is None else catalog
    choices = _PSYCHOTHERAPY_WITH_EM if with_em else _PSYCHOTHERAPY
    count = _minutes(choices[0], minutes)
    return next((code for code in choices if book.lookup(code).in_band(count)), None)


def crisis(minutes: int, *, catalog: Catalog | None = None) -> CodeUnits:
    """Units of crisis psychotherapy: 90839 for the first 30-74 minutes, 90840 for each further
    30 minutes (75-104 one, 105-134 two ...); nothing under 30 minutes.

    >>> crisis(74), crisis(75), crisis(29)
    ({'90839': 1}, {'90839': 1, '90840': 1}, {})
    """
    return ladder(_CRISIS, minutes, catalog=catalog)
