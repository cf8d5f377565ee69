# SPDX-License-Identifier: MIT
"""The columnar engine's clean-file path (``cptkit.columnar._scan``) against the reference.

A clean CSV file is read by polars and judged as columns; every other file is read by
:mod:`cptkit.files`. Either way the findings, the counts and the notices must be what
``cptkit check --engine claims`` gives. Each test says which way the file must go, so that a
change that sends clean files to the reader (slow, but exact) fails too.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

pytest.importorskip("polars")

import polars as pl

import cptkit
from cptkit import columnar, rulesets
from cptkit.columnar import _engine, _filters, _frames, _minutes, _scan
from cptkit.files import MAX_LINE_BYTES, Unreadable, read
from cptkit.validation import Checker, all_of
from cptkit.validation import rules as r
from test_columnar import MIXED, assert_same, corpus, reference

pytestmark = pytest.mark.real_coverage

SCANS: list[_scan.Scan | None] = []


@pytest.fixture(autouse=True)
def _spy(monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep, per reading, what polars read of it."""
    real = _scan.scan

    def spied(reading: object) -> object:
        found = real(reading)  # type: ignore[arg-type]
        SCANS.append(found)
        return found

    monkeypatch.setattr(_engine, "scan", spied)
    SCANS.clear()


def whole() -> bool:
    """Whether polars read the last file whole (no chunk went to the reader)."""
    return SCANS[-1] is not None and SCANS[-1].rest is None


def run(data: bytes, checker: Checker, **options: object) -> tuple[pl.DataFrame, object, object]:
    """The columnar findings of *data*, with the reading's counts and notices."""
    reading = read(io.BytesIO(data), **options)  # type: ignore[arg-type]
    batches = list(columnar.check_events(reading, checker))
    found = pl.concat([pl.DataFrame(schema=columnar.SCHEMA), *(b.findings for b in batches)])
    return found, reading.counts, reading.notices


def same_as_reader(data: bytes, checker: Checker | None = None, **options: object) -> bool:
    """Check *data* both ways; return whether polars read it whole."""
    chosen = checker or Checker()
    found, counts, notices = run(data, chosen, **options)
    assert_same(found, reference(data, chosen, **options))
    told: list[str] = []
    expected = read(io.BytesIO(data), on_notice=told.append, **options)  # type: ignore[arg-type]
    for _ in expected:
        pass
    assert counts == expected.counts
    assert notices == expected.notices == told
    return whole()


@pytest.fixture(scope="module")
def clean() -> bytes:
    return corpus(18, 1500, clean=True)


@pytest.mark.parametrize("rules", ["medicare", "commercial"])
def test_built_in_rule_sets_on_a_clean_corpus(clean: bytes, rules: str) -> None:
    chosen = rulesets.medicare() if rules == "medicare" else rulesets.commercial()
    assert same_as_reader(clean, Checker(rules=chosen))
    found, _, _ = run(clean, Checker(rules=chosen))
    # Not vacuous: the rules fire on the clean corpus too.
    assert {"ncci-ptp", "units-minutes-mismatch", "units-exceed-mue", "addon-without-primary",
            "diagnosis-not-pointed", "duplicate-line", "data-stale", "code-inactive",
            "diagnosis-unknown"} <= set(found["rule"])  # fmt: skip


@pytest.mark.parametrize(
    "ruleset",
    [MIXED, all_of(r.code_unknown(), r.modifier_too_many()), all_of(r.data_stale()), all_of()],
    ids=["mixed", "line-rules-only", "data-stale-only", "empty"],
)
def test_rule_sets_with_wrappers_and_users_rules(clean: bytes, ruleset: object) -> None:
    assert same_as_reader(clean, Checker(rules=ruleset))


