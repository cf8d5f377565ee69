# SPDX-License-Identifier: MIT
"""The loader: the pure parser on fixtures, strictness, tamper evidence, laziness, threads."""

from __future__ import annotations

import io
import re
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

import cptkit
from cptkit import Code, DatasetError, _dataset, _icd10cm, _tables

DATA = Path(__file__).parent / "data"


@pytest.fixture
def cold() -> object:
    _dataset._clear()
    yield
    _dataset._clear()


def test_fixture_table_parses() -> None:
    with (DATA / "codes-mini.csv").open(encoding="utf-8", newline="") as stream:
        codes = _tables.build_codes(stream, "codes-mini.csv")
    assert sorted(str(code) for code in codes) == ["97110", "97129", "97130"]
    assert codes[Code("97130")].ladder is codes[Code("97129")].ladder
    with pytest.raises(TypeError):
        codes[Code("97112")] = codes[Code("97110")]  # type: ignore[index]


def _codes_text(*rows: str) -> io.StringIO:
    header = (DATA / "codes-mini.csv").read_text(encoding="utf-8").splitlines()[:2]
    return io.StringIO("\n".join([*header, *rows]) + "\n", newline="")


GOOD = "97110,Exercise,x,PT,timed,15,,,,,,,,0,,,A,,,,,test,"


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ((GOOD, GOOD), "t.csv line 4: code '97110' is invalid (duplicate code)"),
        ((GOOD.replace("97110", "9711"),), "t.csv line 3: code '9711' is invalid"),
        ((GOOD.replace(",timed,", ",sometimes,"),), "t.csv line 3: timing 'sometimes' is invalid"),
        ((GOOD.replace(",PT,", ",XX,"),), "t.csv line 3: disciplines 'XX' is invalid"),
        (
            (GOOD.replace(",15,", ",15.5,"),),
            "t.csv line 3: unit_minutes '15.5' is not a whole number",
        ),
        ((GOOD + ",extra",), "t.csv line 3: 24 fields, expected 23"),
        ((GOOD.replace(",test,", ",test").replace(",,,,,test", ",,,2019-02-30,,test"),), "line 3"),
        ((GOOD.replace(",0,,,A,", ",2,,,A,"),), "t.csv line 3: add_on '2' is invalid"),
        ((GOOD.replace(",,,A,,", ",,maybe,A,,"),), "t.csv line 3: therapy_list 'maybe' is invalid"),
        ((GOOD.replace(",A,,", ",A,perhaps,"),), "t.csv line 3: telehealth 'perhaps' is invalid"),
    ],
)
def test_bad_rows_name_file_and_line(rows: tuple[str, ...], message: str) -> None:
    with pytest.raises(DatasetError, match=re.escape(message)):
        _tables.build_codes(_codes_text(*rows), "t.csv")


def test_bad_header_and_empty_file() -> None:
    with pytest.raises(DatasetError, match="t.csv line 1: header"):
        _tables.build_codes(io.StringIO("code,summary\n"), "t.csv")
    with pytest.raises(DatasetError, match="t.csv: no header line"):
        _tables.build_codes(io.StringIO("# only a comment\n"), "t.csv")


def test_ladder_addon_must_exist() -> None:
    row = "97129,C,cognitive,PT,ladder,,,,97130,15,8,15,8,0,,,A,,,,,test,"
    with pytest.raises(DatasetError, match="ladder add-on 97130 of 97129 is not listed"):
        _tables.build_codes(_codes_text(row), "t.csv")
    incomplete = "97129,C,cognitive,PT,ladder,,,,97130,15,,15,8,0,,,A,,,,,test,"
    with pytest.raises(DatasetError, match="needs its four numbers"):
        _tables.build_codes(_codes_text(incomplete), "t.csv")


def test_other_tables_reject_bad_rows() -> None:
    mue = "edition,code,units,mai,rationale\n2026-04-01,97110,x,3,why\n"
    with pytest.raises(DatasetError, match=re.escape("m.csv line 2: units 'x' or mai '3'")):
        _tables.build_mue(io.StringIO(mue), "m.csv")
    mue = "edition,code,units,mai,rationale\n2026-13-01,97110,1,3,why\n"
    with pytest.raises(DatasetError, match=re.escape("m.csv line 2: edition '2026-13-01'")):
        _tables.build_mue(io.StringIO(mue), "m.csv")
    dup = "edition,code,units,mai,rationale\n2026-04-01,97110,1,3,a\n2026-04-01,97110,2,3,b\n"
    with pytest.raises(DatasetError, match="m.csv line 3: code '97110' is invalid or duplicate"):
        _tables.build_mue(io.StringIO(dup), "m.csv")
    columns = "column1,column2,effective_date,deletion_date,modifier_indicator,rationale\n"
    ptp = columns + "97110,97530,,,5,0\n"
    with pytest.raises(DatasetError, match="p.csv line 2: invalid code pair or modifier"):
        _tables.build_ptp(io.StringIO(ptp), {"0": "why"}, "p.csv")
    ptp = columns + "97110,97530,,,1,7\n"
    with pytest.raises(DatasetError, match="p.csv line 2: unknown rationale id '7'"):
        _tables.build_ptp(io.StringIO(ptp), {"0": "why"}, "p.csv")
    places = "code,name,setting,effective,terminated,date_basis,note\n11,Office,office,,,x,\n"
    with pytest.raises(DatasetError, match="s.csv line 2: setting 'office' is invalid"):
        _tables.build_places(io.StringIO(places), "s.csv")
    mods = (
        "modifier,level,group,kind,summary,description,effective,terminated,date_basis,reviewed\n"
        "GP,HCPCS,therapy,informational,x,x,,,x,1\n"
    )
    with pytest.raises(DatasetError, match="d.csv line 2: group 'therapy' is invalid"):
        _tables.build_modifiers(io.StringIO(mods), "d.csv")


