# SPDX-License-Identifier: MIT
"""What checking produces: severities, findings and the report of one claim.

>>> from cptkit.validation import Finding, Report, Severity
>>> report = Report((Finding("code-unknown", Severity.WARNING, 0, "code", "0000T unknown"),))
>>> report.ok, report.counts()["warning"]
(True, 1)
"""

from __future__ import annotations

import enum
import html
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import attrs

if TYPE_CHECKING:
    import pandas

__all__ = ["Finding", "Report", "Severity"]


class Severity(enum.Enum):
    """How bad a finding is. Only ``ERROR`` makes a report not ``ok``."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


# By value (``_value_``, a plain attribute): a str hashes in C, an enum member in Python.
_SEVERITY_ORDER = {Severity.ERROR._value_: 0, Severity.WARNING._value_: 1, Severity.INFO._value_: 2}


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

    @property
    def line_number(self) -> int | None:
        """The line's 1-based number, as on a CMS-1500 (``None`` for the claim itself): the
        number to show people; :attr:`line` is the 0-based index into ``claim.lines``.

        .. versionadded:: 0.2.0
        """
        return None if self.line is None else self.line + 1

    def sort_key(self) -> tuple[int, str, int, str]:
        """Line (claim-level first), then rule id, then severity, then message."""
        line = -1 if self.line is None else self.line
        return (line, self.rule, _SEVERITY_ORDER[self.severity._value_], self.message)

    def to_record(self) -> dict[str, Any]:
        """A plain dict (JSON-ready) of the finding."""
        return {
            "rule": self.rule,
            "severity": self.severity.value,
            "line": self.line,
            "line_number": self.line_number,
            "field": self.field,
            "message": self.message,
            "carc": self.carc,
            "suggestion": self.suggestion,
        }


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

    def to_pandas(self) -> pandas.DataFrame:
        """The findings as a :class:`pandas.DataFrame` (needs pandas installed; for many
        reports, :func:`cptkit.frames.findings_frame`)."""
        try:
            import pandas
        except ImportError:
            from ..errors import CptkitError

            raise CptkitError("to_pandas() needs pandas: pip install 'cptkit[pandas]'") from None
        columns = [
            "claim_id",
            "rule",
            "severity",
            "line",
            "line_number",
            "field",
            "message",
            "carc",
            "suggestion",
        ]
        frame = pandas.DataFrame(self.to_records(), columns=columns)
        # A claim-level finding has no line: keep the column whole numbers, not floats with NaN.
        frame["line"] = frame["line"].astype("Int64")
        frame["line_number"] = frame["line_number"].astype("Int64")
        return frame

    def __str__(self) -> str:
        head = f"claim {self.claim_id}: " if self.claim_id else ""
        counts = self.counts()
        lines = [
            f"{head}{'ok' if self.ok else 'NOT OK'} ({counts['error']} errors,"
            f" {counts['warning']} warnings, {counts['info']} info)"
        ]
        for f in self.findings:
            where = "claim" if f.line_number is None else f"line {f.line_number}"
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
                    "claim" if f.line_number is None else f.line_number,
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
