"""Running a deterministic test several times and reporting it once.

Each run is pytest's own ``runtestprotocol`` without logging: a full
setup/call/teardown. Between runs the item is torn down only up to its parent, so
function-scoped fixtures are fresh and wider-scoped ones are shared; the last run
tears down towards the real next item. Only the first run's reports are logged
(one terminal line, one junit entry), the call report replaced by the failure when
the runs differ; :mod:`.isolation` keeps later runs like the first (doctest globals,
pytest-timeout's timer) and silent (subtest reports).
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Sequence
from dataclasses import dataclass
from typing import Any, Final, cast, final

import pytest
from _pytest.runner import runtestprotocol  # no public name; pytest-rerunfailures does this

from pytest_graduation.determinism.isolation import RunIsolation, TimeoutRearm
from pytest_graduation.determinism.marker import DeterministicSpec, remember_spec, spec_key
from pytest_graduation.determinism.observation import (
    Difference,
    Observation,
    Phase,
    compare,
    stdout_of,
    summarize,
)
from pytest_graduation.facts import FLAKY_STREAM, facts_of
from pytest_graduation.observations import ObservationLog, observations_key
from pytest_graduation.settings import GraduationConfig

#: fact stream of per-test verdicts, read by the ``determinism`` criterion
VERDICT_STREAM: Final = "determinism"
#: user property on the logged reports: how many runs were compared
RUNS_PROPERTY: Final = "determinism_runs"
PROCESSES_PROPERTY: Final = "determinism_processes"

phases_key: Final = pytest.StashKey[list[Phase]]()

__all__ = ["DeterminismRunner", "PhaseRecorder", "RunCountReporting", "TimeoutRearm"]


@final
@dataclass(frozen=True)
class Run:
    reports: list[pytest.TestReport]
    observation: Observation


def _crash_message(report: pytest.TestReport) -> str:
    longrepr = report.longrepr
    if isinstance(longrepr, tuple):  # a skip: (path, line, "Skipped: reason")
        return str(longrepr[2])
    crash = getattr(longrepr, "reprcrash", None)
    message = getattr(crash, "message", None)
    if isinstance(message, str):
        return message.split("\n", 1)[0]
    text = report.longreprtext.strip().splitlines()
    return text[-1] if text else ""


@final
class PhaseRecorder:
    """Keeps the raw outcome of each phase (before xfail or pending conversion, which
    wrap this innermost wrapper) while a run is observed."""

    @pytest.hookimpl(wrapper=True, trylast=True)
    def pytest_runtest_makereport(
        self, item: pytest.Item, call: pytest.CallInfo[None]
    ) -> Generator[None, pytest.TestReport, pytest.TestReport]:
        report = yield
        phases = item.stash.get(phases_key, None)
        if phases is not None:
            message = _crash_message(report) if not report.passed else ""
            phases.append((report.when or "", report.outcome, message))
        return report


def observe_run(
    item: pytest.Item,
    spec: DeterministicSpec,
    *,
    nextitem: pytest.Item | pytest.Collector | None,
    log: bool,
    stdout_seen: int = 0,
) -> Run:
    """One full setup/call/teardown of ``item``, observed."""
    item.stash[observations_key] = entries = ObservationLog()
    phases: list[Phase] = []
    item.stash[phases_key] = phases
    try:
        reports = runtestprotocol(item, log=log, nextitem=cast("pytest.Item | None", nextitem))
    finally:
        del item.stash[observations_key]
        del item.stash[phases_key]
    outcome, failure = summarize(phases)
    stdout = stdout_of(reports[-1].sections[stdout_seen:]) if spec.stdout else None
    return Run(reports, Observation(outcome, tuple(entries.entries), stdout, failure))


def _fail_report(item: pytest.Item, template: pytest.TestReport, message: str) -> pytest.TestReport:
    """A failed report of ``template``'s phase, made by the makereport hook so that
    xfail markers and pending phases treat it like any other failure."""

    def fail() -> None:
        pytest.fail(message, pytrace=False)

    call = pytest.CallInfo.from_call(fail, when=template.when or "call")
    # the last run's teardown set ``funcargs`` to None; makereport hooks of other
    # plugins read it as a dict (pytest-benchmark: ``item.funcargs.get("benchmark")``)
    cleared = getattr(item, "funcargs", {}) is None
    if cleared:
        item.funcargs = {}  # type: ignore[attr-defined]
    try:
        report: pytest.TestReport = item.ihook.pytest_runtest_makereport(item=item, call=call)
    finally:
        if cleared:
            item.funcargs = None  # type: ignore[attr-defined]
    report.sections = list(template.sections)
    report.user_properties = list(template.user_properties)
    report.duration, report.start, report.stop = template.duration, template.start, template.stop
    return report


#: pytest-benchmark's session object, as its plugin is registered
BENCHMARK_SESSION: Final = "pytest-benchmark"


def _benchmark_results(config: pytest.Config) -> list[Any] | None:
    """pytest-benchmark's list of this session's results (its session object's public
    ``benchmarks``), or ``None`` without it."""
    session = config.pluginmanager.get_plugin(BENCHMARK_SESSION)
    results = getattr(session, "benchmarks", None)
    return results if isinstance(results, list) else None


#: gives the observations of fresh-interpreter runs of a node id: one
#: (label, observation or error) per process
ProcessRuns = Callable[[str], Sequence[tuple[str, "Observation | str"]]]


@final
class DeterminismRunner:
    """Registered where tests run while determinism is on."""

    def __init__(
        self,
        config: pytest.Config,
        settings: GraduationConfig,
        runs: int,
        processes: int,
        process_runs: ProcessRuns | None,
    ) -> None:
        self.config = config
        self.settings = settings
        self.runs = runs
        self.processes = processes
        self.process_runs = process_runs

    def pytest_itemcollected(self, item: pytest.Item) -> None:
        remember_spec(item, self.settings)

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_setup(self, item: pytest.Item) -> None:
        problem = item.stash.get(spec_key, None)
        if isinstance(problem, str):
            pytest.fail(problem, pytrace=False)

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_protocol(
        self, item: pytest.Item, nextitem: pytest.Item | None
    ) -> bool | None:
        spec = item.stash.get(spec_key, None)
        if spec is None:
            return None  # not deterministic: pytest runs it
        if isinstance(spec, str):
            self._verdict(item, "invalid", 1, spec)
            return None  # pytest runs it; its setup fails with the marker error
        runs = max(self.runs, spec.runs or 1)
        item.ihook.pytest_runtest_logstart(nodeid=item.nodeid, location=item.location)
        done: list[Run] = []
        seen = 0
        benchmarks = _benchmark_results(self.config)
        isolation = RunIsolation(item)
        for index in range(runs):
            last = index == runs - 1
            timed = len(benchmarks) if benchmarks is not None else 0
            with isolation.run(index + 1):
                run = observe_run(
                    item,
                    spec,
                    nextitem=nextitem if last else item.parent,
                    log=False,
                    stdout_seen=seen,
                )
            if index and benchmarks is not None:
                # a benchmark counts once, with run 1's timing, as only run 1 is reported
                del benchmarks[timed:]
            seen = len(run.reports[-1].sections)
            done.append(run)
        isolation.close()
        reports = self._judge(item, done)
        for report in reports:
            item.ihook.pytest_runtest_logreport(report=report)
        item.ihook.pytest_runtest_logfinish(nodeid=item.nodeid, location=item.location)
        return True

    def _difference(
        self, item: pytest.Item, done: list[Run]
    ) -> tuple[tuple[str, Difference] | None, list[str]]:
        """The first run that differs from run 1 (headline and difference), in process
        first, then in fresh interpreters; and why fresh-interpreter runs are missing."""
        first = done[0].observation
        for number, run in enumerate(done[1:], 2):
            difference = compare(first, run.observation, f"run {number}")
            if difference is not None:
                return (f"run {number} differs from run 1", difference), []
        unverified: list[str] = []
        if self.process_runs is None:
            return None, unverified
        for number, (label, other) in enumerate(self.process_runs(item.nodeid), len(done) + 1):
            if isinstance(other, str):
                unverified.append(f"{label}: {other}")
                continue
            difference = compare(first, other, f"run {number}")
            if difference is not None:
                return (f"run {number} differs from run 1 (run {number}: {label})", difference), []
        return None, unverified

    def _judge(self, item: pytest.Item, done: list[Run]) -> list[pytest.TestReport]:
        """Run 1's reports, its call report (else its setup report) replaced by the
        failure when a run differed; records the verdict."""
        found, unverified = self._difference(item, done)
        reports = list(done[0].reports)
        total = len(done) + (self.processes if self.process_runs is not None else 0)
        if found is not None:
            headline, difference = found
            message = f"not deterministic: {headline}: {difference.text}"
            target = next((i for i, r in enumerate(reports) if r.when == "call"), 0)
            original = reports[target]
            if original.failed:
                message += f"\n\nrun 1 failed with:\n{original.longreprtext}"
            # the last line is what one-line summaries (like the gate's details) show
            message += f"\n\nnot deterministic: {headline}"
            reports[target] = _fail_report(item, original, message)
            if difference.flipped:
                facts_of(self.config).add(FLAKY_STREAM, item.nodeid)
            self._verdict(item, "differs", total, f"{headline}: {difference.summary}")
        elif unverified:
            self._verdict(item, "unverified", total, "; ".join(unverified))
        else:
            self._verdict(item, "identical", total, "")
        for report in reports:
            report.user_properties.append((RUNS_PROPERTY, len(done)))
            if self.process_runs is not None:
                report.user_properties.append((PROCESSES_PROPERTY, self.processes))
        return reports

    def _verdict(self, item: pytest.Item, status: str, runs: int, detail: str) -> None:
        facts_of(self.config).add(
            VERDICT_STREAM,
            {"nodeid": item.nodeid, "status": status, "runs": runs, "detail": detail},
        )


@final
class RunCountReporting:
    """Shows the run count in the verbose word (``PASSED (3 runs)``); registered where
    reports are shown, i.e. also on the xdist controller."""

    @pytest.hookimpl(wrapper=True)
    def pytest_report_teststatus(
        self, report: pytest.TestReport | pytest.CollectReport, config: pytest.Config
    ) -> Generator[None, Any, Any]:
        result = yield
        properties = dict(getattr(report, "user_properties", ()) or ())
        runs = properties.get(RUNS_PROPERTY)
        if not isinstance(result, tuple) or len(result) != 3 or not isinstance(runs, int):
            return result
        category, letter, word = result
        count = f"{runs} run{'s' if runs != 1 else ''}"
        processes = properties.get(PROCESSES_PROPERTY)
        if isinstance(processes, int) and processes:
            count += f" + {processes} process{'es' if processes != 1 else ''}"
        if isinstance(word, tuple) and word and word[0]:
            return category, letter, (f"{word[0]} ({count})", *word[1:])
        if isinstance(word, str) and word:
            return category, letter, f"{word} ({count})"
        return result
