# SPDX-License-Identifier: MIT
"""The packaged tables agree with the raw CMS files, and the build is deterministic."""

from __future__ import annotations

import csv
import datetime
import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

import cptkit
from cptkit import _registry

ROOT = Path(__file__).resolve().parent.parent
RAW = ROOT / "data" / "raw"
pytestmark = pytest.mark.skipif(not RAW.is_dir(), reason="data/raw is not in this checkout")


def _raw(path: str) -> list[dict[str, str]]:
    with (RAW / path).open(encoding="utf-8", newline="") as stream:
        return list(csv.DictReader(stream))


def _build_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "build_dataset", ROOT / "scripts" / "build_dataset.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["build_dataset"] = module
    spec.loader.exec_module(module)
    return module


def test_rebuild_is_byte_identical() -> None:
    built = _build_script().build(RAW, ROOT / "data" / "manual")
    packaged = ROOT / "src" / "cptkit" / "data"
    assert sorted(built) == sorted(path.name for path in packaged.iterdir() if path.is_file())
    for name, data in built.items():
        assert (packaged / name).read_bytes() == data, (
            f"{name} differs: run scripts/build_dataset.py"
        )


def test_every_mue_row_matches_the_cms_table() -> None:
    catalog = cptkit.catalog()
    editions = _registry.load_mue()
    assert [edition.label for edition in editions] == ["2024-07-01", "2026-04-01"]
    for edition, path, count in [
        (editions[0], "mue_practitioner/northstar_mue_practitioner_2024-07-01.csv", 14677),
        (editions[1], "mue_2026/mue_practitioner_2026-04-01.csv", 15095),
    ]:
        rows = _raw(path)
        assert len(edition.rows) == len(rows) == count
        for row in rows:
            edit = catalog.mue(row["hcpcs_code"], on=edition.start)
            assert edit is not None
            assert (edit.units, edit.mai, edit.rationale, edit.edition) == (
                int(row["mue_units"]),
                int(row["mue_mai"]),
                row["mue_rationale"],
                edition.label,
            )


def test_every_ptp_row_matches_the_cms_files() -> None:
    tables = _registry.load_ptp()
    expected: dict[tuple[str, str], list[tuple[str, int, str]]] = {}
    for name in ("active", "deleted"):
        for row in _raw(f"ncci_ptp_practitioner/ptp_practitioner_2024-07-01_therapy_{name}.csv"):
            deletion = "" if row["deletion_date"] == "99991231" else row["deletion_date"]
            expected.setdefault((row["column1"], row["column2"]), []).append(
                (deletion, int(row["modifier_indicator"]), row["rationale"])
            )
    assert set(tables.pairs) == set(expected)
    for pair, rows in expected.items():
        packaged = sorted(
            ("" if d is None else d.strftime("%Y%m%d"), mi, why)
            for _, d, mi, why in tables.pairs[pair]
        )
        assert packaged == sorted(rows), pair


def test_modifier_dates_match_the_2026_transcription() -> None:
    rows = _raw("hcpcs_modifiers/cms_hcpcs_2026jan_modifier_dates_transcribed.csv")
    assert len(rows) == 92
    for row in rows:
        info = cptkit.lookup_modifier(row["modifier"])
        effective = datetime.datetime.strptime(row["add_dt"], "%Y%m%d").date()
        terminated = (
            datetime.datetime.strptime(row["term_dt"], "%Y%m%d").date() if row["term_dt"] else None
        )
        assert (info.effective, info.terminated) == (effective, terminated), row["modifier"]


def test_every_2025_hcpcs_modifier_is_shipped_with_its_description() -> None:
    rows = _raw("hcpcs_modifiers/cms_hcpcs_2025jul_level2_modifiers.csv")
    assert len(rows) == 383  # the rows of the July 2025 file
    for row in rows:
        info = cptkit.lookup_modifier(row["modifier"])
        assert info.description == row["long_description"]


def test_pfs_status_matches_the_rvu_file() -> None:
    status = {
        row["hcpcs"]: row["status_code"]
        for row in _raw("pfs_2026/pprrvu_2026_rvu26c_jul_nonqpp.csv")
        if row["mod"] == ""
    }
    for info in _registry.load_codes().values():
        assert info.pfs_status == status.get(str(info.code)), info.code


def test_places_match_the_cms_list() -> None:
    rows = _raw("place_of_service/northstar_pos_codes_2024.csv")
    assert len(rows) == 99  # codes 01-99
    for row in rows:
        info = _registry.load_places()[cptkit.PlaceOfService(row["pos_code"])]
        assert info.setting == row["pos_type"].lower()