@settings(max_examples=30, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    claims=st.integers(1, 60),
    chunk=st.sampled_from([64, 300, 2_000, _scan.CHUNK_BYTES]),
)
def test_seeded_clean_corpora_in_chunks(seed: int, claims: int, chunk: int) -> None:
    # Small chunks: claims run over chunk ends, and a chunk may hold part of one claim.
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(_scan, "CHUNK_BYTES", chunk)
        assert same_as_reader(corpus(seed, claims, clean=True))


def test_a_path_and_a_date_to_judge_on(clean: bytes, tmp_path: Path) -> None:
    path = tmp_path / "claims.csv"
    path.write_bytes(clean)
    assert_same(
        columnar.check_file(path, on="2024-03-04"), reference(path, Checker(on="2024-03-04"))
    )
    assert whole()


@pytest.mark.parametrize(
    ("module", "limit", "value"),
    [
        (_filters, "_BITS", 3),  # NCCI pairs by a join when a batch has many codes
        (_engine, "_RADIX_LIMIT", 10),  # line views keyed by rank when cells are too many
        (_minutes, "_KEY_LIMIT", 10),  # units sorted by columns past one integer
        (_frames, "_SORT_BITS", 0),  # findings sorted by columns past one integer
    ],
    ids=["pairs-by-join", "views-by-rank", "units-by-columns", "findings-by-columns"],
)
def test_the_ways_taken_past_a_limit(
    clean: bytes, monkeypatch: pytest.MonkeyPatch, module: object, limit: str, value: int
) -> None:
    monkeypatch.setattr(module, limit, value)
    assert same_as_reader(clean)


def test_findings_sorted_by_columns_with_rejected_rows(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_frames, "_SORT_BITS", 0)
    assert not same_as_reader(corpus(18, 300))  # rejected rows and splits among them


# -- which files polars reads ----------------------------------------------------------------

Change = Callable[[bytes], bytes]


def _lines(change: Callable[[list[bytes]], list[bytes]]) -> Change:
    """A change of the file's lines (the header first), each without its line end."""
    return lambda data: b"\n".join(change(data.rstrip(b"\n").split(b"\n"))) + b"\n"


def _cell(row: int, column: int, text: bytes) -> Change:
    def change(lines: list[bytes]) -> list[bytes]:
        cells = lines[row].split(b",")
        cells[column] = text
        lines[row] = b",".join(cells)
        return lines

    return _lines(change)


def _columns(change: Callable[[list[bytes], int], list[bytes]]) -> Change:
    """A change of each line's cells (*change* is given the cells and the line's number)."""
    return _lines(
        lambda lines: [b",".join(change(line.split(b","), n)) for n, line in enumerate(lines)]
    )


def _filling(cells: list[bytes]) -> bytes:
    """A last cell that makes the line of *cells* MAX_LINE_BYTES long (its break not counted)."""
    return b"x" * (MAX_LINE_BYTES - len(b",".join(cells)) - 1)


def _second_row_differs(lines: list[bytes]) -> list[bytes]:
    """The diagnoses of a claim's second row differ from its first's."""
    for n in range(2, len(lines)):
        if lines[n].split(b",")[0] == lines[n - 1].split(b",")[0]:
            cells = lines[n].split(b",")
            cells[8] += b" Z59.86"
            lines[n] = b",".join(cells)
            return lines
    raise AssertionError("the corpus has no claim of two rows")


STILL_CLEAN: dict[str, Change] = {
    "windows line ends": lambda data: data.replace(b"\n", b"\r\n"),
    "a byte-order mark": lambda data: b"\xef\xbb\xbf" + data,
    "no line end at the end": lambda data: data.rstrip(b"\n"),
    "semicolons": lambda data: data.replace(b",", b";"),
    "an ignored column": _columns(lambda cells, n: [*cells, b"note" if n == 0 else b"x"]),
    "modifier columns": _columns(
        lambda cells, n: [
            *cells[:3],
            b"Modifier 1" if n == 0 else cells[3].split(b" ")[0],
            *cells[4:],
            b"Modifier 2" if n == 0 else b"59",
        ]
    ),
    # Python counts the unit separator as a space, and so splits the modifiers at it.
    "the unit separator byte": _cell(3, 3, b"GP\x1fGO"),
    "no minutes column": _columns(lambda cells, n: [*cells[:5], *cells[6:]]),
}

