# SPDX-License-Identifier: MIT
"""Hypothesis strategies for cptkit's values: public API for property-testing billing code.

Needs the ``hypothesis`` extra (``pip install 'cptkit[test]'``); ``import cptkit`` never imports
this module. Every strategy yields only valid values, built through the public constructors.

>>> from hypothesis import given
>>> from cptkit import strategies as cst
>>> @given(cst.claim_lines())
... def test_units_positive(line):
...     assert line.units >= 1
>>> test_units_positive()

The strategies are also registered for :func:`hypothesis.strategies.from_type` through
hypothesis' entry point, so ``st.from_type(cptkit.ClaimLine)`` works.

.. versionadded:: 0.1.0
"""

from __future__ import annotations

import datetime
import decimal
from collections.abc import Iterable

from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument
from hypothesis.strategies import SearchStrategy

from .claims import MAX_DIAGNOSES, Claim, ClaimLine
from .codes import Category, Code
from .diagnoses import Diagnosis
from .modifiers import Modifier
from .places import PlaceOfService
from .providers import NPI, check_digit

__all__ = [
    "claim_lines",
    "claims",
    "codes",
    "diagnoses",
    "modifiers",
    "npis",
    "places_of_service",
]

_DIGITS = "0123456789"
_UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _digits(count: int) -> SearchStrategy[str]:
    return st.text(_DIGITS, min_size=count, max_size=count)


_BY_CATEGORY: dict[Category, SearchStrategy[str]] = {
    Category.CPT_CATEGORY_I: st.one_of(
        _digits(5), st.tuples(_digits(4), st.sampled_from("AMU")).map("".join)
    ),
    Category.CPT_CATEGORY_II: _digits(4).map(lambda text: text + "F"),
    Category.CPT_CATEGORY_III: _digits(4).map(lambda text: text + "T"),
    Category.HCPCS_LEVEL_II: st.tuples(st.sampled_from("ABCDEFGHIJKLMNOPQRSTUV"), _digits(4)).map(
        "".join
    ),
}


def codes(*, categories: Iterable[Category] | None = None) -> SearchStrategy[Code]:
    """Codes of the given categories (all four by default), valid by shape.

    Raises:
        InvalidArgument: *categories* is empty or holds something that is not a
            :class:`~cptkit.Category`.
    """
    chosen = tuple(Category) if categories is None else tuple(categories)
    if not chosen or not all(isinstance(item, Category) for item in chosen):
        raise InvalidArgument(f"categories={chosen!r} must be a non-empty set of Category")
    return st.one_of([_BY_CATEGORY[item] for item in chosen]).map(Code)


def modifiers() -> SearchStrategy[Modifier]:
    """Two-character modifiers, valid by shape (not necessarily known to the dataset)."""
    return st.text(_UPPER + _DIGITS, min_size=2, max_size=2).map(Modifier)


def places_of_service() -> SearchStrategy[PlaceOfService]:
    """Place-of-service codes ``01`` to ``99``."""
    return st.integers(1, 99).map(lambda number: PlaceOfService(f"{number:02d}"))


def npis() -> SearchStrategy[NPI]:
    """NPIs: a first digit 1 or 2, eight more digits and the check digit.

    .. versionadded:: 0.2.0
    """
    payloads = st.builds(str.__add__, st.sampled_from("12"), _digits(8))
    return payloads.map(lambda digits: NPI(digits + str(check_digit(digits))))


def diagnoses() -> SearchStrategy[Diagnosis]:
    """ICD-10-CM codes, valid by shape."""
    alnum = _UPPER + _DIGITS
    return st.tuples(
        st.sampled_from(_UPPER),
        st.sampled_from(_DIGITS),
        st.sampled_from(alnum),
        st.text(alnum, max_size=4),
    ).map(lambda parts: Diagnosis("".join(parts)))


def _check_range(name: str, low: int, high: int, floor: int) -> None:
    if low < floor or high < low:
        raise InvalidArgument(
            f"min_{name}={low}, max_{name}={high} must satisfy {floor} <= min <= max"
        )


def claim_lines(
    *,
    codes: SearchStrategy[Code] | None = None,
    min_units: int = 1,
    max_units: int = 32,
    max_modifiers: int = 4,
    max_pointers: int = 4,
    dates: SearchStrategy[datetime.date] | None = None,
) -> SearchStrategy[ClaimLine]:
    """Claim lines; every optional field is sometimes present and sometimes ``None``.

    Args:
        codes: the strategy for codes (default: :func:`codes`).
        min_units: the fewest units (>= 1).
        max_units: the most units.
        max_modifiers: the most modifiers on a line (0-4 by default; the type allows more).
        max_pointers: the most diagnosis pointers (each 1-12).
        dates: the strategy for dates of service (default: 2015 to 2030).

    Raises:
        InvalidArgument: the options contradict each other.
    """
    _check_range("units", min_units, max_units, 1)
    if max_modifiers < 0 or max_pointers < 0:
        raise InvalidArgument("max_modifiers and max_pointers must be >= 0")
    code_strategy = globals()["codes"]() if codes is None else codes
    date_strategy = (
        st.dates(datetime.date(2015, 1, 1), datetime.date(2030, 12, 31)) if dates is None else dates
    )
    return st.builds(
        ClaimLine,
        code=code_strategy,
        units=st.integers(min_units, max_units),
        date_of_service=date_strategy,
        modifiers=st.lists(modifiers(), max_size=max_modifiers).map(tuple),
        place_of_service=st.none() | places_of_service(),
        minutes=st.none() | st.integers(0, 600),
        diagnosis_pointers=st.lists(st.integers(1, MAX_DIAGNOSES), max_size=max_pointers).map(
            tuple
        ),
        charge=st.none()
        | st.decimals(min_value=0, max_value=100_000, places=2, allow_nan=False).map(
            decimal.Decimal
        ),
    )


def claims(
    *,
    lines: SearchStrategy[ClaimLine] | None = None,
    min_size: int = 1,
    max_size: int = 6,
) -> SearchStrategy[Claim]:
    """Claims of *min_size* to *max_size* lines with 1-12 diagnoses.

    Raises:
        InvalidArgument: ``min_size < 1`` or ``max_size < min_size``.
    """
    _check_range("size", min_size, max_size, 1)
    line_strategy = claim_lines() if lines is None else lines
    text = st.none() | st.text(_UPPER + _DIGITS + "-", min_size=1, max_size=20)
    return st.builds(
        Claim,
        lines=st.lists(line_strategy, min_size=min_size, max_size=max_size).map(tuple),
        diagnoses=st.lists(diagnoses(), min_size=1, max_size=MAX_DIAGNOSES).map(tuple),
        place_of_service=st.none() | places_of_service(),
        payer=text,
        claim_id=text,
        patient=text,
        rendering_provider=st.none() | npis(),
        billing_provider=st.none() | npis(),
    )
