"""Judging every level from one run's measurements (SPEC section 13).

Each rung is the run judged again at another level: its tests' ``required`` recomputed
for that level, that level's criteria and waivers. A criterion whose measurement this
run did not take is ``inconclusive`` on the rung ("gate at <level> to measure it"),
never judged from what is not there: a rung is never ready from a measurement nobody
made. Used by the gate and by ``merge`` alike.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final, final

import pytest

from pytest_graduation.coverage import COVERAGE_STREAM
from pytest_graduation.facts import FactStore
from pytest_graduation.judge import judge
from pytest_graduation.ladder import NOT_MEASURED_HINT, Ladder, Rung, rung_verdict
from pytest_graduation.model import Criterion, CriterionResult, GateRun, Outcome, Status
from pytest_graduation.report import CriterionOutcome, GraduationReport
from pytest_graduation.repository.marker import EXAMPLE_MARKER
from pytest_graduation.settings import GraduationConfig

#: fact stream: the determinism runs this run made, ``{"runs": R, "processes": P}``
#: (absent: none)
PLAN_STREAM: Final = "determinism_plan"
#: fact stream: tests pending at the gated level that failed (reported as xfails),
#: ``{"nodeid": ..., "outcome": "failed" | "error"}``: on a rung that requires them
#: they are failures again
PENDING_FAILED_STREAM: Final = "pending_failed"
#: fact stream: custom criteria judged on each rung, for ``merge --ladder`` (a custom
#: criterion cannot be judged again without its session)
CUSTOM_STREAM: Final = "ladder_custom"

#: the notes waivers.apply_waivers puts first in a criterion's details
WAIVER_NOTES: Final = ("waived until ", "waiver expired on ")
#: the reason PendingConverter gives (recording.py)
PENDING_REASON: Final = "required from "


@final
class PendingFailures:
    """Where the gate judges: which pending tests failed. A failing pending test is
    reported like an xfail, and its record says ``xfailed``; a rung that requires it
    must see the failure."""

    def __init__(self) -> None:
        self.failed: dict[str, str] = {}

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if report.outcome != "skipped":  # most reports, so the cheapest test first
            return
        reason = getattr(report, "wasxfail", None)
        if isinstance(reason, str) and reason.startswith(PENDING_REASON):
            outcome = Outcome.FAILED if report.when == "call" else Outcome.ERROR
            if self.failed.get(report.nodeid) != Outcome.ERROR:
                self.failed[report.nodeid] = outcome

    def record(self, store: FactStore, plan: tuple[int, int]) -> None:
        """Hand this run's measurements to the judge (and to the report, for merge)."""
        for nodeid, outcome in sorted(self.failed.items()):
            store.add(PENDING_FAILED_STREAM, {"nodeid": nodeid, "outcome": outcome})
        runs, processes = plan
        if runs or processes:
            store.add(PLAN_STREAM, {"runs": runs, "processes": processes})


