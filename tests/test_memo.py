# SPDX-License-Identifier: MIT
"""The line memo that makes bulk validation fast changes nothing: a rule set run through it
reports exactly what its rules report one by one, and a line rule can read only what the memo
keys on."""

from __future__ import annotations

import datetime
from collections.abc import Iterator

import attrs
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import cptkit
from cptkit import Claim, ClaimLine, rulesets, units
from cptkit.records import CodeInfo, ModifierInfo, PlaceInfo, Timing
from cptkit.validation import (
    Context,
    Facts,
    Finding,
    LineRule,
    LineView,
    Rule,
    RuleSet,
    Severity,
    all_of,
    make_context,
    validate_many,
)
from cptkit.validation.rules import units as unit_rules

# Codes that exercise every rule: timed, untimed, band and ladder codes, add-ons, deleted and
# not-yet-valid codes on some dates, NCCI pairs (97530/97140, 97150 with the one-on-one codes),
# and a code the dataset does not know.
CODES = [
    "97110", "97140", "97530", "97112", "97161", "97164", "92507", "92526", "97153", "97155",
    "90832", "90834", "90837", "90785", "90833", "90839", "90840", "96130", "96131", "97129",
    "97130", "97597", "97598", "96101", "97532", "G0515", "97150", "97010", "0362T", "99213",
]  # fmt: skip
MODIFIERS = ["GP", "GO", "GN", "59", "XE", "KX", "95", "CQ", "CO", "HN", "76", "93", "J5", "ZZ"]
PLACES = [None, "11", "02", "10", "12", "19", "27", "66", "99", "03"]
# Dates on both sides of code, modifier, place and NCCI edit changes, and of year ends.
DATES = [
    datetime.date(2017, 12, 31),
    datetime.date(2018, 1, 1),
    datetime.date(2018, 12, 31),
    datetime.date(2019, 1, 1),
    datetime.date(2019, 12, 31),
    datetime.date(2020, 1, 1),
    datetime.date(2020, 9, 30),  # modifier J5 from 2020-10-01
    datetime.date(2020, 10, 1),
    datetime.date(2021, 12, 31),
    datetime.date(2022, 1, 1),
    datetime.date(2023, 9, 30),  # place of service 27 from 2023-10-01
    datetime.date(2023, 10, 1),
    datetime.date(2024, 7, 31),  # place of service 66 from 2024-08-01
    datetime.date(2024, 8, 1),
    datetime.date(2026, 3, 2),
    datetime.date(2026, 3, 3),
]

lines = st.builds(
    ClaimLine,
    code=st.sampled_from(CODES),
    units=st.integers(1, 6),
    date_of_service=st.sampled_from(DATES),
    modifiers=st.lists(st.sampled_from(MODIFIERS), max_size=5),
    place_of_service=st.sampled_from(PLACES),
    minutes=st.none() | st.integers(0, 130),
    diagnosis_pointers=st.lists(st.integers(1, 5), max_size=5),
)
claims = st.builds(
    Claim,
    lines=st.lists(lines, min_size=1, max_size=4),
    diagnoses=st.lists(st.sampled_from(["M54.50", "F80.2", "F84.0"]), min_size=1, max_size=3),
    place_of_service=st.sampled_from(PLACES),
)


@attrs.frozen
class _LongSession(LineRule):
    """A user's line rule: reads what a view holds (minutes, units, the day's year)."""

    def check_line(self, index: int, line: LineView, context: Context) -> Iterator[Finding]:
        if line.minutes is not None and line.minutes > 60 * line.units and line.day.year > 2019:
            yield self.finding(index, "minutes", f"{line.code}: {line.minutes} minutes")


@attrs.frozen
class _ChargeMissing(Rule):
    """A user's plain rule: reads what no line rule may (the charge and the real date)."""

    def check(self, claim: Claim, context: Context) -> Iterator[Finding]:
        for index, line in enumerate(claim.lines):
            if line.charge is None and line.date_of_service.day % 2:
                yield self.finding(index, "charge", "no charge on an odd day")


USER_RULES = (
    _LongSession("long-session", Severity.WARNING, None),
    _ChargeMissing("charge-missing", Severity.WARNING, None),
)

