# SPDX-License-Identifier: MIT
"""FHIR R4 (4.0.1) ``Claim.item``: a :class:`~cptkit.ClaimLine` to a JSON-ready dict and back.

The dicts hold only ``str``, ``int``, ``float``, ``bool``, ``list`` and ``dict``, so
:func:`json.dumps` takes them as they are. No FHIR library is imported.

>>> from cptkit import ClaimLine, fhir
>>> line = ClaimLine(code="97110", units=2, modifiers=["GP"], date_of_service="2026-03-02",
...                  place_of_service="11", diagnosis_pointers=[1], charge="125.00")
>>> item = fhir.write_item(line)
>>> item["productOrService"]
{'coding': [{'system': 'http://www.ama-assn.org/go/cpt', 'code': '97110'}]}
>>> item["quantity"], item["net"]
({'value': 2}, {'value': 125.0, 'currency': 'USD'})
>>> fhir.parse_item(item) == line
True

Code-system URIs are settings (:class:`CodeSystems`): receivers pin different releases of
HL7 terminology, which spell some of them ``http://`` and others ``https://``. ``minutes`` has
no slot in ``Claim.item`` and is not written.

.. versionadded:: 0.1.0
"""

from __future__ import annotations

import datetime
import decimal
import math
import re
from collections.abc import Mapping
from typing import Any, Final

import attrs

from ._convert import MAX_AMOUNT_DIGITS, bounded_decimal, to_date, to_shaped
from ._text import ShapedText
from .claims import MAX_DIAGNOSES, Claim, ClaimLine, check_pointers
from .codes import Code
from .errors import CannotWrite, InvalidInput, InvalidInterchange
from .modifiers import Modifier
from .places import PlaceOfService
from .providers import NPI

__all__ = [
    "CPT",
    "DEFAULT_CODE_SYSTEMS",
    "HCPCS",
    "ICD_10_CM",
    "NPI_SYSTEM",
    "PLACE_OF_SERVICE",
    "CodeSystems",
    "parse_item",
    "write_claim",
    "write_item",
]

CPT: Final = "http://www.ama-assn.org/go/cpt"
"""The AMA CPT code system (CPT codes and the CPT modifiers, which start with a digit)."""
HCPCS: Final = "https://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets"
"""CMS HCPCS Level II (codes such as ``G0283`` and letter modifiers such as ``GP``), as HL7
terminology (THO) 5.0.0 and CARIN BB 2.x spell it; older releases use ``http://``."""
PLACE_OF_SERVICE: Final = (
    "https://www.cms.gov/Medicare/Coding/place-of-service-codes/Place_of_Service_Code_Set"
)
"""The CMS Place of Service code set, as HL7's ``CMSPlaceOfServiceCodes`` value set cites it."""
ICD_10_CM: Final = "http://hl7.org/fhir/sid/icd-10-cm"
"""ICD-10-CM, for ``Claim.diagnosis``."""
NPI_SYSTEM: Final = "http://hl7.org/fhir/sid/us-npi"
"""The identifier system of US National Provider Identifiers."""

_CLAIM_TYPE: Final = "http://terminology.hl7.org/CodeSystem/claim-type"
_PRIORITY: Final = "http://terminology.hl7.org/CodeSystem/processpriority"
_CARE_TEAM_ROLE: Final = "http://terminology.hl7.org/CodeSystem/claimcareteamrole"
_CURRENCY: Final = "USD"
_ITEM_ELEMENTS: Final = (
    "sequence",
    "diagnosisSequence",
    "productOrService",
    "modifier",
    "servicedDate",
    "locationCodeableConcept",
    "quantity",
    "net",
)
_REFERENCE = re.compile(r"[!-~]+")
_URI = _REFERENCE


def _check_uri(instance: object, attribute: attrs.Attribute[str], value: object) -> None:
    if type(value) is not str or _URI.fullmatch(value) is None:
        raise InvalidInput(attribute.name, value, "a code-system URI")


@attrs.frozen
class CodeSystems:
    """The code-system URIs written into (and expected in) ``Coding.system``.

    Args:
        cpt: for CPT codes and CPT modifiers (default :data:`CPT`).
        hcpcs: for HCPCS Level II codes and modifiers (default :data:`HCPCS`).
        place_of_service: for ``locationCodeableConcept`` (default :data:`PLACE_OF_SERVICE`).
        icd_10_cm: for ``Claim.diagnosis`` (default :data:`ICD_10_CM`).

    Raises:
        InvalidInput: a URI is empty, not ASCII or contains a space.

    .. versionadded:: 0.1.0
    """

    cpt: str = attrs.field(default=CPT, validator=_check_uri)
    hcpcs: str = attrs.field(default=HCPCS, validator=_check_uri)
    place_of_service: str = attrs.field(default=PLACE_OF_SERVICE, validator=_check_uri)
    icd_10_cm: str = attrs.field(default=ICD_10_CM, validator=_check_uri)


