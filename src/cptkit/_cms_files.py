# SPDX-License-Identifier: MIT
"""Readers for the files CMS publishes each quarter, for catalogs with newer data.

* MUE: the "Practitioner Services" CSV. Notice lines come first, then a header whose first
  cell starts with ``HCPCS``, then rows: code, MUE value, adjudication indicator (``"3 Date of
  Service Edit: Clinical"``), rationale.
* PTP: the practitioner ``.txt`` files (tab-delimited). Header lines come first, then rows:
  column 1, column 2, ``*`` if in existence before 1996, effective date ``YYYYMMDD``, deletion
  date (``*`` for none), modifier indicator, rationale.
* AOC: the add-on code edit workbook (``AOC_V2026Q2-MCR.xlsx``) or the same saved as CSV: a header naming the add-on code, the primary
  code, the edit type and the dates (CMS writes Julian ``YYYYDDD`` dates; ``YYYYMMDD`` and ISO
  dates are read too).
* HCPCS: the quarterly (or annual) HCPCS file, as CMS publishes it: the fixed-width text file
  (``HCPC2026_JAN_ANWEB.txt``, 320-character records, :data:`HCPCS_RECORD`), the workbook
  (``.xlsx``) or either saved as CSV (``HCPC``, ``RECID``, ``SHORT DESCRIPTION``, ``ADD DT``,
  ``TERM DT`` …): new Level II codes and termination dates, from the first record of each code
  (record 3; modifiers, records 7 and 8, and continuation lines, record 4, are skipped).

The AOC and HCPCS files (and an MUE table) are read from CMS's ``.xlsx`` workbooks as well as
from CSV (:mod:`cptkit._xlsx`: the first sheet, with the standard library alone).

CMS text files are often Windows-1252: a file that is not UTF-8 is read as Windows-1252, and
one that is neither is refused with its name and the byte offset. Rows are checked strictly;
a bad row raises :class:`~cptkit.DatasetError` with file and line. A file must be a regular file
of at most :data:`MAX_FILE_BYTES` (so a FIFO or a device cannot hang or exhaust a reader).
"""

from __future__ import annotations

import csv
import datetime
import hashlib
import os
import re
import stat
from collections.abc import Callable, Collection, Iterable, Mapping
from pathlib import Path

import attrs

from . import _xlsx
from .codes import Code
from .errors import DatasetError
from .records import CodeInfo, Timing

__all__ = [
    "HCPCS_RECORD",
    "MAX_FILE_BYTES",
    "check_unchanged",
    "file_sha256",
    "kind_of",
    "read_aoc_file",
    "read_descriptors",
    "read_hcpcs_file",
    "read_mue_file",
    "read_ptp_files",
    "recognise",
]

_is_code: Callable[[str], object] = Code._SHAPE.fullmatch

MAX_FILE_BYTES = 256 << 20
"""The largest CMS file read: 256 MiB (the practitioner PTP files are about 40 MiB each)."""

_YYYYMMDD = re.compile(r"[0-9]{8}")
_JULIAN = re.compile(r"[0-9]{4}([0-9]{3})")
_ISO = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_COUNT = re.compile(r"[0-9]{1,9}")  # bounded: an MUE value has at most 9 digits

HCPCS_RECORD: dict[str, tuple[int, int]] = {
    "HCPC": (1, 5),
    "SEQNUM": (6, 10),
    "RECID": (11, 11),
    "LONG DESCRIPTION": (12, 91),
    "SHORT DESCRIPTION": (92, 119),
    "ADD DT": (269, 276),
    "ACT EFF DT": (277, 284),
    "TERM DT": (285, 292),
    "ACTION CD": (293, 293),
}
"""The fields of CMS's fixed-width HCPCS text file that cptkit reads, as first and last
character (1-based, as CMS's record layout counts them) of the 320-character record. Checked
against the published ``HCPC2020_ANWEB`` text file: G9158's record reads ``20130101``,
``20200101``, ``20191231``, ``D`` in the four last fields."""
_HCPCS_LINE = re.compile(r"[A-Z0-9 ]{5}[0-9]{5}[3478]")
_HCPCS_FIRST = 293  # a first record (3 or 7) reaches at least the action code


