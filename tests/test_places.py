# SPDX-License-Identifier: MIT
from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

import cptkit
from cptkit import InvalidPlaceOfService, PlaceOfService
from cptkit import strategies as cst


@pytest.mark.parametrize("text", ["01", "02", "10", "11", " 12 ", "99"])
def test_parse_valid(text: str) -> None:
    assert str(PlaceOfService.parse(text)) == text.strip()
    assert PlaceOfService.is_valid(text)


@pytest.mark.parametrize("text", ["", "00", "2", "011", "1 1", "AB", "１１", "11\n", "-1", "1²"])
def test_parse_invalid(text: str) -> None:
    expected = re.escape(f"place_of_service: {text!r} is not a place of service")
    with pytest.raises(InvalidPlaceOfService, match=expected):
        PlaceOfService.parse(text)
    assert not PlaceOfService.is_valid(text)


def test_numbers_are_not_places() -> None:
    assert not PlaceOfService.is_valid(11)
    with pytest.raises(InvalidPlaceOfService):
        PlaceOfService.parse(11)  # type: ignore[arg-type]


@given(cst.places_of_service())
def test_roundtrip(place: PlaceOfService) -> None:
    assert PlaceOfService.parse(str(place)) == place


@given(
    st.one_of(
        cst.places_of_service().map(str),
        cst.places_of_service().map(lambda p: f" {p}\t"),
        st.text(max_size=3),
    )
)
def test_is_valid_agrees_with_parse(text: str) -> None:
    try:
        PlaceOfService.parse(text)
    except InvalidPlaceOfService:
        assert not PlaceOfService.is_valid(text)
    else:
        assert PlaceOfService.is_valid(text)


@pytest.mark.parametrize(
    ("text", "telehealth"), [("02", True), ("10", True), ("11", False), ("12", False)]
)
def test_telehealth_places(text: str, telehealth: bool) -> None:
    assert PlaceOfService(text).telehealth is telehealth


# Names as the CMS Place of Service code set writes them (typed from it; cptkit writes the
# apostrophe as ASCII).
NAMES = [
    ("02", "Telehealth Provided Other than in Patient's Home"),
    ("10", "Telehealth Provided in Patient's Home"),
    ("11", "Office"),
    ("12", "Home"),
    ("54", "Intermediate Care Facility/Individuals with Intellectual Disabilities"),
    ("66", "Programs of All-Inclusive Care for the Elderly (PACE) Center"),
]


@pytest.mark.parametrize(("code", "name"), NAMES)
def test_places_are_named_as_cms_names_them(code: str, name: str) -> None:
    assert cptkit.lookup_place_of_service(code).name == name
