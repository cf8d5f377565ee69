# SPDX-License-Identifier: MIT
"""The evaluation rules (cptkit.validation.rules.evaluations): evaluation-modifier-mismatch and
assistant-on-evaluation. Sources: CMS Pub. 100-02 ch. 15 sec. 230.1/230.2 (evaluations and
re-evaluations are the therapist's), the CY2017 PFS final rule (97161-97168), CMS Pub. 100-04
ch. 5 (the discipline modifier of the plan of care)."""

from __future__ import annotations

import pytest

from cptkit import rulesets
from cptkit.validation import Facts
from rulekit import FAMILIES, Case, assert_case, claim, covered, line, names

OT = Facts(clinician_discipline="OT")
PT = Facts(clinician_discipline="PT")

CASES: list[Case] = [
    # evaluation-modifier-mismatch
    (
        "pt-evaluation-with-go",
        claim(line("97161", modifiers=["GO"])),
        {},
        "evaluation-modifier-mismatch",
        [
            (
                0,
                "error",
                "CO-4",
                "modifiers",
                "97161 is a PT evaluation: it takes GP, not GO",
                "use GP",
            )
        ],
    ),
    (
        "pt-evaluation-with-gp",
        claim(line("97161", modifiers=["GP"])),
        {},
        "evaluation-modifier-mismatch",
        [],
    ),
    (
        "ot-re-evaluation-with-gp",
        claim(line("97168", modifiers=["GP"])),
        {"rules": rulesets.commercial()},
        "evaluation-modifier-mismatch",
        [
            (
                0,
                "error",
                "CO-4",
                "modifiers",
                "97168 is an OT re-evaluation: it takes GO, not GP",
                "use GO",
            )
        ],
    ),
    (
        "ot-evaluation-with-go",
        claim(line("97165", modifiers=["GO"])),
        {},
        "evaluation-modifier-mismatch",
        [],
    ),
    (
        "slp-evaluation-with-gp",
        claim(line("92523", modifiers=["GP"])),
        {},
        "evaluation-modifier-mismatch",
        [
            (
                0,
                "error",
                "CO-4",
                "modifiers",
                "92523 is an SLP evaluation: it takes GN, not GP",
                "use GN",
            )
        ],
    ),
    (
        "slp-evaluation-with-gn",
        claim(line("92610", modifiers=["GN"])),
        {},
        "evaluation-modifier-mismatch",
        [],
    ),
    (
        # No modifier at all is therapy-modifier-missing's finding, not this rule's.
        "evaluation-without-a-modifier-is-left-to-therapy-modifier-missing",
        claim(line("97161")),
        {},
        "evaluation-modifier-mismatch",
        [],
    ),
    (
        "pt-evaluation-by-an-ot-clinician",
        claim(line("97162", modifiers=["GP"])),
        {"facts": OT},
        "evaluation-modifier-mismatch",
        [
            (
                0,
                "error",
                "CO-4",
                "code",
                "97162 is a PT evaluation; the clinician's discipline is OT",
                "bill the OT evaluation codes (97165-97167)",
            )
        ],
    ),
    # A re-evaluation of the wrong discipline names the clinician's re-evaluation code:
    # 97164 (PT) and 97168 (OT) since CY2017 (81 FR 80170); 97002 and 97004 before.
    (
        "ot-re-evaluation-by-a-pt-clinician",
        claim(line("97168", modifiers=["GO"])),
        {"facts": PT},
        "evaluation-modifier-mismatch",
        [
            (
                0,
                "error",
                "CO-4",
                "code",
                "97168 is an OT re-evaluation; the clinician's discipline is PT",
                "bill the PT re-evaluation code (97164)",
            )
        ],
    ),
    (
        "pt-re-evaluation-by-an-ot-clinician-in-2016",
        claim(line("97164", modifiers=["GP"], date_of_service="2016-06-01")),
        {"facts": OT},
        "evaluation-modifier-mismatch",
        [
            (
                0,
                "error",
                "CO-4",
                "code",
                "97164 is a PT re-evaluation; the clinician's discipline is OT",
                "bill the OT re-evaluation code (97004)",
            )
        ],
    ),
    (
        "ot-evaluation-by-an-ot-clinician",
        claim(line("97166", modifiers=["GO"])),
        {"facts": OT},
        "evaluation-modifier-mismatch",
        [],
    ),
    (
        "treatment-codes-are-not-evaluations",
        claim(line("97110", 1, minutes=15, modifiers=["GO"])),
        {},
        "evaluation-modifier-mismatch",
        [],
    ),
    # assistant-on-evaluation
    (
        "pt-assistant-on-an-evaluation",
        claim(line("97163", modifiers=["GP", "CQ"])),
        {},
        "assistant-on-evaluation",
        [
            (
                0,
                "error",
                "CO-4",
                "modifiers",
                "CQ on 97163: an assistant never furnishes an evaluation",
                "remove CQ; the therapist bills the evaluation",
            )
        ],
    ),
    (
        "ot-assistant-on-a-re-evaluation",
        claim(line("97168", modifiers=["GO", "CO"])),
        {"rules": rulesets.commercial()},
        "assistant-on-evaluation",
        [
            (
                0,
                "error",
                "CO-4",
                "modifiers",
                "CO on 97168: an assistant never furnishes a re-evaluation",
                "remove CO; the therapist bills the re-evaluation",
            )
        ],
    ),
    (
        "assistant-on-treatment-is-fine",
        claim(line("97110", 1, minutes=15, modifiers=["GP", "CQ"])),
        {},
        "assistant-on-evaluation",
        [],
    ),
    (
        "therapist-evaluation",
        claim(line("97163", modifiers=["GP"])),
        {},
        "assistant-on-evaluation",
        [],
    ),
    (
        # In 2016 OT evaluated with 97003 (97165-97167 from 2017, CY2017 PFS final rule).
        "pt-evaluation-by-an-ot-clinician-in-2016",
        claim(line("97161", modifiers=["GP"], date_of_service="2016-06-01")),
        {"facts": OT},
        "evaluation-modifier-mismatch",
        [
            (
                0,
                "error",
                "CO-4",
                "code",
                "97161 is a PT evaluation; the clinician's discipline is OT",
                "bill the OT evaluation codes (97003)",
            )
        ],
    ),
]


@pytest.mark.parametrize("case", CASES, ids=names(CASES))
def test_evaluation_rules(case: Case) -> None:
    assert_case(case)


def test_every_evaluation_rule_has_a_failing_and_a_passing_case() -> None:
    assert covered(CASES) == (FAMILIES["evaluations"], FAMILIES["evaluations"])
