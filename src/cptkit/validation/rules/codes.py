# SPDX-License-Identifier: MIT
"""Rules about the procedure code itself: known to the dataset, valid on the date.

Sources: CMS HCPCS and CPT annual updates (codes are valid from their effective date and
deleted codes are rejected for later dates of service; X12 CARC 181, "procedure code was
invalid on the date of service").
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator

import attrs

from ...codes import Code
from ...records import CodeInfo
from .._context import Context
from .._findings import Finding, Severity
from .._rule import LineRule, LineView, Rule
from ._common import codes_text

__all__ = ["code_inactive", "code_unknown"]


@attrs.frozen
class _CodeUnknown(LineRule):
    def check_line(self, index: int, line: LineView, context: Context) -> Iterator[Finding]:
        if context.code_info(line.code) is None:
            yield self.finding(
                index,
                "code",
                f"{line.code} is not in the cptkit dataset; its rules cannot be checked",
                suggestion="check the code against the payer's current code list",
            )


@attrs.frozen
class _CodeInactive(LineRule):
    def check_line(self, index: int, line: LineView, context: Context) -> Iterator[Finding]:
        day = line.day
        info = context.code_info(line.code)
        if info is None or info.active_on(day):
            return
        if info.effective is not None and day < info.effective:
            message = f"{line.code} is not valid before {info.effective}"
            earlier = _predecessors(context, line.code.value, day)
            suggestion = f"use {codes_text(earlier)}, valid then" if earlier else None
        else:
            message = f"{line.code} was deleted after {info.terminated}"
            current = _successors(context, info, day)
            suggestion = f"use {codes_text(current)} instead" if current else None
        yield self.finding(index, "code", message, suggestion=suggestion)


def _successors(context: Context, info: CodeInfo, day: datetime.date) -> list[Code]:
    """The codes valid on *day* that replaced *info*'s code, following replacements that were
    themselves replaced (97532 -> 97127 and G0515 -> 97129 and 97130 from 2020), in order."""
    found: list[Code] = []
    seen = {info.code.value}
    todo = list(info.replaced_by)
    while todo:
        code = todo.pop(0)
        if code.value in seen:
            continue
        seen.add(code.value)
        record = context.code_info(code)
        if record is None or record.active_on(day):
            found.append(code)
        elif record.terminated is not None and day > record.terminated:
            todo.extend(record.replaced_by)
    return found


def _predecessors(context: Context, code: str, day: datetime.date) -> tuple[str, ...]:
    """The codes valid on *day* that *code* replaced (97001 for 97161 in 2016), kept in the
    context's memo."""
    key = ("predecessors", code, day)
    found = context.memo.get(key)
    if found is None:
        found = context.remember(
            key,
            tuple(
                info.code.value
                for info in context.catalog.codes()
                if any(c.value == code for c in info.replaced_by) and info.active_on(day)
            ),
        )
    return found  # type: ignore[return-value]


def code_unknown() -> Rule:
    """``code-unknown``: the code is not in the dataset (a warning: cptkit cannot judge it)."""
    return _CodeUnknown("code-unknown", Severity.WARNING, None)


def code_inactive() -> Rule:
    """``code-inactive``: the code was not valid on the date of service; suggests replacements."""
    return _CodeInactive("code-inactive", Severity.ERROR, "CO-181")
