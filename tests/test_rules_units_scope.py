# SPDX-License-Identifier: MIT
"""Which codes and lines the unit rules reach (a correctness audit against CMS sources): the
8-minute rule pools only therapy codes, codes counted per instrument or per session take their
units from the MUE, XE and XP mark a distinct session, and a time band suggests only codes of
its own series. Every expected value is typed out from the source each table names."""

from __future__ import annotations

from types import MappingProxyType

import attrs
import pytest

import cptkit
from cptkit import Code, rulesets
from cptkit._catalog import Catalog
from cptkit._overlays import Layers
from cptkit.cli import main
from cptkit.units import band_codes_for
from rulekit import Case, Expected, assert_case, claim, line, names

UNITS_MINUTES = "units-minutes-mismatch"
UNTIMED = "untimed-multiple-units"
MUE = "units-exceed-mue"
BAND = "time-band-mismatch"
CPT_RULE = "under the CPT time rule"
BOTH = {"medicare": {}, "commercial": {"rules": rulesets.commercial()}}

# -- 1. The 8-minute rule pools only PT/OT/SLP therapy codes ------------------------------------
# CMS Pub. 100-04 ch. 5 sec. 20.2 is the outpatient rehabilitation therapy chapter's rule: it
# pools the day's 15-minute codes of a therapy plan of care (GP, GO, GN; the codes on CMS's
# therapy list). ABA (97151-97158, 0362T, 0373T), health behaviour (96150-96155) and home
# health (G0151-G0161) are not on that list: CPT's time rule counts each code alone, a unit
# once 8 of its 15 minutes have passed (/work/shared/reference/rules.md sec. 2 and 3).
POOLING: list[Case] = [
    (
        # The audit's claim: 10 minutes of PT (GP) and 10 of ABA on one date. Pooled they were
        # 20 minutes, one unit, to 97110; 97153 is not therapy, so each has its unit.
        "aba-line-is-not-pooled-with-pt",
        claim(
            line("97110", 1, minutes=10, modifiers=["GP"], date_of_service="2025-03-03"),
            line("97153", 1, minutes=10, date_of_service="2025-03-03"),
        ),
        {},
        UNITS_MINUTES,
        [],
    ),
    (
        "aba-codes-are-each-judged-alone",
        claim(line("97153", 1, minutes=10), line("97155", 1, minutes=10)),
        {},
        UNITS_MINUTES,
        [],
    ),
    (
        # 10 minutes of 97153 support 1 unit by the CPT rule, not 2; 97110 alone is 1.
        "aba-over-billed-is-named-by-the-cpt-rule",
        claim(
            line("97110", 1, minutes=10, modifiers=["GP"]),
            line("97153", 2, minutes=10),
        ),
        {},
        UNITS_MINUTES,
        [
            (
                1,
                "error",
                "CO-151",
                "units",
                f"97153: 2 units billed; the documented minutes support 1 {CPT_RULE}",
                "bill 1",
            )
        ],
    ),
    (
        # 7 minutes of 97153 are under its midpoint: no unit, whatever PT did that day.
        "aba-under-eight-minutes-earns-nothing",
        claim(line("97110", 2, minutes=23, modifiers=["GP"]), line("97153", 1, minutes=7)),
        {},
        UNITS_MINUTES,
        [
            (
                1,
                "error",
                "CO-151",
                "units",
                f"97153: 1 unit billed; the documented minutes support 0 {CPT_RULE}",
                "do not bill this code",
            )
        ],
    ),
    (
        # A non-therapy line never joins the day's only discipline: 97140's 7 minutes join
        # 97110's 8 (GP) for one unit, 97153's 10 are their own unit.
        "only-therapy-lines-join-the-days-discipline",
        claim(
            line("97110", 1, minutes=8, modifiers=["GP"]),
            line("97140", 1, minutes=7),
            line("97153", 1, minutes=10),
        ),
        {},
        UNITS_MINUTES,
        [
            (
                1,
                "error",
                "CO-151",
                "units",
                "97140: 1 unit billed; the documented minutes support 0 under the Medicare"
                " 8-minute rule",
                "do not bill this code",
            )
        ],
    ),
    (
        "aba-category-iii-codes-alone",
        claim(line("0362T", 1, minutes=10), line("0373T", 1, minutes=10)),
        {},
        UNITS_MINUTES,
        [],
    ),
    (
        # Health behaviour assessment and intervention (2019 codes, 15-minute units).
        "health-behavior-codes-alone",
        claim(
            line("96150", 1, minutes=10, date_of_service="2019-06-03"),
            line("96152", 1, minutes=10, date_of_service="2019-06-03"),
        ),
        {},
        UNITS_MINUTES,
        [],
    ),
    (
        # Home health PT and PT assistant visits, each 15 minutes: not the Part B pool.
        "home-health-codes-alone",
        claim(line("G0151", 1, minutes=10), line("G0157", 1, minutes=10)),
        {},
        UNITS_MINUTES,
        [],
    ),
]


