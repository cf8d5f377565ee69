# SPDX-License-Identifier: MIT
"""The CSV fast path reads every row exactly as the careful path does, or declines it."""

from __future__ import annotations

import csv
import datetime
import json
import random
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cptkit import ClaimLine
from cptkit.cli import _csv_cells, main
from cptkit.cli._csv_cells import CellReader
from cptkit.cli._read import _csv_row

NAMES = [
    "claim_id",
    "date_of_service",
    "code",
    "modifiers",
    "units",
    "minutes",
    "place_of_service",
    "diagnosis_pointers",
    "charge",
    "diagnoses",
    "claim_place_of_service",
    "payer",
]

# Per column: texts the careful path takes, then near misses it refuses.
GOOD = {
    "claim_id": ["C1", " C1 ", "C2"],
    "date_of_service": ["2026-03-02", " 2026-03-02", "2024-02-29"],
    "code": ["97110", " 97110", "97110 ", "g0283", "0362T"],
    "modifiers": ["GP", "GP 59", "gp,KX", "GP;GP", "", "GP KX 59 XE 76"],
    "units": ["1", "2", "02", "10"],
    "minutes": ["15", "0", "8", "007", ""],
    "place_of_service": ["11", "02", ""],
    "diagnosis_pointers": ["1", "1 2", "1,2,3,4,5", "13", ""],
    "charge": ["125.00", "0", "1.5", ""],
    "diagnoses": ["M54.50", "M54.50 R26.89", "m5450", ""],
    "claim_place_of_service": ["11", "10", "99", ""],
    "payer": ["Medicare", " Acme ", ""],
}
BAD = {
    "claim_id": ["C\udcff", "A\nB", "", " "],
    "date_of_service": ["2026-02-30", "2026-3-2", "20260302", ""],
    "code": ["9711", "971100", "G0283\n", "９７１１０", ""],
    "modifiers": ["GPX", "G", "ſP", "G\udcff"],
    "units": ["0", "1.0", "+1", "1e1", "-1", "", "１"],
    "minutes": ["15.5", "-1", "x"],
    "place_of_service": ["1", "111", "AB"],
    "diagnosis_pointers": ["0", "1 x", "a", "2.0"],
    "charge": ["-1", "1,000.00", ".5", "1.", "NaN", "١٢"],
    "diagnoses": ["M54.5X", "M\udcff"],
    "claim_place_of_service": ["1", "A"],
    "payer": ["A\rB", "\udcffpay"],
}
ODD = st.text(alphabet=st.sampled_from("0123456789GPX .,-\t\n"), max_size=8)


@st.composite
def rows(draw: st.DrawFn) -> list[str]:
    """A good row, often with one cell spoiled by a near miss or odd text."""
    cells = [draw(st.sampled_from(GOOD[name])) for name in NAMES]
    spoiled = draw(st.none() | st.integers(0, len(NAMES) - 1))
    if spoiled is not None:
        cells[spoiled] = draw(st.sampled_from(BAD[NAMES[spoiled]]) | ODD)
    return cells


@settings(max_examples=600, deadline=None)
@given(st.lists(rows(), min_size=1, max_size=6))
def test_fast_rows_are_the_careful_rows(batch: list[list[str]]) -> None:
    # One reader over several rows, so cached cells are reused across them.
    reader = CellReader(NAMES, "claim_id")
    for cells in batch:
        given_cells = list(cells)
        fast = reader.row(cells)
        assert cells == given_cells  # the row is left as it was given
        careful = _csv_row(2, dict(zip(NAMES, cells, strict=True)), "claim_id")
        if fast is None:
            continue  # declined rows are read on the careful path only
        assert careful.error is None, careful.error
        assert (careful.key, careful.claim_id, careful.line, careful.claim_values) == fast
        assert type(fast[2]) is ClaimLine


def test_a_good_row_is_taken_and_a_bad_one_declined() -> None:
    reader = CellReader(NAMES, "claim_id")
    good = ["C1", "2026-03-02", "97110", "GP", "2", "30", "", "1", "80.00", "M54.50", "11", ""]
    key, claim_id, line, claim_values = reader.row(list(good))  # type: ignore[misc]
    assert key == ("C1",) and claim_id == "C1"
    assert line == ClaimLine(
        code="97110",
        units=2,
        modifiers=["GP"],
        date_of_service=datetime.date(2026, 3, 2),
        minutes=30,
        diagnosis_pointers=[1],
        charge=Decimal("80.00"),
    )
    assert str(claim_values["place_of_service"]) == "11"
    bad = list(good)
    bad[4] = "2.5"
    assert reader.row(bad) is None
    assert reader.row(list(good)) is not None  # a declined row leaves the caches usable


def test_missing_columns_read_as_empty_and_patient_keys_add_the_date() -> None:
    reader = CellReader(["patient_id", "date_of_service", "code", "units"], "patient_id")
    key, claim_id, line, claim_values = reader.row(["P1", "2026-03-02 ", "97110", "1"])  # type: ignore[misc]
    assert key == ("P1", "2026-03-02") and claim_id is None
    assert line.modifiers == () and line.place_of_service is None and line.charge is None
    assert claim_values == {"diagnoses": None, "place_of_service": None, "payer": None}


def test_caches_stay_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_csv_cells, "CELL_CACHE_LIMIT", 3)
    reader = CellReader(["claim_id", "date_of_service", "code", "units", "charge"], "claim_id")
    for cents in range(20):
        assert reader.row(["C1", "2026-03-02", "97110", "1", f"1.{cents:02d}"]) is not None
    assert max(len(cache) for cache in reader._caches) <= 3


SPOILS = ["", " ", "x", "2.5", "１", "GP;;XE", "999999", "0", "-1", "97110\n", "M54.5X", "1 13"]
SPOILS += ["2026-02-30", "1,000.00", " 11 ", "g0283", "\t97110", "A\udcffB"]


@pytest.mark.parametrize(
    "example", ["common-mistakes.csv", "pt-visit.csv", "psychotherapy-visit.csv"]
)
def test_check_reports_the_same_with_and_without_the_fast_path(
    example: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # A whole file, many times over with cells spoiled at random, through `cptkit check`:
    # the report must not depend on which rows the fast path took.
    source = Path(__file__).parent.parent / "examples" / example
    with source.open(encoding="utf-8", newline="") as stream:
        header, *body = list(csv.reader(stream))
    rng = random.Random(example)
    rows = []
    for copy in range(60):
        for row in body:
            row = [f"{row[0]}-{copy}", *row[1:]]  # each copy its own claims
            if rng.random() < 0.2:  # one cell spoiled in a row in five: most claims stay whole
                spoiled = rng.randrange(len(row))
                row[spoiled] = rng.choice(SPOILS)
            rows.append(row)
    path = tmp_path / example
    with path.open("w", encoding="utf-8", errors="surrogateescape", newline="") as stream:
        csv.writer(stream).writerows([header, *rows])  # "\udcff" becomes the byte 0xFF

    def check() -> str:
        main(["check", str(path), "--format", "json"])
        return capsys.readouterr().out

    fast = check()
    monkeypatch.setattr(CellReader, "row", lambda self, cells: None)
    assert check() == fast
    summary = json.loads(fast)["summary"]
    assert summary["rows_read"] == len(rows)
    assert (
        summary["claims_checked"] >= 30
    )  # the reports compared hold real findings, not only rejections
