# SPDX-License-Identifier: MIT
from __future__ import annotations

import contextlib
import decimal
import re
import subprocess
import sys
from decimal import Decimal
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from cptkit import (
    CannotWrite,
    Claim,
    ClaimLine,
    InvalidClaimLine,
    InvalidInterchange,
    InvalidPlaceOfService,
    PlaceOfService,
    x12,
)
from cptkit import strategies as cst

BASE: dict[str, Any] = {
    "code": "97110",
    "units": 2,
    "date_of_service": "2026-03-02",
    "diagnosis_pointers": [1],
    "charge": "125.00",
}
# SV102 without trailing zeros (005010 TR3 Appendix B, "Decimal"): 125.00 is written 125.
LOOP = "LX*1~SV1*HC:97110*125*UN*2***1~DTP*472*D8*20260302~"


def line_of(**changes: Any) -> ClaimLine:
    return ClaimLine(**{**BASE, **changes})


@pytest.mark.parametrize(
    ("changes", "options", "expected"),
    [
        ({}, {}, LOOP),
        (
            {"modifiers": ["GP", "59", "KX", "XU"], "diagnosis_pointers": [1, 2, 3, 12]},
            {},
            "LX*1~SV1*HC:97110:GP:59:KX:XU*125*UN*2***1:2:3:12~DTP*472*D8*20260302~",
        ),
        (
            {"code": "G0283", "units": 1, "charge": "0"},
            {"number": 7},
            "LX*7~SV1*HC:G0283*0*UN*1***1~",
        ),
        ({"charge": Decimal("1E+2")}, {}, "SV1*HC:97110*100*UN*2***1~"),
        ({"charge": Decimal("-0.00")}, {}, "SV1*HC:97110*0*UN*2***1~"),
        ({"charge": None}, {"default_charge": Decimal("0.00")}, "SV1*HC:97110*0*UN*2***1~"),
        ({"charge": "60.50"}, {}, "SV1*HC:97110*60.5*UN*2***1~"),
        ({"charge": "99999999.99"}, {}, "SV1*HC:97110*99999999.99*UN*2***1~"),
        ({"charge": "99999999.990"}, {}, "SV1*HC:97110*99999999.99*UN*2***1~"),
        # DTP03 is CCYYMMDD: eight digits, whatever the year.
        ({"date_of_service": "0999-12-31"}, {}, "DTP*472*D8*09991231~"),
        ({"minutes": 38}, {}, LOOP),
        # SV105 only when the line's own place differs from CLM05-1.
        ({"place_of_service": "11"}, {"place_of_service": "11"}, "*UN*2***1~"),
        ({"place_of_service": "02"}, {"place_of_service": "11"}, "*UN*2*02**1~"),
        ({"place_of_service": "02"}, {}, "*UN*2*02**1~"),
        ({}, {"place_of_service": PlaceOfService("11")}, "*UN*2***1~"),
    ],
)
def test_write(changes: dict[str, Any], options: dict[str, Any], expected: str) -> None:
    assert expected in x12.write(line_of(**changes), **options)


def test_write_with_other_separators() -> None:
    separators = x12.Separators(element="|", component=">", segment="\n")
    text = x12.write(line_of(modifiers=["GP"], diagnosis_pointers=[1, 2]), separators=separators)
    assert text == "LX|1\nSV1|HC>97110>GP|125|UN|2|||1>2\nDTP|472|D8|20260302\n"
    assert x12.parse(text, separators=separators) == line_of(
        modifiers=["GP"], diagnosis_pointers=[1, 2]
    )


