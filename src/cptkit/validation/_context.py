# SPDX-License-Identifier: MIT
"""What rules read besides the claim: the facts a claim does not hold, and the context of a
run (catalog, payer policy, the date to judge on) with the per-run caches rules share.

>>> from cptkit import Code
>>> from cptkit.validation import Context
>>> context = Context(on="2026-03-02")
>>> context.code_info(Code("97110")).timed
True
"""

from __future__ import annotations

import bisect
import datetime
from collections.abc import Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any, TypeVar

import attrs

from .._cache import keep
from .._catalog import Catalog, default_catalog
from .._catalog import _day as to_day
from .._convert import to_date, to_decimal, to_int, to_optional_text
from ..codes import Code
from ..errors import InvalidInput
from ..modifiers import Modifier
from ..policy import PayerPolicy
from ..records import MUE, CodeInfo, Discipline, ModifierInfo, to_discipline

if TYPE_CHECKING:
    from ..history import History

__all__ = ["Context", "Facts"]


def _amount(value: object) -> Decimal | None:
    return None if value is None else to_decimal(value, InvalidInput, "amount")


def _locality(value: object) -> str | None:
    return to_optional_text(value, InvalidInput, "locality")


def _clinician(value: object) -> Discipline | None:
    return to_discipline(value, "clinician_discipline")


_UNBILLED_KEYS = ("GP", "GO", "GN")
Unbilled = tuple[tuple[tuple[datetime.date | None, str], int], ...]


def _unbilled(value: object) -> Unbilled:
    """``{"GP": 14}`` or ``{("2026-03-02", "GP"): 14}`` as sorted ``((date, modifier),
    minutes)`` pairs (``date`` ``None``: every date of the claim)."""
    if isinstance(value, tuple):
        value = dict(value)
    if not isinstance(value, Mapping):
        raise InvalidInput("unbilled_minutes", type(value).__name__, "a mapping such as {'GP': 14}")
    found: dict[tuple[datetime.date | None, str], int] = {}
    for key, minutes in value.items():
        day, mark = (key[0], key[-1]) if isinstance(key, tuple) and len(key) == 2 else (None, key)
        if mark not in _UNBILLED_KEYS:
            raise InvalidInput("unbilled_minutes", key, "'GP', 'GO', 'GN' or (date, 'GP')")
        when = None if day is None else to_date(day, InvalidInput, "unbilled_minutes")
        found[(when, mark)] = to_int(minutes, InvalidInput, "unbilled_minutes", minimum=0)
    return tuple(sorted(found.items(), key=lambda item: (str(item[0][0]), item[0][1])))


@attrs.frozen
class Facts:
    """What the claim alone does not say.

    Attributes:
        pt_slp_amount_ytd: the beneficiary's Medicare-allowed PT and SLP amount this year
            before this claim (for the KX threshold), or ``None`` when unknown. Text, ``int``
            or ``Decimal``; never a float.
        ot_amount_ytd: the same for OT, which has its own threshold.
        clinician_discipline: the rendering clinician's discipline, when known.
        locality: the Medicare PFS locality the services are furnished in (``"10112-00"``),
            when known: with a year-to-date amount, ``kx-threshold`` estimates where this
            claim's allowed amounts cross the threshold (:mod:`cptkit.payment`).
        unbilled_minutes: timed minutes of 15-minute codes furnished but not billed because
            they earned no unit under the 8-minute rule (CMS Pub. 100-04 ch. 5 sec. 20.2,
            Example 5), per therapy discipline modifier: ``{"GP": 14}`` for every date of the
            claim, or ``{("2026-03-02", "GP"): 14}`` for one date. ``units-minutes-mismatch``
            adds them to that date's and discipline's pool (Medicare rule only).

    .. versionchanged:: 0.2.0
       *unbilled_minutes*.
    """

    pt_slp_amount_ytd: Decimal | None = attrs.field(default=None, converter=_amount)
    ot_amount_ytd: Decimal | None = attrs.field(default=None, converter=_amount)
    clinician_discipline: Discipline | None = attrs.field(default=None, converter=_clinician)
    locality: str | None = attrs.field(default=None, converter=_locality)
    unbilled_minutes: Unbilled = attrs.field(default=(), converter=_unbilled)

    def unbilled(self, day: datetime.date, mark: str | None) -> int:
        """The unbilled minutes for *day* and discipline modifier *mark* (0 when none)."""
        for (when, key), minutes in self.unbilled_minutes:
            if key == mark and (when is None or when == day):
                return minutes
        return 0


_V = TypeVar("_V")


