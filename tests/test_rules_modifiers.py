# SPDX-License-Identifier: MIT
"""The modifier rules (cptkit.validation.rules.modifiers): unknown, duplicate and too many
modifiers, therapy discipline modifiers missing or in conflict, assistant modifiers."""

from __future__ import annotations

import pytest

from cptkit import Discipline, rulesets
from cptkit.policy import PayerPolicy
from cptkit.validation import Facts
from rulekit import FAMILIES, Case, assert_case, claim, covered, line, names

# G0281, G0283 and G0329 carry the therapy MPPR indicator 5 in RVU25D and RVU26C, which
# CMS gives the codes on its "always therapy" list (MPPR for selected therapy services,
# CR 7050; NGS and Novitas: the reduction applies to the "always therapy" list), and their
# HCPCS descriptors say "as part of a therapy plan of care".
ALWAYS_THERAPY: list[Case] = [
    (
        f"always-therapy-{code}",
        claim(line(code)),
        {},
        "therapy-modifier-missing",
        [
            (
                0,
                "error",
                "CO-4",
                "modifiers",
                f"{code} is a therapy code without GP, GO or GN",
                "add GP (PT), GO (OT) or GN (SLP)",
            )
        ],
    )
    for code in ("G0281", "G0283", "G0329")
]

