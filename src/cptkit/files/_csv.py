# SPDX-License-Identifier: MIT
"""CSV files: the header gives the layout, then each record becomes one :class:`Row`.

Records are read by :mod:`csv`, over the file's lines as this module hands them out, so that a
quote opened and never closed cannot swallow the rest of the file: a record that runs over
line breaks is taken only when it has the header's number of cells and the cells cptkit reads
hold no line break; otherwise its first line is rejected and the lines after it are read again.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from typing import IO

from ._cells import CellReader
from ._layout import HeaderError, Layout, layout
from ._rows import SURROGATE, Options, Row, Unreadable, not_decoded

__all__ = ["MAX_ROW_LINES", "csv_rows", "header_layout", "records", "text"]

_KEY_SEARCH = 4096  # characters of an unreadable line in which its key cell is looked for
_Where = tuple[int, int, bool]  # the key's position, the date's, whether the key is a claim id

_new_row = tuple.__new__
# The usual row is made as a plain tuple of Row's eight fields (a named tuple's own __new__
# is Python code): a field added to Row must be added there too.
assert len(Row._fields) == 8, "Row's fields changed: update the usual row in _rows()"

MAX_ROW_LINES = 100
"""Lines one CSV record may span (a quoted cell with line breaks, such as a note)."""


def text(stream: IO[bytes], encoding: str) -> io.TextIOWrapper:
    """*stream* as text; undecodable bytes are kept (as surrogates) for the cells to report."""
    if codecs.lookup(encoding).name == "utf-8":
        encoding = "utf-8-sig"  # a byte-order mark is not part of the first column's name
    return io.TextIOWrapper(stream, encoding=encoding, errors="surrogateescape", newline="")


class _Lines:
    """The file's lines, keeping those taken for the current record so they can be given back."""

    __slots__ = ("back", "closed", "source", "taken")

    def __init__(self, source: Iterator[str]) -> None:
        self.source = source
        self.taken: list[str] = []
        self.back: list[str] = []  # lines given back, read again (last first)
        self.closed = False  # the current record was cut at MAX_ROW_LINES

    def __iter__(self) -> Iterator[str]:
        # A generator rather than __next__: it runs once per line of the file.
        taken, back, source = self.taken, self.back, self.source
        while True:
            if back:
                line = back.pop()
            else:
                following = next(source, None)
                if following is None:
                    return
                line = following
            if len(taken) >= MAX_ROW_LINES:
                self.closed = True
                back.append(line)
                yield '"\n'  # ends the quoted cell: csv asks for more lines only inside one
                continue
            taken.append(line)
            yield line

    def give_back(self, lines: list[str]) -> None:
        self.back.extend(reversed(lines))


def csv_rows(stream: IO[bytes], name: str, options: Options) -> Iterator[Row]:
    """The rows of a CSV file, the header's row being row 1.

    Raises:
        Unreadable: empty, or a header cptkit cannot use (the message says why).
    """
    decoded = text(stream, options.encoding)
    try:
        lines = _Lines(iter(decoded))
        shape, width, delimiter = header_layout(lines, name, options)
        reader = csv.reader(lines, delimiter=delimiter)
        yield from records(reader, shape, width, options, lines=lines)
    finally:
        decoded.detach()  # the caller closes the stream it opened (never standard input)


def header_layout(lines: Iterable[str], name: str, options: Options) -> tuple[Layout, int, str]:
    """The layout of a CSV file read from *lines* (its header row is taken from them), the
    number of cells of the header and the delimiter; notices go to *options*.

    Raises:
        Unreadable: empty, or a header cptkit cannot use (the message says why).
    """
    taken = lines if isinstance(lines, _Lines) else _Lines(iter(lines))
    header, delimiter = _header(taken, name, options)
    if any(SURROGATE.search(cell) for cell in header):
        label = not_decoded("", options.encoding).split(" text")[0].removeprefix(": ")
        raise Unreadable(
            f"{name}: the header row {label} text; save the file as UTF-8, or give its"
            " encoding (--encoding cp1252)"
        )
    try:
        shape = layout(header, options.columns)
    except HeaderError as err:
        raise Unreadable(f"{name}: {err}") from None
    if shape.ignored:
        listed = ", ".join(shape.ignored[:20])
        more = f" and {len(shape.ignored) - 20} more" if len(shape.ignored) > 20 else ""
        options.notice(f"{name}: ignored column(s): {listed}{more}")
    return shape, len(header), delimiter


