# SPDX-License-Identifier: MIT
"""``cptkit check --history/--record`` and ``cptkit auth add/usage``."""

from __future__ import annotations

import json
import sqlite3
from decimal import Decimal
from pathlib import Path

import pytest

from cptkit.cli import main
from cptkit.history import History

HEADER = (
    "claim_id,patient,rendering_provider,date_of_service,code,units,modifiers,minutes,"
    "diagnosis_pointers,diagnoses,payer"
)


def write(tmp_path: Path, *rows: str) -> Path:
    path = tmp_path / "claims.csv"
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return path


def run(capsys: pytest.CaptureFixture[str], *args: str | Path) -> tuple[int, str, str]:
    status = main([*map(str, args)])
    out, err = capsys.readouterr()
    return status, out, err


def test_check_records_when_asked_and_checks_across_claims(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    ledger = tmp_path / "ledger.sqlite"
    first = write(
        tmp_path,
        "A,SECRET-KEY,1234567893,2026-03-02,97110,1,GP,15,1,M54.50,Acme",
        "C,,1234567893,2026-03-02,97110,1,GP,15,1,M54.50,Acme",
    )
    status, out, err = run(capsys, "check", first, "--history", ledger, "--record")
    assert "duplicate-claim" not in out
    assert err.endswith("cptkit check: 1 claims recorded; 1 without a patient key not recorded\n")
    assert [r.claim_id for r in History.open(ledger).lines("SECRET-KEY")] == ["A"]
    second = write(tmp_path, "B,SECRET-KEY,1234567893,2026-03-02,97110,1,GP,15,1,M54.50,Acme")
    status, out, err = run(capsys, "check", second, "--history", ledger)
    assert status == 1
    assert "97110 with the same modifiers and date was already billed on claim A" in out
    assert "SECRET-KEY" not in out + err
    assert [r.claim_id for r in History.open(ledger).lines("SECRET-KEY")] == ["A"]  # no --record


@pytest.mark.parametrize("between", [0, 40])  # other claims in between (a batch is 32)
def test_a_claim_recorded_is_seen_by_the_next_claims_of_the_same_run(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, between: int
) -> None:
    ledger = tmp_path / "ledger.sqlite"
    others = [
        f"O{n},other-{n},1234567893,2026-03-02,97110,1,GP,15,1,M54.50,Acme" for n in range(between)
    ]
    path = write(
        tmp_path,
        "A,SECRET-KEY,1234567893,2026-03-02,97110,1,GP,15,1,M54.50,Acme",
        *others,
        "B,SECRET-KEY,1234567893,2026-03-02,97110,1,GP,15,1,M54.50,Acme",
    )
    status, out, err = run(
        capsys, "check", path, "--history", ledger, "--record", "--format", "json"
    )
    assert status == 1
    found = [(f["claim_id"], f["rule"]) for f in json.loads(out)["findings"]]
    assert found == [("B", "duplicate-claim")]
    assert err.endswith(f"cptkit check: {between + 2} claims recorded\n")
    status, out, err = run(capsys, "check", path, "--history", ledger, "--format", "json")
    found = [(f["claim_id"], f["rule"]) for f in json.loads(out)["findings"]]
    # Checked against the ledger, not recorded again: A and B both repeat what it holds.
    assert status == 1
    assert ("A", "duplicate-claim") in found and ("B", "duplicate-claim") in found


def test_record_with_a_locality_keeps_allowed_amounts(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    # 97110 x1, Alabama 10112-00, RVU26C: $27.20 (tests/test_payment.py's arithmetic).
    ledger = tmp_path / "ledger.sqlite"
    path = write(tmp_path, "A,pk,1234567893,2026-03-02,97110,1,GP,15,1,M54.50,Acme")
    run(capsys, "check", path, "--history", ledger, "--record", "--locality", "10112-00")
    (line,) = History.open(ledger).lines("pk")
    assert line.allowed == Decimal("27.20")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--record"], "cptkit check: --record needs --history LEDGER"),
        (["--locality", "99999-99"], "--locality '99999-99' is not a MAC locality"),
        (
            ["--history", "l.sqlite", "--engine", "columnar"],
            "--history checks claim by claim: use --engine claims",
        ),
    ],
)
def test_check_usage_errors(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, args: list[str], message: str
) -> None:
    path = write(tmp_path, "A,pk,,2026-03-02,97110,1,GP,15,1,M54.50,Acme")
    status, _, err = run(capsys, "check", path, *args)
    assert status == 2
    assert message in err


def test_check_refuses_a_ledger_it_cannot_use(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    other = tmp_path / "other.sqlite"
    with sqlite3.connect(other) as db:
        db.execute("CREATE TABLE t (x)")
    path = write(tmp_path, "A,pk,,2026-03-02,97110,1,GP,15,1,M54.50,Acme")
    status, _, err = run(capsys, "check", path, "--history", other)
    assert status == 2
    assert "cptkit check: --history: " in err and "not a cptkit ledger" in err


def test_auth_add_and_usage(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    ledger = tmp_path / "ledger.sqlite"
    common = ["--history", str(ledger), "--patient", "SECRET-KEY"]
    status, out, _ = run(
        capsys,
        "auth",
        "add",
        *common,
        "--id",
        "AU-1",
        "--codes",
        "97153,97155",
        "--units",
        "30",
        "--start",
        "2026-03-01",
        "--end",
        "2026-03-31",
        "--payer",
        "Acme",
    )
    assert (status, out) == (0, "authorization AU-1 stored\n")
    run(
        capsys,
        "auth",
        "add",
        *common,
        "--id",
        "AU-2",
        "--codes",
        "97153,97155",
        "--units",
        "97153=10,97155=5",
        "--start",
        "2026-04-01",
        "--end",
        "2026-04-30",
    )
    path = write(tmp_path, "A,SECRET-KEY,,2026-03-02,97153,16,,240,1,F84.0,Acme")
    run(capsys, "check", path, "--history", ledger, "--record")
    status, out, _ = run(capsys, "auth", "usage", *common)
    assert status == 0
    # Typed out: 16 units on the first day, 2 days from 03-01: 56 a week; 14 left at 8 a day.
    assert out == (
        "AU-1: 16 of 30 units used, 14 left (as of 2026-03-02); pace 56.00/week;"
        " runs out 2026-03-04\n"
        "AU-2: 0 of 15 units used, 15 left (as of 2026-04-01); pace -; runs out -\n"
    )
    assert "SECRET-KEY" not in out
    status, out, _ = run(capsys, "auth", "usage", *common, "--format", "json")
    first = json.loads(out)[0]
    assert first["by_code"] == [
        {"code": "97153", "used": 16, "authorized": None},
        {"code": "97155", "used": 0, "authorized": None},
    ]
    assert (first["weekly_pace"], first["projected_end"]) == ("56.00", "2026-03-04")
    status, out, _ = run(capsys, "auth", "usage", "--history", ledger, "--patient", "nobody")
    assert out == "no authorizations for this patient\n"


def test_auth_bad_input(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    ledger = tmp_path / "ledger.sqlite"
    status, _, err = run(
        capsys,
        *["auth", "add", "--history", str(ledger), "--patient", "pk", "--id", "AU-1"],
        *["--codes", "97153", "--units", "ten", "--start", "2026-03-01", "--end", "2026-03-31"],
    )
    assert status == 2
    assert err.startswith("cptkit auth: ")
