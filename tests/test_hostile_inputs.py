"""Hostile inputs from the red-team study (#20 items 2, 3, 4 and 6): each is a clear
``CptkitError`` (library) or exit status 2 with one line (command line), in bounded work, and
no message, ``repr`` or pickle carries another field's patient data.

Every test here failed before its fix (the study's repro in its docstring)."""

from __future__ import annotations

import decimal
import io
import json
import os
import pickle
import shutil
import threading
import time
from pathlib import Path
from typing import Any

import pytest

import cptkit
from cptkit import Claim, ClaimLine, CptkitError, DatasetError, _dataset, errors, fhir, x12
from cptkit._cms_files import read_mue_file, read_ptp_files
from cptkit.claims import MAX_LINES
from cptkit.cli import main
from cptkit.files import MAX_LINE_BYTES, Group, Unreadable, _group, read
from cptkit.serialization import structure
from cptkit.validation import _combinators

DATA = Path(__file__).parent / "data"
HEADER = "claim_id,date_of_service,code,units,minutes,modifiers,diagnosis_pointers,diagnoses,payer"
ROW = "C1,2026-03-02,97110,1,15,GP,1,M54.50,Medicare"


def run(capsys: pytest.CaptureFixture[str], *args: str | Path) -> tuple[int, str, str]:
    status = main([str(arg) for arg in args])
    out, err = capsys.readouterr()
    return status, out, err


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


# -- 2. every failure a clear error, the right exit status -------------------------------------


@pytest.mark.parametrize("good", [1, 40])  # the claims before the failing one (a batch is 32)
def test_an_internal_error_is_one_line_and_exit_2_and_json_stays_valid(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    good: int,
) -> None:
    rows = [ROW.replace("C1", f"C{n}") for n in range(good)]
    path = write(tmp_path / "a.csv", "\n".join([HEADER, *rows, ROW.replace("C1", "BAD"), ROW]))
    later = write(tmp_path / "b.csv", f"{HEADER}\n{ROW}\n")
    original = _combinators.line_findings  # type: ignore[attr-defined]

    def broken(rules: Any, claim: Claim, *args: Any) -> Any:
        if claim.claim_id == "BAD":
            raise RuntimeError("a defect quoting M54.50")
        return original(rules, claim, *args)

    monkeypatch.setattr(_combinators, "line_findings", broken)
    status, out, err = run(capsys, "check", "--engine", "claims", "--format", "json", path, later)
    assert status == 2  # never 1, which means "errors found"
    document = json.loads(out)  # still one valid document
    assert document["summary"]["unreadable_files"] == [str(path)]
    [line] = err.splitlines()
    assert f"{path}: internal error (RuntimeError) at row {good + 2}" in line
    # the claims before the failing one and the later file's were checked
    assert document["summary"]["claims_checked"] == good + 1
    assert len(document["findings"]) == 0  # a clean claim: no finding went missing or astray
    assert "M54.50" not in err  # the exception's text is not shown


