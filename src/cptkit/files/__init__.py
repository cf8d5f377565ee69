# SPDX-License-Identifier: MIT
"""Reading claim files: CSV, JSON and NDJSON exports into :class:`~cptkit.Claim` values.

:func:`read_claims` streams the claims of a file (or of standard input, ``"-"``), one at a
time; every row that does not become part of a claim is handed to *on_rejected* as a
:class:`Rejected` record naming the file, the row, the field and the reason (only the field's
value, never the row: claims carry patient data). Nothing is dropped and no claim is split: a
claim with a rejected row is held back whole.

>>> import io
>>> from cptkit.files import read_claims
>>> export = io.BytesIO(
...     b"Claim ID,Date of Service,CPT,Modifier 1,Modifier 2,Units,Diagnosis 1\\n"
...     b"PT-1,2026-03-02,97110,GP,59,2,M54.50\\n"
...     b"PT-1,2026-03-02,97140,GP,,x,M54.50\\n"
...     b"PT-2,2026-03-03,97110,GP,,1,M54.50\\n"
... )
>>> rejected = []
>>> [claim.claim_id for claim in read_claims(export, format="csv", on_rejected=rejected.append)]
['PT-2']
>>> [(r.row, r.field, r.reason) for r in rejected]  # doctest: +NORMALIZE_WHITESPACE
[(2, None, 'claim not checked because row 3 was rejected'),
 (3, 'units', "units: 'x' is not an int >= 1")]

:func:`read` gives the same as a stream of :class:`Group` and :class:`Rejected` events, with
:class:`Counts` per file. Formats are registered once, in :data:`FORMATS`. The page
``docs/files.md`` describes the layouts, aliases, mapping, encodings and every rejection.

.. versionadded:: 0.2.0
"""

from __future__ import annotations

import codecs
import contextlib
import io
import os
import sys
import warnings
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from types import MappingProxyType
from typing import IO, Literal, NamedTuple, NoReturn

from ..claims import Claim
from ..errors import CptkitError, InvalidInput
from ._csv import csv_rows
from ._group import Counts, CountsDoNotAddUp, Event, Group, Rejected, group
from ._json import json_rows, ndjson_rows
from ._layout import ALIASES, normalise, target
from ._rows import COLUMNS, LINE_COLUMNS, Options, Row, Unreadable

__all__ = [
    "ALIASES",
    "COLUMNS",
    "FORMATS",
    "LINE_COLUMNS",
    "MAX_JSON_BYTES",
    "MAX_LINE_BYTES",
    "SUFFIXES",
    "Counts",
    "CountsDoNotAddUp",
    "FileNotice",
    "Format",
    "Group",
    "Plan",
    "Reading",
    "Rejected",
    "RowRejected",
    "Unreadable",
    "claim_files",
    "claims_of",
    "format_of",
    "read",
    "read_claims",
]

Source = str | os.PathLike[str] | IO[bytes]

MAX_LINE_BYTES = 1 << 20
"""The longest line a CSV or NDJSON file may have: 1 MiB (bounded memory: a file that never
ends a line, such as ``/dev/zero``, is refused as unreadable once a line passes it)."""

MAX_JSON_BYTES = 256 << 20
"""The largest JSON document read (a JSON file is read whole): 256 MiB. Larger exports
stream as CSV or NDJSON, which have no size limit."""
OnRejected = Callable[[Rejected], object] | Literal["raise"]


class Format(NamedTuple):
    """A file format: its name, the file name endings that mean it, and its row reader."""

    name: str
    suffixes: tuple[str, ...]
    rows: Callable[[IO[bytes], str, Options], Iterator[Row]]


FORMATS: Mapping[str, Format] = MappingProxyType(
    {
        "csv": Format("csv", (".csv",), csv_rows),
        "json": Format("json", (".json",), json_rows),
        "ndjson": Format("ndjson", (".ndjson", ".jsonl"), ndjson_rows),
    }
)
"""The formats cptkit reads, by name: the one list every reader, the CLI and the docs use."""

_BY_SUFFIX = {suffix: kind for kind in FORMATS.values() for suffix in kind.suffixes}
SUFFIXES = tuple(_BY_SUFFIX)
"""Every file name ending :data:`FORMATS` reads (``.csv``, ``.json`` ...)."""
_ENDINGS = ", ".join(sorted(SUFFIXES))
_PATTERNS = ", ".join(f"*{suffix}" for suffix in SUFFIXES[:-1]) + f" or *{SUFFIXES[-1]}"


def format_of(path: str | os.PathLike[str]) -> Format | None:
    """The :class:`Format` a file name's ending stands for (any case), else ``None``."""
    return _BY_SUFFIX.get(Path(path).suffix.lower())


