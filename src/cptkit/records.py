# SPDX-License-Identifier: MIT
"""The immutable records the dataset hands out: codes, modifiers, places of service, edits and
diagnoses.

Records are built once when the packaged dataset loads and shared by every caller; they are
frozen, and their collections are tuples and frozensets.

>>> import cptkit
>>> info = cptkit.lookup("97110")
>>> info.timed, info.unit_minutes, info.summary
(True, 15, 'Therapeutic exercise (strength, endurance, ROM), per 15 min')
>>> import datetime
>>> old = cptkit.lookup("96101")
>>> old.terminated, [str(code) for code in old.replaced_by]
(datetime.date(2018, 12, 31), ['96130', '96131', '96136', '96137'])
>>> old.active_on(datetime.date(2019, 3, 1))
False
"""

from __future__ import annotations

import datetime
import enum

import attrs

from .codes import Category, Code
from .diagnoses import Diagnosis
from .errors import InvalidInput
from .modifiers import Modifier
from .places import PlaceOfService

__all__ = [
    "MUE",
    "AddOnEdit",
    "CodeInfo",
    "Coverage",
    "DiagnosisInfo",
    "Discipline",
    "Ladder",
    "ModifierGroup",
    "ModifierInfo",
    "PTPEdit",
    "PlaceInfo",
    "Timing",
    "to_discipline",
]


def _valid_between(
    effective: datetime.date | None, terminated: datetime.date | None, day: datetime.date
) -> bool:
    """Whether *day* falls in ``[effective, terminated]`` (an unknown end is open)."""
    return (effective is None or effective <= day) and (terminated is None or day <= terminated)


class Discipline(enum.Enum):
    """Who bills a code: the therapy disciplines and the behavioural-health professions."""

    PT = "physical therapy"
    OT = "occupational therapy"
    SLP = "speech-language pathology"
    AUD = "audiology"
    ABA = "applied behavior analysis"
    BH = "behavioral health (psychotherapy, psychiatry)"
    PSYTEST = "psychological and neuropsychological testing"
    HB = "health behavior assessment and intervention"
    AT = "athletic training"


class Timing(enum.Enum):
    """How time turns into what is billed."""

    UNTIMED = "untimed"
    """Service-based: one unit per session, whatever the minutes (evaluations, 92507)."""
    TIMED = "timed"
    """Billed in units of time (``unit_minutes`` each): 97110, the ABA codes."""
    BAND = "band"
    """One code per session chosen by a range of minutes: psychotherapy 90832/90834/90837."""
    LADDER = "ladder"
    """A base code for the first unit of time plus an each-additional add-on: 96130/96131."""


@attrs.frozen
class Ladder:
    """A base code for the first unit of time and the add-on for each further unit.

    The base needs ``base_threshold`` minutes and covers ``base_minutes``; the first add-on unit
    needs ``addon_threshold`` minutes beyond ``base_minutes``, each further one
    ``addon_unit_minutes`` more.
    """

    base: Code
    addon: Code
    base_minutes: int
    base_threshold: int
    addon_unit_minutes: int
    addon_threshold: int


_THERAPY_LISTS = frozenset({"always", "sometimes"})


