# SPDX-License-Identifier: MIT
"""Clean CSV files read by polars: the columnar engine's fast way in.

:mod:`cptkit.files` reads a CSV file record by record and makes a :class:`~cptkit.Claim` of
each claim; that alone costs several times what reading the file costs. Most files are
*clean*: every row is one line of text with the header's number of cells and no quote, every
cell converts, the rows of each claim are together and agree on the claim's values. For such
rows the reader's result is known without it: every row is taken, none is rejected, no claim
is split, and each claim is its rows' lines with its first row's claim values. polars then
reads the file (the cells of one row split at the delimiter, as :mod:`csv` splits a row
without quotes), and the engine judges the lines as columns, making a ``Claim`` only for the
claims a rule's own code must see.

The file is read in chunks of :data:`CHUNK_BYTES` (memory holds one at a time, and the claim
ids' hashes, 8 bytes a claim, to tell a split claim). Each chunk is checked before it is
judged, by cptkit's own cell converters (each distinct cell text once) and the reader's own
limits. At the first chunk that is not clean, the rest of the file, from the first row not
judged yet, goes to :mod:`cptkit.files`' reader, started where it would stand there (the row
number, the claims seen; it reads the file from its first byte, passing over the lines
judged, so that its limits apply as they would). Files this module does not read at all
(JSON, standard input, an encoding other than UTF-8, a key other than ``claim_id``, a quoted
header) go to the reader whole. Either way the findings are the reader's (the differential test holds this,
``tests/test_columnar_clean.py``).
"""

from __future__ import annotations

import codecs
import csv
import os
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import IO, Any, NamedTuple

import polars as pl

from .._cache import keep
from ..claims import MAX_LINES, Claim, _claim_from_clean, _diagnoses, _line_from_clean
from ..errors import CptkitError
from ..files import MAX_LINE_BYTES, Reading, _peekable
from ..files._cells import _cell_converter
from ..files._csv import _Lines, header_layout, records
from ..files._csv import text as decoded_text
from ..files._group import SEEN_LIMIT, Event, Seen, group
from ..files._layout import Layout
from ..files._rows import CLAIM_COLUMNS, LINE_COLUMNS, Options

__all__ = [
    "CHUNK_BYTES", "FIELDS", "Cells", "FrameClaims", "Scan", "prepare", "scan",
]  # fmt: skip

CHUNK_BYTES = 8 << 20
"""Bytes of a file read, checked and judged at a time (whole lines)."""

FIELDS = ("claim_id", *LINE_COLUMNS, *CLAIM_COLUMNS)
"""The text columns of a chunk: the claim id, the line cells, the claim cells."""

_CLAIM_FIELDS = tuple(CLAIM_COLUMNS)
# A claim id the reader takes as it is: printable ASCII, no space at either end (so that
# stripping it changes nothing and it is a one-line text).
_PLAIN_KEY = r"^[!-~](?:[ -~]*[!-~])?$"
_CELL_LIMIT = 1 << 16  # converted texts kept per field


class _NotClean(Exception):
    """The file is not one this module reads: it goes to :mod:`cptkit.files`."""


class Cells:
    """Each field's distinct cell texts, converted by the reader's own converters."""

    def __init__(self, date_format: str | None) -> None:
        self._convert = {name: _cell_converter(name, date_format) for name in FIELDS[1:]}
        self._values: dict[str, dict[str, Any]] = {name: {} for name in FIELDS[1:]}

    def value(self, name: str, text: str) -> Any:
        """The value of one cell text of field *name* (a text that converts)."""
        values = self._values[name]
        try:
            return values[text]
        except KeyError:
            return keep(values, text, self._convert[name](text), _CELL_LIMIT)

    def all_convert(self, name: str, texts: Sequence[str]) -> bool:
        """Whether every one of *texts* converts (and, for the diagnoses, makes a claim's)."""
        values = self._values[name]
        for text in texts:
            if text in values:
                continue
            try:
                value = self.value(name, text)
                if name == "diagnoses":
                    _diagnoses(value)  # from 1 to 12 (and None: a claim with none)
            except (CptkitError, ValueError, TypeError):
                return False
        return True


class _Layout(NamedTuple):
    shape: Layout
    width: int
    delimiter: str
    notices: list[str]
    body: int  # the byte offset of the first row after the header

    @property
    def positions(self) -> Mapping[str, tuple[int, ...]]:
        return self.shape.positions


