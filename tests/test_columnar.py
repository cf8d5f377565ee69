# SPDX-License-Identifier: MIT
"""The columnar engine against the per-claim engine: the same findings, row for row.

The reference is what ``cptkit check --engine claims`` reports for a file: every finding of
:class:`cptkit.validation.Checker`, the rejected rows and the split-claim warnings, in the
order of the file. Both engines run on seeded random corpora where every built-in rule fires
(ladders, add-ons, NCCI pairs, dated codes, modifiers and places, bad cells, conflicting
claim values, split claims), on ``examples/`` and with rule sets that mix line rules, plain
rules, wrappers and a user's rules; any difference fails.
"""

from __future__ import annotations

import csv
import datetime
import io
import random
from collections.abc import Iterator
from pathlib import Path

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

pytest.importorskip("polars")

import polars as pl

import cptkit
from cptkit import columnar, rulesets
from cptkit.cli import _records
from cptkit.cli._output import Summary
from cptkit.files import read
from cptkit.validation import (
    Checker,
    Finding,
    LineRule,
    LineView,
    Severity,
    all_of,
    rule,
    when,
    with_severity,
    without,
)
from cptkit.validation import rules as r

# The packaged tables' real coverage: data-stale fires on the corpora's later dates.
pytestmark = pytest.mark.real_coverage

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"

CODES = [
    "97110", "97140", "97530", "97112", "97161", "97164", "92507", "92526", "97153", "97155",
    "90832", "90834", "90837", "90785", "90833", "90839", "90840", "96130", "96131", "96136",
    "96137", "97129", "97130", "97597", "97598", "96101", "97532", "G0515", "97150", "97010",
    "0362T", "99213", "97116", "97535",
]  # fmt: skip
MODIFIERS = [
    "GP",
    "GO",
    "GN",
    "59",
    "XS",
    "XE",
    "KX",
    "95",
    "GT",
    "CQ",
    "CO",
    "76",
    "93",
    "GD",
    "GA",
    "GZ",
]
PLACES = ["", "", "", "11", "02", "10", "12", "30", "99", "28"]
DIAGNOSES = ["M54.50", "M25.561", "F80.2", "F84.0", "F41.1", "M54.5", "M54.5X", "Z59.86", "E11.A"]
DATES = [
    "2017-12-31", "2018-01-01", "2019-06-03", "2019-12-31", "2020-01-01", "2020-10-01",
    "2021-12-31", "2022-01-01", "2023-10-01", "2024-08-01", "2024-09-30", "2024-10-01",
    "2025-09-30", "2025-10-01", "2026-03-02", "2027-01-04",
]  # fmt: skip
HEADER = [
    "claim_id", "date_of_service", "code", "modifiers", "units", "minutes",
    "place_of_service", "diagnosis_pointers", "diagnoses", "claim_place_of_service", "charge",
]  # fmt: skip


