# SPDX-License-Identifier: MIT
"""Build cptkit's packaged dataset from the raw CMS files and the reviewed manual tables.

    python scripts/build_dataset.py [--raw data/raw] [--manual data/manual] [--out src/cptkit/data]

Inputs (repository only, never shipped):

* ``data/raw/``: public CMS data with a PROVENANCE.md per folder;
* ``data/manual/``: the reviewed, hand-written tables (code attributes and summaries written by
  this project, code history with its evidence, modifier groups, place-of-service names).

Outputs (``src/cptkit/data/``): sorted UTF-8 CSV files, each opening with ``#`` lines that name
the sources, editions, generation date and the licence basis of every column, plus
``manifest.json`` with the SHA-256 of every file. The build is deterministic: the same inputs
give byte-identical outputs (a test rebuilds and compares).

The build checks what it can and stops with a message on anything inconsistent.
"""

from __future__ import annotations

import argparse
import csv
import datetime
import hashlib
import itertools
import json
import re
import sys
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "scripts"))

from build_diagnoses import EDITION as ICD10CM_EDITION  # noqa: E402
from build_diagnoses import BuildError as DiagnosisBuildError  # noqa: E402
from build_diagnoses import build_diagnoses  # noqa: E402

# The column lists are the loader's, so the build and the loader cannot drift apart.
from cptkit._tables import (  # noqa: E402
    AOC_COLUMNS,
    CODE_COLUMNS,
    MODIFIER_COLUMNS,
    MUE_COLUMNS,
    PLACE_COLUMNS,
    PTP_COLUMNS,
)

sys.path.insert(0, str(ROOT / "scripts"))
import build_payment  # noqa: E402  (the PFS tables: a sibling script, also run on its own)

# Bump when an input changes; it is the "generated" date written into every file header, kept
# constant so that a rebuild of unchanged inputs is byte-identical.
GENERATED = "2026-12-05"
DATA_RELEASE = "2026.12.05"

EDITIONS = {
    "hcpcs": "CMS HCPCS Level II, July 2025 (descriptions); January 2026 dates for 92 modifiers",
    "pfs": "CMS PFS Relative Value File RVU26C, July 2026 (status indicators)",
    "history": "CMS OPPS Addendum B 2019-01..2026-04 and PPRRVU 2022A..2024C (presence evidence)",
    "aoc": "CMS NCCI Add-on Code edits, Medicare, V2026Q2 (effective 2026-04-01)",
    "telehealth": "CMS CY2026 Medicare Telehealth Services list, excerpt 0362T..92553",
    "mue": "CMS NCCI Practitioner Services MUE, editions effective 2024-07-01 and 2026-04-01",
    "ptp": "CMS NCCI Practitioner PTP edits, 2024-07-01 (2024 Q3; no effective dates)",
    "ptp_sample": "CMS NCCI Practitioner PTP v32.2/v32.3 (2026 Q3/Q4), 354 therapy rows "
    "with effective dates",
    "pos": "CMS Place of Service Code Set, as of June 2024 (2017 page for effective-date notes)",
    "pfs_payment": build_payment.EDITION,
    "icd10cm": ICD10CM_EDITION,
}
# Per packaged table: its edition and the last date of service it speaks for (the end of the
# newest source's quarter). Catalog.coverage() and the data-stale rule read them.
COVERAGE = {
    "codes": (
        "CMS OPPS Addendum B 2026-04 (code presence), PFS RVU26C (status), HCPCS 2025-07",
        "2026-06-30",
    ),
    "modifiers": ("CMS HCPCS Level II 2025-07 (92 modifiers' dates checked 2026-01)", "2025-09-30"),
    "places": ("CMS Place of Service code set, June 2024", "2024-06-30"),
    "mue": ("CMS NCCI practitioner MUE 2026-04-01 (and 2024-07-01)", "2026-06-30"),
    "ptp": ("CMS NCCI practitioner PTP 2024-07-01 (therapy pairs)", "2024-09-30"),
    "aoc": ("CMS NCCI add-on code edits V2026Q2", "2026-06-30"),
    "diagnoses": ("CDC/CMS ICD-10-CM FY2025 and FY2026 (April 2026 release)", "2026-09-30"),
    "pfs": ("CMS PFS RVU25D and RVU26C, CY2025/CY2026 GPCIs", "2026-09-30"),
    "pfs_status": ("CMS PFS PPRRVU 2022A-2024C, RVU25D, RVU26C (status indicators)", "2026-09-30"),
}
DATASET_VERSION = (
    f"{DATA_RELEASE} (codes 2026-04, modifiers 2025-07, places 2024-06, MUE 2026-04-01,"
    " PTP 2024-07-01, AOC V2026Q2, ICD-10-CM FY2026, PFS RVU26C)"
)