NOT_CLEAN: dict[str, Change] = {
    "a quoted cell": _cell(3, 3, b'"GP"'),
    "a blank line": _lines(lambda lines: [*lines[:3], b"", *lines[3:]]),
    "a lone CR": _cell(3, 3, b"GP\rGO"),
    "a bad cell": _cell(3, 4, b"x"),
    "a bad date": _cell(3, 1, b"2026-02-30"),
    "a row short of cells": _lines(
        lambda lines: [*lines[:3], lines[3].rsplit(b",", 1)[0], *lines[4:]]
    ),
    "a row of more cells": _cell(3, 3, b"GP,x"),
    "a line of 1 MiB, the most the reader reads": _columns(
        lambda cells, n: [*cells, b"note" if n == 0 else _filling(cells) if n == 3 else b"x"]
    ),
    "a claim id with a space at its end": _cell(1, 0, b"C0 "),
    "a claim id not ASCII": _cell(1, 0, "C0\u00e9".encode()),
    "an empty claim id": _cell(1, 0, b""),
    "a byte that is not UTF-8": _cell(2, 6, b"\xff"),
    "no diagnoses": _cell(1, 8, b""),
    "thirteen diagnoses": _cell(1, 8, b" ".join([b"M54.50"] * 13)),
    "claim values that differ": _lines(_second_row_differs),
    "a split claim": lambda data: data + data.split(b"\n")[1] + b"\n",
    "a claim of 51 lines": lambda data: data + b"Z,2026-03-02,97110,GP,1,,,1,M54.50,,\n" * 51,
    "a header only": lambda data: data.split(b"\n")[0] + b"\n",
    # Not rows (the reader skips them): the file holds none, and the reader says so.
    "a header and rows of empty cells": lambda data: data.split(b"\n")[0] + b"\n,,,,,,,,,,\n" * 2,
    "a header and a row of a separator byte": lambda data: data.split(b"\n")[0] + b"\n\x1c\n",
    # polars drops a byte-order mark at the start of what it reads; the reader keeps it.
    "a byte-order mark before the first row": _cell(1, 0, b"\xef\xbb\xbfC0"),
}


@pytest.mark.parametrize("name", sorted(STILL_CLEAN))
def test_files_polars_reads(name: str) -> None:
    data = STILL_CLEAN[name](corpus(7, 40, clean=True))
    assert same_as_reader(data), name


@pytest.mark.parametrize("name", sorted(NOT_CLEAN))
def test_files_left_to_the_reader(name: str) -> None:
    data = NOT_CLEAN[name](corpus(7, 40, clean=True))
    assert not same_as_reader(data), name


AT_A_ROW: dict[str, Callable[[int], Change]] = {
    "a bad cell": lambda row: _cell(row, 4, b"x"),
    "a quoted cell": lambda row: _cell(row, 3, b'"GP"'),
    "a blank line": lambda row: _lines(lambda lines: [*lines[:row], b"", *lines[row:]]),
    "a row of more cells": lambda row: _cell(row, 3, b"GP,x"),
    "a lone CR": lambda row: _cell(row, 3, b"GP\rGO"),
    "an empty claim id": lambda row: _cell(row, 0, b""),
    "a byte-order mark before a row": lambda row: _lines(lambda lines: _marked(lines, row)),
    "the first claim again": lambda row: _lines(lambda lines: _first_again(lines, row)),
    "claim values that differ": lambda row: _lines(lambda lines: _differs(lines, row)),
}


