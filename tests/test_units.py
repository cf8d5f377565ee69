# SPDX-License-Identifier: MIT
"""The units calculator. Expected values are typed out from the sources, never computed."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

import cptkit
from cptkit import Code, InvalidCode, InvalidInput, InvalidMinutes, UnknownCode, units
from cptkit.policy import PayerPolicy

# CMS Pub. 100-04, ch. 5, sec. 20.2: total timed minutes -> units, typed from the manual's chart
# (and its "same 15-minute steps" beyond two hours).
CMS_CHART = [
    (0, 7, 0),
    (8, 22, 1),
    (23, 37, 2),
    (38, 52, 3),
    (53, 67, 4),
    (68, 82, 5),
    (83, 97, 6),
    (98, 112, 7),
    (113, 127, 8),
    (128, 142, 9),
    (143, 157, 10),
]


def chart(total: int) -> int:
    for low, high, count in CMS_CHART:
        if low <= total <= high:
            return count
    raise AssertionError(f"{total} is beyond the typed chart")


@pytest.mark.parametrize(("low", "high", "expected"), CMS_CHART)
def test_cms_chart_edges_single_code(low: int, high: int, expected: int) -> None:
    for total in (low, high):
        assert units.allocate({"97110": total}).total == expected


# (minutes, expected units) examples from CMS Pub. 100-04 ch. 5 sec. 20.2 and rules.md.
CMS_EXAMPLES = [
    ({"97112": 24, "97110": 23}, {"97112": 2, "97110": 1}),  # 47 min: 97112 has more leftover
    ({"97110": 33, "97140": 7}, {"97110": 2, "97140": 1}),  # 7 leftover beats 3
    ({"97110": 7, "97140": 7}, {"97110": 1}),  # 14 min -> 1 unit to one of them
    ({"97112": 5, "97110": 6}, {"97110": 1}),  # 11 min, each under 8: the longest
    ({"97110": 7}, {}),  # under 8 in total: nothing
    ({"97110": 30, "97140": 15, "97112": 8}, {"97110": 2, "97140": 1, "97112": 1}),  # 53 -> 4
    ({"97110": 40, "97530": 20}, {"97110": 3, "97530": 1}),  # 60 -> 4: leftover 10 vs 5
    ({"97153": 120}, {"97153": 8}),  # two hours of ABA = 8 units
    ({"97161": 45, "97110": 20}, {"97161": 1, "97110": 1}),  # evaluation untimed, not pooled
    ({"97010": 15, "97110": 7}, {"97010": 1}),  # supervised modality untimed; 7 min alone: 0
    ({"92507": 50}, {"92507": 1}),  # untimed speech treatment
]


@pytest.mark.parametrize(("minutes", "expected"), CMS_EXAMPLES)
def test_cms_examples(minutes: dict[str, int], expected: dict[str, int]) -> None:
    result = units.allocate(minutes)
    assert {str(code): count for code, count in result.units.items()} == expected


# CPT (AMA) midpoint rule: each code alone (rules.md sec. 2 and the issue's examples).
AMA_EXAMPLES = [
    ({"97110": 10, "97140": 10}, {"97110": 1, "97140": 1}),  # 2 under CPT, 1 under Medicare
    ({"97110": 7, "97140": 7}, {}),  # 0 under CPT, 1 under Medicare
    ({"97110": 8}, {"97110": 1}),
    ({"97110": 22}, {"97110": 1}),
    ({"97110": 23}, {"97110": 2}),
    ({"97110": 38}, {"97110": 3}),
    ({"97153": 120}, {"97153": 8}),
    ({"96105": 30}, {}),  # 60-minute unit: first at 31
    ({"96105": 31}, {"96105": 1}),
    ({"96105": 91}, {"96105": 2}),
    ({"98960": 15}, {}),  # 30-minute unit: first at 16
    ({"98960": 16}, {"98960": 1}),
    ({"98960": 46}, {"98960": 2}),
]


@pytest.mark.parametrize(("minutes", "expected"), AMA_EXAMPLES)
def test_ama_examples(minutes: dict[str, int], expected: dict[str, int]) -> None:
    result = units.allocate(minutes, rule="ama")
    assert {str(code): count for code, count in result.units.items()} == expected


# The 8-minute rule pools the 15-minute codes of outpatient PT/OT/SLP (CMS Pub. 100-04 ch. 5
# sec. 20.2, the therapy chapter); other 15-minute codes are counted each alone by CPT's time
# rule, a unit from 8 minutes (rules.md sec. 2 and 3: ABA per code), under Medicare too.
OUTSIDE_THERAPY = [
    ({"97153": 10, "97155": 10}, {"97153": 1, "97155": 1}),  # ABA: pooled, 1 unit to 97153
    ({"97110": 10, "97153": 10}, {"97110": 1, "97153": 1}),  # PT alone, ABA alone
    ({"97153": 7, "97155": 7}, {}),  # pooled, 14 minutes were 1 unit
    ({"0362T": 10, "0373T": 10}, {"0362T": 1, "0373T": 1}),
    ({"96152": 10, "96153": 10}, {"96152": 1, "96153": 1}),  # health behaviour (to 2019)
    ({"G0151": 10, "G0157": 10}, {"G0151": 1, "G0157": 1}),  # home health PT and PTA
    # 97110 7 + 97140 7 pool to 14 minutes, 1 unit (Example 5's way); 97153's 7 are alone: 0.
    ({"97110": 7, "97140": 7, "97153": 7}, {"97110": 1}),
]


@pytest.mark.parametrize(("minutes", "expected"), OUTSIDE_THERAPY)
def test_only_therapy_codes_are_pooled(minutes: dict[str, int], expected: dict[str, int]) -> None:
    result = units.allocate(minutes)
    assert {str(code): count for code, count in result.units.items()} == expected
    methods = {str(line.code): line.method for line in result.lines}
    assert all(methods[code] == "midpoint" for code in minutes if code not in ("97110", "97140"))


def test_aba_explained_by_the_midpoint_rule() -> None:
    text = units.allocate({"97110": 10, "97153": 10}).explain()
    assert "Timed minutes of the 15-minute codes: 97110 10 = 10" in text
    assert "Chart: 8-22 minutes -> 1 unit" in text
    assert (
        "97153: 10 min -> 1 (midpoint rule); 15-minute units, not a therapy code: not pooled"
        in text
    )
    # 98960 (30-minute units) is not charted either: 10 pooled minutes are the chart's row.
    text = units.allocate({"97110": 10, "98960": 16}).explain()
    assert "Timed minutes of the 15-minute codes: 97110 10 = 10" in text
    assert "Chart: 8-22 minutes -> 1 unit" in text


def test_rules_differ_as_documented() -> None:
    assert units.allocate({"97110": 10, "97140": 10}, rule="cms").total == 1
    assert units.allocate({"97110": 10, "97140": 10}, rule="ama").total == 2
    assert units.allocate({"97110": 7, "97140": 7}, rule="cms").total == 1
    assert units.allocate({"97110": 7, "97140": 7}, rule="ama").total == 0


def test_policy_as_rule() -> None:
    assert units.allocate({"97110": 7, "97140": 7}, rule=PayerPolicy.commercial()).rule == "ama"
    assert units.allocate({"97110": 7, "97140": 7}, rule=PayerPolicy.medicare()).rule == "cms"


# Ladders: (base, minutes, expected) typed from CPT's time rules (rules.md sec. 2 and 4).
LADDER_TABLE = [
    ("96130", 30, {}),
    ("96130", 31, {"96130": 1}),
    ("96130", 90, {"96130": 1}),
    ("96130", 91, {"96130": 1, "96131": 1}),
    ("96130", 150, {"96130": 1, "96131": 1}),
    ("96130", 151, {"96130": 1, "96131": 2}),
    ("96132", 91, {"96132": 1, "96133": 1}),
    ("96136", 15, {}),
    ("96136", 16, {"96136": 1}),
    ("96136", 45, {"96136": 1}),
    ("96136", 46, {"96136": 1, "96137": 1}),
    ("96138", 76, {"96138": 1, "96139": 2}),
    ("97129", 7, {}),
    ("97129", 8, {"97129": 1}),
    ("97129", 23, {"97129": 1, "97130": 1}),
    ("97129", 38, {"97129": 1, "97130": 2}),
    ("90839", 29, {}),
    ("90839", 30, {"90839": 1}),
    ("90839", 74, {"90839": 1}),
    ("90839", 75, {"90839": 1, "90840": 1}),
    ("90839", 104, {"90839": 1, "90840": 1}),
    ("90839", 105, {"90839": 1, "90840": 2}),
    ("97550", 16, {"97550": 1}),
    ("97550", 38, {"97550": 1, "97551": 1}),
    ("98980", 19, {}),
    ("98980", 20, {"98980": 1}),
    ("98980", 40, {"98980": 1, "98981": 1}),
]


@pytest.mark.parametrize(("base", "minutes", "expected"), LADDER_TABLE)
def test_ladders(base: str, minutes: int, expected: dict[str, int]) -> None:
    assert {str(c): n for c, n in units.ladder(base, minutes).items()} == expected
    for rule in ("cms", "ama"):
        through = units.allocate({base: minutes}, rule=rule)
        assert {str(c): n for c, n in through.units.items()} == expected


def test_ladder_minutes_given_on_both_codes_add_up() -> None:
    result = units.allocate({"96130": 60, "96131": 31}, rule="ama")
    assert {str(c): n for c, n in result.units.items()} == {"96130": 1, "96131": 1}


def test_issue_example() -> None:
    result = units.allocate({"96130": 150}, rule="ama")
    assert {str(c): n for c, n in result.units.items()} == {"96130": 1, "96131": 1}
    assert result.units[Code("96131")] == 1


def test_ladder_needs_a_base() -> None:
    with pytest.raises(
        InvalidInput, match=re.escape("base_code: '96131' is not the base code of a ladder")
    ):
        units.ladder("96131", 60)
    with pytest.raises(InvalidInput, match="base_code: '97110'"):
        units.ladder("97110", 60)


# Psychotherapy bands (CPT): 90832 16-37, 90834 38-52, 90837 53+; with E/M 90833/90836/90838.
PSYCHOTHERAPY = [
    (0, None, None),
    (15, None, None),
    (16, "90832", "90833"),
    (37, "90832", "90833"),
    (38, "90834", "90836"),
    (52, "90834", "90836"),
    (53, "90837", "90838"),
    (90, "90837", "90838"),
]


@pytest.mark.parametrize(("minutes", "alone", "with_em"), PSYCHOTHERAPY)
def test_psychotherapy(minutes: int, alone: str | None, with_em: str | None) -> None:
    assert units.psychotherapy(minutes) == (None if alone is None else Code(alone))
    assert units.psychotherapy(minutes, with_em=True) == (
        None if with_em is None else Code(with_em)
    )


@pytest.mark.parametrize(
    ("code", "minutes", "expected"),
    [("90837", 45, 0), ("90837", 53, 1), ("90832", 15, 0), ("90834", 40, 1), ("90834", 53, 0)],
)
def test_band_codes_in_allocate(code: str, minutes: int, expected: int) -> None:
    result = units.allocate({code: minutes})
    assert result.total == expected
    assert result.lines[0].method == "band"


def test_band_mismatch_explains_the_right_code() -> None:
    assert "45 min fits 90834" in units.allocate({"90837": 45}).explain()


def test_crisis() -> None:
    assert dict(units.crisis(29)) == {}
    assert {str(c): n for c, n in units.crisis(74).items()} == {"90839": 1}
    assert {str(c): n for c, n in units.crisis(135).items()} == {"90839": 1, "90840": 3}


def test_minutes_to_next_unit() -> None:
    assert units.allocate({"97110": 33, "97140": 7}).minutes_to_next_unit == 13  # 40 -> 53
    assert units.allocate({"97110": 5}).minutes_to_next_unit == 3  # 5 -> 8
    assert units.allocate({"97110": 10}, rule="ama").minutes_to_next_unit == 13  # 10 -> 23
    assert units.allocate({"96130": 60}, rule="ama").minutes_to_next_unit == 31  # 60 -> 91
    assert units.allocate({"96130": 20}, rule="ama").minutes_to_next_unit == 11  # 20 -> 31
    assert units.allocate({"97161": 45}).minutes_to_next_unit is None
    assert units.allocate({}).minutes_to_next_unit is None
    assert units.allocate({}).total == 0


def test_explain_and_html() -> None:
    result = units.allocate({"97110": 33, "97140": 7, "97161": 40})
    text = result.explain()
    assert "Chart: 38-52 minutes -> 3 units" in text
    assert "97161: untimed (one per session) -> 1; minutes not counted" in text
    assert "Result: 97110 x2, 97140 x1, 97161 x1 (4 units)" in text
    page = result._repr_html_()
    assert page.startswith("<div class='cptkit-allocation'>")
    assert "<td>97140</td><td>7</td><td>1</td>" in page
    assert repr(result) == (
        "Allocation(rule='cms', units={'97110': 2, '97140': 1, '97161': 1}, total=4,"
        " timed_minutes=40, minutes_to_next_unit=13)"
    )
    assert "Chart: under 8 minutes" in units.allocate({"97110": 3}).explain()
    assert "nothing billable (0 units)" in units.allocate({"97110": 3}).explain()


@pytest.mark.parametrize(
    ("minutes", "error", "message"),
    [
        ({"97110": -1}, InvalidMinutes, "minutes[97110]: -1 is not a whole number of minutes >= 0"),
        ({"97110": 7.5}, InvalidMinutes, "minutes[97110]: 7.5 is not a whole number"),
        ({"97110": True}, InvalidMinutes, "minutes[97110]: True is not a whole number"),
        ({"97110": "7"}, InvalidMinutes, "minutes[97110]: '7' is not a whole number"),
        ({"9711": 7}, InvalidCode, "code: '9711' is not a CPT or HCPCS code"),
        ({97110: 7}, InvalidCode, "code: 97110 is not a CPT or HCPCS code"),
        ({"99213": 7}, UnknownCode, "code: '99213' is not in the cptkit dataset"),
        (
            {"97110": 7, " 97110": 8},
            InvalidMinutes,
            "minutes[97110]: ' 97110' is not a code given once",
        ),
        ([("97110", 7)], InvalidMinutes, "minutes: 'list' is not a mapping of codes to minutes"),
    ],
)
def test_bad_input(minutes: object, error: type[Exception], message: str) -> None:
    with pytest.raises(error, match=re.escape(message)):
        units.allocate(minutes)  # type: ignore[arg-type]


def test_bad_rule() -> None:
    with pytest.raises(InvalidInput, match=re.escape("rule: 'medicare' is not 'cms', 'ama'")):
        units.allocate({"97110": 8}, rule="medicare")  # type: ignore[arg-type]
    with pytest.raises(InvalidMinutes):
        units.psychotherapy(-5)
    with pytest.raises(InvalidMinutes):
        units.ladder("96130", 1.5)  # type: ignore[arg-type]


# --- properties -------------------------------------------------------------------------------

# The 15-minute codes the 8-minute rule pools: those on CMS's "always therapy" list (ABA,
# health behaviour and home health are 15-minute codes outside it, counted each alone).
FIFTEEN = sorted(
    str(info.code)
    for info in cptkit.catalog().codes(on="2026-01-01")
    if info.timing is cptkit.Timing.TIMED
    and info.unit_minutes == 15
    and info.therapy_list == "always"
)
visits = st.dictionaries(st.sampled_from(FIFTEEN), st.integers(0, 39), max_size=4)


# 15-minute codes off CMS's therapy list, typed out: ABA, health behaviour (to 2019), home health.
NOT_THERAPY = [
    *(f"9715{n}" for n in range(1, 9)),
    "0362T",
    "0373T",
    *(f"9615{n}" for n in range(6)),
    *("G0151", "G0152", "G0153", "G0155", "G0156", "G0157", "G0158", "G0159", "G0160", "G0161"),
]
others = st.dictionaries(st.sampled_from(NOT_THERAPY), st.integers(0, 39), max_size=3)


@given(visits, others)
def test_codes_off_the_therapy_list_leave_the_pool_alone(
    minutes: dict[str, int], more: dict[str, int]
) -> None:
    # Under the 8-minute rule the therapy codes' units do not change when other 15-minute
    # codes are billed the same day, and those take the CPT rule's units, each alone.
    both = units.allocate({**minutes, **more}).units
    assert {code: n for code, n in both.items() if str(code) in minutes} == dict(
        units.allocate(minutes).units
    )
    alone = units.allocate(more, rule="ama").units
    assert {code: n for code, n in both.items() if str(code) in more} == dict(alone)


@given(visits)
def test_cms_total_is_the_chart_row(minutes: dict[str, int]) -> None:
    result = units.allocate(minutes)
    assert result.total == chart(sum(minutes.values()))
    assert result.timed_minutes == sum(minutes.values())


@given(visits)
def test_cms_whole_blocks_first_and_at_most_one_extra(minutes: dict[str, int]) -> None:
    result = units.allocate(minutes)
    for code, count in minutes.items():
        got = result.units.get(Code(code), 0)
        assert count // 15 <= got <= count // 15 + 1


@given(visits, st.sampled_from(FIFTEEN), st.integers(1, 20), st.sampled_from(["cms", "ama"]))
def test_more_minutes_never_fewer_units(
    minutes: dict[str, int], code: str, more: int, rule: str
) -> None:
    before = units.allocate(minutes, rule=rule).total  # type: ignore[arg-type]
    bigger = {**minutes, code: minutes.get(code, 0) + more}
    assert units.allocate(bigger, rule=rule).total >= before  # type: ignore[arg-type]


@given(visits, st.randoms(use_true_random=False), st.sampled_from(["cms", "ama"]))
def test_order_does_not_matter(minutes: dict[str, int], random: object, rule: str) -> None:
    items = list(minutes.items())
    random.shuffle(items)  # type: ignore[attr-defined]
    assert units.allocate(dict(items), rule=rule) == units.allocate(minutes, rule=rule)  # type: ignore[arg-type]


@given(visits, st.sampled_from(FIFTEEN), st.integers(0, 60))
def test_ama_is_per_code(minutes: dict[str, int], other: str, count: int) -> None:
    alone = units.allocate(minutes, rule="ama")
    with_other = units.allocate({other: count, **minutes}, rule="ama")
    for code in minutes:
        assert alone.units.get(Code(code), 0) == with_other.units.get(Code(code), 0)


@given(st.integers(0, 400))
def test_ama_midpoint_table(count: int) -> None:
    # the nth 15-minute unit needs 15(n-1) + 8 minutes (typed from the CPT rule)
    expected = 0 if count < 8 else (count - 8) // 15 + 1
    assert units.allocate({"97110": count}, rule="ama").total == expected


# --- the assignment step itself (cptkit's documented tie-break) -------------------------------
from cptkit.units import _rules  # noqa: E402


@pytest.mark.parametrize(
    ("minutes", "unbilled", "expected_units", "expected_extra", "expected_tied"),
    [
        ([("97110", 33), ("97140", 7)], 0, [2, 1], [0, 1], ()),  # 7 left over beats 3
        # tie at 7: cptkit gives it to more total minutes; both are the clinician's choice
        ([("97110", 22), ("97140", 7)], 0, [2, 0], [1, 0], (0, 1)),
        ([("97112", 7), ("97110", 7)], 0, [0, 1], [0, 1], (1, 0)),  # full tie: lower code
        # CMS Example 2: 20 + 20 = 40 min, 3 units; 5 and 5 left over tie for the third
        ([("97112", 20), ("97110", 20)], 0, [1, 2], [0, 1], (1, 0)),
        # CMS Example 1: 24 + 23 = 47 min, 3 units; 9 left over beats 8: no tie
        ([("97112", 24), ("97110", 23)], 0, [2, 1], [1, 0], ()),
        # 14 + 14 + 3 = 31 min, 2 units: both 14s take one, the 3 none: no tie
        ([("97110", 14), ("97140", 14), ("97530", 3)], 0, [1, 1, 0], [1, 1, 0], ()),
        # 22 + 22 + 18 = 62 min, 4 units: 3 whole, the fourth to either 7 left over
        ([("97110", 22), ("97140", 22), ("97530", 18)], 0, [2, 1, 1], [1, 0, 0], (0, 1)),
        # CMS Example 5: 7 + 7 + 7 = 21 min, 1 unit, to any of the three
        ([("97110", 7), ("97140", 7), ("97530", 7)], 0, [1, 0, 0], [1, 0, 0], (0, 1, 2)),
        ([("97110", 30)], 0, [2], [0], ()),  # whole units only, no leftover unit
        ([], 0, [], [], ()),
        # CMS Example 5 billed on one line: 7 billed + 14 unbilled = 21 min, 1 unit
        ([("97110", 7)], 14, [1], [1], ()),
        # 15 billed + 14 unbilled = 29 min, 2 units: 97110 has nothing left over to take one
        ([("97110", 15)], 14, [1], [0], ()),
        ([("97110", 5)], 0, [0], [0], ()),  # under 8 minutes
    ],
)
def test_cms_assign(
    minutes: list[tuple[str, int]],
    unbilled: int,
    expected_units: list[int],
    expected_extra: list[int],
    expected_tied: tuple[int, ...],
) -> None:
    assert _rules.cms_assign(minutes, unbilled=unbilled) == (
        expected_units,
        expected_extra,
        expected_tied,
    )


@pytest.mark.parametrize(
    ("units", "extra", "tied", "billed", "expected"),
    [
        ([1, 2], [0, 1], (1, 0), [2, 1], [2, 1]),  # CMS Example 2, the other choice
        ([1, 2], [0, 1], (1, 0), [1, 2], [1, 2]),  # cptkit's own choice
        ([1, 2], [0, 1], (1, 0), [2, 2], [1, 2]),  # 4 units: the first in cptkit's order
        ([1, 2], [0, 1], (1, 0), [1, 1], [1, 2]),  # 2 units: cptkit's choice is the nearest
        ([2, 0], [1, 0], (0, 1), [1, 1], [1, 1]),  # 22 + 7 billed 1/1
        ([1, 1, 0], [1, 1, 0], (0, 1, 2), [0, 1, 1], [0, 1, 1]),
        ([5, 1, 1, 0], [0, 1, 1, 0], (1, 2, 3), [4, 0, 1, 1], [5, 0, 1, 1]),  # 5 is untied
    ],
)
def test_choose(
    units: list[int],
    extra: list[int],
    tied: tuple[int, ...],
    billed: list[int],
    expected: list[int],
) -> None:
    assert _rules.choose(units, extra, tied, billed) == expected


def test_tie_break_through_allocate() -> None:
    result = units.allocate({"97140": 7, "97110": 22})
    assert {str(c): n for c, n in result.units.items()} == {"97110": 2}
    assert [line.extra for line in result.lines] == [True, False]
    assert result.tie == (Code("97110"), Code("97140"))
    assert "Tie at 7 min left over between 97110, 97140: 1 leftover unit may go to any" in (
        result.explain()
    )
    assert [dict(option) for option in result.alternatives] == [
        {Code("97110"): 2},
        {Code("97110"): 1, Code("97140"): 1},
    ]
    assert result.allows({"97110": 1, "97140": 1})
    assert result.allows({Code("97110"): 2, Code("97140"): 0})
    assert not result.allows({"97110": 2, "97140": 1})
    assert not result.allows({"97140": 2})


# CMS Pub. 100-04 ch. 5 sec. 20.2 examples, typed out: minutes per code, unbilled minutes,
# then every allocation the manual accepts.
CMS_TIE_EXAMPLES: list[tuple[dict[str, int], int, list[dict[str, int]]]] = [
    # Example 1: 24 min 97112 + 23 min 97110 = 47 min, 3 units: 2 x 97112, 1 x 97110
    ({"97112": 24, "97110": 23}, 0, [{"97112": 2, "97110": 1}]),
    # Example 2: 20 + 20 = 40 min, 3 units; the time is the same, so either code takes 2
    ({"97112": 20, "97110": 20}, 0, [{"97110": 2, "97112": 1}, {"97110": 1, "97112": 2}]),
    # Example 3: 33 min 97110 + 7 min 97140 = 40 min, 3 units: 2 x 97110, 1 x 97140
    ({"97110": 33, "97140": 7}, 0, [{"97110": 2, "97140": 1}]),
    # Example 5 on one line: 7 + 7 + 7 = 21 min, 1 unit, the other 14 minutes unbilled
    ({"97110": 7}, 14, [{"97110": 1}]),
    # Example 5 with all three codes given: any one of them takes the unit
    (
        {"97032": 7, "97035": 7, "97110": 7},
        0,
        [{"97032": 1}, {"97035": 1}, {"97110": 1}],
    ),
]


@pytest.mark.parametrize(("minutes", "unbilled", "accepted"), CMS_TIE_EXAMPLES)
def test_cms_examples_every_choice(
    minutes: dict[str, int], unbilled: int, accepted: list[dict[str, int]]
) -> None:
    result = units.allocate(minutes, unbilled_minutes=unbilled)
    got = [{str(code): count for code, count in option.items()} for option in result.alternatives]
    assert sorted(got, key=sorted) == sorted(accepted, key=sorted)
    for option in accepted:
        assert result.allows(option)


# 97129/97130 join the Medicare pool as one code (first unit 97129, the rest 97130); under the
# CPT rule they stay a ladder judged alone.
COGNITIVE = [
    ({"97129": 15, "97130": 15}, "cms", [{"97129": 1, "97130": 1}]),
    ({"97129": 8}, "cms", [{"97129": 1}]),
    ({"97129": 7}, "cms", [{}]),
    ({"97110": 10, "97129": 10}, "cms", [{"97110": 1}, {"97129": 1}]),
    ({"97110": 10, "97129": 10}, "ama", [{"97110": 1, "97129": 1}]),
    ({"97110": 20, "97129": 15, "97130": 10}, "cms", [{"97110": 1, "97129": 1, "97130": 1}]),
    # 22 + 7 of the family: 2 units; 7 and 7 left over tie: 2 to the family or 1 and 1
    (
        {"97110": 7, "97129": 15, "97130": 7},
        "cms",
        [{"97129": 1, "97130": 1}, {"97110": 1, "97129": 1}],
    ),
]


@pytest.mark.parametrize(("minutes", "rule", "accepted"), COGNITIVE)
def test_cognitive_family(
    minutes: dict[str, int], rule: str, accepted: list[dict[str, int]]
) -> None:
    result = units.allocate(minutes, rule=rule)  # type: ignore[arg-type]
    got = [{str(code): count for code, count in option.items()} for option in result.alternatives]
    assert sorted(got, key=sorted) == sorted(accepted, key=sorted)
    assert all(result.allows(option) for option in accepted)
    assert result.closest({"97110": 9}) in result.alternatives


def test_cognitive_family_explained() -> None:
    text = units.allocate({"97110": 7, "97129": 15, "97130": 7}).explain()
    assert "97129: 22 min = 1 whole 15-minute unit, 7 min left over" in text
    assert "Tie at 7 min left over between 97110, 97129" in text
    assert "97130: the 97129/97130 family's units after the first" in text
    assert "Result: 97129 x1, 97130 x1 (2 units)" in text


def test_unbilled_minutes_in_the_explanation() -> None:
    result = units.allocate({"97110": 7}, unbilled_minutes=14)
    assert result.timed_minutes == 21
    assert "97110 7 + unbilled 14 = 21" in result.explain()
    assert units.allocate({"97110": 7}, unbilled_minutes=14, rule="ama").timed_minutes == 7


@pytest.mark.parametrize("bad", [-1, 1.5, True, "7"])
def test_unbilled_minutes_must_be_minutes(bad: object) -> None:
    with pytest.raises(InvalidMinutes, match="unbilled_minutes"):
        units.allocate({"97110": 7}, unbilled_minutes=bad)  # type: ignore[arg-type]


@given(visits, st.integers(0, 40))
def test_the_pick_is_among_the_alternatives(minutes: dict[str, int], unbilled: int) -> None:
    result = units.allocate(minutes, unbilled_minutes=unbilled)
    assert result.alternatives[0] == result.units
    assert all(sum(option.values()) == result.total for option in result.alternatives)
    assert all(result.allows(option) for option in result.alternatives)
    assert len({tuple(option.items()) for option in result.alternatives}) == len(
        result.alternatives
    )


def test_pretty_text_is_the_explanation() -> None:
    result = units.allocate({"97110": 33, "97140": 7})
    shown: list[str] = []

    class Printer:
        def text(self, value: str) -> None:
            shown.append(value)

    result._repr_pretty_(Printer(), False)
    assert shown == [result.explain()]


@pytest.mark.parametrize(
    ("minutes", "unit", "more"),
    # CPT midpoint rule: a 15-minute unit from 8 minutes, the next from 23; a 30-minute unit
    # from 16; a 60-minute unit from 31, the next from 91.
    [(7, 15, 1), (8, 15, 15), (22, 15, 1), (15, 30, 1), (16, 30, 30), (31, 60, 60), (90, 60, 1)],
)
def test_minutes_to_the_next_midpoint_unit(minutes: int, unit: int, more: int) -> None:
    from cptkit.units import _rules

    assert _rules.midpoint_next(minutes, unit) == more


@pytest.mark.parametrize(
    ("minutes", "applied"),
    [
        # CMS Pub. 100-04 ch. 5 sec. 20.2 pools the 15-minute therapy codes only; the others
        # are counted by CPT's time conventions (bands, ladders, the midpoint rule).
        ({"97110": 33, "97140": 7}, "Medicare 8-minute rule"),
        ({"90834": 45}, "CPT time bands"),
        ({"96130": 91}, "CPT time instructions"),
        ({"97161": 45}, "untimed"),
        ({"97110": 10, "98960": 16}, "Medicare 8-minute rule; CPT time rule"),
    ],
)
def test_an_allocation_names_the_rules_it_counted_by(minutes: dict[str, int], applied: str) -> None:
    allocation = units.allocate(minutes)
    assert allocation.rules_applied == applied
    first = allocation.explain().splitlines()[0]
    if "Medicare 8-minute rule" in applied:
        assert first.startswith("Rule: Medicare 8-minute rule (CMS Pub. 100-04")
    else:
        assert first == (
            "Rule: Medicare, with no 15-minute therapy codes to pool under the 8-minute rule:"
            f" {applied}"
        )
