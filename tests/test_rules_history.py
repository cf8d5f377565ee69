# SPDX-License-Identifier: MIT
"""The rules across claims: duplicate-claim, units-exceed-mue, ncci-ptp and kx-threshold with
the patient's earlier claims, and the authorization rules. Expected messages are typed out."""

from __future__ import annotations

import datetime
import pickle
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import cptkit
from cptkit import Claim, ClaimLine
from cptkit.history import (
    Authorization,
    AuthorizationPolicy,
    AuthorizationUsage,
    History,
    RecordedLine,
    Status,
    usage,
)
from cptkit.policy import PayerPolicy
from cptkit.validation import Checker, Facts, Finding, validate
from cptkit.validation import rules as r

DAY = datetime.date(2026, 3, 2)
RENDERING = "1234567893"


def line(code: str, units: int = 1, *modifiers: str, day: datetime.date = DAY) -> ClaimLine:
    return ClaimLine(
        code=code,
        units=units,
        date_of_service=day,
        modifiers=list(modifiers),
        diagnosis_pointers=[1],
    )


def claim(*lines: ClaimLine, **more: Any) -> Claim:
    values: dict[str, Any] = {
        "diagnoses": ["M54.50"],
        "patient": "pk-1",
        "rendering_provider": RENDERING,
    }
    return Claim(lines=lines, **{**values, **more})


def found(report: cptkit.Report, rule: str) -> list[tuple[int | None, str | None, str]]:
    return [(f.line, f.carc, f.message) for f in report.findings if f.rule == rule]


def history_with(*claims: Claim, **record: Any) -> History:
    history = History.memory()
    for earlier in claims:
        history.record(earlier, **record)
    return history


def test_without_history_nothing_changes() -> None:
    second = claim(line("97110", 1, "GP"), claim_id="B")
    assert validate(second, history=None) == validate(second)
    assert validate(second, history=History.memory()).findings == validate(second).findings
    keyless = claim(line("97110", 1, "GP"), claim_id="B", patient=None)
    history = history_with(claim(line("97110", 1, "GP"), claim_id="A"))
    assert validate(keyless, history=history).findings == validate(keyless).findings


# -- duplicate-claim ---------------------------------------------------------------------------


def test_duplicate_claim_names_the_earlier_claim() -> None:
    history = history_with(claim(line("97110", 1, "GP"), claim_id="A"))
    report = validate(claim(line("97110", 1, "GP"), claim_id="B"), history=history)
    assert found(report, "duplicate-claim") == [
        (0, "OA-18", "97110 with the same modifiers and date was already billed on claim A")
    ]
    commercial = validate(
        claim(line("97110", 1, "GP"), claim_id="B"),
        history=history,
        rules=cptkit.rulesets.commercial(),
    )
    assert [c for _, c, _ in found(commercial, "duplicate-claim")] == ["CO-18"]


@pytest.mark.parametrize(
    ("second", "why"),
    [
        (claim(line("97110", 1, "GP"), claim_id="A"), "the same claim id is that claim again"),
        (claim(line("97110", 1, "GP", "59"), claim_id="B"), "other modifiers"),
        (claim(line("97110", 1, "GP", day=DAY.replace(day=3)), claim_id="B"), "another day"),
        (claim(line("97110", 1, "GP"), claim_id="B", rendering_provider="1993999998"), "NPI"),
        (claim(line("97110", 1, "GP"), claim_id="B", patient="pk-2"), "another patient"),
        # A secondary payer's claim for the same service is no duplicate: each payer judges
        # the claims sent to it (CARC 18: a duplicate of a claim the payer has).
        (claim(line("97110", 1, "GP"), claim_id="B", payer="Medicaid"), "another payer"),
    ],
)
def test_not_a_duplicate_claim(second: Claim, why: str) -> None:
    history = history_with(claim(line("97110", 1, "GP"), claim_id="A", payer="Medicare"))
    assert found(validate(second, history=history), "duplicate-claim") == [], why


@pytest.mark.parametrize(
    ("first", "second"), [("Medicare", "Medicare"), (None, "Medicare"), ("Medicare", None)]
)
def test_the_same_payer_or_an_unknown_one_is_compared(
    first: str | None, second: str | None
) -> None:
    history = history_with(claim(line("97110", 1, "GP"), claim_id="A", payer=first))
    report = validate(claim(line("97110", 1, "GP"), claim_id="B", payer=second), history=history)
    assert [m for _, _, m in found(report, "duplicate-claim")] == [
        "97110 with the same modifiers and date was already billed on claim A"
    ]