class FileNotice(UserWarning):
    """Something a reader noticed and did not refuse: ignored columns, a semicolon-separated
    file, old Mac line endings, a file with no rows."""


class RowRejected(CptkitError, ValueError):
    """A row did not become part of a claim (the default *on_rejected* of :func:`read_claims`).

    Attributes:
        rejected: the :class:`Rejected` record.
    """

    def __init__(self, rejected: Rejected) -> None:
        self.rejected = rejected
        super().__init__(f"{rejected.file}:{rejected.row}: {rejected.reason}")

    def __reduce__(self) -> tuple[object, ...]:
        return (type(self), (self.rejected,))


class Plan(NamedTuple):
    """What :func:`read` was given: the source, its format if known, and how to read it."""

    source: Source
    format: Format | None
    options: Options


class Reading:
    """The events of one file as they are read: :class:`Group` and :class:`Rejected`.

    Attributes:
        name: the file's name as given (``<stdin>`` for standard input).
        counts: the rows read, checked and rejected so far.
        notices: what the reader noticed so far (each also given to *on_notice*).
        plan: what :func:`read` was given (source, format, options), until the reading
            starts; ``None`` after. An engine that reads the file its own way (the columnar
            engine's clean-file path) takes it with :meth:`take_plan`, then reports what it
            read through :attr:`counts` and :meth:`notice`.
    """

    def __init__(
        self,
        name: str,
        events: Callable[[Reading], Iterator[Event]],
        plan: Plan | None = None,
        on_notice: Callable[[str], object] | None = None,
    ) -> None:
        self.name = name
        self.counts = Counts()
        self.notices: list[str] = []
        self.plan = plan
        self._on_notice = on_notice
        self._events = events(self)

    def notice(self, text: str) -> None:
        """Keep *text* among :attr:`notices` and hand it to *on_notice*."""
        self.notices.append(text)
        if self._on_notice is not None:
            self._on_notice(text)

    def take_plan(self) -> Plan | None:
        """The plan, if the reading has not started; the events are then empty."""
        plan, self.plan = self.plan, None
        if plan is not None:
            self._events = iter(())
        return plan

    def __iter__(self) -> Reading:
        return self

    def __next__(self) -> Event:
        return next(self._events)


def read(
    source: Source,
    *,
    format: str | None = None,
    columns: Mapping[str, str] | None = None,
    encoding: str = "utf-8",
    date_format: str | None = None,
    on_notice: Callable[[str], object] | None = None,
) -> Reading:
    """Read one file, or standard input (``"-"``), or a binary stream, as claims and rejections.

    Args:
        source: a path, ``"-"`` for standard input, or a binary file object.
        format: ``"csv"``, ``"json"`` or ``"ndjson"``; by default from the file name's
            ending, and for a stream from its first character (``[`` JSON, ``{`` NDJSON).
        columns: header name -> field name (``{"DOS": "date_of_service"}``), or -> ``""`` to
            ignore a column; names are matched as normalised (case, spaces, hyphens).
        encoding: the file's text encoding (``"cp1252"`` for many Windows exports).
        date_format: a :func:`~datetime.datetime.strptime` format for dates besides
            ``YYYY-MM-DD``, such as ``"%m/%d/%Y"`` for ``3/2/2026``.
        on_notice: called with each notice (ignored columns, semicolons, old Mac line endings,
            a file without rows); they are also kept in :attr:`Reading.notices`.

    Returns:
        A :class:`Reading`: iterate it for the events; the file is opened on the first.

    Raises:
        InvalidInput: an argument is not usable (unknown format, encoding or mapped field).
        Unreadable: (while iterating) the file as a whole cannot be read.
        CountsDoNotAddUp: (at the end) a defect in cptkit lost a row; never expected.
    """
    options = _options(columns, encoding, date_format)
    if not _usable(source):
        raise InvalidInput(
            "source", type(source).__name__, "a path, '-' or a binary file object (mode 'rb')"
        )
    kind = _format(source, format)
    name = _name(source)

    def events(reading: Reading) -> Iterator[Event]:
        reading.plan = None
        told = Options(options.columns, options.encoding, options.date_format, reading.notice)
        with _opened(source, reading.name, options.encoding) as stream:
            chosen = kind or _sniff(stream)
            if chosen.name == "json":
                stream.raw.bound(line=None, file=MAX_JSON_BYTES)  # type: ignore[attr-defined]
            yield from group(reading.name, chosen.rows(stream, reading.name, told), reading.counts)
        if not reading.counts.rows:
            reading.notice(f"{reading.name}: holds no rows")

    return Reading(name, events, Plan(source, kind, options), on_notice)


