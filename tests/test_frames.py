# SPDX-License-Identifier: MIT
"""cptkit.frames: claims from pandas and polars frames with their default dtypes, and a frame of
findings with fixed dtypes."""

from __future__ import annotations

import datetime
import io
import sys
from decimal import Decimal
from pathlib import Path

import pytest

import cptkit
from cptkit import ClaimLine, CptkitError, InvalidClaimLine, InvalidInput
from cptkit.files import Rejected, RowRejected, read_claims

pandas = pytest.importorskip("pandas")
numpy = pytest.importorskip("numpy")
from cptkit.frames import FINDING_COLUMNS, claims_from_frame, findings_frame  # noqa: E402

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
DATA = Path(__file__).parent / "data"


@pytest.mark.parametrize("name", ["pt-visit.csv", "common-mistakes.csv", "psychotherapy-visit.csv"])
def test_a_frame_with_default_dtypes_gives_the_file_s_claims(name: str) -> None:
    frame = pandas.read_csv(EXAMPLES / name)  # codes int64, places int64 (11), NaN minutes ...
    assert frame["code"].dtype == "int64" or name == "common-mistakes.csv"
    assert list(claims_from_frame(frame)) == list(read_claims(EXAMPLES / name))


def test_polars_default_dtypes() -> None:
    polars = pytest.importorskip("polars")
    for name in ("pt-visit.csv", "common-mistakes.csv"):
        frame = polars.read_csv(EXAMPLES / name)
        assert list(claims_from_frame(frame)) == list(read_claims(EXAMPLES / name))
    dated = polars.DataFrame({"claim_id": ["C1"], "date_of_service": [datetime.date(2026, 3, 2)],
                              "code": ["97110"], "units": [1], "modifiers": [["GP", "59"]],
                              "diagnoses": ["M54.50"], "diagnosis_pointers": [1]})  # fmt: skip
    (claim,) = claims_from_frame(dated)
    assert (
        claim.lines[0].modifiers
        == ClaimLine(
            code="97110", units=1, date_of_service="2026-03-02", modifiers=["GP", "59"]
        ).modifiers
    )


def test_what_default_dtypes_did_is_undone() -> None:
    frame = pandas.DataFrame(
        {
            "Claim ID": ["C1", "C1", "C1"],
            "DOS": pandas.to_datetime(["2026-03-02", "2026-03-02", "2026-03-02"]),
            "CPT": [97110, 97140, 362],  # 00362 lost its zeros
            "Modifier 1": ["GP", "GP", None],
            "Units": numpy.array([2, 1, 1], dtype="int64"),
            "Minutes": [33.0, float("nan"), numpy.nan],
            "POS": [2, 11, 11],  # 02 read as 2
            "Dx Pointer": [1.0, 1.0, 1.0],
            "Charges": [90.0, 45.5, pandas.NA],
            "Diagnosis 1": ["M54.50", pandas.NA, None],
        }
    )
    (claim,) = claims_from_frame(frame)
    first, second, third = claim.lines
    assert (str(first.code), first.units, first.minutes, str(first.place_of_service)) == (
        "97110", 2, 33, "02"
    )  # fmt: skip
    assert first.date_of_service == datetime.date(2026, 3, 2) and first.charge == Decimal("90.0")
    assert second.minutes is None and second.charge == Decimal("45.5")
    assert str(third.code) == "00362" and third.charge is None and third.modifiers == ()
    assert first.diagnosis_pointers == (1,) and [str(d) for d in claim.diagnoses] == ["M54.50"]


@pytest.mark.parametrize(
    ("column", "value", "reason"),
    [
        ("units", 1.5, "units: '1.5' is not an int >= 1"),
        ("units", True, "units: 'True' is not an int >= 1"),
        ("date_of_service", pandas.Timestamp("2026-03-02 10:30"), "date_of_service: '2026-03-02 10:30:00' is not a date"),
        ("code", 971100, "code: '971100' is not a CPT or HCPCS code"),
        ("charge", -1.0, "charge: '-1' is not an amount >= 0"),
    ],
)  # fmt: skip
def test_what_would_be_a_guess_is_rejected(column: str, value: object, reason: str) -> None:
    row: dict[str, object] = {"claim_id": "C1", "date_of_service": "2026-03-02", "code": "97110",
                              "units": 1, "diagnoses": "M54.50"}  # fmt: skip
    row[column] = value
    rejected: list[Rejected] = []
    frame = pandas.DataFrame([row, {**row, "claim_id": "C2", column: row.get(column)}])
    assert list(claims_from_frame(frame, on_rejected=rejected.append)) == []
    assert [(r.row, r.field) for r in rejected] == [(0, column), (1, column)]
    assert rejected[0].reason.startswith(reason), rejected[0].reason


def test_frame_rows_are_numbered_from_0_and_the_default_raises() -> None:
    frame = pandas.DataFrame({"claim_id": ["C1", "C2"], "date_of_service": ["2026-03-02"] * 2,
                              "code": ["97110", "971"], "units": [1, 1], "diagnoses": ["M54.50"] * 2})  # fmt: skip
    with pytest.raises(RowRejected, match=r"<frame>:1: code: '971' is not a CPT or HCPCS code"):
        list(claims_from_frame(frame))