@attrs.frozen
class Context:
    """What rules read besides the claim.

    A context is made once per run (:class:`~cptkit.validation.Checker` makes it) and shared
    by every claim checked in it: its caches hold what rules look up, each bounded (see
    ``cptkit._cache``), and the values kept are immutable, so threads may share a context.

    Attributes:
        catalog: the reference data (default: the packaged catalog).
        policy: the payer's policy (unit rule, telehealth expectations, KX thresholds).
        on: a date to judge every line on, or ``None`` to use each line's date of service.
        facts: facts the claim does not hold.
        acknowledged: ``(rule id, line)`` pairs a biller has attested to (for example that two
            services were distinct); their findings are kept, downgraded to info where the
            rule allows it (``ncci-ptp``: indicator 1 only; indicator 0 stays an error).
        history: the patients' earlier claims (:mod:`cptkit.history`) for the rules across
            claims, or ``None``.
        watched: the catalog tables ``data-stale`` watches: those the rules being run judge
            by (:class:`~cptkit.validation.Checker` sets it from its rule set), or ``None``
            for every table the built-in rules judge by.
    """

    catalog: Catalog = attrs.field(factory=default_catalog)
    policy: PayerPolicy = attrs.field(factory=PayerPolicy.medicare)
    on: datetime.date | None = attrs.field(default=None, converter=to_day)
    facts: Facts = attrs.field(factory=Facts)
    acknowledged: frozenset[tuple[str, int | None]] = frozenset()
    history: History | None = None
    watched: frozenset[str] | None = None
    _codes: dict[str, CodeInfo | None] = attrs.field(factory=dict, init=False, eq=False, repr=False)
    _modifiers: dict[Modifier, ModifierInfo | None] = attrs.field(
        factory=dict, init=False, eq=False, repr=False
    )
    _mues: dict[tuple[str, str], MUE | None] = attrs.field(
        factory=dict, init=False, eq=False, repr=False
    )
    _editions: dict[datetime.date, str] = attrs.field(
        factory=dict, init=False, eq=False, repr=False
    )
    _partners: dict[str, frozenset[str]] = attrs.field(
        factory=dict, init=False, eq=False, repr=False
    )
    _periods: dict[datetime.date, datetime.date] = attrs.field(
        factory=dict, init=False, eq=False, repr=False
    )
    _line_memos: dict[int, tuple[object, dict[object, Any]]] = attrs.field(
        factory=dict, init=False, eq=False, repr=False
    )
    # The built-in rules' digests of the last claims checked, by the claims' ids, each with
    # its claim (rules._common.visit); a batch's are dropped after it (RuleSet._run_batch).
    _digests: dict[int, tuple[object, Any]] = attrs.field(
        factory=dict, init=False, eq=False, repr=False
    )
    # Each code's record and kinds, by its text, for the built-in rules (rules._common).
    _kinds: dict[str, Any] = attrs.field(factory=dict, init=False, eq=False, repr=False)
    allocations: dict[object, Any] = attrs.field(factory=dict, init=False, eq=False, repr=False)
    """The units the units rules found for each distinct set of minutes (bounded)."""
    memo: dict[object, object] = attrs.field(factory=dict, init=False, eq=False, repr=False)
    """A cache rules may use for results that depend only on their key (kept per context).
    Add to it with :meth:`remember`, which keeps it bounded."""

    def __reduce__(self) -> tuple[Any, ...]:
        # A context travels as its settings; the caches are rebuilt where it lands.
        return (
            Context,
            (
                self.catalog,
                self.policy,
                self.on,
                self.facts,
                self.acknowledged,
                self.history,
                self.watched,
            ),
        )

    def remember(self, key: object, value: _V) -> _V:
        """Keep *value* in :attr:`memo` under *key* unless the memo is full; return *value*."""
        keep(self.memo, key, value)
        return value

    def day(self, service_date: datetime.date) -> datetime.date:
        """The date a line is judged on: the context's ``on``, else its date of service."""
        return service_date if self.on is None else self.on

    def period(self, day: datetime.date) -> datetime.date:
        """The first day of the stretch of time *day* falls in, for what a line is judged by.

        A stretch lies within one year (the therapy thresholds are yearly) and between two
        dates on which some code, modifier or place of service becomes or stops being valid, so
        every such record is valid on all of its days or on none, or on which the payer policy
        changes (:meth:`~cptkit.policy.PayerPolicy.change_dates`). Line rules see this day in
        place of the real one (:class:`~cptkit.validation.LineView`), so they judge every day
        of a stretch alike.
        """
        try:
            return self._periods[day]
        except KeyError:
            pass
        changes = self.catalog.validity_changes()
        first = datetime.date(day.year, 1, 1)
        index = bisect.bisect_right(changes, day)
        if index and changes[index - 1] > first:
            first = changes[index - 1]
        for change in self.policy.change_dates():
            if first < change <= day:
                first = change
        return keep(self._periods, day, first)

    def line_memo(self, owner: object) -> dict[object, Any]:
        """The line memo *owner* (a rule set) keeps in this context; add with
        ``cptkit._cache.keep``, which keeps it bounded."""
        entry = self._line_memos.get(id(owner))
        if entry is None or entry[0] is not owner:
            # Keyed by identity and holding the owner, so an id is never reused while kept.
            entry = self._line_memos[id(owner)] = (owner, {})
        return entry[1]

    def code_info(self, code: Code) -> CodeInfo | None:
        """The catalog's record for *code* (memoized), or ``None``."""
        # Keyed by the code's text: a str hashes in C, a Code in Python.
        try:
            return self._codes[code.value]
        except KeyError:
            return keep(self._codes, code.value, self.catalog.find(code))

    def modifier_info(self, modifier: Modifier) -> ModifierInfo | None:
        """The catalog's record for *modifier* (memoized), or ``None``."""
        try:
            return self._modifiers[modifier]
        except KeyError:
            return keep(self._modifiers, modifier, self.catalog.get_modifier(modifier))

    def mue(self, code: Code, day: datetime.date) -> MUE | None:
        """The catalog's MUE for *code* in the edition in force on *day* (memoized per code
        and edition), or ``None``."""
        edition = self._editions.get(day)
        if edition is None:
            edition = keep(self._editions, day, self.catalog.mue_edition(day))
        key = (code.value, edition)
        try:
            return self._mues[key]
        except KeyError:
            return keep(self._mues, key, self.catalog.mue(code, on=day))

    def ptp_partners(self, code: Code) -> frozenset[str]:
        """The codes *code* has NCCI rows with (memoized)."""
        try:
            return self._partners[code.value]
        except KeyError:
            return keep(self._partners, code.value, self.catalog.ptp_partners(code))