def corpus(seed: int, claims: int, *, clean: bool = False) -> bytes:
    """A seeded CSV of *claims* claims on which every built-in rule fires (*clean*: without
    bad cells, claim values that differ or a split claim, so that polars reads it)."""
    rng = random.Random(seed)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADER)
    written: list[list[str]] = []
    for number in range(claims):
        claim_id = f"C{number}"
        dates = rng.sample(DATES, rng.choice((1, 1, 1, 2)))
        diagnoses = " ".join(rng.sample(DIAGNOSES, rng.randint(1, 3)))
        claim_place = rng.choice(("", "", "", "11", "02"))
        rows = []
        for _ in range(rng.randint(1, 6)):
            code = rng.choice(CODES)
            modifiers = rng.sample(MODIFIERS, rng.choice((0, 1, 1, 1, 2, 5)))
            if rng.random() < 0.05 and modifiers:
                modifiers.append(modifiers[0])
            minutes = rng.choice(("", "", "8", "15", "23", "33", "38", "45", "53", "60", "90"))
            units = str(rng.choice((1, 1, 1, 2, 3, 4, 20)))
            row = [
                claim_id,
                rng.choice(dates),
                code,
                " ".join(modifiers),
                units,
                minutes,
                rng.choice(PLACES),
                " ".join(str(rng.choice((1, 1, 2, 3, 5))) for _ in range(rng.randint(1, 2))),
                diagnoses,
                claim_place,
                rng.choice(("", "100.00")),
            ]
            bad = 1.0 if clean else rng.random()
            if bad < 0.01:
                row[4] = "x"  # a bad cell holds its claim back
            elif bad < 0.015:
                row[1] = "2026-02-30"
            elif bad < 0.02:
                row[8] = "F41.1"  # claim values that differ from the claim's first row
            rows.append(row)
            if rng.random() < 0.05:
                rows.append(list(row))  # a duplicate line
        written.extend(rows)
    if claims > 3 and not clean:
        # Rows of an earlier claim again, apart from it: a claim of their own (a split).
        written.append(list(written[0]))
    writer.writerows(written)
    return out.getvalue().encode("utf-8")


def reference(source: bytes | Path, checker: Checker, **options: object) -> pl.DataFrame:
    """What ``cptkit check --engine claims`` reports, as a frame of the columnar schema."""
    stream = io.BytesIO(source) if isinstance(source, bytes) else source
    summary = Summary(files=1, data="")
    rows = [
        {name: getattr(record, name) for name in columnar.SCHEMA}
        for record in _records(read(stream, **options), checker, summary)  # type: ignore[arg-type]
    ]
    return pl.DataFrame(rows, schema=columnar.SCHEMA)


def both(
    source: bytes | Path, checker: Checker, *, batch_claims: int = 7, **options: object
) -> tuple[pl.DataFrame, pl.DataFrame]:
    stream = io.BytesIO(source) if isinstance(source, bytes) else source
    events = read(stream, **options)  # type: ignore[arg-type]
    batches = list(columnar.check_events(events, checker, batch_claims=batch_claims))
    empty = pl.DataFrame(schema=columnar.SCHEMA)
    found = pl.concat([empty, *(batch.findings for batch in batches)])
    return found, reference(source, checker, **options)


def assert_same(found: pl.DataFrame, expected: pl.DataFrame) -> None:
    assert found.schema == expected.schema
    for at, (mine, theirs) in enumerate(zip(found.rows(), expected.rows(), strict=False)):
        assert mine == theirs, f"row {at} differs"
    assert found.height == expected.height


@pytest.fixture(scope="module")
def big_corpus() -> bytes:
    return corpus(18, 1500)


@pytest.mark.parametrize("rules", ["medicare", "commercial"])
def test_built_in_rule_sets_on_a_random_corpus(big_corpus: bytes, rules: str) -> None:
    chosen = rulesets.medicare() if rules == "medicare" else rulesets.commercial()
    found, expected = both(big_corpus, Checker(rules=chosen), batch_claims=97)
    assert_same(found, expected)
    # The corpus is not vacuous: every rule the set has (but KX, which needs payer facts, and
    # the rules that need a patient's history) fires, and rows are rejected and split.
    fired = set(found["rule"])
    needs_history = {
        "duplicate-claim",
        "authorization-missing",
        "authorization-expired",
        "authorization-exceeded",
    }
    assert chosen.rule_ids - {"kx-threshold"} - needs_history <= fired
    assert {"row-rejected", "claim-rows-not-adjacent"} <= fired


def test_check_file_is_the_reference(big_corpus: bytes, tmp_path: Path) -> None:
    path = tmp_path / "claims.csv"
    path.write_bytes(big_corpus)
    assert_same(columnar.check_file(path), reference(path, Checker()))
    on = datetime.date(2024, 3, 4)
    assert_same(
        columnar.check_file(path, rules="commercial", on=on),
        reference(path, Checker(rules=rulesets.commercial(), on=on)),
    )


