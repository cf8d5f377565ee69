# SPDX-License-Identifier: MIT
"""The catalog API over the packaged data, with spot checks typed out from the sources."""

from __future__ import annotations

import datetime
import pickle
import re
from pathlib import Path

import pytest

import cptkit
from cptkit import (
    Code,
    Discipline,
    InvalidCode,
    ModifierGroup,
    Timing,
    UnknownCode,
    UnknownModifier,
    UnknownPlaceOfService,
)

D = datetime.date


# Every code the clinic handout behind the project names.
@pytest.mark.parametrize("code", ["97153", "92507", "97110", "97112", "90832", "97151"])
def test_handout_codes_present_and_active(code: str) -> None:
    info = cptkit.lookup(code, on="2026-03-02")
    assert info.code == Code(code)
    assert info.summary
    assert info.terminated is None


# (code, timing, unit_minutes, band, add_on, disciplines) typed from CPT/CMS conventions.
TIMING_TABLE = [
    ("97110", Timing.TIMED, 15, None, False, {"PT", "OT"}),
    ("97112", Timing.TIMED, 15, None, False, {"PT", "OT"}),
    ("97140", Timing.TIMED, 15, None, False, {"PT", "OT"}),
    ("97530", Timing.TIMED, 15, None, False, {"PT", "OT"}),
    ("97153", Timing.TIMED, 15, None, False, {"ABA"}),
    ("97155", Timing.TIMED, 15, None, False, {"ABA"}),
    ("0362T", Timing.TIMED, 15, None, False, {"ABA"}),
    ("97161", Timing.UNTIMED, None, None, False, {"PT"}),
    ("97165", Timing.UNTIMED, None, None, False, {"OT"}),
    ("97010", Timing.UNTIMED, None, None, False, {"PT", "OT"}),
    ("97150", Timing.UNTIMED, None, None, False, {"PT", "OT"}),
    ("92507", Timing.UNTIMED, None, None, False, {"SLP", "AUD"}),
    ("90791", Timing.UNTIMED, None, None, False, {"BH"}),
    ("90832", Timing.BAND, None, (16, 37), False, {"BH"}),
    ("90834", Timing.BAND, None, (38, 52), False, {"BH"}),
    ("90837", Timing.BAND, None, (53, None), False, {"BH"}),
    ("90833", Timing.BAND, None, (16, 37), True, {"BH"}),
    ("90836", Timing.BAND, None, (38, 52), True, {"BH"}),
    ("90838", Timing.BAND, None, (53, None), True, {"BH"}),
    ("96130", Timing.LADDER, None, None, False, {"PSYTEST"}),
    ("96131", Timing.LADDER, 60, None, True, {"PSYTEST"}),
    ("96137", Timing.LADDER, 30, None, True, {"PSYTEST"}),
    ("97130", Timing.LADDER, 15, None, True, {"PT", "OT", "SLP"}),
    ("90840", Timing.LADDER, 30, None, True, {"BH"}),
]


@pytest.mark.parametrize(("code", "timing", "unit", "band", "add_on", "disciplines"), TIMING_TABLE)
def test_timing_spot_checks(
    code: str,
    timing: Timing,
    unit: int | None,
    band: tuple[int, int | None] | None,
    add_on: bool,
    disciplines: set[str],
) -> None:
    info = cptkit.lookup(code)
    assert info.timing is timing
    assert info.unit_minutes == unit
    assert info.time_band == band
    assert info.add_on is add_on
    assert {d.name for d in info.disciplines} == disciplines
    assert info.timed is (timing in (Timing.TIMED, Timing.LADDER))


# (code, pooled under the 8-minute rule, band text): CMS Pub. 100-04 ch. 5 sec. 20.2 (the
# outpatient therapy chapter) pools the 15-minute timed therapy codes only; CPT psychotherapy
# bands.
POOLING_TABLE = [
    ("97110", True, None),
    ("97153", False, None),  # ABA: 15-minute units, not a therapy code (CPT counts it alone)
    ("98960", False, None),  # timed, but in 30-minute units
    ("96125", False, None),  # timed, per hour
    ("96130", False, None),  # a ladder
    ("97161", False, None),  # untimed
    ("90832", False, "16-37"),
    ("90837", False, "53+"),
]


