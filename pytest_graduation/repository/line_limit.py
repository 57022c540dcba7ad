"""The ``line_limit`` criterion: no file matching a glob is longer than its limit."""

from __future__ import annotations

from collections.abc import Mapping
from typing import final

from pytest_graduation.model import Criterion, CriterionResult, GateRun
from pytest_graduation.repository.walk import capped, tree_for


@final
class LineLimitCriterion(Criterion):
    """``line_limit = { "src/**/*.py" = 500 }``: every matching file within its limit.

    Measured is the longest matching file per glob (``None`` when nothing matches).
    """

    name = "line_limit"

    def __init__(self, limits: Mapping[str, int]) -> None:
        self.limits = dict(limits)

    def evaluate(self, run: GateRun) -> CriterionResult:
        tree = tree_for(run)
        longest: dict[str, int | None] = {}
        problems: set[str] = set()
        for glob, limit in self.limits.items():
            files = tree.matching(glob)
            if not files:
                longest[glob] = None
                problems.add(f"{glob}: no file matches this glob")
                continue
            most = 0
            for rel, source in tree.sources(files):
                if source.problem:
                    problems.add(f"{rel}: {source.problem} (line {source.line})")
                    continue
                count = source.line_count()
                most = max(most, count)
                if count > limit:
                    problems.add(f"{rel}: {count} lines (limit {limit})")
            longest[glob] = most
        if problems:
            return CriterionResult.unmet(longest, self.limits, capped(sorted(problems)))
        return CriterionResult.met(longest, self.limits)
