# SPDX-License-Identifier: MIT
from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cptkit import Diagnosis, InvalidDiagnosis
from cptkit import strategies as cst


@pytest.mark.parametrize(
    ("text", "value", "shown"),
    [
        ("F84.0", "F840", "F84.0"),
        ("f840", "F840", "F84.0"),
        ("M54.50", "M5450", "M54.50"),
        ("R48.8", "R488", "R48.8"),
        ("Z00", "Z00", "Z00"),
        ("S43.401A", "S43401A", "S43.401A"),
        (" F90.2 ", "F902", "F90.2"),
        ("U07.1", "U071", "U07.1"),
        ("qa0.0101", "QA00101", "QA0.0101"),  # FY2026: QA0 is the one letter-second category
        ("QA0", "QA0", "QA0"),
    ],
)
def test_parse_valid(text: str, value: str, shown: str) -> None:
    diagnosis = Diagnosis.parse(text)
    assert diagnosis.value == value
    assert str(diagnosis) == shown
    assert Diagnosis.parse(shown) == diagnosis == Diagnosis(value)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "F8",
        "84.0",
        "FF4.0",
        "QB0.1",
        "AA0",
        "QA.01",
        "F84.",
        "F84..0",
        "F8.40",
        "F84.00000",
        "S43401AB",
        "F84.0\n",
        "Ｆ84.0",
        "F٨4",
    ],
)
def test_parse_invalid(text: str) -> None:
    with pytest.raises(InvalidDiagnosis, match=re.escape(f"diagnosis: {text!r} is not an ICD-10")):
        Diagnosis.parse(text)
    assert not Diagnosis.is_valid(text)


def test_constructor_takes_the_form_without_dot() -> None:
    with pytest.raises(InvalidDiagnosis):
        Diagnosis("F84.0")


@given(cst.diagnoses())
def test_roundtrip(diagnosis: Diagnosis) -> None:
    assert Diagnosis.parse(str(diagnosis)) == diagnosis
    assert Diagnosis.parse(diagnosis.value) == diagnosis


@given(
    st.one_of(
        cst.diagnoses().map(str),
        cst.diagnoses().map(lambda d: f" {str(d).lower()}\t"),
        st.text("ABCFZ0123456789.", max_size=9),
    )
)
def test_is_valid_agrees_with_parse(text: str) -> None:
    try:
        Diagnosis.parse(text)
    except InvalidDiagnosis:
        assert not Diagnosis.is_valid(text)
    else:
        assert Diagnosis.is_valid(text)