def test_summaries_are_short_and_no_descriptors_are_shipped() -> None:
    # Summaries are this project's short glosses; official descriptors come only from a
    # licensee's own file through Catalog.with_descriptors.
    for info in _registry.load_codes().values():
        assert len(info.summary) <= 100
        assert info.descriptor is None


def test_every_icd10cm_row_matches_the_raw_list() -> None:
    from cptkit import _icd10cm

    table = _icd10cm.load_diagnoses()
    rows = _raw("icd10cm/icd10cm_codes_fy2025_fy2026.csv")
    assert len(rows) == len(table.codes) == 98198
    status = {"1": _icd10cm.BILLABLE, "0": _icd10cm.HEADER, "": _icd10cm.ABSENT}
    for row in rows:
        info = cptkit.get_diagnosis(row["code_dotted"])
        assert info is not None
        assert info.title == row["description"]  # type: ignore[attr-defined]
        for year in (2025, 2026):
            assert table.status(row["code"], year) == status[row[f"fy{year}_billable"]]


def _addendum_b() -> tuple[list[dict[str, str]], dict[str, list[dict[str, str]]]]:
    releases = _raw("opps_addendum_b/releases.csv")
    runs: dict[str, list[dict[str, str]]] = {}
    for row in _raw("opps_addendum_b/presence.csv"):
        runs.setdefault(row["code"], []).append(row)
    return releases, runs


def test_code_dates_agree_with_addendum_b() -> None:
    releases, runs = _addendum_b()
    labels = [row["release"] for row in releases]
    starts = {row["release"]: row["quarter_effective"] for row in releases}
    history = {row["code"] for row in _raw("../manual/code_history.csv")}
    older = {row["hcpcs"] for row in _raw("code_history/code_presence_matrix_2019-2024.csv")}
    checked = 0
    for info in _registry.load_codes().values():
        code = str(info.code)
        if code not in runs or code in history:
            continue
        last = max((row["last_release"] for row in runs[code]), key=labels.index)
        if last == labels[-1]:
            assert info.terminated is None, code
        else:
            following = starts[labels[labels.index(last) + 1]]
            day_before = datetime.date.fromisoformat(following) - datetime.timedelta(days=1)
            assert info.terminated == day_before, code
        first = min((row["first_release"] for row in runs[code]), key=labels.index)
        if code not in older and first != labels[0]:
            assert info.effective == datetime.date.fromisoformat(starts[first]), code
        checked += 1
    assert checked > 250


def test_no_packaged_code_is_valid_before_the_evidence_allows() -> None:
    _, runs = _addendum_b()
    matrix = _raw("code_history/code_presence_matrix_2019-2024.csv")
    in_2019 = {row["hcpcs"] for row in matrix if row["addb_2019-01"]}
    in_2023 = {
        code for code, rows in runs.items() if any(r["first_release"] == "2023-01" for r in rows)
    }
    for info in _registry.load_codes().values():
        if info.effective is None and info.terminated is None:
            assert str(info.code) in in_2019 | in_2023, info.code


def test_add_on_rows_match_the_aoc_file() -> None:
    known = {str(code) for code in _registry.load_codes()}
    expected = set()
    for row in _raw("ncci_aoc_2026/aoc_v2026q2_mcr.csv"):
        if row["addon_code"] not in known:
            continue
        ends = [
            row[field]
            for field in (
                "edit_deletion_date",
                "primary_code_deletion_date",
                "addon_code_deletion_date",
            )
            if row[field]
        ]
        expected.add(
            (
                row["addon_code"],
                row["primary_code"],
                int(row["aoc_edit_type"]),
                datetime.date.fromisoformat(row["edit_effective_date"]),
                datetime.date.fromisoformat(min(ends)) if ends else None,
            )
        )
    packaged = {(addon, *edit) for addon, edits in _registry.load_aoc().items() for edit in edits}
    assert packaged == expected
    assert len(expected) == 601  # counted in the raw file for the add-ons of codes.csv