def test_a_duplicate_of_a_timed_code_is_corrected_not_modified() -> None:
    # A timed code's units of a day go on one line (CMS Pub. 100-04 ch. 5 sec. 20.2): no
    # 76/77 or 59 makes a second one; an untimed code may truly be repeated.
    history = history_with(claim(line("97110", 1, "GP"), line("97161", 1, "GP"), claim_id="A"))
    second = claim(line("97110", 1, "GP"), line("97161", 1, "GP"), claim_id="B")
    suggestions = [
        f.suggestion for f in validate(second, history=history).findings
        if f.rule == "duplicate-claim"
    ]  # fmt: skip
    assert suggestions == [
        "send a replacement claim to correct the earlier one",
        "send a replacement claim to correct the earlier one; add 76/77 or 59/X{EPSU} only if"
        " it truly was a separate service",
    ]


def test_a_void_claim_is_not_compared() -> None:
    history = history_with(claim(line("97110", 1, "GP"), claim_id="A"), status="void")
    report = validate(claim(line("97110", 1, "GP"), claim_id="B"), history=history)
    assert found(report, "duplicate-claim") == []


def test_an_unknown_provider_is_taken_as_the_same() -> None:
    history = history_with(claim(line("97110", 1, "GP"), rendering_provider=None))
    report = validate(claim(line("97110", 1, "GP"), claim_id="B"), history=history)
    assert found(report, "duplicate-claim") == [
        (0, "OA-18", "97110 with the same modifiers and date was already billed on claim (no id)")
    ]


# -- units-exceed-mue ------------------------------------------------------------------------------


def test_mue_summed_over_the_day_s_claims() -> None:
    # 97110: MUE 6 per day, MAI 3 (CMS practitioner MUE table).
    history = history_with(claim(line("97110", 4, "GP"), claim_id="A"))
    report = validate(claim(line("97110", 3, "GP"), claim_id="B"), history=history)
    assert found(report, "units-exceed-mue") == [
        (
            0,
            "CO-151",
            "97110: 7 units on one date with claim A exceed the MUE of 6 per day (MAI 3)",
        )
    ]


def test_mue_over_by_one_claim_alone_is_reported_once() -> None:
    history = history_with(claim(line("97110", 1, "GP"), claim_id="A"))
    report = validate(claim(line("97110", 7, "GP"), claim_id="B"), history=history)
    assert [m for _, _, m in found(report, "units-exceed-mue")] == [
        "97110: 7 units on one date exceed the MUE of 6 per day (MAI 3)"
    ]


def test_the_payer_s_own_cap_across_claims() -> None:
    # unit_caps replaces the MUE for its codes, per date of service (docs/validation.md).
    policy = PayerPolicy.commercial()
    capped = attrs.evolve(policy, unit_caps={"97153": 24})
    history = history_with(claim(line("97153", 16), claim_id="A"))
    second = claim(line("97153", 12), claim_id="B")
    report = validate(second, history=history, rules=cptkit.rulesets.commercial(), policy=capped)
    assert [m for _, _, m in found(report, "units-exceed-mue")] == [
        "97153: 28 units on one date with claim A exceed the payer's cap of 24 per day"
    ]
    # 97153: MUE 32 per day, MAI 3; with no MUE applied, 20 + 16 is no finding.
    history = history_with(claim(line("97153", 20), claim_id="A"))
    second = claim(line("97153", 16), claim_id="B")
    with_mue = validate(second, history=history, rules=cptkit.rulesets.commercial())
    assert [m for _, _, m in found(with_mue, "units-exceed-mue")] == [
        "97153: 36 units on one date with claim A exceed the MUE of 32 per day (MAI 3)"
    ]
    no_mue = attrs.evolve(policy, apply_mue=False)
    without = validate(second, history=history, rules=cptkit.rulesets.commercial(), policy=no_mue)
    assert found(without, "units-exceed-mue") == []


def test_mue_within_the_day_s_limit() -> None:
    history = history_with(claim(line("97110", 3, "GP"), claim_id="A"))
    report = validate(claim(line("97110", 3, "GP"), claim_id="B"), history=history)
    assert found(report, "units-exceed-mue") == []


# -- ncci-ptp ------------------------------------------------------------------------------------


def test_ncci_pair_across_claims() -> None:
    # 97150 / 97110: column 1 97150, modifier indicator 1, mutually exclusive (NCCI PTP table).
    history = history_with(claim(line("97110", 1, "GP"), claim_id="A"))
    report = validate(claim(line("97150", 1, "GP"), claim_id="B"), history=history)
    assert found(report, "ncci-ptp") == [
        (
            0,
            "CO-236",
            "97110 with 97150: NCCI edit (modifier indicator 1, mutually exclusive procedures)"
            " and no NCCI-associated modifier (97110 on claim A)",
        )
    ]


