# SPDX-License-Identifier: MIT
"""cptkit.payment: fee schedule amounts typed from the CMS files by hand.

Every expected dollar figure below was worked out from the raw RVU and GPCI files
(data/raw/pfs_2025, data/raw/pfs_2026) with a calculator; the comments show the arithmetic.
A unit's amount is (work RVU x work GPCI + PE RVU x PE GPCI + MP RVU x MP GPCI) x CF, rounded
half-up to the cent; an MPPR unit has half the PE term.

RVU26C (CF 33.4009), non-facility: 97110 work 0.45 PE 0.41 MP 0.01; 97140 0.43 / 0.39 / 0.01;
97530 0.44 / 0.60 / 0.01; 90837 work 3.78, PE 1.20 (facility 0.25), MP 0.02.
RVU25D (CF 32.3465): 97110 0.45 / 0.43 / 0.01; 97530 0.44 / 0.62 / 0.01.
GPCIs (work, PE, MP): Alabama 10112-00 2026 1.000 / 0.875 / 0.566, 2025 1 / 0.869 / 0.575;
Manhattan 13202-01 2026 1.064 / 1.162 / 1.586.
"""

from __future__ import annotations

import csv
import datetime
import io
import pickle
import re
import threading
from collections.abc import Mapping
from decimal import Decimal
from importlib import resources
from pathlib import Path
from random import Random

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from cptkit import (
    Claim,
    ClaimLine,
    Code,
    DatasetError,
    NotPriced,
    UnknownLocality,
    _dataset,
    payment,
)
from cptkit.payment._estimate import _practice_expense
from cptkit.payment._schedule import build_schedules

AL, NY = "10112-00", "13202-01"
D = Decimal


def claim(*lines: ClaimLine, place: str | None = "11") -> Claim:
    return Claim(lines=lines, diagnoses=["M54.50"], place_of_service=place)


def line(code: str, units: int, *modifiers: str, day: str = "2026-08-03") -> ClaimLine:
    return ClaimLine(code, units, day, modifiers=["GP", *modifiers])


def test_one_code_two_units_alabama_2026() -> None:
    result = payment.estimate(claim(line("97110", 2)), locality=AL)
    (only,) = result.lines
    # 0.45 x 1.000 + 0.41 x 0.875 + 0.01 x 0.566 = 0.45 + 0.35875 + 0.00566 = 0.81441
    assert only.work + only.pe + only.mp == D("0.81441")
    # 0.81441 x 33.4009 = 27.2020... -> 27.20
    assert only.unit_amount == D("27.20")
    # second unit: 0.45 + 0.358750 / 2 + 0.00566 = 0.635035 x 33.4009 = 21.2107... -> 21.21
    assert only.reduced_unit_amount == D("21.21")
    assert (only.reduced_units, only.mppr_reduction, only.allowed) == (1, D("5.99"), D("48.41"))
    # 80 % of 48.41 = 38.728 -> 38.73; coinsurance 48.41 - 38.73 = 9.68
    assert (result.medicare_share, result.coinsurance) == (D("38.73"), D("9.68"))
    assert result.notices == ()


def test_psychotherapy_with_an_e_m_visit_is_priced_whole() -> None:
    # RVU26C: 99214 work 1.92, non-facility PE 2.00, MP 0.14; 90833 1.71, 0.66, 0.07.
    # 99214: 1.92 x 1.000 + 2.00 x 0.875 + 0.14 x 0.566 = 3.74924 x 33.4009 = 125.2279... -> 125.23
    # 90833: 1.71 x 1.000 + 0.66 x 0.875 + 0.07 x 0.566 = 2.32712 x 33.4009 = 77.7279... -> 77.73
    visit = Claim(
        lines=[
            ClaimLine("99214", 1, "2026-08-03"),
            ClaimLine("90833", 1, "2026-08-03", minutes=30),
        ],
        diagnoses=["F41.1"],
        place_of_service="11",
    )
    result = payment.estimate(visit, locality=AL)
    assert [x.allowed for x in result.lines] == [D("125.23"), D("77.73")]
    assert payment.fee_schedule(2026).status("99214") == "A"


