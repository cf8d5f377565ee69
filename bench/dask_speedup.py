# SPDX-License-Identifier: MIT
"""Speed-up of validation on a Dask LocalCluster: 2 worker processes against 1.

    python bench/dask_speedup.py [--lines 1000000] [--files 8]

Writes the synthetic claims as --files CSV files (one partition each), validates them on a
cluster of 1 worker process and then of 2, checks that both give the findings a single
process gives, and prints the times and the speed-up.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "tests"))

import generate  # noqa: E402

from cptkit import rulesets  # noqa: E402
from cptkit.distributed import validate_bag  # noqa: E402
from test_distributed import read_partition  # noqa: E402


def run(paths: list[str], workers: int) -> tuple[float, int]:
    import dask.bag as db
    from distributed import Client, LocalCluster

    with (
        LocalCluster(
            n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        Client(cluster),
    ):
        start = time.perf_counter()
        claims = db.from_sequence(paths, npartitions=len(paths)).map_partitions(read_partition)
        findings = validate_bag(claims, rules=rulesets.medicare()).compute()
        return time.perf_counter() - start, len(findings)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--files", type=int, default=8)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        paths = []
        for index in range(args.files):
            path = Path(folder) / f"claims{index}.csv"
            generate.write(path, args.lines // args.files, seed=index)
            paths.append(str(path))
        one, found_one = run(paths, 1)
        two, found_two = run(paths, 2)
    assert found_one == found_two
    print(f"lines {args.lines:,} in {args.files} files; findings {found_one:,}")
    print(f"1 worker  {one:8.2f} s")
    print(f"2 workers {two:8.2f} s")
    print(f"speed-up  {one / two:8.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
