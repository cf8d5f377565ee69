# SPDX-License-Identifier: MIT
"""Speed-up of checking files on a Dask LocalCluster: 2 worker processes against 1.

    python bench/dask_speedup.py [--lines 1000000] [--files 8] [--engine columnar|claims]

Writes the synthetic claims as --files CSV files and checks them with
``cptkit.distributed.check_paths`` (one task per file, streaming) on a cluster of 1 worker
process and then of 2. In the same clusters, a pure-CPU yardstick (one task per file, a
fixed loop of integer arithmetic) shows what this machine gives two processes at that moment;
the target is a speed-up of at least 90 % of the yardstick's. Both are timed on warm workers:
the yardstick's function has run once, and cptkit's data is loaded (``cptkit.preload``), as in
a long-running cluster. Both runs must give the findings of one process.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import generate  # noqa: E402

from cptkit.distributed import check_path, check_paths  # noqa: E402
from cptkit.validation import Checker  # noqa: E402


def yardstick(_: str, loops: int = 3_000_000) -> int:
    total = 0
    for n in range(loops):
        total = (total + n * n) % 1_000_003
    return total


def warm(engine: str) -> None:
    """What a long-running worker has done before its first file: cptkit imported and its
    data loaded (``cptkit.preload``), and the engine's modules imported."""
    import cptkit

    cptkit.preload()
    if engine == "columnar":
        import cptkit.columnar


def run(paths: list[str], workers: int, engine: str) -> tuple[float, float, list[object]]:
    from distributed import Client, LocalCluster

    with (
        LocalCluster(
            n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        Client(cluster) as client,
    ):
        client.gather(client.map(yardstick, paths, loops=1000))  # workers warmed up
        client.run(warm, engine)  # and cptkit loaded in each, as in a long-running cluster
        start = time.perf_counter()
        client.gather(client.map(yardstick, paths, pure=False))
        cpu = time.perf_counter() - start
        start = time.perf_counter()
        findings = check_paths(client, paths, engine=engine)  # type: ignore[arg-type]
        return time.perf_counter() - start, cpu, findings  # type: ignore[return-value]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--files", type=int, default=8)
    parser.add_argument("--engine", choices=("columnar", "claims"), default="columnar")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        paths = []
        for index in range(args.files):
            path = Path(folder) / f"claims{index}.csv"
            generate.write(path, args.lines // args.files, seed=index)
            paths.append(str(path))
        one, cpu_one, found_one = run(paths, 1, args.engine)
        two, cpu_two, found_two = run(paths, 2, args.engine)
        checker = Checker()
        single = [row for path in paths for row in check_path(path, checker=checker)]
    assert found_one == found_two == single, "a cluster's findings differ from one process's"
    speedup, machine = one / two, cpu_one / cpu_two
    print(f"lines {args.lines:,} in {args.files} files; engine {args.engine}")
    print(f"findings  {len(found_one):,} (the same as one process)")
    print(f"{'':10} {'check_paths':>12} {'yardstick':>12}")
    print(f"{'1 worker':10} {one:11.2f}s {cpu_one:11.2f}s")
    print(f"{'2 workers':10} {two:11.2f}s {cpu_two:11.2f}s")
    print(f"{'speed-up':10} {speedup:11.2f}x {machine:11.2f}x")
    share = speedup / machine
    verdict = "met" if share >= 0.9 else "NOT met"
    print(f"check_paths reaches {share:.0%} of the yardstick's speed-up (target >= 90%: {verdict})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