@rule("no-payer-label")
def _no_payer(claim: cptkit.Claim, context: object) -> Iterator[Finding]:
    if claim.place_of_service is None:
        yield Finding("no-payer-label", Severity.INFO, None, "payer", "no claim place")


class _TwoUnits(LineRule):
    def check_line(self, index: int, line: LineView, context: object) -> Iterator[Finding]:
        if line.units == 2:
            yield self.finding(index, "units", f"{line.code}: two units")
        if line.own_place:
            yield self.finding(None, "place_of_service", "a line has its own place")


MIXED = all_of(
    without(rulesets.medicare(), "telehealth-mismatch", "ncci-ptp"),
    with_severity(r.telehealth_mismatch(), "warning"),
    when(lambda claim, context: len(claim.lines) > 2, r.ncci_ptp()),
    _no_payer,
    _TwoUnits("two-units", Severity.WARNING, None),
    _TwoUnits("two-units", Severity.WARNING, None),  # a rule given twice
    with_severity(r.data_stale(), "info"),
    r.data_stale(),  # data-stale twice: the second runs per claim
    policy=rulesets.medicare().policy,
    name="mixed",
)


@pytest.mark.parametrize(
    "ruleset",
    [MIXED, all_of(r.code_unknown(), r.modifier_too_many()), all_of(r.data_stale()), all_of()],
    ids=["mixed", "line-rules-only", "data-stale-only", "empty"],
)
def test_rule_sets_with_wrappers_and_users_rules(ruleset: object) -> None:
    found, expected = both(corpus(5, 300), Checker(rules=ruleset))
    assert_same(found, expected)


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), claims=st.integers(0, 40), batch=st.integers(1, 9))
def test_seeded_corpora(seed: int, claims: int, batch: int) -> None:
    found, expected = both(corpus(seed, claims), Checker(), batch_claims=batch)
    assert_same(found, expected)


@pytest.mark.parametrize(
    "path", sorted(p for p in EXAMPLES.iterdir() if p.suffix in (".csv", ".json", ".ndjson"))
)
def test_examples(path: Path) -> None:
    found, expected = both(path, Checker())
    assert_same(found, expected)
    assert found.height > 0


def test_check_frame_reads_polars_and_pandas_frames() -> None:
    pd = pytest.importorskip("pandas")
    data = corpus(3, 120)
    frame = pl.read_csv(io.BytesIO(data), infer_schema=False)
    from cptkit.frames import _frame_events

    summary = Summary(files=1, data="")
    checker = Checker()
    expected = pl.DataFrame(
        [
            {name: getattr(record, name) for name in columnar.SCHEMA}
            for record in _records(_frame_events(frame), checker, summary)
        ],
        schema=columnar.SCHEMA,
    )
    assert_same(columnar.check_frame(frame), expected)
    assert_same(columnar.check_frame(pd.DataFrame(frame.to_dict(as_series=False))), expected)
    assert set(expected["file"]) == {"<frame>"}


def test_an_empty_file_gives_an_empty_frame_of_the_schema() -> None:
    found = columnar.check_file(io.BytesIO(b"claim_id,date_of_service,code,units\n"), format="csv")
    assert found.height == 0
    assert found.schema == pl.Schema(columnar.SCHEMA)


def test_unknown_rule_set_name_is_refused() -> None:
    with pytest.raises(cptkit.InvalidInput, match="'medicare', 'commercial' or a rule set"):
        columnar.check_file(EXAMPLES / "pt-visit.csv", rules="medicaid")


# -- cptkit check --engine ---------------------------------------------------------------------


