# SPDX-License-Identifier: MIT
"""The diagnosis rule (cptkit.validation.rules.diagnoses): diagnosis-pointer-invalid."""

from __future__ import annotations

import pytest

from rulekit import FAMILIES, Case, assert_case, claim, covered, line, names

FIVE_DIAGNOSES = ["M54.50", "M25.511", "R26.2", "Z96.651", "M62.81"]

CASES: list[Case] = [
    (
        "diagnosis-pointer-invalid",
        claim(line("97161", modifiers=["GP"], diagnosis_pointers=[2])),
        {},
        "diagnosis-pointer-invalid",
        [
            (
                0,
                "error",
                "CO-16",
                "diagnosis_pointers",
                "pointer 2 but the claim has 1 diagnosis",
                "use a pointer from 1 to 1",
            ),
        ],
    ),
    (
        "diagnosis-pointer-invalid-passes",
        claim(line("97161", modifiers=["GP"], diagnosis_pointers=[1])),
        {},
        "diagnosis-pointer-invalid",
        [],
    ),
    (
        "no-pointer",
        claim(line("97161", modifiers=["GP"], diagnosis_pointers=[])),
        {},
        "diagnosis-pointer-invalid",
        [
            (
                0,
                "error",
                "CO-16",
                "diagnosis_pointers",
                "no diagnosis pointer",
                "point the line at the diagnosis it treats (1 for the first)",
            )
        ],
    ),
    (
        "pointer-past-two",
        claim(
            line("97161", modifiers=["GP"], diagnosis_pointers=[3]), diagnoses=["M54.50", "R26.2"]
        ),
        {},
        "diagnosis-pointer-invalid",
        [
            (
                0,
                "error",
                "CO-16",
                "diagnosis_pointers",
                "pointer 3 but the claim has 2 diagnoses",
                "use a pointer from 1 to 2",
            )
        ],
    ),
    (
        "four-pointers-are-fine",
        claim(
            line("97161", modifiers=["GP"], diagnosis_pointers=[1, 2, 3, 4]),
            diagnoses=FIVE_DIAGNOSES[:4],
        ),
        {},
        "diagnosis-pointer-invalid",
        [],
    ),
    (
        "five-pointers",
        claim(
            line("97161", modifiers=["GP"], diagnosis_pointers=[1, 2, 3, 4, 5]),
            diagnoses=FIVE_DIAGNOSES,
        ),
        {},
        "diagnosis-pointer-invalid",
        [
            (
                0,
                "error",
                "CO-16",
                "diagnosis_pointers",
                "5 diagnosis pointers; a line carries at most 4",
                "keep the four most relevant, primary first",
            )
        ],
    ),
]


@pytest.mark.parametrize("case", CASES, ids=names(CASES))
def test_diagnosis_rules(case: Case) -> None:
    assert_case(case)


def test_every_diagnosis_rule_has_a_failing_and_a_passing_case() -> None:
    # The diagnosis-code rules have their own tables: tests/test_rules_diagnosis_codes.py.
    pointers = FAMILIES["diagnoses"] - {"diagnosis-unknown", "diagnosis-not-billable"}
    assert covered(CASES) == (pointers, pointers)
