# SPDX-License-Identifier: MIT
from __future__ import annotations

import json
from typing import Any

import cattrs
import pytest
from hypothesis import given

from cptkit import (
    Claim,
    ClaimLine,
    Code,
    CptkitError,
    Diagnosis,
    InvalidRecord,
    Modifier,
    PlaceOfService,
)
from cptkit import strategies as cst
from cptkit.serialization import configure_converter, make_converter, structure, unstructure

GOOD_LINE: dict[str, Any] = {
    "code": "97110",
    "units": 2,
    "date_of_service": "2026-03-02",
    "modifiers": ["GP"],
    "place_of_service": "11",
    "minutes": 33,
    "diagnosis_pointers": [1],
    "charge": "125.00",
}


def test_unstructure_is_json_ready() -> None:
    line = structure(GOOD_LINE, ClaimLine)
    data = unstructure(line)
    assert data == GOOD_LINE
    assert json.loads(json.dumps(data)) == data


def test_fresh_converters_and_global_untouched() -> None:
    assert make_converter() is not make_converter()
    line = structure(GOOD_LINE, ClaimLine)
    assert cattrs.unstructure(line.code) == {"value": "97110"}  # global converter untouched


def test_configure_own_converter() -> None:
    converter = cattrs.Converter()
    configure_converter(converter)
    assert converter.unstructure(Code("97110")) == "97110"
    assert converter.structure("gp", Modifier) == Modifier("GP")


@pytest.mark.parametrize(
    ("cls", "text"),
    [(Code, "97110"), (Modifier, "GP"), (PlaceOfService, "11"), (Diagnosis, "F84.0")],
)
def test_shaped_values(cls: type[Any], text: str) -> None:
    value = cls.parse(text)
    assert unstructure(value) == text
    assert structure(text, cls) == value


def test_every_bad_field_is_named() -> None:
    bad = {
        "lines": [
            {**GOOD_LINE, "code": "9711", "units": 0, "extra": 1},
            {**GOOD_LINE, "units": "2", "minutes": -1, "diagnosis_pointers": [13]},
            {**GOOD_LINE, "charge": 1.5, "date_of_service": "2026-13-01", "modifiers": ["GPX"]},
        ],
        "diagnoses": ["F84,0"],
        "payer": 5,
    }
    with pytest.raises(InvalidRecord) as info:
        structure(bad, Claim)
    paths = [path for path, _ in info.value.problems]
    assert paths == [
        "$.lines[0].code",
        "$.lines[0].units",
        "$.lines[0]",
        "$.lines[1].units",
        "$.lines[1].minutes",
        "$.lines[1].diagnosis_pointers",
        "$.lines[2].date_of_service",
        "$.lines[2].modifiers[0]",
        "$.lines[2].charge",
        "$.diagnoses[0]",
        "$.payer",
    ]
    assert isinstance(info.value, ValueError)
    assert "\n" not in str(info.value)
    assert "extra fields found (extra)" in str(info.value)


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (None, ("$", "expected an object (dict), got NoneType")),
        ([], ("$", "expected an object (dict), got list")),
        ({"code": "97110"}, ("$.units", "required field missing")),
        ({**GOOD_LINE, "units": True}, ("$.units", "True is not an int >= 1")),
        (
            {**GOOD_LINE, "diagnosis_pointers": "1"},
            ("$.diagnosis_pointers", "'1' is not a list of ints 1-12"),
        ),
        (
            {**GOOD_LINE, "diagnosis_pointers": {}},
            ("$.diagnosis_pointers", "{} is not a list of ints 1-12"),
        ),
        ({**GOOD_LINE, "modifiers": "GP"}, ("$.modifiers", "'GP' is not a list of Modifier")),
        (
            {**GOOD_LINE, "modifiers": ["GP", 5]},
            ("$.modifiers[1]", "5 is not a modifier (expected 2 ASCII letters or digits)"),
        ),
    ],
)
def test_bad_line_documents(data: object, problem: tuple[str, str]) -> None:
    with pytest.raises(InvalidRecord) as info:
        structure(data, ClaimLine)
    assert problem in info.value.problems


def test_constructor_errors_become_records() -> None:
    with pytest.raises(InvalidRecord, match="non-empty list of ClaimLine"):
        structure({"lines": [], "diagnoses": ["F840"]}, Claim)


def test_non_cptkit_errors_never_escape() -> None:
    for data in ({"lines": None, "diagnoses": None}, {"lines": [None], "diagnoses": [1]}, "x", 1):
        with pytest.raises(CptkitError):
            structure(data, Claim)


@given(cst.claim_lines())
def test_line_roundtrip(line: ClaimLine) -> None:
    data = unstructure(line)
    assert json.loads(json.dumps(data)) == data
    assert structure(data, ClaimLine) == line


@given(cst.claims())
def test_claim_roundtrip(claim: Claim) -> None:
    assert structure(json.loads(json.dumps(unstructure(claim))), Claim) == claim


@given(cst.codes(), cst.modifiers(), cst.places_of_service(), cst.diagnoses())
def test_value_roundtrips(
    code: Code, modifier: Modifier, place: PlaceOfService, diagnosis: Diagnosis
) -> None:
    for value in (code, modifier, place, diagnosis):
        assert structure(unstructure(value), type(value)) == value


@pytest.mark.parametrize(
    ("data", "type_", "problem"),
    [
        (1, dict[str, Code], ("$", "expected a mapping")),
        ("x", int, ("$", "'x' is not an int")),
        (True, int, ("$", "True is not an int")),
        (5, str, ("$", "5 is not a str")),
        ("9711", Code, ("$", "'9711' is not a CPT or HCPCS code")),
        ([1], list[Code], ("$[0]", "1 is not a CPT or HCPCS code")),
    ],
)
def test_bare_values(data: object, type_: Any, problem: tuple[str, str]) -> None:
    with pytest.raises(InvalidRecord) as info:
        structure(data, type_)
    ((path, message),) = info.value.problems
    assert path == problem[0]
    assert message.startswith(problem[1])


def test_strict_int_passes_ints() -> None:
    assert structure(5, int) == 5
