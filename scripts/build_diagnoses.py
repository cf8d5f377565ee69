# SPDX-License-Identifier: MIT
"""Build cptkit's packaged ICD-10-CM table (``diagnoses.csv``) from ``data/raw/icd10cm``.

:func:`build_diagnoses` is called by ``scripts/build_dataset.py``, which writes every packaged
file and the manifest; run that script to regenerate. This module checks the raw list and
turns it into one sorted row per code: the code without its dot, one column per fiscal year
(``1`` billable, ``0`` header, empty when that year's list does not hold the code) and the title.

The build stops with a message on anything inconsistent: a code of the wrong shape, a
duplicate or unsorted code, a row in no year, a billable code with codes under it in the same
year, a header with no billable code under it, or a code with no category above it.
"""

from __future__ import annotations

import csv
import io
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from cptkit._icd10cm import DIAGNOSIS_TITLE_COLUMN, year_column  # noqa: E402
from cptkit.diagnoses import Diagnosis  # noqa: E402

RAW_FILE = Path("icd10cm") / "icd10cm_codes_fy2025_fy2026.csv"
YEARS = (2025, 2026)
EDITION = (
    "CDC/NCHS and CMS ICD-10-CM code lists FY2025 (CMS order file) and FY2026 (April 2026 "
    "release); no FY2027"
)
_FLAGS = ("0", "1", "")


class BuildError(Exception):
    """An input is inconsistent; the message says which file and row."""


def _dotted(code: str) -> str:
    return code if len(code) == 3 else f"{code[:3]}.{code[3:]}"


def read_rows(raw: Path) -> list[tuple[str, tuple[str, ...], str]]:
    """``(code, flags per year, title)`` for each row of the raw list, checked."""
    path = raw / RAW_FILE
    rows: list[tuple[str, tuple[str, ...], str]] = []
    with path.open(encoding="utf-8", newline="") as stream:
        for number, row in enumerate(csv.DictReader(stream), start=2):
            where = f"{RAW_FILE} line {number}"
            code = row["code"]
            if Diagnosis._SHAPE.fullmatch(code) is None or row["code_dotted"] != _dotted(code):
                raise BuildError(f"{where}: code {code!r} / {row['code_dotted']!r}")
            flags = tuple(row[f"fy{year}_billable"] for year in YEARS)
            if any(flag not in _FLAGS for flag in flags) or all(flag == "" for flag in flags):
                raise BuildError(f"{where}: billable flags {flags!r}")
            title = row["description"]
            if not title or title != title.strip() or "\n" in title:
                raise BuildError(f"{where}: title {title!r}")
            if rows and code <= rows[-1][0]:
                raise BuildError(f"{where}: {code} is a duplicate or out of order")
            rows.append((code, flags, title))
    return rows


def check_hierarchy(rows: list[tuple[str, tuple[str, ...], str]]) -> None:
    """Per year: a billable code has no code under it, a header has a billable code under it,
    and every code longer than a category has a code above it."""
    for position, year in enumerate(YEARS):
        flags = {code: row_flags[position] for code, row_flags, _ in rows if row_flags[position]}
        codes = sorted(flags)
        above_billable = {
            code[:size]
            for code, flag in flags.items()
            if flag == "1"
            for size in range(3, len(code))
        }
        for index, code in enumerate(codes):
            following = codes[index + 1] if index + 1 < len(codes) else ""
            if flags[code] == "1" and following.startswith(code):
                raise BuildError(f"FY{year}: billable {code} has {following} under it")
            if flags[code] == "0" and code not in above_billable:
                raise BuildError(f"FY{year}: header {code} has no billable code under it")
            if len(code) > 3 and not any(code[:size] in flags for size in range(3, len(code))):
                raise BuildError(f"FY{year}: {code} has no category above it")


def build_diagnoses(raw: Path, head: list[str]) -> bytes:
    """The packaged table's bytes, opening with the ``#`` lines in *head*."""
    rows = read_rows(raw)
    check_hierarchy(rows)
    buffer = io.StringIO(newline="")
    for line in head:
        buffer.write(line + "\n")
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["code", *(year_column(year) for year in YEARS), DIAGNOSIS_TITLE_COLUMN])
    for code, flags, title in rows:
        writer.writerow([code, *flags, title])
    return buffer.getvalue().encode("utf-8")


def counts(raw: Path) -> dict[int, tuple[int, int]]:
    """``{year: (billable, headers)}`` of the raw list (for the docs)."""
    rows = read_rows(raw)
    return {
        year: (
            sum(flags[position] == "1" for _, flags, _ in rows),
            sum(flags[position] == "0" for _, flags, _ in rows),
        )
        for position, year in enumerate(YEARS)
    }


if __name__ == "__main__":  # the counts docs/dataset.md gives
    for year, (billable, headers) in counts(ROOT / "data" / "raw").items():
        print(f"FY{year}: {billable:,} billable, {headers:,} headers")