def read_text(path: str | Path) -> str:
    """The file's text: UTF-8 (with or without a BOM), else Windows-1252.

    Raises:
        DatasetError: the file cannot be read, or is neither encoding (with the byte offset).
    """
    try:
        _regular(path)
        with Path(path).open("rb") as stream:
            data = stream.read(MAX_FILE_BYTES + 1)
    except OSError as err:
        raise DatasetError(f"{path}: cannot be read ({err.strerror or err})") from None
    if len(data) > MAX_FILE_BYTES:
        raise DatasetError(f"{path}: is larger than {MAX_FILE_BYTES >> 20} MiB")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError as err:
        raise DatasetError(
            f"{path}: byte {err.start} ({data[err.start]:#04x}) is neither UTF-8 nor"
            " Windows-1252 text"
        ) from None


def file_sha256(path: str | Path) -> str:
    """The SHA-256 of a regular file's bytes (hex), read in chunks.

    Raises:
        DatasetError: the file cannot be read or is not a regular file.
    """
    digest = hashlib.sha256()
    try:
        _regular(path)
        with Path(path).open("rb") as stream:
            while chunk := stream.read(1 << 20):
                digest.update(chunk)
    except OSError as err:
        raise DatasetError(f"{path}: cannot be read ({err.strerror or err})") from None
    return digest.hexdigest()


def check_unchanged(path: str | Path, sha256: str) -> None:
    """Refuse a file whose bytes are no longer those a catalog was made from.

    Raises:
        DatasetError: the file changed (or cannot be read).
    """
    if file_sha256(path) != sha256:
        raise DatasetError(
            f"{path}: changed since the catalog was made from it (its SHA-256 differs);"
            " make the catalog again from the new file"
        )


def _regular(path: str | Path) -> None:
    """Refuse a FIFO, a device or a folder before it is opened (opening a FIFO waits)."""
    if not stat.S_ISREG(os.stat(path).st_mode):
        raise DatasetError(f"{path}: is not a regular file")


def _date(text: str, where: str) -> datetime.date | None:
    """``YYYYMMDD``, ``YYYY-MM-DD`` or Julian ``YYYYDDD``; blank or ``*`` is ``None``.

    Exactly those shapes: ``202411`` is refused, not read as 2024-01-01.
    """
    text = text.strip()
    if text in ("", "*"):
        return None
    try:
        if _YYYYMMDD.fullmatch(text):
            return datetime.date(int(text[:4]), int(text[4:6]), int(text[6:]))
        julian = _JULIAN.fullmatch(text)
        if julian:
            first = datetime.date(int(text[:4]), 1, 1)
            day = first + datetime.timedelta(days=int(julian[1]) - 1)
            if int(julian[1]) >= 1 and day.year == first.year:
                return day
        elif _ISO.fullmatch(text):
            return datetime.date.fromisoformat(text)
    except (ValueError, OverflowError):
        pass
    raise DatasetError(f"{where}: {text!r} is not a date (expected YYYYMMDD)")


def _csv(lines: Iterable[str], path: str | Path) -> list[list[str]]:
    """The CSV rows of *lines*; a row :mod:`csv` cannot read is a :class:`DatasetError`."""
    reader = csv.reader(lines)
    try:
        return list(reader)
    except csv.Error as err:
        raise DatasetError(f"{path} line {reader.line_num}: not readable as CSV ({err})") from None


def _rows(path: str | Path) -> list[list[str]]:
    """The rows of a CMS file: a workbook's first sheet, the fixed-width HCPCS text file with
    a header of :data:`HCPCS_RECORD`'s names, or a CSV file."""
    if _xlsx.is_zip(_head(path)):
        if not _xlsx.is_workbook(path):
            raise DatasetError(f"{path}: a zip archive, not a workbook (unzip it first)")
        return _xlsx.read_rows(path)
    lines = read_text(path).splitlines()
    if _is_fixed_hcpcs(lines[:60]):
        return _fixed_hcpcs(lines, path)
    return _csv(lines, path)


def _head(path: str | Path) -> bytes:
    try:
        _regular(path)
        with Path(path).open("rb") as stream:
            return stream.read(65536)  # enough to tell; the whole file is read when applied
    except OSError as err:
        raise DatasetError(f"{path}: cannot be read ({err.strerror or err})") from None


def _is_fixed_hcpcs(lines: list[str]) -> bool:
    return any(_HCPCS_LINE.match(line) and len(line) >= _HCPCS_FIRST for line in lines)