def _differs(lines: list[bytes], row: int) -> list[bytes]:
    """The diagnoses of a claim's row at *row* or after differ from its first row's."""
    for n in range(max(row, 2), len(lines)):
        if lines[n].split(b",")[0] == lines[n - 1].split(b",")[0]:
            cells = lines[n].split(b",")
            cells[8] += b" Z59.86"
            lines[n] = b",".join(cells)
            return lines
    return _differs(lines, 2)


def _marked(lines: list[bytes], row: int) -> list[bytes]:
    """A byte-order mark at the start of row *row*."""
    lines[row] = b"\xef\xbb\xbf" + lines[row]
    return lines


def _first_again(lines: list[bytes], row: int) -> list[bytes]:
    """A row of the first claim again, at *row* or after, apart from the claim's rows."""
    first = lines[1].split(b",")[0]
    at = max(row, 2)
    while at < len(lines) and lines[at - 1].split(b",")[0] == first:
        at += 1
    return [*lines[:at], lines[1], *lines[at:]]


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    where=st.floats(0, 1),
    kind=st.sampled_from(sorted(AT_A_ROW)),
    chunk=st.sampled_from([64, 500, 4_000]),
)
def test_a_file_clean_up_to_a_row(seed: int, where: float, kind: str, chunk: int) -> None:
    data = corpus(seed, 30, clean=True)
    rows = data.count(b"\n") - 1
    row = 2 + int(where * (rows - 2))  # a row after the first two (a claim seen before)
    changed = AT_A_ROW[kind](row)(data)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(_scan, "CHUNK_BYTES", chunk)
        assert not same_as_reader(changed)
    # The chunks before the row were judged as columns, the rest by the reader.
    assert SCANS[-1] is not None
    assert SCANS[-1].rest is not None


def test_a_byte_order_mark_at_the_start_of_a_chunk() -> None:
    # Chunks of one line: the mark starts a chunk (polars would drop it). The reader reads on
    # from the claim before; from the first row (a decoder for "utf-8-sig" would drop the
    # mark there): "a byte-order mark before the first row".
    data = _lines(lambda lines: _marked(lines, 9))(corpus(7, 10, clean=True))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(_scan, "CHUNK_BYTES", 1)
        assert not same_as_reader(data)
    assert SCANS[-1] is not None
    assert SCANS[-1].rest is not None


@pytest.mark.parametrize("chunk", [4_000, MAX_LINE_BYTES])
def test_a_line_longer_than_a_chunk_and_than_the_reader_reads(chunk: int) -> None:
    # No line break in a chunk and more than MAX_LINE_BYTES read: the reader refuses the file
    # there, after the claims before it. (Longer than MAX_LINE_BYTES by more than the reader's
    # reads: the reader tells a line's length where its reads end.)
    long = MAX_LINE_BYTES + 2 * chunk + (1 << 16)
    data = corpus(7, 10, clean=True) + b"C99," + b"x" * long + b"\n"
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(_scan, "CHUNK_BYTES", chunk)
        reading = read(io.BytesIO(data))
        found: list[pl.DataFrame] = []
        with pytest.raises(Unreadable, match="has a line longer than 1 MiB"):
            found.extend(batch.findings for batch in columnar.check_events(reading, Checker()))
    expected = read(io.BytesIO(data))
    with pytest.raises(Unreadable, match="has a line longer than 1 MiB"):
        for _ in expected:
            pass
    assert reading.counts == expected.counts
    assert SCANS[-1] is not None
    assert SCANS[-1].rest is not None


def _long_last_line(pad: int, quote: bool) -> bytes:
    """A file whose last line is 100 bytes over MAX_LINE_BYTES (a note column), after a note of
    *pad* bytes in row 2 and, with *quote*, a quoted note in row 4."""
    lines = corpus(9, 6, clean=True).rstrip(b"\n").split(b"\n")
    notes = [b"note", b"x" * pad, b"x", b'"q"' if quote else b"x", *[b"x"] * len(lines)]
    out = [line + b"," + note for line, note in zip(lines, notes, strict=False)]
    out.append(lines[-1] + b"," + b"y" * (MAX_LINE_BYTES + 99 - len(lines[-1])))
    return b"\n".join(out) + b"\n"


