# SPDX-License-Identifier: MIT
"""CMS files in the layouts CMS publishes them: the fixed-width HCPCS text file and the
``.xlsx`` workbooks (HCPCS, add-on code edits, MUE), read by ``Catalog.with_cms_files``.

The HCPCS fixtures are CMS's own files (``tests/data/cms/PROVENANCE.md``); the expected values
are typed from them by eye. The AOC and MUE workbooks are written here with ``xlsxkit`` (CMS's
workbooks of those are not in the repository), in the shape Excel saves them."""

from __future__ import annotations

import datetime
import zipfile
from pathlib import Path

import pytest

import cptkit
from cptkit import DatasetError
from cptkit._cms_files import HCPCS_RECORD, kind_of, read_aoc_file, read_hcpcs_file, recognise
from cptkit._xlsx import MAX_CELLS, MAX_COLUMNS, read_rows
from xlsxkit import Date, write_workbook

pytestmark = pytest.mark.real_coverage
CMS = Path(__file__).resolve().parent / "data" / "cms"
TEXT = CMS / "HCPC2020_ANWEB_excerpt.txt"
WORKBOOK = CMS / "HCPC2019_CONTR_ANWEB.xlsx"
NOTICE = (
    "CPT codes, descriptions and other data only are copyright 2026 American Medical Association."
)


def test_the_record_layout_is_cms_s() -> None:
    # CMS's HCPCS record layout, 1-based character positions.
    assert HCPCS_RECORD["HCPC"] == (1, 5)
    assert HCPCS_RECORD["RECID"] == (11, 11)
    assert HCPCS_RECORD["SHORT DESCRIPTION"] == (92, 119)
    assert HCPCS_RECORD["ADD DT"] == (269, 276)
    assert HCPCS_RECORD["TERM DT"] == (285, 292)
    assert HCPCS_RECORD["ACTION CD"] == (293, 293)


def test_the_fixed_width_text_file() -> None:
    assert TEXT.read_bytes()[:200].count(b"\x92") == 1  # Windows-1252, as CMS writes it
    assert recognise(TEXT) == ("hcpcs", "2020-01-01", datetime.date(2020, 1, 1))
    found = read_hcpcs_file(TEXT, {})
    assert sorted(str(code) for code in found) == ["E2220", "G9158", "G9187"]  # no modifiers
    g9158 = found[cptkit.Code("G9158")]
    assert g9158.summary == "Motor speech d/c status"
    assert (g9158.effective, g9158.terminated) == (
        datetime.date(2013, 1, 1),
        datetime.date(2019, 12, 31),
    )
    e2220 = found[cptkit.Code("E2220")]
    assert (e2220.summary, e2220.effective, e2220.terminated) == (
        "Solid propuls tire, repl, ea",
        datetime.date(2006, 1, 1),
        None,
    )
    assert found[cptkit.Code("G9187")].effective == datetime.date(2013, 10, 1)


def test_the_text_file_through_a_catalog() -> None:
    catalog = cptkit.catalog().with_cms_files(TEXT)
    assert catalog.lookup("G9158", on="2019-06-30").summary == "Motor speech d/c status"
    assert catalog.get("G9158", on="2020-01-01") is None
    assert cptkit.catalog().get("G9158") is None


def test_the_annual_workbook() -> None:
    assert recognise(WORKBOOK) == ("hcpcs", "2019-01-01", datetime.date(2019, 1, 1))
    rows = read_rows(WORKBOOK)
    header = next(row for row in rows if row[:1] == ["HCPC"])
    assert len(header) == 48 and header[-4:] == ["ADD DT", "ACT EFF DT", "TERM DT", "ACTION CD"]
    catalog = cptkit.catalog().with_cms_files(WORKBOOK)
    g8978 = catalog.lookup("G8978", on="2019-06-30")
    assert (g8978.summary, g8978.effective) == (
        "Mobility current status",
        datetime.date(2013, 1, 1),
    )
    assert catalog.lookup("E2220").effective == datetime.date(2006, 1, 1)
    # A code cptkit knows keeps cptkit's record (summary, timing).
    assert catalog.lookup("G0283").summary == cptkit.catalog().lookup("G0283").summary


