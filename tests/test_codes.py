# SPDX-License-Identifier: MIT
from __future__ import annotations

import pickle
import re
from typing import cast

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from cptkit import Category, Code, InvalidCode, codes
from cptkit import strategies as cst

VALID = [
    ("97110", "97110", Category.CPT_CATEGORY_I),
    (" 97110\t", "97110", Category.CPT_CATEGORY_I),
    ("0001U", "0001U", Category.CPT_CATEGORY_I),
    ("0002u", "0002U", Category.CPT_CATEGORY_I),
    ("0004M", "0004M", Category.CPT_CATEGORY_I),
    ("0001A", "0001A", Category.CPT_CATEGORY_I),
    ("0174a", "0174A", Category.CPT_CATEGORY_I),
    ("1125F", "1125F", Category.CPT_CATEGORY_II),
    ("3074f", "3074F", Category.CPT_CATEGORY_II),
    ("0362T", "0362T", Category.CPT_CATEGORY_III),
    ("0373t", "0373T", Category.CPT_CATEGORY_III),
    ("G0283", "G0283", Category.HCPCS_LEVEL_II),
    ("g0151", "G0151", Category.HCPCS_LEVEL_II),
    ("A0021", "A0021", Category.HCPCS_LEVEL_II),
    ("V5008", "V5008", Category.HCPCS_LEVEL_II),
]

INVALID = [
    "",
    "   ",
    "9711",
    "971100",
    "97-110",
    "97 110",
    "9711X",
    "9711B",
    "W1234",  # Level II letters stop at V
    "Z0001",
    "0362TT",
    "97110\n",
    "\n97110",
    "97110\r",
    "９７１１０",  # full-width digits
    "٩٧١١٠",  # Arabic-Indic digits
    "9711²",  # superscript two
    "ſ1234",  # long s upper-cases to ASCII S
    "97110\u00a0",  # no-break space
    "\u300097110",  # ideographic space
    "G0283🙂",
]

JUNK: list[object] = [None, b"97110", 97110, 97110.0, True, ["97110"], {"97110"}, object()]


@pytest.mark.parametrize(("text", "canonical", "category"), VALID)
def test_parse_valid(text: str, canonical: str, category: Category) -> None:
    code = Code.parse(text)
    assert str(code) == canonical
    assert code.value == canonical
    assert code.category is category
    assert Code.is_valid(text)
    assert codes.parse(text) == code
    assert codes.is_valid(text)


@pytest.mark.parametrize("text", INVALID)
def test_parse_invalid(text: str) -> None:
    with pytest.raises(InvalidCode, match=re.escape(f"code: {text!r} is not a CPT or HCPCS code")):
        Code.parse(text)
    assert not Code.is_valid(text)


@pytest.mark.parametrize("value", JUNK, ids=repr)
def test_junk_is_rejected(value: object) -> None:
    assert Code.is_valid(value) is False
    with pytest.raises(InvalidCode):
        Code.parse(value)  # type: ignore[arg-type]


@pytest.mark.parametrize("value", ["97110 ", "g0283", "9711", 97110])
def test_constructor_takes_canonical_text_only(value: object) -> None:
    with pytest.raises(InvalidCode):
        Code(value)  # type: ignore[arg-type]


def test_errors_are_value_errors_with_field() -> None:
    with pytest.raises(InvalidCode, match="expected 5 digits") as info:
        Code.parse("9711")
    assert isinstance(info.value, ValueError)
    assert info.value.field == "code"
    assert info.value.value == "9711"


def test_compact_only_normalises() -> None:
    assert codes.compact(" g0283 ") == "G0283"
    assert codes.compact("9711") == "9711"
    assert codes.compact("９７１１０") == "９７１１０"


def test_never_equal_to_str_and_hash_by_value() -> None:
    assert cast(object, Code("97110")) != "97110"
    assert Code("97110") == Code.parse(" 97110 ")
    assert {Code("97110"), Code.parse("97110")} == {Code("97110")}
    assert sorted([Code("97112"), Code("0362T"), Code("97110")]) == [
        Code("0362T"),
        Code("97110"),
        Code("97112"),
    ]


def test_repr_and_pickle() -> None:
    code = Code("G0283")
    assert repr(code) == "Code('G0283')"
    assert eval(repr(code)) == code  # repr looks like the constructor
    assert pickle.loads(pickle.dumps(code)) == code


def test_immutable() -> None:
    code = Code("97110")
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        code.value = "97112"  # type: ignore[misc]


def test_category_is_cpt() -> None:
    assert Category.CPT_CATEGORY_III.is_cpt
    assert not Category.HCPCS_LEVEL_II.is_cpt


@given(cst.codes())
def test_roundtrip(code: Code) -> None:
    assert Code.parse(str(code)) == code
    assert Code.parse(str(code).lower()) == code


# Valid codes (as given, and padded and lower-cased) as often as arbitrary text, so both
# branches of the properties below are reached.
TEXTS = st.one_of(
    cst.codes().map(str), cst.codes().map(lambda c: f" {str(c).lower()}\t"), st.text(max_size=8)
)


@given(TEXTS)
def test_is_valid_agrees_with_parse(text: str) -> None:
    try:
        Code.parse(text)
    except InvalidCode:
        assert not Code.is_valid(text)
    else:
        assert Code.is_valid(text)


@given(st.text(max_size=8))
def test_compact_is_idempotent(text: str) -> None:
    assert codes.compact(codes.compact(text)) == codes.compact(text)


@given(TEXTS)
def test_parse_is_idempotent(text: str) -> None:
    if Code.is_valid(text):
        once = Code.parse(text)
        assert Code.parse(str(once)) == once


@given(cst.codes(), cst.codes())
def test_hash_and_order_agree_with_eq(a: Code, b: Code) -> None:
    copy = Code.parse(str(a))
    assert copy == a
    assert hash(copy) == hash(a)
    if a == b:
        assert hash(a) == hash(b)
    assert (a == b) == (not a < b and not b < a)
