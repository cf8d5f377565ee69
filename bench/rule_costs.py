# SPDX-License-Identifier: MIT
"""Where checking time goes: each rule's cost per claim, and the pipeline against its floor.

    python bench/rule_costs.py [--lines 1000000] [--file claims.csv] [--pipeline-only]

Reads the claims first (so only checking is timed), then prints, in microseconds per claim
and as shares measured in the same run:

* each Medicare rule alone over every claim, with a fresh context (a line rule alone still
  goes through its line memo), and its share of the whole rule set's time;
* the Medicare rule set over every claim;
* the streaming pipeline (``bench/run.py``'s figure 3: reading + ``validate_many``) against
  its ``csv.DictReader`` floor, and the garbage collector's full collections' share of it.

To compare two versions of cptkit, run the same command with ``PYTHONPATH=OTHER/src``, old
and new alternately (this machine's speed drifts between runs).
"""

from __future__ import annotations

import argparse
import gc
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import run  # noqa: E402

from cptkit import Claim  # noqa: E402
from cptkit.rulesets import medicare  # noqa: E402
from cptkit.validation import Context, make_context  # noqa: E402


class FullCollections:
    """Counts the garbage collector's full (generation 2) collections and their time."""

    def __init__(self) -> None:
        self.count = 0
        self.seconds = 0.0
        self._start = 0.0

    def __call__(self, phase: str, info: dict[str, int]) -> None:
        if info["generation"] != 2:
            return
        if phase == "start":
            self._start = time.perf_counter()
        else:
            self.count += 1
            self.seconds += time.perf_counter() - self._start


def _per_claim_us(
    claims: list[Claim], check: Callable[[Claim, Context], Iterable[object]]
) -> float:
    context = make_context(rules=medicare())
    start = time.perf_counter()
    for claim in claims:
        for _ in check(claim, context):
            pass
    return (time.perf_counter() - start) / max(len(claims), 1) * 1e6


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--file", type=Path, help="a claims CSV (default: generate --lines)")
    parser.add_argument("--pipeline-only", action="store_true")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        path = run.claims_file(args.file, folder, args.lines)
        if not args.pipeline_only:
            claims = list(run.read_claims(path))
            print(f"claims {len(claims):,}")
            ruleset = medicare()
            whole = _per_claim_us(claims, ruleset)
            for rule in ruleset.rules:
                name = getattr(rule, "id", repr(rule))
                alone = _per_claim_us(claims, rule)
                print(f"{name:30} {alone:7.2f} µs per claim ({alone / whole:6.1%} of the set)")
            print(f"{'rule set':30} {whole:7.2f} µs per claim")
        floor = run.best(lambda: run.floor(path), 1)
        collections = FullCollections()
        gc.callbacks.append(collections)
        try:
            seconds = run.best(lambda: run.validate(path), 1)
        finally:
            gc.callbacks.remove(collections)
        print(
            f"{'pipeline (read + validate_many)':30} {seconds:7.2f} s"
            f" ({seconds / floor:.1f}x the csv.DictReader floor, {floor:.2f} s)"
        )
        print(
            f"{'of which full collections':30} {collections.seconds:7.2f} s"
            f" ({collections.seconds / seconds:.0%}; {collections.count} collections)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
