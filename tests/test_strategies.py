# SPDX-License-Identifier: MIT
from __future__ import annotations

import subprocess
import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

import cptkit
from cptkit import Category, Claim, ClaimLine, Code
from cptkit import strategies as cst


@given(cst.codes(categories=[Category.HCPCS_LEVEL_II]))
def test_codes_by_category(code: Code) -> None:
    assert code.category is Category.HCPCS_LEVEL_II


@given(cst.claim_lines(min_units=3, max_units=4, max_modifiers=0, max_pointers=0))
def test_claim_line_options(line: ClaimLine) -> None:
    assert 3 <= line.units <= 4
    assert line.modifiers == ()
    assert line.diagnosis_pointers == ()


@given(cst.claims(min_size=2, max_size=3))
def test_claims_sizes(claim: Claim) -> None:
    assert 2 <= len(claim.lines) <= 3
    assert 1 <= len(claim.diagnoses) <= 12


@pytest.mark.parametrize(
    "make",
    [
        lambda: cst.codes(categories=[]),
        lambda: cst.codes(categories=["CPT"]),  # type: ignore[list-item]
        lambda: cst.claim_lines(min_units=0),
        lambda: cst.claim_lines(min_units=5, max_units=4),
        lambda: cst.claim_lines(max_modifiers=-1),
        lambda: cst.claims(min_size=0),
        lambda: cst.claims(min_size=3, max_size=2),
    ],
)
def test_impossible_options(make: object) -> None:
    with pytest.raises(InvalidArgument):
        make()  # type: ignore[operator]


@pytest.mark.parametrize(
    "cls", [Code, cptkit.Modifier, cptkit.PlaceOfService, cptkit.Diagnosis, ClaimLine, Claim]
)
def test_from_type_registered(cls: type[object]) -> None:
    @given(st.from_type(cls))
    def check(value: object) -> None:
        assert type(value) is cls

    check()


def test_import_cptkit_does_not_import_hypothesis() -> None:
    code = "import sys, cptkit; print('hypothesis' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"