def test_ncci_indicator_0_across_claims() -> None:
    # 97162 / 97161: column 1 97162, modifier indicator 0.
    history = history_with(claim(line("97162", 1, "GP"), claim_id="A"))
    report = validate(claim(line("97161", 1, "GP"), claim_id="B"), history=history)
    assert found(report, "ncci-ptp") == [
        (
            0,
            "CO-97",
            "97161 is bundled into 97162 (NCCI, modifier indicator 0: never payable together)"
            " (97162 on claim A)",
        )
    ]


@pytest.mark.parametrize(
    ("first", "second"),
    [
        (claim(line("97110", 1, "GP", "59"), claim_id="A"), claim(line("97150", 1, "GP"))),
        (claim(line("97110", 1, "GP"), claim_id="A"), claim(line("97150", 1, "GP", "XU"))),
        (
            claim(line("97110", 1, "GP"), claim_id="A", rendering_provider="1993999998"),
            claim(line("97150", 1, "GP")),
        ),
        (claim(line("97110", 1, "GP", day=DAY.replace(day=3))), claim(line("97150", 1, "GP"))),
        # 59 on this claim's therapy line bypasses; 25 on the other claim's is not this
        # claim's to warn about.
        (claim(line("97110", 1, "GP", "25"), claim_id="A"), claim(line("97150", 1, "GP", "59"))),
    ],
)
def test_no_ncci_pair_across_claims(first: Claim, second: Claim) -> None:
    report = validate(second, history=history_with(first))
    assert found(report, "ncci-ptp") == []


def test_an_acknowledged_pair_is_info() -> None:
    history = history_with(claim(line("97110", 1, "GP"), claim_id="A"))
    report = validate(
        claim(line("97150", 1, "GP"), claim_id="B"),
        history=history,
        acknowledged=[("ncci-ptp", 0)],
    )
    (finding,) = [f for f in report.findings if f.rule == "ncci-ptp"]
    assert finding.severity.value == "info"
    assert finding.message.endswith("(97110 on claim A) (acknowledged distinct)")


def test_an_acknowledged_indicator_0_pair_stays_an_error() -> None:
    # Indicator 0: never payable together (NCCI Policy Manual ch. I; the PTP file's "0 = not
    # allowed"): acknowledging a pair softens only indicator 1.
    history = history_with(claim(line("97162", 1, "GP"), claim_id="A"))
    report = validate(
        claim(line("97161", 1, "GP"), claim_id="B"),
        history=history,
        acknowledged=[("ncci-ptp", 0)],
    )
    assert [
        (f.severity.value, f.carc, f.message) for f in report.findings if f.rule == "ncci-ptp"
    ] == [
        (
            "error",
            "CO-97",
            "97161 is bundled into 97162 (NCCI, modifier indicator 0: never payable together)"
            " (97162 on claim A)",
        )
    ]


NO_MODIFIER_97110 = (
    "97110 with 97150: NCCI edit (modifier indicator 1, mutually exclusive procedures) and no"
    " NCCI-associated modifier"
)


@pytest.mark.parametrize(
    ("first", "second", "expected"),
    [
        # NCCI Policy Manual ch. I and CPT Appendix A: 25 and 57 are E/M modifiers; 59 and
        # XE/XS/XP/XU are for services other than E/M (MLN1783722). As on one claim, they
        # bypass nothing on the other kind of code, whichever claim carries them.
        (
            claim(line("97150", 1, "GP"), claim_id="A1"),
            claim(line("97110", 1, "GP", "25"), claim_id="A2"),
            f"{NO_MODIFIER_97110} (modifier 25 bypasses only on an E/M code) (97150 on claim A1)",
        ),
        (
            claim(line("97150", 1, "GP", "57"), claim_id="A1"),
            claim(line("97110", 1, "GP"), claim_id="A2"),
            f"{NO_MODIFIER_97110} (modifier 57 bypasses only on an E/M code) (97150 on claim A1)",
        ),
        (
            claim(line("97161", 1, "GP"), claim_id="A1"),
            claim(line("99213", 1, "XU"), claim_id="A2"),
            "99213 with 97161: NCCI edit (modifier indicator 1, mutually exclusive procedures)"
            " and no NCCI-associated modifier (modifier XU bypasses only on a non-E/M code)"
            " (97161 on claim A1)",
        ),
    ],
)
def test_a_modifier_on_the_wrong_kind_of_code_bypasses_nothing_across_claims(
    first: Claim, second: Claim, expected: str
) -> None:
    report = validate(second, history=history_with(first))
    assert [
        (f.severity.value, f.line, f.carc, f.message)
        for f in report.findings
        if f.rule == "ncci-ptp"
    ] == [("error", 0, "CO-236", expected)]


