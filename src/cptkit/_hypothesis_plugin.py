# SPDX-License-Identifier: MIT
"""The hypothesis entry point: registers cptkit's strategies for ``st.from_type``.

It lives apart from :mod:`cptkit.strategies` because hypothesis runs entry points while it is
first imported, which may be in the middle of importing ``cptkit.strategies`` itself. The
registered resolvers therefore import the strategies only when a type is first resolved.
"""

from __future__ import annotations

from typing import Any


def _resolver(name: str) -> Any:
    def resolve(_type: type[Any]) -> Any:
        from . import strategies

        return getattr(strategies, name)()

    return resolve


def _hypothesis_setup_hook() -> None:
    """Register a strategy for every public value type (called by hypothesis)."""
    from hypothesis import strategies as st

    from .claims import Claim, ClaimLine
    from .codes import Code
    from .diagnoses import Diagnosis
    from .modifiers import Modifier
    from .places import PlaceOfService
    from .providers import NPI

    for cls, name in [
        (Code, "codes"),
        (Modifier, "modifiers"),
        (PlaceOfService, "places_of_service"),
        (Diagnosis, "diagnoses"),
        (NPI, "npis"),
        (ClaimLine, "claim_lines"),
        (Claim, "claims"),
    ]:
        st.register_type_strategy(cls, _resolver(name))