# Typed from the sources: OPPS Addendum B releases (presence), the NCCI AOC file V2026Q2, the
# CPT 2019 and 2023 code changes; never computed by the build.
DATES = [
    ("96040", None, datetime.date(2024, 12, 31), ("96041",)),
    ("96041", datetime.date(2025, 1, 1), None, ()),
    ("92590", None, datetime.date(2025, 12, 31), None),
    ("92595", None, datetime.date(2025, 12, 31), None),
    ("92628", datetime.date(2026, 1, 1), None, ()),
    ("98979", datetime.date(2026, 1, 1), None, ()),
    ("98985", datetime.date(2026, 1, 1), None, ()),
    ("96202", datetime.date(2023, 1, 1), None, ()),
    ("G0539", datetime.date(2025, 1, 1), None, ()),
    ("98016", datetime.date(2025, 1, 1), None, ()),
    ("96112", datetime.date(2019, 1, 1), None, ()),
    ("96113", datetime.date(2019, 1, 1), None, ()),
    ("96121", datetime.date(2019, 1, 1), None, ()),
    ("96111", None, datetime.date(2018, 12, 31), ("96112", "96113")),
    ("92585", None, datetime.date(2020, 12, 31), ("92650", "92651", "92652", "92653")),
    ("G2012", datetime.date(2019, 1, 1), datetime.date(2024, 12, 31), ("98016",)),
    ("90912", datetime.date(2020, 1, 1), None, ()),
    ("20560", datetime.date(2020, 1, 1), None, ()),
]


@pytest.mark.parametrize(("code", "effective", "terminated", "replaced_by"), DATES)
def test_code_dates_typed_from_the_sources(
    code: str,
    effective: datetime.date | None,
    terminated: datetime.date | None,
    replaced_by: tuple[str, ...] | None,
) -> None:
    info = cptkit.lookup(code)
    assert (info.effective, info.terminated) == (effective, terminated)
    if replaced_by is not None:
        assert tuple(str(c) for c in info.replaced_by) == replaced_by


@pytest.mark.parametrize(
    ("code", "valid", "invalid"),
    [
        ("96040", "2024-12-31", "2025-01-01"),
        ("92590", "2025-12-31", "2026-01-01"),
        ("98979", "2026-01-01", "2025-12-31"),
        ("96202", "2023-01-01", "2022-12-31"),
        ("96112", "2019-01-01", "2018-12-31"),
        ("92585", "2020-12-31", "2021-01-01"),
        ("G2012", "2024-12-31", "2025-01-01"),
    ],
)
def test_code_validity_on_both_sides_of_a_boundary(code: str, valid: str, invalid: str) -> None:
    assert cptkit.catalog().get(code, on=valid) is not None
    assert cptkit.catalog().get(code, on=invalid) is None


def test_psychotherapy_add_on_primaries_come_from_the_aoc_file() -> None:
    primaries = {str(code) for code in cptkit.lookup("90833").primary_codes}
    # AOC V2026Q2: 99315/99316 and the 2026 telemedicine visits are primaries; numbers that
    # were never codes (99206-99210, 99246-99250) and codes deleted in 2023 are not.
    assert {"99315", "99316", "98000", "98015", "99213"} <= primaries
    assert primaries.isdisjoint({"99206", "99210", "99227", "99246", "99346", "99224", "99343"})
    assert [str(c) for c in cptkit.lookup("90913").primary_codes] == ["90912"]
    assert [str(c) for c in cptkit.lookup("97811").primary_codes] == ["97810", "97813"]


# Procedure names the 2026-12 data audit found equal to a summary (AMA or CMS short names):
# no summary may be one of them, whatever the case.
PROCEDURE_NAMES = {
    "tympanometry",
    "tinnitus assessment",
    "unlisted modality",
    "unlisted therapeutic procedure",
    "hot or cold packs",
    "mechanical traction",
    "loudness balance test",
    "filtered speech test",
    "select picture audiometry",
    "speech threshold audiometry",
    "acoustic reflex threshold testing",
    "stenger test, pure tone",
    "stenger test, speech",
}


def test_no_summary_is_a_procedure_name() -> None:
    summaries = {info.summary.lower() for info in _registry.load_codes().values()}
    assert summaries.isdisjoint(PROCEDURE_NAMES)
    for code in ("90791", "90792"):
        assert not cptkit.lookup(code).summary.startswith("Psychiatric diagnostic evaluation")


def test_ptp_rows_carry_the_2026_samples_effective_dates() -> None:
    tables = _registry.load_ptp()
    checked = 0
    for row in _raw("ncci_ptp_2026_sample/ptp_practitioner_2026q3_q4_priorpath_therapy_rows.csv"):
        deletion = (
            datetime.date.fromisoformat(row["deletion_date"]) if row["deletion_date"] else None
        )
        rows = [
            edit
            for edit in tables.pairs[(row["column1"], row["column2"])]
            if edit[1] == deletion and edit[2] == int(row["modifier_indicator"])
        ]
        assert rows, row
        effective = datetime.date.fromisoformat(row["effective_date"])
        # the sample's date, unless one of the codes is younger (then the code's first day)
        assert all(edit[0] is not None and edit[0] >= effective for edit in rows), row
        checked += 1
    assert checked == 354
