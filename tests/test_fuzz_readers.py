# SPDX-License-Identifier: MIT
"""Arbitrary bytes in CSV, JSON and NDJSON files: `cptkit check` answers with an exit status
(0, 1 or 2), never a traceback; :mod:`cptkit.files` raises only cptkit errors."""

from __future__ import annotations

import contextlib
import io
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cptkit import CptkitError
from cptkit.cli import main
from cptkit.files import COLUMNS, Group, Rejected, read

HEADER = (
    "claim_id,date_of_service,code,units,modifiers,place_of_service,minutes,"
    "diagnosis_pointers,charge,diagnoses\n"
)
cells = st.text(alphabet=st.characters(codec="utf-8"), max_size=12)
csv_rows = st.lists(st.lists(cells, min_size=0, max_size=12).map(",".join), max_size=6)


def _check(name: str, data: bytes) -> int:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        path.write_bytes(data)
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            status = main(["check", str(path)])
    assert "Traceback" not in err.getvalue()
    return status


@settings(suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(st.binary(max_size=300), st.sampled_from(["claims.csv", "claims.json", "claims.ndjson"]))
def test_random_bytes(data: bytes, name: str) -> None:
    assert _check(name, data) in (0, 1, 2)


@settings(suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(csv_rows)
def test_random_csv_rows_under_a_real_header(rows: list[str]) -> None:
    data = (HEADER + "\n".join(rows)).encode("utf-8")
    assert _check("claims.csv", data) in (0, 1, 2)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)


@settings(suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(json_values)
def test_random_json_documents(value: object) -> None:
    import json

    data = json.dumps(value).encode("utf-8")
    assert _check("claims.json", data) in (0, 1, 2)
    assert _check("claims.ndjson", data) in (0, 1, 2)


@settings(suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(st.binary(max_size=300), st.sampled_from(["csv", "json", "ndjson"]))
def test_random_bytes_through_the_library_reader(data: bytes, kind: str) -> None:
    reading = read(io.BytesIO(data), format=kind)
    try:
        for _ in reading:
            pass
    except CptkitError:
        return
    assert reading.counts.rows == reading.counts.checked + reading.counts.rejected


REAL_LINE = {
    "claim_id": "SLP-1",
    "date_of_service": "2026-03-04",
    "code": "92507",
    "modifiers": ["GN"],
    "units": 1,
    "diagnosis_pointers": [1],
    "diagnoses": ["F80.0"],
}
SECRET = "Jane Q Patient 1980-04-01"


@settings(suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(st.text(min_size=1, max_size=20).filter(lambda key: key not in (*COLUMNS, "lines")))
def test_random_extra_key_on_a_real_line_object_rejects_the_row_naming_the_key(key: str) -> None:
    import json

    line = json.dumps({**REAL_LINE, key: SECRET})
    for kind, data in (("ndjson", line), ("json", f"[{line}]")):
        found = list(read(io.BytesIO(data.encode()), format=kind))
        assert len(found) == 1 and isinstance(found[0], Rejected), found
        assert found[0].reason.startswith("unknown key(s): ") and found[0].claim_id == "SLP-1"
        assert SECRET not in found[0].reason
    good = list(read(io.BytesIO(json.dumps(REAL_LINE).encode()), format="ndjson"))
    assert isinstance(good[0], Group)  # the real key set alone is read
