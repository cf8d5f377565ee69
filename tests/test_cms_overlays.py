# SPDX-License-Identifier: MIT
"""Newer CMS files over the packaged data: ``Catalog.with_cms_files``, ``cptkit check --data``
and ``CPTKIT_DATA``, in CMS's layouts and encodings. The files are fixtures written here in
CMS's layouts (the values are made up for the tests, not CMS's)."""

from __future__ import annotations

import datetime
import pickle
import subprocess
import sys
from pathlib import Path

import pytest

import cptkit
from cptkit import DatasetError

pytestmark = pytest.mark.real_coverage
ROOT = Path(__file__).resolve().parent.parent
NOTICE = (
    "CPT® codes, descriptions and other data only are copyright 2026 American Medical Association."
)

MUE = (
    f'"{NOTICE}"\r\n'
    '"HCPCS/\r\nCPT Code","Practitioner Services MUE Values","MUE Adjudication Indicator",'
    '"MUE Rationale"\r\n'
    '"97153","40","3 Date of Service Edit: Clinical","Clinical: Data"\r\n'
    '"98979","1","2 Date of Service Edit: Policy","Code Descriptor / CPT Instruction"\r\n'
)
PTP = (
    "Column 1/Column 2 Edits\n"
    "Column1\tColumn2\t*=in existence prior to 1996\tEffective Date\tDeletion Date *=no data"
    "\tModifier 0=not allowed 1=allowed 9=not applicable\tPTP Edit Rationale\n"
    "97150\t97530\t\t20270101\t*\t1\tMisuse of column two code with column one code\n"
    "99999\t99998\t\t20270101\t*\t1\tMutually exclusive procedures\n"
)
AOC = (
    "Add-On Code,Add-On Code Deletion Date,Primary Code,Primary Code Deletion Date,"
    "AOC Edit Type,AOC Edit Effective Date,AOC Edit Deletion Date,Special Instruction Notes\n"
    "98979,,98975,,1,2027001,,\n"
    "90785,,90791,,1,2013091,2026365,\n"
)
HCPCS = (
    "HCPC,SEQNUM,RECID,LONG DESCRIPTION,SHORT DESCRIPTION,ADD DT,ACT EFF DT,TERM DT\n"
    "G9998,0010,3,A made-up therapy code for the test,Test therapy code,20270101,20270101,\n"
    "G0283,0010,3,Unattended e-stim,E-stim unattended,19970101,20270101,20261231\n"
    "G0283,0020,4,continued description,,,,\n"
    "GP,0010,7,A made-up modifier row,Modifier,19980101,,\n"
)


