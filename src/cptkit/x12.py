# SPDX-License-Identifier: MIT
"""X12 5010 837P service lines (loop 2400): a :class:`~cptkit.ClaimLine` to segments and back.

A line becomes ``LX`` (line number), ``SV1`` (procedure, charge, units, place of service,
diagnosis pointers) and ``DTP*472`` (date of service), as the 005010X222A1 implementation
guide lays them out. The envelope (ISA/GS/ST, the claim's CLM and HI) is the caller's.

>>> from cptkit import ClaimLine, x12
>>> line = ClaimLine(code="97110", units=2, modifiers=["GP"], date_of_service="2026-03-02",
...                  place_of_service="11", diagnosis_pointers=[1, 2], charge="125.00")
>>> text = x12.write(line, place_of_service="11")
>>> text
'LX*1~SV1*HC:97110:GP*125*UN*2***1:2~DTP*472*D8*20260302~'
>>> x12.parse(text, place_of_service="11") == line
True

``SV105`` is written only when the line's place differs from the claim's (``CLM05-1``, passed
as ``place_of_service=``); the reader puts the claim's place back where ``SV105`` is absent.
``minutes`` has no slot in ``SV1`` and is not written. Lines that ``SV1`` cannot carry (five
modifiers, no charge, no pointer) raise :class:`~cptkit.errors.CannotWrite`; segments that do
not read back into a line raise :class:`~cptkit.errors.InvalidInterchange`.

.. versionadded:: 0.1.0
"""

from __future__ import annotations

import datetime
import decimal
import re
from typing import Final, Literal, TypeVar

import attrs

from ._convert import to_shaped
from ._text import ShapedText
from .claims import MAX_LINES, Claim, ClaimLine, check_pointers
from .codes import Code
from .errors import CannotWrite, InvalidInterchange
from .modifiers import Modifier
from .places import PlaceOfService
from .providers import NPI

__all__ = [
    "DEFAULT_SEPARATORS",
    "MAX_MODIFIERS",
    "MAX_POINTERS",
    "Separators",
    "parse",
    "parse_lines",
    "parse_provider",
    "write",
    "write_lines",
    "write_provider",
]

MAX_MODIFIERS: Final = 4
"""``SV101-03`` to ``SV101-06``: the 837P has four modifier slots."""
MAX_POINTERS: Final = 4
"""``SV107-01`` to ``SV107-04``: the 837P has four diagnosis-pointer slots."""

_T = TypeVar("_T", bound=ShapedText)
# Bounded: X12 numbers (R) have at most 18 characters, so no element is read past that.
_CHARGE = re.compile(r"[0-9]{1,15}(?:\.[0-9]{0,15})?|\.[0-9]{1,15}")
_UNITS = re.compile(r"0{0,8}[1-9][0-9]{0,8}(?:\.0{0,8})?")
_LINE_NUMBER = re.compile(r"[1-9][0-9]{0,5}")
_POINTER = re.compile(r"[1-9]|1[0-2]")
_DATE = re.compile(r"[0-9]{8}")
ProviderRole = Literal["rendering", "billing"]
_ROLES: Final[dict[ProviderRole, str]] = {"rendering": "82", "billing": "85"}
_NAME = re.compile(r"[A-Za-z0-9][ -~]{0,59}")


_SEPARATOR_EXPECTED: Final = "one ASCII character other than a letter, digit, space, '.' or '-'"


def _check_separator(instance: object, attribute: attrs.Attribute[str], value: object) -> None:
    # Data in SV1 is letters, digits, '.' and (in X12 R values) '-', so none can delimit.
    if (
        type(value) is not str
        or len(value) != 1
        or not value.isascii()
        or value.isalnum()
        or value in " .-"
    ):
        raise InvalidInterchange(attribute.name, value, _SEPARATOR_EXPECTED)


