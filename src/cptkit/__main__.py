# SPDX-License-Identifier: MIT
"""``python -m cptkit``: a short demonstration on the packaged data."""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    """Print a short demonstration (a lookup, a unit calculation) and return 0."""
    from . import lookup, units

    info = lookup("96101")
    replacements = ", ".join(str(code) for code in info.replaced_by)
    print("cptkit demonstration on the packaged data")
    print(f"  97153: {lookup('97153').summary}")
    print(f"  96101: terminated {info.terminated}, replaced by {replacements}")
    print("  units for 97110 33 min + 97140 7 min (Medicare 8-minute rule):")
    for line in units.allocate({"97110": 33, "97140": 7}).explain().splitlines():
        print(f"    {line}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
