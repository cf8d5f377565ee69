# SPDX-License-Identifier: MIT
"""The place-of-service rules (cptkit.validation.rules.places): place-of-service-unknown and
telehealth-mismatch."""

from __future__ import annotations

import pytest

import cptkit
from cptkit import rulesets
from rulekit import FAMILIES, Case, assert_case, claim, covered, line, names

CASES: list[Case] = [
    (
        "place-of-service-unknown",
        claim(line("97161", modifiers=["GP"], place_of_service="30")),
        {},
        "place-of-service-unknown",
        [
            (
                0,
                "error",
                "CO-5",
                "place_of_service",
                "place of service 30 is unassigned or not valid on the date of service",
                "use a current CMS place-of-service code (02/10 for telehealth)",
            ),
        ],
    ),
    (
        "place-of-service-unknown-passes",
        claim(line("97161", modifiers=["GP"], place_of_service="22")),
        {},
        "place-of-service-unknown",
        [],
    ),
    (
        "claim-level-place-reported-once",
        claim(
            line("97161", modifiers=["GP"]), line("97162", modifiers=["GP"]), place_of_service="30"
        ),
        {},
        "place-of-service-unknown",
        [
            (
                None,
                "error",
                "CO-5",
                "place_of_service",
                "place of service 30 is unassigned or not valid on the date of service",
                "use a current CMS place-of-service code (02/10 for telehealth)",
            )
        ],
    ),
    (
        "place-before-it-existed",
        claim(line("97161", modifiers=["GP"], date_of_service="2021-06-01"), place_of_service="10"),
        {},
        "place-of-service-unknown",
        [
            (
                None,
                "error",
                "CO-5",
                "place_of_service",
                "place of service 10 is unassigned or not valid on the date of service",
                "use a current CMS place-of-service code (02 for telehealth)",
            )
        ],
    ),
    (
        "telehealth-mismatch",
        claim(line("97110", minutes=10, modifiers=["GP"]), place_of_service="10"),
        {},
        "telehealth-mismatch",
        [
            (
                0,
                "error",
                "CO-4",
                "modifiers",
                "therapy code 97110 at telehealth place 10 without 95",
                "add 95 if the service was furnished via telehealth",
            ),
        ],
    ),
    (
        "telehealth-mismatch-passes",
        claim(line("97110", minutes=10, modifiers=["GP", "95"]), place_of_service="10"),
        {},
        "telehealth-mismatch",
        [],
    ),
    (
        "telehealth-modifier-in-person",
        claim(line("97110", minutes=10, modifiers=["GP", "95"])),
        {},
        "telehealth-mismatch",
        [
            (
                0,
                "warning",
                "CO-5",
                "place_of_service",
                "telehealth modifier 95 with in-person place of service 11",
                "use place of service 02 or 10 for telehealth, or drop the modifier",
            )
        ],
    ),
    (
        "telehealth-commercial-needs-no-modifier",
        claim(line("97110", minutes=10), place_of_service="02"),
        {"rules": rulesets.commercial()},
        "telehealth-mismatch",
        [],
    ),
    (
        # Before 2022 only POS 02 was telehealth: the suggestion names no 10.
        "telehealth-modifier-in-person-2021",
        claim(line("97110", 1, minutes=15, modifiers=["GP", "95"], date_of_service="2021-06-01")),
        {},
        "telehealth-mismatch",
        [
            (
                0,
                "warning",
                "CO-5",
                "place_of_service",
                "telehealth modifier 95 with in-person place of service 11",
                "use place of service 02 for telehealth, or drop the modifier",
            )
        ],
    ),
]


@pytest.mark.parametrize("case", CASES, ids=names(CASES))
def test_place_rules(case: Case) -> None:
    assert_case(case)


def test_every_place_rule_has_a_failing_and_a_passing_case() -> None:
    assert covered(CASES) == (FAMILIES["places"], FAMILIES["places"])


def test_aba_day_by_telehealth() -> None:
    aba = claim(
        line("97153", 8, minutes=120, modifiers=["HN", "95"], place_of_service="10"),
        diagnoses=["F84.0"],
        payer="State Medicaid",
    )
    report = cptkit.validate(aba, rules=rulesets.commercial())
    assert report.ok
    assert report.findings == ()
