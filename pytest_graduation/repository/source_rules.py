"""The ``source_rules`` criterion: no line of a matching file matches a rule's regex."""

from __future__ import annotations

from collections.abc import Sequence
from typing import final

from pytest_graduation.listing import capped
from pytest_graduation.model import Criterion, CriterionResult, GateRun
from pytest_graduation.repository.settings import SourceRule
from pytest_graduation.repository.walk import checked, tree_for


@final
class SourceRulesCriterion(Criterion):
    """Each rule ``{name, files, pattern, message}`` forbids lines matching ``pattern``
    (``re.search`` on each line, without its line ending) in files matching ``files``.

    Every file is read once, however many rules apply to it. No rule at all
    measures nothing, so it is unmet.
    """

    name = "source_rules"

    def __init__(self, rules: Sequence[SourceRule]) -> None:
        self.rules = tuple(rules)

    def evaluate(self, run: GateRun) -> CriterionResult:
        tree = tree_for(run)
        rules_of: dict[str, list[SourceRule]] = {}
        problems: list[tuple[str, int, str]] = []
        if not self.rules:
            problems.append(("", 0, "nothing to check: no rule in source_rules"))
        for rule in self.rules:
            files = tree.matching(rule.files)
            if not files:
                problems.append((rule.files, 0, f"rule {rule.name!r}: no file matches this glob"))
            for rel in files:
                rules_of.setdefault(rel, []).append(rule)
        violations = 0
        for rel in sorted(rules_of):
            source = tree.source(rel)
            if source.problem:
                problems.append((rel, source.line, f"{rel}:{source.line}: {source.problem}"))
                continue
            rules = rules_of[rel]
            searches = [(rule, rule.pattern.search) for rule in rules]
            for number, line in enumerate(source.lines(), 1):
                for rule, search in searches:
                    if search(line) is not None:
                        violations += 1
                        problems.append(
                            (rel, number, f"{rel}:{number}: {rule.name}: {rule.message}")
                        )
        texts = [text for _, _, text in sorted(problems, key=lambda p: p[:2])]
        details = [checked(len(rules_of)), *capped(texts)]
        if problems:
            # a problem of a file in the tree concerns that file; a glob or an empty
            # rule list that matched nothing concerns none
            subjects = [
                ("file", rel) if rel in rules_of else ("other", text) for rel, _, text in problems
            ]
            return CriterionResult.unmet(violations, 0, details, subjects=subjects)
        return CriterionResult.met(violations, 0, details)