def test_modifier_25_on_a_therapy_code_beside_a_bypass_across_claims_is_a_warning() -> None:
    history = history_with(claim(line("97150", 1, "GP", "59"), claim_id="A1"))
    report = validate(claim(line("97110", 1, "GP", "25"), claim_id="A2"), history=history)
    assert [
        (f.severity.value, f.line, f.carc, f.field, f.message, f.suggestion)
        for f in report.findings
        if f.rule == "ncci-ptp"
    ] == [
        (
            "warning",
            0,
            None,
            "modifiers",
            "modifier 25 on 97110: an NCCI-associated modifier only on an E/M code"
            " (97150 on claim A1)",
            "remove 25; the pair's other modifier is the bypass",
        )
    ]


# -- addon-without-primary -----------------------------------------------------------------------


def test_an_add_on_s_primary_on_another_claim_of_the_day() -> None:
    # CMS "Medicare NCCI Add-on Code Edits": a Type 1 add-on is paid when a listed primary is
    # paid to the same practitioner for the same patient and date; the AOC file lists 97129 as
    # 97130's primary (type 1, from 2020-01-01).
    history = history_with(claim(line("97129", 1, "GO"), claim_id="B1"))
    report = validate(claim(line("97130", 1, "GO"), claim_id="B2"), history=history)
    assert found(report, "addon-without-primary") == []


WITHOUT_97129 = (0, "CO-97", "add-on 97130 without one of its primary codes on the same date")


@pytest.mark.parametrize(
    ("first", "why"),
    [
        (claim(line("97129", 1, "GO", day=DAY.replace(day=3)), claim_id="B1"), "another date"),
        (
            claim(line("97129", 1, "GO"), claim_id="B1", rendering_provider="1993999998"),
            "another practitioner",
        ),
        (claim(line("97129", 1, "GO"), claim_id="B1", patient="pk-2"), "another patient"),
        (claim(line("97110", 1, "GP"), claim_id="B1"), "not a primary of 97130"),
        (claim(line("97129", 1, "GO"), claim_id="B2"), "the claim itself, recorded before"),
    ],
)
def test_no_primary_on_another_claim(first: Claim, why: str) -> None:
    report = validate(claim(line("97130", 1, "GO"), claim_id="B2"), history=history_with(first))
    assert found(report, "addon-without-primary") == [WITHOUT_97129], why


def test_a_void_claim_s_primary_does_not_count() -> None:
    history = history_with(claim(line("97129", 1, "GO"), claim_id="B1"), status="void")
    report = validate(claim(line("97130", 1, "GO"), claim_id="B2"), history=history)
    assert found(report, "addon-without-primary") == [WITHOUT_97129]


# -- addon-units-exceed-primary with a history -------------------------------------------------
# 90785 (interactive complexity) is reported once per primary psychiatric service (CPT); the
# primary need not be on the same claim (CMS add-on code edits: same practitioner, patient and
# date), so with a history the day's services and add-ons on the patient's claims count.

PSY = datetime.date(2024, 3, 4)


def test_an_add_on_s_units_count_the_primaries_of_the_day_s_other_claims() -> None:
    history = history_with(claim(line("90834", 1, day=PSY), claim_id="A"))
    second = claim(line("90834", 1, day=PSY), line("90785", 2, day=PSY), claim_id="B")
    assert found(validate(second, history=history), "addon-units-exceed-primary") == []
    # Without the history, the claim alone bills two add-ons for one primary.
    assert [m for _, _, m in found(validate(second), "addon-units-exceed-primary")] == [
        "add-on 90785: 2 units for 1 primary service on one date; it is reported once per"
        " primary service"
    ]


