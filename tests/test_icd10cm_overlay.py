# SPDX-License-Identifier: MIT
"""A newer ICD-10-CM list loads through the same mechanism as the other CMS files
(``Catalog.with_cms_files``), and the diagnosis rules and coverage follow it.

The FY2027 file in tests/data is a hand-typed fixture in the CMS order layout (four rows; no
FY2027 list is shipped): F84 and M54.5 headers, F84.0 and M54.50 billable."""

from __future__ import annotations

import datetime
import pickle
from pathlib import Path

import pytest

import cptkit
from cptkit import Claim, ClaimLine
from cptkit.validation import all_of
from cptkit.validation import rules as r

pytestmark = pytest.mark.real_coverage
FY2027 = Path(__file__).parent / "data" / "icd10cm-order-2027.txt"
DX_RULES = all_of(r.diagnosis_unknown(), r.diagnosis_not_billable())


def _claim(day: str, *diagnoses: str) -> Claim:
    line = ClaimLine(code="97110", units=1, date_of_service=day, diagnosis_pointers=[1])
    return Claim(lines=[line], diagnoses=list(diagnoses))


def test_a_newer_fiscal_year_is_added_and_judges_its_dates() -> None:
    newer = cptkit.catalog().with_cms_files(FY2027)
    assert newer.diagnoses().years == (2025, 2026, 2027)
    info = newer.lookup_diagnosis("F840", on="2026-10-01")
    assert (str(info.code), info.billable, info.fiscal_year) == ("F84.0", True, 2027)
    # The packaged catalog has no FY2027 list and refuses to judge that date by another.
    with pytest.raises(cptkit.InvalidInput):
        cptkit.catalog().lookup_diagnosis("F840", on="2026-10-01")
    cover = newer.coverage()["diagnoses"]
    assert (cover.edition, cover.through) == ("ICD-10-CM FY2027", datetime.date(2027, 9, 30))
    assert cptkit.catalog().coverage()["diagnoses"].through == datetime.date(2026, 9, 30)


def test_the_rules_read_the_catalogs_lists() -> None:
    newer = cptkit.catalog().with_cms_files(FY2027)
    # F41.1 is billable in FY2026 but not in the (four-row) FY2027 fixture.
    found = cptkit.validate(
        _claim("2026-10-15", "F84.0", "F41.1", "M54.5"), rules=DX_RULES, catalog=newer
    )
    assert [(f.rule, f.severity.value, f.message) for f in found.findings] == [
        ("diagnosis-not-billable", "error", "M54.5 is a header, not a billable code, in the ICD-10-CM FY2027 code list"),
        ("diagnosis-unknown", "error", "F41.1 is not in the ICD-10-CM FY2027 code list"),
    ]  # fmt: skip
    # Without the file, the date is past the lists: judged by FY2026, as a warning.
    old = cptkit.validate(_claim("2026-10-15", "F41.1"), rules=DX_RULES)
    assert old.findings == ()
    before = cptkit.validate(_claim("2026-09-30", "F41.1"), rules=DX_RULES, catalog=newer)
    assert before.findings == ()  # FY2026's own list still judges its dates


def test_a_catalog_with_a_diagnosis_list_travels_as_its_overlay() -> None:
    newer = cptkit.catalog().with_cms_files(FY2027)
    again = pickle.loads(pickle.dumps(newer))
    assert again.diagnoses().years == (2025, 2026, 2027)
    assert again.coverage() == newer.coverage()


def test_a_file_named_for_no_fiscal_year_is_not_taken_for_a_diagnosis_list(
    tmp_path: Path,
) -> None:
    path = tmp_path / "diagnoses.txt"
    path.write_text(FY2027.read_text())
    with pytest.raises(cptkit.DatasetError, match="diagnoses.txt"):
        cptkit.catalog().with_cms_files(path)


def test_an_april_file_replaces_its_years_list(tmp_path: Path) -> None:
    # An April update of FY2026 replaces that year's list; the coverage still ends with FY2026.
    april = tmp_path / "icd10cm-order-April-2026.txt"
    april.write_text(FY2027.read_text())
    newer = cptkit.catalog().with_cms_files(april)
    assert newer.diagnoses().years == (2025, 2026)
    assert newer.lookup_diagnosis("F840", on="2026-05-01").billable
    with pytest.raises(cptkit.UnknownDiagnosis):
        newer.lookup_diagnosis("F41.1", on="2026-05-01")  # not in the four-row list
    assert newer.coverage()["diagnoses"] == cptkit.catalog().coverage()["diagnoses"]
    assert "ICD-10-CM FY2026 from" in repr(newer)


def test_a_pickled_catalog_refuses_a_diagnosis_list_that_changed(tmp_path: Path) -> None:
    path = tmp_path / "icd10cm-order-2027.txt"
    path.write_text(FY2027.read_text())
    newer = cptkit.catalog().with_cms_files(path)
    sent = pickle.dumps(newer)
    path.write_text(FY2027.read_text().replace("Autistic disorder", "Autistic disorders"))
    with pytest.raises(cptkit.DatasetError, match="icd10cm-order-2027.txt"):
        pickle.loads(sent)
