# SPDX-License-Identifier: MIT
"""Composition, reports and the validate entry points."""

from __future__ import annotations

import datetime
import itertools
import json
import re
import sys
from collections.abc import Iterator

import attrs
import pytest
from hypothesis import given, settings

import cptkit
from cptkit import Claim, ClaimLine, InvalidInput, rulesets
from cptkit import strategies as cst
from cptkit.policy import PayerPolicy
from cptkit.validation import (
    Context,
    Finding,
    Report,
    Severity,
    all_of,
    rule,
    validate,
    validate_many,
    when,
    with_severity,
    without,
)
from cptkit.validation import rules as r

DAY = "2026-03-02"


def bad_claim(claim_id: str | None = "C1") -> Claim:
    return Claim(
        lines=[
            ClaimLine(
                code="97110", units=3, minutes=33, date_of_service=DAY, diagnosis_pointers=[1]
            ),
            ClaimLine(code="96101", units=1, date_of_service=DAY, diagnosis_pointers=[2]),
        ],
        diagnoses=["M54.50"],
        claim_id=claim_id,
    )


def test_report_shape_and_order() -> None:
    report = cptkit.validate(bad_claim())
    keys = [f.sort_key() for f in report.findings]
    assert keys == sorted(keys)
    assert [(f.line, f.rule) for f in report.findings] == [
        (0, "therapy-modifier-missing"),
        (0, "units-minutes-mismatch"),
        (1, "code-inactive"),
        (1, "diagnosis-pointer-invalid"),
    ]
    assert not report.ok
    assert len(report.errors) == 4
    assert report.warnings == ()
    assert report.counts() == {"error": 4, "warning": 0, "info": 0}
    assert report.claim_id == "C1"


def test_report_outputs() -> None:
    report = cptkit.validate(bad_claim())
    records = report.to_records()
    assert records[0] == {
        "claim_id": "C1",
        "rule": "therapy-modifier-missing",
        "severity": "error",
        "line": 0,
        "line_number": 1,
        "field": "modifiers",
        "message": "97110 is a therapy code without GP, GO or GN",
        "carc": "CO-4",
        "suggestion": "add GP (PT), GO (OT) or GN (SLP)",
    }
    assert json.loads(json.dumps(records)) == records
    text = str(report)
    assert text.splitlines()[0] == "claim C1: NOT OK (4 errors, 0 warnings, 0 info)"
    assert "-> use 96130, 96131, 96136, 96137 instead" in text
    # People see 1-based line numbers, as on a CMS-1500; records keep the 0-based index too.
    assert "  error   line 1   therapy-modifier-missing:" in text
    assert [r["line_number"] for r in records] == [(r["line"] or 0) + 1 for r in records]
    page = report._repr_html_()
    assert page.startswith(
        "<div class='cptkit-report'><p>claim C1: not ok: 4 finding(s) (4 errors, 0 warnings,"
        " 0 info)</p><table>"
    )
    clean = Report(())
    assert clean.ok
    assert str(clean) == "ok (0 errors, 0 warnings, 0 info)"


def test_html_and_pretty_text_of_a_clean_report() -> None:
    clean = Report((), claim_id="<C2>")
    assert clean._repr_html_() == (
        "<div class='cptkit-report'><p>claim &lt;C2&gt;: ok: 0 finding(s) (0 errors,"
        " 0 warnings, 0 info)</p></div>"
    )
    shown: list[str] = []

    class Printer:
        def text(self, value: str) -> None:
            shown.append(value)

    clean._repr_pretty_(Printer(), False)
    assert shown == ["claim <C2>: ok (0 errors, 0 warnings, 0 info)"]


