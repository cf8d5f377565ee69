# SPDX-License-Identifier: MIT
"""pandas and polars data frames: claims from a frame, a frame of findings.

Needs the ``pandas`` or ``polars`` extra (``pip install 'cptkit[pandas]'``); ``import cptkit``
imports neither, and this module imports a library only when it is handed (or asked for) one.

:func:`claims_from_frame` reads a frame exactly as :mod:`cptkit.files` reads a CSV file (the
same columns, aliases, split columns and cell rules), after undoing what a frame library's
default dtypes did to the cells: whole numbers that became ``int64`` (or ``float64`` beside a
missing value), codes that lost their leading zeros (``362`` for ``00362``: codes are padded to
five digits, places of service to two, as ``02`` read as ``2``), missing values (``NaN``,
``None``, ``pd.NA``, ``NaT``), timestamps at midnight. A fraction where a whole number belongs
(``1.5`` units) is refused as in a CSV cell; a float charge is read as written (``90.5``).

>>> import pandas as pd
>>> from cptkit.frames import claims_from_frame, findings_frame
>>> frame = pd.DataFrame({
...     "claim_id": ["PT-1", "PT-1"], "date_of_service": ["2026-03-02", "2026-03-02"],
...     "code": [97162, 97110], "modifiers": ["GP", "GP"], "units": [1, 3],
...     "minutes": [float("nan"), 33.0], "place_of_service": [11, 11],
...     "diagnosis_pointers": [1, 1], "diagnoses": ["M54.50", None]})
>>> claims = list(claims_from_frame(frame))
>>> claims[0].lines[1].code, claims[0].lines[1].minutes, claims[0].lines[0].place_of_service
(Code('97110'), 33, PlaceOfService('11'))
>>> import cptkit
>>> findings = findings_frame(cptkit.validate_many(claims))
>>> findings[["claim_id", "line", "rule"]].to_string(index=False)
'claim_id  line                   rule\\n    PT-1     0             data-stale\\n    PT-1     1 units-minutes-mismatch'

.. versionadded:: 0.2.0
"""

from __future__ import annotations

import datetime
import decimal
import operator
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any, Literal

from .claims import Claim
from .errors import CptkitError, InvalidInput
from .files import OnRejected, _options, claims_of
from .files._csv import records
from .files._group import Counts, Event, group
from .files._layout import HeaderError, layout
from .validation import Report

__all__ = ["FINDING_COLUMNS", "claims_from_frame", "findings_frame"]

_PAD = {"code": 5, "place_of_service": 2, "claim_place_of_service": 2}


def claims_from_frame(
    frame: Any,
    columns: Mapping[str, str] | None = None,
    *,
    date_format: str | None = None,
    on_rejected: OnRejected = "raise",
) -> Iterator[Claim]:
    """Stream the claims of a pandas or polars data frame, one row per claim line.

    Args:
        frame: a :class:`pandas.DataFrame` or :class:`polars.DataFrame` whose columns are
            named as a CSV header would be (see ``docs/files.md``).
        columns: column name -> field name, or -> ``""`` to ignore a column.
        date_format: a :func:`~datetime.datetime.strptime` format for date texts besides
            ``YYYY-MM-DD``.
        on_rejected: called with each :class:`~cptkit.files.Rejected` row; its ``row`` is the
            row's position in the frame (from 0, as ``frame.iloc[row]``). By default the
            first rejected row raises :class:`~cptkit.files.RowRejected`.

    Raises:
        InvalidInput: the frame's columns cannot be used (the message says why), or an
            argument is not usable.
        RowRejected: a row was rejected and *on_rejected* is ``"raise"``.

    .. versionadded:: 0.2.0
    """
    return claims_of(_frame_events(frame, columns, date_format=date_format), on_rejected)


def _frame_events(
    frame: Any, columns: Mapping[str, str] | None = None, *, date_format: str | None = None
) -> Iterator[Event]:
    """The claims (:class:`~cptkit.files.Group`) and rejected rows of a frame, as
    :func:`cptkit.files.read` gives them for a file (rows numbered from 0): what
    :func:`claims_from_frame` and :func:`cptkit.columnar.check_frame` read.

    Raises:
        InvalidInput: the frame's columns cannot be used, or an argument is not usable.
    """
    options = _options(columns, "utf-8", date_format)
    names, get = _columns(frame)
    try:
        shape = layout(names, options.columns)
    except HeaderError as err:
        raise InvalidInput("frame", type(frame).__name__, f"usable columns: {err}") from None
    field_at = {at: field for field, where in shape.positions.items() for at in where}
    texts = [_texts(get(at), _PAD.get(field_at.get(at, ""), 0)) for at in range(len(names))]
    rows = zip(*texts, strict=True) if texts else iter(())
    read = records(rows, shape, len(names), options, first=0)
    return group("<frame>", read, Counts())


