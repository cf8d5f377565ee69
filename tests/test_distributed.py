# SPDX-License-Identifier: MIT
"""The Dask helper gives exactly the findings a single process gives (2 worker processes)."""

from __future__ import annotations

import pickle
import sys
from pathlib import Path

import pytest

import cptkit
from cptkit import Claim, ClaimLine, rulesets
from cptkit.distributed import validate_bag
from cptkit.files import read_claims
from cptkit.validation import Checker

BENCH = Path(__file__).resolve().parent.parent / "bench"


def read_partition(paths: list[str]) -> list[Claim]:
    return [claim for path in paths for claim in read_claims(path)]


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    sys.path.insert(0, str(BENCH))
    import generate  # type: ignore[import-not-found]

    folder = tmp_path_factory.mktemp("claims")
    paths = []
    for seed in range(4):
        path = folder / f"part{seed}.csv"
        generate.write(path, 1500, seed=seed)
        paths.append(str(path))
    return paths


def test_what_crosses_to_workers_pickles_small() -> None:
    assert len(pickle.dumps(rulesets.medicare())) < 10_000
    assert len(pickle.dumps(cptkit.catalog())) < 200
    line = ClaimLine(code="96101", units=1, date_of_service="2026-03-02", diagnosis_pointers=[1])
    checker = Checker(rules=rulesets.commercial(), on="2026-03-02")
    checker.check(Claim(lines=[line], diagnoses=["F41.1"]))
    assert len(pickle.dumps(checker)) < 10_000  # its options, not its filled caches
    again = pickle.loads(pickle.dumps(checker))
    assert again == checker and not again.context.line_memo(again.rules)
    report = cptkit.validate(Claim(lines=[line], diagnoses=["F41.1"], claim_id="X1"))
    assert report.findings  # a finding travels back too
    assert pickle.loads(pickle.dumps(report)) == report


@pytest.mark.real_coverage  # the workers judge by the real coverage, so the reference does too
def test_cluster_gives_single_process_findings(files: list[str]) -> None:
    bag = pytest.importorskip("dask.bag")
    distributed = pytest.importorskip("distributed")
    # What one process gives through the plain API, not through the helper under test.
    expected = [
        record
        for claim in read_partition(files)
        for record in cptkit.validate(claim, rules=rulesets.medicare()).to_records()
    ]
    assert expected  # the synthetic files carry mistakes
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster),
    ):
        partitions = bag.from_sequence(files, npartitions=len(files)).map_partitions(read_partition)
        got = validate_bag(partitions, Checker(rules=rulesets.medicare())).compute()
    assert got == expected