class Scan:
    """A CSV file read by polars, chunk by chunk: iterate it for frames of whole claims, one
    row per line (the text of each of :data:`FIELDS`, ``row``, the file's row number with the
    header as row 1, and ``_start``, whether a row is its claim's first); :attr:`rest` is set
    once a chunk is not clean."""

    def __init__(
        self,
        reading: Reading,
        stream: IO[bytes],
        start: int,
        shape: _Layout,
        options: Options,
        *,
        close: bool,
    ) -> None:
        self.name = reading.name
        self.cells = Cells(options.date_format)
        self.rest: Iterator[Event] | None = None
        """The events of the rest of the file, read by :mod:`cptkit.files`, once the chunks
        stop at one that is not clean."""
        self._reading = reading
        self._stream = stream
        self._start = start  # where the stream stood (the file's first byte)
        self._shape = shape
        self._options = options
        self._close = close

    def __iter__(self) -> Iterator[pl.DataFrame]:
        shape, stream = self._shape, self._stream
        state = _Survey()
        row = 2  # the row of the next line read
        held: pl.DataFrame | None = None  # the rows not judged yet (the last claim so far)
        held_at = self._start + shape.body  # the byte of the first of them
        try:
            for at, data in _blocks(stream, self._start + shape.body):
                try:
                    texts = _lines(data, shape)
                    _check(texts, shape, self.cells, state)
                except (_NotClean, pl.exceptions.PolarsError):
                    self.rest = self._read_on(held_at, row - (0 if held is None else held.height))
                    return
                frame = texts.with_columns(
                    row=pl.int_range(row, row + texts.height, dtype=pl.Int64)
                )
                row += texts.height
                if held is not None:
                    frame = pl.concat([held, frame])
                # The last claim may go on in the next chunk: it waits for it.
                last = _started(frame)["_start"].arg_true()[-1]
                if last:
                    yield self._counted(frame.slice(0, last))
                    held_at = at + _start_of_last(data, frame.height - last)
                held = frame.slice(last)
            if held is not None:
                yield self._counted(held)
        finally:
            if self.rest is None and self._close:
                stream.close()

    def _counted(self, frame: pl.DataFrame) -> pl.DataFrame:
        counts = self._reading.counts
        counts.rows += frame.height
        counts.checked += frame.height
        return _started(frame)

    def _read_on(self, at: int, row: int) -> Iterator[Event]:
        """The events of the file from byte *at* (row *row*) on, by :mod:`cptkit.files`."""
        shape, stream, reading = self._shape, self._stream, self._reading
        body = self._start + shape.body
        seen = Seen(SEEN_LIMIT)
        if at > body:
            # The reader would have seen the claims before: their ids, in order.
            stream.seek(body)
            ids = pl.read_csv(
                stream.read(at - body),
                has_header=False,
                infer_schema=False,
                quote_char=None,
                separator=shape.delimiter,
                columns=[shape.positions["claim_id"][0]],
            ).to_series(0)
            for key in ids.rle().struct.field("value"):
                seen.add((key,))
        told = Options(
            self._options.columns, self._options.encoding, self._options.date_format, reading.notice
        )

        def events() -> Iterator[Event]:
            # The reader's own way in, from the file's first byte: the same byte-order mark
            # dropped, and the same reads, so that a line too long is refused where (and with
            # the byte) the reader refuses it; the lines before row *row* are passed over.
            stream.seek(self._start)
            peekable = _peekable(stream, reading.name)
            peekable.peek(64)  # the reader's first look fills its buffer
            decoded = decoded_text(peekable, told.encoding)
            try:
                source = iter(decoded)
                for _ in range(row - 1):  # the header and the rows judged (no blank line)
                    next(source)
                lines = _Lines(source)
                reader = csv.reader(lines, delimiter=shape.delimiter)
                rows = records(reader, shape.shape, shape.width, told, lines=lines, first=row)
                yield from group(reading.name, rows, reading.counts, seen=seen)
                if not reading.counts.rows:
                    reading.notice(f"{reading.name}: holds no rows")  # as the reader says
            finally:
                decoded.detach()
                if self._close:
                    stream.close()

        return events()


def scan(reading: Reading) -> Scan | None:
    """*reading*'s file read by polars, if it is a CSV file this module reads and the reading
    has not started; else ``None`` (the reading is left as it was, for :mod:`cptkit.files`)."""
    plan = reading.plan
    if plan is None or codecs.lookup(plan.options.encoding).name != "utf-8":
        return None
    if plan.format is not None and plan.format.name != "csv":
        return None
    source = plan.source
    if isinstance(source, (str, os.PathLike)):
        if source == "-":
            return None
        try:
            stream: IO[bytes] = open(source, "rb")  # noqa: SIM115 - closed by Scan
        except OSError:
            return None  # the reader says why
        start = 0
    else:
        stream = source
        try:
            if not stream.seekable():
                return None
            start = stream.tell()
        except (OSError, ValueError, AttributeError):
            return None
    try:
        shape = _header(stream, reading.name, plan.options)
    except (_NotClean, CptkitError, OSError, ValueError):
        if stream is not source:
            stream.close()
        else:
            stream.seek(start)
        return None
    reading.take_plan()
    for said in shape.notices:
        reading.notice(said)
    return Scan(reading, stream, start, shape, plan.options, close=stream is not source)