def test_an_add_on_workbook(tmp_path: Path) -> None:
    path = write_workbook(
        tmp_path / "AOC_V2027Q1-MCR.xlsx",
        [
            [NOTICE],
            [],
            ["Add-On Code", "Add-On Code Deletion Date", "Primary Code",
             "Primary Code Deletion Date", "AOC Edit Type", "AOC Edit Effective Date",
             "AOC Edit Deletion Date", "Special Instruction Notes"],
            ["98979", None, "98975", None, 1, 2027001, None, None],
            ["90785", None, "90791", None, 1, 2013091, 2026365, None],
            ["90785", None, "90832", None, 1, 2013091, None, None],
        ],
    )  # fmt: skip
    assert recognise(path) == ("aoc", "2027-01-01", datetime.date(2027, 1, 1))
    catalog = cptkit.catalog().with_cms_files(path)
    assert [e.primary for e in catalog.add_on_edits("98979", on="2027-01-01")] == ["98975"]
    assert [e.primary for e in catalog.add_on_edits("90785", on="2027-01-01")] == ["90832"]
    # The add-on rule judges by the loaded file: there 90785's edit with 90791 ends 2026-12-31.
    visit = cptkit.Claim(
        lines=[
            cptkit.ClaimLine(
                code=code, units=1, date_of_service="2027-01-05", diagnosis_pointers=[1]
            )
            for code in ("90791", "90785")
        ],
        diagnoses=["F41.1"],
    )
    rules = cptkit.rulesets.commercial()
    packaged = cptkit.validate(visit, rules=rules).findings
    loaded = cptkit.validate(visit, rules=rules, catalog=catalog).findings
    assert "addon-without-primary" not in {f.rule for f in packaged}
    [finding] = [f for f in loaded if f.rule == "addon-without-primary"]
    assert (finding.line, finding.suggestion) == (1, "bill it with its primary (90832)")


def test_an_mue_workbook_with_inline_strings(tmp_path: Path) -> None:
    path = write_workbook(
        tmp_path / "MCR_MUE_PractitionerServices_Eff_01-01-2027.xlsx",
        [
            [NOTICE],
            ["HCPCS/CPT Code", "Practitioner Services MUE Values", "MUE Adjudication Indicator",
             "MUE Rationale"],
            ["97153", "40", "3 Date of Service Edit: Clinical", "Clinical: Data"],
        ],
        inline=True,
    )  # fmt: skip
    catalog = cptkit.catalog().with_cms_files(path)
    edit = catalog.mue("97153", on="2027-02-01")
    assert edit is not None and (edit.units, edit.edition) == (40, "2027-01-01")


def test_cells_as_text(tmp_path: Path) -> None:
    path = write_workbook(
        tmp_path / "cells.xlsx",
        [["a", None, 3, 2.5, Date(46023)], [None, "b"], [20190101.0, 1e20]],
    )
    assert read_rows(path) == [
        ["a", "", "3", "2.5", "2026-01-01"],  # serial 46023 shown as a date is 2026-01-01
        ["", "b", "", "", ""],
        ["20190101", "1e+20", "", "", ""],
    ]


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("G9158001003a cut record", "line 2: a record of 23 characters"),
        ("not a record", "line 2: not an HCPCS record"),
    ],
)
def test_bad_text_files(tmp_path: Path, line: str, message: str) -> None:
    record = TEXT.read_text("cp1252").splitlines()[3]  # a whole record: the layout is known
    path = tmp_path / "HCPC2027_JAN_ANWEB.txt"
    path.write_text(f"{record}\n{line}\n")
    with pytest.raises(DatasetError, match=message):
        read_hcpcs_file(path, {})


def _sheet(cells: str) -> str:
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    return f'<worksheet xmlns="{main}"><sheetData><row r="1">{cells}</row></sheetData></worksheet>'


