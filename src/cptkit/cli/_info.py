# SPDX-License-Identifier: MIT
"""The look-up commands of the command line: ``lookup``, ``search``, ``modifier``, ``pos``,
``units``, and the demonstration shown when no command is given."""

from __future__ import annotations

import argparse
import datetime
import re
import sys
from collections.abc import Callable, Iterator

from .. import catalog, lookup_modifier, lookup_place_of_service
from ..errors import CptkitError, DatasetError, InvalidInput
from ..records import CodeInfo, Timing

__all__ = ["demo", "run"]

_MAI = {
    1: "per line",
    2: "per day, policy edit (absolute)",
    3: "per day, clinical edit (may be appealed)",
}


def demo() -> int:
    """Print a short demonstration (a lookup, a unit calculation) and the commands; return 0."""
    from .. import lookup, units

    info = lookup("96101")
    replacements = ", ".join(str(code) for code in info.replaced_by)
    print("cptkit demonstration on the packaged data")
    print(f"  97153: {lookup('97153').summary}")
    print(f"  96101: terminated {info.terminated}, replaced by {replacements}")
    print("  units for 97110 33 min + 97140 7 min (Medicare 8-minute rule):")
    for line in units.allocate({"97110": 33, "97140": 7}).explain().splitlines():
        print(f"    {line}")
    print()
    print("Commands: check FILE..., lookup CODE, search TEXT, modifier CODE, pos CODE,")
    print("units CODE=MINUTES..., cheatsheet. Run 'python -m cptkit --help' for more.")
    return 0


def run(args: argparse.Namespace) -> int:
    """Run a look-up command: 0 found, 1 not found or not valid then, 2 not a code by shape."""
    try:
        if args.command == "lookup":
            return _lookup(args.code, args.on)
        if args.command == "search":
            return _search(" ".join(args.text), args.on)
        if args.command == "modifier":
            return _modifier(args.modifier, args.on)
        if args.command == "pos":
            return _place(args.place, args.on)
        return _units(args.minutes, args.rule, explain=args.explain)
    except (InvalidInput, DatasetError) as err:  # not a code by shape; damaged packaged data
        print(f"cptkit {args.command}: {err}", file=sys.stderr)
        return 2
    except CptkitError as err:
        print(f"cptkit {args.command}: {err}", file=sys.stderr)
        return 1


def _rows(pairs: list[tuple[str, str]]) -> Iterator[str]:
    width = max(len(label) for label, _ in pairs)
    for label, text in pairs:
        yield f"  {label + ':':<{width + 1}} {text}"


def _timing(info: CodeInfo) -> str:
    if info.timing is Timing.UNTIMED:
        return "untimed: one unit per session, whatever the minutes"
    if info.timing is Timing.TIMED:
        text = f"timed: {info.unit_minutes}-minute units"
        if info.pooled:
            text += " (Medicare pools them under the 8-minute rule)"
        elif info.unit_minutes == 15:
            text += " (not a therapy code: not pooled, each code alone)"
        return text
    if info.timing is Timing.BAND:
        assert info.time_band is not None  # a band code always carries its band
        low, high = info.time_band
        span = f"{low} minutes or more" if high is None else f"{low}-{high} minutes"
        return f"chosen by time: one unit for {span}"
    assert info.ladder is not None  # a ladder code always carries its ladder
    family = info.ladder
    pooled = " (Medicare pools the family under the 8-minute rule)" if info.pooled else ""
    return (
        f"time ladder: {family.base} from {family.base_threshold} minutes; {family.addon} from"
        f" {family.base_minutes + family.addon_threshold} minutes, one more each further"
        f" {family.addon_unit_minutes}{pooled}"
    )