@attrs.frozen
class Separators:
    """The delimiters of an X12 interchange, as its ISA segment declares them.

    Args:
        element: the element separator (ISA's 4th character), ``*`` by default.
        component: the component separator (ISA16), ``:`` by default.
        segment: the segment terminator, ``~`` by default.
        repetition: the repetition separator (ISA11 in 5010), ``^`` by default. cptkit writes
            no repeated element, but no value may hold it (X12.6 sec. 3.4: a delimiter never
            appears in data).

    Raises:
        InvalidInterchange: a separator is not one ASCII character other than a letter, digit,
            space, ``.`` or ``-``, or two separators are the same.

    .. versionadded:: 0.1.0
    .. versionchanged:: 0.3.0
       *repetition*.
    """

    element: str = attrs.field(default="*", validator=_check_separator)
    component: str = attrs.field(default=":", validator=_check_separator)
    segment: str = attrs.field(default="~", validator=_check_separator)
    repetition: str = attrs.field(default="^", validator=_check_separator)

    def __attrs_post_init__(self) -> None:
        if len(set(self.delimiters)) != 4:
            raise InvalidInterchange(
                "separators",
                self.delimiters,
                "four different characters (element, component, segment, repetition)",
            )

    @property
    def delimiters(self) -> tuple[str, str, str, str]:
        """The four separators: element, component, segment, repetition."""
        return (self.element, self.component, self.segment, self.repetition)


DEFAULT_SEPARATORS: Final = Separators()
"""``*`` between elements, ``:`` between components, ``~`` after each segment."""


def write(
    line: ClaimLine,
    *,
    number: int = 1,
    place_of_service: PlaceOfService | str | None = None,
    default_charge: decimal.Decimal | None = None,
    separators: Separators = DEFAULT_SEPARATORS,
) -> str:
    """Write *line* as the 837P loop 2400 segments ``LX``, ``SV1`` and ``DTP*472``.

    Args:
        line: the line to write. Its ``minutes`` are not written: ``SV1`` has no slot for them.
        number: the line number for ``LX01`` (1-based, the line's position in the claim).
        place_of_service: the claim-level place (``CLM05-1``). ``SV105`` is written only when
            the line has its own place and it differs from this one.
        default_charge: the amount to write in ``SV102`` when the line has no charge (837P
            requires one; ``Decimal("0.00")`` is the usual choice). Without it, a line with no
            charge raises :class:`~cptkit.errors.CannotWrite`.
        separators: the interchange's delimiters.

    Returns:
        The three segments, each ending in the segment terminator.

    Raises:
        CannotWrite: more than 4 modifiers, no diagnosis pointer or more than 4, no charge
            (and no *default_charge*), or a charge or unit count longer than ``SV1`` allows.
        InvalidInput: *number*, *place_of_service* or *default_charge* is not a valid value.

    .. versionadded:: 0.1.0
    """
    if type(line) is not ClaimLine:
        raise CannotWrite("line", type(line).__name__, "a ClaimLine")
    if type(number) is not int or _LINE_NUMBER.fullmatch(str(number)) is None:
        raise CannotWrite("number", number, "a line number 1-999999 (LX01)")
    claim_place = _place(place_of_service)
    charge = line.charge if line.charge is not None else _default_charge(default_charge)
    element, component = separators.element, separators.component
    if len(line.modifiers) > MAX_MODIFIERS:
        raise CannotWrite(
            "modifiers",
            tuple(str(modifier) for modifier in line.modifiers),
            "a list of at most 4 modifiers (SV101-03 to SV101-06)",
        )
    if not 1 <= len(line.diagnosis_pointers) <= MAX_POINTERS:
        raise CannotWrite(
            "diagnosis_pointers",
            line.diagnosis_pointers,
            "a list of 1 to 4 diagnosis pointers (SV107; SV107-01 is required)",
        )
    procedure = component.join(["HC", str(line.code), *map(str, line.modifiers)])
    own_place = line.place_of_service
    sv105 = "" if own_place is None or own_place == claim_place else str(own_place)
    pointers = component.join(map(str, line.diagnosis_pointers))
    sv1 = ["SV1", procedure, _amount(charge), "UN", _units(line.units), sv105, "", pointers]
    return "".join(
        element.join(segment) + separators.segment
        for segment in (
            ["LX", str(number)],
            sv1,
            ["DTP", "472", "D8", _ccyymmdd(line.date_of_service)],
        )
    )


