# SPDX-License-Identifier: MIT
"""Reading claim files for ``cptkit check``: CSV, JSON and NDJSON rows, one at a time.

Each reader yields a :class:`Row` per record: a claim line with its claim-level values, a whole
claim (JSON claim objects), or an error naming the field and only its value. Grouping rows into
claims is :mod:`cptkit.cli._group`'s job.
"""

from __future__ import annotations

import codecs
import csv
import json
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any, NamedTuple

from ..claims import Claim, ClaimLine
from ..errors import InvalidInput, InvalidRecord, _short_repr
from ..serialization import structure
from ._csv_cells import CLAIM_COLUMNS, CLAIM_CONVERTERS, PREPARE, CellReader
from ._csv_cells import SURROGATE as _SURROGATE

__all__ = ["FORMATS", "Row", "Unreadable", "csv_rows", "file_format", "json_rows", "ndjson_rows"]

FORMATS = {".csv": "csv", ".json": "json", ".ndjson": "ndjson", ".jsonl": "ndjson"}
LINE_FIELDS = (
    "date_of_service",
    "code",
    "units",
    "modifiers",
    "place_of_service",
    "minutes",
    "diagnosis_pointers",
    "charge",
)
CLAIM_FIELDS = tuple(CLAIM_COLUMNS)
KEY_FIELDS = ("claim_id", "patient_id")
REQUIRED = ("date_of_service", "code", "units")


class Unreadable(Exception):
    """The file as a whole cannot be read (exit status 2); the message names the file."""


def file_format(path: Path) -> str | None:
    """``"csv"``, ``"json"`` or ``"ndjson"`` from the file name, else ``None``."""
    return FORMATS.get(path.suffix.lower())


# -- one parsed row -------------------------------------------------------------------------------


_NO_VALUES: Mapping[str, Any] = MappingProxyType({})


class Row(NamedTuple):
    """One row read: a claim line with its claim-level values, a whole claim, or an error.

    A named tuple rather than an attrs class: one is made per row of the file, and a tuple
    is the cheapest immutable record to make.
    """

    row: int
    key: tuple[str, ...] | None = None
    claim_id: str | None = None
    line: ClaimLine | None = None
    claim_values: Mapping[str, Any] = _NO_VALUES
    claim: Claim | None = None
    field: str | None = None
    error: str | None = None


def _problems(err: InvalidRecord) -> list[tuple[str, str]]:
    return [(path.removeprefix("$").removeprefix("."), text) for path, text in err.problems]


def _rejected_row(number: int, problems: list[tuple[str, str]], **known: Any) -> Row:
    message = "; ".join(f"{path}: {text}" if path else text for path, text in problems)
    field = re.split(r"[.\[]", problems[0][0])[0] or None
    return Row(number, field=field, error=message, **known)


def _opened(path: Path, mode: str) -> Any:
    try:
        if mode == "b":
            return path.open("rb")
        return path.open(encoding="utf-8-sig", errors="surrogateescape", newline="")
    except OSError as err:
        raise Unreadable(f"{path}: cannot be opened ({err.strerror or err})") from None


def _check_bom(path: Path) -> None:
    try:
        with path.open("rb") as stream:
            head = stream.read(4)
    except OSError as err:
        raise Unreadable(f"{path}: cannot be opened ({err.strerror or err})") from None
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise Unreadable(f"{path}: is UTF-16 text; save it as UTF-8")


# -- CSV ------------------------------------------------------------------------------------------


def csv_rows(path: Path) -> Iterator[Row]:
    _check_bom(path)
    with _opened(path, "t") as stream:
        reader = csv.reader(stream)
        try:
            header = next(reader, None)
        except csv.Error as err:
            raise Unreadable(f"{path}: the header row is not readable as CSV ({err})") from None
        if header is None:
            raise Unreadable(f"{path}: is empty; expected a header row")
        names = [name.strip().lower() for name in header]
        _check_header(path, names)
        key_field = "claim_id" if "claim_id" in names else "patient_id"
        fast = CellReader(names, key_field)
        width = len(names)
        number = 1
        while True:
            number += 1
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error as err:
                yield Row(number, error=f"not readable as CSV ({err})")
                continue
            if len(cells) == width:
                read = fast.row(cells)
                if read is not None:
                    key, claim_id, line, claim_values = read
                    yield Row(number, key, claim_id, line, claim_values)
                    continue
            if not "".join(cells).strip():
                continue  # a blank line carries nothing; it is not counted as a row
            if len(cells) != width:
                yield Row(number, error=f"has {len(cells)} cells; the header has {width}")
                continue
            # A cell the fast path does not take: the careful path names every fault.
            yield _csv_row(number, dict(zip(names, cells, strict=True)), key_field)


