# SPDX-License-Identifier: MIT
"""cptkit's 837P segments against third-party X12 software (the ``interop-x12`` extra).

pyx12 validates a whole interchange against its 005010X222A1 map; openx12, a separate code
base, reads the service lines back; x12sdk checks its typed 837P models. Each test skips when
its library is not installed. The assertions are only what each library really checks (see
the project's interop notes): code shape, the 4-modifier limit, units > 0 and pointer targets
are cptkit's own rules and are tested in ``test_x12.py``.
"""

from __future__ import annotations

import io
import re
from decimal import Decimal
from types import ModuleType
from typing import Any

import attrs
import pytest
from hypothesis import given

from cptkit import CannotWrite, Claim, ClaimLine, InvalidInterchange, PlaceOfService, x12
from cptkit import strategies as cst

LINE: dict[str, Any] = {"date_of_service": "2026-03-02", "diagnosis_pointers": [1]}
CLAIMS = {
    "one line": Claim(
        lines=[ClaimLine(code="97110", units=2, modifiers=["GP"], charge="125.00", **LINE)],
        diagnoses=["M54.50"],
        place_of_service="11",
    ),
    "every slot": Claim(
        lines=[
            ClaimLine(
                code="97140",
                units=1,
                modifiers=["GP", "59", "KX", "95"],
                place_of_service="02",
                charge="60.00",
                date_of_service="2026-03-02",
                diagnosis_pointers=[1, 2, 3, 12],
            ),
            ClaimLine(code="G0283", units=1, modifiers=["GP"], charge="0.00", **LINE),
            ClaimLine(code="97110", units=4, place_of_service="11", charge="250", **LINE),
        ],
        diagnoses=["M54.50", "M62.81", "R26.89", *["Z99.89"] * 8, "M25.561"],
        place_of_service="11",
    ),
}


def interchange(claim: Claim, *, total: Decimal | None = None) -> str:
    """A minimal 837P interchange (test identifiers only) around cptkit's loop 2400 segments."""
    assert claim.place_of_service is not None
    charges = [line.charge or Decimal(0) for line in claim.lines]
    hi = ["HI"] + [
        f"{'ABK' if index == 0 else 'ABF'}:{dx.value}" for index, dx in enumerate(claim.diagnoses)
    ]
    header = [
        "ST*837*0001*005010X222A1",
        "BHT*0019*00*0001*20260302*1200*CH",
        "NM1*41*2*TEST CLINIC*****46*CPTKITTEST",
        "PER*IC*BILLING*TE*5555550100",
        "NM1*40*2*TEST PAYER*****46*RECEIVER",
        "HL*1**20*1",
        "NM1*85*2*TEST CLINIC*****XX*1234567893",
        "N3*1 MAIN ST",
        "N4*ANYTOWN*CA*900001234",
        "REF*EI*123456789",
        "HL*2*1*22*0",
        "SBR*P*18*******CI",
        "NM1*IL*1*TEST*PATIENT****MI*TEST0001",
        "N3*1 MAIN ST",
        "N4*ANYTOWN*CA*900001234",
        "DMG*D8*19800101*F",
        "NM1*PR*2*TEST PAYER*****PI*12345",
        f"CLM*TEST1*{total if total is not None else sum(charges)}***{claim.place_of_service}:B:1*Y*A*Y*Y",
        "*".join(hi),
    ]
    lines = x12.write_lines(claim).split("~")[:-1]
    transaction = header + lines
    return "~\n".join(
        [
            "ISA*00*          *00*          *ZZ*CPTKITTEST     *ZZ*RECEIVER       "
            "*260302*1200*^*00501*000000001*0*T*:",
            "GS*HC*CPTKITTEST*RECEIVER*20260302*1200*1*X*005010X222A1",
            *transaction,
            f"SE*{len(transaction) + 1}*0001",
            "GE*1*1",
            "IEA*1*000000001",
            "",
        ]
    )


# Module-scoped, so that hypothesis tests can use them too.
@pytest.fixture(scope="module")
def pyx12() -> Any:
    pytest.importorskip("pyx12", minversion="4.0.0")
    return pytest.importorskip("pyx12.x12n_document")


def validate(pyx12: ModuleType, text: str) -> tuple[bool, str]:
    params = pytest.importorskip("pyx12.params").params()
    ack = io.StringIO()
    valid = pyx12.x12n_document(params, io.StringIO(text), ack, None)
    return valid, ack.getvalue()


@pytest.mark.parametrize("name", list(CLAIMS))
def test_pyx12_accepts_cptkit_segments(pyx12: ModuleType, name: str) -> None:
    valid, ack = validate(pyx12, interchange(CLAIMS[name]))
    assert valid is True
    assert "IK5*A~" in ack
    assert "AK9*A*1*1*1~" in ack