options = st.fixed_dictionaries(
    {
        "rules": st.sampled_from(
            [
                rulesets.medicare(),
                rulesets.commercial(),
                all_of(rulesets.medicare(), *USER_RULES),
                all_of(*USER_RULES, rulesets.commercial()),
            ]
        ),
        "on": st.none() | st.sampled_from(DATES),
        "facts": st.builds(
            Facts,
            pt_slp_amount_ytd=st.none() | st.sampled_from([0, 2500]),
            ot_amount_ytd=st.none() | st.sampled_from([0, 2500]),
            clinician_discipline=st.none() | st.sampled_from(["PT", "OT", "SLP"]),
        ),
    }
)


def one_by_one(ruleset: RuleSet, claim: Claim, **chosen: object) -> list[Finding]:
    """Every member rule on its own, in a fresh context: no memo is involved."""
    context = make_context(rules=ruleset, **chosen)  # type: ignore[arg-type]
    found = [finding for member in ruleset.rules for finding in member(claim, context)]
    return sorted(found, key=Finding.sort_key)


VARIED = {
    "units": st.integers(1, 8),
    "minutes": st.none() | st.sampled_from([0, 7, 8, 23, 30, 38, 53, 60, 90]),
    "date_of_service": st.sampled_from(DATES),
    "place_of_service": st.sampled_from(PLACES),
    "diagnosis_pointers": st.lists(st.integers(1, 5), max_size=5),
    "modifiers": st.lists(st.sampled_from(MODIFIERS), max_size=5),
    "code": st.sampled_from(CODES),
    "charge": st.none() | st.sampled_from(["80.00", "0"]),
}


@st.composite
def families(draw: st.DrawFn) -> list[Claim]:
    """A claim and variants of it that each differ in one field of one line (or the claim's
    place or diagnoses): the claims a memo keyed on too little would confuse.

    Rules other than line rules run on every claim, so NCCI edit dates need no place in a
    key; the hand-written tests below pin them anyway (an edit changing within the year)."""
    base = draw(claims)
    family = [base]
    for _ in range(draw(st.integers(1, 8))):
        index = draw(st.integers(0, len(base.lines) - 1))
        field = draw(st.sampled_from([*VARIED, "claim place", "place moved", "diagnoses"]))
        if field == "place moved":  # the same place, given for the claim instead of the line
            line = attrs.evolve(base.lines[index], place_of_service=None)
            variant = attrs.evolve(
                base,
                lines=(*base.lines[:index], line, *base.lines[index + 1 :]),
                place_of_service=base.lines[index].place_of_service,
            )
        elif field == "claim place":
            variant = attrs.evolve(base, place_of_service=draw(st.sampled_from(PLACES)))
        elif field == "diagnoses":
            variant = attrs.evolve(base, diagnoses=base.diagnoses[:1] * draw(st.integers(1, 5)))
        else:
            line = attrs.evolve(base.lines[index], **{field: draw(VARIED[field])})
            variant = attrs.evolve(
                base, lines=(*base.lines[:index], line, *base.lines[index + 1 :])
            )
        family.append(variant)
    return family


@settings(max_examples=300, deadline=None)
@given(families(), options, st.randoms(use_true_random=False))
def test_memoized_reports_are_the_rules_one_by_one(
    batch: list[Claim], chosen: dict[str, object], random: object
) -> None:
    # Each claim twice, shuffled, through one shared context: later ones hit the memos.
    stream = batch * 2
    random.shuffle(stream)  # type: ignore[attr-defined]
    ruleset = chosen.pop("rules")
    assert isinstance(ruleset, RuleSet)
    reports = list(validate_many(stream, rules=ruleset, **chosen))  # type: ignore[arg-type]
    for claim, report in zip(stream, reports, strict=True):
        assert list(report.findings) == one_by_one(ruleset, claim, **chosen)


