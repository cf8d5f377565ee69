# SPDX-License-Identifier: MIT
"""Rules about diagnoses: pointers, and the codes themselves by fiscal year.

Sources: X12 837P SV107 (one to four pointers, each naming a position 1-12 in the claim's HI
segment); CMS-1500 item 24E. CARC 16: "claim/service lacks information".
The ICD-10-CM code lists of CDC/NCHS and CMS, one per federal fiscal year (October 1 to
September 30): a code must be in the list of the date of service and billable ("valid for HIPAA
transactions"), not a header with more specific codes under it (ICD-10-CM Official Guidelines,
section I.B.2, "level of detail in coding"); remark code M76: "missing/incomplete/invalid
diagnosis or condition".
"""

from __future__ import annotations

import datetime
import operator
from collections.abc import Hashable, Iterable, Iterator
from typing import Any

import attrs

from ... import _icd10cm
from ..._cache import keep
from ...claims import Claim
from ...diagnoses import Diagnosis
from .._context import Context
from .._findings import Finding, Severity
from .._rule import LineRule, LineView, Rule
from ._common import kept, kept_finding, visit

__all__ = [
    "diagnosis_not_billable",
    "diagnosis_not_pointed",
    "diagnosis_pointer_invalid",
    "diagnosis_unknown",
]

MAX_POINTERS = 4


@attrs.frozen
class _DiagnosisPointerInvalid(LineRule):
    def check_line(self, index: int, line: LineView, context: Context) -> Iterator[Finding]:
        diagnoses = line.diagnoses
        pointers = line.diagnosis_pointers
        if not pointers:
            yield self.finding(
                index,
                "diagnosis_pointers",
                "no diagnosis pointer",
                suggestion="point the line at the diagnosis it treats (1 for the first)",
            )
            return
        if len(pointers) > MAX_POINTERS:
            yield self.finding(
                index,
                "diagnosis_pointers",
                f"{len(pointers)} diagnosis pointers; a line carries at most 4",
                suggestion="keep the four most relevant, primary first",
            )
        for pointer in pointers:
            if pointer > diagnoses:
                yield self.finding(
                    index,
                    "diagnosis_pointers",
                    f"pointer {pointer} but the claim has {diagnoses} diagnos"
                    f"{'is' if diagnoses == 1 else 'es'}",
                    suggestion=f"use a pointer from 1 to {diagnoses}",
                )


@attrs.frozen
class _DiagnosisNotPointed(Rule):
    def __call__(self, claim: Claim, context: Context) -> Iterable[Finding]:
        # Called, it returns its findings: no generator to make for each claim.
        count = len(claim.diagnoses)
        if count == 1:
            for line in claim.lines:
                if line.diagnosis_pointers:
                    return ()
            unpointed: Iterable[int] = (1,)
        else:
            seen = {pointer for line in claim.lines for pointer in line.diagnosis_pointers}
            unpointed = [position for position in range(1, count + 1) if position not in seen]
        return [
            kept_finding(self, context, (position, count), self._unpointed, position, count)
            for position in unpointed
        ]

    def check(self, claim: Claim, context: Context) -> Iterator[Finding]:
        return iter(self(claim, context))

    def _unpointed(self, position: int, count: int) -> Finding:
        return self.finding(
            None,
            "diagnoses",
            f"diagnosis {position} of {count} is not pointed to by any line",
            suggestion="point the line it supports at it, or leave it off the claim",
        )


def diagnosis_pointer_invalid() -> Rule:
    """``diagnosis-pointer-invalid``: a pointer to a diagnosis the claim does not have, more
    than 4 pointers, or none."""
    return _DiagnosisPointerInvalid("diagnosis-pointer-invalid", Severity.ERROR, "CO-16")


# -- the codes themselves, by fiscal year --------------------------------------------------------

SHOWN_CHILDREN = 6
"""How many billable codes under a header a suggestion names before "…"."""


