# SPDX-License-Identifier: MIT
"""The diagnosis-code rules: diagnosis-unknown and diagnosis-not-billable, by fiscal year.

Expected codes and lists are typed from data/raw/icd10cm/icd10cm_codes_fy2025_fy2026.csv:
E11.A is new in FY2026; Z59.86 is billable in FY2025 and a header in FY2026 (with Z59.861,
Z59.868 and Z59.869 under it); M54.5 is a header in both (M54.50, M54.51, M54.59); S72 is a
header whose first billable codes are S72.001A..S72.001G; F84.0, F80.1 and M25.561 are billable
in both years.
"""

from __future__ import annotations

import datetime
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import cptkit
from cptkit import Claim, ClaimLine, _icd10cm, rulesets
from cptkit.validation import Severity, validate_many

M76 = "use a code from the ICD-10-CM list in force on the date of service (remark M76: missing/incomplete/invalid diagnosis)"
NEWEST = " (the newest cptkit has; a date of service is outside its fiscal years)"
OLDEST = " (the oldest cptkit has; a date of service is outside its fiscal years)"
RULES = ("diagnosis-unknown", "diagnosis-not-billable")


def claim(diagnoses: list[str], *days: str) -> Claim:
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
    return Claim(lines=lines, diagnoses=diagnoses)


def found(report: cptkit.validation.Report) -> list[tuple[str, Severity, str, str | None]]:
    return [
        (f.rule, f.severity, f.message, f.suggestion) for f in report.findings if f.rule in RULES
    ]


ERROR, WARNING = Severity.ERROR, Severity.WARNING

CASES = [
    # billable in both years: nothing
    (["F84.0", "F80.1", "M25.561"], ["2025-09-30", "2025-10-01"], []),
    (["F840", "M25561"], ["2024-10-01", "2026-09-30"], []),
    # E11.A: new in FY2026
    (["E11.A"], ["2025-10-01"], []),
    (
        ["E11.A"],
        ["2025-09-30"],
        [
            (
                "diagnosis-unknown",
                ERROR,
                "E11.A is not in the ICD-10-CM FY2025 code list",
                f"E11.A is listed for FY2026 only; {M76}",
            )
        ],
    ),
    # Z59.86: billable in FY2025, a header in FY2026
    (["Z59.86"], ["2025-09-30"], []),
    (
        ["Z59.86"],
        ["2025-09-30", "2025-10-01"],
        [
            (
                "diagnosis-not-billable",
                ERROR,
                "Z59.86 is a header, not a billable code, in the ICD-10-CM FY2026 code list",
                "use a billable code under it (Z59.861, Z59.868, Z59.869)",
            )
        ],
    ),
    # M54.5: a header in both years, reported once for the claim
    (
        ["M54.50", "M54.5"],
        ["2025-09-30", "2025-10-01", "2025-10-01"],
        [
            (
                "diagnosis-not-billable",
                ERROR,
                "M54.5 is a header, not a billable code, in the ICD-10-CM FY2025 and FY2026 code"
                " lists",
                "use a billable code under it (M54.50, M54.51, M54.59)",
            )
        ],
    ),
    # more than six billable codes under a header
    (
        ["S72"],
        ["2026-03-02"],
        [
            (
                "diagnosis-not-billable",
                ERROR,
                "S72 is a header, not a billable code, in the ICD-10-CM FY2026 code list",
                "use a billable code under it (S72.001A, S72.001B, S72.001C, S72.001D, S72.001E,"
                " S72.001F, …)",
            )
        ],
    ),
    # in no list, twice on the claim
    (
        ["M54.5X", "M54.5X"],
        ["2025-03-02", "2026-03-02"],
        [
            (
                "diagnosis-unknown",
                ERROR,
                "M54.5X is not in the ICD-10-CM FY2025 and FY2026 code lists",
                M76,
            )
        ],
    ),
    # after the newest fiscal year: judged by FY2026, as a warning that says so
    (
        ["M54.5", "M54.5X", "F84.0"],
        ["2026-12-04"],
        [
            (
                "diagnosis-not-billable",
                WARNING,
                f"M54.5 is a header, not a billable code, in the ICD-10-CM FY2026 code list{NEWEST}",
                "use a billable code under it (M54.50, M54.51, M54.59)",
            ),
            (
                "diagnosis-unknown",
                WARNING,
                f"M54.5X is not in the ICD-10-CM FY2026 code list{NEWEST}",
                M76,
            ),
        ],
    ),
    # before the oldest: judged by FY2025
    (
        ["E11.A"],
        ["2024-09-30"],
        [
            (
                "diagnosis-unknown",
                WARNING,
                f"E11.A is not in the ICD-10-CM FY2025 code list{OLDEST}",
                f"E11.A is listed for FY2026 only; {M76}",
            )
        ],
    ),
    # before the oldest and after the newest
    (
        ["M54.5X"],
        ["2024-09-30", "2026-10-01"],
        [
            (
                "diagnosis-unknown",
                WARNING,
                "M54.5X is not in the ICD-10-CM FY2025 and FY2026 code lists (the nearest cptkit"
                " has; a date of service is outside their fiscal years)",
                M76,
            )
        ],
    ),
    # a day in the lists' years and one after: the error for the day cptkit can judge
    (
        ["M54.5X"],
        ["2026-09-30", "2026-10-01"],
        [("diagnosis-unknown", ERROR, "M54.5X is not in the ICD-10-CM FY2026 code list", M76)],
    ),
]


