# SPDX-License-Identifier: MIT
"""The Medicare Physician Fee Schedule status indicator of a code on a date.

Built by ``scripts/build_dataset.py`` into ``pfs_status.csv`` from the CMS PFS Relative Value
Files (quarterly PPRRVU 2022A-2024C, RVU25D, RVU26C) and hand rows that cite the final rule
(CY2018 PFS for 97127/G0515). Status I: not valid for Medicare (another code is used); N:
non-covered; B: bundled, never paid separately; X: statutory exclusion and E: excluded by
regulation, no payment under the PFS; A: active (see the RVU file's documentation).

>>> from cptkit._pfs_status import status_on
>>> import datetime
>>> status_on("97014", datetime.date(2026, 3, 2))
PfsStatus(code='97014', status='I', effective=datetime.date(2022, 1, 1), through=datetime.date(2026, 12, 31), use='G0283')
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from types import MappingProxyType
from typing import TextIO

import attrs

from . import _dataset
from ._tables import _rows

__all__ = ["COLUMNS", "NOT_PAID", "PfsStatus", "build", "status_on", "unpaid_codes"]

NOT_PAID = frozenset({"I", "N", "B", "X", "E"})
"""The statuses under which the PFS never pays a code as billed (X and E: excluded from the PFS
by statute or regulation; Medicare may pay such a service under another payment system)."""

COLUMNS = ("code", "status", "effective", "through", "use", "source")


@attrs.frozen
class PfsStatus:
    """A span of days on which a code has one PFS status.

    Attributes:
        code: the code's text.
        status: the status indicator (one letter).
        effective: the first day of the span.
        through: the last day of the span.
        use: for status I, the code Medicare uses instead (``"G0283"``), or ``""``.
    """

    code: str
    status: str
    effective: datetime.date
    through: datetime.date
    use: str


def build(stream: TextIO, filename: str = "pfs_status.csv") -> Mapping[str, tuple[PfsStatus, ...]]:
    """Index the status spans by code text, in date order."""
    index: dict[str, list[PfsStatus]] = {}
    for row in _rows(stream, filename, COLUMNS):
        code = str(row.code("code"))
        status = row.text("status")
        if len(status) != 1 or not status.isalpha() or not status.isascii():
            raise row.fail("status", "one letter")
        effective, through = row.date("effective"), row.date("through")
        if effective is None or through is None or through < effective:
            raise row.fail("through", "every span has a first and a last day, in order")
        use = row.text("use")
        if use:
            row.code("use")
        index.setdefault(code, []).append(PfsStatus(code, status, effective, through, use))
    return MappingProxyType(
        {
            code: tuple(sorted(spans, key=lambda span: span.effective))
            for code, spans in index.items()
        }
    )


def status_on(code: str, day: datetime.date) -> PfsStatus | None:
    """The span of *code*'s PFS status that holds *day*, or ``None`` when cptkit has none."""
    from ._registry import PFS_STATUS

    spans: tuple[PfsStatus, ...] = PFS_STATUS.load().get(code, ())
    for span in spans:
        if span.effective <= day <= span.through:
            return span
    return None


def unpaid_codes() -> frozenset[str]:
    """The codes with a span of a :data:`NOT_PAID` status on some date (read once)."""
    from ._registry import PFS_STATUS

    return _dataset.cached(
        "pfs_status_unpaid",
        lambda: frozenset(
            code
            for code, spans in PFS_STATUS.load().items()
            if any(span.status in NOT_PAID for span in spans)
        ),
    )
