# SPDX-License-Identifier: MIT
"""ICD-10-CM lookups by fiscal year, the packaged table's loader, and the CMS file readers.

The expected values are typed from data/raw/icd10cm/icd10cm_codes_fy2025_fy2026.csv (the row
of each code is quoted in the comment next to it) and from its PROVENANCE.md.
"""

from __future__ import annotations

import bisect
import datetime
import io
import pickle
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import cptkit
from cptkit import (
    DatasetError,
    Diagnosis,
    DiagnosisInfo,
    InvalidDiagnosis,
    InvalidInput,
    UnknownDiagnosis,
    _dataset,
    _icd10cm,
)
from cptkit._icd10cm_files import (
    DiagnosisRow,
    file_fiscal_year,
    parse_icd10cm_lines,
    read_icd10cm_file,
)

DATA = Path(__file__).parent / "data"

# code, title, fiscal years listed, fiscal years billable (from the raw rows)
SOURCE_ROWS = [
    # F840,F84.0,1,1,Autistic disorder
    ("F84.0", "Autistic disorder", (2025, 2026), (2025, 2026)),
    # F801,F80.1,1,1,Expressive language disorder
    ("F80.1", "Expressive language disorder", (2025, 2026), (2025, 2026)),
    # M25561,M25.561,1,1,Pain in right knee
    ("M25.561", "Pain in right knee", (2025, 2026), (2025, 2026)),
    # E11A,E11.A,,1,Type 2 diabetes mellitus without complications in remission
    ("E11.A", "Type 2 diabetes mellitus without complications in remission", (2026,), (2026,)),
    # Z5986,Z59.86,1,0,Financial insecurity
    ("Z59.86", "Financial insecurity", (2025, 2026), (2025,)),
    # Z59861,Z59.861,,1,"Financial insecurity, difficulty paying for utilities"
    ("Z59.861", "Financial insecurity, difficulty paying for utilities", (2026,), (2026,)),
    # M545,M54.5,0,0,Low back pain
    ("M54.5", "Low back pain", (2025, 2026), ()),
    # M5450,M54.50,1,1,"Low back pain, unspecified"
    ("M54.50", "Low back pain, unspecified", (2025, 2026), (2025, 2026)),
    # M5451,M54.51,1,1,Vertebrogenic low back pain
    ("M54.51", "Vertebrogenic low back pain", (2025, 2026), (2025, 2026)),
    # M5459,M54.59,1,1,Other low back pain
    ("M54.59", "Other low back pain", (2025, 2026), (2025, 2026)),
    # R102,R10.2,1,0,Pelvic and perineal pain
    ("R10.2", "Pelvic and perineal pain", (2025, 2026), (2025,)),
    # G35,G35,1,0,Multiple sclerosis
    ("G35", "Multiple sclerosis", (2025, 2026), (2025,)),
    # S301XXA,S30.1XXA,1,,"Contusion of abdominal wall, initial encounter"
    ("S30.1XXA", "Contusion of abdominal wall, initial encounter", (2025,), (2025,)),
    # QA00101,QA0.0101,,1,SCN2A-related neurodevelopmental disorder
    ("QA0.0101", "SCN2A-related neurodevelopmental disorder", (2026,), (2026,)),
    # S72,S72,0,0,Fracture of femur
    ("S72", "Fracture of femur", (2025, 2026), ()),
]


@pytest.mark.parametrize(("code", "title", "listed", "billable"), SOURCE_ROWS)
def test_lookup_by_fiscal_year(
    code: str, title: str, listed: tuple[int, ...], billable: tuple[int, ...]
) -> None:
    for year, on in ((2025, "2025-09-30"), (2026, "2025-10-01")):
        if year not in listed:
            assert cptkit.get_diagnosis(code, on=on) is None
            with pytest.raises(UnknownDiagnosis, match=re.escape(f"not in the ICD-10-CM FY{year}")):
                cptkit.lookup_diagnosis(code, on=on)
            continue
        info = cptkit.lookup_diagnosis(code, on=on)
        assert info == DiagnosisInfo(
            code=Diagnosis.parse(code),
            title=title,
            billable=year in billable,
            fiscal_year=year,
            fiscal_years=listed,
            billable_years=billable,
        )
        assert cptkit.get_diagnosis(code, on=on) == info
    newest = cptkit.lookup_diagnosis(code)  # without a date: the newest list holding it
    assert newest.fiscal_year == listed[-1]
    assert newest.billable is (listed[-1] in billable)