def test_an_internal_error_in_the_columnar_engine_is_one_line_and_exit_2(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("polars")
    path = write(tmp_path / "a.csv", f"{HEADER}\n{ROW}\n")

    def broken(*args: object) -> Any:
        raise RuntimeError("a defect quoting M54.50")

    monkeypatch.setattr("cptkit.columnar.check_events", broken)
    status, out, err = run(capsys, "check", "--engine", "columnar", "--format", "json", path)
    assert status == 2
    assert json.loads(out)["summary"]["unreadable_files"] == [str(path)]
    [line] = err.splitlines()
    assert "internal error (RuntimeError)" in line and "M54.50" not in err


def test_a_failure_outside_check_is_one_line_and_exit_2(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object) -> int:
        raise TypeError("secret")

    monkeypatch.setattr("cptkit.cli._main", broken)
    status, out, err = run(capsys, "lookup", "97110")
    assert (status, out) == (2, "")
    assert err == "cptkit: internal error (TypeError); please report it\n"


def test_output_that_cannot_be_written_exits_2(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def full(*args: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("cptkit.cli._main", full)
    status, _, err = run(capsys, "check", tmp_path)
    assert status == 2
    assert err == "cptkit: cannot write the output (No space left on device)\n"


def test_a_number_of_thousands_of_digits_in_a_csv_cell_rejects_the_row(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """Repro C2: a 5,000-digit units cell raised ValueError (exit 1, traceback)."""
    path = write(
        tmp_path / "b.csv", f"{HEADER}\nC1,2026-03-02,97110,{'1' * 5000},15,GP,1,M54.50,M\n"
    )
    status, out, _ = run(capsys, "check", path)
    assert status == 1
    assert "row-rejected" in out
    assert "1 row read, 1 rejected" in out


@pytest.mark.parametrize(
    "call",
    [
        lambda: cptkit.Code.parse(10**5000),  # type: ignore[arg-type]
        lambda: ClaimLine(code="97110", units=10**5000, date_of_service="2026-03-02"),
        lambda: ClaimLine(code="97110", units=1, minutes=10**5000, date_of_service="2026-03-02"),
        lambda: cptkit.units.allocate({"97110": 10**5000}),
        lambda: cptkit.lookup(10**5000),  # type: ignore[arg-type]
    ],
)
def test_huge_ints_raise_cptkit_errors(call: Any) -> None:
    """Repro C2 (API): _short_repr called repr() of a 5,000-digit int, which raises."""
    with pytest.raises(CptkitError) as info:
        call()
    assert len(str(info.value)) < 200


def test_deep_nesting_in_a_value_raises_a_cptkit_error() -> None:
    """Repro C3 (API): repr() of a value nested 100,000 deep raised RecursionError."""
    nested: list[Any] = []
    for _ in range(100_000):
        nested = [nested]
    with pytest.raises(CptkitError):
        cptkit.Code.parse(nested)  # type: ignore[arg-type]


def test_an_unsearchable_path_exits_2(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Repro C5: path.is_dir() in an unsearchable folder raised PermissionError (exit 1)."""

    def refuse(self: Path) -> bool:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(Path, "is_dir", refuse)
    status, _, err = run(capsys, "check", "locked/claims.csv")
    assert status == 2
    assert "locked/claims.csv: cannot be read (Permission denied)" in err


class _Zeros(io.RawIOBase):
    """An endless stream of NUL bytes, as /dev/zero gives (counting what was read)."""

    def __init__(self) -> None:
        self.given = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        buffer[: len(buffer)] = bytes(len(buffer))
        self.given += len(buffer)
        return len(buffer)


@pytest.mark.parametrize("kind", ["csv", "ndjson", "json"])
def test_an_endless_input_is_refused_after_a_bounded_read(kind: str) -> None:
    """Repro C5/R4: /dev/zero read until MemoryError at 3 GB."""
    zeros = _Zeros()
    with pytest.raises(Unreadable) as info:
        list(read(io.BufferedReader(zeros), format=kind))
    limit = MAX_LINE_BYTES if kind != "json" else cptkit.files.MAX_JSON_BYTES
    assert zeros.given <= limit + (1 << 17)
    assert "MiB" in str(info.value)


def test_dev_zero_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    if not Path("/dev/zero").exists():  # pragma: no cover - POSIX only
        pytest.skip("no /dev/zero")
    status, _, err = run(capsys, "check", "--input-format", "csv", "/dev/zero")
    assert status == 2
    assert "line longer than 1 MiB" in err


def test_a_malformed_overlay_is_a_dataset_error(tmp_path: Path) -> None:
    """Repro C6: a field longer than csv's limit let csv.Error out of read_mue_file."""
    lines = (DATA / "mue-cms-sample.csv").read_text(encoding="utf-8").splitlines()
    path = write(tmp_path / "mue.csv", "\n".join([*lines, '"97112","' + "9" * 200_000]) + "\n")
    with pytest.raises(DatasetError, match="not readable as CSV"):
        read_mue_file(path)


@pytest.mark.parametrize("date", ["202411", "2024111", "2024-11-01", "20241301"])
def test_a_ptp_date_must_be_yyyymmdd(tmp_path: Path, date: str) -> None:
    """Repro D7: strptime('%Y%m%d') read 202411 as 2024-01-01 and 2024111 as 2024-11-01."""
    text = (DATA / "ptp-cms-sample.txt").read_text(encoding="utf-8").replace("20200101", date, 1)
    path = write(tmp_path / "ptp.txt", text)
    with pytest.raises(DatasetError, match=f"'{date}' is not a date"):
        read_ptp_files([path], keep=frozenset({"97140", "97530"}))


def test_overlays_refuse_fifos_and_devices(tmp_path: Path) -> None:
    """Repro C6: a FIFO hung the overlay readers (and /dev/zero exhausted memory)."""
    fifo = tmp_path / "mue.csv"
    os.mkfifo(fifo)
    with pytest.raises(DatasetError, match="not a regular file"):
        cptkit.catalog().with_mue_file(fifo)
    with pytest.raises(DatasetError, match="not a regular file"):
        cptkit.catalog().with_cms_files("/dev/zero")


@pytest.fixture
def damaged(monkeypatch: pytest.MonkeyPatch) -> Any:
    """The packaged modifier table edited after the build (its SHA-256 no longer matches)."""
    real = _dataset._read_bytes

    def read_bytes(name: str) -> bytes:
        data = real(name)
        return data + b"\n" if name == "modifiers.csv" else data

    _dataset._clear()
    monkeypatch.setattr(_dataset, "_read_bytes", read_bytes)
    yield
    monkeypatch.undo()
    _dataset._clear()


@pytest.mark.usefixtures("damaged")
def test_damaged_packaged_data_is_refused_before_any_output(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """Repro C7: the hash check surfaced mid-run, after some output, with exit 1."""
    path = write(tmp_path / "a.csv", f"{HEADER}\n{ROW}\n")
    status, out, err = run(capsys, "check", "--format", "json", path)
    assert (status, out) == (2, "")
    assert "modifiers.csv: SHA-256 does not match the manifest" in err


@pytest.mark.usefixtures("damaged")
def test_damaged_packaged_data_exits_2_in_lookups(capsys: pytest.CaptureFixture[str]) -> None:
    status, _, err = run(capsys, "modifier", "GP")
    assert status == 2  # 1 would mean "not found"
    assert "SHA-256" in err


@pytest.mark.parametrize("kind", [ClaimLine, Claim])
def test_structure_with_keys_that_are_not_text(kind: type[Any]) -> None:
    """Repro C8: cattrs sorted {1: ..., 'a': ...} and raised TypeError."""
    with pytest.raises(cptkit.InvalidRecord) as info:
        structure({1: "x", "a": 2}, kind)
    # cattrs 24 and later name the extra keys; 23.2 says the object is not one.
    assert "extra fields found (1, a" in str(info.value) or "$: expected an object" in str(
        info.value
    )


# -- 3. nothing leaked ------------------------------------------------------------------------

LINE = ClaimLine(
    code="97110",
    units=2,
    modifiers=["GP"],
    date_of_service="2026-03-02",
    place_of_service="11",
    minutes=30,
    diagnosis_pointers=[1],
    charge="125.00",
)
CLAIM = Claim(lines=[LINE], diagnoses=["M54.50"], payer="ACME Health", claim_id="PT-0042")


def test_reprs_show_codes_units_and_modifiers_only() -> None:
    """Repro P2: the attrs reprs carried dates, charges, diagnoses, payer and claim id."""
    assert repr(LINE) == "ClaimLine(code='97110', units=2, modifiers=('GP',))"
    assert repr(CLAIM) == "Claim(lines=(ClaimLine(code='97110', units=2, modifiers=('GP',)),))"
    for secret in ("2026", "125", "M54", "ACME", "PT-0042", "30"):
        assert secret not in repr(CLAIM)
        assert secret in CLAIM.debug_repr()
    assert LINE.debug_repr() == (
        "ClaimLine(code=Code('97110'), units=2, date_of_service=datetime.date(2026, 3, 2),"
        " modifiers=(Modifier('GP'),), place_of_service=PlaceOfService('11'), minutes=30,"
        " diagnosis_pointers=(1,), charge=Decimal('125.00'))"
    )


def test_an_error_keeps_only_a_plain_value() -> None:
    """Repro P3: Claim(lines=<a ClaimLine>) kept the whole line in the error's value."""
    with pytest.raises(cptkit.InvalidClaim) as info:
        Claim(lines=LINE, diagnoses=["M54.50"])
    assert info.value.value is errors.WITHHELD
    assert "2026" not in str(info.value)


def test_an_error_pickles_without_its_value() -> None:
    """Repro P3: a Dask worker's error carried the value to the client and scheduler logs."""
    with pytest.raises(cptkit.InvalidClaimLine) as info:
        ClaimLine(code="97110", units=1, date_of_service="2026-02-30")
    assert "2026-02-30" in str(info.value)
    copy = pickle.loads(pickle.dumps(info.value))
    assert copy.value is errors.WITHHELD
    assert "2026-02-30" not in str(copy)
    assert copy.field == "date_of_service"


def test_no_message_shows_another_rows_content(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """Repro D1/P1: the stray-quote message printed the next patient's row."""
    payers = ['"Blue' if i == 2 else "Medicare" for i in range(30)]
    rows = [f"C{i},2026-03-02,97110,1,15,GP,1,M54.50,{payer}" for i, payer in enumerate(payers)]
    path = write(tmp_path / "q.csv", "\n".join([HEADER, *rows]) + "\n")
    for fmt in ("table", "json", "csv"):
        _, out, err = run(capsys, "check", "--format", fmt, path)
        for line in (out + err).splitlines():
            if "C2" in line or "Blue" in line:
                assert "C3" not in line and "C1," not in line


# -- 4. bounded work --------------------------------------------------------------------------


def test_a_huge_fhir_quantity_is_refused_at_once() -> None:
    """Repro R1: quantity 1e1000000 read with parse_float=Decimal took 23-57 s of CPU."""
    item = json.loads(
        json.dumps(
            {
                "sequence": 1,
                "productOrService": {"coding": [{"system": fhir.CPT, "code": "97110"}]},
                "servicedDate": "2026-03-02",
                "quantity": {"value": 1},
            }
        ).replace('"value": 1', '"value": 1e1000000'),
        parse_float=decimal.Decimal,
    )
    start = time.process_time()
    with pytest.raises(cptkit.InvalidInterchange, match="item.quantity.value"):
        fhir.parse_item(item)
    assert time.process_time() - start < 1


@pytest.mark.parametrize(
    "value",
    [decimal.Decimal("1e1000000"), decimal.Decimal("1e-1000000"), 10**5000, "9" * 5000],
    ids=["exponent", "negative exponent", "int", "text"],
)
def test_amounts_are_bounded(value: object) -> None:
    with pytest.raises(cptkit.InvalidClaimLine, match="charge"):
        ClaimLine(code="97110", units=1, date_of_service="2026-03-02", charge=value)


def test_a_wide_header_is_read_in_linear_time(tmp_path: Path) -> None:
    """Repro R2: names.count(name) per column: 40,000 columns took 12-14 s."""
    header = HEADER + "," + ",".join(f"x{i}" for i in range(40_000))
    path = write(tmp_path / "w.csv", header + "\n")
    start = time.process_time()
    with pytest.raises(Unreadable):
        list(read(path))
    assert time.process_time() - start < 2


def test_a_claim_holds_at_most_50_lines() -> None:
    """Repro R3: 32,000 lines of one claim took 45 s and 1.8 GB."""
    assert MAX_LINES == 50
    Claim(lines=[LINE] * 50, diagnoses=["M54.50"])
    with pytest.raises(cptkit.InvalidClaim, match="lines: 51 is not a count of lines from 1 to 50"):
        Claim(lines=[LINE] * 51, diagnoses=["M54.50"])


def test_a_file_claim_of_more_than_50_lines_is_held_back(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    rows = ["C1,2026-03-02,97110,1,15,GP,1,M54.50,M" for _ in range(60)]
    path = write(tmp_path / "long.csv", "\n".join([HEADER, *rows, ROW.replace("C1", "C2")]) + "\n")
    status, out, _ = run(capsys, "check", "--format", "json", path)
    document = json.loads(out)
    reasons = {f["message"] for f in document["findings"] if f["rule"] == "row-rejected"}
    assert "the claim has more than 50 lines (an 837P claim holds at most 50)" in reasons
    summary = document["summary"]
    assert (summary["rows_read"], summary["rows_rejected"], summary["claims_checked"]) == (
        61,
        60,
        1,
    )
    assert status == 1


def test_x12_reads_at_most_50_lines() -> None:
    one = x12.write(LINE)
    text = "".join(one.replace("LX*1~", f"LX*{n}~") for n in range(1, 52))
    with pytest.raises(
        cptkit.InvalidInterchange, match="LX01: 51 is not a count of lines up to 50"
    ):
        x12.parse_lines(text)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="fork() only")
def test_fork_while_another_thread_loads_does_not_deadlock_the_child() -> None:
    """Repro R6: a child forked while a thread held _dataset._LOCK hung for ever."""
    holding, release = threading.Event(), threading.Event()

    def load() -> int:
        holding.set()
        release.wait(10)
        return 1

    loader = threading.Thread(target=_dataset.cached, args=("test-fork-slow", load))
    loader.start()
    holding.wait(10)
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child: load another table, then leave at once
        try:
            ok = _dataset.cached("test-fork-other", lambda: 2) == 2
        finally:
            os._exit(0 if ok else 1)
    try:
        deadline = time.monotonic() + 20
        while True:
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                break
            if time.monotonic() > deadline:  # pragma: no cover - the defect
                os.kill(pid, 9)
                os.waitpid(pid, 0)
                pytest.fail("the forked child deadlocked on the dataset lock")
            time.sleep(0.02)
        assert os.waitstatus_to_exitcode(status) == 0
    finally:
        release.set()
        loader.join()
        _dataset._CACHE.pop("test-fork-slow", None)


# -- 6. portable overlays ----------------------------------------------------------------------


def test_an_overlay_catalog_travels_with_absolute_paths_and_hashes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Repro D3: a pickled overlay catalog kept the path as given, and no hash."""
    driver, worker = tmp_path / "driver", tmp_path / "worker"
    driver.mkdir()
    worker.mkdir()
    shutil.copy(DATA / "mue-cms-sample.csv", driver / "mue.csv")
    text = (DATA / "mue-cms-sample.csv").read_text(encoding="utf-8")
    write(worker / "mue.csv", text.replace('"97153","36"', '"97153","999"'))
    monkeypatch.chdir(driver)
    catalog = cptkit.catalog().with_mue_file("mue.csv")  # relative, as a user gives it
    sent = pickle.dumps(catalog)
    monkeypatch.chdir(worker)  # another working directory, with another mue.csv in it
    received = pickle.loads(sent)
    sent_mue, received_mue = catalog.mue("97153"), received.mue("97153")
    assert sent_mue is not None and received_mue is not None
    assert received_mue.units == sent_mue.units == 36
    # The driver's file is edited after the catalog was made: the worker refuses it.
    write(driver / "mue.csv", text.replace('"97153","36"', '"97153","1"'))
    with pytest.raises(DatasetError, match="changed since the catalog was made"):
        pickle.loads(sent)


def test_cms_and_ptp_overlays_are_checked_too(tmp_path: Path) -> None:
    ptp = tmp_path / "ccipra-v322r0-f1.txt"
    shutil.copy(DATA / "ptp-cms-sample.txt", ptp)
    for catalog in (cptkit.catalog().with_ptp_files(ptp), cptkit.catalog().with_cms_files(ptp)):
        sent = pickle.dumps(catalog)
        pickle.loads(sent)
        ptp.write_text(ptp.read_text(encoding="utf-8") + "\n", encoding="utf-8")
        with pytest.raises(DatasetError, match="changed since the catalog was made"):
            pickle.loads(sent)
        shutil.copy(DATA / "ptp-cms-sample.txt", ptp)


def test_the_keys_kept_to_notice_split_claims_are_bounded(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Repro R5: one key per claim was kept for the whole file (memory grew per claim)."""
    rows = [ROW.replace("C1", claim) for claim in ("A", "B", "C", "D", "A", "C")]
    path = write(tmp_path / "split.csv", "\n".join([HEADER, *rows]) + "\n")

    def splits() -> list[str | None]:
        return [e.claim.claim_id for e in read(path) if isinstance(e, Group) and e.split]

    assert splits() == ["A", "C"]
    monkeypatch.setattr(_group, "SEEN_LIMIT", 3)  # only the last three claims' keys are kept
    assert splits() == ["C"]  # A came back after B, C and D: no longer noticed


# -- 7. dependencies ---------------------------------------------------------------------------

ROOT = Path(__file__).parent.parent


def test_the_dependency_floors_are_the_versions_ci_tests() -> None:
    """The cattrs floor admitted the yanked 23.2.0, and no CI job ran the oldest versions."""
    project = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert '"attrs>=23.1",' in project
    assert '"cattrs>=23.2.1,<27",' in project  # 23.2.0 was yanked; private options below 27
    assert '"attrs==23.1.0" "cattrs==23.2.1"' in ci  # the floors, in a fresh venv
    assert "scripts/fuzz.py --inputs 100000" in ci
