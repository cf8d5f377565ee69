# SPDX-License-Identifier: MIT
"""cptkit.history: the ledger (SQLite), its schema version, what it stores and returns."""

from __future__ import annotations

import datetime
import pickle
import re
import sqlite3
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from cptkit import NPI, Claim, ClaimLine, Code, InvalidInput, Modifier, PlaceOfService
from cptkit.history import (
    SCHEMA_VERSION,
    History,
    LedgerError,
    RecordedLine,
    SQLiteHistory,
)

D1, D2, D3 = datetime.date(2026, 3, 2), datetime.date(2026, 3, 3), datetime.date(2026, 4, 1)


def line(code: str = "97153", units: int = 4, day: datetime.date = D1, **more: Any) -> ClaimLine:
    return ClaimLine(code=code, units=units, date_of_service=day, **more)


def claim(*lines: ClaimLine, **more: Any) -> Claim:
    values: dict[str, Any] = {"diagnoses": ["F84.0"], "patient": "pk-1"}
    return Claim(lines=lines or (line(),), **{**values, **more})


def test_record_and_read_back_every_stored_field() -> None:
    history = History.memory()
    history.record(
        claim(
            line(modifiers=["HN", "GT"], charge="50.00", place_of_service="10"),
            line("97155", 2, D2),
            claim_id="C-1",
            payer="Acme",
            place_of_service="12",
            rendering_provider="1234567893",
            billing_provider="1993999998",
        ),
        status="submitted",
        allowed=[Decimal("41.10"), None],
    )
    first, second = history.lines("pk-1")
    assert first == RecordedLine(
        claim_id="C-1",
        position=0,
        date_of_service=D1,
        code=Code("97153"),
        modifiers=(Modifier("HN"), Modifier("GT")),
        units=4,
        place_of_service=PlaceOfService("10"),
        rendering_provider=NPI("1234567893"),
        billing_provider=NPI("1993999998"),
        payer="Acme",
        charge=Decimal("50.00"),
        allowed=Decimal("41.10"),
        status="submitted",
    )
    assert (second.code, second.place_of_service, second.allowed) == (
        Code("97155"),
        PlaceOfService("12"),  # the claim's place applies to a line without its own
        None,
    )
    assert first.provider == NPI("1234567893")


def test_queries_by_patient_and_date_range() -> None:
    history = History.memory()
    history.record(claim(line(day=D1), line(day=D3), claim_id="A"))
    history.record(claim(line(day=D2), claim_id="B", patient="pk-2"))
    assert [r.date_of_service for r in history.lines("pk-1")] == [D1, D3]
    assert [r.date_of_service for r in history.lines("pk-1", start=D2)] == [D3]
    assert [r.date_of_service for r in history.lines("pk-1", end=D2)] == [D1]
    assert [r.claim_id for r in history.lines("pk-2")] == ["B"]
    assert history.lines("pk-3") == ()


def test_recording_a_claim_id_again_replaces_it() -> None:
    history = History.memory()
    history.record(claim(line(units=4), line("97155"), claim_id="A"))
    history.record(claim(line(units=6), claim_id="A"), status="paid")
    assert [(r.units, r.status) for r in history.lines("pk-1")] == [(6, "paid")]
    history.record(claim(line(units=1)))  # no id: always a new record
    history.record(claim(line(units=1)))
    assert len(history.lines("pk-1")) == 3


def test_set_status() -> None:
    history = History.memory()
    history.record(claim(claim_id="A"))
    assert history.set_status("A", "void")
    assert not history.set_status("B", "void")
    assert [r.status for r in history.lines("pk-1")] == ["void"]


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda h: h.record(claim(patient=None)), "patient: 'NoneType' is not a pseudonymous key"),
        (lambda h: h.record("claim"), "claim: 'str' is not a cptkit.Claim"),
        (lambda h: h.record(claim(), status="sent"), "status: 'sent' is not one of checked"),
        (lambda h: h.record(claim(), allowed=[1.5]), "allowed: 1 is not 1 Decimal amounts"),
        (lambda h: h.record(claim(), allowed="1"), "allowed: 'str' is not one amount"),
        (lambda h: h.set_status("A", "lost"), "status: 'lost' is not one of"),
        (lambda h: h.lines(""), "patient: 'str' is not a pseudonymous key"),
        (lambda h: h.add_authorization("A"), "authorization: 'str' is not an Authorization"),
    ],
)
def test_bad_input_is_refused(call: Any, message: str) -> None:
    with pytest.raises(InvalidInput, match=re.escape(message)):
        call(History.memory())


def test_only_the_listed_facts_are_stored(tmp_path: Path) -> None:
    path = tmp_path / "ledger.sqlite"
    with History.open(path) as history:
        history.record(claim(line(minutes=38, diagnosis_pointers=[1]), claim_id="A"))
    with sqlite3.connect(path) as db:
        columns = {
            table: [row[1] for row in db.execute(f"PRAGMA table_info({table})")]
            for table in ("claims", "lines", "authorizations")
        }
        dump = "\n".join(db.iterdump())
    assert columns["claims"] == [
        "id",
        "claim_id",
        "patient",
        "payer",
        "rendering_provider",
        "billing_provider",
        "status",
        "recorded_at",
    ]
    assert "F84.0" not in dump  # no diagnoses
    assert "minutes" not in columns["lines"]


def test_a_ledger_is_versioned_and_reopens(tmp_path: Path) -> None:
    path = tmp_path / "ledger.sqlite"
    History.open(path).record(claim(claim_id="A"))
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 1
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert [r.claim_id for r in History.open(path).lines("pk-1")] == ["A"]


def test_a_newer_ledger_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "ledger.sqlite"
    History.open(path).close()
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA user_version = 7")
    message = f"{path}: ledger schema version 7 is newer than this cptkit's (1)"
    with pytest.raises(LedgerError, match=re.escape(message)):
        History.open(path)


def test_an_older_ledger_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "ledger.sqlite"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE claims (id INTEGER)")
        db.execute("PRAGMA user_version = -1")
    with pytest.raises(LedgerError, match="is older than 1 and has no migration"):
        History.open(path)


def test_another_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.sqlite"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE patients (name TEXT)")
    with pytest.raises(LedgerError, match="not a cptkit ledger"):
        History.open(path)
    text = tmp_path / "notes.sqlite"
    text.write_text("not a database at all, but long enough to be read as one" * 20)
    with pytest.raises(LedgerError, match="not a cptkit ledger"):
        History.open(text)


def test_a_file_history_pickles_as_its_path(tmp_path: Path) -> None:
    history = History.open(tmp_path / "ledger.sqlite")
    history.record(claim(claim_id="A"))
    again = pickle.loads(pickle.dumps(history))
    assert isinstance(again, SQLiteHistory)
    assert [r.claim_id for r in again.lines("pk-1")] == ["A"]
    assert repr(again) == f"<SQLiteHistory {str(tmp_path / 'ledger.sqlite')!r}>"
    with pytest.raises(TypeError, match="in-memory history cannot travel"):
        pickle.dumps(History.memory())


def test_the_patient_key_is_not_in_reprs() -> None:
    history = History.memory()
    history.record(claim(patient="SECRET-9", claim_id="A"))
    assert "SECRET-9" not in repr(history.lines("SECRET-9"))


def test_the_default_history_satisfies_the_protocol() -> None:
    assert isinstance(History.memory(), History)