def read_claims(
    source: Source,
    *,
    format: str | None = None,
    columns: Mapping[str, str] | None = None,
    encoding: str = "utf-8",
    date_format: str | None = None,
    on_rejected: OnRejected = "raise",
    on_notice: Callable[[str], object] | None = None,
) -> Iterator[Claim]:
    """Stream the claims of one file (see :func:`read` for the arguments).

    Args:
        on_rejected: called with each :class:`Rejected` row (``rejected.append`` collects
            them); by default the first one raises :class:`RowRejected`.
        on_notice: called with each notice; by default each is a :class:`FileNotice` warning.

    Raises:
        RowRejected: a row was rejected and *on_rejected* is ``"raise"``.
        Unreadable: the file as a whole cannot be read.

    .. versionadded:: 0.2.0
    """
    reading = read(
        source,
        format=format,
        columns=columns,
        encoding=encoding,
        date_format=date_format,
        on_notice=on_notice or _warn,
    )
    return claims_of(reading, on_rejected)


def claims_of(events: Iterable[Event], on_rejected: OnRejected) -> Iterator[Claim]:
    """The claims among *events*, each rejected row handed to *on_rejected* (or raised)."""
    for event in events:
        if isinstance(event, Group):
            yield event.claim
        elif on_rejected == "raise":
            raise RowRejected(event)
        else:
            on_rejected(event)


def _warn(text: str) -> None:
    warnings.warn(text, FileNotice, stacklevel=4)


def claim_files(
    paths: Iterable[str | os.PathLike[str]], *, named: bool = True
) -> tuple[list[str], list[str], list[str]]:
    """The claim files *paths* name: a folder stands for the files directly in it whose
    ending is in :data:`FORMATS`, in name order; ``"-"`` is standard input. With *named*
    false (the format is given), a file named outright may have any ending.

    Returns:
        ``(files, problems, notices)``: the files to read; what is wrong with the paths (a
        missing file, an unknown ending, a folder with no claim file); what was skipped in
        folders (sub-folders and other files), so that nothing is left out in silence.
    """
    files: list[str] = []
    problems: list[str] = []
    notices: list[str] = []
    for given in paths:
        try:
            _claim_path(Path(given), named, files, problems, notices)
        except OSError as err:  # a folder on the way that cannot be searched, a symlink loop
            problems.append(f"{given}: cannot be read ({err.strerror or err})")
    return files, problems, notices


def _claim_path(
    path: Path, named: bool, files: list[str], problems: list[str], notices: list[str]
) -> None:
    if str(path) == "-":
        files.append("-")
    elif path.is_dir():
        try:
            inside = sorted(path.iterdir())
        except OSError as err:
            problems.append(f"{path}: cannot be listed ({err.strerror or err})")
            return
        found = [str(p) for p in inside if p.is_file() and format_of(p)]
        skipped = [p.name + ("/" if p.is_dir() else "") for p in inside if str(p) not in found]
        if not found:
            problems.append(f"{path}: no {_PATTERNS} file in it")
        elif skipped:
            shown = ", ".join(skipped[:5]) + (
                f" and {len(skipped) - 5} more" if len(skipped) > 5 else ""
            )
            notices.append(f"{path}: skipped {len(skipped)} (not {_PATTERNS}): {shown}")
        files.extend(found)
    elif not path.exists():
        problems.append(f"{path}: no such file")
    elif format_of(path) is None and named:
        problems.append(f"{path}: cannot tell its format from the name (expected {_ENDINGS})")
    else:
        files.append(str(path))


# -- arguments and sources -------------------------------------------------------------------


def _options(columns: Mapping[str, str] | None, encoding: str, date_format: str | None) -> Options:
    try:
        codecs.lookup(encoding)
    except LookupError:
        raise InvalidInput("encoding", encoding, "a text encoding Python knows") from None
    mapping: dict[str, str] = {}
    for name, field in (columns or {}).items():
        to = normalise(field)
        if field and target(to) is None:
            raise InvalidInput(
                "columns", field, f"a field name ({', '.join(COLUMNS)}, modifier1..4,"
                " diagnosis1..12) or '' to ignore the column"
            )  # fmt: skip
        mapping[normalise(name)] = to
    if date_format is not None and (type(date_format) is not str or "%" not in date_format):
        raise InvalidInput("date_format", date_format, "a strptime format such as '%m/%d/%Y'")
    return Options(MappingProxyType(mapping), encoding, date_format)


