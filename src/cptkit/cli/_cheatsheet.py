# SPDX-License-Identifier: MIT
"""The one-page staff cheat sheet per discipline, as Markdown or a self-contained HTML page.

Code summaries, timing, MUE values and modifier texts come from the packaged dataset; the lists
of common codes, the unit rules and the denial causes are this project's editorial choices.

>>> from cptkit.cli._cheatsheet import cheatsheet
>>> print(cheatsheet(["ABA"], "md").splitlines()[0])
# Applied behavior analysis (ABA) billing cheat sheet
"""

from __future__ import annotations

import html
from collections.abc import Sequence

import attrs

from .. import catalog, get_modifier
from ..policy import KX_THRESHOLDS
from ..records import CodeInfo, ModifierInfo, Timing

__all__ = ["cheatsheet"]

_YEAR, _KX = KX_THRESHOLDS[-1]

_NAMES = {
    "PT": "Physical therapy (PT)",
    "OT": "Occupational therapy (OT)",
    "SLP": "Speech-language pathology (SLP)",
    "ABA": "Applied behavior analysis (ABA)",
    "BH": "Psychotherapy (behavioral health)",
}

_CODES = {
    "PT": "97161 97162 97163 97164 97110 97112 97116 97140 97530 97535 97760 97035 97012 G0283",
    "OT": "97165 97166 97167 97168 97110 97112 97140 97530 97535 97760 97129 97130 92526",
    "SLP": "92521 92522 92523 92524 92610 92507 92508 92526 97129 97130",
    "ABA": "97151 97152 97153 97154 97155 97156 97157 97158 0362T 0373T",
    "BH": "90791 90832 90834 90837 90833 90836 90838 90839 90840 90846 90847 90853 90785",
}

_EIGHT_MINUTE = (
    "Medicare: add up the day's minutes of all 15-minute timed therapy codes; 8-22 min = 1 unit,"
    " 23-37 = 2, 38-52 = 3, 53-67 = 4, 68-82 = 5 (then every 15 min). Give each code its whole"
    " 15-minute blocks first, then leftover units to the largest leftover minutes."
)
_MIDPOINT = (
    "Many commercial and Medicaid plans use the CPT rule instead: each code on its own, a unit"
    " once its minutes pass the midpoint (8 min for the first 15-minute unit, 23 for two ...)."
)
_UNTIMED = "Untimed codes ({}) are one unit per session; their minutes never join the timed total."
_RECORD = "Record direct one-on-one minutes per code and the total timed minutes in the note."
_TRY = "Check a day: `cptkit units 97110=33 97140=7 --explain`."

_RULES = {
    "PT": [_EIGHT_MINUTE, _MIDPOINT, _UNTIMED.format("evaluations, 97012, G0283"), _RECORD, _TRY],
    "OT": [_EIGHT_MINUTE, _MIDPOINT, _UNTIMED.format("evaluations, 92526"), _RECORD, _TRY],
    "SLP": [
        "92507, 92508, 92526 and the evaluations are untimed: one unit per date of service,"
        " however long the session.",
        "97129 is the first 15 minutes of cognitive intervention (from 8 min); 97130 each further"
        " 15 minutes, on the same claim.",
        _EIGHT_MINUTE,
        _RECORD,
    ],
    "ABA": [
        "Every ABA code is billed in 15-minute units: 2 hours of 97153 is 8 units.",
        "Most ABA payers follow the CPT rule: a unit once a code's minutes pass 8, each code"
        " on its own (`cptkit units 97153=120 --rule ama`).",
        "97153 and 97154 are delivered by a technician; 97151, 97155, 97156, 97157 and 97158 by"
        " the BCBA or other qualified professional. Stay within the authorized units.",
        "Medicare's MUE for 97153 is 32 units (8 hours) per day; payers' own limits may be lower.",
    ],
    "BH": [
        "Psychotherapy is chosen by time, not counted: 90832 for 16-37 min, 90834 for 38-52,"
        " 90837 for 53 or more; under 16 minutes nothing is billable.",
        "With a same-day E/M visit bill the add-ons 90833, 90836 or 90838 on the same bands.",
        "Crisis: 90839 for the first 30-74 minutes, 90840 for each further 30 (75-104 one,"
        " 105-134 two).",
        "90785 (interactive complexity) is an add-on: only with a diagnostic evaluation,"
        " psychotherapy or group psychotherapy code.",
        "Record start and stop times (or total minutes) of the psychotherapy itself.",
    ],
}

