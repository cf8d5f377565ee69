# SPDX-License-Identifier: MIT
"""What a notebook and a typed service expect of the package root and of serialization."""

from __future__ import annotations

import json
import pickle
import subprocess
import sys
from typing import Any

import pytest

import cptkit
from cptkit import Claim, ClaimLine, CodeInfo, InvalidRecord, Problem, validation
from cptkit.serialization import json_schema, structure, unstructure


def fresh(code: str) -> list[str]:
    """The lines a fresh interpreter prints running *code* (nothing imported before)."""
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False
    )
    assert not result.stderr, result.stderr
    return result.stdout.splitlines()


def test_submodules_are_served_right_after_import() -> None:
    assert fresh(
        "import cptkit; cptkit.rulesets.medicare(); print(cptkit.units.allocate({'97110': 33}).units);"
        " print('rulesets' in dir(cptkit), 'files' in dir(cptkit), 'frames' in dir(cptkit))"
    ) == ["{'97110': 2}", "True True True"]
    with pytest.raises(AttributeError, match="module 'cptkit' has no attribute 'nope'"):
        cptkit.nope  # noqa: B018


def test_results_are_exported_at_the_top() -> None:
    assert (cptkit.Report, cptkit.Finding, cptkit.Severity) == (
        validation.Report, validation.Finding, validation.Severity
    )  # fmt: skip
    assert {"Report", "Finding", "Severity", "preload", "Problem"} <= set(cptkit.__all__)


def test_get_is_typed_by_its_default() -> None:
    # Checked by mypy --strict as much as run: CodeInfo | None without a default.
    info = cptkit.get("97110")
    assert info is not None and info.summary
    other: CodeInfo | str = cptkit.get("99999", "unknown")
    assert other == "unknown"
    modifier = cptkit.get_modifier("GP")
    assert modifier is not None and modifier.modifier == cptkit.Modifier("GP")
    place = cptkit.get_place_of_service("11")
    assert place is not None and place.place == cptkit.PlaceOfService("11")


def test_preload_loads_once() -> None:
    cptkit.preload()
    assert fresh(
        "import time, cptkit; cptkit.preload(); t = time.perf_counter(); cptkit.preload();"
        " print(time.perf_counter() - t < 0.1)"
    ) == ["True"]


def _records() -> list[Any]:
    catalog = cptkit.catalog()
    return [
        catalog.lookup("97110"),
        catalog.lookup_modifier("GP"),
        catalog.lookup_place_of_service("11"),
        *catalog.codes()[:50],
    ]


def test_every_record_unstructures_json_ready() -> None:
    for record in _records():
        json.dumps(unstructure(record))  # no TypeError: no sets, dates or Decimals left
    assert unstructure(cptkit.lookup("97110"))["disciplines"] == [
        "occupational therapy", "physical therapy"
    ]  # fmt: skip


LINE = ClaimLine(code="97110", units=2, date_of_service="2026-03-02", modifiers=["GP"],
                 minutes=30, diagnosis_pointers=[1], charge="60.00", place_of_service="11")  # fmt: skip


@pytest.mark.parametrize(
    "value",
    [LINE, Claim(lines=[LINE], diagnoses=["M54.50"], claim_id="C1", payer="Medicare"),
     cptkit.validate(Claim(lines=[LINE.__class__(code="97001", units=1, date_of_service="2026-03-02")],
                           diagnoses=["M54.50"]))],
)  # fmt: skip
def test_json_schema_describes_what_unstructure_writes(value: Any) -> None:
    schema = json_schema(type(value))
    data = unstructure(value)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert set(data) == set(schema["properties"]) and set(schema["required"]) <= set(data)
    assert schema["additionalProperties"] is False
    for name, item in data.items():
        kinds = [schema["properties"][name]]
        kinds += schema["properties"][name].get("anyOf", [])
        types = {kind.get("type") for kind in kinds} | {"object" for k in kinds if "$ref" in k}
        found = {str: "string", int: "integer", list: "array", dict: "object", type(None): "null"}
        assert found[type(item)] in types or any("enum" in k for k in kinds), (name, item)


def test_json_schema_of_a_claim() -> None:
    schema = json_schema(Claim)
    assert schema["required"] == ["lines", "diagnoses"]
    assert schema["properties"]["diagnoses"]["maxItems"] == 12
    assert schema["properties"]["lines"] == {"type": "array", "items": {"$ref": "#/$defs/ClaimLine"},
                                             "minItems": 1}  # fmt: skip
    line = schema["$defs"]["ClaimLine"]
    assert line["properties"]["diagnosis_pointers"]["items"] == {
        "type": "integer", "minimum": 1, "maximum": 12
    }  # fmt: skip
    assert line["properties"]["date_of_service"] == {"type": "string", "format": "date"}
    with pytest.raises(TypeError, match="json_schema\\(\\) takes an attrs class"):
        json_schema(int)


@pytest.mark.parametrize(
    ("data", "problems"),
    [
        ({"diagnoses": ["M54.50"], "lines": []},
         [("$.lines", "[] is not a non-empty list of ClaimLine", "a non-empty list of ClaimLine")]),
        ({"diagnoses": ["M54.50"] * 13, "lines": [{"code": "97110", "units": 1, "date_of_service": "2026-03-02"}]},
         [("$.diagnoses", "13 is not a count of diagnoses from 1 to 12", "a count of diagnoses from 1 to 12")]),
        ({"diagnoses": ["M54.50"], "lines": [None, "x"]},
         [("$.lines[0]", "expected an object (ClaimLine)", "an object (ClaimLine)"),
          ("$.lines[1]", "expected an object (ClaimLine)", "an object (ClaimLine)")]),
        ({"diagnoses": ["F32.1 Jane Doe"], "lines": [{"code": "97110", "units": 0, "date_of_service": "1980-04-01 Jane", "x": 1}]},
         [("$.lines[0].units", "0 is not an int >= 1", "an int >= 1"),
          ("$.lines[0].date_of_service", "'1980-04-01 Jane' is not a date (expected a datetime.date or 'YYYY-MM-DD')", "a date (expected a datetime.date or 'YYYY-MM-DD')"),
          ("$.lines[0]", "extra fields found (x)", "only the known keys (not 'x')"),
          ("$.diagnoses[0]", "'F32.1 Jane Doe' is not an ICD-10-CM code (expected a letter, a digit (or QA), a letter or digit, then up to 4 letters or digits, with or without a dot after the third)", "an ICD-10-CM code (expected a letter, a digit (or QA), a letter or digit, then up to 4 letters or digits, with or without a dot after the third)")]),
    ],
)  # fmt: skip
def test_problems_are_structured(
    data: dict[str, Any], problems: list[tuple[str, str, str]]
) -> None:
    with pytest.raises(InvalidRecord) as info:
        structure(data, Claim)
    found = info.value.problems
    assert [(p.path, p.message, p.expected) for p in found] == problems  # type: ignore[attr-defined]
    assert all(isinstance(p, Problem) and "Jane" not in p.expected for p in found)
    assert [tuple(p) for p in found] == [(path, message) for path, message, _ in problems]
    copy = pickle.loads(pickle.dumps(info.value))
    assert [p.expected for p in copy.problems] == [p.expected for p in found]  # type: ignore[attr-defined]
