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
    floor_text,
    fmt,
    needed,
    reaches,
    total,
)
from pytest_graduation.globs import match_file
from pytest_graduation.listing import NAMED, capped
from pytest_graduation.model import Criterion, CriterionResult, GateRun

#: fact stream holding the run's single measurement
COVERAGE_STREAM: Final = "coverage"


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


def _missing_sources(measurement: Mapping[str, Any]) -> list[str]:
    raw = measurement.get("missing") or []
    return [str(name) for name in raw] if isinstance(raw, list) else [str(raw)]


def not_judgeable(measurement: Mapping[str, Any]) -> list[str]:
    """Why the measurement cannot be judged at all (its details), or nothing: an error,
    measured files whose source is gone, or no file measured."""
    if "error" in measurement:
        return [str(measurement["error"])]
    missing = _missing_sources(measurement)
    if missing:
        listed = capped([f"not measured: source missing: {name}" for name in missing])
        return [
            f"not measured: {len(missing)} measured file(s) have no source on disk, so the "
            "total is unknown; combine the data where the sources are, or map their "
            "paths with [tool.coverage.paths]",
            *listed,
        ]
    if not measurement.get("files"):
        # only when every measured file was skipped as unparsable, as coverage.py skips
        return ["not measured: nothing measured: no measured file could be parsed"]
    return []


def _units(count: int, kind: str) -> str:
    if kind == "lines":
        return f"{count} more line{'s' * (count != 1)}"
    return f"{count} more {'lines or branches' if count != 1 else 'line or branch'}"


def _missing(counts: FileCounts, kind: str) -> str:
    text = f"{counts.missing} missing line{'s' * (counts.missing != 1)}"
    if kind != "lines":
        text += f", {counts.missing_branches} missing branch{'es' * (counts.missing_branches != 1)}"
    return text


def most_needed(
    files: Mapping[str, FileCounts], kind: str, floor: float, precision: int
) -> list[str]:
    """The files of a group below ``floor``, those needing the most lines first (a
    4-line shim at 0% matters less than a large module at 80%), capped."""
    digits = digits_for(floor, precision)
    short = [
        (-more, c.percent, name, c)
        for name, c in files.items()
        if (more := needed(c, floor, precision)) > 0
    ]
    lines = [
        f"most needed: {name} {fmt(displayed(c.percent, digits), digits)}% "
        f"({_missing(c, kind)}): {_units(-more, kind)} needed"
        for more, _, name, c in sorted(short)
    ]
    return capped(lines, NAMED, "more file(s) below the floor")


def _judged(
    label: str, files: Mapping[str, FileCounts], kind: str, floor: float, precision: int
) -> tuple[float, bool, list[str]]:
    """A group's shown value, whether it reaches the floor, and its details: the
    summary (with how many more lines it needs) and the files that need the most."""
    counts = total(files.values())
    noun = "measured file(s)" if label == "total" else "file(s)"
    shown, ok = reaches(counts.percent, floor, precision)
    digits = digits_for(floor, precision)
    summary = (
        f"{label} {fmt(shown, digits)}% of {kind} over {len(files)} {noun} "
        f"{'reaches' if ok else 'is below'} the floor of {floor_text(floor, digits)}%"
    )
    if ok:
        return shown, ok, [summary]
    summary += f": {_units(needed(counts, floor, precision), kind)} needed"
    return shown, ok, [summary, *most_needed(files, kind, floor, precision)]


@final
class CoverageCriterion(Criterion):
    """pytest-cov's total (combined over xdist workers) reaches ``floor`` percent."""

    name = "coverage"

    def __init__(self, floor: float) -> None:
        self.floor = floor

    def evaluate(self, run: GateRun) -> CriterionResult:
        measurement = measurement_of(run)
        problems = not_judgeable(measurement)
        if problems:
            return CriterionResult.unmet(None, self.floor, problems)
        kind, precision = measurement["kind"], int(measurement["precision"])
        files = _file_counts(measurement)
        if not total(files.values()).measurable:
            detail = f"not measured: nothing measured: the {len(files)} measured file(s) "
            return CriterionResult.unmet(None, self.floor, [detail + "have no statements"])
        shown, ok, details = _judged("total", files, kind, self.floor, precision)
        make = CriterionResult.met if ok else CriterionResult.unmet
        return make(shown, self.floor, details)


@final
class CoveragePathsCriterion(Criterion):
    """The files matching each file glob together reach that glob's floor."""

    name = "coverage_paths"

    def __init__(self, floors: Mapping[str, float]) -> None:
        self.floors = dict(floors)

    def evaluate(self, run: GateRun) -> CriterionResult:
        measurement = measurement_of(run)
        problems = not_judgeable(measurement)
        if not self.floors:  # an empty table judges nothing
            problems = ["not measured: coverage_paths names no glob", *problems]
        if problems:
            return CriterionResult.unmet(None, self.floors, problems)
        kind, precision = measurement["kind"], int(measurement["precision"])
        files = _file_counts(measurement)
        measured: dict[str, float | None] = {}
        details: list[str] = []
        subjects: list[tuple[str, str]] = []
        for glob, floor in self.floors.items():
            members = {name: c for name, c in files.items() if match_file(glob, name)}
            shown, ok, glob_details = _group(glob, members, kind, floor, precision)
            measured[glob] = shown
            details += glob_details
            if not ok:
                subjects += _below_floor(glob_details[0], members, floor, precision)
        if subjects:
            return CriterionResult.unmet(measured, self.floors, details, subjects=subjects)
        return CriterionResult.met(measured, self.floors, details)


def _below_floor(
    summary: str, members: Mapping[str, FileCounts], floor: float, precision: int
) -> list[tuple[str, str]]:
    """What an unmet group concerns: its files below the floor (with all of them
    waived, the rest reach it), or the group itself when no file is (a glob that
    matched nothing, a rounding edge), which no ``files`` scope covers."""
    below = [("file", n) for n, c in members.items() if needed(c, floor, precision) > 0]
    return below or [("other", summary)]


def _group(
    glob: str, members: Mapping[str, FileCounts], kind: str, floor: float, precision: int
) -> tuple[float | None, bool, list[str]]:
    """One glob's shown value (``None``: nothing measured), verdict and details."""
    text = floor_text(floor, digits_for(floor, precision))
    if not members:
        return None, False, [f'glob "{glob}" matches no measured file (floor {text}%)']
    if not total(members.values()).measurable:
        detail = f'glob "{glob}" matches only files without statements (floor {text}%)'
        return None, False, [detail]
    shown, ok, details = _judged(f"{glob}:", members, kind, floor, precision)
    return shown, ok, [details[0], *(f"{glob}: {line}" for line in details[1:])]
