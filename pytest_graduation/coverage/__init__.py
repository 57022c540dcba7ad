"""The ``coverage``, ``coverage_paths`` (SPEC section 3) and ``coverage_new`` (SPEC
section 16) criteria.

The gate never measures: it reads what pytest-cov measured, after pytest-cov has
stopped and combined its data (its ``pytest_runtestloop`` wrapper), on the serial
process or the xdist controller. See ``docs/coverage.md``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, final

import pytest

from pytest_graduation.coverage.changed import base_problem
from pytest_graduation.coverage.criteria import (
    COVERAGE_STREAM,
    CoverageCriterion,
    CoveragePathsCriterion,
    measurement_of,
)
from pytest_graduation.coverage.measure import (
    FileCounts,
    FileLines,
    finished_coverage,
    measure,
    pytest_cov_precision,
    read_pytest_cov,
)
from pytest_graduation.coverage.new_code import (
    COVERAGE_NEW_BASE_STREAM,
    COVERAGE_NEW_STREAM,
    CoverageNewCriterion,
    measure_new_code,
)
from pytest_graduation.facts import facts_of, is_xdist_worker
from pytest_graduation.feature import Feature, GlobalKey, Key
from pytest_graduation.model import Criterion
from pytest_graduation.settings import GraduationConfig, LevelCriteria
from pytest_graduation.validation import Checker, percentage, table_of

__all__ = [
    "COVERAGE_NEW_BASE_STREAM",
    "COVERAGE_NEW_STREAM",
    "COVERAGE_STREAM",
    "FEATURE",
    "CoverageCriterion",
    "CoverageNewCriterion",
    "CoveragePathsCriterion",
    "CoverageReader",
    "FileCounts",
    "configure",
    "criteria_from",
    "data_file_facts",
    "measure",
    "measure_new_code",
    "measurement_of",
    "new_code_base",
    "read_pytest_cov",
    "total_of",
]


@final
class CoverageReader:
    """Registered where the gate judges: hands pytest-cov's finished measurement to it,
    and, when the level judges ``coverage_new`` against a base (``base``), the
    changed-line measurement of the same data."""

    def __init__(self, config: pytest.Config, base: str | None = None) -> None:
        self.config = config
        self.base = base

    @pytest.hookimpl(tryfirst=True)
    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        # pytest-cov stopped, saved and combined in its pytest_runtestloop wrapper,
        # which is over by now; the gate judges later (its innermost wrapper).
        if self.config.option.collectonly:
            return
        facts = facts_of(self.config)
        lines: dict[str, FileLines] = {}
        measurement = read_pytest_cov(self.config, lines)
        facts.add(COVERAGE_STREAM, measurement)
        if self.base is None:
            return
        given = self.config.getoption("graduation_base", None)
        if given is not None:
            facts.add(COVERAGE_NEW_BASE_STREAM, given)
        facts.add(COVERAGE_NEW_STREAM, self._new_code(measurement, lines, self.base))

    def _new_code(
        self, measurement: Mapping[str, Any], lines: Mapping[str, FileLines], base: str
    ) -> dict[str, Any]:
        """The changed lines of the data just measured, reusing its analyses (each
        file is parsed once); the total's error when there is no data to measure."""
        cov = finished_coverage(self.config)
        if "error" in measurement or isinstance(cov, str):
            return {"error": measurement.get("error", cov)}
        precision = pytest_cov_precision(self.config)
        return measure_new_code(cov, self.config.rootpath, base, precision, analysed=lines)


def data_file_facts(
    data_file: Path, rootdir: Path, base: str | None = None
) -> dict[str, list[Any]]:
    """The coverage fact streams of a combined coverage data file, as the live gate
    makes them (for ``merge --coverage-file``): the measurement and, given a base,
    the changed-line measurement of the same loaded data."""
    import coverage
    from coverage.exceptions import CoverageException

    lines: dict[str, FileLines] = {}
    try:
        cov = coverage.Coverage(data_file=str(data_file))
        cov.load()
        measurement = measure(cov, rootdir, lines=lines)
    except CoverageException as exc:
        measurement = {"error": f"not measured: {data_file}: {exc}"}
    facts: dict[str, list[Any]] = {COVERAGE_STREAM: [measurement]}
    if base is not None:
        new_code = (
            {"error": measurement["error"]}
            if "error" in measurement
            else measure_new_code(cov, rootdir, base, analysed=lines)
        )
        facts[COVERAGE_NEW_STREAM] = [new_code]
    return facts


def total_of(facts: Mapping[str, Sequence[Any]]) -> float | None:
    """The total percentage of the one measurement in ``facts`` (``GateRun.coverage``
    derives from the fact: one channel)."""
    found = [m for m in facts.get(COVERAGE_STREAM, ()) if isinstance(m, dict)]
    percent = found[0].get("percent") if len(found) == 1 else None
    return float(percent) if isinstance(percent, (int, float)) else None


def new_code_base(settings: GraduationConfig, level: str, given: str | None) -> str | None:
    """The base ``coverage_new`` measures against at ``level``: ``given`` (by
    ``--graduation-base``), else ``[tool.graduation] base``; ``None`` when the level
    does not judge it (or no base is set: the criterion then says so)."""
    if settings.criteria_for(level).get("coverage_new") is None:
        return None
    return given if given is not None else settings.value("base")


def configure(config: pytest.Config, settings: GraduationConfig, level: str | None) -> None:
    """While gating, read pytest-cov's measurement on the judging process."""
    if level is None or is_xdist_worker(config):
        return
    base = new_code_base(settings, level, config.getoption("graduation_base", None))
    reader = CoverageReader(config, base)
    config.pluginmanager.register(reader, "graduation-coverage")


def criteria_from(wanted: LevelCriteria, settings: GraduationConfig) -> Iterable[Criterion]:
    if wanted.get("coverage") is not None:
        yield CoverageCriterion(wanted["coverage"])
    if wanted.get("coverage_paths") is not None:
        yield CoveragePathsCriterion(wanted["coverage_paths"])
    if wanted.get("coverage_new") is not None:
        # a --graduation-base reaches it as the coverage_new_base fact, and wins
        yield CoverageNewCriterion(wanted["coverage_new"], settings.value("base"))


def check_base(check: Checker, key: str, value: object) -> str:
    """``[tool.graduation] base``: a string git could take for a revision (one that
    starts with ``-`` would be read as an option)."""
    base = check.string(key, value)
    if base_problem(base) is not None:
        raise check.fail(key, "a git revision (e.g. origin/main)", value)
    return base


FEATURE = Feature(
    name="coverage",
    criteria=criteria_from,
    keys=(
        Key("coverage", percentage, "coverage"),
        Key("coverage_paths", table_of(percentage), "coverage_paths"),
        Key("coverage_new", percentage, "coverage_new"),
    ),
    global_keys=(GlobalKey("base", check_base, None),),
    configure=configure,
    gating_only=True,
)
