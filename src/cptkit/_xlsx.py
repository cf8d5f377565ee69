# SPDX-License-Identifier: MIT
"""The cells of an Excel workbook's first sheet, as text: what the CMS workbooks need.

CMS publishes the HCPCS quarterly file and the add-on code edits as ``.xlsx`` workbooks. This
reads one with the standard library alone (a workbook is a zip of XML parts): the first
worksheet, its shared and inline strings, numbers written as Excel writes them (an integral
number without its ``.0``, so ``2013091`` stays a Julian date and ``20190101`` a ``YYYYMMDD``
one) and cells with a built-in date format as ISO dates.

It is bounded, because a workbook is a user's file. The XML is read by expat as a stream of
events (no element tree is built), a part refused past :data:`MAX_PART_BYTES` once unzipped
(a zip bomb stops there); a document type declaration is refused by the parser itself, in
any encoding, so no entity is ever expanded; the sheet may hold at most :data:`MAX_CELLS`
cells counting the empty ones a row is padded with, and at most :data:`MAX_STRINGS` shared
strings. Anything else wrong is a :class:`~cptkit.DatasetError` naming the file.
"""

from __future__ import annotations

import datetime
import posixpath
import re
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path
from xml.parsers import expat

from .errors import DatasetError

__all__ = [
    "MAX_CELLS",
    "MAX_COLUMNS",
    "MAX_PART_BYTES",
    "MAX_STRINGS",
    "is_workbook",
    "is_zip",
    "read_rows",
]

MAX_PART_BYTES = 128 << 20
"""The most XML one part of a workbook may unzip to (CMS's HCPCS sheet is about 5 MiB)."""
MAX_CELLS = 2_000_000
"""The most cells a sheet may hold, empty ones included (CMS's HCPCS sheet: about 330,000)."""
MAX_STRINGS = 1_000_000
"""The most shared strings a workbook may hold (CMS's HCPCS workbook: about 20,000)."""
MAX_COLUMNS = 16_384
"""Excel's own limit: column ``XFD``."""

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_RELATION = "http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
_PACKAGE = "http://schemas.openxmlformats.org/package/2006/relationships}"
_CELL = re.compile(r"([A-Z]{1,3})[0-9]+")
_INDEX = re.compile(r"[0-9]{1,9}")
# Excel's built-in number formats that show a date (ECMA-376 part 1, 18.8.30).
_DATE_FORMATS = frozenset({14, 15, 16, 17, 22})
_EXCEL_EPOCH = datetime.date(1899, 12, 30)
_ZIP_ERRORS = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    KeyError,  # a part the workbook names is missing
    OSError,
    zlib.error,  # damaged compressed data
    EOFError,
    NotImplementedError,  # a compression method zipfile lacks
    RuntimeError,  # an encrypted member
    ValueError,  # a member name that is not UTF-8, a bad offset in the zip's directory
)


def is_zip(head: bytes) -> bool:
    """Whether a file starting with *head* is a zip archive (as every ``.xlsx`` is)."""
    return head.startswith(b"PK\x03\x04")


def is_workbook(path: str | Path) -> bool:
    """Whether the zip archive at *path* is a workbook (it has ``xl/workbook.xml``): a CMS
    download's ``.zip`` or a ``.docx`` is not.

    Raises:
        DatasetError: the archive cannot be read.
    """
    try:
        with zipfile.ZipFile(path) as book:
            return "xl/workbook.xml" in book.namelist()
    except _ZIP_ERRORS as err:
        raise DatasetError(f"{path}: not a readable zip archive ({err})") from None


def read_rows(path: str | Path, *, limit: int | None = None) -> list[list[str]]:
    """The rows of the first worksheet of the workbook at *path*, each cell as text (the
    first *limit* rows only, when given).

    Every row has as many cells as the widest (a cell left empty is ``""``, as a CSV save of
    the sheet would write it); rows missing from the sheet, or without a cell, are left out.

    Raises:
        DatasetError: the file is not a workbook this can read, or breaks a bound.
    """
    try:
        with zipfile.ZipFile(path) as book:
            sheet = _first_sheet(book, path)
            strings = _shared_strings(book, path)
            dates = _date_styles(book, path)
            cells = _Cells(strings, dates, path, limit)
            _parse(book, sheet, path, cells.start, cells.end, cells.text, stop=_Enough)
    except _ZIP_ERRORS as err:
        raise DatasetError(f"{path}: not a readable .xlsx workbook ({err})") from None
    rows = cells.rows
    width = max(map(len, rows), default=0)
    if len(rows) * width > MAX_CELLS:
        raise DatasetError(f"{path}: the sheet has more than {MAX_CELLS:,} cells")
    for row in rows:
        row.extend([""] * (width - len(row)))
    return rows


