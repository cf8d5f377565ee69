# SPDX-License-Identifier: MIT
"""The default history: one SQLite file through the standard library's :mod:`sqlite3`.

WAL journaling lets one writer and many readers (threads or processes) share a ledger; each
record is one ``BEGIN IMMEDIATE`` transaction, so a claim is stored whole or not at all, and
writers queue (up to the busy timeout) instead of failing. The schema is versioned with
``PRAGMA user_version`` (:data:`SCHEMA_VERSION`); a ledger of another version is refused with a
message saying which (see ``docs/history.md``).
"""

from __future__ import annotations

import datetime
import os
import sqlite3
import threading
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any, Final

from ..claims import Claim
from ..codes import Code
from ..errors import CptkitError, InvalidInput
from ..modifiers import Modifier
from ..places import PlaceOfService
from ..providers import NPI
from ._authorizations import Authorization, AuthorizationUsage, patient_key, usage
from ._protocol import History
from ._records import RecordedLine, Status, to_status

__all__ = ["SCHEMA", "SCHEMA_VERSION", "LedgerError", "SQLiteHistory"]

SCHEMA_VERSION: Final = 1
"""The ledger schema this cptkit reads and writes (``PRAGMA user_version``)."""

SCHEMA: Final = """
CREATE TABLE claims (
    id INTEGER PRIMARY KEY,
    claim_id TEXT UNIQUE,
    patient TEXT NOT NULL,
    payer TEXT,
    rendering_provider TEXT,
    billing_provider TEXT,
    status TEXT NOT NULL,
    recorded_at TEXT NOT NULL
);
CREATE TABLE lines (
    claim INTEGER NOT NULL REFERENCES claims (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    patient TEXT NOT NULL,
    date_of_service TEXT NOT NULL,
    code TEXT NOT NULL,
    modifiers TEXT NOT NULL,
    units INTEGER NOT NULL,
    place_of_service TEXT,
    charge TEXT,
    allowed TEXT,
    PRIMARY KEY (claim, position)
);
CREATE INDEX lines_by_patient_and_date ON lines (patient, date_of_service);
CREATE TABLE authorizations (
    id TEXT PRIMARY KEY,
    patient TEXT NOT NULL,
    payer TEXT,
    codes TEXT NOT NULL,
    units INTEGER,
    units_by_code TEXT,
    start TEXT NOT NULL,
    "end" TEXT NOT NULL
);
CREATE INDEX authorizations_by_patient ON authorizations (patient);
"""
"""Version 1 of the ledger: the statements that create it."""

_BUSY_TIMEOUT_SECONDS: Final = 30.0


class LedgerError(CptkitError):
    """A ledger file cannot be used: not a cptkit ledger, or of another schema version.

    .. versionadded:: 0.2.0
    """