def _fixed_hcpcs(lines: list[str], path: str | Path) -> list[list[str]]:
    """The records of CMS's fixed-width HCPCS file, as rows under a header of field names;
    the notice lines before the first record are skipped."""
    rows = [list(HCPCS_RECORD)]
    for number, line in enumerate(lines, start=1):
        if not _HCPCS_LINE.match(line):
            if line.strip() and len(rows) > 1:
                raise DatasetError(f"{path} line {number}: not an HCPCS record")
            continue
        if line[10] in "37" and len(line) < _HCPCS_FIRST:
            raise DatasetError(
                f"{path} line {number}: a record of {len(line)} characters (the layout's"
                f" fields reach character {_HCPCS_FIRST}; was the file cut or re-wrapped?)"
            )
        rows.append([line[first - 1 : last].strip() for first, last in HCPCS_RECORD.values()])
    return rows


def _header_rows(
    path: str | Path, test: Callable[[list[str]], bool]
) -> tuple[list[str], list[list[str]]]:
    """The first row passing *test* (the header) and the rows after it."""
    rows = _rows(path)
    for index, row in enumerate(rows):
        if row and test([cell.strip().upper() for cell in row]):
            return [cell.strip().upper() for cell in row], rows[index + 1 :]
    raise DatasetError(f"{path}: no header row found (not a CMS file of this kind?)")


def read_mue_file(path: str | Path) -> dict[str, tuple[int, int, str]]:
    """Read a CMS MUE CSV (or workbook) into ``{code: (units, mai, rationale)}``."""
    rows = _rows(path)
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
        if not _COUNT.fullmatch(units) or mai[:1] not in ("1", "2", "3"):
            raise DatasetError(f"{where}: MUE value {units!r} or indicator {mai!r} is invalid")
        if code in table:
            raise DatasetError(f"{where}: duplicate code {code!r}")
        table[code] = (int(units), int(mai[0]), rationale)
    if not table:
        raise DatasetError(f"{path}: no MUE rows")
    return table


PtpRow = tuple[str, str, tuple[datetime.date | None, datetime.date | None, int, str]]


def read_ptp_files(
    paths: Iterable[str | Path], *, keep: Collection[str] | None = None
) -> list[PtpRow]:
    """Read CMS PTP text files into ``(column1, column2, (effective, deletion, mi, why))``.

    With *keep*, only rows with at least one code in it are read (and checked): the national
    table has about 1.4 million rows, and a catalog needs those touching its codes.
    """
    edits: list[PtpRow] = []
    dates: dict[str, datetime.date | None] = {"*": None, "": None}
    why: dict[str, str] = {}
    indicators = {"0": 0, "1": 1, "9": 9}
    for path in paths:
        found = 0
        for number, line in enumerate(read_text(path).splitlines(), start=1):
            fields = line.split("\t")
            if len(fields) < 6:
                continue  # notice and header lines
            first, second = fields[0].strip(), fields[1].strip()
            if not _is_code(first):
                continue  # header lines
            found += 1
            if keep is not None and first not in keep and second not in keep:
                continue
            where = f"{path} line {number}"
            if not _is_code(second):
                raise DatasetError(f"{where}: column 2 {second!r} is not a code")
            indicator = indicators.get(fields[5].strip())
            if indicator is None:
                raise DatasetError(f"{where}: modifier indicator {fields[5].strip()!r} is invalid")
            effective, deletion = fields[3].strip(), fields[4].strip()
            for text in (effective, deletion):
                if text not in dates:
                    if text not in ("", "*") and not _YYYYMMDD.fullmatch(text):  # PTP: no Julian
                        raise DatasetError(f"{where}: {text!r} is not a date (expected YYYYMMDD)")
                    dates[text] = _date(text, where)
            rationale = fields[6].strip() if len(fields) > 6 else ""
            rationale = why.setdefault(rationale, rationale)
            edits.append((first, second, (dates[effective], dates[deletion], indicator, rationale)))
        if not found:
            raise DatasetError(f"{path}: no PTP rows (not a CMS PTP text file?)")
    return edits


def _column(header: list[str], path: str | Path, *words: str, without: str = "") -> int:
    for index, name in enumerate(header):
        squeezed = name.replace("-", "").replace("_", " ")
        if all(word in squeezed for word in words) and not (without and without in squeezed):
            return index
    raise DatasetError(f"{path}: no column for {' '.join(words).lower()!r}")