def test_an_add_on_already_billed_on_another_claim_counts() -> None:
    history = history_with(
        claim(line("90834", 1, day=PSY), line("90785", 1, day=PSY), claim_id="A")
    )
    second = claim(line("90834", 1, day=PSY), line("90785", 2, day=PSY), claim_id="B")
    assert [
        m for _, _, m in found(validate(second, history=history), "addon-units-exceed-primary")
    ] == [
        "add-on 90785: 3 units for 2 primary services on one date with claim A; it is reported"
        " once per primary service"
    ]
    alone = claim(line("90785", 2, day=PSY), claim_id="C")
    history = history_with(claim(line("90834", 1, day=PSY), claim_id="A"))
    assert [
        m for _, _, m in found(validate(alone, history=history), "addon-units-exceed-primary")
    ] == [
        "add-on 90785: 2 units for 1 primary service on one date with claim A; it is reported"
        " once per primary service"
    ]


# -- kx-threshold --------------------------------------------------------------------------------


def test_kx_from_the_history_s_allowed_amounts() -> None:
    # The 2026 threshold is $2,480 (CY 2026 PFS final rule).
    history = history_with(
        claim(line("97110", 1, "GP", day=DAY.replace(month=1)), claim_id="A"),
        allowed=[Decimal("2500.00")],
    )
    report = validate(claim(line("97110", 1, "GP"), claim_id="B"), history=history)
    assert found(report, "kx-threshold") == [
        (
            0,
            "CO-119",
            "PT and SLP amount this year has reached the $2480 threshold and KX is missing"
            " (year-to-date from the history's claim A)",
        )
    ]


def test_kx_below_the_threshold_or_other_buckets() -> None:
    history = history_with(
        claim(line("97110", 1, "GP", day=DAY.replace(month=1)), claim_id="A"),
        claim(line("97110", 1, "GO", day=DAY.replace(month=2)), claim_id="C"),
        claim(line("97110", 1, "GP", day=DAY.replace(year=2025)), claim_id="D"),
        allowed=[Decimal("2000.00")],
    )
    report = validate(claim(line("97110", 1, "GP"), claim_id="B"), history=history)
    assert found(report, "kx-threshold") == []
    untagged = history_with(claim(line("97110", 1, day=DAY.replace(month=1))), allowed=[None])
    assert found(validate(claim(line("97110", 1, "GP")), history=untagged), "kx-threshold") == []


def test_kx_counts_only_the_payer_s_own_claims() -> None:
    # The threshold counts Medicare's allowed amounts (SSA sec. 1833(g)): another payer's
    # claims do not add to it.
    history = history_with(
        claim(line("97110", 1, "GP", day=DAY.replace(month=1)), claim_id="A", payer="Aetna"),
        allowed=[Decimal("2500.00")],
    )
    report = validate(
        claim(line("97110", 1, "GP"), claim_id="B", payer="Medicare"), history=history
    )
    assert found(report, "kx-threshold") == []


def test_kx_facts_win_over_the_history() -> None:
    history = history_with(
        claim(line("97110", 1, "GP", day=DAY.replace(month=1)), claim_id="A"),
        allowed=[Decimal("2500.00")],
    )
    report = validate(
        claim(line("97110", 1, "GP"), claim_id="B"),
        history=history,
        facts=Facts(pt_slp_amount_ytd="100"),
    )
    assert found(report, "kx-threshold") == []


# -- authorizations ------------------------------------------------------------------------------

AUTH = Authorization(
    id="AUTH-1",
    patient="pk-1",
    payer="Acme",
    codes=["97153", "97155"],
    units=10,
    start="2026-03-01",
    end="2026-03-31",
)


def aba(*lines: ClaimLine, **more: Any) -> Claim:
    values: dict[str, Any] = {"payer": "Acme", "diagnoses": ["F84.0"]}
    return claim(*lines, **{**values, **more})


def with_auth(*claims: Claim, auth: Authorization = AUTH) -> History:
    history = history_with(*claims)
    history.add_authorization(auth)
    return history


def test_authorization_missing() -> None:
    report = validate(aba(line("97153", 4), line("97110", 1, "GP")), history=History.memory())
    assert found(report, "authorization-missing") == [
        (0, "CO-197", "97153 needs an authorization (ABA policy) and none covers its date")
    ]
    other_payer = validate(aba(line("97153", 4), payer="Other"), history=with_auth())
    assert [i for i, _, _ in found(other_payer, "authorization-missing")] == [0]
    covered = validate(aba(line("97153", 4)), history=with_auth())
    assert found(covered, "authorization-missing") == []


def test_authorization_expired() -> None:
    late = aba(line("97153", 4, day=datetime.date(2026, 4, 1)))
    report = validate(late, history=with_auth())
    assert found(report, "authorization-expired") == [
        (0, "CO-197", "97153: authorization AUTH-1 ended before this date of service")
    ]
    assert found(report, "authorization-missing") == []
    early = aba(line("97153", 4, day=datetime.date(2026, 2, 27)))
    early_report = validate(early, history=with_auth())
    assert found(early_report, "authorization-expired") == []
    assert [i for i, _, _ in found(early_report, "authorization-missing")] == [0]