def _lookup(code: str, on: datetime.date | None) -> int:
    book = catalog()
    info = book.lookup(code)
    mue = book.mue(info.code, on=on)
    pairs = [
        ("category", info.category.value),
        ("family", info.family),
        ("disciplines", ", ".join(sorted(d.name for d in info.disciplines)) or "-"),
        ("timing", _timing(info)),
    ]
    if info.add_on:
        codes = [str(c) for c in info.primary_codes]
        primaries = ", ".join(codes[:8]) or "see CPT"
        if len(codes) > 8:
            primaries += f" and {len(codes) - 8} more"
        pairs.append(("add-on", f"yes: bill only with a primary code ({primaries})"))
    if info.therapy_list:
        pairs.append(
            ("therapy", f"{info.therapy_list} therapy on CMS's list: GP, GO or GN on Medicare")
        )
    if info.pfs_status:
        pairs.append(("Medicare PFS", f"status {info.pfs_status}" + " (bundled)" * info.bundled))
    if info.telehealth is not None:
        pairs.append(("telehealth", "on the Medicare list" if info.telehealth else "not listed"))
    if mue is not None:
        per = _MAI[mue.mai]
        pairs.append(
            ("NCCI MUE", f"{mue.units} unit{'s' * (mue.units != 1)} {per} (CMS {mue.edition})")
        )
    pairs.append(("valid", _validity(info)))
    if info.note:
        pairs.append(("note", info.note))
    print(f"{info.code}  {info.summary}")
    for line in _rows(pairs):
        print(line)
    return _on(info.active_on, on)


def _validity(info: CodeInfo) -> str:
    start = f"from {info.effective}" if info.effective else "in use"
    if info.terminated is None:
        return f"{start}, active"
    text = f"DELETED after {info.terminated}"
    if info.replaced_by:
        text += "; use " + ", ".join(str(code) for code in info.replaced_by) + " instead"
    return text


def _search(text: str, on: datetime.date | None) -> int:
    found = catalog().search(text, on=on)
    if not found:
        print(f"cptkit search: no code matches {text!r}", file=sys.stderr)
        return 1
    for info in found:
        deleted = f" [deleted {info.terminated}]" if info.terminated else ""
        print(f"{info.code}  {info.summary}{deleted}")
    return 0


def _modifier(text: str, on: datetime.date | None) -> int:
    info = lookup_modifier(text)
    kind = "pricing (changes payment)" if info.pricing else "informational"
    pairs = [
        ("level", info.level),
        ("group", info.group.value.replace("-", " ")),
        ("kind", kind),
    ]
    if info.description and info.description != info.summary:
        pairs.append(("CMS text", info.description))
    validity = f"from {info.effective}" if info.effective else "in use"
    pairs.append(("valid", validity + (f" to {info.terminated}" if info.terminated else "")))
    print(f"{info.modifier}  {info.summary}")
    for line in _rows(pairs):
        print(line)
    return _on(info.active_on, on)


def _place(text: str, on: datetime.date | None) -> int:
    info = lookup_place_of_service(text)
    pairs = [("fee setting", info.setting)]
    if info.telehealth:
        pairs.append(("telehealth", "yes: a telehealth place of service"))
    validity = f"from {info.effective}" if info.effective else "in use"
    pairs.append(("valid", validity + (f" to {info.terminated}" if info.terminated else "")))
    if info.note:
        pairs.append(("note", info.note))
    print(f"{info.place}  {info.name}")
    for line in _rows(pairs):
        print(line)
    return _on(info.active_on, on)


def _on(active: Callable[[datetime.date], bool], on: datetime.date | None) -> int:
    if on is None:
        return 0
    ok = active(on)
    print(f"  on {on}: {'valid' if ok else 'NOT valid'}")
    return 0 if ok else 1


_PAIR = re.compile(r"([0-9A-Za-z]{5})=([0-9]{1,9})")  # bounded: 9 digits at most


def _units(items: list[str], rule: str, *, explain: bool) -> int:
    from .. import units

    minutes: dict[str, int] = {}
    for item in items:
        match = _PAIR.fullmatch(item)
        if match is None:
            raise InvalidInput("minutes", item, "CODE=MINUTES, such as 97110=33")
        if match[1].upper() in minutes:
            raise InvalidInput("minutes", item, "each code given once")
        minutes[match[1].upper()] = int(match[2])
    allocation = units.allocate(minutes, rule=rule)  # type: ignore[arg-type]
    if explain:
        print(allocation.explain())
        return 0
    for line in allocation.lines:
        print(f"{line.code}  {line.minutes:>2} min  {line.units} unit{'s' * (line.units != 1)}")
    name = allocation.rules_applied
    total = f"Total: {allocation.total} unit{'s' * (allocation.total != 1)} ({name})"
    if allocation.minutes_to_next_unit is not None:
        total += f"; next unit at {allocation.minutes_to_next_unit} more timed minutes"
    print(total)
    for option in allocation.alternatives[1:]:
        choice = ", ".join(f"{code} x{count}" for code, count in option.items())
        print(f"Also allowed (tie between {', '.join(map(str, allocation.tie))}): {choice}")
    return 0
