# SPDX-License-Identifier: MIT
"""Small helpers the rule families share."""

from __future__ import annotations

import datetime
from collections import defaultdict

from ...claims import Claim
from ...codes import Code
from ...modifiers import Modifier
from .._core import Context

__all__ = ["THERAPY_DISCIPLINE_MODIFIERS", "by_code_and_day", "by_day", "codes_text"]

GP, GO, GN = Modifier("GP"), Modifier("GO"), Modifier("GN")
THERAPY_DISCIPLINE_MODIFIERS = (GP, GO, GN)


def by_day(claim: Claim, context: Context) -> dict[datetime.date, list[int]]:
    """Line indexes grouped by the date each line is judged on."""
    groups: dict[datetime.date, list[int]] = defaultdict(list)
    for index, line in enumerate(claim.lines):
        groups[context.day(line.date_of_service)].append(index)
    return groups


def by_code_and_day(claim: Claim, context: Context) -> dict[tuple[Code, datetime.date], list[int]]:
    """Line indexes grouped by code and judged date, in line order."""
    groups: dict[tuple[Code, datetime.date], list[int]] = defaultdict(list)
    for index, line in enumerate(claim.lines):
        groups[(line.code, context.day(line.date_of_service))].append(index)
    return groups


def codes_text(codes: object) -> str:
    """``"96130, 96131"`` from an iterable of codes."""
    return ", ".join(str(code) for code in codes)  # type: ignore[attr-defined]