@pytest.mark.parametrize("output", ["json", "csv", "table"])
def test_cli_engines_write_the_same(
    big_corpus: bytes, tmp_path: Path, capsys: pytest.CaptureFixture[str], output: str
) -> None:
    from cptkit.cli import main

    path = tmp_path / "claims.csv"
    path.write_bytes(big_corpus)
    runs = []
    for engine in ("claims", "columnar", None):
        chosen = [] if engine is None else ["--engine", engine]
        status = main(["check", str(path), str(EXAMPLES), "--format", output, *chosen])
        runs.append((status, capsys.readouterr()))
    assert runs[0][0] == 1
    assert runs[0] == runs[1] == runs[2]  # the default is columnar, with polars installed


def test_cli_engine_columnar_without_polars_is_a_usage_error(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import importlib.util

    from cptkit.cli import main

    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name: None if name == "polars" else real(name)
    )
    assert main(["check", str(EXAMPLES / "pt-visit.csv"), "--engine", "columnar"]) == 2
    assert "needs polars: pip install 'cptkit[fast]'" in capsys.readouterr().err
    # Without polars, the default is the per-claim engine.
    assert main(["check", str(EXAMPLES / "pt-visit.csv"), "--format", "json"]) == 0


def test_a_file_unreadable_part_way_keeps_what_was_read() -> None:
    def events() -> Iterator[object]:
        yield from read(EXAMPLES / "common-mistakes.csv")
        raise cptkit.files.Unreadable("claims.csv: gone")

    batches = columnar.check_events(events(), Checker(), batch_claims=10_000)
    first = next(batches)
    assert first.findings.height == reference(EXAMPLES / "common-mistakes.csv", Checker()).height
    with pytest.raises(cptkit.files.Unreadable, match="gone"):
        next(batches)


def test_views_numbered_afresh_past_the_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    from cptkit.columnar import _engine

    monkeypatch.setattr(_engine, "VIEW_LIMIT", 20)
    found, expected = both(corpus(9, 200), Checker(), batch_claims=5)
    assert_same(found, expected)


def test_a_file_unreadable_at_once_reports_nothing() -> None:
    def events() -> Iterator[object]:
        yield from read(io.BytesIO(b""), format="csv")  # raises Unreadable: empty

    with pytest.raises(cptkit.files.Unreadable, match="is empty"):
        next(columnar.check_events(events(), Checker()))


def test_rules_by_name_or_as_a_rule_set() -> None:
    path = EXAMPLES / "common-mistakes.csv"
    by_name = columnar.check_file(path, rules="commercial")
    assert_same(columnar.check_file(path, rules=rulesets.commercial()), by_name)
    assert "therapy-modifier-missing" not in set(by_name["rule"])
    assert "therapy-modifier-missing" in set(columnar.check_file(path)["rule"])


def test_payer_facts_and_acknowledgements_go_through_the_per_claim_engine() -> None:
    from cptkit.validation import Facts

    checker = Checker(
        facts=Facts(pt_slp_amount_ytd="2400", ot_amount_ytd="2500", clinician_discipline="PT"),
        acknowledged=[("ncci-ptp", 1), ("ncci-ptp", 2)],
    )
    found, expected = both(corpus(21, 400), checker, batch_claims=50)
    assert_same(found, expected)
    fired = set(found["rule"])
    assert "kx-threshold" in fired
    assert found.filter(pl.col("message").str.ends_with("(acknowledged distinct)")).height


# -- the claim rules' forms (cptkit.columnar._forms) ---------------------------------------------

# Timed codes: pooled 15-minute codes, timed codes the 8-minute rule does not pool (96040 and
# 98960 by 30 minutes, 96101 by 60), ladders (97129/97130, 96130/96131, 90839/90840) and an
# untimed code that carries a discipline modifier.
TIMED = [
    "97110", "97140", "97530", "97112", "97116", "97535", "97153", "97032", "96040", "98960",
    "96101", "97129", "97130", "96130", "96131", "90839", "90840", "97161", "92507",
]  # fmt: skip
# Leftover minutes repeat (8, 8, 8 ...; 3, 3 ...): codes tie for the chart's last units.
TIMED_MINUTES = ["", "7", "8", "15", "22", "23", "23", "30", "33", "38", "38", "45", "53", "68"]