def _sometimes_catalog() -> Catalog:
    """The packaged catalog with 97535 as if it were a "sometimes therapy" code: no 15-minute
    timed code on the shipped list is one, but a catalog may hold one."""
    info = cptkit.catalog().lookup("97535")
    record = attrs.evolve(info, therapy_list="sometimes")
    chosen = Catalog()
    chosen._layers = attrs.evolve(Layers(), codes=MappingProxyType({record.code: record}))
    return chosen


SOMETIMES = _sometimes_catalog()

# A "sometimes therapy" code is therapy when billed under a therapy plan of care, with GP, GO
# or GN; without one (a physician's or NPP's service) it is not (CMS Pub. 100-04 ch. 5 sec. 20
# and the therapy code list's "sometimes therapy" note). 97110 22 + 97535 7 minutes pooled are
# 29 minutes, 2 units: one whole unit of 97110, the second to either 7-minute leftover (a tie,
# CMS Example 2), so 97535 x1 passes. Alone, 7 minutes of 97535 are under the midpoint.
POOLING += [
    (
        "sometimes-therapy-code-with-gp-is-pooled",
        claim(
            line("97110", 1, minutes=22, modifiers=["GP"]),
            line("97535", 1, minutes=7, modifiers=["GP"]),
        ),
        {"catalog": SOMETIMES},
        UNITS_MINUTES,
        [],
    ),
    (
        "sometimes-therapy-code-without-a-plan-is-alone",
        claim(
            line("97110", 1, minutes=22, modifiers=["GP"]),
            line("97535", 1, minutes=7),
        ),
        {"catalog": SOMETIMES},
        UNITS_MINUTES,
        [
            (
                1,
                "error",
                "CO-151",
                "units",
                f"97535: 1 unit billed; the documented minutes support 0 {CPT_RULE}",
                "do not bill this code",
            )
        ],
    ),
    (
        "sometimes-therapy-code-alone-without-a-plan",
        claim(line("97535", 2, minutes=20)),
        {"catalog": SOMETIMES},
        UNITS_MINUTES,
        [
            (
                0,
                "error",
                "CO-151",
                "units",
                f"97535: 2 units billed; the documented minutes support 1 {CPT_RULE}",
                "bill 1",
            )
        ],
    ),
]


@pytest.mark.parametrize("case", POOLING, ids=names(POOLING))
def test_pooling_reaches_therapy_codes_only(case: Case) -> None:
    assert_case(case)


