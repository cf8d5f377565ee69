# SPDX-License-Identifier: MIT
from __future__ import annotations

import copy
import datetime
import re
from decimal import Decimal
from typing import Any

import attrs
import pytest
from hypothesis import given

from cptkit import (
    Claim,
    ClaimLine,
    Code,
    Diagnosis,
    InvalidClaim,
    InvalidClaimLine,
    Modifier,
    PlaceOfService,
)
from cptkit import strategies as cst

BASE: dict[str, Any] = {"code": "97110", "units": 2, "date_of_service": "2026-03-02"}


def test_plain_values_are_converted() -> None:
    line = ClaimLine(
        code="97110",
        units=2,
        modifiers=["GP"],
        date_of_service="2026-03-02",
        place_of_service="11",
        minutes=33,
        diagnosis_pointers=[1, 2],
        charge="125.00",
    )
    assert line.code == Code("97110")
    assert line.modifiers == (Modifier("GP"),)
    assert line.date_of_service == datetime.date(2026, 3, 2)
    assert line.place_of_service == PlaceOfService("11")
    assert line.minutes == 33
    assert line.diagnosis_pointers == (1, 2)
    assert line.charge == Decimal("125.00")


def test_defaults() -> None:
    line = ClaimLine(**BASE)
    assert line.modifiers == ()
    assert line.place_of_service is None
    assert line.minutes is None
    assert line.diagnosis_pointers == ()
    assert line.charge is None


def test_built_values_pass_through() -> None:
    code = Code("97112")
    line = ClaimLine(code=code, units=1, date_of_service=datetime.date(2026, 1, 5), charge=0)
    assert line.code is code
    assert line.charge == Decimal(0)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("code", "9711", "code: '9711' is not a CPT or HCPCS code"),
        ("code", 97110, "code: 97110 is not a CPT or HCPCS code"),
        ("units", 0, "units: 0 is not an int >= 1"),
        ("units", -1, "units: -1 is not an int >= 1"),
        ("units", True, "units: True is not an int >= 1"),
        ("units", 2.0, "units: 2.0 is not an int >= 1"),
        ("units", 1.5, "units: 1.5 is not an int >= 1"),
        ("units", "2", "units: '2' is not an int >= 1"),
        ("date_of_service", "2026-02-30", "date_of_service: '2026-02-30' is not a date"),
        ("date_of_service", "20260302", "date_of_service: '20260302' is not a date"),
        ("date_of_service", "2026-03-02\n", "date_of_service: '2026-03-02\\n' is not a date"),
        (
            "date_of_service",
            datetime.datetime(2026, 3, 2, 10, 0),
            "date_of_service: datetime.datetime(2026, 3, 2, 10, 0) is not a date",
        ),
        ("modifiers", "GP", "modifiers: 'GP' is not a list of modifier values"),
        ("modifiers", ["GPX"], "modifiers: 'GPX' is not a modifier"),
        ("modifiers", 5, "modifiers: 5 is not a list of modifier values"),
        ("place_of_service", "2", "place_of_service: '2' is not a place of service"),
        ("place_of_service", 11, "place_of_service: 11 is not a place of service"),
        ("minutes", -1, "minutes: -1 is not an int >= 0"),
        ("minutes", 7.5, "minutes: 7.5 is not an int >= 0"),
        ("minutes", False, "minutes: False is not an int >= 0"),
        ("diagnosis_pointers", [0], "diagnosis_pointers: 0 is not an int 1-12"),
        ("diagnosis_pointers", [13], "diagnosis_pointers: 13 is not an int 1-12"),
        ("diagnosis_pointers", [True], "diagnosis_pointers: True is not an int 1-12"),
        ("diagnosis_pointers", "12", "diagnosis_pointers: '12' is not a list of ints 1-12"),
        ("charge", 1.5, "charge: 1.5 is not an amount >= 0"),
        ("charge", "-1", "charge: '-1' is not an amount >= 0"),
        ("charge", Decimal("NaN"), "charge: Decimal('NaN') is not an amount >= 0"),
        ("charge", Decimal("-0.01"), "charge: Decimal('-0.01') is not an amount >= 0"),
        ("charge", "1e3", "charge: '1e3' is not an amount >= 0"),
        ("charge", -5, "charge: -5 is not an amount >= 0"),
    ],
)
def test_invalid_line_fields(field: str, value: object, message: str) -> None:
    with pytest.raises(InvalidClaimLine, match=re.escape(message)) as info:
        ClaimLine(**{**BASE, field: value})
    assert info.value.field == field
    assert "\n" not in str(info.value)


def test_messages_name_only_the_offending_value() -> None:
    with pytest.raises(InvalidClaimLine) as info:
        ClaimLine(**{**BASE, "charge": "secret-patient-note", "minutes": 44})
    assert "97110" not in str(info.value)
    assert "44" not in str(info.value)


def test_line_is_immutable_and_hashable() -> None:
    line = ClaimLine(**BASE, modifiers=["GP"])
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        line.units = 3  # type: ignore[misc]
    assert hash(line) == hash(ClaimLine(**BASE, modifiers=[Modifier("GP")]))
    assert attrs.evolve(line, units=3).units == 3
    assert copy.copy(line) == line


def test_claim() -> None:
    line = ClaimLine(**BASE, diagnosis_pointers=[1])
    claim = Claim(lines=[line], diagnoses=["F84.0"], place_of_service="11", payer="Medicare")
    assert claim.lines == (line,)
    assert claim.diagnoses == (Diagnosis("F840"),)
    assert claim.place_of_service_for(0) == PlaceOfService("11")
    own = Claim(
        lines=[attrs.evolve(line, place_of_service=PlaceOfService("02"))], diagnoses=["F840"]
    )
    assert own.place_of_service_for(0) == PlaceOfService("02")


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"lines": []}, "lines: [] is not a non-empty list of ClaimLine"),
        ({"lines": "x"}, "lines: 'x' is not a list of ClaimLine"),
        ({"lines": [{"code": "97110"}]}, "lines: 'dict' is not a ClaimLine"),
        ({"diagnoses": []}, "diagnoses: 0 is not a count of diagnoses from 1 to 12"),
        ({"diagnoses": ["F840"] * 13}, "diagnoses: 13 is not a count of diagnoses from 1 to 12"),
        ({"diagnoses": ["F84,0"]}, "diagnoses: 'F84,0' is not an ICD-10-CM code"),
        ({"place_of_service": "00"}, "place_of_service: '00' is not a place of service"),
        ({"payer": ""}, "payer: '' is not a non-empty one-line text or None"),
        ({"claim_id": "a\nb"}, "claim_id: 'a\\nb' is not a non-empty one-line text or None"),
        ({"claim_id": 7}, "claim_id: 7 is not a non-empty one-line text or None"),
    ],
)
def test_invalid_claim_fields(changes: dict[str, Any], message: str) -> None:
    fields: dict[str, Any] = {"lines": [ClaimLine(**BASE)], "diagnoses": ["F840"], **changes}
    with pytest.raises(InvalidClaim, match=re.escape(message)):
        Claim(**fields)


@given(cst.claim_lines())
def test_evolve_roundtrip(line: ClaimLine) -> None:
    assert attrs.evolve(line) == line
    assert hash(attrs.evolve(line)) == hash(line)


@given(cst.claims())
def test_claims_hashable(claim: Claim) -> None:
    assert hash(claim) == hash(attrs.evolve(claim))
