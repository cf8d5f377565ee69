# SPDX-License-Identifier: MIT
"""Which catalog tables each built-in rule judges by, so that ``data-stale`` warns about the
tables a rule set uses and no others (:attr:`Context.watched <cptkit.validation.Context>`).

The table names are those of :meth:`cptkit.Catalog.coverage`. A rule absent from
:data:`TABLES_READ` (a user's rule) is not known to read any table; a rule set none of whose
rules is known (``data-stale`` alone, or with user rules only) watches every table the
built-in rules judge by, as ``data-stale`` does on its own.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from ._combinators import rule_ids_of

__all__ = ["TABLES_READ", "tables_read"]

_CODES = frozenset({"codes"})
_NONE: frozenset[str] = frozenset()

TABLES_READ: Mapping[str, frozenset[str]] = MappingProxyType(
    {
        "code-unknown": _CODES,
        "code-inactive": _CODES,
        "code-not-payable": frozenset({"pfs_status"}),
        "modifier-unknown": frozenset({"modifiers"}),
        "modifier-duplicate": _NONE,
        "modifier-too-many": _NONE,
        "therapy-modifier-missing": _CODES,
        "therapy-modifier-conflict": _NONE,
        "assistant-modifier-mismatch": _NONE,
        "bypass-modifier-redundant": _NONE,
        "liability-modifier-conflict": _NONE,
        "evaluation-modifier-mismatch": _NONE,
        "assistant-on-evaluation": _NONE,
        "telehealth-mismatch": frozenset({"codes", "modifiers", "places"}),
        "place-of-service-unknown": frozenset({"places"}),
        "units-exceed-mue": frozenset({"mue"}),
        "untimed-multiple-units": frozenset({"codes", "mue"}),  # distinct sessions within MUE
        "units-minutes-mismatch": _CODES,
        "time-band-mismatch": _CODES,
        "addon-without-primary": frozenset({"codes", "aoc"}),
        "addon-units-exceed-primary": frozenset({"codes", "aoc"}),
        "ncci-ptp": frozenset({"ptp", "modifiers"}),
        "diagnosis-pointer-invalid": _NONE,
        "diagnosis-unknown": frozenset({"diagnoses"}),
        "diagnosis-not-billable": frozenset({"diagnoses"}),
        "diagnosis-not-pointed": _NONE,
        "duplicate-line": _NONE,
        "kx-threshold": frozenset({"pfs"}),
        "duplicate-claim": _NONE,
        "authorization-missing": _NONE,
        "authorization-expired": _NONE,
        "authorization-exceeded": _NONE,
    }
)
"""Per built-in rule id, the catalog tables it reads (by :meth:`~cptkit.Catalog.coverage`
name). The rules across claims share their ids with the rules they extend."""


def tables_read(rules: object) -> frozenset[str] | None:
    """The tables the built-in rules among *rules* (a rule or rule set) judge by, or ``None``
    when none of its rules is a built-in one that reads or not (``data-stale`` aside)."""
    known = [TABLES_READ[i] for i in rule_ids_of(rules) if i in TABLES_READ]
    return frozenset().union(*known) if known else None