@attrs.frozen
class CodeInfo:
    """What the dataset knows of one code.

    Attributes:
        code: the code.
        summary: a plain-language summary written by this project (never AMA text).
        family: a short slug for the code family (``"aba"``, ``"psychotherapy"`` ...).
        disciplines: who bills it.
        timing: how minutes turn into what is billed (:class:`Timing`).
        unit_minutes: minutes per unit for timed codes and ladder add-ons, else ``None``.
        time_band: ``(low, high)`` minutes for band codes (``high`` is ``None`` when open).
        ladder: the :class:`Ladder` the code belongs to (base or add-on), else ``None``.
        add_on: whether it is an add-on code, reported only with a primary.
        primary_codes: its primary codes when it is an add-on.
        therapy_list: ``"always"`` or ``"sometimes"`` on CMS's therapy code list, else ``None``
            (from project review: CMS publishes no machine-readable list here).
        pfs_status: the Medicare PFS status indicator (``A``, ``B`` bundled, ``C`` ...).
        telehealth: on the Medicare telehealth list (``None`` where the shipped excerpt of the
            list does not reach).
        effective: first date of validity, ``None`` when it predates the evidence.
        terminated: last date of validity, ``None`` while active.
        replaced_by: the codes that replaced a terminated code.
        date_basis: where the dates come from, and whether they are proven or cited.
        note: a reviewer's note, or ``""``.
        descriptor: official descriptor text from a licensed file the user loaded, else ``None``.
    """

    code: Code
    summary: str
    family: str
    disciplines: frozenset[Discipline]
    timing: Timing
    unit_minutes: int | None
    time_band: tuple[int, int | None] | None
    ladder: Ladder | None
    add_on: bool
    primary_codes: tuple[Code, ...]
    therapy_list: str | None
    pfs_status: str | None
    telehealth: bool | None
    effective: datetime.date | None
    terminated: datetime.date | None
    replaced_by: tuple[Code, ...]
    date_basis: str
    note: str = ""
    descriptor: str | None = None

    @property
    def category(self) -> Category:
        """The code's :class:`~cptkit.Category`."""
        return self.code.category

    @property
    def timed(self) -> bool:
        """True when the code is billed in units of time (timed codes and ladders)."""
        return self.timing is Timing.TIMED or self.timing is Timing.LADDER

    @property
    def pooled(self) -> bool:
        """True for an outpatient therapy code of 15-minute units: the Medicare 8-minute rule
        pools its minutes with the day's other such codes (the CPT rule takes every code alone).

        CMS Pub. 100-04 ch. 5 sec. 20.2 is the rule of outpatient rehabilitation therapy (PT,
        OT, SLP): it pools the codes on CMS's therapy code list. A timed code of 15-minute
        units is pooled when :attr:`therapy_list` is ``"always"``, or ``"sometimes"`` (therapy
        when billed under a therapy plan of care, with GP, GO or GN: the claim rules take one
        without those modifiers alone). 15-minute codes off the list are not pooled: ABA
        (97151-97158, 0362T, 0373T), health behaviour (96150-96155), home health
        (G0151-G0161); CPT's time rule counts each alone.

        That includes a ladder of 15-minute units on CMS's "always therapy" list (97129 first
        15 minutes, 97130 each further 15): sec. 20.2 pools every therapy service "represented
        by 15 minute timed codes", and the CY2020 PFS final rule put 97129/97130 in the place
        of G0515, a pooled 15-minute code.

        .. versionchanged:: 0.2.0
           15-minute "always therapy" ladders (97129/97130) are pooled.
        .. versionchanged:: 0.3.0
           Only therapy codes: 15-minute codes off CMS's therapy list are not pooled.
        """
        if self.timing is Timing.TIMED:
            return self.unit_minutes == 15 and self.therapy_list in _THERAPY_LISTS
        family = self.ladder
        return (
            family is not None
            and self.therapy_list == "always"
            and family.base_minutes == family.addon_unit_minutes == 15
        )

    @property
    def bundled(self) -> bool:
        """True when Medicare bundles the code (PFS status ``B``): never paid separately."""
        return self.pfs_status == "B"

    def active_on(self, day: datetime.date) -> bool:
        """Whether the code was valid on *day* (an unknown start date counts as valid)."""
        return _valid_between(self.effective, self.terminated, day)

    @property
    def band_text(self) -> str | None:
        """The time band as text (``"16-37"``, ``"53+"``), or ``None`` without one."""
        if self.time_band is None:
            return None
        low, high = self.time_band
        return f"{low}+" if high is None else f"{low}-{high}"

    def in_band(self, minutes: int) -> bool:
        """Whether *minutes* fall in the code's time band (False for codes without one)."""
        if self.time_band is None:
            return False
        low, high = self.time_band
        return low <= minutes and (high is None or minutes <= high)


def to_discipline(value: object, field: str = "discipline") -> Discipline | None:
    """``None``, a :class:`Discipline`, or its name in any case (``"PT"``, ``"pt"``).

    Raises:
        InvalidInput: anything else.
    """
    if value is None or isinstance(value, Discipline):
        return value
    if isinstance(value, str) and value.upper() in Discipline.__members__:
        return Discipline[value.upper()]
    raise InvalidInput(field, value, f"a discipline ({', '.join(Discipline.__members__)})")