@settings(max_examples=200, deadline=None)
@given(
    st.sampled_from(DATES) | st.dates(datetime.date(1995, 1, 1), datetime.date(2030, 12, 31)),
    st.integers(-45, 45).filter(bool),
)
def test_days_in_one_period_are_judged_alike(first: datetime.date, apart: int) -> None:
    # Nearby days: most share a period (the property is checked), some straddle a change.
    second = first + datetime.timedelta(days=apart)
    context = make_context()
    assume(context.period(first) == context.period(second))
    start = context.period(first)
    assert start.year == first.year == second.year
    assert start <= min(first, second)
    from cptkit import _registry

    records: list[CodeInfo | ModifierInfo | PlaceInfo] = [
        *_registry.load_codes().values(),
        *_registry.load_modifiers().values(),
        *_registry.load_places().values(),
    ]
    for record in records:
        assert record.active_on(first) == record.active_on(second) == record.active_on(start)


def test_periods_split_at_the_changes() -> None:
    context = make_context()
    period = context.period
    # Modifier J5 is valid from 2020-10-01: the period changes mid-year, on that day.
    assert period(datetime.date(2020, 9, 30)) < period(datetime.date(2020, 10, 1))
    assert period(datetime.date(2020, 10, 1)) == datetime.date(2020, 10, 1)
    assert period(datetime.date(2020, 12, 31)) == datetime.date(2020, 10, 1)
    # A year always starts a period (the KX thresholds are yearly).
    assert period(datetime.date(2026, 3, 2)) == period(datetime.date(2026, 3, 3))
    assert period(datetime.date(2026, 3, 2)).year == 2026
    assert period(datetime.date(2025, 12, 31)) < period(datetime.date(2026, 1, 1))


TIMED = [
    str(info.code)
    for info in cptkit.catalog().codes()
    if info.timing is Timing.TIMED and info.terminated is None
]


@settings(max_examples=300, deadline=None)
@given(
    st.dictionaries(st.sampled_from([*TIMED, "96101"]), st.integers(0, 140), min_size=1),
    st.sampled_from(["cms", "ama"]),
)
def test_the_plain_timed_path_is_units_allocate(minutes: dict[str, int], rule: str) -> None:
    infos = {code: cptkit.lookup(code) for code in minutes}
    allocation = units.allocate(minutes, rule=rule)  # type: ignore[arg-type]
    # Billed as any allocation the rule allows (cptkit's pick or another choice in a tie),
    # the rule's path finds exactly that allocation.
    for option in allocation.alternatives:
        billed = {code.value: count for code, count in option.items()}
        got, judged = unit_rules._supported(make_context(), rule, minutes, infos, billed, 0)
        assert {infos[code].code: n for code, n in got.items() if n} == dict(option)
        assert set(judged) == {line.code.value for line in allocation.lines}


def test_a_line_is_judged_again_when_a_record_changes_within_the_year() -> None:
    # The same line, either side of a mid-year change (J5 from 2020-10-01, POS 66 from
    # 2024-08-01), through one memo: each day gets its own verdict.
    def dated(day: str, place: str, modifier: str) -> Claim:
        line = ClaimLine(code="97110", units=1, modifiers=["GP", modifier], date_of_service=day)
        return Claim(lines=[line], diagnoses=["M54.50"], place_of_service=place)

    stream = [
        dated("2020-10-01", "11", "J5"),
        dated("2020-09-30", "11", "J5"),
        dated("2024-08-01", "66", "59"),
        dated("2024-07-31", "66", "59"),
    ]
    reports = list(validate_many(stream))
    rules = [sorted({f.rule for f in report.findings}) for report in reports]
    assert "modifier-unknown" not in rules[0] and "modifier-unknown" in rules[1]
    assert "place-of-service-unknown" not in rules[2]
    assert "place-of-service-unknown" in rules[3]
    for one, report in zip(stream, reports, strict=True):
        assert list(report.findings) == one_by_one(rulesets.medicare(), one)


def lines_found(
    stream: list[Claim], rule_id: str, rules: RuleSet | None = None
) -> list[list[tuple[int | None, str]]]:
    """Per claim of one run (one context, memos shared), *rule_id*'s (line, message) pairs."""
    return [
        [(f.line, f.message) for f in report.findings if f.rule == rule_id]
        for report in validate_many(stream, rules=rules)
    ]


def visit(*lines: ClaimLine) -> Claim:
    return Claim(lines=lines, diagnoses=["M54.50"], place_of_service="11")


