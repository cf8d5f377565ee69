# SPDX-License-Identifier: MIT
"""The unit rules (cptkit.validation.rules.units): units-exceed-mue, untimed-multiple-units,
units-minutes-mismatch (the Medicare 8-minute rule and the CPT time rule) and
time-band-mismatch."""

from __future__ import annotations

import attrs
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from cptkit import Claim, rulesets, units
from cptkit.policy import PayerPolicy
from cptkit.validation import Facts
from rulekit import DAY, FAMILIES, Case, assert_case, claim, covered, line, names, outcome

ABA_PLAN = attrs.evolve(
    PayerPolicy.commercial(), name="ABA plan", unit_caps={"97153": 24, "97155": 0}
)
CMS = "under the Medicare 8-minute rule"
CMS_ZERO = f"the documented minutes support 0 {CMS}"
NOT_BILLABLE = "do not bill this code"

CASES: list[Case] = [
    # units-exceed-mue: the MUE per day (MAI 2 and 3) or per line (MAI 1)
    (
        "units-exceed-mue",
        claim(line("97153", 20, minutes=300), line("97153", 16, minutes=240, modifiers=["76"])),
        {},
        "units-exceed-mue",
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
    ),
    (
        "units-exceed-mue-passes",
        claim(line("97153", 16, minutes=240), line("97153", 16, minutes=240, modifiers=["76"])),
        {},
        "units-exceed-mue",
        [],
    ),
    (
        "mue-mai-3-single-line",
        claim(line("G0283", 3, modifiers=["GP"])),
        {},
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
        {},
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
        # G0151 has no MUE and 97110 is timed: the 97161 after them is still judged.
        "mue-read-for-every-code-of-the-day",
        claim(
            line("G0151", 1, modifiers=["GP"]),
            line("97110", 1, modifiers=["GP"]),
            line("97161", 2, modifiers=["GP"]),
        ),
        {},
        "units-exceed-mue",
        [
            (
                2,
                "error",
                "CO-151",
                "units",
                "97161: 2 units on one date exceed the MUE of 1 per day (MAI 2)",
                "bill at most 1; MAI 2 is an absolute limit",
            )
        ],
    ),
    # untimed-multiple-units
    (
        "untimed-multiple-units",
        claim(line("97161", 2, modifiers=["GP"])),
        {},
        "untimed-multiple-units",
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
    ),
    (
        "untimed-multiple-units-passes",
        claim(line("97161", 1, modifiers=["GP"])),
        {},
        "untimed-multiple-units",
        [],
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
        "untimed-with-minutes-is-judged-on-units",
        claim(line("97161", 2, minutes=45, modifiers=["GP"])),
        {},
        "untimed-multiple-units",
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
    ),
    (
        # G0151 has no MUE and 97110 is timed: the 97161 after them is still judged.
        "untimed-read-for-every-code-of-the-day",
        claim(
            line("G0151", 1, modifiers=["GP"]),
            line("97110", 1, modifiers=["GP"]),
            line("97161", 2, modifiers=["GP"]),
        ),
        {},
        "untimed-multiple-units",
        [
            (
                2,
                "error",
                "CO-151",
                "units",
                "97161 is untimed (one per session) but 2 units are billed for one date",
                "bill 1 unit",
            )
        ],
    ),
    # units-minutes-mismatch
    (
        "units-minutes-mismatch",
        claim(line("97110", 3, minutes=33, modifiers=["GP"])),
        {},
        "units-minutes-mismatch",
        [
            (
                0,
                "error",
                "CO-151",
                "units",
                f"97110: 3 units billed; the documented minutes support 2 {CMS}",
                "bill 2",
            ),
        ],
    ),
    (
        "units-minutes-mismatch-passes",
        claim(line("97110", 2, minutes=33, modifiers=["GP"])),
        {},
        "units-minutes-mismatch",
        [],
    ),
    (
        # 97112 24 + 97110 23 = 47 min -> 3 units: 2 x 97112, 1 x 97110 (CMS manual example)
        "cms-pools-the-day",
        claim(
            line("97112", 2, minutes=24, modifiers=["GP"]),
            line("97110", 1, minutes=23, modifiers=["GP"]),
        ),
        {},
        "units-minutes-mismatch",
        [],
    ),
    (
        "cms-pools-the-day-units-swapped",
        claim(
            line("97112", 1, minutes=24, modifiers=["GP"]),
            line("97110", 2, minutes=23, modifiers=["GP"]),
        ),
        {},
        "units-minutes-mismatch",
        [
            (
                0,
                "info",
                None,
                "units",
                f"97112: 1 unit billed; the documented minutes support 2 {CMS}",
                "bill 2",
            ),
            (
                1,
                "error",
                "CO-151",
                "units",
                f"97110: 2 units billed; the documented minutes support 1 {CMS}",
                "bill 1",
            ),
        ],
    ),
    (
        "cpt-rule-judges-each-code-alone",
        claim(line("97110", 1, minutes=10), line("97140", 1, minutes=10)),
        {"rules": rulesets.commercial()},
        "units-minutes-mismatch",
        [],
    ),
    (
        # 20 minutes pooled: 1 unit; the tie at 10 goes to the lower code, 97110.
        "cms-rule-pools-the-same-claim",
        claim(line("97110", 1, minutes=10), line("97140", 1, minutes=10)),
        {"rules": rulesets.medicare()},
        "units-minutes-mismatch",
        [(1, "error", "CO-151", "units", f"97140: 1 unit billed; {CMS_ZERO}", NOT_BILLABLE)],
    ),
    (
        "cpt-rule-per-code",
        claim(line("97110", 2, minutes=10)),
        {"rules": rulesets.commercial()},
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
        # 97110 11 + 11 = 22 minutes: 1 unit (8-22 minutes), 2 billed, reported on its first line.
        "one-code-on-two-lines-judged-on-its-total",
        claim(
            line("97110", 1, minutes=11, modifiers=["GP"]),
            line("97110", 1, minutes=11, modifiers=["GP"]),
        ),
        {},
        "units-minutes-mismatch",
        [
            (
                0,
                "error",
                "CO-151",
                "units",
                f"97110: 2 units billed; the documented minutes support 1 {CMS}",
                "bill 1",
            )
        ],
    ),
    (
        "minutes-support-nothing",
        claim(line("97110", 1, minutes=5, modifiers=["GP"])),
        {},
        "units-minutes-mismatch",
        [(0, "error", "CO-151", "units", f"97110: 1 unit billed; {CMS_ZERO}", NOT_BILLABLE)],
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
                f"97110: 1 unit billed; the documented minutes support 2 {CMS}",
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
        "cms-day-with-unknown-minutes-is-not-judged-right-units",
        claim(line("97110", 2, minutes=33, modifiers=["GP"]), line("97140", 1, modifiers=["GP"])),
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
        "cpt-ladder-with-undocumented-minutes-is-not-judged",
        claim(line("96130"), line("96131", minutes=60), diagnoses=["F41.1"]),
        {"rules": rulesets.commercial()},
        "units-minutes-mismatch",
        [],
    ),
    (
        "cms-ladder-with-undocumented-minutes-is-not-judged",
        claim(
            line("97129", modifiers=["GP"]),
            line("97130", 2, minutes=30, modifiers=["GP"]),
            diagnoses=["F41.1"],
        ),
        {},
        "units-minutes-mismatch",
        [],
    ),
    (
        # 10 minutes of PT and 10 of OT: one unit each, not one unit for 20 pooled minutes
        "eight-minute-rule-per-discipline",
        claim(
            line("97110", 1, minutes=10, modifiers=["GP"]),
            line("97530", 1, minutes=10, modifiers=["GO"]),
        ),
        {},
        "units-minutes-mismatch",
        [],
    ),
    (
        "eight-minute-rule-pools-one-discipline",
        claim(
            line("97110", 1, minutes=10, modifiers=["GP"]),
            line("97530", 1, minutes=10, modifiers=["GP"]),
        ),
        {},
        "units-minutes-mismatch",
        [(1, "error", "CO-151", "units", f"97530: 1 unit billed; {CMS_ZERO}", NOT_BILLABLE)],
    ),
    (
        # 97110 GP 33 + 97140 (no modifier) 7 = 40 pooled -> 97110 x2, 97140 x1
        "line-without-discipline-joins-the-days-only-discipline",
        claim(line("97110", 2, minutes=33, modifiers=["GP"]), line("97140", 1, minutes=7)),
        {},
        "units-minutes-mismatch",
        [],
    ),
    (
        # 2026-03-02: 97110 GP 10 + 97140 (no modifier, joins GP, the day's only discipline) 10
        #   = 20 pooled -> 1 unit; leftovers tie at 10, totals tie, the lower code wins: 97110 x1.
        # 2026-03-03: GO and GP, so each alone: 97530 GO 20 -> 1, 97110 GP 20 -> 1 (pooled
        #   together, 40 min would give 97110 x2); 97112 without a modifier joins neither
        #   discipline, and 6 minutes alone earn nothing.
        "minutes-totalled-per-date-and-discipline",
        claim(
            line("97110", 1, minutes=10, modifiers=["GP"]),
            line("97140", 1, minutes=10),
            line("97530", 1, minutes=20, modifiers=["GO"], date_of_service="2026-03-03"),
            line("97110", 1, minutes=20, modifiers=["GP"], date_of_service="2026-03-03"),
            line("97112", 1, minutes=6, date_of_service="2026-03-03"),
        ),
        {},
        "units-minutes-mismatch",
        [
            (1, "error", "CO-151", "units", f"97140: 1 unit billed; {CMS_ZERO}", NOT_BILLABLE),
            (4, "error", "CO-151", "units", f"97112: 1 unit billed; {CMS_ZERO}", NOT_BILLABLE),
        ],
    ),
    (
        # 96130 60 minutes: the first hour (from 31 min); 96131 needs 91 minutes in all. 97110
        # 5 minutes: under 8, no unit.
        "ladders-and-timed-codes-together",
        claim(
            line("96130", 1, minutes=60),
            line("96131", 1, minutes=0),
            line("97110", 1, minutes=5, modifiers=["GP"]),
        ),
        {},
        "units-minutes-mismatch",
        [
            (
                1,
                "error",
                "CO-151",
                "units",
                "96131: 1 unit billed; the documented minutes support 0 under the CPT time"
                " instructions for 96130/96131",
                NOT_BILLABLE,
            ),
            (2, "error", "CO-151", "units", f"97110: 1 unit billed; {CMS_ZERO}", NOT_BILLABLE),
        ],
    ),
    (
        # The CPT rule, with a ladder on the claim too: 97110 10 and 97140 10 are a unit each.
        "cpt-rule-ladder-and-timed-codes-together",
        claim(
            line("96130", 1, minutes=60), line("97110", 1, minutes=10), line("97140", 1, minutes=10)
        ),
        {"rules": rulesets.commercial()},
        "units-minutes-mismatch",
        [],
    ),
    (
        # 97161 is untimed: its minutes never make units (untimed-multiple-units judges it).
        "untimed-codes-are-not-judged-on-minutes",
        claim(line("97161", 2, minutes=45, modifiers=["GP"])),
        {},
        "units-minutes-mismatch",
        [],
    ),
    # Ties (CMS Pub. 100-04 ch. 5 sec. 20.2, Example 2): 20 min 97112 + 20 min 97110 = 40
    # min, 3 units; "the time for each is the same": either code takes 2 units.
    (
        "cms-example-2-either-code-takes-two-97112",
        claim(
            line("97112", 2, minutes=20, modifiers=["GP"]),
            line("97110", 1, minutes=20, modifiers=["GP"]),
        ),
        {},
        "units-minutes-mismatch",
        [],
    ),
    (
        "cms-example-2-either-code-takes-two-97110",
        claim(
            line("97112", 1, minutes=20, modifiers=["GP"]),
            line("97110", 2, minutes=20, modifiers=["GP"]),
        ),
        {},
        "units-minutes-mismatch",
        [],
    ),
    (
        # 4 units for 40 minutes: no ordering gives both codes 2; 97110 (first in cptkit's
        # order) keeps its 2, 97112 is over.
        "cms-example-2-both-codes-two-is-over",
        claim(
            line("97112", 2, minutes=20, modifiers=["GP"]),
            line("97110", 2, minutes=20, modifiers=["GP"]),
        ),
        {},
        "units-minutes-mismatch",
        [
            (
                0,
                "error",
                "CO-151",
                "units",
                f"97112: 2 units billed; the documented minutes support 1 {CMS}",
                "bill 1",
            )
        ],
    ),
    (
        # 22 + 7 = 29 min, 2 units; 7 and 7 left over tie: 2/0 or 1/1.
        "leftover-tie-billed-one-each",
        claim(
            line("97110", 1, minutes=22, modifiers=["GP"]),
            line("97140", 1, minutes=7, modifiers=["GP"]),
        ),
        {},
        "units-minutes-mismatch",
        [],
    ),
    (
        # The other choice: 97110 takes both; 97140's 7 minutes, unbilled, still count.
        "leftover-tie-billed-on-the-longer-code",
        claim(line("97110", 2, minutes=22, modifiers=["GP"])),
        {"facts": Facts(unbilled_minutes={"GP": 7})},
        "units-minutes-mismatch",
        [],
    ),
    (
        # The tie is only for the leftover unit: 97140 cannot take 2 with 7 minutes.
        "leftover-tie-does-not-move-whole-units",
        claim(
            line("97110", 1, minutes=22, modifiers=["GP"]),
            line("97140", 2, minutes=7, modifiers=["GP"]),
        ),
        {},
        "units-minutes-mismatch",
        [
            (
                1,
                "error",
                "CO-151",
                "units",
                f"97140: 2 units billed; the documented minutes support 1 {CMS}",
                "bill 1",
            )
        ],
    ),
    # Unbilled minutes (CMS Example 5): 7 min each of 97032, 97035, 97110 = 21 min, 1 unit,
    # billed as one line of the code chosen; the other 14 minutes are told as facts.
    (
        "cms-example-5-one-line-with-unbilled-minutes",
        claim(line("97110", 1, minutes=7, modifiers=["GP"])),
        {"facts": Facts(unbilled_minutes={"GP": 14})},
        "units-minutes-mismatch",
        [],
    ),
    (
        "cms-example-5-unbilled-minutes-on-their-date",
        claim(line("97110", 1, minutes=7, modifiers=["GP"])),
        {"facts": Facts(unbilled_minutes={(DAY, "GP"): 14})},
        "units-minutes-mismatch",
        [],
    ),
    (
        "cms-example-5-without-the-unbilled-minutes",
        claim(line("97110", 1, minutes=7, modifiers=["GP"])),
        {},
        "units-minutes-mismatch",
        [(0, "error", "CO-151", "units", f"97110: 1 unit billed; {CMS_ZERO}", NOT_BILLABLE)],
    ),
    (
        # OT's unbilled minutes do not join the PT pool; another date's neither.
        "unbilled-minutes-per-discipline-and-date",
        claim(line("97110", 1, minutes=7, modifiers=["GP"])),
        {"facts": Facts(unbilled_minutes={"GO": 14, ("2026-03-03", "GP"): 14})},
        "units-minutes-mismatch",
        [(0, "error", "CO-151", "units", f"97110: 1 unit billed; {CMS_ZERO}", NOT_BILLABLE)],
    ),
    (
        # 7 billed + 14 unbilled = 21 min: one unit, not two
        "unbilled-minutes-never-add-a-second-unit",
        claim(line("97110", 2, minutes=7, modifiers=["GP"])),
        {"facts": Facts(unbilled_minutes={"GP": 14})},
        "units-minutes-mismatch",
        [
            (
                0,
                "error",
                "CO-151",
                "units",
                f"97110: 2 units billed; the documented minutes support 1 {CMS}",
                "bill 1",
            )
        ],
    ),
    (
        "unbilled-minutes-with-two-billed-codes",
        claim(
            line("97110", 2, minutes=30, modifiers=["GP"]),
            line("97140", 1, minutes=7, modifiers=["GP"]),
        ),
        {"facts": Facts(unbilled_minutes={"GP": 7})},
        "units-minutes-mismatch",
        [],
    ),
    (
        # The CPT rule does not pool: unbilled minutes change nothing.
        "unbilled-minutes-ignored-by-the-cpt-rule",
        claim(line("97110", 1, minutes=7)),
        {"facts": Facts(unbilled_minutes={"GP": 14}), "rules": rulesets.commercial()},
        "units-minutes-mismatch",
        [
            (
                0,
                "error",
                "CO-151",
                "units",
                "97110: 1 unit billed; the documented minutes support 0 under the CPT time rule",
                NOT_BILLABLE,
            )
        ],
    ),
    (
        "unbilled-minutes-need-a-discipline",
        claim(line("97110", 1, minutes=7)),
        {"facts": Facts(unbilled_minutes={"GP": 14})},
        "units-minutes-mismatch",
        [(0, "error", "CO-151", "units", f"97110: 1 unit billed; {CMS_ZERO}", NOT_BILLABLE)],
    ),
    # The time rule is named by the code's kind (issue 23 item 7)
    (
        # 90839 needs 30 minutes (CPT): under that, psychotherapy by time.
        "crisis-under-30-minutes-suggests-psychotherapy",
        claim(line("90839", minutes=20), diagnoses=["F41.1"]),
        {},
        "units-minutes-mismatch",
        [
            (
                0,
                "error",
                "CO-151",
                "units",
                "90839: 1 unit billed; the documented minutes support 0 under the CPT time"
                " instructions for 90839/90840",
                "under 30 minutes, bill psychotherapy by time: 90832 (or 90833 with an E/M)",
            )
        ],
    ),
    # 97129/97130 join the Medicare pool (CMS Pub. 100-04 ch. 5 sec. 20.2: every 15-minute
    # timed code; the CY2020 PFS final rule put them in the place of the pooled G0515).
    (
        # 30 minutes of the family: 2 units, 97129 the first, 97130 the second.
        "cognitive-ladder-pooled-under-medicare",
        claim(
            line("97129", 1, minutes=15, modifiers=["GO"]),
            line("97130", 2, minutes=15, modifiers=["GO"]),
        ),
        {},
        "units-minutes-mismatch",
        [
            (
                1,
                "error",
                "CO-151",
                "units",
                f"97130: 2 units billed; the documented minutes support 1 {CMS}",
                "bill 1",
            )
        ],
    ),
    (
        # The same lines under the CPT rule: the ladder's own time instructions.
        "cognitive-ladder-under-the-cpt-rule",
        claim(line("97129", 1, minutes=15), line("97130", 2, minutes=15)),
        {"rules": rulesets.commercial()},
        "units-minutes-mismatch",
        [
            (
                1,
                "error",
                "CO-151",
                "units",
                "97130: 2 units billed; the documented minutes support 1 under the CPT time"
                " instructions for 97129/97130",
                "bill 1",
            )
        ],
    ),
    (
        # 97110 10 + 97129 10 = 20 pooled minutes: 1 unit, and the 10 and 10 left over tie:
        # either code, not both (alone each would be a unit: the pool is the point).
        "cognitive-ladder-shares-the-pool",
        claim(
            line("97110", 1, minutes=10, modifiers=["GO"]),
            line("97129", 1, minutes=10, modifiers=["GO"]),
        ),
        {},
        "units-minutes-mismatch",
        [(1, "error", "CO-151", "units", f"97129: 1 unit billed; {CMS_ZERO}", NOT_BILLABLE)],
    ),
    (
        # The tie's other choice: 97129 takes the unit, 97110's 10 minutes told as unbilled.
        "cognitive-ladder-takes-the-unit-with-unbilled-minutes",
        claim(line("97129", 1, minutes=10, modifiers=["GO"])),
        {"facts": Facts(unbilled_minutes={"GO": 10})},
        "units-minutes-mismatch",
        [],
    ),
    (
        # 97110 20 + 97129/97130 25 = 45 min, 3 units: 97110 1 whole + 5 left, family 1 whole
        # + 10 left: the third unit to the family (97130).
        "cognitive-family-and-a-timed-code",
        claim(
            line("97110", 1, minutes=20, modifiers=["GO"]),
            line("97129", 1, minutes=15, modifiers=["GO"]),
            line("97130", 1, minutes=10, modifiers=["GO"]),
        ),
        {},
        "units-minutes-mismatch",
        [],
    ),
    # time-band-mismatch
    (
        "time-band-mismatch",
        claim(line("90837", minutes=45)),
        {},
        "time-band-mismatch",
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
    ),
    ("time-band-mismatch-passes", claim(line("90834", minutes=45)), {}, "time-band-mismatch", []),
    (
        "band-with-no-fitting-code",
        claim(line("90832", minutes=10)),
        {},
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
        # More minutes than the band: a shorter band than the minutes support, info.
        "band-above",
        claim(line("90834", minutes=53)),
        {},
        "time-band-mismatch",
        [
            (
                0,
                "info",
                None,
                "minutes",
                "90834 needs 38-52 minutes; 53 documented",
                "53 minutes fit 90837",
            )
        ],
    ),
    ("band-low-edge", claim(line("90834", minutes=38)), {}, "time-band-mismatch", []),
    ("band-high-edge", claim(line("90834", minutes=52)), {}, "time-band-mismatch", []),
    # Two psychotherapy sessions in a day, the second marked distinct, within the MUE (2)
    (
        "two-psychotherapy-sessions-with-59",
        claim(line("90834", minutes=45), line("90834", minutes=40, modifiers=["59"])),
        {},
        "untimed-multiple-units",
        [],
    ),
    (
        "two-psychotherapy-sessions-with-xu",
        claim(line("90837", minutes=55), line("90837", minutes=60, modifiers=["XU"])),
        {},
        "untimed-multiple-units",
        [],
    ),
    (
        "two-psychotherapy-sessions-unmarked",
        claim(line("90834", minutes=45), line("90834", minutes=40)),
        {},
        "untimed-multiple-units",
        [
            (
                0,
                "error",
                "CO-151",
                "units",
                "90834 is untimed (one per session) but 2 units are billed for one date",
                "bill 1 unit",
            )
        ],
    ),
    (
        "three-psychotherapy-sessions-exceed-the-mue",
        claim(
            line("90834", minutes=45),
            line("90834", minutes=40, modifiers=["59"]),
            line("90834", minutes=40, modifiers=["59"]),
        ),
        {},
        "untimed-multiple-units",
        [
            (
                0,
                "error",
                "CO-151",
                "units",
                "90834 is untimed (one per session) but 3 units are billed for one date",
                "bill 1 unit",
            )
        ],
    ),
    (
        "psychotherapy-two-units-on-one-line-with-59",
        claim(line("90834", 2, minutes=45, modifiers=["59"])),
        {},
        "untimed-multiple-units",
        [
            (
                0,
                "error",
                "CO-151",
                "units",
                "90834 is untimed (one per session) but 2 units are billed for one date",
                "bill 1 unit",
            )
        ],
    ),
    (
        # An evaluation is not a time-band session: 59 does not make two evaluations.
        "evaluation-twice-with-59",
        claim(line("97161", modifiers=["GP"]), line("97161", modifiers=["GP", "59"])),
        {},
        "untimed-multiple-units",
        [
            (
                0,
                "error",
                "CO-151",
                "units",
                "97161 is untimed (one per session) but 2 units are billed for one date",
                "bill 1 unit",
            )
        ],
    ),
    # MUE as payer policy (issue 23 item 5)
    (
        # 97014's MUE of 0 ("CMS Policy") encodes Medicare status I: the commercial policy skips it.
        "commercial-skips-the-payment-status-zero",
        claim(line("97014")),
        {"rules": rulesets.commercial()},
        "units-exceed-mue",
        [],
    ),
    (
        # A clinical MUE still applies to the commercial policy.
        "commercial-keeps-clinical-mues",
        claim(line("97161", 2)),
        {"rules": rulesets.commercial()},
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
        # An ABA plan's own daily cap (24 units of 97153) replaces the MUE (32).
        "payer-unit-cap-replaces-the-mue",
        claim(line("97153", 20, minutes=300), line("97153", 8, minutes=120, modifiers=["76"])),
        {"policy": ABA_PLAN},
        "units-exceed-mue",
        [
            (
                0,
                "error",
                "CO-151",
                "units",
                "97153: 28 units on one date across 2 lines exceed the payer's cap of 24 per day",
                "bill at most 24, or ask the payer for an authorization",
            )
        ],
    ),
    (
        "payer-unit-cap-one-unit",
        claim(line("97155", 1, minutes=15)),
        {"policy": ABA_PLAN},
        "units-exceed-mue",
        [
            (
                0,
                "error",
                "CO-151",
                "units",
                "97155: 1 unit on one date exceeds the payer's cap of 0 per day",
                "the payer does not pay it; ask for an authorization",
            )
        ],
    ),
    (
        "payer-unit-cap-within",
        claim(line("97153", 24, minutes=360)),
        {"policy": ABA_PLAN},
        "units-exceed-mue",
        [],
    ),
    (
        # A payer that applies no MUE: 97161 x2 passes this rule (untimed-multiple-units still
        # says one per session).
        "payer-without-mues",
        claim(line("97161", 2)),
        {"policy": attrs.evolve(PayerPolicy.commercial(), apply_mue=False)},
        "units-exceed-mue",
        [],
    ),
]

