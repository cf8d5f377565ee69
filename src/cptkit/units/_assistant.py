# SPDX-License-Identifier: MIT
"""Which units of a PT or OT service carry CQ/CO: the de minimis standard for services
furnished "in whole or in part" by a physical therapist assistant or OT assistant.

Sources: Social Security Act sec. 1834(v); CY2019 PFS final rule (83 FR 59654-59660) and
CY2020 PFS final rule (84 FR 62702-62707): a service is furnished in part by an assistant
when the assistant's minutes exceed 10 % of the service (the de minimis standard); CY2022 PFS
final rule (86 FR 64996, Nov. 19, 2021), section on therapy assistants: for 15-minute timed
codes the standard is applied unit by unit, and a final unit is billed without the modifier
when the therapist alone furnished enough minutes to bill it (8 or more); CMS Pub. 100-04
ch. 5 sec. 20.1.

Only minutes each clinician furnished on their own count; minutes furnished together are the
therapist's.
"""

from __future__ import annotations

import attrs

from ..claims import MAX_COUNT
from ..errors import InvalidMinutes

__all__ = ["AssistantUnits", "assistant_modifier"]

_UNIT = 15
_THRESHOLD = 8  # minutes that earn a unit under the 8-minute rule


@attrs.frozen
class AssistantUnits:
    """The units of one service split by whether they carry CQ/CO.

    Attributes:
        with_modifier: units billed with CQ (PT) or CO (OT): paid at 85 % from 2022.
        without_modifier: units billed without it.
        steps: how the split was reached, one plain sentence a step.

    .. versionadded:: 0.2.0
    """

    with_modifier: int
    without_modifier: int
    steps: tuple[str, ...]

    @property
    def modifier_needed(self) -> bool:
        """Whether any unit must carry CQ/CO."""
        return self.with_modifier > 0

    def explain(self) -> str:
        """The steps and the result in plain words."""
        result = f"Result: {self.with_modifier} unit(s) with CQ/CO, {self.without_modifier} without"
        return "\n".join((*self.steps, result))


def _minutes(value: object, field: str) -> int:
    if type(value) is not int or not 0 <= value <= MAX_COUNT:  # bounded (#20)
        raise InvalidMinutes(field, value, "a whole number of minutes >= 0")
    return value


def _units_for(minutes: int) -> int:
    """The 8-minute rule chart: 8-22 minutes one unit, 23-37 two, and so on."""
    return (minutes + _UNIT - _THRESHOLD) // _UNIT


def _final_unit(therapist: int, assistant: int) -> tuple[bool, str]:
    """Whether a final unit made of these left-over minutes carries the modifier, and why."""
    if therapist >= _THRESHOLD:
        return False, (
            f"the therapist alone furnished {therapist} of its minutes (8 or more):"
            " billed without the modifier"
        )
    if assistant >= _THRESHOLD:
        return True, (
            f"the assistant furnished {assistant} of its minutes (8 or more) and the therapist"
            f" {therapist}: billed with the modifier"
        )
    share = f"{assistant} of {therapist + assistant} minutes"
    if assistant * 10 > therapist + assistant:
        return True, f"the assistant furnished {share}, more than 10%: billed with the modifier"
    return False, f"the assistant furnished {share}, 10% or less: billed without the modifier"


def assistant_modifier(
    therapist_minutes: int,
    assistant_minutes: int,
    *,
    units: int | None = None,
    timed: bool = True,
) -> AssistantUnits:
    """Split the units of one service by whether they carry CQ/CO (CY2022 de minimis rule).

    Args:
        therapist_minutes: minutes the PT/OT furnished (alone, or with the assistant).
        assistant_minutes: minutes the PTA/OTA furnished without the therapist.
        units: the units billed for the service (after the day's 8-minute rule, which pools
            all timed codes); default: the units its own minutes give on the 8-minute chart.
        timed: ``False`` for a service not billed in 15-minute units (evaluations,
            supervised modalities, group therapy): the 10 % standard applies to the whole.

    For a timed service, each clinician's whole 15-minute blocks are their units (the
    assistant's carry the modifier); a unit left over is judged on the minutes left over
    (:func:`_final_unit`); two units left over, with each clinician having 8 or more left
    over minutes, are one of each.

    >>> from cptkit.units import assistant_modifier
    >>> split = assistant_modifier(5, 10)
    >>> split.with_modifier, split.without_modifier
    (1, 0)
    >>> assistant_modifier(13, 23).with_modifier, assistant_modifier(13, 23).without_modifier
    (1, 1)

    Raises:
        InvalidMinutes: minutes or units that are not whole numbers >= 0.

    .. versionadded:: 0.2.0
    """
    therapist = _minutes(therapist_minutes, "therapist_minutes")
    assistant = _minutes(assistant_minutes, "assistant_minutes")
    total = therapist + assistant
    if not timed:
        count = 1 if units is None else _minutes(units, "units")
        needed = assistant * 10 > total
        why = (
            f"untimed service: the assistant furnished {assistant} of {total} minutes,"
            f" {'more than' if needed else 'at most'} 10%"
        )
        return AssistantUnits(count if needed else 0, 0 if needed else count, (why,))
    count = _units_for(total) if units is None else _minutes(units, "units")
    steps = [f"{therapist} therapist + {assistant} assistant minutes, {count} unit(s) billed"]
    mine, theirs = divmod(therapist, _UNIT), divmod(assistant, _UNIT)
    with_modifier = min(theirs[0], count)
    without = min(mine[0], count - with_modifier)
    steps.append(
        f"whole 15-minute units: {mine[0]} by the therapist, {theirs[0]} by the assistant"
        + (" (the assistant's counted first when units run short)" if mine[0] > without else "")
    )
    left = count - with_modifier - without
    if left == 2 and min(mine[1], theirs[1]) >= _THRESHOLD:
        steps.append(
            f"two units left, each clinician with 8 or more left-over minutes ({mine[1]} and"
            f" {theirs[1]}): one unit each"
        )
        return AssistantUnits(with_modifier + 1, without + 1, tuple(steps))
    if left > 0:
        needed, why = _final_unit(mine[1], theirs[1])
        steps.append(f"{left} unit(s) left: {why}")
        if needed:
            with_modifier += left
        else:
            without += left
    return AssistantUnits(with_modifier, without, tuple(steps))
