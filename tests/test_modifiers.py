# SPDX-License-Identifier: MIT
from __future__ import annotations

import re
from typing import cast

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cptkit import InvalidModifier, Modifier
from cptkit import strategies as cst


@pytest.mark.parametrize(
    ("text", "canonical"),
    [("GP", "GP"), ("gp", "GP"), (" go ", "GO"), ("59", "59"), ("xu", "XU"), ("Q6", "Q6")],
)
def test_parse_valid(text: str, canonical: str) -> None:
    assert Modifier.parse(text) == Modifier(canonical)
    assert str(Modifier.parse(text)) == canonical
    assert Modifier.is_valid(text)


@pytest.mark.parametrize(
    "text", ["", "G", "GPX", "G P", "G-", "GP\n", "ＧＰ", "5²", "ſP", "-1", "G\u00a0"]
)
def test_parse_invalid(text: str) -> None:
    with pytest.raises(InvalidModifier, match=re.escape(f"modifier: {text!r} is not a modifier")):
        Modifier.parse(text)
    assert not Modifier.is_valid(text)


def test_never_equal_to_str() -> None:
    assert cast(object, Modifier("GP")) != "GP"
    assert repr(Modifier("GP")) == "Modifier('GP')"


@given(cst.modifiers())
def test_roundtrip(modifier: Modifier) -> None:
    assert Modifier.parse(str(modifier)) == modifier
    assert Modifier.parse(str(modifier).lower()) == modifier


@given(
    st.one_of(
        cst.modifiers().map(str),
        cst.modifiers().map(lambda m: f" {str(m).lower()}\t"),
        st.text(max_size=4),
    )
)
def test_is_valid_agrees_with_parse(text: str) -> None:
    try:
        Modifier.parse(text)
    except InvalidModifier:
        assert not Modifier.is_valid(text)
    else:
        assert Modifier.is_valid(text)
