"""pytest-graduation: turn a pytest session into a release gate.

Public names are resolved lazily (PEP 562): importing the package, which pytest does
when it loads the plugin, must not import the whole engine.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from pytest_graduation._version import __version__

if TYPE_CHECKING:
    from pytest_graduation.model import Criterion, CriterionResult, GateRun, Status, TestRecord
    from pytest_graduation.report import GraduationReport
    from pytest_graduation.serializers import Serializer

_PUBLIC = {
    "Criterion": "pytest_graduation.model",
    "CriterionResult": "pytest_graduation.model",
    "GateRun": "pytest_graduation.model",
    "Status": "pytest_graduation.model",
    "TestRecord": "pytest_graduation.model",
    "GraduationReport": "pytest_graduation.report",
    "Serializer": "pytest_graduation.serializers",
}

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


def __getattr__(name: str) -> Any:
    module = _PUBLIC.get(name)
    if module is None:
        raise AttributeError(f"module 'pytest_graduation' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
