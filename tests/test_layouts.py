# SPDX-License-Identifier: MIT
"""Real export layouts: header names, aliases, split columns, the mapping, and what is refused."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

import cptkit
from cptkit.cli import main
from cptkit.files import Group, Unreadable, read
from cptkit.files._layout import HeaderError, layout, normalise

DATA = Path(__file__).parent / "data"


@pytest.mark.parametrize(
    ("written", "normal"),
    [
        ("Date of Service", "date_of_service"),
        (" date-of-service ", "date_of_service"),
        ("CPT/HCPCS", "cpt_hcpcs"),
        ("Claim #", "claim"),
        ("ICD-10 1", "icd_10_1"),
        ("MODIFIER_1", "modifier_1"),
    ],
)
def test_normalise(written: str, normal: str) -> None:
    assert normalise(written) == normal


# Header -> the fields it gives, typed from docs/files.md's tables.
LAYOUTS = [
    (["claim_id", "date_of_service", "code", "units"], {"claim_id": (0,), "date_of_service": (1,), "code": (2,), "units": (3,)}),
    (["Claim ID", "Date Of Service", "Code", "Units", "Modifiers", "Diagnoses"], {"claim_id": (0,), "date_of_service": (1,), "code": (2,), "units": (3,), "modifiers": (4,), "diagnoses": (5,)}),
    (["Claim Number", "DOS", "CPT", "Qty", "POS", "Dx Pointer", "Charges", "Payer Name"], {"claim_id": (0,), "date_of_service": (1,), "code": (2,), "units": (3,), "place_of_service": (4,), "diagnosis_pointers": (5,), "charge": (6,), "payer": (7,)}),
    (["MRN", "Service Date", "HCPCS", "Days or Units", "Mod 2", "Mod 1"], {"patient_id": (0,), "date_of_service": (1,), "code": (2,), "units": (3,), "modifiers": (5, 4)}),
    (["claim_id", "dos", "cpt", "units", "dx3", "dx1", "DX 2", "Diagnosis 12"], {"claim_id": (0,), "date_of_service": (1,), "code": (2,), "units": (3,), "diagnoses": (5, 6, 4, 7)}),
    (["claim_id", "date_of_service", "code", "units", "ICD-10 1", "ICD10 2"], {"claim_id": (0,), "date_of_service": (1,), "code": (2,), "units": (3,), "diagnoses": (4, 5)}),
]  # fmt: skip


@pytest.mark.parametrize(("header", "positions"), LAYOUTS)
def test_layouts(header: list[str], positions: dict[str, tuple[int, ...]]) -> None:
    assert dict(layout(header, {}).positions) == positions


def test_a_header_of_too_many_columns_is_refused_and_many_ignored_are_listed_short() -> None:
    base = ["claim_id", "dos", "code", "units"]
    with pytest.raises(HeaderError, match="the header has 1001 columns; cptkit reads at most 1000"):
        layout(base + [f"note{i}" for i in range(997)], {})
    data = ",".join(base + [f"note{i}" for i in range(25)]) + "\n"
    reading = read(io.BytesIO(data.encode()), format="csv")
    assert list(reading) == []
    assert reading.notices[0] == (
        "<stream>: ignored column(s): " + ", ".join(f"note{i}" for i in range(20)) + " and 5 more"
    )


def test_the_mapping_names_fields_and_ignores_columns() -> None:
    shape = layout(["Visit", "When", "Proc", "Qty", "Notes", "Mod A"], {
        "visit": "claim_id", "when": "date_of_service", "proc": "code", "mod_a": "modifier1",
        "notes": "",
    })  # fmt: skip
    assert dict(shape.positions) == {
        "claim_id": (0,), "date_of_service": (1,), "code": (2,), "units": (3,), "modifiers": (5,)
    }  # fmt: skip
    assert shape.ignored == ()
    assert layout(["claim_id", "dos", "code", "units", "Patient Name"], {}).ignored == (
        "Patient Name",
    )


@pytest.mark.parametrize(
    ("header", "message"),
    [
        (["claim_id", "dos", "code", "units", "minute"], "column 'minute' looks like a misspelt 'minutes'"),
        (["claim_id", "dos", "code", "units", "Modifier 5"], "column 'Modifier 5' looks like a modifier column that cptkit would not read"),
        (["claim_id", "dos", "code", "units", "Primary Diagnosis"], "column 'Primary Diagnosis' looks like a diagnosis column"),
        (["claim_id", "dos", "code", "units", "Dx Pointer 1"], "column 'Dx Pointer 1' looks like a diagnosis column"),
        (["claim_id", "dos", "code", "units", "modifiers", "modifier1"], "columns 'modifiers' and 'modifier1' both give modifiers"),
        (["claim_id", "dos", "cpt", "code", "units"], "columns 'cpt' and 'code' both give code"),
        (["claim_id", "dos", "code", "units", "Mod 1", "modifier_1"], "columns 'Mod 1' and 'modifier_1' both give modifier 1"),
        (["claim_id", "Date Of Svc", "code", "units"], "missing required column(s): date_of_service (is 'Date Of Svc' date_of_service? map it with --map 'Date Of Svc=date_of_service')"),
        (["date_of_service", "code", "units"], "missing required column(s): claim_id (or patient_id)"),
    ],
)  # fmt: skip
def test_headers_that_would_be_misread_are_refused(header: list[str], message: str) -> None:
    with pytest.raises(HeaderError) as info:
        layout(header, {})
    assert str(info.value).startswith(message), str(info.value)


# -- through the command line --------------------------------------------------------------------


def run(capsys: pytest.CaptureFixture[str], *args: str | Path) -> tuple[int, str, str]:
    status = main(["check", *map(str, args)])
    out, err = capsys.readouterr()
    return status, out, err


def test_modifier_columns_are_read_not_ignored(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    # The newcomer's repro: GP in modifier1 gave a false therapy-modifier-missing.
    path = tmp_path / "pm.csv"
    path.write_text(
        "claim_id,date_of_service,code,units,modifier1,modifier2,place_of_service,diagnoses,"
        "diagnosis_pointers\nPT-1,2026-03-02,97110,1,GP,59,11,M54.50,1\n"
    )
    assert run(capsys, path) == (0, "No findings.\n" + _summary(1, 1), "")


def _summary(rows: int, claims: int) -> str:
    return (
        f"Summary: 1 file, {rows} row{'s' * (rows != 1)} read, 0 rejected; {claims} claim"
        f"{'s' * (claims != 1)} checked, 0 with errors; findings: 0 errors, 0 warnings, 0 info;"
        f" data: {cptkit.dataset_version}\n"
    )


def test_a_cms1500_export_is_read_with_a_notice_of_the_ignored_columns(
    capsys: pytest.CaptureFixture[str],
) -> None:
    status, out, err = run(capsys, DATA / "pm-cms1500.csv")
    assert (status, out) == (0, "No findings.\n" + _summary(5, 2))
    assert (
        err == f"cptkit check: {DATA / 'pm-cms1500.csv'}: ignored column(s): Patient Name, Notes\n"
    )
    status, _, err = run(
        capsys, DATA / "pm-cms1500.csv", "--map", "Patient Name=", "--map", "notes="
    )
    assert (status, err) == (0, "")


def test_map_reads_a_column_as_a_field(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_text("Visit,When,Code,Units,Mod,Dx,Pointer\nV1,2026-03-02,97162,1,GP,M54.50,1\n")
    status, _, err = run(capsys, path)
    assert status == 2 and "column 'Mod' looks like a modifier column" in err
    mapped = ("--map", "Visit=claim_id", "--map", "WHEN=date_of_service", "--map", "mod=modifiers")
    status, out, err = run(capsys, path, *mapped, "--map", "pointer=diagnosis_pointers")
    assert (status, out, err) == (0, "No findings.\n" + _summary(1, 1), "")
    status, _, err = run(capsys, path, "--map", "Visit=visit_id")
    assert status == 2 and "columns: 'visit_id' is not a field name" in err
    with pytest.raises(SystemExit):
        run(capsys, path, "--map", "no-equals-sign")


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("pm-misspelt.csv", "column 'minute' looks like a misspelt 'minutes'"),
        ("pm-unused-modifier.csv", "column 'Mod 5' looks like a modifier column"),
    ],
)
def test_a_refused_header_is_exit_2(
    capsys: pytest.CaptureFixture[str], name: str, message: str
) -> None:
    status, _, err = run(capsys, DATA / name)
    assert status == 2 and f"{DATA / name}: {message}" in err


def test_encoding_and_date_format(capsys: pytest.CaptureFixture[str]) -> None:
    path = DATA / "pm-semicolon-cp1252.csv"
    status, out, err = run(capsys, path, "--format", "json")
    assert status == 1 and err == f"cptkit check: {path}: is semicolon-separated; read as such\n"
    found = [(f["row"], f["field"], f["message"]) for f in json.loads(out)["findings"]]
    assert found == [
        (2, "date_of_service", "date_of_service: '3/4/2026' is not a date in the form YYYY-MM-DD"
         " (or give a date format such as %m/%d/%Y); payer: is not UTF-8 text (a byte does not"
         " decode; is the file in another encoding?)"),
        (3, "date_of_service", "date_of_service: '3/5/2026' is not a date in the form YYYY-MM-DD"
         " (or give a date format such as %m/%d/%Y)"),
    ]  # fmt: skip
    status, out, _ = run(capsys, path, "--encoding", "cp1252", "--date-format", "%m/%d/%Y")
    assert (status, out) == (0, "No findings.\n" + _summary(2, 2))
    with pytest.raises(SystemExit):
        run(capsys, path, "--encoding", "klingon")
    assert run(capsys, path, "--date-format", "mm/dd/yyyy")[0] == 2


def test_standard_input_and_input_format(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    data = (DATA / "pm-extra-keys.ndjson").read_bytes()
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(data)))
    status, out, _ = run(capsys, "-", "--format", "json")
    assert status == 1
    assert [f["file"] for f in json.loads(out)["findings"]] == ["<stdin>", "<stdin>"]
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(data)))
    assert run(capsys, "-", "--input-format", "csv")[0] == 2  # not a CSV header
    export = tmp_path / "export.txt"
    export.write_bytes(data)
    assert run(capsys, export)[0] == 2  # cannot tell its format from the name
    assert run(capsys, export, "--input-format", "ndjson")[0] == 1


def test_nothing_read_at_all_is_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    status, _, err = run(capsys, DATA / "pm-header-only.csv")
    assert status == 2
    assert err.splitlines() == [
        f"cptkit check: {DATA / 'pm-header-only.csv'}: holds no rows",
        "cptkit check: nothing to check: no file holds a row",
    ]


def test_a_json_mapping_renames_keys() -> None:
    line = {"claim": "C1", "dos": "2026-03-02", "code": "92507", "units": 1, "modifiers": ["GN"],
            "diagnosis_pointers": [1], "diagnoses": ["F80.0"], "note": "x"}  # fmt: skip
    columns = {"claim": "claim_id", "DOS": "date_of_service", "note": ""}
    reading = read(io.BytesIO(json.dumps(line).encode()), format="ndjson", columns=columns)
    assert [type(event) for event in reading] == [Group]
    with pytest.raises(Unreadable):
        list(read(io.BytesIO(b"\xff\xfeabc"), format="csv"))


def test_skipped_folder_entries_are_noticed(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    (tmp_path / "old").mkdir()
    (tmp_path / "claims.csv").write_bytes((DATA / "pm-old-mac.csv").read_bytes())
    status, _, err = run(capsys, tmp_path)
    assert status == 0
    assert err.splitlines() == [
        f"cptkit check: {tmp_path}: skipped 1 (not *.csv, *.json, *.ndjson or *.jsonl): old/",
        f"cptkit check: {tmp_path / 'claims.csv'}: has old Mac line endings (CR only);"
        " read as line breaks",
    ]
