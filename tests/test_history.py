# SPDX-License-Identifier: MIT
"""cptkit.history: the ledger (SQLite), its schema version, what it stores and returns."""

from __future__ import annotations

import concurrent.futures
import datetime
import multiprocessing
import os
import pickle
import re
import sqlite3
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs
import pytest

from cptkit import NPI, Claim, ClaimLine, Code, InvalidInput, Modifier, PlaceOfService
from cptkit.history import (
    SCHEMA_VERSION,
    Authorization,
    AuthorizationUsage,
    History,
    LedgerError,
    RecordedLine,
    SQLiteHistory,
    usage,
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


# -- authorizations -----------------------------------------------------------------------------


def test_authorization_values() -> None:
    auth = Authorization(
        id="A-1",
        patient="pk-1",
        payer=None,
        codes=["97155", "97153", "97153"],
        units={"97153": 100},
        start="2026-03-02",
        end="2026-08-31",
    )
    assert auth.codes == (Code("97153"), Code("97155"))
    assert auth.units == ((Code("97153"), 100),)
    assert (auth.total, auth.pooled) == (100, False)
    assert (auth.units_for(Code("97153")), auth.units_for(Code("97155"))) == (100, 0)
    assert auth.units_for(Code("97110")) == 0
    assert auth.covers(Code("97153"), D1, "Acme")
    assert not auth.covers(Code("97153"), datetime.date(2026, 9, 1), None)
    assert "pk-1" not in repr(auth)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"id": ""}, "id: '' is not a non-empty one-line text"),
        ({"id": None}, "id: None is not an authorization id (text)"),
        ({"patient": "é"}, "patient: 'str' is not a pseudonymous key"),
        ({"codes": []}, "codes: [] is not one or more codes"),
        ({"codes": ["9711"]}, "codes: '9711' is not"),
        ({"units": -1}, "units: -1 is not an int >= 0"),
        ({"units": {}}, "units: {} is not units per code, for one code or more"),
        ({"units": {"97110": 5}}, "units: '97110' is not a code of the authorization"),
        ({"end": "2026-03-01"}, "end: '2026-03-01' is not a day on or after 2026-03-02"),
        ({"payer": ""}, "payer: '' is not a non-empty one-line text or None"),
    ],
)
def test_bad_authorizations(changes: dict[str, Any], message: str) -> None:
    values: dict[str, Any] = {
        "id": "A-1",
        "patient": "pk-1",
        "payer": "Acme",
        "codes": ["97153"],
        "units": 10,
        "start": "2026-03-02",
        "end": "2026-03-31",
    }
    with pytest.raises(InvalidInput, match=re.escape(message)):
        Authorization(**{**values, **changes})


def test_authorizations_are_stored_and_read_back() -> None:
    history = History.memory()
    pooled = Authorization("A-1", "pk-1", "Acme", ["97153", "97155"], 40, D1, D3)
    per_code = Authorization("A-2", "pk-1", None, ["97153", "97155"], {"97153": 5}, D2, D3)
    for auth in (per_code, pooled, Authorization("A-3", "pk-2", None, ["97153"], 1, D1, D1)):
        history.add_authorization(auth)
    assert history.authorizations("pk-1") == (pooled, per_code)
    history.add_authorization(attrs.evolve(pooled, units=50))
    assert history.authorizations("pk-1")[0].units == 50


def test_authorization_usage() -> None:
    # Typed out: 8 + 6 units by 2026-03-08, 7 days from the start: 14 a week; 86 remain,
    # which at 2 a day last 43 days: to 2026-04-20.
    auth = Authorization("A-1", "pk-1", "Acme", ["97153", "97155"], 100, D1, "2026-08-31")
    history = History.memory()
    history.add_authorization(auth)
    history.record(claim(line("97153", 8, D1), claim_id="C-1", payer="Acme"))
    history.record(
        claim(
            line("97155", 6, datetime.date(2026, 3, 8)),
            line("97110", 3, datetime.date(2026, 3, 8)),  # not covered
            claim_id="C-2",
        )
    )
    history.record(claim(line("97153", 9, D2), claim_id="C-3", payer="Other"))  # other payer
    history.record(claim(line("97153", 9, D2), claim_id="C-4"), status="void")
    history.record(claim(line("97153", 9, datetime.date(2026, 2, 27)), claim_id="C-5"))
    found = history.authorization_usage(auth)
    assert found == AuthorizationUsage(
        authorization_id="A-1",
        authorized=100,
        used=14,
        remaining=86,
        by_code=((Code("97153"), 8, None), (Code("97155"), 6, None)),
        as_of=datetime.date(2026, 3, 8),
        weekly_pace=Decimal("14.00"),
        projected_end=datetime.date(2026, 4, 20),
    )
    early = history.authorization_usage(auth, on=D1)
    assert (early.used, early.weekly_pace, early.projected_end) == (
        8,
        Decimal("56.00"),
        datetime.date(2026, 3, 14),  # 92 remain at 8 a day: 12 days (rounded up) after 03-02
    )


