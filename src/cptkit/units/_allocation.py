# SPDX-License-Identifier: MIT
"""The result of a units calculation: what each code gets, and why, in words and HTML."""

from __future__ import annotations

import html
import itertools
from collections.abc import Iterator, Mapping
from typing import Any

import attrs

from ..codes import Code
from . import _rules

__all__ = ["Allocation", "AllocationLine", "CodeUnits"]

RULE_TITLES = {
    "cms": "Medicare 8-minute rule (CMS Pub. 100-04, ch. 5, sec. 20.2): timed minutes pooled",
    "ama": "CPT time rule (AMA): each code on its own, a unit once the midpoint is passed",
}


# How each line method is named for a reader (Allocation.rules_applied), in this order.
_RULE_NAMES = (
    ("pooled", "Medicare 8-minute rule"),
    ("midpoint", "CPT time rule"),
    ("band", "CPT time bands"),
    ("ladder-base", "CPT time instructions"),
    ("ladder-addon", "CPT time instructions"),
    ("untimed", "untimed"),
)


class CodeUnits(Mapping[Code, int]):
    """A read-only mapping of codes to units that also accepts code text as a key."""

    __slots__ = ("_items",)

    def __init__(self, items: tuple[tuple[Code, int], ...]) -> None:
        self._items = dict(items)

    def __getitem__(self, key: Code | str) -> int:
        code = key if type(key) is Code else Code.parse(key)  # type: ignore[arg-type]
        return self._items[code]

    def __iter__(self) -> Iterator[Code]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __repr__(self) -> str:
        return "{" + ", ".join(f"'{code}': {units}" for code, units in self._items.items()) + "}"


def _codes(billed: Mapping[Code, int] | Mapping[str, int]) -> dict[Code, int]:
    return {
        (code if type(code) is Code else Code.parse(code)): count  # type: ignore[arg-type]
        for code, count in billed.items()
    }


@attrs.frozen
class AllocationLine:
    """One code of an allocation.

    Attributes:
        code: the code.
        minutes: the minutes given for it.
        units: the units it gets.
        method: ``"pooled"`` (CMS 15-minute code), ``"midpoint"`` (per-code time rule),
            ``"untimed"``, ``"band"``, ``"ladder-base"`` or ``"ladder-addon"``.
        whole: whole units of time before leftovers (pooled codes), else 0.
        leftover: minutes beyond the whole units (pooled codes), else 0.
        extra: whether a leftover unit went to this code (pooled codes).
        note: a sentence for the explanation (band and ladder details), or ``""``.
        family: for the add-on of a 15-minute therapy ladder pooled under the 8-minute rule
            (97130), its base code (97129), whose line holds the family's minutes; else
            ``None``.

    .. versionchanged:: 0.2.0
       *family*.
    """

    code: Code
    minutes: int
    units: int
    method: str
    whole: int = 0
    leftover: int = 0
    extra: bool = False
    note: str = ""
    family: Code | None = None


