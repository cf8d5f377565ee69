# SPDX-License-Identifier: MIT
"""The cells of an Excel workbook's first sheet, as text: what the CMS workbooks need.

CMS publishes the HCPCS quarterly file and the add-on code edits as ``.xlsx`` workbooks. This
reads one with the standard library alone (a workbook is a zip of XML parts): the first
worksheet, its shared and inline strings, numbers written as Excel writes them (an integral
number without its ``.0``, so ``2013091`` stays a Julian date and ``20190101`` a ``YYYYMMDD``
one) and cells with a built-in date format as ISO dates.

It is bounded, because a workbook is a user's file: at most :data:`MAX_PART_BYTES` of XML per
part once unzipped (a zip bomb stops there), no document type declarations (so no entity
expansion), at most :data:`MAX_COLUMNS` columns. Anything else wrong is a
:class:`~cptkit.DatasetError` naming the file.
"""

from __future__ import annotations

import datetime
import io
import posixpath
import re
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import IO
from xml.etree import ElementTree

from .errors import DatasetError

__all__ = ["MAX_COLUMNS", "MAX_PART_BYTES", "is_workbook", "read_rows"]

MAX_PART_BYTES = 512 << 20
"""The most XML one part of a workbook may unzip to (CMS's largest sheet is about 40 MiB)."""
MAX_COLUMNS = 16_384
"""Excel's own limit: column ``XFD``."""

_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_RELATION = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
_CELL = re.compile(r"([A-Z]{1,3})[0-9]+")
_INDEX = re.compile(r"[0-9]{1,9}")
# Excel's built-in number formats that show a date (ECMA-376 part 1, 18.8.30).
_DATE_FORMATS = frozenset({14, 15, 16, 17, 22})
_EXCEL_EPOCH = datetime.date(1899, 12, 30)


def is_workbook(head: bytes) -> bool:
    """Whether a file starting with *head* is a zip archive (as every ``.xlsx`` is)."""
    return head.startswith(b"PK\x03\x04")


def read_rows(path: str | Path) -> list[list[str]]:
    """The rows of the first worksheet of the workbook at *path*, each cell as text.

    Every row has as many cells as the widest (a cell left empty is ``""``, as a CSV save of
    the sheet would write it); rows missing from the sheet are left out.

    Raises:
        DatasetError: the file is not a workbook this can read, or breaks a bound.
    """
    try:
        with zipfile.ZipFile(path) as book:
            sheet = _first_sheet(book, path)
            strings = _shared_strings(book, path)
            dates = _date_styles(book, path)
            with _part(book, sheet, path) as stream:
                rows = list(_rows(stream, strings, dates, path))
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        KeyError,  # a part the workbook names is missing
        OSError,
        zlib.error,  # damaged compressed data
        EOFError,
        NotImplementedError,  # a compression method zipfile lacks
        RuntimeError,  # an encrypted member
        ValueError,  # a member name that is not UTF-8, a bad offset in the zip's directory
    ) as err:
        raise DatasetError(f"{path}: not a readable .xlsx workbook ({err})") from None
    except (ElementTree.ParseError, LookupError) as err:  # LookupError: an unknown encoding
        raise DatasetError(f"{path}: a part of the workbook is not XML ({err})") from None
    width = max(map(len, rows), default=0)
    for row in rows:
        row.extend([""] * (width - len(row)))
    return rows


def _part(book: zipfile.ZipFile, name: str, path: str | Path) -> IO[bytes]:
    """Part *name*, opened after its size and its prolog are checked."""
    info = book.getinfo(name)
    if info.file_size > MAX_PART_BYTES:
        raise DatasetError(f"{path}: {name} unzips to more than {MAX_PART_BYTES >> 20} MiB")
    with book.open(info) as stream:
        data = stream.read(MAX_PART_BYTES + 1)  # the size a zip claims is not trusted
    if len(data) > MAX_PART_BYTES:
        raise DatasetError(f"{path}: {name} unzips to more than {MAX_PART_BYTES >> 20} MiB")
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:  # markup, never text (that is escaped)
        raise DatasetError(f"{path}: {name} has a document type declaration (refused)")
    return io.BytesIO(data)


