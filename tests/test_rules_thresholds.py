# SPDX-License-Identifier: MIT
"""The threshold rule (cptkit.validation.rules.thresholds): kx-threshold, the Medicare KX
modifier threshold for therapy ($2480: PT and SLP together, OT on its own)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from cptkit.validation import Facts
from rulekit import FAMILIES, Case, assert_case, claim, covered, line, names

ADD_KX = "add KX if the services are medically necessary and documented so"
PT_SLP_OVER = "PT and SLP amount this year has reached the $2480 threshold and KX is missing"
OT_OVER = "OT amount this year has reached the $2480 threshold and KX is missing"
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