def test_mppr_two_codes_alabama_2026() -> None:
    result = payment.estimate(claim(line("97110", 2), line("97530", 1)), locality=AL)
    # PE payments: 97530 0.60 x 0.875 = 0.525 > 97110 0.41 x 0.875 = 0.35875: 97530's unit
    # is paid in full: (0.44 + 0.525 + 0.00566) x 33.4009 = 0.97066 x 33.4009 = 32.4209 -> 32.42
    # 97110's two units both lose half their PE: 2 x 21.21 = 42.42
    assert [(x.allowed, x.reduced_units) for x in result.lines] == [
        (D("42.42"), 2),
        (D("32.42"), 0),
    ]
    # 2 x (27.20 - 21.21) = 11.98
    assert result.mppr_reduction == D("11.98")
    assert result.allowed == D("74.84")


def test_mppr_three_codes_and_cq_alabama_2026() -> None:
    claim_ = claim(line("97530", 1), line("97110", 2), line("97140", 1, "CQ"))
    result = payment.estimate(claim_, locality=AL)
    # 97530 in full 32.42; 97110 2 x 21.21 = 42.42;
    # 97140 reduced: (0.43 + 0.39 x 0.875 / 2 + 0.00566) = 0.606285 x 33.4009 = 20.2505 -> 20.25
    # then CQ: 20.25 x 0.85 = 17.2125 -> 17.21 (reduction 3.04)
    assert [x.allowed for x in result.lines] == [D("32.42"), D("42.42"), D("17.21")]
    assert [x.assistant_reduction for x in result.lines] == [D(0), D(0), D("3.04")]
    # 97110: 2 x 5.99 = 11.98; 97140: 25.95 - 20.25 = 5.70
    assert result.mppr_reduction == D("17.68")
    assert result.assistant_reduction == D("3.04")
    # 32.42 + 42.42 + 17.21 = 92.05; 80 % = 73.64; coinsurance 18.41
    assert (result.allowed, result.medicare_share, result.coinsurance) == (
        D("92.05"),
        D("73.64"),
        D("18.41"),
    )
    assert (result.sequestration, result.medicare_payment) == (D(0), D("73.64"))
    withheld = payment.estimate(claim_, locality=AL, sequestration=True)
    # 2 % of 73.64 = 1.4728 -> 1.47; Medicare pays 73.64 - 1.47 = 72.17
    assert (withheld.sequestration, withheld.medicare_payment) == (D("1.47"), D("72.17"))


def test_mppr_three_codes_and_cq_manhattan_2026() -> None:
    claim_ = claim(line("97530", 1), line("97110", 2), line("97140", 1, "CQ"))
    result = payment.estimate(claim_, locality=NY)
    # 97530: 0.44 x 1.064 + 0.60 x 1.162 + 0.01 x 1.586 = 0.46816 + 0.6972 + 0.01586
    #        = 1.18122 x 33.4009 = 39.4538 -> 39.45 (in full: highest PE)
    # 97110 reduced: 0.4788 + 0.4764 / 2 + 0.01586 = 0.73287 x 33.4009 = 24.4785 -> 24.48, x2
    # 97140 reduced: 0.45752 + 0.45318 / 2 + 0.01586 = 0.69997 x 33.4009 = 23.3796 -> 23.38,
    #        CQ: 23.38 x 0.85 = 19.873 -> 19.87
    assert [x.allowed for x in result.lines] == [D("39.45"), D("48.96"), D("19.87")]
    assert result.allowed == D("108.28")  # 39.45 + 48.96 + 19.87