@attrs.frozen
class Allocation:
    """Billed units for one day's documented minutes, with the reasons.

    Attributes:
        rule: ``"cms"`` or ``"ama"``.
        lines: one :class:`AllocationLine` per code given, in code order.
        timed_minutes: the minutes of time-based codes (under ``cms``: the pooled total of the
            15-minute codes, which decides their units).
        minutes_to_next_unit: how many more timed minutes would earn one more unit, or ``None``
            when no code given is billed by time.
        tie: the pooled codes that tie for the last leftover units (equal minutes left over:
            the clinician chooses, CMS Pub. 100-04 ch. 5 sec. 20.2, Example 2), in code order;
            empty when no tie decides anything. :attr:`units` is cptkit's pick among them.
        unbilled_minutes: pooled minutes of codes not billed (they count towards the total).

    .. versionchanged:: 0.2.0
       :attr:`tie`, :attr:`unbilled_minutes`, :attr:`alternatives` and :meth:`allows`.
    """

    rule: str
    lines: tuple[AllocationLine, ...]
    timed_minutes: int
    minutes_to_next_unit: int | None
    tie: tuple[Code, ...] = ()
    unbilled_minutes: int = 0

    @property
    def units(self) -> CodeUnits:
        """Codes that get at least one unit, mapped to their units (code text works as a key)."""
        return CodeUnits(tuple((line.code, line.units) for line in self.lines if line.units))

    def _entries(self) -> tuple[list[Code], list[int], list[int], list[int], dict[Code, Code]]:
        """The pool's entries: codes (a pooled ladder counts once, by its base), their units
        and leftover units, the tied positions, and each pooled ladder's add-on by base."""
        addons = {line.family: line.code for line in self.lines if line.family is not None}
        units = {line.code: line.units for line in self.lines}
        codes = [line.code for line in self.lines if line.family is None]
        totals = [units[code] + units.get(addons.get(code), 0) for code in codes]  # type: ignore[arg-type]
        extras = [int(line.extra) for line in self.lines if line.family is None]
        tie = frozenset(self.tie)
        tied = [i for i, code in enumerate(codes) if code in tie]
        return codes, totals, extras, tied, addons

    @staticmethod
    def _split(codes: list[Code], totals: list[int], addons: Mapping[Code, Code]) -> CodeUnits:
        items: list[tuple[Code, int]] = []
        for code, total in zip(codes, totals, strict=True):
            addon = addons.get(code)
            if addon is None:
                items.append((code, total))
            else:  # a pooled ladder: the first unit to the base, the rest to the add-on
                items += [(code, min(total, 1)), (addon, total - min(total, 1))]
        return CodeUnits(tuple(sorted((i for i in items if i[1]), key=lambda i: i[0].value)))

    @property
    def alternatives(self) -> tuple[CodeUnits, ...]:
        """Every allocation the CMS ordering allows, cptkit's pick (:attr:`units`) first: one
        unless codes tie for leftover units (:attr:`tie`), when the tied codes' leftover units
        may go to any of them.

        >>> from cptkit import units
        >>> [dict(a) for a in units.allocate({"97112": 20, "97110": 20}).alternatives]
        [{Code('97110'): 2, Code('97112'): 1}, {Code('97110'): 1, Code('97112'): 2}]
        """
        if not self.tie:
            return (self.units,)
        codes, totals, extras, tied, addons = self._entries()
        give = sum(extras[i] for i in tied)
        found = [self.units]
        for chosen in itertools.combinations(tied, give):
            option = list(totals)
            for i in tied:
                option[i] += (i in chosen) - extras[i]
            split = self._split(codes, option, addons)
            if split != found[0]:
                found.append(split)
        return tuple(found)

    def closest(self, billed: Mapping[Code, int] | Mapping[str, int]) -> CodeUnits:
        """The allocation the rule allows (:attr:`alternatives`) that comes closest to
        *billed*: where codes tie, the leftover units go first to the tied codes billed above
        their whole units. It equals *billed* exactly when :meth:`allows` does."""
        if not self.tie:
            return self.units
        wanted = _codes(billed)
        codes, totals, extras, tied, addons = self._entries()
        asked = [
            wanted.get(code, 0) + (wanted.get(addons[code], 0) if code in addons else 0)
            for code in codes
        ]
        return self._split(codes, _rules.choose(totals, extras, tied, asked), addons)

    def allows(self, billed: Mapping[Code, int] | Mapping[str, int]) -> bool:
        """Whether *billed* (units per code; a code left out is 0) is an allocation the rule
        allows for these minutes: :attr:`units`, or another choice among a tie.

        >>> from cptkit import units
        >>> day = units.allocate({"97110": 22, "97140": 7})
        >>> day.allows({"97110": 1, "97140": 1}), day.allows({"97110": 2}), day.allows({"97110": 3})
        (True, True, False)
        """
        wanted = {code: count for code, count in _codes(billed).items() if count}
        return dict(self.closest(billed)) == wanted

    @property
    def total(self) -> int:
        """All units billed."""
        return sum(line.units for line in self.lines)

    def explain(self) -> str:
        """A step-by-step account a biller can read: the rule, the total, each assignment."""
        return "\n".join(self._steps())

    @property
    def rules_applied(self) -> str:
        """The time rules the lines were counted by, named for a reader: ``"Medicare
        8-minute rule"``, ``"CPT time rule"``, ``"CPT time bands"``, ``"CPT time
        instructions"`` (ladders), ``"untimed"``, joined by ``"; "`` in that order.

        .. versionadded:: 0.3.0
        """
        methods = {line.method for line in self.lines}
        names = [name for method, name in _RULE_NAMES if method in methods]
        return "; ".join(dict.fromkeys(names)) or RULE_TITLES[self.rule].split(" (")[0]

    def _steps(self) -> Iterator[str]:
        pooled = [line for line in self.lines if line.method == "pooled"]
        if self.rule == "cms" and not pooled:
            yield (
                "Rule: Medicare, with no 15-minute therapy codes to pool under the 8-minute"
                f" rule: {self.rules_applied}"
            )
        else:
            yield f"Rule: {RULE_TITLES[self.rule]}"
        if pooled:
            parts = " + ".join(f"{line.code} {line.minutes}" for line in pooled)
            if self.unbilled_minutes:
                parts += f" + unbilled {self.unbilled_minutes}"
            # The pool alone: codes timed outside it (ABA, 30-minute units) are not charted.
            pooled_minutes = sum(line.minutes for line in pooled) + self.unbilled_minutes
            yield f"Timed minutes of the 15-minute codes: {parts} = {pooled_minutes}"
            chart = _rules.cms_chart_units(pooled_minutes)
            if chart:
                low = _rules.CMS_FIRST + _rules.CMS_UNIT * (chart - 1)
                yield f"Chart: {low}-{low + 14} minutes -> {chart} unit{'s' * (chart != 1)}"
            else:
                yield f"Chart: under {_rules.CMS_FIRST} minutes in total -> no timed unit"
            for line in pooled:
                yield (
                    f"{line.code}: {line.minutes} min = {line.whole} whole 15-minute"
                    f" unit{'s' * (line.whole != 1)}, {line.leftover} min left over"
                )
            leftover = [line for line in pooled if line.extra]
            if leftover:
                names = ", ".join(f"{line.code} ({line.leftover} min)" for line in leftover)
                yield (
                    f"{len(leftover)} unit{'s' * (len(leftover) != 1)} left after whole units,"
                    f" one each to the largest leftovers: {names}"
                )
                cut = min(line.leftover for line in leftover)
                if self.tie:
                    names = ", ".join(str(code) for code in self.tie)
                    count = sum(line.extra for line in pooled if line.code in self.tie)
                    yield (
                        f"Tie at {cut} min left over between {names}: {count}"
                        f" leftover unit{'s' * (count != 1)} may go to any of them (the"
                        " clinician's choice, CMS Example 2); cptkit picks the code with more"
                        " total minutes, then the lower code number"
                    )
        for line in self.lines:
            if line.method == "midpoint":
                yield f"{line.code}: {line.minutes} min -> {line.units} (midpoint rule)" + (
                    f"; {line.note}" if line.note else ""
                )
            elif line.method == "untimed":
                yield f"{line.code}: untimed (one per session) -> 1; minutes not counted"
            elif line.method in ("band", "ladder-base", "ladder-addon") and line.note:
                yield f"{line.code}: {line.note}"
        result = ", ".join(f"{code} x{units}" for code, units in self.units.items())
        yield f"Result: {result or 'nothing billable'} ({self.total} unit{'s' * (self.total != 1)})"
        if self.minutes_to_next_unit is not None:
            yield f"Next unit: {self.minutes_to_next_unit} more timed minute" + (
                "s" * (self.minutes_to_next_unit != 1)
            )

    def __repr__(self) -> str:
        return (
            f"Allocation(rule={self.rule!r}, units={self.units!r}, total={self.total},"
            f" timed_minutes={self.timed_minutes}, minutes_to_next_unit={self.minutes_to_next_unit})"
        )

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        # IPython's plain-text display (terminal, text/plain): the explanation, not the repr.
        printer.text(self.explain())

    def _repr_html_(self) -> str:
        rows = "".join(
            f"<tr><td>{line.code}</td><td>{line.minutes}</td><td>{line.units}</td>"
            f"<td>{html.escape(line.method)}</td></tr>"
            for line in self.lines
        )
        steps = "".join(f"<li>{html.escape(step)}</li>" for step in self._steps())
        return (
            "<div class='cptkit-allocation'>"
            f"<table><thead><tr><th>code</th><th>minutes</th><th>units</th><th>how</th></tr>"
            f"</thead><tbody>{rows}</tbody></table><ol>{steps}</ol></div>"
        )