@pytest.mark.parametrize(
    ("on", "year"),
    [
        ("2024-10-01", 2025),  # the first day cptkit has
        (datetime.date(2025, 9, 30), 2025),
        (datetime.date(2025, 10, 1), 2026),
        ("2026-09-30", 2026),  # the last day cptkit has
    ],
)
def test_fiscal_years_run_october_to_september(on: object, year: int) -> None:
    assert cptkit.lookup_diagnosis("F84.0", on=on).fiscal_year == year  # type: ignore[arg-type]


OUTSIDE = (
    "is not a date in the fiscal years of cptkit's ICD-10-CM lists (FY2025, FY2026: 2024-10-01"
    " to 2026-09-30); load a newer CMS code file for later dates"
)


@pytest.mark.parametrize("on", ["2024-09-30", "2026-10-01", datetime.date(2026, 12, 4)])
def test_dates_outside_the_fiscal_years_are_refused(on: object) -> None:
    message = f"on: {on!r} {OUTSIDE}"
    with pytest.raises(InvalidInput, match=re.escape(message)):
        cptkit.lookup_diagnosis("F84.0", on=on)  # type: ignore[arg-type]
    with pytest.raises(InvalidInput, match=re.escape(message)):
        cptkit.get_diagnosis("F84.0", on=on)  # type: ignore[arg-type]
    assert _icd10cm.last_day() == datetime.date(2026, 9, 30)


def test_errors_name_the_value_and_what_was_expected() -> None:
    with pytest.raises(UnknownDiagnosis) as info:
        cptkit.lookup_diagnosis("E11A", on="2025-09-30")
    assert str(info.value) == (
        "diagnosis: 'E11.A' is not in the cptkit dataset (not in the ICD-10-CM FY2025 list;"
        " listed in FY2026)"
    )
    assert isinstance(info.value, LookupError)
    assert pickle.loads(pickle.dumps(info.value)).detail == info.value.detail
    with pytest.raises(UnknownDiagnosis) as info:
        cptkit.lookup_diagnosis("M54.5X")
    assert str(info.value) == (
        "diagnosis: 'M54.5X' is not in the cptkit dataset (in no ICD-10-CM list of FY2025, FY2026)"
    )
    with pytest.raises(UnknownDiagnosis, match=re.escape("FY2026 list)")):
        cptkit.lookup_diagnosis("M54.5X", on="2026-01-02")
    assert cptkit.get_diagnosis("M54.5X", "none") == "none"
    with pytest.raises(InvalidDiagnosis, match=re.escape("diagnosis: 'F8' is not an ICD-10-CM")):
        cptkit.get_diagnosis("F8")
    with pytest.raises(InvalidInput, match=re.escape("on: '2026-13-01' is not a date")):
        cptkit.lookup_diagnosis("F84.0", on="2026-13-01")


def test_lookup_takes_a_diagnosis_value() -> None:
    assert cptkit.lookup_diagnosis(Diagnosis("F840")).title == "Autistic disorder"


CODES = st.sampled_from(_icd10cm.load_diagnoses().codes)


@given(CODES, st.sampled_from([None, "2025-03-01", "2026-03-01"]))
@settings(max_examples=200)
def test_dotted_and_undotted_forms_agree(code: str, on: str | None) -> None:
    dotted = str(Diagnosis(code))
    forms = {code, dotted, dotted.lower(), f" {code.lower()}\t"}
    answers = {repr(cptkit.get_diagnosis(form, "unlisted", on=on)) for form in forms}
    assert len(answers) == 1