def test_authorization_exceeded_pooled() -> None:
    history = with_auth(aba(line("97153", 8), claim_id="A"))
    report = validate(aba(line("97155", 1), line("97153", 2), claim_id="B"), history=history)
    assert found(report, "authorization-exceeded") == [
        (
            1,
            "CO-198",
            "97153: 11 units exceed the 10 authorized by AUTH-1 (9 used before this line)",
        )
    ]
    within = validate(aba(line("97153", 2), claim_id="B"), history=history)
    assert found(within, "authorization-exceeded") == []
    again = validate(aba(line("97153", 8), claim_id="A"), history=history)  # itself, not twice
    assert found(again, "authorization-exceeded") == []


def test_authorization_exceeded_per_code() -> None:
    auth = Authorization(
        id="AUTH-2",
        patient="pk-1",
        payer=None,
        codes=["97153", "97155"],
        units={"97153": 20, "97155": 2},
        start="2026-03-01",
        end="2026-03-31",
    )
    history = with_auth(aba(line("97155", 2), claim_id="A"), auth=auth)
    report = validate(aba(line("97153", 4), line("97155", 1), claim_id="B"), history=history)
    assert found(report, "authorization-exceeded") == [
        (1, "CO-198", "97155: 3 units exceed the 2 authorized by AUTH-2 (2 used before this line)")
    ]


def test_a_payer_policy_table_decides_what_needs_authorization() -> None:
    policy = AuthorizationPolicy(
        name="Acme PT",
        codes=["97110"],
        payers=(("Medicaid", frozenset()),),
    )
    rules = cptkit.validation.all_of(r.authorization_missing(policy))
    history = History.memory()
    pt = claim(line("97110", 1, "GP"), payer="Acme")
    assert [
        m for _, _, m in found(validate(pt, rules=rules, history=history), "authorization-missing")
    ] == ["97110 needs an authorization (Acme PT policy) and none covers its date"]
    medicaid = claim(line("97110", 1, "GP"), payer="Medicaid")
    assert validate(medicaid, rules=rules, history=history).findings == ()
    assert not AuthorizationPolicy.aba().requires(cptkit.Code("97110"), None)
    assert AuthorizationPolicy.aba().requires(cptkit.Code("0373T"), "Acme")


# -- the checker and the patient key ---------------------------------------------------------------


def test_findings_never_show_the_patient_key() -> None:
    secret = "PATIENT-KEY-SECRET"
    history = history_with(
        claim(line("97110", 4, "GP"), line("97162", 1, "GP"), claim_id="A", patient=secret)
    )
    history.add_authorization(Authorization("AU", secret, None, ["97153"], 1, DAY, DAY))
    second = claim(
        line("97110", 4, "GP"),
        line("97161", 1, "GP"),
        line("97153", 4),
        claim_id="B",
        patient=secret,
    )
    report = validate(second, history=history)
    assert {f.rule for f in report.findings} >= {
        "duplicate-claim",
        "units-exceed-mue",
        "ncci-ptp",
        "authorization-exceeded",
    }
    assert secret not in str(report) and secret not in repr(report)


def test_a_checker_with_a_file_history_pickles(tmp_path: Path) -> None:
    history = History.open(tmp_path / "ledger.sqlite")
    history.record(claim(line("97110", 1, "GP"), claim_id="A"))
    checker = pickle.loads(pickle.dumps(Checker(history=history)))
    report = checker.check(claim(line("97110", 1, "GP"), claim_id="B"))
    assert [f.rule for f in report.findings if f.rule == "duplicate-claim"] == ["duplicate-claim"]
    with pytest.raises(TypeError, match="in-memory history"):
        pickle.dumps(Checker(history=History.memory()))


# -- splitting services across claims finds the same --------------------------------------------

SERVICES = [
    ("97110", ("GP",)),
    ("97110", ("GP", "59")),
    ("97150", ("GP",)),
    ("97161", ("GP",)),
    ("97162", ("GP",)),
    # NCCI-associated modifiers on the wrong kind of code (NCCI Policy Manual ch. I, CPT
    # Appendix A): 25 and 57 on a therapy code, 59 on an E/M code, bypass nothing.
    ("97110", ("GP", "25")),
    ("97150", ("GP", "57")),
    ("99213", ("25",)),
    ("99213", ("59",)),
]
ACROSS = {"units-exceed-mue", "ncci-ptp", "duplicate-line", "duplicate-claim"}
_CODES = re.compile(r"\b[0-9]{4}[0-9A-Z]\b")


