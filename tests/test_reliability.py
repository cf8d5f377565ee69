# SPDX-License-Identifier: MIT
"""Reliability: fuzzed entry points raise only cptkit errors; threads, hash seeds and
processes give the same answers; nothing about a claim leaks into messages or logs."""

from __future__ import annotations

import contextlib
import json
import logging
import os
import subprocess
import sys
import threading
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import cptkit
from cptkit import Claim, ClaimLine, CptkitError, units
from cptkit import strategies as cst
from cptkit.serialization import structure

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=12),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=5)
    ),
    max_leaves=20,
)
line_keys = st.sampled_from(
    [
        "code",
        "units",
        "date_of_service",
        "modifiers",
        "place_of_service",
        "minutes",
        "diagnosis_pointers",
        "charge",
        "extra",
    ]
)
line_like = st.dictionaries(line_keys, json_values, max_size=9)
claim_like = st.fixed_dictionaries(
    {},
    optional={
        "lines": st.lists(line_like, max_size=3),
        "diagnoses": json_values,
        "place_of_service": json_values,
        "payer": json_values,
        "claim_id": json_values,
    },
)


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(json_values, line_like))
def test_structure_line_raises_only_cptkit_errors(data: object) -> None:
    with contextlib.suppress(CptkitError):
        structure(data, ClaimLine)


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(json_values, claim_like))
def test_structure_claim_raises_only_cptkit_errors(data: object) -> None:
    with contextlib.suppress(CptkitError):
        structure(data, Claim)


codes_or_junk = st.one_of(
    st.sampled_from(["97110", "97140", "96130", "90837", "97161", "99213", "9711", "96131"]),
    st.text(max_size=6),
    st.integers(),
    st.none(),
)


@given(
    st.dictionaries(codes_or_junk, json_values, max_size=5), st.sampled_from(["cms", "ama", "x"])
)
def test_allocate_raises_only_cptkit_errors(minutes: dict[Any, Any], rule: str) -> None:
    with contextlib.suppress(CptkitError):
        units.allocate(minutes, rule=rule)  # type: ignore[arg-type]


@given(st.one_of(json_values, st.binary()))
def test_allocate_rejects_non_mappings(value: object) -> None:
    if isinstance(value, dict):
        return
    with pytest.raises(CptkitError):
        units.allocate(value)  # type: ignore[arg-type]


@given(json_values, json_values)
def test_lookups_raise_only_cptkit_errors(code: object, on: object) -> None:
    for call in (cptkit.lookup, cptkit.lookup_modifier, cptkit.lookup_place_of_service):
        with contextlib.suppress(CptkitError):
            call(code, on=on)  # type: ignore[arg-type]


def _claims() -> list[Claim]:
    line = ClaimLine
    return [
        Claim(
            lines=[
                line(
                    code="97110",
                    units=3,
                    minutes=33,
                    date_of_service="2026-03-02",
                    diagnosis_pointers=[1],
                ),
                line(code="96101", units=1, date_of_service="2026-03-02", diagnosis_pointers=[2]),
                line(
                    code="97140",
                    units=1,
                    minutes=8,
                    modifiers=["GP"],
                    date_of_service="2019-06-03",
                    diagnosis_pointers=[1],
                ),
                line(
                    code="97530",
                    units=1,
                    minutes=8,
                    modifiers=["GP"],
                    date_of_service="2019-06-03",
                    diagnosis_pointers=[1],
                ),
            ],
            diagnoses=["M54.50"],
            claim_id=f"C{i}",
        )
        for i in range(20)
    ]


def test_threads_give_the_same_reports() -> None:
    claims = _claims()
    expected = [cptkit.validate(claim) for claim in claims]
    results: dict[int, list[Any]] = {}

    def worker(number: int) -> None:
        results[number] = [cptkit.validate(claim) for claim in claims]

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == list(range(16))  # every thread finished
    assert all(reports == expected for reports in results.values())


_DETERMINISM = """
import json, sys
sys.path.insert(0, sys.argv[1])
from test_reliability import _claims
import cptkit
print(json.dumps([r.to_records() for r in cptkit.validate_many(_claims())]))
"""


def test_same_findings_across_hash_seeds() -> None:
    outputs = set()
    for seed in ("0", "1", "4242"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        result = subprocess.run(
            [sys.executable, "-c", _DETERMINISM, os.path.dirname(__file__)],
            capture_output=True,
            text=True,
            check=True,
            env=env,
        )
        outputs.add(result.stdout)
    assert len(outputs) == 1
    assert json.loads(outputs.pop())[0]  # findings were produced


SECRETS = ["F84.0", "F840", "PATIENT-9931", "Jane Roe", "123.45", "2026-03-02"]


@given(cst.claims())
@settings(max_examples=50)
def test_findings_never_carry_other_fields(claim: Claim) -> None:
    secret = Claim(
        lines=claim.lines, diagnoses=claim.diagnoses, claim_id="PATIENT-9931", payer="Jane Roe"
    )
    for finding in cptkit.validate(secret).findings:
        text = f"{finding.message} {finding.suggestion} {finding.field}"
        assert "PATIENT-9931" not in text
        assert "Jane Roe" not in text
        # The diagnosis-code rules name the one diagnosis they are about (their field's value);
        # tests/test_rules_diagnosis_codes.py checks that they name no other.
        for diagnosis in secret.diagnoses if finding.field != "diagnoses" else ():
            assert str(diagnosis) not in text
        for line in secret.lines:
            if line.charge is not None:
                assert f" {line.charge}" not in text


@pytest.mark.parametrize(
    ("fields", "offending"),
    [
        ({"units": 0}, "0"),
        ({"charge": "abc"}, "'abc'"),
        ({"minutes": -3}, "-3"),
        ({"place_of_service": "99x"}, "'99x'"),
    ],
)
def test_errors_carry_only_the_offending_value(fields: dict[str, object], offending: str) -> None:
    base: dict[str, object] = {
        "code": "97153",
        "units": 8,
        "date_of_service": "2026-03-02",
        "charge": "123.45",
        "minutes": 120,
        "place_of_service": "10",
        "modifiers": ["HN"],
    }
    with pytest.raises(CptkitError) as info:
        ClaimLine(**{**base, **fields})
    text = f"{info.value} {info.value!r}"
    assert offending in text
    others = {key: value for key, value in base.items() if key not in fields}
    for value in others.values():
        if isinstance(value, str) and len(value) > 2:
            assert value not in text


def test_cptkit_logs_nothing(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    for claim in _claims():
        cptkit.validate(claim)
    units.allocate({"97110": 33})
    assert [record for record in caplog.records if record.name.startswith("cptkit")] == []
    assert caplog.records == []