@pytest.mark.parametrize(
    ("changes", "options", "message"),
    [
        (
            {"modifiers": ["GP", "59", "KX", "95", "XU"]},
            {},
            "modifiers: ('GP', '59', 'KX', '95', 'XU') is not a list of at most 4 modifiers",
        ),
        (
            {"charge": None},
            {},
            "charge: None is not an amount (SV102, the line charge, is required)",
        ),
        (
            {"charge": None},
            {"default_charge": 0},
            "default_charge: 0 is not a Decimal amount >= 0",
        ),
        (
            {"charge": None},
            {"default_charge": Decimal("-1")},
            "default_charge: Decimal('-1') is not a Decimal amount >= 0",
        ),
        (
            {"diagnosis_pointers": []},
            {},
            "diagnosis_pointers: () is not a list of 1 to 4 diagnosis pointers (SV107; SV107-01 is required)",
        ),
        (
            {"diagnosis_pointers": [1, 2, 3, 4, 5]},
            {},
            "diagnosis_pointers: (1, 2, 3, 4, 5) is not a list of 1 to 4 diagnosis pointers",
        ),
        (
            {"charge": None},
            {"default_charge": Decimal("1E+18")},
            "charge: Decimal('1E+18') is not an amount of at most 99999999.99 (SV102)",
        ),
        # A monetary amount (element 782) has at most 10 digits, cents included (TR3 B.1.1.3.1.2)
        (
            {"charge": "100000000.00"},
            {},
            "charge: Decimal('100000000.00') is not an amount of at most 99999999.99 (SV102)",
        ),
        ({"charge": "10.125"}, {}, "charge: Decimal('10.125') is not an amount in whole cents"),
        # Found by the fuzz run: quantizing this to cents overflowed Decimal's precision.
        (
            {"charge": None},
            {"default_charge": Decimal("1E+30")},
            "charge: Decimal('1E+30') is not an amount of at most 99999999.99 (SV102)",
        ),
        ({}, {"number": 0}, "number: 0 is not a line number 1-999999 (LX01)"),
        ({}, {"number": True}, "number: True is not a line number 1-999999 (LX01)"),
        ({}, {"number": 1_000_000}, "number: 1000000 is not a line number 1-999999 (LX01)"),
    ],
)
def test_cannot_write(changes: dict[str, Any], options: dict[str, Any], message: str) -> None:
    with pytest.raises(CannotWrite, match=re.escape(message)):
        x12.write(line_of(**changes), **options)


def test_write_refuses_other_arguments() -> None:
    with pytest.raises(CannotWrite, match=re.escape("line: 'dict' is not a ClaimLine")):
        x12.write(BASE)  # type: ignore[arg-type]
    with pytest.raises(InvalidPlaceOfService, match=re.escape("place_of_service: '00' is not")):
        x12.write(line_of(), place_of_service="00")
    with pytest.raises(CannotWrite, match=re.escape("claim: 'ClaimLine' is not a Claim")):
        x12.write_lines(line_of())  # type: ignore[arg-type]


def test_a_pointer_past_12_never_reaches_the_writer() -> None:
    with pytest.raises(InvalidClaimLine, match=re.escape("diagnosis_pointers: 13 is not an int")):
        line_of(diagnosis_pointers=[13])


def test_write_lines_and_parse_lines() -> None:
    claim = Claim(
        lines=[line_of(place_of_service="11"), line_of(code="97140", place_of_service="02")],
        diagnoses=["M54.50"],
        place_of_service="11",
    )
    text = x12.write_lines(claim)
    assert text == (
        "LX*1~SV1*HC:97110*125*UN*2***1~DTP*472*D8*20260302~"
        "LX*2~SV1*HC:97140*125*UN*2*02**1~DTP*472*D8*20260302~"
    )
    assert x12.parse_lines(text, place_of_service="11") == claim.lines


def test_write_lines_checks_pointers_against_the_diagnoses() -> None:
    claim = Claim(lines=[line_of(diagnosis_pointers=[1, 3])], diagnoses=["M54.50", "M62.81"])
    with pytest.raises(
        CannotWrite,
        match=re.escape("diagnosis_pointers: 3 is not a position in the claim's 2 diagnoses"),
    ):
        x12.write_lines(claim)


