"""Time-boxed exceptions: a live waiver turns an unmet criterion into ``waived``. An
expired one no longer applies: an unmet criterion then fails saying the waiver expired,
and a met one stays met with a note asking to remove the stale waiver."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import final

from pytest_graduation.model import CriterionResult, Status
from pytest_graduation.settings import Waiver


@final
@dataclass(frozen=True)
class Judgement:
    status: Status
    details: tuple[str, ...]
    waiver: Waiver | None


def apply_waivers(
    name: str,
    result: CriterionResult,
    waivers: Sequence[Waiver],
    level: str,
    today: dt.date,
) -> Judgement:
    relevant = [w for w in waivers if w.criterion == name and w.applies_to(level)]
    live = [w for w in relevant if today <= w.expires]
    expired = [w for w in relevant if today > w.expires]
    if live and result.status is not Status.MET:
        waiver = max(live, key=lambda w: w.expires)
        note = f"waived until {waiver.expires.isoformat()}: {waiver.reason}"
        return Judgement(Status.WAIVED, (note, *result.details), waiver)
    if expired and not live:
        waiver = max(expired, key=lambda w: w.expires)
        note = f"waiver expired on {waiver.expires.isoformat()} ({waiver.reason})"
        if result.status is Status.MET:
            note += "; the criterion is met: remove the stale waiver"
        return Judgement(result.status, (note, *result.details), waiver)
    return Judgement(result.status, result.details, None)
