# SPDX-License-Identifier: MIT
"""The diagnosis rule (cptkit.validation.rules.diagnoses): diagnosis-pointer-invalid."""

from __future__ import annotations

import pytest

from cptkit import rulesets
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
    # diagnosis-not-pointed
    (
        "a-diagnosis-no-line-points-to",
        claim(line("97110", 1, minutes=15, modifiers=["GP"]), diagnoses=["M54.50", "M25.511"]),
        {},
        "diagnosis-not-pointed",
        [
            (
                None,
                "warning",
                None,
                "diagnoses",
                "diagnosis 2 of 2 is not pointed to by any line",
                "point the line it supports at it, or leave it off the claim",
            )
        ],
    ),
    (
        "every-diagnosis-pointed",
        claim(
            line("97110", 1, minutes=15, modifiers=["GP"]),
            line("97140", 1, minutes=15, modifiers=["GP"], diagnosis_pointers=[2, 1]),
            diagnoses=["M54.50", "M25.511"],
        ),
        {"rules": rulesets.commercial()},
        "diagnosis-not-pointed",
        [],
    ),
    (
        "a-lone-diagnosis-with-no-pointer",
        claim(line("97110", 1, minutes=15, modifiers=["GP"], diagnosis_pointers=[])),
        {},
        "diagnosis-not-pointed",
        [
            (
                None,
                "warning",
                None,
                "diagnoses",
                "diagnosis 1 of 1 is not pointed to by any line",
                "point the line it supports at it, or leave it off the claim",
            )
        ],
    ),
    (
        "a-lone-diagnosis-pointed",
        claim(line("97110", 1, minutes=15, modifiers=["GP"])),
        {},
        "diagnosis-not-pointed",
        [],
    ),
]


@pytest.mark.parametrize("case", CASES, ids=names(CASES))
def test_diagnosis_rules(case: Case) -> None:
    assert_case(case)


def test_every_diagnosis_rule_has_a_failing_and_a_passing_case() -> None:
    # The diagnosis-code rules have their own tables: tests/test_rules_diagnosis_codes.py.
    pointers = FAMILIES["diagnoses"] - {"diagnosis-unknown", "diagnosis-not-billable"}
    assert covered(CASES) == (pointers, pointers)
