"""The ``checklist`` criterion and the report rows (SPEC section 15).

Both judge plain data: the run's settings and rootdir, and a ``today``. The rows a
criterion judged are kept in ``run.memo``, so the report shows exactly what the verdict
rests on, even when the day turns between judging and reporting.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Final, final

from pytest_graduation.checklist.evidence import find
from pytest_graduation.checklist.items import ChecklistItem, declared
from pytest_graduation.model import Criterion, CriterionResult, GateRun
from pytest_graduation.repository.walk import RepoTree, tree_for

Today = Callable[[], dt.date]

DONE: Final = "done"
OPEN: Final = "open"
NOT_REQUIRED: Final = "not-required"
#: the evidence files a row lists at most; the rest are counted in a last entry
MAX_EVIDENCE: Final = 20
#: where the judged rows of a run are kept, for the report; per level, because runs
#: derived from one another (``dataclasses.replace``) share their memo
MEMO_KEY: Final = "checklist rows at {level}"


def local_today() -> dt.date:
    """Today on the gating machine's clock, as waivers count it (``docs/checklist.md``)."""
    return dt.date.today()


def sign_off_problems(
    signed_on: dt.date | None, expires: dt.date | None, today: dt.date
) -> list[str]:
    """Why a sign-off does not hold today: signed later than today, or lapsed. The
    expiry day itself still counts (as for waivers)."""
    problems = []
    if signed_on is not None and signed_on > today:
        problems.append(f"signed_on is in the future ({signed_on.isoformat()})")
    if expires is not None and expires < today:
        problems.append(f"sign-off expired on {expires.isoformat()}")
    return problems


def _capped(files: Sequence[str]) -> list[str]:
    if len(files) <= MAX_EVIDENCE:
        return list(files)
    return [*files[:MAX_EVIDENCE], f"... and {len(files) - MAX_EVIDENCE} more"]


def item_row(item: ChecklistItem, run: GateRun, tree: RepoTree, today: dt.date) -> dict[str, Any]:
    """The report row of ``item``: its status, the evidence found and why it is open.
    An item above the target is ``not-required``, with its details still shown, so the
    row tells how far it is."""
    files: list[str] = []
    details: list[str] = []
    for glob in item.evidence:
        found = find(tree, glob)
        files += [f for f in found.files if f not in files]
        if found.problem is not None:
            details.append(found.problem)
    if item.signed_by is not None:
        details += sign_off_problems(item.signed_on, item.expires, today)
    status = (OPEN if details else DONE) if run.is_required(item.level) else NOT_REQUIRED
    return {
        "id": item.id,
        "title": item.title,
        "level": item.level,
        "status": status,
        "evidence": _capped(sorted(files)),
        "signed_by": item.signed_by,
        "details": details,
    }


def judge_rows(run: GateRun, today: dt.date) -> list[dict[str, Any]]:
    """The rows of every declared item, judged on ``today``; the tree is walked only when
    some item has evidence."""
    items = declared(run.settings)
    if not items:
        return []
    tree = tree_for(run)
    return [item_row(item, run, tree, today) for item in items]


def checklist_rows(run: GateRun, today: Today | None = None) -> list[dict[str, Any]]:
    """The report's ``"checklist"`` rows: those the criterion judged on this run, or,
    when it did not run (or ``today`` is given), judged now."""
    kept = run.memo.get(MEMO_KEY.format(level=run.level))
    if today is None and isinstance(kept, list):
        return kept
    return judge_rows(run, (today or local_today)())


@final
class ChecklistCriterion(Criterion):
    """Every checklist item required at or below the target level is done."""

    name = "checklist"

    def __init__(self, today: Today = local_today) -> None:
        self.today = today

    def evaluate(self, run: GateRun) -> CriterionResult:
        required = "all done"
        if not declared(run.settings):
            return CriterionResult.unmet(
                "0/0 done",
                required,
                ["checklist = true, but [[tool.graduation.checklist]] declares no item"],
            )
        rows = judge_rows(run, self.today())
        run.memo[MEMO_KEY.format(level=run.level)] = rows
        due = [row for row in rows if row["status"] != NOT_REQUIRED]
        done = sum(row["status"] == DONE for row in due)
        measured = f"{done}/{len(due)} done"
        details = [f"{row['id']}: {why}" for row in due for why in row["details"]]
        if done < len(due):
            subjects = [("item", str(row["id"])) for row in due if row["status"] != DONE]
            return CriterionResult.unmet(measured, required, details, subjects=subjects)
        later = len(rows) - len(due)
        notes = [f"{later} item{' is' if later == 1 else 's are'} required later"]
        return CriterionResult.met(measured, required, notes if later else ())


def shard_disagreements(
    expected: Sequence[Mapping[str, Any]], shards: Mapping[str, Sequence[Mapping[str, Any]]]
) -> list[str]:
    """For ``merge``: how each shard's ``"checklist"`` rows differ from ``expected`` (the
    rows judged on the merging checkout) in the files found and the item ids. A shard
    that saw other evidence ran on another tree; its verdict must not be trusted."""
    want = {row["id"]: list(row["evidence"]) for row in expected}
    problems = []
    for name, rows in shards.items():
        got = {str(row.get("id")): list(row.get("evidence", [])) for row in rows}
        if set(got) != set(want):
            problems.append(f"{name}: checklist items {sorted(got)} differ from {sorted(want)}")
            continue
        for item_id, files in want.items():
            if got[item_id] != files:
                problems.append(f"{name}: {item_id}: evidence {got[item_id]} differs from {files}")
    return problems
