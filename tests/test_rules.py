# SPDX-License-Identifier: MIT
"""Every built-in rule: a claim that trips it and one that passes, with its id and CARC."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

import cptkit
from cptkit import Claim, ClaimLine, Discipline, rulesets, units
from cptkit.policy import PayerPolicy
from cptkit.validation import Facts, Finding, Report, Severity, make_context
from cptkit.validation.rules._common import by_code_and_day, by_day

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


# (rule id, failing claim, its expected findings, passing claim)
# Each expected finding: (line, severity, CARC, field, message, suggestion), typed out.
Expected = tuple[int | None, str, str | None, str | None, str, str | None]
CASES: list[tuple[str, Claim, list[Expected], Claim]] = [
    (
        "code-unknown",
        claim(line("99213")),
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
        claim(line("97161", modifiers=["GP"])),
    ),
    (
        "code-inactive",
        claim(line("96101")),
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
        claim(line("96101", date_of_service="2018-06-01")),
    ),
    (
        "modifier-unknown",
        claim(line("97161", modifiers=["GP", "GD"])),  # GD terminated 2019-12-31
        [
            (
                0,
                "error",
                "CO-4",
                "modifiers",
                "modifier GD was terminated after 2019-12-31",
                "remove GD or use the modifier that replaced it",
            ),
        ],
        claim(line("97161", modifiers=["GP", "GD"], date_of_service="2019-06-01")),
    ),
    (
        "modifier-duplicate",
        claim(line("97161", modifiers=["GP", "GP"])),
        [
            (0, "error", "CO-4", "modifiers", "modifier GP appears more than once", "list GP once"),
        ],
        claim(line("97161", modifiers=["GP"])),
    ),
    (
        "modifier-too-many",
        claim(line("97110", modifiers=["GP", "59", "KX", "CQ", "AT"], minutes=8)),
        [
            (
                0,
                "error",
                "CO-4",
                "modifiers",
                "5 modifiers; a claim line carries at most 4",
                "keep the pricing modifiers first and drop or move the rest",
            ),
        ],
        claim(line("97110", modifiers=["GP", "59", "KX", "CQ"], minutes=8)),
    ),
    (
        "therapy-modifier-missing",
        claim(line("97110", minutes=10)),
        [
            (
                0,
                "error",
                "CO-4",
                "modifiers",
                "97110 is a therapy code without GP, GO or GN",
                "add GP (PT), GO (OT) or GN (SLP)",
            ),
        ],
        claim(line("97110", minutes=10, modifiers=["GP"])),
    ),
    (
        "therapy-modifier-conflict",
        claim(line("97110", minutes=10, modifiers=["GP", "GO"])),
        [
            (
                0,
                "error",
                "CO-4",
                "modifiers",
                "more than one therapy discipline modifier: GO, GP",
                "keep the one of the plan of care the service was furnished under",
            ),
        ],
        claim(line("97110", minutes=10, modifiers=["GO"])),
    ),
    (
        "assistant-modifier-mismatch",
        claim(line("97110", minutes=10, modifiers=["GO", "CQ"])),
        [
            (
                0,
                "error",
                "CO-4",
                "modifiers",
                "CQ without GP",
                "CQ goes with GP; check the plan of care",
            ),
        ],
        claim(line("97110", minutes=10, modifiers=["GP", "CQ"])),
    ),
    (
        "telehealth-mismatch",
        claim(line("97110", minutes=10, modifiers=["GP"]), place_of_service="10"),
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
        claim(line("97110", minutes=10, modifiers=["GP", "95"]), place_of_service="10"),
    ),
    (
        "place-of-service-unknown",
        claim(line("97161", modifiers=["GP"], place_of_service="30")),
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
        claim(line("97161", modifiers=["GP"], place_of_service="22")),
    ),
    (
        "units-exceed-mue",
        claim(line("97153", 20, minutes=300), line("97153", 16, minutes=240, modifiers=["76"])),
        [
            (
                0,
                "error",
                "CO-151",
                "units",
                "97153: 36 units on one date across 2 lines exceed the MUE of 32 per day (MAI 3)",
                "bill at most 32; MAI 3 may be appealed with documentation of necessity",
            ),
        ],
        claim(line("97153", 16, minutes=240), line("97153", 16, minutes=240, modifiers=["76"])),
    ),
    (
        "untimed-multiple-units",
        claim(line("97161", 2, modifiers=["GP"])),
        [
            (
                0,
                "error",
                "CO-151",
                "units",
                "97161 is untimed (one per session) but 2 units are billed for one date",
                "bill 1 unit",
            ),
        ],
        claim(line("97161", 1, modifiers=["GP"])),
    ),
    (
        "units-minutes-mismatch",
        claim(line("97110", 3, minutes=33, modifiers=["GP"])),
        [
            (
                0,
                "error",
                "CO-151",
                "units",
                "97110: 3 units billed; the documented minutes support 2 under the Medicare 8-minute rule",
                "bill 2",
            ),
        ],
        claim(line("97110", 2, minutes=33, modifiers=["GP"])),
    ),
    (
        "time-band-mismatch",
        claim(line("90837", minutes=45)),
        [
            (
                0,
                "error",
                "CO-151",
                "minutes",
                "90837 needs 53+ minutes; 45 documented",
                "45 minutes fit 90834",
            ),
        ],
        claim(line("90834", minutes=45)),
    ),
    (
        "addon-without-primary",
        claim(line("96131", minutes=60)),
        [
            (
                0,
                "error",
                "CO-97",
                "code",
                "add-on 96131 without one of its primary codes on the same date",
                "bill it with its primary (96130)",
            ),
        ],
        claim(line("96130", minutes=60), line("96131")),
    ),
    (
        "ncci-ptp",
        claim(
            line("97140", minutes=8, modifiers=["GP"], date_of_service="2019-06-03"),
            line("97530", minutes=8, modifiers=["GP"], date_of_service="2019-06-03"),
        ),
        [
            (
                1,
                "error",
                "CO-236",
                "modifiers",
                "97530 with 97140: NCCI edit (modifier indicator 1, mutually exclusive procedures) and no NCCI-associated modifier",
                "only if the services were truly distinct (separate session, site or encounter) and documented, append 59 or XE/XS/XP/XU; cptkit never adds one",
            ),
        ],
        claim(
            line("97140", minutes=8, modifiers=["GP"], date_of_service="2019-06-03"),
            line("97530", minutes=8, modifiers=["GP", "59"], date_of_service="2019-06-03"),
        ),
    ),
    (
        "diagnosis-pointer-invalid",
        claim(line("97161", modifiers=["GP"], diagnosis_pointers=[2])),
        [
            (
                0,
                "error",
                "CO-16",
                "diagnosis_pointers",
                "pointer 2 but the claim has 1 diagnosis",
                "use a pointer from 1 to 1",
            ),
        ],
        claim(line("97161", modifiers=["GP"], diagnosis_pointers=[1])),
    ),
    (
        "duplicate-line",
        claim(
            line("97161", modifiers=["GP"]),
            line("97162", modifiers=["GP"]),
            line("97161", modifiers=["GP"]),
        ),
        [
            (
                2,
                "error",
                "CO-18",
                "code",
                "97161 repeats an earlier line's code, modifiers and date",
                "bill the day's units on one line, or add 76/77 (repeat) or 59/X{EPSU} if it truly was a separate service",
            ),
        ],
        claim(line("97161", modifiers=["GP"]), line("97162", modifiers=["GP"])),
    ),
]


@pytest.mark.parametrize(
    ("rule_id", "failing", "expected", "passing"), CASES, ids=[c[0] for c in CASES]
)
def test_rule(
    rule_id: str,
    failing: Claim,
    expected: list[Expected],
    passing: Claim,
) -> None:
    report = cptkit.validate(failing)
    got = [
        (f.line, f.severity.value, f.carc, f.field, f.message, f.suggestion)
        for f in found(report, rule_id)
    ]
    assert got == expected
    for finding in found(report, rule_id):
        assert "\n" not in finding.message
    assert found(cptkit.validate(passing), rule_id) == []


def test_every_rule_id_has_a_case() -> None:
    # kx-threshold and data-stale have their own tests (data-stale: test_rules_coverage.py)
    assert {case[0] for case in CASES} | {"kx-threshold", "data-stale"} == rulesets.ALL_RULE_IDS
    assert rulesets.medicare().rule_ids == rulesets.ALL_RULE_IDS


def test_kx_threshold() -> None:
    over = Facts(pt_slp_amount_ytd=Decimal("2500"))
    tripping = claim(line("97110", 1, minutes=15, modifiers=["GP"]))
    report = cptkit.validate(tripping, facts=over)
    assert [(f.line, f.carc) for f in found(report, "kx-threshold")] == [(0, "CO-119")]
    assert "has reached the $2480 threshold" in found(report, "kx-threshold")[0].message
    with_kx = claim(line("97110", 1, minutes=15, modifiers=["GP", "KX"]))
    assert found(cptkit.validate(with_kx, facts=over), "kx-threshold") == []
    at = Facts(pt_slp_amount_ytd=Decimal("2480"))  # at the threshold: this service crosses it
    assert len(found(cptkit.validate(tripping, facts=at), "kx-threshold")) == 1
    under = Facts(pt_slp_amount_ytd=Decimal("2479.99"))
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


# More branches of the rules: (name, claim, rules, rule id, expected findings), typed out.
MORE: list[tuple[str, Claim, object, str, list[Expected]]] = [
    (
        "mue-mai-3-single-line",
        claim(line("G0283", 3, modifiers=["GP"])),
        None,
        "units-exceed-mue",
        [
            (
                0,
                "error",
                "CO-151",
                "units",
                "G0283: 3 units on one date exceed the MUE of 1 per day (MAI 3)",
                "bill at most 1; MAI 3 may be appealed with documentation of necessity",
            )
        ],
    ),
    (
        "mue-mai-2",
        claim(line("97161", 2, modifiers=["GP"])),
        None,
        "units-exceed-mue",
        [
            (
                0,
                "error",
                "CO-151",
                "units",
                "97161: 2 units on one date exceed the MUE of 1 per day (MAI 2)",
                "bill at most 1; MAI 2 is an absolute limit",
            )
        ],
    ),
    (
        "modifier-unknown-to-the-dataset",
        claim(line("97161", modifiers=["GP", "Z9"])),
        None,
        "modifier-unknown",
        [
            (
                0,
                "warning",
                "CO-4",
                "modifiers",
                "modifier Z9 is not in the cptkit dataset",
                "check the modifier against the payer's current list",
            )
        ],
    ),
    (
        "claim-level-place-reported-once",
        claim(
            line("97161", modifiers=["GP"]), line("97162", modifiers=["GP"]), place_of_service="30"
        ),
        None,
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
        None,
        "place-of-service-unknown",
        [
            (
                None,
                "error",
                "CO-5",
                "place_of_service",
                "place of service 10 is unassigned or not valid on the date of service",
                "use a current CMS place-of-service code (02/10 for telehealth)",
            )
        ],
    ),
    (
        "band-with-no-fitting-code",
        claim(line("90832", minutes=10)),
        None,
        "time-band-mismatch",
        [
            (
                0,
                "error",
                "CO-151",
                "minutes",
                "90832 needs 16-37 minutes; 10 documented",
                "not reportable with these minutes",
            )
        ],
    ),
    (
        "add-on-with-many-primaries",
        claim(line("90785")),
        None,
        "addon-without-primary",
        [
            (
                0,
                "error",
                "CO-97",
                "code",
                "add-on 90785 without one of its primary codes on the same date",
                "bill it with its primary (90791, 90792, 90832, 90833, 90834, 90836 ...)",
            )
        ],
    ),
    (
        "five-pointers",
        claim(
            line("97161", modifiers=["GP"], diagnosis_pointers=[1, 2, 3, 4, 5]),
            diagnoses=["M54.50", "M25.511", "R26.2", "Z96.651", "M62.81"],
        ),
        None,
        "diagnosis-pointer-invalid",
        [
            (
                0,
                "error",
                "CO-16",
                "diagnosis_pointers",
                "5 diagnosis pointers; a line carries at most 4",
                "keep the four most relevant, primary first",
            )
        ],
    ),
    (
        "ncci-indicator-0-even-with-59",
        claim(line("0362T", 4, minutes=60), line("96105", 1, minutes=60, modifiers=["59"])),
        None,
        "ncci-ptp",
        [
            (
                1,
                "error",
                "CO-97",
                "code",
                "96105 is bundled into 0362T (NCCI, modifier indicator 0: never payable together)",
                "do not bill 96105 with 0362T on the same date",
            )
        ],
    ),
    (
        "sometimes-therapy-code",
        claim(line("97597")),
        None,
        "therapy-modifier-missing",
        [
            (
                0,
                "warning",
                "CO-4",
                "modifiers",
                "97597 needs GP, GO or GN when furnished under a therapy plan of care",
                "add GP (PT), GO (OT) or GN (SLP)",
            )
        ],
    ),
    (
        "co-without-go",
        claim(line("97110", minutes=10, modifiers=["GP", "CO"])),
        None,
        "assistant-modifier-mismatch",
        [
            (
                0,
                "error",
                "CO-4",
                "modifiers",
                "CO without GO",
                "CO goes with GO; check the plan of care",
            )
        ],
    ),
    (
        "code-not-yet-valid",
        claim(line("97129", date_of_service="2019-06-01")),
        None,
        "code-inactive",
        [(0, "error", "CO-181", "code", "97129 is not valid before 2020-01-01", None)],
    ),
    (
        "cpt-rule-per-code",
        claim(line("97110", 2, minutes=10)),
        rulesets.commercial(),
        "units-minutes-mismatch",
        [
            (
                0,
                "error",
                "CO-151",
                "units",
                "97110: 2 units billed; the documented minutes support 1 under the CPT time rule",
                "bill 1",
            )
        ],
    ),
]


@pytest.mark.parametrize(
    ("name", "tripping", "rules", "rule_id", "expected"), MORE, ids=[m[0] for m in MORE]
)
def test_more_branches(
    name: str, tripping: Claim, rules: object, rule_id: str, expected: list[Expected]
) -> None:
    report = cptkit.validate(tripping, rules=rules)
    got = [
        (f.line, f.severity.value, f.carc, f.field, f.message, f.suggestion)
        for f in found(report, rule_id)
    ]
    assert got == expected


# The factories: (factory, id, default severity, CARC), typed from the table.
FACTORIES = [
    ("code_unknown", "code-unknown", Severity.WARNING, None),
    ("code_inactive", "code-inactive", Severity.ERROR, "CO-181"),
    ("modifier_unknown", "modifier-unknown", Severity.ERROR, "CO-4"),
    ("modifier_duplicate", "modifier-duplicate", Severity.ERROR, "CO-4"),
    ("modifier_too_many", "modifier-too-many", Severity.ERROR, "CO-4"),
    ("therapy_modifier_missing", "therapy-modifier-missing", Severity.ERROR, "CO-4"),
    ("therapy_modifier_conflict", "therapy-modifier-conflict", Severity.ERROR, "CO-4"),
    ("assistant_modifier_mismatch", "assistant-modifier-mismatch", Severity.ERROR, "CO-4"),
    ("telehealth_mismatch", "telehealth-mismatch", Severity.ERROR, "CO-5"),
    ("place_of_service_unknown", "place-of-service-unknown", Severity.ERROR, "CO-5"),
    ("units_exceed_mue", "units-exceed-mue", Severity.ERROR, "CO-151"),
    ("untimed_multiple_units", "untimed-multiple-units", Severity.ERROR, "CO-151"),
    ("units_minutes_mismatch", "units-minutes-mismatch", Severity.ERROR, "CO-151"),
    ("time_band_mismatch", "time-band-mismatch", Severity.ERROR, "CO-151"),
    ("addon_without_primary", "addon-without-primary", Severity.ERROR, "CO-97"),
    ("ncci_ptp", "ncci-ptp", Severity.ERROR, "CO-236"),
    ("diagnosis_pointer_invalid", "diagnosis-pointer-invalid", Severity.ERROR, "CO-16"),
    ("duplicate_line", "duplicate-line", Severity.ERROR, "CO-18"),
    ("kx_threshold", "kx-threshold", Severity.ERROR, "CO-119"),
]


@pytest.mark.parametrize(("factory", "rule_id", "severity", "carc"), FACTORIES)
def test_factories(factory: str, rule_id: str, severity: Severity, carc: str | None) -> None:
    from cptkit.validation import rules as built_in

    made = getattr(built_in, factory)()
    assert (made.id, made.severity, made.carc) == (rule_id, severity, carc)
    assert made.rule_ids == frozenset({rule_id})


# --- edges and branches found by mutation testing ---------------------------------------------

ADD_KX = "add KX if the services are medically necessary and documented so"
NCCI_FIX = (
    "only if the services were truly distinct (separate session, site or encounter) and"
    " documented, append 59 or XE/XS/XP/XU; cptkit never adds one"
)

# (name, claim, validate options, rule id, expected findings)
BRANCHES: list[tuple[str, Claim, dict[str, Any], str, list[Expected]]] = [
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
        "kx-slp-counts-with-pt",
        claim(line("97110", 1, minutes=15, modifiers=["GN"])),
        {"facts": Facts(pt_slp_amount_ytd=Decimal("2500"))},
        "kx-threshold",
        [
            (
                0,
                "error",
                "CO-119",
                "modifiers",
                "PT and SLP amount this year has reached the $2480 threshold and KX is missing",
                ADD_KX,
            )
        ],
    ),
    (
        "kx-ot-separately",
        claim(line("97110", 1, minutes=15, modifiers=["GO"])),
        {"facts": Facts(ot_amount_ytd=Decimal("2481"))},
        "kx-threshold",
        [
            (
                0,
                "error",
                "CO-119",
                "modifiers",
                "OT amount this year has reached the $2480 threshold and KX is missing",
                ADD_KX,
            )
        ],
    ),
    (
        "kx-not-for-non-therapy-lines",
        claim(line("90834", minutes=45)),
        {"facts": Facts(pt_slp_amount_ytd=Decimal("9999"))},
        "kx-threshold",
        [],
    ),
    (
        "no-pointer",
        claim(line("97161", modifiers=["GP"], diagnosis_pointers=[])),
        {},
        "diagnosis-pointer-invalid",
        [
            (
                0,
                "error",
                "CO-16",
                "diagnosis_pointers",
                "no diagnosis pointer",
                "point the line at the diagnosis it treats (1 for the first)",
            )
        ],
    ),
    (
        "pointer-past-two",
        claim(
            line("97161", modifiers=["GP"], diagnosis_pointers=[3]), diagnoses=["M54.50", "R26.2"]
        ),
        {},
        "diagnosis-pointer-invalid",
        [
            (
                0,
                "error",
                "CO-16",
                "diagnosis_pointers",
                "pointer 3 but the claim has 2 diagnoses",
                "use a pointer from 1 to 2",
            )
        ],
    ),
    (
        "four-pointers-are-fine",
        claim(
            line("97161", modifiers=["GP"], diagnosis_pointers=[1, 2, 3, 4]),
            diagnoses=["M54.50", "M25.511", "R26.2", "Z96.651"],
        ),
        {},
        "diagnosis-pointer-invalid",
        [],
    ),
    (
        "discipline-conflict",
        claim(line("97110", minutes=10, modifiers=["GP"])),
        {"facts": Facts(clinician_discipline=Discipline.SLP)},
        "therapy-modifier-conflict",
        [
            (
                0,
                "error",
                "CO-4",
                "modifiers",
                "GP does not match the clinician's discipline (GN expected)",
                "use GN",
            )
        ],
    ),
    (
        "mue-mai-1-per-line",
        claim(line("G0514", 2)),
        {},
        "units-exceed-mue",
        [
            (
                0,
                "error",
                "CO-151",
                "units",
                "G0514: 2 units exceed the MUE of 1 per line (MAI 1)",
                "at most 1 per line; more on separate lines only with a bypass modifier",
            )
        ],
    ),
    ("mue-mai-1-at-the-limit", claim(line("G0514", 1)), {}, "units-exceed-mue", []),
    ("mue-per-day-at-the-limit", claim(line("97153", 32, minutes=480)), {}, "units-exceed-mue", []),
    (
        "band-below",
        claim(line("90834", minutes=37)),
        {},
        "time-band-mismatch",
        [
            (
                0,
                "error",
                "CO-151",
                "minutes",
                "90834 needs 38-52 minutes; 37 documented",
                "37 minutes fit 90832",
            )
        ],
    ),
    (
        "band-above",
        claim(line("90834", minutes=53)),
        {},
        "time-band-mismatch",
        [
            (
                0,
                "error",
                "CO-151",
                "minutes",
                "90834 needs 38-52 minutes; 53 documented",
                "53 minutes fit 90837",
            )
        ],
    ),
    ("band-low-edge", claim(line("90834", minutes=38)), {}, "time-band-mismatch", []),
    ("band-high-edge", claim(line("90834", minutes=52)), {}, "time-band-mismatch", []),
    (
        "one-code-on-two-lines-adds-up",
        claim(
            line("97110", 1, minutes=15, modifiers=["GP"]),
            line("97110", 1, minutes=15, modifiers=["GP", "76"]),
        ),
        {},
        "units-minutes-mismatch",
        [],
    ),
    (
        "minutes-support-nothing",
        claim(line("97110", 1, minutes=5, modifiers=["GP"])),
        {},
        "units-minutes-mismatch",
        [
            (
                0,
                "error",
                "CO-151",
                "units",
                "97110: 1 unit billed; the documented minutes support 0 under the Medicare 8-minute rule",
                "do not bill this code",
            )
        ],
    ),
    (
        "under-billed-is-info",
        claim(line("97110", 1, minutes=33, modifiers=["GP"])),
        {},
        "units-minutes-mismatch",
        [
            (
                0,
                "info",
                None,
                "units",
                "97110: 1 unit billed; the documented minutes support 2 under the Medicare 8-minute rule",
                "bill 2",
            )
        ],
    ),
    (
        "cms-day-with-unknown-minutes-is-not-judged",
        claim(line("97110", 3, minutes=33, modifiers=["GP"]), line("97140", 1, modifiers=["GP"])),
        {},
        "units-minutes-mismatch",
        [],
    ),
    (
        "cpt-rule-judges-the-codes-with-minutes",
        claim(line("97110", 3, minutes=33), line("97140", 1)),
        {"rules": rulesets.commercial()},
        "units-minutes-mismatch",
        [
            (
                0,
                "error",
                "CO-151",
                "units",
                "97110: 3 units billed; the documented minutes support 2 under the CPT time rule",
                "bill 2",
            )
        ],
    ),
    (
        "untimed-add-on-by-area-is-exempt",
        claim(line("97597", modifiers=["GP"]), line("97598", 3, modifiers=["GP"])),
        {},
        "untimed-multiple-units",
        [],
    ),
    (
        "untimed-one-unit",
        claim(line("92507", 1, modifiers=["GN"])),
        {},
        "untimed-multiple-units",
        [],
    ),
    (
        "modifier-on-its-last-day",
        claim(line("97161", modifiers=["GP", "GD"], date_of_service="2019-12-31")),
        {},
        "modifier-unknown",
        [],
    ),
    (
        "modifier-before-it-existed",
        claim(line("97161", modifiers=["GP", "AB"], date_of_service="2022-06-01")),
        {},
        "modifier-unknown",
        [
            (
                0,
                "error",
                "CO-4",
                "modifiers",
                "modifier AB is not valid before 2023-01-01",
                "AB applies to services from 2023-01-01",
            )
        ],
    ),
    (
        "modifier-terminated",
        claim(line("97161", modifiers=["GP", "GD"], date_of_service="2020-01-01")),
        {},
        "modifier-unknown",
        [
            (
                0,
                "error",
                "CO-4",
                "modifiers",
                "modifier GD was terminated after 2019-12-31",
                "remove GD or use the modifier that replaced it",
            )
        ],
    ),
    (
        "ncci-column-2-on-the-first-line",
        claim(
            line("97530", minutes=8, modifiers=["GP"], date_of_service="2019-06-03"),
            line("97140", minutes=8, modifiers=["GP"], date_of_service="2019-06-03"),
        ),
        {},
        "ncci-ptp",
        [
            (
                0,
                "error",
                "CO-236",
                "modifiers",
                "97530 with 97140: NCCI edit (modifier indicator 1, mutually exclusive procedures) and no"
                " NCCI-associated modifier",
                NCCI_FIX,
            )
        ],
    ),
    (
        "ncci-on-different-dates",
        claim(
            line("97530", minutes=8, modifiers=["GP"], date_of_service="2019-06-03"),
            line("97140", minutes=8, modifiers=["GP"], date_of_service="2019-06-04"),
        ),
        {},
        "ncci-ptp",
        [],
    ),
    (
        "duplicate-on-another-date-is-fine",
        claim(
            line("97161", modifiers=["GP"]),
            line("97161", modifiers=["GP"], date_of_service="2026-03-03"),
        ),
        {},
        "duplicate-line",
        [],
    ),
    (
        "telehealth-commercial-needs-no-modifier",
        claim(line("97110", minutes=10), place_of_service="02"),
        {"rules": rulesets.commercial()},
        "telehealth-mismatch",
        [],
    ),
]


@pytest.mark.parametrize(
    ("name", "tripping", "options", "rule_id", "expected"), BRANCHES, ids=[b[0] for b in BRANCHES]
)
def test_branches(
    name: str, tripping: Claim, options: dict[str, Any], rule_id: str, expected: list[Expected]
) -> None:
    report = cptkit.validate(tripping, **options)
    got = [
        (f.line, f.severity.value, f.carc, f.field, f.message, f.suggestion)
        for f in found(report, rule_id)
    ]
    assert got == expected


def test_grouping_is_shared_between_rules() -> None:
    first = claim(line("97161", modifiers=["GP"]), line("97110", minutes=8, modifiers=["GP"]))
    other = claim(
        line("97161", modifiers=["GP"]),
        line("97161", modifiers=["GP"], date_of_service="2026-03-04"),
    )
    context = make_context()
    days = by_day(first, context)
    assert by_day(first, context) is days
    assert by_code_and_day(first, context) is by_code_and_day(first, context)
    assert list(days.values()) == [[0, 1]]
    assert list(by_day(other, context).values()) == [[0], [1]]  # another claim: regrouped
    assert by_day(first, make_context()) is not days  # another context: regrouped


def test_memo_is_keyed_by_what_it_depends_on() -> None:
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


# --- found in review -----------------------------------------------------------------------------


def test_on_does_not_merge_dates_of_service() -> None:
    two_days = claim(
        line("97110", minutes=10, modifiers=["GP"], date_of_service="2024-03-04"),
        line("97140", minutes=10, modifiers=["GP"], date_of_service="2024-03-05"),
        line("97161", modifiers=["GP"], date_of_service="2024-03-04"),
        line("97161", modifiers=["GP"], date_of_service="2024-03-05"),
    )
    assert cptkit.validate(two_days, on="2024-03-05").findings == ()


@pytest.mark.parametrize(
    ("lines", "rules"),
    [
        ((line("96130"), line("96131", minutes=60)), rulesets.commercial()),
        ((line("97129", modifiers=["GP"]), line("97130", 2, minutes=30, modifiers=["GP"])), None),
    ],
)
def test_ladder_with_undocumented_minutes_is_not_judged(
    lines: tuple[ClaimLine, ...], rules: object
) -> None:
    report = cptkit.validate(claim(*lines, diagnoses=["F41.1"]), rules=rules)
    assert found(report, "units-minutes-mismatch") == []


def test_eight_minute_rule_is_per_discipline() -> None:
    # 10 minutes of PT and 10 of OT: one unit each, not one unit for 20 pooled minutes
    both = claim(
        line("97110", 1, minutes=10, modifiers=["GP"]),
        line("97530", 1, minutes=10, modifiers=["GO"]),
    )
    assert found(cptkit.validate(both), "units-minutes-mismatch") == []
    same = claim(
        line("97110", 1, minutes=10, modifiers=["GP"]),
        line("97530", 1, minutes=10, modifiers=["GP"]),
    )
    assert [f.line for f in found(cptkit.validate(same), "units-minutes-mismatch")] == [1]


def test_a_line_without_discipline_joins_the_days_only_discipline() -> None:
    # 97110 GP 33 + 97140 (no modifier) 7 = 40 pooled -> 97110 x2, 97140 x1
    visit = claim(line("97110", 2, minutes=33, modifiers=["GP"]), line("97140", 1, minutes=7))
    assert found(cptkit.validate(visit), "units-minutes-mismatch") == []


def minutes_findings(report: Report) -> list[tuple[int | None, Severity, str, str | None]]:
    return [
        (f.line, f.severity, f.message, f.suggestion)
        for f in found(report, "units-minutes-mismatch")
    ]


CMS_ZERO = "the documented minutes support 0 under the Medicare 8-minute rule"


def test_minutes_are_totalled_per_date_and_discipline() -> None:
    # 2026-03-02: 97110 GP 10 + 97140 (no modifier, joins GP, the day's only discipline) 10
    #   = 20 pooled -> 1 unit; leftovers tie at 10, totals tie, the lower code wins: 97110 x1.
    # 2026-03-03: GO and GP, so each alone: 97530 GO 20 -> 1, 97110 GP 20 -> 1 (pooled
    #   together, 40 min would give 97110 x2); 97112 without a modifier joins neither
    #   discipline, and 6 minutes alone earn nothing.
    visit = claim(
        line("97110", 1, minutes=10, modifiers=["GP"]),
        line("97140", 1, minutes=10),
        line("97530", 1, minutes=20, modifiers=["GO"], date_of_service="2026-03-03"),
        line("97110", 1, minutes=20, modifiers=["GP"], date_of_service="2026-03-03"),
        line("97112", 1, minutes=6, date_of_service="2026-03-03"),
    )
    assert minutes_findings(cptkit.validate(visit)) == [
        (1, Severity.ERROR, f"97140: 1 unit billed; {CMS_ZERO}", "do not bill this code"),
        (4, Severity.ERROR, f"97112: 1 unit billed; {CMS_ZERO}", "do not bill this code"),
    ]


def test_a_code_on_two_lines_is_judged_on_its_total() -> None:
    # 97110 11 + 11 = 22 minutes: 1 unit (8-22 minutes), 2 billed, reported on its first line.
    twice = claim(
        line("97110", 1, minutes=11, modifiers=["GP"]),
        line("97110", 1, minutes=11, modifiers=["GP"]),
    )
    assert minutes_findings(cptkit.validate(twice)) == [
        (
            0,
            Severity.ERROR,
            "97110: 2 units billed; the documented minutes support 1 under the Medicare"
            " 8-minute rule",
            "bill 1",
        )
    ]


def test_ladders_and_timed_codes_together() -> None:
    # 96130 60 minutes: the first hour (from 31 min); 96131 needs 91 minutes in all. 97110
    # 5 minutes: under 8, no unit.
    tested = claim(
        line("96130", 1, minutes=60),
        line("96131", 1, minutes=0),
        line("97110", 1, minutes=5, modifiers=["GP"]),
    )
    assert minutes_findings(cptkit.validate(tested)) == [
        (1, Severity.ERROR, f"96131: 1 unit billed; {CMS_ZERO}", "do not bill this code"),
        (2, Severity.ERROR, f"97110: 1 unit billed; {CMS_ZERO}", "do not bill this code"),
    ]
    # The CPT rule, with a ladder on the claim too: 97110 10 and 97140 10 are a unit each.
    commercial = claim(
        line("96130", 1, minutes=60), line("97110", 1, minutes=10), line("97140", 1, minutes=10)
    )
    report = cptkit.validate(commercial, rules=rulesets.commercial())
    assert minutes_findings(report) == []


def test_untimed_codes_are_not_judged_on_minutes() -> None:
    # 97161 is untimed: its minutes never make units (untimed-multiple-units judges it).
    evaluation = claim(line("97161", 2, minutes=45, modifiers=["GP"]))
    report = cptkit.validate(evaluation)
    assert minutes_findings(report) == []
    assert [f.line for f in found(report, "untimed-multiple-units")] == [0]


def test_unit_limits_read_every_code_of_the_day() -> None:
    # G0151 has no MUE and 97110 is timed: the 97161 after them is still judged.
    day = claim(
        line("G0151", 1, modifiers=["GP"]),
        line("97110", 1, modifiers=["GP"]),
        line("97161", 2, modifiers=["GP"]),
    )
    report = cptkit.validate(day)
    assert [(f.line, f.message, f.suggestion) for f in found(report, "units-exceed-mue")] == [
        (
            2,
            "97161: 2 units on one date exceed the MUE of 1 per day (MAI 2)",
            "bill at most 1; MAI 2 is an absolute limit",
        )
    ]
    assert [(f.line, f.message) for f in found(report, "untimed-multiple-units")] == [
        (2, "97161 is untimed (one per session) but 2 units are billed for one date")
    ]
