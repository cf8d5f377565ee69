# SPDX-License-Identifier: MIT
"""Shared test configuration: hypothesis profiles chosen by CPTKIT_HYPOTHESIS_PROFILE."""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, settings

# The rule-family tests check their tables through tests/rulekit.py.
pytest.register_assert_rewrite("rulekit")

settings.register_profile("default", max_examples=100)
settings.register_profile(
    "ci", max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile("dev", max_examples=20)
# The long fuzz run (scripts/fuzz.py): many examples, no deadline.
settings.register_profile(
    "fuzz",
    max_examples=int(os.environ.get("CPTKIT_FUZZ_EXAMPLES", "5000")),
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
settings.load_profile(os.environ.get("CPTKIT_HYPOTHESIS_PROFILE", "default"))
