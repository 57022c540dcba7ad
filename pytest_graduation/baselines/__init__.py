"""Baselines: numbers that may not slide back (SPEC section 17).

``pytest --update-baseline`` records this run's coverage (per file, at the precision
shown) and pytest-benchmark's statistics in ``graduation-baseline.json``; the
``coverage_baseline`` and ``benchmarks`` criteria hold later runs to it. See
``docs/baselines.md``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

import pytest

from pytest_graduation.baselines.benchmarks import (
    BENCHMARKS_STREAM,
    SESSION_STREAM,
    BenchmarkReader,
)
from pytest_graduation.baselines.criteria import BenchmarksCriterion, CoverageBaselineCriterion
from pytest_graduation.baselines.settings import (
    DEFAULT_BASELINE,
    non_negative,
    parse_baseline_path,
)
from pytest_graduation.baselines.store import BaselineError, read_baseline
from pytest_graduation.baselines.update import (
    BaselineUpdater,
    DeselectionCounter,
    update_baseline,
)
from pytest_graduation.facts import is_xdist_worker
from pytest_graduation.feature import Feature, GlobalKey, Key
from pytest_graduation.model import Criterion
from pytest_graduation.settings import GraduationConfig, LevelCriteria

__all__ = [
    "BENCHMARKS_STREAM",
    "FEATURE",
    "SESSION_STREAM",
    "BaselineError",
    "BaselineUpdater",
    "BenchmarkReader",
    "BenchmarksCriterion",
    "CoverageBaselineCriterion",
    "DeselectionCounter",
    "configure",
    "criteria_from",
    "read_baseline",
    "update_baseline",
]

#: the dest of ``--update-baseline`` (declared in :mod:`pytest_graduation.options`)
OPTION: Final = "update_baseline"


def configure(config: pytest.Config, settings: GraduationConfig, level: str | None) -> None:
    """Read benchmarks where they run, and write the baseline where the gate would judge."""
    update = bool(config.getoption(OPTION, default=False))
    if update and level is not None:
        raise pytest.UsageError(
            "pytest-graduation: --update-baseline cannot be combined with --graduation "
            "(a gate judges the baseline, it must not rewrite it)"
        )
    judged = level is not None and "benchmark_regression" in settings.criteria_for(level)
    if not (update or judged):
        return
    reader = BenchmarkReader(config)
    config.pluginmanager.register(reader, "graduation-benchmarks")
    if update:
        config.pluginmanager.register(DeselectionCounter(config), "graduation-deselected")
    if update and not is_xdist_worker(config):
        updater = BaselineUpdater(config, settings, reader)
        config.pluginmanager.register(updater, "graduation-baseline")


def criteria_from(wanted: LevelCriteria, settings: GraduationConfig) -> Iterable[Criterion]:
    baseline: str = settings.value("baseline")
    if wanted.get("coverage_baseline") is not None:
        yield CoverageBaselineCriterion(wanted["coverage_baseline"], baseline)
    if wanted.get("benchmark_regression") is not None:
        yield BenchmarksCriterion(wanted["benchmark_regression"], baseline)


FEATURE = Feature(
    name="baselines",
    criteria=criteria_from,
    keys=(
        Key("coverage_baseline", non_negative, "coverage_baseline"),
        Key("benchmark_regression", non_negative, "benchmarks"),
    ),
    global_keys=(GlobalKey("baseline", parse_baseline_path, DEFAULT_BASELINE),),
    configure=configure,
)