def _write(folder: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = folder / name
    path.write_bytes(text.encode(encoding))
    return path


@pytest.fixture
def cms(tmp_path: Path) -> Path:
    _write(tmp_path, "MCR_MUE_PractitionerServices_Eff_01-01-2027.csv", MUE, "cp1252")
    _write(tmp_path, "ccipra-v330r0-f1.txt", PTP, "cp1252")
    _write(tmp_path, "AOC_V2027Q1-MCR.csv", AOC)
    _write(tmp_path, "HCPC2027_JAN_ANWEB.csv", HCPCS)
    return tmp_path


def test_with_cms_files_recognises_each_file(cms: Path) -> None:
    catalog = cptkit.catalog().with_cms_files(*sorted(cms.iterdir()))
    edit = catalog.mue("97153", on="2027-02-01")
    assert edit is not None and (edit.units, edit.edition) == (40, "2027-01-01")
    older = catalog.mue("97153", on="2026-12-31")
    assert older is not None and (older.units, older.edition) == (32, "2026-04-01")
    ptp = catalog.ptp("97150", "97530", on="2027-01-01")
    assert ptp is not None and ptp.edition == "2027-01-01"
    assert catalog.ptp("97150", "97530", on="2026-12-31") is None
    assert catalog.ptp_partners("99999") == frozenset()  # touches no catalogued code: not kept
    assert [e.primary for e in catalog.add_on_edits("98979", on="2027-01-01")] == ["98975"]
    assert catalog.add_on_edits("90785", on="2027-01-01") == ()
    new = catalog.lookup("G9998", on="2027-01-01")
    assert (new.summary, new.effective) == ("Test therapy code", datetime.date(2027, 1, 1))
    assert catalog.get("G0283", on="2027-01-01") is None
    assert catalog.lookup("G0283", on="2026-12-31").timing is not None
    assert datetime.date(2027, 1, 1) in catalog.validity_changes()
    cover = {name: str(item.through) for name, item in catalog.coverage().items()}
    assert cover == {
        "codes": "2027-03-31",
        "modifiers": "2025-09-30",
        "places": "2024-06-30",
        "mue": "2027-03-31",
        "ptp": "2027-03-31",
        "aoc": "2027-03-31",
        "diagnoses": "2026-09-30",
        "pfs": "2026-09-30",
        "pfs_status": "2026-09-30",
    }
    again = pickle.loads(pickle.dumps(catalog))
    assert again.coverage() == catalog.coverage()
    assert again.lookup("G9998").summary == "Test therapy code"
    assert "HCPCS codes from" in catalog.version and "MUE from" in repr(catalog)


def test_the_packaged_catalog_is_unchanged(cms: Path) -> None:
    cptkit.catalog().with_cms_files(*cms.iterdir())
    assert cptkit.catalog().get("G9998") is None
    assert str(cptkit.catalog().coverage()["mue"].through) == "2026-06-30"


def test_a_file_in_neither_encoding_names_the_byte(tmp_path: Path) -> None:
    path = tmp_path / "MCR_MUE.csv"
    path.write_bytes(b'"HCPCS","MUE"\n"97110","6","3","x\x81"\n')
    with pytest.raises(DatasetError, match=r"MCR_MUE.csv: byte 32 \(0x81\) is neither UTF-8"):
        cptkit.catalog().with_cms_files(path)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("just words\n", "not a CMS MUE, PTP, AOC or HCPCS file"),
        (AOC.replace("98975", "9897"), "edit type or primary code is invalid"),
        (AOC.replace(",1,2027001", ",4,2027001"), "edit type or primary code is invalid"),
        (AOC.replace("2027001", ""), "no effective date"),
        (AOC.replace("98979,,", "9897,,"), "not an AOC row"),
        (AOC.replace("AOC Edit Type,", "Kind,"), "no column for 'type'"),
        (HCPCS.replace("G9998", "G99"), "'G99' is not a code"),
        (HCPCS.replace("20270101,20270101", "2027-13-01,20270101"), "is not a date"),
    ],
)
def test_bad_cms_files(tmp_path: Path, text: str, message: str) -> None:
    path = _write(tmp_path, "file.csv", text)
    with pytest.raises(DatasetError, match=message):
        cptkit.catalog().with_cms_files(path)


def test_an_empty_aoc_file(tmp_path: Path) -> None:
    path = _write(tmp_path, "aoc.csv", AOC.splitlines()[0] + "\n")
    with pytest.raises(DatasetError, match="no AOC rows"):
        cptkit.catalog().with_cms_files(path)


def test_undated_files_keep_their_names_as_editions(tmp_path: Path) -> None:
    path = _write(tmp_path, "my-aoc.csv", AOC)
    catalog = cptkit.catalog().with_cms_files(path, _write(tmp_path, "edits.txt", PTP))
    assert catalog.coverage()["aoc"].edition == "my-aoc.csv"
    assert catalog.coverage()["ptp"].through == datetime.date.max


def _check(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cptkit", "check", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=60,
        check=False,
    )


def _claims(folder: Path) -> Path:
    return _write(
        folder,
        "claims.csv",
        "claim_id,date_of_service,code,modifiers,units,minutes,place_of_service,"
        "diagnosis_pointers,diagnoses\n"
        "C1,2027-02-01,97153,,36,540,11,1,F84.0\n",
    )


