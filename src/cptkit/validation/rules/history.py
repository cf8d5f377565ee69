# SPDX-License-Identifier: MIT
"""Rules across claims: they read the patient's earlier claims from the context's
:class:`~cptkit.history.History`, and do nothing without one (or without a patient key).

Sources: CMS NCCI Policy Manual ch. 1 and the NCCI MUE pages (PTP edits apply to the same
beneficiary, provider and date of service across claims; MAI 2 and 3 MUEs are date-of-service
edits: the most units a provider reports for one beneficiary on one date, summed over the
claims); CARC 18 (exact duplicate claim or
service; Medicare contractors answer it with group OA); Social Security Act sec. 1833(g) for
the KX threshold (:mod:`~cptkit.validation.rules.thresholds`); CARC 197 (authorization absent)
and 198 (authorization exceeded).

``units-exceed-mue``, ``ncci-ptp`` and ``kx-threshold`` keep their ids across claims: a payer
denies a service for the same edit whichever claim its partner came on. The rules here report
only what the one-claim rules cannot see (a pair or a sum that needs an earlier claim), so a
claim checked without a history gets exactly the findings it got before. Every finding names
the earlier claim by its claim id only.
"""

from __future__ import annotations

import datetime
import threading
import weakref
from collections.abc import Collection, Iterable, Iterator
from decimal import Decimal

import attrs

from ...claims import Claim, ClaimLine
from ...codes import Code
from ...history import Authorization, AuthorizationPolicy, RecordedLine, usage
from ...modifiers import Modifier
from ...providers import NPI
from .._context import Context
from .._findings import Finding, Severity
from .._rule import Rule
from ._common import GN, GO, GP, TIMED, ptp_edit, visit
from ._ncci import Side, pair_findings
from .thresholds import kx_threshold
from .units import limits_payer

__all__ = [
    "authorization_exceeded",
    "authorization_expired",
    "authorization_missing",
    "duplicate_claim",
    "kx_threshold_across_claims",
    "ncci_ptp_across_claims",
    "units_exceed_mue_across_claims",
]


class Earlier:
    """The patient's recorded lines a claim is compared with: other claims (not this claim
    id), not void, to the claim's payer (either label unknown matches: each payer judges the
    claims sent to it, so a secondary payer's claim duplicates nothing), from January 1 of the
    claim's first year to its last date of service.

    Attributes:
        lines: those lines, by date.
        days: the same, by date of service.
    """

    __slots__ = ("days", "lines")

    def __init__(self, lines: tuple[RecordedLine, ...]) -> None:
        self.lines = lines
        self.days: dict[datetime.date, list[RecordedLine]] = {}
        for line in lines:
            self.days.setdefault(line.date_of_service, []).append(line)


_LAST = threading.local()


def earlier(claim: Claim, context: Context) -> Earlier | None:
    """The :class:`Earlier` lines of *claim*'s patient, or ``None`` without a history or a
    patient key.

    The rules of one check read it once: it is kept per thread for the last claim, as
    :func:`._common.visit` is, while the history's ``revision`` (when it has one) says nothing
    was recorded since; a history without one is asked again by each rule.
    """
    history = context.history
    if history is None or claim.patient is None:
        return None
    revision = getattr(history, "revision", None)
    last = getattr(_LAST, "value", None)
    if (
        revision is not None
        and last is not None
        and last[0]() is claim
        and last[1]() is context
        and last[3] == revision
    ):
        return last[2]  # type: ignore[no-any-return]
    days = [line.date_of_service for line in claim.lines]
    start, end = datetime.date(min(days).year, 1, 1), max(days)
    own = claim.claim_id
    payer = claim.payer
    found = Earlier(
        tuple(
            line
            for line in history.lines(claim.patient, start=start, end=end)
            if line.status != "void"
            and (own is None or line.claim_id != own)
            and (payer is None or line.payer is None or line.payer == payer)
        )
    )
    _LAST.value = (weakref.ref(claim), weakref.ref(context), found, revision)
    return found


def billed_elsewhere(
    claim: Claim, context: Context, day: datetime.date, codes: Collection[Code]
) -> bool:
    """Whether the patient's other claims in the context's history (:func:`earlier`) have a
    line of one of *codes* on *day* from *claim*'s provider (a primary of an add-on, say);
    ``False`` without a history or a patient key."""
    return units_elsewhere(claim, context, day, codes)[0] > 0