# -- parsing ------------------------------------------------------------------------------------

Start = Callable[[str, dict[str, str]], None]
End = Callable[[str], None]
Text = Callable[[str], None]


class _Enough(Exception):
    """Raised by a handler to stop parsing: what was wanted has been read."""


def _parse(
    book: zipfile.ZipFile,
    name: str,
    path: str | Path,
    start: Start,
    end: End | None = None,
    text: Text | None = None,
    *,
    stop: type[Exception] | None = None,
) -> None:
    """Feed part *name* of *book* to the handlers as expat reads it (element names are
    ``namespace}local``)."""
    info = book.getinfo(name)
    if info.file_size > MAX_PART_BYTES:
        raise DatasetError(f"{path}: {name} unzips to more than {MAX_PART_BYTES >> 20} MiB")
    with book.open(info) as stream:
        data = stream.read(MAX_PART_BYTES + 1)  # the size a zip's directory claims is not trusted
    if len(data) > MAX_PART_BYTES:  # pragma: no cover - zipfile stops at the claimed size
        raise DatasetError(f"{path}: {name} unzips to more than {MAX_PART_BYTES >> 20} MiB")

    def refuse(*_: object) -> None:
        raise DatasetError(f"{path}: {name} has a document type declaration (refused)")

    parser = expat.ParserCreate(namespace_separator="}")
    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.StartElementHandler = start
    if end is not None:
        parser.EndElementHandler = end
    if text is not None:
        parser.CharacterDataHandler = text
        parser.buffer_text = True
    try:
        parser.Parse(data, True)
    except (expat.ExpatError, LookupError, ValueError) as err:  # LookupError: an encoding
        raise DatasetError(f"{path}: {name} is not XML ({err})") from None
    except Exception as err:
        if stop is None or not isinstance(err, stop):
            raise


def _first_sheet(book: zipfile.ZipFile, path: str | Path) -> str:
    """The part name of the workbook's first worksheet."""
    found: list[str | None] = []
    targets: dict[str | None, str] = {}

    def sheet(name: str, attributes: dict[str, str]) -> None:
        if name == f"{_MAIN}sheet" and not found:
            found.append(attributes.get(_RELATION))

    def relation(name: str, attributes: dict[str, str]) -> None:
        if name in (f"{_PACKAGE}Relationship", "Relationship"):
            targets[attributes.get("Id")] = attributes.get("Target", "")

    _parse(book, "xl/workbook.xml", path, sheet)
    _parse(book, "xl/_rels/workbook.xml.rels", path, relation)
    target = targets.get(found[0]) if found else None
    if not target:
        raise DatasetError(f"{path}: the workbook names no worksheet")
    if target.startswith("/"):
        return target.lstrip("/")
    return posixpath.normpath(posixpath.join("xl", target))


class _Runs:
    """The text of string items (``si`` in the shared strings, ``is`` in a cell): their
    ``t`` runs, rich-text runs (``r``/``t``) too, never phonetic hints (``rPh``)."""

    __slots__ = ("parts", "phonetic", "reading")

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.reading = False
        self.phonetic = 0

    def start(self, name: str) -> None:
        if name == f"{_MAIN}rPh":
            self.phonetic += 1
        elif name == f"{_MAIN}t" and not self.phonetic:
            self.reading = True

    def end(self, name: str) -> None:
        if name == f"{_MAIN}rPh":
            self.phonetic -= 1
        elif name == f"{_MAIN}t":
            self.reading = False

    def text(self, data: str) -> None:
        if self.reading:
            self.parts.append(data)

    def take(self) -> str:
        text = "".join(self.parts)
        self.parts.clear()
        return text


def _shared_strings(book: zipfile.ZipFile, path: str | Path) -> list[str]:
    if "xl/sharedStrings.xml" not in book.namelist():
        return []
    strings: list[str] = []
    runs = _Runs()

    def start(name: str, attributes: dict[str, str]) -> None:
        runs.start(name)

    def end(name: str) -> None:
        runs.end(name)
        if name == f"{_MAIN}si":
            if len(strings) >= MAX_STRINGS:
                raise DatasetError(f"{path}: more than {MAX_STRINGS:,} shared strings")
            strings.append(runs.take())

    _parse(book, "xl/sharedStrings.xml", path, start, end, runs.text)
    return strings


