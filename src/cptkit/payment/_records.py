# SPDX-License-Identifier: MIT
"""What an estimate says: per-line figures, claim totals, notices, and their renderings."""

from __future__ import annotations

import html
from decimal import Decimal
from typing import Any

import attrs

from ..codes import Code

__all__ = ["LINE_COLUMNS", "Estimate", "LineEstimate", "Notice"]


@attrs.frozen
class Notice:
    """Something the reader of an estimate must know: stale or missing data, an assumption.

    Attributes:
        kind: a stable id: ``data-stale`` (the date is past the newest packaged release),
            ``release-later`` (the year's packaged release starts after the date),
            ``no-place-of-service`` / ``place-unassigned`` (non-facility rates assumed),
            ``facility-pe-missing`` / ``non-facility-pe-missing`` (the other PE used),
            ``not-paid`` (the status says Medicare pays nothing for the line),
            ``charge-lower`` (the line's charge is below the fee schedule amount: it is paid),
            ``assistant-not-reduced`` (CQ/CO on a speech-language pathology line: SSA sec.
            1834(v) reduces PT and OT assistants' services only).
        line: the 0-based line it is about, or ``None`` for the claim.
        message: one line, naming codes, dates and releases only.

    .. versionadded:: 0.2.0
    """

    kind: str
    line: int | None
    message: str


@attrs.frozen
class LineEstimate:
    """The fee schedule arithmetic of one claim line.

    Per unit: ``work``, ``pe`` and ``mp`` are the RVUs times the locality's GPCIs (exact);
    ``unit_amount`` is their sum times the conversion factor, rounded to cents.
    ``reduced_units`` of the ``units`` are paid at ``reduced_unit_amount`` (the PE half paid,
    MPPR). ``allowed`` is what is left after the MPPR, the lower charge if the line's charge is
    below the fee schedule amount, and the CQ/CO reduction.

    .. versionadded:: 0.2.0
    """

    line: int
    code: Code
    units: int
    release: str
    setting: str
    status: str
    multiple_procedure: int
    work_rvu: Decimal
    pe_rvu: Decimal
    mp_rvu: Decimal
    work_gpci: Decimal
    pe_gpci: Decimal
    mp_gpci: Decimal
    work: Decimal
    pe: Decimal
    mp: Decimal
    conversion_factor: Decimal
    unit_amount: Decimal
    reduced_unit_amount: Decimal
    reduced_units: int
    mppr_reduction: Decimal
    charge_reduction: Decimal
    """What the line's charge takes off when it is below the fee schedule amount."""
    assistant_reduction: Decimal
    allowed: Decimal
    paid: bool
    """``False`` when the status says Medicare pays nothing for the code (allowed is 0)."""

    @property
    def line_number(self) -> int:
        """The line's 1-based number, as on a CMS-1500 (:attr:`line` is the 0-based index)."""
        return self.line + 1

    def to_record(self) -> dict[str, Any]:
        """A plain dict (JSON-ready: numbers as text) of the line's figures, with both the
        0-based ``line`` and the 1-based ``line_number``."""
        record: dict[str, Any] = {}
        for field in attrs.fields(LineEstimate):
            value = getattr(self, field.name)
            record[field.name] = str(value) if isinstance(value, (Decimal, Code)) else value
            if field.name == "line":
                record["line_number"] = self.line_number
        return record