_MODIFIERS = {
    "PT": [
        ("GP", "every PT code on Medicare claims (CMS Pub. 100-04 ch. 5)"),
        ("CQ", "any part done by a PT assistant; goes with GP, paid at 85%"),
        ("KX", f"above the yearly therapy threshold (${_KX:,} in {_YEAR}) when necessary"),
        ("95", "real-time audio-video telehealth, with place of service 02 or 10"),
        ("59", "only when an NCCI pair was truly a distinct service (or XE/XS/XP/XU)"),
    ],
    "OT": [
        ("GO", "every OT code on Medicare claims (CMS Pub. 100-04 ch. 5)"),
        ("CO", "any part done by an OT assistant; goes with GO, paid at 85%"),
        ("KX", f"above the yearly therapy threshold (${_KX:,} in {_YEAR}) when necessary"),
        ("95", "real-time audio-video telehealth, with place of service 02 or 10"),
        ("59", "only when an NCCI pair was truly a distinct service (or XE/XS/XP/XU)"),
    ],
    "SLP": [
        ("GN", "every SLP code on Medicare claims (CMS Pub. 100-04 ch. 5)"),
        ("KX", f"above the yearly PT+SLP threshold (${_KX:,} in {_YEAR}) when necessary"),
        ("95", "real-time audio-video telehealth, with place of service 02 or 10"),
        ("59", "only when an NCCI pair was truly a distinct service (or XE/XS/XP/XU)"),
    ],
    "ABA": [
        ("HM", "credential: less than a bachelor's degree (technician), where the plan asks"),
        ("HN", "credential: bachelor's level (BCaBA), where the plan asks"),
        ("HO", "credential: master's level (BCBA), where the plan asks"),
        ("HP", "credential: doctoral level (BCBA-D), where the plan asks"),
        ("95", "telehealth, with the place of service the plan wants (02 or 10)"),
    ],
    "BH": [
        ("95", "real-time audio-video telehealth, with place of service 02 or 10"),
        ("93", "audio-only telehealth, where the payer allows it (Medicare: also FQ)"),
        ("AH", "credential: clinical psychologist, where the plan asks"),
        ("AJ", "credential: clinical social worker, where the plan asks"),
        ("HO", "credential: master's level clinician, where the plan asks"),
    ],
}

