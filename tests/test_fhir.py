# SPDX-License-Identifier: MIT
from __future__ import annotations

import contextlib
import copy
import datetime
import json
import re
from decimal import Decimal
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from cptkit import CannotWrite, Claim, ClaimLine, InvalidInput, InvalidInterchange, fhir
from cptkit import strategies as cst

BASE: dict[str, Any] = {"code": "97110", "units": 2, "date_of_service": "2026-03-02"}
POS = fhir.PLACE_OF_SERVICE
ITEM: dict[str, Any] = {
    "sequence": 1,
    "diagnosisSequence": [1, 2],
    "productOrService": {"coding": [{"system": fhir.CPT, "code": "97110"}]},
    "modifier": [
        {"coding": [{"system": fhir.HCPCS, "code": "GP"}]},
        {"coding": [{"system": fhir.CPT, "code": "59"}]},
    ],
    "servicedDate": "2026-03-02",
    "locationCodeableConcept": {"coding": [{"system": POS, "code": "11"}]},
    "quantity": {"value": 2},
    "net": {"value": 125.0, "currency": "USD"},
}
FULL = ClaimLine(
    **BASE,
    modifiers=["GP", "59"],
    place_of_service="11",
    diagnosis_pointers=[1, 2],
    charge="125.00",
    minutes=38,
)
REFERENCES: dict[str, Any] = {
    "patient": "Patient/example",
    "provider": "Organization/example",
    "coverage": "Coverage/example",
    "created": datetime.date(2026, 3, 3),
}


def test_write_item() -> None:
    item = fhir.write_item(FULL)
    assert item == ITEM
    assert list(item) == list(ITEM)
    assert json.loads(json.dumps(item)) == item


def test_write_minimal_item() -> None:
    line = ClaimLine(**{**BASE, "code": "G0283"})
    item = fhir.write_item(line, sequence=3)
    assert item == {
        "sequence": 3,
        "productOrService": {"coding": [{"system": fhir.HCPCS, "code": "G0283"}]},
        "servicedDate": "2026-03-02",
        "quantity": {"value": 2},
    }
    assert fhir.parse_item(item) == line


@pytest.mark.parametrize(
    ("code", "system"),
    [("97110", fhir.CPT), ("1125F", fhir.CPT), ("0362T", fhir.CPT), ("G0283", fhir.HCPCS)],
)
def test_code_system_by_category(code: str, system: str) -> None:
    item = fhir.write_item(ClaimLine(**{**BASE, "code": code}))
    assert item["productOrService"]["coding"][0]["system"] == system


@pytest.mark.parametrize(
    ("modifier", "system"),
    [("59", fhir.CPT), ("1P", fhir.CPT), ("GP", fhir.HCPCS), ("P1", fhir.HCPCS)],
)
def test_modifier_system_by_first_character(modifier: str, system: str) -> None:
    item = fhir.write_item(ClaimLine(**BASE, modifiers=[modifier]))
    assert item["modifier"][0]["coding"][0]["system"] == system


def test_code_systems_are_settings() -> None:
    systems = fhir.CodeSystems(hcpcs="http://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets")
    item = fhir.write_item(ClaimLine(**BASE, modifiers=["GP"]), code_systems=systems)
    assert item["modifier"][0]["coding"][0]["system"] == systems.hcpcs
    assert fhir.parse_item(item, code_systems=systems) == ClaimLine(**BASE, modifiers=["GP"])
    with pytest.raises(InvalidInterchange, match=re.escape("item.modifier[0].coding[0].system")):
        fhir.parse_item(item)
    assert fhir.CodeSystems() == fhir.DEFAULT_CODE_SYSTEMS


