"""Repository criteria: ``line_limit``, ``compile``, ``source_rules`` and ``examples``.

They judge the files of the repository rather than test outcomes, on the judging
process (the serial process or the xdist controller), from one shared walk of the
rootdir (:mod:`.walk`). Only ``examples`` needs a plugin object, and only while
gating at a level that lists examples: it adds the example items to the collection.
"""

from __future__ import annotations

from collections.abc import Iterable

import pytest

from pytest_graduation.feature import Feature, GlobalKey, Key
from pytest_graduation.model import Criterion, GateRun
from pytest_graduation.repository.marker import EXAMPLE_MARKER, MARKER_LINE
from pytest_graduation.repository.settings import (
    DEFAULT_EXAMPLES_TIMEOUT,
    DEFAULT_EXCLUDE,
    excluded,
    parse_examples_timeout,
    parse_source_rules,
)
from pytest_graduation.settings import GraduationConfig, LevelCriteria
from pytest_graduation.validation import string_list, table_of, whole_number

__all__ = ["EXAMPLE_MARKER", "FEATURE", "configure", "criteria_from"]


def configure(config: pytest.Config, settings: GraduationConfig, level: str | None) -> None:
    """Register this feature's plugin objects; ``level`` is the gated level or None."""
    config.addinivalue_line("markers", MARKER_LINE)
    if level is None:
        return
    wanted = settings.criteria_for(level)
    if wanted.get("examples"):
        from pytest_graduation.repository.examples import ExamplesCollector

        timeout = wanted.get("examples_timeout", DEFAULT_EXAMPLES_TIMEOUT)
        collector = ExamplesCollector(wanted["examples"], timeout, excluded(settings))
        config.pluginmanager.register(collector, "graduation-examples")
    if wanted.get("compile") is not None:
        from pytest_graduation.repository.compile_check import remember_compiled

        remember_compiled(config)


def criteria_from(wanted: LevelCriteria, settings: GraduationConfig) -> Iterable[Criterion]:
    # imported here: passive runs never judge, and must not pay for these imports
    from pytest_graduation.repository.compile_check import CompileCriterion
    from pytest_graduation.repository.examples import ExamplesCriterion
    from pytest_graduation.repository.line_limit import LineLimitCriterion
    from pytest_graduation.repository.source_rules import SourceRulesCriterion

    if wanted.get("line_limit") is not None:
        yield LineLimitCriterion(wanted["line_limit"])
    if wanted.get("compile") is not None:
        yield CompileCriterion(wanted["compile"])
    if wanted.get("source_rules") is not None:
        yield SourceRulesCriterion(wanted["source_rules"])
    if wanted.get("examples") is not None:
        yield ExamplesCriterion(wanted["examples"])


def finish(config: pytest.Config, run: GateRun) -> None:
    """After judging: keep what the ``compile`` criterion learned (its cache)."""
    from pytest_graduation.repository.compile_check import save_compiled

    save_compiled(config, run)


FEATURE = Feature(
    name="repository",
    criteria=criteria_from,
    keys=(
        Key("line_limit", table_of(whole_number(1)), "line_limit"),
        Key("compile", string_list, "compile"),
        Key("source_rules", parse_source_rules, "source_rules"),
        Key("examples", string_list, "examples"),
        Key("examples_timeout", parse_examples_timeout),
    ),
    global_keys=(GlobalKey("exclude", string_list, DEFAULT_EXCLUDE),),
    configure=configure,
    finish=finish,
)
