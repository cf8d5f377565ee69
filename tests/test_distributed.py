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


@pytest.mark.real_coverage
def test_check_paths_gives_single_process_findings_with_either_engine(
    files: list[str], tmp_path: Path
) -> None:
    pytest.importorskip("polars")
    distributed = pytest.importorskip("distributed")
    from cptkit.cli import _records
    from cptkit.cli._output import Summary
    from cptkit.distributed import check_paths
    from cptkit.files import read

    bad = tmp_path / "bad.csv"
    bad.write_text(
        "claim_id,date_of_service,code,units,diagnoses\nA,2026-03-02,97110,x,M54.50\n"
        "B,2026-03-02,97161,2,M54.50\n",
        encoding="utf-8",
    )
    paths = [*files, str(bad)]
    # One process, through the per-claim engine as `cptkit check --engine claims` runs it.
    checker = Checker(rules=rulesets.commercial())
    summary = Summary()
    expected = [
        record.to_dict() for path in paths for record in _records(read(path), checker, summary)
    ]  # fmt: skip
    assert {"row-rejected", "untimed-multiple-units"} <= {r["rule"] for r in expected}
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        for engine in ("columnar", "claims", None):
            got = check_paths(client, paths, engine=engine, rules="commercial")
            assert got == expected
        with pytest.raises(cptkit.InvalidInput, match="'columnar', 'claims' or None"):
            check_paths(client, paths, engine="fast")  # type: ignore[arg-type]


def test_check_path_in_process_and_the_default_engine(
    files: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import importlib.util

    from cptkit._engines import engine_for
    from cptkit.distributed import check_path

    pytest.importorskip("polars")
    checker = Checker()
    by_claims = check_path(files[0], checker=checker, engine="claims")
    assert by_claims
    assert check_path(files[0], checker=checker, engine="columnar") == by_claims
    assert engine_for(None) == "columnar"
    monkeypatch.setattr(importlib.util, "find_spec", lambda name: None)
    assert engine_for(None) == "claims"
    assert engine_for("claims") == "claims"
    with pytest.raises(cptkit.InvalidInput, match="columnar needs polars"):
        engine_for("columnar")


def test_a_task_sends_its_records_dictionary_encoded(files: list[str]) -> None:
    # What a worker sends back: each column's distinct values once, and a number per record.
    from cptkit.distributed import _task, _unpack, check_path

    pytest.importorskip("polars")
    checker = Checker()
    for engine in ("columnar", "claims"):
        packed = _task(files[0], checker=checker, engine=engine)
        values, numbers = packed["rule"]
        assert len(values) == len(set(values)) < len(numbers)
        columns = _unpack(packed)
        records = [
            dict(zip(columns, row, strict=True)) for row in zip(*columns.values(), strict=True)
        ]
        assert records == check_path(files[0], checker=checker, engine=engine)
