# SPDX-License-Identifier: MIT
"""The place-of-service rules (cptkit.validation.rules.places): place-of-service-unknown and
telehealth-mismatch."""

from __future__ import annotations

import datetime
import importlib.util
import re

import attrs
import hypothesis
import pytest
from hypothesis import strategies as st

import cptkit
from cptkit import rulesets
from cptkit.policy import PayerPolicy
from cptkit.validation import all_of, make_context
from rulekit import (
    FAMILIES,
    Case,
    Expected,
    assert_case,
    claim,
    columnar_outcome,
    covered,
    line,
    names,
    outcome,
)


def _in_person_95(places: str) -> list[Expected]:
    """The warning for 95 at POS 11, suggesting *places* ("02" before POS 10 existed)."""
    return [
        (
            0,
            "warning",
            "CO-5",
            "place_of_service",
            "telehealth modifier 95 with in-person place of service 11",
            f"use place of service {places} for telehealth, or drop the modifier",
        )
    ]


IN_PERSON_95 = _in_person_95("02 or 10")
IN_PERSON_95_BEFORE_2022 = _in_person_95("02")

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
    # POS 02 is valid from 2017-01-01 (CMS Place of Service code set): before it, no
    # telehealth place is named, and telehealth took the in-person place's code.
    (
        "place-before-any-telehealth-place",
        claim(line("97161", modifiers=["GP"], date_of_service="2016-06-01"), place_of_service="02"),
        {},
        "place-of-service-unknown",
        [
            (
                None,
                "error",
                "CO-5",
                "place_of_service",
                "place of service 02 is unassigned or not valid on the date of service",
                "use a current CMS place-of-service code",
            )
        ],
    ),
    (
        "telehealth-modifier-at-the-office-before-2017",
        claim(line("97110", minutes=15, modifiers=["GP", "GT"], date_of_service="2016-06-01")),
        {},
        "telehealth-mismatch",
        [],
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
        # Before 2022 only POS 02 was telehealth: the suggestion names no 10. (A date before
        # the COVID-19 PHE: from 2020-03-01 Medicare took the in-person place with 95.)
        "telehealth-modifier-in-person-2020",
        claim(line("97110", 1, minutes=15, modifiers=["GP", "95"], date_of_service="2020-02-28")),
        {},
        "telehealth-mismatch",
        IN_PERSON_95_BEFORE_2022,
    ),
]


# The COVID-19 public health emergency: CMS-1744-IFC (85 FR 19230, 19233; applicable from
# 2020-03-01) told practitioners to bill Medicare telehealth with the place of service of an
# in-person visit and modifier 95; the CY2023 PFS final rule kept that through 2023-12-31 and the
# CY2024 PFS final rule (88 FR 78874-78876) ended it: from 2024 POS 02 or 10 (NGS, "Telehealth
# Changes for 2024 - Modifier 95 and Place of Service Codes").
NONE: list[Expected] = []
PHE_CASES: list[Case] = [
    (
        f"medicare-phe-{day}",
        claim(line("97110", 1, minutes=15, modifiers=["GP", "95"], date_of_service=day)),
        {},
        "telehealth-mismatch",
        expected,
    )
    for day, expected in [
        ("2020-03-01", NONE),  # the IFC's first day
        ("2021-03-01", NONE),
        ("2023-12-31", NONE),  # the CY2023 PFS final rule's last day
        ("2024-01-02", IN_PERSON_95),
    ]
] + [
    (
        # Commercial plans set their own telehealth rules: the warning stands.
        "commercial-phe-2021-03-01",
        claim(line("97110", 1, minutes=15, modifiers=["95"], date_of_service="2021-03-01")),
        {"rules": rulesets.commercial()},
        "telehealth-mismatch",
        IN_PERSON_95_BEFORE_2022,
    ),
    (
        # FR: the supervising practitioner was present by audio/video (HCPCS descriptor;
        # virtual direct supervision, CY2024-2026 PFS final rules). The service itself, here a
        # PTA's (CQ), is in person: FR is no telehealth modifier.
        "fr-is-supervision-in-person",
        claim(line("97110", 1, minutes=15, modifiers=["GP", "CQ", "FR"])),
        {},
        "telehealth-mismatch",
        [],
    ),
]
CASES += PHE_CASES


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