# -- 2. Codes counted per instrument or per session ----------------------------------------------
# Each unit is one standardized instrument (CPT descriptors of 96110, 96127, 96160, 96161:
# "per standardized instrument"), one rTMS session (90868: "per session"), one PHP/IOP group
# psychotherapy session of about 45-50 minutes (HCPCS G0410, G0411), or one session of 45
# minutes or more (HCPCS G0176, G0177: "per session"). Several on one date are several units:
# the MUE alone limits them. The MUEs, typed from the CMS NCCI practitioner tables
# (2024-07-01 and 2026-04-01, data/raw/mue_practitioner and data/raw/mue_2026): 96110, 96127,
# 96160 3 (MAI 3); 96161 1 (MAI 3); 90868 2 (MAI 3); G0410, G0411 4 (MAI 3); G0177 0 (MAI 3,
# CMS Policy); G0176 none.
PER_UNIT_OF_SERVICE = [
    # (code, units within the practitioner MUE, or None without one)
    ("96110", 3),
    ("96127", 3),
    ("96160", 3),
    ("96161", 1),
    ("90868", 2),
    ("G0410", 4),
    ("G0411", 4),
    ("G0176", None),
    ("G0177", 0),
]
DAY = "2026-05-04"


@pytest.mark.parametrize("ruleset", sorted(BOTH))
@pytest.mark.parametrize("code", [code for code, _ in PER_UNIT_OF_SERVICE])
def test_several_instruments_or_sessions_are_not_one_per_session(code: str, ruleset: str) -> None:
    assert_case((code, _on_the_day(code, 3), BOTH[ruleset], UNTIMED, []))


def _over_mue(code: str, units: int, limit: int) -> list[Expected]:
    """units-exceed-mue's finding for *units* of *code* over its MUE of *limit* (MAI 3)."""
    return [
        (
            0,
            "error",
            "CO-151",
            "units",
            f"{code}: {units} units on one date exceed the MUE of {limit} per day (MAI 3)",
            f"bill at most {limit}; MAI 3 may be appealed with documentation of necessity",
        )
    ]


def _one_per_session(code: str, units: int) -> list[Expected]:
    """untimed-multiple-units' finding for *units* of *code* on the first line."""
    return [
        (
            0,
            "error",
            "CO-151",
            "units",
            f"{code} is untimed (one per session) but {units} units are billed for one date",
            "bill 1 unit",
        )
    ]


def _on_the_day(code: str, units: int, *modifiers: str) -> cptkit.Claim:
    return claim(
        line(code, units, modifiers=list(modifiers), date_of_service=DAY), diagnoses=["F41.1"]
    )


MUE_ROWS: list[Case] = [
    # The audit's claims: within the MUE, no finding at all; over it, the MUE's.
    ("96127-x2-within-the-mue", _on_the_day("96127", 2), {}, MUE, []),
    ("96127-x4-over-the-mue", _on_the_day("96127", 4), {}, MUE, _over_mue("96127", 4, 3)),
    ("g0410-x5-over-the-mue", _on_the_day("G0410", 5), {}, MUE, _over_mue("G0410", 5, 4)),
    ("96161-x2-over-the-mue", _on_the_day("96161", 2), {}, MUE, _over_mue("96161", 2, 1)),
    # Codes not counted so stay one per session (97161, an evaluation).
    (
        "evaluation-still-one-per-session",
        _on_the_day("97161", 2, "GP"),
        {},
        UNTIMED,
        _one_per_session("97161", 2),
    ),
]


@pytest.mark.parametrize("case", MUE_ROWS, ids=names(MUE_ROWS))
def test_the_mue_limits_per_instrument_codes(case: Case) -> None:
    assert_case(case)


# -- 3. XE and XP mark a distinct session -------------------------------------------------------
# CMS CR 8863 (MLN MM8863): XE "separate encounter", XS "separate structure", XP "separate
# practitioner" and XU "unusual non-overlapping service" are the subsets of 59. A second
# psychotherapy session the same day is a separate encounter (XE, the most precise) or a
# session by another practitioner (XP); a separate organ or structure (XS) says nothing of a
# session.
# (the second line's modifier, the findings)
DISTINCT: list[tuple[str, list[Expected]]] = [
    ("XE", []),
    ("XP", []),
    ("59", []),
    ("XU", []),
    ("XS", _one_per_session("90834", 2)),
]
SESSIONS: list[Case] = [
    (
        f"second-session-with-{modifier.lower()}",
        claim(line("90834", minutes=45), line("90834", minutes=45, modifiers=[modifier])),
        {},
        UNTIMED,
        expected,
    )
    for modifier, expected in DISTINCT
]