# Columns of the presence matrix, with the first day each CMS release applies to.
_RELEASE_COLUMN = re.compile(r"addb_(\d{4})-(\d{2})|pfs_rvu(\d{2})([a-d])r?_")
_PFS_QUARTER_MONTH = {"a": 1, "b": 4, "c": 7, "d": 10}
DISCIPLINES = {"PT", "OT", "SLP", "AUD", "ABA", "BH", "PSYTEST", "HB", "AT"}
TIMINGS = {"untimed", "timed", "band", "ladder"}
MODIFIER_GROUPS = {
    "therapy-discipline",
    "assistant",
    "threshold",
    "ncci-bypass",
    "telehealth",
    "liability-notice",
    "credential",
    "program",
    "professional-technical",
    "repeat",
    "reduced",
    "other",
}


class BuildError(Exception):
    """An input is inconsistent; the message says which file and row."""


def read_csv(path: Path, *, delimiter: str = ",") -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as stream:
        return list(csv.DictReader(stream, delimiter=delimiter))


def iso(yyyymmdd: str) -> str:
    """``20190101`` -> ``2019-01-01``; blank stays blank."""
    if not yyyymmdd:
        return ""
    return datetime.datetime.strptime(yyyymmdd, "%Y%m%d").date().isoformat()


def release_start(column: str) -> datetime.date:
    match = _RELEASE_COLUMN.match(column)
    if match is None:
        raise BuildError(f"presence matrix: unknown column {column!r}")
    if match.group(1):
        return datetime.date(int(match.group(1)), int(match.group(2)), 1)
    return datetime.date(2000 + int(match.group(3)), _PFS_QUARTER_MONTH[match.group(4)], 1)


def expand_codes(text: str, where: str) -> list[str]:
    """``97161;99202-99205`` -> the listed codes, numeric ranges expanded."""
    out: list[str] = []
    for part in filter(None, text.split(";")):
        if "-" in part:
            low, high = part.split("-")
            if not (low.isdigit() and high.isdigit() and len(low) == len(high) == 5):
                raise BuildError(f"{where}: bad code range {part!r}")
            out.extend(f"{number:05d}" for number in range(int(low), int(high) + 1))
        else:
            out.append(part)
    return out


def header(title: str, sources: Sequence[str], licence: Sequence[str]) -> list[str]:
    lines = [
        f"# cptkit dataset: {title}",
        "# generated by scripts/build_dataset.py from data/raw and data/manual; do not edit",
        f"# generated: {GENERATED}",
    ]
    lines += [f"# source: {source}" for source in sources]
    lines += [f"# licence: {item}" for item in licence]
    return lines


render = build_payment.render


# --- codes ------------------------------------------------------------------------------------


def presence_dates(raw: Path) -> dict[str, tuple[str, str, str]]:
    """Per code: (effective, terminated, basis) proven by the CMS presence evidence.

    Two sources: the 2019-2024 matrix of therapy codes (Addendum B to 2023-01, PFS to 2024C)
    and OPPS Addendum B 2023-01 .. 2026-04 for every code. The later source decides whether a
    code it lists was deleted since; a code first listed in its first release counts as older.
    """
    out = _matrix_dates(raw)
    releases, spans = addendum_b_spans(raw)
    first_release, newest = releases[0][0], releases[-1][0]
    following = {releases[i][0]: releases[i + 1] for i in range(len(releases) - 1)}
    for code, (first, first_day, last, _last_day) in spans.items():
        effective, terminated, basis = out.get(code, ("", "", ""))
        notes = [basis or f"in CMS files from {first_release}"]
        if code not in out and first != first_release:
            effective = first_day
            notes = [f"first in OPPS Addendum B for {first_day} (release {first})"]
        terminated = ""
        if last != newest:
            name, start = following[last]
            end = datetime.date.fromisoformat(start) - datetime.timedelta(days=1)
            terminated = end.isoformat()
            notes.append(f"last in OPPS Addendum B release {last}, absent from {name} ({start}) on")
        out[code] = (effective, terminated, "; ".join(filter(None, notes)))
    return out


