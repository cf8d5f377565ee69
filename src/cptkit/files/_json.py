# SPDX-License-Identifier: MIT
"""JSON and NDJSON files: each item (a list item, or a line) becomes one :class:`Row`.

An item is a **line object** (the CSV column names as keys) or a **claim object** (the shape
of :mod:`cptkit.serialization`). A key that is not one of those, or a key given twice, rejects
the item, naming the key and never its value.
"""

from __future__ import annotations

import codecs
import json
import re
import sys
from collections.abc import Iterator, Mapping
from typing import IO, Any

from ..claims import Claim, ClaimLine
from ..errors import InvalidInput, InvalidRecord, _short_repr
from ..serialization import structure
from ._cells import CLAIM_CONVERTERS
from ._layout import normalise
from ._rows import CLAIM_COLUMNS, COLUMNS, KEY_COLUMNS, Options, Row, Unreadable

__all__ = ["json_rows", "ndjson_rows"]


class _Twice(dict[str, Any]):
    """An object in which a key was given twice (``key`` names the first such key)."""

    key = ""


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            twice = _Twice(result)
            twice.key = key
            return twice
        result[key] = value
    return result


def _twice(value: object) -> str | None:
    """The first key given twice anywhere in *value*, or ``None``."""
    if isinstance(value, _Twice):
        return value.key
    children = value.values() if isinstance(value, dict) else value if type(value) is list else ()
    for child in children:
        key = _twice(child)
        if key is not None:
            return key
    return None


_decode = json.JSONDecoder(object_pairs_hook=_pairs).decode


def json_rows(stream: IO[bytes], name: str, options: Options) -> Iterator[Row]:
    """The items of a JSON list, numbered from 1.

    Raises:
        Unreadable: not decodable, not JSON, or not a list.
    """
    raw = stream.read()
    try:
        text = codecs.decode(raw, _codec(options.encoding))
    except UnicodeDecodeError as err:
        label = _label(options.encoding)
        raise Unreadable(f"{name}: is not {label} text (byte {err.start + 1})") from None
    if not text.strip():
        raise Unreadable(f"{name}: is empty; expected a JSON list")
    try:
        document = _decode(text)
    except json.JSONDecodeError as err:
        raise Unreadable(
            f"{name}: is not valid JSON: {err.msg} at line {err.lineno} column {err.colno}"
        ) from None
    except (ValueError, RecursionError) as err:
        raise Unreadable(f"{name}: is not readable JSON: {_beyond(err)}") from None
    if type(document) is not list:
        raise Unreadable(f"{name}: expected a JSON list of line or claim objects")
    for number, item in enumerate(document, start=1):
        yield _object_row(number, item, options)


def ndjson_rows(stream: IO[bytes], name: str, options: Options) -> Iterator[Row]:
    """The objects of an NDJSON file, one per line, numbered by line."""
    codec = _codec(options.encoding)
    for number, raw in _lines(stream, name, options):
        try:
            text = raw.decode(codec)
        except UnicodeDecodeError as err:
            error = f"is not {_label(options.encoding)} text (byte {err.start + 1} of the line)"
            yield Row(number, error=error)
            continue
        if not text.strip():
            continue
        try:
            item = _decode(text)
        except json.JSONDecodeError as err:
            yield Row(number, error=f"is not valid JSON: {err.msg} at column {err.colno}")
            continue
        except (ValueError, RecursionError) as err:
            yield Row(number, error=f"is not readable JSON: {_beyond(err)}")
            continue
        yield _object_row(number, item, options)


def _lines(stream: IO[bytes], name: str, options: Options) -> Iterator[tuple[int, bytes]]:
    """The numbered lines of *stream*; a line holding carriage returns (old Mac line endings)
    is split at them, and that is noticed once."""
    number = 0
    told = False
    for raw in stream:
        if b"\r" not in raw.rstrip(b"\r\n"):
            number += 1
            yield number, raw
            continue
        if not told:
            options.notice(f"{name}: has old Mac line endings (CR only); read as line breaks")
            told = True
        for part in raw.split(b"\r"):
            number += 1
            yield number, part


def _beyond(err: ValueError | RecursionError) -> str:
    """What took JSON past Python's limits (the value itself is not shown)."""
    if isinstance(err, RecursionError):
        return "nested too deeply"
    return f"a number of more than {sys.get_int_max_str_digits()} digits"


def _label(encoding: str) -> str:
    return "UTF-8" if codecs.lookup(encoding).name == "utf-8" else encoding


def _codec(encoding: str) -> str:
    return "utf-8-sig" if codecs.lookup(encoding).name == "utf-8" else encoding