def timed_corpus(seed: int, claims: int) -> bytes:
    """A seeded CSV of visits of timed codes where units-minutes-mismatch fires every way:
    pooled codes that tie for a leftover unit with every billing of the tie, several
    disciplines and dates on one claim, lines without a discipline, ladders, and minutes
    left out."""
    rng = random.Random(seed)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(
        ["claim_id", "date_of_service", "code", "modifiers", "units", "minutes", "diagnoses"]
    )
    for number in range(claims):
        dates = rng.sample(DATES[-6:], rng.choice((1, 1, 1, 2)))
        for _ in range(rng.randint(1, 6)):
            minutes = rng.choice(TIMED_MINUTES)
            base = int(minutes or "15") // 15
            writer.writerow(
                [
                    f"T{number}",
                    rng.choice(dates),
                    rng.choice(TIMED),
                    rng.choice(("GP", "GP", "GO", "GN", "", "GP 59", "59 GO", "GP GO")),
                    max(1, base + rng.choice((-1, 0, 0, 1, 1, 2))),
                    minutes,
                    "M54.50",
                ]
            )
    return out.getvalue().encode("utf-8")


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), batch=st.integers(1, 30))
def test_units_and_minutes_on_timed_visits(seed: int, batch: int) -> None:
    data = timed_corpus(seed, 60)
    for chosen in (rulesets.medicare(), rulesets.commercial()):
        found, expected = both(data, Checker(rules=chosen), batch_claims=batch)
        assert_same(found, expected)


def test_timed_corpus_is_not_vacuous() -> None:
    found = columnar.check_file(io.BytesIO(timed_corpus(1, 400)), format="csv")
    mismatches = found.filter(pl.col("rule") == "units-minutes-mismatch")
    assert set(mismatches["severity"]) == {"error", "info"}
    messages = "\n".join(mismatches["message"])
    assert "under the Medicare 8-minute rule" in messages
    assert "under the CPT time rule" in messages  # 96040, 98960, 96101: not pooled
    assert "under the CPT time instructions for" in messages  # ladders, through the rule


# The 8-minute rule's chart (CMS Pub. 100-04 ch. 5 sec. 20.2): 46 timed minutes are 3 units.
# 23 minutes each of 97110 and 97140 are one whole 15-minute block each with 8 minutes left
# over on both: the third unit may go to either code, so 2 + 1 and 1 + 2 are both right. Where
# the billing is neither, the unit goes first to a code billed above its whole blocks, then by
# cptkit's own order (more minutes, then the lower code number: 97110).
TIES = [
    # (97110 units, 97140 units, findings: (code, severity))
    (2, 1, []),
    (1, 2, []),
    (1, 1, [("97110", "info")]),
    (2, 2, [("97140", "error")]),
    (3, 1, [("97110", "error")]),
]


@pytest.mark.parametrize(("first", "second", "findings"), TIES)
def test_a_tie_for_the_last_unit_allows_either_code(
    first: int, second: int, findings: list[tuple[str, str]]
) -> None:
    data = (
        "claim_id,date_of_service,code,modifiers,units,minutes,diagnoses\n"
        f"P1,2026-03-02,97110,GP,{first},23,M54.50\n"
        f"P1,2026-03-02,97140,GP,{second},23,M54.50\n"
    ).encode()
    found, expected = both(data, Checker())
    assert_same(found, expected)
    mismatches = found.filter(pl.col("rule") == "units-minutes-mismatch")
    assert [(m.split(":")[0], s) for m, s in mismatches.select("message", "severity").rows()] == (
        findings
    )


def test_unbilled_minutes_go_through_the_rule() -> None:
    from cptkit.validation import Facts

    checker = Checker(facts=Facts(unbilled_minutes={"GP": 7, ("2026-03-02", "GO"): 14}))
    found, expected = both(timed_corpus(4, 300), checker, batch_claims=40)
    assert_same(found, expected)
    assert "units-minutes-mismatch" in set(found["rule"])