def pt(code: str, units: int, minutes: int | None = None, day: str = "2026-03-02") -> ClaimLine:
    return ClaimLine(code=code, units=units, modifiers=["GP"], date_of_service=day, minutes=minutes)


def test_the_same_shape_with_other_minutes_is_judged_again() -> None:
    # 97110 x2: 33 minutes support 2; 10 minutes support 1.
    stream = [visit(pt("97110", 2, 33)), visit(pt("97110", 2, 10))]
    assert lines_found(stream, "units-minutes-mismatch") == [
        [],
        [
            (
                0,
                "97110: 2 units billed; the documented minutes support 1 under the Medicare"
                " 8-minute rule",
            )
        ],
    ]


def test_the_same_codes_with_other_units_are_judged_again() -> None:
    # 97161 (untimed, MUE 1 per day, MAI 2): 1 unit is right, 2 are not.
    stream = [visit(pt("97161", 1)), visit(pt("97161", 2))]
    assert lines_found(stream, "untimed-multiple-units") == [
        [],
        [(0, "97161 is untimed (one per session) but 2 units are billed for one date")],
    ]
    assert lines_found(stream, "units-exceed-mue") == [
        [],
        [(0, "97161: 2 units on one date exceed the MUE of 1 per day (MAI 2)")],
    ]


def test_the_same_lines_on_other_dates_are_judged_again() -> None:
    # Which lines share a date is part of a shape: the repeat is the third line in the first
    # claim and the second in the other.
    first, second = "2026-03-02", "2026-03-03"
    stream = [
        visit(pt("97110", 1, day=first), pt("97110", 1, day=second), pt("97110", 1, day=first)),
        visit(pt("97110", 1, day=first), pt("97110", 1, day=first), pt("97110", 1, day=second)),
    ]
    message = "97110 repeats an earlier line's code, modifiers and date"
    assert lines_found(stream, "duplicate-line") == [[(2, message)], [(1, message)]]


def test_a_claim_is_judged_again_when_an_edit_changes_within_the_year() -> None:
    # The 0549T/97597 edit (modifier indicator 1, rationale 4) applies through 2022-06-30;
    # no code, modifier or place changes on 2022-07-01, so only the edit dates tell the days
    # apart.
    def pair(day: str) -> Claim:
        return visit(
            ClaimLine(code="0549T", units=1, date_of_service=day),
            ClaimLine(code="97597", units=1, date_of_service=day),
        )

    stream = [pair("2022-06-30"), pair("2022-07-01")]
    expected = [
        [
            (
                1,
                "97597 with 0549T: NCCI edit (modifier indicator 1, misuse of column two code"
                " with column one code) and no NCCI-associated modifier",
            )
        ],
        [],
    ]
    assert lines_found(stream, "ncci-ptp") == expected


def test_a_set_with_other_rules_runs_them_on_every_claim() -> None:
    # A user's rule may read anything (here the claim id), so no whole-claim memo applies.
    from cptkit.validation import Severity, all_of, rule

    @rule("id-check")
    def id_check(claim: Claim, context: object) -> list[Finding]:
        if claim.claim_id == "BAD":
            return [Finding("id-check", Severity.ERROR, None, "claim_id", "bad id")]
        return []

    ruleset = all_of(rulesets.medicare(), id_check)
    line = ClaimLine(code="97110", units=1, modifiers=["GP"], date_of_service="2026-03-02")
    good, bad = (Claim(lines=[line], diagnoses=["M54.50"], claim_id=c) for c in ("OK", "BAD"))
    reports = list(validate_many([good, bad, good], rules=ruleset))
    assert ["id-check" in {f.rule for f in r.findings} for r in reports] == [False, True, False]


