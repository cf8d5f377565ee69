# SPDX-License-Identifier: MIT
"""The exceptions cptkit raises.

Every exception cptkit raises on purpose is a :class:`CptkitError`. Bad input raises a subclass
that is also a :class:`ValueError`; a failed lookup raises a subclass that is also a
:class:`LookupError`; damaged packaged data raises :class:`DatasetError`.

Messages are one line: the field, the ``repr`` of the one offending value and what was expected.
They never echo a whole claim line or claim, because claims carry patient data: an error keeps
at most the offending field's own value (a plain value such as a text, a number or a date; any
other object is kept as :data:`WITHHELD`), and a pickled error (a Dask worker's, sent to the
client) leaves the value out, so it cannot reach another machine's logs.

>>> from cptkit import Code, InvalidCode
>>> try:
...     Code.parse("9711")
... except InvalidCode as err:
...     print(err)
code: '9711' is not a CPT or HCPCS code (expected 5 digits, 4 digits + A, F, M, T or U, or a letter A-V + 4 digits)
"""

from __future__ import annotations

import datetime
import decimal
from typing import Any

__all__ = [
    "WITHHELD",
    "CannotWrite",
    "CptkitError",
    "DatasetError",
    "InvalidClaim",
    "InvalidClaimLine",
    "InvalidCode",
    "InvalidDiagnosis",
    "InvalidInput",
    "InvalidInterchange",
    "InvalidMinutes",
    "InvalidModifier",
    "InvalidPlaceOfService",
    "InvalidRecord",
    "NotPriced",
    "Problem",
    "UnknownCode",
    "UnknownDiagnosis",
    "UnknownLocality",
    "UnknownModifier",
    "UnknownPlaceOfService",
]


class _Withheld:
    """The stand-in for a value an error does not keep (see :data:`WITHHELD`)."""

    _instance: _Withheld | None = None

    def __new__(cls) -> _Withheld:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "<withheld>"

    def __reduce__(self) -> str:
        return "WITHHELD"


WITHHELD = _Withheld()
"""The ``value`` of an error that was pickled, or that was given an object that is not a plain
value (a claim line, a list): its ``repr`` is ``<withheld>``.

.. versionadded:: 0.2.0
"""

_PLAIN = (
    str,
    bytes,
    int,
    float,
    bool,
    decimal.Decimal,
    datetime.date,
    datetime.datetime,
    datetime.time,
    type(None),
)
_CONTAINERS = (tuple, list, dict, set, frozenset)


def _kept(value: object) -> object:
    """*value* if it is a plain value an error may keep (or a short flat collection of
    them: one field's list of modifiers), else :data:`WITHHELD` (a claim line, a claim)."""
    if type(value) in _PLAIN or getattr(value, "shape", None) == ():  # a numpy scalar too
        return value
    if isinstance(value, _CONTAINERS) and type(value) in _CONTAINERS and len(value) <= 20:
        parts = [*value.keys(), *value.values()] if isinstance(value, dict) else list(value)
        if all(type(part) in _PLAIN for part in parts):
            return value
    return WITHHELD


class CptkitError(Exception):
    """The base of every exception cptkit raises on purpose."""


class InvalidInput(CptkitError, ValueError):
    """A value does not have the shape cptkit expects.

    Attributes:
        field: the name of the offending field (``"code"``, ``"units"`` ...).
        value: the offending value itself (only that field, never a whole record).
        expected: what would have been accepted, in words.
    """

    def __init__(self, field: str, value: object, expected: str) -> None:
        self.field = field
        self.value = _kept(value)
        self.expected = expected
        super().__init__(f"{field}: {_short_repr(self.value)} is not {expected}")

    def __reduce__(self) -> tuple[Any, ...]:
        # Pickled without the value: an error sent to another process names only the field.
        return (type(self), (self.field, WITHHELD, self.expected))


class InvalidCode(InvalidInput):
    """Text that is not a CPT or HCPCS Level II code by shape."""


class InvalidModifier(InvalidInput):
    """Text that is not a two-character modifier."""


class InvalidPlaceOfService(InvalidInput):
    """Text that is not a two-digit place-of-service code 01-99."""


class InvalidDiagnosis(InvalidInput):
    """Text that is not an ICD-10-CM code by shape."""


class InvalidClaimLine(InvalidInput):
    """A claim-line field with a value of the wrong type or range."""


class InvalidClaim(InvalidInput):
    """A claim-level field with a value of the wrong type or range."""


class InvalidInterchange(InvalidInput):
    """X12 segments or a FHIR element that cannot be read into a cptkit value.

    Raised by the readers in :mod:`cptkit.x12` and :mod:`cptkit.fhir`. ``field`` names the
    element (``"SV104"``, ``"item.quantity.value"``), so the message points into the document.

    .. versionadded:: 0.1.0
    """