def _count(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def determinism_plan(facts: Mapping[str, Sequence[Any]]) -> tuple[int, int]:
    """(in-process runs, fresh-interpreter runs) every test of ``facts`` had; several
    entries (shards) give the least of each."""
    plans = [p for p in facts.get(PLAN_STREAM, ()) if isinstance(p, dict)]
    if not plans:
        return 0, 0
    return min(_count(p.get("runs")) for p in plans), min(_count(p.get("processes")) for p in plans)


def coverage_measured(facts: Mapping[str, Sequence[Any]]) -> bool:
    found = [m for m in facts.get(COVERAGE_STREAM, ()) if isinstance(m, dict)]
    return len(found) == 1 and "error" not in found[0]


@final
@dataclass(frozen=True)
class Measured:
    """What one run measured, as far as another level's criteria depend on it."""

    #: the level the run was gated at: what it set up (examples, golden tracking)
    level: str
    settings: GraduationConfig
    determinism: tuple[int, int]
    coverage: bool

    @classmethod
    def of(cls, run: GateRun, determinism: tuple[int, int] | None = None) -> Measured:
        plan = determinism if determinism is not None else determinism_plan(run.facts)
        return cls(run.level, run.settings, plan, coverage_measured(run.facts))

    def _examples(self, level: str) -> tuple[Any, Any]:
        wanted = self.settings.criteria_for(level)
        return wanted.get("examples"), wanted.get("examples_timeout")

    def missing(self, name: str, level: str) -> str | None:
        """Why criterion ``name`` of ``level`` cannot be judged from this run, or None."""
        wanted = self.settings.criteria_for(level)
        if name == "determinism":
            runs = wanted.get("determinism_runs") or 1
            processes = wanted.get("determinism_processes") or 0
            made_runs, made_processes = self.determinism
            if made_runs < runs or made_processes < processes:
                return (
                    f"{made_runs} run(s) + {made_processes} process(es) made, "
                    f"{runs} + {processes} needed"
                )
        elif name in ("coverage", "coverage_paths") and not self.coverage:
            return "no coverage measured (no --cov)"
        elif name == "examples" and self._examples(level) != self._examples(self.level):
            return f"the examples of {level} not collected"
        elif name == "obsolete_goldens" and (
            self.settings.criteria_for(self.level).get("max_obsolete_goldens") is None
        ):
            return "golden use not tracked"
        return None


@final
class NotMeasured(Criterion):
    def __init__(self, name: str, level: str, why: str) -> None:
        self.name = name
        self.hint = f"{why}: {NOT_MEASURED_HINT.format(level=level)}"

    def evaluate(self, run: GateRun) -> CriterionResult:
        return CriterionResult.inconclusive(None, None, [self.hint])


def rung_run(run: GateRun, level: str) -> GateRun:
    """``run`` as a run gated at ``level``: each test required from its phase on (a
    test pending at the gated level that failed is a failure where it is required);
    example items only where ``level`` has examples (they are collected for them)."""
    wanted = run.settings.criteria_for(level)
    rung = dataclasses.replace(run, level=level, criteria_settings=wanted)
    failed = {
        str(f.get("nodeid")): str(f.get("outcome"))
        for f in run.fact(PENDING_FAILED_STREAM)
        if isinstance(f, dict) and f.get("outcome") in (Outcome.FAILED, Outcome.ERROR)
    }
    examples = wanted.get("examples") is not None
    tests = []
    for record in run.tests:
        if not examples and EXAMPLE_MARKER in record.markers:
            continue
        required = rung.is_required(record.phase)
        outcome = record.outcome
        if required and not record.required and outcome == Outcome.XFAILED:
            outcome = failed.get(record.nodeid, outcome)
        if required != record.required or outcome != record.outcome:
            record = dataclasses.replace(record, required=required, outcome=outcome)
        tests.append(record)
    return dataclasses.replace(rung, tests=tuple(tests))


def rung_of(level: str, criteria: Iterable[CriterionOutcome]) -> Rung:
    unmet: list[str] = []
    inconclusive: list[str] = []
    hints: dict[str, str] = {}
    for outcome in criteria:
        if outcome.status is Status.UNMET:
            unmet.append(outcome.name)
        elif outcome.status is Status.INCONCLUSIVE:
            inconclusive.append(outcome.name)
            if outcome.details:
                hints[outcome.name] = outcome.details[0]
    return Rung(level, rung_verdict(unmet, inconclusive), tuple(unmet), tuple(inconclusive), hints)


#: the criteria of a level, built-in and custom, before the measurement check
CriteriaOf = Callable[[str], Sequence[Criterion]]


def climb(
    run: GateRun,
    report: GraduationReport,
    criteria_of: CriteriaOf,
    measured: Measured | None = None,
    today: dt.date | None = None,
) -> tuple[Ladder, dict[str, list[CriterionOutcome]]]:
    """Every level's rung; the gated level's is ``report``'s own. Also returns each
    other rung's judged criteria (by level), for what a caller keeps of them."""
    measured = measured or Measured.of(run)
    rungs = []
    judged: dict[str, list[CriterionOutcome]] = {}
    for level in run.levels:
        if level == run.level:
            rungs.append(rung_of(level, report.criteria))
            continue
        criteria = [
            NotMeasured(c.name, level, why) if (why := measured.missing(c.name, level)) else c
            for c in criteria_of(level)
        ]
        judged[level] = judge(rung_run(run, level), criteria, today).criteria
        rungs.append(rung_of(level, judged[level]))
    return Ladder(tuple(rungs)), judged


def custom_facts(
    judged: Mapping[str, Sequence[CriterionOutcome]], names: Iterable[str]
) -> list[dict[str, Any]]:
    """The custom criteria's results on each other rung, before waivers (a waived
    result counts as unmet: waivers apply again where it is read)."""
    wanted = set(names)
    return [
        {
            "level": level,
            "name": c.name,
            "status": Status.UNMET.value if c.status is Status.WAIVED else c.status.value,
            "measured": c.measured,
            "required": c.required,
            "details": [d for d in c.details if not d.startswith(WAIVER_NOTES)],
        }
        for level, outcomes in judged.items()
        for c in outcomes
        if c.name in wanted
    ]