class ModifierGroup(enum.Enum):
    """What a modifier is for, as the validators see it."""

    THERAPY_DISCIPLINE = "therapy-discipline"
    ASSISTANT = "assistant"
    THRESHOLD = "threshold"
    NCCI_BYPASS = "ncci-bypass"
    TELEHEALTH = "telehealth"
    LIABILITY_NOTICE = "liability-notice"
    CREDENTIAL = "credential"
    PROGRAM = "program"
    PROFESSIONAL_TECHNICAL = "professional-technical"
    REPEAT = "repeat"
    REDUCED = "reduced"
    OTHER = "other"


@attrs.frozen
class ModifierInfo:
    """What the dataset knows of one modifier.

    Attributes:
        modifier: the modifier.
        level: ``"CPT"`` or ``"HCPCS"``.
        group: what it is for (:class:`ModifierGroup`).
        pricing: True for a pricing modifier (it changes payment), False for informational.
        summary: a plain summary (this project's words for CPT modifiers).
        description: the CMS long description for HCPCS modifiers, ``""`` for CPT ones.
        effective, terminated: dates of validity from the CMS HCPCS files (``None`` if unknown).
        date_basis: where the dates come from.
        reviewed: whether a person reviewed the group and kind (others default to
            ``OTHER``/informational).
    """

    modifier: Modifier
    level: str
    group: ModifierGroup
    pricing: bool
    summary: str
    description: str
    effective: datetime.date | None
    terminated: datetime.date | None
    date_basis: str
    reviewed: bool

    def active_on(self, day: datetime.date) -> bool:
        """Whether the modifier was valid on *day* (an unknown start date counts as valid)."""
        return _valid_between(self.effective, self.terminated, day)


@attrs.frozen
class PlaceInfo:
    """A place of service: its name, its Medicare fee setting and dates."""

    place: PlaceOfService
    name: str
    setting: str
    """``"facility"``, ``"non-facility"`` or ``"unassigned"``."""
    effective: datetime.date | None
    terminated: datetime.date | None
    date_basis: str
    note: str

    @property
    def assigned(self) -> bool:
        """False for the numbers CMS has not assigned."""
        return self.setting != "unassigned"

    @property
    def telehealth(self) -> bool:
        """True for 02 and 10, the telehealth places of service."""
        return self.place.telehealth

    def active_on(self, day: datetime.date) -> bool:
        """Whether the place was assigned and valid on *day*."""
        return self.assigned and _valid_between(self.effective, self.terminated, day)


@attrs.frozen
class MUE:
    """A Medically Unlikely Edit: the most units of a code per line or per day.

    Attributes:
        code: the code.
        units: the most units one provider reports for one patient (per line for MAI 1, per
            date of service for MAI 2 and 3).
        mai: the adjudication indicator: 1 line edit, 2 date-of-service policy edit (absolute),
            3 date-of-service clinical edit (may be appealed).
        rationale: CMS's rationale.
        edition: the CMS quarter the value comes from.
    """

    code: Code
    units: int
    mai: int
    rationale: str
    edition: str

    @property
    def per_day(self) -> bool:
        """True for MAI 2 and 3 (units summed per code and date of service)."""
        return self.mai != 1


@attrs.frozen
class Coverage:
    """What one table of a catalog speaks for.

    Attributes:
        table: the table (``"codes"``, ``"modifiers"``, ``"places"``, ``"mue"``, ``"ptp"``,
            ``"aoc"``, and any further table the dataset has).
        edition: the source edition, as text (``"CMS NCCI MUE 2026-04-01"``).
        through: the last date of service the table speaks for (the end of the newest
            source's quarter).
        stale_after: the last date before ``data-stale`` warns: *through*, or for CMS edits
            (MUE, PTP, add-on codes) the end of the following quarter (one quarter of grace,
            since edits change little from one quarter to the next).

    .. versionadded:: 0.1.0
    """

    table: str
    edition: str
    through: datetime.date
    stale_after: datetime.date

    @classmethod
    def of(cls, table: str, edition: str, through: datetime.date, *, edits: bool) -> Coverage:
        """The coverage of *table*, with one quarter of grace when it holds *edits*."""
        return cls(table, edition, through, quarter_end(through, 1) if edits else through)

    def covers(self, day: datetime.date) -> bool:
        """Whether *day* is on or before :attr:`stale_after`."""
        return day <= self.stale_after