@pytest.mark.parametrize(("code", "pooled", "band"), POOLING_TABLE)
def test_pooled_and_band_text(code: str, pooled: bool, band: str | None) -> None:
    info = cptkit.lookup(code)
    assert info.pooled is pooled
    assert info.band_text == band


# (base, add-on, base_minutes, base_threshold, addon_unit, addon_threshold) from CPT time rules.
LADDERS = [
    ("96130", "96131", 60, 31, 60, 31),
    ("96132", "96133", 60, 31, 60, 31),
    ("96136", "96137", 30, 16, 30, 16),
    ("96138", "96139", 30, 16, 30, 16),
    ("97129", "97130", 15, 8, 15, 8),
    ("90839", "90840", 60, 30, 30, 15),
    ("97550", "97551", 30, 16, 15, 8),
    ("98980", "98981", 20, 20, 20, 20),
]


@pytest.mark.parametrize(("base", "addon", "bm", "bt", "au", "at"), LADDERS)
def test_ladders(base: str, addon: str, bm: int, bt: int, au: int, at: int) -> None:
    ladder = cptkit.lookup(base).ladder
    assert ladder is not None
    assert (str(ladder.base), str(ladder.addon)) == (base, addon)
    assert (ladder.base_minutes, ladder.base_threshold) == (bm, bt)
    assert (ladder.addon_unit_minutes, ladder.addon_threshold) == (au, at)
    assert cptkit.lookup(addon).ladder is ladder
    assert Code(base) in cptkit.lookup(addon).primary_codes


# Terminated codes: (code, terminated, replacements) from data/manual/code_history.csv and the
# CMS evidence it cites.
TERMINATED = [
    ("96101", D(2018, 12, 31), ["96130", "96131", "96136", "96137"]),
    ("96102", D(2018, 12, 31), ["96138", "96139"]),
    ("96103", D(2018, 12, 31), ["96146"]),
    ("96118", D(2018, 12, 31), ["96132", "96133", "96136", "96137"]),
    ("96119", D(2018, 12, 31), ["96138", "96139"]),
    ("96120", D(2018, 12, 31), ["96146"]),
    ("97001", D(2016, 12, 31), ["97161", "97162", "97163"]),
    ("97002", D(2016, 12, 31), ["97164"]),
    ("97003", D(2016, 12, 31), ["97165", "97166", "97167"]),
    ("97004", D(2016, 12, 31), ["97168"]),
    # ASHA, "New Evaluation Codes for SLPs Available January 1, 2014" (CPT 2014).
    ("92506", D(2013, 12, 31), ["92521", "92522", "92523", "92524"]),
    ("0359T", D(2018, 12, 31), ["97151"]),
    ("0364T", D(2018, 12, 31), ["97153"]),
    ("0372T", D(2018, 12, 31), ["97158"]),
    ("97532", D(2017, 12, 31), ["97127", "G0515"]),
    ("97127", D(2019, 12, 31), ["97129", "97130"]),
    ("G0515", D(2019, 12, 31), ["97129", "97130"]),
    ("97762", D(2017, 12, 31), ["97763"]),
    ("96150", D(2019, 12, 31), ["96156"]),
    ("96155", D(2019, 12, 31), ["96170", "96171"]),
    ("98969", D(2019, 12, 31), ["98970", "98971", "98972"]),
]


@pytest.mark.parametrize(("code", "terminated", "replacements"), TERMINATED)
def test_terminated_codes(code: str, terminated: datetime.date, replacements: list[str]) -> None:
    info = cptkit.lookup(code)
    assert info.terminated == terminated
    assert [str(c) for c in info.replaced_by] == replacements
    assert info.active_on(terminated)
    assert not info.active_on(terminated + datetime.timedelta(days=1))
    assert info.date_basis
    for replacement in replacements:
        assert cptkit.lookup(replacement).code == Code(replacement)  # replacements are known


# The ABA codes valid on 2026-01-01 (data/manual/code_attributes.csv, discipline "ABA").
ABA_2026 = [
    "0362T",
    "0373T",
    "97151",
    "97152",
    "97153",
    "97154",
    "97155",
    "97156",
    "97157",
    "97158",
]


