# SPDX-License-Identifier: MIT
"""``cptkit auth``: keep a patient's authorizations in a ledger and see how much is left.

``cptkit auth add --history ledger.sqlite --id A-1 --patient KEY --codes 97153,97155
--units 120 --start 2026-03-01 --end 2026-08-31`` stores one; ``cptkit auth usage --history
ledger.sqlite --patient KEY`` prints, for each of the patient's authorizations, the units used
by the recorded claims, what remains and when it runs out at the current weekly pace. The
patient key is never printed. Exit status: 0, or 2 for bad usage or a ledger that cannot be
used.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from ..errors import CptkitError

__all__ = ["add_parser", "run"]


def add_parser(commands: Any, date: Any) -> None:
    """Register ``auth add`` and ``auth usage`` on the ``cptkit`` subcommands."""
    auth = commands.add_parser("auth", help="authorizations: store one, see what is left")
    actions = auth.add_subparsers(dest="action", metavar="ACTION", required=True)
    add = actions.add_parser("add", help="store an authorization in the ledger")
    usage = actions.add_parser("usage", help="used and remaining units, projected end")
    for parser in (add, usage):
        parser.add_argument("--history", type=Path, required=True, metavar="LEDGER")
        parser.add_argument("--patient", required=True, help="the patient's pseudonymous key")
    add.add_argument("--id", required=True, help="the payer's authorization number")
    add.add_argument("--payer", help="the payer label the claims carry (default: any)")
    add.add_argument("--codes", required=True, help="codes it covers, comma-separated")
    add.add_argument(
        "--units",
        required=True,
        help="pooled units (120), or per code (97153=100,97155=20)",
    )
    add.add_argument("--start", type=date, required=True, metavar="DATE")
    add.add_argument("--end", type=date, required=True, metavar="DATE")
    usage.add_argument("--on", type=date, metavar="DATE", help="measure the pace up to this date")
    usage.add_argument("--format", choices=("table", "json"), default="table")


def run(args: argparse.Namespace) -> int:
    """Run ``auth add`` or ``auth usage``; return the exit status."""
    from ..history import Authorization, History

    try:
        with History.open(args.history) as history:
            if args.action == "add":
                history.add_authorization(
                    Authorization(
                        id=args.id,
                        patient=args.patient,
                        payer=args.payer,
                        codes=[code.strip() for code in args.codes.split(",")],
                        units=_units(args.units),
                        start=args.start,
                        end=args.end,
                    )
                )
                print(f"authorization {args.id} stored")
                return 0
            reports = [
                history.authorization_usage(auth, on=args.on)
                for auth in history.authorizations(args.patient)
            ]
    except (CptkitError, ValueError) as err:
        print(f"cptkit auth: {err}", file=sys.stderr)
        return 2
    if args.format == "json":
        print(json.dumps([_record(report) for report in reports], indent=2))
        return 0
    if not reports:
        print("no authorizations for this patient")
    for report in reports:
        pace = "-" if report.weekly_pace is None else f"{report.weekly_pace}/week"
        end = "-" if report.projected_end is None else report.projected_end.isoformat()
        print(
            f"{report.authorization_id}: {report.used} of {report.authorized} units used,"
            f" {report.remaining} left (as of {report.as_of}); pace {pace}; runs out {end}"
        )
    return 0


def _units(text: str) -> int | dict[str, int]:
    if "=" not in text:
        return int(text)
    pairs = (item.split("=", 1) for item in text.split(","))
    return {code.strip(): int(units) for code, units in pairs}


def _record(report: Any) -> dict[str, Any]:
    return {
        "authorization_id": report.authorization_id,
        "authorized": report.authorized,
        "used": report.used,
        "remaining": report.remaining,
        "by_code": [
            {"code": str(code), "used": used, "authorized": authorized}
            for code, used, authorized in report.by_code
        ],
        "as_of": report.as_of.isoformat(),
        "weekly_pace": None if report.weekly_pace is None else str(report.weekly_pace),
        "projected_end": None if report.projected_end is None else report.projected_end.isoformat(),
    }
