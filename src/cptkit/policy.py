# SPDX-License-Identifier: MIT
"""Payer policy as data: which unit rule a payer follows and what it expects on claims.

Rules never branch on a payer's name; they read a :class:`PayerPolicy`. Two are built in:

>>> from cptkit.policy import PayerPolicy
>>> PayerPolicy.medicare().unit_rule, PayerPolicy.commercial().unit_rule
('cms', 'ama')
>>> PayerPolicy.medicare().kx_threshold(2026)
Decimal('2480')

Make your own with :func:`attrs.evolve`, e.g. a Medicaid plan that follows the CPT rule but wants
the therapy modifiers: ``attrs.evolve(PayerPolicy.medicare(), name="State Medicaid",
unit_rule="ama")``.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Literal

import attrs

from .errors import InvalidInput
from .modifiers import Modifier

__all__ = ["KX_THRESHOLDS", "PayerPolicy", "UnitRule"]

UnitRule = Literal["cms", "ama"]
"""``"cms"``: the Medicare 8-minute rule (pooled); ``"ama"``: the CPT midpoint rule (per code)."""

KX_THRESHOLDS: tuple[tuple[int, Decimal], ...] = (
    (2018, Decimal("2010")),
    (2019, Decimal("2040")),
    (2020, Decimal("2080")),
    (2021, Decimal("2110")),
    (2022, Decimal("2150")),
    (2023, Decimal("2230")),
    (2024, Decimal("2330")),
    (2025, Decimal("2410")),
    (2026, Decimal("2480")),
)
"""Medicare therapy KX-modifier thresholds per beneficiary and year (PT and SLP combined; OT
the same amount separately). CMS annual Physician Fee Schedule final rules; 2025 and 2026 from
secondary sources (see the docs)."""


def _modifiers(values: object) -> frozenset[Modifier]:
    if isinstance(values, (str, bytes)) or not isinstance(values, Iterable):
        raise InvalidInput("telehealth_modifiers", values, "a collection of modifiers")
    return frozenset(
        value if isinstance(value, Modifier) else Modifier.parse(value) for value in values
    )


def _unit_rule(instance: object, attribute: object, value: object) -> None:
    if value not in ("cms", "ama"):
        raise InvalidInput("unit_rule", value, "'cms' or 'ama'")


@attrs.frozen
class PayerPolicy:
    """What a payer expects, as data.

    Attributes:
        name: a label for reports.
        unit_rule: ``"cms"`` (Medicare 8-minute rule) or ``"ama"`` (CPT midpoint rule).
        therapy_modifiers_required: whether therapy codes need GP, GO or GN.
        telehealth_modifiers: the modifiers that mark telehealth for this payer (any one).
        telehealth_modifier_required: whether telehealth places of service (02, 10) need one of
            them on therapy lines.
        kx_thresholds: ``(year, amount)`` pairs for the therapy threshold, or empty when the
            payer has none.
    """

    name: str
    unit_rule: UnitRule = attrs.field(validator=_unit_rule)
    therapy_modifiers_required: bool = False
    telehealth_modifiers: frozenset[Modifier] = attrs.field(
        default=frozenset(), converter=_modifiers
    )
    telehealth_modifier_required: bool = False
    kx_thresholds: tuple[tuple[int, Decimal], ...] = ()

    @classmethod
    def medicare(cls) -> PayerPolicy:
        """Medicare Part B: 8-minute rule, GP/GO/GN required, modifier 95 for therapy
        telehealth, KX thresholds by year."""
        return cls(
            name="Medicare",
            unit_rule="cms",
            therapy_modifiers_required=True,
            telehealth_modifiers=frozenset({Modifier("95")}),
            telehealth_modifier_required=True,
            kx_thresholds=KX_THRESHOLDS,
        )

    @classmethod
    def commercial(cls) -> PayerPolicy:
        """A typical commercial plan: CPT midpoint rule, no therapy-modifier or KX rules;
        95 or GT accepted for telehealth but not required."""
        return cls(
            name="Commercial",
            unit_rule="ama",
            telehealth_modifiers=frozenset({Modifier("95"), Modifier("GT")}),
        )

    def kx_threshold(self, year: int) -> Decimal | None:
        """The therapy threshold for *year*, or ``None`` when the policy has none for it."""
        for known, amount in self.kx_thresholds:
            if known == year:
                return amount
        return None
