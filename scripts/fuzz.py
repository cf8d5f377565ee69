# SPDX-License-Identifier: MIT
"""The long fuzz run: every fuzz test with many hypothesis examples.

    python scripts/fuzz.py [--examples 5000]

Runs the fuzz tests (arbitrary input to the parsers, ``structure``, ``units.allocate``, the
lookups, the X12 and FHIR readers, and the CSV/JSON/NDJSON readers of ``cptkit.files`` through
the library and the command line) under the ``fuzz`` hypothesis profile and prints how many
inputs were tried and how many failed.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FUZZ_TESTS = [
    "tests/test_reliability.py",
    "tests/test_fuzz_readers.py",
    "tests/test_files.py",
    "tests/test_robustness.py",
    "tests/test_x12.py",
    "tests/test_fhir.py",
]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--examples", type=int, default=5000)
    args = parser.parse_args(argv)
    env = {
        **os.environ,
        "CPTKIT_HYPOTHESIS_PROFILE": "fuzz",
        "CPTKIT_FUZZ_EXAMPLES": str(args.examples),
    }
    command = [
        sys.executable,
        "-m",
        "pytest",
        "-q",
        "-p",
        "no:cacheprovider",
        "--hypothesis-show-statistics",
        "-k",
        "raises_only or random or junk or never_raises or rejects_non_mappings",
        *FUZZ_TESTS,
    ]
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    passing = [int(n) for n in re.findall(r"(\d+) passing, ", result.stdout)]
    failing = [int(n) for n in re.findall(r"(\d+) failing", result.stdout)]
    tail = result.stdout.strip().splitlines()[-1] if result.stdout.strip() else ""
    print(f"fuzz tests: {tail}")
    print(f"property tests run: {len(passing)}")
    print(f"inputs tried: {sum(passing) + sum(failing):,}; failing inputs: {sum(failing)}")
    return result.returncode


if __name__ == "__main__":
    sys.exit(main())