def addendum_b_spans(
    raw: Path,
) -> tuple[list[tuple[str, str]], dict[str, tuple[str, str, str, str]]]:
    """The Addendum B releases as (label, first day) and, per code, its first and last
    release with their first days."""
    folder = raw / "opps_addendum_b"
    releases = [(r["release"], r["quarter_effective"]) for r in read_csv(folder / "releases.csv")]
    order = {label: index for index, (label, _) in enumerate(releases)}
    spans: dict[str, tuple[str, str, str, str]] = {}
    for row in read_csv(folder / "presence.csv"):
        code = row["code"]
        here = (
            row["first_release"],
            row["first_quarter"],
            row["last_release"],
            row["last_quarter"],
        )
        if here[0] not in order or here[2] not in order:
            raise BuildError(f"presence.csv: unknown release in {here!r} ({code})")
        known = spans.get(code)
        if known is not None:
            first = min(known[:2], here[:2], key=lambda item: order[item[0]])
            last = max(known[2:], here[2:], key=lambda item: order[item[0]])
            here = (*first, *last)
        spans[code] = here
    return releases, spans


def _matrix_dates(raw: Path) -> dict[str, tuple[str, str, str]]:
    rows = read_csv(raw / "code_history" / "code_presence_matrix_2019-2024.csv")
    columns = [c for c in rows[0] if c != "hcpcs" and c.startswith(("addb_", "pfs_rvu"))]
    columns = [c for c in columns if not c.endswith("_northstar")]
    addb = [c for c in columns if c.startswith("addb_")]
    pfs = [c for c in columns if c.startswith("pfs_")]
    out: dict[str, tuple[str, str, str]] = {}
    for row in rows:
        seen = [c for c in columns if row[c]]
        if not seen:
            continue
        first = min(seen, key=release_start)
        effective = basis = ""
        if release_start(first) > datetime.date(2019, 1, 1):
            effective = release_start(first).isoformat()
            basis = f"first seen in CMS release {first}"
        terminated = ""
        in_addb = [c for c in addb if row[c]]
        in_pfs = [c for c in pfs if row[c]]
        if not in_pfs and in_addb and in_addb[-1] != addb[-1]:
            following = addb[addb.index(in_addb[-1]) + 1]
            terminated = (release_start(following) - datetime.timedelta(days=1)).isoformat()
            basis = "; ".join(
                filter(None, [basis, f"last seen {in_addb[-1]}, absent from {following} on"])
            )
        out[row["hcpcs"]] = (effective, terminated, basis or "in CMS files from 2019-01")
    return out


def aoc_edits(raw: Path) -> dict[str, list[tuple[str, str, str, str]]]:
    """Per add-on code: its AOC rows as (primary, type, effective, last day).

    The last day is the earliest of the edit's, the primary's and the add-on's deletion dates
    (blank while all three are open). ``CCCCC`` (contractor-defined primaries) is kept.
    """
    out: dict[str, list[tuple[str, str, str, str]]] = {}
    path = raw / "ncci_aoc_2026" / "aoc_v2026q2_mcr.csv"
    for number, row in enumerate(read_csv(path), start=2):
        if row["aoc_edit_type"] not in ("1", "2", "3") or not row["edit_effective_date"]:
            raise BuildError(f"{path.name} line {number}: edit type or effective date")
        ends = [
            row[field]
            for field in (
                "edit_deletion_date",
                "primary_code_deletion_date",
                "addon_code_deletion_date",
            )
            if row[field]
        ]
        out.setdefault(row["addon_code"], []).append(
            (
                row["primary_code"],
                row["aoc_edit_type"],
                row["edit_effective_date"],
                min(ends, default=""),
            )
        )
    return out


def aoc_primaries(edits: list[tuple[str, str, str, str]]) -> list[str]:
    """The primaries of an add-on's AOC rows in force as of the file (all of them when every
    row has ended: the add-on itself is history)."""
    listed = [edit for edit in edits if edit[0] != "CCCCC"]
    current = [edit for edit in listed if not edit[3]]
    return sorted({edit[0] for edit in (current or listed)})