@pytest.mark.parametrize("case", SESSIONS, ids=names(SESSIONS))
def test_distinct_session_modifiers(case: Case) -> None:
    assert_case(case)


# -- 4. A time band suggests codes of its own series --------------------------------------------
# CPT's series: telephone assessment by a qualified non-physician professional 98966 (5-10
# minutes), 98967 (11-20), 98968 (21-30); online digital assessment 98970 (5-10), 98971
# (11-20), 98972 (21+, over 7 days); HCPCS G2061 (5-10), G2062 (11-20), G2063 (21+), the 2020
# online assessments; psychotherapy 90832 (16-37), 90834 (38-52), 90837 (53+).
BANDS: list[Case] = [
    (
        # The audit's line: 35 minutes of telephone are past the telephone series' top; the
        # online codes 98972 and G2063 are another service.
        "telephone-suggests-no-online-code",
        claim(line("98968", minutes=35, date_of_service="2024-05-06"), diagnoses=["F41.1"]),
        {},
        BAND,
        [
            (
                0,
                "info",
                None,
                "minutes",
                "98968 needs 21-30 minutes; 35 documented",
                "not reportable with these minutes",
            )
        ],
    ),
    (
        "telephone-suggests-its-own-series",
        claim(line("98968", minutes=15, date_of_service="2024-05-06"), diagnoses=["F41.1"]),
        {},
        BAND,
        [
            (
                0,
                "error",
                "CO-151",
                "minutes",
                "98968 needs 21-30 minutes; 15 documented",
                "15 minutes fit 98967",
            )
        ],
    ),
    (
        "online-suggests-its-own-series",
        claim(line("98970", minutes=25, date_of_service="2024-05-06"), diagnoses=["F41.1"]),
        {},
        BAND,
        [
            (
                0,
                "info",
                None,
                "minutes",
                "98970 needs 5-10 minutes; 25 documented",
                "25 minutes fit 98972",
            )
        ],
    ),
]


@pytest.mark.parametrize("case", BANDS, ids=names(BANDS))
def test_band_suggestions_stay_in_the_series(case: Case) -> None:
    assert_case(case)


SERIES = [
    # (code, minutes, the codes of its series whose band holds them)
    ("98968", 35, ()),
    ("98966", 15, ("98967",)),
    ("98972", 15, ("98971",)),
    ("G2063", 8, ("G2061",)),
    ("90837", 45, ("90834",)),
    ("90838", 20, ("90833",)),
    ("90834", 60, ("90837",)),
    # In no series: a check-in by a practitioner who cannot bill E/M (G2251) is not G2252's
    # service (an E/M practitioner's); family therapy without the patient is not 90847.
    ("G2251", 15, ()),
    ("90846", 60, ()),
]


@pytest.mark.parametrize(("code", "minutes", "expected"), SERIES)
def test_band_codes_for_a_series(code: str, minutes: int, expected: tuple[str, ...]) -> None:
    info = cptkit.catalog().lookup(code)
    assert band_codes_for(info, minutes) == tuple(Code(text) for text in expected)


# `cptkit lookup` says which 15-minute codes Medicare pools (CMS Pub. 100-04 ch. 5 sec. 20.2).
LOOKUPS = [
    ("97110", "timed: 15-minute units (Medicare pools them under the 8-minute rule)"),
    ("97153", "timed: 15-minute units (not a therapy code: not pooled, each code alone)"),
    ("G0151", "timed: 15-minute units (not a therapy code: not pooled, each code alone)"),
    ("98960", "timed: 30-minute units\n"),  # the midpoint rule, under Medicare too
]


@pytest.mark.parametrize(("code", "expected"), LOOKUPS)
def test_lookup_says_which_codes_are_pooled(
    capsys: pytest.CaptureFixture[str], code: str, expected: str
) -> None:
    assert main(["lookup", code]) == 0
    assert expected in capsys.readouterr().out