@pytest.mark.parametrize("uri", ["", "http://x y", "http://é", 5, "a\nb"])
def test_bad_code_system(uri: object) -> None:
    with pytest.raises(InvalidInput, match=re.escape(f"cpt: {uri!r} is not a code-system URI")):
        fhir.CodeSystems(cpt=uri)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: fhir.write_item(BASE), "line: 'dict' is not a ClaimLine"),  # type: ignore[arg-type]
        (lambda: fhir.write_item(FULL, sequence=0), "sequence: 0 is not an int >= 1"),
        (lambda: fhir.write_item(FULL, sequence=True), "sequence: True is not an int >= 1"),
        (
            lambda: fhir.write_item(attrs.evolve(FULL, charge=Decimal("0.1234567890123456789"))),
            "charge: Decimal('0.1234567890123456789') is not an amount a JSON number carries exactly",
        ),
    ],
)
def test_cannot_write_item(call: Any, message: str) -> None:
    with pytest.raises(CannotWrite, match=re.escape(message)):
        call()


def change(path: str, value: object) -> dict[str, Any]:
    """A copy of ITEM with the element at a dotted *path* replaced (or removed for ...)."""
    item = copy.deepcopy(ITEM)
    *parents, last = path.split(".")
    target: Any = item
    for part in parents:
        target = target[int(part)] if part.isdigit() else target[part]
    if value is ...:
        del target[last]
    elif last.isdigit():
        target[int(last)] = value
    else:
        target[last] = value
    return item


@pytest.mark.parametrize(
    ("item", "changes"),
    [
        (ITEM, {}),
        (change("quantity.value", 2.0), {}),
        (change("quantity.value", Decimal("2.00")), {}),
        (change("net.value", Decimal("125.00")), {}),
        (change("net.value", 125), {}),
        (change("net.currency", ...), {}),
        (change("net", ...), {"charge": None}),
        (change("modifier", ...), {"modifiers": []}),
        (change("diagnosisSequence", ...), {"diagnosis_pointers": []}),
        (change("locationCodeableConcept", ...), {"place_of_service": None}),
        (change("productOrService.text", "Therapeutic exercise"), {}),
        (change("productOrService.coding.0.display", "Therapeutic exercise"), {}),
        (change("modifier.1.coding.0.system", fhir.HCPCS), {}),
        (change("sequence", 9), {}),
    ],
)
def test_parse_item(item: dict[str, Any], changes: dict[str, Any]) -> None:
    assert fhir.parse_item(item) == attrs.evolve(FULL, minutes=None, **changes)


def test_parse_item_from_json_with_decimals() -> None:
    text = json.dumps(ITEM).replace("125.0", "125.00")
    read = fhir.parse_item(json.loads(text, parse_float=Decimal))
    assert str(read.charge) == "125.00"


