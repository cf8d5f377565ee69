# SPDX-License-Identifier: MIT
"""Claims from a data frame against claims from the file: the ratio issue #17 bounds at 2.

    python bench/frames.py [--lines 200000] [--repeat 3] [--smoke]

Writes a synthetic file (bench/generate.py), then times, each the best of --repeat runs:

1. file: ``cptkit.files.read_claims`` on the CSV file (what ``cptkit check`` reads with);
2. pandas: ``claims_from_frame`` on ``pandas.read_csv(path)`` with its default dtypes (codes
   as int64, minutes as float64 with NaN ...), the frame read beforehand;
3. polars: the same on ``polars.read_csv(path, infer_schema_length=None)``.

and prints each frame time over the file time. Exits 1 when a ratio is above 2, or when a
frame gives other claims than the file (--smoke checks the claims only: 2,000 lines time
fixed overheads, not reading).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import generate  # noqa: E402

from cptkit import Claim  # noqa: E402
from cptkit.files import read_claims  # noqa: E402
from cptkit.frames import claims_from_frame  # noqa: E402

LIMIT = 2.0


def best(repeat: int, run: Callable[[], list[Claim]]) -> tuple[float, list[Claim]]:
    times, claims = [], []
    for _ in range(repeat):
        started = time.perf_counter()
        claims = run()
        times.append(time.perf_counter() - started)
    return min(times), claims


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lines", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--smoke", action="store_true", help="2,000 lines, one run")
    args = parser.parse_args(argv)
    lines, repeat = (2_000, 1) if args.smoke else (args.lines, args.repeat)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "claims.csv"
        generate.write(path, lines, seed=7)

        def skip(rejected: object) -> None:
            pass

        base, expected = best(repeat, lambda: list(read_claims(path, on_rejected=skip)))
        print(f"{lines:,} lines; file (read_claims): {base:.2f} s, {len(expected):,} claims")
        status = 0
        frames: dict[str, Callable[[], Any]] = {}
        try:
            import pandas

            frames["pandas"] = lambda: pandas.read_csv(path)
        except ImportError:
            print("pandas: not installed, skipped")
        try:
            import polars

            # polars infers from the first 100 rows by default and fails on the first G-code
            # after them; the inferred dtypes over the whole file are its defaults otherwise.
            frames["polars"] = lambda: polars.read_csv(path, infer_schema_length=None)
        except ImportError:
            print("polars: not installed, skipped")
        for name, load in frames.items():
            frame = load()

            def from_frame(frame: Any = frame) -> list[Claim]:
                return list(claims_from_frame(frame, on_rejected=skip))

            took, claims = best(repeat, from_frame)
            ratio = took / base
            same = claims == expected
            print(
                f"{name} (claims_from_frame, default dtypes): {took:.2f} s;"
                f" ratio {ratio:.2f} (limit {LIMIT}); same claims as the file: {same}"
            )
            if not same or (ratio > LIMIT and not args.smoke):  # 2,000 lines time overheads
                status = 1
    return status


if __name__ == "__main__":
    sys.exit(main())
