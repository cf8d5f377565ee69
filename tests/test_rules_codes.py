# SPDX-License-Identifier: MIT
"""The code rules (cptkit.validation.rules.codes): code-unknown and code-inactive."""

from __future__ import annotations

import pytest

from rulekit import FAMILIES, Case, assert_case, claim, covered, line, names

CASES: list[Case] = [
    (
        "code-unknown",
        claim(line("99213")),
        {},
        "code-unknown",
        [
            (
                0,
                "warning",
                None,
                "code",
                "99213 is not in the cptkit dataset; its rules cannot be checked",
                "check the code against the payer's current code list",
            ),
        ],
    ),
    ("code-unknown-passes", claim(line("97161", modifiers=["GP"])), {}, "code-unknown", []),
    (
        "code-inactive",
        claim(line("96101")),
        {},
        "code-inactive",
        [
            (
                0,
                "error",
                "CO-181",
                "code",
                "96101 was deleted after 2018-12-31",
                "use 96130, 96131, 96136, 96137 instead",
            ),
        ],
    ),
    (
        "code-inactive-passes",
        claim(line("96101", date_of_service="2018-06-01")),
        {},
        "code-inactive",
        [],
    ),
    (
        "code-not-yet-valid",
        claim(line("97129", date_of_service="2019-06-01")),
        {},
        "code-inactive",
        [(0, "error", "CO-181", "code", "97129 is not valid before 2020-01-01", None)],
    ),
]


@pytest.mark.parametrize("case", CASES, ids=names(CASES))
def test_code_rules(case: Case) -> None:
    assert_case(case)


def test_every_code_rule_has_a_failing_and_a_passing_case() -> None:
    assert covered(CASES) == (FAMILIES["codes"], FAMILIES["codes"])