def _columns(frame: Any) -> tuple[list[str], Callable[[int], list[Any]]]:
    """The frame's column names, and the values of the column at a position as a list."""
    if type(frame).__module__.split(".")[0] == "polars":
        return [str(name) for name in frame.columns], lambda at: frame.to_series(at).to_list()
    try:
        names = [str(name) for name in frame.columns]  # a name given twice is refused later
        values = frame.iloc
    except AttributeError:
        raise InvalidInput("frame", type(frame).__name__, "a pandas or polars DataFrame") from None
    return names, lambda at: values[:, at].tolist()


def _texts(values: list[Any], pad: int) -> list[str]:
    """A column's values as the texts a CSV file would hold."""
    if pad:
        return [_padded(value, pad) if type(value) is not str else value for value in values]
    return [value if type(value) is str else _text(value) for value in values]


def _padded(value: object, width: int) -> str:
    text = _text(value)
    return text.zfill(width) if text.isdigit() and len(text) < width else text


def _text(value: object) -> str:
    if value is None or type(value).__name__ in ("NAType", "NaTType"):
        return ""
    if isinstance(value, float):
        if value != value:  # NaN
            return ""
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime.datetime):
        if value.time() == datetime.time(0) and value.tzinfo is None:
            return value.date().isoformat()
        return str(value)  # a time of day is not a date of service: refused as text
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return " ".join(_text(item) for item in value)
    if isinstance(value, (decimal.Decimal, bool)):
        return str(value)
    try:
        return str(operator.index(value))  # type: ignore[arg-type]
    except TypeError:
        pass
    try:
        item = value.item()  # type: ignore[attr-defined]  # numpy scalars
    except (AttributeError, ValueError, TypeError):
        return str(value)
    return _text(item) if item is not value else str(value)


# -- findings ------------------------------------------------------------------------------------

FINDING_COLUMNS: Mapping[str, str] = {
    "claim_id": "string",
    "line": "Int64",
    "line_number": "Int64",
    "severity": "severity",
    "rule": "string",
    "field": "string",
    "message": "string",
    "carc": "string",
    "suggestion": "string",
}
"""The columns of :func:`findings_frame` and their dtypes, whatever the findings (``severity``
is an ordered categorical: error < warning < info)."""

_SEVERITIES = ["error", "warning", "info"]


def findings_frame(
    reports: Iterable[Report], *, library: Literal["pandas", "polars"] = "pandas"
) -> Any:
    """One row per finding of many reports, with the same columns and dtypes every time.

    Args:
        reports: :class:`~cptkit.validation.Report` values (``validate_many``'s are consumed
            as they come).
        library: ``"pandas"`` (a :class:`pandas.DataFrame`) or ``"polars"``.

    .. versionadded:: 0.2.0
    """
    data: dict[str, list[Any]] = {name: [] for name in FINDING_COLUMNS}
    for report in reports:
        for record in report.to_records():
            for name, column in data.items():
                column.append(record[name])
    if library == "polars":
        return _polars(data)
    if library != "pandas":
        raise InvalidInput("library", library, "'pandas' or 'polars'")
    try:
        import pandas
    except ImportError:
        raise CptkitError("findings_frame() needs pandas: pip install 'cptkit[pandas]'") from None
    severity = pandas.CategoricalDtype(_SEVERITIES, ordered=True)
    return pandas.DataFrame(
        {
            name: pandas.Series(values, dtype=severity if kind == "severity" else kind)
            for (name, kind), values in zip(FINDING_COLUMNS.items(), data.values(), strict=True)
        }
    )


def _polars(data: dict[str, list[Any]]) -> Any:
    try:
        import polars
    except ImportError:
        raise CptkitError("findings_frame() needs polars: pip install 'cptkit[polars]'") from None
    kinds: dict[str, Any] = {
        "string": polars.String,
        "Int64": polars.Int64,
        "severity": polars.Enum(_SEVERITIES),
    }
    return polars.DataFrame(
        data, schema={name: kinds[kind] for name, kind in FINDING_COLUMNS.items()}
    )
