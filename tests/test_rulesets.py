# SPDX-License-Identifier: MIT
"""The built-in rules as a whole: their factories, ids, severities and CARCs, the rule sets that
hold them, and what every rule promises (no patient data in findings, the same findings for claims
checked together or alone). Each family's cases are in tests/test_rules_<family>.py."""

from __future__ import annotations

import importlib

import pytest

import cptkit
from cptkit import rulesets, units
from cptkit.validation import Severity
from rulekit import FAMILIES, claim, line

# The factories: (family module, factory, id, default severity, CARC), typed from the issue's
# table.
FACTORIES = [
    ("codes", "code_unknown", "code-unknown", Severity.WARNING, None),
    ("codes", "code_inactive", "code-inactive", Severity.ERROR, "CO-181"),
    ("payment", "code_not_payable", "code-not-payable", Severity.ERROR, "CO-181"),
    ("modifiers", "modifier_unknown", "modifier-unknown", Severity.ERROR, "CO-4"),
    ("modifiers", "modifier_duplicate", "modifier-duplicate", Severity.ERROR, "CO-4"),
    ("modifiers", "modifier_too_many", "modifier-too-many", Severity.ERROR, "CO-4"),
    ("modifiers", "therapy_modifier_missing", "therapy-modifier-missing", Severity.ERROR, "CO-4"),
    ("modifiers", "therapy_modifier_conflict", "therapy-modifier-conflict", Severity.ERROR, "CO-4"),
    (
        "modifiers",
        "assistant_modifier_mismatch",
        "assistant-modifier-mismatch",
        Severity.ERROR,
        "CO-4",
    ),
    (
        "evaluations",
        "evaluation_modifier_mismatch",
        "evaluation-modifier-mismatch",
        Severity.ERROR,
        "CO-4",
    ),
    ("evaluations", "assistant_on_evaluation", "assistant-on-evaluation", Severity.ERROR, "CO-4"),
    ("places", "telehealth_mismatch", "telehealth-mismatch", Severity.ERROR, "CO-5"),
    ("places", "place_of_service_unknown", "place-of-service-unknown", Severity.ERROR, "CO-5"),
    ("units", "units_exceed_mue", "units-exceed-mue", Severity.ERROR, "CO-151"),
    ("units", "untimed_multiple_units", "untimed-multiple-units", Severity.ERROR, "CO-151"),
    ("units", "units_minutes_mismatch", "units-minutes-mismatch", Severity.ERROR, "CO-151"),
    ("units", "time_band_mismatch", "time-band-mismatch", Severity.ERROR, "CO-151"),
    ("pairs", "addon_without_primary", "addon-without-primary", Severity.ERROR, "CO-97"),
    (
        "pairs",
        "addon_units_exceed_primary",
        "addon-units-exceed-primary",
        Severity.ERROR,
        "CO-151",
    ),
    ("pairs", "ncci_ptp", "ncci-ptp", Severity.ERROR, "CO-236"),
    ("pairs", "duplicate_line", "duplicate-line", Severity.ERROR, "CO-18"),
    (
        "diagnoses",
        "diagnosis_pointer_invalid",
        "diagnosis-pointer-invalid",
        Severity.ERROR,
        "CO-16",
    ),
    ("thresholds", "kx_threshold", "kx-threshold", Severity.ERROR, "CO-119"),
    ("diagnoses", "diagnosis_unknown", "diagnosis-unknown", Severity.ERROR, "CO-16"),
    ("diagnoses", "diagnosis_not_billable", "diagnosis-not-billable", Severity.ERROR, "CO-16"),
    ("diagnoses", "diagnosis_not_pointed", "diagnosis-not-pointed", Severity.WARNING, None),
    (
        "modifiers",
        "bypass_modifier_redundant",
        "bypass-modifier-redundant",
        Severity.WARNING,
        "CO-4",
    ),
    (
        "modifiers",
        "liability_modifier_conflict",
        "liability-modifier-conflict",
        Severity.ERROR,
        "CO-4",
    ),
    ("coverage", "data_stale", "data-stale", Severity.WARNING, None),
    ("history", "duplicate_claim", "duplicate-claim", Severity.ERROR, "CO-18"),
    ("history", "units_exceed_mue_across_claims", "units-exceed-mue", Severity.ERROR, "CO-151"),
    ("history", "ncci_ptp_across_claims", "ncci-ptp", Severity.ERROR, "CO-236"),
    ("history", "kx_threshold_across_claims", "kx-threshold", Severity.ERROR, "CO-119"),
    ("history", "authorization_missing", "authorization-missing", Severity.ERROR, "CO-197"),
    ("history", "authorization_expired", "authorization-expired", Severity.ERROR, "CO-197"),
    ("history", "authorization_exceeded", "authorization-exceeded", Severity.ERROR, "CO-198"),
]