_LINE_KEYS = frozenset(COLUMNS)
_NOT_LINE = (*KEY_COLUMNS, *CLAIM_COLUMNS)


def _object_row(number: int, item: object, options: Options) -> Row:
    if type(item) is not dict and type(item) is not _Twice:
        return Row(number, error=f"expected an object, got {type(item).__name__}")
    twice = _twice(item)
    if "lines" in item:
        # A claim object is whole by itself: rejected, it holds back no other item.
        own = ("", "", str(number))
        claim_id = _claim_id(item)
        if twice is not None:
            error = f"key {_short_repr(twice)} is given twice"
            return Row(number, own, claim_id, error=error)
        try:
            claim = structure(item, Claim)
        except InvalidRecord as err:
            return _rejected(number, _problems(err), key=own, claim_id=claim_id)
        return Row(number, claim_id=claim.claim_id, claim=claim)
    known = _known_key(item)
    if twice is not None:
        return Row(number, error=f"key {_short_repr(twice)} is given twice", **known)
    if options.columns:
        item = _renamed(item, options.columns)
    unknown = [key for key in item if key not in _LINE_KEYS]
    if unknown:
        listed = ", ".join(_short_repr(key, 40) for key in unknown[:3])
        more = f" and {len(unknown) - 3} more" if len(unknown) > 3 else ""
        return Row(number, error=f"unknown key(s): {listed}{more}", **known)
    for name in KEY_COLUMNS:
        if name in item and (type(item[name]) is not str or not item[name].strip()):
            return Row(number, field=name, error=f"{name}: must be a non-empty string")
    claim_id = item.get("claim_id")
    if claim_id is not None:
        key: tuple[str, ...] = (claim_id,)
    elif "patient_id" in item:
        key = (item["patient_id"], str(item.get("date_of_service")))
    else:
        return Row(number, field="claim_id", error="needs a claim_id, or a patient_id")
    data = {name: value for name, value in item.items() if name not in _NOT_LINE}
    claim_values = {column: item.get(column) for column in CLAIM_COLUMNS}
    claim_values["diagnoses"] = claim_values["diagnoses"] or None  # [] and "" as in a CSV cell
    return _line_row(number, key, claim_id, data, claim_values)


def _claim_id(item: Mapping[str, Any]) -> str | None:
    value = item.get("claim_id")
    return value if type(value) is str and value.strip() and value.isprintable() else None


def _known_key(item: Mapping[str, Any]) -> dict[str, Any]:
    """The key of a line object that is rejected before it is read, if it has one."""
    claim_id = _claim_id(item)
    if claim_id is not None:
        return {"key": (claim_id,), "claim_id": claim_id}
    patient = item.get("patient_id")
    if type(patient) is str and patient.strip():
        return {"key": (patient, str(item.get("date_of_service")))}
    return {}


def _renamed(item: dict[str, Any], columns: Mapping[str, str]) -> dict[str, Any]:
    renamed: dict[str, Any] = {}
    for key, value in item.items():
        to = columns.get(normalise(key), key)
        if to:
            renamed[to] = value
    return renamed


def _line_row(
    number: int,
    key: tuple[str, ...],
    claim_id: str | None,
    data: dict[str, Any],
    claim_values: dict[str, Any],
) -> Row:
    known: dict[str, Any] = {"key": key, "claim_id": claim_id}
    problems: list[tuple[str, str]] = []
    line: ClaimLine | None = None
    try:
        line = ClaimLine(**data)
    except (InvalidInput, TypeError):
        # cattrs names every offending field at once (and a missing one)
        try:
            line = structure(data, ClaimLine)
        except InvalidRecord as err:
            problems.extend(_problems(err))
    values: dict[str, Any] = {}
    for column, convert in CLAIM_CONVERTERS.items():
        try:
            values[CLAIM_COLUMNS[column]] = convert(claim_values.get(column))
        except InvalidInput as err:
            problems.append((column, f"{_short_repr(err.value)} is not {err.expected}"))
    if problems or line is None:
        return _rejected(number, problems, **known)
    return Row(number, line=line, claim_values=values, **known)


def _problems(err: InvalidRecord) -> list[tuple[str, str]]:
    return [(path.removeprefix("$").removeprefix("."), text) for path, text in err.problems]


def _rejected(number: int, problems: list[tuple[str, str]], **known: Any) -> Row:
    message = "; ".join(f"{path}: {text}" if path else text for path, text in problems)
    field = re.split(r"[.\[]", problems[0][0])[0] or None
    return Row(number, field=field, error=message, **known)