def test_facility_place_uses_the_facility_pe() -> None:
    psychotherapy = ClaimLine("90837", 1, "2026-08-03")
    facility = payment.estimate(claim(psychotherapy, place="22"), locality=NY)
    # 3.78 x 1.064 + 0.25 x 1.162 + 0.02 x 1.586 = 4.02192 + 0.2905 + 0.03172 = 4.34414
    # x 33.4009 = 145.0982 -> 145.10
    assert (facility.lines[0].setting, facility.allowed) == ("facility", D("145.10"))
    office = payment.estimate(claim(psychotherapy, place="11"), locality=NY)
    # 4.02192 + 1.20 x 1.162 + 0.03172 = 5.44804 x 33.4009 = 181.9694 -> 181.97
    assert (office.lines[0].setting, office.allowed) == ("non-facility", D("181.97"))


def test_therapy_in_a_facility_uses_the_non_facility_pe() -> None:
    # The RVU file has no facility PE for 97110 (NA): the non-facility one is used, said so.
    result = payment.estimate(claim(line("97110", 1), place="22"), locality=AL)
    assert result.allowed == D("27.20")
    assert [n.kind for n in result.notices] == ["facility-pe-missing"]


def test_alabama_2025() -> None:
    two = claim(line("97110", 1, day="2025-11-03"), line("97530", 1, day="2025-11-03"))
    result = payment.estimate(two, locality=AL)
    # 97530: 0.44 + 0.62 x 0.869 + 0.01 x 0.575 = 0.44 + 0.53878 + 0.00575 = 0.98453
    #        x 32.3465 = 31.8461 -> 31.85 in full
    # 97110: 0.45 + 0.43 x 0.869 / 2 + 0.00575 = 0.642585 x 32.3465 = 20.7854 -> 20.79
    assert [x.allowed for x in result.lines] == [D("20.79"), D("31.85")]
    assert {x.release for x in result.lines} == {"RVU25D"}


def test_a_qualifying_apm_participant_has_its_own_conversion_factor_from_2026() -> None:
    # CY2026 PFS final rule (CMS-1832-F): $33.5675 for QPs, $33.4009 for others; 2025: one CF.
    # 97110 x1, Alabama 2026: 0.81441 x 33.5675 = 27.3377... -> 27.34 (27.20 otherwise)
    qp = payment.estimate(claim(line("97110", 1)), locality=AL, qualifying_apm=True)
    assert (qp.lines[0].conversion_factor, qp.allowed) == (D("33.5675"), D("27.34"))
    assert payment.estimate(claim(line("97110", 1)), locality=AL).allowed == D("27.20")
    # 2025 (RVU25D): 0.45 + 0.43 x 0.869 + 0.00575 = 0.82942 x 32.3465 = 26.8288... -> 26.83
    for qualifying in (True, False):
        early = claim(line("97110", 1, day="2025-11-03"))
        result = payment.estimate(early, locality=AL, qualifying_apm=qualifying)
        assert (result.lines[0].conversion_factor, result.allowed) == (D("32.3465"), D("26.83"))


def test_cq_on_a_speech_line_is_not_reduced() -> None:
    # SSA sec. 1834(v)(1): 85 % for services of PT and OT assistants only (no SLP assistant).
    # 92507 x1, Alabama 2026, RVU26C: full fee schedule amount, no assistant reduction.
    speech = Claim(
        lines=[ClaimLine("92507", 1, "2026-08-03", modifiers=["GN", "CQ"])],
        diagnoses=["R47.01"],
        place_of_service="11",
    )
    result = payment.estimate(speech, locality=AL)
    plain = payment.estimate(
        attrs.evolve(speech, lines=[attrs.evolve(speech.lines[0], modifiers=["GN"])]), locality=AL
    )
    assert (result.lines[0].assistant_reduction, result.allowed) == (D(0), plain.allowed)
    assert [n.kind for n in result.notices] == ["assistant-not-reduced"]


def test_mppr_is_per_day() -> None:
    days = claim(line("97110", 1), line("97110", 1, day="2026-08-04"))
    assert [x.allowed for x in payment.estimate(days, locality=AL).lines] == [D("27.20")] * 2


