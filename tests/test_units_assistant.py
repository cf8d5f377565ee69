# SPDX-License-Identifier: MIT
"""units.assistant_modifier: the CQ/CO de minimis standard (CY2020 and CY2022 PFS final rules).

The tables are typed from the sources named on each row; where a source's conclusion is
the CY2022 final-unit rule applied to its numbers, the row says so.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cptkit import InvalidMinutes
from cptkit.units import AssistantUnits, assistant_modifier

# (therapist minutes, assistant minutes, units or None, timed, with CQ/CO, without, source)
EXAMPLES = [
    # CY2022 proposed-rule example A as reproduced by therapycomply.com ("PTA 10 minutes of
    # 97110, PT 5 minutes; 15 minutes, one unit; bill it with CQ").
    (5, 10, None, True, 1, 0, "CY2022 rule example A: PTA 10 + PT 5 of 97110"),
    # CMS "Billing Examples Using CQ/CO Modifiers", scenario 1 (97110: PTA 23, PT 13; 36
    # minutes, two units): the PTA's whole 15 minutes are one unit with CQ; the PT's 13
    # left-over minutes (8 or more) bill the other unit without it (CY2022 final-unit rule).
    (13, 23, 2, True, 1, 1, "CMS billing examples, scenario 1"),
    # CY2022 final rule: two units left to bill with the PT and the PTA each furnishing
    # 9-14 minutes: one unit with the modifier and one without.
    (9, 14, None, True, 1, 1, "CY2022 final rule, two units left, 9-14 minutes each"),
    (14, 9, None, True, 1, 1, "CY2022 final rule, two units left, 9-14 minutes each"),
    # CY2022 final rule: the PTA furnishes 8 or more minutes of the final unit and the PT
    # less than 8: the unit carries the modifier.
    (7, 8, None, True, 1, 0, "CY2022 final rule, PTA 8+ of the final unit, PT under 8"),
    # The PT alone furnishes 8 or more minutes of the final unit: billed without it.
    (8, 7, None, True, 0, 1, "CY2022 final rule, PT 8+ of the final unit"),
    # In whole: only one clinician furnished the service.
    (0, 30, None, True, 2, 0, "in whole by the PTA"),
    (30, 0, None, True, 0, 2, "in whole by the PT"),
    # Untimed services (evaluations, supervised modalities, group): 10 % of the service.
    # CY2020 rule: 10 % or less is de minimis; more than 10 % needs the modifier.
    (27, 3, None, False, 0, 1, "untimed: 3 of 30 minutes = 10 %, not more"),
    (26, 4, None, False, 1, 0, "untimed: 4 of 30 minutes > 10 %"),
]


@pytest.mark.parametrize(
    ("therapist", "assistant", "units", "timed", "with_", "without", "source"),
    EXAMPLES,
)
def test_examples(
    therapist: int,
    assistant: int,
    units: int | None,
    timed: bool,
    with_: int,
    without: int,
    source: str,
) -> None:
    split = assistant_modifier(therapist, assistant, units=units, timed=timed)
    assert (split.with_modifier, split.without_modifier) == (with_, without), source
    assert split.modifier_needed is (with_ > 0)


# Both clinicians under 8 minutes of the final unit: the CY2020 10 % standard on the unit's
# minutes (CY2022 final rule: it still applies in this case).
TEN_PERCENT = [
    (7, 0, 0, 0),  # 7 minutes alone bill no unit at all
    (7, 1, 1, 0),  # 1 of 8 minutes = 12.5 %: more than 10 %
    (4, 4, 1, 0),  # 4 of 8 = 50 %
    (6, 2, 1, 0),  # 2 of 8 = 25 %
]


@pytest.mark.parametrize(("therapist", "assistant", "with_", "without"), TEN_PERCENT)
def test_final_unit_under_eight_minutes_each(
    therapist: int, assistant: int, with_: int, without: int
) -> None:
    split = assistant_modifier(therapist, assistant)
    assert (split.with_modifier, split.without_modifier) == (with_, without)


def test_a_final_unit_of_therapist_minutes_under_eight() -> None:
    # 7 minutes of this code still get a unit when the day's pooling gives it one
    split = assistant_modifier(7, 0, units=1)
    assert (split.with_modifier, split.without_modifier) == (0, 1)
    assert "0 of 7 minutes, 10% or less" in split.explain()


def test_units_given_by_the_days_pooling() -> None:
    # 97110 with 15 + 15 minutes, but the day's 8-minute rule leaves it one unit: the
    # assistant's whole unit is counted first (the cautious reading).
    split = assistant_modifier(15, 15, units=1)
    assert (split.with_modifier, split.without_modifier) == (1, 0)
    assert "counted first" in split.explain()


def test_explain_names_the_steps() -> None:
    text = assistant_modifier(13, 23).explain()
    assert text.splitlines() == [
        "13 therapist + 23 assistant minutes, 2 unit(s) billed",
        "whole 15-minute units: 0 by the therapist, 1 by the assistant",
        "1 unit(s) left: the therapist alone furnished 13 of its minutes (8 or more):"
        " billed without the modifier",
        "Result: 1 unit(s) with CQ/CO, 1 without",
    ]


@pytest.mark.parametrize(
    ("args", "field"),
    [
        ((-1, 5), "therapist_minutes"),
        ((5, 2.5), "assistant_minutes"),
        ((5, True), "assistant_minutes"),
    ],
)
def test_bad_minutes(args: tuple[object, object], field: str) -> None:
    with pytest.raises(InvalidMinutes, match=re.escape(f"{field}: ")):
        assistant_modifier(*args)  # type: ignore[arg-type]


def test_bad_units() -> None:
    with pytest.raises(InvalidMinutes, match=re.escape("units: -1 is not")):
        assistant_modifier(10, 10, units=-1)


minutes = st.integers(min_value=0, max_value=120)


@given(minutes, minutes, st.booleans())
def test_every_unit_is_split(therapist: int, assistant: int, timed: bool) -> None:
    split = assistant_modifier(therapist, assistant, timed=timed)
    total = (therapist + assistant + 7) // 15 if timed else 1
    assert split.with_modifier + split.without_modifier == total
    assert isinstance(split, AssistantUnits)


@given(minutes, minutes, st.booleans())
def test_no_assistant_minutes_no_modifier(therapist: int, assistant: int, timed: bool) -> None:
    assert assistant_modifier(therapist, 0, timed=timed).with_modifier == 0
    if assistant >= 8:
        assert not assistant_modifier(0, assistant, timed=timed).without_modifier


@given(minutes, minutes)
def test_more_assistant_minutes_never_fewer_modifier_units(therapist: int, assistant: int) -> None:
    fewer = assistant_modifier(therapist, assistant).with_modifier
    assert assistant_modifier(therapist, assistant + 1).with_modifier >= fewer