def telehealth_membership(raw: Path) -> tuple[set[str], str]:
    rows = read_csv(
        raw / "therapy_telehealth_lists" / "cms_telehealth_list_cy2026_excerpt_biller.tsv",
        delimiter="\t",
    )
    codes = {row["HCPCS"].strip() for row in rows}
    return codes, max(codes)


def pfs_status(raw: Path) -> dict[str, str]:
    rows = read_csv(raw / "pfs_2026" / "pprrvu_2026_rvu26c_jul_nonqpp.csv")
    return {row["hcpcs"]: row["status_code"] for row in rows if row["mod"] == ""}


def build_codes(raw: Path, manual: Path) -> bytes:
    attributes = read_csv(manual / "code_attributes.csv")
    history = {row["code"]: row for row in read_csv(manual / "code_history.csv")}
    presence = presence_dates(raw)
    aoc = aoc_edits(raw)
    status = pfs_status(raw)
    telehealth, telehealth_last = telehealth_membership(raw)
    hcpcs_2025 = {
        row["hcpcs"]
        for row in read_csv(raw / "hcpcs_level2" / "cms_hcpcs_2025jul_level2_codes_no_dental.csv")
    }
    known = {row["code"] for row in attributes}
    rows: list[list[str]] = []
    for number, row in enumerate(attributes, start=2):
        code = row["code"]
        where = f"data/manual/code_attributes.csv line {number} ({code})"
        _check_code_row(row, where)
        effective, terminated, basis = presence.get(code, ("", "", "not in CMS files 2019-2026"))
        replaced_by = ""
        if code in history:
            entry = history[code]
            effective = entry["effective"] or effective
            terminated = entry["terminated"] or terminated
            replaced_by = entry["replaced_by"]
            basis = f"{entry['date_basis']}: {entry['evidence']}"
        for replacement in filter(None, replaced_by.split(";")):
            if replacement not in known:
                raise BuildError(f"{where}: replacement {replacement} is not in the code table")
        if not terminated and code not in status and code not in hcpcs_2025:
            raise BuildError(f"{where}: active code on neither the PFS nor the HCPCS file")
        if not effective and not terminated and not basis.startswith("in CMS files from"):
            # Without a start date a code counts as valid before: only for codes in the
            # earliest release of the evidence.
            raise BuildError(f"{where}: no effective date and not in the earliest CMS release")
        if code <= telehealth_last and not code[0].isalpha():
            on_list = "yes" if code in telehealth else "no"
        else:
            on_list = "yes" if code in telehealth else ""
        primaries = expand_codes(row["primary_codes"], where)
        edits = aoc.get(code, [])
        if any(edit[1] == "1" for edit in edits) and row["add_on"] != "1":
            raise BuildError(f"{where}: a type 1 add-on in the CMS AOC file, but add_on is 0")
        if row["add_on"] == "1" and aoc_primaries(edits):
            primaries = aoc_primaries(edits)
        rows.append(
            [
                code,
                row["summary"],
                row["family"],
                row["disciplines"],
                row["timing"],
                row["unit_minutes"],
                row["band_min"],
                row["band_max"],
                row["ladder_addon"],
                row["base_minutes"],
                row["base_threshold"],
                row["addon_unit_minutes"],
                row["addon_threshold"],
                row["add_on"],
                ";".join(primaries),
                row["therapy_list"],
                status.get(code, ""),
                on_list,
                effective,
                terminated,
                replaced_by,
                basis,
                row["note"],
            ]
        )
    rows.sort(key=lambda item: item[0])
    head = header(
        "codes (the therapy code set, with timing, history and edits metadata)",
        [
            EDITIONS["pfs"],
            EDITIONS["history"],
            EDITIONS["aoc"],
            EDITIONS["telehealth"],
            EDITIONS["hcpcs"],
        ],
        [
            "code: CPT numbers (CPT is a registered trademark of the AMA; numbers only, no "
            "AMA descriptors) and HCPCS Level II codes (CMS, public domain)",
            "summary, family, disciplines, timing columns, add_on, primary_codes, therapy_list, "
            "note: written by the cptkit project (MIT); HCPCS Level II summaries are "
            "shortened from CMS public-domain text",
            "pfs_status, telehealth: CMS (public domain)",
            "effective, terminated, replaced_by, date_basis: cptkit, from CMS file evidence "
            "(public domain); 'cited' dates are not proven by the shipped CMS files",
        ],
    )
    return render(head, CODE_COLUMNS, rows)


