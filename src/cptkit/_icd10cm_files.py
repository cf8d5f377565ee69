# SPDX-License-Identifier: MIT
"""Readers for the ICD-10-CM code files CMS and CDC/NCHS publish each fiscal year.

Two layouts exist, both plain text with one code per line and the code without its dot:

* **codes** (``icd10cm-codes-2026.txt``): the billable codes only, each followed by spaces and
  its long title (``A000    Cholera due to Vibrio cholerae 01, biovar cholerae``). Headers are
  not in it, so a list read from it holds no header: a header code is then simply unlisted.
* **order** (``icd10cm-order-2026.txt``, "code descriptions in tabular order"): fixed columns,
  every code including headers: a 5-digit order number, the code in 7 columns, ``1``
  (billable) or ``0`` (header), the short title in 60 columns, then the long title::

      00001 A00     0 Cholera                                                      Cholera

The year in the file name is the fiscal year (``icd10cm-order-2026.txt``: FY2026, from
2025-10-01); an ``April`` file (``icd10cm-order-April-2026.txt``) updates that fiscal year from
April 1. CMS publishes these files in ASCII or Windows-1252: UTF-8 is tried first, then
Windows-1252; bytes that are neither are refused with their offset.

Rows are checked strictly; a bad row raises :class:`~cptkit.DatasetError` naming the file and
line. Nothing here changes a table: see :meth:`cptkit._icd10cm.DiagnosisTable` for what a
fiscal year's rows mean.

>>> title = "Cholera due to Vibrio cholerae 01, biovar cholerae"
>>> lines = ["00001 A00     0 " + "Cholera".ljust(60) + " Cholera",
...          "00002 A000    1 " + title.ljust(60) + " " + title]
>>> [(row.code, row.billable) for row in parse_icd10cm_lines(lines, "icd10cm-order-2026.txt")]
[('A00', False), ('A000', True)]
>>> parse_icd10cm_lines(["A000    " + title], "icd10cm-codes-2026.txt")[0].title
'Cholera due to Vibrio cholerae 01, biovar cholerae'
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable
from pathlib import Path
from typing import NamedTuple

from .diagnoses import Diagnosis
from .errors import DatasetError

__all__ = [
    "DiagnosisRow",
    "file_fiscal_year",
    "is_icd10cm_file",
    "parse_icd10cm_lines",
    "read_icd10cm_file",
]

_ORDER = re.compile(r"([0-9]{5}) ([A-Z0-9 ]{7}) ([01]) (.{60}) (\S.*)")
_CODES = re.compile(r"([A-Z0-9]{3,7})[ \t]+(\S.*)")
_FILE_NAME = re.compile(
    r"icd10cm[-_ ]?(?:codes|order)[-_ ](april[-_ ])?(20[0-9]{2})", re.IGNORECASE
)


class DiagnosisRow(NamedTuple):
    """One code of an ICD-10-CM file: the code without its dot, whether it is billable, and
    its long title."""

    code: str
    billable: bool
    title: str


def parse_icd10cm_lines(lines: Iterable[str], filename: str) -> list[DiagnosisRow]:
    """The rows of an ICD-10-CM codes or order file given as lines (the layout is told by the
    first non-blank line: an order file's starts with a 5-digit order number).

    Raises:
        DatasetError: a line that is not a row of the file's layout, a code of the wrong shape,
            a duplicate code, or no rows at all; with the file and line.
    """
    rows: list[DiagnosisRow] = []
    seen: set[str] = set()
    order: bool | None = None
    for number, line in enumerate(lines, start=1):
        text = line.rstrip("\r\n")
        if not text.strip():
            continue
        if order is None:
            order = re.match(r"[0-9]{5} ", text) is not None
        row = _order_row(text) if order else _codes_row(text)
        where = f"{filename} line {number}"
        if row is None:
            layout = "order (number, code, 0/1, short and long title)" if order else "codes"
            raise DatasetError(f"{where}: not a row of the ICD-10-CM {layout} layout")
        if Diagnosis._SHAPE.fullmatch(row.code) is None:
            raise DatasetError(f"{where}: {row.code!r} is not an ICD-10-CM code without a dot")
        if row.code in seen:
            raise DatasetError(f"{where}: duplicate code {row.code!r}")
        seen.add(row.code)
        rows.append(row)
    if not rows:
        raise DatasetError(f"{filename}: no ICD-10-CM rows")
    return rows


def _order_row(text: str) -> DiagnosisRow | None:
    match = _ORDER.fullmatch(text)
    if match is None:
        return None
    return DiagnosisRow(match.group(2).rstrip(), match.group(3) == "1", match.group(5).rstrip())


def _codes_row(text: str) -> DiagnosisRow | None:
    match = _CODES.fullmatch(text)
    if match is None:
        return None
    return DiagnosisRow(match.group(1), True, match.group(2).rstrip())


def read_icd10cm_file(path: str | Path) -> list[DiagnosisRow]:
    """Read a CMS/CDC ICD-10-CM codes or order file (see the module docs).

    Raises:
        DatasetError: the file cannot be read, is neither UTF-8 nor Windows-1252 (the message
            gives the byte offset), or has a bad row (the message gives the line).
    """
    try:
        data = Path(path).read_bytes()
    except OSError as err:
        raise DatasetError(f"{path}: cannot be read ({err})") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError as err:
            raise DatasetError(
                f"{path}: byte offset {err.start}: neither UTF-8 nor Windows-1252 text"
            ) from None
    return parse_icd10cm_lines(text.splitlines(), str(path))


def is_icd10cm_file(path: str | Path) -> bool:
    """Whether *path* is named as a CMS/CDC ICD-10-CM codes or order file
    (``icd10cm-order-2027.txt``): such files are told by their name, which gives the fiscal
    year they are for.

    >>> is_icd10cm_file("data/icd10cm-codes-2027.txt"), is_icd10cm_file("MUE_2026.csv")
    (True, False)
    """
    return _FILE_NAME.search(Path(path).name) is not None


def file_fiscal_year(path: str | Path) -> tuple[int, datetime.date]:
    """The fiscal year a CMS/CDC file name gives, and the first day the file applies to
    (October 1 before that year, or April 1 of it for an ``April`` update).

    >>> file_fiscal_year("icd10cm-order-2027.txt")
    (2027, datetime.date(2026, 10, 1))
    >>> file_fiscal_year("icd10cm_codes_April_2026.txt")
    (2026, datetime.date(2026, 4, 1))

    Raises:
        DatasetError: the name does not say (then the caller must be told the year).
    """
    match = _FILE_NAME.search(Path(path).name)
    if match is None:
        raise DatasetError(
            f"{path}: the file name does not give the fiscal year (expected a CMS name such as"
            " icd10cm-order-2027.txt)"
        )
    year = int(match.group(2))
    if match.group(1):
        return year, datetime.date(year, 4, 1)
    return year, datetime.date(year - 1, 10, 1)
