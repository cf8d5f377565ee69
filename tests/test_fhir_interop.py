# SPDX-License-Identifier: MIT
"""cptkit's FHIR Claim against third-party FHIR validators (the ``interop-fhir`` extra).

fhir.resources is imported as ``fhir.resources.R4B``: its default package is R5, which accepts
an R4 Claim unchanged and so would prove nothing about R4. fhirkit-rs validates against R4
4.0.1. Each test skips when its library is not installed. Base FHIR binds CPT, modifiers and
places of service by example only, so these validators check structure, types and
cardinality; cptkit's own rules are tested in ``test_fhir.py``.
"""

from __future__ import annotations

import copy
import datetime
import decimal
import json
from types import ModuleType
from typing import Any

import attrs
import pytest
from hypothesis import given

from cptkit import Claim, ClaimLine, fhir
from cptkit import strategies as cst

REFERENCES: dict[str, Any] = {
    "patient": "Patient/example",
    "provider": "Organization/example",
    "coverage": "Coverage/example",
    "created": datetime.date(2026, 3, 3),
}
LINE: dict[str, Any] = {"date_of_service": "2026-03-02", "diagnosis_pointers": [1]}
CLAIMS = {
    "one line": Claim(
        lines=[ClaimLine(code="97110", units=2, modifiers=["GP"], charge="125.00", **LINE)],
        diagnoses=["M54.50"],
        place_of_service="11",
    ),
    "every element": Claim(
        lines=[
            ClaimLine(
                code="97140",
                units=1,
                modifiers=["GP", "59", "KX", "95", "XU"],
                place_of_service="02",
                charge="60.00",
                date_of_service="2026-03-02",
                diagnosis_pointers=[1, 2, 3],
            ),
            ClaimLine(code="G0283", units=1, **LINE),
        ],
        diagnoses=["M54.50", "M62.81", "R26.89"],
        payer="Test payer",
        claim_id="TEST-1",
    ),
}


def resource(name: str) -> dict[str, Any]:
    return fhir.write_claim(CLAIMS[name], **REFERENCES)


# Module-scoped, so that hypothesis tests can use them too.
@pytest.fixture(scope="module")
def r4b_claim() -> Any:
    pytest.importorskip("fhir.resources", minversion="8.3.0")
    return pytest.importorskip("fhir.resources.R4B.claim").Claim


@pytest.fixture(scope="module")
def fhirkit() -> Any:
    module = pytest.importorskip("fhirkit")
    assert module.FHIR_VERSION == "4.0.1"
    return module


@pytest.mark.parametrize("name", list(CLAIMS))
def test_fhir_resources_r4b_accepts_cptkit_claims(r4b_claim: Any, name: str) -> None:
    model = r4b_claim.model_validate(resource(name))
    assert len(model.item) == len(CLAIMS[name].lines)


@pytest.mark.parametrize("name", list(CLAIMS))
def test_fhir_resources_reads_the_same_items(r4b_claim: Any, name: str) -> None:
    # Through fhir.resources' own JSON, read with Decimal numbers, back into cptkit lines.
    text = r4b_claim.model_validate(resource(name)).model_dump_json()
    items = json.loads(text, parse_float=decimal.Decimal)["item"]
    claim = CLAIMS[name]
    for index, (line, item) in enumerate(zip(claim.lines, items, strict=True)):
        place = claim.place_of_service_for(index)
        assert fhir.parse_item(item) == attrs.evolve(line, place_of_service=place)


@pytest.mark.parametrize("name", list(CLAIMS))
def test_fhirkit_accepts_cptkit_claims(fhirkit: ModuleType, name: str) -> None:
    assert [str(issue) for issue in fhirkit.validate(resource(name))] == []
    parsed = fhirkit.parse(resource(name), strict=True)
    assert parsed.resource_type == "Claim"
    assert parsed.issues == []


def writable(claim: Claim) -> bool:
    count = len(claim.diagnoses)
    return all(p <= count for line in claim.lines for p in line.diagnosis_pointers)


@given(cst.claims().filter(writable))
def test_both_validators_accept_any_claim(
    r4b_claim: Any, fhirkit: ModuleType, claim: Claim
) -> None:
    document = fhir.write_claim(claim, **REFERENCES)
    r4b_claim.model_validate(document)
    assert [str(issue) for issue in fhirkit.validate(document)] == []


def broken(path: list[str | int], value: object) -> dict[str, Any]:
    document = copy.deepcopy(resource("one line"))
    target: Any = document
    for part in path[:-1]:
        target = target[part]
    if value is ...:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return document


# Only what both validators really reject (structure, types, cardinality).
BROKEN = {
    "pointer 0": broken(["item", 0, "diagnosisSequence"], [0]),
    "empty code": broken(["item", 0, "productOrService", "coding", 0, "code"], ""),
    "no sequence": broken(["item", 0, "sequence"], ...),
    "no productOrService": broken(["item", 0, "productOrService"], ...),
    "unknown element": broken(["item", 0, "units"], 2),
    "two serviced[x]": broken(["item", 0, "servicedPeriod"], {"start": "2026-03-02"}),
    "no insurance": broken(["insurance"], ...),
    "units as text": broken(["item", 0, "quantity", "value"], "two"),
}


@pytest.mark.parametrize("name", list(BROKEN))
def test_fhir_resources_rejects(r4b_claim: Any, name: str) -> None:
    with pytest.raises(ValueError):  # noqa: PT011 - pydantic's ValidationError, many messages
        r4b_claim.model_validate(BROKEN[name])


@pytest.mark.parametrize("name", list(BROKEN))
def test_fhirkit_rejects(fhirkit: ModuleType, name: str) -> None:
    issues = fhirkit.validate(BROKEN[name])
    assert any(issue.severity == "error" for issue in issues)
