# SPDX-License-Identifier: MIT
"""Every built-in rule: a claim that trips it and one that passes, with its id and CARC."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

import cptkit
from cptkit import Claim, ClaimLine, Discipline, rulesets
from cptkit.policy import PayerPolicy
from cptkit.validation import Facts, Finding, Report, Severity

DAY = "2026-03-02"


def line(code: str, units: int = 1, **fields: Any) -> ClaimLine:
    fields.setdefault("date_of_service", DAY)
    fields.setdefault("diagnosis_pointers", [1])
    return ClaimLine(code=code, units=units, **fields)


def claim(*lines: ClaimLine, **fields: Any) -> Claim:
    fields.setdefault("diagnoses", ["M54.50"])
    fields.setdefault("place_of_service", "11")
    return Claim(lines=lines, **fields)


def found(report: Report, rule_id: str) -> list[Finding]:
    return [f for f in report.findings if f.rule == rule_id]


# (rule id, failing claim, expected (line, severity, carc) of its findings, passing claim)
CASES: list[tuple[str, Claim, list[tuple[int | None, str, str | None]], Claim]] = [
    (
        "code-unknown",
        claim(line("99213")),
        [(0, "warning", None)],
        claim(line("97161", modifiers=["GP"])),
    ),
    (
        "code-inactive",
        claim(line("96101")),
        [(0, "error", "CO-181")],
        claim(line("96101", date_of_service="2018-06-01")),
    ),
    (
        "modifier-unknown",
        claim(line("97161", modifiers=["GP", "GD"])),  # GD terminated 2019-12-31
        [(0, "error", "CO-4")],
        claim(line("97161", modifiers=["GP", "GD"], date_of_service="2019-06-01")),
    ),
    (
        "modifier-duplicate",
        claim(line("97161", modifiers=["GP", "GP"])),
        [(0, "error", "CO-4")],
        claim(line("97161", modifiers=["GP"])),
    ),
    (
        "modifier-too-many",
        claim(line("97110", modifiers=["GP", "59", "KX", "CQ", "AT"], minutes=8)),
        [(0, "error", "CO-4")],
        claim(line("97110", modifiers=["GP", "59", "KX", "CQ"], minutes=8)),
    ),
    (
        "therapy-modifier-missing",
        claim(line("97110", minutes=10)),
        [(0, "error", "CO-4")],
        claim(line("97110", minutes=10, modifiers=["GP"])),
    ),
    (
        "therapy-modifier-conflict",
        claim(line("97110", minutes=10, modifiers=["GP", "GO"])),
        [(0, "error", "CO-4")],
        claim(line("97110", minutes=10, modifiers=["GO"])),
    ),
    (
        "assistant-modifier-mismatch",
        claim(line("97110", minutes=10, modifiers=["GO", "CQ"])),
        [(0, "error", "CO-4")],
        claim(line("97110", minutes=10, modifiers=["GP", "CQ"])),
    ),
    (
        "telehealth-mismatch",
        claim(line("97110", minutes=10, modifiers=["GP"]), place_of_service="10"),
        [(0, "error", "CO-4")],
        claim(line("97110", minutes=10, modifiers=["GP", "95"]), place_of_service="10"),
    ),
    (
        "place-of-service-unknown",
        claim(line("97161", modifiers=["GP"], place_of_service="30")),
        [(0, "error", "CO-5")],
        claim(line("97161", modifiers=["GP"], place_of_service="22")),
    ),
    (
        "units-exceed-mue",
        claim(line("97153", 20, minutes=300), line("97153", 16, minutes=240, modifiers=["76"])),
        [(0, "error", "CO-151")],
        claim(line("97153", 16, minutes=240), line("97153", 16, minutes=240, modifiers=["76"])),
    ),
    (
        "untimed-multiple-units",
        claim(line("97161", 2, modifiers=["GP"])),
        [(0, "error", "CO-151")],
        claim(line("97161", 1, modifiers=["GP"])),
    ),
    (
        "units-minutes-mismatch",
        claim(line("97110", 3, minutes=33, modifiers=["GP"])),
        [(0, "error", "CO-151")],
        claim(line("97110", 2, minutes=33, modifiers=["GP"])),
    ),
    (
        "time-band-mismatch",
        claim(line("90837", minutes=45)),
        [(0, "error", "CO-151")],
        claim(line("90834", minutes=45)),
    ),
    (
        "addon-without-primary",
        claim(line("96131", minutes=60)),
        [(0, "error", "CO-97")],
        claim(line("96130", minutes=60), line("96131")),
    ),
    (
        "ncci-ptp",
        claim(
            line("97140", minutes=8, modifiers=["GP"], date_of_service="2019-06-03"),
            line("97530", minutes=8, modifiers=["GP"], date_of_service="2019-06-03"),
        ),
        [(1, "error", "CO-236")],
        claim(
            line("97140", minutes=8, modifiers=["GP"], date_of_service="2019-06-03"),
            line("97530", minutes=8, modifiers=["GP", "59"], date_of_service="2019-06-03"),
        ),
    ),
    (
        "diagnosis-pointer-invalid",
        claim(line("97161", modifiers=["GP"], diagnosis_pointers=[2])),
        [(0, "error", "CO-16")],
        claim(line("97161", modifiers=["GP"], diagnosis_pointers=[1])),
    ),
    (
        "duplicate-line",
        claim(
            line("97161", modifiers=["GP"]),
            line("97162", modifiers=["GP"]),
            line("97161", modifiers=["GP"]),
        ),
        [(2, "error", "CO-18")],
        claim(line("97161", modifiers=["GP"]), line("97162", modifiers=["GP"])),
    ),
]


@pytest.mark.parametrize(
    ("rule_id", "failing", "expected", "passing"), CASES, ids=[c[0] for c in CASES]
)
def test_rule(
    rule_id: str,
    failing: Claim,
    expected: list[tuple[int | None, str, str | None]],
    passing: Claim,
) -> None:
    report = cptkit.validate(failing)
    got = [(f.line, f.severity.value, f.carc) for f in found(report, rule_id)]
    assert got == expected
    for finding in found(report, rule_id):
        assert "\n" not in finding.message
    assert found(cptkit.validate(passing), rule_id) == []


def test_every_rule_id_has_a_case() -> None:
    assert {case[0] for case in CASES} | {"kx-threshold"} == rulesets.ALL_RULE_IDS
    assert rulesets.medicare().rule_ids == rulesets.ALL_RULE_IDS


def test_kx_threshold() -> None:
    over = Facts(pt_slp_amount_ytd=Decimal("2500"))
    tripping = claim(line("97110", 1, minutes=15, modifiers=["GP"]))
    report = cptkit.validate(tripping, facts=over)
    assert [(f.line, f.carc) for f in found(report, "kx-threshold")] == [(0, "CO-119")]
    assert "$2480 threshold" in found(report, "kx-threshold")[0].message
    with_kx = claim(line("97110", 1, minutes=15, modifiers=["GP", "KX"]))
    assert found(cptkit.validate(with_kx, facts=over), "kx-threshold") == []
    under = Facts(pt_slp_amount_ytd=Decimal("2480"))
    assert found(cptkit.validate(tripping, facts=under), "kx-threshold") == []
    assert found(cptkit.validate(tripping), "kx-threshold") == []  # amount unknown
    ot = claim(line("97110", 1, minutes=15, modifiers=["GO"]))
    assert found(cptkit.validate(ot, facts=over), "kx-threshold") == []  # OT has its own cap
    assert found(cptkit.validate(ot, facts=Facts(ot_amount_ytd=Decimal("3000"))), "kx-threshold")


def test_code_inactive_suggests_replacements() -> None:
    (finding,) = found(cptkit.validate(claim(line("96101"))), "code-inactive")
    assert finding.message == "96101 was deleted after 2018-12-31"
    assert finding.suggestion == "use 96130, 96131, 96136, 96137 instead"
    early = cptkit.validate(claim(line("97129", date_of_service="2019-06-01")))
    assert found(early, "code-inactive")[0].message == "97129 is not valid before 2020-01-01"


def test_units_minutes_mismatch_cms_pools_the_day() -> None:
    # 97112 24 + 97110 23 = 47 min -> 3 units: 2 x 97112, 1 x 97110 (CMS manual example)
    good = claim(
        line("97112", 2, minutes=24, modifiers=["GP"]),
        line("97110", 1, minutes=23, modifiers=["GP"]),
    )
    assert found(cptkit.validate(good), "units-minutes-mismatch") == []
    swapped = claim(
        line("97112", 1, minutes=24, modifiers=["GP"]),
        line("97110", 2, minutes=23, modifiers=["GP"]),
    )
    findings = found(cptkit.validate(swapped), "units-minutes-mismatch")
    assert [(f.line, f.severity) for f in findings] == [(0, Severity.INFO), (1, Severity.ERROR)]
    assert findings[1].suggestion == "bill 1"
    assert findings[0].carc is None


def test_units_minutes_mismatch_ama_is_per_code() -> None:
    two = claim(line("97110", 1, minutes=10), line("97140", 1, minutes=10))
    assert found(cptkit.validate(two, rules=rulesets.commercial()), "units-minutes-mismatch") == []
    cms = found(cptkit.validate(two, rules=rulesets.medicare()), "units-minutes-mismatch")
    assert [(f.line, f.severity) for f in cms] == [(1, Severity.ERROR)]  # 20 min pooled: 1 unit


def test_units_minutes_mismatch_skips_unknown_minutes() -> None:
    partial = claim(
        line("97110", 2, minutes=33, modifiers=["GP"]), line("97140", 1, modifiers=["GP"])
    )
    assert found(cptkit.validate(partial), "units-minutes-mismatch") == []


def test_aba_day_by_telehealth() -> None:
    aba = claim(
        line("97153", 8, minutes=120, modifiers=["HN", "95"], place_of_service="10"),
        diagnoses=["F84.0"],
        payer="State Medicaid",
    )
    report = cptkit.validate(aba, rules=rulesets.commercial())
    assert report.ok
    assert report.findings == ()


def test_ncci_indicator_zero_and_acknowledgement() -> None:
    pair = claim(
        line("97140", minutes=8, modifiers=["GP"], date_of_service="2019-06-03"),
        line("97530", minutes=8, modifiers=["GP"], date_of_service="2019-06-03"),
    )
    report = cptkit.validate(pair, acknowledged=[("ncci-ptp", 1)])
    (finding,) = found(report, "ncci-ptp")
    assert finding.severity is Severity.INFO
    assert finding.message.endswith("(acknowledged distinct)")


def test_clinician_discipline() -> None:
    facts = Facts(clinician_discipline=Discipline.OT)
    wrong = claim(line("97110", minutes=10, modifiers=["GP"]))
    (finding,) = found(cptkit.validate(wrong, facts=facts), "therapy-modifier-conflict")
    assert finding.suggestion == "use GO"
    missing = found(
        cptkit.validate(claim(line("97530", minutes=10)), facts=facts), "therapy-modifier-missing"
    )
    assert missing[0].suggestion == "add GO"


def test_telehealth_modifier_on_in_person_place_is_a_warning() -> None:
    report = cptkit.validate(claim(line("97110", minutes=10, modifiers=["GP", "95"])))
    (finding,) = found(report, "telehealth-mismatch")
    assert (finding.severity, finding.carc) == (Severity.WARNING, "CO-5")


def test_commercial_does_not_require_therapy_modifiers() -> None:
    plain = claim(line("97110", minutes=10))
    assert (
        found(cptkit.validate(plain, rules=rulesets.commercial()), "therapy-modifier-missing") == []
    )
    policy = PayerPolicy.commercial()
    assert found(cptkit.validate(plain, policy=policy), "therapy-modifier-missing") == []


def test_pointer_variants() -> None:
    none = found(
        cptkit.validate(claim(line("97161", modifiers=["GP"], diagnosis_pointers=[]))),
        "diagnosis-pointer-invalid",
    )
    assert none[0].message == "no diagnosis pointer"
    five = claim(
        line("97161", modifiers=["GP"], diagnosis_pointers=[1, 2, 3, 4, 5]),
        diagnoses=["M54.50", "M25.511", "R26.2", "Z96.651", "M62.81"],
    )
    assert found(cptkit.validate(five), "diagnosis-pointer-invalid")[0].message == (
        "5 diagnosis pointers; a line carries at most 4"
    )


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
