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
import enum
import types
import typing
from typing import Any, TypeVar

import attrs
import cattrs
from cattrs.errors import ClassValidationError, ForbiddenExtraKeysError, IterableValidationError
from cattrs.gen import make_dict_structure_fn, override

from . import _convert
from ._text import ShapedText
from .claims import Claim, ClaimLine
from .claims import _pointers as _claim_pointers
from .codes import Code
from .diagnoses import Diagnosis
from .errors import (
    InvalidClaim,
    InvalidClaimLine,
    InvalidInput,
    InvalidRecord,
    Problem,
    _short_repr,
)
from .modifiers import Modifier
from .places import PlaceOfService
from .providers import NPI

__all__ = ["configure_converter", "json_schema", "make_converter", "structure", "unstructure"]

_T = TypeVar("_T")
_SHAPED: tuple[type[ShapedText], ...] = (Code, Modifier, PlaceOfService, Diagnosis, NPI)


class _FieldError(InvalidInput):
    """Raised by the structure hooks; turned into an :class:`InvalidRecord` entry."""


def _expected(exc: BaseException, type_: Any) -> str:
    """What was expected, in words, without the value (a :class:`Problem`'s ``expected``)."""
    if isinstance(exc, InvalidInput):
        return exc.expected
    if isinstance(exc, KeyError):
        return "a value (the field is required)"
    if isinstance(exc, ForbiddenExtraKeysError):
        return f"only the known keys (not {', '.join(sorted(map(repr, exc.extra_fields)))})"
    if attrs.has(type_):
        return f"an object ({type_.__name__})"
    return f"a {getattr(type_, '__name__', 'valid value')}"


def _format(exc: BaseException, type_: Any) -> str:
    if isinstance(exc, InvalidInput):
        value = list(exc.value) if type(exc.value) is tuple else exc.value  # JSON had a list
        return f"{_short_repr(value)} is not {exc.expected}"
    if isinstance(exc, KeyError):
        return "required field missing"
    if isinstance(exc, ForbiddenExtraKeysError):
        # cattrs' own words, but keys that are not text (a Python caller's {1: ...}) are
        # shown by str(): cattrs would fail sorting them.
        return f"extra fields found ({', '.join(sorted(map(str, exc.extra_fields)))})"
    if attrs.has(type_):
        return f"expected {_expected(exc, type_)}"  # not cattrs' words for a wrong type
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
    # Sets (a code's disciplines) become sorted lists: JSON has no sets.
    converter.register_unstructure_hook_func(
        lambda type_: type_ is frozenset or getattr(type_, "__origin__", None) is frozenset,
        lambda values: sorted((converter.unstructure(value) for value in values), key=str),
    )
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
        expected = f"an object ({type_.__name__})"
        problem = Problem("$", f"expected an object (dict), got {found}", expected)
        raise InvalidRecord(type_.__name__, (problem,))
    try:
        return conv.structure(data, type_)
    except (ClassValidationError, IterableValidationError) as err:
        seen: list[tuple[BaseException, Any]] = []  # in the order transform_error formats them

        def format_exception(exc: BaseException, type_: Any) -> str:
            seen.append((exc, type_))
            return _format(exc, type_)

        messages = cattrs.transform_error(err, path="$", format_exception=format_exception)
        problems = tuple(
            _problem(_split(message), exc, kind)
            for message, (exc, kind) in zip(messages, seen, strict=True)
        )
    except InvalidInput as err:
        # From a constructor after every field hook passed (an empty list of lines ...), or
        # from the hook of a bare value such as structure("9711", Code).
        path = f"$.{err.field}" if type_ in (Claim, ClaimLine) else "$"
        problems = (Problem(path, _format(err, type_), _expected(err, type_)),)
    except (TypeError, AttributeError, KeyError, ValueError) as err:
        problems = (Problem("$", _format(err, type_), _expected(err, type_)),)
    # Raised outside the handlers so that the error carries no __context__: cattrs' exception
    # groups do not survive pickling (e.g. to a Dask worker and back).
    raise InvalidRecord(type_.__name__, problems)


def _split(message: str) -> tuple[str, str]:
    text, _, path = message.rpartition(" @ ")
    return (path, text) if text else ("$", message)


