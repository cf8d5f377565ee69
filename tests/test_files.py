# SPDX-License-Identifier: MIT
"""cptkit.files: claim files into claims, every row either in a claim read whole or reported."""

from __future__ import annotations

import datetime
import io
import json
import pickle
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cptkit import Claim, ClaimLine, Diagnosis, InvalidInput
from cptkit.files import (
    FORMATS,
    CountsDoNotAddUp,
    FileNotice,
    Group,
    Rejected,
    RowRejected,
    Unreadable,
    _cells,
    _group,
    claim_files,
    format_of,
    read,
    read_claims,
)
from cptkit.files._cells import CellReader

DATA = Path(__file__).parent / "data"
HEADER = "claim_id,date_of_service,code,modifiers,units,minutes,diagnosis_pointers,diagnoses\n"
ROW = "2026-03-02,97110,GP,2,30,1,M54.50"


def events(data: bytes | str, **options: object) -> tuple[list[Group | Rejected], list[str]]:
    raw = data.encode() if isinstance(data, str) else data
    reading = read(io.BytesIO(raw), **options)  # type: ignore[arg-type]
    found = list(reading)
    counts = reading.counts
    assert counts.rows == counts.checked + counts.rejected
    return found, reading.notices


def rejected(found: list[Group | Rejected]) -> list[tuple[int, str | None, str]]:
    return [(e.row, e.field, e.reason) for e in found if isinstance(e, Rejected)]


def checked(found: list[Group | Rejected]) -> list[str | None]:
    return [e.claim.claim_id for e in found if isinstance(e, Group)]


# -- one CSV path: every bad cell reports its own problem ------------------------------------


COLUMNS = ("code", "units", "date_of_service", "modifiers", "place_of_service", "minutes")
POSITIONS = {name: (at,) for at, name in enumerate(COLUMNS)}


def test_a_good_row_becomes_a_line_and_claim_values() -> None:
    reader = CellReader(POSITIONS, len(COLUMNS))
    found = reader.row(["97110", "2", "2026-03-02", "GP 59", "", "30"])
    assert isinstance(found, tuple)
    line, values = found
    assert line == ClaimLine(
        code="97110",
        units=2,
        date_of_service=datetime.date(2026, 3, 2),
        modifiers=["GP", "59"],
        minutes=30,
    )
    assert values == {
        "diagnoses": None,
        "place_of_service": None,
        "payer": None,
        "patient": None,
        "rendering_provider": None,
        "billing_provider": None,
    }


@pytest.mark.parametrize(
    ("cells", "problems"),
    [
        (
            ["9711", "2.5", "2026-03-02", "GP", "", ""],
            [
                ("code", "code: '9711' is not a CPT or HCPCS code"),
                ("units", "units: '2.5' is not an int >= 1"),
            ],
        ),
        (
            ["97110", "1", "2026-02-30", "G", "1", "-1"],
            [
                ("date_of_service", "date_of_service: '2026-02-30' is not a date in the form YYYY-MM-DD"),
                ("modifiers", "modifiers: 'G' is not a modifier"),
                ("place_of_service", "place_of_service: '1' is not a place of service"),
                ("minutes", "minutes: '-1' is not an int >= 0"),
            ],
        ),
        (["97110", "1", "2026-03-02", "G\udcff", "", ""], [("modifiers", "modifiers: is not UTF-8 text")]),
    ],
)  # fmt: skip
def test_each_bad_cell_reports_its_own_problem(
    cells: list[str], problems: list[tuple[str, str]]
) -> None:
    reader = CellReader(POSITIONS, len(COLUMNS))
    found = reader.row(list(cells))
    assert isinstance(found, list)
    assert [field for field, _ in found] == [field for field, _ in problems]
    for (_, message), (_, start) in zip(found, problems, strict=True):
        assert message.startswith(start), message
    assert "\udcff" not in str(found)  # an undecoded cell is named, never shown