DEFAULT_CODE_SYSTEMS: Final = CodeSystems()
"""The documented defaults: :data:`CPT`, :data:`HCPCS`, :data:`PLACE_OF_SERVICE`, :data:`ICD_10_CM`."""


def write_item(
    line: ClaimLine,
    *,
    sequence: int = 1,
    code_systems: CodeSystems = DEFAULT_CODE_SYSTEMS,
) -> dict[str, Any]:
    """Write *line* as a FHIR R4 ``Claim.item``.

    Args:
        line: the line. Empty modifiers, pointers and a missing place or charge are left out,
            as FHIR JSON forbids empty arrays and nulls. ``minutes`` is not written.
        sequence: ``item.sequence``, the line's 1-based position in the claim.
        code_systems: the code-system URIs.

    Returns:
        A JSON-ready dict, elements in the order of the R4 ``Claim.item`` definition.

    Raises:
        CannotWrite: *sequence* is not an int >= 1, or the charge has more significant digits
            than a JSON number (a ``float``) carries exactly.

    .. versionadded:: 0.1.0
    """
    if type(line) is not ClaimLine:
        raise CannotWrite("line", type(line).__name__, "a ClaimLine")
    if type(sequence) is not int or sequence < 1:
        raise CannotWrite("sequence", sequence, "an int >= 1 (item.sequence is a positiveInt)")
    item: dict[str, Any] = {"sequence": sequence}
    if line.diagnosis_pointers:
        item["diagnosisSequence"] = list(line.diagnosis_pointers)
    system = code_systems.cpt if line.code.category.is_cpt else code_systems.hcpcs
    item["productOrService"] = _concept(system, line.code)
    if line.modifiers:
        item["modifier"] = [
            _concept(_modifier_system(modifier, code_systems), modifier)
            for modifier in line.modifiers
        ]
    item["servicedDate"] = line.date_of_service.isoformat()
    if line.place_of_service is not None:
        item["locationCodeableConcept"] = _concept(
            code_systems.place_of_service, line.place_of_service
        )
    item["quantity"] = {"value": line.units}
    if line.charge is not None:
        item["net"] = _money(line.charge, "charge")
    return item