def test_usage_before_any_service_and_when_used_up() -> None:
    auth = Authorization("A-1", "pk-1", None, ["97153"], 8, D1, D3)
    unused = usage(auth, ())
    assert (unused.used, unused.remaining, unused.weekly_pace, unused.projected_end) == (
        0,
        8,
        None,
        None,
    )
    assert unused.as_of == D1
    history = History.memory()
    history.record(claim(line("97153", 10, D2)))
    over = history.authorization_usage(auth)
    assert (over.remaining, over.projected_end) == (-2, D2)


# -- concurrency and failure --------------------------------------------------------------------


def _record_many(path: str, prefix: str, count: int) -> None:
    history = History.open(path)
    for number in range(count):
        history.record(claim(line(units=1 + number % 4), claim_id=f"{prefix}-{number}"))
        history.lines("pk-1")  # readers and the writer interleave
    history.close()


def test_two_processes_recording_at_once_lose_nothing(tmp_path: Path) -> None:
    path = str(tmp_path / "ledger.sqlite")
    History.open(path).close()
    spawn = multiprocessing.get_context("spawn")
    workers = [spawn.Process(target=_record_many, args=(path, p, 40)) for p in ("X", "Y")]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
        assert worker.exitcode == 0
    found = History.open(path).lines("pk-1")
    assert sorted(r.claim_id or "" for r in found) == sorted(
        f"{p}-{n}" for p in ("X", "Y") for n in range(40)
    )


def test_a_failed_record_leaves_the_earlier_record(tmp_path: Path) -> None:
    path = tmp_path / "ledger.sqlite"
    history = History.open(path)
    history.record(claim(line("97153", 4), claim_id="A"))
    with sqlite3.connect(path) as db:  # a failure on the third line of any record
        db.execute(
            "CREATE TRIGGER fail BEFORE INSERT ON lines WHEN NEW.position = 2"
            " BEGIN SELECT RAISE(ABORT, 'disk full'); END"
        )
    with pytest.raises(sqlite3.DatabaseError, match="disk full"):
        history.record(claim(line("97153", 1), line("97155", 1), line("97156", 1), claim_id="A"))
    assert [(r.claim_id, r.code, r.units) for r in history.lines("pk-1")] == [
        ("A", Code("97153"), 4)
    ]
    history.record(claim(line("97155", 2), claim_id="B"))  # the ledger is still writable
    assert len(history.lines("pk-1")) == 2


def _die_mid_record(path: str) -> None:
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("BEGIN IMMEDIATE")
    db.execute(
        "INSERT INTO claims (claim_id, patient, status, recorded_at)"
        " VALUES ('HALF', 'pk-1', 'checked', 'now')"
    )
    os._exit(1)  # a crash: no commit, no rollback, no close


def test_a_crash_mid_record_leaves_the_ledger_consistent(tmp_path: Path) -> None:
    path = str(tmp_path / "ledger.sqlite")
    History.open(path).record(claim(claim_id="A"))
    worker = multiprocessing.get_context("spawn").Process(target=_die_mid_record, args=(path,))
    worker.start()
    worker.join(timeout=60)
    assert worker.exitcode == 1
    history = History.open(path)
    assert [r.claim_id for r in history.lines("pk-1")] == ["A"]
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT claim_id FROM claims").fetchall() == [("A",)]
    history.record(claim(claim_id="B"))  # and it takes writes again
    assert [r.claim_id for r in history.lines("pk-1")] == ["A", "B"]


def test_the_revision_changes_with_every_write(tmp_path: Path) -> None:
    history = History.open(tmp_path / "ledger.sqlite")
    seen = {history.revision}
    history.record(claim(claim_id="A"))
    seen.add(history.revision)
    history.set_status("A", "paid")
    seen.add(history.revision)
    history.add_authorization(Authorization("AU", "pk-1", None, ["97153"], 1, D1, D1))
    seen.add(history.revision)
    History.open(tmp_path / "ledger.sqlite").record(claim(claim_id="B"))  # another connection
    seen.add(history.revision)
    assert len(seen) == 5
    assert history.revision == history.revision


def test_threads_sharing_one_history_lose_nothing(tmp_path: Path) -> None:
    history = History.open(tmp_path / "ledger.sqlite")

    def work(prefix: str) -> None:
        for number in range(25):
            history.record(claim(claim_id=f"{prefix}-{number}"))
            history.lines("pk-1")

    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        list(pool.map(work, "ABCD"))
    assert len(history.lines("pk-1")) == 100