def _check_header(path: Path, names: list[str]) -> None:
    if any(_SURROGATE.search(name) for name in names):
        raise Unreadable(f"{path}: the header row is not UTF-8 text; save the file as UTF-8")
    doubled = sorted({name for name in names if names.count(name) > 1})
    if doubled:
        raise Unreadable(f"{path}: column(s) given twice: {', '.join(doubled)}")
    missing = [name for name in REQUIRED if name not in names]
    if missing:
        raise Unreadable(f"{path}: missing required column(s): {', '.join(missing)}")
    if "claim_id" not in names and "patient_id" not in names:
        raise Unreadable(
            f"{path}: needs a claim_id column, or a patient_id column to group rows by patient"
            " and date of service"
        )


def _csv_row(number: int, cells: dict[str, str], key_field: str) -> Row:
    # Only the cells cptkit reads must be UTF-8: a stray byte in a column it ignores (or in
    # patient_id when claim_id groups the rows) is never looked at.
    for name in (key_field, *LINE_FIELDS, *CLAIM_FIELDS):
        if _SURROGATE.search(cells.get(name, "")):
            return Row(number, field=name, error=f"{name}: is not UTF-8 text")
    text = {name: cells.get(name, "").strip() for name in (*LINE_FIELDS, *CLAIM_FIELDS)}
    ready = {name: PREPARE[name](value) for name, value in text.items()}
    key_value = cells[key_field].strip()
    if not key_value:
        return Row(number, field=key_field, error=f"{key_field}: is empty")
    claim_id = key_value if key_field == "claim_id" else None
    key = (key_value,) if claim_id else (key_value, text["date_of_service"])
    data = {name: ready[name] for name in LINE_FIELDS}
    claim_values = {attribute: ready[column] for column, attribute in CLAIM_COLUMNS.items()}
    return _line_row(number, key, claim_id, data, claim_values)


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
        # The constructor takes good rows (CSV rows the cell reader declined for another
        # field, JSON rows); a bad row goes through cattrs as well, which names every
        # offending field at once.
        line = ClaimLine(**data)
    except InvalidInput:
        try:
            line = structure(data, ClaimLine)
        except InvalidRecord as err:
            problems.extend(_problems(err))
    values: dict[str, Any] = {}
    for column, convert in CLAIM_CONVERTERS.items():
        name = CLAIM_COLUMNS[column]
        try:
            values[name] = convert(claim_values.get(name))
        except InvalidInput as err:
            problems.append((err.field, f"{_short_repr(err.value)} is not {err.expected}"))
    if problems or line is None:
        return _rejected_row(number, problems, **known)
    return Row(number, line=line, claim_values=values, **known)


# -- JSON and NDJSON ------------------------------------------------------------------------------


def json_rows(path: Path) -> Iterator[Row]:
    _check_bom(path)
    with _opened(path, "b") as stream:
        raw = stream.read()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise Unreadable(f"{path}: is not UTF-8 text (byte {err.start + 1})") from None
    try:
        document = json.loads(text)
    except json.JSONDecodeError as err:
        raise Unreadable(
            f"{path}: is not valid JSON: {err.msg} at line {err.lineno} column {err.colno}"
        ) from None
    if not isinstance(document, list):
        raise Unreadable(f"{path}: expected a JSON list of line or claim objects")
    for number, item in enumerate(document, start=1):
        yield _object_row(number, item)


def ndjson_rows(path: Path) -> Iterator[Row]:
    _check_bom(path)
    with _opened(path, "b") as stream:
        for number, raw in enumerate(stream, start=1):
            if number == 1:
                raw = raw.removeprefix(codecs.BOM_UTF8)
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError as err:
                yield Row(number, error=f"is not UTF-8 text (byte {err.start + 1} of the line)")
                continue
            if not text.strip():
                continue
            try:
                item = json.loads(text)
            except json.JSONDecodeError as err:
                yield Row(number, error=f"is not valid JSON: {err.msg} at column {err.colno}")
                continue
            yield _object_row(number, item)


def _object_row(number: int, item: object) -> Row:
    if not isinstance(item, dict):
        return Row(number, error=f"expected an object, got {type(item).__name__}")
    if "lines" in item:
        try:
            claim = structure(item, Claim)
        except InvalidRecord as err:
            claim_id = item.get("claim_id") if isinstance(item.get("claim_id"), str) else None
            return _rejected_row(number, _problems(err), claim_id=claim_id)
        return Row(number, claim_id=claim.claim_id, claim=claim)
    data = {name: value for name, value in item.items() if name not in (*KEY_FIELDS, *CLAIM_FIELDS)}
    for name in KEY_FIELDS:
        if name in item and (type(item[name]) is not str or not item[name].strip()):
            return Row(number, field=name, error=f"{name}: must be a non-empty string")
    claim_id = item.get("claim_id")
    if claim_id is not None:
        key: tuple[str, ...] = (claim_id,)
    elif "patient_id" in item:
        key = (item["patient_id"], str(item.get("date_of_service")))
    else:
        return Row(number, field="claim_id", error="needs a claim_id, or a patient_id")
    claim_values = {attribute: item.get(column) for column, attribute in CLAIM_COLUMNS.items()}
    claim_values["diagnoses"] = claim_values["diagnoses"] or None  # [] and "" as in a CSV cell
    return _line_row(number, key, claim_id, data, claim_values)
