# SPDX-License-Identifier: MIT
"""Output safe to open: no formula runs in a spreadsheet, no control sequence reaches a terminal
(issue #20, item 5)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

import cptkit
from cptkit.cli import main
from cptkit.cli._output import printable, spreadsheet_safe

HEADER = "claim_id,date_of_service,code,units,modifiers,diagnosis_pointers,diagnoses"


@pytest.mark.parametrize(
    ("text", "safe"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+1", "'+1"),
        ("-1+1", "'-1+1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "\\x09=1"),  # escaped first, so no longer a leading tab
        ("\r=1", "\\x0d=1"),
        ("PT-1", "PT-1"),
        ("a=b", "a=b"),
    ],
)
def test_spreadsheet_safe(text: str, safe: str) -> None:
    assert spreadsheet_safe(text) == safe


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("\x1b[31mred", "\\x1b[31mred"),
        ("a\nSummary: 0 files", "a\\x0aSummary: 0 files"),
        ("\x9b2J", "\\x9b2J"),
        ("\u202eevil", "\\u202eevil"),
        ("name\udcff.csv", "name\\udcff.csv"),
        ("Café plan", "Café plan"),
    ],
)
def test_printable(text: str, shown: str) -> None:
    assert printable(text) == shown


def test_csv_output_neutralises_formulas(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "c.csv"
    path.write_text(HEADER + '\n"=HYPERLINK(""http://x"",""y"")",2026-03-02,97001,1,GP,1,M54.50\n')
    assert main(["check", str(path), "--format", "csv"]) == 1
    (row,) = csv.DictReader(io.StringIO(capsys.readouterr().out))
    assert row["claim_id"] == '\'=HYPERLINK("http://x","y")' and row["rule"] == "code-inactive"


def test_no_control_sequence_from_a_file_reaches_the_terminal(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "c.csv"
    path.write_text(
        HEADER + ",\x1b[2JNotes\n\x1b[31mC1,2026-03-02,97001,1,GP,1,M54.50,x\n", newline=""
    )
    assert main(["check", str(path)]) == 1
    out, err = capsys.readouterr()
    assert "\x1b" not in out + err
    assert "\\x1b[31mC1" in out and "ignored column(s): \\x1b[2JNotes" in err
    line = json.dumps({"claim_id": "C1", "date_of_service": "2026-03-02", "code": "97110",
                       "units": 1, "\nSummary: 0 files": 1})  # fmt: skip
    forged = tmp_path / "f.ndjson"
    forged.write_text(line + "\n")
    main(["check", str(forged)])
    assert [
        text for text in capsys.readouterr().out.splitlines() if text.startswith("Summary")
    ] == [
        "Summary: 1 file, 1 row read, 1 rejected; 0 claims checked, 0 with errors;"
        f" findings: 0 errors, 0 warnings, 0 info; data: {cptkit.dataset_version}"
    ]
