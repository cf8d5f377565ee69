# SPDX-License-Identifier: MIT
"""What a history holds of a claim: its lines, flat, with the claim-level values rules compare
(never the patient key, which is the query, nor diagnoses or names)."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Final, Literal, get_args

import attrs

from ..codes import Code
from ..errors import InvalidInput
from ..modifiers import Modifier
from ..places import PlaceOfService
from ..providers import NPI

__all__ = ["STATUSES", "RecordedLine", "Status", "to_status"]

Status = Literal["checked", "submitted", "paid", "denied", "void"]
"""Where a recorded claim stands. Rules across claims read every status but ``void``."""

STATUSES: Final[tuple[str, ...]] = get_args(Status)


def to_status(value: object) -> Status:
    """*value* as a :data:`Status`, or :class:`~cptkit.errors.InvalidInput`."""
    if value in STATUSES:
        return value  # type: ignore[return-value]
    raise InvalidInput("status", value, f"one of {', '.join(STATUSES)}")


@attrs.frozen
class RecordedLine:
    """One line of a recorded claim, with its claim's values.

    Attributes:
        claim_id: the recorded claim's id (``None`` when it had none): the only way findings
            name an earlier claim.
        position: the line's 0-based position in that claim.
        date_of_service, code, modifiers, units, place_of_service: the line's (the place is
            the one that applies: the line's own, else the claim's).
        rendering_provider, billing_provider, payer: the claim's.
        charge: the line charge, when it had one.
        allowed: the allowed amount recorded with it (an estimate or a remittance), or
            ``None``.
        status: the claim's :data:`Status`.

    .. versionadded:: 0.2.0
    """

    claim_id: str | None
    position: int
    date_of_service: datetime.date
    code: Code
    modifiers: tuple[Modifier, ...]
    units: int
    place_of_service: PlaceOfService | None
    rendering_provider: NPI | None
    billing_provider: NPI | None
    payer: str | None
    charge: Decimal | None
    allowed: Decimal | None
    status: Status

    @property
    def provider(self) -> NPI | None:
        """The provider the edits pair services by: the rendering NPI, else the billing one."""
        return self.billing_provider if self.rendering_provider is None else self.rendering_provider
