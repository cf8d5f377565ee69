# SPDX-License-Identifier: MIT
"""What ``cptkit`` exports: every name in ``__all__`` resolves, and names served lazily are
listed in ``__all__`` and come from the module the lazy table names."""

from __future__ import annotations

import importlib
import subprocess
import sys

import pytest

import cptkit


@pytest.mark.parametrize("name", cptkit.__all__)
def test_every_exported_name_resolves(name: str) -> None:
    assert getattr(cptkit, name) is not None


@pytest.mark.parametrize(("name", "module"), sorted(cptkit._LAZY.items()))
def test_the_lazy_table_serves_listed_names_from_their_module(name: str, module: str) -> None:
    assert name in cptkit.__all__
    assert getattr(cptkit, name) is getattr(importlib.import_module(f"cptkit.{module}"), name)


def test_dir_lists_all() -> None:
    assert set(cptkit.__all__) <= set(dir(cptkit))


def test_validate_is_served_without_importing_validation_at_import() -> None:
    # import cptkit stays cheap: the validation machinery loads when first asked for.
    code = (
        "import sys, cptkit; assert 'cptkit.validation' not in sys.modules;"
        " from cptkit.validation import validate; assert cptkit.validate is validate"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
