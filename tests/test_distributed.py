# SPDX-License-Identifier: MIT
"""The Dask helper gives exactly the findings a single process gives (2 worker processes)."""

from __future__ import annotations

import pickle
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

import cptkit
from cptkit import Claim, ClaimLine, rulesets
from cptkit.cli._group import Counts, Group, read
from cptkit.distributed import validate_bag, validate_partition

BENCH = Path(__file__).resolve().parent.parent / "bench"


def read_claims(path: str) -> Iterator[Claim]:
    """The command line's streaming reader, as a worker would use it."""
    for event in read(Path(path), Counts()):
        if isinstance(event, Group):
            yield event.claim


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
    report = cptkit.validate(next(read_claims_from_text()))
    assert pickle.loads(pickle.dumps(report)) == report


def read_claims_from_text() -> Iterator[Claim]:
    yield Claim(
        lines=[
            ClaimLine(code="96101", units=1, date_of_service="2026-03-02", diagnosis_pointers=[1])
        ],
        diagnoses=["F41.1"],
        claim_id="X1",
    )


def test_cluster_gives_single_process_findings(files: list[str]) -> None:
    bag = pytest.importorskip("dask.bag")
    distributed = pytest.importorskip("distributed")
    expected = validate_partition(read_partition(files), rules=rulesets.medicare())
    assert expected  # the synthetic files carry mistakes
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster),
    ):
        claims = bag.from_sequence(files, npartitions=len(files)).map_partitions(read_partition)
        got = validate_bag(claims, rules=rulesets.medicare()).compute()
    assert got == expected
