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

import datetime
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Literal

import attrs

from .codes import Code
from .errors import InvalidInput
from .modifiers import Modifier

__all__ = ["KX_THRESHOLDS", "MEDICARE_PHE_TELEHEALTH", "PayerPolicy", "UnitRule"]

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


MEDICARE_PHE_TELEHEALTH: tuple[tuple[datetime.date, datetime.date], ...] = (
    (datetime.date(2020, 3, 1), datetime.date(2023, 12, 31)),
)
"""The days on which Medicare told practitioners to bill telehealth with the place of service of
an in-person visit and modifier 95: from the COVID-19 public health emergency's first interim
final rule (CMS-1744-IFC, 85 FR 19230, 19233; applicable from 2020-03-01) through the end of
2023 (CY2023 PFS final rule); from 2024 telehealth takes POS 02 or 10 (CY2024 PFS final rule,
88 FR 78874-78876)."""


def _day(value: object) -> datetime.date:
    if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        return value
    if isinstance(value, str):
        try:
            return datetime.date.fromisoformat(value)
        except ValueError:
            pass
    raise InvalidInput("telehealth_in_person_place", value, "a date or YYYY-MM-DD text")


def _periods(values: object) -> tuple[tuple[datetime.date, datetime.date], ...]:
    """``[("2020-03-01", "2023-12-31")]`` (or dates) as sorted ``(first, last)`` day pairs."""
    if isinstance(values, (str, bytes)) or not isinstance(values, Iterable):
        raise InvalidInput(
            "telehealth_in_person_place", values, "(first day, last day) pairs of dates"
        )
    periods = []
    for item in values:
        if not isinstance(item, (tuple, list)) or len(item) != 2:
            raise InvalidInput("telehealth_in_person_place", item, "(first day, last day) pairs")
        first, last = _day(item[0]), _day(item[1])
        if last < first:
            raise InvalidInput("telehealth_in_person_place", item, "a first day before the last")
        periods.append((first, last))
    return tuple(sorted(periods))


def _modifiers(values: object) -> frozenset[Modifier]:
    if isinstance(values, (str, bytes)) or not isinstance(values, Iterable):
        raise InvalidInput("telehealth_modifiers", values, "a collection of modifiers")
    return frozenset(
        value if isinstance(value, Modifier) else Modifier.parse(value) for value in values
    )