def _failures(claim: Claim, context: Context, status: str) -> _Failures:
    """Each distinct claim diagnosis with *status* (:data:`~cptkit._icd10cm.ABSENT` or
    :data:`~cptkit._icd10cm.HEADER`) on some day the claim's lines are judged on
    (:meth:`Context.day`), with the fiscal years whose lists say so and whether one of them is
    a day's own year (``False``: only the nearest list, for days outside the lists' years).
    When both kinds fail, only the own years are given.

    Both statuses are found at once and kept with the claim's :class:`._common.Visit` (the
    two rules ask in turn); they depend only on the diagnoses and the (fiscal year, own)
    pairs the days are judged by, so they are also kept under those in the rules' cache
    (:func:`._common.kept`), since claims repeat both. A claim whose diagnoses are billable
    in every list fails on no day (the usual claim: no year to find)."""
    digest = visit(claim, context)
    both: tuple[_Failures, _Failures] | None = digest.diagnoses  # type: ignore[assignment]
    if both is None:
        cache = kept(context)
        everywhere: dict[str, bool] | None = cache.get(_FAILURES)
        if everywhere is None:
            everywhere = keep(cache, _FAILURES, {})
        for diagnosis in claim.diagnoses:
            text = diagnosis.value
            fine = everywhere.get(text)
            if fine is None:
                fine = keep(everywhere, text, _billable_everywhere(context, text))
            if not fine:
                break
        else:
            digest.diagnoses = _NO_FAILURES
            return ()
        if context.on is not None:
            judged: tuple[tuple[int, bool], ...] = (_judged_year(context, cache, context.on),)
        elif len(digest.days) == 1:  # the common visit: one date, one list
            judged = (_judged_year(context, cache, next(iter(digest.days))),)
        else:
            judged = tuple(sorted({_judged_year(context, cache, day) for day in digest.days}))
        # Keyed by texts: a str hashes in C, a Diagnosis in Python.
        key = (_FAILURES, tuple(map(_TEXT, claim.diagnoses)), judged)
        both = cache.get(key)
        if both is None:
            diagnoses = claim.diagnoses
            both = keep(
                cache,
                key,
                (
                    tuple(_failing(diagnoses, judged, context, _icd10cm.ABSENT)),
                    tuple(_failing(diagnoses, judged, context, _icd10cm.HEADER)),
                ),
            )
        digest.diagnoses = both
    return both[0] if status == _icd10cm.ABSENT else both[1]


_Failures = tuple[tuple[Diagnosis, list[int], bool], ...]
_FAILURES = object()  # the mark of this module's keys in the rules' cache
_NO_FAILURES: tuple[_Failures, _Failures] = ((), ())


def _billable_everywhere(context: Context, text: str) -> bool:
    """Whether diagnosis *text* is billable in every fiscal year's list: a day is judged by
    one of them (:meth:`~cptkit._icd10cm.DiagnosisTable.judged_year`), so it fails on none."""
    table = context.catalog.diagnoses()
    return all(table.status(text, year) == _icd10cm.BILLABLE for year in table.years)


_TEXT = operator.attrgetter("value")


def _judged_year(
    context: Context, cache: dict[Hashable, Any], day: datetime.date
) -> tuple[int, bool]:
    """:meth:`~cptkit._icd10cm.DiagnosisTable.judged_year` of *day* (kept in *cache*)."""
    key = (_FAILURES, day)
    found: tuple[int, bool] | None = cache.get(key)
    if found is None:
        found = keep(cache, key, context.catalog.diagnoses().judged_year(day))
    return found


def _failing(
    diagnoses: tuple[Diagnosis, ...],
    judged: tuple[tuple[int, bool], ...],
    context: Context,
    status: str,
) -> Iterator[tuple[Diagnosis, list[int], bool]]:
    table = context.catalog.diagnoses()
    for diagnosis in dict.fromkeys(diagnoses) if len(diagnoses) > 1 else diagnoses:
        failing = [
            (year, own) for year, own in judged if table.status(diagnosis.value, year) == status
        ]
        if failing:
            own = any(year_own for _, year_own in failing)
            yield diagnosis, [year for year, year_own in failing if year_own is own], own