@attrs.frozen
class Estimate:
    """What Medicare would allow and pay for a claim under the Physician Fee Schedule.

    Attributes:
        claim_id: the claim's id, if it has one.
        locality: the MAC locality priced (``"10112-00"``).
        lines: one :class:`LineEstimate` per claim line, in claim order.
        allowed: the claim's allowed amount (the lines' sum).
        mppr_reduction, assistant_reduction: what the therapy MPPR and CQ/CO took off.
        medicare_share: 80 % of the allowed amount, rounded to cents.
        coinsurance: the patient's 20 % (allowed minus Medicare's share).
        sequestration: the 2 % payment reduction taken off Medicare's share when asked
            for (``sequestration=True``), else 0.
        medicare_payment: Medicare's share less sequestration.
        notices: what the reader must know (stale data, assumptions).

    .. versionadded:: 0.2.0
    """

    claim_id: str | None
    locality: str
    lines: tuple[LineEstimate, ...]
    allowed: Decimal
    mppr_reduction: Decimal
    assistant_reduction: Decimal
    medicare_share: Decimal
    coinsurance: Decimal
    sequestration: Decimal
    medicare_payment: Decimal
    notices: tuple[Notice, ...]

    @property
    def stale(self) -> bool:
        """Whether some line's date is past the newest packaged release."""
        return any(notice.kind == "data-stale" for notice in self.notices)

    def to_record(self) -> dict[str, Any]:
        """A plain dict (JSON-ready: amounts as text) of the estimate."""
        return {
            "claim_id": self.claim_id,
            "locality": self.locality,
            "allowed": str(self.allowed),
            "mppr_reduction": str(self.mppr_reduction),
            "assistant_reduction": str(self.assistant_reduction),
            "medicare_share": str(self.medicare_share),
            "coinsurance": str(self.coinsurance),
            "sequestration": str(self.sequestration),
            "medicare_payment": str(self.medicare_payment),
            "lines": [line.to_record() for line in self.lines],
            "notices": [attrs.asdict(notice) for notice in self.notices],
        }

    def explain(self) -> str:
        """The arithmetic in plain words, line by line, then the totals and notices."""
        head = f"claim {self.claim_id}: " if self.claim_id else ""
        out = [f"{head}Medicare Physician Fee Schedule estimate, locality {self.locality}"]
        for line in self.lines:
            out += _explain_line(line)
        out.append(f"Allowed in total: ${self.allowed}")
        out.append(f"Medicare pays 80%: ${self.medicare_share}")
        out.append(f"Patient coinsurance 20%: ${self.coinsurance}")
        if self.sequestration:
            out.append(
                f"Sequestration 2% of Medicare's share: -${self.sequestration}, Medicare pays"
                f" ${self.medicare_payment}"
            )
        out.append("Assumes the Part B deductible is met and the claim is paid as billed.")
        for notice in self.notices:
            where = "claim" if notice.line is None else f"line {notice.line + 1}"
            out.append(f"Note ({notice.kind}, {where}): {notice.message}")
        return "\n".join(out)

    def __str__(self) -> str:
        return self.explain()

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(self.explain())

    def _repr_html_(self) -> str:
        columns = LINE_COLUMNS
        head = "".join(f"<th>{name.replace('_', ' ')}</th>" for name in columns)
        rows = "".join(
            "<tr>"
            + "".join(f"<td>{html.escape(str(getattr(line, name)))}</td>" for name in columns)
            + "</tr>"
            for line in self.lines
        )
        totals = (
            f"allowed ${self.allowed}; Medicare 80% ${self.medicare_share}; coinsurance"
            f" ${self.coinsurance}"
        )
        if self.sequestration:
            totals += f"; after 2% sequestration Medicare pays ${self.medicare_payment}"
        notes = "".join(
            f"<li>{html.escape(notice.kind)}: {html.escape(notice.message)}</li>"
            for notice in self.notices
        )
        title = html.escape(f"claim {self.claim_id}: " if self.claim_id else "")
        return (
            f"<div class='cptkit-estimate'><p>{title}PFS estimate, locality"
            f" {html.escape(self.locality)}</p><table><thead><tr>{head}</tr></thead>"
            f"<tbody>{rows}</tbody></table><p>{html.escape(totals)}</p>"
            + (f"<ul>{notes}</ul>" if notes else "")
            + "</div>"
        )


LINE_COLUMNS = (
    "line_number",
    "code",
    "units",
    "release",
    "setting",
    "unit_amount",
    "reduced_units",
    "mppr_reduction",
    "assistant_reduction",
    "allowed",
)
"""The figures of a line a summary shows (``_repr_html_``, the CLI's CSV)."""


def _explain_line(line: LineEstimate) -> list[str]:
    out = [
        f"line {line.line_number}: {line.code} x{line.units} ({line.release}, {line.setting},"
        f" status {line.status})"
    ]
    if not line.paid:
        out.append("  not paid under the fee schedule: allowed $0.00")
        return out
    out.append(
        f"  work {line.work_rvu} x {line.work_gpci} + PE {line.pe_rvu} x {line.pe_gpci}"
        f" + MP {line.mp_rvu} x {line.mp_gpci} = {line.work + line.pe + line.mp} RVUs"
        f" x ${line.conversion_factor} = ${line.unit_amount} a unit"
    )
    if line.reduced_units:
        out.append(
            f"  therapy MPPR: {line.reduced_units} unit(s) with half the PE at"
            f" ${line.reduced_unit_amount}: -${line.mppr_reduction}"
        )
    if line.charge_reduction:
        out.append(f"  the charge is lower and is paid: -${line.charge_reduction}")
    if line.assistant_reduction:
        out.append(f"  CQ/CO: paid at 85%: -${line.assistant_reduction}")
    out.append(f"  allowed ${line.allowed}")
    return out