def _unit_caps(values: object) -> tuple[tuple[Code, int], ...]:
    """``{"97153": 24}`` (or pairs) as sorted ``(Code, units)`` pairs."""
    if isinstance(values, Mapping):
        values = values.items()
    if isinstance(values, (str, bytes)) or not isinstance(values, Iterable):
        raise InvalidInput(
            "unit_caps", values, "a mapping of codes to units, such as {'97153': 24}"
        )
    caps: dict[Code, int] = {}
    for item in values:
        if not isinstance(item, tuple) or len(item) != 2:
            raise InvalidInput("unit_caps", item, "(code, units) pairs")
        code, units = item
        code = code if isinstance(code, Code) else Code.parse(code)
        if type(units) is not int or units < 0:
            raise InvalidInput(f"unit_caps[{code}]", units, "a whole number of units >= 0")
        caps[code] = units
    return tuple(sorted(caps.items(), key=lambda item: item[0].value))


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
        telehealth_in_person_place: ``(first day, last day)`` periods in which the payer took
            telehealth billed with the place of service of an in-person visit and one of its
            telehealth modifiers (Medicare: :data:`MEDICARE_PHE_TELEHEALTH`).
        kx_thresholds: ``(year, amount)`` pairs for the therapy threshold, or empty when the
            payer has none.
        apply_mue: whether Medicare's Medically Unlikely Edits apply at all. Every MUE is
            Medicare's; other payers adopt them, or not, as their policy.
        mue_payment_status: whether an MUE of 0 with the rationale "CMS Policy" applies. Such a
            0 encodes Medicare payment status (97014 status I, 97010 status B), not a clinical
            limit: Medicare applies it, the commercial policy does not.
        unit_caps: the payer's own units per code and date of service (``{"97153": 24}``, as
            ABA plans set daily limits), applied in place of the MUE for those codes.
        addon_edit_suspensions: whether an add-on with no CMS add-on code edit in force on a
            date (CMS suspended those of 96131, 96133, 96137 and 96139 from 2019-01-01 to
            2025-06-30) goes unjudged, as Medicare does. ``False`` follows CPT's convention
            that an add-on is never reported alone: such an add-on keeps the code table's
            primaries.

    .. versionchanged:: 0.2.0
       *apply_mue*, *mue_payment_status*, *unit_caps*, *telehealth_in_person_place* and
       *addon_edit_suspensions*.
    """

    name: str
    unit_rule: UnitRule = attrs.field(validator=_unit_rule)
    therapy_modifiers_required: bool = False
    telehealth_modifiers: frozenset[Modifier] = attrs.field(
        default=frozenset(), converter=_modifiers
    )
    telehealth_modifier_required: bool = False
    telehealth_in_person_place: tuple[tuple[datetime.date, datetime.date], ...] = attrs.field(
        default=(), converter=_periods
    )
    kx_thresholds: tuple[tuple[int, Decimal], ...] = ()
    apply_mue: bool = True
    mue_payment_status: bool = True
    unit_caps: tuple[tuple[Code, int], ...] = attrs.field(default=(), converter=_unit_caps)
    addon_edit_suspensions: bool = True

    @classmethod
    def medicare(cls) -> PayerPolicy:
        """Medicare Part B: 8-minute rule, GP/GO/GN required, modifier 95 for therapy
        telehealth (at the in-person place of service during the COVID-19 public health
        emergency's billing instruction, 2020-03-01 to 2023-12-31), KX thresholds by year."""
        return cls(
            name="Medicare",
            unit_rule="cms",
            therapy_modifiers_required=True,
            telehealth_modifiers=frozenset({Modifier("95")}),
            telehealth_modifier_required=True,
            telehealth_in_person_place=MEDICARE_PHE_TELEHEALTH,
            kx_thresholds=KX_THRESHOLDS,
        )

    @classmethod
    def commercial(cls) -> PayerPolicy:
        """A typical commercial plan: CPT midpoint rule, no therapy-modifier or KX rules;
        95 or GT accepted for telehealth but not required; Medicare's MUEs except the zeros
        that encode Medicare payment status; CPT's add-on convention (no CMS suspension)."""
        return cls(
            name="Commercial",
            unit_rule="ama",
            telehealth_modifiers=frozenset({Modifier("95"), Modifier("GT")}),
            mue_payment_status=False,
            addon_edit_suspensions=False,
        )

    def unit_cap(self, code: Code) -> int | None:
        """The payer's own units per date of service for *code*, or ``None``."""
        for known, units in self.unit_caps:
            if known == code:
                return units
        return None

    def telehealth_at_in_person_place(self, day: datetime.date) -> bool:
        """Whether, on *day*, the payer took telehealth at an in-person place of service."""
        return any(first <= day <= last for first, last in self.telehealth_in_person_place)

    def change_dates(self) -> tuple[datetime.date, ...]:
        """The days on which what the policy expects changes, within a year (the first day of
        each :attr:`telehealth_in_person_place` period and the day after its last), sorted:
        a line is judged alike on every day between two of them (:meth:`Context.period`)."""
        return tuple(
            sorted(
                {first for first, _ in self.telehealth_in_person_place}
                | {last + datetime.timedelta(days=1) for _, last in self.telehealth_in_person_place}
            )
        )

    def kx_threshold(self, year: int) -> Decimal | None:
        """The therapy threshold for *year*, or ``None`` when the policy has none for it."""
        for known, amount in self.kx_thresholds:
            if known == year:
                return amount
        return None
