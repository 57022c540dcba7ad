"""The ``coverage`` and ``coverage_paths`` criteria, judged from a measurement in the
``coverage`` fact stream (see :mod:`pytest_graduation.coverage.measure`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final, final

from pytest_graduation.coverage.measure import (
    HINT,
    FileCounts,
    digits_for,
    displayed,
    fmt,
    reaches,
    total,
)
from pytest_graduation.globs import match_file
from pytest_graduation.model import Criterion, CriterionResult, GateRun

#: fact stream holding the run's single measurement
COVERAGE_STREAM: Final = "coverage"
#: how many least-covered files an unmet floor names
LEAST_COVERED: Final = 5


def measurement_of(run: GateRun) -> dict[str, Any]:
    """The run's measurement, or an ``{"error": ...}``."""
    found = [m for m in run.fact(COVERAGE_STREAM) if isinstance(m, dict)]
    if not found:
        return {"error": f"not measured: no coverage data reached the gate; {HINT}"}
    if len(found) > 1:
        return {
            "error": f"not measured: {len(found)} separate coverage measurements cannot be "
            "added up (shard reports?); merge them with --coverage-file"
        }
    return found[0]


def _file_counts(measurement: Mapping[str, Any]) -> dict[str, FileCounts]:
    files: Mapping[str, Any] = measurement.get("files", {})
    return {name: FileCounts.from_list(raw) for name, raw in files.items()}


def _missing(counts: FileCounts, kind: str) -> str:
    text = f"{counts.missing} missing line{'s' * (counts.missing != 1)}"
    if kind != "lines":
        text += f", {counts.missing_branches} missing branch{'es' * (counts.missing_branches != 1)}"
    return text


def least_covered(files: Mapping[str, FileCounts], kind: str, digits: int) -> list[str]:
    """The files of a group that miss the most, worst first."""
    short = [(c.percent, -c.measurable, name, c) for name, c in files.items() if c.percent < 100]
    return [
        f"{name} {fmt(displayed(pc, digits), digits)}% ({_missing(c, kind)})"
        for pc, _, name, c in sorted(short)[:LEAST_COVERED]
    ]


@final
class CoverageCriterion(Criterion):
    """pytest-cov's total (combined over xdist workers) reaches ``floor`` percent."""

    name = "coverage"

    def __init__(self, floor: float) -> None:
        self.floor = floor

    def evaluate(self, run: GateRun) -> CriterionResult:
        measurement = measurement_of(run)
        if "error" in measurement:
            return CriterionResult.unmet(None, self.floor, [measurement["error"]])
        kind, precision = measurement["kind"], int(measurement["precision"])
        files = _file_counts(measurement)
        counts = total(files.values())
        shown, ok = reaches(counts.percent, self.floor, precision)
        digits = digits_for(self.floor, precision)
        summary = (
            f"total {fmt(shown, digits)}% of {kind} over {len(files)} measured file(s) "
            f"{'reaches' if ok else 'is below'} the floor of {fmt(self.floor, digits)}%"
        )
        if ok:
            return CriterionResult.met(shown, self.floor, [summary])
        worst = least_covered(files, kind, digits)
        details = [summary, *(f"least covered: {line}" for line in worst)]
        return CriterionResult.unmet(shown, self.floor, details)


@final
class CoveragePathsCriterion(Criterion):
    """The files matching each file glob together reach that glob's floor."""

    name = "coverage_paths"

    def __init__(self, floors: Mapping[str, float]) -> None:
        self.floors = dict(floors)

    def evaluate(self, run: GateRun) -> CriterionResult:
        measurement = measurement_of(run)
        if "error" in measurement:
            return CriterionResult.unmet(None, self.floors, [measurement["error"]])
        kind, precision = measurement["kind"], int(measurement["precision"])
        files = _file_counts(measurement)
        measured: dict[str, float | None] = {}
        details: list[str] = []
        unmet = False
        for glob, floor in self.floors.items():
            digits = digits_for(floor, precision)
            members = {name: c for name, c in files.items() if match_file(glob, name)}
            if not members:
                measured[glob] = None
                unmet = True
                details.append(f"{glob}: no measured file matches (floor {fmt(floor, digits)}%)")
                continue
            shown, ok = reaches(total(members.values()).percent, floor, precision)
            measured[glob] = shown
            unmet = unmet or not ok
            details.append(
                f"{glob}: {fmt(shown, digits)}% of {kind} over {len(members)} file(s) "
                f"{'reaches' if ok else 'is below'} the floor of {fmt(floor, digits)}%"
            )
            if not ok:
                details += [
                    f"{glob}: least covered: {line}"
                    for line in least_covered(members, kind, digits)
                ]
        if unmet:
            return CriterionResult.unmet(measured, self.floors, details)
        return CriterionResult.met(measured, self.floors, details)