def _header(lines: _Lines, name: str, options: Options) -> tuple[list[str], str]:
    try:
        header = next(csv.reader(lines))
    except StopIteration:
        raise Unreadable(f"{name}: is empty; expected a header row") from None
    except csv.Error as err:
        raise Unreadable(f"{name}: the header row is not readable as CSV ({err})") from None
    if len(lines.taken) > 1:
        raise Unreadable(f"{name}: the header row runs over a line break (a quote not closed?)")
    first = lines.taken[0]
    if first.endswith("\r") and not first.endswith("\r\n"):
        options.notice(f"{name}: has old Mac line endings (CR only); read as line breaks")
    lines.taken.clear()
    if len(header) == 1:
        for delimiter, called in ((";", "semicolon"), ("\t", "tab")):
            cells = next(csv.reader([header[0]], delimiter=delimiter))
            if len(cells) > 1:
                options.notice(f"{name}: is {called}-separated; read as such")
                return cells, delimiter
    return header, ","


def records(
    reader: Iterator[Sequence[str]],
    shape: Layout,
    width: int,
    options: Options,
    *,
    lines: _Lines | None = None,
    first: int = 2,
) -> Iterator[Row]:
    """The rows of records of cells (a CSV reader's over *lines*, or a frame's), numbered
    from *first*."""
    if lines is None:
        lines = _Lines(iter(()))  # records that are not text lines never run over line breaks
    cells_of = CellReader(
        shape.positions, width, encoding=options.encoding, date_format=options.date_format
    )
    read = cells_of.row
    key_at = shape.positions[shape.key_field][0]
    by_claim_id = shape.key_field == "claim_id"
    date_at = shape.positions["date_of_service"][0]
    where = (key_at, date_at, by_claim_id)
    used = sorted({at for cells_at in shape.positions.values() for at in cells_at})
    # The last good key cell, its stripped text and the claim key made of it.
    last_raw: str | None = None
    last_value = ""
    last_claim_key: tuple[str, ...] = ()
    taken = lines.taken
    number = first - 1
    while True:
        taken.clear()
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as err:
            number += 1
            yield _unclosed(lines, number, f"not readable as CSV ({err})", where)
            continue
        number += 1
        if len(taken) > 1 and (
            lines.closed
            or len(cells) != width
            or any("\n" in cells[at] or "\r" in cells[at] for at in used)
        ):
            reason = "opens a quote that is not closed on its line"
            yield _unclosed(lines, number, reason, where)
            continue
        if len(cells) != width:
            if not "".join(cells).strip():
                number -= 1  # a blank line carries nothing; it is not counted as a row
                continue
            error = f"has {len(cells)} cells; the header has {width}"
            yield Row(number, *_key(cells, where), error=error)
            continue
        raw_key = cells[key_at]
        if raw_key == last_raw:
            key_value = last_value  # the row before had this key cell, and it was good
        else:
            key_value = raw_key.strip()
            if not key_value or SURROGATE.search(key_value):
                if not "".join(cells).strip():
                    number -= 1
                    continue
                if key_value:
                    error = not_decoded(shape.key_field, options.encoding)
                else:
                    error = f"{shape.key_field}: is empty"
                yield Row(number, *_key(cells, where), field=shape.key_field, error=error)
                continue
            last_raw, last_value, last_claim_key = raw_key, key_value, (key_value,)
        result = read(cells)
        if by_claim_id:
            key: tuple[str, ...] = last_claim_key  # one tuple for the rows of a claim
            claim_id: str | None = key_value
        else:
            key, claim_id = (key_value, cells[date_at].strip()), None
        if isinstance(result, tuple):
            # Row's fields in order, made as a tuple (a named tuple's __new__ is Python code).
            yield _new_row(Row, (number, key, claim_id, result[0], result[1], None, None, None))
        else:
            yield Row(
                number,
                key,
                claim_id,
                field=result[0][0],
                error="; ".join(problem for _, problem in result),
            )


def _key(cells: Sequence[str], where: _Where) -> tuple[tuple[str, ...] | None, str | None]:
    """``(key, claim_id)`` of a row, ``(None, None)`` when it has no key cell to read."""
    key_at, date_at, by_claim_id = where
    value = cells[key_at].strip() if key_at < len(cells) else ""
    if not value:
        return None, None
    if by_claim_id:
        return (value,), None if SURROGATE.search(value) else value
    return (value, cells[date_at].strip() if date_at < len(cells) else ""), None


def _unclosed(lines: _Lines, number: int, error: str, where: _Where) -> Row:
    """Reject the first line of a record that ran over line breaks; read the others again."""
    lines.closed = False
    first, *rest = lines.taken or [""]
    lines.give_back(rest)
    lines.taken.clear()
    cells: list[str] = []
    # The whole line, else (a cell too large, say) its start, whose last cell may be cut.
    for text, keep in ((first.rstrip("\r\n"), None), (first[:_KEY_SEARCH], -1)):
        try:
            cells = next(csv.reader([text]), [])[:keep]
        except csv.Error:
            continue
        break
    return Row(number, *_key(cells, where), error=error)