@pytest.mark.usefixtures("cold")
@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda data: data[: len(data) // 2], "codes.csv: SHA-256 does not match the manifest"),
        (lambda data: data.replace(b"97110", b"97111", 1), "codes.csv: SHA-256 does not match"),
        (lambda data: data + b"\n", "codes.csv: SHA-256 does not match"),
    ],
)
def test_damaged_file_raises(monkeypatch: pytest.MonkeyPatch, damage: object, message: str) -> None:
    real = _dataset._read_bytes

    def fake(name: str) -> bytes:
        data = real(name)
        return damage(data) if name == "codes.csv" else data  # type: ignore[operator]

    monkeypatch.setattr(_dataset, "_read_bytes", fake)
    with pytest.raises(DatasetError, match=re.escape(message)):
        cptkit.lookup("97110")


@pytest.mark.usefixtures("cold")
def test_missing_and_bad_manifest(monkeypatch: pytest.MonkeyPatch) -> None:
    real = _dataset._read_bytes
    monkeypatch.setattr(
        _dataset, "_read_bytes", lambda name: b"{" if name == "manifest.json" else real(name)
    )
    with pytest.raises(DatasetError, match="manifest.json: not valid JSON"):
        cptkit.lookup("97110")
    _dataset._clear()
    monkeypatch.setattr(
        _dataset, "_read_bytes", lambda name: b"[]" if name == "manifest.json" else real(name)
    )
    with pytest.raises(DatasetError, match="manifest.json: no 'files' table"):
        cptkit.lookup("97110")
    _dataset._clear()
    monkeypatch.setattr(_dataset, "_read_bytes", real)
    with pytest.raises(DatasetError, match="nothing.csv: not listed in the packaged manifest"):
        _dataset.open_packaged("nothing.csv")
    with pytest.raises(DatasetError, match="cannot be read"):
        _dataset._read_bytes("nothing.csv")


@pytest.mark.usefixtures("cold")
@pytest.mark.parametrize(
    ("name", "lookup"),
    [
        ("codes.csv", lambda: cptkit.lookup("97110")),
        ("diagnoses.csv", lambda: _icd10cm.load_diagnoses()),
    ],
)
def test_cold_load_from_many_threads_loads_once(
    monkeypatch: pytest.MonkeyPatch, name: str, lookup: Callable[[], object]
) -> None:
    calls: list[str] = []
    real = _dataset.open_packaged

    def counting(name: str) -> object:
        calls.append(name)
        return real(name)

    monkeypatch.setattr(_dataset, "open_packaged", counting)
    barrier = threading.Barrier(32)
    results: list[object] = []

    def worker() -> None:
        barrier.wait()
        results.append(lookup())

    threads = [threading.Thread(target=worker) for _ in range(32)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert calls == [name]
    assert len(results) == 32
    assert all(result is results[0] for result in results)


def test_import_opens_no_data_file() -> None:
    script = (
        "import sys\n"
        "opened = []\n"
        "sys.addaudithook(lambda event, args: opened.append(str(args[0]))"
        " if event == 'open' else None)\n"
        "import cptkit\n"
        "print(sum('cptkit' in p and 'data' in p and '.py' not in p for p in opened))\n"
        "print('cptkit._icd10cm' in sys.modules)\n"
        "cptkit.lookup('97110')\n"
        "print(sum('cptkit' in p and 'data' in p and '.py' not in p for p in opened))\n"
        "print('cptkit._icd10cm' in sys.modules)\n"
        "cptkit.lookup_diagnosis('F84.0')\n"
        "print(sum(p.endswith('diagnoses.csv') for p in opened))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    # manifest.json and codes.csv, only on lookup; the ICD-10-CM table on the first diagnosis
    assert result.stdout.split() == ["0", "False", "2", "False", "1"]


def test_lookup_does_not_load_ptp(cold: object) -> None:
    cptkit.lookup("97110")
    cptkit.lookup_modifier("GP")
    assert "ptp" not in _dataset._CACHE
    cptkit.catalog().ptp("97140", "97530")
    assert "ptp" in _dataset._CACHE


def test_code_lookups_do_not_load_diagnoses(cold: object) -> None:
    cptkit.lookup("97110")
    cptkit.lookup_modifier("GP")
    cptkit.lookup_place_of_service("11")
    assert "diagnoses" not in _dataset._CACHE
    cptkit.get_diagnosis("F84.0")
    assert "diagnoses" in _dataset._CACHE


def test_works_from_a_zip(tmp_path: Path) -> None:
    import zipfile

    package = Path(cptkit.__file__).parent
    archive = tmp_path / "cptkit.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for path in package.rglob("*"):
            if path.is_file() and "__pycache__" not in path.parts:
                zf.write(path, Path("cptkit") / path.relative_to(package))
    script = (
        "import sys; sys.path.insert(0, sys.argv[1]); import cptkit; "
        "assert cptkit.__file__.startswith(sys.argv[1]), cptkit.__file__; "
        "print(cptkit.lookup('97153').unit_minutes, cptkit.catalog().mue('97153').units,"
        " cptkit.lookup_diagnosis('F84.0').billable)"
    )
    result = subprocess.run(
        [sys.executable, "-c", script, str(archive)], capture_output=True, text=True, check=True
    )
    assert result.stdout.split() == ["15", "32", "True"]