def read_aoc_file(
    path: str | Path,
) -> dict[str, tuple[tuple[str, int, datetime.date, datetime.date | None], ...]]:
    """Read a CMS AOC workbook or CSV into ``{add-on: ((primary, type, effective, last day), ...)}``."""
    header, rows = _header_rows(path, lambda cells: any("PRIMARY" in c for c in cells))
    addon = _column(header, path, "ADDON", without="DELETION")
    primary = _column(header, path, "PRIMARY", without="DELETION")
    kind = _column(header, path, "TYPE")
    effective = _column(header, path, "EFFECTIVE")
    ends = [
        _column(header, path, "EDIT", "DELETION"),
        _column(header, path, "PRIMARY", "DELETION"),
        _column(header, path, "ADDON", "DELETION"),
    ]
    table: dict[str, list[tuple[str, int, datetime.date, datetime.date | None]]] = {}
    for number, row in enumerate(rows, start=1):
        if not any(cell.strip() for cell in row):
            continue
        where = f"{path} data row {number}"
        cells = [cell.strip() for cell in row]
        if len(cells) < len(header) or not _is_code(cells[addon]):
            raise DatasetError(f"{where}: not an AOC row")
        if cells[kind] not in ("1", "2", "3") or not (
            cells[primary] == "CCCCC" or _is_code(cells[primary])
        ):
            raise DatasetError(f"{where}: edit type or primary code is invalid")
        start = _date(cells[effective], where)
        if start is None:
            raise DatasetError(f"{where}: no effective date")
        last = [day for day in (_date(cells[i], where) for i in ends) if day is not None]
        table.setdefault(cells[addon], []).append(
            (cells[primary], int(cells[kind]), start, min(last, default=None))
        )
    if not table:
        raise DatasetError(f"{path}: no AOC rows")
    return {code: tuple(edits) for code, edits in table.items()}


def read_hcpcs_file(path: str | Path, known: Mapping[Code, CodeInfo]) -> dict[Code, CodeInfo]:
    """Read a CMS HCPCS file (text, workbook or CSV): records for codes *known* lacks (with the CMS short
    description, untimed, no discipline), and *known* records with CMS's termination date."""
    header, rows = _header_rows(path, lambda cells: "HCPC" in cells)
    code_at = header.index("HCPC")
    recid_at = header.index("RECID") if "RECID" in header else None
    text_at = _column(header, path, "SHORT")
    added_at = _column(header, path, "ADD", "DT")
    term_at = _column(header, path, "TERM", "DT")
    out: dict[Code, CodeInfo] = {}
    for number, row in enumerate(rows, start=1):
        cells = [cell.strip() for cell in row]
        if len(cells) <= max(code_at, text_at, added_at, term_at) or not cells[code_at]:
            continue
        if len(cells[code_at]) == 2 or (recid_at is not None and cells[recid_at] != "3"):
            continue  # modifiers (record 7, 8) and description continuations (record 4)
        where = f"{path} data row {number}"
        if not Code.is_valid(cells[code_at]):
            raise DatasetError(f"{where}: {cells[code_at]!r} is not a code")
        code = Code.parse(cells[code_at])
        terminated = _date(cells[term_at], where)
        info = known.get(code)
        if info is not None:
            if terminated is not None and terminated != info.terminated:
                out[code] = attrs.evolve(info, terminated=terminated)
            continue
        out[code] = CodeInfo(
            code=code,
            summary=cells[text_at],
            family="other",
            disciplines=frozenset(),
            timing=Timing.UNTIMED,
            unit_minutes=None,
            time_band=None,
            ladder=None,
            add_on=False,
            primary_codes=(),
            therapy_list=None,
            pfs_status=None,
            telehealth=None,
            effective=_date(cells[added_at], where),
            terminated=terminated,
            replaced_by=(),
            date_basis=f"CMS HCPCS file {Path(path).name}",
            note="from a user's CMS HCPCS file: no cptkit timing or discipline data",
        )
    return out


