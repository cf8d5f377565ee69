# SPDX-License-Identifier: MIT
"""The rules on lines together (cptkit.validation.rules.pairs): addon-without-primary,
ncci-ptp and duplicate-line."""

from __future__ import annotations

import pytest

from cptkit import Claim, rulesets
from cptkit.validation import Checker
from rulekit import FAMILIES, Case, assert_case, claim, covered, found, line, names

NCCI_FIX = (
    "only if the services were truly distinct (separate session, site or encounter) and"
    " documented, append 59 or XE/XS/XP/XU; cptkit never adds one"
)
NCCI_97530 = (
    "97530 with 97140: NCCI edit (modifier indicator 1, mutually exclusive procedures) and no"
    " NCCI-associated modifier"
)

WITHOUT_90785 = (
    "error",
    "CO-97",
    "code",
    "add-on 90785 without one of its primary codes on the same date",
    "bill it with its primary (90791, 90792, 90832, 90833, 90834, 90836 ...)",
)

WITHOUT_96131 = (
    "error",
    "CO-97",
    "code",
    "add-on 96131 without one of its primary codes on the same date",
    "bill it with its primary (96130)",
)

# 97530 is column 2 of an NCCI edit with 97140 (modifier indicator 1) on this date.
NCCI_PAIR = claim(
    line("97140", minutes=8, modifiers=["GP"], date_of_service="2019-06-03"),
    line("97530", minutes=8, modifiers=["GP"], date_of_service="2019-06-03"),
)


def misplaced(column1: str, column2: str, others: list[str], modifier: str, kind: str) -> Case:
    """A pair with indicator 1 whose column 2 line carries an NCCI-associated *modifier* that
    fits only *kind*, and so bypasses nothing (the edits have the rationale "mutually
    exclusive procedures")."""
    return (
        f"modifier-{modifier}-on-{column2}-is-no-bypass",
        claim(
            line(column1, modifiers=["GP"]),
            line(column2, modifiers=[*others, modifier]),
        ),
        {},
        "ncci-ptp",
        [
            (
                1,
                "error",
                "CO-236",
                "modifiers",
                f"{column2} with {column1}: NCCI edit (modifier indicator 1, mutually exclusive"
                f" procedures) and no NCCI-associated modifier (modifier {modifier} bypasses"
                f" only on {kind})",
                NCCI_FIX,
            )
        ],
    )