def units_elsewhere(
    claim: Claim, context: Context, day: datetime.date, codes: Collection[Code]
) -> tuple[int, frozenset[str | None]]:
    """The units of *codes* the patient's other claims in the context's history bill on *day*
    from *claim*'s provider, and those claims' ids; ``(0, frozenset())`` without a history or
    a patient key."""
    found = earlier(claim, context)
    if found is None:
        return 0, frozenset()
    provider = _provider(claim)
    others = [
        other
        for other in found.days.get(day, ())
        if other.code in codes and _same_provider(provider, other.provider)
    ]
    return sum(other.units for other in others), frozenset(other.claim_id for other in others)


@attrs.frozen
class _AcrossClaims(Rule):
    """A rule across claims: without a history it is not run at all (no generator made), so
    the usual run pays next to nothing for it."""

    def __call__(self, claim: Claim, context: Context) -> Iterable[Finding]:
        if context.history is None:
            return ()
        return self.check(claim, context)


def _provider(claim: Claim) -> NPI | None:
    return claim.billing_provider if claim.rendering_provider is None else claim.rendering_provider


def _same_provider(mine: NPI | None, theirs: NPI | None) -> bool:
    # Unknown on either side cannot tell two providers apart: the edit is assumed to apply.
    return mine is None or theirs is None or mine == theirs


def claims_named(claim_ids: Iterable[str | None]) -> str:
    names = sorted({"(no id)" if claim_id is None else claim_id for claim_id in claim_ids})
    return ("claim " if len(names) == 1 else "claims ") + ", ".join(names)


@attrs.frozen
class _DuplicateClaim(_AcrossClaims):
    def check(self, claim: Claim, context: Context) -> Iterator[Finding]:
        found = earlier(claim, context)
        if found is None:
            return
        provider = _provider(claim)
        carc = "OA-18" if context.policy.name == "Medicare" else "CO-18"
        for index, line in enumerate(claim.lines):
            modifiers = frozenset(line.modifiers)
            for other in found.days.get(line.date_of_service, ()):
                if (
                    other.code == line.code
                    and frozenset(other.modifiers) == modifiers
                    and _same_provider(provider, other.provider)
                ):
                    yield self.finding(
                        index,
                        "code",
                        f"{line.code} with the same modifiers and date was already billed on"
                        f" {claims_named([other.claim_id])}",
                        suggestion=(
                            # A timed code's units of a day go on one line (CMS Pub. 100-04
                            # ch. 5 sec. 20.2): no repeat or bypass modifier makes two.
                            "send a replacement claim to correct the earlier one"
                            if visit(claim, context).line_kinds[index] & TIMED
                            else "send a replacement claim to correct the earlier one; add 76/77"
                            " or 59/X{EPSU} only if it truly was a separate service"
                        ),
                        carc=carc,
                    )
                    break


@attrs.frozen
class _UnitsExceedMueAcross(_AcrossClaims):
    def check(self, claim: Claim, context: Context) -> Iterator[Finding]:
        found = earlier(claim, context)
        if found is None:
            return
        lines = claim.lines
        provider = _provider(claim)
        for (code, day), indexes in visit(claim, context).codes.items():
            others = [
                o
                for o in found.days.get(day, ())
                if o.code == code and _same_provider(provider, o.provider)
            ]
            if not others:
                continue
            limit = _day_limit(context, code, day)
            if limit is None:
                continue
            units, what = limit
            own = sum(lines[i].units for i in indexes)
            total = own + sum(o.units for o in others)
            if own <= units < total:  # over by this claim alone: units-exceed-mue says so
                yield self.finding(
                    indexes[0],
                    "units",
                    f"{code}: {total} units on one date with {claims_named(o.claim_id for o in others)}"
                    f" exceed {what}",
                    suggestion=f"the patient's claims of the day may bill at most {units}",
                )


def _day_limit(context: Context, code: Code, day: datetime.date) -> tuple[int, str] | None:
    """The units per date of service *code* may reach across claims, and how to name the
    limit, as ``units-exceed-mue`` judges one claim: the payer's own cap
    (:attr:`PayerPolicy.unit_caps`) before the MUE, no MUE when the policy applies none, and
    not a 0 that encodes Medicare payment status for a payer that does not take it as a
    limit; per line (MAI 1) limits do not add up across claims."""
    policy = context.policy
    cap = policy.unit_cap(code) if policy.unit_caps else None
    if cap is not None:
        return cap, f"the payer's cap of {cap} per day"
    if not policy.apply_mue:
        return None
    edit = context.mue(code, context.day(day))
    if edit is None or not edit.per_day:
        return None
    if not limits_payer(policy, edit):
        return None
    return edit.units, f"the MUE of {edit.units} per day (MAI {edit.mai})"