# Only what pyx12 really rejects (its map's lengths and code lists). cptkit can write none of
# these lines, so they are made by editing cptkit's output; cptkit's reader refuses them too.
@pytest.mark.parametrize(
    ("old", "new", "element"),
    [
        ("*UN*2***1~", "*UN*2*00**1~", "SV105"),
        ("HC:97110:GP*", "HC:97110:GPX*", "SV101-03"),
        ("*UN*2***1~", "*UN*2***13~", "SV107"),
        ("*UN*2***1~", "*UN*2***0~", "SV107"),
        ("*UN*2***1~", "*UN*two***1~", "SV104"),
        ("DTP*472*D8*20260302", "DTP*472*D8*20260230", "DTP03"),
    ],
)
def test_pyx12_rejects_what_cptkit_refuses(
    pyx12: ModuleType, old: str, new: str, element: str
) -> None:
    good = interchange(CLAIMS["one line"])
    assert old in good
    bad = good.replace(old, new, 1)
    valid, ack = validate(pyx12, bad)
    assert valid is False
    assert "IK5*R" in ack
    loop = bad[bad.index("LX*") : bad.index("SE*")]
    with pytest.raises(InvalidInterchange, match=re.escape(f"{element}: ")):
        x12.parse(loop, place_of_service="11")


@pytest.fixture(scope="module")
def openx12() -> Any:
    pytest.importorskip("openx12")
    return pytest.importorskip("openx12.x837p")


def read_back(openx12: ModuleType, claim: Claim) -> list[dict[str, Any]]:
    claims = openx12.parse(interchange(claim)).claims
    assert len(claims) == 1
    services: list[dict[str, Any]] = claims[0]["services"]
    assert claims[0]["place_of_service"] == str(claim.place_of_service)
    return services


def assert_same(claim: Claim, services: list[dict[str, Any]]) -> None:
    assert len(services) == len(claim.lines)
    for index, (line, service) in enumerate(zip(claim.lines, services, strict=True)):
        assert service["procedure_qualifier"] == "HC"
        assert service["cpt_code"] == str(line.code)
        assert service["modifiers"] == [str(modifier) for modifier in line.modifiers]
        assert service["unit_type"] == "UN"
        assert service["units"] == str(line.units)
        # openx12 reports SV105 as written; an empty one means the claim's place applies.
        place = service["place_of_service"] or str(claim.place_of_service)
        assert place == str(claim.place_of_service_for(index))
        assert service["diagnosis_pointers"] == [str(p) for p in line.diagnosis_pointers]
        assert service["service_date"] == line.date_of_service.isoformat()
        assert line.charge is not None
        assert service["charge"] == float(line.charge)


@pytest.mark.parametrize("name", list(CLAIMS))
def test_openx12_reads_the_same_lines(openx12: ModuleType, name: str) -> None:
    assert_same(CLAIMS[name], read_back(openx12, CLAIMS[name]))


def writable(line: ClaimLine) -> bool:
    return line.charge is not None and len(line.diagnosis_pointers) >= 1


# Twelve diagnoses, so that every pointer (1-12) names one.
writable_claims = cst.claims(lines=cst.claim_lines().filter(writable)).map(
    lambda claim: attrs.evolve(claim, diagnoses=(claim.diagnoses * 12)[:12])
)


@given(writable_claims, cst.places_of_service())
def test_openx12_reads_the_same_lines_property(
    openx12: ModuleType, claim: Claim, place: PlaceOfService
) -> None:
    claim = attrs.evolve(claim, place_of_service=place)
    assert_same(claim, read_back(openx12, claim))


def test_openx12_loses_a_fifth_modifier_that_cptkit_refuses(openx12: ModuleType) -> None:
    text = interchange(CLAIMS["one line"]).replace("HC:97110:GP*", "HC:97110:GP:59:KX:95:XU*")
    services = openx12.parse(text).claims[0]["services"]
    assert services[0]["modifiers"] == ["GP", "59", "KX", "95"]
    line = attrs.evolve(CLAIMS["one line"].lines[0], modifiers=["GP", "59", "KX", "95", "XU"])
    with pytest.raises(CannotWrite, match=re.escape("modifiers: ('GP', '59', 'KX', '95', 'XU')")):
        x12.write(line)
    loop = text[text.index("LX*") : text.index("SE*")]
    with pytest.raises(InvalidInterchange, match=re.escape("SV101-07: 'XU' is not empty")):
        x12.parse(loop)


@pytest.fixture(scope="module")
def x12sdk() -> Any:
    return pytest.importorskip("x12sdk.io")


def read_models(x12sdk: ModuleType, text: str) -> list[Any]:
    with x12sdk.X12ModelReader(text) as reader:
        return list(reader.models())


@pytest.mark.parametrize("name", list(CLAIMS))
def test_x12sdk_accepts_cptkit_segments(x12sdk: ModuleType, name: str) -> None:
    claim = CLAIMS[name]
    (model,) = read_models(x12sdk, interchange(claim))
    loops = model.loop_2000a[0].loop_2000b[0].loop_2300[0].loop_2400
    assert [loop.sv1_segment.service_unit_count for loop in loops] == [
        Decimal(line.units) for line in claim.lines
    ]
    assert [loop.sv1_segment.line_item_charge_amount for loop in loops] == [
        line.charge for line in claim.lines
    ]


def test_x12sdk_checks_the_claim_total(x12sdk: ModuleType) -> None:
    # CLM02 must equal the sum of SV102: the envelope's business, checked here by x12sdk.
    with pytest.raises(ValueError, match=re.escape("Claim Amount 999 != Service Line Total")):
        read_models(x12sdk, interchange(CLAIMS["every slot"], total=Decimal(999)))