@pytest.mark.parametrize(("family", "factory", "rule_id", "severity", "carc"), FACTORIES)
def test_factories(
    family: str, factory: str, rule_id: str, severity: Severity, carc: str | None
) -> None:
    from cptkit.validation import rules as built_in

    made = getattr(built_in, factory)()
    assert (made.id, made.severity, made.carc) == (rule_id, severity, carc)
    assert made.rule_ids == frozenset({rule_id})
    module = importlib.import_module(f"cptkit.validation.rules.{family}")
    assert getattr(module, factory) is getattr(built_in, factory)
    assert rule_id in FAMILIES[family]


@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_each_family_module_makes_the_rules_its_tests_cover(family: str) -> None:
    module = importlib.import_module(f"cptkit.validation.rules.{family}")
    assert sorted(module.__all__) == sorted(f for m, f, *_ in FACTORIES if m == family)
    assert {i for m, _, i, *_ in FACTORIES if m == family} == FAMILIES[family]


def test_every_rule_id_has_a_family() -> None:
    assert frozenset().union(*FAMILIES.values()) == rulesets.ALL_RULE_IDS
    assert len(rulesets.ALL_RULE_IDS) == 33
    # Three ids span claims too: their rules across claims live in the history family.
    assert sum(len(ids) for ids in FAMILIES.values()) == 33 + 3
    assert rulesets.medicare().rule_ids == rulesets.ALL_RULE_IDS


def test_findings_name_no_patient_data() -> None:
    secret = claim(
        line("97110", 3, minutes=33, charge="123.45", modifiers=["GP"]),
        diagnoses=["F84.0"],
        claim_id="PATIENT-SMITH-1970",
        payer="Plan of Jane Doe",
    )
    for finding in cptkit.validate(secret).findings:
        text = f"{finding.message} {finding.suggestion}"
        for value in ("123.45", "F84.0", "F840", "SMITH", "Jane", "2026-03-02"):
            assert value not in text


def test_claims_checked_together_report_what_each_reports_alone() -> None:
    # Two claims whose allocations differ, checked with one shared context: each must get its own.
    over = claim(line("97110", 3, minutes=33, modifiers=["GP"]))
    right = claim(line("97110", 1, minutes=10, modifiers=["GP"]))
    pair = claim(
        line("97530", minutes=8, modifiers=["GP"], date_of_service="2019-06-03"),
        line("97140", minutes=8, modifiers=["GP"], date_of_service="2019-06-03"),
    )
    other_pair = claim(
        line("97530", minutes=8, modifiers=["GP"], date_of_service="2019-06-03"),
        line("97112", minutes=8, modifiers=["GP"], date_of_service="2019-06-03"),
    )
    places = [
        claim(line("97161", modifiers=["GP"]), place_of_service=p) for p in ("11", "30", "12")
    ]
    together = list(cptkit.validate_many([over, right, pair, other_pair, *places]))
    alone = [cptkit.validate(c) for c in (over, right, pair, other_pair, *places)]
    assert together == alone
    assert units.allocate({"97110": 10}).total == 1


def test_on_does_not_merge_dates_of_service() -> None:
    two_days = claim(
        line("97110", minutes=10, modifiers=["GP"], date_of_service="2024-03-04"),
        line("97140", minutes=10, modifiers=["GP"], date_of_service="2024-03-05"),
        line("97161", modifiers=["GP"], date_of_service="2024-03-04"),
        line("97161", modifiers=["GP"], date_of_service="2024-03-05"),
    )
    assert cptkit.validate(two_days, on="2024-03-05").findings == ()


@pytest.mark.real_coverage  # so that data-stale reports
def test_calling_a_rule_finds_what_its_check_finds() -> None:
    # Some rules answer when called without making a generator (no finding, the usual answer,
    # at once); their check() must find the same, on claims where each of them reports.
    from cptkit.validation import LineRule, Rule, make_context

    claims = [
        claim(
            line("97110", 3, minutes=33, modifiers=["GP"]),
            diagnoses=["M54.5", "U99.9", "R26.89"],  # a header, no such code, not pointed
        ),
        claim(
            line("97530", minutes=8, modifiers=["GP"], date_of_service="2019-06-03"),
            line("97140", minutes=8, modifiers=["GP"], date_of_service="2019-06-03"),
            line("97140", minutes=8, modifiers=["GP"], date_of_service="2019-06-03"),
        ),
        claim(line("90834", minutes=40), line("90785", 2)),
        claim(line("97110", 1, minutes=10, modifiers=["GP"], date_of_service="2027-06-01")),
    ]
    context = make_context(rules=rulesets.medicare())
    reported: set[str] = set()
    for member in rulesets.medicare().rules:
        if not isinstance(member, Rule) or isinstance(member, LineRule):
            continue
        for checked in claims:
            called = list(member(checked, context))
            assert list(member.check(checked, context)) == called, member.id
            reported.update(f.rule for f in called)
    assert reported >= {
        "diagnosis-unknown",
        "diagnosis-not-billable",
        "diagnosis-not-pointed",
        "data-stale",
        "ncci-ptp",
        "duplicate-line",
        "addon-units-exceed-primary",
        "units-minutes-mismatch",
    }
