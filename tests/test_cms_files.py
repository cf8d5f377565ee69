# SPDX-License-Identifier: MIT
"""Overlays from CMS quarterly files make new catalogs; the default is never mutated."""

from __future__ import annotations

import datetime
import pickle
import re
from pathlib import Path

import pytest

import cptkit
from cptkit import DatasetError

DATA = Path(__file__).parent / "data"


def test_mue_overlay() -> None:
    newer = cptkit.catalog().with_mue_file(DATA / "mue-cms-sample.csv", edition="2026-01-01")
    edit = newer.mue("97153")
    assert edit is not None
    assert (edit.units, edit.mai, edit.edition) == (36, 3, "2026-01-01")
    assert newer.mue("97155") is None  # the overlay replaces the table
    default = cptkit.catalog().mue("97153")
    assert default is not None and default.units == 32
    assert "MUE from" in newer.version
    again = pickle.loads(pickle.dumps(newer)).mue("97153")
    assert again is not None
    assert again.units == 36


def test_ptp_overlay_with_effective_dates() -> None:
    newer = cptkit.catalog().with_ptp_files(DATA / "ptp-cms-sample.txt", edition="2026Q1")
    edit = newer.ptp("97530", "97140", on="2026-03-02")
    assert edit is not None
    assert edit.effective is not None and edit.modifier_indicator == 1
    assert newer.ptp("97530", "97140", on="2019-06-01") is None  # before its effective date
    assert newer.ptp("97150", "97530", on="2026-03-02") is None  # effective 2027
    assert newer.ptp("97150", "97530", on="2027-01-01") is not None
    assert newer.ptp("97161", "97530", on="2020-01-01") is None  # indicator 9
    assert cptkit.catalog().ptp("97530", "97140") is None  # default untouched


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("no header here\n", "no header row starting with 'HCPCS'"),
        ('"HCPCS/CPT Code","MUE","MAI","Why"\n', "no MUE rows"),
        ('"HCPCS","MUE","MAI","Why"\n"9711","1","3 x","y"\n', "line 2: '9711' is not a code"),
        ('"HCPCS","MUE","MAI","Why"\n"97110","x","3 x","y"\n', "line 2: MUE value 'x'"),
        ('"HCPCS","MUE","MAI","Why"\n"97110","1"\n', "line 2: 2 fields, expected 4"),
        ('"HCPCS","MUE","MAI","Why"\n"97110","1","3","y"\n"97110","1","3","y"\n', "duplicate"),
    ],
)
def test_bad_mue_files(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "mue.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DatasetError, match=re.escape(message)):
        cptkit.catalog().with_mue_file(path)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("nothing\n", "no PTP rows"),
        ("97140\t9753\t\t20200101\t*\t1\tx\n", "column 2 '9753' is not a code"),
        ("97140\t97530\t\t20200101\t*\t4\tx\n", "modifier indicator '4' is invalid"),
        ("97140\t97530\t\t2020/01/01\t*\t1\tx\n", "'2020/01/01' is not a date"),
    ],
)
def test_bad_ptp_files(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "ptp.txt"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DatasetError, match=re.escape(message)):
        cptkit.catalog().with_ptp_files(path)


def test_no_ptp_files_and_unreadable() -> None:
    with pytest.raises(DatasetError, match="give at least one file"):
        cptkit.catalog().with_ptp_files()
    with pytest.raises(DatasetError, match="cannot be read"):
        cptkit.catalog().with_mue_file(DATA / "missing.csv")


def test_ptp_overlay_with_the_last_possible_deletion_date(tmp_path: Path) -> None:
    # 9999-12-31 has no day after it: the edit simply never ends.
    text = (
        (DATA / "ptp-cms-sample.txt")
        .read_text(encoding="utf-8")
        .replace("20200101\t*\t1", "20200101\t99991231\t1")
    )
    path = tmp_path / "ptp.txt"
    path.write_text(text, encoding="utf-8")
    newer = cptkit.catalog().with_ptp_files(path)
    edit = newer.ptp("97530", "97140", on="2026-03-02")
    assert edit is not None and edit.deletion_date == datetime.date(9999, 12, 31)
    assert newer.ptp("97530", "97140", on="9999-12-31") == edit


def test_a_pickled_overlay_keeps_its_edition_labels() -> None:
    newer = cptkit.catalog().with_ptp_files(DATA / "ptp-cms-sample.txt", edition="2026Q1")
    again = pickle.loads(pickle.dumps(newer))
    edit = again.ptp("97530", "97140", on="2026-03-02")
    assert edit is not None and edit.edition == "2026Q1"
    assert cptkit.catalog().ptp("97530", "97140", on="2019-06-01").edition == "2024-07-01"  # type: ignore[union-attr]
