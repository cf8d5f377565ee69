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
    # A replacement that was itself replaced is followed: CPT 2018 replaced 97532 by 97127
    # (Medicare: G0515); CPT 2020 replaced both by 97129/97130 (CY2020 PFS final rule).
    (
        "code-inactive-follows-the-replacements",
        claim(line("97532", date_of_service="2021-03-01")),
        {},
        "code-inactive",
        [
            (
                0,
                "error",
                "CO-181",
                "code",
                "97532 was deleted after 2017-12-31",
                "use 97129, 97130 instead",
            ),
        ],
    ),
    (
        "code-inactive-in-2019-names-the-replacements-of-then",
        claim(line("97532", date_of_service="2019-03-01")),
        {},
        "code-inactive",
        [
            (
                0,
                "error",
                "CO-181",
                "code",
                "97532 was deleted after 2017-12-31",
                "use 97127, G0515 instead",
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
        # 97127 and G0515 were the cognitive codes of 2018-2019 (CPT 2020 replaced them).
        [
            (
                0,
                "error",
                "CO-181",
                "code",
                "97129 is not valid before 2020-01-01",
                "use 97127, G0515, valid then",
            )
        ],
    ),
    (
        # A code not yet valid gets the code that was: 97001 for 97161 in 2016 (CY2017 PFS).
        "pt-evaluation-in-2016-takes-97001",
        claim(line("97161", modifiers=["GP"], date_of_service="2016-06-01")),
        {},
        "code-inactive",
        [
            (
                0,
                "error",
                "CO-181",
                "code",
                "97161 is not valid before 2017-01-01",
                "use 97001, valid then",
            )
        ],
    ),
    (
        # A new code that replaced none (97550, 2024) gets no suggestion.
        "code-not-yet-valid-without-a-predecessor",
        claim(line("97550", date_of_service="2023-06-01")),
        {},
        "code-inactive",
        [(0, "error", "CO-181", "code", "97550 is not valid before 2024-01-01", None)],
    ),
]


@pytest.mark.parametrize("case", CASES, ids=names(CASES))
def test_code_rules(case: Case) -> None:
    assert_case(case)


def test_every_code_rule_has_a_failing_and_a_passing_case() -> None:
    assert covered(CASES) == (FAMILIES["codes"], FAMILIES["codes"])