def _check_code_row(row: dict[str, str], where: str) -> None:
    if row["timing"] not in TIMINGS:
        raise BuildError(f"{where}: timing {row['timing']!r}")
    for discipline in filter(None, row["disciplines"].split(";")):
        if discipline not in DISCIPLINES:
            raise BuildError(f"{where}: discipline {discipline!r}")
    if row["timing"] == "timed" and not row["unit_minutes"]:
        raise BuildError(f"{where}: timed without unit_minutes")
    if row["timing"] == "band" and not row["band_min"]:
        raise BuildError(f"{where}: band without band_min")
    ladder = [row[c] for c in ("base_minutes", "base_threshold", "addon_unit_minutes")]
    if row["ladder_addon"] and not all([*ladder, row["addon_threshold"]]):
        raise BuildError(f"{where}: ladder base without its four numbers")
    if row["add_on"] not in ("0", "1"):
        raise BuildError(f"{where}: add_on {row['add_on']!r}")
    if row["add_on"] == "1" and not row["primary_codes"]:
        raise BuildError(f"{where}: add-on without primary codes")
    if len(row["summary"]) > 100 or not row["summary"]:
        raise BuildError(f"{where}: summary missing or longer than 100 characters")


def build_aoc(raw: Path, manual: Path) -> bytes:
    """The AOC rows of every add-on in the code table (dated primaries)."""
    known = {row["code"] for row in read_csv(manual / "code_attributes.csv")}
    rows = sorted(
        [addon, *edit]
        for addon, edits in aoc_edits(raw).items()
        if addon in known
        for edit in edits
    )
    head = header(
        "NCCI add-on code edits for the add-ons in the code table",
        [EDITIONS["aoc"]],
        [
            "all columns: CMS NCCI (public domain); code columns hold CPT numbers (AMA)",
            "last_day: the earliest of the edit's, the primary's and the add-on's deletion dates",
        ],
    )
    return render(head, AOC_COLUMNS, rows)


# --- Medicare PFS status by date --------------------------------------------------------------

PFS_STATUS_COLUMNS = ("code", "status", "effective", "through", "use", "source")
_STATUS_YEARS = (
    ("pfs_2025/pprrvu_2025_rvu25d_oct.csv", "2025-01-01", "2025-12-31", "RVU25D"),
    ("pfs_2026/pprrvu_2026_rvu26c_jul_nonqpp.csv", "2026-01-01", "2026-12-31", "RVU26C"),
)


def build_pfs_status(raw: Path, manual: Path) -> bytes:
    """Each code's Medicare PFS status indicator by date, as spans of one status.

    2022-01-01..2024-09-30 from the quarterly PPRRVU releases (therapy code set); 2025 and 2026
    from RVU25D and RVU26C, each applied to its calendar year (the status indicator is set by
    the year's final rule); the quarter between RVU24C and 2025 takes the status both sides
    share. Hand rows (data/manual/pfs_status.csv) add spans before 2022, cited to the final
    rule, or name the code Medicare uses instead of a status-I code (``use``).
    """
    known = {row["code"] for row in read_csv(manual / "code_attributes.csv")}
    spans: dict[str, list[list[str]]] = {}  # code -> [status, effective, through, source]

    def add(code: str, status: str, start: str, end: str, source: str) -> None:
        rows = spans.setdefault(code, [])
        if rows and rows[-1][0] == status:
            last = datetime.date.fromisoformat(rows[-1][2])
            gap = (datetime.date.fromisoformat(start) - last).days
            if gap <= 93:  # the next release, or the one missing quarter (2024Q4)
                rows[-1][2] = end
                if source not in rows[-1][3]:
                    rows[-1][3] += f"; {source}"
                return
        rows.append([status, start, end, source])

    quarterly = read_csv(raw / "pfs_status" / "pprrvu_2022-2024_quarterly_therapy_subset.csv")
    for row in sorted(quarterly, key=lambda row: (row["hcpcs"], row["date_start"])):
        if row["mod"] == "" and row["hcpcs"] in known:
            add(row["hcpcs"], row["status_code"], row["date_start"], row["date_end"], "PPRRVU")
    for name, start, end, edition in _STATUS_YEARS:
        for row in read_csv(raw / name):
            if row["mod"] == "" and row["hcpcs"] in known:
                add(row["hcpcs"], row["status_code"], start, end, edition)
    uses: dict[tuple[str, str], str] = {}
    for row in read_csv(manual / "pfs_status.csv"):
        if row["effective"]:
            spans.setdefault(row["code"], []).append(
                [row["status"], row["effective"], row["through"], f"manual: {row['source']}"]
            )
        uses[(row["code"], row["status"])] = row["use"]
    rows = []
    for code, found in spans.items():
        found.sort(key=lambda span: span[1])
        for earlier, later in itertools.pairwise(found):
            if later[1] <= earlier[2]:
                raise BuildError(f"pfs_status: overlapping spans for {code}")
        for status, start, end, source in found:
            rows.append([code, status, start, end, uses.get((code, status), ""), source])
    head = header(
        "Medicare Physician Fee Schedule status indicator by code and date",
        [
            "CMS PFS Relative Value Files: PPRRVU 2022A-2024C (data/raw/pfs_status), RVU25D,"
            " RVU26C; hand rows in data/manual/pfs_status.csv cite the final rule",
        ],
        [
            "all columns: CMS PFS Relative Value Files and final rules (public domain); code"
            " columns hold CPT numbers (AMA)",
            "source: PPRRVU = the quarterly releases; a year's RVU file applies to its year",
        ],
    )
    return render(head, PFS_STATUS_COLUMNS, sorted(rows))


