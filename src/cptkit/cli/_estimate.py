# SPDX-License-Identifier: MIT
"""``cptkit estimate``: what Medicare would allow for each claim of a file (PFS estimate).

The claims are read exactly as ``cptkit check`` reads them; each is priced with
:func:`cptkit.payment.estimate`. Output: a table (default), one JSON document, or CSV rows
(one per claim line, the claim's totals repeated on each). Exit status: 0 when every claim
was estimated, 1 when a claim could not be (or a row was rejected), 2 for bad usage or an
unreadable file.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TextIO

from ..errors import CptkitError
from ..payment._records import LINE_COLUMNS

__all__ = ["add_parser", "run"]

_TOTALS = ("claim_allowed", "medicare_share", "coinsurance", "medicare_payment")
CSV_COLUMNS = ("file", "row", "claim_id", *LINE_COLUMNS, *_TOTALS, "note")


def add_parser(commands: Any) -> None:
    """Register ``estimate`` on the ``cptkit`` subcommands."""
    parser = commands.add_parser(
        "estimate",
        help="what Medicare would allow for each claim (Physician Fee Schedule)",
        description="Price each claim of CSV, JSON or NDJSON files with the Medicare Physician"
        " Fee Schedule: RVUs x GPCIs x conversion factor, the therapy MPPR and the CQ/CO"
        " reduction; Medicare's 80%% and the coinsurance.",
    )
    parser.add_argument("files", nargs="+", metavar="FILE", type=Path)
    parser.add_argument("--locality", required=True, help="MAC locality, e.g. 10112-00 (Alabama)")
    parser.add_argument("--year", type=int, help="price with this year's fee schedule")
    parser.add_argument(
        "--sequestration", action="store_true", help="take 2%% off Medicare's share"
    )
    parser.add_argument(
        "--qualifying-apm",
        action="store_true",
        help="the practitioner is a qualifying APM participant (its own conversion factor from 2026)",
    )
    parser.add_argument("--format", choices=("table", "json", "csv"), default="table")


def run(args: argparse.Namespace) -> int:
    """Read, group, estimate and print; return the exit status."""
    from .. import payment
    from ..files import claim_files
    from . import EXIT_USAGE

    stream = sys.stdout
    files, problems, notices = claim_files(args.files)
    for notice in notices:
        print(f"cptkit estimate: {notice}", file=sys.stderr)
    known = {place.id for schedule in payment.fee_schedules() for place in schedule.localities()}
    if args.locality not in known:
        problems.append(f"--locality {args.locality!r} is not a MAC locality (e.g. 10112-00)")
    if problems:
        for problem in problems:
            print(f"cptkit estimate: {problem}", file=sys.stderr)
        return EXIT_USAGE
    results = list(_estimates(files, args))
    unreadable = [item for item in results if item["kind"] == "unreadable"]
    for item in unreadable:
        print(f"cptkit estimate: {item['problem']}", file=sys.stderr)
    results = [item for item in results if item["kind"] != "unreadable"]
    {"json": _json, "csv": _csv}.get(args.format, _table)(results, args, stream)
    if unreadable:
        return EXIT_USAGE
    return 1 if any(item["kind"] != "estimate" for item in results) else 0


def _estimates(files: list[str], args: argparse.Namespace) -> Iterator[dict[str, Any]]:
    from .. import payment
    from ..files import Rejected, Unreadable, read

    for path in files:
        try:
            for event in read(path):
                if isinstance(event, Rejected):
                    yield {
                        "kind": "rejected",
                        "file": event.file,
                        "row": event.row,
                        "claim_id": event.claim_id,
                        "problem": event.reason,
                    }
                    continue
                where = {"file": event.file, "row": event.rows[0], "rows": event.rows}
                try:
                    found = payment.estimate(
                        event.claim,
                        locality=args.locality,
                        year=args.year,
                        sequestration=args.sequestration,
                        qualifying_apm=args.qualifying_apm,
                    )
                except CptkitError as err:
                    yield {
                        "kind": "not-estimated",
                        "claim_id": event.claim.claim_id,
                        "problem": str(err),
                        **where,
                    }
                    continue
                yield {"kind": "estimate", "estimate": found, **where}
        except Unreadable as err:
            yield {"kind": "unreadable", "problem": str(err)}


def _totals(results: list[dict[str, Any]]) -> dict[str, Any]:
    from decimal import Decimal

    estimates = [item["estimate"] for item in results if item["kind"] == "estimate"]
    return {
        "claims_estimated": len(estimates),
        "claims_not_estimated": sum(item["kind"] == "not-estimated" for item in results),
        "rows_rejected": sum(item["kind"] == "rejected" for item in results),
        "allowed": str(sum((e.allowed for e in estimates), Decimal("0.00"))),
        "medicare_payment": str(sum((e.medicare_payment for e in estimates), Decimal("0.00"))),
    }


def _summary_text(results: list[dict[str, Any]]) -> str:
    totals = _totals(results)
    return (
        f"Summary: {totals['claims_estimated']} claim(s) estimated,"
        f" {totals['claims_not_estimated']} not, {totals['rows_rejected']} row(s) rejected;"
        f" allowed ${totals['allowed']}, Medicare pays ${totals['medicare_payment']}"
    )


def _table(results: list[dict[str, Any]], args: argparse.Namespace, out: TextIO) -> None:
    for item in results:
        where = f"{item['file']}:{item['row']}"
        if item["kind"] != "estimate":
            label = item["claim_id"] or "-"
            print(f"{where}  claim {label}: not estimated: {item['problem']}", file=out)
            continue
        found = item["estimate"]
        print(
            f"{where}  claim {found.claim_id or '-'}: allowed ${found.allowed}, Medicare"
            f" ${found.medicare_payment}, coinsurance ${found.coinsurance}",
            file=out,
        )
        for line in found.lines:
            reductions = ""
            if line.mppr_reduction:
                reductions += f"  MPPR -${line.mppr_reduction}"
            if line.assistant_reduction:
                reductions += f"  CQ/CO -${line.assistant_reduction}"
            print(
                f"  line {line.line + 1:>2}  {line.code}  x{line.units}  {line.release}"
                f"  {line.setting:<12}  ${line.unit_amount}/unit{reductions}"
                f"  allowed ${line.allowed}",
                file=out,
            )
        for notice in found.notices:
            print(f"  note: {notice.message}", file=out)
    print(_summary_text(results), file=out)


def _json(results: list[dict[str, Any]], args: argparse.Namespace, out: TextIO) -> None:
    from .. import __version__, dataset_version

    documents = []
    for item in results:
        if item["kind"] == "estimate":
            record = item["estimate"].to_record()
            documents.append({"file": item["file"], "row": item["row"], **record})
        else:
            documents.append(
                {key: item[key] for key in ("kind", "file", "row", "claim_id", "problem")}
            )
    document = {
        "cptkit": __version__,
        "dataset": dataset_version,
        "locality": args.locality,
        "estimates": documents,
        "summary": _totals(results),
    }
    out.write(json.dumps(document, indent=1) + "\n")


def _csv(results: list[dict[str, Any]], args: argparse.Namespace, out: TextIO) -> None:
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for item in results:
        if item["kind"] != "estimate":
            blank = [""] * (len(CSV_COLUMNS) - 4)
            writer.writerow(
                [item["file"], item["row"], item["claim_id"] or "", *blank, item["problem"]]
            )
            continue
        found = item["estimate"]
        totals = [found.allowed, found.medicare_share, found.coinsurance, found.medicare_payment]
        notes = "; ".join(notice.message for notice in found.notices)
        for line in found.lines:
            figures = [getattr(line, column) for column in LINE_COLUMNS]
            row = item["rows"][line.line]
            writer.writerow([item["file"], row, found.claim_id or "", *figures, *totals, notes])
    print(_summary_text(results), file=sys.stderr)
