"""Time-boxed exceptions: a live waiver turns an unmet criterion into ``waived``. An
expired one no longer applies: an unmet criterion then fails saying the waiver expired,
and a met one stays met with a note asking to remove the stale waiver.

A scoped waiver (``tests``, ``capabilities``, ``files`` or ``items``) covers only the
problems whose subjects it names (:attr:`CriterionResult.subjects`): the criterion is
waived when every problem is covered, otherwise it keeps its status and says what is
not covered. A problem without a subject is never covered by a scope.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final, final

from pytest_graduation.globs import match_file, match_nodeid
from pytest_graduation.listing import NAMED
from pytest_graduation.model import CriterionResult, Status, Subject
from pytest_graduation.settings import Waiver

#: each scope key, the subject kind it names, and the criteria it fits
SCOPES: Final = {
    "tests": ("test", ("tests", "skipped", "xfailed", "flaky", "determinism")),
    "capabilities": ("capability", ("capabilities",)),
    "files": (
        "file",
        (
            "coverage_paths",
            "coverage_new",
            "coverage_baseline",
            "line_limit",
            "source_rules",
            "compile",
            "obsolete_goldens",
            "frozen_goldens",
        ),
    ),
    "items": ("item", ("checklist",)),
}


def scope_problem(criterion: str, scope: str) -> str | None:
    """What a waiver of ``criterion`` needs instead of the scope key ``scope`` (a text
    that follows "expected"), or None when ``scope`` fits."""
    fits = SCOPES[scope][1]
    if criterion in fits:
        return None
    fitting = [key for key, (_, names) in SCOPES.items() if criterion in names]
    takes = f"scope key {fitting[0]!r}" if fitting else "no scope key (waive it whole)"
    return (
        f"a scope key that fits criterion {criterion!r}, which takes {takes}; "
        f"{scope!r} fits only {', '.join(fits)}"
    )


def covers(waiver: Waiver, subject: Subject) -> bool:
    """Whether the scoped ``waiver`` names ``subject``."""
    if waiver.scope is None:
        return True
    kind, name = subject
    if kind != SCOPES[waiver.scope][0]:
        return False
    if kind == "test":
        return any(match_nodeid(glob, name) for glob in waiver.patterns)
    if kind == "file":
        return any(match_file(glob, name) for glob in waiver.patterns)
    return name in waiver.patterns


@final
@dataclass(frozen=True)
class Judgement:
    status: Status
    details: tuple[str, ...]
    waiver: Waiver | None


def _scope_text(waiver: Waiver) -> str:
    return f"{waiver.scope} {', '.join(waiver.patterns)}" if waiver.scope else "whole"


def _scoped(result: CriterionResult, live: Sequence[Waiver]) -> Judgement:
    """Scoped waivers only: each subject covered by any of them; waived when what stays
    uncovered is within what the criterion allows and is all of a coverable kind."""
    used: dict[Waiver, None] = {}
    uncovered: list[Subject] = []
    subjects = tuple(dict.fromkeys(result.subjects))  # a file with three violations is one
    for subject in subjects:
        by = [w for w in live if covers(w, subject)]
        if by:
            used.update(dict.fromkeys(by))
        else:
            uncovered.append(subject)
    # what a count may leave over must be of the kind it counts: never an "other"
    kinds = {SCOPES[w.scope][0] for w in live if w.scope is not None}
    coverable = all(kind in kinds for kind, _ in uncovered)
    if used and coverable and len(uncovered) <= result.allowed:
        first = min(used, key=lambda w: w.expires)
        notes = tuple(
            f"waived until {w.expires.isoformat()} for {_scope_text(w)}: {w.reason}"
            for w in sorted(used, key=lambda w: w.expires)
        )
        return Judgement(Status.WAIVED, (*notes, *result.details), first)
    shown = ", ".join(f"{kind} {name}" for kind, name in uncovered[:NAMED])
    more = f" and {len(uncovered) - NAMED} more" if len(uncovered) > NAMED else ""
    scopes = "; ".join(_scope_text(w) for w in live)
    if not subjects:
        note = f"the scoped waiver ({scopes}) does not apply: this result names no subject"
    else:
        covered = len(subjects) - len(uncovered)
        note = (
            f"the scoped waiver ({scopes}) covers {covered} of {len(subjects)}; "
            f"not covered: {shown}{more}"
        )
    return Judgement(result.status, (note, *result.details), min(live, key=lambda w: w.expires))


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
    whole = [w for w in live if w.scope is None]
    if whole and result.status is not Status.MET:
        waiver = max(whole, key=lambda w: w.expires)
        note = f"waived until {waiver.expires.isoformat()}: {waiver.reason}"
        return Judgement(Status.WAIVED, (note, *result.details), waiver)
    if live and result.status is not Status.MET:
        return _scoped(result, live)
    if expired and not live:
        waiver = max(expired, key=lambda w: w.expires)
        note = f"waiver expired on {waiver.expires.isoformat()} ({waiver.reason})"
        if result.status is Status.MET:
            note += "; the criterion is met: remove the stale waiver"
        return Judgement(result.status, (note, *result.details), waiver)
    return Judgement(result.status, result.details, None)
