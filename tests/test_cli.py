# SPDX-License-Identifier: MIT
"""The command line as a user runs it: real files, a subprocess, exit codes, stdout and stderr."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
HEADER = (
    "claim_id,patient_id,date_of_service,code,modifiers,units,minutes,place_of_service,"
    "diagnosis_pointers,diagnoses\n"
)


def cptkit(*args: str | Path, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cptkit", *map(str, args)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=cwd,
        timeout=60,
        check=False,
    )


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


# -- the main job -------------------------------------------------------------------------------


def test_check_examples_finds_the_mistakes_and_exits_1() -> None:
    result = cptkit("check", "examples/")
    assert result.returncode == 1, result.stderr
    assert result.stderr == ""
    lines = result.stdout.splitlines()
    assert lines[0].split()[:6] == ["WHERE", "CLAIM", "LINE", "LEVEL", "RULE", "CARC"]
    found = [(line.split()[0], line.split()[4]) for line in lines[1:-1]]
    # Every claim is dated March 2026, past the packaged PTP edition: one data-stale each.
    assert [where for where, rule in found if rule == "data-stale"] == [
        "examples/aba-telehealth-day.json:1",
        "examples/common-mistakes.csv:2",
        "examples/common-mistakes.csv:3",
        "examples/psychotherapy-visit.csv:2",
        "examples/pt-visit.csv:2",
        "examples/speech-session.ndjson:1",
    ]
    assert [item for item in found if item[1] != "data-stale"] == [
        ("examples/common-mistakes.csv:2", "code-inactive"),
        ("examples/common-mistakes.csv:3", "therapy-modifier-missing"),
        ("examples/common-mistakes.csv:3", "units-minutes-mismatch"),
        ("examples/common-mistakes.csv:5", "ncci-ptp"),
    ]
    assert "97001 was deleted after 2016-12-31 -> use 97161, 97162, 97163 instead" in lines[2]
    assert "2026-03-06 is past cptkit's data: modifiers through 2025-09-30;" in lines[3]
    assert lines[-1] == (
        "Summary: 5 files, 12 rows read, 0 rejected; 6 claims checked, 2 with errors;"
        " findings: 4 errors, 6 warnings, 0 info"
        "; data: 2026.12.05 (codes 2026-04, modifiers 2025-07, places 2024-06, MUE 2026-04-01,"
        " PTP 2024-07-01, AOC V2026Q2, ICD-10-CM FY2026, PFS RVU26C)"
    )


def test_the_clean_examples_pass() -> None:
    clean = ["aba-telehealth-day.json", "pt-visit.csv", "psychotherapy-visit.csv"]
    result = cptkit(
        "check", *(EXAMPLES / name for name in clean), EXAMPLES / "speech-session.ndjson"
    )
    assert result.returncode == 0, result.stdout
    lines = result.stdout.splitlines()
    assert [line.split()[4] for line in lines[1:-1]] == ["data-stale"] * 4  # warnings only
    assert lines[-1] == (
        "Summary: 4 files, 8 rows read, 0 rejected; 4 claims checked, 0 with errors;"
        " findings: 0 errors, 4 warnings, 0 info"
        "; data: 2026.12.05 (codes 2026-04, modifiers 2025-07, places 2024-06, MUE 2026-04-01,"
        " PTP 2024-07-01, AOC V2026Q2, ICD-10-CM FY2026, PFS RVU26C)"
    )


def test_json_format_is_one_document_with_the_summary() -> None:
    result = cptkit("check", "examples", "--format", "json")
    assert result.returncode == 1
    document = json.loads(result.stdout)
    assert document["rules"] == "medicare"
    assert [f["rule"] for f in document["findings"] if f["rule"] != "data-stale"] == [
        "code-inactive",
        "therapy-modifier-missing",
        "units-minutes-mismatch",
        "ncci-ptp",
    ]
    assert document["findings"][1] == {
        "file": "examples/common-mistakes.csv",
        "row": 2,
        "claim_id": "PT-1002",
        "line_number": 1,
        "severity": "error",
        "rule": "code-inactive",
        "field": "code",
        "message": "97001 was deleted after 2016-12-31",
        "carc": "CO-181",
        "suggestion": "use 97161, 97162, 97163 instead",
    }
    assert document["summary"] == {
        "files": 5,
        "rows_read": 12,
        "rows_rejected": 0,
        "claims_checked": 6,
        "claims_with_errors": 2,
        "findings": {"error": 4, "warning": 6, "info": 0},
        "unreadable_files": [],
        "data": document["dataset"],
        "exit_status": 1,
    }
    assert document["dataset"].startswith("2026.12.05 (codes 2026-04,")


def test_csv_format_writes_rows_and_the_summary_to_stderr() -> None:
    result = cptkit("check", EXAMPLES / "common-mistakes.csv", "--format", "csv")
    assert result.returncode == 1
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [row["rule"] for row in rows][:2] == ["code-inactive", "data-stale"]
    assert rows[5]["line_number"] == "3" and rows[5]["carc"] == "CO-236"
    assert result.stderr.startswith("Summary: 1 file, 4 rows read")


# -- bad files ----------------------------------------------------------------------------------


def test_wrong_encoding_in_a_cell_rejects_that_row_only(tmp_path: Path) -> None:
    path = tmp_path / "latin1.csv"
    path.write_bytes(
        HEADER.encode()
        + b"C1,Jos\xe9,2026-03-02,97110,GP,1,15,11,1,M54.50\n"  # an unused byte: fine
        + b"C2,P2,2026-03-02,9711\xe9,GP,1,15,11,1,M54.50\n"
        + b"C3,P3,2026-03-02,97110,GP,1,15,11,1,M54.50\n"
    )
    result = cptkit("check", path)
    assert result.returncode == 1
    assert f"{path}:3" in result.stdout
    assert "code: is not UTF-8 text" in result.stdout
    assert "2 rows read" not in result.stdout and "3 rows read, 1 rejected" in result.stdout


def test_a_header_in_another_encoding_is_exit_2(tmp_path: Path) -> None:
    path = tmp_path / "latin1.csv"
    path.write_bytes(HEADER.replace("diagnoses", "diagnos\xe9s").encode("latin-1"))
    result = cptkit("check", path)
    assert result.returncode == 2
    assert f"{path}: the header row is not UTF-8 text; save the file as UTF-8" in result.stderr
    utf16 = tmp_path / "utf16.csv"
    utf16.write_bytes(HEADER.encode("utf-16"))
    result = cptkit("check", utf16)
    assert result.returncode == 2
    assert f"{utf16}: is UTF-16 text; save it as UTF-8" in result.stderr


def test_missing_columns_are_exit_2_naming_them(tmp_path: Path) -> None:
    path = write(tmp_path / "claims.csv", "claim_id,date_of_service,modifiers\nC1,2026-03-02,GP\n")
    result = cptkit("check", path)
    assert result.returncode == 2
    assert f"{path}: missing required column(s): code, units" in result.stderr
    assert "Unreadable: " in result.stdout


def test_broken_json_is_exit_2_naming_file_and_position(tmp_path: Path) -> None:
    path = write(tmp_path / "claims.json", '[\n  {"claim_id": "C1",\n  "code" "97110"}\n]\n')
    result = cptkit("check", path, "--format", "json")
    assert result.returncode == 2
    assert f"{path}: is not valid JSON: Expecting ':' delimiter at line 3 column 10" in (
        result.stderr
    )
    assert json.loads(result.stdout)["summary"]["unreadable_files"] == [str(path)]


def test_broken_ndjson_line_is_reported_and_the_run_goes_on(tmp_path: Path) -> None:
    good = json.dumps(
        {"claim_id": "C1", "date_of_service": "2026-03-02", "code": "92507", "units": 1,
         "modifiers": ["GN"], "diagnosis_pointers": [1], "diagnoses": ["F80.0"]}
    )  # fmt: skip
    path = tmp_path / "claims.ndjson"
    other = good.replace('"C1"', '"C3"')
    path.write_bytes(f'{good}\n{{"claim_id": "C2", \n\n'.encode() + b"\xff\n" + other.encode())
    result = cptkit("check", path)
    assert result.returncode == 1
    assert f"{path}:2" in result.stdout and "is not valid JSON" in result.stdout
    assert (
        f"{path}:4" in result.stdout and "is not UTF-8 text (byte 1 of the line)" in result.stdout
    )
    # Rows 2 and 4 cannot be keyed: each may belong to the claim before or after it, so
    # both of those are held back, said so, and counted.
    assert "4 rows read, 4 rejected; 0 claims checked" in result.stdout
    assert "claim not checked because rows 2, 4 beside it could not be read" in result.stdout
    assert "claim not checked because row 4 beside it could not be read" in result.stdout


def test_ten_thousand_rows_with_a_few_bad_ones(tmp_path: Path) -> None:
    path = tmp_path / "big.csv"
    bad = {17: "units", 4242: "code", 9001: "date_of_service"}
    with path.open("w", encoding="utf-8") as out:
        out.write(HEADER)
        for i in range(10_000):
            code = "97110" if i % 2 == 0 else "97140"
            cells = {"units": "1", "code": code, "date_of_service": "2026-03-02"}
            if i in bad:
                cells[bad[i]] = {"units": "two", "code": "9711", "date_of_service": "03/02/26"}[
                    bad[i]
                ]
            out.write(
                f"C{i // 2},SECRET-PATIENT,{cells['date_of_service']},{cells['code']},GP,"
                f"{cells['units']},15,11,1,M54.50\n"
            )
    started = time.monotonic()
    result = cptkit("check", path, "--format", "json")
    assert time.monotonic() - started < 15  # a few seconds on a developer's machine
    assert result.returncode == 1
    document = json.loads(result.stdout)
    rejected = [f for f in document["findings"] if f["rule"] == "row-rejected"]
    assert {f["row"]: f["field"] for f in rejected if f["field"]} == {
        19: "units",
        4244: "code",
        9003: "date_of_service",
    }
    # The other row of each claim is held back, and said so.
    assert sorted(f["row"] for f in rejected if f["field"] is None) == [18, 4245, 9002]
    assert document["summary"]["rows_read"] == 10_000
    assert document["summary"]["rows_rejected"] == 6
    assert document["summary"]["claims_checked"] == 4_997
    assert "SECRET" not in result.stdout and "M54" not in result.stdout


def test_a_bad_row_names_only_its_field(tmp_path: Path) -> None:
    path = write(
        tmp_path / "claims.csv",
        HEADER + "C1,SECRET-PATIENT,2026-03-02,97110,GP,2.5,33,11,1,F41.1\n",
    )
    result = cptkit("check", path)
    assert result.returncode == 1
    assert "units: '2.5' is not an int >= 1" in result.stdout
    assert "SECRET" not in result.stdout + result.stderr
    assert "F41" not in result.stdout + result.stderr


# -- usage --------------------------------------------------------------------------------------


def test_usage_errors_are_exit_2(tmp_path: Path) -> None:
    assert cptkit("check", tmp_path / "nope.csv").returncode == 2
    assert cptkit("check", write(tmp_path / "claims.txt", "x")).returncode == 2
    assert cptkit("check", "examples", "--on", "2026-13-01").returncode == 2
    assert cptkit("frobnicate").returncode == 2
    help_text = cptkit("--help")
    assert help_text.returncode == 0 and "check" in help_text.stdout


def test_the_console_script_is_installed() -> None:
    script = Path(sys.executable).parent / ("cptkit.exe" if os.name == "nt" else "cptkit")
    result = subprocess.run(
        [str(script), "lookup", "97153"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0
    assert result.stdout.startswith("97153  ABA treatment by protocol")


def test_a_closed_pipe_ends_quietly(tmp_path: Path) -> None:
    path = tmp_path / "many.csv"
    rows = "".join(f"C{i},P,2026-03-02,97110,,1,15,11,1,M54.50\n" for i in range(3000))
    write(path, HEADER + rows)
    with subprocess.Popen(
        [sys.executable, "-m", "cptkit", "check", str(path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    ) as process:
        assert process.stdout is not None and process.stderr is not None
        process.stdout.readline()
        process.stdout.close()
        error = process.stderr.read()
        assert process.wait(timeout=60) == 141  # 128 + SIGPIPE, as shells report it
    assert error == b""


def test_an_interrupt_is_one_line_and_status_130(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import cptkit.cli

    def interrupted(argv: object) -> int:
        raise KeyboardInterrupt

    monkeypatch.setattr(cptkit.cli, "_main", interrupted)
    assert cptkit.cli.main(["check", "claims.csv"]) == 130
    assert capsys.readouterr().err == "cptkit: interrupted\n"


# -- look-ups -----------------------------------------------------------------------------------


def test_lookup_of_a_deleted_code_names_its_replacements() -> None:
    result = cptkit("lookup", "96101", "--on", "2026-03-02")
    assert result.returncode == 1
    assert "DELETED after 2018-12-31; use 96130, 96131, 96136, 96137 instead" in result.stdout
    assert result.stdout.endswith("on 2026-03-02: NOT valid\n")


def test_units_explain() -> None:
    result = cptkit("units", "97110=33", "97140=7", "--explain")
    assert result.returncode == 0
    assert "Result: 97110 x2, 97140 x1 (3 units)" in result.stdout


def test_units_names_the_tie() -> None:
    # CMS Pub. 100-04 ch. 5 sec. 20.2, Example 2: 20 + 20 minutes, either code takes 2 units.
    explained = cptkit("units", "97112=20", "97110=20", "--explain")
    assert explained.returncode == 0
    assert "Tie at 5 min left over between 97110, 97112: 1 leftover unit" in explained.stdout
    plain = cptkit("units", "97112=20", "97110=20")
    assert "Also allowed (tie between 97110, 97112): 97110 x1, 97112 x2\n" in plain.stdout


def test_cheatsheet_html_is_a_self_contained_printable_page() -> None:
    result = cptkit("cheatsheet", "--discipline", "PT", "--format", "html")
    assert result.returncode == 0
    page = result.stdout
    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")
    assert "@media print" in page and "<style>" in page
    assert "http" not in page and "<script" not in page and "<link" not in page
    assert "<td class='code'>97110</td>" in page and "<td class='code'>GP</td>" in page