def _usable(source: object) -> bool:
    """A path, ``"-"``, or a file object that reads bytes (not text)."""
    if isinstance(source, (str, os.PathLike)):
        return True
    return callable(getattr(source, "read", None)) and not isinstance(source, io.TextIOBase)


def _name(source: Source) -> str:
    if source == "-":
        return "<stdin>"
    if isinstance(source, (str, os.PathLike)):
        return os.fspath(source)
    given = getattr(source, "name", None)
    return given if isinstance(given, str) else "<stream>"


def _format(source: Source, format: str | None) -> Format | None:
    if format is not None:
        if format not in FORMATS:
            raise InvalidInput("format", format, f"one of {', '.join(FORMATS)}")
        return FORMATS[format]
    if isinstance(source, (str, os.PathLike)) and source != "-":
        kind = format_of(source)
        if kind is None:
            raise Unreadable(
                f"{source}: cannot tell its format from the name (expected {_ENDINGS})"
            )
        return kind
    return None  # a stream: told by its first character


@contextlib.contextmanager
def _opened(source: Source, name: str, encoding: str) -> Iterator[io.BufferedReader]:
    if source == "-":
        stream: IO[bytes] = sys.stdin.buffer
        close = False
    elif isinstance(source, (str, os.PathLike)):
        try:
            stream = Path(source).open("rb")  # noqa: SIM115 - closed below
        except OSError as err:
            raise Unreadable(f"{name}: cannot be opened ({err.strerror or err})") from None
        close = True
    else:
        stream, close = source, False
    try:
        peekable = _peekable(stream, name)
        utf8 = codecs.lookup(encoding).name == "utf-8"
        if utf8 and peekable.peek(4)[:2] in (b"\xff\xfe", b"\xfe\xff"):
            raise Unreadable(f"{name}: is UTF-16 text; save it as UTF-8")
        yield peekable
    finally:
        if close:
            stream.close()


def _peekable(stream: IO[bytes], name: str) -> io.BufferedReader:
    return io.BufferedReader(_Bounded(stream, name), buffer_size=1 << 16)


class _Bounded(io.RawIOBase):
    """A readable raw stream over any binary file object (so it can be buffered and peeked)
    that refuses a line longer than :data:`MAX_LINE_BYTES`, or, for JSON, a document larger
    than :data:`MAX_JSON_BYTES`, before it is held in memory."""

    def __init__(self, stream: IO[bytes], name: str) -> None:
        self._read = getattr(stream, "read1", stream.read)
        self._name = name
        self._line: int | None = MAX_LINE_BYTES
        self._file: int | None = None
        self._total = 0
        self._since = 0  # bytes since the last line break

    def bound(self, *, line: int | None, file: int | None) -> None:
        self._line, self._file = line, file

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        data = self._read(len(buffer))
        size = len(data)
        buffer[:size] = data
        self._total += size
        if self._file is not None and self._total > self._file:
            raise Unreadable(
                f"{self._name}: is larger than {self._file >> 20} MiB, the most cptkit reads as"
                " one JSON document; give it as NDJSON or CSV, which stream"
            )
        end = max(data.rfind(b"\n"), data.rfind(b"\r"))
        if end < 0:
            self._since += size
        elif self._line is not None:
            self._check_lines(data, end)
        if self._line is not None and self._since > self._line:
            self._too_long(self._total - self._since)
        return size

    def _check_lines(self, data: bytes, end: int) -> None:
        """Each line *data* ends (its last line break at *end*) against the limit, then
        count the bytes after it: a line's length never depends on where a read ended."""
        limit = self._line
        assert limit is not None
        start = 0
        while True:
            breaks = [at for at in (data.find(b"\n", start), data.find(b"\r", start)) if at >= 0]
            stop = min(breaks)
            if self._since + stop - start > limit:
                self._too_long(self._total - len(data) + start - self._since)
            self._since = 0
            if stop == end or len(data) - stop <= limit:
                break  # no later line of this read can be longer than the limit
            start = stop + 1
        self._since = len(data) - end - 1

    def _too_long(self, start: int) -> NoReturn:
        """Refuse the line that starts at byte offset *start* (naming the byte it passes the
        limit at, counted from 1)."""
        assert self._line is not None
        raise Unreadable(
            f"{self._name}: has a line longer than {self._line >> 20} MiB (by byte"
            f" {start + self._line + 1:,}), the most cptkit reads; is it a claim file?"
        )


def _sniff(stream: io.BufferedReader) -> Format:
    head = stream.peek(64).lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"["):
        return FORMATS["json"]
    if head.startswith(b"{"):
        return FORMATS["ndjson"]
    return FORMATS["csv"]
