"""Built-in criteria. Each feature module contributes a ``criteria_from`` factory."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from pytest_graduation.config import GraduationConfig, LevelCriteria
from pytest_graduation.model import Criterion

Factory = Callable[[LevelCriteria, GraduationConfig], Iterable[Criterion]]


def factories() -> tuple[Factory, ...]:
    """The factories in report order. Imported here, not at module level, so that a
    feature may import ``pytest_graduation.criteria.*`` without an import cycle."""
    from pytest_graduation import capabilities, coverage, determinism, goldens, repository
    from pytest_graduation.criteria import tests

    return (
        tests.criteria_from,
        coverage.criteria_from,
        determinism.criteria_from,
        capabilities.criteria_from,
        goldens.criteria_from,
        repository.criteria_from,
    )


def builtin_criteria(settings: GraduationConfig, level: str) -> list[Criterion]:
    wanted = settings.criteria_for(level)
    return [criterion for factory in factories() for criterion in factory(wanted, settings)]
