"""pytest-graduation: turn a pytest session into a release gate."""

from __future__ import annotations

from pytest_graduation._version import __version__
from pytest_graduation.model import Criterion, CriterionResult, GateRun, Status, TestRecord
from pytest_graduation.report import GraduationReport
from pytest_graduation.serializers import Serializer

__all__ = [
    "Criterion",
    "CriterionResult",
    "GateRun",
    "GraduationReport",
    "Serializer",
    "Status",
    "TestRecord",
    "__version__",
]