def test_lookup_on_date() -> None:
    message = "code: '96101' is not in the cptkit dataset (not valid on 2026-03-02: terminated 2018-12-31; replaced by 96130, 96131, 96136, 96137)"
    with pytest.raises(UnknownCode, match=re.escape(message)):
        cptkit.lookup("96101", on="2026-03-02")
    assert cptkit.lookup("96101", on=D(2018, 6, 1)).code == Code("96101")
    with pytest.raises(
        UnknownCode, match=re.escape("not valid on 2019-06-01: effective 2020-01-01")
    ):
        cptkit.lookup("97129", on="2019-06-01")


def test_new_codes_dated_by_cms_files() -> None:
    # first seen in OPPS Addendum B January 2020, absent January 2019
    assert cptkit.lookup("97129").effective == D(2020, 1, 1)
    assert cptkit.lookup("96156").effective == D(2020, 1, 1)
    # first seen in the January 2024 PFS file
    assert cptkit.lookup("97550").effective == D(2024, 1, 1)


# Codes dated by the sources data/manual/code_history.csv cites (typed from them): CPT 2014
# replaced 92506 by 92521-92524 from 2014-01-01 (ASHA, 2013-09-23); the ABA Category III
# codes 0359T-0374T were reportable from 2014-07-01 (AMA mid-year release; APA Practice
# Organization, 2014-07-24).
STARTED = [
    ("92521", D(2014, 1, 1)),
    ("92522", D(2014, 1, 1)),
    ("92523", D(2014, 1, 1)),
    ("92524", D(2014, 1, 1)),
    ("0359T", D(2014, 7, 1)),
    ("0362T", D(2014, 7, 1)),
    ("0364T", D(2014, 7, 1)),
    ("0373T", D(2014, 7, 1)),
    ("0374T", D(2014, 7, 1)),
    ("97161", D(2017, 1, 1)),
]


@pytest.mark.parametrize(("code", "effective"), STARTED)
def test_codes_start_on_the_date_their_source_gives(code: str, effective: datetime.date) -> None:
    info = cptkit.lookup(code)
    assert info.effective == effective
    assert info.active_on(effective)
    assert not info.active_on(effective - datetime.timedelta(days=1))


def test_an_slp_evaluation_of_2015_is_billed_with_the_2014_codes() -> None:
    line = {
        "units": 1,
        "date_of_service": "2015-06-01",
        "modifiers": ["GN"],
        "diagnosis_pointers": [1],
    }
    claim = cptkit.Claim(lines=[cptkit.ClaimLine(code="92523", **line)], diagnoses=["R47.01"])
    assert "code-inactive" not in {f.rule for f in cptkit.validate(claim).findings}
    old = cptkit.Claim(lines=[cptkit.ClaimLine(code="92506", **line)], diagnoses=["R47.01"])
    [inactive] = [f for f in cptkit.validate(old).findings if f.rule == "code-inactive"]
    assert inactive.message == "92506 was deleted after 2013-12-31"


def test_unknown_and_invalid() -> None:
    with pytest.raises(UnknownCode, match=re.escape("code: '99213' is not in the cptkit dataset")):
        cptkit.lookup("99213")
    with pytest.raises(InvalidCode):
        cptkit.lookup("9921")
    assert cptkit.get("99213") is None
    assert cptkit.get("99213", "missing") == "missing"
    assert cptkit.get("96101", on="2026-01-01") is None
    assert isinstance(cptkit.get(Code("97110")), cptkit.CodeInfo)


def test_pfs_status_and_telehealth() -> None:
    assert cptkit.lookup("97010").bundled  # PFS status B
    assert cptkit.lookup("97153").pfs_status == "C"  # carrier-priced
    assert cptkit.lookup("97110").pfs_status == "A"
    assert cptkit.lookup("90832").telehealth is True  # on the CY2026 list excerpt
    assert cptkit.lookup("92507").telehealth is True
    assert cptkit.lookup("90791").telehealth is True
    assert cptkit.lookup("97110").telehealth is None  # beyond the excerpt: unknown


