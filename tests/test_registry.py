# SPDX-License-Identifier: MIT
"""The registry of packaged tables: one entry per table drives loading, the manifest check,
coverage and the validity dates."""

from __future__ import annotations

import pytest

import cptkit
from cptkit import DatasetError, _dataset, _registry


def test_every_packaged_file_belongs_to_one_table() -> None:
    files = [name for table in _registry.TABLES for name in table.files]
    assert sorted(files) == sorted(_dataset.manifest()["files"])
    assert len(set(files)) == len(files)


def test_every_table_has_coverage() -> None:
    names = [table.name for table in _registry.TABLES]
    assert names == [
        "codes",
        "modifiers",
        "places",
        "mue",
        "ptp",
        "aoc",
        "diagnoses",
        "pfs",
        "pfs_status",
    ]
    assert list(cptkit.catalog().coverage()) == names
    assert [table.name for table in _registry.TABLES if table.edits] == ["mue", "ptp", "aoc"]
    assert [table.name for table in _registry.TABLES if not table.judged] == ["pfs"]


def test_validity_dates_come_from_every_dated_table() -> None:
    dated = [table for table in _registry.TABLES if table.dated]
    assert [table.name for table in dated] == ["codes", "modifiers", "places"]
    changes = set(cptkit.catalog().validity_changes())
    for table in dated:
        for record in table.load().values():
            if record.effective is not None:
                assert record.effective in changes


@pytest.mark.parametrize(
    ("coverage", "message"),
    [
        (None, "no coverage for table 'mue'"),
        ({"edition": "x"}, "bad coverage for table 'mue'"),
        ({"edition": "x", "through": "2026-13-01"}, "bad coverage for table 'mue'"),
    ],
)
def test_a_manifest_without_good_coverage_is_refused(
    monkeypatch: pytest.MonkeyPatch, coverage: object, message: str
) -> None:
    manifest = dict(_dataset.manifest())
    manifest["coverage"] = {} if coverage is None else {"mue": coverage}
    monkeypatch.setattr(_dataset, "manifest", lambda: manifest)
    with pytest.raises(DatasetError, match=message):
        _registry.MUE.coverage()
