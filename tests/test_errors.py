# SPDX-License-Identifier: MIT
from __future__ import annotations

import pickle

import pytest

import cptkit
from cptkit import errors
from cptkit.serialization import structure

INPUT_ERRORS = [
    errors.InvalidCode,
    errors.InvalidModifier,
    errors.InvalidPlaceOfService,
    errors.InvalidDiagnosis,
    errors.InvalidClaimLine,
    errors.InvalidClaim,
    errors.InvalidInterchange,
    errors.CannotWrite,
]
UNKNOWN = [
    errors.UnknownCode,
    errors.UnknownDiagnosis,
    errors.UnknownModifier,
    errors.UnknownPlaceOfService,
]


@pytest.mark.parametrize("cls", INPUT_ERRORS)
def test_input_errors(cls: type[errors.InvalidInput]) -> None:
    err = cls("units", 0, "an int >= 1")
    assert isinstance(err, cptkit.CptkitError)
    assert isinstance(err, ValueError)
    assert str(err) == "units: 0 is not an int >= 1"
    copy = pickle.loads(pickle.dumps(err))
    assert type(copy) is cls
    # Pickled without the value (#20): an error sent to another process names the field only.
    assert (copy.field, copy.value, copy.expected) == ("units", errors.WITHHELD, "an int >= 1")
    assert str(copy) == "units: <withheld> is not an int >= 1"


@pytest.mark.parametrize("cls", UNKNOWN)
def test_unknown_errors(cls: type[errors.UnknownCode]) -> None:
    err = cls("X9999", "terminated 2019-12-31")
    assert isinstance(err, cptkit.CptkitError)
    assert isinstance(err, LookupError)
    assert str(err) == f"{cls.kind}: 'X9999' is not in the cptkit dataset (terminated 2019-12-31)"
    assert str(cls("X9999")) == f"{cls.kind}: 'X9999' is not in the cptkit dataset"
    copy = pickle.loads(pickle.dumps(err))
    assert (type(copy), copy.value, copy.detail) == (cls, errors.WITHHELD, "terminated 2019-12-31")
    assert "X9999" not in str(copy)


def test_long_values_are_cut() -> None:
    err = errors.InvalidCode("code", "9" * 500, "a code")
    assert len(str(err)) < 100
    assert str(err).startswith("code: '9999")


def test_invalid_record_pickles() -> None:
    with pytest.raises(errors.InvalidRecord) as info:
        structure({"code": "x"}, cptkit.ClaimLine)
    assert info.value.__context__ is None  # no unpicklable cattrs group travels along
    copy = pickle.loads(pickle.dumps(info.value))
    sent = [p for p in info.value.problems if isinstance(p, errors.Problem)]
    received = [p for p in copy.problems if isinstance(p, errors.Problem)]
    assert [(p.path, p.expected) for p in received] == [(p.path, p.expected) for p in sent]
    assert len(received) == len(info.value.problems) > 0
    assert "'x'" in str(info.value)
    assert "'x'" not in str(copy)  # the value stays behind (#20)


def test_dataset_error_is_cptkit_error() -> None:
    assert issubclass(errors.DatasetError, cptkit.CptkitError)


def test_every_error_is_exported() -> None:
    for name in errors.__all__:
        assert getattr(cptkit, name) is getattr(errors, name)