@attrs.frozen
class _NcciPtpAcross(_AcrossClaims):
    def check(self, claim: Claim, context: Context) -> Iterator[Finding]:
        found = earlier(claim, context)
        if found is None:
            return
        provider = _provider(claim)
        for index, line in enumerate(claim.lines):
            others = found.days.get(line.date_of_service)
            if not others:
                continue
            partners = context.ptp_partners(line.code)
            reported: set[tuple[str | None, str]] = set()
            for other in others:
                if (
                    other.code.value not in partners
                    or not _same_provider(provider, other.provider)
                    or (other.claim_id, other.code.value) in reported
                ):
                    continue
                findings = self._pair(context, index, line, other)
                if any(f.severity is not Severity.WARNING for f in findings):
                    # the pair's finding (not a bypass's warnings): once per claim and code
                    reported.add((other.claim_id, other.code.value))
                yield from findings

    def _pair(
        self, context: Context, index: int, line: ClaimLine, other: RecordedLine
    ) -> list[Finding]:
        edit = ptp_edit(context, line.code, other.code, context.day(line.date_of_service))
        if edit is None:
            return []
        sides = (
            Side(index, line.code, line.modifiers),
            Side(None, other.code, other.modifiers),
        )
        where = f" ({other.code} on {claims_named([other.claim_id])})"
        return pair_findings(self, context, edit, sides, index, where)


_ONE_CLAIM_KX = kx_threshold()


@attrs.frozen
class _KxThresholdAcross(_AcrossClaims):
    def check(self, claim: Claim, context: Context) -> Iterator[Finding]:
        found = earlier(claim, context)
        facts = context.facts
        if found is None or facts.pt_slp_amount_ytd is not None or facts.ot_amount_ytd is not None:
            return  # amounts given as facts win over the history's
        first = min(line.date_of_service for line in claim.lines)
        amounts = {"ot": Decimal(0), "pt": Decimal(0)}
        claims: set[str | None] = set()
        for other in found.lines:
            if other.date_of_service.year != first.year or other.date_of_service > first:
                continue
            bucket = _bucket(other.modifiers)
            if bucket is not None and other.allowed is not None:
                amounts[bucket] += other.allowed
                claims.add(other.claim_id)
        if not claims:
            return
        with_amounts = Context(
            catalog=context.catalog,
            policy=context.policy,
            on=context.on,
            facts=attrs.evolve(facts, pt_slp_amount_ytd=amounts["pt"], ot_amount_ytd=amounts["ot"]),
        )
        where = f" (year-to-date from the history's {claims_named(claims)})"
        for finding in _ONE_CLAIM_KX.check(claim, with_amounts):
            yield attrs.evolve(finding, message=finding.message + where)


def _bucket(modifiers: tuple[Modifier, ...]) -> str | None:
    if GO in modifiers:
        return "ot"
    if GP in modifiers or GN in modifiers:
        return "pt"
    return None


def _authorizations(claim: Claim, context: Context) -> tuple[Authorization, ...]:
    history = context.history
    if history is None or claim.patient is None:
        return ()
    return tuple(a for a in history.authorizations(claim.patient) if a.payer_matches(claim.payer))


@attrs.frozen
class _AuthorizationMissing(_AcrossClaims):
    policy: AuthorizationPolicy

    def check(self, claim: Claim, context: Context) -> Iterator[Finding]:
        if context.history is None or claim.patient is None:
            return
        auths = _authorizations(claim, context)
        for index, line in enumerate(claim.lines):
            code, day = line.code, line.date_of_service
            if not self.policy.requires(code, claim.payer):
                continue
            if any(a.covers(code, day, claim.payer) for a in auths):
                continue
            if any(code in a.codes and a.end < day for a in auths):
                continue  # authorization-expired says so
            yield self.finding(
                index,
                "code",
                f"{code} needs an authorization ({self.policy.name} policy) and none covers"
                " its date",
                suggestion="obtain the payer's authorization and record it before billing",
            )


