# SPDX-License-Identifier: MIT
"""What every reader yields (one :class:`Row` per record of a file) and what they share.

A row is a claim line with its claim-level values, a whole claim (JSON claim objects), or a
rejection naming the field and only its value. A rejected row keeps its grouping key when it has
one, so the claim it belongs to is held back whole.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any, NamedTuple

import attrs

from ..claims import Claim, ClaimLine
from ..errors import CptkitError, _short_repr

__all__ = [
    "CLAIM_COLUMNS",
    "COLUMNS",
    "KEY_COLUMNS",
    "LINE_COLUMNS",
    "REQUIRED",
    "SURROGATE",
    "Options",
    "Row",
    "Unreadable",
    "not_decoded",
    "reason",
]

LINE_COLUMNS = (
    "code",
    "units",
    "date_of_service",
    "modifiers",
    "place_of_service",
    "minutes",
    "diagnosis_pointers",
    "charge",
)
"""The line columns, in the order of :class:`~cptkit.ClaimLine`'s fields."""

CLAIM_COLUMNS: Mapping[str, str] = MappingProxyType(
    {
        "diagnoses": "diagnoses",
        "claim_place_of_service": "place_of_service",
        "payer": "payer",
        "patient": "patient",
        "rendering_provider": "rendering_provider",
        "billing_provider": "billing_provider",
    }
)
"""The claim-level columns, each with the :class:`~cptkit.Claim` attribute it fills."""

KEY_COLUMNS = ("claim_id", "patient_id")
"""The columns that group rows into claims."""

COLUMNS = (*KEY_COLUMNS, *LINE_COLUMNS, *CLAIM_COLUMNS)
"""Every column (and JSON key) a reader reads."""

REQUIRED = ("date_of_service", "code", "units")

SURROGATE = re.compile("[\udc80-\udcff]")
"""A byte that did not decode, kept by ``errors="surrogateescape"``."""


class Unreadable(CptkitError):
    """A whole file (or stream) cannot be read; the message names it and says why.

    Raised by :func:`cptkit.files.read` and :func:`cptkit.files.read_claims` as they start
    reading: the file cannot be opened, is empty, is UTF-16, has a header it cannot use (a
    required column missing, a column given twice, a misspelt or unused modifier or diagnosis
    column), or is a JSON document that is not a list.

    .. versionadded:: 0.2.0
    """


@attrs.frozen
class Options:
    """How to read: the column mapping, the encoding and the date format."""

    columns: Mapping[str, str] = MappingProxyType({})
    encoding: str = "utf-8"
    date_format: str | None = None
    notice: Callable[[str], object] = attrs.field(default=lambda text: None, eq=False)


_NO_VALUES: Mapping[str, Any] = MappingProxyType({})


class Row(NamedTuple):
    """One record read: a claim line with its claim-level values, a whole claim, or an error.

    ``key`` groups rows into claims; a rejected row keeps it when it could be read, so that its
    claim is held back. A named tuple: one is made per row, and a tuple is the cheapest
    immutable record to make.
    """

    row: int
    key: tuple[str, ...] | None = None
    claim_id: str | None = None
    line: ClaimLine | None = None
    claim_values: Mapping[str, Any] = _NO_VALUES
    claim: Claim | None = None
    field: str | None = None
    error: str | None = None


def not_decoded(field: str, encoding: str) -> str:
    """The message for a cell with a byte that does not decode (its value is not shown)."""
    label = "UTF-8" if codecs.lookup(encoding).name == "utf-8" else encoding
    return (
        f"{field}: is not {label} text (a byte does not decode; is the file in another encoding?)"
    )


def reason(field: str, value: object, expected: str) -> str:
    """The message for one bad cell: its field, its value alone, what was expected."""
    return f"{field}: {_short_repr(value)} is not {expected}"