def test_a_payers_unit_caps_and_mue_settings() -> None:
    from cptkit.policy import PayerPolicy

    for policy in (
        attrs.evolve(PayerPolicy.medicare(), unit_caps={"97110": 2, "97153": 0}),
        attrs.evolve(PayerPolicy.commercial(), apply_mue=False, unit_caps={"97530": 1}),
        attrs.evolve(PayerPolicy.medicare(), mue_payment_status=False),
    ):
        checker = Checker(rules=all_of(rulesets.medicare(), policy=policy), policy=policy)
        found, expected = both(corpus(31, 400), checker, batch_claims=60)
        assert_same(found, expected)
        assert "units-exceed-mue" in set(found["rule"])


def test_how_each_member_is_judged(tmp_path: Path) -> None:
    from cptkit.columnar._forms import split
    from cptkit.history import SQLiteHistory
    from cptkit.validation import Facts

    def hows(checker: Checker) -> dict[str, str]:
        return {
            getattr(member.rule, "id", "?"): member.how for member in split(checker).claim_rules
        }

    assert hows(Checker()) == {
        "code-not-payable": "payable",
        "units-exceed-mue": "mue",
        "untimed-multiple-units": "untimed",
        "units-minutes-mismatch": "minutes",
        "addon-without-primary": "addon",
        "addon-units-exceed-primary": "per-primary",
        "ncci-ptp": "ncci",
        "diagnosis-not-pointed": "pointers",
        "duplicate-line": "repeated",
    }  # kx-threshold without amounts, the rules across claims without a history: not run
    with_facts = hows(Checker(facts=Facts(pt_slp_amount_ytd="2400", unbilled_minutes={"GP": 7})))
    assert with_facts["kx-threshold"] == with_facts["units-minutes-mismatch"] == "every"
    history = SQLiteHistory(tmp_path / "history.sqlite")
    across = [m for m in split(Checker(history=history)).claim_rules if m.how == "every"]
    assert {getattr(m.rule, "id", "?") for m in across} == {
        "duplicate-claim", "units-exceed-mue", "ncci-ptp", "kx-threshold",
        "authorization-missing", "authorization-expired", "authorization-exceeded",
    }  # fmt: skip
    # A wrapped built-in rule is another rule: it runs on every claim.
    wrapped = Checker(rules=all_of(when(lambda claim, context: True, r.ncci_ptp())))
    assert [m.how for m in split(wrapped).claim_rules] == ["every"]


def test_a_batch_of_rejected_rows_alone() -> None:
    # The last batch holds only rows whose claims were held back: no lines to judge.
    data = (
        b"claim_id,date_of_service,code,units,diagnoses\n"
        b"A1,2026-03-02,97110,1,M54.50\n"
        b"A2,2026-03-02,97110,x,M54.50\n"
        b"A3,2026-02-30,97110,1,M54.50\n"
    )
    found, expected = both(data, Checker(), batch_claims=1)
    assert_same(found, expected)
    assert found["rule"].to_list()[-2:] == ["row-rejected", "row-rejected"]


def test_built_in_rules_given_twice() -> None:
    # Each copy is judged by its form, in its place: the per-claim engine reports both.
    twice = all_of(
        rulesets.medicare(),
        r.units_minutes_mismatch(),
        r.diagnosis_not_pointed(),
        r.units_exceed_mue(),
        r.duplicate_line(),
        policy=rulesets.medicare().policy,
    )
    found, expected = both(corpus(8, 300), Checker(rules=twice), batch_claims=45)
    assert_same(found, expected)
    counts = (
        found.filter(pl.col("rule") == "diagnosis-not-pointed")
        .group_by("claim_id", "row", "message")
        .len()
    )
    assert set(counts["len"]) == {2}
