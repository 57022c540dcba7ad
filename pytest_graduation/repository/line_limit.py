"""The ``line_limit`` criterion: no file matching a glob is longer than its limit."""

from __future__ import annotations

from collections.abc import Mapping
from typing import final

from pytest_graduation.listing import capped
from pytest_graduation.model import Criterion, CriterionResult, GateRun
from pytest_graduation.repository.walk import checked, tree_for


@final
class LineLimitCriterion(Criterion):
    """``line_limit = { "src/**/*.py" = 500 }``: every matching file within its limit.

    Measured is the longest matching file per glob (``None`` when nothing matches).
    An empty table measures nothing, so it is unmet.
    """

    name = "line_limit"

    def __init__(self, limits: Mapping[str, int]) -> None:
        self.limits = dict(limits)

    def evaluate(self, run: GateRun) -> CriterionResult:
        tree = tree_for(run)
        longest: dict[str, int | None] = {}
        problems: set[str] = set()
        #: the file each problem concerns (a glob matching nothing concerns none)
        subjects: dict[str, str] = {}
        seen: set[str] = set()
        if not self.limits:
            problems.add("nothing to check: no glob in line_limit")
        for glob, limit in self.limits.items():
            files = tree.matching(glob)
            seen.update(files)
            if not files:
                longest[glob] = None
                problems.add(f"{glob}: no file matches this glob")
                continue
            most = 0
            for rel, source in tree.sources(files):
                if source.problem:
                    problem = f"{rel}: {source.problem} (line {source.line})"
                    problems.add(problem)
                    subjects[problem] = rel
                    continue
                count = source.line_count()
                most = max(most, count)
                if count > limit:
                    problem = f"{rel}: {count} lines (limit {limit})"
                    problems.add(problem)
                    subjects[problem] = rel
            longest[glob] = most
        details = [checked(len(seen)), *capped(sorted(problems))]
        if problems:
            named = [("file", subjects[p]) if p in subjects else ("other", p) for p in problems]
            return CriterionResult.unmet(longest, self.limits, details, subjects=sorted(named))
        return CriterionResult.met(longest, self.limits, details)
