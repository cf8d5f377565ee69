# SPDX-License-Identifier: MIT
"""CMS place-of-service codes (the two-digit codes of the CMS Place of Service Code Set).

>>> from cptkit import PlaceOfService
>>> PlaceOfService.parse("11")
PlaceOfService('11')
>>> PlaceOfService.is_valid("00"), PlaceOfService.is_valid("2"), PlaceOfService.is_valid("02")
(False, False, True)

The names, the facility setting and the dates are in the dataset
(:func:`cptkit.lookup_place_of_service`).
"""

from __future__ import annotations

import re
from typing import ClassVar

import attrs

from ._text import ShapedText
from .errors import InvalidInput, InvalidPlaceOfService

__all__ = ["TELEHEALTH_PLACES", "PlaceOfService"]


@attrs.frozen(order=True, repr=False, cache_hash=True)
class PlaceOfService(ShapedText):
    """A place-of-service code: two ASCII digits, ``01`` to ``99``.

    A single digit (``"2"`` for ``"02"``, as spreadsheets write it) is rejected rather than
    guessed at.

    .. versionadded:: 0.1.0
    """

    _SHAPE: ClassVar[re.Pattern[str]] = re.compile(r"0[1-9]|[1-9][0-9]")
    _ERROR: ClassVar[type[InvalidInput]] = InvalidPlaceOfService
    _FIELD: ClassVar[str] = "place_of_service"
    _EXPECTED: ClassVar[str] = "a place of service (expected two digits 01-99)"

    value: str = attrs.field(validator=ShapedText._check)

    @property
    def telehealth(self) -> bool:
        """True for 02 (telehealth outside the patient's home) and 10 (in the home)."""
        return self.value in TELEHEALTH_PLACES


TELEHEALTH_PLACES = frozenset({"02", "10"})
"""The telehealth places of service since 2022-01-01 (CMS Place of Service Code Set)."""