def keys(findings: tuple[Finding, ...]) -> set[tuple[str, frozenset[str]]]:
    """What a finding is about: its rule (a repeated line is one rule, on one claim or two)
    and the codes its message names. Warnings are left out: the one of a misplaced modifier
    beside a bypass goes only on a line of the claim checked (tested on its own)."""
    return {
        (
            "duplicate" if f.rule.startswith("duplicate-") else f.rule,
            frozenset(_CODES.findall(f.message)),
        )
        for f in findings
        if f.rule in ACROSS and f.severity.value != "warning"
    }


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from(SERVICES), st.integers(1, 4), st.integers(2, 3), st.booleans()),
        min_size=2,
        max_size=6,
    ).filter(lambda items: 0 < sum(first for *_, first in items) < len(items))
)
def test_splitting_services_across_claims_finds_the_same(
    services: list[tuple[tuple[str, tuple[str, ...]], int, int, bool]],
) -> None:
    lines = [
        line(code, units, *modifiers, day=DAY.replace(day=day))
        for (code, modifiers), units, day, _ in services
    ]
    first = [ln for ln, (*_, in_first) in zip(lines, services, strict=True) if in_first]
    second = [ln for ln, (*_, in_first) in zip(lines, services, strict=True) if not in_first]
    whole = keys(validate(claim(*lines)).findings)
    history = History.memory()
    one = claim(*first, claim_id="A")
    split = keys(validate(one).findings)
    history.record(one)
    split |= keys(validate(claim(*second, claim_id="B"), history=history).findings)
    assert split == whole


def test_mue_across_claims_needs_a_per_day_mue() -> None:
    # 0001F (a Category II tracking code) has no MUE.
    history = history_with(claim(line("0001F", 40), claim_id="A"))
    report = validate(claim(line("0001F", 40), claim_id="B"), history=history)
    assert found(report, "units-exceed-mue") == []


class DictHistory(History):
    """A service's own store behind the protocol (a list here): what the rules need is
    ``lines``, ``authorizations`` and ``authorization_usage``."""

    def __init__(self) -> None:
        self.recorded: list[tuple[str, RecordedLine]] = []

    def record(self, claim: Claim, *, status: Status = "checked", allowed: Any = None) -> None:
        assert claim.patient is not None
        for position, item in enumerate(claim.lines):
            recorded = RecordedLine(
                claim.claim_id,
                position,
                item.date_of_service,
                item.code,
                item.modifiers,
                item.units,
                claim.place_of_service_for(position),
                claim.rendering_provider,
                claim.billing_provider,
                claim.payer,
                item.charge,
                None,
                status,
            )
            self.recorded.append((claim.patient, recorded))

    def lines(
        self,
        patient: str,
        *,
        start: datetime.date | None = None,
        end: datetime.date | None = None,
    ) -> tuple[RecordedLine, ...]:
        low, high = start or datetime.date.min, end or datetime.date.max
        return tuple(
            item
            for key, item in self.recorded
            if key == patient and low <= item.date_of_service <= high
        )

    def add_authorization(self, authorization: Authorization) -> None:
        raise NotImplementedError

    def authorizations(self, patient: str) -> tuple[Authorization, ...]:
        return ()

    def authorization_usage(
        self, authorization: Authorization, *, on: datetime.date | None = None
    ) -> AuthorizationUsage:
        return usage(authorization, self.lines(authorization.patient), on=on)


def test_a_service_backs_the_protocol_with_its_own_store() -> None:
    history = DictHistory()
    history.record(claim(line("97110", 1, "GP"), claim_id="A"))
    report = validate(claim(line("97110", 1, "GP"), claim_id="B"), history=history)
    assert [m for _, _, m in found(report, "duplicate-claim")] == [
        "97110 with the same modifiers and date was already billed on claim A"
    ]
    assert history.authorization_usage(AUTH).used == 0


def test_check_many_with_a_history_checks_each_claim_when_its_report_is_asked_for() -> None:
    # Without a history claims are checked in batches; with one, what is recorded after a
    # report is seen by the next claim.
    history = DictHistory()
    claims = [claim(line("97110", 1, "GP"), claim_id=name) for name in ("A", "B")]
    reports = Checker(history=history).check_many(claims)
    assert found(next(reports), "duplicate-claim") == []
    history.record(claims[0])
    assert [m for _, _, m in found(next(reports), "duplicate-claim")] == [
        "97110 with the same modifiers and date was already billed on claim A"
    ]


