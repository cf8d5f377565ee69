# SPDX-License-Identifier: MIT
"""Writing ``cptkit check`` results: a readable table, one JSON document, or CSV rows.

Every writer takes records one at a time, so output streams as claims are checked. A record is
a finding of a rule, or a row that was rejected (rule ``row-rejected``) or a claim whose rows
were not adjacent (rule ``claim-rows-not-adjacent``).

Text from the files read (a claim id, a file name) is made safe before it is shown: control
characters are escaped in the table and on stderr (:func:`printable`), so no ANSI sequence or
line break from a file reaches the terminal, and CSV cells that a spreadsheet would take for a
formula are neutralised (:func:`spreadsheet_safe`, the OWASP rule).
"""

from __future__ import annotations

import csv
import json
import re
import sys
import time
from typing import Any, TextIO

import attrs

__all__ = [
    "COLUMNS",
    "Progress",
    "Record",
    "Summary",
    "Writer",
    "make_writer",
    "printable",
    "spreadsheet_safe",
]

COLUMNS = (
    "file",
    "row",
    "claim_id",
    "line_number",
    "severity",
    "rule",
    "field",
    "message",
    "carc",
    "suggestion",
)
SEVERITIES = ("error", "warning", "info")

# C0 and C1 controls, DEL, line and paragraph separators, bidirectional overrides and
# isolates, and lone surrogates (undecodable bytes of a file name): never shown raw.
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def _escape(match: re.Match[str]) -> str:
    code = ord(match[0])
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: str) -> str:
    """*text* with every control character escaped (``\\x1b``): safe on a terminal."""
    return _UNPRINTABLE.sub(_escape, text)


def spreadsheet_safe(text: str) -> str:
    """*text* for a CSV cell: printable, and with a leading ``'`` when it starts with ``=``,
    ``+``, ``-``, ``@``, a tab or a carriage return, which a spreadsheet would run as a formula
    (OWASP's CSV injection rule)."""
    text = printable(text)
    return "'" + text if text.startswith(_FORMULA) else text


@attrs.frozen
class Record:
    """One line of output. ``line_number`` is 1-based within the claim (as on a CMS-1500),
    ``None`` for the claim."""

    file: str
    row: int
    claim_id: str | None
    line_number: int | None
    severity: str
    rule: str
    field: str | None
    message: str
    carc: str | None = None
    suggestion: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return attrs.asdict(self)


@attrs.define
class Summary:
    """What a run read and found."""

    files: int = 0
    rows_read: int = 0
    rows_rejected: int = 0
    claims_checked: int = 0
    claims_with_errors: int = 0
    findings: dict[str, int] = attrs.field(factory=lambda: dict.fromkeys(SEVERITIES, 0))
    unreadable: list[str] = attrs.field(factory=list)
    data: str = ""
    """The data the run judged by (the catalog's version: each table's edition)."""

    @property
    def exit_status(self) -> int:
        """2 when a file was unreadable, 1 on an error or a rejected row, else 0."""
        if self.unreadable:
            return 2
        return 1 if self.findings["error"] or self.rows_rejected else 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "files": self.files,
            "rows_read": self.rows_read,
            "rows_rejected": self.rows_rejected,
            "claims_checked": self.claims_checked,
            "claims_with_errors": self.claims_with_errors,
            "findings": dict(self.findings),
            "unreadable_files": list(self.unreadable),
            "data": self.data,
            "exit_status": self.exit_status,
        }

    def text(self) -> str:
        counts = ", ".join(
            f"{self.findings[s]} {s}{'s' * (self.findings[s] != 1 and s != 'info')}"
            for s in SEVERITIES
        )
        lines = [
            f"Summary: {_n(self.files, 'file')}, {_n(self.rows_read, 'row')} read,"
            f" {self.rows_rejected} rejected; {_n(self.claims_checked, 'claim')} checked,"
            f" {self.claims_with_errors} with errors; findings: {counts}"
            + (f"; data: {self.data}" if self.data else "")
        ]
        if self.unreadable:
            lines.append(f"Unreadable: {', '.join(self.unreadable)}")
        return "\n".join(map(printable, lines))


def _n(count: int, noun: str) -> str:
    return f"{count} {noun}{'s' * (count != 1)}"


