# SPDX-License-Identifier: MIT
"""Date-aware edits: MUE editions by date of service, PTP edits never before their codes
existed, add-on code edits by date. Expected values are typed from the CMS files named."""

from __future__ import annotations

import datetime
import pickle
from pathlib import Path

import pytest

import cptkit
from cptkit import Claim, ClaimLine, rulesets
from cptkit.validation import make_context

DATA = Path(__file__).parent / "data"


# (code, date, expected units, MAI, edition): CMS practitioner MUE tables effective
# 2024-07-01 and 2026-04-01.
MUES = [
    ("97153", "2024-07-01", 32, 3, "2024-07-01"),
    ("97153", "2026-04-01", 32, 3, "2026-04-01"),
    ("0211U", "2026-03-31", 2, 3, "2024-07-01"),  # 2 units, MAI 3 in 2024-07
    ("0211U", "2026-04-01", 1, 3, "2026-04-01"),  # 1 unit in 2026-04
    ("0047U", "2025-01-01", 1, 3, "2024-07-01"),
    ("0047U", "2026-05-01", 1, 2, "2026-04-01"),
    ("97110", "2019-01-01", 6, 3, "2024-07-01"),  # before the oldest edition: the oldest
    ("96041", "2026-04-01", 3, 3, "2026-04-01"),  # a 2025 code, first in the 2026 table
]


@pytest.mark.parametrize(("code", "day", "units", "mai", "edition"), MUES)
def test_mue_is_the_edition_in_force(
    code: str, day: str, units: int, mai: int, edition: str
) -> None:
    edit = cptkit.catalog().mue(code, on=day)
    assert edit is not None
    assert (edit.units, edit.mai, edit.edition) == (units, mai, edition)


@pytest.mark.parametrize(
    ("code", "day"),
    [("96041", "2026-03-31"), ("92590", "2026-04-01"), ("98979", "2026-06-01")],
)
def test_codes_without_an_mue_in_that_edition(code: str, day: str) -> None:
    assert cptkit.catalog().mue(code, on=day) is None


def test_no_date_means_the_newest_edition() -> None:
    assert cptkit.catalog().mue_edition() == "2026-04-01"
    assert cptkit.catalog().mue_edition("2026-03-31") == "2024-07-01"
    edit = cptkit.catalog().mue("97153")
    assert edit is not None and edit.edition == "2026-04-01"


def _mue_claim(day: str) -> Claim:
    line = ClaimLine(code="0211U", units=2, date_of_service=day, diagnosis_pointers=[1])
    return Claim(lines=[line], diagnoses=["M54.50"], place_of_service="11")


def test_the_mue_rule_judges_each_date_by_its_edition() -> None:
    claims = [_mue_claim("2026-03-31"), _mue_claim("2026-04-01"), _mue_claim("2026-03-31")]
    for reports in (
        [cptkit.validate(claim) for claim in claims],
        list(cptkit.validate_many(claims)),
    ):
        hits = [[f for f in r.findings if f.rule == "units-exceed-mue"] for r in reports]
        assert [len(found) for found in hits] == [0, 1, 0]
        assert "exceed the MUE of 1 per day" in hits[1][0].message


def test_context_mue_is_memoized_per_code_and_edition() -> None:
    context = make_context(rules=rulesets.medicare())
    code = cptkit.Code("0211U")
    march, april = datetime.date(2026, 3, 31), datetime.date(2026, 4, 1)
    first = context.mue(code, march)
    assert first is not None and first.units == 2
    assert context.mue(code, march) is first
    later = context.mue(code, april)
    assert later is not None and later.units == 1


@pytest.mark.real_coverage
def test_an_mue_file_with_a_date_is_one_more_edition() -> None:
    newer = cptkit.catalog().with_mue_file(
        DATA / "mue-cms-sample.csv", edition="2027-01-01", effective="2027-01-01"
    )
    edit = newer.mue("97153", on="2027-02-01")
    assert edit is not None and (edit.units, edit.edition) == (36, "2027-01-01")
    older = newer.mue("97153", on="2026-12-31")
    assert older is not None and (older.units, older.edition) == (32, "2026-04-01")
    assert newer.coverage()["mue"].through == datetime.date(2027, 3, 31)
    again = pickle.loads(pickle.dumps(newer))
    assert again.mue("97153", on="2027-02-01").units == 36
    assert again.mue("97153", on="2026-12-31").units == 32
    # an edition older than the newest does not move the coverage back
    back = cptkit.catalog().with_mue_file(
        DATA / "mue-cms-sample.csv", edition="2025-01-01", effective="2025-01-01"
    )
    assert back.coverage()["mue"].through == datetime.date(2026, 6, 30)
    assert back.mue("97153", on="2025-06-01").units == 36  # type: ignore[union-attr]