@pytest.mark.parametrize(
    ("text", "changes"),
    [
        (LOOP, {}),
        ("LX*1~\nSV1*HC:97110*125.00*UN*2***1~\r\nDTP*472*D8*20260302~\n", {}),
        ("LX*1~SV1*hc:97110:gp*125.00*UN*2***1~DTP*472*D8*20260302~", None),
        ("LX*1~SV1*HC:97110:gp*125.00*UN*2***1~DTP*472*D8*20260302~", {"modifiers": ["GP"]}),
        ("LX*9~SV1*HC:97110*125*UN*2.0***1~DTP*472*D8*20260302~", {"charge": Decimal(125)}),
        ("LX*1~SV1*HC:97110*.5*UN*02.***1~DTP*472*D8*20260302~", {"charge": Decimal("0.5")}),
        ("LX*1~SV1*HC:97110*125.00*UN*2***1*~DTP*472*D8*20260302**~", {}),
        ("LX*1~SV1*HC:97110*125.00*UN*2*11**1~DTP*472*D8*20260302~", {"place_of_service": "11"}),
    ],
)
def test_parse(text: str, changes: dict[str, Any] | None) -> None:
    if changes is None:
        with pytest.raises(InvalidInterchange, match=re.escape("SV101-01: 'hc' is not 'HC'")):
            x12.parse(text)
        return
    assert x12.parse(text) == line_of(**changes)


def test_parse_restores_the_claim_place() -> None:
    assert x12.parse(LOOP, place_of_service="11").place_of_service == PlaceOfService("11")
    assert x12.parse(LOOP).place_of_service is None
    own = LOOP.replace("*2***", "*2*02**")
    assert x12.parse(own, place_of_service="11").place_of_service == PlaceOfService("02")


def sv1(elements: str) -> str:
    return f"LX*1~SV1*{elements}~DTP*472*D8*20260302~"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "segments: () is not LX, SV1 and DTP (one loop 2400)"),
        (LOOP[:-1], "segments: 'DTP' is not terminated segments"),
        (LOOP + "NTE*ADD*X~", "segment: 'NTE' is not LX, SV1 or DTP"),
        ("LX*1~~DTP*472*D8*20260302~", "segment: '' is not LX, SV1 or DTP"),
        ("LX*1~DTP*472*D8*20260302~", "segments: ('LX', 'DTP') is not LX, SV1 and DTP (one loop"),
        (
            "SV1*HC:97110*1*UN*2***1~LX*1~DTP*472*D8*20260302~",
            "segments: ('SV1', 'LX', 'DTP') is not LX, SV1 and DTP in that order",
        ),
        ("LX*0~SV1*HC:97110*1*UN*2***1~DTP*472*D8*20260302~", "LX01: '0' is not a line number"),
        ("LX~SV1*HC:97110*1*UN*2***1~DTP*472*D8*20260302~", "LX01: '' is not a line number"),
        ("LX*1*2~SV1*HC:97110*1*UN*2***1~DTP*472*D8*20260302~", "LX02: '2' is not empty"),
        (sv1("ER:97110*1*UN*2***1"), "SV101-01: 'ER' is not 'HC' (CPT or HCPCS)"),
        (sv1("*1*UN*2***1"), "SV101-01: '' is not 'HC' (CPT or HCPCS)"),
        (sv1("HC:9711*1*UN*2***1"), "SV101-02: '9711' is not a CPT or HCPCS code"),
        (sv1("HC*1*UN*2***1"), "SV101-02: '' is not a CPT or HCPCS code"),
        (sv1("HC:97110:GPX*1*UN*2***1"), "SV101-03: 'GPX' is not a modifier"),
        (sv1("HC:97110::GP*1*UN*2***1"), "SV101-03: '' is not a modifier"),
        (sv1("HC:97110:GP:59:KX:95:XU*1*UN*2***1"), "SV101-07: 'XU' is not empty"),
        (sv1("HC:97110**UN*2***1"), "SV102: '' is not an amount >= 0"),
        (sv1("HC:97110*-1*UN*2***1"), "SV102: '-1' is not an amount >= 0"),
        (sv1("HC:97110*1E2*UN*2***1"), "SV102: '1E2' is not an amount >= 0"),
        (sv1("HC:97110*1*MJ*2***1"), "SV103: 'MJ' is not 'UN' (units; cptkit does not read 'MJ')"),
        (sv1("HC:97110*1"), "SV103: '' is not 'UN'"),
        (sv1("HC:97110*1*UN*1.5***1"), "SV104: '1.5' is not a whole number of units >= 1"),
        (sv1("HC:97110*1*UN*0***1"), "SV104: '0' is not a whole number of units >= 1"),
        (sv1("HC:97110*1*UN*-2***1"), "SV104: '-2' is not a whole number of units >= 1"),
        (sv1("HC:97110*1*UN*two***1"), "SV104: 'two' is not a whole number of units >= 1"),
        (sv1("HC:97110*1*UN*２***1"), "SV104: '２' is not a whole number of units >= 1"),
        (sv1("HC:97110*1*UN*2*00**1"), "SV105: '00' is not a place of service"),
        (sv1("HC:97110*1*UN*2*2**1"), "SV105: '2' is not a place of service"),
        (sv1("HC:97110*1*UN*2**1*1"), "SV106: '1' is not empty (cptkit does not read SV106)"),
        (sv1("HC:97110*1*UN*2"), "SV107: '' is not 1 to 4 diagnosis pointers, each 1-12"),
        (sv1("HC:97110*1*UN*2***13"), "SV107: '13' is not 1 to 4 diagnosis pointers"),
        (sv1("HC:97110*1*UN*2***0"), "SV107: '0' is not 1 to 4 diagnosis pointers"),
        (sv1("HC:97110*1*UN*2***1:2:3:4:5"), "SV107: '1:2:3:4:5' is not 1 to 4 diagnosis"),
        (sv1("HC:97110*1*UN*2***1::2"), "SV107: '1::2' is not 1 to 4 diagnosis pointers"),
        (sv1("HC:97110*1*UN*2***1**Y"), "SV109: 'Y' is not empty (cptkit does not read SV109)"),
        ("LX*1~SV1*HC:97110*1*UN*2***1~DTP*471*D8*20260302~", "DTP01: '471' is not '472'"),
        (
            "LX*1~SV1*HC:97110*1*UN*2***1~DTP*472*RD8*20260302-20260303~",
            "DTP02: 'RD8' is not 'D8' (one date; cptkit does not read RD8)",
        ),
        ("LX*1~SV1*HC:97110*1*UN*2***1~DTP*472*D8*20260230~", "DTP03: '20260230' is not a date"),
        ("LX*1~SV1*HC:97110*1*UN*2***1~DTP*472*D8*2026-03-02~", "DTP03: '2026-03-02' is not"),
        ("LX*1~SV1*HC:97110*1*UN*2***1~DTP*472*D8~", "DTP03: '' is not a date CCYYMMDD"),
        ("LX*1~SV1*HC:97110*1*UN*2***1~DTP*472*D8*20260302*X~", "DTP04: 'X' is not empty"),
    ],
)
def test_parse_refuses(text: str, message: str) -> None:
    with pytest.raises(InvalidInterchange, match=re.escape(message)) as info:
        x12.parse(text)
    assert "\n" not in str(info.value)
    assert info.value.field == message.partition(":")[0]