CASES: list[Case] = [
    # GA (required ABN issued) is not reported with GZ (none) or GX (voluntary): CMS CR 6563.
    (
        "liability-modifier-conflict",
        claim(line("97110", minutes=15, modifiers=["GP", "GA", "GZ"])),
        {},
        "liability-modifier-conflict",
        [
            (
                0,
                "error",
                "CO-4",
                "modifiers",
                "GA and GZ on one line: a liability notice was issued as required, and none was",
                "keep GA if a required ABN is on file, else GZ",
            )
        ],
    ),
    (
        "liability-modifier-conflict-passes",
        claim(line("97110", minutes=15, modifiers=["GP", "GA"])),
        {},
        "liability-modifier-conflict",
        [],
    ),
    (
        "modifier-unknown",
        claim(line("97161", modifiers=["GP", "GD"])),  # GD terminated 2019-12-31
        {},
        "modifier-unknown",
        [
            (
                0,
                "error",
                "CO-182",
                "modifiers",
                "modifier GD was terminated after 2019-12-31",
                "remove GD or use the modifier that replaced it",
            ),
        ],
    ),
    (
        "modifier-unknown-passes",
        claim(line("97161", modifiers=["GP", "GD"], date_of_service="2019-06-01")),
        {},
        "modifier-unknown",
        [],
    ),
    (
        "modifier-unknown-to-the-dataset",
        claim(line("97161", modifiers=["GP", "Z9"])),
        {},
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
                "CO-182",
                "modifiers",
                "modifier AB is not valid before 2023-01-01",
                "AB applies to services from 2023-01-01",
            )
        ],
    ),
    # CPT modifiers with a cited start (data/manual/cpt_modifier_dates.csv): 93 (audio-only)
    # from 2022-01-01 (AMA, CPT Appendix T and modifier 93); 95 from CPT 2017.
    (
        "cpt-modifier-93-before-2022",
        claim(line("90834", modifiers=["93"], date_of_service="2021-12-31", minutes=45)),
        {},
        "modifier-unknown",
        [
            (
                0,
                "error",
                "CO-182",
                "modifiers",
                "modifier 93 is not valid before 2022-01-01",
                "93 applies to services from 2022-01-01",
            )
        ],
    ),
    (
        "cpt-modifier-93-from-2022",
        claim(line("90834", modifiers=["93"], date_of_service="2022-01-01", minutes=45)),
        {},
        "modifier-unknown",
        [],
    ),
    (
        "cpt-modifier-95-before-2017",
        claim(line("90834", modifiers=["95"], date_of_service="2016-12-31", minutes=45)),
        {},
        "modifier-unknown",
        [
            (
                0,
                "error",
                "CO-182",
                "modifiers",
                "modifier 95 is not valid before 2017-01-01",
                "95 applies to services from 2017-01-01",
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
                "CO-182",
                "modifiers",
                "modifier GD was terminated after 2019-12-31",
                "remove GD or use the modifier that replaced it",
            )
        ],
    ),
    (
        "modifier-duplicate",
        claim(line("97161", modifiers=["GP", "GP"])),
        {},
        "modifier-duplicate",
        [
            (0, "error", "CO-4", "modifiers", "modifier GP appears more than once", "list GP once"),
        ],
    ),
    (
        "modifier-duplicate-passes",
        claim(line("97161", modifiers=["GP"])),
        {},
        "modifier-duplicate",
        [],
    ),
    (
        "modifier-too-many",
        claim(line("97110", modifiers=["GP", "59", "KX", "CQ", "AT"], minutes=8)),
        {},
        "modifier-too-many",
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
    ),
    (
        "modifier-too-many-passes",
        claim(line("97110", modifiers=["GP", "59", "KX", "CQ"], minutes=8)),
        {},
        "modifier-too-many",
        [],
    ),
    (
        "therapy-modifier-missing",
        claim(line("97110", minutes=10)),
        {},
        "therapy-modifier-missing",
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
    ),
    (
        "therapy-modifier-missing-passes",
        claim(line("97110", minutes=10, modifiers=["GP"])),
        {},
        "therapy-modifier-missing",
        [],
    ),
    (
        "sometimes-therapy-code",
        claim(line("97597")),
        {},
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
    # 92610 is on the CMS therapy code set (PC/TC 7) without the therapy MPPR: sometimes
    # therapy (data/raw/pfs_2026/therapy_mppr_pctc_indicators_2025_2026.csv).
    (
        "sometimes-therapy-swallowing-evaluation",
        claim(line("92610")),
        {},
        "therapy-modifier-missing",
        [
            (
                0,
                "warning",
                "CO-4",
                "modifiers",
                "92610 needs GP, GO or GN when furnished under a therapy plan of care",
                "add GP (PT), GO (OT) or GN (SLP)",
            )
        ],
    ),
    *ALWAYS_THERAPY,
    ("g0283-with-gp", claim(line("G0283", modifiers=["GP"])), {}, "therapy-modifier-missing", []),
    (
        "missing-names-the-clinician-discipline",
        claim(line("97530", minutes=10)),
        {"facts": Facts(clinician_discipline=Discipline.OT)},
        "therapy-modifier-missing",
        [
            (
                0,
                "error",
                "CO-4",
                "modifiers",
                "97530 is a therapy code without GP, GO or GN",
                "add GO",
            )
        ],
    ),
    (
        "commercial-rules-need-no-therapy-modifier",
        claim(line("97110", minutes=10)),
        {"rules": rulesets.commercial()},
        "therapy-modifier-missing",
        [],
    ),
    (
        "commercial-policy-needs-no-therapy-modifier",
        claim(line("97110", minutes=10)),
        {"policy": PayerPolicy.commercial()},
        "therapy-modifier-missing",
        [],
    ),
    (
        "therapy-modifier-conflict",
        claim(line("97110", minutes=10, modifiers=["GP", "GO"])),
        {},
        "therapy-modifier-conflict",
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
    ),
    (
        "therapy-modifier-conflict-passes",
        claim(line("97110", minutes=10, modifiers=["GO"])),
        {},
        "therapy-modifier-conflict",
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
        "discipline-conflict-ot",
        claim(line("97110", minutes=10, modifiers=["GP"])),
        {"facts": Facts(clinician_discipline=Discipline.OT)},
        "therapy-modifier-conflict",
        [
            (
                0,
                "error",
                "CO-4",
                "modifiers",
                "GP does not match the clinician's discipline (GO expected)",
                "use GO",
            )
        ],
    ),
    (
        "assistant-modifier-mismatch",
        claim(line("97110", minutes=10, modifiers=["GO", "CQ"])),
        {},
        "assistant-modifier-mismatch",
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
    ),
    (
        "assistant-modifier-mismatch-passes",
        claim(line("97110", minutes=10, modifiers=["GP", "CQ"])),
        {},
        "assistant-modifier-mismatch",
        [],
    ),
    (
        "co-without-go",
        claim(line("97110", minutes=10, modifiers=["GP", "CO"])),
        {},
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
    # bypass-modifier-redundant: the X modifiers are more specific subsets of 59 (CMS CR 8863)
    (
        "59-and-xu-on-one-line",
        claim(line("97140", 1, minutes=15, modifiers=["GP", "59", "XU"])),
        {},
        "bypass-modifier-redundant",
        [
            (
                0,
                "warning",
                "CO-4",
                "modifiers",
                "59 and XU on one line",
                "keep XU (more specific) and drop 59",
            )
        ],
    ),
    (
        "xs-before-59",
        claim(line("97140", 1, minutes=15, modifiers=["XS", "59"])),
        {"rules": rulesets.commercial()},
        "bypass-modifier-redundant",
        [
            (
                0,
                "warning",
                "CO-4",
                "modifiers",
                "59 and XS on one line",
                "keep XS (more specific) and drop 59",
            )
        ],
    ),
    (
        "59-alone",
        claim(line("97140", 1, minutes=15, modifiers=["GP", "59"])),
        {},
        "bypass-modifier-redundant",
        [],
    ),
    (
        "xu-alone",
        claim(line("97140", 1, minutes=15, modifiers=["GP", "XU"])),
        {},
        "bypass-modifier-redundant",
        [],
    ),
]


@pytest.mark.parametrize("case", CASES, ids=names(CASES))
def test_modifier_rules(case: Case) -> None:
    assert_case(case)


def test_every_modifier_rule_has_a_failing_and_a_passing_case() -> None:
    assert covered(CASES) == (FAMILIES["modifiers"], FAMILIES["modifiers"])