class SQLiteHistory(History):
    """A history in one SQLite database (a file, or memory).

    Make one with :meth:`cptkit.history.History.open` or
    :meth:`~cptkit.history.History.memory`. One object may be shared by threads (its
    connection is used under a lock); processes each open the file. A file history pickles as
    its path, so a :class:`~cptkit.validation.Checker` holding it can travel to worker
    processes.

    .. versionadded:: 0.2.0
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = os.fspath(path)
        self._lock = threading.Lock()
        self._writes = 0
        self._connection = sqlite3.connect(
            self.path,
            timeout=_BUSY_TIMEOUT_SECONDS,
            isolation_level=None,  # transactions are explicit: BEGIN IMMEDIATE ... COMMIT
            check_same_thread=False,
        )
        try:
            self._prepare()
        except BaseException:
            self._connection.close()
            raise

    def _prepare(self) -> None:
        db = self._connection
        try:
            db.execute("PRAGMA foreign_keys = ON")
            if self.path != ":memory:":
                db.execute("PRAGMA journal_mode = WAL")
            with self._transaction():
                version = db.execute("PRAGMA user_version").fetchone()[0]
                tables = db.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
                if version == 0 and tables == 0:
                    for statement in SCHEMA.split(";"):
                        if statement.strip():
                            db.execute(statement)
                    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
                elif version != SCHEMA_VERSION:
                    raise LedgerError(_version_message(self.path, version, tables))
        except sqlite3.DatabaseError as err:
            raise LedgerError(f"{self.path}: not a cptkit ledger ({err})") from None

    def __reduce__(self) -> tuple[Any, ...]:
        if self.path == ":memory:":
            raise TypeError("an in-memory history cannot travel to another process")
        return (SQLiteHistory, (self.path,))

    def __repr__(self) -> str:
        return f"<SQLiteHistory {self.path!r}>"

    def close(self) -> None:
        """Close the connection (a closed history cannot be used again)."""
        self._connection.close()

    def __enter__(self) -> SQLiteHistory:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def revision(self) -> tuple[int, int]:
        """Changes when anything is written to the ledger, by this object or another
        connection (``PRAGMA data_version``): what was read before may be reused while it
        stays the same."""
        with self._lock:
            version = self._connection.execute("PRAGMA data_version").fetchone()[0]
            return (self._writes, version)

    # -- writing ---------------------------------------------------------------------------

    def _transaction(self) -> _Transaction:
        return _Transaction(self._connection)

    def record(
        self,
        claim: Claim,
        *,
        status: Status = "checked",
        allowed: Sequence[Decimal | None] | None = None,
    ) -> None:
        """Store *claim* (replacing an earlier record with the same claim id), in one
        transaction.

        Args:
            claim: a claim with a :attr:`~cptkit.Claim.patient` key.
            status: where it stands (:data:`~cptkit.history.Status`).
            allowed: per line, the allowed amount (a
                :func:`~cptkit.payment.estimate`'s or a remittance's), for the KX threshold
                across claims.

        Raises:
            InvalidInput: not a claim, no patient key, an unknown status, or *allowed* not
                one amount (or ``None``) per line.
        """
        if not isinstance(claim, Claim):
            raise InvalidInput("claim", type(claim).__name__, "a cptkit.Claim")
        patient = patient_key(claim.patient)
        checked_status = to_status(status)
        amounts = _amounts(allowed, len(claim.lines))
        now = datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")
        with self._lock, self._transaction() as db:
            self._writes += 1
            if claim.claim_id is not None:
                db.execute("DELETE FROM claims WHERE claim_id = ?", (claim.claim_id,))
            cursor = db.execute(
                "INSERT INTO claims (claim_id, patient, payer, rendering_provider,"
                " billing_provider, status, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    claim.claim_id,
                    patient,
                    claim.payer,
                    _text(claim.rendering_provider),
                    _text(claim.billing_provider),
                    checked_status,
                    now,
                ),
            )
            key = cursor.lastrowid
            db.executemany(
                "INSERT INTO lines (claim, position, patient, date_of_service, code, modifiers,"
                " units, place_of_service, charge, allowed) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (
                        key,
                        index,
                        patient,
                        line.date_of_service.isoformat(),
                        line.code.value,
                        " ".join(m.value for m in line.modifiers),
                        line.units,
                        _text(claim.place_of_service_for(index)),
                        _text(line.charge),
                        _text(amounts[index]),
                    )
                    for index, line in enumerate(claim.lines)
                ],
            )

    def set_status(self, claim_id: str, status: Status) -> bool:
        """Change the status of the claim recorded as *claim_id*; whether there was one."""
        checked_status = to_status(status)
        with self._lock, self._transaction() as db:
            self._writes += 1
            cursor = db.execute(
                "UPDATE claims SET status = ? WHERE claim_id = ?", (checked_status, claim_id)
            )
            return cursor.rowcount > 0

    def add_authorization(self, authorization: Authorization) -> None:
        """Store *authorization* (replacing one with the same id)."""
        if not isinstance(authorization, Authorization):
            raise InvalidInput("authorization", type(authorization).__name__, "an Authorization")
        a = authorization
        pooled = a.units if isinstance(a.units, int) else None
        by_code = None if isinstance(a.units, int) else " ".join(f"{c}={n}" for c, n in a.units)
        with self._lock, self._transaction() as db:
            self._writes += 1
            db.execute(
                "INSERT OR REPLACE INTO authorizations (id, patient, payer, codes, units,"
                ' units_by_code, start, "end") VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
                (
                    a.id,
                    a.patient,
                    a.payer,
                    " ".join(code.value for code in a.codes),
                    pooled,
                    by_code,
                    a.start.isoformat(),
                    a.end.isoformat(),
                ),
            )

    # -- reading ---------------------------------------------------------------------------

    def lines(
        self,
        patient: str,
        *,
        start: datetime.date | None = None,
        end: datetime.date | None = None,
    ) -> tuple[RecordedLine, ...]:
        """The recorded lines of *patient* dated from *start* to *end* (inclusive; either
        open), by date, then in the order recorded."""
        key = patient_key(patient)
        query = (
            "SELECT c.claim_id, l.position, l.date_of_service, l.code, l.modifiers, l.units,"
            " l.place_of_service, c.rendering_provider, c.billing_provider, c.payer, l.charge,"
            " l.allowed, c.status FROM lines l JOIN claims c ON c.id = l.claim"
            " WHERE l.patient = ? AND l.date_of_service BETWEEN ? AND ?"
            " ORDER BY l.date_of_service, l.claim, l.position"
        )
        low = "0000-00-00" if start is None else start.isoformat()
        high = "9999-99-99" if end is None else end.isoformat()
        with self._lock:
            rows = self._connection.execute(query, (key, low, high)).fetchall()
        return tuple(_line(row) for row in rows)

    def authorizations(self, patient: str) -> tuple[Authorization, ...]:
        """The authorizations of *patient*, by start date."""
        key = patient_key(patient)
        with self._lock:
            rows = self._connection.execute(
                'SELECT id, patient, payer, codes, units, units_by_code, start, "end"'
                " FROM authorizations WHERE patient = ? ORDER BY start, id",
                (key,),
            ).fetchall()
        return tuple(_authorization(row) for row in rows)

    def authorization_usage(
        self, authorization: Authorization, *, on: datetime.date | None = None
    ) -> AuthorizationUsage:
        """How much of *authorization* the recorded claims used (up to *on*, when given),
        and when it runs out at the current weekly pace."""
        found = self.lines(authorization.patient, start=authorization.start, end=authorization.end)
        return usage(authorization, found, on=on)


class _Transaction:
    """``BEGIN IMMEDIATE`` ... ``COMMIT``, or ``ROLLBACK`` on any exception."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self._connection = connection

    def __enter__(self) -> sqlite3.Connection:
        self._connection.execute("BEGIN IMMEDIATE")
        return self._connection

    def __exit__(self, kind: object, *exc: object) -> None:
        if kind is None:
            self._connection.execute("COMMIT")
        else:
            self._connection.execute("ROLLBACK")