def write_claim(
    claim: Claim,
    *,
    patient: str | None = None,
    provider: str | None = None,
    coverage: str,
    created: datetime.date,
    code_systems: CodeSystems = DEFAULT_CODE_SYSTEMS,
) -> dict[str, Any]:
    """Write *claim* as a minimal FHIR R4 ``Claim`` resource around its items.

    The resource is a professional claim (``type`` ``professional``, ``use`` ``claim``, status
    ``active``, priority ``normal``). Each item gets the place of service that applies to it
    (:meth:`Claim.place_of_service_for`), because R4 ``Claim`` has no claim-level place code.
    ``claim_id`` becomes an ``identifier``, ``payer`` the ``insurer`` display, and ``total``
    is the sum of the charges when every line has one.

    Args:
        claim: the claim.
        patient: the ``Patient`` reference, such as ``"Patient/123"``. Without it the
            claim's :attr:`~cptkit.Claim.patient` key is written as a logical reference
            (``{"identifier": {"value": key}}``): give a reference when the key must not leave.
        provider: the billing provider reference, such as ``"Organization/456"``. Without it
            the claim's ``billing_provider`` NPI is written as a logical reference (system
            :data:`NPI`).
        coverage: the ``Coverage`` reference for the one ``insurance`` entry.
        created: ``Claim.created``.
        code_systems: the code-system URIs.

    Returns:
        A JSON-ready dict.

    Raises:
        CannotWrite: a diagnosis pointer past the claim's diagnoses (FHIR does not check that
            ``diagnosisSequence`` names an existing diagnosis), a reference that is not
            ``Type/id`` text, or as for :func:`write_item`.

    The rendering provider's NPI, when the claim has one, becomes the one ``careTeam`` member
    (role ``primary``).

    .. versionadded:: 0.1.0
    .. versionchanged:: 0.2.0
       ``patient`` and ``provider`` default to the claim's patient key and billing NPI; the
       rendering NPI is written as ``careTeam``.
    """
    if type(claim) is not Claim:
        raise CannotWrite("claim", type(claim).__name__, "a Claim")
    references = {"patient": patient, "provider": provider, "coverage": coverage}
    logical = {
        "patient": None if claim.patient is None else {"identifier": {"value": claim.patient}},
        "provider": _npi(claim.billing_provider),
    }
    written: dict[str, dict[str, Any]] = {}
    for name, reference in references.items():
        if reference is None and logical.get(name) is not None:
            written[name] = logical[name]  # type: ignore[assignment]
            continue
        if type(reference) is not str or _REFERENCE.fullmatch(reference) is None:
            # The claim's patient key is never echoed: only a given reference is.
            raise CannotWrite(name, reference, "a reference such as 'Patient/123'")
        written[name] = {"reference": reference}
    if type(created) is not datetime.date:
        raise CannotWrite("created", created, "a datetime.date")
    check_pointers(claim, CannotWrite)
    items = []
    for sequence, line in enumerate(claim.lines, start=1):
        place = claim.place_of_service_for(sequence - 1)
        located = attrs.evolve(line, place_of_service=place)
        items.append(write_item(located, sequence=sequence, code_systems=code_systems))
    resource: dict[str, Any] = {"resourceType": "Claim"}
    if claim.claim_id is not None:
        resource["identifier"] = [{"value": claim.claim_id}]
    resource |= {
        "status": "active",
        "type": {"coding": [{"system": _CLAIM_TYPE, "code": "professional"}]},
        "use": "claim",
        "patient": written["patient"],
        "created": created.isoformat(),
    }
    if claim.payer is not None:
        resource["insurer"] = {"display": claim.payer}
    resource |= {
        "provider": written["provider"],
        "priority": {"coding": [{"system": _PRIORITY, "code": "normal"}]},
    }
    if claim.rendering_provider is not None:
        role = {"coding": [{"system": _CARE_TEAM_ROLE, "code": "primary"}]}
        resource["careTeam"] = [
            {"sequence": 1, "provider": _npi(claim.rendering_provider), "role": role}
        ]
    resource |= {
        "diagnosis": [
            {"sequence": sequence, "diagnosisCodeableConcept": _concept(code_systems.icd_10_cm, dx)}
            for sequence, dx in enumerate(claim.diagnoses, start=1)
        ],
        "insurance": [{"sequence": 1, "focal": True, "coverage": written["coverage"]}],
        "item": items,
    }
    charges = [line.charge for line in claim.lines if line.charge is not None]
    if len(charges) == len(claim.lines):
        resource["total"] = _money(sum(charges, decimal.Decimal(0)), "total")
    return resource


def parse_item(
    item: Mapping[str, Any], *, code_systems: CodeSystems = DEFAULT_CODE_SYSTEMS
) -> ClaimLine:
    """Read a FHIR R4 ``Claim.item`` back into a :class:`~cptkit.ClaimLine`.

    Only the elements :func:`write_item` writes are read. Any other ``item`` element
    (``unitPrice``, ``servicedPeriod``, ``extension`` ...) is refused rather than dropped;
    inside a ``CodeableConcept``, ``text`` and a coding's ``display`` are renderings and are
    ignored. Numbers may be ``int``, ``float`` or :class:`~decimal.Decimal` (as
    ``json.loads(text, parse_float=Decimal)`` gives them).

    Args:
        item: the item, as :func:`json.loads` returns it.
        code_systems: the code-system URIs: CPT codes must be in the CPT system and HCPCS
            Level II codes in the HCPCS one; modifiers may be in either.

    Returns:
        The line, with ``minutes=None``.

    Raises:
        InvalidInterchange: the item is not one cptkit can read; the message names the element
            path (``item.quantity.value``) and shows only its value.

    .. versionadded:: 0.1.0
    """
    item = _only(item, "item", _ITEM_ELEMENTS)
    sequence = item.get("sequence")
    if type(sequence) is not int or sequence < 1:
        raise InvalidInterchange("item.sequence", sequence, "a positiveInt")
    pointers = _list(item, "diagnosisSequence")
    for index, pointer in enumerate(pointers):
        if type(pointer) is not int or not 1 <= pointer <= MAX_DIAGNOSES:
            raise InvalidInterchange(f"item.diagnosisSequence[{index}]", pointer, "an int 1-12")
    system, text = _coding(item.get("productOrService"), "item.productOrService")
    code = to_shaped(text, Code, InvalidInterchange, "item.productOrService.coding[0].code")
    expected_system = code_systems.cpt if code.category.is_cpt else code_systems.hcpcs
    if system != expected_system:
        raise InvalidInterchange(
            "item.productOrService.coding[0].system", system, f"{expected_system!r} for {code}"
        )
    modifiers = []
    for index, concept in enumerate(_list(item, "modifier")):
        path = f"item.modifier[{index}]"
        system, text = _coding(concept, path)
        if system not in (code_systems.cpt, code_systems.hcpcs):
            raise InvalidInterchange(f"{path}.coding[0].system", system, "the CPT or HCPCS system")
        modifiers.append(to_shaped(text, Modifier, InvalidInterchange, f"{path}.coding[0].code"))
    place = None
    if "locationCodeableConcept" in item:
        path = "item.locationCodeableConcept"
        system, text = _coding(item["locationCodeableConcept"], path)
        if system != code_systems.place_of_service:
            raise InvalidInterchange(
                f"{path}.coding[0].system", system, "the place-of-service system"
            )
        place = to_shaped(text, PlaceOfService, InvalidInterchange, f"{path}.coding[0].code")
    quantity = _only(item.get("quantity"), "item.quantity", ("value",))
    units = _number(quantity.get("value"), "item.quantity.value")
    if units != units.to_integral_value() or units < 1:
        raise InvalidInterchange(
            "item.quantity.value", quantity.get("value"), "a whole number >= 1"
        )
    charge = None
    if "net" in item:
        net = _only(item["net"], "item.net", ("value", "currency"))
        if net.get("currency", _CURRENCY) != _CURRENCY:
            raise InvalidInterchange("item.net.currency", net["currency"], repr(_CURRENCY))
        charge = _number(net.get("value"), "item.net.value")
        if charge < 0:
            raise InvalidInterchange("item.net.value", net["value"], "an amount >= 0")
    return ClaimLine(
        code=code,
        units=int(units),
        date_of_service=_date(item.get("servicedDate")),
        modifiers=modifiers,
        place_of_service=place,
        diagnosis_pointers=pointers,
        charge=charge,
    )