def test_unusable_columns_are_refused() -> None:
    frame = pandas.DataFrame({"claim_id": ["C1"], "code": ["97110"], "units": [1], "minute": [3]})
    with pytest.raises(InvalidInput, match="column 'minute' looks like a misspelt 'minutes'"):
        list(claims_from_frame(frame))
    with pytest.raises(InvalidInput, match="frame: 'list' is not a pandas or polars DataFrame"):
        list(claims_from_frame([]))
    twice = pandas.DataFrame([["C1", "97110", "97110", 1, "2026-03-02"]],
                             columns=["claim_id", "code", "code", "units", "dos"])  # fmt: skip
    with pytest.raises(InvalidInput, match=r"column\(s\) given twice: code"):
        list(claims_from_frame(twice))
    mapped = frame.rename(columns={"minute": "When"}).assign(When="2026-03-02")
    assert (
        len(list(claims_from_frame(mapped.assign(dx="M54.50"), {"When": "date_of_service"}))) == 1
    )


def test_numpy_integers_are_ints_and_floats_are_not() -> None:
    line = ClaimLine(code="97110", units=numpy.int64(3), minutes=numpy.int32(40),
                     date_of_service="2026-03-02", diagnosis_pointers=[numpy.int64(1), 2])  # fmt: skip
    assert (type(line.units), type(line.minutes)) == (int, int)
    assert line == ClaimLine(code="97110", units=3, minutes=40, date_of_service="2026-03-02",
                             diagnosis_pointers=[1, 2])  # fmt: skip
    for bad in (numpy.float64(3.0), 3.0, True, numpy.True_, "3"):
        with pytest.raises(InvalidClaimLine, match="units: .* is not an int >= 1"):
            ClaimLine(code="97110", units=bad, date_of_service="2026-03-02")
    with pytest.raises(InvalidClaimLine, match="diagnosis_pointers: np.float64"):
        ClaimLine(code="97110", units=1, date_of_service="2026-03-02",
                  diagnosis_pointers=[numpy.float64(1)])  # fmt: skip


def _reports() -> list[cptkit.validation.Report]:
    claims = list(read_claims(EXAMPLES / "common-mistakes.csv"))
    return list(cptkit.validate_many(claims))


def test_findings_frame_has_fixed_dtypes_whatever_the_findings() -> None:
    full = findings_frame(_reports())
    empty = findings_frame([])
    assert list(full.columns) == list(FINDING_COLUMNS) == list(empty.columns)
    assert dict(full.dtypes.astype(str)) == dict(empty.dtypes.astype(str)) == {
        "claim_id": "string", "line": "Int64", "line_number": "Int64", "severity": "category", "rule": "string",
        "field": "string", "message": "string", "carc": "string", "suggestion": "string",
    }  # fmt: skip
    assert list(full["rule"]) == ["code-inactive", "therapy-modifier-missing",
                                  "units-minutes-mismatch", "ncci-ptp"]  # fmt: skip
    assert list(full["line"]) == [0, 0, 0, 2]
    assert full["severity"].cat.ordered and list(full["severity"].cat.categories) == [
        "error",
        "warning",
        "info",
    ]


def test_findings_frame_in_polars() -> None:
    polars = pytest.importorskip("polars")
    frame = findings_frame(_reports(), library="polars")
    assert frame.schema["line"] == polars.Int64 and frame.schema["claim_id"] == polars.String
    assert findings_frame([], library="polars").schema == frame.schema
    with pytest.raises(InvalidInput, match="library: 'numpy' is not 'pandas' or 'polars'"):
        findings_frame([], library="numpy")  # type: ignore[arg-type]


def test_a_frame_read_from_an_export_with_default_dtypes() -> None:
    frame = pandas.read_csv(io.BytesIO((DATA / "pm-cms1500.csv").read_bytes()))
    claims = list(claims_from_frame(frame, {"Patient Name": "", "Notes": ""}))
    assert claims == list(
        read_claims(DATA / "pm-cms1500.csv", columns={"patient name": "", "notes": ""})
    )


def test_numpy_scalars_of_other_kinds_and_missing_libraries(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    frame = pandas.DataFrame({"claim_id": ["C1"], "date_of_service": ["2026-03-02"],
                              "code": ["97110"], "units": [1], "diagnoses": ["M54.50"],
                              "minutes": pandas.Series([numpy.float32(33.0)], dtype=object),
                              "payer": [Path("Medicare")]})  # fmt: skip
    (claim,) = claims_from_frame(frame)
    assert claim.lines[0].minutes == 33 and claim.payer == "Medicare"  # any object: its str
    monkeypatch.setitem(sys.modules, "pandas", None)
    monkeypatch.setitem(sys.modules, "polars", None)
    with pytest.raises(CptkitError, match=r"findings_frame\(\) needs pandas"):
        findings_frame([])
    with pytest.raises(CptkitError, match=r"findings_frame\(\) needs polars"):
        findings_frame([], library="polars")