_THERAPY_DENIALS = [
    ("No GP/GO/GN on a therapy code", "CO-4", "therapy-modifier-missing"),
    ("Units the documented minutes do not support", "CO-151", "units-minutes-mismatch"),
    ("More units than the MUE allows", "CO-151", "units-exceed-mue"),
    ("An untimed code (an evaluation ...) with 2+ units", "CO-151", "untimed-multiple-units"),
    ("An NCCI pair without a distinct-service modifier", "CO-236", "ncci-ptp"),
    ("Two evaluations, or an evaluation and a re-evaluation", "CO-97", "ncci-ptp"),
    ("A deleted code (97001-97004, 92506 ...)", "CO-181", "code-inactive"),
    ("Over the KX threshold without KX", "CO-119", "kx-threshold"),
    ("Telehealth place of service without 95", "CO-4", "telehealth-mismatch"),
    ("No diagnosis pointer, or one past the diagnoses", "CO-16", "diagnosis-pointer-invalid"),
    ("Plan of care not certified, or no authorization", "CO-197", "not checked by cptkit"),
]
_DENIALS = {
    "PT": _THERAPY_DENIALS,
    "OT": _THERAPY_DENIALS,
    "SLP": _THERAPY_DENIALS,
    "ABA": [
        ("No prior authorization, or units beyond it", "CO-197", "not checked by cptkit"),
        ("More units than the MUE allows (97153: 32 a day)", "CO-151", "units-exceed-mue"),
        ("Units the documented minutes do not support", "CO-151", "units-minutes-mismatch"),
        ("Telehealth place of service and modifier disagree", "CO-4/CO-5", "telehealth-mismatch"),
        ("A deleted code (0359T-0374T, most replaced in 2019)", "CO-181", "code-inactive"),
        ("The same service twice on one date", "CO-18", "duplicate-line"),
        ("No diagnosis pointer, or one past the diagnoses", "CO-16", "diagnosis-pointer-invalid"),
        ("Missing credential modifier the plan requires", "CO-4", "not checked by cptkit"),
    ],
    "BH": [
        ("Minutes outside the code's time band (90837 for 45 min)", "CO-151", "time-band-mismatch"),
        ("An add-on without its primary (90785, 90840, 90833)", "CO-97", "addon-without-primary"),
        ("Two services that form an NCCI pair the same day", "CO-236", "ncci-ptp"),
        ("Telehealth place of service and modifier disagree", "CO-4/CO-5", "telehealth-mismatch"),
        ("A deleted code", "CO-181", "code-inactive"),
        ("No diagnosis pointer, or one past the diagnoses", "CO-16", "diagnosis-pointer-invalid"),
        ("No authorization where the plan needs one", "CO-197", "not checked by cptkit"),
    ],
}


@attrs.frozen
class _Sheet:
    title: str
    codes: tuple[tuple[str, str, str, str], ...]
    rules: tuple[str, ...]
    modifiers: tuple[tuple[str, str, str], ...]
    denials: tuple[tuple[str, str, str], ...]


def _timing(info: CodeInfo) -> str:
    if info.timing is Timing.UNTIMED:
        return "untimed (1 per session)"
    if info.timing is Timing.BAND:
        assert info.time_band is not None  # a band code always carries its band
        low, high = info.time_band
        return f"by time: {low}+ min" if high is None else f"by time: {low}-{high} min"
    if info.timing is Timing.LADDER and not info.add_on:
        assert info.ladder is not None  # a ladder code always carries its ladder
        return f"timed: first unit from {info.ladder.base_threshold} min"
    return f"timed: {info.unit_minutes} min units"


def _sheet(discipline: str) -> _Sheet:
    book = catalog()
    codes = []
    for text in _CODES[discipline].split():
        info = book.lookup(text)
        mue = book.mue(info.code)
        summary = info.summary + (
            " (add-on)" if info.add_on and "add-on" not in info.summary else ""
        )
        codes.append(
            (str(info.code), summary, _timing(info), "-" if mue is None else str(mue.units))
        )
    modifiers = []
    for text, when in _MODIFIERS[discipline]:
        found = get_modifier(text)
        meaning = found.summary if isinstance(found, ModifierInfo) else ""
        modifiers.append((text, when, meaning))
    return _Sheet(
        title=f"{_NAMES[discipline]} billing cheat sheet",
        codes=tuple(codes),
        rules=tuple(_RULES[discipline]),
        modifiers=tuple(modifiers),
        denials=tuple(_DENIALS[discipline]),
    )


def cheatsheet(disciplines: Sequence[str], kind: str) -> str:
    """The cheat sheets of *disciplines* (``"PT"``, ``"OT"``, ``"SLP"``, ``"ABA"``, ``"BH"``)
    as ``"md"`` or ``"html"`` text."""
    from .. import dataset_version

    sheets = [_sheet(discipline) for discipline in dict.fromkeys(disciplines)]
    source = (
        f"cptkit dataset {dataset_version}. Medicare rules unless a line says otherwise; your"
        " payer's contract and policies come first. Summaries are cptkit's own words, not CPT"
        " descriptors."
    )
    if kind == "html":
        return _html(sheets, source)
    return "\n\n".join(_markdown(sheet, source) for sheet in sheets)