@pytest.mark.parametrize(
    ("item", "message"),
    [
        ([], "item: 'list' is not a JSON object (dict)"),
        (change("unitPrice", {"value": 1}), "item: 'unitPrice' is not an element cptkit reads"),
        (change("servicedPeriod", {}), "item: 'servicedPeriod' is not an element cptkit reads"),
        (change("sequence", ...), "item.sequence: None is not a positiveInt"),
        (change("sequence", 0), "item.sequence: 0 is not a positiveInt"),
        (change("sequence", "1"), "item.sequence: '1' is not a positiveInt"),
        (change("diagnosisSequence", []), "item.diagnosisSequence: 'list' is not a non-empty JSON"),
        (change("diagnosisSequence", 1), "item.diagnosisSequence: 'int' is not a non-empty JSON"),
        (change("diagnosisSequence.1", 13), "item.diagnosisSequence[1]: 13 is not an int 1-12"),
        (change("diagnosisSequence.0", 0), "item.diagnosisSequence[0]: 0 is not an int 1-12"),
        (change("diagnosisSequence.0", True), "item.diagnosisSequence[0]: True is not an int"),
        (change("productOrService", ...), "item.productOrService: 'NoneType' is not a JSON object"),
        (
            change("productOrService.coding", ...),
            "item.productOrService.coding: 0 is not a count of 1 coding",
        ),
        (
            change("productOrService.coding.0.version", "2026"),
            "item.productOrService.coding[0]: 'version' is not an element cptkit reads",
        ),
        (
            change("productOrService.coding", [{}, {}]),
            "item.productOrService.coding: 2 is not a count of 1 coding",
        ),
        (
            change("productOrService.coding.0.code", "97-110"),
            "item.productOrService.coding[0].code: '97-110' is not a CPT or HCPCS code",
        ),
        (
            change("productOrService.coding.0.code", 97110),
            "item.productOrService.coding[0].code: 97110 is not a CPT or HCPCS code",
        ),
        (
            change("productOrService.coding.0.code", ""),
            "item.productOrService.coding[0].code: '' is not a CPT or HCPCS code",
        ),
        (
            change("productOrService.coding.0.system", fhir.HCPCS),
            f"item.productOrService.coding[0].system: {fhir.HCPCS!r} is not {fhir.CPT!r} for 97110",
        ),
        (
            change("modifier.0.coding.0.system", None),
            "item.modifier[0].coding[0].system: None is not the CPT or HCPCS system",
        ),
        (
            change("modifier.1.coding.0.code", "GPX"),
            "item.modifier[1].coding[0].code: 'GPX' is not a modifier",
        ),
        (change("modifier.0", "GP"), "item.modifier[0]: 'str' is not a JSON object (dict)"),
        (change("servicedDate", ...), "item.servicedDate: None is not a full date YYYY-MM-DD"),
        (change("servicedDate", "2026-03"), "item.servicedDate: '2026-03' is not a full date"),
        (change("servicedDate", "2026-02-30"), "item.servicedDate: '2026-02-30' is not a full"),
        (
            change("locationCodeableConcept.coding.0.code", "00"),
            "item.locationCodeableConcept.coding[0].code: '00' is not a place of service",
        ),
        (
            change("locationCodeableConcept.coding.0.system", fhir.CPT),
            "item.locationCodeableConcept.coding[0].system: 'http://www.ama-assn.org/go/cpt' is not the place-of-service system",
        ),
        (change("quantity", ...), "item.quantity: 'NoneType' is not a JSON object (dict)"),
        (change("quantity.unit", "min"), "item.quantity: 'unit' is not an element cptkit reads"),
        (change("quantity.value", ...), "item.quantity.value: None is not a JSON number"),
        (change("quantity.value", "2"), "item.quantity.value: '2' is not a JSON number"),
        (change("quantity.value", True), "item.quantity.value: True is not a JSON number"),
        (change("quantity.value", 1.5), "item.quantity.value: 1.5 is not a whole number >= 1"),
        (change("quantity.value", 0), "item.quantity.value: 0 is not a whole number >= 1"),
        (change("quantity.value", float("inf")), "item.quantity.value: inf is not a JSON number"),
        (
            change("quantity.value", Decimal("NaN")),
            "item.quantity.value: Decimal('NaN') is not a JSON number",
        ),
        (change("net.currency", "EUR"), "item.net.currency: 'EUR' is not 'USD'"),
        (change("net.value", -1), "item.net.value: -1 is not an amount >= 0"),
        (change("net.value", "125.00"), "item.net.value: '125.00' is not a JSON number"),
    ],
)
def test_parse_item_refuses(item: Any, message: str) -> None:
    with pytest.raises(InvalidInterchange, match=re.escape(message)) as info:
        fhir.parse_item(item)
    assert "\n" not in str(info.value)


def test_write_claim() -> None:
    claim = Claim(
        lines=[ClaimLine(**BASE, diagnosis_pointers=[1], charge="100.00"), FULL],
        diagnoses=["M54.50", "M62.81"],
        place_of_service="02",
        payer="Test payer",
        claim_id="C-1",
    )
    resource = fhir.write_claim(claim, **REFERENCES)
    assert list(resource) == [
        "resourceType",
        "identifier",
        "status",
        "type",
        "use",
        "patient",
        "created",
        "insurer",
        "provider",
        "priority",
        "diagnosis",
        "insurance",
        "item",
        "total",
    ]
    assert resource["identifier"] == [{"value": "C-1"}]
    assert resource["insurer"] == {"display": "Test payer"}
    assert resource["created"] == "2026-03-03"
    assert resource["diagnosis"][1] == {
        "sequence": 2,
        "diagnosisCodeableConcept": {"coding": [{"system": fhir.ICD_10_CM, "code": "M62.81"}]},
    }
    assert resource["total"] == {"value": 225.0, "currency": "USD"}
    places = [item["locationCodeableConcept"]["coding"][0]["code"] for item in resource["item"]]
    assert places == ["02", "11"]
    assert [item["sequence"] for item in resource["item"]] == [1, 2]
    assert json.loads(json.dumps(resource)) == resource