@pytest.mark.parametrize(
    ("pad", "quote", "chunk"),
    [(6693, True, _scan.CHUNK_BYTES), (6790, True, _scan.CHUNK_BYTES), (6693, False, 3000)],
)
def test_a_line_just_over_the_limit_after_the_reader_takes_over(
    pad: int, quote: bool, chunk: int
) -> None:
    # The reader tells a line's length where its reads of the file end: whether it refuses a
    # line a little over MAX_LINE_BYTES, and the byte it names, hang on where it started
    # reading. Taking over from a row, it reads from the file's first byte as it would.
    data = _long_last_line(pad, quote)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(_scan, "CHUNK_BYTES", chunk)
        reading = read(io.BytesIO(data))
        raised = None
        try:
            for _ in columnar.check_events(reading, Checker()):
                pass
        except Unreadable as err:
            raised = str(err)
    expected = read(io.BytesIO(data))
    told = None
    try:
        for _ in expected:
            pass
    except Unreadable as err:
        told = str(err)
    assert (raised, reading.counts) == (told, expected.counts)
    assert SCANS[-1] is not None
    assert SCANS[-1].rest is not None


def test_claims_made_from_columns_are_the_readers(clean: bytes) -> None:
    from cptkit.files import read_claims

    reading = read(io.BytesIO(clean))
    scanned = _scan.scan(reading)
    assert scanned is not None
    made: list[cptkit.Claim] = []
    for chunk in scanned:
        starts = chunk["_start"].arg_true().to_list()
        claims = _scan.FrameClaims(chunk, starts, scanned.cells)
        made.extend(claims[n] for n in reversed(range(len(claims))))  # one at a time
    assert sorted(made, key=lambda claim: claim.claim_id or "") == sorted(
        read_claims(io.BytesIO(clean)), key=lambda claim: claim.claim_id or ""
    )
    assert reading.take_plan() is None  # taken once


def test_files_that_cannot_be_opened_or_told_go_to_the_reader(clean: bytes, tmp_path: Path) -> None:

    with pytest.raises(Unreadable, match="cannot be opened"):
        columnar.check_file(tmp_path / "missing.csv")  # the reader says why
    assert SCANS == [None]

    class Untold(io.BytesIO):
        def tell(self) -> int:
            raise OSError("no position")

    assert _scan.scan(read(Untold(clean), format="csv")) is None
    ndjson = tmp_path / "claims.ndjson"
    ndjson.write_bytes(b"")
    assert _scan.scan(read(ndjson)) is None


def test_a_date_format(clean: bytes) -> None:
    data = _lines(
        lambda lines: [
            lines[0],
            *(line.replace(b"2026-03-02", b"03/02/2026") for line in lines[1:]),
        ]
    )(clean)
    assert same_as_reader(data, date_format="%m/%d/%Y")


def test_json_and_other_encodings_go_to_the_reader(clean: bytes) -> None:
    assert not same_as_reader(clean, encoding="cp1252")
    assert not same_as_reader(b'[{"claim_id": "A"}]')


def test_a_stream_that_cannot_seek_goes_to_the_reader(clean: bytes) -> None:
    class Unseekable(io.BytesIO):
        def seekable(self) -> bool:
            return False

    checker = Checker()
    reading = read(Unseekable(clean), format="csv")
    found = pl.concat([b.findings for b in columnar.check_events(reading, checker)])
    assert_same(found, reference(clean, checker))
    assert SCANS == [None]


def test_a_reading_started_goes_to_the_reader(clean: bytes) -> None:
    reading = read(io.BytesIO(clean), format="csv")
    first = next(reading)
    assert reading.plan is None
    found = pl.concat([b.findings for b in columnar.check_events(reading, Checker())])
    assert found.height > 0
    assert SCANS == [None]
    assert first is not None
