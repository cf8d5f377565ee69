# SPDX-License-Identifier: MIT
"""Validating claims on a Dask cluster, with exactly the findings one process gives.

Needs the ``dask`` extra (``pip install 'cptkit[dask]'``); ``import cptkit`` never imports
Dask. What crosses to the workers is small: rule sets are a few frozen objects, a catalog
travels as its overlay sources (the workers read the packaged tables themselves), and findings
come back as plain records.

Files on a cluster: :func:`check_paths` makes one task per file, which streams the file
through the chosen engine (:mod:`cptkit.columnar` or the per-claim engine) and returns its
findings as plain records; nothing but paths, the checker's options and findings crosses
between processes::

    from distributed import Client
    from cptkit.distributed import check_paths

    findings = check_paths(Client("scheduler:8786"), paths)

Claims already in memory, as a bag (one claim must not span two partitions: partition by
file, or by claim id); for files, :func:`check_paths` is faster (each partition here is
materialised as ``Claim`` values and starts with empty caches)::

    import dask.bag as db
    from distributed import Client
    from cptkit.distributed import validate_bag
    from cptkit.files import read_claims
    from cptkit.validation import Checker

    def read_partition(paths):
        return [claim for path in paths for claim in read_claims(path)]

    client = Client("scheduler:8786")
    claims = db.from_sequence(paths, npartitions=len(paths)).map_partitions(read_partition)
    findings = validate_bag(claims, Checker(rules=cptkit.rulesets.medicare())).compute()

.. versionadded:: 0.1.0
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from typing import Any

from ._catalog import Catalog, DateLike
from ._engines import Engine, checker_for, engine_for
from .claims import Claim
from .validation import Checker

__all__ = ["check_path", "check_paths", "validate_bag", "validate_partition"]

_COLUMNS = (
    "claim_id", "line_number", "rule", "severity", "field", "message", "carc", "suggestion", "file", "row"
)  # fmt: skip


def check_paths(
    client: Any,
    paths: Sequence[str | os.PathLike[str]],
    *,
    engine: Engine | None = None,
    rules: object = "medicare",
    catalog: Catalog | None = None,
    on: DateLike = None,
) -> list[dict[str, Any]]:
    """Check claim files on a Dask cluster, one task per file; return every finding.

    Each task streams its file through *engine* (default: ``"columnar"`` when polars is
    installed where this is called, else ``"claims"``; the workers need it too) with a
    :class:`~cptkit.validation.Checker` of *rules*, *catalog* and *on*, and returns its
    records. The records are those of ``cptkit check`` (and of
    :func:`cptkit.columnar.check_file`): ``claim_id``, ``line`` (1-based), ``rule``,
    ``severity``, ``field``, ``message``, ``carc``, ``suggestion``, ``file``, ``row``, with the
    rejected rows; the files in the order given, each file's records in its order. They are
    the same whichever engine and however many workers.

    Args:
        client: a :class:`distributed.Client`.
        paths: the claim files (as the workers see them).

    .. versionadded:: 0.2.0
    """
    chosen = engine_for(engine)
    checker = checker_for(rules, catalog, on)
    futures = client.map(check_path, [os.fspath(p) for p in paths], checker=checker, engine=chosen)
    records: list[dict[str, Any]] = []
    for found in client.gather(futures):
        records.extend(found)
    return records


def check_path(path: str, *, checker: Checker, engine: Engine = "claims") -> list[dict[str, Any]]:
    """The finding records of one file (the task :func:`check_paths` runs per file)."""
    from .files import read

    reading = read(path)
    if engine == "columnar":
        from .columnar import check_events

        return [
            row for batch in check_events(reading, checker) for row in batch.findings.to_dicts()
        ]
    from .cli import _records
    from .cli._output import Summary

    summary = Summary()
    return [record.to_dict() for event in reading for record in _records(event, checker, summary)]


def validate_partition(
    claims: Iterable[Claim], checker: Checker | None = None
) -> list[dict[str, Any]]:
    """Validate one partition of claims with *checker* (default: ``Checker()``, the Medicare
    rules); return every finding as a plain record.

    Records are :meth:`~cptkit.validation.Report.to_records` rows, in claim order and, within
    a claim, in the report's stable order.
    """
    chosen = Checker() if checker is None else checker
    records: list[dict[str, Any]] = []
    for report in chosen.check_many(claims):
        records.extend(report.to_records())
    return records


def validate_bag(claims: Any, checker: Checker | None = None) -> Any:
    """A :class:`dask.bag.Bag` of finding records for a bag of :class:`~cptkit.Claim`.

    Each partition is validated on a worker with :func:`validate_partition`; the checker
    travels as its options. Computing the result gives the same records, in the same order, as
    validating every claim in one process.
    """
    return claims.map_partitions(validate_partition, Checker() if checker is None else checker)
