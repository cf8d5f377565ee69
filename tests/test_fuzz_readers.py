# SPDX-License-Identifier: MIT
"""Arbitrary bytes in CSV, JSON and NDJSON files: `cptkit check` answers with an exit status
(0, 1 or 2), never a traceback."""

from __future__ import annotations

import contextlib
import io
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cptkit.cli import main

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