@given(CODES, st.sampled_from(_icd10cm.PACKAGED_YEARS))
@settings(max_examples=300)
def test_billable_codes_are_leaves_and_headers_have_billable_codes_under_them(
    code: str, year: int
) -> None:
    table = _icd10cm.load_diagnoses()
    status = table.status(code, year)
    start = bisect.bisect_right(table.codes, code)
    end = bisect.bisect_left(table.codes, code + "~")  # every code that starts with it
    under_listed = [
        other for other in table.codes[start:end] if table.status(other, year) != _icd10cm.ABSENT
    ]
    under = table.billable_under(code, year)
    assert all(other.startswith(code) and other != code for other in under)
    assert all(table.status(other, year) == _icd10cm.BILLABLE for other in under)
    if status == _icd10cm.BILLABLE:
        assert under == ()
        assert not under_listed
    elif status == _icd10cm.HEADER:
        assert under != ()
    info = table.info(Diagnosis(code), None)
    assert info is not None
    assert set(info.billable_years) <= set(info.fiscal_years)
    assert info.billable is (info.fiscal_year in info.billable_years)


def test_packaged_counts_match_the_source() -> None:
    # PROVENANCE.md: FY2026 74,719 billable, FY2025 74,260 billable + 23,324 headers; FY2026
    # headers counted in the raw file: 23,467 (PROVENANCE.md says 23,433), 98,198 rows.
    table = _icd10cm.load_diagnoses()
    assert len(table.codes) == 98198
    counts = {
        year: {
            status: sum(table.status(code, year) == status for code in table.codes)
            for status in (_icd10cm.BILLABLE, _icd10cm.HEADER)
        }
        for year in table.years
    }
    assert counts == {
        2025: {_icd10cm.BILLABLE: 74260, _icd10cm.HEADER: 23324},
        2026: {_icd10cm.BILLABLE: 74719, _icd10cm.HEADER: 23467},
    }


# -- the loader --------------------------------------------------------------------------------

GOOD = "# a comment\ncode,fy2025,fy2026,title\nM545,0,0,Low back pain\nM5450,1,1,Low back pain\n"


def test_fixture_table_parses() -> None:
    table = _icd10cm.build_diagnoses(io.StringIO(GOOD), "mini.csv")
    assert table.years == (2025, 2026)
    assert table.codes == ("M545", "M5450")
    assert table.status("M545", 2025) == _icd10cm.HEADER
    assert table.billable_under("M545", 2026) == ("M5450",)
    assert table.first_day == datetime.date(2024, 10, 1)
    assert table.judged_year(datetime.date(2027, 1, 1)) == (2026, False)
    assert table.judged_year(datetime.date(2020, 1, 1)) == (2025, False)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "mini.csv: no header line"),
        ("code,fy2025,fy2026,title\n", "mini.csv: no rows"),
        ("code,fy2025,fy2027,title\n", "mini.csv line 1: header ['code', 'fy2025', 'fy2027'"),
        ("code,fy2025,name\n", "mini.csv line 1: header"),
        ("code,year,title\n", "mini.csv line 1: header"),
        ("code,title\n", "mini.csv line 1: header"),
        ("code,fy2025,title\nA00,0\n", "mini.csv line 2: 2 fields, expected 3"),
        ("code,fy2025,title\nA00,2,Cholera\n", "mini.csv line 2: billable flags ('2',)"),
        ("code,fy2025,title\nA00,,Cholera\n", "mini.csv line 2: the code is in no fiscal year"),
        ("code,fy2025,title\nA0,1,Cholera\n", "mini.csv line 2: code 'A0' is invalid"),
        ("code,fy2025,title\nA00.0,1,Cholera\n", "mini.csv line 2: code 'A00.0' is invalid"),
        ("code,fy2025,title\nA00,1,\n", "mini.csv line 2: code 'A00' is invalid"),
        ("code,fy2025,title\nA01,1,x\nA00,1,y\n", "mini.csv line 3: code 'A00' is invalid"),
        ("code,fy2025,title\nA00,1,x\nA00,1,y\n", "mini.csv line 3: code 'A00' is invalid"),
    ],
)
def test_bad_tables_name_file_and_line(text: str, message: str) -> None:
    with pytest.raises(DatasetError, match=re.escape(message)):
        _icd10cm.build_diagnoses(io.StringIO(text), "mini.csv")


