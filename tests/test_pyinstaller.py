# SPDX-License-Identifier: MIT
"""PyInstaller finds cptkit's hook through the ``pyinstaller40`` entry point, so an app that
imports cptkit bundles its data without ``--collect-data cptkit`` (the build runs where
PyInstaller is installed: CI's extras step)."""

from __future__ import annotations

import os
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pytest

from cptkit import _pyinstaller


def test_the_hook_folder_is_registered() -> None:
    found = [
        point.value
        for point in metadata.entry_points(group="pyinstaller40")
        if point.name == "hook-dirs"
    ]
    assert "cptkit._pyinstaller:get_hook_dirs" in found
    (folder,) = _pyinstaller.get_hook_dirs()
    assert (Path(folder) / "hook-cptkit.py").is_file()


def test_an_app_built_without_collect_data_finds_the_dataset(tmp_path: Path) -> None:
    pytest.importorskip("PyInstaller")
    app = tmp_path / "app.py"
    app.write_text(
        "import cptkit\n"
        "print(cptkit.lookup('97110').code, cptkit.validate.__module__)\n"
        "print(cptkit.lookup_diagnosis('F84.0', on='2026-03-02').billable)\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    subprocess.run(
        [sys.executable, "-m", "PyInstaller", "--noconfirm", "--log-level", "ERROR",
         "--distpath", str(tmp_path / "dist"), "--workpath", str(tmp_path / "build"),
         "--specpath", str(tmp_path), str(app)],
        check=True, cwd=tmp_path, env=env,
    )  # fmt: skip
    built = tmp_path / "dist" / "app" / ("app.exe" if os.name == "nt" else "app")
    result = subprocess.run([str(built)], capture_output=True, text=True, check=True, env=env)
    assert result.stdout.split() == ["97110", "cptkit.validation", "True"]