CASES: list[Case] = [
    (
        "addon-without-primary",
        claim(line("96131", minutes=60)),
        {},
        "addon-without-primary",
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
    ),
    (
        "addon-without-primary-passes",
        claim(line("96130", minutes=60), line("96131")),
        {},
        "addon-without-primary",
        [],
    ),
    (
        "add-on-with-many-primaries",
        claim(line("90785")),
        {},
        "addon-without-primary",
        [(0, *WITHOUT_90785)],
    ),
    (
        # CMS AOC file V2026Q2: 90785 with primary 99441, effective 2020-01-01 (Julian 2020001),
        # deleted 2024-12-31 (2024366).
        "add-on-primary-in-force-then",
        claim(
            line("99441", date_of_service="2023-06-01"),
            line("90785", date_of_service="2023-06-01"),
        ),
        {},
        "addon-without-primary",
        [],
    ),
    # CMS AOC file V2026Q2 (raw aoc_v2026q2_mcr.csv): the type 1 edits of 96131 (primary
    # 96130) and 96137 (96130-96133, 96136) are "temporarily suspended retroactive to
    # 1/1/2019" (last day 2019-01-01) and in force again from 2025-07-01. Medicare follows the
    # suspension; a payer following CPT's convention (an add-on is never reported alone) does
    # not, and judges the add-on against the code table's primaries.
    (
        "add-on-edit-suspended-for-medicare",
        claim(line("96131", date_of_service="2024-03-04")),
        {"rules": rulesets.medicare()},
        "addon-without-primary",
        [],
    ),
    (
        "add-on-alone-for-a-cpt-payer-while-cms-suspends-its-edit",
        claim(line("96131", date_of_service="2024-03-04")),
        {"rules": rulesets.commercial()},
        "addon-without-primary",
        [(0, *WITHOUT_96131)],
    ),
    (
        "add-on-with-many-primaries-for-a-cpt-payer-while-cms-suspends-its-edit",
        claim(line("96137", date_of_service="2019-01-02")),
        {"rules": rulesets.commercial()},
        "addon-without-primary",
        [
            (
                0,
                "error",
                "CO-97",
                "code",
                "add-on 96137 without one of its primary codes on the same date",
                "bill it with its primary (96130, 96131, 96132, 96133, 96136)",
            )
        ],
    ),
    (
        "add-on-with-its-primary-for-a-cpt-payer-while-cms-suspends-its-edit",
        claim(
            line("96130", date_of_service="2024-03-04"),
            line("96131", date_of_service="2024-03-04"),
        ),
        {"rules": rulesets.commercial()},
        "addon-without-primary",
        [],
    ),
    (
        "add-on-alone-for-medicare-once-the-edit-is-back",
        claim(line("96131", date_of_service="2025-07-01")),
        {"rules": rulesets.medicare()},
        "addon-without-primary",
        [(0, *WITHOUT_96131)],
    ),
    (
        "add-on-primary-edit-deleted",
        claim(
            line("99441", date_of_service="2025-03-03"),
            line("90785", date_of_service="2025-03-03"),
        ),
        {},
        "addon-without-primary",
        [(1, *WITHOUT_90785)],
    ),
    (
        "ncci-ptp",
        NCCI_PAIR,
        {},
        "ncci-ptp",
        [(1, "error", "CO-236", "modifiers", NCCI_97530, NCCI_FIX)],
    ),
    (
        "ncci-ptp-passes",
        claim(
            line("97140", minutes=8, modifiers=["GP"], date_of_service="2019-06-03"),
            line("97530", minutes=8, modifiers=["GP", "59"], date_of_service="2019-06-03"),
        ),
        {},
        "ncci-ptp",
        [],
    ),
    (
        "ncci-acknowledged-distinct-is-info",
        NCCI_PAIR,
        {"acknowledged": [("ncci-ptp", 1)]},
        "ncci-ptp",
        [(1, "info", "CO-236", "modifiers", f"{NCCI_97530} (acknowledged distinct)", NCCI_FIX)],
    ),
    (
        "ncci-indicator-0-even-with-59",
        claim(line("0362T", 4, minutes=60), line("96105", 1, minutes=60, modifiers=["59"])),
        {},
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
        "ncci-column-2-on-the-first-line",
        claim(
            line("97530", minutes=8, modifiers=["GP"], date_of_service="2019-06-03"),
            line("97140", minutes=8, modifiers=["GP"], date_of_service="2019-06-03"),
        ),
        {},
        "ncci-ptp",
        [(0, "error", "CO-236", "modifiers", NCCI_97530, NCCI_FIX)],
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
        "duplicate-line",
        claim(
            line("97161", modifiers=["GP"]),
            line("97162", modifiers=["GP"]),
            line("97161", modifiers=["GP"]),
        ),
        {},
        "duplicate-line",
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
    ),
    (
        "duplicate-line-passes",
        claim(line("97161", modifiers=["GP"]), line("97162", modifiers=["GP"])),
        {},
        "duplicate-line",
        [],
    ),
    # A timed code's day is one line (CMS Pub. 100-04 ch. 5 sec. 20.2): 76/77 do not make a
    # second one; the CQ split (the assistant's units on their own line) is two services.
    (
        "timed-code-repeated-with-76",
        claim(
            line("97110", minutes=15, modifiers=["GP"]),
            line("97110", minutes=15, modifiers=["GP", "76"]),
        ),
        {},
        "duplicate-line",
        [
            (
                1,
                "error",
                "CO-18",
                "code",
                "97110 repeats an earlier line's code and date; 76/77 do not make a second timed"
                " service of a day",
                "bill the day's units on one line",
            ),
        ],
    ),
    (
        "timed-code-split-by-the-assistant-modifier",
        claim(
            line("97110", minutes=15, modifiers=["GP"]),
            line("97110", minutes=15, modifiers=["GP", "CQ"]),
        ),
        {},
        "duplicate-line",
        [],
    ),
    (
        "untimed-code-repeated-with-76",
        claim(line("97161", modifiers=["GP"]), line("97161", modifiers=["GP", "76"])),
        {},
        "duplicate-line",
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
    # addon-units-exceed-primary: 90785 (interactive complexity) once per primary service
    (
        "interactive-complexity-twice-for-one-session",
        claim(line("90834", minutes=45), line("90785", 2)),
        {},
        "addon-units-exceed-primary",
        [
            (
                1,
                "error",
                "CO-151",
                "units",
                "add-on 90785: 2 units for 1 primary service on one date; it is reported once per"
                " primary service",
                "bill 1",
            )
        ],
    ),
    (
        "interactive-complexity-once-per-session",
        claim(line("90834", minutes=45), line("90785")),
        {},
        "addon-units-exceed-primary",
        [],
    ),
    (
        # a diagnostic evaluation and a psychotherapy session the same day: two primaries
        "interactive-complexity-with-two-primary-services",
        claim(line("90791"), line("90834", minutes=45), line("90785", 2)),
        {"rules": rulesets.commercial()},
        "addon-units-exceed-primary",
        [],
    ),
    (
        "interactive-complexity-three-for-two",
        claim(line("90791"), line("90834", minutes=45), line("90785", 3)),
        {},
        "addon-units-exceed-primary",
        [
            (
                2,
                "error",
                "CO-151",
                "units",
                "add-on 90785: 3 units for 2 primary services on one date; it is reported once"
                " per primary service",
                "bill 2",
            )
        ],
    ),
    (
        # No primary that date: addon-without-primary's finding, not this rule's.
        "interactive-complexity-without-a-primary-that-date",
        claim(line("90834", minutes=45, date_of_service="2026-03-03"), line("90785", 2)),
        {},
        "addon-units-exceed-primary",
        [],
    ),
    (
        # 97598 is counted per further 20 sq cm: any number of units with one 97597.
        "add-on-by-area-is-not-once-per-primary",
        claim(line("97597", modifiers=["GP"]), line("97598", 3, modifiers=["GP"])),
        {},
        "addon-units-exceed-primary",
        [],
    ),
    (
        # A timed code's day goes on one line with its units (CMS Pub. 100-04 ch. 5 sec.
        # 20.2): no 76/77/59 advice.
        "duplicate-timed-line-one-line-per-day",
        claim(
            line("97110", 1, minutes=15, modifiers=["GP"]),
            line("97110", 1, minutes=15, modifiers=["GP"]),
        ),
        {},
        "duplicate-line",
        [
            (
                1,
                "error",
                "CO-18",
                "code",
                "97110 repeats an earlier line's code, modifiers and date",
                "bill the day's units on one line",
            )
        ],
    ),
    # Modifier 25 is an NCCI-associated modifier only on an E/M code (NCCI Policy Manual ch. I)
    (
        "modifier-25-on-a-therapy-code-is-no-bypass",
        claim(
            line("97140", minutes=8, modifiers=["GP"], date_of_service="2019-06-03"),
            line("97530", minutes=8, modifiers=["GP", "25"], date_of_service="2019-06-03"),
        ),
        {},
        "ncci-ptp",
        [
            (
                1,
                "error",
                "CO-236",
                "modifiers",
                NCCI_97530 + " (modifier 25 bypasses only on an E/M code)",
                NCCI_FIX,
            )
        ],
    ),
    (
        "modifier-25-beside-a-real-bypass-is-a-warning",
        claim(
            line("97140", minutes=8, modifiers=["GP", "25"], date_of_service="2019-06-03"),
            line("97530", minutes=8, modifiers=["GP", "59"], date_of_service="2019-06-03"),
        ),
        {},
        "ncci-ptp",
        [
            (
                0,
                "warning",
                None,
                "modifiers",
                "modifier 25 on 97140: an NCCI-associated modifier only on an E/M code",
                "remove 25; the pair's other modifier is the bypass",
            )
        ],
    ),
    # Indicator 0: never payable together; no modifier or attestation changes that (NCCI
    # Policy Manual ch. I; PTP file: "0 = not allowed"). Acknowledging softens indicator 1 only.
    (
        "ncci-indicator-0-acknowledged-stays-an-error",
        claim(line("97162", modifiers=["GP"]), line("97161", modifiers=["GP"])),
        {"acknowledged": [("ncci-ptp", 1)]},
        "ncci-ptp",
        [
            (
                1,
                "error",
                "CO-97",
                "code",
                "97161 is bundled into 97162 (NCCI, modifier indicator 0: never payable together)",
                "do not bill 97161 with 97162 on the same date",
            )
        ],
    ),
    # NCCI Policy Manual ch. I and CPT Appendix A: 24, 25, 27 and 57 are E/M modifiers; 59 is
    # for services other than E/M (an E/M takes 25), and XE/XS/XP/XU are its subsets (CMS MLN
    # fact sheet "Proper Use of Modifiers 59 & -X{EPSU}", MLN1783722). On the other kind of
    # code they bypass nothing. 97150/97110 and 97161/99213: indicator 1, mutually exclusive.
    *[
        misplaced("97150", "97110", ["GP"], modifier, "an E/M code")
        for modifier in ("24", "27", "57")
    ],
    *[
        misplaced("97161", "99213", [], modifier, "a non-E/M code")
        for modifier in ("59", "XE", "XS", "XP", "XU")
    ],
    (
        "modifier-25-beside-59-on-one-therapy-line-is-a-warning",
        claim(line("97150", modifiers=["GP"]), line("97110", modifiers=["GP", "59", "25"])),
        {},
        "ncci-ptp",
        [
            (
                1,
                "warning",
                None,
                "modifiers",
                "modifier 25 on 97110: an NCCI-associated modifier only on an E/M code",
                "remove 25; the pair's other modifier is the bypass",
            )
        ],
    ),
    (
        # Anatomic modifiers fit any kind of code (NCCI Policy Manual ch. I).
        "an-anatomic-modifier-bypasses-on-an-e/m-code-too",
        claim(line("97161", modifiers=["GP"]), line("99213", modifiers=["RT"])),
        {},
        "ncci-ptp",
        [],
    ),
    (
        "modifier-25-on-the-e/m-code-bypasses",
        claim(line("97161", modifiers=["GP"]), line("99213", modifiers=["25"])),
        {},
        "ncci-ptp",
        [],
    ),
    (
        "modifier-59-on-the-therapy-code-of-an-e/m-pair-bypasses",
        claim(line("97161", modifiers=["GP", "59"]), line("99213")),
        {},
        "ncci-ptp",
        [],
    ),
    (
        "modifier-59-on-an-e/m-code-beside-a-real-bypass-is-a-warning",
        claim(line("97161", modifiers=["GP", "XE"]), line("99213", modifiers=["59"])),
        {},
        "ncci-ptp",
        [
            (
                1,
                "warning",
                None,
                "modifiers",
                "modifier 59 on 99213: an NCCI-associated modifier only on a non-E/M code",
                "remove 59; the pair's other modifier is the bypass",
            )
        ],
    ),
]


@pytest.mark.parametrize("case", CASES, ids=names(CASES))
def test_pair_rules(case: Case) -> None:
    assert_case(case)


def test_every_pair_rule_has_a_failing_and_a_passing_case() -> None:
    assert covered(CASES) == (FAMILIES["pairs"], FAMILIES["pairs"])


def test_lines_are_grouped_by_day_afresh_for_each_claim_and_checker() -> None:
    # The rules that group a claim's lines by day (duplicate-line) or by code and day
    # (units-exceed-mue) share one grouping; checking claims one after another through one
    # checker, and the same claim through another checker, must regroup every time.
    one_day = claim(line("97161", modifiers=["GP"]), line("97161", modifiers=["GP"]))
    two_days = claim(
        line("97161", modifiers=["GP"]),
        line("97161", modifiers=["GP"], date_of_service="2026-03-04"),
    )
    checker = Checker()

    def lines_found(through: Checker, checked: Claim) -> list[tuple[str, int | None]]:
        report = through.check(checked)
        return [
            (f.rule, f.line)
            for rule_id in ("duplicate-line", "units-exceed-mue")
            for f in found(report, rule_id)
        ]

    same_day_findings = [("duplicate-line", 1), ("units-exceed-mue", 0)]
    assert lines_found(checker, one_day) == same_day_findings
    assert lines_found(checker, two_days) == []
    assert lines_found(checker, one_day) == same_day_findings
    assert lines_found(Checker(), one_day) == same_day_findings
    assert lines_found(checker, two_days) == []
