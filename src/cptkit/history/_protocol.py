# SPDX-License-Identifier: MIT
"""The :class:`History` protocol: what rules across claims read and what recording needs."""

from __future__ import annotations

import datetime
import os
from collections.abc import Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from ..claims import Claim
from ._authorizations import Authorization, AuthorizationUsage
from ._records import RecordedLine, Status

if TYPE_CHECKING:
    from ._sqlite import SQLiteHistory

__all__ = ["History"]


@runtime_checkable
class History(Protocol):
    """What the rules across claims read, and what recording needs.

    Implement these methods over any store; :func:`usage` computes
    :meth:`authorization_usage` from :meth:`lines`.

    .. versionadded:: 0.2.0
    """

    def record(
        self,
        claim: Claim,
        *,
        status: Status = "checked",
        allowed: Sequence[Decimal | None] | None = None,
    ) -> None:
        """Store *claim* (its patient key required), replacing a record of its claim id."""

    def lines(
        self,
        patient: str,
        *,
        start: datetime.date | None = None,
        end: datetime.date | None = None,
    ) -> tuple[RecordedLine, ...]:
        """The recorded lines of *patient* dated from *start* to *end* (inclusive)."""
        ...  # pragma: no cover

    def add_authorization(self, authorization: Authorization) -> None:
        """Store *authorization* (replacing one with the same id)."""

    def authorizations(self, patient: str) -> tuple[Authorization, ...]:
        """The authorizations of *patient*."""
        ...  # pragma: no cover

    def authorization_usage(
        self, authorization: Authorization, *, on: datetime.date | None = None
    ) -> AuthorizationUsage:
        """Used and remaining units of *authorization*, and its projected end."""
        ...  # pragma: no cover

    @staticmethod
    def open(path: str | os.PathLike[str]) -> SQLiteHistory:
        """The SQLite ledger at *path* (created when it does not exist).

        Raises:
            LedgerError: the file is not a cptkit ledger, or of another schema version.
        """
        from ._sqlite import SQLiteHistory

        return SQLiteHistory(path)

    @staticmethod
    def memory() -> SQLiteHistory:
        """A new empty history in memory (for notebooks and tests)."""
        from ._sqlite import SQLiteHistory

        return SQLiteHistory(":memory:")