def test_add_on_primaries() -> None:
    info = cptkit.lookup("90785")
    assert info.add_on
    assert {"90791", "90832", "90834", "90837"} <= {str(c) for c in info.primary_codes}
    assert Code("99213") in cptkit.lookup("90833").primary_codes  # E/M range expanded


def test_search_and_filters() -> None:
    found = [str(info.code) for info in cptkit.search("cognitive")]
    assert {"97129", "97130"} <= set(found)
    assert cptkit.search("") == ()
    assert cptkit.search("no such words anywhere") == ()
    aba = cptkit.catalog().codes(discipline=Discipline.ABA, on="2026-01-01")
    assert [str(i.code) for i in aba] == ABA_2026
    assert cptkit.catalog().codes(discipline="ABA", on="2026-01-01") == aba
    psychotherapy = cptkit.catalog().codes(family="psychotherapy")
    assert {"90832", "90834", "90837"} <= {str(i.code) for i in psychotherapy}


# (modifier, group, pricing, effective, terminated) typed from the CMS HCPCS files.
MODIFIERS = [
    ("GP", ModifierGroup.THERAPY_DISCIPLINE, False, D(1999, 1, 1), None),
    ("GO", ModifierGroup.THERAPY_DISCIPLINE, False, D(1999, 1, 1), None),
    ("GN", ModifierGroup.THERAPY_DISCIPLINE, False, D(1999, 1, 1), None),
    ("CQ", ModifierGroup.ASSISTANT, True, D(2019, 1, 1), None),
    ("KX", ModifierGroup.THRESHOLD, False, D(2002, 7, 1), None),
    ("XU", ModifierGroup.NCCI_BYPASS, False, D(2015, 1, 1), None),
    ("GT", ModifierGroup.TELEHEALTH, False, D(1999, 1, 1), None),
    ("GA", ModifierGroup.LIABILITY_NOTICE, False, None, None),
    ("HN", ModifierGroup.CREDENTIAL, False, None, None),
    ("GD", ModifierGroup.OTHER, False, None, D(2019, 12, 31)),
]


@pytest.mark.parametrize(("text", "group", "pricing", "effective", "terminated"), MODIFIERS)
def test_modifiers(
    text: str,
    group: ModifierGroup,
    pricing: bool,
    effective: datetime.date | None,
    terminated: datetime.date | None,
) -> None:
    info = cptkit.lookup_modifier(text)
    assert info.level == "HCPCS"
    assert info.group is group
    assert info.pricing is pricing
    if effective is not None:
        assert info.effective == effective
    assert info.terminated == terminated
    assert info.description


@pytest.mark.parametrize("text", ["59", "95", "25", "76", "52"])
def test_cpt_modifiers_have_own_summaries(text: str) -> None:
    info = cptkit.lookup_modifier(text)
    assert info.level == "CPT"
    assert info.summary
    assert info.description == ""


def test_modifier_lookup_errors() -> None:
    with pytest.raises(
        UnknownModifier, match=re.escape("modifier: 'ZZ' is not in the cptkit dataset")
    ):
        cptkit.lookup_modifier("ZZ")
    with pytest.raises(UnknownModifier, match="not valid on 2020-06-01: terminated 2019-12-31"):
        cptkit.lookup_modifier("GD", on="2020-06-01")
    assert cptkit.get_modifier("ZZ") is None
    assert cptkit.get_modifier("gp") is not None


def test_places_of_service() -> None:
    home = cptkit.lookup_place_of_service("10")
    assert home.telehealth and home.assigned
    assert home.setting == "non-facility"
    assert home.effective == D(2022, 1, 1)
    assert cptkit.lookup_place_of_service("02").setting == "facility"
    assert cptkit.lookup_place_of_service("11").setting == "non-facility"
    assert cptkit.lookup_place_of_service("22").setting == "facility"
    with pytest.raises(
        UnknownPlaceOfService, match=re.escape("not valid on 2021-06-01: effective 2022-01-01")
    ):
        cptkit.lookup_place_of_service("10", on="2021-06-01")
    with pytest.raises(UnknownPlaceOfService, match="unassigned by CMS"):
        cptkit.lookup_place_of_service("30")
    assert cptkit.get_place_of_service("30") is None
    assert cptkit.get_place_of_service("11", on="2026-01-01") is not None


