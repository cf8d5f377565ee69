# SPDX-License-Identifier: MIT
"""Turning cptkit values into JSON-ready builtins and back, with cattrs.

The value types know nothing of wire formats; this module does. :func:`make_converter` returns a
fresh, private :class:`cattrs.Converter` (cattrs' global converter is never touched):

* codes, modifiers, places of service and diagnoses become their canonical strings;
* dates become ISO 8601 text and :class:`~decimal.Decimal` amounts become strings;
* unknown keys are rejected, and so is anything that would need a guess (``"2"`` for units).

A bad document raises :class:`~cptkit.errors.InvalidRecord`, which names every offending field
path at once (cattrs' detailed validation finds them; :func:`cattrs.transform_error` formats them).

>>> from cptkit import ClaimLine
>>> from cptkit.serialization import make_converter
>>> converter = make_converter()
>>> line = ClaimLine(code="97110", units=2, date_of_service="2026-03-02", modifiers=["GP"])
>>> data = converter.unstructure(line)
>>> data["code"], data["modifiers"], data["date_of_service"]
('97110', ['GP'], '2026-03-02')
>>> converter.structure(data, ClaimLine) == line
True
>>> from cptkit.serialization import structure
>>> structure({"code": "9711", "units": 0, "date_of_service": "2026-03-02"}, ClaimLine)
Traceback (most recent call last):
    ...
cptkit.errors.InvalidRecord: invalid ClaimLine: $.code: '9711' is not a CPT or HCPCS code ...; $.units: 0 is not an int >= 1
"""

from __future__ import annotations

import datetime
import decimal
from typing import Any, TypeVar

import cattrs
from cattrs.errors import ClassValidationError, IterableValidationError
from cattrs.gen import make_dict_structure_fn, override

from . import _convert
from ._text import ShapedText
from .claims import Claim, ClaimLine
from .claims import _pointers as _claim_pointers
from .codes import Code
from .diagnoses import Diagnosis
from .errors import InvalidInput, InvalidRecord, _short_repr
from .modifiers import Modifier
from .places import PlaceOfService

__all__ = ["configure_converter", "make_converter", "structure", "unstructure"]

_T = TypeVar("_T")
_SHAPED: tuple[type[ShapedText], ...] = (Code, Modifier, PlaceOfService, Diagnosis)


class _FieldError(InvalidInput):
    """Raised by the structure hooks; turned into an :class:`InvalidRecord` entry."""


def _format(exc: BaseException, type_: Any) -> str:
    if isinstance(exc, InvalidInput):
        return f"{_short_repr(exc.value)} is not {exc.expected}"
    if isinstance(exc, KeyError):
        return "required field missing"
    return cattrs.v.format_exception(exc, type_)


def configure_converter(converter: cattrs.Converter) -> None:
    """Register cptkit's hooks on *converter* (for users who keep a converter of their own)."""
    for cls in _SHAPED:
        converter.register_unstructure_hook(cls, str)
        converter.register_structure_hook(
            cls,
            lambda value, type_: _convert.to_shaped(value, type_, _FieldError, type_._FIELD),
        )
    converter.register_unstructure_hook(datetime.date, datetime.date.isoformat)
    converter.register_structure_hook(
        datetime.date, lambda value, _: _convert.to_date(value, _FieldError, "date")
    )
    converter.register_unstructure_hook(decimal.Decimal, str)
    converter.register_structure_hook(
        decimal.Decimal, lambda value, _: _convert.to_decimal(value, _FieldError, "amount")
    )
    converter.register_structure_hook(int, _strict_int)
    converter.register_structure_hook(str, _strict_str)
    # Range checks run in the per-field hooks too, so that one pass reports every bad field
    # with its path instead of stopping at the constructor's first complaint.
    converter.register_structure_hook(
        ClaimLine,
        make_dict_structure_fn(
            ClaimLine,
            converter,
            _cattrs_forbid_extra_keys=True,
            units=override(struct_hook=_ranged_int(1)),
            minutes=override(struct_hook=_optional(_ranged_int(0))),
            diagnosis_pointers=override(struct_hook=_pointer_tuple),
            modifiers=override(struct_hook=_list_of(converter, Modifier)),
        ),
    )
    converter.register_structure_hook(
        Claim,
        make_dict_structure_fn(
            Claim,
            converter,
            _cattrs_forbid_extra_keys=True,
            lines=override(struct_hook=_list_of(converter, ClaimLine)),
            diagnoses=override(struct_hook=_list_of(converter, Diagnosis)),
        ),
    )


