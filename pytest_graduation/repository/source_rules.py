"""The ``source_rules`` criterion: no line of a matching file matches a rule's regex."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Final, final

from pytest_graduation.globs import file_glob_regex
from pytest_graduation.listing import capped
from pytest_graduation.model import Criterion, CriterionResult, GateRun
from pytest_graduation.repository.settings import SourceRule
from pytest_graduation.repository.walk import RepoTree, checked, tree_for

#: ``# graduation: allow no-print`` (or ``// ...``, several names split by commas)
#: at the very end of a line: that line is no violation of the rules it names
ALLOW_INLINE: Final = re.compile(r"(?:#|//)\s*graduation:\s*allow\s+(?P<names>[^#]+?)\s*\Z")


def allowed_rules(line: str) -> frozenset[str]:
    """The rule names a line's closing ``graduation: allow`` comment names (none when
    it has no such comment)."""
    if "graduation:" not in line:  # the common case, without a regex search
        return frozenset()
    found = ALLOW_INLINE.search(line)
    if found is None:
        return frozenset()
    return frozenset(name.strip() for name in found["names"].split(","))


@dataclass
class _Tally:
    """What one evaluation found, besides the rule-by-file assignment."""

    problems: list[tuple[str, int, str]] = field(default_factory=list)
    violations: int = 0
    allowed: int = 0
    excluded: set[str] = field(default_factory=set)


@final
class SourceRulesCriterion(Criterion):
    """Each rule ``{name, files, pattern, message, exclude}`` forbids lines matching
    ``pattern`` (``re.search`` on each line, without its line ending) in files matching
    ``files`` and none of ``exclude``; a line ending in ``# graduation: allow <name>``
    is allowed for the rules it names, and counted.

    Every file is read once, however many rules apply to it. No rule at all, or a
    rule whose files are all excluded, measures nothing, so it is unmet.
    """

    name = "source_rules"

    def __init__(self, rules: Sequence[SourceRule]) -> None:
        self.rules = tuple(rules)

    def evaluate(self, run: GateRun) -> CriterionResult:
        tree = tree_for(run)
        tally = _Tally()
        if not self.rules:
            tally.problems.append(("", 0, "nothing to check: no rule in source_rules"))
        rules_of = _assign(self.rules, tree, tally)
        for rel in sorted(rules_of):
            _scan(tree, rel, rules_of[rel], tally)
        texts = [text for _, _, text in sorted(tally.problems, key=lambda p: p[:2])]
        details = [_summary(len(rules_of), self.rules, tally), *capped(texts)]
        if tally.problems:
            # a problem of a file in the tree concerns that file; a glob or an empty
            # rule list that matched nothing concerns none
            subjects = [
                ("file", rel) if rel in rules_of else ("other", text)
                for rel, _, text in tally.problems
            ]
            return CriterionResult.unmet(tally.violations, 0, details, subjects=subjects)
        return CriterionResult.met(tally.violations, 0, details)


def _assign(
    rules: Sequence[SourceRule], tree: RepoTree, tally: _Tally
) -> dict[str, list[SourceRule]]:
    """Which rules apply to which file; a rule that matches no file, or whose files
    are all excluded, is a problem (it checks nothing)."""
    rules_of: dict[str, list[SourceRule]] = {}
    for rule in rules:
        files = tree.matching(rule.files)
        if not files:
            tally.problems.append((rule.files, 0, f"rule {rule.name!r}: no file matches this glob"))
        skip = [file_glob_regex(glob) for glob in rule.exclude]
        kept = [rel for rel in files if not any(regex.match(rel) for regex in skip)]
        tally.excluded.update(set(files) - set(kept))
        if files and not kept:
            text = f"rule {rule.name!r}: every file matching {rule.files!r} is excluded"
            tally.problems.append((rule.files, 0, text))
        for rel in kept:
            rules_of.setdefault(rel, []).append(rule)
    return rules_of


def _scan(tree: RepoTree, rel: str, rules: list[SourceRule], tally: _Tally) -> None:
    source = tree.source(rel)
    if source.problem:
        tally.problems.append((rel, source.line, f"{rel}:{source.line}: {source.problem}"))
        return
    searches = [(rule, rule.pattern.search) for rule in rules]
    for number, line in enumerate(source.lines(), 1):
        hits = [rule for rule, search in searches if search(line) is not None]
        if not hits:
            continue
        allowed = allowed_rules(line)
        tally.allowed += any(rule.name in allowed for rule in hits)
        for rule in hits:
            if rule.name not in allowed:
                tally.violations += 1
                text = f"{rel}:{number}: {rule.name}: {rule.message}"
                tally.problems.append((rel, number, text))


def _summary(count: int, rules: Sequence[SourceRule], tally: _Tally) -> str:
    """``checked N files``, and what the rules were told to leave alone."""
    parts = []
    if any(rule.exclude for rule in rules):
        parts.append(_plural(len(tally.excluded), "file") + " excluded")
    if tally.allowed:
        parts.append(_plural(tally.allowed, "line") + " allowed inline")
    return "; ".join([checked(count), ", ".join(parts)]) if parts else checked(count)


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"