# PTP rows: (code a, code b, date, in force?). 97164 exists from 2017-01-01 (CPT 2017), so
# the 97110/97164 edit cannot apply in 2015; the 2026 Q3/Q4 sample gives 97530/97116 an
# effective date of 1999-07-01 and a deletion of 2019-12-31.
PTP = [
    ("97110", "97164", "2015-06-01", False),
    ("97110", "97164", "2017-01-01", True),
    ("97110", "97164", "2019-12-31", True),
    ("97110", "97164", "2020-01-01", False),
    ("97530", "97116", "1999-06-30", False),
    ("97530", "97116", "1999-07-01", True),
    ("97530", "97116", "2019-12-31", True),
    ("97530", "97116", "2020-01-01", False),
]


@pytest.mark.parametrize(("code_a", "code_b", "day", "in_force"), PTP)
def test_ptp_edits_start_with_their_codes(
    code_a: str, code_b: str, day: str, in_force: bool
) -> None:
    assert (cptkit.catalog().ptp(code_a, code_b, on=day) is not None) is in_force


def test_ptp_effective_dates_in_the_packaged_rows() -> None:
    rows = cptkit.catalog().ptp_edits("97110", "97164")
    assert {(str(e.effective), str(e.deletion_date), e.modifier_indicator) for e in rows} == {
        ("2017-01-01", "2019-12-31", 1),
        ("2017-01-01", "2020-10-01", 9),
    }


# AOC V2026Q2 rows, typed from the file.
def test_add_on_edits_by_date() -> None:
    catalog = cptkit.catalog()
    every = catalog.add_on_edits("90785")
    assert len(every) == 12
    gone = [e for e in every if e.primary == "99441"]
    assert [(e.type, str(e.effective), str(e.last_day)) for e in gone] == [
        (1, "2020-01-01", "2024-12-31")
    ]
    primaries = {e.primary for e in catalog.add_on_edits("90785", on="2025-01-01")}
    assert primaries == {"90791", "90792", "90832", "90833", "90834", "90836", "90837",
                         "90838", "90853"}  # fmt: skip
    assert {e.primary for e in catalog.add_on_edits("90833", on="2025-12-31")}.isdisjoint(
        {"98000", "98015"}
    )
    assert {"98000", "98015"} <= {e.primary for e in catalog.add_on_edits("90833", on="2026-01-01")}
    assert catalog.add_on_edits("97110") == ()
    assert every[0].edition == "V2026Q2"


def test_two_dated_mue_files_with_one_label_stay_apart() -> None:
    path = DATA / "mue-cms-sample.csv"
    catalog = (
        cptkit.catalog()
        .with_mue_file(path, edition="mine", effective="2027-01-01")
        .with_mue_file(path, edition="mine", effective="2027-04-01")
    )
    labels = [catalog.mue_edition(day) for day in ("2026-12-31", "2027-01-01", "2027-04-01")]
    assert labels == ["2026-04-01", "mine", "mine (from 2027-04-01)"]
    assert catalog.mue_edition("2027-05-01") == "mine (from 2027-04-01)"
    assert cptkit.catalog().with_mue_file(path, effective="2027-01-01").mue_edition() == (
        "2027-01-01"
    )
    assert cptkit.catalog().with_mue_file(path).mue_edition("2020-01-01") == "user file"


def test_a_file_for_an_edition_date_replaces_that_edition() -> None:
    same = cptkit.catalog().with_mue_file(DATA / "mue-cms-sample.csv", effective="2026-04-01")
    edit = same.mue("97153", on="2026-05-01")
    assert edit is not None and (edit.units, edit.edition) == (36, "2026-04-01")
    assert same.mue("97155", on="2026-05-01") is None  # not in the file: that edition is gone
    kept = same.mue("97155", on="2026-03-31")
    assert kept is not None and kept.edition == "2024-07-01"


def test_cli_lookup_shows_the_mue_of_the_date(capsys: pytest.CaptureFixture[str]) -> None:
    from cptkit.cli import main

    assert main(["lookup", "96041", "--on", "2026-05-01"]) == 0
    assert "NCCI MUE:     3 units per day" in capsys.readouterr().out
    assert main(["lookup", "96041", "--on", "2026-03-01"]) == 0  # before the 2026 edition
    assert "NCCI MUE" not in capsys.readouterr().out
