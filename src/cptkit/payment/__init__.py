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

import re
from collections.abc import Mapping

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
    names = _county_keys(year, table)
    found = names.get((state_key, _county_key(str(county)))) or table.get((state_key, "*"))
    if found is None:
        raise UnknownLocality(state, f"not a state of the CY{year} crosswalk")
    return fee_schedule(year).locality(found)


def _county_key(name: str) -> str:
    """*name* of a county as :func:`find_locality` compares it: upper case, letters and digits
    only, without a last word "county" or "parish", "saint" as "st", "city of X" as "X city",
    and Miami-Dade as the crosswalk's "Dade" (so "St. Louis", "Saint Louis County" and "ST
    LOUIS" are one county, as are "Prince George's" and "Prince Georges", "DeKalb" and "De
    Kalb").

    >>> _county_key("City of St. Louis"), _county_key("Miami-Dade County")
    ('STLOUISCITY', 'DADE')
    """
    words = re.sub(r"[^A-Z0-9 ]+", "", name.upper().replace("-", " ")).split()
    if len(words) > 1 and words[-1] in ("COUNTY", "PARISH"):
        words.pop()
    if len(words) > 2 and words[:2] == ["CITY", "OF"]:
        words = [*words[2:], "CITY"]
    key = "".join("ST" if word == "SAINT" else word for word in words)
    return _COUNTY_ALIASES.get(key, key)


# Names a county is known by today that the CY2025 crosswalk writes otherwise: Dade County,
# Florida, has been Miami-Dade County since 1997.
_COUNTY_ALIASES = {"MIAMIDADE": "DADE"}

_county_tables: dict[int, dict[tuple[str, str], str]] = {}


def _county_keys(year: int, table: Mapping[tuple[str, str], str]) -> dict[tuple[str, str], str]:
    """*table* (the crosswalk of *year*) keyed by :func:`_county_key`."""
    keyed = _county_tables.get(year)
    if keyed is None:
        keyed = {(state, _county_key(county)): found for (state, county), found in table.items()}
        _county_tables[year] = keyed
    return keyed
