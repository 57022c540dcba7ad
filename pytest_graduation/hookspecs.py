"""The hooks pytest-graduation adds; implement them in a ``conftest.py`` or a plugin."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from pytest_graduation.model import Criterion
    from pytest_graduation.report import GraduationReport
    from pytest_graduation.serializers import Serializer


@pytest.hookspec
def pytest_graduation_criteria(config: pytest.Config) -> Iterable[Criterion]:
    """Return custom criteria to judge while gating.

    Called once on the process that judges (the xdist controller), after the
    rootdir ``conftest.py`` files are loaded. Each criterion appears in the report
    and can be waived by its ``name`` like a built-in one.
    """
    raise NotImplementedError


@pytest.hookspec
def pytest_graduation_serializers(config: pytest.Config) -> Iterable[Serializer]:
    """Return serializers for values that ``golden.check`` and ``observe`` do not
    know. The first serializer whose ``accepts(value)`` is true wins."""
    raise NotImplementedError


@pytest.hookspec
def pytest_graduation_report(config: pytest.Config, report: GraduationReport) -> None:
    """Called with the final report before the session ends."""
