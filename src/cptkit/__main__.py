# SPDX-License-Identifier: MIT
"""``python -m cptkit``: a short demonstration on the packaged data."""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    """Print a short demonstration and return the exit status."""
    from .claims import ClaimLine
    from .serialization import unstructure

    line = ClaimLine(
        code="97110", units=2, modifiers=["gp"], date_of_service="2026-03-02", place_of_service="11"
    )
    print("cptkit demonstration")
    print(f"  parsed line: {line.code} x{line.units} {[str(m) for m in line.modifiers]}")
    print(f"  category:    {line.code.category.value}")
    print(f"  as JSON:     {unstructure(line)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
