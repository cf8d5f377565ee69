# SPDX-License-Identifier: MIT
"""The ``cptkit`` command line: check claim files, look codes up, count units, print cheat sheets.

Run ``cptkit --help`` (or ``python -m cptkit --help``). Exit status: 0 when all is well, 1 when
``check`` found errors or rejected rows (or a lookup found nothing), 2 for bad usage or a file
that cannot be read.

>>> from cptkit.cli import main
>>> main(["units", "97110=33", "97140=7"])
97110  33 min  2 units
97140   7 min  1 unit
Total: 3 units (Medicare 8-minute rule); next unit at 13 more timed minutes
0
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import os
import sys
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from .. import __version__
from .._convert import to_date
from .._dataset import verify_packaged
from .._engines import ENGINES, engine_for
from ..errors import CptkitError, DatasetError, InvalidInput
from ..files import FORMATS, SUFFIXES, Group, Rejected, Unreadable, claim_files, read
from ..history import History
from ..validation import Checker, Facts
from . import _auth, _estimate, _info
from ._output import Record, Summary, make_writer, printable

if TYPE_CHECKING:
    from .._catalog import Catalog
    from ..claims import Claim
    from ..validation import Report

__all__ = ["main"]

EXIT_OK, EXIT_ERRORS, EXIT_USAGE = 0, 1, 2
EXIT_INTERRUPTED = 130  # 128 + SIGINT, as a shell reports a command stopped by Ctrl-C
EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE, as a shell reports a command whose reader went away


def _date(text: str) -> datetime.date:
    # The library's own date reading, so `--on` takes exactly what `cptkit.lookup(on=)` takes.
    try:
        return to_date(text, InvalidInput, "on")
    except InvalidInput:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (expected YYYY-MM-DD)") from None


def _mapping(text: str) -> tuple[str, str]:
    name, equals, field = text.rpartition("=")
    if not equals or not name.strip():
        raise argparse.ArgumentTypeError(f"{text!r} is not COLUMN=FIELD (e.g. DOS=date_of_service)")
    return name, field.strip()


def _encoding(text: str) -> str:
    import codecs

    try:
        codecs.lookup(text)
    except LookupError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a text encoding Python knows") from None
    return text


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cptkit",
        description="US therapy billing codes: check claim files before they go out, look up"
        " codes, modifiers and places of service, count units, print staff cheat sheets.",
        epilog="Exit status: 0 all well; 1 errors found (check) or nothing found (lookups);"
        " 2 bad usage or unreadable input.",
    )
    parser.add_argument(
        "--version", action=_Version, nargs=0, help="show the version and data editions, then exit"
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    check = commands.add_parser(
        "check",
        help="validate claim lines from CSV, JSON or NDJSON files",
        description="Validate claim lines read from CSV, JSON or NDJSON files (a directory"
        f" means every {', '.join('*' + suffix for suffix in SUFFIXES)} file in it; - is"
        " standard input) and print the findings.",
    )
    check.add_argument("files", nargs="+", metavar="FILE")
    check.add_argument("--rules", choices=("medicare", "commercial"), default="medicare")
    check.add_argument(
        "--engine",
        choices=ENGINES,
        help="columnar (needs polars: the 'fast' extra; the default when installed) or claims;"
        " both give the same findings",
    )
    check.add_argument("--on", type=_date, metavar="DATE", help="judge every line on this date")
    check.add_argument("--format", choices=("table", "json", "csv"), default="table")
    check.add_argument(
        "--data",
        type=Path,
        metavar="DIR",
        default=os.environ.get("CPTKIT_DATA") or None,
        help="newer CMS files (MUE, PTP, AOC, HCPCS) to judge by, over the packaged data"
        " (default: the CPTKIT_DATA environment variable)",
    )
    check.add_argument(
        "--map",
        type=_mapping,
        action="append",
        default=[],
        metavar="COLUMN=FIELD",
        help="read a column as a field (DOS=date_of_service); COLUMN= ignores the column",
    )
    check.add_argument(
        "--encoding", type=_encoding, default="utf-8", help="the files' text encoding (cp1252)"
    )
    check.add_argument(
        "--date-format", metavar="FORMAT", help="dates besides YYYY-MM-DD, e.g. %%m/%%d/%%Y"
    )
    check.add_argument(
        "--input-format",
        choices=tuple(FORMATS),
        help="the files' format (default: from the name; from the content for -)",
    )
    check.add_argument(
        "--history",
        type=Path,
        metavar="LEDGER",
        help="a cptkit.history ledger (SQLite): check across the patients' earlier claims",
    )
    check.add_argument(
        "--record",
        action="store_true",
        help="record each checked claim with a patient key in the --history ledger",
    )
    check.add_argument(
        "--locality",
        help="the PFS locality (10112-00): KX estimates, and allowed amounts recorded with claims",
    )
    check.add_argument(
        "--progress",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="progress on stderr (default: when stderr is a terminal)",
    )

    _estimate.add_parser(commands)
    _auth.add_parser(commands, _date)

    lookup = commands.add_parser("lookup", help="what the dataset knows of a code")
    lookup.add_argument("code")
    lookup.add_argument("--on", type=_date, metavar="DATE", help="is it valid on this date?")
    search = commands.add_parser("search", help="codes whose summary contains every word")
    search.add_argument("text", nargs="+")
    search.add_argument("--on", type=_date, metavar="DATE", help="only codes valid then")
    modifier = commands.add_parser("modifier", help="what a modifier means")
    modifier.add_argument("modifier")
    modifier.add_argument("--on", type=_date, metavar="DATE")
    pos = commands.add_parser("pos", help="what a place-of-service code means")
    pos.add_argument("place")
    pos.add_argument("--on", type=_date, metavar="DATE")

    units = commands.add_parser("units", help="billed units for documented minutes")
    units.add_argument("minutes", nargs="+", metavar="CODE=MINUTES")
    units.add_argument("--rule", choices=("cms", "ama"), default="cms")
    units.add_argument("--explain", action="store_true", help="show each step")

    sheet = commands.add_parser("cheatsheet", help="a one-page staff cheat sheet")
    sheet.add_argument("--discipline", choices=("PT", "OT", "SLP", "ABA", "BH"), action="append")
    sheet.add_argument("--format", choices=("md", "html"), default="md")
    return parser


def _version() -> str:
    from .. import dataset_version

    return f"cptkit {__version__}, dataset {dataset_version}"


class _Version(argparse.Action):
    """``--version``: one line, never wrapped to the terminal (argparse's own action wraps)."""

    def __call__(self, parser: argparse.ArgumentParser, *args: object) -> None:
        print(_version())
        parser.exit()


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line with *argv* (default ``sys.argv[1:]``); return the exit status.

    Bad usage exits through :class:`SystemExit` with status 2, as argparse does. Any other
    failure prints one line and returns 2, never 1 (which means "errors found"): damaged
    packaged data, output that cannot be written, or a defect in cptkit (an internal error).
    Ctrl-C returns 130 after one line; a reader that goes away (``| head``) returns 141,
    silently.
    """
    try:
        return _main(argv)
    except BrokenPipeError:
        # The reader went away (``cptkit check ... | head``): stop quietly, and keep Python's
        # shutdown from reporting the flush of the closed stdout.
        with contextlib.suppress(OSError, ValueError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_BROKEN_PIPE
    except KeyboardInterrupt:
        print("cptkit: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except DatasetError as err:
        _fail(str(err))
    except OSError as err:  # the output cannot be written: a full disk, a closed terminal
        _fail(f"cannot write the output ({err.strerror or type(err).__name__})")
    except Exception as err:
        # The exception's text is not shown: it might quote a value from the input.
        _fail(f"internal error ({type(err).__name__}); please report it")
    return EXIT_USAGE


def _fail(text: str) -> None:
    with contextlib.suppress(OSError, ValueError):
        print(f"cptkit: {printable(text)}", file=sys.stderr)


def _main(argv: Sequence[str] | None) -> int:
    args = _parser().parse_args(sys.argv[1:] if argv is None else list(argv))
    if args.command is None:
        return _info.demo()
    if args.command == "check":
        return check(args)
    if args.command == "estimate":
        return _estimate.run(args)
    if args.command == "auth":
        return _auth.run(args)
    if args.command == "cheatsheet":
        from ._cheatsheet import cheatsheet

        print(cheatsheet(args.discipline or ["PT", "OT", "SLP", "ABA", "BH"], args.format))
        return EXIT_OK
    return _info.run(args)


def _notice(text: str) -> None:
    print(f"cptkit check: {printable(text)}", file=sys.stderr)


def check(args: argparse.Namespace) -> int:
    """``cptkit check``: read, group, validate and report; return the exit status."""
    from .. import rulesets

    files, problems, notices = claim_files(args.files, named=args.input_format is None)
    if problems:
        for problem in problems:
            _notice(problem)
        return EXIT_USAGE
    for text in notices:
        _notice(text)

    def notice(text: str) -> None:
        writer.progress.clear()
        _notice(text)

    try:
        # Readings open their file when first read; made now, they check the options first.
        readings = [
            read(
                name,
                format=args.input_format,
                columns=dict(args.map),
                encoding=args.encoding,
                date_format=args.date_format,
                on_notice=notice,
            )
            for name in files
        ]
    except InvalidInput as err:  # --map naming no field, --date-format without a directive
        _notice(str(err))
        return EXIT_USAGE
    try:
        columnar = engine_for(args.engine) == "columnar"
    except InvalidInput:
        _notice("--engine columnar needs polars: pip install 'cptkit[fast]'")
        return EXIT_USAGE
    ruleset = rulesets.medicare() if args.rules == "medicare" else rulesets.commercial()
    try:
        verify_packaged()  # damaged data is refused before anything is printed
    except DatasetError as err:
        _notice(f"packaged data: {err}")
        return EXIT_USAGE
    try:
        catalog = _catalog(args.data)
    except CptkitError as err:
        print(f"cptkit check: --data: {err}", file=sys.stderr)
        return EXIT_USAGE
    if args.record and args.history is None:
        _notice("--record needs --history LEDGER")
        return EXIT_USAGE
    if args.history is not None and args.engine == "columnar":
        # With a ledger, each claim is judged after those recorded before it: one at a time.
        _notice("--history checks claim by claim: use --engine claims (or leave --engine out)")
        return EXIT_USAGE
    if args.locality is not None and not _known_locality(args.locality):
        _notice(f"--locality {args.locality!r} is not a MAC locality (e.g. 10112-00)")
        return EXIT_USAGE
    try:
        history = None if args.history is None else History.open(args.history)
    except CptkitError as err:
        _notice(f"--history: {err}")
        return EXIT_USAGE
    # One checker for the whole run: its caches serve every claim of every file.
    checker = Checker(
        rules=ruleset,
        on=args.on,
        catalog=catalog,
        facts=Facts(locality=args.locality),
        history=history,
    )
    recorder = None
    if args.record and history is not None:
        recorder = _Recorder(history, args.locality, catalog)
    where = min(max(len(name) for name in files) + 6, 40)
    writer = make_writer(args.format, where=where, progress=args.progress)
    summary = Summary(files=len(files), data=catalog.version)
    writer.begin({"cptkit": __version__, "dataset": catalog.version, "rules": args.rules})
    if history is not None:
        columnar = False  # the default engine, with a ledger (refused above if asked for)
    for reading in readings:
        checking = None
        batches: Iterable[list[Record]]
        try:
            if columnar:
                batches = _columnar_records(reading, checker, summary)
            else:
                batches = checking = _PerClaim(reading, checker, summary, recorder)
            for records in batches:
                for record in records:
                    writer.record(record)
                rows = summary.rows_read + reading.counts.rows
                writer.progress.update(reading.name, rows, summary.claims_checked)
        except Unreadable as err:
            writer.progress.clear()
            _notice(str(err))
            summary.unreadable.append(reading.name)
            continue
        except OSError:
            raise  # writing the output failed: main() says so
        except Exception as err:
            writer.progress.clear()
            row = 0 if checking is None else checking.row
            at = f"row {row}" if row else f"the row after row {reading.counts.rows}"
            _notice(
                f"{reading.name}: internal error ({type(err).__name__}) at {at}; the rest of"
                " the file was not checked (please report it)"
            )
            summary.unreadable.append(reading.name)
            continue
        summary.rows_read += reading.counts.rows
        summary.rows_rejected += reading.counts.rejected
    if not summary.rows_read and not summary.unreadable:
        _notice("nothing to check: no file holds a row")
        summary.unreadable.extend(files)
    writer.end(summary)
    if recorder is not None:
        recorder.report()
    return summary.exit_status


def _known_locality(locality: str) -> bool:
    from .. import payment

    return any(
        place.id == locality
        for schedule in payment.fee_schedules()
        for place in schedule.localities()
    )


class _Recorder:
    """Records checked claims (with their estimated allowed amounts when a locality is given)."""

    def __init__(self, history: History, locality: str | None, catalog: Catalog) -> None:
        self.history, self.locality, self.catalog = history, locality, catalog
        self.recorded = self.skipped = 0

    def record(self, claim: Claim) -> None:
        if claim.patient is None:
            self.skipped += 1
            return
        allowed = None
        if self.locality is not None:
            from .. import payment

            with contextlib.suppress(CptkitError):
                estimate = payment.estimate(claim, locality=self.locality, catalog=self.catalog)
                allowed = [line.allowed for line in estimate.lines]
        self.history.record(claim, allowed=allowed)
        self.recorded += 1

    def report(self) -> None:
        skipped = f"; {self.skipped} without a patient key not recorded" if self.skipped else ""
        _notice(f"{self.recorded} claims recorded{skipped}")


def _columnar_records(
    events: Iterable[Group | Rejected], checker: Checker, summary: Summary
) -> Iterator[list[Record]]:
    """The records of *events* by :mod:`cptkit.columnar`, a batch of claims at a time."""
    from ..columnar import check_events

    for batch in check_events(events, checker):
        summary.claims_checked += batch.claims
        summary.claims_with_errors += batch.claims_with_errors
        for severity, count in batch.severities.items():
            summary.findings[severity] += count
        yield [Record(**row) for row in batch.findings.iter_rows(named=True)]


def _catalog(data: Path | None) -> Catalog:
    """The packaged catalog, with the CMS files of directory *data* over it.

    A file that is no CMS data file (the read-me or the report of a CMS download) is skipped
    with a notice on stderr; a CMS file that cannot be read is an error, and so is a
    directory without one.
    """
    from .._catalog import default_catalog
    from .._cms_files import kind_of
    from .._icd10cm_files import is_icd10cm_file

    if data is None:
        return default_catalog()
    if not data.is_dir():
        raise DatasetError(f"{data}: not a directory")
    files = []
    for path in sorted(p for p in data.iterdir() if p.is_file() and not p.name.startswith(".")):
        if is_icd10cm_file(path) or kind_of(path) is not None:
            files.append(path)
        else:
            print(
                f"cptkit: {path.name} in {data} skipped: not a CMS MUE, PTP, AOC, HCPCS or"
                " ICD-10-CM file",
                file=sys.stderr,
            )
    if not files:
        raise DatasetError(f"{data}: no CMS data files in it")
    return default_catalog().with_cms_files(*files)


class _PerClaim:
    """The records of one reading by the per-claim engine, event by event in row order: the
    claims of up to 32 events at a time go through :meth:`Checker.check_many` (which checks
    them rule by rule; with a ledger, each only after the one before it is recorded).

    Attributes:
        row: the first row of the claim being checked, 0 between claims (named if a rule
            fails).
    """

    def __init__(
        self,
        reading: Iterable[Group | Rejected],
        checker: Checker,
        summary: Summary,
        recorder: _Recorder | None,
    ) -> None:
        self.reading = reading
        self.checker = checker
        self.summary = summary
        self.recorder = recorder
        self.row = 0

    def __iter__(self) -> Iterator[list[Record]]:
        events = iter(self.reading)
        while True:
            batch, failure, more = _next_events(events)
            reports = self.checker.check_many([e.claim for e in batch if isinstance(e, Group)])
            for event in batch:
                if isinstance(event, Rejected):
                    yield [_rejected(event)]
                    continue
                self.row = event.rows[0]
                yield list(_checked(event, next(reports), self.summary))
                if self.recorder is not None:
                    self.recorder.record(event.claim)
                self.row = 0
            if failure is not None:
                raise failure  # reading failed after the events before it
            if not more:
                return


def _records(
    reading: Iterable[Group | Rejected], checker: Checker, summary: Summary
) -> Iterator[Record]:
    """Every record of *reading* as ``cptkit check --engine claims`` writes them (without a
    ledger to record in)."""
    for records in _PerClaim(reading, checker, summary, None):
        yield from records


_CLAIMS_AT_ONCE = 32  # Checker.check_many's own batch
_EVENTS_AT_ONCE = 256  # so that a run of rejected rows is not all held


def _next_events(
    events: Iterator[Group | Rejected],
) -> tuple[list[Group | Rejected], Exception | None, bool]:
    """The next events of a reading, up to 32 claims: ``(events, what reading raised after
    them or None, whether more may follow)``."""
    batch: list[Group | Rejected] = []
    claims = 0
    try:
        for event in events:
            batch.append(event)
            claims += isinstance(event, Group)
            if claims == _CLAIMS_AT_ONCE or len(batch) == _EVENTS_AT_ONCE:
                return batch, None, True
    except Exception as error:  # raised once the events read before it are checked
        return batch, error, False
    return batch, None, False


def _rejected(event: Rejected) -> Record:
    return Record(
        event.file,
        event.row,
        event.claim_id,
        None,
        "error",
        "row-rejected",
        event.field,
        event.reason,
    )


def _checked(group: Group, report: Report, summary: Summary) -> Iterator[Record]:
    claim = group.claim
    summary.claims_checked += 1
    if group.split:
        summary.findings["warning"] += 1
        yield Record(
            group.file,
            group.rows[0],
            claim.claim_id,
            None,
            "warning",
            "claim-rows-not-adjacent",
            "claim_id",
            "this claim's key appeared earlier in the file, apart from these rows; they were"
            " checked as a claim of their own",
            suggestion="sort the file so that each claim's rows are together",
        )
    if not report.ok:
        summary.claims_with_errors += 1
    for finding in report.findings:
        summary.findings[finding.severity.value] += 1
        index = 0 if finding.line is None else finding.line
        yield Record(
            group.file,
            group.rows[index],
            claim.claim_id,
            finding.line_number,
            finding.severity.value,
            finding.rule,
            finding.field,
            finding.message,
            finding.carc,
            finding.suggestion,
        )