def test_mue() -> None:
    catalog = cptkit.catalog()
    # typed from the CMS practitioner MUE table effective 2024-07-01
    for code, units, mai in [
        ("97153", 32, 3),
        ("97155", 24, 3),
        ("0362T", 16, 3),
        ("0373T", 24, 3),
        ("97161", 1, 2),
        ("97168", 1, 2),
    ]:
        edit = catalog.mue(code, on="2026-03-02")
        assert edit is not None
        assert (edit.units, edit.mai, edit.per_day) == (units, mai, True)
    assert catalog.mue("G9999") is None


def test_ptp() -> None:
    catalog = cptkit.catalog()
    # 97140/97530: indicator 1, deleted 2019-12-31 (CMS practitioner PTP, Q3 2024)
    old = catalog.ptp("97530", "97140", on="2019-12-30")
    assert old is not None
    assert (str(old.column1), str(old.column2), old.modifier_indicator) == ("97140", "97530", 1)
    assert old.bypassable
    # the deletion date is the last day the edit applies (CMS deletes on quarter ends)
    assert catalog.ptp("97140", "97530", on="2019-12-31") is not None
    assert catalog.ptp("97140", "97530", on="2020-01-01") is None
    assert catalog.ptp("97140", "97530") is None
    # 97530 against an evaluation: deleted 2020-01-01 with indicator 9 -> never an edit
    assert catalog.ptp("97161", "97530", on="2019-06-01") is None
    assert "97530" in catalog.ptp_partners("97140")
    assert catalog.ptp_partners("G9999") == frozenset()


def test_dataset_version() -> None:
    assert "2024-07-01" in cptkit.dataset_version
    assert cptkit.catalog().version == cptkit.dataset_version
    with pytest.raises(AttributeError):
        cptkit.no_such_thing  # noqa: B018


def test_default_catalog_pickles_small() -> None:
    data = pickle.dumps(cptkit.catalog())
    assert len(data) < 200
    assert pickle.loads(data) is cptkit.catalog()


def test_bad_on_value() -> None:
    with pytest.raises(cptkit.InvalidInput, match=re.escape("on: '2026-13-01' is not a date")):
        cptkit.lookup("97110", on="2026-13-01")


def test_descriptor_overlay(tmp_path: Path) -> None:
    path = tmp_path / "licensed.csv"
    path.write_text("code,descriptor\n97110,Licensed text for 97110\n", encoding="utf-8")
    licensed = cptkit.catalog().with_descriptors(path)
    assert licensed.lookup("97110").descriptor == "Licensed text for 97110"
    assert cptkit.lookup("97110").descriptor is None  # the default catalog is untouched
    assert licensed.search("licensed text")[0].code == Code("97110")
    listed = {str(info.code): info.descriptor for info in licensed.codes(discipline="PT")}
    assert listed["97110"] == "Licensed text for 97110" and listed["97112"] is None
    assert str(path) in licensed.version
    again = pickle.loads(pickle.dumps(licensed))
    assert again.lookup("97110").descriptor == "Licensed text for 97110"
    assert "descriptors" in repr(licensed)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("code,text\n97110,x\n", "expected a header with 'code' and 'descriptor'"),
        ("code,descriptor\n9711,x\n", "line 2: code '9711' is not a code"),
        ("", "expected a header"),
    ],
)
def test_descriptor_overlay_errors(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(cptkit.DatasetError, match=re.escape(message)):
        cptkit.catalog().with_descriptors(path)
    with pytest.raises(cptkit.DatasetError, match="cannot be read"):
        cptkit.catalog().with_descriptors(tmp_path / "missing.csv")


def test_discipline_names_and_bad_search() -> None:
    catalog = cptkit.catalog()
    assert [str(i.code) for i in catalog.codes(discipline="aba", on="2026-01-01")] == ABA_2026
    with pytest.raises(
        cptkit.InvalidInput, match=re.escape("discipline: 'physical therapy' is not a discipline")
    ):
        catalog.codes(discipline="physical therapy")
    with pytest.raises(cptkit.InvalidInput, match=re.escape("text: 'NoneType' is not search text")):
        catalog.search(None)  # type: ignore[arg-type]