def test_check_data_dir_and_the_environment(cms: Path, tmp_path: Path) -> None:
    import os

    (tmp_path / "in").mkdir()  # apart from the CMS files of --data
    claims = _claims(tmp_path / "in")
    plain = _check(str(claims))
    assert "units-exceed-mue" in plain.stdout  # 36 units over the packaged 32
    with_data = _check(str(claims), "--data", str(cms))
    assert "units-exceed-mue" not in with_data.stdout, with_data.stderr
    assert "MUE from" in with_data.stdout.splitlines()[-1]
    env = {**os.environ, "CPTKIT_DATA": str(cms)}
    assert "units-exceed-mue" not in _check(str(claims), env=env).stdout


@pytest.mark.parametrize(
    ("make", "message"), [("missing", "not a directory"), ("empty", "no CMS data files")]
)
def test_check_data_problems_are_usage_errors(tmp_path: Path, make: str, message: str) -> None:
    folder = tmp_path / make
    if make == "empty":
        folder.mkdir()
    result = _check(str(_claims(tmp_path)), "--data", str(folder))
    assert result.returncode == 2
    assert f"cptkit check: --data: {folder}: {message}" in result.stderr


def test_check_data_in_process(
    cms: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from cptkit.cli import main

    (tmp_path / "in").mkdir()
    claims = _claims(tmp_path / "in")
    assert main(["check", str(claims), "--data", str(cms)]) == 0
    assert "MUE from" in capsys.readouterr().out
    assert main(["check", str(claims), "--data", str(tmp_path / "nowhere")]) == 2
    assert "--data: " in capsys.readouterr().err
    (tmp_path / "empty").mkdir()
    assert main(["check", str(claims), "--data", str(tmp_path / "empty")]) == 2
    _write(tmp_path / "empty", "notes.txt", "not a CMS file\n")
    assert main(["check", str(claims), "--data", str(tmp_path / "empty")]) == 2
    err = capsys.readouterr().err
    assert (
        "notes.txt in " in err
        and "skipped: not a CMS MUE, PTP, AOC, HCPCS or ICD-10-CM file" in err
    )
    assert err.endswith("no CMS data files in it\n")


def test_check_data_skips_what_is_not_cms_data(
    cms: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # A CMS download holds read-mes beside the data: they are named and skipped.
    from cptkit.cli import main

    _write(cms, "HCPC2027_JAN_README.txt", "CENTERS FOR MEDICARE & MEDICAID SERVICES (CMS)\n")
    (tmp_path / "in").mkdir()
    claims = _claims(tmp_path / "in")
    assert main(["check", str(claims), "--data", str(cms)]) == 0
    captured = capsys.readouterr()
    assert "MUE from" in captured.out
    assert captured.err == (
        f"cptkit: HCPC2027_JAN_README.txt in {cms} skipped: not a CMS MUE, PTP, AOC, HCPCS"
        " or ICD-10-CM file\n"
    )


def test_readers_skip_blank_and_short_rows(tmp_path: Path) -> None:
    from cptkit._cms_files import read_aoc_file, read_hcpcs_file

    aoc = _write(tmp_path, "aoc.csv", AOC + ",,,,,,,\n\n")
    assert set(read_aoc_file(aoc)) == {"98979", "90785"}
    hcpcs = _write(tmp_path, "hcpcs.csv", HCPCS + "G9997\n")
    assert set(map(str, read_hcpcs_file(hcpcs, {}))) == {"G9998", "G0283"}
    with pytest.raises(DatasetError, match="no header row found"):
        read_aoc_file(_write(tmp_path, "plain.csv", "a,b\n1,2\n"))
    with pytest.raises(DatasetError, match="missing.csv: cannot be read"):
        cptkit.catalog().with_cms_files(tmp_path / "missing.csv")