# The CMS Example 2 rows again with a ladder on the day (the allocation memo's path): 96130
# with 60 minutes is its one unit, so the findings are the same.
CASES += [
    (
        f"{name}-with-a-ladder",
        claim(*checked.lines, line("96130", 1, minutes=60)),
        options,
        rule_id,
        expected,
    )
    for name, checked, options, rule_id, expected in list(CASES)
    if name.startswith("cms-example-2")
]


@pytest.mark.parametrize("case", CASES, ids=names(CASES))
def test_unit_rules(case: Case) -> None:
    assert_case(case)


def test_every_unit_rule_has_a_failing_and_a_passing_case() -> None:
    assert covered(CASES) == (FAMILIES["units"], FAMILIES["units"])


# Every allocation the CMS ordering allows passes the rule (the codes it gives no unit are told
# as unbilled minutes, CMS Example 5); one unit more on any code is an error.
POOLED_CODES = ["97110", "97112", "97140", "97530", "97129"]


def _billed_day(
    minutes: dict[str, int], billed: dict[str, int], more: str | None
) -> tuple[Claim, Facts]:
    lines = [
        line(code, count + (code == more), minutes=minutes.get(code, 0), modifiers=["GP"])
        for code, count in sorted(billed.items())
    ]
    unbilled = sum(count for code, count in minutes.items() if code not in billed)
    return claim(*lines), Facts(unbilled_minutes={"GP": unbilled})


@settings(max_examples=150, deadline=None)
@given(
    st.dictionaries(st.sampled_from(POOLED_CODES), st.integers(1, 40), min_size=1, max_size=4),
    st.data(),
)
def test_every_allowed_allocation_passes(minutes: dict[str, int], data: st.DataObject) -> None:
    allocation = units.allocate(minutes)
    option = data.draw(st.sampled_from(allocation.alternatives))
    billed = {str(code): count for code, count in option.items()}
    assume(billed)  # a day under 8 minutes bills nothing
    checked, facts = _billed_day(minutes, billed, None)
    assert outcome(checked, {"facts": facts}, "units-minutes-mismatch") == []
    more = data.draw(st.sampled_from(sorted(billed)))
    over, facts = _billed_day(minutes, billed, more)
    found = outcome(over, {"facts": facts}, "units-minutes-mismatch")
    assert any(severity == "error" for _, severity, *_ in found)