def write_lines(
    claim: Claim,
    *,
    default_charge: decimal.Decimal | None = None,
    separators: Separators = DEFAULT_SEPARATORS,
) -> str:
    """Write every line of *claim* as loop 2400, numbered from 1, against its claim-level place.

    This also checks what :func:`write` cannot see: every diagnosis pointer must name one of
    the claim's diagnoses (the ``HI`` segment), a rule X12 syntax does not check.

    Args:
        claim: the claim whose lines to write; ``claim.place_of_service`` is ``CLM05-1``.
        default_charge: as for :func:`write`.
        separators: the interchange's delimiters.

    Returns:
        The segments of every line, in order.

    Raises:
        CannotWrite: as for :func:`write`, or a pointer past the claim's diagnoses.

    .. versionadded:: 0.1.0
    """
    if type(claim) is not Claim:
        raise CannotWrite("claim", type(claim).__name__, "a Claim")
    check_pointers(claim, CannotWrite)
    return "".join(
        write(
            line,
            number=number,
            place_of_service=claim.place_of_service,
            default_charge=default_charge,
            separators=separators,
        )
        for number, line in enumerate(claim.lines, start=1)
    )


def parse(
    text: str,
    *,
    place_of_service: PlaceOfService | str | None = None,
    separators: Separators = DEFAULT_SEPARATORS,
) -> ClaimLine:
    """Read one loop 2400 (``LX``, ``SV1``, ``DTP*472``) back into a :class:`~cptkit.ClaimLine`.

    Line breaks and spaces around segments are ignored. Everything else must be what cptkit
    carries: an element it would have to drop (``SV101-07``, ``SV106``, ``SV109`` ...) is refused
    rather than lost.

    Args:
        text: the segments, each ending in the segment terminator.
        place_of_service: the claim-level place (``CLM05-1``); the line gets it when ``SV105``
            is absent. With ``None`` such a line has no place of its own.
        separators: the interchange's delimiters.

    Returns:
        The line, with ``minutes=None``.

    Raises:
        InvalidInterchange: the segments are not a loop 2400 cptkit can read; the message names
            the segment or element and shows only its value.

    .. versionadded:: 0.1.0
    """
    claim_place = _place(place_of_service)
    segments = _segments(text, separators)
    if len(segments) != 3:
        raise InvalidInterchange("segments", _ids(segments), "LX, SV1 and DTP (one loop 2400)")
    return _read_loop(segments, claim_place, separators.component)


def parse_lines(
    text: str,
    *,
    place_of_service: PlaceOfService | str | None = None,
    separators: Separators = DEFAULT_SEPARATORS,
) -> tuple[ClaimLine, ...]:
    """Read consecutive loops 2400, numbered 1, 2, 3 ..., as :func:`write_lines` writes them.

    Args:
        text: the segments of one or more lines.
        place_of_service: the claim-level place (``CLM05-1``), as for :func:`parse`.
        separators: the interchange's delimiters.

    Returns:
        The lines, in order.

    Raises:
        InvalidInterchange: as for :func:`parse`, or ``LX01`` out of sequence.

    .. versionadded:: 0.1.0
    """
    claim_place = _place(place_of_service)
    segments = _segments(text, separators)
    if not segments or len(segments) % 3:
        raise InvalidInterchange("segments", _ids(segments), "LX, SV1 and DTP for each line")
    if len(segments) // 3 > MAX_LINES:
        raise InvalidInterchange(
            "LX01", len(segments) // 3, f"a count of lines up to {MAX_LINES} (837P)"
        )
    lines = []
    for start in range(0, len(segments), 3):
        loop = segments[start : start + 3]
        number = start // 3 + 1
        if loop[0][1:] != [str(number)]:
            raise InvalidInterchange("LX01", _get(loop[0], 1), f"line number {number}")
        lines.append(_read_loop(loop, claim_place, separators.component))
    return tuple(lines)


def write_provider(
    npi: NPI | str,
    *,
    role: ProviderRole,
    name: str,
    person: bool = False,
    separators: Separators = DEFAULT_SEPARATORS,
) -> str:
    """Write a provider's ``NM1`` segment: ``NM1*82`` (rendering provider, loop 2310B) or
    ``NM1*85`` (billing provider, loop 2010AA), identified by NPI (``NM108`` ``XX``).

    >>> from cptkit import x12
    >>> x12.write_provider("1234567893", role="billing", name="ACME THERAPY")
    'NM1*85*2*ACME THERAPY*****XX*1234567893~'

    Args:
        npi: the provider's NPI (:attr:`Claim.rendering_provider` or
            :attr:`Claim.billing_provider`).
        role: ``"rendering"`` or ``"billing"``.
        name: ``NM103``, the organization's name or the person's last name (837P requires it;
            a claim does not hold names).
        person: whether the provider is a person (``NM102`` ``1``) or an organization (``2``).
        separators: the interchange's delimiters.

    Raises:
        CannotWrite: an NPI that is not one, an unknown role, or a name that is empty, not
            printable ASCII, longer than 60 characters or holds a separator.

    .. versionadded:: 0.2.0
    """
    if role not in _ROLES:
        raise CannotWrite("role", role, "'rendering' or 'billing'")
    identifier = to_shaped(npi, NPI, CannotWrite, "npi")
    delimiters = separators.delimiters
    if (
        type(name) is not str
        or _NAME.fullmatch(name) is None
        or any(mark in name for mark in delimiters)
    ):
        raise CannotWrite("name", name, "a name of 1-60 printable ASCII characters (NM103)")
    elements = ["NM1", _ROLES[role], "1" if person else "2", name, "", "", "", "", "XX"]
    return separators.element.join([*elements, str(identifier)]) + separators.segment