@pytest.mark.parametrize(
    ("sheet", "message"),
    [
        ('<?xml version="1.0"?>\n<!DOCTYPE x [<!ENTITY a "b">]><worksheet/>',
         "document type declaration"),
        (_sheet('<c r="A1" t="s"><v>7</v></c>'), "names no shared string"),
        (_sheet('<c r="A1"><v>x</v></c>'), "is not a number"),
        (_sheet('<c r="A1" s="C"><v>1</v></c>'), "'C' is not a style or string number"),
        (_sheet('<c r="B1"><v>1</v></c><c r="A1"><v>2</v></c>'), "cell A1 is out of order"),
        ('<?xml version="1.0" encoding="UTF-O"?><worksheet/>', "not XML"),
        (_sheet('<c r="XFE1"><v>1</v></c>'), "past column XFD"),
        ("<worksheet", "not XML"),
    ],
)  # fmt: skip
def test_bad_workbooks(tmp_path: Path, sheet: str, message: str) -> None:
    path = write_workbook(tmp_path / "bad.xlsx", [["x"]], sheet_xml=sheet)
    with pytest.raises(DatasetError, match=message):
        read_rows(path)


def test_not_a_workbook_and_a_zip_bomb(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(DatasetError, match="not a readable zip archive"):
        recognise(broken)
    with pytest.raises(DatasetError, match="not a readable .xlsx workbook"):
        read_rows(broken)
    empty = tmp_path / "empty.xlsx"
    with zipfile.ZipFile(empty, "w") as book:
        book.writestr("xl/workbook.xml", '<workbook xmlns:r="x"/>')
        book.writestr("xl/_rels/workbook.xml.rels", "<Relationships/>")
    with pytest.raises(DatasetError, match="names no worksheet"):
        read_rows(empty)
    monkeypatch.setattr("cptkit._xlsx.MAX_STRINGS", 2)
    many = write_workbook(tmp_path / "many.xlsx", [["a", "b", "c"]])
    with pytest.raises(DatasetError, match="more than 2 shared strings"):
        read_rows(many)
    monkeypatch.setattr("cptkit._xlsx.MAX_CELLS", 10)
    wide = write_workbook(tmp_path / "wide.xlsx", [[None] * 11 + ["x"]])
    with pytest.raises(DatasetError, match="more than 10 cells"):
        read_rows(wide)
    monkeypatch.setattr("cptkit._xlsx.MAX_PART_BYTES", 100)
    big = write_workbook(tmp_path / "big.xlsx", [["x" * 200]])
    with pytest.raises(DatasetError, match="unzips to more than"):
        read_rows(big)
    assert MAX_COLUMNS == 16_384


def test_other_cells(tmp_path: Path) -> None:
    sheet = _sheet(
        '<c r="A1" t="b"><v>1</v></c><c t="str"><f>A1</f><v>x</v></c><c r="D1"/>'
        '<c r="E1" t="inlineStr"/><c r="F1"><v>-0.5</v></c>'
    )
    path = write_workbook(tmp_path / "other.xlsx", [["x"]], sheet_xml=sheet)
    assert read_rows(path) == [["1", "x", "", "", "", "-0.5"]]


def test_a_bare_workbook(tmp_path: Path) -> None:
    # No shared strings, no styles, an absolute part name: all allowed by the format.
    path = tmp_path / "bare.xlsx"
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    with zipfile.ZipFile(path, "w") as book:
        book.writestr(
            "xl/workbook.xml",
            f'<workbook xmlns="{main}" xmlns:r="http://schemas.openxmlformats.org/'
            'officeDocument/2006/relationships"><sheets><sheet r:id="s"/></sheets></workbook>',
        )
        book.writestr(
            "xl/_rels/workbook.xml.rels",
            '<Relationships><Relationship Id="s" Target="/xl/sheet.xml"/></Relationships>',
        )
        book.writestr("xl/sheet.xml", _sheet('<c r="B1"><v>7</v></c>'))
    assert read_rows(path) == [["", "7"]]


def test_the_text_file_does_not_shorten_the_code_table_s_coverage() -> None:
    # An older HCPCS file adds codes and dates: the table still speaks to April 2026's data.
    after = cptkit.catalog().with_cms_files(TEXT).coverage()["codes"]
    assert (str(after.through), after.edition) == (
        "2026-06-30",
        cptkit.catalog().coverage()["codes"].edition,
    )


def test_padding_counts_against_the_cell_bound(tmp_path: Path) -> None:
    # One cell in column XFD and 200 rows would be 3.3 million cells once padded.
    rows = [["x"] * 1 for _ in range(200)]
    sheet = _sheet('<c r="XFD1"><v>1</v></c>').replace(
        "</sheetData>",
        "".join(f'<row r="{n}"><c r="A{n}"><v>1</v></c></row>' for n in range(2, 202))
        + "</sheetData>",
    )
    path = write_workbook(tmp_path / "wide.xlsx", rows, sheet_xml=sheet)
    with pytest.raises(DatasetError, match=f"more than {MAX_CELLS:,} cells"):
        read_rows(path)


def test_a_declaration_in_utf_16_is_refused(tmp_path: Path) -> None:
    xml = '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE w [<!ENTITY a "aaaa">]>' + _sheet(
        '<c r="A1" t="inlineStr"><is><t>&a;</t></is></c>'
    )
    path = write_workbook(tmp_path / "utf16.xlsx", [["x"]], sheet_xml=xml.encode("utf-16"))
    with pytest.raises(DatasetError, match="document type declaration"):
        read_rows(path)


def test_phonetic_hints_are_not_text(tmp_path: Path) -> None:
    sheet = _sheet(
        '<c r="A1" t="inlineStr"><is><r><t>971</t></r><r><t>10</t></r>'
        "<rPh><t>PHONETIC</t></rPh></is></c>"
    )
    path = write_workbook(tmp_path / "runs.xlsx", [["x"]], sheet_xml=sheet)
    assert read_rows(path) == [["97110"]]


def test_a_zip_that_is_no_workbook(tmp_path: Path) -> None:
    download = tmp_path / "2026-Q2-MUE.zip"
    with zipfile.ZipFile(download, "w") as archive:
        archive.writestr("MCR_MUE_PractitionerServices_Eff_04-01-2026.csv", "HCPCS,MUE\n")
    assert kind_of(download) is None
    with pytest.raises(DatasetError, match="a zip archive, not a workbook"):
        read_aoc_file(download)


def test_the_first_rows_only(tmp_path: Path) -> None:
    path = write_workbook(tmp_path / "rows.xlsx", [[str(n)] for n in range(100)])
    assert read_rows(path, limit=3) == [["0"], ["1"], ["2"]]


@pytest.mark.parametrize(
    ("kind", "primary", "judged"),
    [(1, "90791", True), (3, "90791", False), (2, "CCCCC", False), (1, "CCCCC", False)],
)
def test_primaries_left_to_the_contractor_are_not_judged(
    tmp_path: Path, kind: int, primary: str, judged: bool
) -> None:
    # AOC edit types (CMS, "Medicare NCCI Add-on Code Edits"): 1 only the listed primaries,
    # 2 contractor-defined primaries (CCCCC), 3 the listed primaries and others the
    # contractor accepts: cptkit can say "no primary" only for type 1.
    path = write_workbook(
        tmp_path / "AOC_V2027Q1-MCR.xlsx",
        [
            ["Add-On Code", "Primary Code", "AOC Edit Type", "AOC Edit Effective Date",
             "AOC Edit Deletion Date", "Primary Code Deletion Date", "Add-On Code Deletion Date"],
            ["90785", primary, kind, 2013091, None, None, None],
        ],
    )  # fmt: skip
    catalog = cptkit.catalog().with_cms_files(path)
    line = cptkit.ClaimLine(code="90785", units=1, date_of_service="2027-01-05")
    lone = cptkit.Claim(lines=[line], diagnoses=["F41.1"])
    rules = cptkit.validation.all_of(cptkit.validation.rules.addon_without_primary())
    found = cptkit.validate(lone, rules=rules, catalog=catalog).findings
    assert [f.rule for f in found] == (["addon-without-primary"] if judged else [])