def test_a_bad_row_leaves_the_caches_usable_and_they_stay_bounded(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(_cells, "CELL_CACHE_LIMIT", 3)
    reader = CellReader({"code": (0,), "units": (1,), "date_of_service": (2,), "charge": (3,)}, 4)
    assert isinstance(reader.row(["97110", "x", "2026-03-02", "1.00"]), list)
    for cents in range(20):
        found = reader.row(["97110", "1", "2026-03-02", f"1.{cents:02d}"])
        assert isinstance(found, tuple) and found[0].charge == Decimal(f"1.{cents:02d}")
    assert max(len(cache) for cache in reader._caches) <= 3


def test_claim_cells_are_read_again_only_when_they_differ() -> None:
    # Rows of one claim repeat its claim cells: the values are the row before's, the same
    # mapping; a cell spelt differently with the same value, a changed cell and a bad one are
    # each read again.
    reader = CellReader(
        {"code": (0,), "units": (1,), "date_of_service": (2,), "diagnoses": (3,)}, 4
    )

    def values(diagnoses: str) -> object:
        found = reader.row(["97110", "1", "2026-03-02", diagnoses])
        assert isinstance(found, tuple), found
        return found[1]

    first = values("M54.50 R26.89")
    assert values("M54.50 R26.89") is first
    assert values("M54.50,R26.89") is first  # another spelling, the same diagnoses
    changed = values("M54.50")
    assert changed == {**first, "diagnoses": (Diagnosis.parse("M54.50"),)}  # type: ignore[dict-item]
    bad = reader.row(["97110", "1", "2026-03-02", "M54.50 Z"])
    assert isinstance(bad, list)
    assert [field for field, _ in bad] == ["diagnoses"]
    assert bad[0][1].startswith("diagnoses: 'Z' is not"), bad
    assert values("M54.50") is changed


# -- reading files -------------------------------------------------------------------------------


def test_read_claims_from_a_path_and_a_stream(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_text(HEADER + f"C1,{ROW}\nC1,{ROW.replace('97110', '97140')}\nC2,{ROW}\n")
    claims = list(read_claims(path))
    assert [len(claim.lines) for claim in claims] == [2, 1]
    assert claims[0].diagnoses == Claim(lines=claims[0].lines, diagnoses=["M54.50"]).diagnoses
    assert [c.claim_id for c in read_claims(str(path))] == ["C1", "C2"]
    assert [c.claim_id for c in read_claims(io.BytesIO(path.read_bytes()))] == ["C1", "C2"]


def test_the_default_on_rejected_raises_naming_the_row(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_text(HEADER + f"C1,{ROW.replace(',2,', ',two,')}\n")
    with pytest.raises(RowRejected, match=r"c\.csv:2: units: 'two' is not an int >= 1") as info:
        list(read_claims(path))
    assert info.value.rejected.field == "units"


def test_formats_are_registered_once() -> None:
    assert sorted(FORMATS) == ["csv", "json", "ndjson"]
    assert format_of("a.JSONL") is FORMATS["ndjson"] and format_of("a.txt") is None
    with pytest.raises(InvalidInput, match="format: 'xml' is not one of csv, json, ndjson"):
        read("a.csv", format="xml")
    with pytest.raises(Unreadable, match=r"a\.txt: cannot tell its format from the name"):
        read("a.txt")


@pytest.mark.parametrize(
    ("columns", "encoding", "date_format", "message"),
    [
        ({"DOS": "date"}, "utf-8", None, "columns: 'date' is not a field name"),
        (None, "klingon", None, "encoding: 'klingon' is not a text encoding"),
        (None, "utf-8", "mm/dd", "date_format: 'mm/dd' is not a strptime format"),
    ],
)
def test_bad_arguments_raise_at_once(
    columns: dict[str, str] | None, encoding: str, date_format: str | None, message: str
) -> None:
    with pytest.raises(InvalidInput, match=message):
        read("a.csv", columns=columns, encoding=encoding, date_format=date_format)


def test_a_stream_format_is_told_by_its_first_character() -> None:
    line = {"claim_id": "C1", "date_of_service": "2026-03-02", "code": "92507", "units": 1,
            "modifiers": ["GN"], "diagnosis_pointers": [1], "diagnoses": ["F80.0"]}  # fmt: skip
    assert checked(events(json.dumps([line]))[0]) == ["C1"]
    assert checked(events(" \n" + json.dumps(line) + "\n")[0]) == ["C1"]
    assert checked(events(HEADER + f"C1,{ROW}\n")[0]) == ["C1"]


def test_standard_input(monkeypatch: pytest.MonkeyPatch) -> None:
    stdin = io.TextIOWrapper(io.BytesIO((HEADER + f"C1,{ROW}\n").encode()))
    monkeypatch.setattr("sys.stdin", stdin)
    reading = read("-")
    assert reading.name == "<stdin>" and checked(list(reading)) == ["C1"]
    assert not stdin.buffer.closed  # standard input is not closed by the reader


# -- nothing lost (issue 20, item 1) -------------------------------------------------------------


def test_an_unclosed_quote_does_not_swallow_the_file() -> None:
    rows = [f"C{i},{ROW}" for i in range(1000)]
    rows[4] = 'C4,2026-03-02,"97110,GP,2,30,1,M54.50'
    found, _ = events(HEADER + "\n".join(rows) + "\n")
    assert rejected(found) == [(6, None, "opens a quote that is not closed on its line")]
    assert len(checked(found)) == 999


def test_a_quoted_note_over_two_lines_is_one_row() -> None:
    found, notices = events((DATA / "pm-cms1500.csv").read_bytes())
    assert rejected(found) == []
    assert [(g.claim.claim_id, g.rows) for g in found if isinstance(g, Group)] == [
        ("PT-2001", (2, 3, 4)),
        ("OT-2002", (5, 6)),
    ]
    assert notices == ["<stream>: ignored column(s): Patient Name, Notes"]


def test_a_quote_over_line_breaks_in_a_cell_cptkit_reads_rejects_its_first_line() -> None:
    data = HEADER + 'C1,2026-03-02,97110,"GP\n59",2,30,1,M54.50\nC2,' + ROW + "\n"
    found, _ = events(data)
    assert rejected(found)[0] == (2, None, "opens a quote that is not closed on its line")
    assert checked(found) == ["C2"]  # the second line is read again, as row 3 (wrong width)
    assert rejected(found)[1][0] == 3


def test_a_row_with_the_wrong_number_of_cells_holds_its_claim_back() -> None:
    found, _ = events(HEADER + f"C1,{ROW}\nC1,{ROW},extra\nC2,{ROW}\n")
    assert rejected(found) == [
        (2, None, "claim not checked because row 3 was rejected"),
        (3, None, "has 9 cells; the header has 8"),
    ]
    assert checked(found) == ["C2"]


def test_a_row_that_cannot_be_keyed_holds_back_the_claims_beside_it() -> None:
    found, _ = events(HEADER + f"C1,{ROW}\n,{ROW}\nC2,{ROW}\nC3,{ROW}\n")
    assert rejected(found) == [
        (2, None, "claim not checked because row 3 beside it could not be read (and may belong to it)"),
        (3, "claim_id", "claim_id: is empty"),
        (4, None, "claim not checked because row 3 beside it could not be read (and may belong to it)"),
    ]  # fmt: skip
    assert checked(found) == ["C3"]


def test_a_byte_that_does_not_decode_refuses_the_whole_claim() -> None:
    # As the newcomer's cp1252 export: a byte in a claim-level cell of the claim's 2nd row.
    lines = (DATA / "pm-cms1500.csv").read_bytes().split(b"\n")
    lines[2] = lines[2].replace(b",M62.81,", b",M62.8\xe9,")
    found, _ = events(b"\n".join(lines))
    assert rejected(found) == [
        (2, None, "claim not checked because row 3 was rejected"),
        (3, "diagnoses", "diagnoses: is not UTF-8 text (a byte does not decode; is the file in"
         " another encoding?)"),
        (4, None, "claim not checked because row 3 was rejected"),
    ]  # fmt: skip
    assert checked(found) == ["OT-2002"]


def test_a_claim_id_that_does_not_decode_keeps_its_rows_together() -> None:
    data = HEADER.encode() + b"C\xe91," + ROW.encode() + b"\nC\xe91," + ROW.encode() + b"\n"
    found, _ = events(data + b"C2," + ROW.encode() + b"\n")
    assert [(row, field) for row, field, _ in rejected(found)] == [(2, "claim_id"), (3, "claim_id")]
    assert checked(found) == ["C2"]


def test_duplicate_json_keys_are_refused() -> None:
    found, _ = events((DATA / "pm-extra-keys.ndjson").read_bytes())
    assert rejected(found) == [
        (1, None, "unknown key(s): 'patient_name'"),
        (3, None, "key 'code' is given twice"),
    ]
    assert "Test Patient" not in str(found)
    claim = '{"lines": [{"code": "92507", "code": "92507", "units": 1, "date_of_service": "2026-03-02"}], "diagnoses": ["F80.0"]}'  # fmt: skip
    assert rejected(events(f"[{claim}]")[0]) == [(1, None, "key 'code' is given twice")]


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("pm-misspelt.csv", "column 'minute' looks like a misspelt 'minutes'; rename it, or map it"),
        ("pm-unused-modifier.csv", "column 'Mod 5' looks like a modifier column that cptkit would not read"),
    ],
)  # fmt: skip
def test_a_header_that_would_be_misread_is_refused(name: str, message: str) -> None:
    with pytest.raises(Unreadable, match=message):
        list(read(DATA / name))


def test_empty_and_header_only_files_say_so(tmp_path: Path) -> None:
    with pytest.raises(Unreadable, match="is empty; expected a header row"):
        events(b"", format="csv")
    with pytest.raises(Unreadable, match="is empty; expected a JSON list"):
        events(b" ", format="json")
    assert events(DATA.joinpath("pm-header-only.csv").read_bytes()) == (
        [],
        ["<stream>: holds no rows"],
    )
    assert events(b"[]")[1] == ["<stream>: holds no rows"]


def test_old_mac_line_endings_and_semicolons_are_noticed() -> None:
    found, notices = events((DATA / "pm-old-mac.csv").read_bytes())
    assert checked(found) == ["PT-7001", "PT-7002"]
    assert notices == ["<stream>: has old Mac line endings (CR only); read as line breaks"]
    found, notices = events(
        (DATA / "pm-semicolon-cp1252.csv").read_bytes(), encoding="cp1252", date_format="%m/%d/%Y"
    )
    assert checked(found) == ["SLP-3001", "SLP-3002"]
    assert notices == ["<stream>: is semicolon-separated; read as such"]
    assert [g.claim.payer for g in found if isinstance(g, Group)] == ["Café Plan", "Medicare"]


def test_read_claims_warns_with_notices_by_default() -> None:
    with pytest.warns(FileNotice, match="ignored column"):
        assert len(list(read_claims(DATA / "pm-cms1500.csv"))) == 2


def test_skipped_folder_entries_are_reported(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "notes.txt").write_text("x")
    (tmp_path / "a.csv").write_text(HEADER)
    files, problems, notices = claim_files([tmp_path, "-"])
    assert files == [str(tmp_path / "a.csv"), "-"] and problems == []
    assert notices == [
        f"{tmp_path}: skipped 2 (not *.csv, *.json, *.ndjson or *.jsonl): notes.txt, sub/"
    ]


def test_counts_that_do_not_add_up_raise(monkeypatch: pytest.MonkeyPatch) -> None:
    def lose(*args: object) -> object:
        return iter(())

    monkeypatch.setattr(_group, "_close", lose)
    with pytest.raises(CountsDoNotAddUp, match=r"1 rows read, but 0 checked and 0 rejected"):
        events(HEADER + f"C1,{ROW}\n")


CELLS = st.sampled_from(
    ["C1", "C2", "", " ", "2026-03-02", "97110", "x", "GP", "2", '"', '"a\nb"', "M54.50", "\udcff"]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(CELLS, min_size=6, max_size=10), max_size=12), st.booleans())