def test_equal_pe_one_unit_is_paid_in_full() -> None:
    twice = claim(line("97110", 1), line("97110", 1, "59"))
    result = payment.estimate(twice, locality=AL)
    assert sorted(x.allowed for x in result.lines) == [D("21.21"), D("27.20")]


def test_equal_pe_the_line_without_cq_is_paid_in_full() -> None:
    # The higher fee schedule amount wins a tie: 27.20 against 27.20 x 0.85 for the CQ line.
    for pair in (
        (line("97110", 1), line("97110", 1, "CQ")),
        (line("97110", 1, "CQ"), line("97110", 1)),
    ):
        result = payment.estimate(claim(*pair), locality=AL)
        # 27.20 + 21.21 x 0.85 (= 18.0285 -> 18.03) = 45.23
        assert result.allowed == D("45.23")


def test_bundled_code_is_paid_nothing() -> None:
    result = payment.estimate(claim(line("97010", 1), line("97110", 1)), locality=AL)
    assert [(x.paid, x.allowed) for x in result.lines] == [(False, D(0)), (True, D("27.20"))]
    assert result.notices[0].kind == "not-paid"
    assert "status B" in result.notices[0].message


def test_component_rows() -> None:
    # RVU26C 92540-26: work 1.46, PE 0.76, MP 0.01 (the global row has PE 1.62)
    result = payment.estimate(
        claim(ClaimLine("92540", 1, "2026-08-03", modifiers=["26"])), locality=AL
    )
    assert (result.lines[0].work_rvu, result.lines[0].pe_rvu) == (D("1.46"), D("0.76"))


@pytest.mark.parametrize(
    ("day", "kind"),
    [
        ("2026-03-02", "release-later"),  # RVU26C starts 2026-07-01
        ("2026-10-01", "data-stale"),  # RVU26C speaks through 2026-09-30
        ("2027-01-04", "data-stale"),
    ],
)
def test_dates_outside_the_release_are_noticed(day: str, kind: str) -> None:
    result = payment.estimate(claim(line("97110", 1, day=day)), locality=AL)
    assert [n.kind for n in result.notices] == [kind]
    assert result.lines[0].release == "RVU26C"
    assert result.stale is (kind == "data-stale")
    assert day in result.notices[0].message


def test_year_overrides_the_date() -> None:
    result = payment.estimate(claim(line("97110", 1)), locality=AL, year=2025)
    assert (result.lines[0].release, result.allowed) == ("RVU25D", D("26.83"))  # 0.82942 x 32.3465


def test_no_place_of_service_assumes_non_facility() -> None:
    result = payment.estimate(claim(line("97110", 1), place=None), locality=AL)
    assert result.allowed == D("27.20")
    assert [n.kind for n in result.notices] == ["no-place-of-service"]


@pytest.mark.parametrize(
    ("locality", "year", "code", "day", "error", "message"),
    [
        ("99999-99", None, "97110", "2026-08-03", UnknownLocality, "locality: '99999-99' is not"),
        (10112, None, "97110", "2026-08-03", UnknownLocality, "locality: 10112 is not"),
        (AL, None, "97110", "2024-12-31", NotPriced, "year: 2024 has no fee schedule amount"),
        (AL, 2023, "97110", "2026-08-03", NotPriced, "year: 2023 has no fee schedule amount"),
        (AL, None, "97151", "2026-08-03", NotPriced, "status C on RVU26C, carrier-priced"),
        (AL, None, "97127", "2026-08-03", NotPriced, "not on the RVU26C RVU file"),
        (AL, None, "92558", "2026-08-03", NotPriced, "status X on RVU26C, not a physician"),
        # the TC row of 96020 is carrier-priced although the code's own row is not
        (AL, None, "96020-TC", "2026-08-03", NotPriced, "status C on RVU26C, carrier-priced"),
    ],
)
def test_errors(
    locality: object, year: int | None, code: str, day: str, error: type[Exception], message: str
) -> None:
    number, _, modifier = code.partition("-")
    with pytest.raises(error, match=re.escape(message)):
        payment.estimate(
            claim(line(number, 1, *filter(None, [modifier]), day=day)),
            locality=locality,  # type: ignore[arg-type]
            year=year,
        )