def parse_provider(
    text: str, *, separators: Separators = DEFAULT_SEPARATORS
) -> tuple[ProviderRole, NPI]:
    """Read a provider's ``NM1*82`` or ``NM1*85`` segment: its role and its NPI.

    >>> from cptkit import x12
    >>> x12.parse_provider("NM1*82*1*DOE*JANE****XX*1234567893~")
    ('rendering', NPI('1234567893'))

    Raises:
        InvalidInterchange: not one ``NM1`` segment of a rendering or billing provider
            identified by a valid NPI.

    .. versionadded:: 0.2.0
    """
    if type(text) is not str:
        raise InvalidInterchange("segments", type(text).__name__, "X12 text (a str)")
    *pieces, rest = text.split(separators.segment)
    if len(pieces) != 1 or rest.strip():
        raise InvalidInterchange("segments", len(pieces), "one NM1 segment")
    segment = pieces[0].strip().split(separators.element)
    if segment[0] != "NM1":
        raise InvalidInterchange("segment", segment[0][:3], "NM1")
    roles: dict[str, ProviderRole] = {code: role for role, code in _ROLES.items()}
    role = roles.get(_get(segment, 1))
    if role is None:
        raise InvalidInterchange("NM101", _get(segment, 1), "'82' (rendering) or '85' (billing)")
    if _get(segment, 8) != "XX":
        raise InvalidInterchange("NM108", _get(segment, 8), "'XX' (an NPI)")
    _exact(segment, 10)
    return role, _parsed(NPI, _get(segment, 9), "NM109")


def _place(value: PlaceOfService | str | None) -> PlaceOfService | None:
    if value is None or type(value) is PlaceOfService:
        return value
    return PlaceOfService.parse(value)  # type: ignore[arg-type]


def _default_charge(value: object) -> decimal.Decimal:
    if value is None:
        raise CannotWrite("charge", None, "an amount (SV102, the line charge, is required)")
    if type(value) is not decimal.Decimal or not value.is_finite() or value < 0:
        raise CannotWrite("default_charge", value, "a Decimal amount >= 0")
    return value


_CENT = decimal.Decimal("0.01")
_LARGEST = decimal.Decimal("99999999.99")


def _amount(charge: decimal.Decimal) -> str:
    """*charge* as ``SV102``: dollars and cents without trailing zeros (``125.00`` as ``125``,
    ``60.50`` as ``60.5``), at most 99,999,999.99. The 005010 TR3 (Appendix B, "Decimal")
    suppresses trailing zeros after the point and limits a monetary amount (element 782) to
    10 digits, cents included."""
    amount = charge.copy_abs()
    if amount > _LARGEST:  # first: quantizing a huge amount would overflow the precision
        raise CannotWrite("charge", charge, "an amount of at most 99999999.99 (SV102)")
    cents = amount.quantize(_CENT, rounding=decimal.ROUND_DOWN)
    if amount != cents:
        raise CannotWrite("charge", charge, "an amount in whole cents (SV102)")
    text = format(cents, "f")
    return text.rstrip("0").removesuffix(".")


def _ccyymmdd(day: datetime.date) -> str:
    """*day* as ``DTP03`` (``D8``): eight digits, the year zero-padded (``strftime`` does
    not pad years before 1000 everywhere)."""
    return f"{day.year:04d}{day.month:02d}{day.day:02d}"


def _units(units: int) -> str:
    return str(units)  # at most 9 digits (claims.MAX_COUNT): SV104 is R 1/15


