# SPDX-License-Identifier: MIT
from __future__ import annotations

import subprocess
import sys


def test_python_m_cptkit_runs_the_demonstration() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "cptkit"], capture_output=True, text=True, check=True
    )
    assert "96101: terminated 2018-12-31, replaced by 96130, 96131, 96136, 96137" in result.stdout
    assert "Result: 97110 x2, 97140 x1 (3 units)" in result.stdout
    assert result.stderr == ""