def test_packaged_years_are_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    one_year = "code,fy2025,title\nA00,1,Cholera\n"
    monkeypatch.setattr(_dataset, "open_packaged", lambda name: io.StringIO(one_year))
    with pytest.raises(DatasetError, match=re.escape("diagnoses.csv: fiscal years (2025,) are")):
        _icd10cm.build_packaged(_dataset.open_packaged("diagnoses.csv"))


# -- CMS/CDC files -----------------------------------------------------------------------------

SAMPLE = [
    DiagnosisRow("A00", False, "Cholera"),
    DiagnosisRow("A000", True, "Cholera due to Vibrio cholerae 01, biovar cholerae"),
    DiagnosisRow("M545", False, "Low back pain"),
    DiagnosisRow("M5450", True, "Low back pain, unspecified"),
    DiagnosisRow("M5451", True, "Vertebrogenic low back pain"),
    DiagnosisRow("M5459", True, "Other low back pain"),
    DiagnosisRow("Z5986", False, "Financial insecurity"),
    DiagnosisRow("Z59861", True, "Financial insecurity, difficulty paying for utilities"),
]


def test_order_and_codes_layouts() -> None:
    assert read_icd10cm_file(DATA / "icd10cm-order-sample.txt") == SAMPLE
    # The codes layout lists the billable codes only.
    assert read_icd10cm_file(DATA / "icd10cm-codes-sample.txt") == [
        row for row in SAMPLE if row.billable
    ]


def test_windows_1252_is_read_and_other_bytes_refused(tmp_path: Path) -> None:
    path = tmp_path / "icd10cm-codes-2027.txt"
    path.write_bytes("C841    S\u00e9zary disease\r\n".encode("cp1252"))
    assert read_icd10cm_file(path) == [DiagnosisRow("C841", True, "S\u00e9zary disease")]
    path.write_bytes("C841    S\u00e9zary disease\n".encode())
    assert read_icd10cm_file(path)[0].title == "S\u00e9zary disease"
    path.write_bytes(b"C841    S\x81zary disease\n")  # 0x81 is undefined in Windows-1252
    with pytest.raises(DatasetError, match=re.escape(f"{path}: byte offset 9: neither UTF-8")):
        read_icd10cm_file(path)
    with pytest.raises(DatasetError, match=re.escape("cannot be read")):
        read_icd10cm_file(tmp_path / "missing.txt")


ORDER_LINE = "00001 A00     0 " + "Cholera".ljust(60) + " Cholera"


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        ([], "f.txt: no ICD-10-CM rows"),
        (["", "  "], "f.txt: no ICD-10-CM rows"),
        ([ORDER_LINE, "00002 A000    2 x"], "f.txt line 2: not a row of the ICD-10-CM order"),
        ([ORDER_LINE, "A000    Cholera"], "f.txt line 2: not a row of the ICD-10-CM order"),
        ([ORDER_LINE, ORDER_LINE], "f.txt line 2: duplicate code 'A00'"),
        (["A00.0   Cholera"], "f.txt line 1: not a row of the ICD-10-CM codes layout"),
        (["A000"], "f.txt line 1: not a row of the ICD-10-CM codes layout"),
        (["A000    x", "", "AA00    y"], "f.txt line 3: 'AA00' is not an ICD-10-CM code"),
        (["1000    x"], "f.txt line 1: '1000' is not an ICD-10-CM code without a dot"),
    ],
)
def test_bad_file_rows_name_file_and_line(lines: list[str], message: str) -> None:
    with pytest.raises(DatasetError, match=re.escape(message)):
        parse_icd10cm_lines(lines, "f.txt")


