# SPDX-License-Identifier: MIT
"""The two checking engines, by name: which one a run uses, and the checker of named rules.

Kept apart from :mod:`cptkit.columnar` (which imports polars) so that the command line and
:mod:`cptkit.distributed` can choose without it.
"""

from __future__ import annotations

import importlib.util
from typing import Literal

from ._catalog import Catalog, DateLike
from .errors import InvalidInput
from .validation import Checker

__all__ = ["ENGINES", "Engine", "checker_for", "engine_for"]

Engine = Literal["columnar", "claims"]
ENGINES: tuple[Engine, ...] = ("columnar", "claims")


def engine_for(engine: str | None) -> Engine:
    """The engine a run uses: *engine* if given, else columnar when polars is installed.

    Raises:
        InvalidInput: an unknown engine, or ``"columnar"`` without polars.
    """
    installed = importlib.util.find_spec("polars") is not None
    if engine is None:
        return "columnar" if installed else "claims"
    if engine == "claims":
        return "claims"
    if engine != "columnar":
        raise InvalidInput("engine", engine, "'columnar', 'claims' or None")
    if not installed:
        raise InvalidInput("engine", engine, "'claims' (columnar needs polars: the 'fast' extra)")
    return "columnar"


def checker_for(rules: object, catalog: Catalog | None, on: DateLike) -> Checker:
    """A checker of *rules* (``"medicare"``, ``"commercial"``, or a rule or rule set)."""
    from . import rulesets

    if isinstance(rules, str):
        named = {"medicare": rulesets.medicare, "commercial": rulesets.commercial}
        if rules not in named:
            raise InvalidInput("rules", rules, "'medicare', 'commercial' or a rule set")
        rules = named[rules]()
    return Checker(rules=rules, catalog=catalog, on=on)