class Progress:
    """A one-line progress count on stderr, redrawn at most a few times a second."""

    def __init__(self, stream: TextIO, *, enabled: bool) -> None:
        self._stream = stream
        self._enabled = enabled
        self._shown = False
        self._last = 0.0

    def update(self, file: str, rows: int, claims: int) -> None:
        if not self._enabled:
            return
        now = time.monotonic()
        if now - self._last < 0.2:
            return
        self._last = now
        shown = printable(file)
        self._stream.write(
            f"\r\x1b[Kcptkit: {shown}: {rows:,} rows read, {claims:,} claims checked"
        )
        self._stream.flush()
        self._shown = True

    def clear(self) -> None:
        if self._shown:
            self._stream.write("\r\x1b[K")
            self._stream.flush()
            self._shown = False


class Writer:
    """Base writer: ``begin()``, ``record()`` for each record, ``end(summary)``."""

    def __init__(self, out: TextIO, err: TextIO, progress: Progress) -> None:
        self.out = out
        self.err = err
        self.progress = progress

    def begin(self, header: dict[str, str]) -> None:
        """Start the output; *header* names the rule set and the dataset."""

    def record(self, record: Record) -> None:  # pragma: no cover - every writer overrides
        raise NotImplementedError

    def end(self, summary: Summary) -> None:  # pragma: no cover - every writer overrides
        raise NotImplementedError


class TableWriter(Writer):
    """One finding per line, aligned, then the summary at the end of stdout."""

    def __init__(self, out: TextIO, err: TextIO, progress: Progress, *, where: int) -> None:
        super().__init__(out, err, progress)
        self._where = where
        self._count = 0

    def _line(self, cells: tuple[str, ...]) -> str:
        where, claim, line, severity, rule, carc, message = cells
        return (
            f"{where:<{self._where}}  {claim:<10}  {line:>4}  {severity:<7}  {rule:<27}"
            f"  {carc:<6}  {message}"
        ).rstrip()

    def record(self, record: Record) -> None:
        self.progress.clear()
        if not self._count:
            header = ("WHERE", "CLAIM", "LINE", "LEVEL", "RULE", "CARC", "MESSAGE -> SUGGESTION")
            print(self._line(header), file=self.out)
        self._count += 1
        message = record.message
        if record.suggestion:
            message += f" -> {record.suggestion}"
        cells = (
            f"{record.file}:{record.row}",
            record.claim_id or "-",
            "-" if record.line_number is None else str(record.line_number),
            record.severity,
            record.rule,
            record.carc or "-",
            message,
        )
        print(self._line(tuple(map(printable, cells))), file=self.out)

    def end(self, summary: Summary) -> None:
        self.progress.clear()
        if not self._count:
            print("No findings.", file=self.out)
        print(summary.text(), file=self.out)


class JsonWriter(Writer):
    """One JSON document: the run's header, the findings (one per line) and the summary."""

    def __init__(self, out: TextIO, err: TextIO, progress: Progress) -> None:
        super().__init__(out, err, progress)
        self._count = 0

    def begin(self, header: dict[str, str]) -> None:
        fields = "".join(f"{json.dumps(k)}: {json.dumps(v)}, " for k, v in header.items())
        self.out.write("{" + fields + '"findings": [')

    def record(self, record: Record) -> None:
        self.out.write(("," if self._count else "") + "\n  " + json.dumps(record.to_dict()))
        self._count += 1

    def end(self, summary: Summary) -> None:
        self.progress.clear()
        self.out.write(("\n" if self._count else "") + '],\n"summary": ')
        self.out.write(json.dumps(summary.to_dict()) + "}\n")


class CsvWriter(Writer):
    """A header row and one row per record; the summary goes to stderr."""

    def __init__(self, out: TextIO, err: TextIO, progress: Progress) -> None:
        super().__init__(out, err, progress)
        self._writer = csv.writer(out, lineterminator="\n")

    def begin(self, header: dict[str, str]) -> None:
        self._writer.writerow(COLUMNS)

    def record(self, record: Record) -> None:
        values = record.to_dict()
        self._writer.writerow(
            ["" if values[c] is None else spreadsheet_safe(str(values[c])) for c in COLUMNS]
        )

    def end(self, summary: Summary) -> None:
        self.progress.clear()
        print(summary.text(), file=self.err)


def make_writer(
    kind: str, *, where: int, progress: bool | None, out: TextIO | None = None
) -> Writer:
    """The writer for ``--format`` *kind*; progress shows when stderr is a terminal."""
    stdout = sys.stdout if out is None else out
    shown = sys.stderr.isatty() if progress is None else progress
    meter = Progress(sys.stderr, enabled=shown)
    if kind == "json":
        return JsonWriter(stdout, sys.stderr, meter)
    if kind == "csv":
        return CsvWriter(stdout, sys.stderr, meter)
    return TableWriter(stdout, sys.stderr, meter, where=where)