def test_a_claim_checked_again_sees_what_was_recorded_since(tmp_path: Path) -> None:
    history = History.open(tmp_path / "ledger.sqlite")
    checker = Checker(history=history)
    second = claim(line("97110", 1, "GP"), claim_id="B")
    assert [f for f in checker.check(second).findings if f.rule == "duplicate-claim"] == []
    history.record(claim(line("97110", 1, "GP"), claim_id="A"))
    assert [f.rule for f in checker.check(second).findings if f.rule == "duplicate-claim"] == [
        "duplicate-claim"
    ]
    other = History.open(tmp_path / "ledger.sqlite")  # another connection writes
    other.set_status("A", "void")
    assert [f for f in checker.check(second).findings if f.rule == "duplicate-claim"] == []


def test_the_history_option_must_be_a_history() -> None:
    with pytest.raises(cptkit.InvalidInput, match=re.escape("history: 'str' is not a cptkit")):
        Checker(history="ledger.sqlite")  # type: ignore[arg-type]


def test_mue_across_claims_counts_the_same_provider_only() -> None:
    history = history_with(
        claim(line("97110", 4, "GP"), claim_id="A", rendering_provider="1993999998")
    )
    report = validate(claim(line("97110", 3, "GP"), claim_id="B"), history=history)
    assert found(report, "units-exceed-mue") == []


def test_kx_crossing_estimated_with_a_locality() -> None:
    # $2,470.00 recorded + 97110 x1 at $27.20 (RVU26C, Alabama 10112-00) passes $2,480.
    history = history_with(
        claim(line("97110", 1, "GP", day=DAY.replace(month=1)), claim_id="A"),
        allowed=[Decimal("2470.00")],
    )
    report = validate(
        claim(line("97110", 1, "GP"), claim_id="B", place_of_service="11"),
        history=history,
        facts=Facts(locality="10112-00"),
    )
    assert [(f.severity.value, f.message) for f in report.findings if f.rule == "kx-threshold"] == [
        (
            "warning",
            "PT and SLP amount this year passes the $2480 threshold by this line (estimated"
            " allowed amounts) and KX is missing (year-to-date from the history's claim A)",
        )
    ]


def test_validate_many_and_make_context_take_a_history() -> None:
    history = history_with(claim(line("97110", 1, "GP"), claim_id="A"))
    reports = list(
        cptkit.validation.validate_many(
            [claim(line("97110", 1, "GP"), claim_id="B"), claim(line("97112", 1, "GP"))],
            history=history,
        )
    )
    assert [[f.rule for f in r.findings if f.rule == "duplicate-claim"] for r in reports] == [
        ["duplicate-claim"],
        [],
    ]
    assert cptkit.validation.make_context(history=history).history is history


# An add-on's primary on any of the patient's claims of the day (CMS add-on code edits: a
# type 1 add-on is paid when a listed primary is paid to the same practitioner, same patient
# and date). AOC file: 97130's primary 97129; 96131's 96130 (type 1, from 2025-07-01).
ADD_ONS = [("97129", ("GO",)), ("97130", ("GO",)), ("96130", ()), ("96131", ()), ("97110", ("GP",))]


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from(ADD_ONS), st.integers(2, 3), st.booleans()),
        min_size=2,
        max_size=6,
    ).filter(lambda items: 0 < sum(first for *_, first in items) < len(items))
)
def test_an_add_on_s_primary_is_found_on_either_claim(
    services: list[tuple[tuple[str, tuple[str, ...]], int, bool]],
) -> None:
    lines = [
        line(code, 1, *modifiers, day=DAY.replace(day=day))
        for (code, modifiers), day, _ in services
    ]
    first = [ln for ln, (*_, in_first) in zip(lines, services, strict=True) if in_first]
    second = [ln for ln, (*_, in_first) in zip(lines, services, strict=True) if not in_first]

    def without_primary(report: cptkit.Report, checked: Claim) -> set[tuple[str, datetime.date]]:
        return {
            (checked.lines[f.line].code.value, checked.lines[f.line].date_of_service)
            for f in report.findings
            if f.rule == "addon-without-primary" and f.line is not None
        }

    whole = claim(*lines)
    expected = without_primary(validate(whole), whole)
    one, two = claim(*first, claim_id="A"), claim(*second, claim_id="B")
    history = history_with(one, two)
    split = without_primary(validate(one, history=history), one)
    split |= without_primary(validate(two, history=history), two)
    assert split == expected
