# SPDX-License-Identifier: MIT
"""Every ``is_valid`` answers False for junk and never raises (stdnum's robustness sweep)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cptkit import Code, CptkitError, Diagnosis, Modifier, PlaceOfService

TYPES = [Code, Modifier, PlaceOfService, Diagnosis]
JUNK: list[object] = [
    None,
    "",
    " ",
    b"97110",
    b"GP",
    "🙂",
    "²",
    "１１",
    "97110\n",
    "GP\n",
    "11\n",
    "F84.0\n",
    0,
    11,
    1.5,
    True,
    [],
    {},
    object(),
]


@pytest.mark.parametrize("cls", TYPES, ids=lambda cls: cls.__name__)
@pytest.mark.parametrize("value", JUNK, ids=repr)
def test_junk(cls: type[Code], value: object) -> None:
    assert cls.is_valid(value) is False
    with pytest.raises(CptkitError):
        cls.parse(value)  # type: ignore[arg-type]


@pytest.mark.parametrize("cls", TYPES, ids=lambda cls: cls.__name__)
@given(value=st.one_of(st.text(), st.binary(), st.integers(), st.floats(), st.none()))
def test_is_valid_never_raises(cls: type[Code], value: object) -> None:
    assert type(cls.is_valid(value)) is bool
