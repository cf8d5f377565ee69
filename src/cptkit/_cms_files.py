# SPDX-License-Identifier: MIT
"""Readers for the files CMS publishes each quarter, for catalogs with newer edits.

* MUE: the "Practitioner Services" CSV. Notice lines come first, then a header whose first
  cell starts with ``HCPCS``, then rows: code, MUE value, adjudication indicator (``"3 Date of
  Service Edit: Clinical"``), rationale.
* PTP: the practitioner ``.txt`` files (tab-delimited). Header lines come first, then rows:
  column 1, column 2, ``*`` if in existence before 1996, effective date ``YYYYMMDD``, deletion
  date (``*`` for none), modifier indicator, rationale.

Rows are checked strictly; a bad row raises :class:`~cptkit.DatasetError` with file and line.
"""

from __future__ import annotations

import csv
import datetime
from collections.abc import Iterable
from pathlib import Path

from .codes import Code
from .errors import DatasetError

__all__ = ["read_mue_file", "read_ptp_files"]


def _date(text: str, where: str) -> datetime.date | None:
    text = text.strip()
    if text in ("", "*"):
        return None
    try:
        return datetime.datetime.strptime(text, "%Y%m%d").date()
    except ValueError:
        raise DatasetError(f"{where}: {text!r} is not a YYYYMMDD date") from None


def _open(path: str | Path) -> list[str]:
    try:
        with open(path, encoding="utf-8-sig", newline="") as stream:
            return stream.read().splitlines()
    except (OSError, UnicodeDecodeError) as err:
        raise DatasetError(f"{path}: cannot be read ({err})") from None


def read_mue_file(path: str | Path) -> dict[str, tuple[int, int, str]]:
    """Read a CMS MUE CSV into ``{code: (units, mai, rationale)}``."""
    rows = list(csv.reader(_open(path)))
    start = next(
        (i for i, row in enumerate(rows) if row and row[0].strip().upper().startswith("HCPCS")),
        None,
    )
    if start is None:
        raise DatasetError(f"{path}: no header row starting with 'HCPCS' (not a CMS MUE file?)")
    table: dict[str, tuple[int, int, str]] = {}
    for number, row in enumerate(rows[start + 1 :], start=start + 2):
        if not any(cell.strip() for cell in row):
            continue
        where = f"{path} line {number}"
        if len(row) < 4:
            raise DatasetError(f"{where}: {len(row)} fields, expected 4")
        code, units, mai, rationale = (cell.strip() for cell in row[:4])
        if not Code.is_valid(code):
            raise DatasetError(f"{where}: {code!r} is not a code")
        if not (units.isascii() and units.isdigit()) or mai[:1] not in ("1", "2", "3"):
            raise DatasetError(f"{where}: MUE value {units!r} or indicator {mai!r} is invalid")
        if code in table:
            raise DatasetError(f"{where}: duplicate code {code!r}")
        table[code] = (int(units), int(mai[0]), rationale)
    if not table:
        raise DatasetError(f"{path}: no MUE rows")
    return table


def read_ptp_files(
    paths: Iterable[str | Path],
) -> list[tuple[str, str, tuple[datetime.date | None, datetime.date | None, int, str]]]:
    """Read CMS PTP text files into ``(column1, column2, (effective, deletion, mi, why))``."""
    edits = []
    for path in paths:
        found = 0
        for number, line in enumerate(_open(path), start=1):
            fields = [field.strip() for field in line.split("\t")]
            if len(fields) < 6 or not Code.is_valid(fields[0]):
                continue  # notice and header lines
            where = f"{path} line {number}"
            first, second = fields[0], fields[1]
            if not Code.is_valid(second):
                raise DatasetError(f"{where}: column 2 {second!r} is not a code")
            indicator = fields[5]
            if indicator not in ("0", "1", "9"):
                raise DatasetError(f"{where}: modifier indicator {indicator!r} is invalid")
            rationale = fields[6] if len(fields) > 6 else ""
            row = (_date(fields[3], where), _date(fields[4], where), int(indicator), rationale)
            edits.append((first, second, row))
            found += 1
        if not found:
            raise DatasetError(f"{path}: no PTP rows (not a CMS PTP text file?)")
    return edits
