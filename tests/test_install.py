# SPDX-License-Identifier: MIT
"""cptkit installed the way users install it: a wheel in a fresh venv (also zip-imported),
and a vendored copy inside another package."""

from __future__ import annotations

import shutil
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

import cptkit

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "src" / "cptkit"

CHECK = """
import sys
{imports}
info = cptkit.lookup("96101")
assert [str(c) for c in info.replaced_by] == ["96130", "96131", "96136", "96137"], info
assert dict((str(k), v) for k, v in cptkit.units.allocate({{"97110": 33, "97140": 7}}).units.items()) == {{"97110": 2, "97140": 1}}
claim = cptkit.Claim(lines=[cptkit.ClaimLine(code="97110", units=3, minutes=33,
    date_of_service="2026-03-02", diagnosis_pointers=[1])], diagnoses=["M54.50"])
rules = [f.rule for f in cptkit.validate(claim).findings]
assert rules == ["data-stale", "therapy-modifier-missing", "units-minutes-mismatch"], rules
assert cptkit.catalog().ptp("97140", "97530", on="2019-06-03") is not None
assert cptkit.lookup_diagnosis("M54.5", on="2026-03-02").billable is False
print("ok", cptkit.__version__, cptkit.__file__)
"""


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(out), str(ROOT)],
        check=True,
        capture_output=True,
    )
    (built,) = out.glob("cptkit-*.whl")
    return built


def test_wheel_ships_data_and_no_tests(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    assert "cptkit/data/codes.csv" in names
    assert "cptkit/data/diagnoses.csv" in names
    assert "cptkit/data/manifest.json" in names
    assert "cptkit/py.typed" in names
    assert not any(name.startswith("tests/") for name in names)
    assert not any("data/raw" in name for name in names)


def test_wheel_in_a_fresh_venv(wheel: Path, tmp_path: Path) -> None:
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"
    subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", str(wheel)],
        check=True,
        capture_output=True,
    )
    result = subprocess.run(
        [str(python), "-c", CHECK.format(imports="import cptkit, cptkit.units")],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=True,
    )
    assert result.stdout.startswith(f"ok {cptkit.__version__}")
    assert str(env_dir) in result.stdout


def test_zip_import_of_the_wheel(wheel: Path, tmp_path: Path) -> None:
    # A wheel is a zip: put it on sys.path and import straight from it.
    code = f"sys.path.insert(0, {str(wheel)!r}); import cptkit, cptkit.units"
    result = subprocess.run(
        [sys.executable, "-c", CHECK.format(imports=code)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=True,
    )
    assert str(wheel) in result.stdout


def test_vendored_copy(tmp_path: Path) -> None:
    vendor = tmp_path / "acme" / "_vendor"
    vendor.mkdir(parents=True)
    (tmp_path / "acme" / "__init__.py").write_text("")
    (vendor / "__init__.py").write_text("")
    shutil.copytree(PACKAGE, vendor / "cptkit", ignore=shutil.ignore_patterns("__pycache__"))
    code = (
        f"sys.path.insert(0, {str(tmp_path)!r}); from acme._vendor import cptkit;"
        " import acme._vendor.cptkit.units"
    )
    check = CHECK.format(imports=code) + "assert 'cptkit' not in sys.modules, 'leaked'\n"
    result = subprocess.run(
        [sys.executable, "-c", check], capture_output=True, text=True, cwd=tmp_path, check=True
    )
    assert "acme/_vendor/cptkit" in result.stdout
