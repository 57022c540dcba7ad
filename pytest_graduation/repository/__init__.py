"""Repository criteria: ``line_limit``, ``compile``, ``source_rules`` and ``examples``.

They judge the files of the repository rather than test outcomes, on the judging
process (the serial process or the xdist controller), from one shared walk of the
rootdir (:mod:`.walk`). Only ``examples`` needs a plugin object, and only while
gating at a level that lists examples: it adds the example items to the collection.
"""

from __future__ import annotations

from collections.abc import Iterable

import pytest

from pytest_graduation.config import GraduationConfig, LevelCriteria
from pytest_graduation.model import Criterion
from pytest_graduation.repository.marker import EXAMPLE_MARKER, MARKER_LINE

__all__ = ["EXAMPLE_MARKER", "configure", "criteria_from"]


def configure(config: pytest.Config, settings: GraduationConfig, level: str | None) -> None:
    """Register this feature's plugin objects; ``level`` is the gated level or None."""
    config.addinivalue_line("markers", MARKER_LINE)
    if level is None:
        return
    wanted = settings.criteria_for(level)
    if wanted.examples:
        from pytest_graduation.repository.examples import ExamplesCollector

        collector = ExamplesCollector(wanted.examples, wanted.examples_timeout, settings.exclude)
        config.pluginmanager.register(collector, "graduation-examples")


def criteria_from(wanted: LevelCriteria, settings: GraduationConfig) -> Iterable[Criterion]:
    # imported here: passive runs never judge, and must not pay for these imports
    from pytest_graduation.repository.compile_check import CompileCriterion
    from pytest_graduation.repository.examples import ExamplesCriterion
    from pytest_graduation.repository.line_limit import LineLimitCriterion
    from pytest_graduation.repository.source_rules import SourceRulesCriterion

    if wanted.line_limit is not None:
        yield LineLimitCriterion(wanted.line_limit)
    if wanted.compile is not None:
        yield CompileCriterion(wanted.compile)
    if wanted.source_rules is not None:
        yield SourceRulesCriterion(wanted.source_rules)
    if wanted.examples is not None:
        yield ExamplesCriterion(wanted.examples)