def read_descriptors(path: str | Path) -> dict[Code, str]:
    """Read a user's licensed descriptor CSV (``code`` and ``descriptor`` columns)."""
    try:
        rows = list(csv.DictReader(read_text(path).splitlines()))
    except csv.Error as err:
        raise DatasetError(f"{path}: cannot be read ({err})") from None
    if not rows or not {"code", "descriptor"} <= set(rows[0]):
        raise DatasetError(f"{path}: expected a header with 'code' and 'descriptor' columns")
    descriptors: dict[Code, str] = {}
    for number, row in enumerate(rows, start=2):
        text = (row.get("code") or "").strip()
        if not Code.is_valid(text):
            raise DatasetError(f"{path} line {number}: code {text!r} is not a code")
        descriptors[Code.parse(text)] = (row.get("descriptor") or "").strip()
    return descriptors


# -- recognising a file ------------------------------------------------------------------------

_MUE_NAME = re.compile(r"Eff_(\d{2})-(\d{2})-(\d{4})", re.IGNORECASE)
_PTP_NAME = re.compile(r"v(\d{2})(\d)r\d", re.IGNORECASE)
_AOC_NAME = re.compile(r"V(\d{4})Q([1-4])", re.IGNORECASE)
_HCPCS_NAME = re.compile(r"HCPC(\d{4}|\d{2})(?:_?(JAN|APR|JUL|OCT))?", re.IGNORECASE)
_MONTHS = {"JAN": 1, "APR": 4, "JUL": 7, "OCT": 10}


def recognise(path: str | Path) -> tuple[str, str, datetime.date | None]:
    """What a CMS file is (``"mue"``, ``"ptp"``, ``"aoc"`` or ``"hcpcs"``), its edition label
    and, when its name says, the date it takes effect.

    Raises:
        DatasetError: the file cannot be read or is none of these.
    """
    name = Path(path).name
    kind = kind_of(path)
    if kind is None:
        raise DatasetError(f"{path}: not a CMS MUE, PTP, AOC or HCPCS file")
    effective: datetime.date | None = None
    if kind == "mue" and (match := _MUE_NAME.search(name)):
        month, day, year = (int(part) for part in match.groups())
        effective = datetime.date(year, month, day)
    elif kind == "ptp" and (match := _PTP_NAME.search(name)):
        effective = datetime.date(1994 + int(match.group(1)), int(match.group(2)) * 3 + 1, 1)
    elif kind == "aoc" and (match := _AOC_NAME.search(name)):
        effective = datetime.date(int(match.group(1)), int(match.group(2)) * 3 - 2, 1)
    elif kind == "hcpcs" and (match := _HCPCS_NAME.search(name)):
        # The annual file (no month in its name, as HCPC17_CONTR_ANWEB) takes effect in January.
        year = int(match.group(1)) + (2000 if len(match.group(1)) == 2 else 0)
        effective = datetime.date(year, _MONTHS[(match.group(2) or "JAN").upper()], 1)
    edition = effective.isoformat() if effective is not None else name
    return kind, edition, effective


def kind_of(path: str | Path) -> str | None:
    """What a CMS file is (``"mue"``, ``"ptp"``, ``"aoc"`` or ``"hcpcs"``), or ``None`` when
    it is none of these (a read-me, a transaction report).

    Raises:
        DatasetError: the file cannot be read.
    """
    head = _head(path)
    if _xlsx.is_zip(head):
        if not _xlsx.is_workbook(path):
            return None  # a CMS download's .zip, a .docx
        return _kind_of_rows(_xlsx.read_rows(path, limit=60))
    return _kind(head.decode("utf-8", errors="replace").splitlines()[:60], path)


def _kind(lines: list[str], path: str | Path) -> str | None:
    for line in lines:
        fields = line.split("\t")
        if len(fields) >= 6 and _is_code(fields[0].strip()) and _is_code(fields[1].strip()):
            return "ptp"
    if _is_fixed_hcpcs(lines):
        return "hcpcs"
    return _kind_of_rows(_csv(lines, path))


def _kind_of_rows(rows: list[list[str]]) -> str | None:
    for row in rows:
        cells = [cell.strip().upper() for cell in row]
        if cells and cells[0].startswith("HCPCS") and any("MUE" in cell for cell in cells):
            return "mue"
        if any("PRIMARY" in cell for cell in cells) and any("ADD" in cell for cell in cells):
            return "aoc"
        if "HCPC" in cells and any("TERM" in cell for cell in cells):
            return "hcpcs"
    return None
