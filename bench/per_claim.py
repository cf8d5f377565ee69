# SPDX-License-Identifier: MIT
"""The per-claim engine against the ``csv.DictReader`` floor, in CPU time, in one process.

    python bench/generate.py --lines 200000 --seed 7 --out /tmp/200k.csv
    python bench/per_claim.py /tmp/200k.csv --rounds 3

Each round times, one after the other: the floor, the pydantic model of ``bench/run.py``
(when pydantic is installed), reading into ``Claim`` values (:func:`cptkit.files.read_claims`),
reading + the Medicare rule set (:func:`cptkit.validate_many`), and reading + as many rules
that find nothing as the Medicare set has plain rules (``nop``: what calling them costs). Alternating them in one
process keeps the ratios fair on a busy machine, where seconds swing; CPU time
(:func:`time.process_time`) leaves out the time other processes take. Prints each round's
seconds and ratios, then the best of each.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import attrs  # noqa: E402
import run  # noqa: E402

from cptkit import Claim, rulesets  # noqa: E402
from cptkit.validation import Checker, Context, Finding, LineRule, Rule, Severity, all_of  # noqa: E402


@attrs.frozen
class Nothing(Rule):
    """A plain rule that finds nothing."""

    def check(self, claim: Claim, context: Context) -> Iterator[Finding]:
        return
        yield


def nothing(path: Path) -> int:
    """Reading + a checker of rules that find nothing, one per plain Medicare rule."""
    plain = sum(not isinstance(member, LineRule) for member in rulesets.medicare().rules)
    rules = all_of(*(Nothing(f"nothing-{n}", Severity.INFO, None) for n in range(plain)))
    checker = Checker(rules=rules)
    return sum(len(report.findings) for report in checker.check_many(run.read_claims(path)))


def cpu(function: Callable[[], object]) -> float:
    start = time.process_time()
    function()
    return time.process_time() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", type=Path)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    path: Path = args.path
    figures: dict[str, Callable[[], object]] = {
        "floor": lambda: run.floor(path),
        "read": lambda: run.read(path),
        "validate": lambda: run.validate(path),
        "nop": lambda: nothing(path),
    }
    if run.pydantic_structure(path) is not None:
        figures["pydantic"] = lambda: run.pydantic_structure(path)
    best: dict[str, float] = {}
    for number in range(1, args.rounds + 1):
        seconds = {name: cpu(function) for name, function in figures.items()}
        for name, value in seconds.items():
            best[name] = min(best.get(name, value), value)
        print(f"round {number}: " + _line(seconds), flush=True)
    print("best:    " + _line(best))
    return 0


def _line(seconds: dict[str, float]) -> str:
    floor = seconds["floor"]
    parts = [f"{name} {value:.2f}s" for name, value in seconds.items()]
    parts.append(f"read/floor {seconds['read'] / floor:.2f}x")
    parts.append(f"validate/floor {seconds['validate'] / floor:.2f}x")
    parts.append(f"nop/floor {seconds['nop'] / floor:.2f}x")
    if "pydantic" in seconds:
        parts.append(f"read/pydantic {seconds['read'] / seconds['pydantic']:.2f}")
    return ", ".join(parts)


if __name__ == "__main__":
    raise SystemExit(main())
