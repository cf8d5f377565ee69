# SPDX-License-Identifier: MIT
"""The command line in process (fast): every command, option and input shape through main()."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest

import cptkit
from cptkit._dataset import verify_packaged
from cptkit.cli import main
from cptkit.cli._cheatsheet import cheatsheet

HEADER = "claim_id,date_of_service,code,modifiers,units,minutes,diagnosis_pointers,diagnoses\n"
ROW = "2026-03-02,97110,GP,1,15,1,M54.50"


def run(capsys: pytest.CaptureFixture[str], *args: str | Path) -> tuple[int, str, str]:
    status = main([str(arg) for arg in args])
    out, err = capsys.readouterr()
    return status, out, err


def check_json(capsys: pytest.CaptureFixture[str], *args: str | Path) -> dict[str, Any]:
    status, out, _ = run(capsys, "check", *args, "--format", "json")
    document: dict[str, Any] = json.loads(out)
    assert document["summary"]["exit_status"] == status
    return document


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def rules(document: dict[str, Any]) -> list[tuple[int, str, str | None, str]]:
    return [(f["row"], f["rule"], f["field"], f["message"]) for f in document["findings"]]


# -- check: options ------------------------------------------------------------------------------


def test_commercial_rules_and_a_date(capsys: pytest.CaptureFixture[str]) -> None:
    mistakes = Path("examples/common-mistakes.csv")
    found = [f["rule"] for f in check_json(capsys, mistakes, "--rules", "commercial")["findings"]]
    assert "therapy-modifier-missing" not in found and "ncci-ptp" in found
    found = [f["rule"] for f in check_json(capsys, mistakes, "--on", "2016-06-01")["findings"]]
    assert "code-inactive" not in found


def test_csv_format(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(capsys, "check", "examples/common-mistakes.csv", "--format", "csv")
    assert status == 1
    rows = list(csv.DictReader(io.StringIO(out)))
    assert rows[0]["rule"] == "code-inactive" and rows[0]["line_number"] == "1"
    assert err.startswith("Summary: 1 file, 4 rows read, 0 rejected")


def test_progress_is_drawn_on_stderr_and_cleared(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(capsys, "check", "examples/pt-visit.csv", "--progress")
    assert status == 0
    assert err == "\r\x1b[Kcptkit: examples/pt-visit.csv: 4 rows read, 1 claims checked\r\x1b[K"
    assert out.startswith("No findings.")


def test_progress_with_findings(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = write(tmp_path / "c.csv", HEADER + f"C1,{ROW}\nC2,2026-03-02,9711,GP,1,15,1,M54.50\n")
    for kind in ("table", "json", "csv"):
        status, _, err = run(capsys, "check", path, "--progress", "--format", kind)
        assert status == 1
        assert "cptkit: " in err and "\r\x1b[K" in err


def test_the_demonstration_and_the_version(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys)
    assert status == 0 and "Run 'python -m cptkit --help'" in out
    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])
    assert exit_info.value.code == 0
    shown = capsys.readouterr().out
    assert shown.startswith(f"cptkit {cptkit.__version__}, dataset 2026.12.05 (codes 2026-04,")
    # One line, whatever the terminal's width (argparse's own action wraps it).
    assert shown.count("\n") == 1 and shown.endswith("PFS RVU26C)\n")


# -- check: grouping and claim-level values ------------------------------------------------------


def test_rows_group_by_patient_and_date_without_a_claim_id(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    text = (
        "patient_id,date_of_service,code,modifiers,units,minutes,diagnosis_pointers,diagnoses\n"
        "A,2026-03-02,97110,GP,1,15,1,M54.50\nA,2026-03-02,97110,GP,1,15,1,\n"
        "B,2026-03-02,97110,GP,1,15,1,M54.50\nA,2026-03-03,97110,GP,1,15,1,M54.50\n"
    )
    document = check_json(capsys, write(tmp_path / "c.csv", text))
    assert document["summary"]["claims_checked"] == 3
    # Rows 2 and 3 are patient A's claim of 2026-03-02; B and A's next day are claims of their own.
    assert [(f["row"], f["line_number"], f["rule"]) for f in document["findings"]] == [
        (3, 2, "duplicate-line")
    ]
    assert document["findings"][0]["claim_id"] is None  # patient ids are never printed


def test_claim_rows_that_are_not_adjacent_are_checked_apart_with_a_warning(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = write(tmp_path / "c.csv", HEADER + f"C1,{ROW}\nC2,{ROW}\nC1,{ROW}\n")
    document = check_json(capsys, path)
    assert [(f["row"], f["rule"], f["severity"]) for f in document["findings"]] == [
        (4, "claim-rows-not-adjacent", "warning")
    ]
    assert document["summary"]["claims_checked"] == 3
    assert document["summary"]["exit_status"] == 0


def test_claim_level_values_may_repeat_but_not_conflict(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    text = (
        HEADER
        + f"C1,{ROW}\nC1,2026-03-02,97140,GP,1,15,1,M54.50\n"  # the same value again: fine
        + f"C2,{ROW}\nC2,2026-03-02,97140,GP,1,15,1,F41.1\n"  # another value: a conflict
    )
    document = check_json(capsys, write(tmp_path / "c.csv", text))
    assert rules(document) == [
        (4, "row-rejected", None, "claim not checked because row 5 was rejected"),
        (5, "row-rejected", "diagnoses", "diagnoses: differs from the claim's row 4"),
    ]
    assert document["summary"]["claims_checked"] == 1


def test_a_claim_without_diagnoses_is_held_back(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    many = ";".join(f"M54.{n}" for n in range(13))
    text = HEADER + "C1,2026-03-02,97110,GP,1,15,1,\nC1,2026-03-02,97140,GP,1,15,1,\n"
    text += f"C2,2026-03-02,97110,GP,1,15,1,{many}\n"
    document = check_json(capsys, write(tmp_path / "c.csv", text))
    assert rules(document)[:2] == [
        (2, "row-rejected", "diagnoses", "claim not checked: no diagnoses (rows 2-3)"),
        (3, "row-rejected", "diagnoses", "claim not checked: no diagnoses (rows 2-3)"),
    ]
    assert rules(document)[2][3].startswith("claim not checked: diagnoses: 13 is not a count")
    assert document["summary"]["rows_rejected"] == 3


@pytest.mark.parametrize(
    ("row", "field", "message"),
    [
        ("C1,2026-03-02,97110,GP GO;,2,xx,1,M54.50", "minutes", "minutes: 'xx' is not an int >= 0"),
        ("C1,2026-03-02,97110,G,1,,1,M54.50", "modifiers", "modifiers: 'G' is not"),
        ("C1,2026-03-02,97110,GP,1,,0,M54.50", "diagnosis_pointers", "diagnosis_pointers: 0 is"),
        ("C1,2026-03-02,97110,GP,1,,1,M5", "diagnoses", "diagnoses: 'M5' is not"),
        (",2026-03-02,97110,GP,1,,1,M54.50", "claim_id", "claim_id: is empty"),
        ("C1,2026-03-02,97110,GP,1,,1", None, "has 7 cells; the header has 8"),
        ("C1,2026-3-2,97110,GP,1,,1,M54.50", "date_of_service", "date_of_service: '2026-3-2'"),
    ],
)
def test_bad_cells(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, row: str, field: str | None, message: str
) -> None:
    document = check_json(capsys, write(tmp_path / "c.csv", HEADER + row + "\n"))
    found = rules(document)
    assert found[0][:3] == (2, "row-rejected", field)
    assert found[0][3].startswith(message)


def test_claim_level_columns(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    header = "claim_id,date_of_service,code,units,diagnoses,claim_place_of_service,payer,charge\n"
    text = header + "C1,2026-03-02,92507,1,F80.0,11,Plan A,80.00\n"
    text += "C2,2026-03-02,92507,1,F80.0,1,Plan A,$80\n"
    document = check_json(capsys, write(tmp_path / "c.csv", text))
    rejected = [f for f in document["findings"] if f["rule"] == "row-rejected"]
    assert [(f["row"], f["field"]) for f in rejected] == [(3, "charge")]
    assert "claim_place_of_service: '1' is not" in rejected[0]["message"]


def test_blank_lines_are_skipped(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    document = check_json(capsys, write(tmp_path / "c.csv", HEADER + f"\nC1,{ROW}\n,,,,,,,\n"))
    assert document["summary"]["rows_read"] == 1


# -- check: unreadable input and usage -----------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("e.csv", b"", "is empty; expected a header row"),
        ("d.csv", b"code,code,units,date_of_service,claim_id\n", "column(s) given twice: code"),
        (
            "k.csv",
            b"code,units,date_of_service\n",
            "missing required column(s): claim_id (or patient_id)",
        ),
        ("n.csv", b"x" * 200_000 + b"\n", "the header row is not readable as CSV"),
        ("o.json", b'{"claim_id": "C1"}', "expected a JSON list of line or claim objects"),
        ("u.json", b'[{"payer": "Caf\xe9"}]', "is not UTF-8 text (byte 16)"),
    ],
)
def test_unreadable_files_are_exit_2(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, name: str, content: bytes, message: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    status, out, err = run(capsys, "check", path)
    assert status == 2
    assert f"cptkit check: {path}: {message}" in err
    assert f"Unreadable: {path}" in out


def test_a_row_csv_cannot_read_is_rejected(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "c.csv"
    huge = "x" * 200_000
    path.write_bytes((HEADER + f"C1,{ROW}\nC2,{huge}\nC3,{ROW}\n").encode())
    document = check_json(capsys, path)
    assert rules(document) == [
        (3, "row-rejected", None, "not readable as CSV (field larger than field limit (131072))")
    ]
    assert document["summary"]["claims_checked"] == 2


def test_usage_problems(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    status, _, err = run(capsys, "check", tmp_path / "empty", tmp_path / "x.txt")
    assert status == 2
    assert "no *.csv, *.json, *.ndjson or *.jsonl file in it" in err
    assert "x.txt: no such file" in err
    write(tmp_path / "x.txt", "")
    assert run(capsys, "check", tmp_path / "x.txt")[2].endswith(
        "cannot tell its format from the name (expected .csv, .json, .jsonl, .ndjson)\n"
    )


def test_a_file_that_cannot_be_opened(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write(tmp_path / "c.json", "[]")

    def refuse(*args: object, **kwargs: object) -> None:
        raise PermissionError(13, "Permission denied")

    verify_packaged()  # the packaged data is checked (once) before the patch refuses opens
    monkeypatch.setattr(Path, "open", refuse)
    status, _, err = run(capsys, "check", path)
    assert status == 2
    assert f"{path}: cannot be opened (Permission denied)" in err


# -- check: JSON and NDJSON ----------------------------------------------------------------------


def test_json_line_and_claim_objects(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    line = {"date_of_service": "2026-03-02", "code": "92507", "units": 1, "modifiers": ["GN"]}
    line |= {"diagnosis_pointers": [1]}
    items: list[object] = [
        {"patient_id": "P1", "diagnoses": ["F80.0"], **line},
        {"patient_id": "P1", **line, "code": "92508"},
        {"claim_id": "C2", **line, "units": "1"},
        {"claim_id": 7, **line},
        {**line},
        ["not", "an", "object"],
        {"claim_id": "C3", "diagnoses": ["F80.0"], "lines": [{**line, "units": 0, "extra": 1}]},
        {"claim_id": "C4", "diagnoses": ["F80.0"], "lines": [line], "payer": "Plan"},
    ]
    path = write(tmp_path / "c.json", json.dumps(items))
    document = check_json(capsys, path)
    found = [(f["row"], f["rule"], f["field"]) for f in document["findings"]]
    assert (3, "row-rejected", "units") in found
    assert (4, "row-rejected", "claim_id") in found
    assert (5, "row-rejected", "claim_id") in found
    assert (6, "row-rejected", None) in found
    assert (7, "row-rejected", "lines") in found
    c3 = next(f for f in document["findings"] if f["row"] == 7)
    assert c3["claim_id"] == "C3"
    assert "lines[0].units: 0 is not an int >= 1" in c3["message"]
    assert document["summary"]["claims_checked"] == 2
    assert document["summary"]["rows_read"] == 8


def test_ndjson_claim_objects(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    claim = {
        "claim_id": "C1",
        "diagnoses": ["F41.1"],
        "lines": [
            {"code": "90837", "units": 1, "minutes": 45, "date_of_service": "2026-03-02",
             "diagnosis_pointers": [1]},
        ],
    }  # fmt: skip
    path = tmp_path / "c.jsonl"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps(claim).encode() + b"\n")
    document = check_json(capsys, path)
    assert [(f["row"], f["line_number"], f["rule"]) for f in document["findings"]] == [
        (1, 1, "time-band-mismatch")
    ]


# -- look-ups ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "status", "expected"),
    [
        (["lookup", "97110"], 0, "timed: 15-minute units (Medicare pools them"),
        (["lookup", "97110", "--on", "2026-03-02"], 0, "on 2026-03-02: valid"),
        (["lookup", "97130"], 0, "add-on:       yes: bill only with a primary code (97129)"),
        (
            ["lookup", "90833"],
            0,
            "98000, 98001, 98002, 98003, 98004, 98005, 98006, 98007 and 54 more",
        ),
        (["lookup", "90834"], 0, "chosen by time: one unit for 38-52 minutes"),
        (["lookup", "90837"], 0, "chosen by time: one unit for 53 minutes or more"),
        (
            ["lookup", "90839"],
            0,
            "time ladder: 90839 from 30 minutes; 90840 from 75 minutes, one more each further 30",
        ),
        (["lookup", "90839"], 0, "note:         below 30 min use 90832/90834 instead"),
        (["lookup", "92507"], 0, "untimed: one unit per session"),
        (["lookup", "92507"], 0, "telehealth:   on the Medicare list"),
        (["lookup", "97151"], 0, "from 2019-01-01, active"),
        (["lookup", "92605"], 0, "Medicare PFS: status B (bundled)"),
        (["lookup", "99999"], 1, ""),
        (["lookup", "9999"], 2, ""),
        (["search", "manual", "therapy"], 0, "97140  Manual therapy"),
        (["search", "psych", "testing", "per", "hour"], 0, "96101  Old psych testing"),
        (["search", "zebra"], 1, ""),
        (["modifier", "gd"], 0, "CMS text: Units of service exceeds medically unlikely edit"),
        (["modifier", "gd", "--on", "2026-03-02"], 1, "valid:    from 2008-01-01 to 2019-12-31"),
        (["modifier", "59"], 0, "valid: in use"),
        (["modifier", "95", "--on", "2026-03-02"], 0, "on 2026-03-02: valid"),
        (["pos", "10", "--on", "2020-06-01"], 1, "on 2020-06-01: NOT valid"),
        (["pos", "02"], 0, "telehealth:  yes: a telehealth place of service"),
        (["pos", "11"], 0, "11  Office"),
        (["pos", "30"], 1, ""),
        (["units", "97110=10", "97140=10", "--rule", "ama"], 0, "Total: 2 units (CPT time rule)"),
        # The total names the rules the lines were counted by (CMS Pub. 100-04 ch. 5 sec.
        # 20.2 pools only the 15-minute therapy codes; the others follow CPT's time rules).
        (["units", "97161=45"], 0, "97161  45 min  1 unit\nTotal: 1 unit (untimed)"),
        (["units", "90834=45"], 0, "90834  45 min  1 unit\nTotal: 1 unit (CPT time bands)"),
        (["units", "96130=91"], 0, "Total: 2 units (CPT time instructions)"),
        (["units", "97110=10", "98960=16"], 0, "(Medicare 8-minute rule; CPT time rule)"),
        (["units", "90837=45", "--explain"], 0, "45 min fits 90834"),
        (["units", "97110=3", "97110=4"], 2, ""),
        (["units", "99999=30"], 1, ""),
    ],
)
def test_look_ups(
    capsys: pytest.CaptureFixture[str], args: list[str], status: int, expected: str
) -> None:
    got, out, err = run(capsys, *args)
    assert got == status, out + err
    assert expected in out
    if status:
        assert err.startswith(f"cptkit {args[0]}: ") or "NOT valid" in out


def test_cheatsheets(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "cheatsheet")
    assert status == 0
    titles = [line for line in out.splitlines() if line.startswith("# ")]
    assert titles == [
        "# Physical therapy (PT) billing cheat sheet",
        "# Occupational therapy (OT) billing cheat sheet",
        "# Speech-language pathology (SLP) billing cheat sheet",
        "# Applied behavior analysis (ABA) billing cheat sheet",
        "# Psychotherapy (behavioral health) billing cheat sheet",
    ]
    assert "| 97153 | ABA treatment by protocol" in out
    assert "| GP | every PT code on Medicare claims" in out
    assert (
        "| 90837 | Individual psychotherapy, about 60 min (53 min or more) | by time: 53+ min |"
        in out
    )
    assert "| 97130 | Cognitive function intervention, each further 15 min; add-on |" in out
    page = cheatsheet(["ABA", "BH", "ABA"], "html")
    assert page.count("<section>") == 2 and "<title>cptkit billing cheat sheets</title>" in page
    assert "<code>cptkit units 97153=120 --rule ama</code>" in page


@pytest.mark.parametrize("text", ["2026-W10-1", "2026-3-2", "20260302", "2026-02-30"])
def test_on_takes_what_the_library_takes(capsys: pytest.CaptureFixture[str], text: str) -> None:
    # Python 3.11's fromisoformat reads week dates; cptkit.lookup(on=) does not, nor does --on.
    with pytest.raises(SystemExit) as stop:
        main(["lookup", "97110", "--on", text])
    assert stop.value.code == 2
    assert f"'{text}' is not a date (expected YYYY-MM-DD)" in capsys.readouterr().err


def test_an_unknown_key_in_a_line_object_is_a_rejected_row_not_a_crash(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    # The newcomer's repro: a practice-management export with a patient_name key.
    line = {"claim_id": "SLP-1", "patient_name": "Jane Doe", "date_of_service": "2026-03-04",
            "code": "92507", "modifiers": ["GN"], "units": 1, "diagnosis_pointers": [1],
            "diagnoses": ["F80.0"]}  # fmt: skip
    path = write(tmp_path / "extra.ndjson", json.dumps(line) + "\n")
    document = check_json(capsys, path)
    assert rules(document) == [(1, "row-rejected", None, "unknown key(s): 'patient_name'")]
    assert "Jane" not in json.dumps(document)
