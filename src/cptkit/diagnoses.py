# SPDX-License-Identifier: MIT
"""ICD-10-CM diagnosis codes, checked by shape.

An ICD-10-CM code is a letter, a digit, a letter or digit, then up to four more letters or
digits, written with a dot after the third character (``F84.0``) or without it (``F840``, as
X12 carries it). The one category whose second character is a letter is ``QA0`` (genetic
conditions, in the FY2026 code list), so ``QA`` may start a code too. cptkit stores the form
without the dot and shows the dotted form. Whether a code exists, and is billable, on a date is
the code lists' business: see :func:`cptkit.lookup_diagnosis`.

>>> from cptkit import Diagnosis
>>> dx = Diagnosis.parse("f84.0")
>>> dx, str(dx), dx.value
(Diagnosis('F84.0'), 'F84.0', 'F840')
>>> Diagnosis.parse("F840") == dx
True
>>> Diagnosis.parse("qa0.0101")
Diagnosis('QA0.0101')
"""

from __future__ import annotations

import re
from typing import ClassVar

import attrs

from ._text import ShapedText
from .errors import InvalidDiagnosis, InvalidInput

__all__ = ["Diagnosis"]

# "QA0" (FY2026) is the one category whose second character is a letter.
_DOTTED = re.compile(r"((?:[A-Z][0-9]|QA)[A-Z0-9])\.([A-Z0-9]{1,4})")


@attrs.frozen(order=True, repr=False, cache_hash=True)
class Diagnosis(ShapedText):
    """An ICD-10-CM code by shape; ``value`` is the form without the dot.

    .. versionadded:: 0.1.0
    .. versionchanged:: 0.2.0
       ``QA`` may start a code (the ``QA0`` category of the FY2026 code list).
    """

    _SHAPE: ClassVar[re.Pattern[str]] = re.compile(r"(?:[A-Z][0-9]|QA)[A-Z0-9][A-Z0-9]{0,4}")
    _ERROR: ClassVar[type[InvalidInput]] = InvalidDiagnosis
    _FIELD: ClassVar[str] = "diagnosis"
    _EXPECTED: ClassVar[str] = (
        "an ICD-10-CM code (expected a letter, a digit (or QA), a letter or digit,"
        " then up to 4 letters or digits, with or without a dot after the third)"
    )

    value: str = attrs.field(validator=ShapedText._check)

    @classmethod
    def _canonical(cls, compacted: str) -> str | None:
        dotted = _DOTTED.fullmatch(compacted)
        if dotted is not None:
            return dotted.group(1) + dotted.group(2)
        return compacted if cls._SHAPE.fullmatch(compacted) else None

    def __str__(self) -> str:
        if len(self.value) > 3:
            return f"{self.value[:3]}.{self.value[3:]}"
        return self.value