@pytest.mark.parametrize(("diagnoses", "days", "expected"), CASES)
@pytest.mark.parametrize("ruleset", [rulesets.medicare(), rulesets.commercial()])
def test_diagnosis_codes_by_fiscal_year(
    diagnoses: list[str],
    days: list[str],
    expected: list[tuple[str, Severity, str, str]],
    ruleset: cptkit.validation.RuleSet,
) -> None:
    report = cptkit.validate(claim(diagnoses, *days), rules=ruleset)
    assert found(report) == expected
    for finding in report.findings:
        if finding.rule in RULES:
            assert (finding.line, finding.field, finding.carc) == (None, "diagnoses", "CO-16")


def test_every_diagnosis_rule_has_a_case() -> None:
    assert {rule for *_, expected in CASES for rule, *_ in expected} == set(RULES)
    for ruleset in (rulesets.medicare(), rulesets.commercial()):
        assert set(RULES) <= ruleset.rule_ids
    assert set(RULES) <= rulesets.ALL_RULE_IDS


@pytest.mark.parametrize(
    ("diagnosis", "day", "on", "rule"),
    [
        ("E11.A", "2025-09-30", "2025-10-01", None),
        ("E11.A", "2025-10-01", "2025-09-30", "diagnosis-unknown"),
        ("Z59.86", "2025-10-01", "2025-09-30", None),
        ("Z59.86", "2025-09-30", "2025-10-01", "diagnosis-not-billable"),
    ],
)
def test_the_on_option_decides_the_fiscal_year(
    diagnosis: str, day: str, on: str, rule: str | None
) -> None:
    report = cptkit.validate(claim([diagnosis], day), on=datetime.date.fromisoformat(on))
    assert [f[0] for f in found(report)] == ([rule] if rule else [])


def test_validate_many_agrees_with_validate() -> None:
    claims = [claim(diagnoses, *days) for diagnoses, days, _ in CASES]
    assert [found(report) for report in validate_many(claims)] == [
        found(cptkit.validate(one)) for one in claims
    ]


CODES = st.sampled_from(_icd10cm.load_diagnoses().codes)
DAYS = st.dates(datetime.date(2024, 10, 1), datetime.date(2026, 9, 30))


@given(CODES, DAYS)
@settings(max_examples=200)
def test_the_rules_agree_with_the_lookup(code: str, day: datetime.date) -> None:
    diagnosis = str(cptkit.Diagnosis(code))
    info = cptkit.get_diagnosis(diagnosis, on=day)
    rules = [f[0] for f in found(cptkit.validate(claim([diagnosis], day.isoformat())))]
    if info is None:
        assert rules == ["diagnosis-unknown"]
    elif info.billable:  # type: ignore[attr-defined]
        assert rules == []
    else:
        assert rules == ["diagnosis-not-billable"]


def _named(text: str, diagnosis: str) -> bool:
    return re.search(rf"(?<![A-Z0-9.]){re.escape(diagnosis)}(?![A-Z0-9.])", text) is not None


@given(
    st.lists(st.one_of(CODES, st.sampled_from(["M545X", "Z9999", "A0A"])), min_size=1, max_size=12),
    st.lists(
        st.dates(datetime.date(2024, 1, 1), datetime.date(2027, 12, 31)), min_size=1, max_size=6
    ),
)
@settings(max_examples=100)
def test_messages_name_only_the_diagnosis_they_are_about(
    codes: list[str], days: list[datetime.date]
) -> None:
    secret = claim(codes, *(day.isoformat() for day in days))
    shown = {str(diagnosis) for diagnosis in secret.diagnoses}
    for rule, _, message, _ in found(cptkit.validate(secret)):
        about = message.split(" ", 1)[0]
        assert about in shown
        assert not [other for other in shown - {about} if _named(message, other)], rule
