# SPDX-License-Identifier: MIT
"""What Medicare pays: Physician Fee Schedule allowed amounts for therapy claims.

The arithmetic is public and CMS's: each unit is paid (work RVU x work GPCI + PE RVU x PE GPCI
+ MP RVU x MP GPCI) x the conversion factor, with the facility or non-facility PE by place of
service; "always therapy" codes (multiple-procedure indicator 5) get half their PE on every
unit after the one with the highest PE on a day (MPPR); lines with CQ or CO are paid at 85 %
from 2022. Medicare pays 80 % of the allowed amount, the patient the rest.

>>> import cptkit
>>> from cptkit import payment
>>> claim = cptkit.Claim(
...     lines=[cptkit.ClaimLine("97110", 2, "2026-03-02", modifiers=["GP"], place_of_service="11")],
...     diagnoses=["M54.50"],
... )
>>> result = payment.estimate(claim, locality="10112-00")
>>> result.allowed, result.medicare_share, result.coinsurance
(Decimal('48.41'), Decimal('38.73'), Decimal('9.68'))
>>> payment.find_locality("NY", "New York").id
'13202-01'

Sources and assumptions: docs/payment.md.
"""

from __future__ import annotations

from ..errors import NotPriced, UnknownLocality
from ._estimate import assistant_rate, estimate
from ._records import Estimate, LineEstimate, Notice
from ._schedule import (
    FeeSchedule,
    Locality,
    RelativeValues,
    Release,
    fee_schedule,
    fee_schedules,
    load,
    releases,
)

__all__ = [
    "Estimate",
    "FeeSchedule",
    "LineEstimate",
    "Locality",
    "NotPriced",
    "Notice",
    "RelativeValues",
    "Release",
    "UnknownLocality",
    "assistant_rate",
    "estimate",
    "fee_schedule",
    "fee_schedules",
    "find_locality",
    "localities",
    "releases",
]


def __dir__() -> list[str]:
    return list(__all__)


def localities(year: int | None = None) -> tuple[Locality, ...]:
    """The PFS localities of *year* (default: the newest packaged year), by id.

    Raises:
        NotPriced: no fee schedule is packaged for *year*.

    .. versionadded:: 0.2.0
    """
    if year is None:
        return fee_schedules()[-1].localities()
    return fee_schedule(year).localities()


def find_locality(state: str, county: str, *, year: int | None = None) -> Locality:
    """The locality that holds *county* of *state* (a two-letter abbreviation), from CMS's
    locality-county crosswalk of *year* (default: the newest year that has one).

    Raises:
        UnknownLocality: no crosswalk for *year*, or the state is not on it.

    .. versionadded:: 0.2.0
    """
    crosswalks = load()[1]
    if year is None:
        year = max(crosswalks)
    table = crosswalks.get(year)
    if table is None:
        raise UnknownLocality(
            f"{state}/{county}", f"no locality-county crosswalk packaged for {year}"
        )
    state_key = " ".join(str(state).upper().split())
    county_key = " ".join(str(county).upper().split()).removesuffix(" COUNTY")
    found = table.get((state_key, county_key)) or table.get((state_key, "*"))
    if found is None:
        raise UnknownLocality(state, f"not a state of the CY{year} crosswalk")
    return fee_schedule(year).locality(found)
