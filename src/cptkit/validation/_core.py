# SPDX-License-Identifier: MIT
"""The shapes of validation: severities, findings, reports, the context rules read, and rules.

A rule is a small immutable callable ``rule(claim, context) -> Iterable[Finding]`` with a
stable ``id``. Rules never mutate anything and never add modifiers: a bypass modifier is a
biller's attestation, so cptkit only ever suggests one.
"""

from __future__ import annotations

import bisect
import datetime
import enum
import html
from collections.abc import Callable, Iterable, Iterator, Mapping
from decimal import Decimal
from typing import Any, TypeVar

import attrs

from .._cache import keep
from .._catalog import Catalog, default_catalog
from .._convert import to_decimal
from ..claims import Claim
from ..codes import Code
from ..errors import InvalidInput
from ..modifiers import Modifier
from ..policy import PayerPolicy
from ..records import MUE, CodeInfo, Discipline, ModifierInfo, to_discipline

__all__ = ["Context", "Facts", "Finding", "FunctionRule", "Report", "Rule", "Severity", "rule"]


class Severity(enum.Enum):
    """How bad a finding is. Only ``ERROR`` makes a report not ``ok``."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


_SEVERITY_ORDER = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}


@attrs.frozen
class Finding:
    """One thing a rule found.

    Attributes:
        rule: the stable rule id (``"units-exceed-mue"``).
        severity: error, warning or info.
        line: the 0-based index of the line in the claim, or ``None`` for the claim itself.
        field: the field at fault (``"modifiers"``, ``"units"`` ...), or ``None``.
        message: one line naming only the offending values (codes, modifiers, counts).
        carc: the Claim Adjustment Reason Code a payer would likely answer (``"CO-151"``).
        suggestion: what to do (replacement codes, the units the minutes support ...).
    """

    rule: str
    severity: Severity
    line: int | None
    field: str | None
    message: str
    carc: str | None = None
    suggestion: str | None = None

    def sort_key(self) -> tuple[int, str, int, str]:
        """Line (claim-level first), then rule id, then severity, then message."""
        line = -1 if self.line is None else self.line
        return (line, self.rule, _SEVERITY_ORDER[self.severity], self.message)

    def to_record(self) -> dict[str, Any]:
        """A plain dict (JSON-ready) of the finding."""
        return {
            "rule": self.rule,
            "severity": self.severity.value,
            "line": self.line,
            "field": self.field,
            "message": self.message,
            "carc": self.carc,
            "suggestion": self.suggestion,
        }


def _amount(value: object) -> Decimal | None:
    return None if value is None else to_decimal(value, InvalidInput, "amount")


def _clinician(value: object) -> Discipline | None:
    return to_discipline(value, "clinician_discipline")


@attrs.frozen
class Facts:
    """What the claim alone does not say.

    Attributes:
        pt_slp_amount_ytd: the beneficiary's Medicare-allowed PT and SLP amount this year
            before this claim (for the KX threshold), or ``None`` when unknown. Text, ``int``
            or ``Decimal``; never a float.
        ot_amount_ytd: the same for OT, which has its own threshold.
        clinician_discipline: the rendering clinician's discipline, when known.
    """

    pt_slp_amount_ytd: Decimal | None = attrs.field(default=None, converter=_amount)
    ot_amount_ytd: Decimal | None = attrs.field(default=None, converter=_amount)
    clinician_discipline: Discipline | None = attrs.field(default=None, converter=_clinician)


# Every cache and memo of a context holds at most CACHE_LIMIT entries (see cptkit._cache).
_V = TypeVar("_V")


@attrs.frozen
class Context:
    """What rules read besides the claim.

    Attributes:
        catalog: the reference data (default: the packaged catalog).
        policy: the payer's policy (unit rule, telehealth expectations, KX thresholds).
        on: a date to judge every line on, or ``None`` to use each line's date of service.
        facts: facts the claim does not hold.
        acknowledged: ``(rule id, line)`` pairs a biller has attested to (for example that two
            services were distinct); their findings are kept, downgraded to info.
    """

    catalog: Catalog = attrs.field(factory=default_catalog)
    policy: PayerPolicy = attrs.field(factory=PayerPolicy.medicare)
    on: datetime.date | None = None
    facts: Facts = attrs.field(factory=Facts)
    acknowledged: frozenset[tuple[str, int | None]] = frozenset()
    # Per-code facts, computed once per context and shared by every rule and claim checked
    # with it. The values are immutable; a race can only compute one twice.
    _codes: dict[Code, CodeInfo | None] = attrs.field(
        factory=dict, init=False, eq=False, repr=False
    )
    _modifiers: dict[Modifier, ModifierInfo | None] = attrs.field(
        factory=dict, init=False, eq=False, repr=False
    )
    _mues: dict[tuple[Code, str], MUE | None] = attrs.field(
        factory=dict, init=False, eq=False, repr=False
    )
    _partners: dict[Code, frozenset[str]] = attrs.field(
        factory=dict, init=False, eq=False, repr=False
    )
    _periods: dict[datetime.date, tuple[int, int]] = attrs.field(
        factory=dict, init=False, eq=False, repr=False
    )
    _memos: dict[tuple[int, str], tuple[object, dict[object, Any]]] = attrs.field(
        factory=dict, init=False, eq=False, repr=False
    )
    _shape_periods: dict[tuple[datetime.date, bool], tuple[int, int, int]] = attrs.field(
        factory=dict, init=False, eq=False, repr=False
    )
    memo: dict[object, object] = attrs.field(factory=dict, init=False, eq=False, repr=False)
    """A cache rules may use for results that depend only on their key (kept per context).
    Add to it with :meth:`remember`, which keeps it bounded."""

    def __reduce__(self) -> tuple[Any, ...]:
        # A context travels as its settings; the caches are rebuilt where it lands.
        return (Context, (self.catalog, self.policy, self.on, self.facts, self.acknowledged))

    def remember(self, key: object, value: _V) -> _V:
        """Keep *value* in :attr:`memo` under *key* unless the memo is full; return *value*."""
        keep(self.memo, key, value)
        return value

    def day(self, service_date: datetime.date) -> datetime.date:
        """The date a line is judged on."""
        return service_date if self.on is None else self.on

    def memo_for(self, owner: object, kind: str) -> dict[object, Any]:
        """The memo of one *kind* kept for *owner* (a rule set, or a rule's own cache) in this
        context. Add to it with :func:`keep`, which keeps it bounded."""
        key = (id(owner), kind)
        entry = self._memos.get(key)
        if entry is None or entry[0] is not owner:
            # Keyed by identity and holding the owner, so an id is never reused while kept.
            entry = self._memos[key] = (owner, {})
        return entry[1]

    def shape_period(self, service_date: datetime.date, edits: bool) -> tuple[int, int, int]:
        """The :meth:`period` of the day a line of *service_date* is judged on, and, when
        *edits* is true, where that day falls among the dates NCCI edits change (else 0).

        Shape rules (:class:`~cptkit.validation.ShapeRule`) judge a claim the same on two days
        with the same shape period.
        """
        key = (service_date, edits)
        try:
            return self._shape_periods[key]
        except KeyError:
            day = self.day(service_date)
            year, place = self.period(day)
            edit = bisect.bisect_right(self.catalog.edit_changes(), day) if edits else 0
            return keep(self._shape_periods, key, (year, place, edit))

    def period(self, day: datetime.date) -> tuple[int, int]:
        """Which stretch of time *day* falls in, for everything a line is judged by.

        Two days with the same period are in the same year (the therapy thresholds are yearly)
        and between the same two dates on which some code, modifier or place of service
        becomes or stops being valid, so every such record is valid on both or on neither.
        Line rules (:class:`~cptkit.validation.LineRule`) judge a line the same on both days.
        """
        try:
            return self._periods[day]
        except KeyError:
            place = bisect.bisect_right(self.catalog.validity_changes(), day)
            return keep(self._periods, day, (day.year, place))

    def code_info(self, code: Code) -> CodeInfo | None:
        """The catalog's record for *code* (memoized), or ``None``."""
        try:
            return self._codes[code]
        except KeyError:
            return keep(self._codes, code, self.catalog.find(code))

    def modifier_info(self, modifier: Modifier) -> ModifierInfo | None:
        """The catalog's record for *modifier* (memoized), or ``None``."""
        try:
            return self._modifiers[modifier]
        except KeyError:
            return keep(self._modifiers, modifier, self.catalog.get_modifier(modifier))

    def mue(self, code: Code, day: datetime.date) -> MUE | None:
        """The catalog's MUE for *code* in the edition in force on *day* (memoized per code
        and edition), or ``None``."""
        key = (code, self.catalog.mue_edition(day))
        try:
            return self._mues[key]
        except KeyError:
            return keep(self._mues, key, self.catalog.mue(code, on=day))

    def ptp_partners(self, code: Code) -> frozenset[str]:
        """The codes *code* has NCCI rows with (memoized)."""
        try:
            return self._partners[code]
        except KeyError:
            return keep(self._partners, code, self.catalog.ptp_partners(code))


class _Default(enum.Enum):
    DEFAULT = "default"


_DEFAULT = _Default.DEFAULT


@attrs.frozen
class Rule:
    """Base of the built-in rules: an id, a default severity and CARC, and a ``check``.

    Subclasses implement :meth:`check`; calling the rule runs it.
    """

    id: str
    severity: Severity
    carc: str | None

    def check(self, claim: Claim, context: Context) -> Iterator[Finding]:  # pragma: no cover
        raise NotImplementedError

    def __call__(self, claim: Claim, context: Context) -> Iterable[Finding]:
        return self.check(claim, context)

    def finding(
        self,
        line: int | None,
        field: str | None,
        message: str,
        *,
        suggestion: str | None = None,
        severity: Severity | None = None,
        carc: str | _Default | None = _DEFAULT,
    ) -> Finding:
        """A finding of this rule, with its defaults filled in (``carc=None``: no CARC)."""
        return Finding(
            rule=self.id,
            severity=self.severity if severity is None else severity,
            line=line,
            field=field,
            message=message,
            carc=self.carc if isinstance(carc, _Default) else carc,
            suggestion=suggestion,
        )

    @property
    def rule_ids(self) -> frozenset[str]:
        """The ids this rule can report."""
        return frozenset({self.id})


CheckFunction = Callable[[Claim, Context], Iterable[Finding]]


@attrs.frozen
class FunctionRule:
    """A user's function as a rule: ``FunctionRule("my-id", check)``."""

    id: str
    function: CheckFunction

    def __call__(self, claim: Claim, context: Context) -> Iterable[Finding]:
        return self.function(claim, context)

    @property
    def rule_ids(self) -> frozenset[str]:
        return frozenset({self.id})


def rule(rule_id: str) -> Callable[[CheckFunction], FunctionRule]:
    """Decorator: turn ``def check(claim, context) -> Iterable[Finding]`` into a rule.

    >>> from cptkit.validation import Finding, Severity, rule
    >>> @rule("no-payer")
    ... def no_payer(claim, context):
    ...     if claim.payer is None:
    ...         yield Finding("no-payer", Severity.WARNING, None, "payer", "no payer label")
    """

    def wrap(function: CheckFunction) -> FunctionRule:
        return FunctionRule(rule_id, function)

    return wrap


@attrs.frozen
class Report:
    """The findings for one claim.

    Attributes:
        findings: in stable order: by line (claim-level first), then rule id.
        claim_id: the claim's id, if it has one.
    """

    findings: tuple[Finding, ...]
    claim_id: str | None = None

    @property
    def ok(self) -> bool:
        """True when no finding is an error."""
        return not self.errors

    @property
    def errors(self) -> tuple[Finding, ...]:
        """The error-level findings."""
        return tuple(f for f in self.findings if f.severity is Severity.ERROR)

    @property
    def warnings(self) -> tuple[Finding, ...]:
        """The warning-level findings."""
        return tuple(f for f in self.findings if f.severity is Severity.WARNING)

    def counts(self) -> Mapping[str, int]:
        """Findings by severity: ``{"error": 1, "warning": 0, "info": 2}``."""
        return {s.value: sum(f.severity is s for f in self.findings) for s in Severity}

    def to_records(self) -> list[dict[str, Any]]:
        """One plain dict per finding, with the claim id."""
        return [{"claim_id": self.claim_id, **f.to_record()} for f in self.findings]

    def to_pandas(self) -> Any:
        """The findings as a :class:`pandas.DataFrame` (needs pandas installed)."""
        try:
            import pandas
        except ImportError:
            from ..errors import CptkitError

            raise CptkitError("to_pandas() needs pandas: pip install 'cptkit[pandas]'") from None
        columns = ["claim_id", "rule", "severity", "line", "field", "message", "carc", "suggestion"]
        frame = pandas.DataFrame(self.to_records(), columns=columns)
        # A claim-level finding has no line: keep the column whole numbers, not floats with NaN.
        frame["line"] = frame["line"].astype("Int64")
        return frame

    def __str__(self) -> str:
        head = f"claim {self.claim_id}: " if self.claim_id else ""
        counts = self.counts()
        lines = [
            f"{head}{'ok' if self.ok else 'NOT OK'} ({counts['error']} errors,"
            f" {counts['warning']} warnings, {counts['info']} info)"
        ]
        for f in self.findings:
            where = "claim" if f.line is None else f"line {f.line}"
            extra = f" [{f.carc}]" if f.carc else ""
            lines.append(f"  {f.severity.value:7} {where:8} {f.rule}: {f.message}{extra}")
            if f.suggestion:
                lines.append(f"  {'':7} {'':8} -> {f.suggestion}")
        return "\n".join(lines)

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        # IPython's plain-text display (terminal, text/plain): the readable form, not the repr.
        printer.text(str(self))

    def _repr_html_(self) -> str:
        counts = self.counts()
        head = f"claim {html.escape(self.claim_id)}: " if self.claim_id else ""
        status = (
            f"<p>{head}{'ok' if self.ok else 'not ok'}: {len(self.findings)} finding(s)"
            f" ({counts['error']} errors, {counts['warning']} warnings, {counts['info']} info)</p>"
        )
        if not self.findings:
            return f"<div class='cptkit-report'>{status}</div>"
        rows = "".join(
            "<tr>"
            + "".join(
                f"<td>{html.escape('' if value is None else str(value))}</td>"
                for value in (
                    f.severity.value,
                    "claim" if f.line is None else f.line,
                    f.rule,
                    f.message,
                    f.carc,
                    f.suggestion,
                )
            )
            + "</tr>"
            for f in self.findings
        )
        return (
            f"<div class='cptkit-report'>{status}<table><thead><tr><th>severity</th>"
            "<th>line</th><th>rule</th><th>message</th><th>CARC</th><th>suggestion</th></tr>"
            f"</thead><tbody>{rows}</tbody></table></div>"
        )
