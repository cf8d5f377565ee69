# SPDX-License-Identifier: MIT
"""A patient's history: a ledger of checked (or submitted) claims and of authorizations, for
the rules that span claims.

>>> from cptkit import Claim, ClaimLine
>>> from cptkit.history import History
>>> history = History.memory()
>>> line = ClaimLine(code="97153", units=8, date_of_service="2026-03-02", modifiers=["HN"])
>>> history.record(Claim(lines=[line], diagnoses=["F84.0"], claim_id="C-1", patient="pk-1"))
>>> [(r.claim_id, str(r.code), r.units) for r in history.lines("pk-1")]
[('C-1', '97153', 8)]

:class:`History` is a protocol: a service may back it with its own database. The default
(:meth:`History.open`, :meth:`History.memory`) is SQLite through the standard library. A
history stores only the pseudonymous patient key, codes, units, modifiers, dates, places,
providers, payer labels, claim ids, statuses and amounts (never diagnoses or names).

.. versionadded:: 0.2.0
"""

from __future__ import annotations

from ._authorizations import (
    ABA_CODES,
    Authorization,
    AuthorizationPolicy,
    AuthorizationUsage,
    usage,
)
from ._protocol import History
from ._records import STATUSES, RecordedLine, Status
from ._sqlite import SCHEMA, SCHEMA_VERSION, LedgerError, SQLiteHistory

__all__ = [
    "ABA_CODES",
    "SCHEMA",
    "SCHEMA_VERSION",
    "STATUSES",
    "Authorization",
    "AuthorizationPolicy",
    "AuthorizationUsage",
    "History",
    "LedgerError",
    "RecordedLine",
    "SQLiteHistory",
    "Status",
    "usage",
]