@pytest.mark.parametrize(
    ("state", "county", "locality"),
    [
        ("NY", "New York", NY),
        ("ny", "Queens County", "13292-04"),
        ("NY", "Albany", "13282-99"),
        ("CA", "Orange", "01182-18"),  # the CMS text misspells it ORAGNGE
        ("MD", "Montgomery", "12202-01"),  # in the DC locality
        ("MD", "Garrett", "12302-99"),
        ("VA", "Arlington", "12202-01"),
        ("VA", "Henrico", "11302-00"),
        ("AL", "Jefferson", AL),
        # Names written otherwise than 25LOCCO writes them (typed from 25LOCCO: 09102-04
        # "MIAMI" is DADE AND MONROE; 05302-01 "METROPOLITAN ST. LOUIS" holds ST. LOUIS and
        # ST. LOUIS CITY; 12202-01 holds PRINCE GEORGE'S; 07202-01 "NEW ORLEANS" holds
        # JEFFERSON; 10212-01 "ATLANTA" holds DEKALB; 06102-15 "SUBURBAN CHICAGO" holds DUPAGE).
        ("FL", "Miami-Dade", "09102-04"),
        ("FL", "Miami-Dade County", "09102-04"),
        ("FL", "dade", "09102-04"),
        ("MO", "St Louis", "05302-01"),
        ("MO", "Saint Louis County", "05302-01"),
        ("MO", "City of St. Louis", "05302-01"),
        ("MD", "Prince Georges", "12202-01"),
        ("MD", "Prince George’s County", "12202-01"),
        ("LA", "Jefferson Parish", "07202-01"),
        ("GA", "De Kalb", "10212-01"),
        ("IL", "Du Page County", "06102-15"),
        ("FL", "Leon", "09102-99"),  # a county no row names: the rest of the state
    ],
)
def test_find_locality(state: str, county: str, locality: str) -> None:
    assert payment.find_locality(state, county).id == locality


def test_no_two_counties_of_a_state_look_alike() -> None:
    # The names find_locality compares keep every county of the crosswalk apart.
    text = resources.files("cptkit.data").joinpath("pfs_localities.csv").read_text("utf-8")
    rows = [line.split(",") for line in text.splitlines()[1:] if not line.startswith("#")]
    keys = [(year, state, payment._county_key(county)) for year, _, state, county in rows[1:]]
    assert len(keys) > 200 and len(set(keys)) == len(keys)


def test_find_locality_errors() -> None:
    with pytest.raises(UnknownLocality, match=re.escape("not a state of the CY2025 crosswalk")):
        payment.find_locality("ZZ", "Nowhere")
    with pytest.raises(UnknownLocality, match=re.escape("no locality-county crosswalk packaged")):
        payment.find_locality("NY", "Queens", year=2026)


def test_localities_and_schedules() -> None:
    assert len(payment.localities(2026)) == len(payment.localities()) == 109
    assert payment.localities(2025)[0].id == "01112-05"
    schedule = payment.fee_schedule(2025)
    assert (schedule.year, schedule.status("97014"), schedule.status("97127")) == (2025, "I", None)
    assert schedule.get("97110", "GP") is None
    with pytest.raises(NotPriced, match=re.escape("year: 2022 has no fee schedule amount")):
        payment.localities(2022)
    assert [(r.name, r.effective, r.last_day) for r in payment.releases()] == [
        ("RVU25D", datetime.date(2025, 10, 1), datetime.date(2025, 12, 31)),
        ("RVU26C", datetime.date(2026, 7, 1), datetime.date(2026, 9, 30)),
    ]