# --- modifiers --------------------------------------------------------------------------------


def build_modifiers(raw: Path, manual: Path) -> bytes:
    folder = raw / "hcpcs_modifiers"
    descriptions = {
        row["modifier"]: row["long_description"]
        for row in read_csv(folder / "cms_hcpcs_2025jul_level2_modifiers.csv")
    }
    dated: dict[str, tuple[str, str, str]] = {}
    for year in ("2017", "2018", "2019"):
        for row in read_csv(folder / f"cms_hcpcs_{year}_level2_modifiers_fullrecord.csv"):
            if row["recid"] != "7":
                continue
            descriptions.setdefault(row["hcpc"], row["long_description"])
            dated[row["hcpc"]] = (iso(row["add_dt"]), iso(row["term_dt"]), f"CMS HCPCS {year}")
    for row in read_csv(folder / "cms_hcpcs_2026jan_modifier_dates_transcribed.csv"):
        dated[row["modifier"]] = (
            iso(row["add_dt"]),
            iso(row["term_dt"]),
            "CMS HCPCS 2026-01 (transcribed)",
        )
    # CPT modifiers: the AMA publishes no dated file; the few whose start a rule compares
    # dates with carry a cited date (data/manual/cpt_modifier_dates.csv).
    cpt_dates = {
        row["modifier"]: (row["effective"], "", f"cited: {row['evidence']}")
        for row in read_csv(manual / "cpt_modifier_dates.csv")
    }
    reviewed = {}
    for number, row in enumerate(read_csv(manual / "modifier_attributes.csv"), start=2):
        where = f"data/manual/modifier_attributes.csv line {number} ({row['modifier']})"
        if row["group"] not in MODIFIER_GROUPS or row["kind"] not in ("pricing", "informational"):
            raise BuildError(f"{where}: group {row['group']!r} or kind {row['kind']!r}")
        if row["level"] == "HCPCS" and row["modifier"] not in descriptions:
            raise BuildError(f"{where}: HCPCS modifier not in any CMS file")
        if row["level"] == "CPT" and not row["summary"]:
            raise BuildError(f"{where}: CPT modifier without a cptkit summary")
        reviewed[row["modifier"]] = row
    rows = []
    for modifier in sorted(set(descriptions) | set(reviewed)):
        own = reviewed.get(modifier)
        level = own["level"] if own else "HCPCS"
        description = descriptions.get(modifier, "") if level == "HCPCS" else ""
        effective, terminated, basis = dated.get(modifier, ("", "", "no dated CMS record"))
        if level == "CPT":
            effective, terminated, basis = cpt_dates.get(
                modifier, ("", "", "CPT modifier: no dates in public data")
            )
        rows.append(
            [
                modifier,
                level,
                own["group"] if own else "other",
                own["kind"] if own else "informational",
                (own["summary"] if own else "") or description,
                description,
                effective,
                terminated,
                basis,
                "1" if own else "0",
            ]
        )
    head = header(
        "modifiers (HCPCS Level II and the CPT modifiers therapy claims use)",
        [EDITIONS["hcpcs"], "CMS HCPCS 2017, 2018 and 2019 annual files (dates)"],
        [
            "modifier: CPT modifier numbers (AMA; numbers only) and HCPCS Level II (CMS, public "
            "domain)",
            "description: CMS HCPCS Level II long description (public domain); blank for CPT",
            "summary: written by the cptkit project (MIT), or the CMS description",
            "group, kind, reviewed: cptkit (MIT); unreviewed rows default to other/informational",
            "effective, terminated: CMS HCPCS files (public domain)",
        ],
    )
    return render(head, MODIFIER_COLUMNS, rows)


