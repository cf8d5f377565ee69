# SPDX-License-Identifier: MIT
"""Small helpers the rule families share."""

from __future__ import annotations

import datetime
import threading
import weakref
from collections import defaultdict

from ...claims import Claim
from ...codes import Code
from ...modifiers import Modifier
from .._context import Context

__all__ = ["THERAPY_DISCIPLINE_MODIFIERS", "by_code_and_day", "by_day", "codes_text"]

GP, GO, GN = Modifier("GP"), Modifier("GO"), Modifier("GN")
THERAPY_DISCIPLINE_MODIFIERS = frozenset({GP, GO, GN})  # a set: membership by cached hash


# Several rules group the same claim's lines; the last grouping is kept per thread, with weak
# references to its claim and context, so that neither is kept alive after a run (a context
# holds every memo) and a new object at a reused address is not mistaken for them.
_LAST = threading.local()


def _groups(
    claim: Claim, context: Context
) -> tuple[dict[datetime.date, list[int]], dict[tuple[Code, datetime.date], list[int]]]:
    last = getattr(_LAST, "value", None)
    if last is not None and last[0]() is claim and last[1]() is context:
        return last[2]  # type: ignore[no-any-return]
    days: dict[datetime.date, list[int]] = defaultdict(list)
    codes: dict[tuple[Code, datetime.date], list[int]] = defaultdict(list)
    for index, line in enumerate(claim.lines):
        # Grouping is by the real date of service: `on` changes the date codes are judged
        # valid on, never which services happened on one day.
        day = line.date_of_service
        days[day].append(index)
        codes[(line.code, day)].append(index)
    _LAST.value = (weakref.ref(claim), weakref.ref(context), (days, codes))
    return days, codes


def by_day(claim: Claim, context: Context) -> dict[datetime.date, list[int]]:
    """Line indexes grouped by date of service (do not modify)."""
    return _groups(claim, context)[0]


def by_code_and_day(claim: Claim, context: Context) -> dict[tuple[Code, datetime.date], list[int]]:
    """Line indexes grouped by code and date of service, in line order (do not modify)."""
    return _groups(claim, context)[1]


def codes_text(codes: object) -> str:
    """``"96130, 96131"`` from an iterable of codes."""
    return ", ".join(str(code) for code in codes)  # type: ignore[attr-defined]