def test_explain_and_html() -> None:
    claim_ = Claim(
        lines=[line("97110", 2), line("97140", 1, "CQ"), line("97010", 1)],
        diagnoses=["M54.50"],
        place_of_service="11",
        claim_id="C-1",
    )
    result = payment.estimate(claim_, locality=AL, sequestration=True)
    text = result.explain()
    assert text.splitlines()[0] == (
        "claim C-1: Medicare Physician Fee Schedule estimate, locality 10112-00"
    )
    assert (
        "  work 0.45 x 1.000 + PE 0.41 x 0.875 + MP 0.01 x 0.566 = 0.81441 RVUs x $33.4009"
        " = $27.20 a unit"
    ) in text
    assert "  CQ/CO: paid at 85%: -$3.04" in text
    assert "  not paid under the fee schedule: allowed $0.00" in text
    assert "Sequestration 2% of Medicare's share" in text
    assert str(result) == text
    page = result._repr_html_()
    assert page.startswith("<div class='cptkit-estimate'><p>claim C-1: PFS estimate")
    assert "<td>97140</td>" in page and "status B" in page
    record = result.to_record()
    assert record["allowed"] == str(result.allowed)
    assert record["lines"][0]["code"] == "97110"


def test_a_pickled_or_copied_notice_is_equal() -> None:
    one = payment.Notice("data-stale", None, "x")
    assert one == payment.Notice("data-stale", None, "x")


