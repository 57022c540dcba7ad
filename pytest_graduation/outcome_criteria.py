"""The ``tests`` feature: criteria on test outcomes, ``tests``, ``skipped``, ``xfailed``, ``flaky``,
``required_markers``."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import final

from pytest_graduation.facts import FLAKY_STREAM as FLAKY_STREAM
from pytest_graduation.feature import Feature, Key
from pytest_graduation.listing import NAMED, capped
from pytest_graduation.model import Criterion, CriterionResult, GateRun, Outcome, TestRecord
from pytest_graduation.partial import partial_reason
from pytest_graduation.recording import GLOBS_STREAM, configured_globs
from pytest_graduation.repository.marker import EXAMPLE_MARKER
from pytest_graduation.settings import GraduationConfig, LevelCriteria
from pytest_graduation.validation import table_of, whole_number


def _listing(records: Iterable[TestRecord]) -> list[str]:
    lines = []
    for record in records:
        why = f": {record.longrepr}" if record.longrepr else ""
        lines.append(f"{record.nodeid} ({record.outcome}){why}")
    return capped(lines)


@final
class TestsCriterion(Criterion):
    """Every required test passed: no failure, no error, no collection error."""

    __test__ = False
    name = "tests"

    def __init__(self, judged_elsewhere: str | None = None) -> None:
        #: records carrying this marker are judged by another criterion (example items)
        self.judged_elsewhere = judged_elsewhere

    def evaluate(self, run: GateRun) -> CriterionResult:
        ran = run.required_tests
        required = [t for t in ran if self.judged_elsewhere not in t.markers]
        bad = [t for t in required if t.outcome in Outcome.BAD]
        errors = [f"collection error: {where}" for where in run.collection_errors]
        others = [f"xdist worker {problem}" for problem in run.lost_workers]
        if not any(t.outcome in Outcome.EXECUTED for t in ran):
            others.append("no required test ran (nothing collected, or everything deselected)")
        others += stale_globs(run)
        details = [*errors, *_listing(bad), *others]
        measured = f"{sum(t.outcome in Outcome.PASSING for t in required)}/{len(required)} passed"
        if details:
            # only a failing test names a subject a `tests` scope may cover
            subjects = [("test", t.nodeid) for t in bad] + [("other", o) for o in errors + others]
            return CriterionResult.unmet(measured, "all required pass", details, subjects=subjects)
        deselected = [t.nodeid for t in run.tests if t.required and t.deselected]
        partial = partial_reason(run.facts)
        if deselected or partial:
            lead = [partial] if partial else []
            if deselected:
                lead.append(f"{len(deselected)} required tests deselected: run the full suite")
            # a partial run is not ready: no test scope covers what did not run
            return CriterionResult.inconclusive(
                measured,
                "all required pass",
                [*lead, *capped(deselected, NAMED)],
                subjects=[("other", line) for line in lead],
            )
        return CriterionResult.met(measured, "all required pass")


def stale_globs(run: GateRun) -> list[str]:
    """A ``phases``, ``deterministic`` or capability ``tests`` glob that matched no
    collected test in any process (or shard) is a typo, unless the run was partial
    (SPEC 19): required tests deselected, or files left uncollected (``--lf``)."""
    facts = [f for f in run.fact(GLOBS_STREAM) if isinstance(f, Mapping)]
    if not facts or any(f.get("narrowed") for f in facts):
        return []  # recorded by no process (an older shard), or collection was narrowed
    if any(t.required and t.deselected for t in run.tests):
        return []  # a partial run is inconclusive already
    matched = {
        (str(pair[0]), str(pair[1]))
        for fact in facts
        for pair in fact.get("matched", ())
        if isinstance(pair, list) and len(pair) == 2
    }
    return [
        f'glob "{glob}" in {key} matches no test (a typo?)'
        for key, glob in configured_globs(run.settings)
        if (key, glob) not in matched
    ]


@final
class CountCriterion(Criterion):
    """At most ``limit`` required tests ended with ``outcome``."""

    def __init__(self, name: str, outcome: str, limit: int) -> None:
        self.name = name
        self.outcome = outcome
        self.limit = limit

    def evaluate(self, run: GateRun) -> CriterionResult:
        hits = [t for t in run.required_tests if t.outcome == self.outcome]
        required = f"<= {self.limit}"
        if len(hits) > self.limit:
            subjects = [("test", t.nodeid) for t in hits]
            return CriterionResult.unmet(
                len(hits), required, _listing(hits), subjects=subjects, allowed=self.limit
            )
        return CriterionResult.met(len(hits), required)


@final
class FlakyCriterion(Criterion):
    """At most ``limit`` tests needed a rerun to pass or flipped across determinism runs."""

    name = "flaky"

    def __init__(self, limit: int) -> None:
        self.limit = limit

    def evaluate(self, run: GateRun) -> CriterionResult:
        flaky: dict[str, str] = {}
        for record in run.tests:
            if record.reruns and record.outcome in Outcome.PASSING:
                flaky[record.nodeid] = f"passed after {record.reruns} rerun(s)"
        for nodeid in run.fact(FLAKY_STREAM):
            flaky.setdefault(str(nodeid), "outcome flipped across determinism runs")
        details = [f"{nodeid}: {why}" for nodeid, why in sorted(flaky.items())]
        required = f"<= {self.limit}"
        if len(flaky) > self.limit:
            subjects = [("test", nodeid) for nodeid in sorted(flaky)]
            return CriterionResult.unmet(
                len(flaky), required, details, subjects=subjects, allowed=self.limit
            )
        return CriterionResult.met(len(flaky), required, details)


@final
class RequiredMarkersCriterion(Criterion):
    """At least N passing required tests carry each listed marker."""

    name = "required_markers"

    def __init__(self, wanted: Mapping[str, int]) -> None:
        self.wanted = dict(wanted)

    def evaluate(self, run: GateRun) -> CriterionResult:
        passed = [t for t in run.required_tests if t.outcome in Outcome.PASSING]
        measured = {m: sum(m in t.markers for t in passed) for m in self.wanted}
        details = [
            f"marker {marker!r}: {measured[marker]} passing required test(s), need {need}"
            for marker, need in sorted(self.wanted.items())
            if measured[marker] < need
        ]
        if details:
            return CriterionResult.unmet(measured, self.wanted, details)
        return CriterionResult.met(measured, self.wanted)


def criteria_from(wanted: LevelCriteria, settings: GraduationConfig) -> Iterable[Criterion]:
    # example items are judged by the ``examples`` criterion alone, not twice
    yield TestsCriterion(EXAMPLE_MARKER if wanted.get("examples") is not None else None)
    if wanted.get("max_skipped") is not None:
        yield CountCriterion("skipped", Outcome.SKIPPED, wanted["max_skipped"])
    if wanted.get("max_xfailed") is not None:
        yield CountCriterion("xfailed", Outcome.XFAILED, wanted["max_xfailed"])
    if wanted.get("max_flaky") is not None:
        yield FlakyCriterion(wanted["max_flaky"])
    if wanted.get("required_markers") is not None:
        yield RequiredMarkersCriterion(wanted["required_markers"])


FEATURE = Feature(
    name="tests",
    criteria=criteria_from,
    keys=(
        Key("max_skipped", whole_number(0), "skipped"),
        Key("max_xfailed", whole_number(0), "xfailed"),
        Key("max_flaky", whole_number(0), "flaky"),
        Key("required_markers", table_of(whole_number(0)), "required_markers"),
    ),
)
