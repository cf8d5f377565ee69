# SPDX-License-Identifier: MIT
"""Small helpers the rule families share, and the digest of a claim the rules that compare
lines read: each line's record and the lines grouped by date and by code and date."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Hashable
from typing import Any

from ... import _pfs_status
from ..._cache import keep
from ...claims import Claim
from ...codes import Code
from ...modifiers import Modifier
from ...records import CodeInfo, PTPEdit, Timing
from ...units._rules import CMS_UNIT
from .._context import Context
from .._findings import Finding
from .._rule import Rule

__all__ = [
    "ADD_ON",
    "ONCE",
    "ONCE_PER_PRIMARY",
    "ONE_PER_SESSION",
    "POOLED",
    "THERAPY_DISCIPLINE_MODIFIERS",
    "TIMED",
    "UNPAID",
    "UNSEEN",
    "Visit",
    "codes_text",
    "kept",
    "kept_finding",
    "ptp_edit",
    "visit",
]

GP, GO, GN = Modifier("GP"), Modifier("GO"), Modifier("GN")
THERAPY_DISCIPLINE_MODIFIERS = frozenset({GP, GO, GN})  # a set: membership by cached hash


# Untimed add-ons reported once per primary service (not per area, item or time): CPT's
# instructions for interactive complexity (90785: once per psychiatric service it complicates),
# pharmacologic management with psychotherapy (90863) and psychotherapy with an E/M visit
# (90833, 90836, 90838: one per E/M visit). Add-ons counted per area (97598, each further
# 20 sq cm) or by time (ladders) are not in the list.
ONCE_PER_PRIMARY = frozenset({"90785", "90863", "90833", "90836", "90838"})

# What a code is, for the rules that judge few kinds of code: each returns at once on a claim
# without one (Visit.kinds holds its lines' kinds, or-ed).
ADD_ON = 1  # an add-on code
ONCE = 2  # one of ONCE_PER_PRIMARY
ONE_PER_SESSION = 4  # an untimed or time-band code that is not an add-on
TIMED = 8  # a timed code or a ladder
UNPAID = 16  # a code with a span of a status Medicare does not pay (code-not-payable)
POOLED = 32  # a timed code of 15-minute units the 8-minute rule pools (no ladder)


def _kinds(text: str, info: CodeInfo | None) -> int:
    kinds = (UNPAID if text in _pfs_status.unpaid_codes() else 0) | (
        ONCE if text in ONCE_PER_PRIMARY else 0
    )
    if info is None:
        return kinds
    timing = info.timing
    if info.add_on:
        kinds |= ADD_ON
    elif timing is Timing.UNTIMED or timing is Timing.BAND:
        kinds |= ONE_PER_SESSION
    if timing is Timing.TIMED or timing is Timing.LADDER:
        kinds |= TIMED
        if timing is Timing.TIMED and info.pooled and info.unit_minutes == CMS_UNIT:
            kinds |= POOLED
    return kinds


class Visit:
    """What the rules that compare lines read of one claim, computed once for all of them.

    Attributes:
        infos: per line, the catalog's record of its code (``None`` when unknown).
        line_kinds: per line, the kinds of its code (``ADD_ON | TIMED`` ...).
        kinds: the kinds of the claim's codes, or-ed.
        days: line indexes by date of service, in line order.
        codes: line indexes by code and date of service, in line order.
        repeats: whether some code is on two lines of one date.
        diagnoses: what the diagnosis rules found of the claim's diagnoses, ``None`` until
            the first of them asks (``rules.diagnoses`` sets it).
    """

    __slots__ = ("codes", "days", "diagnoses", "infos", "kinds", "line_kinds", "repeats")

    def __init__(self, claim: Claim, context: Context) -> None:
        self.diagnoses: object = None
        lines = claim.lines
        known: dict[str, tuple[CodeInfo | None, int]] = context._kinds
        infos: list[CodeInfo | None] = []
        line_kinds: list[int] = []
        kinds = 0
        for line in lines:
            text = line.code.value
            found = known.get(text)
            if found is None:
                info = context.code_info(line.code)
                found = keep(known, text, (info, _kinds(text, info)))
            infos.append(found[0])
            line_kinds.append(found[1])
            kinds |= found[1]
        self.infos = infos
        self.line_kinds = line_kinds
        self.kinds = kinds
        self.days: dict[datetime.date, list[int]]
        self.codes: dict[tuple[Code, datetime.date], list[int]]
        # Grouping is by the real date of service: `on` changes the date codes are judged
        # valid on, never which services happened on one day.
        first = lines[0].date_of_service
        if len(lines) == 1:
            self.days = {first: [0]}
            self.codes = {(lines[0].code, first): [0]}
            self.repeats = False
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
        self.repeats = len(codes) < len(lines)
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


def visit(claim: Claim, context: Context) -> Visit:
    """The claim's :class:`Visit` (do not modify it).

    Several rules read the same claim's digest, claim by claim or (in
    :meth:`~cptkit.validation.Checker.check_many`) rule by rule over a batch of claims: the
    last ones are kept in the context by the claims' ids, each with its claim (compared by
    identity: the entry holds the claim, so its id is not reused while kept)."""
    digests = context._digests
    entry = digests.get(id(claim))
    if entry is not None and entry[0] is claim:
        return entry[1]  # type: ignore[no-any-return]
    found = Visit(claim, context)
    if len(digests) >= _DIGESTS:
        digests.clear()
    digests[id(claim)] = (claim, found)
    return found


_DIGESTS = 64  # digests kept at most (a batch of check_many holds 32 claims)


UNSEEN = object()  # no entry yet in the context's memo (ptp_edit keeps None for no edit)
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
    edit = context.memo.get(key, UNSEEN)
    if edit is UNSEEN:
        edits = context.catalog.ptp_edits(code_a, code_b)
        edit = context.remember(key, next((e for e in edits if e.in_force_on(day)), None))
    return edit if isinstance(edit, PTPEdit) else None


def codes_text(codes: object) -> str:
    """``"96130, 96131"`` from an iterable of codes."""
    return ", ".join(str(code) for code in codes)  # type: ignore[attr-defined]