# --- places of service ------------------------------------------------------------------------


def build_places(raw: Path, manual: Path) -> bytes:
    cms = {
        row["pos_code"]: row
        for row in read_csv(raw / "place_of_service" / "northstar_pos_codes_2024.csv")
    }
    rows = []
    for number, row in enumerate(read_csv(manual / "place_of_service.csv"), start=2):
        where = f"data/manual/place_of_service.csv line {number} ({row['code']})"
        source = cms.get(row["code"])
        if source is None:
            raise BuildError(f"{where}: not in the CMS list")
        expected = source["pos_type"].lower().replace("non-facility", "non-facility")
        if row["setting"] != expected:
            raise BuildError(f"{where}: setting {row['setting']!r} but CMS says {expected!r}")
        rows.append([row[column] for column in PLACE_COLUMNS])
    if [row[0] for row in rows] != [f"{n:02d}" for n in range(1, 100)]:
        raise BuildError("data/manual/place_of_service.csv: codes must be 01..99 in order")
    head = header(
        "places of service",
        [EDITIONS["pos"]],
        [
            "code, setting: CMS (public domain)",
            "name, note, date_basis: cptkit (MIT), shortened from CMS names",
            "effective: CMS notes where date_basis is cms-note; 'cited' dates are not proven",
        ],
    )
    return render(head, PLACE_COLUMNS, rows)


# --- edits ------------------------------------------------------------------------------------


MUE_EDITIONS = {
    "2024-07-01": "mue_practitioner/northstar_mue_practitioner_2024-07-01.csv",
    "2026-04-01": "mue_2026/mue_practitioner_2026-04-01.csv",
}


def build_mue(raw: Path) -> bytes:
    rows = []
    for edition, name in MUE_EDITIONS.items():
        seen = set()
        path = raw / name
        for number, row in enumerate(read_csv(path), start=2):
            code = row["hcpcs_code"]
            if code in seen:
                raise BuildError(f"{path.name} line {number}: duplicate code {code}")
            seen.add(code)
            if not row["mue_units"].isdigit() or row["mue_mai"] not in ("1", "2", "3"):
                raise BuildError(f"{path.name} line {number}: bad MUE value or MAI")
            rows.append([edition, code, row["mue_units"], row["mue_mai"], row["mue_rationale"]])
    rows.sort()
    head = header(
        "Medically Unlikely Edits, practitioner services, by edition (effective date)",
        [EDITIONS["mue"]],
        [
            "all columns: CMS NCCI (public domain); code column holds CPT numbers (AMA)",
            "edition: the date the CMS table takes effect; it applies until the next edition",
        ],
    )
    return render(head, MUE_COLUMNS, rows)


def ptp_sample_dates(raw: Path) -> dict[tuple[str, str, str, str], str]:
    """Effective dates of the 2026 sample, keyed by (column 1, column 2, deletion, indicator)."""
    path = raw / "ncci_ptp_2026_sample" / "ptp_practitioner_2026q3_q4_priorpath_therapy_rows.csv"
    dates: dict[tuple[str, str, str, str], str] = {}
    for number, row in enumerate(read_csv(path), start=2):
        key = (row["column1"], row["column2"], row["deletion_date"], row["modifier_indicator"])
        if dates.setdefault(key, row["effective_date"]) != row["effective_date"]:
            raise BuildError(f"{path.name} line {number}: two effective dates for {key}")
    return dates


