# SPDX-License-Identifier: MIT
"""Small helpers the rule families share, and the digest of a claim the rules that compare
lines read: each line's record and the lines grouped by date and by code and date."""

from __future__ import annotations

import datetime
import threading
import weakref
from collections.abc import Callable, Hashable
from typing import Any

from ..._cache import keep
from ...claims import Claim
from ...codes import Code
from ...modifiers import Modifier
from ...records import CodeInfo, PTPEdit
from .._context import Context
from .._findings import Finding
from .._rule import Rule

__all__ = [
    "THERAPY_DISCIPLINE_MODIFIERS",
    "Visit",
    "codes_text",
    "kept",
    "kept_finding",
    "ptp_edit",
    "visit",
]

GP, GO, GN = Modifier("GP"), Modifier("GO"), Modifier("GN")
THERAPY_DISCIPLINE_MODIFIERS = frozenset({GP, GO, GN})  # a set: membership by cached hash


class Visit:
    """What the rules that compare lines read of one claim, computed once for all of them.

    Attributes:
        infos: per line, the catalog's record of its code (``None`` when unknown).
        days: line indexes by date of service, in line order.
        codes: line indexes by code and date of service, in line order.
        diagnoses: what the diagnosis rules found of the claim's diagnoses, ``None`` until
            the first of them asks (``rules.diagnoses`` sets it).
    """

    __slots__ = ("codes", "days", "diagnoses", "infos")

    def __init__(self, claim: Claim, context: Context) -> None:
        self.diagnoses: object = None
        lines = claim.lines
        code_info = context.code_info
        self.infos: list[CodeInfo | None] = [code_info(line.code) for line in lines]
        self.days: dict[datetime.date, list[int]]
        self.codes: dict[tuple[Code, datetime.date], list[int]]
        # Grouping is by the real date of service: `on` changes the date codes are judged
        # valid on, never which services happened on one day.
        first = lines[0].date_of_service
        if len(lines) == 1:
            self.days = {first: [0]}
            self.codes = {(lines[0].code, first): [0]}
            return
        codes: dict[tuple[Code, datetime.date], list[int]] = {}
        one_day = True
        for index, line in enumerate(lines):
            day = line.date_of_service
            if day is not first and day != first:
                one_day = False
            key = (line.code, day)
            members = codes.get(key)
            if members is None:
                codes[key] = [index]
            else:
                members.append(index)
        self.codes = codes
        if one_day:  # the usual visit
            self.days = {first: list(range(len(lines)))}
            return
        days: dict[datetime.date, list[int]] = {}
        for index, line in enumerate(lines):
            members = days.get(line.date_of_service)
            if members is None:
                days[line.date_of_service] = [index]
            else:
                members.append(index)
        self.days = days


# Several rules read the same claim's digest; the last one is kept per thread, with weak
# references to its claim and context, so that neither is kept alive after a run (a context
# holds every memo) and a new object at a reused address is not mistaken for them.
_LAST = threading.local()


def visit(claim: Claim, context: Context) -> Visit:
    """The claim's :class:`Visit` (do not modify it)."""
    try:
        claim_ref, context_ref, found = _LAST.value
    except AttributeError:  # the thread's first claim
        pass
    else:
        if claim_ref() is claim and context_ref() is context:
            return found  # type: ignore[no-any-return]
    found = Visit(claim, context)
    _LAST.value = (weakref.ref(claim), weakref.ref(context), found)
    return found


_UNSEEN = object()
_KEPT = object()  # the context memo's key of the rules' own cache


def kept(context: Context) -> dict[Hashable, Any]:
    """The cache the built-in rules share in *context*: one entry of its memo (so that it
    never crowds out the others), bounded as every cache (add with ``cptkit._cache.keep``).
    Each rule family keys it with marks of its own."""
    cache: dict[Hashable, Any] | None = context.memo.get(_KEPT)  # type: ignore[assignment]
    if cache is None:
        cache = context.remember(_KEPT, {})
    return cache


def kept_finding(
    rule: Rule,
    context: Context,
    key: tuple[Hashable, ...],
    make: Callable[..., Finding],
    *args: object,
) -> Finding:
    """``make(*args)``: a finding of *rule* that depends only on *key* (and the context), kept
    in :func:`kept` so that the claims that repeat it share one object instead of each
    building it. Findings are immutable values; a kept one is returned only to the rule
    instance that made it (two instances of one rule, of different severities say, each get
    their own)."""
    cache = kept(context)
    mark = (id(rule), key)  # the entry holds the rule, so its id is not reused while kept
    hit = cache.get(mark)
    if hit is not None:
        return hit[1]  # type: ignore[no-any-return]
    return keep(cache, mark, (rule, make(*args)))[1]  # type: ignore[no-any-return]


def ptp_edit(context: Context, code_a: Code, code_b: Code, day: datetime.date) -> PTPEdit | None:
    """The NCCI edit in force between two codes on *day* (as judged: :meth:`Context.day`),
    kept in the context's memo under texts and a date."""
    key = (code_a.value, code_b.value, day)
    edit = context.memo.get(key, _UNSEEN)
    if edit is _UNSEEN:
        edits = context.catalog.ptp_edits(code_a, code_b)
        edit = context.remember(key, next((e for e in edits if e.in_force_on(day)), None))
    return edit if isinstance(edit, PTPEdit) else None


def codes_text(codes: object) -> str:
    """``"96130, 96131"`` from an iterable of codes."""
    return ", ".join(str(code) for code in codes)  # type: ignore[attr-defined]