def quarter_end(day: datetime.date, later: int = 0) -> datetime.date:
    """The last day of the calendar quarter *later* quarters after the one holding *day*."""
    if day >= datetime.date(9999, 7, 1):
        return datetime.date.max
    index = day.year * 4 + (day.month - 1) // 3 + later + 1  # the quarter after the one wanted
    year, quarter = divmod(index, 4)
    if year > 9999:
        return datetime.date.max
    return datetime.date(year, quarter * 3 + 1, 1) - datetime.timedelta(days=1)


@attrs.frozen
class AddOnEdit:
    """An NCCI add-on code (AOC) edit: an add-on code and one primary it may be billed with.

    Attributes:
        addon: the add-on code.
        primary: the primary code, or ``"CCCCC"`` when CMS leaves the primaries to the
            contractor (type 2).
        type: CMS's edit type: 1 only the listed primaries; 2 contractor-defined primaries;
            3 the listed primaries and others the contractor accepts.
        effective: the first date the pairing applies.
        last_day: the last date it applies (the earliest of the edit's, the primary's and the
            add-on's deletion dates), or ``None`` while open.
        edition: the AOC file the edit comes from.

    .. versionadded:: 0.1.0
    """

    addon: Code
    primary: str
    type: int
    effective: datetime.date
    last_day: datetime.date | None
    edition: str

    def in_force_on(self, day: datetime.date) -> bool:
        """Whether the pairing applies on *day* (both ends included)."""
        return _valid_between(self.effective, self.last_day, day)


@attrs.frozen
class PTPEdit:
    """An NCCI procedure-to-procedure edit between two codes.

    Attributes:
        column1: the comprehensive code (the one that is paid).
        column2: the component code (the one that is denied).
        modifier_indicator: 0 never payable together, 1 payable with an NCCI-associated
            modifier, 9 not an edit any more.
        effective: the first date the edit applies, or ``None`` when the source gives none (the
            packaged 2024 Q3 file has no effective dates).
        deletion_date: the last date the edit applies, or ``None`` while active. (In CMS's files
            edits with indicator 0 or 1 are deleted on quarter ends, 20191231 and the like,
            and withdrawn edits get indicator 9 on a quarter's first day.)
        rationale: CMS's rationale.
        edition: the CMS quarter the edit comes from.
    """

    column1: Code
    column2: Code
    modifier_indicator: int
    effective: datetime.date | None
    deletion_date: datetime.date | None
    rationale: str
    edition: str

    @property
    def bypassable(self) -> bool:
        """True when an NCCI-associated modifier allows both codes (indicator 1)."""
        return self.modifier_indicator == 1

    def in_force_on(self, day: datetime.date | None) -> bool:
        """Whether the edit applies on *day* (``None``: the edition's date, i.e. not deleted).

        The edit applies from its effective date through its deletion date, both included;
        indicator 9 is never in force.
        """
        if self.modifier_indicator == 9:
            return False
        if day is not None and self.effective is not None and day < self.effective:
            return False
        if self.deletion_date is None:
            return True
        return day is not None and day <= self.deletion_date


@attrs.frozen
class DiagnosisInfo:
    """What the ICD-10-CM code lists say of one diagnosis code.

    Attributes:
        code: the diagnosis code.
        title: its long title (CDC/NCHS and CMS, public domain), from the newest list that
            holds it.
        billable: whether it may be billed (CMS: "valid for HIPAA transactions") in
            ``fiscal_year``; ``False`` for a header, a category with codes under it.
        fiscal_year: the fiscal year this record answers for: the one of the date asked, or
            the newest one whose list holds the code.
        fiscal_years: every fiscal year whose list holds the code, billable or header.
        billable_years: the fiscal years in which it is billable.

    .. versionadded:: 0.2.0
    """

    code: Diagnosis
    title: str
    billable: bool
    fiscal_year: int
    fiscal_years: tuple[int, ...]
    billable_years: tuple[int, ...]