def test_to_pandas() -> None:
    pandas = pytest.importorskip("pandas")
    report = cptkit.validate(bad_claim())
    frame = report.to_pandas()
    assert isinstance(frame, pandas.DataFrame)
    assert list(frame.columns) == [
        "claim_id", "rule", "severity", "line", "line_number", "field", "message", "carc",
        "suggestion",
    ]  # fmt: skip
    assert frame.to_dict("records") == report.to_records()
    assert str(frame["line"].dtype) == str(frame["line_number"].dtype) == "Int64"
    with_claim_level = Report(
        (Finding("no-payer", Severity.WARNING, None, "payer", "no payer label"),), "C9"
    )
    assert with_claim_level.to_pandas()["line"].isna().tolist() == [True]
    assert with_claim_level.to_pandas()["line_number"].isna().tolist() == [True]
    assert Report(()).to_pandas().empty


def test_to_pandas_without_pandas(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pandas", None)
    with pytest.raises(cptkit.CptkitError, match=re.escape("to_pandas() needs pandas")):
        Report(()).to_pandas()


def test_user_rule_plugs_in() -> None:
    @rule("no-payer")
    def no_payer(claim: Claim, context: Context) -> Iterator[Finding]:
        if claim.payer is None:
            yield Finding("no-payer", Severity.WARNING, None, "payer", "no payer label")

    rules = all_of(rulesets.medicare(), no_payer, policy=PayerPolicy.commercial(), name="mine")
    assert "no-payer" in rules.rule_ids
    assert (rules.policy, rules.name) == (PayerPolicy.commercial(), "mine")
    pair = all_of(r.code_unknown(), r.code_inactive(), name="pair")
    assert repr(pair) == "<RuleSet 'pair': code-inactive, code-unknown>"
    assert repr(all_of(r.code_unknown())) == "<RuleSet 'rules': code-unknown>"
    report = validate(bad_claim(), rules=rules)
    assert report.findings[0].rule == "no-payer"  # claim-level findings come first
    plain = validate(bad_claim(), rules=no_payer)  # a lone rule works too
    assert [f.rule for f in plain.findings] == ["no-payer"]


def test_when_and_with_severity() -> None:
    only_medicare = when(lambda claim, ctx: claim.payer == "Medicare", r.code_inactive())
    assert validate(bad_claim(), rules=only_medicare).findings == ()
    medicare_claim = attrs.evolve(bad_claim(), payer="Medicare")
    assert [f.rule for f in validate(medicare_claim, rules=only_medicare).findings] == [
        "code-inactive"
    ]
    # The predicate sees the context too (here its policy).
    cms_only = when(lambda claim, ctx: ctx.policy.unit_rule == "cms", r.code_inactive())
    assert [f.rule for f in validate(bad_claim(), rules=cms_only).findings] == ["code-inactive"]
    commercial = PayerPolicy.commercial()
    assert validate(bad_claim(), rules=cms_only, policy=commercial).findings == ()
    soft = with_severity(r.code_inactive(), "warning")
    (finding,) = validate(bad_claim(), rules=soft).findings
    assert finding.severity is Severity.WARNING
    assert soft.rule_ids == frozenset({"code-inactive"})
    assert only_medicare.rule_ids == frozenset({"code-inactive"})


def test_without() -> None:
    lighter = without(rulesets.medicare(), "therapy-modifier-missing", "code-inactive")
    assert "code-inactive" not in lighter.rule_ids
    assert (lighter.policy, lighter.name) == (rulesets.medicare().policy, "medicare")
    rules = {f.rule for f in validate(bad_claim(), rules=lighter).findings}
    assert rules == {"units-minutes-mismatch", "diagnosis-pointer-invalid"}
    with pytest.raises(
        InvalidInput, match=re.escape("rule_ids: 'code-inactve' is not a rule id of 'medicare'")
    ):
        without(rulesets.medicare(), "code-inactve")
    nested = all_of(all_of(r.code_inactive(), r.code_unknown()), r.duplicate_line())
    assert len(nested.rules) == 3


def test_without_reaches_inside_wrappers() -> None:
    wrapped = all_of(with_severity(all_of(r.code_inactive(), r.code_unknown()), "warning"))
    trimmed = without(wrapped, "code-inactive")
    assert trimmed.rule_ids == frozenset({"code-unknown"})
    assert validate(bad_claim(), rules=trimmed).findings == ()


def test_bad_inputs() -> None:
    with pytest.raises(InvalidInput, match=re.escape("claim: 'dict' is not a cptkit.Claim")):
        validate({"lines": []})  # type: ignore[arg-type]
    with pytest.raises(InvalidInput, match=re.escape("rules: 'str' is not a rule")):
        all_of("code-inactive")  # type: ignore[arg-type]
    with pytest.raises(InvalidInput, match=re.escape("on: 'soon' is not a date")):
        validate(bad_claim(), on="soon")


def test_on_overrides_dates() -> None:
    report = validate(bad_claim(), on="2018-06-01")
    assert "code-inactive" not in {f.rule for f in report.findings}


def test_validate_many_streams_in_order() -> None:
    claims = (bad_claim(f"C{i}") for i in range(5))
    reports = validate_many(claims, rules=rulesets.commercial())
    assert next(reports).claim_id == "C0"
    assert [report.claim_id for report in reports] == ["C1", "C2", "C3", "C4"]
    assert list(cptkit.validate_many([bad_claim()])) == [validate(bad_claim())]


def test_validate_many_reads_32_claims_ahead_and_reports_before_an_error() -> None:
    read: list[int] = []

    def claims(count: int, fail: bool) -> Iterator[Claim]:
        for number in range(count):
            read.append(number)
            yield bad_claim(f"C{number}")
        if fail:
            raise OSError("the disk is gone")

    reports = validate_many(claims(100, fail=False))
    assert next(reports).claim_id == "C0"
    assert len(read) == 32  # one batch read and checked
    assert sum(1 for _ in reports) == 99
    read.clear()
    reports = validate_many(claims(40, fail=True))
    # The reports of the 40 claims read come first, then the reader's error.
    assert [report.claim_id for report in itertools.islice(reports, 40)] == [
        f"C{number}" for number in range(40)
    ]
    with pytest.raises(OSError, match="the disk is gone"):
        next(reports)
    with pytest.raises(InvalidInput, match="claim: 'str' is not a cptkit.Claim"):
        list(validate_many([bad_claim(), "C2"]))  # type: ignore[list-item]


def test_validate_many_runs_rule_sets_without_line_rules() -> None:
    plain = all_of(r.units_minutes_mismatch(), r.data_stale())
    claims = [bad_claim(f"C{number}") for number in range(3)]
    reports = list(validate_many(claims, rules=plain))
    assert reports == [validate(claim, rules=plain) for claim in claims]
    assert [f.rule for f in reports[0].findings] == ["units-minutes-mismatch"]


def test_a_rules_error_comes_after_the_reports_of_the_claims_before() -> None:
    @rule("fragile")
    def fragile(claim: Claim, context: Context) -> Iterator[Finding]:
        if claim.claim_id == "C5":
            raise ZeroDivisionError("a bug in a rule")
        return iter(())

    ruleset = all_of(rulesets.commercial(), fragile)
    reports = validate_many((bad_claim(f"C{number}") for number in range(9)), rules=ruleset)
    assert [report.claim_id for report in itertools.islice(reports, 5)] == [
        "C0",
        "C1",
        "C2",
        "C3",
        "C4",
    ]
    with pytest.raises(ZeroDivisionError, match="a bug in a rule"):
        next(reports)


def test_repr_of_ruleset() -> None:
    assert repr(rulesets.commercial()).startswith(
        "<RuleSet 'commercial': addon-units-exceed-primary, addon-without-primary"
    )


@settings(max_examples=50)
@given(cst.claims())
def test_never_raises_and_is_deterministic(claim: Claim) -> None:
    first = validate(claim)
    assert validate(claim) == first
    assert all(isinstance(f, Finding) for f in first.findings)
    keys = [f.sort_key() for f in first.findings]
    assert keys == sorted(keys)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"facts": {"pt_slp_amount_ytd": 3000}}, "facts: 'dict' is not a cptkit Facts or None"),
        ({"policy": "medicare"}, "policy: 'str' is not a cptkit PayerPolicy or None"),
        ({"catalog": "x"}, "catalog: 'str' is not a cptkit Catalog or None"),
        ({"acknowledged": 5}, "acknowledged: 'int' is not (rule id, line index) pairs"),
        (
            {"acknowledged": [["ncci-ptp", 0]]},
            "acknowledged: ['ncci-ptp', 0] is not (rule id, line index)",
        ),
    ],
)
def test_bad_options_raise_cptkit_errors(options: dict[str, object], message: str) -> None:
    with pytest.raises(InvalidInput, match=re.escape(message)):
        validate(bad_claim(), **options)  # type: ignore[arg-type]


