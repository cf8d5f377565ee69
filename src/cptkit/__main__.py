# SPDX-License-Identifier: MIT
"""``python -m cptkit``: the command line (see :mod:`cptkit.cli`); with no command, a short
demonstration on the packaged data."""

from __future__ import annotations

import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
