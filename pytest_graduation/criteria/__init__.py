"""Built-in criteria. Each feature module contributes a ``criteria_from`` factory."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from pytest_graduation import capabilities, coverage, determinism, goldens, repository
from pytest_graduation.config import GraduationConfig, LevelCriteria
from pytest_graduation.criteria import tests
from pytest_graduation.model import Criterion

Factory = Callable[[LevelCriteria, GraduationConfig], Iterable[Criterion]]

#: in report order; a feature adds its factory here
FACTORIES: tuple[Factory, ...] = (
    tests.criteria_from,
    coverage.criteria_from,
    determinism.criteria_from,
    capabilities.criteria_from,
    goldens.criteria_from,
    repository.criteria_from,
)


def builtin_criteria(settings: GraduationConfig, level: str) -> list[Criterion]:
    wanted = settings.criteria_for(level)
    return [criterion for factory in FACTORIES for criterion in factory(wanted, settings)]