def test_random_rows_are_each_checked_or_rejected_once(rows: list[list[str]], crlf: bool) -> None:
    end = "\r\n" if crlf else "\n"
    text = HEADER.replace("\n", end) + "".join(",".join(row) + end for row in rows)
    reading = read(io.BytesIO(text.encode("utf-8", "surrogateescape")), format="csv")
    seen: list[int] = []
    for event in reading:
        seen.extend(event.rows if isinstance(event, Group) else [event.row])
    assert sorted(seen) == sorted(set(seen))  # no row twice
    assert len(set(seen)) == reading.counts.rows == reading.counts.checked + reading.counts.rejected


def test_more_shapes_of_trouble(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(Unreadable, match="the header row runs over a line break"):
        events('claim_id,"date\n' + "x\n" * 3, format="csv")
    # By patient: an unreadable row is keyed by patient and date, and holds back that claim.
    patient = "patient_id,date_of_service,code,units,diagnoses\n"
    found, _ = events(patient + "P1,2026-03-02,97110,1,M54.50\nP1,2026-03-02,97110\n")
    assert [(row, field) for row, field, _ in rejected(found)] == [(2, None), (3, None)]
    # ISO dates are still read when a date format is given.
    found, _ = events(HEADER + f"C1,{ROW}\n", date_format="%m/%d/%Y")
    assert checked(found) == ["C1"]
    assert pickle.loads(pickle.dumps(RowRejected(Rejected("f", 2, None, "units", "x")))).rejected

    # A folder that cannot be listed is a problem, named.
    def refuse(self: Path) -> object:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(Path, "iterdir", refuse)
    assert claim_files([tmp_path])[1] == [f"{tmp_path}: cannot be listed (Permission denied)"]


def test_a_bad_claim_value_in_a_json_line_object() -> None:
    line = {"claim_id": "C1", "date_of_service": "2026-03-02", "code": "92507", "units": 1,
            "diagnoses": ["F80.0"], "claim_place_of_service": "1"}  # fmt: skip
    found, _ = events(json.dumps(line) + "\n", format="ndjson")
    assert rejected(found) == [(1, "claim_place_of_service", "claim_place_of_service: '1' is not"
                                " a place of service (expected two digits 01-99)")]  # fmt: skip


def test_old_mac_line_endings_in_ndjson_are_read_and_noticed() -> None:
    line = {"claim_id": "C1", "date_of_service": "2026-03-02", "code": "92507", "units": 1,
            "diagnosis_pointers": [1], "diagnoses": ["F80.0"]}  # fmt: skip
    lines = [json.dumps({**line, "claim_id": f"C{i}"}) for i in range(3)]
    found, notices = events("\r".join(lines) + "\r", format="ndjson")
    assert checked(found) == ["C0", "C1", "C2"]
    assert notices == ["<stream>: has old Mac line endings (CR only); read as line breaks"]
    found, notices = events("\r\n".join(lines), format="ndjson")  # CRLF is not old Mac
    assert (len(checked(found)), notices) == (3, [])


def test_sources_that_are_not_binary_are_refused_and_utf16_can_be_named() -> None:
    with pytest.raises(InvalidInput, match="source: 'StringIO' is not a path, '-' or a binary"):
        read(io.StringIO(HEADER), format="csv")  # type: ignore[arg-type]
    with pytest.raises(InvalidInput, match="source: 'int' is not"):
        read(3, format="csv")  # type: ignore[arg-type]
    data = (HEADER + f"C1,{ROW}\n").encode("utf-16")
    with pytest.raises(Unreadable, match="is UTF-16 text; save it as UTF-8"):
        events(data, format="csv")
    assert checked(events(data, format="csv", encoding="utf-16")[0]) == ["C1"]


def test_json_beyond_python_limits_is_rejected_not_raised() -> None:
    huge = '{"claim_id": "C1", "units": ' + "9" * 5000 + "}"
    deep = "[" * 100_000 + "]" * 100_000
    found, _ = events(f"{huge}\n{deep}\n", format="ndjson")
    assert [reason for _, _, reason in rejected(found)] == [
        "is not readable JSON: a number of more than 4300 digits",
        "is not readable JSON: nested too deeply",
    ]
    for document in (f"[{huge}]", deep):
        with pytest.raises(Unreadable, match="is not readable JSON: "):
            events(document, format="json")


# -- the line limit: a line's length, never where a read of the file ended -------------------


class _Pieces(io.RawIOBase):
    """A stream that hands out its bytes in the sizes given, in turn (the reads of a pipe)."""

    def __init__(self, data: bytes, sizes: list[int]) -> None:
        self.data, self.sizes, self.at, self.turn = data, sizes, 0, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        size = min(len(buffer), self.sizes[self.turn % len(self.sizes)])
        self.turn += 1
        piece = self.data[self.at : self.at + size]
        buffer[: len(piece)] = piece
        self.at += len(piece)
        return len(piece)


@settings(max_examples=30, deadline=None)
@given(
    before=st.integers(min_value=0, max_value=70_000),
    over=st.sampled_from([0, 1]),
    crlf=st.booleans(),
    sizes=st.lists(st.integers(min_value=1, max_value=1 << 17), min_size=1, max_size=4),
)
def test_a_line_over_the_limit_is_refused_wherever_reads_end(
    before: int, over: int, crlf: bool, sizes: list[int]
) -> None:
    # Typed out: MAX_LINE_BYTES is 1 MiB; a line of 1,048,576 bytes (its break not counted)
    # is read, one of 1,048,577 refused, naming the byte it passes the limit at.
    end = b"\r\n" if crlf else b"\n"
    first = b"A," + ROW.encode() + b"," + b"x" * before
    long_row = b"B," + ROW.encode() + b","
    long_row += b"y" * (1_048_576 + over - len(long_row))
    data = HEADER.encode().rstrip(b"\n") + b",note" + end + first + end + long_row + end
    data += b"C," + ROW.encode() + b",z" + end
    reading = read(io.BufferedReader(_Pieces(data, sizes)))
    if not over:
        found = list(reading)
        assert checked(found)[0] == "A" and checked(found)[-1] == "C"
        assert [e.row for e in found if isinstance(e, Rejected)] in ([], [3])  # B's note
        return
    start = data.index(b"B,")
    with pytest.raises(Unreadable, match=f"longer than 1 MiB \\(by byte {start + 1_048_577:,}\\)"):
        list(reading)
