# SPDX-License-Identifier: MIT
"""Procedure-code modifiers (CPT two-digit and HCPCS Level II two-character), checked by shape.

>>> from cptkit import Modifier
>>> Modifier.parse("gp")
Modifier('GP')
>>> Modifier.is_valid("G"), Modifier.is_valid("GPX"), Modifier.is_valid(" 59 ")
(False, False, True)

What a modifier means, and when it was valid, is in the dataset (:func:`cptkit.lookup_modifier`).
"""

from __future__ import annotations

import re
from typing import ClassVar

import attrs

from ._text import ShapedText
from .errors import InvalidInput, InvalidModifier

__all__ = ["Modifier"]


@attrs.frozen(order=True, repr=False, cache_hash=True)
class Modifier(ShapedText):
    """A modifier: two ASCII letters or digits, upper case (``GP``, ``59``, ``XU``).

    .. versionadded:: 0.1.0
    """

    _SHAPE: ClassVar[re.Pattern[str]] = re.compile(r"[A-Z0-9]{2}")
    _ERROR: ClassVar[type[InvalidInput]] = InvalidModifier
    _FIELD: ClassVar[str] = "modifier"
    _EXPECTED: ClassVar[str] = "a modifier (expected 2 ASCII letters or digits)"

    value: str = attrs.field(validator=ShapedText._check)
