# SPDX-License-Identifier: MIT
"""Do two versions of cptkit find the same? A corpus of random claims, and their findings.

    python bench/same_findings.py corpus --examples 20000 --out corpus.json
    PYTHONPATH=OLD/src python bench/same_findings.py findings corpus.json --out old.json
    python bench/same_findings.py findings corpus.json --out new.json
    cmp old.json new.json

``corpus`` draws claims with hypothesis (derandomized, so the same every time): timed,
ladder, untimed, band and unknown-to-Medicare codes, several dates (either side of an NCCI
edit change and of a year end), zero to three modifiers among the discipline, bypass and
telehealth ones, missing minutes. ``findings`` checks the corpus with ``validate`` and with
``validate_many`` under both built-in rule sets, writes every finding as JSON, and exits 1
if the two ways disagree. A speed-up must leave two versions' files byte-identical.
"""

from __future__ import annotations

import argparse
import datetime
import json
import sys
from pathlib import Path
from typing import Any

import cptkit
import cptkit.rulesets
from cptkit.serialization import make_converter

CODES = [
    *("97110", "97112", "97140", "97530", "97116", "97535", "97153", "97155", "97032"),
    *("96130", "96131", "96132", "96133", "90839", "90840", "97129", "97130", "97760"),
    *("92507", "92526", "97161", "90837", "90834", "G0283", "0549T", "97597"),
]
MODIFIERS = ["GP", "GO", "GN", "59", "XU", "95", "KX", "CQ"]
DATES = [
    datetime.date(2019, 12, 31),
    datetime.date(2020, 1, 1),
    datetime.date(2022, 6, 30),
    datetime.date(2022, 7, 1),
    datetime.date(2026, 3, 2),
    datetime.date(2026, 3, 3),
]


def corpus(examples: int) -> list[Any]:
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    converter = make_converter()
    lines = st.builds(
        cptkit.ClaimLine,
        code=st.sampled_from(CODES),
        units=st.integers(1, 6),
        modifiers=st.lists(st.sampled_from(MODIFIERS), max_size=3, unique=True),
        date_of_service=st.sampled_from(DATES),
        minutes=st.none() | st.integers(0, 130),
        place_of_service=st.none() | st.sampled_from(["11", "10", "02"]),
    )
    claims = st.builds(
        cptkit.Claim,
        lines=st.lists(lines, min_size=1, max_size=6),
        diagnoses=st.just(["M54.50"]),
        place_of_service=st.sampled_from(["11", "10"]),
    )
    drawn: list[Any] = []

    @settings(
        max_examples=examples,
        database=None,
        derandomize=True,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(claims)
    def collect(claim: cptkit.Claim) -> None:
        drawn.append(converter.unstructure(claim))

    collect()
    return drawn


def findings(records: list[Any]) -> list[Any]:
    converter = make_converter()
    claims = [converter.structure(record, cptkit.Claim) for record in records]
    found = []
    for rules in (cptkit.rulesets.medicare(), cptkit.rulesets.commercial()):
        bulk = cptkit.validate_many(claims, rules=rules)
        found.append([[f.to_record() for f in report.findings] for report in bulk])
        one_by_one = (cptkit.validate(claim, rules=rules) for claim in claims)
        found.append([[f.to_record() for f in report.findings] for report in one_by_one])
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    make = commands.add_parser("corpus", help="write a corpus of random claims")
    make.add_argument("--examples", type=int, default=20_000)
    make.add_argument("--out", type=Path, required=True)
    check = commands.add_parser("findings", help="write the findings for a corpus")
    check.add_argument("corpus", type=Path)
    check.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    if args.command == "corpus":
        drawn = corpus(args.examples)
        args.out.write_text(json.dumps(drawn), encoding="utf-8")
        print(f"{len(drawn):,} claims written to {args.out}")
    else:
        records = json.loads(args.corpus.read_text(encoding="utf-8"))
        found = findings(records)
        args.out.write_text(json.dumps(found, sort_keys=True), encoding="utf-8")
        total = sum(len(claim) for run in found for claim in run)
        print(f"{total:,} findings written to {args.out}")
        if found[0] != found[1] or found[2] != found[3]:
            print("validate_many and validate disagree", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