def _header(stream: IO[bytes], name: str, options: Options) -> _Layout:
    """The header of a CSV file (a JSON file has quotes: it is refused, as is anything the
    reader would refuse or notice more than polars does)."""
    head = stream.read(MAX_LINE_BYTES + 1)
    end = head.find(b"\n")
    line = head if end < 0 else head[: end + 1]
    text_of = line.decode("utf-8-sig")
    stripped = text_of.rstrip("\n").removesuffix("\r")
    if "\r" in stripped or '"' in stripped or end < 0 or not head[end + 1 :].strip():
        raise _NotClean  # old Mac line endings, a quoted header, no row after it
    notices: list[str] = []
    told = Options(options.columns, options.encoding, options.date_format, notices.append)
    shape, width, delimiter = header_layout([text_of], name, told)
    if shape.key_field != "claim_id":
        raise _NotClean
    return _Layout(shape, width, delimiter, notices, len(line))


def _lines(data: bytes, shape: _Layout) -> pl.DataFrame:
    """The text columns of the whole lines *data* (``_NotClean`` for a line the reader would
    not split as polars does)."""
    if b'"' in data or (b"\r" in data and data.count(b"\r") != data.count(b"\r\n")):
        raise _NotClean  # a quote; a CR not before a line break
    if data.startswith(codecs.BOM_UTF8):
        raise _NotClean  # polars drops a byte-order mark there; the reader keeps it in the cell
    rows = data.count(b"\n") + (not data.endswith(b"\n"))
    if data.count(shape.delimiter.encode()) != rows * (shape.width - 1):
        # A row of another number of cells (polars refuses one of more cells than the
        # header's, so the count tells one of fewer; a blank line has none).
        raise _NotClean
    names = [f"_{n}" for n in range(shape.width)]
    cells = pl.read_csv(
        data,
        has_header=False,
        infer_schema=False,
        quote_char=None,
        separator=shape.delimiter,
        new_columns=names,
    ).select(pl.col(names).fill_null(""))  # an empty cell is read as null
    longest = cells.select(pl.sum_horizontal(pl.col(names).str.len_bytes()).max()).item()
    if cells.height != rows or (longest or 0) + shape.width + 1 > MAX_LINE_BYTES:
        raise _NotClean
    texts = []
    for field in FIELDS:
        at = shape.positions.get(field, ())
        if not at:
            texts.append(pl.lit("", pl.String).alias(field))
        elif len(at) == 1:
            texts.append(pl.col(names[at[0]]).alias(field))
        else:
            texts.append(pl.concat_str([pl.col(names[n]) for n in at], separator=" ").alias(field))
    # In one piece: polars reads in parallel pieces, and later gathers are faster from one.
    return cells.select(texts).rechunk()


def _blocks(stream: IO[bytes], body: int) -> Iterator[tuple[int, bytes]]:
    """The bytes after the header in blocks of whole lines of about :data:`CHUNK_BYTES`,
    each with the byte it starts at."""
    stream.seek(body)
    at = body
    rest = b""
    while True:
        block = stream.read(CHUNK_BYTES)
        if not block:
            break
        data = rest + block if rest else block
        cut = data.rfind(b"\n") + 1
        if cut == 0:
            if len(data) > MAX_LINE_BYTES:
                # A line longer than the reader reads: _lines refuses it, and the reader
                # says why (raising here would leave the chunks' loop, not go to the reader).
                yield at, data
                return
            rest = data
            continue
        rest = data[cut:]
        yield at, data[:cut]
        at += cut
    if rest:
        yield at, rest


def _start_of_last(data: bytes, count: int) -> int:
    """Where the last *count* lines of *data* start."""
    end = len(data) - 1 if data.endswith(b"\n") else len(data)
    for _ in range(count):
        end = data.rfind(b"\n", 0, end)
    return end + 1


class _Survey:
    """What the checks carry from chunk to chunk: the claim at the end of the last chunk
    (its id, rows and claim cells) and the hashes of the claim ids seen."""

    def __init__(self) -> None:
        self.last: tuple[str, int, tuple[str, ...]] | None = None
        self.seen: list[pl.Series] = []