def _parts(book: zipfile.ZipFile, name: str, path: str | Path) -> Iterator[ElementTree.Element]:
    """The elements of part *name* as they close (the part's size read as it goes)."""
    with _part(book, name, path) as stream:
        for _, element in ElementTree.iterparse(stream):
            yield element


def _first_sheet(book: zipfile.ZipFile, path: str | Path) -> str:
    sheet_id = None
    for element in _parts(book, "xl/workbook.xml", path):
        if element.tag == f"{_MAIN}sheet" and sheet_id is None:
            sheet_id = element.get(_RELATION)
    targets = {
        element.get("Id"): element.get("Target", "")
        for element in _parts(book, "xl/_rels/workbook.xml.rels", path)
        if element.tag.endswith("Relationship")
    }
    target = targets.get(sheet_id)
    if not target:
        raise DatasetError(f"{path}: the workbook names no worksheet")
    if target.startswith("/"):
        return target.lstrip("/")
    return posixpath.normpath(posixpath.join("xl", target))


def _shared_strings(book: zipfile.ZipFile, path: str | Path) -> list[str]:
    if "xl/sharedStrings.xml" not in book.namelist():
        return []
    strings: list[str] = []
    for element in _parts(book, "xl/sharedStrings.xml", path):
        if element.tag == f"{_MAIN}si":
            strings.append(_text(element))
            element.clear()
    return strings


def _date_styles(book: zipfile.ZipFile, path: str | Path) -> frozenset[int]:
    """The cell style numbers whose number format is a built-in date format."""
    if "xl/styles.xml" not in book.namelist():
        return frozenset()
    styles: list[bool] = []
    done = False
    for element in _parts(book, "xl/styles.xml", path):
        if element.tag == f"{_MAIN}xf" and not done:
            styles.append(_index(element.get("numFmtId"), path) in _DATE_FORMATS)
        elif element.tag == f"{_MAIN}cellStyleXfs":
            styles.clear()  # those were the style masters; the cell styles come next
        elif element.tag == f"{_MAIN}cellXfs":
            done = True  # the cell styles are all read
    return frozenset(number for number, date in enumerate(styles) if date)


def _text(element: ElementTree.Element) -> str:
    """The text of a string item: its ``t`` runs (rich text too), not its phonetic hints."""
    return "".join(node.text or "" for node in element.iter(f"{_MAIN}t") if node.tag == f"{_MAIN}t")


def _rows(
    stream: IO[bytes], strings: list[str], dates: frozenset[int], path: str | Path
) -> Iterator[list[str]]:
    for _, element in ElementTree.iterparse(stream):
        if element.tag != f"{_MAIN}row":
            continue
        row: list[str] = []
        for cell in element.iter(f"{_MAIN}c"):
            match = _CELL.fullmatch(cell.get("r", ""))
            column = _column(match.group(1)) if match else len(row)
            if column >= MAX_COLUMNS:
                raise DatasetError(f"{path}: a cell is past column XFD")
            row.extend([""] * (column - len(row)))
            row.append(_value(cell, strings, dates, path))
        element.clear()
        yield row


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


def _value(
    cell: ElementTree.Element, strings: list[str], dates: frozenset[int], path: str | Path
) -> str:
    kind = cell.get("t", "n")
    if kind == "inlineStr":
        inline = cell.find(f"{_MAIN}is")
        return "" if inline is None else _text(inline)
    node = cell.find(f"{_MAIN}v")
    raw = "" if node is None or node.text is None else node.text
    if kind == "s":
        at = _index(raw, path)
        if at >= len(strings):
            raise DatasetError(f"{path}: cell {cell.get('r')} names no shared string")
        return strings[at]
    if kind != "n" or not raw:
        return raw  # text of a formula ("str"), a boolean ("b"), an error ("e")
    try:
        number = float(raw)
    except ValueError:
        raise DatasetError(f"{path}: cell {cell.get('r')} is not a number ({raw!r})") from None
    if _index(cell.get("s"), path) in dates and 0 < number < 2_958_466:
        return (_EXCEL_EPOCH + datetime.timedelta(days=int(number))).isoformat()
    if number.is_integer() and abs(number) < 1e15:
        return str(int(number))
    return raw
