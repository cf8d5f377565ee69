# SPDX-License-Identifier: MIT
"""A seeded generator of realistic synthetic therapy claims, written as CSV.

    python bench/generate.py --lines 1000000 --out bench/results/claims.csv [--seed 7]

The mix: PT, OT and SLP visits of 1-6 lines, ABA days, psychotherapy visits; about 3 % of lines
carry a typical mistake (a deleted code, a missing GP/GO/GN, units the minutes do not support,
a duplicate line). All identifiers are synthetic.
"""

from __future__ import annotations

import argparse
import csv
import datetime
import random
import sys
from collections.abc import Iterator
from pathlib import Path

from cptkit.files import LINE_COLUMNS

COLUMNS = ["claim_id", *LINE_COLUMNS, "diagnoses"]  # the columns `cptkit check` reads

PT_TIMED = ["97110", "97112", "97140", "97530", "97116", "97535"]
OT_TIMED = ["97110", "97530", "97535", "97112", "97140"]
DIAGNOSES = {
    "PT": ["M54.50", "M25.561", "M62.81", "R26.89", "S83.511A"],
    "OT": ["M25.611", "G56.01", "R27.8", "M19.041"],
    "SLP": ["F80.2", "R13.12", "R48.8", "F80.1"],
    "ABA": ["F84.0"],
    "BH": ["F41.1", "F32.1", "F43.10", "F90.2"],
}


def _visit(rng: random.Random, kind: str) -> list[dict[str, str]]:
    if kind in ("PT", "OT"):
        modifier = "GP" if kind == "PT" else "GO"
        rows = []
        if rng.random() < 0.2:
            rows.append(
                {
                    "code": "97161" if kind == "PT" else "97165",
                    "units": "1",
                    "modifiers": modifier,
                    "minutes": "",
                }
            )
        pool = PT_TIMED if kind == "PT" else OT_TIMED
        for code in rng.sample(pool, rng.randint(1, min(5, len(pool)))):
            minutes = rng.choice([8, 10, 12, 15, 18, 23, 25, 30, 33, 38])
            units = (minutes - 8) // 15 + 1  # per-code midpoint; the CMS pool may differ
            rows.append(
                {"code": code, "units": str(units), "modifiers": modifier, "minutes": str(minutes)}
            )
        return rows
    if kind == "SLP":
        rows = [{"code": "92507", "units": "1", "modifiers": "GN", "minutes": ""}]
        if rng.random() < 0.3:
            rows.append({"code": "92526", "units": "1", "modifiers": "GN", "minutes": ""})
        return rows
    if kind == "ABA":
        hours = rng.randint(2, 6)
        rows = [
            {
                "code": "97153",
                "units": str(hours * 4),
                "modifiers": "HN",
                "minutes": str(hours * 60),
            }
        ]
        if rng.random() < 0.4:
            rows.append({"code": "97155", "units": "2", "modifiers": "HO", "minutes": "30"})
        return rows
    minutes = rng.choice([30, 45, 55, 60])
    code = "90832" if minutes < 38 else "90834" if minutes < 53 else "90837"
    return [{"code": code, "units": "1", "modifiers": "", "minutes": str(minutes)}]


def _mistake(rng: random.Random, row: dict[str, str]) -> None:
    choice = rng.randrange(4)
    if choice == 0:
        row["code"] = rng.choice(["96101", "97532", "92506", "G0515"])
    elif choice == 1:
        row["modifiers"] = ""
    elif choice == 2:
        row["units"] = str(int(row["units"]) + 2)
    else:
        row["place_of_service"] = "10"


def rows(count: int, seed: int) -> Iterator[dict[str, str]]:
    """Yield *count* claim-line rows, grouped by claim."""
    rng = random.Random(seed)
    start = datetime.date(2026, 1, 5)
    produced = claim_number = 0
    kinds = ["PT"] * 4 + ["OT"] * 2 + ["SLP"] * 2 + ["ABA"] * 2 + ["BH"] * 2
    while produced < count:
        claim_number += 1
        kind = rng.choice(kinds)
        day = start + datetime.timedelta(days=rng.randrange(300))
        diagnoses = rng.sample(DIAGNOSES[kind], rng.randint(1, min(3, len(DIAGNOSES[kind]))))
        place = "10" if kind == "ABA" and rng.random() < 0.3 else "11"
        for line in _visit(rng, kind)[: count - produced]:
            row = {
                "claim_id": f"SYN{claim_number:08d}",
                "date_of_service": day.isoformat(),
                "place_of_service": place,
                "diagnosis_pointers": "1",
                "charge": f"{rng.randint(40, 400)}.00",
                "diagnoses": " ".join(diagnoses),
                **line,
            }
            if place == "10" and kind == "ABA":
                row["modifiers"] = (row["modifiers"] + " 95").strip()
            if rng.random() < 0.03:
                _mistake(rng, row)
            produced += 1
            yield row


def write(path: Path, count: int, seed: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.DictWriter(stream, COLUMNS)
        writer.writeheader()
        writer.writerows(rows(count, seed))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", type=Path, default=Path("bench/results/claims.csv"))
    args = parser.parse_args(argv)
    write(args.out, args.lines, args.seed)
    print(f"wrote {args.lines:,} lines to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
