# SPDX-License-Identifier: MIT
"""The built-in rules, one module per family, each made by a lower_snake factory."""

from __future__ import annotations

from .codes import code_inactive, code_unknown
from .coverage import data_stale
from .diagnoses import (
    diagnosis_not_billable,
    diagnosis_not_pointed,
    diagnosis_pointer_invalid,
    diagnosis_unknown,
)
from .evaluations import assistant_on_evaluation, evaluation_modifier_mismatch
from .history import (
    authorization_exceeded,
    authorization_expired,
    authorization_missing,
    duplicate_claim,
    kx_threshold_across_claims,
    ncci_ptp_across_claims,
    units_exceed_mue_across_claims,
)
from .modifiers import (
    assistant_modifier_mismatch,
    bypass_modifier_redundant,
    liability_modifier_conflict,
    modifier_duplicate,
    modifier_too_many,
    modifier_unknown,
    therapy_modifier_conflict,
    therapy_modifier_missing,
)
from .pairs import addon_units_exceed_primary, addon_without_primary, duplicate_line, ncci_ptp
from .payment import code_not_payable
from .places import place_of_service_unknown, telehealth_mismatch
from .thresholds import kx_threshold
from .units import (
    time_band_mismatch,
    units_exceed_mue,
    units_minutes_mismatch,
    untimed_multiple_units,
)

__all__ = [
    "addon_units_exceed_primary",
    "addon_without_primary",
    "assistant_modifier_mismatch",
    "assistant_on_evaluation",
    "authorization_exceeded",
    "authorization_expired",
    "authorization_missing",
    "bypass_modifier_redundant",
    "code_inactive",
    "code_not_payable",
    "code_unknown",
    "data_stale",
    "diagnosis_not_billable",
    "diagnosis_not_pointed",
    "diagnosis_pointer_invalid",
    "diagnosis_unknown",
    "duplicate_claim",
    "duplicate_line",
    "evaluation_modifier_mismatch",
    "kx_threshold",
    "kx_threshold_across_claims",
    "liability_modifier_conflict",
    "modifier_duplicate",
    "modifier_too_many",
    "modifier_unknown",
    "ncci_ptp",
    "ncci_ptp_across_claims",
    "place_of_service_unknown",
    "telehealth_mismatch",
    "therapy_modifier_conflict",
    "therapy_modifier_missing",
    "time_band_mismatch",
    "units_exceed_mue",
    "units_exceed_mue_across_claims",
    "units_minutes_mismatch",
    "untimed_multiple_units",
]
