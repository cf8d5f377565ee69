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
from cptkit import _tables

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
    rows = _raw("mue_practitioner/northstar_mue_practitioner_2024-07-01.csv")
    catalog = cptkit.catalog()
    assert len(_tables.load_mue()) == len(rows) == 14677
    for row in rows:
        edit = catalog.mue(row["hcpcs_code"])
        assert edit is not None
        assert (edit.units, edit.mai, edit.rationale) == (
            int(row["mue_units"]),
            int(row["mue_mai"]),
            row["mue_rationale"],
        )


def test_every_ptp_row_matches_the_cms_files() -> None:
    tables = _tables.load_ptp()
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
        row["hcpcs_code"]: row["status"]
        for row in _raw("pfs_status/northstar_pfs_rvu_indicators_2024jul_all_codes.csv")
        if row["mod"] == ""
    }
    for info in _tables.load_codes().values():
        assert info.pfs_status == status.get(str(info.code)), info.code


def test_places_match_the_cms_list() -> None:
    rows = _raw("place_of_service/northstar_pos_codes_2024.csv")
    assert len(rows) == 99  # codes 01-99
    for row in rows:
        info = _tables.load_places()[cptkit.PlaceOfService(row["pos_code"])]
        assert info.setting == row["pos_type"].lower()


def test_summaries_are_short_and_no_descriptors_are_shipped() -> None:
    # Summaries are this project's short glosses; official descriptors come only from a
    # licensee's own file through Catalog.with_descriptors.
    for info in _tables.load_codes().values():
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