def _lists(years: list[int], own: bool, table: _icd10cm.DiagnosisTable) -> str:
    names = " and ".join(f"FY{year}" for year in years)
    plural = "lists" if len(years) > 1 else "list"
    if own:
        return f"the ICD-10-CM {names} code {plural}"
    nearest = "nearest"
    if years == [table.years[-1]]:
        nearest = "newest"
    elif years == [table.years[0]]:
        nearest = "oldest"
    return (
        f"the ICD-10-CM {names} code {plural} (the {nearest} cptkit has; a date of service is"
        f" outside {'their' if len(years) > 1 else 'its'} fiscal years)"
    )


@attrs.frozen
class _DiagnosisRule(Rule):
    """A rule on the claim's diagnoses of one status: called, it returns its findings (none,
    the usual answer, without making a generator)."""

    def __call__(self, claim: Claim, context: Context) -> Iterable[Finding]:
        failures = _failures(claim, context, self._status())
        if not failures:
            return ()
        table = context.catalog.diagnoses()
        return [self._finding(table, *failure) for failure in failures]

    def check(self, claim: Claim, context: Context) -> Iterator[Finding]:
        return iter(self(claim, context))

    def _status(self) -> str:  # pragma: no cover - every subclass overrides it
        raise NotImplementedError

    def _finding(
        self, table: _icd10cm.DiagnosisTable, diagnosis: Diagnosis, years: list[int], own: bool
    ) -> Finding:  # pragma: no cover - every subclass overrides it
        raise NotImplementedError


@attrs.frozen
class _DiagnosisUnknown(_DiagnosisRule):
    def _status(self) -> str:
        return _icd10cm.ABSENT

    def _finding(
        self, table: _icd10cm.DiagnosisTable, diagnosis: Diagnosis, years: list[int], own: bool
    ) -> Finding:
        held = table.held_years(diagnosis.value)
        listed = ", ".join(f"FY{year}" for year in held)
        where = f"{diagnosis} is listed for {listed} only; " if held else ""
        return self.finding(
            None,
            "diagnoses",
            f"{diagnosis} is not in {_lists(years, own, table)}",
            suggestion=f"{where}use a code from the ICD-10-CM list in force on the date of"
            " service (remark M76: missing/incomplete/invalid diagnosis)",
            severity=None if own else Severity.WARNING,
        )


@attrs.frozen
class _DiagnosisNotBillable(_DiagnosisRule):
    def _status(self) -> str:
        return _icd10cm.HEADER

    def _finding(
        self, table: _icd10cm.DiagnosisTable, diagnosis: Diagnosis, years: list[int], own: bool
    ) -> Finding:
        under = table.billable_under(diagnosis.value, years[-1], SHOWN_CHILDREN + 1)
        shown = ", ".join(str(Diagnosis(code)) for code in under[:SHOWN_CHILDREN])
        more = ", …" if len(under) > SHOWN_CHILDREN else ""
        return self.finding(
            None,
            "diagnoses",
            f"{diagnosis} is a header, not a billable code, in {_lists(years, own, table)}",
            suggestion=f"use a billable code under it ({shown}{more})",
            severity=None if own else Severity.WARNING,
        )


def diagnosis_unknown() -> Rule:
    """``diagnosis-unknown``: a claim diagnosis that is not in the ICD-10-CM list of the fiscal
    year of a date of service of the claim's lines."""
    return _DiagnosisUnknown("diagnosis-unknown", Severity.ERROR, "CO-16")


def diagnosis_not_billable() -> Rule:
    """``diagnosis-not-billable``: a claim diagnosis that is a header (a category with more
    specific codes under it) in the list of a date of service's fiscal year; suggests the
    billable codes under it."""
    return _DiagnosisNotBillable("diagnosis-not-billable", Severity.ERROR, "CO-16")


def diagnosis_not_pointed() -> Rule:
    """``diagnosis-not-pointed``: a claim diagnosis that no line points to (warning)."""
    return _DiagnosisNotPointed("diagnosis-not-pointed", Severity.WARNING, None)