def test_memos_stay_bounded_and_right(monkeypatch: pytest.MonkeyPatch) -> None:
    from cptkit import _cache

    monkeypatch.setattr(_cache, "CACHE_LIMIT", 2)
    stream = [
        Claim(
            lines=[
                ClaimLine(
                    code=other,
                    units=units,
                    modifiers=["GP"],
                    date_of_service=day,
                    minutes=15 * units,
                    place_of_service="11",
                )
                for other in (code, "96130")  # a ladder: its allocations are kept
            ],
            diagnoses=["M54.50"],
        )
        for code in ("97110", "97140", "97530", "97161")
        for day in (DATES[0], DATES[-1])
        for units in (1, 2, 9)
    ]
    context = make_context(rules=rulesets.medicare())
    for claim in stream * 2:
        found = sorted(rulesets.medicare()(claim, context), key=Finding.sort_key)
        assert found == one_by_one(rulesets.medicare(), claim)
    assert 0 < len(context.line_memo(rulesets.medicare())) <= 2
    assert 0 < len(context.allocations) <= 2
    assert len(context.memo) <= 2
    assert 0 < len(context._codes) <= 2


def test_allocations_do_not_crowd_out_the_pair_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    # Visits' minutes rarely repeat: the allocations kept for them have a memo of their own,
    # so a full one leaves room for the NCCI edit of a pair (a catalog search each time).
    from cptkit import _cache

    monkeypatch.setattr(_cache, "CACHE_LIMIT", 4)
    context = make_context(rules=rulesets.medicare())

    def pt_visit(minutes: int, *codes: str) -> Claim:
        return Claim(
            lines=[
                ClaimLine(
                    code=code,
                    units=1,
                    modifiers=["GP"],
                    date_of_service="2019-06-03",
                    minutes=minutes,
                )
                for code in codes
            ],
            diagnoses=["M54.50"],
        )

    for minutes in range(8, 30):  # a ladder: plain timed codes are judged without the memo
        list(rulesets.medicare()(pt_visit(minutes, "96130", "96131"), context))
    assert len(context.allocations) == 4
    list(rulesets.medicare()(pt_visit(8, "97530", "97140"), context))
    assert ("97530", "97140", datetime.date(2019, 6, 3)) in context.memo


def test_the_change_dates_come_from_the_records() -> None:
    catalog = cptkit.catalog()
    changes = catalog.validity_changes()
    assert list(changes) == sorted(set(changes))
    # 97532 was deleted after 2017-12-31; modifier J5 and POS 66 arrived mid-year.
    for day in ("2018-01-01", "2020-10-01", "2024-08-01"):
        assert datetime.date.fromisoformat(day) in changes


def test_a_rule_twice_in_a_set_reports_its_claim_level_finding_twice() -> None:
    # Claim-level findings are kept once per rule, as the rules alone report them.
    from cptkit.validation import all_of

    twice = all_of(rulesets.commercial(), rulesets.medicare())
    line = ClaimLine(code="97110", units=1, modifiers=["GP"], date_of_service="2024-03-01")
    own = attrs.evolve(line, place_of_service="66")  # POS 66 is valid from 2024-08-01
    claim = Claim(lines=[line, own], diagnoses=["M54.50"], place_of_service="66")
    report = next(validate_many([claim], rules=twice))
    places = [f.line for f in report.findings if f.rule == "place-of-service-unknown"]
    assert places == [None, None, 1, 1]
    assert list(report.findings) == one_by_one(twice, claim)


def test_a_used_context_travels_as_its_settings() -> None:
    import pickle

    from cptkit.validation import rule

    lambda_rule = rule("mine")(lambda claim, context: ())
    ruleset = all_of_with(lambda_rule)
    context = make_context(rules=ruleset, on="2026-03-02")
    claim = Claim(  # an NCCI pair: the context's memo holds its rows
        lines=[
            ClaimLine(code="97530", units=1, date_of_service="2019-06-03"),
            ClaimLine(code="97140", units=1, date_of_service="2019-06-03"),
        ],
        diagnoses=["M54.50"],
    )
    list(ruleset(claim, context))
    assert context.memo and context.line_memo(ruleset)  # the caches are filled
    again = pickle.loads(pickle.dumps(context))
    assert again == context and again.memo == {} and not again._line_memos


def all_of_with(extra: object) -> RuleSet:
    from cptkit.validation import all_of

    return all_of(rulesets.medicare(), extra)  # type: ignore[arg-type]


