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

import array
import os
from collections.abc import Iterable, Sequence
from typing import Any

import attrs

from ._catalog import Catalog, DateLike
from ._engines import Engine, checker_for, engine_for
from .claims import Claim
from .validation import Checker

__all__ = ["check_path", "check_paths", "validate_bag", "validate_partition"]


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
    names = [os.fspath(p) for p in paths]
    from distributed import as_completed

    futures = client.map(_task, names, checker=checker, engine=chosen)
    place = {future.key: number for number, future in enumerate(futures)}
    done: list[list[dict[str, Any]]] = [[] for _ in futures]
    # Each file's records are made as it comes back, while the workers check the others.
    for future, packed in as_completed(futures, with_results=True):  # type: ignore[no-untyped-call]
        done[place[future.key]] = _records(_unpack(packed))
    return [record for records in done for record in records]


def check_path(path: str, *, checker: Checker, engine: Engine = "claims") -> list[dict[str, Any]]:
    """The finding records of one file, as :func:`check_paths` gives them."""
    return _records(_columns(path, checker=checker, engine=engine))


def _records(columns: dict[str, list[Any]]) -> list[dict[str, Any]]:
    keys = list(columns)
    return [dict(zip(keys, values, strict=True)) for values in zip(*columns.values(), strict=True)]


Packed = dict[str, tuple[list[Any], "array.array[int]"]]


def _task(path: str, *, checker: Checker, engine: Engine) -> Packed:
    """The task :func:`check_paths` runs per file: the file's records as columns, each
    dictionary-encoded (its distinct values, and per record the number of its value).

    A worker sends tens of thousands of findings back, most of them repeating a few rules,
    messages and suggestions: sent as a list of dictionaries they cost Dask about three times
    the checking itself to move (a 50,000-line file: 2.8 s against 0.8 s), and the client's
    share of that work does not get faster with more workers.
    """
    packed: Packed = {}
    for name, values in _columns(path, checker=checker, engine=engine).items():
        distinct: dict[Any, int] = {}
        numbers = array.array("l", [distinct.setdefault(v, len(distinct)) for v in values])
        packed[name] = (list(distinct), numbers)
    return packed


def _unpack(packed: Packed) -> dict[str, list[Any]]:
    return {name: [values[n] for n in numbers] for name, (values, numbers) in packed.items()}


def _columns(path: str, *, checker: Checker, engine: Engine) -> dict[str, list[Any]]:
    """The finding records of one file, as columns."""
    from .files import read

    reading = read(path)
    if engine == "columnar":
        from .columnar import SCHEMA, check_events

        columns: dict[str, list[Any]] = {name: [] for name in SCHEMA}
        for batch in check_events(reading, checker):
            for name, values in batch.findings.to_dict(as_series=False).items():
                columns[name].extend(values)
        return columns
    from .cli import _records
    from .cli._output import Record, Summary

    summary = Summary()
    names = [field.name for field in attrs.fields(Record)]
    found: dict[str, list[Any]] = {name: [] for name in names}
    for record in _records(reading, checker, summary):
        for name in names:
            found[name].append(getattr(record, name))
    return found


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