def _md_table(head: tuple[str, ...], rows: Sequence[tuple[str, ...]]) -> list[str]:
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines.extend("| " + " | ".join(cell.replace("|", "/") for cell in row) + " |" for row in rows)
    return lines


def _markdown(sheet: _Sheet, source: str) -> str:
    lines = [f"# {sheet.title}", "", source, "", "## Common codes", ""]
    lines += _md_table(("Code", "What it is", "Timing", "MUE"), sheet.codes)
    lines += ["", "## Units", ""] + [f"- {rule}" for rule in sheet.rules]
    lines += ["", "## Modifiers", ""]
    lines += _md_table(("Modifier", "When", "Meaning"), sheet.modifiers)
    lines += ["", "## Common denials", ""]
    lines += _md_table(("Cause", "CARC", "cptkit rule"), sheet.denials)
    return "\n".join(lines)


_CSS = """
body { font: 10pt/1.35 system-ui, -apple-system, "Segoe UI", Arial, sans-serif; margin: 1.5em;
       color: #111; }
h1 { font-size: 15pt; margin: 0 0 .2em; } h2 { font-size: 11.5pt; margin: .9em 0 .3em; }
p.source { color: #444; font-size: 8.5pt; margin: 0 0 .5em; }
table { border-collapse: collapse; width: 100%; } th, td { border: 1px solid #999;
       padding: 2px 5px; text-align: left; vertical-align: top; } th { background: #eee; }
td.code { font-family: ui-monospace, Menlo, Consolas, monospace; white-space: nowrap; }
ul { margin: .2em 0; padding-left: 1.3em; } code { font-size: 9pt; }
section + section { break-before: page; page-break-before: always; }
@page { size: letter; margin: 1.2cm; }
@media print { body { margin: 0; } tr { break-inside: avoid; page-break-inside: avoid; }
       th { background: #eee; -webkit-print-color-adjust: exact; print-color-adjust: exact; } }
"""


def _cell(text: str, *, code: bool = False) -> str:
    escaped = html.escape(text)
    return f"<td class='code'>{escaped}</td>" if code else f"<td>{escaped}</td>"


def _html_table(head: tuple[str, ...], rows: Sequence[tuple[str, ...]]) -> str:
    header = "".join(f"<th>{html.escape(cell)}</th>" for cell in head)
    body = "".join(
        "<tr>" + "".join(_cell(c, code=i == 0) for i, c in enumerate(row)) + "</tr>" for row in rows
    )
    return f"<table><thead><tr>{header}</tr></thead><tbody>{body}</tbody></table>"


def _inline(text: str) -> str:
    # The rules use `backticks` for commands, as in the Markdown form.
    parts = html.escape(text).split("`")
    return "".join(f"<code>{part}</code>" if i % 2 else part for i, part in enumerate(parts))


def _html(sheets: Sequence[_Sheet], source: str) -> str:
    sections = []
    for sheet in sheets:
        rules = "".join(f"<li>{_inline(rule)}</li>" for rule in sheet.rules)
        sections.append(
            f"<section><h1>{html.escape(sheet.title)}</h1>"
            f"<p class='source'>{html.escape(source)}</p>"
            "<h2>Common codes</h2>"
            + _html_table(("Code", "What it is", "Timing", "MUE"), sheet.codes)
            + f"<h2>Units</h2><ul>{rules}</ul><h2>Modifiers</h2>"
            + _html_table(("Modifier", "When", "Meaning"), sheet.modifiers)
            + "<h2>Common denials</h2>"
            + _html_table(("Cause", "CARC", "cptkit rule"), sheet.denials)
            + "</section>"
        )
    title = html.escape(sheets[0].title if len(sheets) == 1 else "cptkit billing cheat sheets")
    return (
        "<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>"
        f"<meta name='viewport' content='width=device-width, initial-scale=1'><title>{title}</title>"
        f"<style>{_CSS}</style></head><body>\n" + "\n".join(sections) + "\n</body></html>"
    )
