# SPDX-License-Identifier: MIT
"""Time and memory of loading a national-size CMS PTP file with ``Catalog.with_cms_files``.

    python bench/cms_ptp_load.py [--rows 1400000]

Writes a synthetic practitioner PTP text file in CMS's layout and Windows-1252 (one row in
twenty touches a code of cptkit's table, as in the real file), loads it, and prints the
seconds and the peak resident memory. The budget (issue #15) is 20 s and 1 GB.
"""

from __future__ import annotations

import argparse
import random
import resource
import tempfile
import time
from pathlib import Path

import cptkit
from cptkit import _registry


def write(path: Path, rows: int) -> None:
    rng = random.Random(1)
    ours = [str(code) for code in _registry.load_codes()]
    others = [f"{number:05d}" for number in range(10000, 69999, 4)]
    with path.open("w", encoding="cp1252", newline="\n") as out:
        out.write("CPT\u00ae codes: copyright American Medical Association\n")
        out.write("Column1\tColumn2\t*\tEffective Date\tDeletion Date\tModifier\tRationale\n")
        for _ in range(rows):
            first = rng.choice(others)
            second = rng.choice(ours) if rng.random() < 0.05 else rng.choice(others)
            year = rng.randint(2010, 2026)
            out.write(f"{first}\t{second}\t\t{year}0101\t*\t{rng.choice('019')}\tMisuse\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_400_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "ccipra-v330r0-f1.txt"
        write(path, args.rows)
        start = time.perf_counter()
        catalog = cptkit.catalog().with_cms_files(path)
        seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    partners = len(catalog.ptp_partners("97110"))  # the loaded edits, still held
    print(f"{args.rows:,} rows loaded in {seconds:.1f} s; peak RSS {peak:.0f} MiB")
    print(f"(97110 has PTP rows with {partners} codes in the file)")


if __name__ == "__main__":
    main()