def test_write_claim_without_optional_parts() -> None:
    claim = Claim(lines=[ClaimLine(**BASE)], diagnoses=["M54.50"])
    resource = fhir.write_claim(claim, **REFERENCES)
    assert "identifier" not in resource
    assert "insurer" not in resource
    assert "total" not in resource
    assert "locationCodeableConcept" not in resource["item"][0]


@pytest.mark.parametrize(
    ("claim", "options", "message"),
    [
        (
            Claim(lines=[ClaimLine(**BASE, diagnosis_pointers=[2])], diagnoses=["M54.50"]),
            {},
            "diagnosis_pointers: 2 is not a position in the claim's 1 diagnoses",
        ),
        ("claim", {}, "claim: 'str' is not a Claim"),
        (None, {"patient": ""}, "patient: '' is not a reference such as 'Patient/123'"),
        (None, {"coverage": "Coverage 1"}, "coverage: 'Coverage 1' is not a reference"),
        (None, {"provider": None}, "provider: None is not a reference"),
        (None, {"created": "2026-03-03"}, "created: '2026-03-03' is not a datetime.date"),
    ],
)
def test_cannot_write_claim(claim: Any, options: dict[str, Any], message: str) -> None:
    if claim is None:
        claim = Claim(lines=[ClaimLine(**BASE)], diagnoses=["M54.50"])
    with pytest.raises(CannotWrite, match=re.escape(message)):
        fhir.write_claim(claim, **{**REFERENCES, **options})


@given(cst.claim_lines(), st.integers(1, 10_000))
def test_roundtrip(line: ClaimLine, sequence: int) -> None:
    item = fhir.write_item(line, sequence=sequence)
    assert fhir.parse_item(json.loads(json.dumps(item))) == attrs.evolve(line, minutes=None)


@given(cst.claims())
def test_claim_items_roundtrip(claim: Claim) -> None:
    if any(p > len(claim.diagnoses) for line in claim.lines for p in line.diagnosis_pointers):
        with pytest.raises(CannotWrite):
            fhir.write_claim(claim, **REFERENCES)
        return
    resource = fhir.write_claim(claim, **REFERENCES)
    for index, (line, item) in enumerate(zip(claim.lines, resource["item"], strict=True)):
        read = fhir.parse_item(item)
        assert read.place_of_service == claim.place_of_service_for(index)
        assert read == attrs.evolve(line, minutes=None, place_of_service=read.place_of_service)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=3)
        | st.dictionaries(st.sampled_from([*ITEM, "coding", "code", "system", "value"]), children)
    ),
    max_leaves=12,
)


@given(st.data())
def test_mangled_items_raise_only_cptkit_errors(data: st.DataObject) -> None:
    paths = [
        "sequence",
        "diagnosisSequence",
        "diagnosisSequence.0",
        "productOrService",
        "productOrService.coding",
        "productOrService.coding.0",
        "productOrService.coding.0.code",
        "modifier",
        "modifier.0",
        "servicedDate",
        "locationCodeableConcept",
        "quantity",
        "quantity.value",
        "net",
        "net.value",
        "net.currency",
    ]
    item = change(data.draw(st.sampled_from(paths)), data.draw(json_values))
    with contextlib.suppress(InvalidInterchange):
        fhir.parse_item(item)


@given(json_values)
def test_junk_items_raise_only_cptkit_errors(value: Any) -> None:
    with contextlib.suppress(InvalidInterchange):
        fhir.parse_item(value)