class CannotWrite(InvalidInput):
    """A valid value that a wire format cannot carry faithfully, so it is not written at all.

    Raised by the writers in :mod:`cptkit.x12` and :mod:`cptkit.fhir` (a fifth modifier, a
    missing 837P charge, a pointer past the claim's diagnoses), instead of writing something a
    payer would reject or a reader would get back differently. ``field`` names the value's field.

    .. versionadded:: 0.1.0
    """


class InvalidMinutes(InvalidInput):
    """Minutes given to the units calculator that are not a whole number >= 0 for a code."""


class Problem(tuple[str, str]):
    """One offending field of an :class:`InvalidRecord`: a ``(path, message)`` pair that also
    says what was expected, so that a service can answer without echoing the value.

    Attributes:
        path: where in the document (``"$.lines[0].units"``).
        message: the value and what was expected (it shows the value: patient data, perhaps).
        expected: what was expected, in words, without the value (``"an int >= 1"``).

    .. versionadded:: 0.2.0
    """

    expected: str

    def __new__(cls, path: str, message: str, expected: str) -> Problem:
        problem = super().__new__(cls, (path, message))
        problem.expected = expected
        return problem

    @property
    def path(self) -> str:
        return self[0]

    @property
    def message(self) -> str:
        return self[1]

    def __reduce__(self) -> tuple[Any, ...]:
        # Pickled without the value: the message is rebuilt from what was expected.
        return (type(self), (self[0], f"<withheld> is not {self.expected}", self.expected))


class InvalidRecord(CptkitError, ValueError):
    """A dict (or JSON document) that cannot be turned into a cptkit value.

    Raised by :mod:`cptkit.serialization`. It names every offending field path at once.

    Attributes:
        problems: ``(path, message)`` pairs, one for each offending field, such as
            ``("$.lines[0].units", "units: 0 is not an int >= 1")``; each is a
            :class:`Problem`, whose ``expected`` omits the value.
    """

    def __init__(self, type_name: str, problems: tuple[tuple[str, str], ...]) -> None:
        self.type_name = type_name
        self.problems = problems
        listed = "; ".join(f"{path}: {message}" for path, message in problems)
        super().__init__(f"invalid {type_name}: {listed}")

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.type_name, self.problems))


class _Unknown(CptkitError, LookupError):
    kind = "value"

    def __init__(self, value: object, detail: str = "") -> None:
        self.value = _kept(value)
        self.detail = detail
        message = f"{self.kind}: {_short_repr(self.value)} is not in the cptkit dataset"
        super().__init__(f"{message} ({detail})" if detail else message)

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (WITHHELD, self.detail))

    def __str__(self) -> str:  # LookupError/KeyError-style quoting would wrap the message
        return str(self.args[0])


class UnknownCode(_Unknown):
    """A well-formed code that the dataset does not know (or not on the date asked)."""

    kind = "code"


class UnknownDiagnosis(_Unknown):
    """A well-formed ICD-10-CM code that is not in the code list of the fiscal year asked for
    (or of any fiscal year cptkit has).

    .. versionadded:: 0.2.0
    """

    kind = "diagnosis"


class UnknownModifier(_Unknown):
    """A well-formed modifier that the dataset does not know."""

    kind = "modifier"


class UnknownPlaceOfService(_Unknown):
    """A well-formed place of service that the dataset does not know."""

    kind = "place_of_service"


class UnknownLocality(_Unknown):
    """A Physician Fee Schedule locality (``"10112-00"``) or state and county the packaged fee
    schedule does not know.

    .. versionadded:: 0.2.0
    """

    kind = "locality"


class NotPriced(CptkitError, LookupError):
    """No Physician Fee Schedule amount can be given: the year has no packaged fee schedule, or
    the code has no RVUs on it (not on the file, or priced by the MAC).

    Attributes:
        field: ``"year"`` or ``"code"``.
        value: the offending year or code text.
        detail: why, in words (the status, the release, the years packaged).

    .. versionadded:: 0.2.0
    """

    def __init__(self, field: str, value: object, detail: str) -> None:
        self.field = field
        self.value = _kept(value)
        self.detail = detail
        super().__init__(
            f"{field}: {_short_repr(self.value)} has no fee schedule amount ({detail})"
        )

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.field, WITHHELD, self.detail))

    def __str__(self) -> str:
        return str(self.args[0])


class DatasetError(CptkitError):
    """Packaged or user-supplied reference data is damaged, malformed or inconsistent.

    The message names the file and, where it applies, the line.
    """


def _short_repr(value: object, limit: int = 60) -> str:
    """``repr`` of one field value, cut short so a pasted document cannot flood a message.

    Never raises: an int past Python's 4,300-digit conversion limit, or a value nested too
    deeply to ``repr``, is shown by its type and size.
    """
    if type(value) is int and value.bit_length() > 4 * limit:
        return f"<int of {value.bit_length()} bits>"
    try:
        text = repr(value)
    except Exception:
        return f"<{type(value).__name__}>"
    if len(text) > limit:
        text = text[: limit - 3] + "..."
    return text