def test_loads_once_from_a_cold_cache() -> None:
    _dataset._clear()
    seen: list[object] = []
    threads = [
        threading.Thread(target=lambda: seen.append(payment.fee_schedule(2026))) for _ in range(8)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(seen) == 8 and all(item is seen[0] for item in seen)


THERAPY = ("97110", "97140", "97530", "97112", "97116", "97010", "92540")
lines_ = st.builds(
    lambda code, units, cq, day, charge, component: ClaimLine(
        code,
        units,
        day,
        modifiers=["GP", *(["CQ"] if cq else []), *([component] if component else [])],
        charge=charge,
    ),
    st.sampled_from(THERAPY),
    st.integers(min_value=1, max_value=4),
    st.booleans(),
    st.sampled_from(["2025-11-03", "2026-08-03", "2026-08-04"]),
    st.one_of(st.none(), st.decimals(min_value=0, max_value=200, places=2)),
    st.sampled_from([None, "26", "TC"]),
)
claims = st.builds(
    lambda lines, place: claim(*lines, place=place),
    st.lists(lines_, min_size=1, max_size=6),
    st.sampled_from(["11", "22", None]),
)


@given(claims, st.sampled_from([AL, NY]))
def test_amounts_are_never_negative_and_add_up(claim_: Claim, locality: str) -> None:
    result = payment.estimate(claim_, locality=locality)
    for item in result.lines:
        reductions = (item.mppr_reduction, item.charge_reduction, item.assistant_reduction)
        assert min(item.allowed, *reductions) >= 0
        assert item.allowed + sum(reductions) == item.unit_amount * item.units
    assert result.allowed == sum(item.allowed for item in result.lines)
    assert result.medicare_share + result.coinsurance == result.allowed


@given(claims, st.randoms(use_true_random=False))
def test_line_order_does_not_change_totals(claim_: Claim, random: Random) -> None:
    shuffled = list(claim_.lines)
    random.shuffle(shuffled)
    one = payment.estimate(claim_, locality=AL)
    other = payment.estimate(attrs.evolve(claim_, lines=shuffled), locality=AL)
    assert (one.allowed, one.mppr_reduction) == (other.allowed, other.mppr_reduction)


@given(claims)
def test_mppr_never_raises_a_total(claim_: Claim) -> None:
    result = payment.estimate(claim_, locality=AL)
    assert result.allowed <= sum(item.unit_amount * item.units for item in result.lines)
    # and a line alone on its day is never reduced by another line's MPPR
    if len(claim_.lines) == 1 and claim_.lines[0].units == 1:
        assert result.mppr_reduction == 0


# -- the loader --------------------------------------------------------------------------------

RELEASES = (
    "release,year,effective,conversion_factor,qp_conversion_factor\n"
    "RVU26C,2026,2026-07-01,33.4009,33.5675\n"
)
RVUS = (
    "release,code,modifier,status,mult_proc,work,pe_nonfacility,pe_facility,mp,"
    "not_used_for_medicare\nRVU26C,97110,,A,5,0.45,0.41,,0.01,\n"
)
GPCIS = "year,locality,state,name,work,pe,mp\n2026,10112-00,AL,ALABAMA,1.000,0.875,0.566\n"
COUNTIES = "year,locality,state,county\n2026,10112-00,AL,*\n"


def _build(
    releases: str = RELEASES, rvus: str = RVUS, gpcis: str = GPCIS, counties: str = COUNTIES
) -> tuple[Mapping[int, payment.FeeSchedule], Mapping[int, Mapping[tuple[str, str], str]]]:
    return build_schedules(
        io.StringIO(releases), io.StringIO(rvus), io.StringIO(gpcis), io.StringIO(counties)
    )


def test_the_loader_reads_a_tiny_fixture() -> None:
    schedules, crosswalks = _build()
    assert schedules[2026].relative_values("97110").pe_facility is None
    assert crosswalks[2026][("AL", "*")] == AL


@pytest.mark.parametrize(
    ("releases", "rvus", "gpcis", "message"),
    [
        (
            RELEASES + "RVU26C,2026,2026-07-01,33.4009,33.5675\n",
            RVUS,
            GPCIS,
            "malformed or repeated",
        ),
        (RELEASES.replace("2026-07-01", "July"), RVUS, GPCIS, "is not a date"),
        (RELEASES.replace("33.5675", "x"), RVUS, GPCIS, "is not a number"),
        (RELEASES.replace("2026,2026", "2025,2026"), RVUS, GPCIS, "not in the release's year"),
        (RELEASES, RVUS + "RVU26C,97110,,A,5,0.45,0.41,,0.01,\n", GPCIS, "repeated code"),
        (RELEASES, RVUS.replace(",0.45,", ",-1,"), GPCIS, "not a non-negative number"),
        (RELEASES, RVUS.replace(",0.45,", ",x,"), GPCIS, "is not a number"),
        (RELEASES, RVUS.replace("97110", "9711"), GPCIS, "code or modifier is malformed"),
        (RELEASES, RVUS, GPCIS.replace("2026,", "26,", 1), "year '26' is not a year"),
        (RELEASES, RVUS, GPCIS + GPCIS.splitlines()[1] + "\n", "repeated"),
        (RELEASES, RVUS, GPCIS.replace("2026", "2025"), "has no GPCI that year"),
    ],
)
def test_the_loader_is_strict(releases: str, rvus: str, gpcis: str, message: str) -> None:
    with pytest.raises(DatasetError, match=re.escape(message)):
        _build(releases, rvus, gpcis)


def test_a_release_without_gpcis_is_refused() -> None:
    gpcis = GPCIS.replace("2026", "2025")
    with pytest.raises(DatasetError, match=re.escape("RVU26C has no GPCIs")):
        _build(gpcis=gpcis, counties=COUNTIES.replace("2026", "2025"))


RAW = Path(__file__).resolve().parent.parent / "data" / "raw"


@pytest.mark.skipif(not RAW.is_dir(), reason="data/raw is not in this checkout")
@pytest.mark.parametrize(
    ("year", "path"),
    [
        (2025, "pfs_2025/pprrvu_2025_rvu25d_oct.csv"),
        (2026, "pfs_2026/pprrvu_2026_rvu26c_jul_nonqpp.csv"),
    ],
)
def test_every_packaged_row_matches_the_cms_file(year: int, path: str) -> None:
    schedule = payment.fee_schedule(year)
    with (RAW / path).open(encoding="utf-8", newline="") as stream:
        raw = {(row["hcpcs"], row["mod"]): row for row in csv.DictReader(stream)}
    codes = {code for code, _ in raw}
    checked = 0
    for (code, modifier), row in raw.items():
        values = schedule.get(code, modifier or None)
        if values is None:
            continue
        checked += 1
        assert (values.status, str(values.multiple_procedure)) == (
            row["status_code"],
            row["mult_proc"],
        )
        assert (values.work, values.mp) == (D(row["work_rvu"]), D(row["mp_rvu"]))
        assert values.pe_nonfacility == (
            None if row["nonfac_na_indicator"] else D(row["nonfac_pe_rvu"])
        )
        assert values.pe_facility == (
            None if row["facility_na_indicator"] else D(row["facility_pe_rvu"])
        )
    assert checked > 250 and {"97110", "97530", "G0283"} <= codes


def test_a_charge_below_the_fee_schedule_amount_is_what_is_paid() -> None:
    cheap = ClaimLine("97110", 1, "2026-08-03", modifiers=["GP", "CQ"], charge="20")
    result = payment.estimate(claim(cheap), locality=AL)
    (only,) = result.lines
    # 27.20 -> the charge 20.00 (7.20 off), then CQ: 20.00 x 0.85 = 17.00 (3.00 off)
    assert (only.charge_reduction, only.assistant_reduction, only.allowed) == (
        D("7.20"),
        D("3.00"),
        D("17.00"),
    )
    assert [n.kind for n in result.notices] == ["charge-lower"]
    assert "  the charge is lower and is paid: -$7.20" in result.explain()
    dear = ClaimLine("97110", 1, "2026-08-03", modifiers=["GP"], charge="90")
    assert payment.estimate(claim(dear), locality=AL).allowed == D("27.20")


def test_equal_lines_but_their_charges_give_one_total_in_any_order() -> None:
    cheap = ClaimLine("97110", 1, "2026-08-03", modifiers=["GP"], charge="20")
    plain = line("97110", 1)
    totals = {
        payment.estimate(claim(*pair), locality=AL).allowed
        for pair in ((cheap, plain), (plain, cheap))
    }
    # the line without a charge is paid in full (27.20), the other the lower of 20.00 and
    # its MPPR amount 21.21: 47.20
    assert totals == {D("47.20")}


def test_a_place_without_a_setting_assumes_non_facility() -> None:
    result = payment.estimate(claim(line("97110", 1), place="28"), locality=AL)
    assert result.allowed == D("27.20")
    assert [n.kind for n in result.notices] == ["place-unassigned"]


def test_a_component_modifier_without_its_row_uses_the_code_row() -> None:
    result = payment.estimate(claim(line("97110", 1, "TC")), locality=AL)
    assert (result.lines[0].pe_rvu, result.allowed) == (D("0.41"), D("27.20"))


def test_no_practice_expense_at_all_is_not_priced() -> None:
    values = payment.RelativeValues(
        Code("97110"), None, "A", 5, D("0.45"), None, None, D("0.01"), True
    )
    with pytest.raises(NotPriced, match=re.escape("no practice expense RVUs")):
        _practice_expense(values, "facility", 0, [])


def test_the_pretty_printer_shows_the_explanation() -> None:
    result = payment.estimate(claim(line("97110", 1)), locality=AL, sequestration=True)
    shown: list[str] = []

    class Printer:
        def text(self, value: str) -> None:
            shown.append(value)

    result._repr_pretty_(Printer(), cycle=False)
    assert shown == [result.explain()]
    # 27.20 x 0.8 = 21.76; 2 % of 21.76 = 0.4352 -> 0.44; 21.76 - 0.44 = 21.32
    assert "after 2% sequestration Medicare pays $21.32" in result._repr_html_()


@pytest.mark.parametrize(
    "error",
    [
        NotPriced("code", "97151", "status C on RVU26C"),
        UnknownLocality("99999-99", "expected MAC-locality"),
    ],
)
def test_errors_pickle_and_are_lookup_errors(error: Exception) -> None:
    copy = pickle.loads(pickle.dumps(error))
    # Pickled without the value (#20): the message says <withheld> where it stood.
    assert type(copy) is type(error)
    assert str(copy) == str(error).replace("'97151'", "<withheld>").replace(
        "'99999-99'", "<withheld>"
    )
    assert isinstance(copy, LookupError)
