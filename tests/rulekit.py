# SPDX-License-Identifier: MIT
"""Claim builders and the table form the rule-family tests share (tests/test_rules_*.py).

pytest puts ``tests/`` on ``sys.path`` (``pythonpath`` in pyproject.toml), so the test modules
import this one as ``rulekit``; conftest.py has pytest rewrite its asserts, so that a failing
case shows the findings that differ.
"""

from __future__ import annotations

import importlib.util
from typing import Any

import cptkit
from cptkit import Claim, ClaimLine
from cptkit.validation import Finding, Report

__all__ = [
    "DAY",
    "FAMILIES",
    "Case",
    "Expected",
    "claim",
    "columnar_outcome",
    "covered",
    "found",
    "line",
    "names",
    "outcome",
]

DAY = "2026-03-02"

# The rule ids of each module of cptkit.validation.rules, typed out.
FAMILIES: dict[str, frozenset[str]] = {
    "codes": frozenset({"code-unknown", "code-inactive"}),
    "modifiers": frozenset(
        {
            "modifier-unknown",
            "modifier-duplicate",
            "modifier-too-many",
            "therapy-modifier-missing",
            "therapy-modifier-conflict",
            "assistant-modifier-mismatch",
            "bypass-modifier-redundant",
            "liability-modifier-conflict",
        }
    ),
    "evaluations": frozenset({"evaluation-modifier-mismatch", "assistant-on-evaluation"}),
    "payment": frozenset({"code-not-payable"}),
    "places": frozenset({"place-of-service-unknown", "telehealth-mismatch"}),
    "units": frozenset(
        {
            "units-exceed-mue",
            "untimed-multiple-units",
            "units-minutes-mismatch",
            "time-band-mismatch",
        }
    ),
    "pairs": frozenset(
        {"addon-without-primary", "addon-units-exceed-primary", "ncci-ptp", "duplicate-line"}
    ),
    "diagnoses": frozenset(
        {
            "diagnosis-pointer-invalid",
            "diagnosis-unknown",
            "diagnosis-not-billable",
            "diagnosis-not-pointed",
        }
    ),
    "thresholds": frozenset({"kx-threshold"}),
    "coverage": frozenset({"data-stale"}),
    # Across claims: four ids of their own, and three one-claim ids that also span claims.
    "history": frozenset(
        {
            "duplicate-claim",
            "authorization-missing",
            "authorization-expired",
            "authorization-exceeded",
            "units-exceed-mue",
            "ncci-ptp",
            "kx-threshold",
        }
    ),
}

# One expected finding: (line, severity, CARC, field, message, suggestion), typed out.
Expected = tuple[int | None, str, str | None, str | None, str, str | None]
# One row of a family table: (name, claim, options for cptkit.validate, rule id, the rule's
# expected findings in report order; [] for a claim the rule passes).
Case = tuple[str, Claim, dict[str, Any], str, list[Expected]]


def line(code: str, units: int = 1, **fields: Any) -> ClaimLine:
    """A claim line on DAY pointing at the first diagnosis, unless *fields* say otherwise."""
    fields.setdefault("date_of_service", DAY)
    fields.setdefault("diagnosis_pointers", [1])
    return ClaimLine(code=code, units=units, **fields)


def claim(*lines: ClaimLine, **fields: Any) -> Claim:
    """A claim with one diagnosis at an office (11), unless *fields* say otherwise."""
    fields.setdefault("diagnoses", ["M54.50"])
    fields.setdefault("place_of_service", "11")
    return Claim(lines=lines, **fields)


def found(report: Report, rule_id: str) -> list[Finding]:
    """The findings of one rule in a report."""
    return [f for f in report.findings if f.rule == rule_id]


def outcome(checked: Claim, options: dict[str, Any], rule_id: str) -> list[Expected]:
    """What one rule reports on *checked*, in the form of a table's expected findings."""
    report = cptkit.validate(checked, **options)
    return [
        (f.line, f.severity.value, f.carc, f.field, f.message, f.suggestion)
        for f in found(report, rule_id)
    ]


def names(cases: list[Case]) -> list[str]:
    """The test ids of a table: each row's name."""
    return [case[0] for case in cases]


def covered(cases: list[Case]) -> tuple[frozenset[str], frozenset[str]]:
    """The rule ids a table has a failing row for, and those it has a passing row for."""
    failing = frozenset(rule_id for _, _, _, rule_id, expected in cases if expected)
    passing = frozenset(rule_id for _, _, _, rule_id, expected in cases if not expected)
    return failing, passing


def columnar_outcome(checked: Claim, options: dict[str, Any], rule_id: str) -> list[Expected]:
    """What one rule reports on *checked* through the columnar engine (``cptkit.columnar``),
    in the same form as :func:`outcome`."""
    from cptkit.columnar import check_events
    from cptkit.files import Group
    from cptkit.validation import Checker

    event = Group("<case>", checked, tuple(range(1, len(checked.lines) + 1)))
    frame = next(check_events([event], Checker(**options))).findings
    return [
        (None if row["line_number"] is None else row["line_number"] - 1, row["severity"], row["carc"],
         row["field"], row["message"], row["suggestion"])
        for row in frame.iter_rows(named=True)
        if row["rule"] == rule_id
    ]  # fmt: skip


def assert_case(case: Case) -> None:
    """Check one row of a family table: the rule reports exactly the expected findings, through
    the per-claim engine and (with polars installed) through the columnar engine."""
    _, checked, options, rule_id, expected = case
    got = outcome(checked, options, rule_id)
    assert got == expected
    assert all("\n" not in message for _, _, _, _, message, _ in got)
    if importlib.util.find_spec("polars") is not None:
        assert columnar_outcome(checked, options, rule_id) == expected
