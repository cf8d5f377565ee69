# SPDX-License-Identifier: MIT
"""``cptkit estimate``: per-claim PFS estimates in table, JSON and CSV.

Figures (RVU26C, Alabama 10112-00; arithmetic in tests/test_payment.py): 97110 x2 is
$27.20 + $21.21 (MPPR) = $48.41, Medicare 80 % $38.73, coinsurance $9.68.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from cptkit.cli import main

HEADER = "claim_id,patient_id,date_of_service,code,modifiers,units,minutes,place_of_service"
ROWS = [
    "C-1,P-1,2026-08-03,97110,GP,2,30,11",
    "C-2,P-2,2026-08-03,97151,,1,15,11",  # carrier-priced: not estimated
]


def write(tmp_path: Path, rows: list[str]) -> Path:
    path = tmp_path / "claims.csv"
    path.write_text("\n".join([f"{HEADER},diagnoses", *(f"{r},M54.50" for r in rows)]) + "\n")
    return path


def run(capsys: pytest.CaptureFixture[str], *args: str | Path) -> tuple[int, str, str]:
    status = main(["estimate", *map(str, args)])
    out, err = capsys.readouterr()
    return status, out, err


def test_table(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = write(tmp_path, ROWS)
    status, out, _ = run(capsys, path, "--locality", "10112-00")
    assert status == 1  # one claim could not be estimated
    lines = out.splitlines()
    assert lines[0] == (f"{path}:2  claim C-1: allowed $48.41, Medicare $38.73, coinsurance $9.68")
    assert lines[1] == (
        "  line  1  97110  x2  RVU26C  non-facility  $27.20/unit  MPPR -$5.99  allowed $48.41"
    )
    assert lines[2].startswith(f"{path}:3  claim C-2: not estimated: code: '97151'")
    assert lines[-1] == (
        "Summary: 1 claim(s) estimated, 1 not, 0 row(s) rejected; allowed $48.41,"
        " Medicare pays $38.73"
    )


def test_table_shows_reductions_and_notes(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = write(tmp_path, ["C-4,P-4,2026-03-02,97110,GP;CQ,1,15,11"])
    status, out, _ = run(capsys, path, "--locality", "10112-00")
    # 27.20 x 0.85 = 23.12: CQ takes 4.08
    assert "  CQ/CO -$4.08  allowed $23.12" in out
    assert "  note: date 2026-03-02 is priced with RVU26C, which starts 2026-07-01" in out
    assert status == 0


def test_json_with_sequestration(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = write(tmp_path, ROWS[:1])
    status, out, _ = run(
        capsys, path, "--locality", "10112-00", "--format", "json", "--sequestration"
    )
    assert status == 0
    document = json.loads(out)
    (estimate,) = document["estimates"]
    # 2 % of 38.73 = 0.7746 -> 0.77; Medicare pays 38.73 - 0.77 = 37.96
    assert (estimate["allowed"], estimate["sequestration"], estimate["medicare_payment"]) == (
        "48.41",
        "0.77",
        "37.96",
    )
    assert document["summary"]["claims_estimated"] == 1


def test_csv_with_a_year(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = write(tmp_path, ROWS)
    status, out, err = run(
        capsys, path, "--locality", "10112-00", "--format", "csv", "--year", "2025"
    )
    rows = list(csv.DictReader(io.StringIO(out)))
    # RVU25D 97110: 0.82942 x 32.3465 = 26.83 in full, 0.642585 x 32.3465 = 20.79 reduced
    assert [(r["claim_id"], r["release"], r["allowed"]) for r in rows] == [
        ("C-1", "RVU25D", "47.62"),
        ("C-2", "", ""),
    ]
    assert "97151" in rows[1]["note"]
    assert err.startswith("Summary: 1 claim(s) estimated")
    assert status == 1


def test_json_lists_what_was_not_estimated(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    bad = "C-3,P-3,2026-08-03,97110,GP,zero,30,11"
    status, out, _ = run(
        capsys, write(tmp_path, [*ROWS, bad]), "--locality", "10112-00", "--format", "json"
    )
    kinds = [item.get("kind", "estimate") for item in json.loads(out)["estimates"]]
    assert kinds == ["estimate", "not-estimated", "rejected"]
    assert status == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--locality", "99999-99"], "--locality '99999-99' is not a MAC locality"),
        (["missing.csv", "--locality", "10112-00"], "missing.csv: no such file"),
    ],
)
def test_usage_errors(capsys: pytest.CaptureFixture[str], args: list[str], message: str) -> None:
    status, _, err = run(capsys, "examples/pt-visit.csv", *args)
    assert status == 2
    assert message in err


def test_an_unreadable_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text("{not json")
    status, _, err = run(capsys, path, "--locality", "10112-00")
    assert status == 2
    assert err.startswith("cptkit estimate: ")


def test_a_qualifying_apm_participant(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = write(tmp_path, ROWS[:1])
    status, out, _ = run(capsys, path, "--locality", "10112-00", "--qualifying-apm")
    assert status == 0
    # 97110 x2, CF 33.5675 (CY2026 QPs): 0.81441 x 33.5675 = 27.3377 -> 27.34 a unit;
    # the second unit 0.635035 x 33.5675 = 21.3165 -> 21.32; allowed 48.66
    assert "  $27.34/unit  MPPR -$6.02  allowed $48.66" in out
