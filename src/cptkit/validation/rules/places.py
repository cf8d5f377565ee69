# SPDX-License-Identifier: MIT
"""Rules about the place of service: assigned and valid on the date, and consistent with
telehealth modifiers.

Sources: CMS Place of Service Code Set (02 redefined and 10 added on 2022-01-01); CMS PFS final
rules CY2024-2026 and MLN telehealth guidance (POS 02/10 with modifier 95 for therapy furnished
via telehealth); rules.md sec. 5. During the COVID-19 public health emergency Medicare took
telehealth at the in-person place of service with 95 (CMS-1744-IFC, 85 FR 19233, from
2020-03-01; through 2023-12-31 by the CY2023 PFS final rule; ended by the CY2024 PFS final rule,
88 FR 78874-78876): ``PayerPolicy.telehealth_in_person_place``. FR (supervising practitioner
present by audio/video) is not a telehealth modifier: the service is in person. CARC 5: "the
procedure code is inconsistent with the place of service"; CARC 4 for a missing required
modifier.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator

import attrs

from ...places import PlaceOfService
from ...records import ModifierGroup
from .._context import Context
from .._findings import Finding, Severity
from .._rule import LineRule, LineView, Rule

__all__ = ["place_of_service_unknown", "telehealth_mismatch"]


@attrs.frozen
class _PlaceOfServiceUnknown(LineRule):
    def check_line(self, index: int, line: LineView, context: Context) -> Iterator[Finding]:
        place, day = line.place, line.day
        if place is None:
            return
        valid = context.catalog.get_place_of_service(place, on=day) is not None
        if valid:
            return
        # A claim-level place is reported once, for the claim (LineRule keeps one of each).
        telehealth = _telehealth_places(context, day)
        yield self.finding(
            index if line.own_place else None,
            "place_of_service",
            f"place of service {place} is unassigned or not valid on the date of service",
            suggestion="use a current CMS place-of-service code"
            + (f" ({telehealth} for telehealth)" if telehealth else ""),
        )


@attrs.frozen
class _TelehealthMismatch(LineRule):
    def check_line(self, index: int, line: LineView, context: Context) -> Iterator[Finding]:
        place = line.place
        if place is None:
            return
        policy = context.policy
        telehealth_modifiers = [
            m
            for m in line.modifiers
            if (info := context.modifier_info(m)) is not None
            and info.group is ModifierGroup.TELEHEALTH
        ]
        remote = place.telehealth
        code = context.code_info(line.code)
        if (
            remote
            and policy.telehealth_modifier_required
            and code is not None
            and code.therapy_list is not None
            and not any(m in policy.telehealth_modifiers for m in line.modifiers)
        ):
            wanted = " or ".join(sorted(str(m) for m in policy.telehealth_modifiers))
            yield self.finding(
                index,
                "modifiers",
                f"therapy code {line.code} at telehealth place {place} without {wanted}",
                suggestion=f"add {wanted} if the service was furnished via telehealth",
                carc="CO-4",
            )
        elif not remote and telehealth_modifiers:
            if policy.telehealth_in_person_place and policy.telehealth_at_in_person_place(
                line.day  # a period never straddles the policy's dates (Context.period)
            ):
                telehealth_modifiers = [
                    m for m in telehealth_modifiers if m not in policy.telehealth_modifiers
                ]
                if not telehealth_modifiers:
                    return
            places = _telehealth_places(context, line.day, "or")
            if not places:
                return  # before POS 02 (2017), telehealth took the in-person place's code
            names = ", ".join(str(m) for m in telehealth_modifiers)
            yield self.finding(
                index,
                "place_of_service",
                f"telehealth modifier {names} with in-person place of service {place}",
                suggestion=f"use place of service {places} for telehealth, or drop the modifier",
                severity=Severity.WARNING,
            )


_HOME = PlaceOfService("10")
_TELEHEALTH = PlaceOfService("02")


def _telehealth_places(context: Context, day: datetime.date, joint: str = "/") -> str:
    """``"02/10"``, ``"02"`` before POS 10 existed (2022-01-01, CMS CR 12427), or ``""``
    before POS 02 did (2017-01-01)."""
    if context.catalog.get_place_of_service(_HOME, on=day) is None:
        return "02" if context.catalog.get_place_of_service(_TELEHEALTH, on=day) else ""
    return f"02{joint}10" if joint == "/" else f"02 {joint} 10"


def place_of_service_unknown() -> Rule:
    """``place-of-service-unknown``: unassigned, or not valid on the date of service."""
    return _PlaceOfServiceUnknown("place-of-service-unknown", Severity.ERROR, "CO-5")


def telehealth_mismatch() -> Rule:
    """``telehealth-mismatch``: telehealth place (02, 10) without the payer's telehealth
    modifier on a therapy code (error, CO-4), or a telehealth modifier with an in-person place
    (warning, CO-5: some payers still take POS 11 with 95), except the payer's own telehealth
    modifiers in a period it took them there (Medicare 2020-03-01 to 2023-12-31)."""
    return _TelehealthMismatch("telehealth-mismatch", Severity.ERROR, "CO-5")
