# SPDX-License-Identifier: MIT
"""Validating claims on a Dask cluster, with exactly the findings one process gives.

Needs the ``dask`` extra (``pip install 'cptkit[dask]'``); ``import cptkit`` never imports
Dask. What crosses to the workers is small: rule sets are a few frozen objects, a catalog
travels as its overlay sources (the workers read the packaged tables themselves), and findings
come back as plain records.

Recipe (one claim must not span two partitions: partition by file, or by claim id)::

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

from collections.abc import Iterable
from typing import Any

from .claims import Claim
from .validation import Checker

__all__ = ["validate_bag", "validate_partition"]


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