def test_facts_and_policy_convert_or_refuse() -> None:
    from decimal import Decimal

    from cptkit.validation import Facts

    facts = Facts(pt_slp_amount_ytd="3000", clinician_discipline="pt")
    assert facts.pt_slp_amount_ytd == Decimal("3000")
    assert facts.clinician_discipline is cptkit.Discipline.PT
    with pytest.raises(InvalidInput, match=re.escape("amount: 3000.0 is not an amount >= 0")):
        Facts(ot_amount_ytd=3000.0)
    with pytest.raises(InvalidInput, match=re.escape("clinician_discipline: 'physio'")):
        Facts(clinician_discipline="physio")
    with pytest.raises(
        InvalidInput, match=re.escape("telehealth_modifiers: '95' is not a collection")
    ):
        PayerPolicy(name="x", unit_rule="ama", telehealth_modifiers="95")
    with pytest.raises(InvalidInput, match=re.escape("unit_rule: 'AMA' is not 'cms' or 'ama'")):
        PayerPolicy(name="x", unit_rule="AMA")  # type: ignore[arg-type]


def test_unit_caps_and_unbilled_minutes_convert_or_refuse() -> None:
    from cptkit import Code
    from cptkit.validation import Facts

    policy = PayerPolicy(name="x", unit_rule="ama", unit_caps=[("97155", 4), (Code("97153"), 24)])
    assert policy.unit_caps == ((Code("97153"), 24), (Code("97155"), 4))
    assert policy.unit_cap(Code("97155")) == 4 and policy.unit_cap(Code("97110")) is None
    for caps, message in [
        ("97153", "unit_caps: '97153' is not a mapping of codes to units"),
        ([("97153",)], "unit_caps: ('97153',) is not (code, units) pairs"),
        ({"97153": -1}, "unit_caps[97153]: -1 is not a whole number of units >= 0"),
        ({"97153": True}, "unit_caps[97153]: True is not a whole number of units >= 0"),
    ]:
        with pytest.raises(InvalidInput, match=re.escape(message)):
            PayerPolicy(name="x", unit_rule="ama", unit_caps=caps)
    facts = Facts(unbilled_minutes=(("GP", 7), (("2026-03-02", "GO"), 14)))
    assert facts.unbilled(datetime.date(2026, 3, 2), "GO") == 14
    assert facts.unbilled(datetime.date(2026, 3, 3), "GO") == 0
    assert facts.unbilled(datetime.date(2026, 3, 3), "GP") == 7
    for minutes, message in [
        (5, "unbilled_minutes: 'int' is not a mapping such as {'GP': 14}"),
        ({"GX": 1}, "unbilled_minutes: 'GX' is not 'GP', 'GO', 'GN' or (date, 'GP')"),
        ({"GP": -1}, "unbilled_minutes: -1 is not an int >= 0"),
        ({("2026-13-01", "GP"): 1}, "unbilled_minutes: '2026-13-01' is not a date"),
    ]:
        with pytest.raises(InvalidInput, match=re.escape(message)):
            Facts(unbilled_minutes=minutes)
