# SPDX-License-Identifier: MIT
"""The built-in rule sets: Medicare and a typical commercial payer.

Build your own from these: ``without(medicare(), "kx-threshold")``, or
``all_of(commercial(), my_rule, policy=my_policy)``.

>>> from cptkit import rulesets
>>> sorted(rulesets.medicare().rule_ids - rulesets.commercial().rule_ids)
['code-not-payable', 'kx-threshold', 'therapy-modifier-missing']
"""

from __future__ import annotations

import functools

from .policy import PayerPolicy
from .validation import RuleSet, all_of, without
from .validation import rules as r

__all__ = ["ALL_RULE_IDS", "commercial", "medicare"]


def _all() -> tuple[object, ...]:
    return (
        r.code_unknown(),
        r.code_inactive(),
        r.code_not_payable(),
        r.modifier_unknown(),
        r.modifier_duplicate(),
        r.modifier_too_many(),
        r.therapy_modifier_missing(),
        r.therapy_modifier_conflict(),
        r.assistant_modifier_mismatch(),
        r.bypass_modifier_redundant(),
        r.liability_modifier_conflict(),
        r.evaluation_modifier_mismatch(),
        r.assistant_on_evaluation(),
        r.telehealth_mismatch(),
        r.place_of_service_unknown(),
        r.units_exceed_mue(),
        r.untimed_multiple_units(),
        r.units_minutes_mismatch(),
        r.time_band_mismatch(),
        r.addon_without_primary(),
        r.addon_units_exceed_primary(),
        r.ncci_ptp(),
        r.diagnosis_pointer_invalid(),
        r.diagnosis_unknown(),
        r.diagnosis_not_billable(),
        r.diagnosis_not_pointed(),
        r.duplicate_line(),
        r.kx_threshold(),
        r.data_stale(),
        # Across claims: these read the checker's history and do nothing without one.
        r.duplicate_claim(),
        r.units_exceed_mue_across_claims(),
        r.ncci_ptp_across_claims(),
        r.kx_threshold_across_claims(),
        r.authorization_missing(),
        r.authorization_expired(),
        r.authorization_exceeded(),
    )


ALL_RULE_IDS = frozenset(
    {
        "code-unknown",
        "code-inactive",
        "code-not-payable",
        "modifier-unknown",
        "modifier-duplicate",
        "modifier-too-many",
        "therapy-modifier-missing",
        "therapy-modifier-conflict",
        "assistant-modifier-mismatch",
        "bypass-modifier-redundant",
        "liability-modifier-conflict",
        "evaluation-modifier-mismatch",
        "assistant-on-evaluation",
        "telehealth-mismatch",
        "place-of-service-unknown",
        "units-exceed-mue",
        "untimed-multiple-units",
        "units-minutes-mismatch",
        "time-band-mismatch",
        "addon-without-primary",
        "addon-units-exceed-primary",
        "ncci-ptp",
        "diagnosis-pointer-invalid",
        "diagnosis-unknown",
        "diagnosis-not-billable",
        "diagnosis-not-pointed",
        "duplicate-line",
        "kx-threshold",
        "data-stale",
        "duplicate-claim",
        "authorization-missing",
        "authorization-expired",
        "authorization-exceeded",
    }
)
"""Every built-in rule id: a stable contract."""


@functools.cache
def medicare() -> RuleSet:
    """Every built-in rule, with the Medicare payer policy (8-minute rule, GP/GO/GN, 95 for
    therapy telehealth, KX thresholds).

    Rule sets are immutable, so one shared instance is returned."""
    return all_of(*_all(), policy=PayerPolicy.medicare(), name="medicare")  # type: ignore[arg-type]


@functools.cache
def commercial() -> RuleSet:
    """The rules a typical commercial payer applies: the CPT time rule, no GP/GO/GN
    requirement, no KX threshold and no Medicare payment status."""
    base = all_of(*_all(), policy=PayerPolicy.commercial(), name="commercial")  # type: ignore[arg-type]
    return without(base, "therapy-modifier-missing", "kx-threshold", "code-not-payable")
