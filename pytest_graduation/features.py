"""The registry: every feature, in report order. The one list a new feature joins."""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pytest_graduation.feature import Feature, GlobalKey, Key
    from pytest_graduation.model import Criterion
    from pytest_graduation.settings import GraduationConfig


@functools.cache
def registry() -> tuple[Feature, ...]:
    # imported here: each feature module imports the model and the settings, and the
    # configuration loader imports this registry (no import cycle at module level)
    from pytest_graduation import (
        api,
        baselines,
        capabilities,
        checklist,
        coverage,
        determinism,
        goldens,
        outcome_criteria,
        repository,
    )

    return (
        outcome_criteria.FEATURE,
        coverage.FEATURE,
        baselines.FEATURE,
        determinism.FEATURE,
        capabilities.FEATURE,
        checklist.FEATURE,
        api.FEATURE,
        goldens.FEATURE,
        repository.FEATURE,
    )


@functools.cache
def criterion_keys() -> dict[str, Key]:
    return {key.name: key for feature in registry() for key in feature.keys}


@functools.cache
def global_keys() -> dict[str, GlobalKey]:
    return {key.name: key for feature in registry() for key in feature.global_keys}


def global_default(name: str) -> Any:
    return global_keys()[name].default


@functools.cache
def builtin_criteria_names() -> tuple[str, ...]:
    names = ("tests", *(n for feature in registry() for n in feature.criterion_names))
    return tuple(dict.fromkeys(names))


def builtin_criteria(settings: GraduationConfig, level: str) -> list[Criterion]:
    """The built-in criteria that ``level`` configures, in report order."""
    wanted = settings.criteria_for(level)
    return [criterion for feature in registry() for criterion in feature.criteria(wanted, settings)]