def build_ptp(raw: Path, starts: dict[str, str]) -> tuple[bytes, bytes]:
    """The PTP rows, each effective from the later of its codes' first days (*starts*, from
    the code table) or, for the pairs in the 2026 sample, from CMS's own effective date."""
    folder = raw / "ncci_ptp_practitioner"
    sample = ptp_sample_dates(raw)
    rationales: dict[str, int] = {}
    rows = []
    for name in ("active", "deleted"):
        path = folder / f"ptp_practitioner_2024-07-01_therapy_{name}.csv"
        for number, row in enumerate(read_csv(path), start=2):
            if row["modifier_indicator"] not in ("0", "1", "9"):
                raise BuildError(f"{path.name} line {number}: modifier indicator")
            deletion = "" if row["deletion_date"] == "99991231" else iso(row["deletion_date"])
            first, second = row["column1"], row["column2"]
            indicator = row["modifier_indicator"]
            effective = sample.get((first, second, deletion, indicator), "")
            effective = max(effective, starts.get(first, ""), starts.get(second, ""))
            text = row["rationale"]
            rationale = rationales.setdefault(text, len(rationales))
            rows.append([first, second, effective, deletion, indicator, rationale])
    ordered = sorted(rationales)
    renumber = {rationales[text]: index for index, text in enumerate(ordered)}
    out_rows = sorted([[*row[:5], str(renumber[row[5]])] for row in rows])  # type: ignore[index]
    head = header(
        "NCCI procedure-to-procedure edits, practitioner, pairs touching the therapy code set",
        [EDITIONS["ptp"], EDITIONS["ptp_sample"]],
        [
            "all columns: CMS NCCI (public domain); code columns hold CPT numbers (AMA)",
            "effective_date: the 2026 sample's date where the row is in it, else the later of "
            "the two codes' effective dates in codes.csv (blank when neither is known)",
        ],
    )
    ptp = render(head, PTP_COLUMNS, out_rows)
    rationale_file = render(
        header("NCCI PTP edit rationales", [EDITIONS["ptp"]], ["CMS NCCI (public domain)"]),
        ["id", "rationale"],
        [[str(index), text] for index, text in enumerate(ordered)],
    )
    return ptp, rationale_file


# --- driver -----------------------------------------------------------------------------------


def build(raw: Path, manual: Path) -> dict[str, bytes]:
    """Every output file's name and bytes, manifest last."""
    codes = build_codes(raw, manual)
    starts = {
        row["code"]: row["effective"]
        for row in csv.DictReader(
            line for line in codes.decode("utf-8").splitlines() if not line.startswith("#")
        )
    }
    ptp, rationales = build_ptp(raw, starts)
    files = {
        "codes.csv": codes,
        "aoc.csv": build_aoc(raw, manual),
        "modifiers.csv": build_modifiers(raw, manual),
        "places.csv": build_places(raw, manual),
        "mue.csv": build_mue(raw),
        "pfs_status.csv": build_pfs_status(raw, manual),
        "ptp.csv": ptp,
        "ptp_rationales.csv": rationales,
        "diagnoses.csv": build_diagnoses(
            raw,
            header(
                "ICD-10-CM diagnosis codes by fiscal year (1 billable, 0 header, empty: not listed)",
                [EDITIONS["icd10cm"], "data/raw/icd10cm (built by scripts/build_diagnoses.py)"],
                [
                    "all columns: CDC/NCHS and CMS ICD-10-CM code lists (US government work, public "
                    "domain)"
                ],
            ),
        ),
    }
    files.update(build_payment.build(raw, files["codes.csv"]))
    manifest = {
        "coverage": {
            table: {"edition": edition, "through": through}
            for table, (edition, through) in COVERAGE.items()
        },
        "dataset_version": DATASET_VERSION,
        "generated": GENERATED,
        "editions": EDITIONS,
        "files": {name: hashlib.sha256(data).hexdigest() for name, data in sorted(files.items())},
    }
    files["manifest.json"] = (json.dumps(manifest, indent=2, sort_keys=True) + "\n").encode()
    return files


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--raw", type=Path, default=ROOT / "data" / "raw")
    parser.add_argument("--manual", type=Path, default=ROOT / "data" / "manual")
    parser.add_argument("--out", type=Path, default=ROOT / "src" / "cptkit" / "data")
    args = parser.parse_args(argv)
    try:
        files = build(args.raw, args.manual)
    except (BuildError, DiagnosisBuildError) as err:
        print(f"build_dataset: {err}", file=sys.stderr)
        return 1
    args.out.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        (args.out / name).write_bytes(data)
        print(f"wrote {args.out / name} ({len(data):,} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