def _npi(npi: NPI | None) -> dict[str, Any] | None:
    return None if npi is None else {"identifier": {"system": NPI_SYSTEM, "value": npi.value}}


def _concept(system: str, value: ShapedText) -> dict[str, Any]:
    return {"coding": [{"system": system, "code": str(value)}]}


def _modifier_system(modifier: Modifier, code_systems: CodeSystems) -> str:
    # CPT modifiers start with a digit (59, 95, 1P); HCPCS Level II ones with a letter (GP, XU).
    return code_systems.cpt if modifier.value[0].isdigit() else code_systems.hcpcs


def _money(amount: decimal.Decimal, field: str) -> dict[str, Any]:
    value = float(amount)
    if decimal.Decimal(repr(value)) != amount:
        raise CannotWrite(
            field, amount, "an amount a JSON number carries exactly (at most 15 significant digits)"
        )
    return {"value": value, "currency": _CURRENCY}


def _only(value: object, path: str, allowed: tuple[str, ...]) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise InvalidInterchange(path, type(value).__name__, "a JSON object (dict)")
    for key in value:
        if key not in allowed:
            raise InvalidInterchange(path, key, f"an element cptkit reads ({', '.join(allowed)})")
    return value


def _list(parent: Mapping[str, Any], key: str, path: str = "item") -> list[Any]:
    if key not in parent:
        return []
    value = parent[key]
    if type(value) is not list or not value:
        raise InvalidInterchange(f"{path}.{key}", type(value).__name__, "a non-empty JSON array")
    return value


def _coding(concept: object, path: str) -> tuple[object, object]:
    codings = _list(_only(concept, path, ("coding", "text")), "coding", path)
    if len(codings) != 1:
        raise InvalidInterchange(f"{path}.coding", len(codings), "a count of 1 coding")
    coding = _only(codings[0], f"{path}.coding[0]", ("system", "code", "display"))
    return coding.get("system"), coding.get("code")


def _number(value: object, path: str) -> decimal.Decimal:
    # Bounded work: a number is judged by its size before any arithmetic, so that a 30-byte
    # quantity such as 1e1000000 (read with parse_float=Decimal) costs nothing.
    if type(value) is int and -_LARGEST < value < _LARGEST:
        return decimal.Decimal(value)
    if type(value) is float and math.isfinite(value) and abs(value) < _LARGEST:
        return decimal.Decimal(repr(value))
    if type(value) is decimal.Decimal and bounded_decimal(value):
        return value
    raise InvalidInterchange(path, value, "a JSON number of at most 15 digits before the point")


_LARGEST = 10**MAX_AMOUNT_DIGITS


def _date(value: object) -> datetime.date:
    try:
        return to_date(value, InvalidInterchange, "item.servicedDate")
    except InvalidInterchange:
        # FHIR dates may be partial ("2026-03"): say that a full one is needed.
        raise InvalidInterchange("item.servicedDate", value, "a full date YYYY-MM-DD") from None
