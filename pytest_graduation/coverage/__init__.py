"""The ``coverage`` and ``coverage_paths`` criteria (SPEC section 3).

The gate never measures: it reads what pytest-cov measured, after pytest-cov has
stopped and combined its data (its ``pytest_runtestloop`` wrapper), on the serial
process or the xdist controller. See ``docs/coverage.md``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, final

import pytest

from pytest_graduation.coverage.criteria import (
    COVERAGE_STREAM,
    CoverageCriterion,
    CoveragePathsCriterion,
    measurement_of,
)
from pytest_graduation.coverage.measure import FileCounts, measure, read_pytest_cov
from pytest_graduation.facts import facts_of, is_xdist_worker
from pytest_graduation.feature import Feature, Key
from pytest_graduation.model import Criterion
from pytest_graduation.settings import GraduationConfig, LevelCriteria
from pytest_graduation.validation import percentage, table_of

__all__ = [
    "COVERAGE_STREAM",
    "FEATURE",
    "CoverageCriterion",
    "CoveragePathsCriterion",
    "CoverageReader",
    "FileCounts",
    "configure",
    "criteria_from",
    "measure",
    "measurement_of",
    "read_pytest_cov",
    "total_of",
]


@final
class CoverageReader:
    """Registered where the gate judges: hands pytest-cov's finished measurement to it."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config

    @pytest.hookimpl(tryfirst=True)
    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        # pytest-cov stopped, saved and combined in its pytest_runtestloop wrapper,
        # which is over by now; the gate judges later (its innermost wrapper).
        if self.config.option.collectonly:
            return
        facts_of(self.config).add(COVERAGE_STREAM, read_pytest_cov(self.config))


def total_of(facts: Mapping[str, Sequence[Any]]) -> float | None:
    """The total percentage of the one measurement in ``facts`` (``GateRun.coverage``
    derives from the fact: one channel)."""
    found = [m for m in facts.get(COVERAGE_STREAM, ()) if isinstance(m, dict)]
    percent = found[0].get("percent") if len(found) == 1 else None
    return float(percent) if isinstance(percent, (int, float)) else None


def configure(config: pytest.Config, settings: GraduationConfig, level: str | None) -> None:
    """While gating, read pytest-cov's measurement on the judging process."""
    if level is None or is_xdist_worker(config):
        return
    config.pluginmanager.register(CoverageReader(config), "graduation-coverage")


def criteria_from(wanted: LevelCriteria, settings: GraduationConfig) -> Iterable[Criterion]:
    if wanted.get("coverage") is not None:
        yield CoverageCriterion(wanted["coverage"])
    if wanted.get("coverage_paths") is not None:
        yield CoveragePathsCriterion(wanted["coverage_paths"])


FEATURE = Feature(
    name="coverage",
    criteria=criteria_from,
    keys=(
        Key("coverage", percentage, "coverage"),
        Key("coverage_paths", table_of(percentage), "coverage_paths"),
    ),
    configure=configure,
    gating_only=True,
)
