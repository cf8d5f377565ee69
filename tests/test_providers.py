# SPDX-License-Identifier: MIT
"""Identity on claims: NPIs (check digit), the patient key (never shown) and the providers,
through serialization, X12, FHIR and the file readers."""

from __future__ import annotations

import datetime
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cptkit import NPI, CannotWrite, Claim, ClaimLine, InvalidClaim, InvalidInput, fhir, x12
from cptkit import files as cfiles
from cptkit import strategies as cst
from cptkit.errors import InvalidInterchange
from cptkit.providers import check_digit
from cptkit.serialization import structure, unstructure

# Published examples, typed from their sources:
# - CMS "Requirements for NPI check digit": the nine digits 123456789 take check digit 3.
# - johndcook.com/blog/2024/06/26/npi-number: 1993999998 has a valid check digit.
# - makdns.blogspot.com (2012), NPI Luhn validation walk-through: 1558598797 is valid.
VALID = ["1234567893", "1993999998", "1558598797"]
INVALID = [
    "1234567890",  # wrong check digit
    "1234567894",
    "3234567893",  # an NPI starts with 1 or 2
    "123456789",  # nine digits
    "12345678930",
    "123456789A",
    "１２３４５６７８９３",  # full-width digits
    "1234567893\n",
    "",
    None,
    1234567893,
    b"1234567893",
]


def test_check_digit_of_the_cms_example() -> None:
    assert check_digit("123456789") == 3


@pytest.mark.parametrize("text", VALID)
def test_published_npis_are_valid(text: str) -> None:
    assert NPI.is_valid(text)
    assert NPI.parse(text) == NPI(text)
    assert str(NPI.parse(f" {text}\t")) == text


@pytest.mark.parametrize("value", INVALID)
def test_invalid_npis(value: Any) -> None:
    assert not NPI.is_valid(value)
    with pytest.raises(InvalidInput, match=re.escape("is not an NPI")):
        NPI.parse(value)
    with pytest.raises(InvalidInput):
        NPI(value)


@given(st.text(alphabet="0123456789", min_size=9, max_size=9).map(lambda s: "1" + s[1:]))
def test_exactly_one_check_digit_fits(payload: str) -> None:
    valid = [digit for digit in "0123456789" if NPI.is_valid(payload + digit)]
    assert valid == [str(check_digit(payload))]


@given(
    st.text(alphabet="0123456789", min_size=8, max_size=8),
    st.integers(0, 9),
    st.integers(1, 9),
)
def test_a_changed_digit_is_caught(digits: str, position: int, change: int) -> None:
    npi = "1" + digits
    npi += str(check_digit(npi))
    wrong = npi[:position] + str((int(npi[position]) + change) % 10) + npi[position + 1 :]
    assert NPI.is_valid(npi)
    assert not NPI.is_valid(wrong) or wrong[0] not in "12"


LINE = ClaimLine(code="97110", units=1, date_of_service="2026-03-02", diagnosis_pointers=[1])


def claim_of(**changes: Any) -> Claim:
    values: dict[str, Any] = {"lines": [LINE], "diagnoses": ["M54.50"]}
    return Claim(**{**values, **changes})


def test_claim_identity_fields() -> None:
    claim = claim_of(patient="pk-7", rendering_provider="1234567893", billing_provider="1993999998")
    assert claim.patient == "pk-7"
    assert claim.rendering_provider == NPI("1234567893")
    assert claim.billing_provider == NPI("1993999998")
    assert claim_of().patient is None


def test_the_patient_key_is_not_in_the_repr() -> None:
    claim = claim_of(patient="SECRET-KEY-1")
    assert "SECRET-KEY-1" not in repr(claim)
    assert "patient" not in repr(claim)


@pytest.mark.parametrize("value", ["", "  ", "a\nb", "é", 12, b"x"])
def test_a_bad_patient_key_is_not_echoed(value: Any) -> None:
    with pytest.raises(InvalidClaim, match="^patient: ") as info:
        claim_of(patient=value)
    if isinstance(value, str) and value.strip():
        assert value not in str(info.value)


@pytest.mark.parametrize("field", ["rendering_provider", "billing_provider"])
def test_a_provider_must_be_an_npi(field: str) -> None:
    with pytest.raises(InvalidClaim, match=re.escape(f"{field}: '1234567890' is not an NPI")):
        claim_of(**{field: "1234567890"})


def test_identity_round_trips_through_serialization() -> None:
    claim = claim_of(patient="pk-7", rendering_provider="1234567893", billing_provider="1993999998")
    data = unstructure(claim)
    assert data["patient"] == "pk-7"
    assert data["rendering_provider"] == "1234567893"
    assert structure(data, Claim) == claim


def test_x12_provider_segments() -> None:
    assert (
        x12.write_provider("1234567893", role="rendering", name="DOE", person=True)
        == "NM1*82*1*DOE*****XX*1234567893~"
    )
    assert x12.parse_provider("NM1*85*2*ACME*****XX*1993999998~") == (
        "billing",
        NPI("1993999998"),
    )
    claim = claim_of(rendering_provider="1558598797")
    assert claim.rendering_provider is not None
    text = x12.write_provider(claim.rendering_provider, role="rendering", name="DOE")
    assert x12.parse_provider(text) == ("rendering", claim.rendering_provider)