def test_parse_refuses_other_arguments() -> None:
    with pytest.raises(InvalidInterchange, match=re.escape("segments: 'bytes' is not X12 text")):
        x12.parse(LOOP.encode())  # type: ignore[arg-type]
    with pytest.raises(InvalidPlaceOfService, match=re.escape("place_of_service: '2' is not")):
        x12.parse(LOOP, place_of_service="2")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "segments: () is not LX, SV1 and DTP for each line"),
        (LOOP + "LX*2~", "segments: ('LX', 'SV1', 'DTP', 'LX') is not LX, SV1 and DTP for each"),
        (LOOP + LOOP, "LX01: '1' is not line number 2"),
        (LOOP.replace("LX*1", "LX*1*X"), "LX01: '1' is not line number 1"),
    ],
)
def test_parse_lines_refuses(text: str, message: str) -> None:
    with pytest.raises(InvalidInterchange, match=re.escape(message)):
        x12.parse_lines(text)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"element": "**"}, "element: '**' is not one ASCII character other than a letter"),
        ({"component": "A"}, "component: 'A' is not one ASCII character"),
        ({"segment": "."}, "segment: '.' is not one ASCII character"),
        ({"segment": " "}, "segment: ' ' is not one ASCII character"),
        ({"segment": "§"}, "segment: '§' is not one ASCII character"),
        ({"element": 42}, "element: 42 is not one ASCII character"),
        (
            {"component": "*"},
            "separators: ('*', '*', '~', '^') is not four different characters",
        ),
        # ISA11, the 5010 repetition separator, is a delimiter too (X12.6 sec. 3.4).
        (
            {"component": "^"},
            "separators: ('*', '^', '~', '^') is not four different characters",
        ),
        ({"repetition": "A"}, "repetition: 'A' is not one ASCII character"),
    ],
)
def test_bad_separators(changes: dict[str, Any], message: str) -> None:
    with pytest.raises(InvalidInterchange, match=re.escape(message)):
        x12.Separators(**changes)


