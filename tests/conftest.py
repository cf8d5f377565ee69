# SPDX-License-Identifier: MIT
"""Shared test configuration: hypothesis profiles chosen by CPTKIT_HYPOTHESIS_PROFILE, and
packaged data taken to cover every date outside the tests of coverage."""

from __future__ import annotations

import datetime
import os
from collections.abc import Mapping

import attrs
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


@pytest.fixture(autouse=True)
def _data_covers_every_date(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Tests judge rules on 2025-2026 dates, past the packaged PTP and place-of-service
    editions, where every claim would also get a ``data-stale`` warning. Outside the tests of
    coverage itself (marked ``real_coverage``), the packaged tables are taken to cover every
    date, so that each test sees the findings of the rules it is about."""
    if request.node.get_closest_marker("real_coverage"):
        return
    from cptkit import _registry
    from cptkit.records import Coverage

    def endless() -> Mapping[str, Coverage]:
        return {
            name: attrs.evolve(cover, through=datetime.date.max, stale_after=datetime.date.max)
            for name, cover in real().items()
        }

    real = _registry.coverage
    monkeypatch.setattr(_registry, "coverage", endless)
