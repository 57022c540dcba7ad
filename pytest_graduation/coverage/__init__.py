"""The ``coverage`` and ``coverage_paths`` criteria (SPEC section 3).

The gate never measures: it reads what pytest-cov measured, after pytest-cov has
stopped and combined its data (its ``pytest_runtestloop`` wrapper), on the serial
process or the xdist controller. See ``docs/coverage.md``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import final

import pytest

from pytest_graduation.config import GraduationConfig, LevelCriteria
from pytest_graduation.coverage.criteria import (
    COVERAGE_STREAM,
    CoverageCriterion,
    CoveragePathsCriterion,
    measurement_of,
)
from pytest_graduation.coverage.measure import FileCounts, measure, read_pytest_cov
from pytest_graduation.facts import facts_of, is_xdist_worker
from pytest_graduation.model import Criterion

__all__ = [
    "COVERAGE_STREAM",
    "CoverageCriterion",
    "CoveragePathsCriterion",
    "CoverageReader",
    "FileCounts",
    "configure",
    "criteria_from",
    "measure",
    "measurement_of",
    "read_pytest_cov",
]


@final
class CoverageReader:
    """Registered where the gate judges: hands pytest-cov's finished measurement to it."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config

    @pytest.hookimpl(tryfirst=True)
    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        # pytest-cov stopped, saved and combined in its pytest_runtestloop wrapper,
        # which is over by now; the gate judges later (trylast).
        if self.config.option.collectonly:
            return
        measurement = read_pytest_cov(self.config)
        facts_of(self.config).add(COVERAGE_STREAM, measurement)
        if "percent" in measurement:
            from pytest_graduation.gate import coverage_key  # gate imports the criteria

            self.config.stash[coverage_key] = float(measurement["percent"])


def configure(config: pytest.Config, settings: GraduationConfig, level: str | None) -> None:
    """While gating, read pytest-cov's measurement on the judging process."""
    if level is None or is_xdist_worker(config):
        return
    config.pluginmanager.register(CoverageReader(config), "graduation-coverage")


def criteria_from(wanted: LevelCriteria, settings: GraduationConfig) -> Iterable[Criterion]:
    if wanted.coverage is not None:
        yield CoverageCriterion(wanted.coverage)
    if wanted.coverage_paths is not None:
        yield CoveragePathsCriterion(wanted.coverage_paths)