def _own_window(first: str, last: str) -> dict[str, object]:
    """Options for a Medicare rule set whose in-person-place telehealth period is *first* to
    *last* (days that fall inside one of cptkit's validity periods)."""
    policy = attrs.evolve(PayerPolicy.medicare(), telehealth_in_person_place=[(first, last)])
    return {"rules": all_of(rulesets.medicare(), policy=policy), "policy": policy}


@pytest.mark.parametrize(
    ("day", "warned"),
    [("2021-02-09", True), ("2021-02-10", False), ("2021-02-20", False), ("2021-02-21", True)],
)
def test_a_policy_period_is_judged_to_the_day(day: str, warned: bool) -> None:
    # 2021-02-10 and 2021-02-21 are no validity change of cptkit's data: the line memo's
    # periods split at the policy's own dates too.
    checked = claim(line("97110", 1, minutes=15, modifiers=["GP", "95"], date_of_service=day))
    options = _own_window("2021-02-10", "2021-02-20")
    expected = IN_PERSON_95_BEFORE_2022 if warned else []
    assert outcome(checked, options, "telehealth-mismatch") == expected
    if importlib.util.find_spec("polars") is not None:
        assert columnar_outcome(checked, options, "telehealth-mismatch") == outcome(
            checked, options, "telehealth-mismatch"
        )


def test_only_the_payers_telehealth_modifiers_are_excused() -> None:
    # During the PHE Medicare's instruction named 95; GT (CAH method II) is still out of place.
    checked = claim(
        line("97110", 1, minutes=15, modifiers=["GP", "GT", "95"], date_of_service="2021-03-01")
    )
    assert outcome(checked, {}, "telehealth-mismatch") == [
        (
            0,
            "warning",
            "CO-5",
            "place_of_service",
            "telehealth modifier GT with in-person place of service 11",
            "use place of service 02 for telehealth, or drop the modifier",
        )
    ]


def test_the_medicare_period_and_the_policy_dates() -> None:
    medicare = PayerPolicy.medicare()
    assert medicare.telehealth_in_person_place == (
        (datetime.date(2020, 3, 1), datetime.date(2023, 12, 31)),
    )
    assert medicare.change_dates() == (datetime.date(2020, 3, 1), datetime.date(2024, 1, 1))
    assert PayerPolicy.commercial().change_dates() == ()
    assert not PayerPolicy.commercial().telehealth_at_in_person_place(datetime.date(2021, 3, 1))


@pytest.mark.parametrize(
    ("periods", "message"),
    [
        ("2020-03-01", "telehealth_in_person_place: '2020-03-01' is not (first day, last day)"),
        ([("2020-03-01",)], "telehealth_in_person_place: ('2020-03-01',) is not (first day"),
        ([("2020-03-01", "2020-02-01")], "is not a first day before the last"),
        ([("2020-03-01", 2023)], "telehealth_in_person_place: 2023 is not a date"),
        ([("2020-02-30", "2023-12-31")], "telehealth_in_person_place: '2020-02-30' is not a date"),
    ],
)
def test_policy_periods_refuse_bad_values(periods: object, message: str) -> None:
    with pytest.raises(cptkit.InvalidInput, match=re.escape(message)):
        PayerPolicy(name="x", unit_rule="cms", telehealth_in_person_place=periods)


@hypothesis.given(day=st.dates(datetime.date(2019, 1, 1), datetime.date(2025, 12, 31)))
def test_a_period_never_straddles_a_policy_date(day: datetime.date) -> None:
    context = make_context(rules=rulesets.medicare())
    policy = context.policy
    first = context.period(day)
    assert first <= day and first.year == day.year
    # The period's first day is judged as the day itself would be.
    assert policy.telehealth_at_in_person_place(first) == (
        datetime.date(2020, 3, 1) <= day <= datetime.date(2023, 12, 31)
    )