@pytest.mark.parametrize(
    ("arguments", "field"),
    [
        ({"npi": "1234567890", "role": "billing", "name": "A"}, "npi"),
        ({"npi": "1234567893", "role": "referring", "name": "A"}, "role"),
        ({"npi": "1234567893", "role": "billing", "name": ""}, "name"),
        ({"npi": "1234567893", "role": "billing", "name": "A*B"}, "name"),
        ({"npi": "1234567893", "role": "billing", "name": "A" * 61}, "name"),
    ],
)
def test_x12_provider_refused(arguments: dict[str, Any], field: str) -> None:
    with pytest.raises(CannotWrite, match=f"^{field}: "):
        x12.write_provider(**arguments)


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ("NM1*85*2*A*****XX*1234567890~", "NM109"),
        ("NM1*87*2*A*****XX*1234567893~", "NM101"),
        ("NM1*85*2*A*****24*1234567893~", "NM108"),
        ("NM1*85*2*A*****XX*1234567893*X~", "NM110"),
        ("SV1*85~", "segment"),
        ("NM1*85*2*A*****XX*1234567893~NM1~", "segments"),
    ],
)
def test_x12_provider_unreadable(text: str, field: str) -> None:
    with pytest.raises(InvalidInterchange, match=f"^{field}: "):
        x12.parse_provider(text)
    with pytest.raises(InvalidInterchange):
        x12.parse_provider(b"NM1")  # type: ignore[arg-type]


def test_fhir_claim_carries_patient_and_providers() -> None:
    claim = claim_of(patient="pk-7", rendering_provider="1234567893", billing_provider="1993999998")
    resource = fhir.write_claim(claim, coverage="Coverage/1", created=datetime.date(2026, 3, 3))
    assert resource["patient"] == {"identifier": {"value": "pk-7"}}
    npi = "http://hl7.org/fhir/sid/us-npi"
    assert resource["provider"] == {"identifier": {"system": npi, "value": "1993999998"}}
    assert resource["careTeam"][0]["provider"] == {
        "identifier": {"system": npi, "value": "1234567893"}
    }
    given_references = fhir.write_claim(
        claim,
        patient="Patient/1",
        provider="Organization/2",
        coverage="Coverage/1",
        created=datetime.date(2026, 3, 3),
    )
    assert given_references["patient"] == {"reference": "Patient/1"}
    assert given_references["provider"] == {"reference": "Organization/2"}


def test_fhir_claim_without_patient_needs_a_reference() -> None:
    with pytest.raises(CannotWrite, match="^patient: None"):
        fhir.write_claim(claim_of(), coverage="Coverage/1", created=datetime.date(2026, 3, 3))


def test_files_read_identity_columns(tmp_path: Path) -> None:
    path = tmp_path / "claims.csv"
    path.write_text(
        "claim_id,date_of_service,code,units,diagnoses,patient,rendering_provider,billing_provider\n"
        "A,2026-03-02,97110,1,M54.50,pk1,1234567893,1993999998\n"
        "A,2026-03-02,97112,1,M54.50,pk1,1234567893,1993999998\n"
        "B,2026-03-02,97110,1,M54.50,pk2,1234567890,\n"
        "C,2026-03-02,97110,1,M54.50,pk2,,\n"
        "C,2026-03-02,97110,1,M54.50,pk3,,\n",
        encoding="utf-8",
    )
    rejected: list[cfiles.Rejected] = []
    claims = list(cfiles.read_claims(path, on_rejected=rejected.append))
    assert [(c.claim_id, c.patient) for c in claims] == [("A", "pk1")]
    assert claims[0].rendering_provider == NPI("1234567893")
    assert claims[0].billing_provider == NPI("1993999998")
    reasons = {(r.claim_id, r.field): r.reason for r in rejected}
    assert reasons[("B", "rendering_provider")].startswith("rendering_provider: '1234567890'")
    assert reasons[("C", "patient")] == "patient: differs from the claim's row 5"
    assert not any("pk2" in r.reason or "pk3" in r.reason for r in rejected)


def test_json_lines_read_identity(tmp_path: Path) -> None:
    path = tmp_path / "claims.ndjson"
    path.write_text(
        '{"claim_id": "A", "date_of_service": "2026-03-02", "code": "97110", "units": 1,'
        ' "diagnoses": ["M54.50"], "patient": "pk1", "billing_provider": "1993999998"}\n',
        encoding="utf-8",
    )
    (claim,) = cfiles.read_claims(path)
    assert claim.patient == "pk1"
    assert claim.billing_provider == NPI("1993999998")


@given(cst.npis())
def test_generated_npis_are_valid(npi: NPI) -> None:
    assert NPI.is_valid(npi.value)
    assert NPI.parse(str(npi)) == npi


@given(st.from_type(Claim))
def test_generated_claims_keep_identity_through_serialization(claim: Claim) -> None:
    assert structure(unstructure(claim), Claim) == claim
