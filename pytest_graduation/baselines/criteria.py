"""The ``coverage_baseline`` and ``benchmarks`` criteria: this run against the numbers
recorded in the baseline file (SPEC section 17). Both read the baseline once per run
and judge plain facts: the ``coverage`` measurement and the benchmark streams."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any, Final, final

from pytest_graduation.baselines.benchmarks import BENCHMARKS_STREAM, SESSION_STREAM
from pytest_graduation.baselines.store import (
    UPDATE_HINT,
    BaselineError,
    baseline_file,
    read_baseline,
)
from pytest_graduation.coverage.criteria import measurement_of, not_judgeable
from pytest_graduation.coverage.measure import (
    MAX_DIGITS,
    FileCounts,
    decimals,
    displayed,
    fmt,
    total,
)
from pytest_graduation.model import Criterion, CriterionResult, GateRun

#: how many differing machine-info keys are named
MAX_MACHINE_KEYS: Final = 8


def load(run: GateRun, relpath: str) -> tuple[dict[str, Any] | None, str]:
    """The baseline (read once per run, shared by both criteria) and why it cannot be
    used: ``(None, "")`` means there is no baseline."""
    key = f"baseline:{relpath}"
    if key not in run.memo:
        try:
            run.memo[key] = (read_baseline(baseline_file(run.rootdir, relpath)), "")
        except BaselineError as exc:
            run.memo[key] = (None, f"baseline {exc}; fix or delete it, then {UPDATE_HINT}")
    found: tuple[dict[str, Any] | None, str] = run.memo[key]
    return found


def missing(relpath: str) -> str:
    return f"no baseline: {relpath} does not exist; {UPDATE_HINT} to record one"


def minus(value: float, tolerance: float) -> float:
    """``value - tolerance`` in decimal, as written (87.61 - 0.1 is 87.51, not 87.509...)."""
    return float(Decimal(repr(value)) - Decimal(repr(tolerance)))


def shown_digits(precision: int, *values: float) -> int:
    """Decimals to compare and show: the precision, or more when a recorded value or
    floor has more, at most :data:`MAX_DIGITS`."""
    return min(max(precision, *(decimals(v) for v in values)), MAX_DIGITS)


@final
class CoverageBaselineCriterion(Criterion):
    """The total and every recorded file measure at least their baseline minus
    ``tolerance`` percentage points."""

    name = "coverage_baseline"

    def __init__(self, tolerance: float, baseline: str) -> None:
        self.tolerance = tolerance
        self.baseline = baseline

    def evaluate(self, run: GateRun) -> CriterionResult:
        document, error = load(run, self.baseline)
        if document is None:
            return CriterionResult.unmet(None, self.tolerance, [error or missing(self.baseline)])
        recorded = document.get("coverage")
        if recorded is None:
            detail = f"the baseline records no coverage: {UPDATE_HINT} --cov=<package>"
            return CriterionResult.unmet(None, self.tolerance, [detail])
        measurement = measurement_of(run)
        problems = not_judgeable(measurement)
        if not problems and measurement["kind"] != recorded["kind"]:
            problems = [
                f"this run measured {measurement['kind']}, the baseline {recorded['kind']}: "
                f"the numbers do not compare; {UPDATE_HINT} to record the new kind"
            ]
        if problems:
            return CriterionResult.unmet(None, self.tolerance, problems)
        files = {n: FileCounts.from_list(raw) for n, raw in measurement["files"].items()}
        if not total(files.values()).measurable:
            detail = "not measured: nothing measured: the measured files have no statements"
            return CriterionResult.unmet(None, self.tolerance, [detail])
        return self._judge(run, recorded, files, int(measurement["precision"]))

    def _judge(
        self,
        run: GateRun,
        recorded: Mapping[str, Any],
        files: Mapping[str, FileCounts],
        precision: int,
    ) -> CriterionResult:
        old_total = float(recorded["total"])
        shown, ok, line = self._compare("total", total(files.values()), old_total, precision)
        details = [line] if line else []
        # what a scoped waiver (``files``) may cover: a file that dropped; the total never
        subjects = [] if ok else [("other", line or "total")]
        for name, old in sorted(recorded["files"].items()):
            if name in files:
                file_ok, line = self._compare(name, files[name], float(old), precision)[1:]
            elif (run.rootdir / name).exists():
                file_ok, line = False, f"{name}: {old:g} -> not measured"
            else:
                file_ok, line = True, f"{name}: deleted, ignored"
            ok = ok and file_ok
            details += [line] if line else []
            subjects += [] if file_ok else [("file", name)]
        above = Decimal(repr(shown)) - Decimal(repr(old_total))
        if above > 1:
            details.append(
                f"total {shown:g} is {float(above):g} points above the baseline {old_total:g}: "
                f"{UPDATE_HINT} to raise it"
            )
        summary = (
            f"total {shown:g} against the baseline {old_total:g}, tolerance "
            f"{self.tolerance:g} point(s), {len(recorded['files'])} recorded file(s)"
        )
        floor = minus(old_total, self.tolerance)
        if ok:
            return CriterionResult.met(shown, floor, [summary, *details])
        return CriterionResult.unmet(shown, floor, [summary, *details], subjects=subjects)

    def _compare(
        self, name: str, counts: FileCounts, old: float, precision: int
    ) -> tuple[float, bool, str]:
        """The shown value, whether it reaches ``old - tolerance`` at the precision
        shown, and the detail line when it dropped (``path: 91.2 -> 88.0``)."""
        floor = minus(old, self.tolerance)
        digits = shown_digits(precision, old, floor)
        shown = displayed(counts.percent, digits)
        ok = shown >= floor
        if shown >= old:
            return shown, ok, ""
        line = f"{name}: {fmt(old, digits)} -> {fmt(shown, digits)}"
        return shown, ok, line if not ok else f"{line} (within the tolerance)"


def seconds(value: float) -> str:
    """A duration with a readable unit (``1.234ms``)."""
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("us", 1e-6)):
        if value >= scale:
            return f"{value / scale:.3f}{unit}"
    return f"{value / 1e-9:.3f}ns"


def _median(value: object) -> float | None:
    median = value.get("median") if isinstance(value, dict) else None
    if isinstance(median, (int, float)) and not isinstance(median, bool):
        return float(median) if math.isfinite(median) and median >= 0 else None
    return None


def medians(facts: Sequence[Any]) -> dict[str, float]:
    """The median of each benchmark that ran; one that ran in several shards counts
    with its slowest median."""
    found: dict[str, float] = {}
    for value in facts:
        median = _median(value)
        name = value.get("name") if isinstance(value, dict) else None
        if median is not None and isinstance(name, str):
            found[name] = max(median, found.get(name, median))
    return found


def machine_differences(
    old: Mapping[str, Any], new: Mapping[str, Any], prefix: str = ""
) -> list[str]:
    """The dotted keys whose values differ between two machine infos."""
    keys: list[str] = []
    for key in sorted(set(old) | set(new)):
        a, b = old.get(key), new.get(key)
        if isinstance(a, dict) and isinstance(b, dict):
            keys += machine_differences(a, b, f"{prefix}{key}.")
        elif a != b:
            keys.append(f"{prefix}{key}")
    return keys


@final
class BenchmarksCriterion(Criterion):
    """Every benchmark of the baseline ran, with a median at most ``regression``
    percent above the recorded one."""

    name = "benchmarks"

    def __init__(self, regression: float, baseline: str) -> None:
        self.regression = regression
        self.baseline = baseline

    def evaluate(self, run: GateRun) -> CriterionResult:
        document, error = load(run, self.baseline)
        if document is None:
            return CriterionResult.unmet(None, self.regression, [error or missing(self.baseline)])
        recorded: dict[str, Any] = document.get("benchmarks") or {}
        if not recorded:
            detail = f"the baseline records no benchmark: {UPDATE_HINT} in a session that runs them"
            return CriterionResult.unmet(None, self.regression, [detail])
        sessions = [s for s in run.fact(SESSION_STREAM) if isinstance(s, dict)]
        active = [s for s in sessions if s.get("active") is True]
        if not active:
            why = [str(s.get("why", "benchmarks did not run")) for s in sessions] or [
                "no benchmark results reached the gate (was the session judged elsewhere?)"
            ]
            detail = f"{len(recorded)} recorded benchmark(s) did not run"
            return CriterionResult.unmet(None, self.regression, [*dict.fromkeys(why), detail])
        ran = medians(run.fact(BENCHMARKS_STREAM))
        details, within = self._compare(recorded, ran)
        details += [
            f"{name}: new -> {seconds(median)} (not in the baseline)"
            for name, median in sorted(ran.items())
            if name not in recorded
        ]
        details += self._machine(document.get("machine_info"), active)
        measured = f"{within}/{len(recorded)} within +{self.regression:g}%"
        make = CriterionResult.met if within == len(recorded) else CriterionResult.unmet
        return make(measured, self.regression, details)

    def _compare(
        self, recorded: Mapping[str, Any], ran: Mapping[str, float]
    ) -> tuple[list[str], int]:
        limit = 1 + self.regression / 100
        details: list[str] = []
        within = 0
        for name, stats in sorted(recorded.items()):
            old = float(stats["median"])
            new = ran.get(name)
            if new is None:
                details.append(f"{name}: {seconds(old)} -> did not run")
                continue
            ratio = new / old
            line = f"{name}: {seconds(old)} -> {seconds(new)} ({ratio:.2f}x)"
            if new <= old * limit:
                within += 1
            else:
                line += f", more than the {limit:.2f}x allowed"
            details.append(line)
        return details, within

    def _machine(self, old: object, sessions: Sequence[Mapping[str, Any]]) -> list[str]:
        news = [s["machine_info"] for s in sessions if isinstance(s.get("machine_info"), dict)]
        if not isinstance(old, dict) or not news:
            return []
        differing = list(dict.fromkeys(k for new in news for k in machine_differences(old, new)))
        if not differing:
            return []
        named = ", ".join(differing[:MAX_MACHINE_KEYS])
        more = len(differing) - MAX_MACHINE_KEYS
        named += f" and {more} more" if more > 0 else ""
        return [f"machine info differs from the baseline's ({named}): timings may not compare"]