def _segments(text: object, separators: Separators) -> list[list[str]]:
    if type(text) is not str:
        raise InvalidInterchange("segments", type(text).__name__, "X12 text (a str)")
    *pieces, rest = text.split(separators.segment)
    if rest.strip():
        raise InvalidInterchange("segments", rest.strip()[:3], "terminated segments")
    segments = [piece.strip().split(separators.element) for piece in pieces]
    for segment in segments:
        if segment[0] not in ("LX", "SV1", "DTP"):
            raise InvalidInterchange("segment", segment[0][:3], "LX, SV1 or DTP")
    return segments


def _ids(segments: list[list[str]]) -> tuple[str, ...]:
    return tuple(segment[0] for segment in segments)


def _get(segment: list[str], index: int) -> str:
    return segment[index] if index < len(segment) else ""


def _read_loop(
    segments: list[list[str]], claim_place: PlaceOfService | None, component: str
) -> ClaimLine:
    lx, sv1, dtp = segments
    if _ids(segments) != ("LX", "SV1", "DTP"):
        raise InvalidInterchange("segments", _ids(segments), "LX, SV1 and DTP in that order")
    _exact(lx, 2)
    if _LINE_NUMBER.fullmatch(_get(lx, 1)) is None:
        raise InvalidInterchange("LX01", _get(lx, 1), "a line number 1-999999")
    _exact(sv1, 8)
    code, modifiers = _procedure(_get(sv1, 1).split(component))
    charge = _get(sv1, 2)
    if _CHARGE.fullmatch(charge) is None:
        raise InvalidInterchange("SV102", charge, "an amount >= 0 (digits and an optional '.')")
    if _get(sv1, 3) != "UN":
        raise InvalidInterchange("SV103", _get(sv1, 3), "'UN' (units; cptkit does not read 'MJ')")
    units = _get(sv1, 4)
    if _UNITS.fullmatch(units) is None:
        raise InvalidInterchange("SV104", units, "a whole number of units >= 1")
    sv105 = _get(sv1, 5)
    own_place = _parsed(PlaceOfService, sv105, "SV105") if sv105 else claim_place
    if _get(sv1, 6):
        raise InvalidInterchange("SV106", _get(sv1, 6), "empty (cptkit does not read SV106)")
    pointers = _get(sv1, 7).split(component)
    if not 1 <= len(pointers) <= MAX_POINTERS or not all(map(_POINTER.fullmatch, pointers)):
        raise InvalidInterchange("SV107", _get(sv1, 7), "1 to 4 diagnosis pointers, each 1-12")
    _exact(dtp, 4)
    if _get(dtp, 1) != "472":
        raise InvalidInterchange("DTP01", _get(dtp, 1), "'472' (date of service)")
    if _get(dtp, 2) != "D8":
        raise InvalidInterchange("DTP02", _get(dtp, 2), "'D8' (one date; cptkit does not read RD8)")
    return ClaimLine(
        code=code,
        units=int(units.partition(".")[0]),
        date_of_service=_date(_get(dtp, 3)),
        modifiers=modifiers,
        place_of_service=own_place,
        diagnosis_pointers=tuple(map(int, pointers)),
        charge=decimal.Decimal(charge),
    )


def _exact(segment: list[str], size: int) -> None:
    # Trailing empty elements are tolerated; anything cptkit does not read is refused.
    for index in range(size, len(segment)):
        if segment[index]:
            name = f"{segment[0]}{index:02d}"
            raise InvalidInterchange(name, segment[index], f"empty (cptkit does not read {name})")


def _procedure(components: list[str]) -> tuple[Code, tuple[Modifier, ...]]:
    if components[0] != "HC":
        raise InvalidInterchange("SV101-01", components[0], "'HC' (CPT or HCPCS)")
    if len(components) > 2 + MAX_MODIFIERS:
        raise InvalidInterchange(
            "SV101-07", components[6], "empty (a description or a 5th modifier is not read)"
        )
    code = _parsed(Code, _get(components, 1), "SV101-02")
    modifiers = tuple(
        _parsed(Modifier, text, f"SV101-{index:02d}")
        for index, text in enumerate(components[2:], start=3)
    )
    return code, modifiers


def _date(text: str) -> datetime.date:
    if _DATE.fullmatch(text):
        try:
            return datetime.date(int(text[:4]), int(text[4:6]), int(text[6:]))
        except ValueError:
            pass
    raise InvalidInterchange("DTP03", text, "a date CCYYMMDD")


def _parsed(cls: type[_T], text: str, field: str) -> _T:
    return to_shaped(text, cls, InvalidInterchange, field)