@pytest.mark.parametrize(
    ("name", "year", "first"),
    [
        ("icd10cm-order-2027.txt", 2027, datetime.date(2026, 10, 1)),
        ("icd10cm-codes-2026.txt", 2026, datetime.date(2025, 10, 1)),
        ("icd10cm_order_2025.txt", 2025, datetime.date(2024, 10, 1)),
        ("icd10cm-order-April-2026.txt", 2026, datetime.date(2026, 4, 1)),
        ("/data/Icd10cm-Codes-april-2024.txt", 2024, datetime.date(2024, 4, 1)),
    ],
)
def test_fiscal_year_from_the_file_name(name: str, year: int, first: datetime.date) -> None:
    assert file_fiscal_year(name) == (year, first)


def test_a_file_name_without_a_year_is_refused() -> None:
    with pytest.raises(DatasetError, match=re.escape("codes.txt: the file name does not give")):
        file_fiscal_year("codes.txt")


def test_a_newer_fiscal_year_makes_a_new_table() -> None:
    packaged = _icd10cm.load_diagnoses()
    rows = read_icd10cm_file(DATA / "icd10cm-order-sample.txt")
    newer = packaged.with_year(2027, rows)
    assert (packaged.years, newer.years) == ((2025, 2026), (2025, 2026, 2027))
    assert newer.last_day == datetime.date(2027, 9, 30)
    assert newer.status("M545", 2027) == _icd10cm.HEADER
    assert newer.status("M5450", 2027) == _icd10cm.BILLABLE
    assert newer.status("F840", 2027) == _icd10cm.ABSENT  # not in the sample list
    assert newer.status("F840", 2026) == _icd10cm.BILLABLE
    assert newer.billable_under("Z5986", 2027) == ("Z59861",)
    info = _icd10cm.lookup_diagnosis("M54.50", on="2026-12-04", table=newer)
    assert (info.fiscal_year, info.fiscal_years) == (2027, (2025, 2026, 2027))
    assert _icd10cm.get_diagnosis("F84.0", on="2026-12-04", table=newer) is None
    assert _icd10cm.get_diagnosis("F84.0", on="2026-03-02", table=newer) is not None
    with pytest.raises(InvalidInput, match=re.escape("(FY2025, FY2026, FY2027: 2024-10-01 to")):
        _icd10cm.lookup_diagnosis("F84.0", on="2027-10-01", table=newer)
    assert packaged.status("M5450", 2026) == _icd10cm.BILLABLE  # the packaged table is unchanged


def test_a_codes_file_replaces_a_year_without_headers() -> None:
    mini = _icd10cm.build_diagnoses(
        io.StringIO(
            "code,fy2025,fy2026,title\nA00,0,0,old\nA000,1,1,old\nB00,1,,gone\nM545,0,0,old\n"
        )
    )
    rows = read_icd10cm_file(DATA / "icd10cm-codes-sample.txt")
    replaced = mini.with_year(2026, rows)
    assert replaced.years == (2025, 2026)
    assert replaced.status("A00", 2026) == _icd10cm.ABSENT  # a codes file lists no headers
    assert replaced.status("A00", 2025) == _icd10cm.HEADER
    assert replaced.rows["A000"] == ("11", "Cholera due to Vibrio cholerae 01, biovar cholerae")
    assert replaced.rows["A00"] == ("0-", "old")
    assert replaced.rows["B00"] == ("1-", "gone")
    assert replaced.codes == ("A00", "A000", "B00", "M545", "M5450", "M5451", "M5459", "Z59861")
    only_new = mini.with_year(2025, [DiagnosisRow("A00", False, "new")])
    assert only_new.rows["A00"] == ("00", "old")  # FY2026's title stays the newest
    assert "B00" not in only_new.rows  # it was only in the FY2025 list replaced


@pytest.mark.parametrize("year", [2024, 2028])
def test_a_year_apart_from_the_table_is_refused(year: int) -> None:
    with pytest.raises(DatasetError, match=re.escape(f"FY{year}: a list can replace FY2025,")):
        _icd10cm.load_diagnoses().with_year(year, [])
