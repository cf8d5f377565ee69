# SPDX-License-Identifier: MIT
"""``data-stale`` and the coverage it reads: the packaged tables' editions and last dates."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from pathlib import Path

import pytest

import cptkit
from cptkit import Claim, ClaimLine, rulesets
from cptkit.validation import Finding, Severity, all_of
from cptkit.validation import rules as r
from cptkit.validation._tables_read import TABLES_READ
from cptkit.validation.rules import data_stale

pytestmark = pytest.mark.real_coverage
DATA = Path(__file__).parent / "data"

# Typed from the sources' editions: Addendum B April 2026 (codes), HCPCS July 2025
# (modifiers), the June 2024 place-of-service list, MUE 2026-04-01, PTP 2024-07-01, AOC
# V2026Q2, the ICD-10-CM FY2026 list (to 2026-09-30), the PFS RVU26C release (July 2026: the
# quarter to 2026-09-30); the edits get one quarter of grace.
COVERAGE = {
    "codes": ("2026-06-30", "2026-06-30"),
    "modifiers": ("2025-09-30", "2025-09-30"),
    "places": ("2024-06-30", "2024-06-30"),
    "mue": ("2026-06-30", "2026-09-30"),
    "ptp": ("2024-09-30", "2024-12-31"),
    "aoc": ("2026-06-30", "2026-09-30"),
    "diagnoses": ("2026-09-30", "2026-09-30"),
    "pfs": ("2026-09-30", "2026-09-30"),
    "pfs_status": ("2026-09-30", "2026-09-30"),
}


def test_coverage_of_every_packaged_table() -> None:
    cover = cptkit.catalog().coverage()
    assert {
        name: (str(item.through), str(item.stale_after)) for name, item in cover.items()
    } == COVERAGE
    assert "MUE 2026-04-01" in cover["mue"].edition
    assert cover["ptp"].covers(datetime.date(2024, 12, 31))
    assert not cover["ptp"].covers(datetime.date(2025, 1, 1))


def test_dataset_version_names_each_table_edition() -> None:
    assert cptkit.dataset_version == (
        "2026.12.05 (codes 2026-04, modifiers 2025-07, places 2024-06, MUE 2026-04-01,"
        " PTP 2024-07-01, AOC V2026Q2, ICD-10-CM FY2026, PFS RVU26C)"
    )


def _claim(*days: str) -> Claim:
    lines = [
        ClaimLine(
            code="97110",
            units=1,
            minutes=15,
            modifiers=["GP"],
            date_of_service=day,
            diagnosis_pointers=[1],
        )
        for day in days
    ]
    return Claim(lines=lines, diagnoses=["M54.50"], place_of_service="11")


# (date of service, the tables named in the warning, in coverage order)
STALE = [
    ("2024-06-30", None),
    ("2024-07-01", "places through 2024-06-30"),
    ("2024-12-31", "places through 2024-06-30"),
    ("2025-01-01", "places through 2024-06-30; ptp through 2024-09-30"),
    (
        "2025-10-01",
        "modifiers through 2025-09-30; places through 2024-06-30; ptp through 2024-09-30",
    ),
    (
        "2026-07-01",
        "codes through 2026-06-30; modifiers through 2025-09-30; places through 2024-06-30;"
        " ptp through 2024-09-30",
    ),
    (
        "2026-12-01",
        "codes through 2026-06-30; modifiers through 2025-09-30; places through 2024-06-30;"
        " mue through 2026-06-30; ptp through 2024-09-30; aoc through 2026-06-30;"
        " diagnoses through 2026-09-30; pfs_status through 2026-09-30",
        # not pfs: no built-in rule judges by it (code-not-payable judges by pfs_status)
    ),
]


@pytest.mark.parametrize(("day", "tables"), STALE)
def test_data_stale_names_the_tables_past_their_coverage(day: str, tables: str | None) -> None:
    report = cptkit.validate(_claim(day), rules=data_stale())
    if tables is None:
        assert report.findings == ()
        return
    (finding,) = report.findings
    assert (finding.rule, finding.severity, finding.carc, finding.line, finding.field) == (
        "data-stale",
        Severity.WARNING,
        None,
        0,
        "date_of_service",
    )
    assert finding.message == f"{day} is past cptkit's data: {tables}"
    assert finding.suggestion == "load newer CMS files (cptkit check --data DIR) or update cptkit"


# A rule set watches the tables its rules judge by (the coverage above; MUE and PTP with their
# quarter of grace).
WATCHED = [
    (("code_unknown",), "2026-07-01", "codes through 2026-06-30"),
    (("units_exceed_mue",), "2026-07-01", None),  # within the MUE table's grace
    (("units_exceed_mue",), "2026-10-01", "mue through 2026-06-30"),
    (("ncci_ptp",), "2025-01-01", "ptp through 2024-09-30"),
    (("ncci_ptp",), "2025-10-01", "modifiers through 2025-09-30; ptp through 2024-09-30"),
    (("duplicate_line", "modifier_too_many"), "2026-12-01", None),  # they read no table
    (("diagnosis_unknown", "place_of_service_unknown"), "2026-07-01", "places through 2024-06-30"),
    (("kx_threshold",), "2026-12-01", None),  # the fee schedule is not watched
    # Two sessions of a time-band code in a day are judged against the day's MUE too.
    (("untimed_multiple_units",), "2026-10-01", "codes through 2026-06-30; mue through 2026-06-30"),
]


@pytest.mark.parametrize(("rules", "day", "tables"), WATCHED)
def test_a_rule_set_watches_the_tables_its_rules_read(
    rules: tuple[str, ...], day: str, tables: str | None
) -> None:
    ruleset = all_of(*(getattr(r, name)() for name in rules), data_stale())
    found = [
        f for f in cptkit.validate(_claim(day), rules=ruleset).findings if f.rule == "data-stale"
    ]
    assert [f.message for f in found] == (
        [] if tables is None else [f"{day} is past cptkit's data: {tables}"]
    )


def test_with_only_users_rules_every_table_is_watched() -> None:
    def mine(claim: Claim, context: object) -> Iterator[Finding]:
        return iter(())

    ruleset = all_of(mine, data_stale())
    (finding,) = cptkit.validate(_claim("2026-12-01"), rules=ruleset).findings
    assert finding.message.endswith("pfs_status through 2026-09-30")
    assert "diagnoses through" in finding.message


def test_every_built_in_rule_says_what_it_reads() -> None:
    assert set(TABLES_READ) == rulesets.ALL_RULE_IDS - {"data-stale"}
    assert set().union(*TABLES_READ.values()) <= set(COVERAGE)


def test_one_warning_per_claim_on_its_first_stale_line() -> None:
    report = cptkit.validate(_claim("2024-05-01", "2025-02-01", "2026-12-01"), rules=data_stale())
    assert [(f.rule, f.line) for f in report.findings] == [("data-stale", 1)]


def test_the_judged_date_counts() -> None:
    old = _claim("2024-05-01")
    assert cptkit.validate(old, rules=data_stale()).findings == ()
    late = cptkit.validate(old, rules=data_stale(), on="2026-12-01")
    assert [f.line for f in late.findings] == [0]


def test_both_rule_sets_have_it() -> None:
    for ruleset in (rulesets.medicare(), rulesets.commercial()):
        assert "data-stale" in ruleset.rule_ids
    found = cptkit.validate(_claim("2026-12-01"), rules=rulesets.medicare()).findings
    assert [f.rule for f in found] == ["data-stale"]
    assert next(cptkit.validate_many([_claim("2026-12-01")])).findings == found


def test_newer_files_move_the_coverage() -> None:
    newer = cptkit.catalog().with_mue_file(
        DATA / "mue-cms-sample.csv", edition="2027-01-01", effective="2027-01-01"
    )
    cover = newer.coverage()["mue"]
    assert (cover.edition, str(cover.through), str(cover.stale_after)) == (
        "2027-01-01",
        "2027-03-31",
        "2027-06-30",
    )
    report = cptkit.validate(_claim("2026-12-01"), rules=data_stale(), catalog=newer)
    assert "mue through" not in report.findings[0].message
    # a file without a date says nothing of its quarter: it covers every date
    undated = cptkit.catalog().with_mue_file(DATA / "mue-cms-sample.csv")
    assert undated.coverage()["mue"].through == datetime.date.max


def test_quarter_ends() -> None:
    from cptkit.records import quarter_end

    day = datetime.date
    assert quarter_end(day(2026, 6, 30)) == day(2026, 6, 30)
    assert quarter_end(day(2026, 6, 30), 1) == day(2026, 9, 30)
    assert quarter_end(day(2026, 11, 5), 1) == day(2027, 3, 31)
    assert quarter_end(day(9999, 1, 1), 3) == day.max
    assert quarter_end(day(9999, 8, 1)) == day.max