def _date_styles(book: zipfile.ZipFile, path: str | Path) -> frozenset[int]:
    """The cell style numbers whose number format is a built-in date format."""
    if "xl/styles.xml" not in book.namelist():
        return frozenset()
    dates: set[int] = set()
    count = [0]
    inside = [False]

    def start(name: str, attributes: dict[str, str]) -> None:
        if name == f"{_MAIN}cellXfs":
            inside[0] = True
        elif name == f"{_MAIN}xf" and inside[0]:
            if _index(attributes.get("numFmtId"), path) in _DATE_FORMATS:
                dates.add(count[0])
            count[0] += 1

    def end(name: str) -> None:
        if name == f"{_MAIN}cellXfs":
            inside[0] = False

    _parse(book, "xl/styles.xml", path, start, end)
    return frozenset(dates)


class _Cells:
    """The handlers that read a worksheet's rows."""

    def __init__(
        self, strings: list[str], dates: frozenset[int], path: str | Path, limit: int | None
    ) -> None:
        self.strings, self.dates, self.path, self.limit = strings, dates, path, limit
        self.rows: list[list[str]] = []
        self.row: list[str] | None = None
        self.cell: dict[str, str] | None = None
        self.value: list[str] = []
        self.in_value = False
        self.runs = _Runs()
        self.cells = 0
        self.width = 0

    def start(self, name: str, attributes: dict[str, str]) -> None:
        if name == f"{_MAIN}row":
            self.row = []
        elif name == f"{_MAIN}c" and self.row is not None:
            self.cell = attributes
            self.value.clear()
        elif name == f"{_MAIN}v" and self.cell is not None:
            self.in_value = True
        elif self.cell is not None:
            self.runs.start(name)

    def text(self, data: str) -> None:
        if self.in_value:
            self.value.append(data)
        elif self.cell is not None:
            self.runs.text(data)

    def end(self, name: str) -> None:
        if name == f"{_MAIN}v":
            self.in_value = False
        elif name == f"{_MAIN}c" and self.cell is not None and self.row is not None:
            self._add(self.row, self.cell)
            self.cell = None
        elif name == f"{_MAIN}row" and self.row is not None:
            row, self.row = self.row, None
            if not row:
                return  # a row without cells says nothing (as one missing from the sheet)
            self.rows.append(row)
            self.width = max(self.width, len(row))
            if len(self.rows) * self.width > MAX_CELLS:  # padded at the end: count it now
                raise DatasetError(f"{self.path}: the sheet has more than {MAX_CELLS:,} cells")
            if self.limit is not None and len(self.rows) >= self.limit:
                raise _Enough
        elif self.cell is not None:
            self.runs.end(name)

    def _add(self, row: list[str], cell: dict[str, str]) -> None:
        match = _CELL.fullmatch(cell.get("r", ""))
        column = _column(match.group(1)) if match else len(row)
        if column >= MAX_COLUMNS:
            raise DatasetError(f"{self.path}: a cell is past column XFD")
        if column < len(row):
            raise DatasetError(f"{self.path}: cell {cell.get('r', '')[:12]} is out of order")
        self.cells += column + 1 - len(row)
        if self.cells > MAX_CELLS:
            raise DatasetError(f"{self.path}: the sheet has more than {MAX_CELLS:,} cells")
        row.extend([""] * (column - len(row)))
        row.append(self._text_of(cell))

    def _text_of(self, cell: dict[str, str]) -> str:
        path = self.path
        kind = cell.get("t", "n")
        inline = self.runs.take()
        if kind == "inlineStr":
            return inline
        raw = "".join(self.value)
        if kind == "s":
            at = _index(raw, path)
            if at >= len(self.strings):
                raise DatasetError(f"{path}: cell {cell.get('r', '')[:12]} names no shared string")
            return self.strings[at]
        if kind != "n" or not raw:
            return raw  # text of a formula ("str"), a boolean ("b"), an error ("e")
        try:
            number = float(raw)
        except ValueError:
            raise DatasetError(
                f"{path}: cell {cell.get('r', '')[:12]} is not a number ({raw[:20]!r})"
            ) from None
        if _index(cell.get("s"), path) in self.dates and 0 < number < 2_958_466:
            return (_EXCEL_EPOCH + datetime.timedelta(days=int(number))).isoformat()
        if number.is_integer() and abs(number) < 1e15:
            return str(int(number))
        return raw


def _index(text: str | None, path: str | Path) -> int:
    """A style or shared-string number (absent: 0)."""
    if not text:
        return 0
    if not _INDEX.fullmatch(text):
        raise DatasetError(f"{path}: {text[:20]!r} is not a style or string number")
    return int(text)


def _column(letters: str) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - 64
    return number - 1
