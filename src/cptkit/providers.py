# SPDX-License-Identifier: MIT
"""National Provider Identifiers (NPIs): the ten-digit ids of the providers on a claim.

>>> from cptkit.providers import NPI
>>> NPI.parse("1234567893")
NPI('1234567893')
>>> NPI.is_valid("1234567890")
False

Source: CMS, "Requirements for National Provider Identifier (NPI) and NPI Enumeration"
(45 CFR 162.406): ten digits, the first 1 or 2, the last a check digit computed with the
Luhn formula (ISO/IEC 7812 modulus 10 "double-add-double") as if the card-issuer prefix
``80840`` stood before the first nine digits. CMS's worked example: the nine digits
``123456789`` take check digit 3.

.. versionadded:: 0.2.0
"""

from __future__ import annotations

import re
from typing import ClassVar

import attrs

from ._text import ShapedText
from .errors import InvalidInput

__all__ = ["NPI", "check_digit"]

_PREFIX = "80840"
"""The card-issuer prefix (80: health, 840: the United States) the check digit assumes."""


def check_digit(digits: str) -> int:
    """The NPI check digit of the first nine *digits* (ASCII), by the Luhn formula over
    ``80840`` followed by them.

    >>> check_digit("123456789")
    3
    """
    total = 0
    # Double every other digit from the rightmost one of the payload (the check digit's
    # neighbour), adding the digits of each product.
    for position, char in enumerate(reversed(_PREFIX + digits)):
        value = ord(char) - 48
        if position % 2 == 0:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return (10 - total % 10) % 10


@attrs.frozen(order=True, repr=False, cache_hash=True)
class NPI(ShapedText):
    """A National Provider Identifier: ten ASCII digits, the first 1 or 2, with a valid check
    digit.

    .. versionadded:: 0.2.0
    """

    _SHAPE: ClassVar[re.Pattern[str]] = re.compile(r"[12][0-9]{9}")
    _ERROR: ClassVar[type[InvalidInput]] = InvalidInput
    _FIELD: ClassVar[str] = "npi"
    _EXPECTED: ClassVar[str] = "an NPI (ten digits starting 1 or 2, with a valid check digit)"

    value: str = attrs.field(validator=lambda _, __, value: _check_npi(value))

    @classmethod
    def _canonical(cls, compacted: str) -> str | None:
        if cls._SHAPE.fullmatch(compacted) is None:
            return None
        return compacted if check_digit(compacted[:9]) == ord(compacted[9]) - 48 else None


def _check_npi(value: object) -> None:
    # The constructor takes canonical text only, check digit included.
    if type(value) is not str or NPI._canonical(value) != value:
        raise InvalidInput(NPI._FIELD, value, NPI._EXPECTED)