def _version_message(path: str, version: int, tables: int) -> str:
    if version == 0:
        return f"{path}: not a cptkit ledger (a database with {tables} objects and no version)"
    if version > SCHEMA_VERSION:
        return (
            f"{path}: ledger schema version {version} is newer than this cptkit's"
            f" ({SCHEMA_VERSION}); upgrade cptkit to read it"
        )
    return (
        f"{path}: ledger schema version {version} is older than {SCHEMA_VERSION} and has no"
        " migration; record its claims again into a new ledger"
    )


def _amounts(values: object, count: int) -> list[Decimal | None]:
    if values is None:
        return [None] * count
    if isinstance(values, (str, bytes)) or not isinstance(values, Iterable):
        raise InvalidInput("allowed", type(values).__name__, "one amount (or None) per line")
    amounts = list(values)
    if len(amounts) != count or not all(
        amount is None or (isinstance(amount, Decimal) and amount.is_finite()) for amount in amounts
    ):
        raise InvalidInput("allowed", len(amounts), f"{count} Decimal amounts (or None)")
    return amounts


def _text(value: object) -> str | None:
    return None if value is None else str(value)


def _optional(cls: Any, text: str | None) -> Any:
    return None if text is None else cls(text)


def _line(row: Sequence[Any]) -> RecordedLine:
    claim_id, position, day, code, modifiers, units, place, rendering, billing = row[:9]
    payer, charge, allowed, status = row[9:]
    return RecordedLine(
        claim_id=claim_id,
        position=position,
        date_of_service=datetime.date.fromisoformat(day),
        code=Code(code),
        modifiers=tuple(Modifier(text) for text in modifiers.split()),
        units=units,
        place_of_service=_optional(PlaceOfService, place),
        rendering_provider=_optional(NPI, rendering),
        billing_provider=_optional(NPI, billing),
        payer=payer,
        charge=_optional(Decimal, charge),
        allowed=_optional(Decimal, allowed),
        status=status,
    )


def _authorization(row: Sequence[Any]) -> Authorization:
    auth_id, patient, payer, codes, units, by_code, start, end = row
    if by_code is not None:
        units = dict(pair.split("=") for pair in by_code.split())
        units = {code: int(n) for code, n in units.items()}
    return Authorization(
        id=auth_id,
        patient=patient,
        payer=payer,
        codes=codes.split(),
        units=units,
        start=start,
        end=end,
    )