def writable(line: ClaimLine) -> bool:
    return line.charge is not None and len(line.diagnosis_pointers) >= 1


lines = cst.claim_lines().filter(writable)
places = st.none() | cst.places_of_service()
separator_sets = st.sampled_from(
    [
        x12.DEFAULT_SEPARATORS,
        x12.Separators(element="|", component=">", segment="\n"),
        x12.Separators(element="\x1d", component="\x1f", segment="\x1c"),
    ]
)


@given(lines, separator_sets)
def test_roundtrip(line: ClaimLine, separators: x12.Separators) -> None:
    text = x12.write(line, separators=separators)
    assert x12.parse(text, separators=separators) == attrs.evolve(line, minutes=None)


@given(lines, places)
def test_roundtrip_with_claim_place(line: ClaimLine, place: PlaceOfService | None) -> None:
    # A line without its own place reads back with the claim's: the same effective place.
    text = x12.write(line, place_of_service=place)
    effective = line.place_of_service or place
    expected = attrs.evolve(line, minutes=None, place_of_service=effective)
    assert x12.parse(text, place_of_service=place) == expected
    if line.place_of_service is not None or place is None:
        assert x12.parse(text, place_of_service=place) == attrs.evolve(line, minutes=None)


@given(cst.claims(lines=cst.claim_lines(max_pointers=4).filter(writable)))
def test_roundtrip_lines(claim: Claim) -> None:
    count = len(claim.diagnoses)
    if any(p > count for line in claim.lines for p in line.diagnosis_pointers):
        with pytest.raises(CannotWrite):
            x12.write_lines(claim)
        return
    text = x12.write_lines(claim)
    parsed = x12.parse_lines(text, place_of_service=claim.place_of_service)
    for index, (line, read) in enumerate(zip(claim.lines, parsed, strict=True)):
        assert read.place_of_service == claim.place_of_service_for(index)
        assert attrs.evolve(read, place_of_service=line.place_of_service) == attrs.evolve(
            line, minutes=None
        )


@given(st.decimals(min_value=0, max_value=10**12, places=4, allow_nan=False, allow_infinity=False))
def test_a_charge_in_cents_reads_back_equal_and_any_other_is_refused(
    charge: decimal.Decimal,
) -> None:
    in_cents = charge * 100 == int(charge * 100)
    if not in_cents or charge >= 100_000_000:
        with pytest.raises(CannotWrite, match="charge: "):
            x12.write(line_of(charge=charge))
        return
    text = x12.write(line_of(charge=charge))
    assert x12.parse(text).charge == charge
    written = text.split("*")[3]  # SV102
    assert "E" not in written and not (written.endswith("0") and "." in written)
    assert not written.endswith(".")


@given(st.text(alphabet="LXSVDTP1247HC:*~.-0123456789 \n", max_size=80))
def test_parse_raises_only_cptkit_errors(text: str) -> None:
    with contextlib.suppress(InvalidInterchange):
        x12.parse(text)


@given(st.data())
def test_mangled_loops_raise_only_cptkit_errors(data: st.DataObject) -> None:
    position = data.draw(st.integers(0, len(LOOP)))
    junk = data.draw(st.text(max_size=4))
    with contextlib.suppress(InvalidInterchange):
        x12.parse(LOOP[:position] + junk + LOOP[position + 1 :])


def test_interop_modules_import_no_third_party_library() -> None:
    code = (
        "import sys, cptkit\n"
        "assert 'cptkit.x12' not in sys.modules and 'cptkit.fhir' not in sys.modules\n"
        "from cptkit import fhir, x12\n"
        "third = {'pyx12', 'openx12', 'x12sdk', 'fhir', 'fhirkit', 'fhir_core', 'pydantic'}\n"
        "print(sorted(third & {name.partition('.')[0] for name in sys.modules}))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout == "[]\n"