def test_a_finished_run_keeps_no_context_alive() -> None:
    # A context holds every memo of a run: nothing of cptkit's may keep it after the run.
    import gc
    import weakref

    context = make_context(rules=rulesets.medicare())
    claim = Claim(
        lines=[
            ClaimLine(code="97110", units=1, modifiers=["GP"], date_of_service="2026-03-02"),
            ClaimLine(code="97140", units=1, modifiers=["GP"], date_of_service="2026-03-02"),
        ],
        diagnoses=["M54.50"],
    )
    list(rulesets.medicare()(claim, context))
    gone = weakref.ref(context)
    del context
    gc.collect()
    assert gone() is None


@attrs.frozen
class _Reads(LineRule):
    field: str = ""

    def check_line(self, index: int, line: LineView, context: Context) -> Iterator[Finding]:
        getattr(line, self.field)
        return iter(())


@pytest.mark.parametrize("field", ["charge", "date_of_service", "place_of_service"])
def test_a_line_rule_cannot_read_past_its_view(field: str) -> None:
    # What the memo does not key on, a line rule cannot see: it fails in its first test
    # instead of reporting wrongly in bulk.
    reads = _Reads("reads", Severity.ERROR, None, field)
    claim = visit(pt("97110", 1, 15))
    with pytest.raises(AttributeError, match=field):
        cptkit.validate(claim, rules=reads)


def test_a_line_rule_sees_the_first_day_of_the_period() -> None:
    seen: list[datetime.date] = []

    @attrs.frozen
    class _Day(LineRule):
        def check_line(self, index: int, line: LineView, context: Context) -> Iterator[Finding]:
            seen.append(line.day)
            return iter(())

    day_rule = _Day("day", Severity.INFO, None)
    cptkit.validate(visit(pt("97110", 1, 15, day="2026-03-02")), rules=day_rule)
    cptkit.validate(visit(pt("97110", 1, 15)), rules=day_rule, on="2020-11-15")
    # 2026-03-02 is judged as 2026-01-01 (a year starts a period, and no code, modifier or place
    # starts or ends between then and March); 2020-11-15 as 2020-10-01, the day J5 began.
    assert seen == [datetime.date(2026, 1, 1), datetime.date(2020, 10, 1)]


def test_two_claims_that_differ_in_the_charge_alone_are_told_apart() -> None:
    # The plain rule reads the charge: through one checker, each claim gets its own verdict.
    ruleset = all_of(rulesets.medicare(), *USER_RULES)
    line = pt("97110", 1, 15, day="2026-03-03")
    paid = visit(attrs.evolve(line, charge="80.00"))
    unpaid = visit(line)
    found = lines_found([paid, unpaid, paid], "charge-missing", ruleset)
    assert found == [[], [(0, "no charge on an odd day")], []]


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from(["cms", "ama"]),
    st.integers(0, 200),
    st.sampled_from([15, 30, 60]),
    st.booleans(),
)
def test_a_lone_code_is_what_the_shared_function_gives_one_entry(
    rule: str, minutes: int, unit: int, pooled: bool
) -> None:
    from cptkit.units import _rules

    alone = _rules.code_units(rule, minutes, unit, pooled)
    assert alone == _rules.timed_units(rule, [("97110", minutes, unit, pooled)])[0][0]


def test_kept_findings_belong_to_their_rule() -> None:
    # diagnosis-not-pointed keeps its findings per context (claims repeat them): two instances
    # of the rule, of different severities, share a context and still report their own, on
    # the first claim and on a second claim that repeats the first one's findings.
    from cptkit.validation.rules import diagnoses

    warning = diagnoses.diagnosis_not_pointed()
    info = attrs.evolve(warning, severity=Severity.INFO)
    context = make_context(rules=all_of(warning, info))

    def unpointed() -> Claim:
        line = ClaimLine(
            code="97110", units=1, date_of_service="2026-03-02", diagnosis_pointers=[1]
        )
        return Claim(lines=[line], diagnoses=["M54.50", "M25.511"])

    for claim in (unpointed(), unpointed()):
        assert [f.severity for f in warning(claim, context)] == [Severity.WARNING]
        assert [f.severity for f in info(claim, context)] == [Severity.INFO]
        assert [f.message for f in info(claim, context)] == [
            "diagnosis 2 of 2 is not pointed to by any line"
        ]