@attrs.frozen
class _AuthorizationExpired(_AcrossClaims):
    policy: AuthorizationPolicy

    def check(self, claim: Claim, context: Context) -> Iterator[Finding]:
        auths = _authorizations(claim, context)
        if not auths:
            return
        for index, line in enumerate(claim.lines):
            code, day = line.code, line.date_of_service
            if not self.policy.requires(code, claim.payer) or any(
                a.covers(code, day, claim.payer) for a in auths
            ):
                continue
            ended = [a for a in auths if code in a.codes and a.end < day]
            if ended:
                last = max(ended, key=lambda a: a.end)
                yield self.finding(
                    index,
                    "date_of_service",
                    f"{code}: authorization {last.id} ended before this date of service",
                    suggestion="request an extension or a new authorization for this period",
                )


@attrs.frozen
class _AuthorizationExceeded(_AcrossClaims):
    def check(self, claim: Claim, context: Context) -> Iterator[Finding]:
        history = context.history
        auths = _authorizations(claim, context)
        if history is None or not auths:
            return
        own = claim.claim_id
        used: dict[str, dict[object, int]] = {}
        for index, line in enumerate(claim.lines):
            code, day = line.code, line.date_of_service
            auth = next((a for a in auths if a.covers(code, day, claim.payer)), None)
            if auth is None:
                continue
            if auth.id not in used:
                others = [
                    r
                    for r in history.lines(auth.patient, start=auth.start, end=auth.end)
                    if own is None or r.claim_id != own
                ]
                report = usage(auth, others)
                used[auth.id] = {code: n for code, n, _ in report.by_code} | {None: report.used}
            pool: object = None if auth.pooled else code
            before = used[auth.id][pool]
            used[auth.id][pool] = after = before + line.units
            limit = auth.total if auth.pooled else (auth.units_for(code) or 0)
            if after > limit:
                yield self.finding(
                    index,
                    "units",
                    f"{code}: {after} units exceed the {limit} authorized by {auth.id}"
                    f" ({after - line.units} used before this line)",
                    suggestion=f"{max(limit - before, 0)} units were left under {auth.id}",
                )


def duplicate_claim() -> Rule:
    """``duplicate-claim``: a line with the code, modifiers and date of a line of the
    patient's earlier claim from the same provider (CARC 18; group OA for the Medicare policy,
    CO otherwise)."""
    return _DuplicateClaim("duplicate-claim", Severity.ERROR, "CO-18")


def units_exceed_mue_across_claims() -> Rule:
    """``units-exceed-mue`` across claims: a MAI 2 or 3 code's units of the day, with the
    patient's other claims of that date from the same provider, exceed the MUE (this claim's
    alone do not)."""
    return _UnitsExceedMueAcross("units-exceed-mue", Severity.ERROR, "CO-151")


def ncci_ptp_across_claims() -> Rule:
    """``ncci-ptp`` across claims: an NCCI pair of this claim's line and a line of an earlier
    claim of the patient from the same provider on the same date."""
    return _NcciPtpAcross("ncci-ptp", Severity.ERROR, "CO-236")


def kx_threshold_across_claims() -> Rule:
    """``kx-threshold`` across claims: as the one-claim rule, with the year-to-date amounts
    summed from the allowed amounts recorded in the history (when none are given as facts)."""
    return _KxThresholdAcross("kx-threshold", Severity.ERROR, "CO-119")


def authorization_missing(policy: AuthorizationPolicy | None = None) -> Rule:
    """``authorization-missing``: a code that *policy* (default: the ABA preset) says needs
    an authorization has none recorded for the patient, payer and date."""
    chosen = AuthorizationPolicy.aba() if policy is None else policy
    return _AuthorizationMissing("authorization-missing", Severity.ERROR, "CO-197", chosen)


def authorization_expired(policy: AuthorizationPolicy | None = None) -> Rule:
    """``authorization-expired``: the code's authorization ended before the date of service
    (and no other covers it)."""
    chosen = AuthorizationPolicy.aba() if policy is None else policy
    return _AuthorizationExpired("authorization-expired", Severity.ERROR, "CO-197", chosen)


def authorization_exceeded() -> Rule:
    """``authorization-exceeded``: the units used on the patient's earlier claims plus this
    claim's pass what the authorization allows (pooled, or for the code)."""
    return _AuthorizationExceeded("authorization-exceeded", Severity.ERROR, "CO-198")
