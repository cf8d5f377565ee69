# SPDX-License-Identifier: MIT
"""CPT and HCPCS Level II procedure codes, checked by shape.

A :class:`Code` is a value: it knows its canonical text and its :class:`Category`, nothing about
whether the code exists. Whether it exists, and on which dates, is the dataset's business
(:func:`cptkit.lookup`).

Shapes (AMA CPT and CMS HCPCS conventions):

* CPT Category I: five digits (``97110``); also four digits + ``U`` (proprietary laboratory
  analyses), four digits + ``M`` (multianalyte assays with algorithmic analyses) and four
  digits + ``A`` (vaccine-specific immunization administration, such as ``0001A``, which CMS's
  NCCI files carry).
* CPT Category II: four digits + ``F`` (performance measurement, ``1125F``).
* CPT Category III: four digits + ``T`` (emerging technology, ``0362T``).
* HCPCS Level II: a letter ``A``-``V`` + four digits (``G0283``).

>>> from cptkit import Code
>>> code = Code.parse(" 97110 ")
>>> code
Code('97110')
>>> str(code), code.category.name
('97110', 'CPT_CATEGORY_I')
>>> Code.is_valid("９７１１０"), Code.is_valid("97110\\n"), Code.is_valid(97110)
(False, False, False)
"""

from __future__ import annotations

import enum
import re
from typing import ClassVar

import attrs

from ._text import ShapedText, compact_text
from .errors import InvalidCode, InvalidInput

__all__ = ["Category", "Code", "compact", "is_valid", "parse"]


class Category(enum.Enum):
    """The code set a code belongs to, told by its shape."""

    CPT_CATEGORY_I = "CPT Category I"
    CPT_CATEGORY_II = "CPT Category II"
    CPT_CATEGORY_III = "CPT Category III"
    HCPCS_LEVEL_II = "HCPCS Level II"

    @property
    def is_cpt(self) -> bool:
        """True for the three AMA CPT categories, False for HCPCS Level II."""
        return self is not Category.HCPCS_LEVEL_II


@attrs.frozen(order=True, repr=False, cache_hash=True)
class Code(ShapedText):
    """A CPT (Category I, II or III) or HCPCS Level II code in canonical form.

    ``Code("97110")`` takes canonical text only; :meth:`parse` also accepts surrounding spaces
    and lower-case letters. Codes compare and sort by their text and never equal a plain ``str``.

    .. versionadded:: 0.1.0
    """

    _SHAPE: ClassVar[re.Pattern[str]] = re.compile(r"[0-9]{5}|[0-9]{4}[AFMTU]|[A-V][0-9]{4}")
    _ERROR: ClassVar[type[InvalidInput]] = InvalidCode
    _FIELD: ClassVar[str] = "code"
    _EXPECTED: ClassVar[str] = (
        "a CPT or HCPCS code (expected 5 digits, 4 digits + A, F, M, T or U,"
        " or a letter A-V + 4 digits)"
    )

    value: str = attrs.field(validator=ShapedText._check)

    @property
    def category(self) -> Category:
        """The :class:`Category`, told by the last (or first) character."""
        last = self.value[-1]
        if last == "F":
            return Category.CPT_CATEGORY_II
        if last == "T":
            return Category.CPT_CATEGORY_III
        if self.value[0].isalpha():
            return Category.HCPCS_LEVEL_II
        return Category.CPT_CATEGORY_I


def compact(text: str) -> str:
    """Normalise *text* without checking it: strip spaces and tabs, upper-case ASCII letters.

    Input that is not ASCII ``str`` comes back as ``str(text)``, unchanged, for
    :func:`parse` to reject.
    """
    compacted = compact_text(text)
    return str(text) if compacted is None else compacted


def parse(text: str) -> Code:
    """Module-level spelling of :meth:`Code.parse`."""
    return Code.parse(text)


def is_valid(text: object) -> bool:
    """Module-level spelling of :meth:`Code.is_valid`."""
    return Code.is_valid(text)