def _problem(where: tuple[str, str], exc: BaseException, type_: Any) -> Problem:
    path, message = where
    if isinstance(exc, (InvalidClaim, InvalidClaimLine)) and not path.endswith(f".{exc.field}"):
        # A value's own constructor, after every field hook passed: it names its field.
        path = f"{path}.{exc.field}"
    return Problem(path, message, _expected(exc, type_))


# -- JSON Schema ---------------------------------------------------------------------------------

# Constraints the types alone do not say, typed from the converters in cptkit.claims.
_CONSTRAINTS: dict[tuple[type, str], dict[str, Any]] = {
    (ClaimLine, "units"): {"minimum": 1},
    (ClaimLine, "minutes"): {"minimum": 0},
    (ClaimLine, "diagnosis_pointers"): {"items": {"type": "integer", "minimum": 1, "maximum": 12}},
    (Claim, "lines"): {"minItems": 1},
    (Claim, "diagnoses"): {"minItems": 1, "maxItems": 12},
}


def json_schema(type_: type) -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of what :func:`unstructure` writes for *type_*, and
    :func:`structure` reads: for services and OpenAPI descriptions.

    Codes, modifiers, places of service and diagnoses are strings described in words (the
    reader also takes lower case and, for diagnoses, the undotted form); amounts are decimal
    strings, dates ISO 8601 strings; no other keys are allowed.

    >>> from cptkit import ClaimLine
    >>> schema = json_schema(ClaimLine)
    >>> schema["required"], schema["properties"]["units"]
    (['code', 'units', 'date_of_service'], {'type': 'integer', 'minimum': 1})

    Raises:
        TypeError: *type_* is not an attrs class of cptkit.

    .. versionadded:: 0.2.0
    """
    if not attrs.has(type_):
        raise TypeError(f"json_schema() takes an attrs class such as Claim, not {type_!r}")
    definitions: dict[str, Any] = {}
    schema = _object_schema(type_, definitions)
    definitions.pop(type_.__name__, None)
    head: dict[str, Any] = {"$schema": "https://json-schema.org/draft/2020-12/schema"}
    return {**head, "title": type_.__name__, **schema} | (
        {"$defs": definitions} if definitions else {}
    )


def _object_schema(type_: type, definitions: dict[str, Any]) -> dict[str, Any]:
    hints = typing.get_type_hints(type_)
    properties = {}
    for field in attrs.fields(type_):
        schema = _schema(hints[field.name], definitions)
        properties[field.name] = {**schema, **_CONSTRAINTS.get((type_, field.name), {})}
    required = [f.name for f in attrs.fields(type_) if f.default is attrs.NOTHING]
    return {
        "type": "object",
        "properties": properties,
        "required": required,
        "additionalProperties": False,
    }


def _schema(hint: Any, definitions: dict[str, Any]) -> dict[str, Any]:
    origin, arguments = typing.get_origin(hint), typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        kinds = [_schema(argument, definitions) for argument in arguments]
        return kinds[0] if len(kinds) == 1 else {"anyOf": kinds}
    if origin in (tuple, frozenset, list):
        return {"type": "array", "items": _schema(arguments[0], definitions)}
    if hint is type(None):
        return {"type": "null"}
    if isinstance(hint, type) and issubclass(hint, ShapedText):
        return {"type": "string", "description": hint._EXPECTED}
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        return {"enum": [member.value for member in hint]}
    if hint is bool:
        return {"type": "boolean"}
    if hint is int:
        return {"type": "integer"}
    if hint is str:
        return {"type": "string"}
    if hint is datetime.date:
        return {"type": "string", "format": "date"}
    if hint is decimal.Decimal:
        return {"type": "string", "pattern": "^[0-9]+(\\.[0-9]+)?$"}
    if attrs.has(hint):
        if hint.__name__ not in definitions:
            definitions[hint.__name__] = {}  # a placeholder against recursion
            definitions[hint.__name__] = _object_schema(hint, definitions)
        return {"$ref": f"#/$defs/{hint.__name__}"}
    raise TypeError(f"no JSON Schema for {hint!r}")  # pragma: no cover - every cptkit type is above
