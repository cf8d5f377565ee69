# SPDX-License-Identifier: MIT
"""Checking whole files at once: findings as a polars data frame.

Needs the ``fast`` extra (``pip install 'cptkit[fast]'``, which brings polars); ``import
cptkit`` never imports polars. A clean CSV file (one line per row, no quotes, every cell
converting, each claim's rows together and agreeing) is read by polars, a chunk at a time
(:mod:`cptkit.columnar._scan`); any other file, and the rest of a file from its first chunk
that is not clean, by :mod:`cptkit.files` (every format, layout and reading rule: a bad
cell holds its claim back, claim-level values must agree, only adjacent rows group). The
claims are judged a chunk or a batch at a time: the line rules once per distinct
line view, ``data-stale`` once per date, ``units-minutes-mismatch`` as polars expressions,
the other built-in rules once per distinct input or only on the claims a polars filter shows
they can fire on, all joined back onto the lines; every other rule (a user's rule, a
wrapper) through the per-claim engine, on every claim, in the same call. The per-claim engine
(:class:`cptkit.validation.Checker`) is the reference: the findings are the same, row for
row and in the same order, as ``cptkit check --engine claims`` gives (a differential test
holds this, ``tests/test_columnar.py``). Which rules have a columnar form:
:mod:`cptkit.columnar._forms`; how fast it is: ``docs/performance.md``.

>>> import io
>>> from cptkit.columnar import check_file
>>> export = io.BytesIO(
...     b"claim_id,date_of_service,code,modifiers,units,minutes,diagnosis_pointers,diagnoses\\n"
...     b"PT-1,2024-03-04,97110,GP,3,33,1,M54.50\\n"
...     b"PT-2,2024-03-04,97110,GP,x,15,1,M54.50\\n"
... )
>>> findings = check_file(export, format="csv")
>>> findings.select("claim_id", "line_number", "rule", "row").rows()
[('PT-1', 1, 'units-minutes-mismatch', 2), ('PT-2', None, 'row-rejected', 3)]

.. versionadded:: 0.2.0
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

from .._catalog import Catalog, DateLike
from .._engines import checker_for
from ..files import Source, read
from ..validation import Checker
from ._engine import BATCH_CLAIMS, SCHEMA, Batch, Engine

if TYPE_CHECKING:
    import polars

__all__ = ["BATCH_CLAIMS", "SCHEMA", "check_events", "check_file", "check_frame"]


def __dir__() -> list[str]:
    return __all__


def check_file(
    path: Source,
    *,
    rules: object = "medicare",
    catalog: Catalog | None = None,
    on: DateLike = None,
    format: str | None = None,
    columns: Mapping[str, str] | None = None,
    encoding: str = "utf-8",
    date_format: str | None = None,
) -> polars.DataFrame:
    """Read and check one claim file; return every finding as one frame.

    Args:
        path: a path, ``"-"`` for standard input, or a binary file object.
        rules: ``"medicare"``, ``"commercial"``, or a rule or rule set.
        catalog: the reference data (default: the packaged catalog).
        on: judge codes, modifiers, places and edits as valid on this date.
        format, columns, encoding, date_format: as :func:`cptkit.files.read`.

    Returns:
        A :class:`polars.DataFrame` with the columns of :data:`SCHEMA`, one row per finding
        and per rejected row (rule ``row-rejected``), in the order of the file.

    Raises:
        InvalidInput: an argument is not usable.
        Unreadable: the file as a whole cannot be read.

    .. versionadded:: 0.2.0
    """
    checker = checker_for(rules, catalog, on)
    reading = read(path, format=format, columns=columns, encoding=encoding, date_format=date_format)
    return _concat(Engine(checker).run(reading))


def check_frame(
    frame: Any,
    *,
    rules: object = "medicare",
    catalog: Catalog | None = None,
    on: DateLike = None,
    columns: Mapping[str, str] | None = None,
    date_format: str | None = None,
) -> polars.DataFrame:
    """Check the claims of a polars or pandas frame (one row per claim line, columns named as
    a CSV header would be: see :func:`cptkit.frames.claims_from_frame`).

    Returns:
        The frame :func:`check_file` gives; ``file`` is ``<frame>`` and ``row`` the row's
        position in the frame (from 0).

    .. versionadded:: 0.2.0
    """
    from ..frames import _frame_events

    checker = checker_for(rules, catalog, on)
    return _concat(Engine(checker).run(_frame_events(frame, columns, date_format=date_format)))


def check_events(
    events: Any, checker: Checker, *, batch_claims: int = BATCH_CLAIMS
) -> Iterator[Batch]:
    """The findings of a reading's events (:func:`cptkit.files.read`), batch by batch, with
    the claims each batch checked (for ``cptkit check`` and :mod:`cptkit.distributed`).

    A :class:`~cptkit.files.Reading` not started yet of a clean CSV file is read by polars
    and judged a chunk (:data:`cptkit.columnar._scan.CHUNK_BYTES`) at a time; the events
    :mod:`cptkit.files` reads, *batch_claims* claims at a time."""
    return Engine(checker, batch_claims=batch_claims).run(events)


def _concat(batches: Iterator[Batch]) -> polars.DataFrame:
    import polars

    frames = [batch.findings for batch in batches]
    return polars.concat(frames) if frames else polars.DataFrame(schema=SCHEMA)
