# SPDX-License-Identifier: MIT
"""The threshold rule (cptkit.validation.rules.thresholds): kx-threshold, the Medicare KX
modifier threshold for therapy ($2480: PT and SLP together, OT on its own)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import hypothesis
import pytest
from hypothesis import strategies as st

from cptkit.validation import Facts
from rulekit import FAMILIES, Case, assert_case, claim, covered, line, names, outcome

ADD_KX = "add KX if the services are medically necessary and documented so"
PT_SLP_OVER = "PT and SLP amount this year has reached the $2480 threshold and KX is missing"
OT_OVER = "OT amount this year has reached the $2480 threshold and KX is missing"
PT_SLP_2025 = "PT and SLP amount this year has reached the $2410 threshold and KX is missing"
OT_2025 = "OT amount this year has reached the $2410 threshold and KX is missing"
PT_15 = claim(line("97110", 1, minutes=15, modifiers=["GP"]))
OT_15 = claim(line("97110", 1, minutes=15, modifiers=["GO"]))

CASES: list[Case] = [
    (
        "kx-over",
        PT_15,
        {"facts": Facts(pt_slp_amount_ytd=Decimal("2500"))},
        "kx-threshold",
        [(0, "error", "CO-119", "modifiers", PT_SLP_OVER, ADD_KX)],
    ),
    (
        "kx-over-with-kx",
        claim(line("97110", 1, minutes=15, modifiers=["GP", "KX"])),
        {"facts": Facts(pt_slp_amount_ytd=Decimal("2500"))},
        "kx-threshold",
        [],
    ),
    (
        "kx-at-the-threshold-this-service-crosses-it",
        PT_15,
        {"facts": Facts(pt_slp_amount_ytd=Decimal("2480"))},
        "kx-threshold",
        [(0, "error", "CO-119", "modifiers", PT_SLP_OVER, ADD_KX)],
    ),
    (
        "kx-under",
        PT_15,
        {"facts": Facts(pt_slp_amount_ytd=Decimal("2479.99"))},
        "kx-threshold",
        [],
    ),
    ("kx-amount-unknown", PT_15, {}, "kx-threshold", []),
    (
        "kx-ot-has-its-own-cap",
        OT_15,
        {"facts": Facts(pt_slp_amount_ytd=Decimal("2500"))},
        "kx-threshold",
        [],
    ),
    (
        "kx-ot-over",
        OT_15,
        {"facts": Facts(ot_amount_ytd=Decimal("3000"))},
        "kx-threshold",
        [(0, "error", "CO-119", "modifiers", OT_OVER, ADD_KX)],
    ),
    (
        "kx-slp-counts-with-pt",
        claim(line("97110", 1, minutes=15, modifiers=["GN"])),
        {"facts": Facts(pt_slp_amount_ytd=Decimal("2500"))},
        "kx-threshold",
        [(0, "error", "CO-119", "modifiers", PT_SLP_OVER, ADD_KX)],
    ),
    (
        "kx-ot-separately",
        OT_15,
        {"facts": Facts(ot_amount_ytd=Decimal("2481"))},
        "kx-threshold",
        [(0, "error", "CO-119", "modifiers", OT_OVER, ADD_KX)],
    ),
    (
        # The thresholds are per beneficiary per calendar year (SSA sec. 1833(g); CMS Pub.
        # 100-04 ch. 5 sec. 10.3): the year-to-date amount is the year of the claim's first
        # date (2025: $2,410); the 2026 line starts a year whose amount is unknown.
        "kx-year-to-date-is-the-first-date's-year",
        claim(
            line("97110", 1, minutes=15, modifiers=["GP"], date_of_service="2025-12-30"),
            line("97110", 1, minutes=15, modifiers=["GP"], date_of_service="2026-01-02"),
        ),
        {"facts": Facts(pt_slp_amount_ytd=Decimal("2500"))},
        "kx-threshold",
        [(0, "error", "CO-119", "modifiers", PT_SLP_2025, ADD_KX)],
    ),
    (
        # Billed out of date order: the earliest date is the second line's.
        "kx-year-to-date-by-date-not-line-order",
        claim(
            line("97110", 1, minutes=15, modifiers=["GO"], date_of_service="2026-01-02"),
            line("97110", 1, minutes=15, modifiers=["GO"], date_of_service="2025-12-30"),
        ),
        {"facts": Facts(ot_amount_ytd=Decimal("2500"))},
        "kx-threshold",
        [(1, "error", "CO-119", "modifiers", OT_2025, ADD_KX)],
    ),
    (
        "kx-not-for-non-therapy-lines",
        claim(line("90834", minutes=45)),
        {"facts": Facts(pt_slp_amount_ytd=Decimal("9999"))},
        "kx-threshold",
        [],
    ),
]


@pytest.mark.parametrize("case", CASES, ids=names(CASES))
def test_threshold_rules(case: Case) -> None:
    assert_case(case)


def test_every_threshold_rule_has_a_failing_and_a_passing_case() -> None:
    assert covered(CASES) == (FAMILIES["thresholds"], FAMILIES["thresholds"])


@hypothesis.given(
    days=st.lists(
        st.dates(datetime.date(2024, 1, 1), datetime.date(2026, 12, 31)), min_size=1, max_size=4
    ),
    ytd=st.decimals(min_value=0, max_value=5000, places=2),
    marks=st.lists(st.sampled_from(["GP", "GO", "GN"]), min_size=4, max_size=4),
)
def test_only_the_earliest_year_is_judged(
    days: list[datetime.date], ytd: Decimal, marks: list[str]
) -> None:
    # Per calendar year (SSA sec. 1833(g)): a line of a later year than the claim's earliest
    # date never gets a finding, and the earliest year's lines get what they get alone.
    lines = [
        line("97110", 1, minutes=15, modifiers=[mark], date_of_service=day)
        for day, mark in zip(days, marks, strict=False)
    ]
    options = {"facts": Facts(pt_slp_amount_ytd=ytd, ot_amount_ytd=ytd)}
    found = outcome(claim(*lines), options, "kx-threshold")
    first = min(days).year
    assert all(days[index].year == first for index, *_ in found if index is not None)
    kept = [index for index, day in enumerate(days) if day.year == first]
    alone = outcome(claim(*(lines[index] for index in kept)), options, "kx-threshold")
    assert [(kept[index], *rest) for index, *rest in alone if index is not None] == found
