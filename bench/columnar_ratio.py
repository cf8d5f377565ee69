# SPDX-License-Identifier: MIT
"""The columnar engine against its floor, alternately in one process.

    python bench/columnar_ratio.py [--lines 200000 | --file claims.csv] [--rounds 3]
                                   [--per-claim]

Each round times, one after the other on the same file: the ``csv.DictReader`` floor,
polars' ``read_csv`` (every column as text), reading into ``Claim`` values
(:mod:`cptkit.files`), and :func:`cptkit.columnar.check_file` with the Medicare rules (and,
with ``--per-claim``, ``validate_many`` over the same reading). It prints CPU and wall seconds
and each one's ratio to the floor of the same round, then the median ratios. Alternating in
one process keeps the ratios steady on a machine whose speed drifts from minute to minute.
Without ``--file`` the seeded generated file (``bench/generate.py --seed 7``) is written to a
temporary folder first.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import run  # noqa: E402


def _timed(function: Callable[[], object]) -> tuple[float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    function()
    return time.process_time() - cpu, time.perf_counter() - wall


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lines", type=int, default=200_000)
    parser.add_argument("--file", type=Path, help="a claims CSV (default: generate --lines)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--per-claim", action="store_true", help="time validate_many too")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        path = run.claims_file(args.file, folder, args.lines)
        run.columnar(path)  # polars and the engine imported, before timing
        figures: dict[str, Callable[[], object]] = {
            "floor: csv.DictReader": lambda: run.floor(path),
            "polars read_csv": lambda: run.polars_read(path),
            "reading into Claim values": lambda: run.read(path),
            "columnar check_file": lambda: run.columnar(path),
        }
        if args.per_claim:
            figures["per-claim validate_many"] = lambda: run.validate(path)
        ratios: dict[str, list[float]] = {name: [] for name in figures}
        for number in range(1, args.rounds + 1):
            floor_cpu = 0.0
            for name, function in figures.items():
                cpu, wall = _timed(function)
                if not floor_cpu:
                    floor_cpu = cpu
                ratios[name].append(cpu / floor_cpu)
                print(
                    f"round {number}  {name:28} cpu {cpu:6.2f} s  wall {wall:6.2f} s"
                    f"  {cpu / floor_cpu:5.1f}x the floor (cpu)"
                )
        print(f"median over {args.rounds} rounds (cpu, against the floor of the same round):")
        for name, values in ratios.items():
            print(f"  {name:28} {statistics.median(values):5.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
