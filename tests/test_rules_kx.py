# SPDX-License-Identifier: MIT
"""kx-threshold with the PFS locality known: the claim's estimated allowed amounts cross the
threshold (2026: $2,480, PT and SLP together, OT apart).

Amounts (RVU26C, Alabama 10112-00, non-facility; see tests/test_payment.py for the arithmetic):
97110 in full $27.20; 97140 with half its PE (MPPR, 97110's PE 0.35875 > 97140's 0.34125)
$20.25; 97530 in full $32.42.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

import cptkit
from cptkit import Claim, ClaimLine
from cptkit.validation import Facts, Finding, Severity, make_context

AL = "10112-00"


def claim(*lines: ClaimLine) -> Claim:
    return Claim(lines=lines, diagnoses=["M54.50"], place_of_service="11")


def line(code: str, *modifiers: str, day: str = "2026-08-03") -> ClaimLine:
    return ClaimLine(code, 1, day, modifiers=list(modifiers), minutes=15)


def kx(claim_: Claim, **facts: object) -> list[tuple[int | None, Severity]]:
    report = cptkit.validate(claim_, facts=Facts(**facts))
    return [(f.line, f.severity) for f in report.findings if f.rule == "kx-threshold"]


TWO = claim(line("97110", "GP"), line("97140", "GP"))


@pytest.mark.parametrize(
    ("ytd", "expected"),
    [
        # 2450 + 27.20 = 2477.20 (under), + 20.25 = 2497.45 (over): line 1 crosses
        ("2450", [(1, Severity.WARNING)]),
        # 2455 + 27.20 = 2482.20: line 0 crosses, line 1 comes after
        ("2455", [(0, Severity.WARNING), (1, Severity.WARNING)]),
        # 2432.55 + 27.20 + 20.25 = 2480.00: at the threshold, not past it
        ("2432.55", []),
        # 2432.56: 2480.01 after line 1
        ("2432.56", [(1, Severity.WARNING)]),
        # the year-to-date amount already reached it: the rule's error, as without a locality
        ("2480", [(0, Severity.ERROR), (1, Severity.ERROR)]),
    ],
)
def test_crossing(ytd: str, expected: list[tuple[int, Severity]]) -> None:
    assert kx(TWO, pt_slp_amount_ytd=Decimal(ytd), locality=AL) == expected


def test_without_a_locality_the_rule_is_as_before() -> None:
    assert kx(TWO, pt_slp_amount_ytd=Decimal("2455")) == []
    assert kx(TWO, pt_slp_amount_ytd=Decimal("2480")) == [
        (0, Severity.ERROR),
        (1, Severity.ERROR),
    ]


def test_when_the_estimate_cannot_be_made_the_rule_is_as_before() -> None:
    unpriced = claim(line("97110", "GP"), line("97151"))  # 97151 is carrier-priced
    assert kx(unpriced, pt_slp_amount_ytd=Decimal("2470"), locality=AL) == []
    assert kx(TWO, pt_slp_amount_ytd=Decimal("2470"), locality="99999-99") == []
    old = claim(line("97110", "GP", day="2024-08-05"))  # no 2024 fee schedule packaged
    assert kx(old, pt_slp_amount_ytd=Decimal("2320"), locality=AL) == []


def test_ot_and_pt_count_apart() -> None:
    mixed = claim(line("97530", "GO"), line("97110", "GP"), line("97140", "GO"))
    # OT: 97530 full 32.42 (highest PE) then 97140 reduced 20.25; PT: 97110 reduced 21.21
    # OT 2440 + 32.42 = 2472.42, + 20.25 = 2492.67: line 2; PT 2470 + 21.21 = 2491.21: line 1
    found = kx(mixed, pt_slp_amount_ytd=Decimal("2470"), ot_amount_ytd=Decimal("2440"), locality=AL)
    assert found == [(1, Severity.WARNING), (2, Severity.WARNING)]
    # OT amount unknown: only the PT line
    assert kx(mixed, pt_slp_amount_ytd=Decimal("2470"), locality=AL) == [(1, Severity.WARNING)]


def test_lines_with_kx_are_counted_but_not_reported() -> None:
    with_kx = claim(line("97110", "GP", "KX"), line("97140", "GP"))
    assert kx(with_kx, pt_slp_amount_ytd=Decimal("2455"), locality=AL) == [(1, Severity.WARNING)]


def test_the_message_says_it_is_an_estimate() -> None:
    report = cptkit.validate(TWO, facts=Facts(pt_slp_amount_ytd=Decimal("2450"), locality=AL))
    (finding,) = [f for f in report.findings if f.rule == "kx-threshold"]
    assert finding == Finding(
        "kx-threshold",
        Severity.WARNING,
        1,
        "modifiers",
        "PT and SLP amount this year passes the $2480 threshold by this line (estimated"
        " allowed amounts) and KX is missing",
        "CO-119",
        "add KX if the services are medically necessary and documented so",
    )


def test_lines_count_in_date_order() -> None:
    # the 97140 line is billed first but dated a day later: 97110 (2026-08-03, 27.20 in full)
    # counts first: 2455 + 27.20 = 2482.20 passes on it; 97140 (own day: 25.95 in full) after
    later = claim(line("97140", "GP", day="2026-08-04"), line("97110", "GP"))
    assert kx(later, pt_slp_amount_ytd=Decimal("2455"), locality=AL) == [
        (0, Severity.WARNING),
        (1, Severity.WARNING),
    ]
    # 2430 + 27.20 = 2457.20, + 25.95 = 2483.15: only the later-dated line (line 0)
    assert kx(later, pt_slp_amount_ytd=Decimal("2430"), locality=AL) == [(0, Severity.WARNING)]


def test_a_later_year_line_is_not_counted() -> None:
    two_years = claim(line("97110", "GP", day="2025-12-30"), line("97110", "GP", day="2026-01-05"))
    # 2025 threshold $2,410; the 2026 line starts a new year and is left to its own facts
    found = kx(two_years, pt_slp_amount_ytd=Decimal("2400"), locality=AL)
    assert found == [(0, Severity.WARNING)]  # 2400 + 26.83 (RVU25D 97110) = 2426.83


def test_judged_on_a_date_the_claim_is_priced_in_that_year() -> None:
    context = make_context(
        rules=cptkit.rulesets.medicare(),
        on="2025-11-03",
        facts=Facts(pt_slp_amount_ytd=Decimal("2390"), locality=AL),
    )
    report = cptkit.rulesets.medicare()(TWO, context)
    # 2025: 97110 26.83 in full: 2416.83 > 2410 on line 0
    assert [(f.line, f.severity) for f in report if f.rule == "kx-threshold"] == [
        (0, Severity.WARNING),
        (1, Severity.WARNING),
    ]


def test_a_year_without_a_threshold_is_left_alone() -> None:
    # PayerPolicy.medicare() knows thresholds to 2026; a 2027 claim is priced (stale) but
    # has no threshold to cross
    later = claim(line("97110", "GP", day="2027-02-01"))
    assert kx(later, pt_slp_amount_ytd=Decimal("5000"), locality=AL) == []


def test_facts_refuse_a_bad_locality() -> None:
    with pytest.raises(cptkit.InvalidInput, match="locality: 10112 is not"):
        Facts(locality=10112)