def _list_of(converter: cattrs.Converter, item: type[Any]) -> Any:
    """A hook for ``tuple[item, ...]`` that takes a JSON list (never a string of characters)."""

    def hook(value: object, _: Any) -> Any:
        if not isinstance(value, list):
            raise _FieldError("list", value, f"a list of {item.__name__}")
        return converter.structure(value, tuple[item, ...])  # type: ignore[valid-type]

    return hook


def _strict_int(value: object, _: Any) -> int:
    if type(value) is not int:
        raise _FieldError("number", value, "an int")
    return value


def _ranged_int(minimum: int) -> Any:
    def hook(value: object, _: Any) -> int:
        return _convert.to_int(value, _FieldError, "number", minimum=minimum)

    return hook


def _optional(hook: Any) -> Any:
    def optional_hook(value: object, type_: Any) -> Any:
        return None if value is None else hook(value, type_)

    return optional_hook


def _pointer_tuple(value: object, _: Any) -> tuple[int, ...]:
    # JSON gives pointers as a list (as every other list hook here insists); each pointer is
    # then checked by the claim line's own converter, as the constructor checks it.
    if not isinstance(value, list):
        raise _FieldError("diagnosis_pointers", value, "a list of ints 1-12")
    return _claim_pointers(value)


def _strict_str(value: object, _: Any) -> str:
    if type(value) is not str:
        raise _FieldError("text", value, "a str")
    return value


def make_converter() -> cattrs.Converter:
    """Return a new converter configured for every public cptkit type.

    .. versionadded:: 0.1.0
    """
    converter = cattrs.Converter(forbid_extra_keys=True, detailed_validation=True)
    configure_converter(converter)
    return converter


_DEFAULT: cattrs.Converter | None = None


def _default() -> cattrs.Converter:
    global _DEFAULT
    if _DEFAULT is None:
        _DEFAULT = make_converter()
    return _DEFAULT


def unstructure(value: object) -> Any:
    """Turn a cptkit value into JSON-ready builtins with the default cptkit converter."""
    return _default().unstructure(value)


def structure(data: object, type_: type[_T], *, converter: cattrs.Converter | None = None) -> _T:
    """Turn builtins into a cptkit value.

    Raises:
        InvalidRecord: naming every offending field path (``$.lines[0].units`` ...).
    """
    conv = _default() if converter is None else converter
    if type_ in (Claim, ClaimLine) and not isinstance(data, dict):
        found = type(data).__name__
        raise InvalidRecord(type_.__name__, (("$", f"expected an object (dict), got {found}"),))
    try:
        return conv.structure(data, type_)
    except (ClassValidationError, IterableValidationError) as err:
        messages = cattrs.transform_error(err, path="$", format_exception=_format)
        problems = tuple(_split(m) for m in messages)
    except InvalidInput as err:
        # From a constructor after every field hook passed (an empty list of lines ...), or
        # from the hook of a bare value such as structure("9711", Code).
        path = f"$.{err.field}" if type_ in (Claim, ClaimLine) else "$"
        problems = ((path, _format(err, type_)),)
    except (TypeError, AttributeError, KeyError, ValueError) as err:
        problems = (("$", _format(err, type_)),)
    # Raised outside the handlers so that the error carries no __context__: cattrs' exception
    # groups do not survive pickling (e.g. to a Dask worker and back).
    raise InvalidRecord(type_.__name__, problems)


def _split(message: str) -> tuple[str, str]:
    text, _, path = message.rpartition(" @ ")
    return (path, text) if text else ("$", message)
