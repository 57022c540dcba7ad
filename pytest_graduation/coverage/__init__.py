"""The ``coverage`` and ``coverage_paths`` criteria (filled in by its issue)."""

from __future__ import annotations

from collections.abc import Iterable

import pytest

from pytest_graduation.config import GraduationConfig, LevelCriteria
from pytest_graduation.model import Criterion


def configure(config: pytest.Config, settings: GraduationConfig, level: str | None) -> None:
    """Register this feature's plugin objects; ``level`` is the gated level or None."""


def criteria_from(wanted: LevelCriteria, settings: GraduationConfig) -> Iterable[Criterion]:
    return ()