def _check(texts: pl.DataFrame, shape: _Layout, cells: Cells, state: _Survey) -> None:
    key = pl.col("claim_id")
    given = [name for name in _CLAIM_FIELDS if shape.positions.get(name)]
    start = (key != key.shift(1)).fill_null(value=True)
    flags = texts.select(
        plain=key.str.contains(_PLAIN_KEY).all(),
        # The claim cells agree within each claim (as texts: the reader compares values).
        agree=~pl.any_horizontal(
            [(pl.col(name) != pl.col(name).shift(1)) & ~start for name in given] or [False]
        ).any(),
    ).row(0)
    if not all(flags):
        raise _NotClean
    runs = texts["claim_id"].rle()
    lengths = runs.struct.field("len")
    values = runs.struct.field("value")
    first_value = values[0]
    carried = 0
    last = state.last
    if last is not None and last[0] == first_value:
        carried = last[1]
        if tuple(texts.row(0)[len(FIELDS) - len(_CLAIM_FIELDS) :]) != last[2]:
            raise _NotClean
        new_values = values.slice(1)
    else:
        new_values = values
    if lengths[0] + carried > MAX_LINES or (lengths.max() or 0) > MAX_LINES:  # type: ignore[operator]
        raise _NotClean
    hashes = new_values.hash()
    if not hashes.is_unique().all() or any(
        hashes.is_in(seen.implode()).any() for seen in state.seen
    ):
        raise _NotClean  # a claim id again, apart from its rows (or two ids of one hash)
    state.seen.append(hashes)
    final = texts.row(texts.height - 1)
    length = lengths[-1] + (carried if len(lengths) == 1 else 0)
    state.last = (final[0], length, tuple(final[len(FIELDS) - len(_CLAIM_FIELDS) :]))
    for name in FIELDS[1:]:
        if not cells.all_convert(name, texts[name].unique().to_list()):
            raise _NotClean


def _started(frame: pl.DataFrame) -> pl.DataFrame:
    """*frame* with ``_start``: whether a row is the first of its claim."""
    key = pl.col("claim_id")
    return frame.with_columns(_start=(key != key.shift(1)).fill_null(value=True))


class FrameClaims(Sequence[Claim]):
    """The claims of a chunk by number, each made when first asked for."""

    def __init__(self, frame: pl.DataFrame, starts: list[int], cells: Cells) -> None:
        self._frame = frame
        self._starts = [*starts, frame.height]
        self._cells = cells
        self._made: dict[int, Claim] = {}
        self._texts: pl.DataFrame | None = None

    def __len__(self) -> int:
        return len(self._starts) - 1

    def __getitem__(self, number: int) -> Claim:  # type: ignore[override]
        claim = self._made.get(number)
        if claim is None:
            self.prepare((number,))
            claim = self._made[number]
        return claim

    def prepare(self, numbers: Iterable[int]) -> None:
        """Make the claims *numbers* not made yet, reading their rows at once."""
        made, starts = self._made, self._starts
        wanted = [number for number in dict.fromkeys(numbers) if number not in made]
        if not wanted:
            return
        index = [at for n in wanted for at in range(starts[n], starts[n + 1])]
        if self._texts is None:
            # In one piece: polars reads a file in parallel pieces, and rows are gathered
            # from one piece several times faster.
            self._texts = self._frame.select(FIELDS).rechunk()
        rows = self._texts[index].rows()
        at = 0
        for number in wanted:
            size = starts[number + 1] - starts[number]
            made[number] = self._claim(rows[at : at + size])
            at += size

    def _claim(self, rows: list[tuple[Any, ...]]) -> Claim:
        value = self._cells.value
        lines = tuple(
            _line_from_clean(
                *(value(name, text) for name, text in zip(LINE_COLUMNS, row[1:9], strict=True))
            )
            for row in rows
        )
        first = rows[0]
        claim_values = {
            name: value(name, text)
            for name, text in zip(_CLAIM_FIELDS, first[1 + len(LINE_COLUMNS) :], strict=True)
        }
        return _claim_from_clean(
            lines,
            _diagnoses(claim_values["diagnoses"]),
            claim_values["claim_place_of_service"],
            claim_values["payer"],
            first[0],
            claim_values["patient"],
            claim_values["rendering_provider"],
            claim_values["billing_provider"],
        )


def prepare(claims: Sequence[Claim], numbers: Iterable[int]) -> None:
    """Make the claims *numbers* of *claims* at once, when they are made when asked for."""
    if isinstance(claims, FrameClaims):
        claims.prepare(numbers)
